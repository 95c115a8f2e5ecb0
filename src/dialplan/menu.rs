//! Voice menus (`[menu.NAME]`): what a caller hears and where each key
//! takes them. Checked at load like rules: every prompt and extension is
//! well formed, every menu a key or rule names exists.
//!
//! ```toml
//! [menu.main]
//! greeting = "welcome"        # a prompt: prompts_dir/welcome.wav
//! invalid = "invalid"         # after a key that is no choice (optional)
//! goodbye = "goodbye"         # before hanging up (optional)
//! timeout = 5                 # seconds to wait for a key after the greeting
//! tries = 3                   # greetings before the menu gives up
//! fallback = { ring = "1001" } # where it then sends the caller (optional)
//!
//! [menu.main.keys]
//! 1 = { ring = "1001" }
//! 2 = { ring = ["1002", "1003"], ring_timeout = 20 }
//! 3 = { menu = "support" }
//! 4 = { queue = "sales" }       # wait for an agent
//! "*" = { repeat = true }
//! ```

use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::load::Sink;
use super::rule::{NAME_RULE, Strings, is_name};

/// Every menu of the plan, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Menus {
    by_name: BTreeMap<String, Menu>,
}

impl Menus {
    pub fn get(&self, name: &str) -> Option<&Menu> {
        self.by_name.get(name)
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Every prompt any menu plays, to check against the prompts folder.
    pub fn prompts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_name.values().flat_map(|menu| {
            let optional = [&menu.invalid, &menu.goodbye].into_iter().flatten();
            std::iter::once(&menu.greeting)
                .chain(optional)
                .map(|prompt| (menu.name.as_str(), prompt.as_str()))
        })
    }

    pub(super) fn insert(&mut self, menu: Menu) {
        self.by_name.insert(menu.name.clone(), menu);
    }
}

/// A voice menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub name: String,
    /// The prompt that lists the choices.
    pub greeting: String,
    /// Played after a key that is no choice, before the greeting again.
    pub invalid: Option<String>,
    /// Played before the menu hangs up.
    pub goodbye: Option<String>,
    /// How long to wait for a key once the greeting has been played.
    pub timeout: Duration,
    /// How many times the greeting is played before the menu gives up on
    /// getting a choice (a wrong key or silence each take one).
    pub tries: u8,
    pub keys: BTreeMap<char, Choice>,
    /// Where a caller goes who made no choice in `tries`; none: goodbye.
    pub fallback: Option<Choice>,
}

/// What a key does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Ring these extensions at once; give up after `timeout`.
    Ring {
        extensions: Vec<String>,
        timeout: Duration,
    },
    /// Go to another menu.
    Menu(String),
    /// Wait in a contact-centre queue for an agent.
    Queue(String),
    /// Play this menu's greeting again.
    Repeat,
}

const DEFAULT_TIMEOUT: u64 = 5;
const TIMEOUTS: RangeInclusive<u64> = 1..=60;
const DEFAULT_TRIES: u8 = 3;
const TRIES: RangeInclusive<u8> = 1..=10;
const DEFAULT_RING_TIMEOUT: u64 = 30;
const RING_TIMEOUTS: RangeInclusive<u64> = 1..=600;

#[derive(Deserialize)]
#[serde(rename = "menu", deny_unknown_fields)]
pub(super) struct RawMenu {
    greeting: Spanned<String>,
    invalid: Option<Spanned<String>>,
    goodbye: Option<Spanned<String>>,
    timeout: Option<Spanned<u64>>,
    tries: Option<Spanned<u8>>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<RawChoice>>,
    fallback: Option<Spanned<RawChoice>>,
}

#[derive(Deserialize)]
#[serde(rename = "choice", deny_unknown_fields)]
pub(super) struct RawChoice {
    ring: Option<Spanned<Strings>>,
    ring_timeout: Option<Spanned<u64>>,
    menu: Option<Spanned<String>>,
    queue: Option<Spanned<String>>,
    repeat: Option<Spanned<bool>>,
}

/// A menu (or, with `queue`, a queue) a key names, to check once all are
/// known.
pub(super) struct MenuReference {
    pub name: String,
    pub span: Range<usize>,
    pub queue: bool,
}

impl RawMenu {
    /// The checked menu; `None` when anything is wrong (all of it is in
    /// `sink`). The menus its keys go to are added to `references` either
    /// way, so that a misspelt one is reported with the menu's other errors.
    pub fn check(
        &self,
        name: &str,
        sink: &mut Sink<'_>,
        references: &mut Vec<MenuReference>,
    ) -> Option<Menu> {
        let errors_before = sink.count();
        let greeting = prompt("greeting", &self.greeting, sink);
        let invalid = self.invalid.as_ref().map(|p| prompt("invalid", p, sink));
        let goodbye = self.goodbye.as_ref().map(|p| prompt("goodbye", p, sink));
        let timeout = within(
            "timeout",
            self.timeout.as_ref(),
            DEFAULT_TIMEOUT,
            TIMEOUTS,
            sink,
        );
        let tries = within("tries", self.tries.as_ref(), DEFAULT_TRIES, TRIES, sink);
        let mut keys = BTreeMap::new();
        for (key, choice) in &self.keys {
            let digit = match key.get_ref().as_str() {
                k if k.len() == 1 && matches!(k.as_bytes()[0], b'0'..=b'9' | b'*' | b'#') => {
                    k.as_bytes()[0] as char
                }
                k => {
                    let message = format!("keys: {k:?} is not a key (one of 0-9, * and #)");
                    sink.error(&key.span(), message);
                    continue;
                }
            };
            if let Some(choice) = choice.get_ref().check(&choice.span(), sink, references) {
                keys.insert(digit, choice);
            }
        }
        let fallback = match &self.fallback {
            Some(raw) => match raw.get_ref().check(&raw.span(), sink, references) {
                Some(Choice::Repeat) => {
                    sink.error(
                        &raw.span(),
                        "fallback: repeat would never end; ring or go to a menu",
                    );
                    None
                }
                other => other,
            },
            None => None,
        };
        if sink.count() > errors_before {
            return None;
        }
        Some(Menu {
            name: name.into(),
            greeting: greeting?,
            invalid: invalid.flatten(),
            goodbye: goodbye.flatten(),
            timeout: Duration::from_secs(timeout?),
            tries: tries?,
            keys,
            fallback,
        })
    }
}

impl RawChoice {
    fn check(
        &self,
        at: &Range<usize>,
        sink: &mut Sink<'_>,
        references: &mut Vec<MenuReference>,
    ) -> Option<Choice> {
        let given = [
            self.ring.as_ref().map(|_| "ring"),
            self.menu.as_ref().map(|_| "menu"),
            self.queue.as_ref().map(|_| "queue"),
            self.repeat.as_ref().map(|_| "repeat"),
        ];
        let given: Vec<&str> = given.into_iter().flatten().collect();
        if given.len() != 1 {
            let message = if given.is_empty() {
                "a choice needs one of ring, menu, queue or repeat = true".to_string()
            } else {
                format!("a choice has one action, not {}", given.join(" and "))
            };
            sink.error(at, message);
            return None;
        }
        if let Some(t) = self.ring_timeout.as_ref().filter(|_| self.ring.is_none()) {
            sink.error(&t.span(), "ring_timeout goes with ring");
            return None;
        }
        if let Some(ring) = &self.ring {
            let items = Strings::items(ring);
            if items.is_empty() {
                sink.error(&ring.span(), "ring: an empty list rings no one");
                return None;
            }
            let extensions: Option<Vec<String>> = items
                .iter()
                .map(|item| {
                    let text = item.get_ref();
                    let extension =
                        (2..=8).contains(&text.len()) && text.bytes().all(|c| c.is_ascii_digit());
                    if !extension {
                        let message = format!("ring: {text:?} is not an extension (2 to 8 digits)");
                        sink.error(&item.span(), message);
                    }
                    extension.then(|| text.clone())
                })
                .collect();
            let timeout = within(
                "ring_timeout",
                self.ring_timeout.as_ref(),
                DEFAULT_RING_TIMEOUT,
                RING_TIMEOUTS,
                sink,
            )?;
            return Some(Choice::Ring {
                extensions: extensions?,
                timeout: Duration::from_secs(timeout),
            });
        }
        if let Some(menu) = &self.menu {
            if !is_name(menu.get_ref()) {
                sink.error(
                    &menu.span(),
                    format!("menu {:?}: {NAME_RULE}", menu.get_ref()),
                );
                return None;
            }
            references.push(MenuReference {
                name: menu.get_ref().clone(),
                span: menu.span(),
                queue: false,
            });
            return Some(Choice::Menu(menu.get_ref().clone()));
        }
        if let Some(queue) = &self.queue {
            if !is_name(queue.get_ref()) {
                let message = format!("queue {:?}: {NAME_RULE}", queue.get_ref());
                sink.error(&queue.span(), message);
                return None;
            }
            references.push(MenuReference {
                name: queue.get_ref().clone(),
                span: queue.span(),
                queue: true,
            });
            return Some(Choice::Queue(queue.get_ref().clone()));
        }
        match &self.repeat {
            Some(repeat) if *repeat.get_ref() => Some(Choice::Repeat),
            Some(repeat) => {
                sink.error(
                    &repeat.span(),
                    "repeat: write repeat = true, or leave the key out",
                );
                None
            }
            None => None,
        }
    }
}

/// A prompt's name: a file in the prompts folder, without `.wav`.
fn prompt(key: &str, name: &Spanned<String>, sink: &mut Sink<'_>) -> Option<String> {
    if is_name(name.get_ref()) {
        return Some(name.get_ref().clone());
    }
    let message = format!(
        "{key}: prompt {:?}: {NAME_RULE} (the file's name without .wav)",
        name.get_ref()
    );
    sink.error(&name.span(), message);
    None
}

pub(super) fn within<T: Copy + PartialOrd + std::fmt::Display>(
    key: &str,
    value: Option<&Spanned<T>>,
    default: T,
    range: RangeInclusive<T>,
    sink: &mut Sink<'_>,
) -> Option<T> {
    match value {
        None => Some(default),
        Some(v) if range.contains(v.get_ref()) => Some(*v.get_ref()),
        Some(v) => {
            let message = format!(
                "{key}: {} is out of range ({} to {})",
                v.get_ref(),
                range.start(),
                range.end()
            );
            sink.error(&v.span(), message);
            None
        }
    }
}
