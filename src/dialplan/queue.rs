//! Contact-centre queues (`[queue.NAME]`): how a queue's callers are
//! served, checked at load like rules, every key at its line.
//!
//! ```toml
//! [queue.sales]
//! strategy = "longest-idle"   # round-robin, ring-all, fewest-calls, skills
//! ring_timeout = 15           # seconds an agent's phone rings
//! wrap_up = 30                # seconds after a call before the next
//! max_wait = 300              # seconds before the overflow (none: no limit)
//! max_waiting = 20            # callers; one more goes to the overflow
//! overflow = "queue:backup"   # or "callback" (keeps the place), "hangup" (the default)
//! service_level = 20          # seconds: answered within counts as in time
//! misses_to_pause = 2         # offers rung out in a row before a pause
//! needs = { german = 60 }     # skills and least levels (0 to 100)
//! relax = { every = 30, by = 10 }  # needs drop 10 every 30 s of waiting
//! record = true               # record the queue's calls
//! results = ["sale", "information", "complaint"]  # the agent's wrap-up picks one
//! priority_by_status = { vip = 10 }  # callers whose client has this CRM status
//! announce_every = 60         # seconds: tell callers their place and wait
//! ```
//!
//! A caller's priority is the highest of the rule's `priority` and the one
//! their client's status gives (statuses compare without case).

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::load::Sink;
use super::menu::within;
use super::rule::{NAME_RULE, is_name};
use crate::acd::{Overflow, QueueConfig, Strategy};

/// The longest wrap-up result a queue may list.
pub const RESULT_MAX: usize = 100;

/// Every queue of the plan, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Queues {
    by_name: BTreeMap<String, QueueDef>,
}

/// A queue as the plan defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDef {
    pub config: QueueConfig,
    /// Its calls are recorded.
    pub record: bool,
    /// Priorities by the caller's CRM client status (lower case).
    pub priority_by_status: BTreeMap<String, u8>,
}

impl Queues {
    pub fn get(&self, name: &str) -> Option<&QueueDef> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &QueueDef> {
        self.by_name.values()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub(super) fn insert(&mut self, queue: QueueDef) {
        self.by_name.insert(queue.config.name.clone(), queue);
    }
}

#[derive(Deserialize)]
#[serde(rename = "queue", deny_unknown_fields)]
pub(super) struct RawQueue {
    strategy: Option<Spanned<String>>,
    ring_timeout: Option<Spanned<u64>>,
    wrap_up: Option<Spanned<u64>>,
    max_wait: Option<Spanned<u64>>,
    max_waiting: Option<Spanned<usize>>,
    overflow: Option<Spanned<String>>,
    service_level: Option<Spanned<u64>>,
    misses_to_pause: Option<Spanned<u32>>,
    #[serde(default)]
    needs: BTreeMap<String, Spanned<u8>>,
    relax: Option<Spanned<RawRelax>>,
    record: Option<bool>,
    #[serde(default)]
    results: Vec<Spanned<String>>,
    #[serde(default)]
    priority_by_status: BTreeMap<String, Spanned<u8>>,
    announce_every: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelax {
    every: u64,
    by: u8,
}

/// A queue another names (as its overflow) or a menu's key sends to, to
/// check once all are known.
pub(super) struct QueueReference {
    pub name: String,
    pub span: Range<usize>,
    /// The key that names it, for the message.
    pub key: &'static str,
}

impl RawQueue {
    /// The checked queue; `None` when anything is wrong (all of it is in
    /// `sink`). The queue its overflow names goes to `references`.
    pub fn check(
        &self,
        name: &str,
        sink: &mut Sink<'_>,
        references: &mut Vec<QueueReference>,
    ) -> Option<QueueDef> {
        let errors_before = sink.count();
        let defaults = QueueConfig::new(name);
        let strategy = match &self.strategy {
            None => Some(defaults.strategy),
            Some(s) => {
                let strategy = match s.get_ref().as_str() {
                    "longest-idle" => Some(Strategy::LongestIdle),
                    "round-robin" => Some(Strategy::RoundRobin),
                    "ring-all" => Some(Strategy::RingAll),
                    "fewest-calls" => Some(Strategy::FewestCalls),
                    "skills" => Some(Strategy::SkillsBased),
                    _ => None,
                };
                if strategy.is_none() {
                    let message = format!(
                        "strategy: {:?} is not one of longest-idle, round-robin, ring-all, fewest-calls, skills",
                        s.get_ref()
                    );
                    sink.error(&s.span(), message);
                }
                strategy
            }
        };
        let seconds = |key: &str,
                       value: &Option<Spanned<u64>>,
                       default: Duration,
                       range,
                       sink: &mut Sink<'_>| {
            within(key, value.as_ref(), default.as_secs(), range, sink).map(Duration::from_secs)
        };
        let ring_timeout = seconds(
            "ring_timeout",
            &self.ring_timeout,
            defaults.ring_timeout,
            1..=600,
            sink,
        );
        let wrap_up = seconds("wrap_up", &self.wrap_up, defaults.wrap_up, 0..=3600, sink);
        let service_level = seconds(
            "service_level",
            &self.service_level,
            defaults.service_level,
            1..=3600,
            sink,
        );
        let max_wait = match &self.max_wait {
            None => Some(None),
            Some(_) => {
                seconds("max_wait", &self.max_wait, Duration::ZERO, 1..=86_400, sink).map(Some)
            }
        };
        let misses = within(
            "misses_to_pause",
            self.misses_to_pause.as_ref(),
            defaults.misses_to_pause,
            1..=100,
            sink,
        );
        let max_waiting = match &self.max_waiting {
            Some(m) if *m.get_ref() == 0 => {
                sink.error(&m.span(), "max_waiting: 0 would refuse every caller");
                None
            }
            other => Some(other.as_ref().map(|m| *m.get_ref())),
        };
        let overflow = match &self.overflow {
            None => Some(Overflow::HangUp),
            Some(o) => match o.get_ref().split_once(':') {
                None if o.get_ref() == "hangup" => Some(Overflow::HangUp),
                None if o.get_ref() == "callback" => Some(Overflow::Callback),
                Some(("queue", other)) if is_name(other) => {
                    references.push(QueueReference {
                        name: other.into(),
                        span: o.span(),
                        key: "overflow",
                    });
                    Some(Overflow::Queue(other.into()))
                }
                _ => {
                    let message = format!(
                        "overflow: {:?} is not \"hangup\", \"callback\" or \"queue:NAME\"",
                        o.get_ref()
                    );
                    sink.error(&o.span(), message);
                    None
                }
            },
        };
        let mut needs = BTreeMap::new();
        for (skill, level) in &self.needs {
            if !is_name(skill) {
                sink.error(
                    &level.span(),
                    format!("needs: skill {skill:?}: {NAME_RULE}"),
                );
            } else if *level.get_ref() > 100 {
                sink.error(
                    &level.span(),
                    format!("needs: {skill} = {} is over 100", level.get_ref()),
                );
            } else {
                needs.insert(skill.clone(), *level.get_ref());
            }
        }
        let relax = match &self.relax {
            None => Some(None),
            Some(r) if r.get_ref().every == 0 || r.get_ref().by == 0 => {
                sink.error(&r.span(), "relax: every and by must be above 0");
                None
            }
            Some(r) => Some(Some((
                Duration::from_secs(r.get_ref().every),
                r.get_ref().by,
            ))),
        };
        let mut results: Vec<String> = Vec::new();
        for result in &self.results {
            let text = result.get_ref().trim();
            if text.is_empty() || text.chars().count() > RESULT_MAX {
                let message = format!("results: {text:?} must be 1 to {RESULT_MAX} characters");
                sink.error(&result.span(), message);
            } else if results.iter().any(|r| r == text) {
                sink.error(&result.span(), format!("results: {text:?} is listed twice"));
            } else {
                results.push(text.to_string());
            }
        }
        let announce_every = match &self.announce_every {
            None => Some(None),
            Some(_) => seconds(
                "announce_every",
                &self.announce_every,
                Duration::ZERO,
                5..=3600,
                sink,
            )
            .map(Some),
        };
        let mut priority_by_status = BTreeMap::new();
        for (status, priority) in &self.priority_by_status {
            if status.trim().is_empty() {
                sink.error(
                    &priority.span(),
                    "priority_by_status: a status must not be empty",
                );
            } else {
                priority_by_status.insert(status.trim().to_lowercase(), *priority.get_ref());
            }
        }
        if sink.count() > errors_before {
            return None;
        }
        Some(QueueDef {
            config: QueueConfig {
                name: name.into(),
                strategy: strategy?,
                ring_timeout: ring_timeout?,
                wrap_up: wrap_up?,
                max_wait: max_wait?,
                max_waiting: max_waiting?,
                overflow: overflow?,
                needs,
                relax: relax?,
                service_level: service_level?,
                misses_to_pause: misses?,
                results,
                announce_every: announce_every?,
            },
            record: self.record.unwrap_or(false),
            priority_by_status,
        })
    }
}
