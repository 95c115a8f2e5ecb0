//! Number patterns in the Asterisk style: an exact number (`1020`,
//! `+14155550100`) or, after a leading `_`, a pattern of digit classes with an
//! optional open tail (`_10[0-1]X`, `_0.`). Compiled once at load; matching is
//! one pass over the number.

use std::fmt;

/// The characters a number in a plan is made of: what a phone can dial.
pub(super) fn is_dial_char(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'*' | b'#' | b'+')
}

/// A compiled pattern for a called or calling number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// As written in the plan, for messages.
    text: String,
    /// One class per fixed position, in order.
    positions: Vec<Class>,
    /// What may follow the fixed positions.
    tail: Tail,
}

/// The set of characters one position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class {
    /// Bit `n` for digit `n`; bits 10, 11, 12 for `*`, `#`, `+`.
    bits: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// The number ends after the fixed positions.
    None,
    /// `.`: one or more dial characters.
    OneOrMore,
    /// `!`: zero or more dial characters.
    ZeroOrMore,
}

/// What a pattern (or a slice of it) can produce: used at load to prove that
/// a `${called}` substitution always yields, say, an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    pub min_len: usize,
    /// `None`: no upper bound.
    pub max_len: Option<usize>,
    /// Only `0`-`9`, never `*`, `#` or `+`.
    pub digits_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("empty number pattern")]
    Empty,
    #[error(
        "unknown number pattern {0:?}: an exact number has only 0-9 * # +, a pattern starts with \"_\" (e.g. \"_10XX\")"
    )]
    NotANumber(String),
    #[error("pattern {0:?} has nothing after \"_\"")]
    NothingAfterUnderscore(String),
    #[error("pattern {pattern:?}: unknown character {found:?} (use 0-9 * # + X Z N [..] . !)")]
    UnknownChar { pattern: String, found: char },
    #[error("pattern {0:?}: \"[\" is not closed by \"]\"")]
    UnclosedClass(String),
    #[error("pattern {0:?}: empty or malformed class [..] (write e.g. [1-5] or [136])")]
    BadClass(String),
    #[error("pattern {0:?}: \".\" and \"!\" may only end a pattern")]
    TailNotLast(String),
}

impl Pattern {
    /// Parses an exact number or a `_` pattern.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let Some(body) = text.strip_prefix('_') else {
            return Self::exact(text);
        };
        if body.is_empty() {
            return Err(PatternError::NothingAfterUnderscore(text.into()));
        }
        let mut positions = Vec::new();
        let mut tail = Tail::None;
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if tail != Tail::None {
                return Err(PatternError::TailNotLast(text.into()));
            }
            match c {
                '.' => tail = Tail::OneOrMore,
                '!' => tail = Tail::ZeroOrMore,
                '[' => positions.push(Class::parse_set(&mut chars, text)?),
                c => positions.push(Class::letter(c).ok_or_else(|| PatternError::UnknownChar {
                    pattern: text.into(),
                    found: c,
                })?),
            }
        }
        Ok(Pattern {
            text: text.into(),
            positions,
            tail,
        })
    }

    fn exact(text: &str) -> Result<Self, PatternError> {
        if !text.bytes().all(is_dial_char) {
            return Err(PatternError::NotANumber(text.into()));
        }
        Ok(Pattern {
            text: text.into(),
            positions: text.bytes().map(Class::single).collect(),
            tail: Tail::None,
        })
    }

    /// Whether `number` matches the whole pattern.
    pub fn matches(&self, number: &str) -> bool {
        let bytes = number.as_bytes();
        let fixed = self.positions.len();
        let length_fits = match self.tail {
            Tail::None => bytes.len() == fixed,
            Tail::OneOrMore => bytes.len() > fixed,
            Tail::ZeroOrMore => bytes.len() >= fixed,
        };
        length_fits
            && self
                .positions
                .iter()
                .zip(bytes)
                .all(|(class, &c)| class.contains(c))
            && bytes
                .get(fixed..)
                .is_some_and(|tail| tail.iter().all(|&c| is_dial_char(c)))
    }

    /// The shape of `${var:skip:take}` over numbers this pattern matches.
    pub(super) fn slice_shape(&self, skip: usize, take: Option<usize>) -> Shape {
        let head = self.positions.get(skip..).unwrap_or(&[]);
        let skipped_into_tail = skip.saturating_sub(self.positions.len());
        let (tail_min, open) = match self.tail {
            Tail::None => (0, false),
            Tail::OneOrMore => (1usize.saturating_sub(skipped_into_tail), true),
            Tail::ZeroOrMore => (0, true),
        };
        let min_len = head.len() + tail_min;
        let max_len = (!open).then_some(head.len());
        let limit = take.unwrap_or(usize::MAX);
        let head_digits = head.iter().take(limit).all(Class::digits_only);
        Shape {
            min_len: min_len.min(limit),
            max_len: max_len.map(|m| m.min(limit)).or(take),
            // The open tail may carry `*`, `#` or `+`; it is only cut off when
            // `take` ends within the fixed positions.
            digits_only: head_digits && (!open || limit <= head.len()),
        }
    }
}

impl Shape {
    /// Numbers of any length and any dial characters (a field with no pattern).
    pub const ANY: Shape = Shape {
        min_len: 0,
        max_len: None,
        digits_only: false,
    };

    /// A fixed text.
    pub fn literal(text: &str) -> Self {
        Shape {
            min_len: text.len(),
            max_len: Some(text.len()),
            digits_only: text.bytes().all(|c| c.is_ascii_digit()),
        }
    }

    /// What either of two shapes can produce (a field with several patterns).
    pub fn or(self, other: Shape) -> Shape {
        Shape {
            min_len: self.min_len.min(other.min_len),
            max_len: self.max_len.zip(other.max_len).map(|(a, b)| a.max(b)),
            digits_only: self.digits_only && other.digits_only,
        }
    }

    /// What one shape followed by another produces (a template's parts).
    pub fn then(self, other: Shape) -> Shape {
        Shape {
            min_len: self.min_len + other.min_len,
            max_len: self.max_len.zip(other.max_len).map(|(a, b)| a + b),
            digits_only: self.digits_only && other.digits_only,
        }
    }
}

impl Class {
    const DIGITS: u16 = 0b11_1111_1111;

    fn single(c: u8) -> Class {
        Class {
            bits: 1 << Self::bit(c),
        }
    }

    /// A literal dial character or one of the letters X (0-9), Z (1-9), N (2-9).
    fn letter(c: char) -> Option<Class> {
        let digits_from = |low: u16| Class {
            bits: Self::DIGITS & !((1 << low) - 1),
        };
        match c.to_ascii_uppercase() {
            'X' => Some(digits_from(0)),
            'Z' => Some(digits_from(1)),
            'N' => Some(digits_from(2)),
            c => u8::try_from(c)
                .ok()
                .filter(|&c| is_dial_char(c))
                .map(Class::single),
        }
    }

    /// `[...]` after the `[`: dial characters and ascending digit ranges.
    fn parse_set(chars: &mut std::str::Chars<'_>, pattern: &str) -> Result<Class, PatternError> {
        let mut members = Vec::new();
        loop {
            match chars.next() {
                None => return Err(PatternError::UnclosedClass(pattern.into())),
                Some(']') => break,
                // Anything beyond ASCII is refused below as a non-dial character.
                Some(c) => members.push(u8::try_from(c).unwrap_or(0)),
            }
        }
        let bad = || PatternError::BadClass(pattern.into());
        let mut bits = 0u16;
        let mut i = 0;
        while i < members.len() {
            let c = members[i];
            if !is_dial_char(c) {
                return Err(bad());
            }
            if members.get(i + 1) == Some(&b'-') {
                let end = *members.get(i + 2).ok_or_else(bad)?;
                if !c.is_ascii_digit() || !end.is_ascii_digit() || end < c {
                    return Err(bad());
                }
                (c..=end).for_each(|d| bits |= 1 << Self::bit(d));
                i += 3;
            } else {
                bits |= 1 << Self::bit(c);
                i += 1;
            }
        }
        if bits == 0 {
            return Err(bad());
        }
        Ok(Class { bits })
    }

    /// The bit for a dial character (callers pass only dial characters).
    fn bit(c: u8) -> u16 {
        match c {
            b'*' => 10,
            b'#' => 11,
            b'+' => 12,
            d => u16::from(d.wrapping_sub(b'0')).min(15),
        }
    }

    fn contains(&self, c: u8) -> bool {
        is_dial_char(c) && self.bits & (1 << Self::bit(c)) != 0
    }

    fn digits_only(&self) -> bool {
        self.bits & !Self::DIGITS == 0
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text).unwrap()
    }

    #[test]
    fn an_exact_number_matches_only_itself() {
        let p = pattern("1020");
        assert!(p.matches("1020"));
        assert!(!p.matches("102"));
        assert!(!p.matches("10200"));
        assert!(pattern("+14155550100").matches("+14155550100"));
        assert!(pattern("*72#").matches("*72#"));
    }

    #[test]
    fn x_z_and_n_are_digit_classes_in_either_case() {
        assert!(pattern("_X").matches("0"));
        assert!(!pattern("_Z").matches("0"));
        assert!(pattern("_Z").matches("1"));
        assert!(!pattern("_N").matches("1"));
        assert!(pattern("_N").matches("2"));
        assert!(pattern("_nxxz").matches("2009"));
        assert!(!pattern("_X").matches("*"), "X is digits only");
    }

    #[test]
    fn a_bracket_class_takes_digits_ranges_and_symbols() {
        let p = pattern("_10[1-35]X");
        for n in ["1010", "1029", "1039", "1059"] {
            assert!(p.matches(n), "{n}");
        }
        for n in ["1000", "1049", "1069"] {
            assert!(!p.matches(n), "{n}");
        }
        assert!(pattern("_[*#]7").matches("#7"));
    }

    #[test]
    fn a_dot_needs_at_least_one_more_character() {
        let p = pattern("_0.");
        assert!(p.matches("04930123456"));
        assert!(p.matches("01"));
        assert!(!p.matches("0"));
        assert!(!p.matches("14930123456"));
    }

    #[test]
    fn a_bang_accepts_nothing_more() {
        let p = pattern("_9!");
        assert!(p.matches("9"));
        assert!(p.matches("9123"));
        assert!(!p.matches("8"));
    }

    #[test]
    fn open_tails_match_dial_characters_only() {
        assert!(pattern("_+.").matches("+14155550100"));
        assert!(!pattern("_X.").matches("1anonymous"));
        assert!(!pattern("_!").matches("alice"));
        assert!(pattern("_!").matches(""));
    }

    #[test]
    fn malformed_patterns_are_refused_with_the_reason() {
        let err = |text: &str| Pattern::parse(text).unwrap_err().to_string();
        assert_eq!(
            err("10x1"),
            "unknown number pattern \"10x1\": an exact number has only 0-9 * # +, a pattern starts with \"_\" (e.g. \"_10XX\")"
        );
        assert_eq!(err(""), "empty number pattern");
        assert_eq!(err("_"), "pattern \"_\" has nothing after \"_\"");
        assert_eq!(
            err("_10Y1"),
            "pattern \"_10Y1\": unknown character 'Y' (use 0-9 * # + X Z N [..] . !)"
        );
        assert_eq!(
            err("_[1-2]Q"),
            "pattern \"_[1-2]Q\": unknown character 'Q' (use 0-9 * # + X Z N [..] . !)"
        );
        assert_eq!(
            err("_1[23"),
            "pattern \"_1[23\": \"[\" is not closed by \"]\""
        );
        for bad in ["_1[]", "_1[5-1]", "_1[a]", "_1[1-]", "_1[*-9]"] {
            assert!(err(bad).contains("empty or malformed class"), "{bad}");
        }
        assert_eq!(
            err("_0.1"),
            "pattern \"_0.1\": \".\" and \"!\" may only end a pattern"
        );
    }

    #[test]
    fn the_shape_of_a_fixed_digit_pattern_is_exact() {
        let p = pattern("_10[0-2]X");
        let whole = Shape {
            min_len: 4,
            max_len: Some(4),
            digits_only: true,
        };
        assert_eq!(p.slice_shape(0, None), whole);
        let tail = Shape {
            min_len: 2,
            max_len: Some(2),
            digits_only: true,
        };
        assert_eq!(p.slice_shape(2, None), tail);
        let empty = Shape {
            min_len: 0,
            max_len: Some(0),
            digits_only: true,
        };
        assert_eq!(p.slice_shape(9, None), empty);
    }

    #[test]
    fn the_shape_of_an_open_pattern_has_no_upper_bound() {
        let p = pattern("_0.");
        let s = p.slice_shape(1, None);
        assert_eq!((s.min_len, s.max_len, s.digits_only), (1, None, false));
        let s = p.slice_shape(2, None);
        assert_eq!(s.min_len, 0, "the tail may be a single character");
        let s = p.slice_shape(0, Some(1));
        assert_eq!((s.min_len, s.max_len, s.digits_only), (1, Some(1), true));
    }
}
