//! A rule's action as checked at load, and its rendering for one call.
//!
//! Load proves what it can about every call the rule will see: a ring target
//! built from `${called}` is an extension for every number the `called`
//! patterns admit, a trunk number is never empty. So rendering cannot fail.

use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::time::Duration;

use toml::Spanned;

use super::load::Sink;
use super::pattern::{Pattern, Shape};
use super::reason::standard_reason;
use super::rule::{NAME_RULE, RawRule, Strings, is_name};
use super::template::{Template, Var};
use super::{Action, CallFacts, TargetKind};

/// An action with its numbers still to be filled in from the call.
#[derive(Debug, Clone)]
pub(super) enum ActionTemplate {
    Ring {
        extensions: Vec<Template>,
        timeout: Duration,
    },
    Queue {
        queue: String,
        priority: Option<u8>,
    },
    Trunk {
        trunk: String,
        number: Template,
        caller_id: Option<Template>,
    },
    Reject {
        code: u16,
        reason: String,
    },
    Ivr {
        menu: String,
    },
}

/// Extensions are this many digits: fewer would clash with access codes
/// such as `0` or `9`, more is a phone number (a trunk's business).
const EXTENSION_DIGITS: RangeInclusive<usize> = 2..=8;
const DEFAULT_RING_TIMEOUT: u32 = 30;
const RING_TIMEOUTS: RangeInclusive<u32> = 1..=600;

/// The patterns of a rule, which say what `${called}` and `${caller}` can be.
struct Numbers<'a> {
    called: &'a [Pattern],
    caller: &'a [Pattern],
}

/// The key that names a rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ring,
    Queue,
    Trunk,
    Reject,
    Ivr,
}

impl ActionTemplate {
    /// Checks the one action of a rule written at `at`.
    pub fn build(
        raw: &RawRule,
        at: &Range<usize>,
        called: &[Pattern],
        caller: &[Pattern],
        sink: &mut Sink<'_>,
    ) -> Option<ActionTemplate> {
        let kind = Self::the_one_action(raw, at, sink)?;
        Self::refuse_keys_of_other_actions(raw, kind, sink);
        let numbers = Numbers { called, caller };
        match kind {
            Kind::Ring => Self::ring(raw, &numbers, sink),
            Kind::Queue => Self::queue(raw, sink),
            Kind::Trunk => Self::trunk(raw, &numbers, sink),
            Kind::Reject => Self::reject(raw, sink),
            Kind::Ivr => Self::ivr(raw, sink),
        }
    }

    /// The rule's action, if it has exactly one.
    fn the_one_action(raw: &RawRule, at: &Range<usize>, sink: &mut Sink<'_>) -> Option<Kind> {
        let actions: Vec<(Kind, Range<usize>)> = [
            (Kind::Ring, span(&raw.ring)),
            (Kind::Queue, span(&raw.queue)),
            (Kind::Trunk, span(&raw.trunk)),
            (Kind::Reject, span(&raw.reject)),
            (Kind::Ivr, span(&raw.ivr)),
        ]
        .into_iter()
        .filter_map(|(kind, span)| Some((kind, span?)))
        .collect();
        let name = raw.name.get_ref();
        match actions.as_slice() {
            [] => {
                let message = "has no action (give one of ring, queue, trunk, reject, ivr)";
                sink.error(at, format!("rule {name:?} {message}"));
                None
            }
            [(kind, _)] => Some(*kind),
            [(first, _), (second, span), ..] => {
                let message =
                    format!("rule {name:?} has two actions, {first} and {second}; give one");
                sink.error(span, message);
                None
            }
        }
    }

    fn refuse_keys_of_other_actions(raw: &RawRule, kind: Kind, sink: &mut Sink<'_>) {
        let keys = [
            ("ring_timeout", Kind::Ring, span(&raw.ring_timeout)),
            ("priority", Kind::Queue, span(&raw.priority)),
            ("number", Kind::Trunk, span(&raw.number)),
            ("caller_id", Kind::Trunk, span(&raw.caller_id)),
            ("reason", Kind::Reject, span(&raw.reason)),
        ];
        for (key, owner, span) in keys {
            if let Some(span) = span.filter(|_| owner != kind) {
                sink.error(&span, format!("{key} goes with {owner}, not with {kind}"));
            }
        }
    }

    fn ring(raw: &RawRule, numbers: &Numbers<'_>, sink: &mut Sink<'_>) -> Option<ActionTemplate> {
        let field = raw.ring.as_ref()?;
        let items = Strings::items(field);
        if items.is_empty() {
            sink.error(&field.span(), "ring: an empty list rings no one");
        }
        let extensions: Vec<Option<Template>> = items
            .iter()
            .map(|item| {
                let (template, shape) = numbers.template("ring", item, sink)?;
                let is_extension = shape.digits_only
                    && shape.min_len >= *EXTENSION_DIGITS.start()
                    && shape
                        .max_len
                        .is_some_and(|max| max <= *EXTENSION_DIGITS.end());
                if is_extension {
                    return Some(template);
                }
                let (shortest, longest) = (EXTENSION_DIGITS.start(), EXTENSION_DIGITS.end());
                let advice = if template.uses(Var::Called) || template.uses(Var::Caller) {
                    " for every number the rule matches; narrow the pattern, e.g. \"_10XX\""
                } else {
                    "; to call a number, use trunk"
                };
                let message = format!(
                    "ring: {:?} is not an extension ({shortest} to {longest} digits){advice}",
                    item.get_ref()
                );
                sink.error(&item.span(), message);
                None
            })
            .collect();
        let timeout = match &raw.ring_timeout {
            None => DEFAULT_RING_TIMEOUT,
            Some(t) if RING_TIMEOUTS.contains(t.get_ref()) => *t.get_ref(),
            Some(t) => {
                let (shortest, longest) = (RING_TIMEOUTS.start(), RING_TIMEOUTS.end());
                let message = format!(
                    "ring_timeout: {} is out of range ({shortest} to {longest} seconds)",
                    t.get_ref()
                );
                sink.error(&t.span(), message);
                return None;
            }
        };
        Some(ActionTemplate::Ring {
            extensions: extensions.into_iter().collect::<Option<_>>()?,
            timeout: Duration::from_secs(timeout.into()),
        })
    }

    fn queue(raw: &RawRule, sink: &mut Sink<'_>) -> Option<ActionTemplate> {
        Some(ActionTemplate::Queue {
            queue: name("queue", raw.queue.as_ref()?, sink)?,
            priority: raw.priority.as_ref().map(|p| *p.get_ref()),
        })
    }

    fn trunk(raw: &RawRule, numbers: &Numbers<'_>, sink: &mut Sink<'_>) -> Option<ActionTemplate> {
        let trunk = raw.trunk.as_ref()?;
        let trunk_name = name("trunk", trunk, sink);
        let number = match &raw.number {
            Some(number) => numbers.dialable("number", number, sink),
            None if numbers.called.is_empty() => {
                let message = "trunk: the number defaults to ${called}, which needs a `called` pattern on the rule; or give number";
                sink.error(&trunk.span(), message);
                None
            }
            None => {
                let called = Spanned::new(trunk.span(), "${called}".to_string());
                numbers.dialable("number", &called, sink)
            }
        };
        let caller_id = match &raw.caller_id {
            None => Some(None),
            Some(caller_id) => numbers.dialable("caller_id", caller_id, sink).map(Some),
        };
        Some(ActionTemplate::Trunk {
            trunk: trunk_name?,
            number: number?,
            caller_id: caller_id?,
        })
    }

    fn reject(raw: &RawRule, sink: &mut Sink<'_>) -> Option<ActionTemplate> {
        let code = raw.reject.as_ref()?;
        let (span, code) = (code.span(), *code.get_ref());
        if !(400..=699).contains(&code) {
            sink.error(
                &span,
                format!("reject: {code} is not a SIP error code (400 to 699)"),
            );
            return None;
        }
        let reason = match &raw.reason {
            Some(reason) if is_reason_phrase(reason.get_ref()) => reason.get_ref().clone(),
            Some(reason) => {
                sink.error(&reason.span(), "reason: must be one line of printable text");
                return None;
            }
            None => match standard_reason(code) {
                Some(reason) => reason.into(),
                None => {
                    sink.error(
                        &span,
                        format!("reject: {code} has no standard reason phrase; give reason"),
                    );
                    return None;
                }
            },
        };
        Some(ActionTemplate::Reject { code, reason })
    }

    fn ivr(raw: &RawRule, sink: &mut Sink<'_>) -> Option<ActionTemplate> {
        Some(ActionTemplate::Ivr {
            menu: name("ivr", raw.ivr.as_ref()?, sink)?,
        })
    }

    /// The action for one call.
    pub fn render(&self, call: &CallFacts<'_>) -> Action {
        let fill = |t: &Template| t.render(call.called, call.caller);
        match self {
            ActionTemplate::Ring {
                extensions,
                timeout,
            } => Action::Ring {
                extensions: extensions.iter().map(fill).collect(),
                timeout: *timeout,
            },
            ActionTemplate::Queue { queue, priority } => Action::Queue {
                queue: queue.clone(),
                priority: *priority,
            },
            ActionTemplate::Trunk {
                trunk,
                number,
                caller_id,
            } => Action::Trunk {
                trunk: trunk.clone(),
                number: fill(number),
                caller_id: caller_id.as_ref().map(fill),
            },
            ActionTemplate::Reject { code, reason } => Action::Reject {
                code: *code,
                reason: reason.clone(),
            },
            ActionTemplate::Ivr { menu } => Action::Ivr { menu: menu.clone() },
        }
    }

    /// The trunk, queue or menu the action sends calls to.
    pub fn target(&self) -> Option<(TargetKind, &str)> {
        match self {
            ActionTemplate::Queue { queue, .. } => Some((TargetKind::Queue, queue)),
            ActionTemplate::Trunk { trunk, .. } => Some((TargetKind::Trunk, trunk)),
            ActionTemplate::Ivr { menu } => Some((TargetKind::Menu, menu)),
            ActionTemplate::Ring { .. } | ActionTemplate::Reject { .. } => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Ring => "ring",
            Kind::Queue => "queue",
            Kind::Trunk => "trunk",
            Kind::Reject => "reject",
            Kind::Ivr => "ivr",
        })
    }
}

impl Numbers<'_> {
    /// A template and what it can produce; each substitution needs a pattern
    /// on its number, so the result is made of dial characters.
    fn template(
        &self,
        key: &str,
        text: &Spanned<String>,
        sink: &mut Sink<'_>,
    ) -> Option<(Template, Shape)> {
        let template = Template::parse(text.get_ref())
            .map_err(|e| sink.error(&text.span(), format!("{key}: {e}")))
            .ok()?;
        for var in [Var::Called, Var::Caller] {
            if template.uses(var) && self.of(var).is_empty() {
                let message = format!("{key}: ${{{var}}} needs a `{var}` pattern on the rule");
                sink.error(&text.span(), message);
                return None;
            }
        }
        let shape = template.shape(|var, skip, take| {
            let shapes = self.of(var).iter().map(|p| p.slice_shape(skip, take));
            shapes.reduce(Shape::or).unwrap_or(Shape::ANY)
        });
        Some((template, shape))
    }

    /// A template for a number that must never come out empty.
    fn dialable(&self, key: &str, text: &Spanned<String>, sink: &mut Sink<'_>) -> Option<Template> {
        let (template, shape) = self.template(key, text, sink)?;
        if shape.min_len == 0 {
            let message = format!(
                "{key}: {:?} is empty for some number the rule matches",
                text.get_ref()
            );
            sink.error(&text.span(), message);
            return None;
        }
        Some(template)
    }

    fn of(&self, var: Var) -> &[Pattern] {
        match var {
            Var::Called => self.called,
            Var::Caller => self.caller,
        }
    }
}

/// Where an optional key is written, if it is.
fn span<T>(field: &Option<Spanned<T>>) -> Option<Range<usize>> {
    field.as_ref().map(Spanned::span)
}

fn name(key: &str, name: &Spanned<String>, sink: &mut Sink<'_>) -> Option<String> {
    if is_name(name.get_ref()) {
        return Some(name.get_ref().clone());
    }
    sink.error(
        &name.span(),
        format!("{key} {:?}: {NAME_RULE}", name.get_ref()),
    );
    None
}

/// A reason phrase goes into the SIP status line: one line, no control
/// characters (a CR LF would start a header).
fn is_reason_phrase(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(char::is_control)
}
