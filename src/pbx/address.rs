//! The addresses inside identity and redirect headers: name-addr and
//! addr-spec (RFC 3261 §20.10, §25.1), `sip:`/`sips:` URIs with the user,
//! parameters and `?headers`, and `tel:` URIs (RFC 3966).
//!
//! rsipstack's typed headers cut the display name at the first `<` and drop
//! quote escapes, and its URI parser splits at the first `;` even inside the
//! user part (`sip:2001;phone-context=+4930@pbx`), so these few grammar rules
//! are ours. Every parser returns `None` on text it cannot read; none panics.

/// A header or URI parameter; the name is lower-cased, a quoted value is
/// unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Sip,
    Sips,
    Tel,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uri {
    pub scheme: Scheme,
    /// The user part of a SIP URI or the subscriber of a `tel:` URI,
    /// percent-decoded, with its own `;phone-context=` still attached.
    pub user: Option<String>,
    pub host: String,
    pub params: Vec<Param>,
    /// The `?name=value` part, percent-decoded (History-Info puts `Reason`
    /// and `Privacy` there).
    pub headers: Vec<(String, String)>,
}

/// A name-addr or addr-spec with its header parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameAddr {
    pub display: Option<String>,
    pub uri: Uri,
    pub params: Vec<Param>,
}

impl Uri {
    pub fn parse(text: &str) -> Option<Uri> {
        let (scheme, rest) = text.trim().split_once(':')?;
        let scheme = parse_scheme(scheme)?;
        match scheme {
            Scheme::Tel => Some(parse_tel(rest)),
            Scheme::Sip | Scheme::Sips => Some(parse_sip(scheme, rest)),
            Scheme::Other => Some(Uri {
                scheme,
                user: None,
                host: rest.to_string(),
                params: Vec::new(),
                headers: Vec::new(),
            }),
        }
    }

    /// The telephone number or user name: the user part up to its own
    /// parameters. `None` when the URI names only a host.
    pub fn number(&self) -> Option<&str> {
        let user = self.user.as_deref()?;
        let number = user.split(';').next().unwrap_or(user).trim();
        (!number.is_empty()).then_some(number)
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        find_param(&self.params, name)
    }

    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl NameAddr {
    pub fn parse(entry: &str) -> Option<NameAddr> {
        let entry = entry.trim();
        let (display, rest) = if entry.starts_with('"') {
            let (display, end) = quoted_string(entry)?;
            (Some(display), entry.get(end..)?.trim_start())
        } else {
            match entry.find('<') {
                Some(lt) => (Some(entry[..lt].trim().to_string()), &entry[lt..]),
                None => (None, entry),
            }
        };
        let display = display.filter(|name| !name.trim().is_empty());
        if let Some(inner) = rest.strip_prefix('<') {
            let gt = inner.find('>')?;
            let uri = Uri::parse(&inner[..gt])?;
            let params = parse_params(&inner[gt + 1..]);
            return Some(NameAddr {
                display,
                uri,
                params,
            });
        }
        if display.is_some() {
            return None;
        }
        // An addr-spec: its parameters belong to the header (RFC 3261 §20).
        let (uri, params) = rest.split_once(';').unwrap_or((rest, ""));
        Some(NameAddr {
            display: None,
            uri: Uri::parse(uri)?,
            params: parse_params(params),
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)?.value.as_deref()
    }
}

/// The comma-separated entries of one header value, honouring quoted
/// strings (with `\` escapes) and `<...>`.
pub(crate) fn entries(value: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    let mut depth = 0usize;
    for (at, ch) in value.char_indices() {
        if in_quotes {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quotes = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_quotes = true,
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                found.push(&value[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    found.push(&value[start..]);
    found
        .into_iter()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

/// Every name-addr of a header value; entries that do not parse are `None`
/// so that the caller can tell that something was dropped.
pub(crate) fn name_addrs(value: &str) -> impl Iterator<Item = Option<NameAddr>> + '_ {
    entries(value).into_iter().map(NameAddr::parse)
}

/// `;name=value;flag` parameters, split outside quoted strings.
pub(crate) fn parse_params(text: &str) -> Vec<Param> {
    split_outside_quotes(text, ';')
        .into_iter()
        .filter_map(|part| {
            let (name, value) = match part.split_once('=') {
                Some((name, value)) => (name, Some(unquote(value.trim()))),
                None => (part, None),
            };
            let name = name.trim().to_ascii_lowercase();
            (!name.is_empty()).then_some(Param { name, value })
        })
        .collect()
}

pub(crate) fn find_param<'a>(params: &'a [Param], name: &str) -> Option<&'a Param> {
    params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Decodes `%XX` escapes; a broken escape stays as written.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escape = (bytes[at] == b'%')
            .then(|| bytes.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_scheme(text: &str) -> Option<Scheme> {
    let mut chars = text.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_is_scheme = chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !first_is_letter || !rest_is_scheme {
        return None;
    }
    Some(match text.to_ascii_lowercase().as_str() {
        "sip" => Scheme::Sip,
        "sips" => Scheme::Sips,
        "tel" => Scheme::Tel,
        _ => Scheme::Other,
    })
}

fn parse_tel(rest: &str) -> Uri {
    let (number, params) = rest.split_once(';').unwrap_or((rest, ""));
    let number = percent_decode(number.trim());
    Uri {
        scheme: Scheme::Tel,
        user: (!number.is_empty()).then_some(number),
        host: String::new(),
        params: parse_params(params),
        headers: Vec::new(),
    }
}

fn parse_sip(scheme: Scheme, rest: &str) -> Uri {
    // The user part may hold `;` and `?` (RFC 3261 user-unreserved) but
    // never an unescaped `@`, so the first `@` ends it.
    let (userinfo, hostpart) = match rest.split_once('@') {
        Some((userinfo, hostpart)) => (Some(userinfo), hostpart),
        None => (None, rest),
    };
    let user = userinfo
        .map(|u| u.split(':').next().unwrap_or(u))
        .map(|u| percent_decode(u.trim()))
        .filter(|u| !u.is_empty());
    let (hostport, headers) = hostpart.split_once('?').unwrap_or((hostpart, ""));
    let (host, params) = hostport.split_once(';').unwrap_or((hostport, ""));
    Uri {
        scheme,
        user,
        host: host.trim().to_string(),
        params: parse_params(params),
        headers: parse_uri_headers(headers),
    }
}

fn parse_uri_headers(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode(name.trim());
            (!name.is_empty()).then(|| (name, percent_decode(value.trim())))
        })
        .collect()
}

/// Reads a quoted string at the start of `text`; returns the unescaped
/// content and the byte offset just past the closing quote.
fn quoted_string(text: &str) -> Option<(String, usize)> {
    let mut content = String::new();
    let mut escaped = false;
    for (at, ch) in text.char_indices().skip(1) {
        match (escaped, ch) {
            (true, ch) => {
                content.push(ch);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '"') => return Some((content, at + 1)),
            (false, ch) => content.push(ch),
        }
    }
    None
}

fn unquote(value: &str) -> String {
    if value.starts_with('"')
        && let Some((content, _)) = quoted_string(value)
    {
        return content;
    }
    value.to_string()
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (at, ch) in text.char_indices() {
        match (in_quotes, escaped, ch) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_quotes = !in_quotes,
            (false, _, c) if c == separator => {
                parts.push(text[start..at].trim());
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_addr(text: &str) -> NameAddr {
        NameAddr::parse(text).unwrap_or_else(|| panic!("{text:?} did not parse"))
    }

    #[test]
    fn quoted_display_names_keep_commas_brackets_and_escaped_quotes() {
        let addr =
            name_addr(r#""Smith, John \"JJ\" <Sales>" <sip:+4930123@pbx.example.com>;tag=9"#);
        assert_eq!(addr.display.as_deref(), Some(r#"Smith, John "JJ" <Sales>"#));
        assert_eq!(addr.uri.number(), Some("+4930123"));
        assert_eq!(addr.param("tag"), Some("9"));
    }

    #[test]
    fn token_display_names_and_bare_addresses_both_read() {
        let addr = name_addr("Alice Smith <sip:2001@pbx>");
        assert_eq!(addr.display.as_deref(), Some("Alice Smith"));
        let bare = name_addr("sip:2001@pbx;tag=abc");
        assert_eq!(bare.display, None);
        assert_eq!(bare.uri.number(), Some("2001"));
        assert_eq!(bare.param("tag"), Some("abc"));
    }

    #[test]
    fn comma_separated_entries_split_outside_quotes_and_brackets() {
        let value =
            r#""Doe, Jane" <sip:1@a?Reason=SIP%3Bcause%3D486,x>;index=1, <tel:+492>;index=1.1"#;
        let found = entries(value);
        assert_eq!(found.len(), 2);
        assert!(found[1].starts_with("<tel:+492>"));
    }

    #[test]
    fn tel_uris_and_user_phone_parameters_are_understood() {
        let tel = Uri::parse("tel:+1-202-555-0143;phone-context=+1").expect("valid tel URI");
        assert_eq!(tel.scheme, Scheme::Tel);
        assert_eq!(tel.number(), Some("+1-202-555-0143"));
        assert!(tel.param("phone-context").is_some());
        let sip = Uri::parse("sips:+4930123@gw.example.com:5061;user=phone").expect("valid");
        assert_eq!(sip.scheme, Scheme::Sips);
        assert_eq!(
            sip.param("user").and_then(|p| p.value.as_deref()),
            Some("phone")
        );
        assert_eq!(sip.host, "gw.example.com:5061");
    }

    #[test]
    fn a_phone_context_inside_the_user_part_stays_with_the_user() {
        let uri =
            Uri::parse("sip:2001;phone-context=+4930@pbx.example.com;user=phone").expect("valid");
        assert_eq!(uri.number(), Some("2001"));
        assert_eq!(uri.host, "pbx.example.com");
    }

    #[test]
    fn uri_headers_are_percent_decoded() {
        let uri =
            Uri::parse("sip:2001@cm?Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy%22&Privacy=history")
                .expect("valid");
        let reasons: Vec<&str> = uri.header_values("reason").collect();
        assert_eq!(reasons, ["SIP;cause=486;text=\"Busy\""]);
        assert_eq!(percent_decode("%2B49%2"), "+49%2");
    }

    #[test]
    fn text_that_is_no_address_is_refused() {
        for text in [
            "",
            "<",
            "\"unterminated <sip:a@b>",
            "\"Name\" sip:a@b",
            "<sip:a@b",
            "1x:abc",
            ":",
        ] {
            assert_eq!(NameAddr::parse(text), None, "{text:?}");
        }
    }
}
