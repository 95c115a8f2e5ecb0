//! A party's number as a trunk sent it, with its E.164 form when it is a
//! public number, and the forms a vendor wants on the wire.

use crate::phone::{Phone, Region};

use super::NumberFormat;

/// Longer than any E.164 number (15 digits) with a `00` or `+` prefix and
/// some slack; longer text is not a phone number and is not worth handing
/// to the number parser.
const MAX_DIALABLE_LEN: usize = 24;

/// A number as sent (`entered`), and its E.164 form when it parses as a
/// valid public number. An internal extension such as `2001`, or a user
/// name such as `anonymous`, has no E.164 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    entered: String,
    e164: Option<String>,
}

impl Number {
    /// Reads `text` (percent-decoded already) with `region` for national
    /// forms. Never fails: text that is no public number keeps only its
    /// entered form.
    pub fn parse(text: &str, region: Region) -> Number {
        // Percent-decoding can yield CR, LF or NUL; a number handed on to
        // other headers or logs must not carry them.
        let entered: String = text.trim().chars().filter(|c| !c.is_control()).collect();
        let e164 = dialable_digits(&entered)
            .filter(|digits| digits.chars().any(|c| c.is_ascii_digit()))
            .filter(|digits| !digits.contains(['*', '#']))
            .and_then(|digits| Phone::parse(&digits, region).ok())
            .map(|phone| phone.e164().to_string());
        Number { entered, e164 }
    }

    /// The number exactly as the trunk (or the agent) wrote it.
    pub fn entered(&self) -> &str {
        &self.entered
    }

    pub fn e164(&self) -> Option<&str> {
        self.e164.as_deref()
    }

    /// Whether the trunk sent no number at all.
    pub fn is_empty(&self) -> bool {
        self.entered.is_empty()
    }

    /// Whether this is something a phone can dial: digits, `*`, `#`, an
    /// optional leading `+` and RFC 3966 visual separators.
    pub fn is_dialable(&self) -> bool {
        dialable_digits(&self.entered).is_some()
    }

    /// Two numbers name the same line when their E.164 forms agree, or,
    /// lacking those, their digits do.
    pub fn same_line(&self, other: &Number) -> bool {
        match (self.e164(), other.e164()) {
            (Some(a), Some(b)) => a == b,
            _ => match (
                dialable_digits(&self.entered),
                dialable_digits(&other.entered),
            ) {
                (Some(a), Some(b)) => a == b,
                _ => self.entered.eq_ignore_ascii_case(&other.entered),
            },
        }
    }

    /// The number in `format`, as bare digits (`+` only for E.164), or
    /// `None` when it is nothing a phone can dial.
    pub fn formatted(&self, format: NumberFormat) -> Option<String> {
        let digits = dialable_digits(&self.entered)?;
        let formatted = match (format, self.e164()) {
            (NumberFormat::E164, Some(e164)) => e164.to_string(),
            (NumberFormat::National, Some(e164)) => national(e164).unwrap_or(digits),
            _ => digits,
        };
        Some(formatted)
    }
}

/// The digits of a dialable string with visual separators removed, or
/// `None` when the text holds anything else.
fn dialable_digits(text: &str) -> Option<String> {
    if text.is_empty() || text.len() > MAX_DIALABLE_LEN {
        return None;
    }
    let mut digits = String::with_capacity(text.len());
    for (at, ch) in text.char_indices() {
        match ch {
            '0'..='9' | '*' | '#' => digits.push(ch),
            '+' if at == 0 => digits.push(ch),
            '-' | '.' | '(' | ')' | ' ' => {}
            _ => return None,
        }
    }
    (!digits.is_empty() && digits != "+").then_some(digits)
}

/// The national form with its trunk prefix, digits only (`030123456`).
fn national(e164: &str) -> Option<String> {
    crate::phone::Phone::national_digits(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de() -> Region {
        Region::parse("DE").expect("DE is a region")
    }

    #[test]
    fn public_numbers_gain_their_e164_form_in_any_written_form() {
        for text in [
            "+4930123456",
            "030123456",
            "0049 30 123456",
            "+49-30-123456",
            "(030) 123456",
        ] {
            assert_eq!(
                Number::parse(text, de()).e164(),
                Some("+4930123456"),
                "{text}"
            );
        }
    }

    #[test]
    fn extensions_and_names_keep_only_what_was_sent() {
        let extension = Number::parse("2001", de());
        assert_eq!(extension.entered(), "2001");
        assert_eq!(extension.e164(), None);
        assert!(extension.is_dialable());
        let name = Number::parse("anonymous", de());
        assert_eq!(name.e164(), None);
        assert!(!name.is_dialable());
        assert_eq!(Number::parse("*86", de()).e164(), None);
    }

    #[test]
    fn numbers_are_formatted_the_way_the_vendor_expects() {
        let number = Number::parse("+49 30 123456", de());
        assert_eq!(
            number.formatted(NumberFormat::E164).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            number.formatted(NumberFormat::National).as_deref(),
            Some("030123456")
        );
        assert_eq!(
            number.formatted(NumberFormat::AsDialled).as_deref(),
            Some("+4930123456")
        );
        let extension = Number::parse("2001", de());
        assert_eq!(
            extension.formatted(NumberFormat::E164).as_deref(),
            Some("2001")
        );
        assert_eq!(
            Number::parse("sales", de()).formatted(NumberFormat::E164),
            None
        );
    }

    #[test]
    fn the_same_line_is_recognised_across_written_forms() {
        assert!(Number::parse("030123456", de()).same_line(&Number::parse("+4930123456", de())));
        assert!(Number::parse("20-01", de()).same_line(&Number::parse("2001", de())));
        assert!(!Number::parse("2001", de()).same_line(&Number::parse("2002", de())));
    }

    #[test]
    fn over_long_digit_strings_are_no_phone_number() {
        let long = "1".repeat(200);
        assert_eq!(Number::parse(&long, de()).e164(), None);
        assert!(!Number::parse(&long, de()).is_dialable());
    }
}
