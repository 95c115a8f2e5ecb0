//! Non-INVITE transactions: back-off to T2, Timer F, absorbed duplicates,
//! reliable transports and the cap on server transactions.

use super::sim::{Net, Side, ms, request};
use crate::sip::message::Method;
use crate::sip::transaction::{Config, Event, Transport, TxId};

fn options(net: &mut Net, branch: &str) -> crate::sip::transaction::ClientTx {
    let request = request(Method::Options, branch, net.transport);
    net.send(request)
}

#[test]
fn a_non_invite_never_answered_backs_off_to_t2_and_times_out_on_timer_f() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uac, "OPTIONS", usize::MAX);
    let tx = options(&mut net, "z9hG4bKping");
    net.run_until(ms(60_000));

    // Timer E: 0.5, 1, 2, then capped at T2 = 4 s.
    let expected = [
        0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500,
    ];
    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS"), expected);
    let timeouts: Vec<_> = (net.uac_events.iter())
        .filter(|(_, e)| *e == Event::Timeout { tx })
        .map(|(at, _)| at.as_millis())
        .collect();
    assert_eq!(timeouts, [32_000]);
    assert!(net.uac.is_empty());
}

#[test]
fn after_a_provisional_a_non_invite_is_resent_every_t2() {
    let mut net = Net::new(Transport::Udp);
    let tx = options(&mut net, "z9hG4bKslowping");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 100);
    net.run_until(ms(10_000));
    net.respond(server, 200);
    net.run_until(ms(20_000));

    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS"), [0, 500, 4500, 8500]);
    // Each retransmission in Proceeding is answered with the provisional.
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 100"), [10, 510, 4510, 8510]);
    assert_eq!(net.uac_responses(tx), [100, 100, 100, 100, 200]);
    assert_eq!(net.uas_requests(), [server]);
}

#[test]
fn a_lost_final_is_recovered_by_the_retransmitted_request() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uas, "SIP/2.0 200", 1);
    let tx = options(&mut net, "z9hG4bKlostok");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.respond(server, 200);
    net.run_until(ms(60_000));

    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS"), [0, 500]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 200"), [10, 510]);
    assert_eq!(net.uac_responses(tx), [200]);
    assert_eq!(net.uas_requests(), [server]);
    // Timer K (T4) after the final arrived; Timer J (64*T1) after it left.
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(5520));
    assert_eq!(
        net.terminated_ms(Side::Uas, TxId::Server(server)),
        Some(32_010)
    );
}

/// A challenge answered statelessly keeps nothing: the request sent again
/// (its 401 was lost) reaches the TU anew and is answered afresh, and no
/// transaction lingers for Timer J.
#[test]
fn a_final_answered_statelessly_leaves_no_transaction_behind() {
    let mut net = Net::new(Transport::Udp);
    net.drop(Side::Uas, "SIP/2.0 401", 1);
    let tx = net.send(request(Method::Register, "z9hG4bKreg", Transport::Udp));
    net.run_until(ms(10));
    let first = net.uas_requests()[0];
    net.respond_statelessly(first, 401);
    assert!(net.uas.is_empty(), "forgotten at once");
    net.run_until(ms(600));
    let requests = net.uas_requests();
    assert_eq!(requests.len(), 2, "the retransmission is a new request");
    net.respond_statelessly(requests[1], 401);
    net.run_until(ms(1_000));
    assert_eq!(net.uac_responses(tx), [401]);
    assert!(net.uas.is_empty());
}

#[test]
fn duplicated_requests_reach_the_tu_once() {
    let mut net = Net::new(Transport::Udp);
    net.duplicate(Side::Uac, "OPTIONS", 1);
    net.duplicate(Side::Uac, "INVITE", 1);
    options(&mut net, "z9hG4bKdup1");
    net.send(request(Method::Invite, "z9hG4bKdup2", Transport::Udp));
    net.run_until(ms(100));

    assert_eq!(net.uas_requests().len(), 2);
    assert_eq!(net.uas.counters().absorbed, 2);
    // A duplicate OPTIONS in Trying has nothing to re-send; a duplicate
    // INVITE shows the peer is waiting, so 100 Trying goes out at once.
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0 100"), [10]);
    assert_eq!(net.sent_ms(Side::Uas, "SIP/2.0"), [10]);
}

#[test]
fn over_tcp_nothing_is_retransmitted_and_timers_j_and_k_are_zero() {
    let mut net = Net::new(Transport::Tcp);
    let tx = options(&mut net, "z9hG4bKtcpping");
    net.run_until(ms(10));
    let server = net.uas_requests()[0];
    net.run_until(ms(10_000));
    net.respond(server, 200);
    assert!(net.uas.is_empty(), "Timer J is zero on TCP");
    net.run_until(ms(10_010));
    assert!(net.uac.is_empty(), "Timer K is zero on TCP");

    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS"), [0]);
    assert_eq!(net.uac_responses(tx), [200]);
    assert_eq!(net.terminated_ms(Side::Uac, TxId::Client(tx)), Some(10_010));

    // Timer F still bounds the wait on a reliable transport.
    let silent = options(&mut net, "z9hG4bKtcpvoid");
    net.run_until(ms(60_000));
    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS"), [0, 10_010]);
    assert!(
        net.uac_events
            .contains(&(ms(42_010), Event::Timeout { tx: silent }))
    );
}

/// UDP, with a server side that takes two unanswered requests at most.
fn capped_at_two() -> Net {
    let uas = Config {
        max_server_transactions: 2,
        ..Config::default()
    };
    Net::with_configs(Transport::Udp, Config::default(), uas)
}

#[test]
fn past_the_cap_new_requests_get_503_with_retry_after() {
    let mut net = capped_at_two();
    options(&mut net, "z9hG4bKcap1");
    options(&mut net, "z9hG4bKcap2");
    let refused = options(&mut net, "z9hG4bKcap3");
    net.run_until(ms(10));

    let [first, second] = net.uas_requests()[..] else {
        panic!("two requests within the cap");
    };
    assert_eq!(net.uas.len(), 2, "the refused request left no state");
    assert_eq!(net.uas.counters().rejected_overload, 1);
    let refusal = (net.sent.iter())
        .find(|s| s.line.starts_with("SIP/2.0 503"))
        .expect("a 503 was sent");
    let text = String::from_utf8_lossy(&refusal.bytes);
    assert!(text.contains("Retry-After: 5\r\n"), "{text}");
    net.run_until(ms(20));
    assert_eq!(net.uac_responses(refused), [503]);

    // Once they are answered, new requests are served again at once:
    // answered transactions only linger to absorb retransmissions (Timer J
    // holds them 64*T1) and do not count against the cap.
    net.respond(first, 200);
    net.respond(second, 200);
    net.run_until(ms(40));
    options(&mut net, "z9hG4bKcap4");
    net.run_until(ms(60));
    assert_eq!(net.uas_requests().len(), 3);
    assert_eq!(net.uas.len(), 3, "the two answered ones still linger");
    net.run_until(ms(32_100));
    assert_eq!(net.uas.len(), 1, "Timer J ended the answered two");
}

/// Answered transactions do not count against the cap, but memory bounds
/// them: twenty per place of the cap in all (2,000 calls/s leave 128,000
/// lingering on UDP). Past that the oldest answered one is let go, and a
/// new request is refused only when unanswered ones fill the cap.
#[test]
fn at_twenty_per_place_of_the_cap_the_oldest_answered_transaction_makes_room() {
    let mut net = capped_at_two();
    // Two at a time, the cap on unanswered ones.
    for pair in 0..20 {
        for i in [2 * pair, 2 * pair + 1].into_iter().filter(|&i| i < 39) {
            options(&mut net, &format!("z9hG4bKbound{i}"));
        }
        net.run_until(ms(100 * pair + 50));
        for server in net.uas_requests().into_iter().skip(2 * pair as usize) {
            net.respond(server, 200);
        }
        net.run_until(ms(100 * pair + 100));
    }
    net.run_until(ms(2_100));
    assert_eq!(net.uas.len(), 39, "all answered, all lingering");
    options(&mut net, "z9hG4bKbound39");
    net.run_until(ms(2_200));
    assert_eq!(net.uas_requests().len(), 40, "the fortieth fits");
    let past_the_bound = options(&mut net, "z9hG4bKbound40");
    net.run_until(ms(2_300));
    assert!(net.uac_responses(past_the_bound).is_empty(), "not refused");
    assert_eq!(net.uas_requests().len(), 41, "the TU has it");
    assert_eq!(net.uas.len(), 40, "still forty");
    assert_eq!(net.uas.counters().let_go, 1);
    // Unanswered ones still meet the cap of two (the fortieth and the
    // forty-first wait for answers): a third is refused, nothing let go.
    let refused = options(&mut net, "z9hG4bKbound41");
    net.run_until(ms(2_400));
    assert_eq!(net.uac_responses(refused), [503]);
    assert_eq!(net.uas.counters().let_go, 1);
}

#[test]
fn a_thousand_transactions_share_one_heap_without_stale_wakeups() {
    let mut net = Net::new(Transport::Udp);
    for i in 0..1000 {
        options(&mut net, &format!("z9hG4bKmany{i}"));
    }
    net.run_until(ms(10));
    for server in net.uas_requests() {
        net.respond(server, 200);
    }
    net.run_until(ms(20));

    // Each client stopped E and F and armed K; the stale E deadlines at
    // 500 ms were pruned, so the next wakeup is a live one (K).
    assert_eq!(net.uac.poll_timeout(), Some(net.t0 + ms(5020)));
    assert!(net.uac.scheduled() <= 3 * 1000, "{}", net.uac.scheduled());
    assert_eq!(net.sent_ms(Side::Uac, "OPTIONS").len(), 1000);
    net.run_until(ms(40_000));
    assert!(net.uac.is_empty() && net.uas.is_empty());
    assert_eq!(net.uac.scheduled(), 0);
    assert_eq!(net.uas.scheduled(), 0);
}
