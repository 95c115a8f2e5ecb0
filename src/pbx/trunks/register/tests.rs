use std::time::{Duration, Instant};

use rsipstack::sip::{Header, StatusCode};

use super::*;
use crate::sip::digest::parse_credentials;
use crate::sip::message::{Essentials, response_to};

mod against_our_registrar;
mod backoff;

const SECOND: Duration = Duration::from_secs(1);
pub(super) const CHALLENGE: &str =
    "Digest realm=\"kx-ns\", nonce=\"4b1f3e\", algorithm=MD5, qop=\"auth\"";

pub(super) fn register(expires: u32) -> Register {
    Register {
        user: "301".into(),
        auth_user: "301".into(),
        password: "secret".into(),
        domain: "pbx.example".parse().expect("a domain"),
        registrar: "192.168.10.2".parse().expect("an address"),
        expires,
    }
}

pub(super) fn local() -> Local {
    Local {
        address: "192.0.2.10:5060".try_into().expect("an address"),
    }
}

/// A registration with a virtual clock.
pub(super) struct Bench {
    pub(super) registration: Registration,
    pub(super) t0: Instant,
}

impl Bench {
    pub(super) fn new(register: Register) -> Bench {
        let t0 = Instant::now();
        Bench {
            registration: Registration::new(register, Transport::Udp, local(), 7, t0),
            t0,
        }
    }

    pub(super) fn at(&self, secs: u64) -> Instant {
        self.t0 + SECOND * secs as u32
    }

    pub(super) fn secs(&self, instant: Instant) -> u64 {
        instant.duration_since(self.t0).as_secs()
    }

    /// Runs the timers up to `secs`.
    pub(super) fn run_until(&mut self, secs: u64) -> Vec<Output> {
        let end = self.at(secs);
        while let Some(due) = self.registration.poll_timeout().filter(|&due| due <= end) {
            self.registration.handle_timeout(due);
        }
        self.drain()
    }

    pub(super) fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.registration.poll_output()).collect()
    }

    /// Runs to `secs` and returns the one REGISTER sent by then.
    pub(super) fn due(&mut self, secs: u64) -> Request {
        let sent = sent(&self.run_until(secs));
        assert_eq!(sent.len(), 1, "one REGISTER by {secs} s");
        sent.into_iter().next().expect("one")
    }

    /// Answers `request` at `secs` with `status` and `headers`.
    pub(super) fn answer(
        &mut self,
        secs: u64,
        request: &Request,
        status: u16,
        headers: &[Header],
    ) -> Vec<Output> {
        let mut response = response_to(request, StatusCode::from(status), Some("reg"));
        for header in headers {
            response.headers.push(header.clone());
        }
        self.registration.on_response(self.at(secs), &response);
        self.drain()
    }
}

pub(super) fn sent(outputs: &[Output]) -> Vec<Request> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::SendRegister { request, .. } => Some((**request).clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn essentials(request: &Request) -> Essentials {
    essentials_of(&request.headers).expect("our REGISTER is well formed")
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.iter().find_map(|h| match (name, h) {
        ("Authorization", Header::Authorization(v)) => Some(v.value()),
        ("Proxy-Authorization", Header::ProxyAuthorization(v)) => Some(v.value()),
        ("Expires", Header::Expires(v)) => Some(v.value()),
        ("Contact", Header::Contact(v)) => Some(v.value()),
        ("From", Header::From(v)) => Some(v.value()),
        ("To", Header::To(v)) => Some(v.value()),
        _ => None,
    })
}

pub(super) fn www(value: &str) -> Header {
    Header::WwwAuthenticate(value.into())
}

pub(super) fn contact_expires(secs: u32) -> Header {
    Header::Contact(format!("<sip:301@192.0.2.10:5060>;expires={secs}").into())
}

/// Registers at 0 s through one challenge; returns the 200's outputs.
fn registered(bench: &mut Bench, granted: u32) -> Vec<Output> {
    let first = bench.due(0);
    let outputs = bench.answer(0, &first, 401, &[www(CHALLENGE)]);
    let second = sent(&outputs).pop().expect("answered at once");
    bench.answer(0, &second, 200, &[contact_expires(granted)])
}

#[test]
fn the_first_register_names_us_at_the_pbx() {
    let mut bench = Bench::new(register(3600));
    let request = bench.due(0);
    let text = String::from_utf8(request.to_bytes()).expect("text");
    assert!(
        text.starts_with("REGISTER sip:pbx.example SIP/2.0\r\n"),
        "{text}"
    );
    assert_eq!(essentials(&request).cseq, 1);
    assert!(header(&request, "From").is_some_and(|v| v.starts_with("<sip:301@pbx.example>;tag=")));
    assert_eq!(header(&request, "To"), Some("<sip:301@pbx.example>"));
    assert_eq!(
        header(&request, "Contact"),
        Some("<sip:301@192.0.2.10:5060>")
    );
    assert_eq!(header(&request, "Expires"), Some("3600"));
    assert_eq!(header(&request, "Authorization"), None);
    assert!(
        crate::sip::message::parse(text.as_bytes()).is_ok(),
        "{text}"
    );
}

#[test]
fn a_challenge_is_answered_with_the_password_and_the_binding_refreshed_before_it_ends() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let outputs = bench.answer(0, &first, 401, &[www(CHALLENGE)]);
    let second = sent(&outputs).pop().expect("answered at once");
    let credentials = parse_credentials(header(&second, "Authorization").expect("credentials"))
        .expect("readable");
    assert_eq!(
        (credentials.username.as_str(), credentials.realm.as_str()),
        ("301", "kx-ns")
    );
    assert_eq!(credentials.uri, "sip:pbx.example");
    let qop = credentials.qop.clone().expect("qop=auth answered");
    assert_eq!(qop.nc, 1);
    let challenge = crate::sip::digest::parse_challenge(CHALLENGE).expect("valid");
    let expected = answer(
        &challenge,
        "REGISTER",
        "sip:pbx.example",
        "301",
        "secret",
        &qop.cnonce,
        1,
    );
    assert_eq!(credentials.response, expected.response);

    let outputs = bench.answer(0, &second, 200, &[contact_expires(3600)]);
    assert_eq!(
        outputs,
        [Output::Registered {
            expires: SECOND * 3600
        }]
    );
    assert!(bench.registration.is_registered(bench.at(3599)));
    let refresh_at = bench.registration.poll_timeout().expect("a refresh");
    assert_eq!(bench.secs(refresh_at), 3570);
    let refresh = bench.due(3570);
    let (a, b, c) = (
        essentials(&first),
        essentials(&second),
        essentials(&refresh),
    );
    assert_eq!((a.cseq, b.cseq, c.cseq), (1, 2, 3), "CSeq goes up");
    assert!(
        a.call_id == b.call_id && b.call_id == c.call_id,
        "one Call-ID"
    );
    assert!(a.from_tag == c.from_tag, "one From tag");
    assert_ne!(a.branch, c.branch, "a new transaction each time");
}

#[test]
fn a_stale_nonce_is_answered_again() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let second = sent(&bench.answer(0, &first, 401, &[www(CHALLENGE)])).remove(0);
    let stale = format!("{}, stale=true", CHALLENGE.replace("4b1f3e", "9d0c7a"));
    let third = sent(&bench.answer(0, &second, 401, &[www(&stale)])).remove(0);
    let credentials =
        parse_credentials(header(&third, "Authorization").expect("credentials")).expect("ok");
    assert_eq!(credentials.nonce, "9d0c7a");
    assert_eq!(
        credentials.qop.map(|q| q.nc),
        Some(1),
        "a new nonce counts from 1"
    );
    let outputs = bench.answer(0, &third, 200, &[]);
    assert_eq!(
        outputs,
        [Output::Registered {
            expires: SECOND * 3600
        }],
        "no Contact expires and no Expires: what we asked"
    );
}

#[test]
fn a_proxy_challenge_is_answered_in_proxy_authorization() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let proxy = Header::ProxyAuthenticate(CHALLENGE.into());
    let second = sent(&bench.answer(0, &first, 407, &[proxy])).remove(0);
    assert!(header(&second, "Proxy-Authorization").is_some());
    // The registrar behind the proxy challenges too: both are answered.
    let third = sent(&bench.answer(0, &second, 401, &[www(CHALLENGE)])).remove(0);
    assert!(header(&third, "Authorization").is_some());
    let credentials =
        parse_credentials(header(&third, "Proxy-Authorization").expect("kept")).expect("readable");
    assert_eq!(
        credentials.qop.map(|q| q.nc),
        Some(2),
        "the proxy nonce used twice"
    );
}

#[test]
fn a_shorter_grant_is_honoured_and_our_contact_wins_over_expires() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let other = Header::Contact("<sip:301@10.9.9.9:5060>;expires=3000".into());
    let outputs = bench.answer(
        0,
        &first,
        200,
        &[Header::Expires("300".into()), other, contact_expires(120)],
    );
    assert_eq!(
        outputs,
        [Output::Registered {
            expires: SECOND * 120
        }]
    );
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("refresh")),
        108
    );

    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let outputs = bench.answer(0, &first, 200, &[Header::Expires("300".into())]);
    assert_eq!(
        outputs,
        [Output::Registered {
            expires: SECOND * 300
        }]
    );
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("refresh")),
        270
    );
}

#[test]
fn interval_too_brief_retries_at_once_with_min_expires() {
    let mut bench = Bench::new(register(60));
    let first = bench.due(0);
    let min = Header::MinExpires("600".into());
    let second = sent(&bench.answer(0, &first, 423, &[min])).remove(0);
    assert_eq!(header(&second, "Expires"), Some("600"));
    assert_eq!(essentials(&second).cseq, 2);
    assert_eq!(bench.registration.expires(), 600);

    // A 423 that asks for nothing more is a failure, not a loop.
    let third = sent(&bench.answer(0, &second, 423, &[Header::MinExpires("600".into())]));
    assert!(third.is_empty());
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("retry")),
        30
    );
}

#[test]
fn answers_to_other_requests_and_provisional_ones_change_nothing() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    assert!(bench.answer(0, &first, 100, &[]).is_empty());
    let mut other = first.clone();
    other.headers.retain(|h| !matches!(h, Header::CSeq(_)));
    other.headers.push(Header::CSeq("9 REGISTER".into()));
    assert!(bench.answer(0, &other, 200, &[]).is_empty());
    assert!(!bench.registration.is_registered(bench.at(1)));
    assert!(!bench.answer(0, &first, 200, &[]).is_empty());
    assert!(
        bench.answer(0, &first, 200, &[]).is_empty(),
        "a retransmitted 200"
    );
}

#[test]
fn stopping_removes_the_binding_and_sends_nothing_more() {
    let mut bench = Bench::new(register(3600));
    registered(&mut bench, 3600);
    bench.registration.stop(bench.at(100));
    let removal = sent(&bench.drain()).pop().expect("a removal");
    assert_eq!(header(&removal, "Expires"), Some("0"));
    assert_eq!(essentials(&removal).cseq, 3);
    let outputs = bench.answer(100, &removal, 200, &[]);
    assert_eq!(outputs, [Output::Stopped]);
    assert!(!bench.registration.is_registered(bench.at(101)));
    assert_eq!(bench.registration.poll_timeout(), None);

    // Never registered: nothing to remove.
    let mut bench = Bench::new(register(3600));
    bench.registration.stop(bench.t0);
    assert_eq!(bench.drain(), [Output::Stopped]);
    assert!(bench.run_until(7200).is_empty());
}

#[test]
fn refreshes_keep_a_margin_before_the_binding_ends() {
    for (granted, refresh) in [
        (3600, 3570),
        (600, 570),
        (120, 108),
        (60, 54),
        (30, 25),
        (8, 4),
    ] {
        assert_eq!(
            refresh_after(SECOND * granted),
            SECOND * refresh,
            "{granted} s"
        );
    }
}
