//! Loading: plan files' text to a [`Plan`], all or nothing. Every error names
//! its file and line, and loading goes on after an error so that one run
//! shows all of them.
//!
//! Each `[[rule]]` and `[schedule.NAME]` is deserialised on its own from
//! toml's spanned document, so a mistyped key in one rule does not hide the
//! mistakes in the next. A file with broken TOML syntax reports only its
//! syntax errors.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::menu::{MenuReference, Menus, RawMenu};
use super::queue::{QueueReference, Queues, RawQueue};
use super::rule::{NAME_RULE, RawRule, Rule, is_name};
use super::time::{Holiday, Hours, Schedule, parse_zone};
use super::{Plan, PlanError};

/// Loads a plan from `(path, contents)` pairs; the paths appear in errors and
/// set the order of the rules (files sorted by path).
pub fn load(files: &[(String, String)]) -> Result<Plan, Vec<PlanError>> {
    let mut files: Vec<&(String, String)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut errors = Vec::new();
    let documents: Vec<Document<'_>> = files
        .iter()
        .filter_map(|(path, text)| Document::parse(path, text, &mut errors))
        .collect();
    let every_file_parsed = documents.len() == files.len();
    let schedules = Schedules::build(&documents, every_file_parsed, &mut errors);
    let rules = build_rules(&documents, &schedules, &mut errors);
    let (menus, to_queues) = build_menus(&documents, &rules, every_file_parsed, &mut errors);
    let queues = build_queues(
        &documents,
        &rules,
        to_queues,
        every_file_parsed,
        &mut errors,
    );
    if errors.is_empty() {
        return Ok(Plan {
            rules,
            menus: Arc::new(menus),
            queues: Arc::new(queues),
        });
    }
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Err(errors)
}

/// Where errors about one file go, with the line of each.
pub(super) struct Sink<'a> {
    pub file: &'a str,
    text: &'a str,
    errors: &'a mut Vec<PlanError>,
    /// Errors reported here plus problems already reported elsewhere (a
    /// broken schedule a rule uses), so that a caller can tell if its part
    /// failed.
    problems: usize,
}

/// Every schedule of the plan by name. A schedule with errors is known by
/// name (so rules using it get no second error) but has no value.
pub(super) struct Schedules {
    by_name: HashMap<String, Option<Arc<Schedule>>>,
    /// False when a file did not parse: a schedule may be defined there, so
    /// an unknown name is not reported.
    complete: bool,
}

/// A file's rules and schedules, not yet deserialised.
struct Document<'i> {
    file: &'i str,
    text: &'i str,
    schedules: Vec<(Spanned<String>, Spanned<DeValue<'i>>)>,
    menus: Vec<(Spanned<String>, Spanned<DeValue<'i>>)>,
    queues: Vec<(Spanned<String>, Spanned<DeValue<'i>>)>,
    rules: Vec<Spanned<DeValue<'i>>>,
}

#[derive(Deserialize)]
#[serde(rename = "schedule", deny_unknown_fields)]
struct RawSchedule {
    time_zone: Spanned<String>,
    hours: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    holidays: Vec<Spanned<String>>,
}

impl<'i> Document<'i> {
    fn parse(file: &'i str, text: &'i str, errors: &mut Vec<PlanError>) -> Option<Self> {
        let mut sink = Sink::new(file, text, errors);
        let (table, syntax_errors) = DeTable::parse_recoverable(text);
        if !syntax_errors.is_empty() {
            for error in syntax_errors {
                sink.error(&error.span().unwrap_or(0..0), error.message());
            }
            return None;
        }
        let mut document = Document {
            file,
            text,
            schedules: Vec::new(),
            menus: Vec::new(),
            queues: Vec::new(),
            rules: Vec::new(),
        };
        for (key, value) in table.into_inner() {
            let span = value.span();
            match (key.get_ref().as_ref(), value.into_inner()) {
                ("schedule", DeValue::Table(schedules)) => {
                    let named = schedules.into_iter().map(|(name, schedule)| {
                        (
                            Spanned::new(name.span(), name.into_inner().into_owned()),
                            schedule,
                        )
                    });
                    document.schedules.extend(named);
                }
                ("schedule", _) => sink.error(&span, "schedule: write each as [schedule.NAME]"),
                ("menu", DeValue::Table(menus)) => {
                    let named = menus.into_iter().map(|(name, menu)| {
                        (
                            Spanned::new(name.span(), name.into_inner().into_owned()),
                            menu,
                        )
                    });
                    document.menus.extend(named);
                }
                ("menu", _) => sink.error(&span, "menu: write each as [menu.NAME]"),
                ("queue", DeValue::Table(queues)) => {
                    let named = queues.into_iter().map(|(name, queue)| {
                        (
                            Spanned::new(name.span(), name.into_inner().into_owned()),
                            queue,
                        )
                    });
                    document.queues.extend(named);
                }
                ("queue", _) => sink.error(&span, "queue: write each as [queue.NAME]"),
                ("rule", DeValue::Array(rules)) => document.rules.extend(rules),
                ("rule", _) => sink.error(&span, "rule: write each as [[rule]]"),
                (other, _) => {
                    let message = format!(
                        "unknown key {other:?} (a plan has [schedule.NAME], [menu.NAME] and [queue.NAME] tables and [[rule]] entries)"
                    );
                    sink.error(&key.span(), message);
                }
            }
        }
        Some(document)
    }
}

impl Schedules {
    fn build(documents: &[Document<'_>], complete: bool, errors: &mut Vec<PlanError>) -> Self {
        let mut schedules = Schedules {
            by_name: HashMap::new(),
            complete,
        };
        let mut defined_at = HashMap::new();
        for document in documents {
            let mut sink = Sink::new(document.file, document.text, errors);
            for (name, value) in &document.schedules {
                let span = name.span();
                let name = name.get_ref();
                if let Some(first) = defined_at.get(name) {
                    sink.error(
                        &span,
                        format!("schedule {name:?} is already defined at {first}"),
                    );
                    continue;
                }
                if !is_name(name) {
                    sink.error(&span, format!("schedule {name:?}: {NAME_RULE}"));
                }
                defined_at.insert(name.clone(), sink.place(&span));
                let schedule = deserialize::<RawSchedule>(value, &mut sink)
                    .and_then(|raw| raw.check(name, &span, &mut sink));
                schedules
                    .by_name
                    .insert(name.clone(), schedule.map(Arc::new));
            }
        }
        schedules
    }

    /// The schedule a rule's `when` or `unless` names.
    pub fn find(
        &self,
        key: &str,
        name: &Spanned<String>,
        sink: &mut Sink<'_>,
    ) -> Option<Arc<Schedule>> {
        match self.by_name.get(name.get_ref()) {
            Some(Some(schedule)) => Some(schedule.clone()),
            Some(None) => {
                sink.known_problem();
                None
            }
            None if !self.complete => {
                sink.known_problem();
                None
            }
            None => {
                let mut known: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
                known.sort_unstable();
                let known = if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                };
                let message = format!(
                    "{key}: unknown schedule {:?} (defined: {known})",
                    name.get_ref()
                );
                sink.error(&name.span(), message);
                None
            }
        }
    }
}

impl RawSchedule {
    fn check(&self, name: &str, at: &Range<usize>, sink: &mut Sink<'_>) -> Option<Schedule> {
        let errors_before = sink.count();
        let zone = sink.reported(parse_zone(self.time_zone.get_ref()), &self.time_zone.span());
        let hours: Vec<Hours> = (self.hours.get_ref().iter())
            .filter_map(|h| sink.reported(Hours::parse(h.get_ref()), &h.span()))
            .collect();
        if self.hours.get_ref().is_empty() {
            sink.error(
                at,
                format!("schedule {name:?} has no hours, so it is never open"),
            );
        }
        let holidays = (self.holidays.iter())
            .filter_map(|h| sink.reported(Holiday::parse(h.get_ref()), &h.span()))
            .collect();
        if sink.count() > errors_before {
            return None;
        }
        Some(Schedule {
            zone: zone?,
            hours,
            holidays,
        })
    }
}

/// Every rule of every file in order, with names unique across files and no
/// rule hidden behind one that takes every call.
fn build_rules(
    documents: &[Document<'_>],
    schedules: &Schedules,
    errors: &mut Vec<PlanError>,
) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut defined_at: HashMap<String, String> = HashMap::new();
    let mut takes_every_call: Option<(String, String)> = None;
    for document in documents {
        let mut sink = Sink::new(document.file, document.text, errors);
        for value in &document.rules {
            let at = value.span();
            let Some(raw) = deserialize::<RawRule>(value, &mut sink) else {
                continue;
            };
            let name = raw.name.get_ref();
            if let Some(first) = defined_at.get(name) {
                sink.error(
                    &raw.name.span(),
                    format!("rule {name:?} is already defined at {first}"),
                );
                continue;
            }
            defined_at.insert(name.clone(), sink.place(&at));
            let Some(rule) = Rule::build(&raw, &at, &mut sink, schedules) else {
                continue;
            };
            if let Some((earlier, place)) = &takes_every_call {
                let message = format!(
                    "rule {name:?} can never match: rule {earlier:?} at {place} has no condition and takes every call first"
                );
                sink.error(&at, message);
                continue;
            }
            if rule.is_unconditional() {
                takes_every_call = Some((name.clone(), sink.place(&at)));
            }
            rules.push(rule);
        }
    }
    rules
}

/// Every menu of every file, with names unique across files, and every
/// menu a rule or a key names defined. When a file did not parse, a name
/// may be defined there: unknown names are not reported then.
fn build_menus(
    documents: &[Document<'_>],
    rules: &[Rule],
    complete: bool,
    errors: &mut Vec<PlanError>,
) -> (Menus, Vec<(usize, QueueReference)>) {
    let mut menus = Menus::default();
    let mut defined_at: HashMap<String, String> = HashMap::new();
    let mut references: Vec<(usize, MenuReference)> = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        let mut sink = Sink::new(document.file, document.text, errors);
        for (name, value) in &document.menus {
            let span = name.span();
            let name = name.get_ref();
            if let Some(first) = defined_at.get(name) {
                sink.error(
                    &span,
                    format!("menu {name:?} is already defined at {first}"),
                );
                continue;
            }
            defined_at.insert(name.clone(), sink.place(&span));
            if !is_name(name) {
                sink.error(&span, format!("menu {name:?}: {NAME_RULE}"));
                continue;
            }
            let mut named = Vec::new();
            let menu = deserialize::<RawMenu>(value, &mut sink)
                .and_then(|raw| raw.check(name, &mut sink, &mut named));
            references.extend(named.into_iter().map(|r| (index, r)));
            if let Some(menu) = menu {
                menus.insert(menu);
            }
        }
    }
    // Keys that send to a queue are checked with the queues.
    let (to_queues, references): (Vec<_>, Vec<_>) =
        references.into_iter().partition(|(_, r)| r.queue);
    let to_queues = to_queues
        .into_iter()
        .map(|(index, r)| {
            let reference = QueueReference {
                name: r.name,
                span: r.span,
                key: "queue",
            };
            (index, reference)
        })
        .collect();
    if !complete {
        return (menus, to_queues);
    }
    let known = |name: &str| defined_at.contains_key(name);
    let defined = defined_names(&defined_at);
    for (index, reference) in references {
        let document = &documents[index];
        if !known(&reference.name) {
            let mut sink = Sink::new(document.file, document.text, errors);
            let message = format!(
                "menu: unknown menu {:?} (defined: {defined})",
                reference.name,
            );
            sink.error(&reference.span, message);
        }
    }
    for rule in rules {
        for reference in rule.references() {
            if reference.kind == super::TargetKind::Menu && !known(reference.name) {
                errors.push(PlanError {
                    file: reference.file.into(),
                    line: reference.line,
                    message: format!(
                        "ivr: unknown menu {:?} (defined: {defined})",
                        reference.name,
                    ),
                });
            }
        }
    }
    (menus, to_queues)
}

/// Every queue of every file, with names unique across files, and every
/// queue a rule or an overflow names defined.
fn build_queues(
    documents: &[Document<'_>],
    rules: &[Rule],
    from_menus: Vec<(usize, QueueReference)>,
    complete: bool,
    errors: &mut Vec<PlanError>,
) -> Queues {
    let mut queues = Queues::default();
    let mut defined_at: HashMap<String, String> = HashMap::new();
    let mut references: Vec<(usize, QueueReference)> = from_menus;
    for (index, document) in documents.iter().enumerate() {
        let mut sink = Sink::new(document.file, document.text, errors);
        for (name, value) in &document.queues {
            let span = name.span();
            let name = name.get_ref();
            if let Some(first) = defined_at.get(name) {
                sink.error(
                    &span,
                    format!("queue {name:?} is already defined at {first}"),
                );
                continue;
            }
            defined_at.insert(name.clone(), sink.place(&span));
            if !is_name(name) {
                sink.error(&span, format!("queue {name:?}: {NAME_RULE}"));
                continue;
            }
            let mut named = Vec::new();
            let queue = deserialize::<RawQueue>(value, &mut sink)
                .and_then(|raw| raw.check(name, &mut sink, &mut named));
            references.extend(named.into_iter().map(|r| (index, r)));
            if let Some(queue) = queue {
                queues.insert(queue);
            }
        }
    }
    if !complete {
        return queues;
    }
    let defined = defined_names(&defined_at);
    for (index, reference) in references {
        if !defined_at.contains_key(&reference.name) {
            let document = &documents[index];
            let mut sink = Sink::new(document.file, document.text, errors);
            let message = format!(
                "{}: unknown queue {:?} (defined: {defined})",
                reference.key, reference.name
            );
            sink.error(&reference.span, message);
        }
    }
    for rule in rules {
        for reference in rule.references() {
            if reference.kind == super::TargetKind::Queue
                && !defined_at.contains_key(reference.name)
            {
                errors.push(PlanError {
                    file: reference.file.into(),
                    line: reference.line,
                    message: format!(
                        "queue: unknown queue {:?} (defined: {defined})",
                        reference.name
                    ),
                });
            }
        }
    }
    queues
}

/// The names defined, for messages: sorted, or "none".
fn defined_names(defined_at: &HashMap<String, String>) -> String {
    let mut names: Vec<&str> = defined_at.keys().map(String::as_str).collect();
    names.sort_unstable();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// One `[[rule]]` or schedule table into its raw form; toml's errors carry
/// the span of the offending key or value.
fn deserialize<T: for<'de> Deserialize<'de>>(
    value: &Spanned<DeValue<'_>>,
    sink: &mut Sink<'_>,
) -> Option<T> {
    T::deserialize(ValueDeserializer::from(value.clone()))
        .map_err(|e| sink.error(&e.span().unwrap_or(value.span()), e.message()))
        .ok()
}

impl<'a> Sink<'a> {
    fn new(file: &'a str, text: &'a str, errors: &'a mut Vec<PlanError>) -> Self {
        Sink {
            file,
            text,
            errors,
            problems: 0,
        }
    }

    /// The line (from 1) where `span` starts.
    pub fn line(&self, span: &Range<usize>) -> usize {
        let before = self
            .text
            .as_bytes()
            .get(..span.start)
            .unwrap_or(self.text.as_bytes());
        1 + before.iter().filter(|&&c| c == b'\n').count()
    }

    /// `file:line`, for messages that point at another definition.
    pub fn place(&self, span: &Range<usize>) -> String {
        format!("{}:{}", self.file, self.line(span))
    }

    pub fn error(&mut self, span: &Range<usize>, message: impl fmt::Display) {
        self.problems += 1;
        self.errors.push(PlanError {
            file: self.file.into(),
            line: self.line(span),
            message: message.to_string(),
        });
    }

    /// The value, or `None` with the error reported at `span`.
    pub fn reported<T, E: fmt::Display>(
        &mut self,
        result: Result<T, E>,
        span: &Range<usize>,
    ) -> Option<T> {
        result.map_err(|e| self.error(span, e)).ok()
    }

    /// Records a failure already reported elsewhere.
    pub fn known_problem(&mut self) {
        self.problems += 1;
    }

    /// How many problems this sink has seen: compare before and after a check.
    pub fn count(&self) -> usize {
        self.problems
    }
}
