use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::*;
use crate::sip::digest::{DigestConfig, answer, parse_challenge};
use crate::sip::guard::GuardPolicy;
use crate::sip::message::{self, SipMessage};
use crate::sip::registrar::RegistrarConfig;

const REALM: &str = "switchboard";

struct Phone {
    registrations: Registrations,
    accounts: Accounts,
    t0: Instant,
    wall: DateTime<Utc>,
    cseq: u32,
}

impl Phone {
    fn new() -> Self {
        let t0 = Instant::now();
        let mut accounts = HashMap::new();
        accounts.insert(
            "1001".to_string(),
            Ha1Set::derive("1001", REALM, "demo1001"),
        );
        Phone {
            registrations: Registrations::new(
                Digest::new(DigestConfig::new(REALM, [7; 32])),
                AuthGuard::new(GuardPolicy::default()),
                Registrar::new(RegistrarConfig::default()),
                t0,
            ),
            accounts: Arc::new(accounts),
            t0,
            wall: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            cseq: 0,
        }
    }

    /// Sends a REGISTER for `user`, with credentials when given; returns the
    /// status and the response.
    fn send(
        &mut self,
        user: &str,
        authorization: Option<String>,
        from: &str,
    ) -> Option<(u16, Response)> {
        self.cseq += 1;
        let auth = authorization
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
        let text = format!(
            "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
             Via: SIP/2.0/UDP {from};branch=z9hG4bK{}\r\n\
             From: <sip:{user}@127.0.0.1>;tag=a\r\nTo: <sip:{user}@127.0.0.1>\r\n\
             Call-ID: reg@{from}\r\nCSeq: {} REGISTER\r\n\
             Contact: <sip:{user}@{from}>\r\n{auth}Content-Length: 0\r\n\r\n",
            self.cseq, self.cseq
        );
        let checked = message::parse(text.as_bytes()).unwrap();
        let SipMessage::Request(request) = &checked.message else {
            unreachable!()
        };
        let context = Context {
            now: self.t0 + Duration::from_secs(u64::from(self.cseq)),
            wall: self.wall,
            entropy: [self.cseq as u8; 16],
        };
        let flow = Flow::udp(from.parse().unwrap());
        match self.registrations.register(
            context,
            request,
            &checked.essentials,
            flow,
            &self.accounts,
        ) {
            Outcome::Respond(response) => Some((response.status_code.code(), *response)),
            Outcome::Drop => None,
        }
    }

    /// The full exchange: REGISTER, 401, REGISTER with credentials.
    fn register(&mut self, user: &str, password: &str, from: &str) -> Option<(u16, Response)> {
        let (status, challenge) = self.send(user, None, from)?;
        assert_eq!(status, 401);
        let value = challenge
            .headers
            .iter()
            .find_map(|h| match h {
                Header::WwwAuthenticate(v) => Some(v.value().to_string()),
                _ => None,
            })
            .expect("a challenge");
        let challenge = parse_challenge(&value).unwrap();
        let credentials = answer(
            &challenge,
            "REGISTER",
            "sip:127.0.0.1",
            user,
            password,
            "c0ffee",
            1,
        );
        self.send(user, Some(credentials.to_string()), from)
    }
}

#[test]
fn the_right_password_registers_and_the_answer_lists_the_contact() {
    let mut phone = Phone::new();
    let (status, response) = phone.register("1001", "demo1001", "10.0.0.5:5060").unwrap();
    assert_eq!(status, 200);
    let text = String::from_utf8(response.to_bytes()).unwrap();
    assert!(
        text.contains("Contact: <sip:1001@10.0.0.5:5060>;expires=3600"),
        "{text}"
    );
    let now = phone.t0 + Duration::from_secs(3);
    assert_eq!(phone.registrations.contacts(now, "1001").len(), 1);
    assert!(matches!(
        phone.registrations.drain_notices().as_slice(),
        [Notice::Registered { contacts: 1, .. }]
    ));
}

#[test]
fn the_first_challenge_offers_md5_then_sha256() {
    let mut phone = Phone::new();
    let (_, response) = phone.send("1001", None, "10.0.0.5:5060").unwrap();
    let text = String::from_utf8(response.to_bytes()).unwrap();
    let sha = text.find("algorithm=SHA-256").expect("SHA-256 offered");
    let md5 = text.find("algorithm=MD5").expect("MD5 offered");
    assert!(
        md5 < sha,
        "MD5 first, for SIPp, JsSIP and older phones: {text}"
    );
}

#[test]
fn a_wrong_password_and_an_unknown_extension_look_the_same() {
    let mut phone = Phone::new();
    let (wrong, wrong_answer) = phone.register("1001", "guess", "10.0.0.5:5060").unwrap();
    let (unknown, unknown_answer) = phone.register("1099", "guess", "10.0.0.6:5060").unwrap();
    assert_eq!((wrong, unknown), (401, 401));
    let headers = |r: &Response| {
        r.headers
            .iter()
            .map(|h| h.name().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(headers(&wrong_answer), headers(&unknown_answer));
    assert!(
        phone
            .registrations
            .contacts(phone.t0 + Duration::from_secs(9), "1001")
            .is_empty()
    );
}

#[test]
fn a_scanner_is_banned_after_five_failures_and_then_gets_silence() {
    let mut phone = Phone::new();
    for _ in 0..5 {
        assert_eq!(
            phone.register("1001", "guess", "10.9.9.9:5060").unwrap().0,
            401
        );
    }
    assert!(
        phone
            .registrations
            .drain_notices()
            .iter()
            .any(|n| matches!(n, Notice::Banned(b) if b.failures == 5))
    );
    assert!(
        phone.send("1001", None, "10.9.9.9:5060").is_none(),
        "banned: no answer"
    );
    // Another source with the right password is unaffected.
    assert_eq!(
        phone
            .register("1001", "demo1001", "10.0.0.5:5060")
            .unwrap()
            .0,
        200
    );
}

#[test]
fn a_phone_cannot_register_another_extension_with_its_own_password() {
    let mut phone = Phone::new();
    let mut accounts = (*phone.accounts).clone();
    accounts.insert("1002".into(), Ha1Set::derive("1002", REALM, "demo1002"));
    phone.accounts = Arc::new(accounts);
    // Authenticates as 1002 but asks for 1001's calls.
    let (_, challenge) = phone.send("1001", None, "10.0.0.7:5060").unwrap();
    let value = challenge
        .headers
        .iter()
        .find_map(|h| match h {
            Header::WwwAuthenticate(v) => Some(v.value().to_string()),
            _ => None,
        })
        .unwrap();
    let credentials = answer(
        &parse_challenge(&value).unwrap(),
        "REGISTER",
        "sip:127.0.0.1",
        "1002",
        "demo1002",
        "abc",
        1,
    );
    let (status, _) = phone
        .send("1001", Some(credentials.to_string()), "10.0.0.7:5060")
        .unwrap();
    assert_eq!(status, 403);
}
