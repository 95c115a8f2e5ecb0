//! Substitutions in actions: numbers built from the call, such as
//! `ring = "${called}"` or `number = "+49${called:1}"`.
//!
//! A template is dial characters (`0-9 * # +`) and substitutions:
//! `${called}` and `${caller}` (the whole number), `${called:N}` (without its
//! first N characters) and `${called:N:L}` (then at most L characters), the
//! same for `caller`. Like Asterisk's `${EXTEN:1}`, without negative offsets.

use std::fmt;

use super::pattern::{Shape, is_dial_char};

/// A parsed template, rendered once per call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// As written in the plan, for messages.
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Number {
        of: Var,
        skip: usize,
        take: Option<usize>,
    },
}

/// Which number of the call a substitution takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Called,
    Caller,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("empty number")]
    Empty,
    #[error(
        "{template:?}: {found:?} is neither a dial character (0-9 * # +) nor a ${{...}} substitution"
    )]
    NotDialable { template: String, found: char },
    #[error("{0:?}: \"${{\" is not closed by \"}}\"")]
    Unclosed(String),
    #[error(
        "{template:?}: unknown substitution ${{{name}}} (use ${{called}}, ${{caller}}, ${{called:N}} or ${{called:N:L}})"
    )]
    UnknownSubstitution { template: String, name: String },
}

impl Template {
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("${") {
                let end = after
                    .find('}')
                    .ok_or_else(|| TemplateError::Unclosed(text.into()))?;
                parts.push(Self::substitution(&after[..end], text)?);
                rest = &after[end + 1..];
                continue;
            }
            let end = rest.find("${").unwrap_or(rest.len());
            let literal = &rest[..end];
            if let Some(found) = literal
                .chars()
                .find(|&c| !u8::try_from(c).is_ok_and(is_dial_char))
            {
                return Err(TemplateError::NotDialable {
                    template: text.into(),
                    found,
                });
            }
            parts.push(Part::Literal(literal.into()));
            rest = &rest[end..];
        }
        Ok(Template {
            text: text.into(),
            parts,
        })
    }

    /// `called`, `caller:2` or `called:0:4` (the text between `${` and `}`).
    fn substitution(spec: &str, template: &str) -> Result<Part, TemplateError> {
        let unknown = || TemplateError::UnknownSubstitution {
            template: template.into(),
            name: spec.into(),
        };
        let mut fields = spec.split(':');
        let of = match fields.next() {
            Some("called") => Var::Called,
            Some("caller") => Var::Caller,
            _ => return Err(unknown()),
        };
        let mut count = || {
            fields
                .next()
                .map(|n| n.parse::<usize>().map_err(|_| unknown()))
        };
        let skip = count().transpose()?.unwrap_or(0);
        let take = count().transpose()?;
        if fields.next().is_some() {
            return Err(unknown());
        }
        Ok(Part::Number { of, skip, take })
    }

    /// The number for one call.
    pub fn render(&self, called: &str, caller: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Number { of, skip, take } => {
                    let number = match of {
                        Var::Called => called,
                        Var::Caller => caller,
                    };
                    let taken = number.chars().skip(*skip);
                    out.extend(taken.take(take.unwrap_or(usize::MAX)));
                }
            }
        }
        out
    }

    /// Whether the template takes (part of) this number of the call.
    pub fn uses(&self, var: Var) -> bool {
        self.parts
            .iter()
            .any(|part| matches!(part, Part::Number { of, .. } if *of == var))
    }

    /// What the template can produce, given what each number can be.
    pub(super) fn shape(&self, shape_of: impl Fn(Var, usize, Option<usize>) -> Shape) -> Shape {
        let empty = Shape::literal("");
        self.parts.iter().fold(empty, |acc, part| {
            acc.then(match part {
                Part::Literal(text) => Shape::literal(text),
                Part::Number { of, skip, take } => shape_of(*of, *skip, *take),
            })
        })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Var::Called => "called",
            Var::Caller => "caller",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, called: &str, caller: &str) -> String {
        Template::parse(template).unwrap().render(called, caller)
    }

    #[test]
    fn whole_numbers_are_substituted() {
        assert_eq!(render("${called}", "1007", "1001"), "1007");
        assert_eq!(render("${caller}", "1007", "1001"), "1001");
        assert_eq!(render("1001", "1007", "1002"), "1001");
    }

    #[test]
    fn a_prefix_is_stripped_and_a_country_code_added() {
        assert_eq!(render("${called:1}", "04930123456", ""), "4930123456");
        assert_eq!(render("+49${called:1}", "030123456", ""), "+4930123456");
        assert_eq!(
            render("${called:9}", "0123", ""),
            "",
            "stripping past the end leaves nothing"
        );
    }

    #[test]
    fn a_slice_keeps_at_most_l_characters() {
        assert_eq!(render("${called:1:4}", "91234567", ""), "1234");
        assert_eq!(render("${caller:0:3}", "", "+14155550100"), "+14");
        assert_eq!(render("${called:2:10}", "0123", ""), "23");
    }

    #[test]
    fn the_template_knows_which_numbers_it_uses() {
        let t = Template::parse("+1${caller:2}").unwrap();
        assert!(t.uses(Var::Caller));
        assert!(!t.uses(Var::Called));
    }

    #[test]
    fn malformed_templates_are_refused_with_the_reason() {
        let err = |text: &str| Template::parse(text).unwrap_err().to_string();
        assert_eq!(err(""), "empty number");
        assert_eq!(
            err("${dialled}"),
            "\"${dialled}\": unknown substitution ${dialled} (use ${called}, ${caller}, ${called:N} or ${called:N:L})"
        );
        assert!(err("${called:x}").contains("unknown substitution ${called:x}"));
        assert!(err("${called:1:2:3}").contains("unknown substitution"));
        assert!(err("${called:-1}").contains("unknown substitution"));
        assert_eq!(
            err("${called"),
            "\"${called\": \"${\" is not closed by \"}\""
        );
        assert_eq!(
            err("$called"),
            "\"$called\": '$' is neither a dial character (0-9 * # +) nor a ${...} substitution"
        );
    }

    #[test]
    fn the_shape_adds_literals_to_the_numbers() {
        let t = Template::parse("9${called:1}").unwrap();
        let four_digits = Shape {
            min_len: 4,
            max_len: Some(4),
            digits_only: true,
        };
        let shape = t.shape(|_, skip, _| Shape {
            min_len: four_digits.min_len - skip,
            max_len: Some(4 - skip),
            digits_only: true,
        });
        assert_eq!(shape, four_digits);
    }
}
