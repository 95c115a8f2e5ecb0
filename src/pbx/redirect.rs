//! The number a forwarded call was first meant for, and why it moved on:
//! from Diversion (RFC 5806) or History-Info (RFC 7044).
//!
//! Diversion entries are added on top, so the last entry of the last header
//! is the earliest diversion: its URI is the original called number and its
//! `reason` says why the call left it. History-Info entries are ordered by
//! their `index` (`1` < `1.1` < `1.1.1` < `1.2`); the earliest entry holds
//! the number first dialled, the next entry's RFC 4458 `cause=` URI
//! parameter, or a `Reason: SIP;cause=` escaped into an entry's URI (as
//! Avaya Aura sends it), says why the call was retargeted. Causes are mapped
//! to Diversion's reason words with RFC 7544's table, so both headers yield
//! the same vocabulary.

use std::cmp::Ordering;

use crate::phone::Region;

use super::Number;
use super::address::{NameAddr, name_addrs};

/// Reasons longer than this are no RFC 5806 token; they are not kept.
const MAX_REASON_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    pub original: Number,
    pub reason: Option<String>,
}

/// The earliest diversion named by the Diversion header lines, in order.
/// Sets `*broken` when an entry could not be read.
pub(crate) fn from_diversion<'a>(
    values: impl Iterator<Item = &'a str>,
    region: Region,
    broken: &mut bool,
) -> Option<Redirect> {
    let mut earliest = None;
    for value in values {
        for entry in name_addrs(value) {
            match entry.as_ref().and_then(|e| e.uri.number().map(|n| (e, n))) {
                Some((entry, number)) => earliest = Some((entry.clone(), number.to_string())),
                None => *broken = true,
            }
        }
    }
    let (entry, number) = earliest?;
    Some(Redirect {
        original: Number::parse(&number, region),
        reason: entry.param("reason").and_then(reason_word),
    })
}

/// The number first dialled according to History-Info, when it is not the
/// number the call reached (`called`). Sets `*broken` when an entry could
/// not be read.
pub(crate) fn from_history_info<'a>(
    values: impl Iterator<Item = &'a str>,
    region: Region,
    called: Option<&Number>,
    broken: &mut bool,
) -> Option<Redirect> {
    let mut indexed: Vec<(Vec<u32>, NameAddr)> = Vec::new();
    for value in values {
        for entry in name_addrs(value) {
            let index = entry
                .as_ref()
                .and_then(|e| e.param("index"))
                .and_then(parse_index);
            match (entry, index) {
                (Some(entry), Some(index)) => indexed.push((index, entry)),
                _ => *broken = true,
            }
        }
    }
    indexed.sort_by(|(a, _), (b, _)| compare_index(a, b));
    let (_, first) = indexed.first()?;
    let original = Number::parse(first.uri.number()?, region);
    if called.is_some_and(|called| called.same_line(&original)) {
        return None;
    }
    let cause = indexed
        .iter()
        .skip(1)
        .find_map(|(_, e)| e.uri.param("cause").and_then(|p| p.value.as_deref()))
        .or_else(|| indexed.iter().find_map(|(_, e)| sip_reason_cause(e)));
    Some(Redirect {
        original,
        reason: cause.map(|cause| cause_reason(cause).to_string()),
    })
}

/// A Diversion `reason` as a lower-case token; the legacy `busy` is read as
/// RFC 5806's `user-busy`.
fn reason_word(reason: &str) -> Option<String> {
    let word = reason.trim().to_ascii_lowercase();
    let is_token = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.!%*+`'~".contains(c));
    if word.is_empty() || word.len() > MAX_REASON_LEN || !is_token {
        return None;
    }
    Some(if word == "busy" {
        "user-busy".into()
    } else {
        word
    })
}

/// RFC 7544 §5 / RFC 4458: a redirecting SIP cause in Diversion's words.
fn cause_reason(cause: &str) -> &'static str {
    match cause.trim() {
        "302" => "unconditional",
        "486" => "user-busy",
        "408" => "no-answer",
        "480" | "487" => "deflection",
        "503" => "unavailable",
        _ => "unknown",
    }
}

/// The cause of a `Reason: SIP;cause=NNN` escaped into an entry's URI;
/// other protocols (Q.850, Avaya's `Redirection`) say nothing comparable.
fn sip_reason_cause(entry: &NameAddr) -> Option<&str> {
    entry.uri.header_values("Reason").find_map(|reason| {
        let (protocol, params) = reason.split_once(';')?;
        if !protocol.trim().eq_ignore_ascii_case("SIP") {
            return None;
        }
        params.split(';').find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("cause")
                .then_some(value.trim())
        })
    })
}

fn parse_index(text: &str) -> Option<Vec<u32>> {
    text.split('.')
        .map(|level| level.trim().parse::<u32>().ok())
        .collect()
}

/// `1` < `1.1` < `1.1.1` < `1.2` < `1.10`: level by level, numerically.
fn compare_index(a: &[u32], b: &[u32]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de() -> Region {
        Region::parse("DE").expect("DE is a region")
    }

    fn diversion(lines: &[&str]) -> (Option<Redirect>, bool) {
        let mut broken = false;
        let found = from_diversion(lines.iter().copied(), de(), &mut broken);
        (found, broken)
    }

    fn history(lines: &[&str], called: &str) -> (Option<Redirect>, bool) {
        let mut broken = false;
        let called = Number::parse(called, de());
        let found = from_history_info(lines.iter().copied(), de(), Some(&called), &mut broken);
        (found, broken)
    }

    #[test]
    fn the_bottom_diversion_is_the_number_first_called() {
        let (found, broken) = diversion(&[
            "<sip:+4930555@pbx>;reason=unconditional;counter=1",
            "<sip:+4930999@pbx>;reason=no-answer;counter=1, <sip:+4930111@pbx>;reason=busy",
        ]);
        let found = found.expect("a diversion");
        assert_eq!(found.original.e164(), Some("+4930111"));
        assert_eq!(found.reason.as_deref(), Some("user-busy"));
        assert!(!broken);
    }

    #[test]
    fn a_broken_diversion_entry_is_skipped_and_reported() {
        let (found, broken) = diversion(&["<sip:+4930999@pbx>;reason=no-answer", "<sip:"]);
        assert_eq!(
            found.expect("the good entry").original.entered(),
            "+4930999"
        );
        assert!(broken);
        assert_eq!(reason_word("<script>"), None);
    }

    #[test]
    fn history_info_is_read_in_index_order_with_rfc_4458_causes() {
        let (found, _) = history(
            &[
                "<sip:+4930555000@sb.example.com;cause=302>;index=1.1",
                "<sip:+4930999888@carrier.example.net>;index=1",
            ],
            "+4930555000",
        );
        let found = found.expect("a retargeting");
        assert_eq!(found.original.e164(), Some("+4930999888"));
        assert_eq!(found.reason.as_deref(), Some("unconditional"));
    }

    #[test]
    fn an_escaped_sip_reason_names_the_cause_when_no_cause_parameter_does() {
        let (found, _) = history(
            &[
                "<sip:2001@cm.example.com?Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy%20Here%22>;index=1, <sip:4000@cm.example.com>;index=1.1",
            ],
            "4000",
        );
        assert_eq!(
            found.expect("a retargeting").reason.as_deref(),
            Some("user-busy")
        );
    }

    #[test]
    fn history_info_that_never_left_the_called_number_is_no_redirect() {
        let (found, broken) = history(&["<sip:+4930555000@sm.example.com>;index=1"], "+4930555000");
        assert_eq!(found, None);
        assert!(!broken);
        let (found, broken) = history(&["<sip:2001@cm>;index=x"], "4000");
        assert_eq!(found, None);
        assert!(broken);
    }

    #[test]
    fn index_levels_compare_numerically() {
        let index = |t: &str| parse_index(t).expect("valid index");
        assert_eq!(compare_index(&index("1.2"), &index("1.10")), Ordering::Less);
        assert_eq!(compare_index(&index("1"), &index("1.1")), Ordering::Less);
        assert_eq!(
            compare_index(&index("1.1.1"), &index("1.2")),
            Ordering::Less
        );
    }
}
