//! Which transaction a message lands in (RFC 3261 §17.1.3, §17.2.3), and
//! what the TU and the driver may not do.

use std::time::Instant;

use super::sim::{Net, Side, ms, request};
use crate::sip::message::{self, Method};
use crate::sip::transaction::{
    Config, Event, Flow, MAGIC_COOKIE, Output, TransactionLayer, Transport, new_branch,
};

fn events(layer: &mut TransactionLayer) -> Vec<Event> {
    std::iter::from_fn(|| layer.poll_output())
        .filter_map(|o| match o {
            Output::Event(e) => Some(e),
            Output::Transmit { .. } => None,
        })
        .collect()
}

fn flow() -> Flow {
    Flow::udp("10.0.0.1:5060".parse().expect("a literal address"))
}

#[test]
fn a_stray_response_is_reported_and_counted() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Config::default(), 1);
    let text = "SIP/2.0 200 OK\r\n\
        Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKnobody\r\n\
        To: <sip:b@x>;tag=1\r\nFrom: <sip:a@x>;tag=2\r\nCall-ID: stray\r\n\
        CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    let checked = message::parse(text.as_bytes()).expect("a valid response");
    layer.receive(t0, checked, flow());

    let got = events(&mut layer);
    assert!(matches!(got[..], [Event::StrayResponse { .. }]), "{got:?}");
    assert_eq!(layer.counters().stray_responses, 1);
    assert!(layer.is_empty());
}

#[test]
fn the_same_branch_from_another_sent_by_is_another_transaction() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Config::default(), 1);
    let one = request(Method::Options, "z9hG4bKsame", Transport::Udp).to_bytes();
    let other = String::from_utf8_lossy(&one).replacen("10.0.0.1:5060;", "10.0.0.9:5060;", 1);
    for bytes in [one.clone(), other.into_bytes(), one] {
        let checked = message::parse(&bytes).expect("a valid request");
        layer.receive(t0, checked, flow());
    }

    let requests = (events(&mut layer).iter())
        .filter(|e| matches!(e, Event::Request { .. }))
        .count();
    assert_eq!(requests, 2);
    assert_eq!(layer.counters().absorbed, 1);
}

#[test]
fn an_rfc_2543_invite_without_the_magic_cookie_is_still_matched() {
    let mut net = Net::new(Transport::Udp);
    net.duplicate(Side::Uac, "INVITE", 1);
    net.send(request(Method::Invite, "1234abc", Transport::Udp));
    net.run_until(ms(10));
    let [server] = net.uas_requests()[..] else {
        panic!("the duplicate was absorbed");
    };
    net.respond(server, 486);
    net.run_until(ms(40_000));

    // Its ACK (Call-ID, CSeq, From tag and Via repeated) confirmed the
    // transaction: no Timer G retransmission, Timer I ended it.
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 486"), [10]);
    assert_eq!(
        net.terminated_ms(Side::Uas, crate::sip::transaction::TxId::Server(server)),
        Some(5030)
    );
}

#[test]
fn new_branches_carry_the_magic_cookie_and_the_entropy() {
    let branch = new_branch([0xab; 16]);
    assert!(branch.starts_with(MAGIC_COOKIE));
    assert_eq!(branch.len(), MAGIC_COOKIE.len() + 32);
    assert_ne!(branch, new_branch([0xac; 16]));
}

#[test]
fn an_ack_cannot_start_a_transaction() {
    let t0 = Instant::now();
    let mut layer = TransactionLayer::new(Config::default(), 1);
    let ack = request(Method::Ack, "z9hG4bKack", Transport::Udp);
    let refused = layer.send_request(t0, ack, flow());
    assert_eq!(
        refused,
        Err(crate::sip::transaction::TransactionError::AckIsNotATransaction)
    );
}

#[test]
fn a_second_final_response_is_refused() {
    let mut net = Net::new(Transport::Udp);
    net.send(request(Method::Options, "z9hG4bKtwice", Transport::Udp));
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 200);
    let request = request(Method::Options, "z9hG4bKtwice", Transport::Udp);
    let again = message::response_to(&request, message::StatusCode::BusyHere, Some("uas"));
    assert_eq!(
        net.uas.respond(net.now, server, again),
        Err(crate::sip::transaction::TransactionError::FinalAlreadySent)
    );
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0"), [10]);
}

#[test]
fn a_failed_connection_ends_every_transaction_on_it() {
    use crate::sip::transaction::TxId;
    let mut net = Net::new(Transport::Tcp);
    let tx = net.send(request(Method::Invite, "z9hG4bKcut", Transport::Tcp));
    net.run_until(ms(10));
    let server = net.uas_requests()[0];

    let uas_flow = net.flow_from(Side::Uas);
    net.uas.flow_failed(uas_flow);
    let uac_flow = net.flow_from(Side::Uac);
    net.uac.flow_failed(uac_flow);
    net.pump();

    let failed = Event::TransportError {
        tx: TxId::Server(server),
    };
    assert!(net.uas_events.iter().any(|(_, e)| *e == failed));
    let failed = Event::TransportError {
        tx: TxId::Client(tx),
    };
    assert!(net.uac_events.iter().any(|(_, e)| *e == failed));
    assert!(net.uac.is_empty() && net.uas.is_empty());
    assert_eq!(net.uac.poll_timeout(), None);
}
