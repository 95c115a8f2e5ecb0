//! User-defined client attributes: an admin defines a key with a type
//! (text, number, date, boolean, choice); each client may hold one value per key.
//! Values are stored as canonical text, so filters compare text with text.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{FieldErrors, RepoError};
use crate::ids::AttributeId;

text_enum! {
    /// The type of an attribute's values.
    AttributeKind { Text = "text", Number = "number", Date = "date", Boolean = "boolean", Choice = "choice" }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttributeDef {
    pub id: AttributeId,
    /// Stable machine name used in the API and in filters (`attr.KEY=VALUE`).
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    /// The allowed values of a `choice` attribute; empty otherwise.
    pub choices: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewAttributeDef {
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    pub choices: Vec<String>,
}

impl NewAttributeDef {
    pub fn parse(
        key: &str,
        label: &str,
        kind: &str,
        choices: &[String],
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let key = key.trim().to_lowercase();
        if key.is_empty()
            || key.len() > 64
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            errors.add("key", "must be 1 to 64 letters, digits or underscores");
        }
        let label = errors.take("label", super::text::Label::parse(label, 200));
        let kind = errors.take("kind", kind.parse::<AttributeKind>());
        let choices: Vec<String> = choices.iter().map(|c| c.trim().to_string()).collect();
        if kind == Some(AttributeKind::Choice)
            && (choices.is_empty() || choices.iter().any(String::is_empty))
        {
            errors.add("choices", "a choice attribute needs non-empty choices");
        }
        errors.finish(|| NewAttributeDef {
            key,
            label: label.expect("checked").into_string(),
            kind: kind.expect("checked"),
            choices,
        })
    }
}

impl AttributeDef {
    /// Parses a JSON value given for this attribute into its canonical text.
    pub fn parse_value(&self, value: &Value) -> Result<String, String> {
        match (self.kind, value) {
            (AttributeKind::Text, Value::String(s)) if s.chars().count() <= 2000 => {
                Ok(s.trim().to_string())
            }
            (AttributeKind::Text, Value::String(_)) => {
                Err("must be at most 2000 characters".into())
            }
            (AttributeKind::Number, Value::Number(n)) => Ok(n.to_string()),
            (AttributeKind::Number, Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| {
                    serde_json::Number::from_f64(f).map_or_else(|| s.clone(), |n| n.to_string())
                })
                .ok_or_else(|| "must be a number".into()),
            (AttributeKind::Date, Value::String(s)) => {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map(|d| d.to_string())
                    .map_err(|_| "must be a date as YYYY-MM-DD".into())
            }
            (AttributeKind::Boolean, Value::Bool(b)) => Ok(b.to_string()),
            (AttributeKind::Choice, Value::String(s))
                if self.choices.iter().any(|c| c == s.trim()) =>
            {
                Ok(s.trim().to_string())
            }
            (AttributeKind::Choice, _) => {
                Err(format!("must be one of {}", self.choices.join(", ")))
            }
            (AttributeKind::Text, _) => Err("must be text".into()),
            (AttributeKind::Number, _) => Err("must be a number".into()),
            (AttributeKind::Date, _) => Err("must be a date as YYYY-MM-DD".into()),
            (AttributeKind::Boolean, _) => Err("must be true or false".into()),
        }
    }

    /// Turns stored canonical text back into the JSON the API shows.
    pub fn to_json(&self, stored: &str) -> Value {
        match self.kind {
            AttributeKind::Number => stored
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Value::String(stored.into()), Value::Number),
            AttributeKind::Boolean => Value::Bool(stored == "true"),
            _ => Value::String(stored.into()),
        }
    }
}

#[async_trait]
pub trait AttributeRepo: Send + Sync {
    async fn attribute_defs(&self) -> Result<Vec<AttributeDef>, RepoError>;
    /// Fails with `Conflict("key")` when the key exists.
    async fn create_attribute_def(
        &self,
        def: NewAttributeDef,
        now: DateTime<Utc>,
    ) -> Result<AttributeId, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(kind: AttributeKind, choices: &[&str]) -> AttributeDef {
        AttributeDef {
            id: AttributeId(1),
            key: "k".into(),
            label: "K".into(),
            kind,
            choices: choices.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn values_are_parsed_by_the_definition_type() {
        assert_eq!(
            def(AttributeKind::Number, &[])
                .parse_value(&json!("12.50"))
                .unwrap(),
            "12.5"
        );
        assert!(
            def(AttributeKind::Number, &[])
                .parse_value(&json!("abc"))
                .is_err()
        );
        assert_eq!(
            def(AttributeKind::Date, &[])
                .parse_value(&json!("2026-01-31"))
                .unwrap(),
            "2026-01-31"
        );
        assert!(
            def(AttributeKind::Date, &[])
                .parse_value(&json!("31.01.2026"))
                .is_err()
        );
        assert_eq!(
            def(AttributeKind::Boolean, &[])
                .parse_value(&json!(true))
                .unwrap(),
            "true"
        );
        let choice = def(AttributeKind::Choice, &["gold", "silver"]);
        assert_eq!(choice.parse_value(&json!("gold")).unwrap(), "gold");
        assert!(choice.parse_value(&json!("bronze")).is_err());
    }

    #[test]
    fn stored_values_come_back_as_typed_json() {
        assert_eq!(def(AttributeKind::Number, &[]).to_json("12.5"), json!(12.5));
        assert_eq!(
            def(AttributeKind::Boolean, &[]).to_json("false"),
            json!(false)
        );
        assert_eq!(def(AttributeKind::Text, &[]).to_json("x"), json!("x"));
    }

    #[test]
    fn a_choice_definition_needs_choices() {
        assert!(NewAttributeDef::parse("tier", "Tier", "choice", &[]).is_err());
        assert!(NewAttributeDef::parse("tier", "Tier", "choice", &["a".into()]).is_ok());
        assert!(NewAttributeDef::parse("bad key", "Tier", "text", &[]).is_err());
    }
}
