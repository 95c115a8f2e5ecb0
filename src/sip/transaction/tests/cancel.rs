//! CANCEL on both sides (RFC 3261 §9): before and after provisional
//! responses, racing the 2xx, and for no transaction at all.

use super::sim::{Net, Side, ms, request};
use crate::sip::message::Method;
use crate::sip::transaction::{ClientTx, Event, TransactionError, Transport, TxId};

fn invite(net: &mut Net, branch: &str) -> ClientTx {
    net.send(request(Method::Invite, branch, Transport::Udp))
}

fn cancelled(net: &Net) -> Vec<(u128, Event)> {
    (net.uas_events.iter())
        .filter(|(_, e)| matches!(e, Event::Cancelled { .. }))
        .map(|(at, e)| (at.as_millis(), e.clone()))
        .collect()
}

/// The text of the first message `from` sent whose first line starts with
/// `line` and which contains `containing`.
fn sent_text(net: &Net, from: Side, line: &str, containing: &str) -> Option<String> {
    (net.sent.iter())
        .filter(|s| s.from == from && s.line.starts_with(line))
        .map(|s| String::from_utf8_lossy(&s.bytes).into_owned())
        .find(|text| text.contains(containing))
}

#[test]
fn a_cancel_before_the_final_response_is_answered_200_and_reported() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKring");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 180);
    net.run_until(ms(1000));
    let cancel = net.uac.cancel(net.now, tx).expect("a ringing INVITE");
    net.pump();
    net.run_until(ms(1010));
    assert_eq!(
        cancelled(&net),
        [(1010, Event::Cancelled { invite: server })]
    );
    net.respond(server, 487);
    net.run_until(ms(40_000));

    assert_eq!(net.sent_ms(Side::Uac, "CANCEL"), [1000]);
    let ok = sent_text(&net, Side::Uas, "SIP/2.0 200", "CSeq: 1 CANCEL").expect("200 to CANCEL");
    // §9.2: the same To tag as the responses to the INVITE.
    assert!(ok.contains("tag=uas"), "{ok}");
    assert_eq!(net.uac_responses(cancel), [200]);
    assert_eq!(net.uac_responses(tx), [180, 487]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [1020]);
    assert_eq!(net.uas_requests(), [server], "the CANCEL is not the TU's");
    assert!(net.uac.is_empty() && net.uas.is_empty());
}

#[test]
fn a_cancel_asked_for_before_any_provisional_waits_for_one() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKearly");
    net.run_until(ms(100));
    let cancel = net.uac.cancel(net.now, tx).expect("a pending INVITE");
    net.pump();
    net.run_until(ms(1000));

    // §9.1: held until the 100 Trying (sent at 210 ms) arrived.
    assert_eq!(net.sent_ms(Side::Uac, "CANCEL"), [220]);
    assert_eq!(net.uac_responses(cancel), [200]);
    let server = net.uas_requests()[0];
    assert_eq!(
        cancelled(&net),
        [(230, Event::Cancelled { invite: server })]
    );
}

#[test]
fn a_held_cancel_is_dropped_when_the_final_response_comes_first() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKquick");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 486);
    net.run_until(ms(15));
    let cancel = net.uac.cancel(net.now, tx).expect("still Calling");
    net.pump();
    net.run_until(ms(1000));

    assert_eq!(net.sent_ms(Side::Uac, "CANCEL"), [] as [u128; 0]);
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(cancel)), Some(20));
    assert_eq!(net.uac_responses(tx), [486]);
}

#[test]
fn a_cancel_racing_the_200_changes_nothing() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKrace");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 180);
    net.run_until(ms(1000));
    net.respond(server, 200);
    let cancel = net
        .uac
        .cancel(net.now, tx)
        .expect("the 200 is still on the wire");
    net.pump();
    net.run_until(ms(40_000));

    // The CANCEL reached an answered INVITE: 200, and no Cancelled event.
    assert!(sent_text(&net, Side::Uas, "SIP/2.0 200", "CSeq: 1 CANCEL").is_some());
    assert_eq!(cancelled(&net), []);
    assert_eq!(net.uac_responses(cancel), [200]);
    assert_eq!(net.uac_responses(tx), [180, 200]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [1010]);
    // Once answered, an INVITE cannot be cancelled (the TU sends BYE).
    let later = net.uac.cancel(net.now, tx);
    assert_eq!(later, Err(TransactionError::UnknownTransaction));
}

#[test]
fn a_cancel_after_the_2xx_arrived_is_refused() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKlate");
    net.run_until(ms(10));
    net.respond(net.uas_requests()[0], 200);
    net.run_until(ms(20));
    assert_eq!(
        net.uac.cancel(net.now, tx),
        Err(TransactionError::NotCancellable)
    );
}

#[test]
fn a_cancel_matching_no_invite_gets_481() {
    let mut net = Net::new(Transport::Udp);
    let cancel = net.send(request(Method::Cancel, "z9hG4bKnobody", Transport::Udp));
    net.run_until(ms(1000));

    assert_eq!(net.uac_responses(cancel), [481]);
    assert_eq!(net.uas_requests(), []);
    assert_eq!(cancelled(&net), []);
}

#[test]
fn a_retransmitted_cancel_is_answered_again_without_a_second_event() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKagain");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 180);
    net.drop(Side::Uas, "SIP/2.0 200", 1);
    net.run_until(ms(1000));
    let cancel = net.uac.cancel(net.now, tx).expect("a ringing INVITE");
    net.pump();
    net.run_until(ms(2000));

    assert_eq!(net.sent_ms(Side::Uac, "CANCEL"), [1000, 1500]);
    assert_eq!(net.uac_responses(cancel), [200]);
    assert_eq!(cancelled(&net).len(), 1);
}

#[test]
fn a_cancelled_invite_never_answered_times_out_64_t1_after_the_cancel() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKdeaf");
    net.run_until(ms(10));
    net.respond(net.uas_requests()[0], 180);
    net.run_until(ms(1000));
    net.uac.cancel(net.now, tx).expect("a ringing INVITE");
    net.pump();
    // The UAS's TU ignores the Cancelled event and never sends 487.
    net.run_until(ms(60_000));

    assert!(
        net.uac_events
            .contains(&(ms(33_000), Event::Timeout { tx }))
    );
}
