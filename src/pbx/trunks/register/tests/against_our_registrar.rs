//! The registration client against Switchboard's own registrar (digest
//! server, scanner guard, bindings), every message printed and parsed again
//! as it would cross the wire.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::*;
use crate::sip::digest::{Digest, DigestConfig, Ha1Set};
use crate::sip::guard::{AuthGuard, GuardPolicy};
use crate::sip::message::{SipMessage, parse};
use crate::sip::registrar::{Registrar, RegistrarConfig};
use crate::sip::registration::{Context, Outcome, Registrations};
use crate::sip::transport::Flow;

const REALM: &str = "switchboard";

struct Pbx {
    server: Registrations,
    accounts: crate::sip::registration::Accounts,
    t0: Instant,
    wall0: DateTime<Utc>,
    answered: u8,
}

impl Pbx {
    fn new(t0: Instant, password: &str, config: RegistrarConfig) -> Pbx {
        let mut accounts = HashMap::new();
        accounts.insert("301".to_string(), Ha1Set::derive("301", REALM, password));
        Pbx {
            server: Registrations::new(
                Digest::new(DigestConfig::new(REALM, [9; 32])),
                AuthGuard::new(GuardPolicy::default()),
                Registrar::new(config),
                t0,
            ),
            accounts: Arc::new(accounts),
            t0,
            wall0: DateTime::from_timestamp(1_800_000_000, 0).expect("a valid time"),
            answered: 0,
        }
    }

    fn answer(&mut self, now: Instant, request: &Request) -> Response {
        let checked = parse(&request.to_bytes()).expect("our REGISTER parses");
        let SipMessage::Request(request) = checked.message else {
            panic!("a request");
        };
        self.answered += 1;
        let elapsed = chrono::Duration::from_std(now - self.t0).expect("short");
        let context = Context {
            now,
            wall: self.wall0 + elapsed,
            entropy: [self.answered; 16],
        };
        let flow = Flow::udp("192.0.2.10:5060".parse().expect("an address"));
        let Outcome::Respond(response) =
            self.server
                .register(context, &request, &checked.essentials, flow, &self.accounts)
        else {
            panic!("dropped");
        };
        let SipMessage::Response(response) = parse(&response.to_bytes()).expect("ok").message
        else {
            panic!("a response");
        };
        response
    }
}

/// Runs the timers to `secs` and plays every REGISTER against `pbx` at
/// once; returns everything the registration said, and the REGISTERs.
fn exchange(bench: &mut Bench, pbx: &mut Pbx, secs: u64) -> (Vec<Output>, Vec<Request>) {
    let now = bench.at(secs);
    let mut outputs = bench.run_until(secs);
    let mut requests = Vec::new();
    let mut next = 0;
    while let Some(request) = sent(&outputs[next..]).into_iter().next() {
        next = outputs.len();
        let response = pbx.answer(now, &request);
        requests.push(request);
        bench.registration.on_response(now, &response);
        outputs.extend(bench.drain());
    }
    (outputs, requests)
}

fn events(outputs: &[Output]) -> Vec<Output> {
    outputs
        .iter()
        .filter(|o| !matches!(o, Output::SendRegister { .. }))
        .cloned()
        .collect()
}

#[test]
fn registers_through_a_challenge_and_refreshes_within_the_lifetime_granted() {
    let mut bench = Bench::new(register(3600));
    let mut pbx = Pbx::new(bench.t0, "secret", RegistrarConfig::default());
    let (outputs, requests) = exchange(&mut bench, &mut pbx, 0);
    assert_eq!(
        requests.len(),
        2,
        "REGISTER, 401, REGISTER with credentials"
    );
    assert_eq!(
        events(&outputs),
        [Output::Registered {
            expires: SECOND * 3600
        }]
    );
    let bound = pbx.server.contacts(bench.at(1), "301");
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0].contact, "sip:301@192.0.2.10:5060");

    let refresh = bench.registration.poll_timeout().expect("a refresh");
    assert_eq!(bench.secs(refresh), 3570);
    let (outputs, requests) = exchange(&mut bench, &mut pbx, 3570);
    assert_eq!(events(&outputs).len(), 1, "{outputs:?}");
    let cseqs: Vec<u32> = requests.iter().map(|r| essentials(r).cseq).collect();
    assert_eq!(cseqs, [3, 4]);
    assert!(bench.registration.is_registered(bench.at(3570 + 3599)));
    assert_eq!(pbx.server.contacts(bench.at(3570 + 3599), "301").len(), 1);
}

#[test]
fn a_longer_lifetime_than_the_registrar_allows_is_cut_to_its_maximum() {
    let mut bench = Bench::new(register(7200));
    let config = RegistrarConfig {
        max_expires: 1800,
        ..RegistrarConfig::default()
    };
    let mut pbx = Pbx::new(bench.t0, "secret", config);
    let (outputs, _) = exchange(&mut bench, &mut pbx, 0);
    assert_eq!(
        events(&outputs),
        [Output::Registered {
            expires: SECOND * 1800
        }]
    );
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("refresh")),
        1770
    );
}

#[test]
fn a_too_short_lifetime_is_raised_to_the_registrars_minimum() {
    let mut bench = Bench::new(register(120));
    let config = RegistrarConfig {
        min_expires: 600,
        ..RegistrarConfig::default()
    };
    let mut pbx = Pbx::new(bench.t0, "secret", config);
    let (outputs, requests) = exchange(&mut bench, &mut pbx, 0);
    let asked: Vec<&str> = requests
        .iter()
        .filter_map(|r| header(r, "Expires"))
        .collect();
    assert_eq!(asked, ["120", "120", "600", "600"], "401, 423, 401, 200");
    assert_eq!(
        events(&outputs),
        [Output::Registered {
            expires: SECOND * 600
        }]
    );
}

#[test]
fn a_wrong_password_fails_after_one_answer_and_waits() {
    let mut bench = Bench::new(register(3600));
    let mut pbx = Pbx::new(bench.t0, "another", RegistrarConfig::default());
    let (outputs, requests) = exchange(&mut bench, &mut pbx, 0);
    assert_eq!(requests.len(), 2);
    assert_eq!(
        events(&outputs),
        [Output::Failed {
            reason: Failure::BadCredentials { status: 401 },
            retry_in: SECOND * 30
        }]
    );
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("retry")),
        30
    );
}

#[test]
fn stopping_removes_our_binding_from_the_registrar() {
    let mut bench = Bench::new(register(3600));
    let mut pbx = Pbx::new(bench.t0, "secret", RegistrarConfig::default());
    exchange(&mut bench, &mut pbx, 0);
    bench.registration.stop(bench.at(10));
    let (outputs, requests) = exchange(&mut bench, &mut pbx, 10);
    assert_eq!(requests.len(), 2, "Expires: 0, challenged, answered");
    assert_eq!(events(&outputs), [Output::Stopped]);
    assert!(pbx.server.contacts(bench.at(11), "301").is_empty());
}
