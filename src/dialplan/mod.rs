//! The dialplan: routing as data. `dialplans/*.toml` are loaded into a typed
//! [`Plan`] ([`load`], all or nothing, every error with its file and line);
//! [`evaluate`] picks the [`Decision`] for one call at one instant. Pure: the
//! driver reads the files, passes the time, and keeps the old plan when a
//! reload fails.
//!
//! # How a call is routed
//!
//! Files are taken in the order of their paths (`10-vip.toml` before
//! `20-main.toml`), rules in the order they are written in each file. The
//! first rule whose conditions all hold decides; when none does the result is
//! [`Action::NoRoute`]. A rule after one without any condition can never match
//! and is refused at load.
//!
//! # A plan file
//!
//! ```toml
//! [schedule.business]                 # a named schedule, usable from every file
//! time_zone = "Europe/Berlin"         # IANA zone; hours follow its DST changes
//! hours = ["mon-fri 09:00-18:00", "sat 10:00-14:00", "fri 22:00-02:00"]
//! holidays = ["2026-04-03", "12-25"]  # one date, or MM-DD for every year
//!
//! [[rule]]
//! name = "support-line"               # unique across files; in logs and call records
//! from = "trunk:demo-pbx"             # conditions: all optional, all must hold
//! called = "_800XX"
//! when = "business"
//! queue = "support"                   # the action: exactly one per rule
//! priority = 5
//! ```
//!
//! Conditions:
//! - `from`: where the call comes from: `"trunk"` (any trunk), `"trunk:NAME"`,
//!   `"extension"` (any extension), `"extension:PATTERN"`; or a list of these.
//! - `called`, `caller`: a number pattern or a list of them (any may match).
//! - `when = "SCHEDULE"`: only while the schedule is open; `unless = "SCHEDULE"`:
//!   only while it is closed.
//!
//! Actions (one per rule, with their own optional keys):
//! - `ring = "1001"` or `ring = ["1001", "1002"]` or `ring = "${called}"`:
//!   ring extensions (2 to 8 digits) at once; `ring_timeout` in seconds
//!   (1 to 600, default 30).
//! - `queue = "NAME"`: the contact-centre queue, defined as `[queue.NAME]` in
//!   any file (see `queue.rs`); `priority` 0 to 255, higher served first.
//! - `trunk = "NAME"`: out through a trunk; `number` (default `"${called}"`),
//!   `caller_id` (default: the caller's number unchanged).
//! - `reject = CODE`: a SIP error 400 to 699; `reason` (default: the RFC 3261
//!   reason phrase of the code).
//! - `ivr = "MENU"`: a voice menu, defined as `[menu.MENU]` in any file
//!   (see `menu.rs`).
//!
//! Numbers and patterns are made of what a phone dials: `0-9 * # +`. A pattern
//! is an exact number (`1020`, `+14155550100`) or, after `_`, a mix of exact
//! characters, `X` (0-9), `Z` (1-9), `N` (2-9), `[15-7]` (one of a set), and at
//! the end `.` (one or more characters) or `!` (zero or more), as in Asterisk.
//! A number with anything else in it (`anonymous`) matches no pattern.
//!
//! Substitutions in `ring`, `number` and `caller_id`: `${called}`, `${caller}`,
//! `${called:N}` (without the first N characters), `${called:N:L}` (then at most
//! L characters). A substitution needs a pattern on that number, and load
//! checks that every number the patterns admit gives a usable result: a ring
//! target of 2 to 8 digits, a non-empty trunk number.

mod action;
mod evaluate;
mod load;
mod menu;
mod pattern;
mod queue;
mod reason;
mod rule;
mod template;
mod time;

use std::fmt;
use std::time::Duration;

pub use evaluate::evaluate;
pub use load::load;
pub use menu::{Choice, Menu, Menus};
pub use queue::{QueueDef, Queues, RESULT_MAX};
pub(crate) use rule::{NAME_RULE, is_name};

use rule::Rule;

/// A loaded dialplan: the rules of every file, in evaluation order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    rules: Vec<Rule>,
    /// Shared with the calls in a menu, which outlive a reload.
    menus: std::sync::Arc<Menus>,
    /// The contact-centre queues rules send calls to.
    queues: std::sync::Arc<Queues>,
}

/// What the dialplan knows about a call when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallFacts<'a> {
    pub source: Source<'a>,
    /// The calling number as received: E.164 (`+14155550100`), national, or
    /// an extension.
    pub caller: &'a str,
    /// The called number: a DID from a trunk or the digits an extension dialled.
    pub called: &'a str,
}

/// Where a call comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A trunk, by its name in the configuration.
    Trunk(&'a str),
    /// A registered extension, by its number.
    Extension(&'a str),
}

/// The outcome for one call: what to do, and which rule said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The rule's name, for logs and call records; [`NO_RULE`] for
    /// [`Action::NoRoute`].
    pub rule: String,
    pub action: Action,
    /// The rule asks for the call to be recorded (`record = true`).
    pub record: bool,
}

/// The rule name on a [`Decision`] no rule made; no rule can be named so.
pub const NO_RULE: &str = "(no rule)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Ring these extensions at once; give up after `timeout`.
    Ring {
        extensions: Vec<String>,
        timeout: Duration,
    },
    /// Hand the call to a contact-centre queue.
    Queue { queue: String, priority: Option<u8> },
    /// Call `number` through a trunk; `caller_id` replaces the caller's number.
    Trunk {
        trunk: String,
        number: String,
        caller_id: Option<String>,
    },
    /// Refuse the call with a SIP error response.
    Reject { code: u16, reason: String },
    /// Play a voice menu.
    Ivr { menu: String },
    /// No rule matched; the driver decides (typically 404).
    NoRoute,
}

/// One load error: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PlanError {
    pub file: String,
    /// From 1.
    pub line: usize,
    pub message: String,
}

/// A name the plan sends calls to (or takes them from), for the driver to
/// check against its configuration: the plan cannot know which trunks,
/// queues and menus exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub kind: TargetKind,
    pub name: &'a str,
    pub file: &'a str,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Trunk,
    Queue,
    Menu,
}

impl Plan {
    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the plan has no rules (every call gets [`Action::NoRoute`]).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The queues, by name.
    pub fn queues(&self) -> &std::sync::Arc<Queues> {
        &self.queues
    }

    /// The voice menus, by name.
    pub fn menus(&self) -> &std::sync::Arc<Menus> {
        &self.menus
    }

    /// Every trunk, queue and menu the rules name, in rule order.
    pub fn references(&self) -> Vec<Reference<'_>> {
        self.rules.iter().flat_map(Rule::references).collect()
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetKind::Trunk => "trunk",
            TargetKind::Queue => "queue",
            TargetKind::Menu => "menu",
        })
    }
}

#[cfg(test)]
mod load_tests;
