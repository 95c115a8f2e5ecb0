//! Cursor pagination. A cursor names the last row seen by its sort key and id,
//! so pages stay stable while rows are added, and every page is an index seek.

use serde::{Deserialize, Serialize};

use super::FieldErrors;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key of the last row (text or number, depending on the sort).
    #[serde(rename = "k")]
    pub key: Option<String>,
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    /// Opaque text for the API: hex of a small JSON object.
    pub fn encode(&self) -> String {
        // Serialising a struct of a string and an integer cannot fail.
        hex::encode(serde_json::to_vec(self).expect("cursor serialises"))
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text).map_err(|_| "is not a cursor from this API".to_string())?;
        serde_json::from_slice(&bytes).map_err(|_| "is not a cursor from this API".to_string())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Parses `limit` and `cursor`, recording every complaint in `errors`.
    pub fn parse(
        limit: Option<u32>,
        cursor: Option<&str>,
        errors: &mut FieldErrors,
    ) -> Option<Self> {
        let limit = match limit {
            None => Some(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            Some(_) => {
                errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
                None
            }
        };
        let after = match cursor {
            None | Some("") => Some(None),
            Some(c) => errors.take("cursor", Cursor::decode(c)).map(Some),
        };
        Some(PageRequest {
            limit: limit?,
            after: after?,
        })
    }

    /// Storage fetches one row more than asked to learn whether a next page exists.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Cuts the extra row fetched by [`PageRequest::fetch_limit`] and builds
    /// the cursor from the last row kept.
    pub fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            key: Some("acme".into()),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("zz").is_err());
        assert!(Cursor::decode(&hex::encode("{}")).is_err());
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_rows_exist() {
        let request = PageRequest::parse(Some(2), None, &mut FieldErrors::new()).unwrap();
        let page = Page::from_rows(vec![1, 2, 3], &request, |n| Cursor { key: None, id: *n });
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            Cursor::decode(page.next_cursor.as_deref().unwrap())
                .unwrap()
                .id,
            2
        );
        let last = Page::from_rows(vec![1, 2], &request, |n| Cursor { key: None, id: *n });
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        let mut errors = FieldErrors::new();
        assert!(PageRequest::parse(Some(0), Some("zz"), &mut errors).is_none());
        assert!(PageRequest::parse(Some(MAX_LIMIT + 1), None, &mut errors).is_none());
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["limit", "cursor", "limit"]);
    }
}
