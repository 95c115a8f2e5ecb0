//! A caller in a voice menu: which prompt plays, how many tries are left,
//! and where a key takes them. Knows nothing of SIP or media: the call core
//! plays what it says and tells it when a prompt or a wait is over.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::dialplan::{Choice, Menu, Menus};

/// What the call must do next for a caller in a menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Play this prompt; report [`InMenu::due`] when it has been heard.
    Prompt(String),
    /// Wait this long for a key; report [`InMenu::due`] when it is up.
    Wait(Duration),
    /// Ring these extensions; the caller has chosen.
    Ring {
        extensions: Vec<String>,
        timeout: Duration,
    },
    /// Wait in this queue for an agent; the caller has chosen.
    Queue(String),
    /// Hang up: the goodbye has been played.
    HangUp,
}

/// A caller's place in the plan's menus.
#[derive(Debug)]
pub struct InMenu {
    menus: Arc<Menus>,
    /// The menu being played (a key may move to another).
    menu: String,
    /// Greetings played in this menu so far.
    tries: u8,
    /// Prompts still to play before what comes after them.
    queue: VecDeque<String>,
    then: Then,
    /// Whether a wait for a key is running (not a prompt).
    waiting: bool,
    /// The caller chose, or the menu gave up: keys count no more.
    done: bool,
}

/// What follows the queued prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    WaitForKey,
    HangUp,
}

impl InMenu {
    /// A caller entering `name`; `None` when the plan has no such menu (a
    /// reload removed it since the call was routed).
    pub fn enter(menus: Arc<Menus>, name: &str) -> Option<(InMenu, Next)> {
        menus.get(name)?;
        let mut in_menu = InMenu {
            menus,
            menu: String::new(),
            tries: 0,
            queue: VecDeque::new(),
            then: Then::WaitForKey,
            waiting: false,
            done: false,
        };
        let next = in_menu.go_to(name);
        Some((in_menu, next))
    }

    /// The menu the caller is in.
    pub fn name(&self) -> &str {
        &self.menu
    }

    fn current(&self) -> &Menu {
        self.menus
            .get(&self.menu)
            .expect("a menu is entered only when the plan has it")
    }

    /// A key the caller pressed; `None` when keys count no more (a choice
    /// was made, or the goodbye plays).
    pub fn key(&mut self, digit: char) -> Option<Next> {
        if self.done {
            return None;
        }
        let next = match self.current().keys.get(&digit).cloned() {
            Some(choice) => self.choose(choice),
            None => self.no_choice(true),
        };
        Some(next)
    }

    /// The prompt that played has ended, or the wait for a key has.
    pub fn due(&mut self) -> Next {
        if std::mem::take(&mut self.waiting) {
            return self.no_choice(false);
        }
        self.advance()
    }

    /// The extensions chosen did not answer: the caller hears the goodbye.
    pub fn goodbye(&mut self) -> Next {
        self.done = true;
        self.waiting = false;
        self.queue = self.current().goodbye.iter().cloned().collect();
        self.then = Then::HangUp;
        self.advance()
    }

    fn go_to(&mut self, name: &str) -> Next {
        name.clone_into(&mut self.menu);
        self.tries = 0;
        self.greet(None)
    }

    /// The greeting again (after `first`, if any), taking one try.
    fn greet(&mut self, first: Option<String>) -> Next {
        self.tries += 1;
        self.waiting = false;
        self.queue = first.into_iter().collect();
        self.queue.push_back(self.current().greeting.clone());
        self.then = Then::WaitForKey;
        self.advance()
    }

    fn choose(&mut self, choice: Choice) -> Next {
        match choice {
            Choice::Ring {
                extensions,
                timeout,
            } => {
                self.done = true;
                self.waiting = false;
                self.queue.clear();
                Next::Ring {
                    extensions,
                    timeout,
                }
            }
            Choice::Queue(name) => {
                self.done = true;
                self.waiting = false;
                self.queue.clear();
                Next::Queue(name)
            }
            Choice::Menu(name) => self.go_to(&name),
            Choice::Repeat => {
                self.tries -= 1; // asking again is not a failed try
                self.greet(None)
            }
        }
    }

    /// A wrong key or silence: the greeting again while tries are left,
    /// then the fallback, or goodbye.
    fn no_choice(&mut self, wrong_key: bool) -> Next {
        let menu = self.current();
        if self.tries >= menu.tries {
            return match menu.fallback.clone() {
                Some(choice) => self.choose(choice),
                None => self.goodbye(),
            };
        }
        let invalid = menu.invalid.clone().filter(|_| wrong_key);
        self.greet(invalid)
    }

    fn advance(&mut self) -> Next {
        if let Some(prompt) = self.queue.pop_front() {
            return Next::Prompt(prompt);
        }
        match self.then {
            Then::WaitForKey => {
                self.waiting = true;
                Next::Wait(self.current().timeout)
            }
            Then::HangUp => Next::HangUp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menus() -> Arc<Menus> {
        let text = r#"
[menu.main]
greeting = "welcome"
invalid = "invalid"
goodbye = "goodbye"
timeout = 4
tries = 2
[menu.main.keys]
1 = { ring = "1001" }
3 = { menu = "support" }
"*" = { repeat = true }

[menu.support]
greeting = "support"
tries = 1
fallback = { ring = ["1004", "1005"], ring_timeout = 15 }
keys = { 0 = { menu = "main" } }
"#;
        let plan = crate::dialplan::load(&[("m.toml".into(), text.into())]).unwrap();
        plan.menus().clone()
    }

    fn prompt(name: &str) -> Next {
        Next::Prompt(name.into())
    }

    fn ring(extensions: &[&str], seconds: u64) -> Next {
        Next::Ring {
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
            timeout: Duration::from_secs(seconds),
        }
    }

    #[test]
    fn the_greeting_then_a_wait_then_a_key_rings_its_extension() {
        let (mut menu, next) = InMenu::enter(menus(), "main").unwrap();
        assert_eq!(next, prompt("welcome"));
        assert_eq!(menu.due(), Next::Wait(Duration::from_secs(4)));
        assert_eq!(menu.key('1'), Some(ring(&["1001"], 30)));
        assert_eq!(menu.key('3'), None, "the choice is made");
    }

    #[test]
    fn a_key_during_the_greeting_counts_at_once() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        assert_eq!(menu.key('1'), Some(ring(&["1001"], 30)));
    }

    #[test]
    fn a_wrong_key_plays_invalid_and_the_greeting_and_the_last_try_says_goodbye() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        assert_eq!(menu.key('7'), Some(prompt("invalid")));
        assert_eq!(menu.due(), prompt("welcome"));
        assert_eq!(menu.due(), Next::Wait(Duration::from_secs(4)));
        // The second try was the last.
        assert_eq!(menu.due(), prompt("goodbye"));
        assert_eq!(menu.key('1'), None, "keys during the goodbye do nothing");
        assert_eq!(menu.due(), Next::HangUp);
    }

    #[test]
    fn silence_replays_the_greeting_without_the_invalid_prompt() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        menu.due();
        assert_eq!(menu.due(), prompt("welcome"));
    }

    #[test]
    fn repeat_asks_again_without_using_a_try() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        for _ in 0..5 {
            assert_eq!(menu.key('*'), Some(prompt("welcome")));
        }
        assert_eq!(menu.key('9'), Some(prompt("invalid")), "still a try left");
    }

    #[test]
    fn a_submenu_has_its_own_tries_and_fallback() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        assert_eq!(menu.key('3'), Some(prompt("support")));
        assert_eq!(menu.name(), "support");
        menu.due();
        assert_eq!(
            menu.due(),
            ring(&["1004", "1005"], 15),
            "one try, then the fallback"
        );
        let (mut menu, _) = InMenu::enter(menus(), "support").unwrap();
        assert_eq!(
            menu.key('0'),
            Some(prompt("welcome")),
            "back to the main menu"
        );
        assert_eq!(menu.key('1'), Some(ring(&["1001"], 30)));
    }

    #[test]
    fn nobody_answering_says_goodbye_and_hangs_up() {
        let (mut menu, _) = InMenu::enter(menus(), "main").unwrap();
        menu.key('1');
        assert_eq!(menu.goodbye(), prompt("goodbye"));
        assert_eq!(menu.due(), Next::HangUp);
        assert!(InMenu::enter(menus(), "gone").is_none());
    }
}
