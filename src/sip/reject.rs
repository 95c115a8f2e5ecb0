//! Answering requests that could not be parsed (RFC 3261 §8.2, §21.4.1).
//!
//! A message that fails [`super::message::parse`] cannot be turned into a
//! typed response, yet the sender deserves one when it is a request whose
//! routing headers are readable: it stops retransmitting and learns why.
//! This builds that response from the raw header lines. Responses, ACKs and
//! anything without Via, From, To, Call-ID and CSeq are dropped instead
//! (there is nowhere safe to send an answer).

/// A raw answer to the unparsable `bytes`, or `None` when none may be sent.
/// `reason` (the parse error) goes in a Warning header, sanitised; `to_tag`
/// is added to To when it has none, as for any final response (§8.2.6.2).
pub fn rejection(bytes: &[u8], reason: &str, to_tag: &str) -> Option<Vec<u8>> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(bytes.len());
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let start = lines.next()?;
    let (method, version) = request_line(start)?;
    if method == "ACK" {
        return None;
    }
    let mut copied = Vec::new();
    let mut found = [false; 5];
    for line in lines {
        let Some((name, _)) = line.split_once(':') else {
            continue;
        };
        let Some(slot) = routing_header(name.trim()) else {
            continue;
        };
        // Only the first To/From/Call-ID/CSeq is copied; every Via is.
        if found[slot] && slot != 0 {
            continue;
        }
        found[slot] = true;
        if slot == 2 && !line.contains(";tag=") {
            copied.push(format!("{line};tag={to_tag}"));
        } else {
            copied.push(line.to_string());
        }
    }
    if found.contains(&false) {
        return None;
    }
    let status = if !version.eq_ignore_ascii_case("SIP/2.0") {
        "505 Version Not Supported"
    } else if known_method(method) {
        "400 Bad Request"
    } else {
        "501 Not Implemented"
    };
    let mut out = format!("SIP/2.0 {status}\r\n");
    for line in copied {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "Warning: 399 switchboard \"{}\"\r\nContent-Length: 0\r\n\r\n",
        sanitise(reason)
    ));
    Some(out.into_bytes())
}

/// The method and version of a request line (`METHOD uri SIP/x.y`), if
/// it is one.
fn request_line(start: &str) -> Option<(&str, &str)> {
    let mut parts = start.split(' ');
    let method = parts.next()?;
    let _uri = parts.next()?;
    let version = parts.next()?;
    let token = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
    let sip = version.len() > 4 && version[..4].eq_ignore_ascii_case("SIP/");
    (token && sip).then_some((method, version))
}

/// Which of Via, From, To, Call-ID, CSeq a header name is (long or compact).
fn routing_header(name: &str) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "via" | "v" => Some(0),
        "from" | "f" => Some(1),
        "to" | "t" => Some(2),
        "call-id" | "i" => Some(3),
        "cseq" => Some(4),
        _ => None,
    }
}

fn known_method(method: &str) -> bool {
    rsipstack::sip::Method::all()
        .iter()
        .any(|m| m.to_string() == method)
}

/// The reason as a quoted-string: printable ASCII, no quotes, bounded.
fn sanitise(reason: &str) -> String {
    reason
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .take(120)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Option<String> {
        rejection(text.as_bytes(), "bad \"CSeq\"\r\nX: y", "t1")
            .map(|b| String::from_utf8(b).unwrap())
    }

    const HEAD: &str = "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nv: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n\
        f: <sip:a@x>;tag=9\r\nTo: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: x INVITE\r\n";

    #[test]
    fn a_bad_request_gets_400_with_its_routing_headers() {
        let text = answer(&format!("INVITE sip:b@y SIP/2.0\r\n{HEAD}\r\n")).unwrap();
        assert!(text.starts_with("SIP/2.0 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("branch=z9hG4bK1") && text.contains("branch=z9hG4bK2"));
        assert!(text.contains("To: <sip:b@y>;tag=t1\r\n"), "{text}");
        assert!(text.contains("Call-ID: c1\r\nCSeq: x INVITE\r\n"));
        assert!(
            text.contains("Warning: 399 switchboard \"bad 'CSeq'??X: y\"\r\n"),
            "the reason cannot break the header: {text}"
        );
    }

    #[test]
    fn another_sip_version_gets_505() {
        let text = answer(&format!("OPTIONS sip:b@y SIP/3.0\r\n{HEAD}\r\n")).unwrap();
        assert!(
            text.starts_with("SIP/2.0 505 Version Not Supported\r\n"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_method_gets_501() {
        let text = answer(&format!("FROBNICATE sip:b@y SIP/2.0\r\n{HEAD}\r\n")).unwrap();
        assert!(
            text.starts_with("SIP/2.0 501 Not Implemented\r\n"),
            "{text}"
        );
    }

    #[test]
    fn responses_acks_and_headless_requests_get_nothing() {
        assert_eq!(answer(&format!("SIP/2.0 200 OK\r\n{HEAD}\r\n")), None);
        assert_eq!(answer(&format!("ACK sip:b@y SIP/2.0\r\n{HEAD}\r\n")), None);
        let no_call_id = HEAD.replace("Call-ID: c1\r\n", "");
        assert_eq!(
            answer(&format!("BYE sip:b@y SIP/2.0\r\n{no_call_id}\r\n")),
            None
        );
        assert_eq!(answer("\u{0}\u{1}garbage"), None);
        assert_eq!(answer(""), None);
    }
}
