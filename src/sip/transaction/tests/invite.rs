//! INVITE transactions, both sides, under loss and reordering.

use super::sim::{Net, Side, ms, request};
use crate::sip::message::Method;
use crate::sip::transaction::{Event, Transport, TxId};

fn invite(net: &mut Net, branch: &str) -> crate::sip::transaction::ClientTx {
    let request = request(Method::Invite, branch, net.transport);
    net.send(request)
}

fn uas_acks(net: &Net) -> Vec<u128> {
    (net.uas_events.iter())
        .filter(|(_, e)| matches!(e, Event::Ack { .. }))
        .map(|(at, _)| at.as_millis())
        .collect()
}

fn ack_timeouts(events: &[(std::time::Duration, Event)]) -> Vec<u128> {
    (events.iter())
        .filter(|(_, e)| matches!(e, Event::AckTimeout { .. }))
        .map(|(at, _)| at.as_millis())
        .collect()
}

#[test]
fn an_invite_answered_180_then_200_is_acked_with_nothing_resent() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKcall1");
    net.run_until(ms(10));
    let [server] = net.uas_requests()[..] else {
        panic!("one INVITE reaches the UAS's TU");
    };
    net.respond(server, 180);
    net.run_until(ms(1000));
    net.respond(server, 200);
    net.run_until(ms(40_000));

    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), [0]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 100"), [] as [u128; 0]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 180"), [10]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 200"), [1000]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [1010]);
    assert_eq!(net.uac_responses(tx), [180, 200]);
    assert_eq!(uas_acks(&net), [1020]);
    // Timer M on the UAC and Timer L on the UAS: 64*T1 after the 2xx.
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(33_010));
    assert_eq!(
        net.terminated_ms(Side::Uas, TxId::Server(server)),
        Some(33_000)
    );
    assert!(net.uac.is_empty() && net.uas.is_empty());
    assert_eq!(net.uac.counters().retransmissions, 0);
    assert_eq!(net.uas.counters().retransmissions, 0);
    assert_eq!(ack_timeouts(&net.uas_events), [] as [u128; 0]);
}

#[test]
fn an_invite_the_tu_leaves_unanswered_gets_100_trying_after_200_ms() {
    let mut net = Net::new(Transport::Udp);
    let tx = invite(&mut net, "z9hG4bKslow");
    net.run_until(ms(5_000));

    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 100"), [210]);
    assert_eq!(net.uac_responses(tx), [100]);
    // The 100 arrived before Timer A (500 ms): no retransmission, and in
    // Proceeding the UAC has no timer left (Timer B guards Calling only).
    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), [0]);
    assert_eq!(net.uac.poll_timeout(), None);
}

#[test]
fn a_lost_invite_is_retransmitted_on_timer_a_at_0_5_1_5_and_3_5_s() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uac, "INVITE", 3);
    invite(&mut net, "z9hG4bKlossy");
    net.run_until(ms(20_000));

    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), [0, 500, 1500, 3500]);
    assert_eq!(net.uas_requests().len(), 1);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 100"), [3710]);
    assert_eq!(net.uac.counters().retransmissions, 3);
}

#[test]
fn an_invite_never_answered_times_out_on_timer_b_at_64_t1() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uac, "INVITE", usize::MAX);
    let tx = invite(&mut net, "z9hG4bKvoid");
    net.run_until(ms(60_000));

    // Timer A doubles without a cap: 0.5, 1, 2, 4, 8, 16 s.
    let expected = [0, 500, 1500, 3500, 7500, 15_500, 31_500];
    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), expected);
    let timeouts: Vec<_> = (net.uac_events.iter())
        .filter(|(_, e)| *e == Event::Timeout { tx })
        .map(|(at, _)| at.as_millis())
        .collect();
    assert_eq!(timeouts, [32_000]);
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(32_000));
    assert!(net.uac.is_empty());
    assert_eq!(net.uac.counters().timeouts, 1);
}

#[test]
fn a_lost_2xx_is_retransmitted_until_its_ack_comes() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uas, "SIP/2.0 200", 2);
    let tx = invite(&mut net, "z9hG4bKok");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 180);
    net.run_until(ms(1000));
    net.respond(server, 200);
    net.run_until(ms(40_000));

    // RFC 3261 §13.3.1.4, on Timer G's schedule: T1, then doubling.
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 200"), [1000, 1500, 2500]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [2510]);
    assert_eq!(uas_acks(&net), [2520]);
    assert_eq!(net.uac_responses(tx), [180, 200]);
    assert_eq!(ack_timeouts(&net.uas_events), [] as [u128; 0]);
}

#[test]
fn the_accepted_state_absorbs_invite_retransmissions() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uas, "SIP/2.0 200", 1);
    let tx = invite(&mut net, "z9hG4bKfast");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 200);
    net.run_until(ms(10_000));

    // The UAC heard nothing, so it retransmitted the INVITE at 500 ms; the
    // UAS, in Accepted, neither passed it up nor answered it: only Timer G
    // re-sent the 2xx.
    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), [0, 500]);
    assert_eq!(net.uas_requests(), [server]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 200"), [10, 510]);
    assert_eq!(net.uas.counters().absorbed, 1);
    assert_eq!(net.uac_responses(tx), [200]);
    assert_eq!(uas_acks(&net), [530]);
}

#[test]
fn a_2xx_never_acked_is_resent_until_64_t1_and_reported() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uac, "ACK", usize::MAX);
    let tx = invite(&mut net, "z9hG4bKnoack");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 200);
    net.run_until(ms(60_000));

    let resent = [
        10, 510, 1510, 3510, 7510, 11_510, 15_510, 19_510, 23_510, 27_510, 31_510,
    ];
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 200"), resent);
    // Every 2xx goes up to the UAC's TU, which ACKs each one.
    assert_eq!(net.uac_responses(tx).len(), resent.len());
    assert_eq!(net.sent_ms(Side::Uac, "ACK").len(), resent.len());
    assert_eq!(ack_timeouts(&net.uas_events), [32_010]);
    assert!(net.uas.is_empty());
}

#[test]
fn a_486_whose_ack_is_lost_is_resent_on_timer_g_until_timer_h() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uac, "ACK", usize::MAX);
    let tx = invite(&mut net, "z9hG4bKbusy");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 486);
    net.run_until(ms(60_000));

    // Timer G doubles up to T2 (4 s); Timer H gives up at 64*T1.
    let resent = [
        10, 510, 1510, 3510, 7510, 11_510, 15_510, 19_510, 23_510, 27_510, 31_510,
    ];
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 486"), resent);
    assert_eq!(ack_timeouts(&net.uas_events), [32_010]);
    assert_eq!(
        net.terminated_ms(Side::Uas, TxId::Server(server)),
        Some(32_010)
    );
    // The UAC's transaction ACKs every copy; its TU hears of the 486 once.
    let acks: Vec<u128> = resent.iter().map(|t| t + 10).collect();
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), acks);
    assert_eq!(net.uac_responses(tx), [486]);
    // Timer D: 32 s after the first 486 arrived.
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(32_020));
}

#[test]
fn the_ack_of_a_486_confirms_and_timer_i_ends_the_transaction_after_t4() {
    let mut net = Net::new(Transport::Udp);
    invite(&mut net, "z9hG4bKbusy2");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 486);
    net.run_until(ms(60_000));

    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 486"), [10]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [20]);
    // The ACK of a non-2xx belongs to the transaction, not the TU.
    assert_eq!(uas_acks(&net), [] as [u128; 0]);
    assert_eq!(
        net.terminated_ms(Side::Uas, TxId::Server(server)),
        Some(5030)
    );
    assert_eq!(ack_timeouts(&net.uas_events), [] as [u128; 0]);
}

#[test]
fn a_180_arriving_after_the_200_is_not_passed_up() {
    let mut net = Net::new(Transport::Udp);
    net.delay(Side::Uas, "SIP/2.0 180", ms(100), 1);
    let tx = invite(&mut net, "z9hG4bKreorder");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 180);
    net.respond(server, 200);
    net.run_until(ms(1_000));

    assert_eq!(net.uac_responses(tx), [200]);
    assert_eq!(net.uac.counters().absorbed, 1);
    assert_eq!(uas_acks(&net), [30]);
}

#[test]
fn over_tcp_an_invite_is_never_retransmitted_and_ends_with_its_ack() {
    let mut net = Net::new(Transport::Tcp);
    let tx = invite(&mut net, "z9hG4bKtcp");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.run_until(ms(10_000));
    net.respond(server, 486);
    net.run_until(ms(20_000));

    assert_eq!(net.sent_ms(Side::Uac, "INVITE"), [0]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 486"), [10_000]);
    assert_eq!(net.sent_ms(Side::Uac, "ACK"), [10_010]);
    // Timers D and I are zero on reliable transports.
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(10_010));
    assert_eq!(
        net.terminated_ms(Side::Uas, TxId::Server(server)),
        Some(10_020)
    );
    assert_eq!(net.uac.counters().retransmissions, 0);
    assert_eq!(net.uas.counters().retransmissions, 0);
}
