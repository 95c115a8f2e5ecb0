//! One rule: its TOML form, the checks that turn it into a typed rule, and the
//! test whether it applies to a call.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

use super::action::ActionTemplate;
use super::load::{Schedules, Sink};
use super::pattern::Pattern;
use super::time::Schedule;
use super::{Action, CallFacts, Reference, Source, TargetKind};

/// A `[[rule]]` as written. Only `name` is required of serde; which keys go
/// together is left to the checks, so that they report everything wrong with
/// a rule at once, each at its own line.
#[derive(Debug, Deserialize)]
#[serde(rename = "rule", deny_unknown_fields)]
pub(super) struct RawRule {
    pub name: Spanned<String>,
    pub from: Option<Spanned<Strings>>,
    pub called: Option<Spanned<Strings>>,
    pub caller: Option<Spanned<Strings>>,
    pub when: Option<Spanned<String>>,
    pub unless: Option<Spanned<String>>,
    pub ring: Option<Spanned<Strings>>,
    pub ring_timeout: Option<Spanned<u32>>,
    pub queue: Option<Spanned<String>>,
    pub priority: Option<Spanned<u8>>,
    pub trunk: Option<Spanned<String>>,
    pub number: Option<Spanned<String>>,
    pub caller_id: Option<Spanned<String>>,
    pub reject: Option<Spanned<u16>>,
    pub reason: Option<Spanned<String>>,
    pub ivr: Option<Spanned<String>>,
    /// Record the calls this rule routes.
    pub record: Option<Spanned<bool>>,
}

/// A key that takes one string or a list of them.
#[derive(Debug)]
pub(super) enum Strings {
    One(String),
    Many(Vec<Spanned<String>>),
}

/// A checked rule.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub name: String,
    /// Where it is written, for messages and [`Reference`]s.
    pub file: String,
    pub line: usize,
    /// Empty: calls from anywhere.
    sources: Vec<SourceMatch>,
    /// Empty: any number. Otherwise one of them must match.
    called: Vec<Pattern>,
    caller: Vec<Pattern>,
    when: Option<Arc<Schedule>>,
    unless: Option<Arc<Schedule>>,
    action: ActionTemplate,
    /// Whether the calls it routes are recorded.
    pub record: bool,
}

#[derive(Debug, Clone)]
enum SourceMatch {
    AnyTrunk,
    Trunk(String),
    AnyExtension,
    Extension(Pattern),
}

impl Rule {
    /// Checks a rule written at `at`; `None` when anything is wrong (all of it
    /// is in `sink`).
    pub fn build(
        raw: &RawRule,
        at: &Range<usize>,
        sink: &mut Sink<'_>,
        schedules: &Schedules,
    ) -> Option<Rule> {
        let errors_before = sink.count();
        let name = raw.name.get_ref();
        if !is_name(name) {
            sink.error(&raw.name.span(), format!("name {name:?}: {NAME_RULE}"));
        }
        let sources = raw
            .from
            .as_ref()
            .map(|f| sources(f, sink))
            .unwrap_or_default();
        let called = raw.called.as_ref().map(|c| patterns("called", c, sink));
        let caller = raw.caller.as_ref().map(|c| patterns("caller", c, sink));
        let (called, caller) = (called.unwrap_or_default(), caller.unwrap_or_default());
        let when = raw
            .when
            .as_ref()
            .and_then(|w| schedules.find("when", w, sink));
        let unless = raw
            .unless
            .as_ref()
            .and_then(|u| schedules.find("unless", u, sink));
        let action = ActionTemplate::build(raw, at, &called, &caller, sink);
        if sink.count() > errors_before {
            return None;
        }
        Some(Rule {
            name: name.clone(),
            file: sink.file.into(),
            line: sink.line(at),
            sources,
            called,
            caller,
            when,
            unless,
            action: action?,
            record: raw.record.as_ref().is_some_and(|r| *r.get_ref()),
        })
    }

    /// A rule with no condition: it takes every call that reaches it.
    pub fn is_unconditional(&self) -> bool {
        self.sources.is_empty()
            && self.called.is_empty()
            && self.caller.is_empty()
            && self.when.is_none()
            && self.unless.is_none()
    }

    /// Whether every condition of the rule holds for this call at `now`.
    pub fn matches(&self, call: &CallFacts<'_>, now: DateTime<Utc>) -> bool {
        let any_of = |patterns: &[Pattern], number: &str| {
            patterns.is_empty() || patterns.iter().any(|p| p.matches(number))
        };
        (self.sources.is_empty() || self.sources.iter().any(|s| s.matches(call.source)))
            && any_of(&self.called, call.called)
            && any_of(&self.caller, call.caller)
            && self.when.as_ref().is_none_or(|s| s.is_open(now))
            && self.unless.as_ref().is_none_or(|s| !s.is_open(now))
    }

    /// What to do with a call the rule matched.
    pub fn action(&self, call: &CallFacts<'_>) -> Action {
        self.action.render(call)
    }

    /// The trunks, queues and menus the rule names.
    pub fn references(&self) -> impl Iterator<Item = Reference<'_>> {
        let reference = |(kind, name)| Reference {
            kind,
            name,
            file: &self.file,
            line: self.line,
        };
        let sources = self.sources.iter().filter_map(|source| match source {
            SourceMatch::Trunk(name) => Some((TargetKind::Trunk, name.as_str())),
            _ => None,
        });
        sources.chain(self.action.target()).map(reference)
    }
}

/// What a name (of a rule, schedule, trunk, queue or menu) may be made of.
pub(crate) fn is_name(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

pub(crate) const NAME_RULE: &str = "a name is 1 to 64 letters, digits, '-', '_' or '.'";

fn sources(from: &Spanned<Strings>, sink: &mut Sink<'_>) -> Vec<SourceMatch> {
    let items = Strings::items(from);
    if items.is_empty() {
        sink.error(&from.span(), "from: an empty list matches no call");
    }
    items
        .into_iter()
        .filter_map(|item| {
            SourceMatch::parse(item.get_ref())
                .map_err(|message| sink.error(&item.span(), format!("from: {message}")))
                .ok()
        })
        .collect()
}

fn patterns(key: &str, field: &Spanned<Strings>, sink: &mut Sink<'_>) -> Vec<Pattern> {
    let items = Strings::items(field);
    if items.is_empty() {
        sink.error(
            &field.span(),
            format!("{key}: an empty list matches no call"),
        );
    }
    items
        .into_iter()
        .filter_map(|item| {
            Pattern::parse(item.get_ref())
                .map_err(|e| sink.error(&item.span(), format!("{key}: {e}")))
                .ok()
        })
        .collect()
}

impl SourceMatch {
    fn parse(text: &str) -> Result<SourceMatch, String> {
        match text.split_once(':') {
            None if text == "trunk" => Ok(SourceMatch::AnyTrunk),
            None if text == "extension" => Ok(SourceMatch::AnyExtension),
            Some(("trunk", name)) if is_name(name) => Ok(SourceMatch::Trunk(name.into())),
            Some(("trunk", name)) => Err(format!("trunk {name:?}: {NAME_RULE}")),
            Some(("extension", pattern)) => Pattern::parse(pattern)
                .map(SourceMatch::Extension)
                .map_err(|e| e.to_string()),
            _ => Err(format!(
                "{text:?}: expected \"trunk\", \"trunk:NAME\", \"extension\" or \"extension:PATTERN\""
            )),
        }
    }

    fn matches(&self, source: Source<'_>) -> bool {
        match (self, source) {
            (SourceMatch::AnyTrunk, Source::Trunk(_)) => true,
            (SourceMatch::Trunk(name), Source::Trunk(trunk)) => name == trunk,
            (SourceMatch::AnyExtension, Source::Extension(_)) => true,
            (SourceMatch::Extension(pattern), Source::Extension(extension)) => {
                pattern.matches(extension)
            }
            _ => false,
        }
    }
}

impl Strings {
    /// Each string with where it is written (a lone string: the key's value).
    pub fn items(field: &Spanned<Strings>) -> Vec<Spanned<String>> {
        match field.get_ref() {
            Strings::One(text) => vec![Spanned::new(field.span(), text.clone())],
            Strings::Many(items) => items.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringsVisitor;

        impl<'de> Visitor<'de> for StringsVisitor {
            type Value = Strings;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Strings, E> {
                Ok(Strings::One(text.into()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Strings::Many(items))
            }
        }

        deserializer.deserialize_any(StringsVisitor)
    }
}
