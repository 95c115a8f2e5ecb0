//! The grammar shared by challenges and credentials: `Digest` followed by a
//! comma-separated list of `name=value` pairs, values being tokens or quoted
//! strings (RFC 3261 §25.1, RFC 7235 §2.1). Parsing is byte-wise over the
//! value and never indexes past its end, so no input can panic it.

use super::DigestError;

/// A header value longer than this is refused before parsing: real digest
/// headers are a few hundred bytes, and the cap bounds the work per request.
pub(super) const MAX_HEADER_LEN: usize = 4096;

/// The parameters of one Digest header, names lower-cased.
#[derive(Debug, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(value: &str) -> Result<Self, DigestError> {
        if value.len() > MAX_HEADER_LEN {
            return Err(DigestError::TooLong(MAX_HEADER_LEN));
        }
        let mut cursor = Cursor {
            bytes: value.as_bytes(),
            pos: 0,
        };
        cursor.skip_whitespace();
        let scheme = cursor.token().ok_or(DigestError::NotDigest)?;
        if !scheme.eq_ignore_ascii_case("digest") {
            return Err(DigestError::NotDigest);
        }
        let mut params = Params::default();
        while cursor.skip_separators() {
            let (name, value) = cursor.param()?;
            if params.value(&name).is_some() {
                return Err(DigestError::Duplicate(name));
            }
            params.0.push((name, value));
            cursor.skip_whitespace();
            if !cursor.at_end() && cursor.peek() != Some(b',') {
                return Err(DigestError::Syntax(cursor.pos));
            }
        }
        Ok(params)
    }

    /// The value of `name` (lower-case), if given.
    pub(super) fn value(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn required(&self, name: &'static str) -> Result<&str, DigestError> {
        self.value(name).ok_or(DigestError::Missing(name))
    }
}

/// Appends `name="value"`, escaping what a quoted string cannot hold bare.
pub(super) fn push_quoted(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and commas (empty list elements are allowed by
    /// RFC 7235 §7); false once nothing is left.
    fn skip_separators(&mut self) -> bool {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b',')) {
            self.pos += 1;
        }
        !self.at_end()
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_token_byte) {
            self.pos += 1;
        }
        let token = self.bytes.get(start..self.pos)?;
        // Token bytes are ASCII, so this cannot fail; the error path is for form.
        std::str::from_utf8(token).ok().filter(|t| !t.is_empty())
    }

    fn param(&mut self) -> Result<(String, String), DigestError> {
        let name = self
            .token()
            .ok_or(DigestError::Syntax(self.pos))?
            .to_ascii_lowercase();
        self.skip_whitespace();
        if self.peek() != Some(b'=') {
            return Err(DigestError::Syntax(self.pos));
        }
        self.pos += 1;
        self.skip_whitespace();
        let value = if self.peek() == Some(b'"') {
            self.quoted()?
        } else {
            self.token()
                .ok_or(DigestError::Syntax(self.pos))?
                .to_owned()
        };
        Ok((name, value))
    }

    /// A quoted string without its quotes, escapes resolved. Control
    /// characters are refused so that nothing parsed here can break a
    /// header line when printed again.
    fn quoted(&mut self) -> Result<String, DigestError> {
        self.pos += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err(DigestError::UnterminatedQuote);
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(DigestError::UnterminatedQuote),
                        Some(escaped) if is_quotable(escaped) => out.push(escaped),
                        Some(_) => return Err(DigestError::Syntax(self.pos)),
                    }
                }
                b'\t' => out.push(byte),
                _ if byte < 0x20 || byte == 0x7f => return Err(DigestError::Syntax(self.pos)),
                _ => out.push(byte),
            }
            self.pos += 1;
        }
        // Only ASCII bytes were dropped from valid UTF-8, so it stays valid.
        String::from_utf8(out).map_err(|_| DigestError::Syntax(self.pos))
    }
}

/// RFC 3261 token characters, plus the few more RFC 7230 allows, since some
/// user agents send HTTP-style tokens.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'!'
                | b'%'
                | b'*'
                | b'_'
                | b'+'
                | b'`'
                | b'\''
                | b'~'
                | b'#'
                | b'$'
                | b'&'
                | b'^'
                | b'|'
        )
}

/// What may follow a backslash: printable ASCII and tab (quoted-pair
/// without CR, LF and the other controls).
fn is_quotable(b: u8) -> bool {
    b == b'\t' || (0x20..0x7f).contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_tokens_any_case_and_spacing_are_read() {
        let params = Params::parse(
            "digest  Realm = \"a \\\"b\\\" \\\\c\" ,NC=00000001,,\talgorithm=SHA-256 ",
        )
        .unwrap();
        assert_eq!(params.value("realm"), Some("a \"b\" \\c"));
        assert_eq!(params.value("nc"), Some("00000001"));
        assert_eq!(params.value("algorithm"), Some("SHA-256"));
    }

    #[test]
    fn printed_quoted_value_parses_back_to_itself() {
        let tricky = "he said \"hi\" \\ bye, ok=1";
        let mut header = String::from("Digest ");
        push_quoted(&mut header, "realm", tricky);
        let params = Params::parse(&header).unwrap();
        assert_eq!(params.value("realm"), Some(tricky));
    }

    #[test]
    fn non_ascii_is_allowed_only_inside_quotes() {
        let params = Params::parse("Digest username=\"Jürgen\"").unwrap();
        assert_eq!(params.value("username"), Some("Jürgen"));
        assert!(Params::parse("Digest username=Jürgen").is_err());
    }

    #[test]
    fn duplicates_and_other_schemes_are_refused() {
        assert_eq!(
            Params::parse("Digest realm=a, REALM=\"b\"").unwrap_err(),
            DigestError::Duplicate("realm".into())
        );
        assert_eq!(
            Params::parse("Basic dXNlcjpwYXNz").unwrap_err(),
            DigestError::NotDigest
        );
    }

    #[test]
    fn missing_commas_and_control_characters_are_refused() {
        assert!(Params::parse("Digest realm=a nonce=b").is_err());
        assert!(Params::parse("Digest realm=\"a\r\nVia: x\"").is_err());
        assert!(Params::parse("Digest realm=\"a\\\r\"").is_err());
    }
}
