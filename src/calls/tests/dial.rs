//! Calls we place (a campaign's), in virtual time: the called party's
//! answers, the agent put through, and the ways such a call ends.

use super::*;
use crate::media::relay::Side;

/// The customer's number, called through the demo trunk.
const NUMBER: &str = "+4930123456";

fn trunk() -> Target {
    Target {
        label: NUMBER.into(),
        uri: format!("sip:{NUMBER}@10.0.0.7:5060"),
        flow: Flow::udp("10.0.0.7:5060".parse().unwrap()),
        local: local(),
        session_expires: None,
        keys_by_info: false,
    }
}

fn agent_phone() -> Target {
    Target {
        label: "1001".into(),
        uri: "sip:1001@10.0.0.9:5060".into(),
        flow: Flow::udp("10.0.0.9:5060".parse().unwrap()),
        local: local(),
        session_expires: None,
        keys_by_info: false,
    }
}

/// Places the bench's call to NUMBER for the queue `campaign-7`.
fn dial(bench: &mut Bench) -> CallId {
    let plan = Plan {
        direction: Direction::Outbound,
        trunk: Some("demo-pbx".into()),
        rule: None,
        caller: "+4940111111".into(),
        caller_e164: Some("+4940111111".into()),
        caller_name: None,
        called: NUMBER.into(),
        original_called: None,
        party_e164: Some(NUMBER.into()),
        present_as: "<sip:+4940111111@127.0.0.1>".into(),
        targets: Vec::new(),
        ring_timeout: Duration::from_secs(25),
        session_expires: None,
        record: false,
        caller_keys_by_info: false,
        media: bench.media.clone(),
        menu: None,
        queue: Some(QueueEntry {
            name: "campaign-7".into(),
            priority: 0,
        }),
        monitor: None,
    };
    let id = bench
        .calls
        .dial(bench.now(), plan, trunk())
        .expect("an anchored plan with a queue");
    bench.drain();
    id
}

fn at(bench: &mut Bench, seconds: u64) {
    bench.elapsed = Duration::from_secs(seconds);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
}

/// A request from the customer on the dialog our INVITE made.
fn customer_request(bench: &mut Bench, method: &str) {
    let invite = &bench.invites()[0].1;
    let e = message::essentials_of(&invite.headers).unwrap();
    let text = format!(
        "{method} sip:b2bua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK{method}c\r\n\
         From: <sip:{NUMBER}@10.0.0.7>;tag=phone0\r\nTo: <sip:+4940111111@127.0.0.1>;tag={}\r\n\
         Call-ID: {}\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n",
        e.from_tag.unwrap(),
        e.call_id
    );
    let SipMessage::Request(request) = message::parse(text.as_bytes()).unwrap().message else {
        unreachable!()
    };
    bench.next_tx += 1;
    let tx = ServerTx::for_tests(bench.next_tx);
    assert!(
        bench.calls.on_request(bench.now(), tx, request),
        "matched the call"
    );
    bench.drain();
}

#[test]
fn the_answered_customer_joins_the_queue_and_is_put_through_to_the_agent() {
    let mut bench = anchored();
    let id = dial(&mut bench);
    let invites = bench.invites();
    assert_eq!(invites.len(), 1, "one INVITE, to the trunk");
    let (_, invite, flow) = &invites[0];
    assert_eq!(
        invite.uri.to_string(),
        format!("sip:{NUMBER}@10.0.0.7:5060")
    );
    assert_eq!(flow.remote, "10.0.0.7:5060".parse().unwrap());
    let offer = String::from_utf8(invite.body.clone()).unwrap();
    assert!(
        offer.contains("c=IN IP4 192.0.2.7") && offer.contains("m=audio 20000 RTP/AVP 0 8 101"),
        "our own offer, from the caller's side of the anchor: {offer}"
    );
    assert!(
        header_value(&invite.headers, "From")
            .unwrap()
            .contains("+4940111111")
    );

    bench.elapsed = Duration::from_secs(3);
    bench.phone_answers(0, 180, None);
    assert!(bench.queued.is_empty(), "ringing is not answered");
    bench.elapsed = Duration::from_secs(8);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    assert_eq!(bench.acks.len(), 1, "the customer's 200 is ACKed");
    assert_eq!(bench.queued, [(id, "campaign-7".to_string())]);
    assert!(
        bench
            .media_commands
            .contains(&peer(id.0, Side::A, "10.0.0.7:5000")),
        "the customer's audio is expected from where their answer said"
    );

    // The ACD gives the call to agent 1001: their phone gets our offer
    // made on the customer's behalf.
    bench.elapsed = Duration::from_secs(9);
    bench.calls.ring(bench.now(), id, vec![agent_phone()]);
    bench.drain();
    let invites = bench.invites();
    assert_eq!(invites.len(), 2);
    let to_agent = String::from_utf8(invites[1].1.body.clone()).unwrap();
    assert!(to_agent.contains("m=audio 20002 RTP/AVP 0"), "{to_agent}");
    bench.phone_answers(1, 200, Some(SDP_ANSWER));
    let answered = bench.events.iter().any(
        |e| matches!(e, CallEvent::Answered { id: call, label } if *call == id && label == "1001"),
    );
    assert!(answered, "the agent's answer is the call's answer");

    bench.elapsed = Duration::from_secs(70);
    customer_request(&mut bench, "BYE");
    assert_eq!(byes(&bench).len(), 1, "the agent's phone is hung up");
    let ended = bench.ended().expect("ended");
    assert_eq!(ended.direction, Direction::Outbound);
    assert_eq!(ended.outcome, Outcome::Answered);
    assert_eq!(ended.answered_by.as_deref(), Some("1001"));
    assert_eq!(ended.hangup_by, Some(Party::Caller));
    let secs = |t: Option<DateTime<Utc>>| (t.unwrap() - ended.arrived_at).num_seconds();
    assert_eq!(secs(ended.picked_up_at), 8, "the customer answered at 8 s");
    assert_eq!(secs(ended.answered_at), 9, "the agent took it at 9 s");
}

#[test]
fn a_busy_number_ends_the_call_as_busy_without_a_queue() {
    let mut bench = anchored();
    dial(&mut bench);
    bench.phone_answers(0, 486, None);
    let ended = bench.ended().expect("ended");
    assert_eq!(
        (ended.outcome, ended.sip_code, ended.picked_up_at),
        (Outcome::Busy, Some(486), None)
    );
    assert!(bench.queued.is_empty());
    assert!(
        bench
            .media_commands
            .contains(&MediaCommand::Close { call: CallId(1) })
    );
}

#[test]
fn nobody_answering_in_time_is_cancelled_and_ends_as_no_answer() {
    let mut bench = anchored();
    dial(&mut bench);
    bench.phone_answers(0, 180, None);
    at(&mut bench, 24);
    assert!(bench.cancels.is_empty());
    at(&mut bench, 25);
    assert_eq!(
        bench.cancels.len(),
        1,
        "our INVITE is cancelled at the ring timeout"
    );
    assert!(
        bench.ended().is_none(),
        "the call ends with the INVITE's answer"
    );
    bench.phone_answers(0, 487, None);
    let ended = bench.ended().expect("ended");
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
}

#[test]
fn an_answer_crossing_our_cancel_is_acked_and_hung_up() {
    let mut bench = anchored();
    dial(&mut bench);
    at(&mut bench, 25);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    assert_eq!(bench.acks.len(), 1);
    assert_eq!(
        byes(&bench).len(),
        1,
        "the customer is not left on an open line"
    );
    assert!(bench.queued.is_empty());
    assert_eq!(bench.ended().unwrap().outcome, Outcome::NoAnswer);
}

#[test]
fn a_customer_no_agent_takes_hears_the_abandon_message_and_is_hung_up() {
    let mut bench = anchored();
    bench.calls.set_prompt_lengths(
        [(ABANDON_PROMPT.to_string(), Duration::from_secs(4))]
            .into_iter()
            .collect(),
    );
    let id = dial(&mut bench);
    bench.elapsed = Duration::from_secs(5);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    // An agent is rung but the grace runs out first.
    bench.calls.ring(bench.now(), id, vec![agent_phone()]);
    bench.drain();
    at(&mut bench, 7);
    bench.calls.abandon(bench.now(), id);
    bench.drain();
    assert_eq!(bench.cancels.len(), 1, "the agent's phone stops ringing");
    let played = bench.media_commands.iter().any(|c| {
        matches!(c, MediaCommand::Play { side: Side::A, prompt, looped: false, .. } if prompt == ABANDON_PROMPT)
    });
    assert!(played, "the customer hears the abandon message");
    at(&mut bench, 10);
    assert!(byes(&bench).is_empty(), "not before the message is over");
    at(&mut bench, 11);
    assert_eq!(byes(&bench).len(), 1, "then a BYE to the customer");
    let ended = bench.ended().expect("ended");
    assert!(ended.picked_up_at.is_some() && ended.answered_by.is_none());
    assert_eq!(ended.hangup_by, Some(Party::System));
}

#[test]
fn a_trunk_that_cannot_be_reached_fails_the_call() {
    let mut bench = anchored();
    dial(&mut bench);
    let tx = bench.invites()[0].0;
    bench.calls.on_timeout(bench.now(), tx);
    bench.drain();
    let ended = bench.ended().expect("ended");
    assert_eq!(
        (ended.outcome, ended.sip_code),
        (Outcome::NoAnswer, Some(408))
    );
}
