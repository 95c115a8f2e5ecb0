//! SIP messages: bytes in, typed messages out, and the facts every layer
//! reads from them. The types are `rsipstack::sip`'s (see DESIGN.md); this
//! module is the only place that calls its parser, so a swap stays local.
//!
//! rsipstack's parser is lenient by design: it keeps headers as text and
//! only fails when one is read as a type. Here every message is checked once
//! at the edge for what RFC 3261 §8.1.1 makes mandatory, so the layers above
//! hold messages whose Via, From, To, Call-ID and CSeq are known good.

pub use rsipstack::sip::{Header, Headers, Method, Request, Response, SipMessage, StatusCode, Uri};

/// Largest message accepted on any transport: RFC 3261 §18.1.1 keeps UDP
/// under the path MTU, and no sane signalling message needs more than this.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("message is larger than {MAX_MESSAGE_BYTES} bytes")]
    TooLarge,
    #[error("not a SIP message: {0}")]
    Syntax(String),
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("bad {header} header: {reason}")]
    BadHeader {
        header: &'static str,
        reason: String,
    },
    #[error("CSeq method {cseq} does not match the request method {method}")]
    CSeqMismatch { cseq: String, method: String },
    #[error("the body is {actual} bytes but Content-Length says {declared}")]
    Truncated { declared: usize, actual: usize },
}

/// The identity of a message within its dialog and transaction, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Essentials {
    pub call_id: String,
    pub cseq: u32,
    /// The CSeq method: for a response, the method of its request.
    pub method: Method,
    /// The top Via's branch; RFC 3261 branches start with `z9hG4bK`.
    pub branch: Option<String>,
    /// The top Via's sent-by, as written (`host[:port]`).
    pub sent_by: String,
    pub from_tag: Option<String>,
    pub to_tag: Option<String>,
}

/// A message that passed the edge checks, with its essentials.
#[derive(Debug, Clone)]
pub struct Checked {
    pub message: SipMessage,
    pub essentials: Essentials,
}

/// Parses and checks one whole message (a datagram, or a frame cut from a
/// stream by [`crate::sip::framing`]).
pub fn parse(bytes: &[u8]) -> Result<Checked, ParseError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(ParseError::TooLarge);
    }
    check_content_length(bytes)?;
    let message = SipMessage::try_from(bytes).map_err(|e| ParseError::Syntax(e.to_string()))?;
    let version = match &message {
        SipMessage::Request(r) => &r.version,
        SipMessage::Response(r) => &r.version,
    };
    if *version != rsipstack::sip::Version::V2 {
        return Err(ParseError::Syntax(format!("unsupported version {version}")));
    }
    let essentials = essentials(&message)?;
    if let SipMessage::Request(request) = &message
        && request.method != essentials.method
    {
        return Err(ParseError::CSeqMismatch {
            cseq: essentials.method.to_string(),
            method: request.method.to_string(),
        });
    }
    Ok(Checked {
        message,
        essentials,
    })
}

/// Reads the mandatory headers of a parsed message.
pub fn essentials(message: &SipMessage) -> Result<Essentials, ParseError> {
    match message {
        SipMessage::Request(r) => essentials_of(&r.headers),
        SipMessage::Response(r) => essentials_of(&r.headers),
    }
}

/// Reads the mandatory headers of a message's header list (a message built
/// here rather than parsed, such as a request about to be sent).
pub fn essentials_of(headers: &Headers) -> Result<Essentials, ParseError> {
    let via = first(headers, "Via", |h| match h {
        Header::Via(v) => Some(v.value()),
        _ => None,
    })?;
    let via = rsipstack::sip::typed::Via::parse(first_of_list(via)).map_err(bad("Via"))?;
    let call_id = first(headers, "Call-ID", |h| match h {
        Header::CallId(v) => Some(v.value()),
        _ => None,
    })?;
    if call_id.trim().is_empty() {
        return Err(ParseError::BadHeader {
            header: "Call-ID",
            reason: "is empty".into(),
        });
    }
    let cseq = first(headers, "CSeq", |h| match h {
        Header::CSeq(v) => Some(v.value()),
        _ => None,
    })?;
    let cseq = rsipstack::sip::typed::CSeq::parse(cseq).map_err(bad("CSeq"))?;
    let from = first(headers, "From", |h| match h {
        Header::From(v) => Some(v.value()),
        _ => None,
    })?;
    let from = rsipstack::sip::typed::From::parse(from).map_err(bad("From"))?;
    let to = first(headers, "To", |h| match h {
        Header::To(v) => Some(v.value()),
        _ => None,
    })?;
    let to = rsipstack::sip::typed::To::parse(to).map_err(bad("To"))?;
    Ok(Essentials {
        call_id: call_id.trim().to_string(),
        cseq: cseq.seq,
        method: cseq.method,
        branch: via.branch().map(|b| b.value().to_string()),
        sent_by: via.sent_by().to_string(),
        from_tag: from.tag().map(|t| t.value().to_string()),
        to_tag: to.tag().map(|t| t.value().to_string()),
    })
}

/// A response to `request` as RFC 3261 §8.2.6 builds it: the request's Via
/// headers, From, To (with `to_tag` added when given and none is there),
/// Call-ID and CSeq, and an empty body.
pub fn response_to(request: &Request, status: StatusCode, to_tag: Option<&str>) -> Response {
    let mut headers = Headers::default();
    for header in request.headers.iter() {
        match header {
            Header::Via(_) | Header::From(_) | Header::CallId(_) | Header::CSeq(_) => {
                headers.push(header.clone())
            }
            Header::To(to) => headers.push(Header::To(with_tag(to, to_tag))),
            _ => {}
        }
    }
    headers.push(Header::ContentLength(0.into()));
    Response {
        status_code: status,
        wire_reason: None,
        version: rsipstack::sip::Version::V2,
        headers,
        body: Vec::new(),
    }
}

/// The ACK a client INVITE transaction sends for a non-2xx final response
/// (RFC 3261 §17.1.1.3): the INVITE's Request-URI, Call-ID, From, CSeq
/// number and Route set, only its top Via (so the ACK lands in the same
/// server transaction), and the To of the response, which carries the tag.
pub fn ack_for(invite: &Request, response: &Response) -> Request {
    let mut headers = Headers::default();
    push_top_via(&mut headers, &invite.headers);
    for header in invite.headers.iter() {
        match header {
            Header::From(_) | Header::CallId(_) | Header::Route(_) | Header::MaxForwards(_) => {
                headers.push(header.clone())
            }
            Header::CSeq(cseq) => headers.push(Header::CSeq(with_method(cseq, Method::Ack))),
            _ => {}
        }
    }
    if let Some(to) = response.headers.iter().find(|h| matches!(h, Header::To(_))) {
        headers.push(to.clone());
    }
    headers.push(Header::ContentLength(0.into()));
    bodiless(Method::Ack, invite, headers)
}

/// The CANCEL for a pending `request` (RFC 3261 §9.1): the same
/// Request-URI, Call-ID, To, From, CSeq number and Route set, and only the
/// top Via, whose branch lets the server find the request it cancels.
pub fn cancel_for(request: &Request) -> Request {
    let mut headers = Headers::default();
    push_top_via(&mut headers, &request.headers);
    for header in request.headers.iter() {
        match header {
            Header::From(_)
            | Header::To(_)
            | Header::CallId(_)
            | Header::Route(_)
            | Header::MaxForwards(_) => headers.push(header.clone()),
            Header::CSeq(cseq) => headers.push(Header::CSeq(with_method(cseq, Method::Cancel))),
            _ => {}
        }
    }
    headers.push(Header::ContentLength(0.into()));
    bodiless(Method::Cancel, request, headers)
}

fn bodiless(method: Method, like: &Request, headers: Headers) -> Request {
    Request {
        method,
        uri: like.uri.clone(),
        version: like.version,
        headers,
        body: Vec::new(),
    }
}

/// Copies the first Via entry of `from`, even when it shares a header line
/// with the next hop's (`Via: a, b`).
fn push_top_via(to: &mut Headers, from: &Headers) {
    if let Some(via) = from.iter().find_map(|h| match h {
        Header::Via(v) => Some(v.value()),
        _ => None,
    }) {
        to.push(Header::Via(rsipstack::sip::headers::untyped::Via::new(
            first_of_list(via),
        )));
    }
}

/// The CSeq with its number kept and its method replaced; a CSeq that does
/// not read as `number method` keeps its text, as the peer sent it.
fn with_method(
    cseq: &rsipstack::sip::headers::untyped::CSeq,
    method: Method,
) -> rsipstack::sip::headers::untyped::CSeq {
    let number = cseq.value().split_whitespace().next().unwrap_or_default();
    rsipstack::sip::headers::untyped::CSeq::new(format!("{number} {method}"))
}

fn with_tag(
    to: &rsipstack::sip::headers::untyped::To,
    tag: Option<&str>,
) -> rsipstack::sip::headers::untyped::To {
    match tag {
        Some(tag) if !to.value().contains(";tag=") => {
            rsipstack::sip::headers::untyped::To::new(format!("{};tag={tag}", to.value()))
        }
        _ => to.clone(),
    }
}

/// A header's value, from its first occurrence.
fn first<'a>(
    headers: &'a Headers,
    name: &'static str,
    pick: impl Fn(&'a Header) -> Option<&'a str>,
) -> Result<&'a str, ParseError> {
    header(headers, pick).ok_or(ParseError::Missing(name))
}

/// The value of the first header `pick` accepts, e.g.
/// `header(&r.headers, |h| match h { Header::To(v) => Some(v.value()), _ => None })`.
pub fn header<'a>(
    headers: &'a Headers,
    pick: impl Fn(&'a Header) -> Option<&'a str>,
) -> Option<&'a str> {
    headers.iter().find_map(pick)
}

/// The option tags a request's Require headers name that are not in
/// `supported`: a UAS must refuse such a request with 420 listing them in
/// Unsupported (RFC 3261 §8.2.2.3).
pub fn unsupported(headers: &Headers, supported: &[&str]) -> Vec<String> {
    headers
        .iter()
        .filter_map(|h| match h {
            Header::Require(v) => Some(v.value()),
            _ => None,
        })
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && !supported.iter().any(|s| s.eq_ignore_ascii_case(tag)))
        .map(str::to_string)
        .collect()
}

/// The first entry of a comma-separated header value (`Via: a, b`), taking
/// care not to split inside a quoted string.
fn first_of_list(value: &str) -> &str {
    let mut quoted = false;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return value[..i].trim(),
            _ => {}
        }
    }
    value.trim()
}

fn bad(header: &'static str) -> impl Fn(rsipstack::sip::Error) -> ParseError {
    move |e| ParseError::BadHeader {
        header,
        reason: e.to_string(),
    }
}

/// rsipstack reads a non-numeric Content-Length as 0 and a short body as
/// whatever is there; both mean a broken or truncated message (§18.3).
fn check_content_length(bytes: &[u8]) -> Result<(), ParseError> {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(()); // the parser reports the missing separator
    };
    let head = String::from_utf8_lossy(&bytes[..end]);
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") || name == "l" {
            let declared: usize = value.trim().parse().map_err(|_| ParseError::BadHeader {
                header: "Content-Length",
                reason: format!("{:?} is not a length", value.trim()),
            })?;
            let actual = bytes.len() - end - 4;
            if actual < declared {
                return Err(ParseError::Truncated { declared, actual });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds, SIP/2.0/UDP 10.0.0.2\r\n\
        Max-Forwards: 70\r\n\
        To: <sip:1001@127.0.0.1>\r\n\
        From: \"Alice, A.\" <sip:alice@10.0.0.1>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710@10.0.0.1\r\n\
        CSeq: 314159 INVITE\r\n\
        Contact: <sip:alice@10.0.0.1>\r\n\
        Content-Length: 4\r\n\r\nv=0\n";

    #[test]
    fn reads_the_essentials_of_a_request() {
        let checked = parse(INVITE.as_bytes()).unwrap();
        let e = checked.essentials;
        assert_eq!(e.call_id, "a84b4c76e66710@10.0.0.1");
        assert_eq!((e.cseq, e.method), (314159, Method::Invite));
        assert_eq!(e.branch.as_deref(), Some("z9hG4bK776asdhds"));
        assert_eq!(e.sent_by, "10.0.0.1:5060");
        assert_eq!(e.from_tag.as_deref(), Some("1928301774"));
        assert_eq!(e.to_tag, None);
    }

    #[test]
    fn a_response_copies_the_dialog_headers_and_adds_the_to_tag() {
        let SipMessage::Request(request) = parse(INVITE.as_bytes()).unwrap().message else {
            panic!("a request");
        };
        let response = response_to(&request, StatusCode::Ringing, Some("abc"));
        let text = String::from_utf8(response.to_bytes()).unwrap();
        assert!(text.starts_with("SIP/2.0 180 Ringing\r\n"), "{text}");
        assert!(text.contains("z9hG4bK776asdhds"));
        assert!(text.contains("To: <sip:1001@127.0.0.1>;tag=abc"), "{text}");
        assert!(!text.contains("Contact"), "{text}");
        let reparsed = parse(text.as_bytes()).unwrap();
        assert_eq!(reparsed.essentials.to_tag.as_deref(), Some("abc"));
    }

    #[test]
    fn the_ack_of_a_non_2xx_keeps_the_top_via_and_takes_the_to_tag() {
        let SipMessage::Request(invite) = parse(INVITE.as_bytes()).unwrap().message else {
            panic!("a request");
        };
        let busy = response_to(&invite, StatusCode::BusyHere, Some("xyz"));
        let text = String::from_utf8(ack_for(&invite, &busy).to_bytes()).unwrap();
        assert!(
            text.starts_with("ACK sip:1001@127.0.0.1 SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"));
        assert!(!text.contains("10.0.0.2"), "only the top Via: {text}");
        assert!(text.contains("CSeq: 314159 ACK\r\n"), "{text}");
        assert!(text.contains(";tag=xyz"), "{text}");
        assert!(text.ends_with("\r\n\r\n"), "no body: {text}");
        let e = parse(text.as_bytes()).unwrap().essentials;
        assert_eq!((e.method, e.to_tag.as_deref()), (Method::Ack, Some("xyz")));
    }

    #[test]
    fn a_cancel_names_the_request_it_cancels() {
        let SipMessage::Request(invite) = parse(INVITE.as_bytes()).unwrap().message else {
            panic!("a request");
        };
        let text = String::from_utf8(cancel_for(&invite).to_bytes()).unwrap();
        assert!(
            text.starts_with("CANCEL sip:1001@127.0.0.1 SIP/2.0\r\n"),
            "{text}"
        );
        let e = parse(text.as_bytes()).unwrap().essentials;
        assert_eq!((e.cseq, e.method), (314159, Method::Cancel));
        assert_eq!(e.branch.as_deref(), Some("z9hG4bK776asdhds"));
        assert_eq!(
            (e.from_tag.as_deref(), e.to_tag),
            (Some("1928301774"), None)
        );
        assert!(!text.contains("Contact"), "{text}");
    }

    #[test]
    fn refuses_messages_missing_a_mandatory_header() {
        for header in ["Via", "To", "From", "Call-ID", "CSeq"] {
            let text: String = INVITE
                .split("\r\n")
                .filter(|l| !l.starts_with(&format!("{header}:")))
                .collect::<Vec<_>>()
                .join("\r\n");
            assert_eq!(
                parse(text.as_bytes()).unwrap_err(),
                ParseError::Missing(header),
                "{header}"
            );
        }
    }

    #[test]
    fn refuses_a_cseq_of_another_method_and_a_short_body() {
        let text = INVITE.replace("314159 INVITE", "314159 BYE");
        assert!(matches!(
            parse(text.as_bytes()),
            Err(ParseError::CSeqMismatch { .. })
        ));
        let text = INVITE.replace("Content-Length: 4", "Content-Length: 40");
        assert_eq!(
            parse(text.as_bytes()).unwrap_err(),
            ParseError::Truncated {
                declared: 40,
                actual: 4
            }
        );
        let text = INVITE.replace("Content-Length: 4", "Content-Length: four");
        assert!(matches!(
            parse(text.as_bytes()),
            Err(ParseError::BadHeader {
                header: "Content-Length",
                ..
            })
        ));
    }
}
