//! One side of a call as a SIP dialog (RFC 3261 §12): the identifiers and
//! route that every in-dialog request of that side must carry, and the
//! building of those requests.
//!
//! A B2BUA holds two dialogs per call: toward the caller it is the UAS
//! (built from the INVITE it received), toward the callee the UAC (built
//! from the INVITE it sent and completed by the callee's answer).

use rsipstack::sip::typed;

use crate::sip::message::{Header, Headers, Method, Request, Response, Uri, header};
use crate::sip::transport::Flow;

/// This server as seen on one flow: what goes in its Via and Contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// `host:port` for Via sent-by.
    pub sent_by: String,
    /// The Contact URI for dialogs on this flow.
    pub contact: String,
}

#[derive(Debug, Clone)]
pub struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: Option<String>,
    /// Our name-addr (From of our requests), without tag.
    pub local_uri: String,
    /// Theirs (To of our requests), without tag.
    pub remote_uri: String,
    /// Where in-dialog requests go: the peer's Contact.
    pub remote_target: String,
    /// Route headers of in-dialog requests, in order.
    pub route_set: Vec<String>,
    pub local_cseq: u32,
    pub remote_cseq: u32,
    pub flow: Flow,
    pub local: Local,
}

impl Dialog {
    /// The UAS side, from a dialog-creating INVITE.
    pub fn from_invite(
        invite: &Request,
        local_tag: String,
        flow: Flow,
        local: Local,
    ) -> Option<Dialog> {
        let from = typed::From::parse(header(&invite.headers, |h| match h {
            Header::From(v) => Some(v.value()),
            _ => None,
        })?)
        .ok()?;
        let to = header(&invite.headers, |h| match h {
            Header::To(v) => Some(v.value()),
            _ => None,
        })?;
        let contact = contact_uri(&invite.headers).unwrap_or_else(|| from.uri.to_string());
        Some(Dialog {
            call_id: call_id(&invite.headers)?,
            local_tag,
            remote_tag: from.tag().map(|t| t.value().to_string()),
            local_uri: without_tag(to),
            remote_uri: without_tag(header(&invite.headers, |h| match h {
                Header::From(v) => Some(v.value()),
                _ => None,
            })?),
            remote_target: contact,
            route_set: record_routes(&invite.headers),
            local_cseq: 1,
            remote_cseq: cseq(&invite.headers).unwrap_or(0),
            flow,
            local,
        })
    }

    /// Completes the UAC side from the callee's provisional or final answer
    /// (its To tag, Contact and Record-Route, the latter in reverse).
    pub fn confirm(&mut self, response: &Response) {
        if let Some(to) = header(&response.headers, |h| match h {
            Header::To(v) => Some(v.value()),
            _ => None,
        }) && let Ok(to) = typed::To::parse(to)
        {
            self.remote_tag = to.tag().map(|t| t.value().to_string());
        }
        if let Some(contact) = contact_uri(&response.headers) {
            self.remote_target = contact;
        }
        let mut routes = record_routes(&response.headers);
        routes.reverse();
        self.route_set = routes;
    }

    /// A new in-dialog request (BYE, re-INVITE, UPDATE, INFO), with its own
    /// branch and the next CSeq.
    pub fn request(
        &mut self,
        method: Method,
        branch: &str,
        body: Option<(&str, &[u8])>,
    ) -> Request {
        if method != Method::Ack {
            self.local_cseq += 1;
        }
        let mut headers = Headers::default();
        headers.push(Header::Via(
            format!(
                "SIP/2.0/{} {};branch={branch};rport",
                self.flow.transport.via_name(),
                self.local.sent_by
            )
            .into(),
        ));
        headers.push(Header::MaxForwards(70.into()));
        for route in &self.route_set {
            headers.push(Header::Route(route.clone().into()));
        }
        headers.push(Header::From(
            format!("{};tag={}", self.local_uri, self.local_tag).into(),
        ));
        let to = match &self.remote_tag {
            Some(tag) => format!("{};tag={tag}", self.remote_uri),
            None => self.remote_uri.clone(),
        };
        headers.push(Header::To(to.into()));
        headers.push(Header::CallId(self.call_id.clone().into()));
        headers.push(Header::CSeq(format!("{} {method}", self.local_cseq).into()));
        headers.push(Header::Contact(format!("<{}>", self.local.contact).into()));
        let body = with_body(&mut headers, body);
        Request {
            method,
            uri: Uri::try_from(self.remote_target.as_str())
                .unwrap_or_else(|_| fallback_uri(&self.flow)),
            version: rsipstack::sip::Version::V2,
            headers,
            body,
        }
    }

    /// Whether an in-dialog request from the peer belongs to this dialog.
    pub fn matches(&self, call_id: &str, from_tag: Option<&str>, to_tag: Option<&str>) -> bool {
        self.call_id == call_id
            && to_tag == Some(self.local_tag.as_str())
            && from_tag == self.remote_tag.as_deref()
    }
}

/// Appends Content-Type/Length for `body` and returns its bytes.
pub fn with_body(headers: &mut Headers, body: Option<(&str, &[u8])>) -> Vec<u8> {
    match body {
        Some((content_type, bytes)) => {
            headers.push(Header::ContentType(content_type.into()));
            headers.push(Header::ContentLength((bytes.len() as u32).into()));
            bytes.to_vec()
        }
        None => {
            headers.push(Header::ContentLength(0.into()));
            Vec::new()
        }
    }
}

/// Whether a Content-Type names `media_type` (`type/subtype`), whatever
/// its parameters and letter case.
pub fn is_media_type(content_type: &str, media_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
}

/// The Content-Type and body of a message, when it has a body.
pub fn body_of<'a>(headers: &'a Headers, body: &'a [u8]) -> Option<(&'a str, &'a [u8])> {
    if body.is_empty() {
        return None;
    }
    let content_type = header(headers, |h| match h {
        Header::ContentType(v) => Some(v.value()),
        _ => None,
    })
    .unwrap_or("application/sdp");
    Some((content_type, body))
}

fn call_id(headers: &Headers) -> Option<String> {
    header(headers, |h| match h {
        Header::CallId(v) => Some(v.value()),
        _ => None,
    })
    .map(|v| v.trim().to_string())
}

fn cseq(headers: &Headers) -> Option<u32> {
    let value = header(headers, |h| match h {
        Header::CSeq(v) => Some(v.value()),
        _ => None,
    })?;
    typed::CSeq::parse(value).ok().map(|c| c.seq)
}

/// The URI of the first Contact, if it parses.
pub fn contact_uri(headers: &Headers) -> Option<String> {
    let value = header(headers, |h| match h {
        Header::Contact(v) => Some(v.value()),
        _ => None,
    })?;
    typed::Contact::parse_header_list(value)
        .ok()?
        .into_iter()
        .next()
        .map(|c| c.uri.to_string())
}

/// Every Record-Route entry, in message order.
fn record_routes(headers: &Headers) -> Vec<String> {
    headers
        .iter()
        .filter_map(|h| match h {
            Header::RecordRoute(v) => Some(v.value()),
            _ => None,
        })
        .flat_map(split_list)
        .collect()
}

/// Splits a comma-separated header value outside quotes and angle brackets.
fn split_list(value: &str) -> Vec<String> {
    let (mut parts, mut current, mut quoted, mut angle) = (Vec::new(), String::new(), false, false);
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// A name-addr without its `;tag=` parameter.
pub fn without_tag(value: &str) -> String {
    let mut out = Vec::new();
    for (i, part) in value.split(';').enumerate() {
        if i > 0 && part.trim().to_ascii_lowercase().starts_with("tag=") {
            continue;
        }
        out.push(part);
    }
    out.join(";").trim().to_string()
}

/// Where to send when a peer's Contact is unusable: its flow's address.
fn fallback_uri(flow: &Flow) -> Uri {
    Uri::try_from(format!("sip:{}", flow.remote).as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stripped_but_other_parameters_kept() {
        assert_eq!(
            without_tag("<sip:a@b;user=phone>;tag=x;foo=1"),
            "<sip:a@b;user=phone>;foo=1"
        );
        assert_eq!(without_tag("\"A;B\" <sip:a@b>"), "\"A;B\" <sip:a@b>");
    }

    #[test]
    fn record_route_lists_split_outside_brackets() {
        assert_eq!(
            split_list("<sip:p1;lr>, <sip:p2;lr;x=\"a,b\">"),
            ["<sip:p1;lr>", "<sip:p2;lr;x=\"a,b\">"]
        );
    }
}
