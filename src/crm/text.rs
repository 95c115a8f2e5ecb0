//! Small text values shared by several records.

use serde::Serialize;

/// Trimmed, non-empty text of bounded length: names, titles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    pub fn parse(text: &str, max_chars: usize) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("must not be empty".into());
        }
        if text.chars().count() > max_chars {
            return Err(format!("must be at most {max_chars} characters"));
        }
        check_controls(text)?;
        Ok(Label(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Optional free text: blank means absent, so a cleared field stores NULL.
pub fn optional(text: Option<&str>, max_chars: usize) -> Result<Option<String>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max_chars => {
            Err(format!("must be at most {max_chars} characters"))
        }
        Some(t) => {
            check_controls(t)?;
            Ok(Some(t.to_string()))
        }
    }
}

/// Refuses control characters other than tab and line breaks: they are never
/// typed on purpose, and PostgreSQL cannot store NUL in text at all, so
/// letting one through would fail on one backend and not the other.
fn check_controls(text: &str) -> Result<(), String> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

/// An e-mail address, kept lower-cased so searches and duplicates match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let valid = text.len() <= 254
            && !text.chars().any(char::is_whitespace)
            && matches!(text.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    && !domain.ends_with('.') && !domain.contains('@'));
        if valid {
            Ok(Email(text.to_lowercase()))
        } else {
            Err("is not an e-mail address".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lower-cases for case-insensitive search the same way in both databases
/// (SQLite's `lower()` only folds ASCII).
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(Label::parse("  Acme  ", 10).unwrap().as_str(), "Acme");
        assert!(Label::parse("   ", 10).is_err());
        assert!(Label::parse("abcdefghijk", 10).is_err());
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_in_notes_are_kept() {
        assert!(Label::parse("Acme\u{0}", 10).is_err());
        assert!(Label::parse("Ac\u{1b}me", 10).is_err());
        assert!(optional(Some("a\u{0}b"), 10).is_err());
        assert_eq!(
            optional(Some("line 1\r\nline\t2"), 20).unwrap().as_deref(),
            Some("line 1\r\nline\t2")
        );
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn folding_handles_non_ascii_letters() {
        assert_eq!(fold("ООО «Ромашка» Müller"), "ооо «ромашка» müller");
    }
}
