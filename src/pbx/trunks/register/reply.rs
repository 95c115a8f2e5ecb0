//! What a registrar's answer to our REGISTER says: the lifetime it granted,
//! the Min-Expires of a 423, the challenges of a 401/407, a Retry-After.
//! Everything arrives from the network: unreadable values are `None`,
//! never a panic.

use std::time::Duration;

use rsipstack::sip::typed::Contact;
use rsipstack::sip::{Header, HostWithPort, Response};

use crate::sip::digest::{Challenge, parse_challenge};

/// Which header carries a challenge and which carries our answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthKind {
    /// 401: WWW-Authenticate, answered in Authorization.
    Www,
    /// 407: Proxy-Authenticate, answered in Proxy-Authorization.
    Proxy,
}

impl AuthKind {
    pub(super) fn answer_header(self, value: String) -> Header {
        match self {
            AuthKind::Www => Header::Authorization(value.into()),
            AuthKind::Proxy => Header::ProxyAuthorization(value.into()),
        }
    }
}

/// The lifetime the registrar granted our binding (RFC 3261 §10.2.4): the
/// `expires` of our Contact, else the Expires header, else what we asked.
/// A registrar that rewrites Contact to our NATed address (Asterisk's
/// `rewrite_contact`) returns it in a form we cannot recognise; when the
/// 200 lists a single Contact, that one is ours.
pub(super) fn granted_expires(
    response: &Response,
    user: &str,
    ours: &HostWithPort,
    asked: u32,
) -> u32 {
    let contacts: Vec<Contact> = response
        .headers
        .iter()
        .filter_map(|h| match h {
            Header::Contact(value) => Contact::parse_header_list(value.value()).ok(),
            _ => None,
        })
        .flatten()
        .collect();
    let mine = contacts
        .iter()
        .find(|c| c.uri.user() == Some(user) && same_host(&c.uri.host_with_port, ours))
        .or(match contacts.as_slice() {
            [only] => Some(only),
            _ => None,
        });
    mine.and_then(Contact::expires)
        .or_else(|| {
            seconds_header(response, |h| match h {
                Header::Expires(v) => Some(v.value()),
                _ => None,
            })
        })
        .unwrap_or(asked)
}

/// The Min-Expires of a 423 Interval Too Brief (§10.2.8).
pub(super) fn min_expires(response: &Response) -> Option<u32> {
    seconds_header(response, |h| match h {
        Header::MinExpires(v) => Some(v.value()),
        _ => None,
    })
}

/// Retry-After's delta-seconds, ignoring a comment or duration (§20.33).
pub(super) fn retry_after(response: &Response) -> Option<Duration> {
    response.headers.iter().find_map(|h| match h {
        Header::RetryAfter(value) => leading_seconds(value.value()).map(Duration::from_secs),
        _ => None,
    })
}

/// The first challenge of `kind` we can answer, in the registrar's order
/// of preference (RFC 8760 §2.4).
pub(super) fn challenge(response: &Response, kind: AuthKind) -> Option<Challenge> {
    response.headers.iter().find_map(|h| match (h, kind) {
        (Header::WwwAuthenticate(value), AuthKind::Www) => parse_challenge(value.value()).ok(),
        (Header::ProxyAuthenticate(value), AuthKind::Proxy) => parse_challenge(value.value()).ok(),
        _ => None,
    })
}

/// Hosts compare case-insensitively; a missing port is the default one,
/// which we cannot tell from an explicit one here, so both must agree.
fn same_host(a: &HostWithPort, b: &HostWithPort) -> bool {
    a.port == b.port && a.host.to_string().eq_ignore_ascii_case(&b.host.to_string())
}

fn seconds_header<'a>(
    response: &'a Response,
    pick: impl Fn(&'a Header) -> Option<&'a str>,
) -> Option<u32> {
    let secs = leading_seconds(response.headers.iter().find_map(pick)?)?;
    Some(u32::try_from(secs).unwrap_or(u32::MAX))
}

fn leading_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text, |end| &text[..end]);
    if digits.is_empty() {
        return None;
    }
    // More digits than a u64 holds still mean "a very long time".
    Some(digits.parse().unwrap_or(u64::MAX))
}
