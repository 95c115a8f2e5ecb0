use rsipstack::sip::{Request, SipMessage};

use super::*;
use crate::pbx::Vendor;

fn germany() -> Region {
    Region::parse("DE").expect("DE is a region")
}

/// An INVITE with the given Request-URI and extra header lines.
fn invite(request_uri: &str, headers: &[&str]) -> Request {
    let mut text = format!(
        "INVITE {request_uri} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
         Call-ID: t1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
    );
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    match SipMessage::try_from(text.as_str()) {
        Ok(SipMessage::Request(request)) => request,
        other => panic!("not a request: {other:?}"),
    }
}

fn parties_of(vendor: Vendor, request: &Request) -> Result<Parties, ProfileError> {
    inbound_parties(
        &Profile::for_vendor(vendor),
        CallerIdSource::Auto,
        request,
        germany(),
    )
}

fn parties(vendor: Vendor, request_uri: &str, headers: &[&str]) -> Parties {
    parties_of(vendor, &invite(request_uri, headers)).expect("a called number")
}

#[test]
fn the_asserted_identity_wins_over_from() {
    let found = parties(
        Vendor::Avaya,
        "sip:+4930555000@sb",
        &[
            "From: <sip:trunk@pbx>;tag=1",
            "To: <sip:+4930555000@sb>",
            "P-Asserted-Identity: <sip:+4930123456@pbx>",
        ],
    );
    assert_eq!(found.caller.e164(), Some("+4930123456"));
    assert_eq!(found.caller.entered(), "+4930123456");
}

#[test]
fn a_configured_caller_id_source_overrides_the_vendor_order() {
    let request = invite(
        "sip:+4930555000@sb",
        &[
            "From: \"Desk\" <sip:2001@pbx>;tag=1",
            "To: <sip:+4930555000@sb>",
            "P-Asserted-Identity: <sip:+4930123456@pbx>",
            "Remote-Party-ID: <sip:+4930654321@pbx>;party=calling;privacy=off",
        ],
    );
    let profile = Profile::for_vendor(Vendor::Avaya);
    let caller = |source| {
        inbound_parties(&profile, source, &request, germany())
            .expect("a called number")
            .caller
    };
    assert_eq!(caller(CallerIdSource::Auto).entered(), "+4930123456");
    assert_eq!(caller(CallerIdSource::Rpid).entered(), "+4930654321");
    assert_eq!(caller(CallerIdSource::From).entered(), "2001");
}

#[test]
fn a_named_source_that_is_absent_falls_back_to_from() {
    let request = invite(
        "sip:600@sb",
        &["From: <sip:2001@pbx>;tag=1", "To: <sip:600@sb>"],
    );
    let profile = Profile::for_vendor(Vendor::Generic);
    let found =
        inbound_parties(&profile, CallerIdSource::Pai, &request, germany()).expect("called");
    assert_eq!(found.caller.entered(), "2001");
}

#[test]
fn the_brief_diversion_example_names_original_called_and_reason() {
    let found = parties(
        Vendor::Cisco,
        "sip:+4930555000@sb",
        &[
            "From: <sip:+4989123456@cucm>;tag=1",
            "To: <sip:+4930555000@sb>",
            "Diversion: <sip:+4930999@pbx>;reason=no-answer",
        ],
    );
    let original = found.original_called.expect("a diverted call");
    assert_eq!(original.entered(), "+4930999");
    assert_eq!(found.redirect_reason.as_deref(), Some("no-answer"));
}

#[test]
fn an_escaped_request_uri_user_is_decoded_once() {
    let found = parties(
        Vendor::Avaya,
        "sip:%2B4930555000@sb",
        &["From: <sip:%2B4930123456@pbx>;tag=1", "To: <sip:x@sb>"],
    );
    assert_eq!(found.called.entered(), "+4930555000");
    assert_eq!(found.caller.e164(), Some("+4930123456"));
}

#[test]
fn control_characters_escaped_into_a_number_are_dropped() {
    let found = parties(
        Vendor::Generic,
        "sip:+4930555000@sb",
        &[
            "From: <sip:2001%0D%0AX-Evil%3A%201@pbx>;tag=1",
            "To: <sip:+4930555000@sb>",
        ],
    );
    assert_eq!(found.caller.entered(), "2001X-Evil: 1");
}

#[test]
fn tel_uris_with_visual_separators_reach_e164() {
    let found = parties(
        Vendor::Generic,
        "tel:+49-30-555000",
        &["From: <tel:+49-30-123456>;tag=1", "To: <tel:+49-30-555000>"],
    );
    assert_eq!(found.caller.e164(), Some("+4930123456"));
    assert_eq!(found.called.e164(), Some("+4930555000"));
}

#[test]
fn a_public_asserted_identity_is_preferred_to_an_internal_one() {
    let found = parties(
        Vendor::Generic,
        "sip:+4930555000@sb",
        &[
            "From: <sip:2001@pbx>;tag=1",
            "To: <sip:+4930555000@sb>",
            "P-Asserted-Identity: <sip:2001@pbx>, <tel:+4930123456>",
        ],
    );
    assert_eq!(found.caller.e164(), Some("+4930123456"));
}

#[test]
fn an_account_name_in_the_request_uri_gives_way_to_the_did_in_to() {
    let found = parties(
        Vendor::Cisco,
        "sip:switchboard@sb",
        &[
            "From: <sip:+4930123456@c>;tag=1",
            "To: <sip:+4930555000@sb>",
        ],
    );
    assert_eq!(found.called.e164(), Some("+4930555000"));
}

#[test]
fn the_vendor_decides_whether_a_numeric_request_uri_or_to_names_the_did() {
    // A carrier trunk registered with a numeric account: the account in the
    // Request-URI, the DID in To. A Cisco trunk routes on the Request-URI.
    let request = invite(
        "sip:4930000111@sb",
        &[
            "From: <sip:+4930123456@c>;tag=1",
            "To: <sip:+4930555000@sb>",
        ],
    );
    let generic = parties_of(Vendor::Generic, &request).expect("a called number");
    assert_eq!(generic.called.e164(), Some("+4930555000"));
    let cisco = parties_of(Vendor::Cisco, &request).expect("a called number");
    assert_eq!(cisco.called.entered(), "4930000111");
}

#[test]
fn without_any_user_part_there_is_no_called_number() {
    let request = invite(
        "sip:sb.example.com",
        &["From: <sip:2001@pbx>;tag=1", "To: <sip:sb.example.com>"],
    );
    assert_eq!(
        parties_of(Vendor::Generic, &request),
        Err(ProfileError::NoCalledNumber)
    );
    let named = parties(
        Vendor::Generic,
        "sip:sales@sb",
        &["From: <sip:2001@pbx>;tag=1", "To: <sip:sb>"],
    );
    assert_eq!(named.called.entered(), "sales");
}

#[test]
fn privacy_values_user_and_header_also_withhold_the_caller() {
    for value in ["user", "header;session", "id", "none;id"] {
        let privacy = format!("Privacy: {value}");
        let found = parties(
            Vendor::Generic,
            "sip:+4930555000@sb",
            &[
                "From: <sip:+4930123456@c>;tag=1",
                "To: <sip:+4930555000@sb>",
                &privacy,
            ],
        );
        assert!(found.privacy, "{value}");
    }
    let open = parties(
        Vendor::Generic,
        "sip:+4930555000@sb",
        &[
            "From: <sip:+4930123456@c>;tag=1",
            "To: <sip:+4930555000@sb>",
            "Privacy: none",
        ],
    );
    assert!(!open.privacy);
}

#[test]
fn rpid_privacy_name_withholds_only_the_name() {
    let found = parties(
        Vendor::Cisco,
        "sip:+4930555000@sb",
        &[
            "From: \"Anonymous\" <sip:+4930123456@cucm>;tag=1",
            "To: <sip:+4930555000@sb>",
            "Remote-Party-ID: \"Max\" <sip:+4930123456@cucm>;party=calling;screen=yes;privacy=name",
        ],
    );
    assert_eq!(found.caller.e164(), Some("+4930123456"));
    assert_eq!(found.caller_name, None);
    assert!(!found.privacy);
}

#[test]
fn quoted_display_names_are_unescaped() {
    let found = parties(
        Vendor::Generic,
        "sip:+4930555000@sb",
        &[
            r#"From: "M\"uller, Hans" <sip:+4930123456@c>;tag=1"#,
            "To: <sip:+4930555000@sb>",
        ],
    );
    assert_eq!(found.caller_name.as_deref(), Some("M\"uller, Hans"));
}

#[test]
fn a_broken_optional_header_is_reported_and_the_call_goes_on() {
    let found = parties(
        Vendor::Cisco,
        "sip:+4930555000@sb",
        &[
            "From: <sip:+4930123456@c>;tag=1",
            "To: <sip:+4930555000@sb>",
            "Remote-Party-ID: \"unterminated <sip:1@c>",
            "Diversion: <sip:broken",
            "Cisco-Guid: \u{7f}",
        ],
    );
    assert_eq!(found.caller.e164(), Some("+4930123456"));
    assert_eq!(found.original_called, None);
    assert_eq!(found.correlation_id, None);
    for name in ["Remote-Party-ID", "Diversion", "Cisco-Guid"] {
        assert!(found.unreadable_headers.contains(&name), "{name}");
    }
}

#[test]
fn no_header_value_makes_the_normaliser_panic() {
    // A deterministic stream of awkward header values: every profile and
    // caller-ID source must read them without panicking.
    let alphabet: Vec<char> = "<>\"\\;,=?@:%+ sip:tel:2001index=1.cause=486ä€\u{0}"
        .chars()
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..400 {
        let len = (next() % 40) as usize;
        let value: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .filter(|c| *c != '\0')
            .collect();
        let headers = [
            format!("From: {value};tag=1"),
            format!("To: {value}"),
            format!("P-Asserted-Identity: {value}"),
            format!("Remote-Party-ID: {value}"),
            format!("Diversion: {value}"),
            format!("History-Info: {value}"),
            format!("Privacy: {value}"),
            format!("P-Charging-Vector: {value}"),
        ];
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let text = format!(
            "INVITE sip:{round}@sb SIP/2.0\r\n{}\r\nContent-Length: 0\r\n\r\n",
            headers.join("\r\n")
        );
        let Ok(SipMessage::Request(request)) = SipMessage::try_from(text.as_str()) else {
            continue;
        };
        for vendor in [
            Vendor::Avaya,
            Vendor::Cisco,
            Vendor::Panasonic,
            Vendor::Lg,
            Vendor::Asterisk,
            Vendor::Generic,
        ] {
            for source in [
                CallerIdSource::Auto,
                CallerIdSource::Pai,
                CallerIdSource::Rpid,
                CallerIdSource::From,
            ] {
                let _ = inbound_parties(&Profile::for_vendor(vendor), source, &request, germany());
            }
        }
    }
}
