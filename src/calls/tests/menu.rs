//! Calls a voice menu answers, in virtual time: the greeting, keys, the
//! chosen phone put through, and each way it can end.

use super::*;
use crate::media::relay::Side;

const MENUS: &str = r#"
[menu.main]
greeting = "welcome"
invalid = "invalid"
goodbye = "goodbye"
timeout = 5
tries = 2
keys = { 1 = { ring = "1001", ring_timeout = 20 }, 4 = { queue = "sales" } }

[queue.sales]
"#;

/// A bench whose next call a menu answers; the greeting lasts 3 s.
fn menu_bench() -> Bench {
    let mut bench = anchored();
    let plan = crate::dialplan::load(&[("m.toml".into(), MENUS.into())]).unwrap();
    bench.menu = Some(MenuEntry {
        menus: plan.menus().clone(),
        name: "main".into(),
    });
    let lengths = [("welcome", 3), ("invalid", 1), ("goodbye", 2)]
        .map(|(name, seconds)| (name.to_string(), Duration::from_secs(seconds)));
    bench
        .calls
        .set_prompt_lengths(lengths.into_iter().collect());
    bench
}

fn at(bench: &mut Bench, seconds: u64) {
    bench.elapsed = Duration::from_secs(seconds);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
}

/// The prompts played to the caller so far, in order.
fn played(bench: &Bench) -> Vec<(String, u8, bool)> {
    bench
        .media_commands
        .iter()
        .filter_map(|c| match c {
            MediaCommand::Play {
                side: Side::A,
                prompt,
                pt,
                looped,
                ..
            } => Some((prompt.clone(), *pt, *looped)),
            _ => None,
        })
        .collect()
}

fn prompts(bench: &Bench) -> Vec<String> {
    played(bench).into_iter().map(|(p, _, _)| p).collect()
}

fn phone_1001() -> Target {
    Target {
        label: "1001".into(),
        uri: "sip:1001@10.0.0.7:5060".into(),
        flow: Flow::udp("10.0.0.7:5060".parse().unwrap()),
        local: local(),
        session_expires: None,
        keys_by_info: false,
    }
}

fn key(bench: &mut Bench, digit: char) {
    bench.calls.on_digit(bench.now(), CallId(1), Side::A, digit);
    bench.drain();
}

#[test]
fn the_menu_answers_with_our_sdp_and_plays_the_greeting_in_the_callers_codec() {
    let mut bench = menu_bench();
    bench.call(0, true);
    assert_eq!(bench.codes_to_caller(), [200], "the menu answers at once");
    let answer = String::from_utf8(bench.responses[0].1.body.clone()).unwrap();
    assert!(answer.contains("c=IN IP4 192.0.2.7\r\n"), "{answer}");
    assert!(answer.contains("m=audio 20000 RTP/AVP 0\r\n"), "{answer}");
    assert_eq!(played(&bench), [("welcome".to_string(), 0, false)]);
    assert!(
        bench
            .media_commands
            .contains(&peer(1, Side::A, "10.0.0.1:4000")),
        "the caller's media is expected from where it said"
    );
    // Silence: after the greeting (3 s) and the wait (5 s), once more.
    at(&mut bench, 3);
    at(&mut bench, 7);
    assert_eq!(prompts(&bench), ["welcome"]);
    at(&mut bench, 8);
    assert_eq!(prompts(&bench), ["welcome", "welcome"]);
    // The second try was the last: goodbye, then the menu hangs up.
    at(&mut bench, 11);
    at(&mut bench, 16);
    assert_eq!(prompts(&bench), ["welcome", "welcome", "goodbye"]);
    at(&mut bench, 18);
    assert_eq!(byes(&bench).len(), 1, "a BYE to the caller");
    let ended = bench.ended().expect("ended");
    assert_eq!(
        (ended.outcome, ended.hangup_by, ended.answered_by.clone()),
        (Outcome::NoAnswer, Some(Party::System), None)
    );
    assert!(
        bench
            .media_commands
            .contains(&MediaCommand::Close { call: CallId(1) })
    );
}

#[test]
fn a_key_rings_its_extension_with_our_offer_and_the_answer_puts_the_caller_through() {
    let mut bench = menu_bench();
    bench.call(0, true);
    bench.elapsed = Duration::from_secs(1);
    key(&mut bench, '1');
    let digit = bench.events.iter().any(|e| {
        matches!(
            e,
            CallEvent::Digit {
                from: Party::Caller,
                digit: '1',
                ..
            }
        )
    });
    assert!(digit, "the key is a call.digit event too");
    assert_eq!(bench.rings, [(CallId(1), vec!["1001".to_string()])]);
    bench.calls.ring(bench.now(), CallId(1), vec![phone_1001()]);
    bench.drain();
    let invites = bench.invites();
    assert_eq!(invites.len(), 1);
    let offer = String::from_utf8(invites[0].1.body.clone()).unwrap();
    assert!(
        offer.contains("m=audio 20002 RTP/AVP 0\r\n") && offer.contains("c=IN IP4 192.0.2.7"),
        "the phone is offered our callee port with the caller's codec: {offer}"
    );
    assert_eq!(
        played(&bench).last().unwrap(),
        &("ringback".to_string(), 0, true)
    );
    bench.phone_answers(0, 180, None);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    assert_eq!(
        bench.codes_to_caller(),
        [200],
        "the caller had its answer from the menu"
    );
    assert_eq!(bench.acks.len(), 1, "the phone is ACKed");
    assert!(
        bench
            .media_commands
            .contains(&peer(1, Side::B, "10.0.0.7:5000"))
    );
    assert!(matches!(
        bench.media_commands.last(),
        Some(MediaCommand::StopPlaying { side: Side::A, .. })
    ));
    // Keys now go to the phone, not to the menu.
    key(&mut bench, '1');
    assert_eq!(bench.rings.len(), 1);
    // Long after the menu's deadlines, the call goes on.
    at(&mut bench, 60);
    assert!(bench.ended().is_none());
    bench.caller_request("BYE", "");
    let ended = bench.ended().expect("ended");
    assert_eq!(
        (
            ended.outcome,
            ended.answered_by.as_deref(),
            ended.rule.as_deref()
        ),
        (Outcome::Answered, Some("1001"), Some("pbx-to-extension"))
    );
    assert_eq!(
        (ended.ended_at - ended.answered_at.unwrap()).num_seconds(),
        59,
        "talk time runs from the phone's answer"
    );
    assert_eq!(byes(&bench).len(), 1, "a BYE to the phone");
}

#[test]
fn a_wrong_key_hears_invalid_then_the_greeting() {
    let mut bench = menu_bench();
    bench.call(0, true);
    key(&mut bench, '9');
    assert_eq!(prompts(&bench), ["welcome", "invalid"]);
    at(&mut bench, 1);
    assert_eq!(prompts(&bench), ["welcome", "invalid", "welcome"]);
    assert!(bench.rings.is_empty());
}

#[test]
fn nobody_answering_the_choice_cancels_the_phone_and_says_goodbye() {
    let mut bench = menu_bench();
    bench.call(0, true);
    key(&mut bench, '1');
    bench.calls.ring(bench.now(), CallId(1), vec![phone_1001()]);
    bench.drain();
    bench.phone_answers(0, 180, None);
    at(&mut bench, 19);
    assert!(bench.cancels.is_empty(), "the key's ring_timeout is 20 s");
    at(&mut bench, 20);
    assert_eq!(bench.cancels.len(), 1);
    assert_eq!(prompts(&bench).last().unwrap(), "goodbye");
    at(&mut bench, 22);
    let ended = bench.ended().expect("ended after the goodbye");
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
    assert_eq!(bench.codes_to_caller(), [200], "no 480 after our 200");
}

#[test]
fn a_chosen_extension_with_no_phone_or_a_busy_one_says_goodbye() {
    let mut bench = menu_bench();
    bench.call(0, true);
    key(&mut bench, '1');
    bench.calls.ring(bench.now(), CallId(1), Vec::new());
    bench.drain();
    assert_eq!(prompts(&bench).last().unwrap(), "goodbye");

    let mut bench = menu_bench();
    bench.call(0, true);
    key(&mut bench, '1');
    bench.calls.ring(bench.now(), CallId(1), vec![phone_1001()]);
    bench.drain();
    bench.phone_answers(0, 486, None);
    assert_eq!(prompts(&bench).last().unwrap(), "goodbye");
    at(&mut bench, 2);
    let ended = bench.ended().unwrap();
    assert_eq!((ended.outcome, ended.sip_code), (Outcome::Busy, Some(486)));
}

#[test]
fn the_caller_hanging_up_in_the_menu_or_while_its_choice_rings() {
    let mut bench = menu_bench();
    bench.call(0, true);
    bench.caller_request("BYE", "");
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::Cancelled, Some(Party::Caller))
    );
    assert_eq!(bench.calls.len(), 0);

    let mut bench = menu_bench();
    let tx = bench.call(0, true);
    key(&mut bench, '1');
    bench.calls.ring(bench.now(), CallId(1), vec![phone_1001()]);
    bench.drain();
    bench.calls.on_cancelled(bench.now(), tx);
    bench.drain();
    assert!(
        bench.ended().is_none(),
        "a CANCEL after our 200 changes nothing"
    );
    bench.caller_request("BYE", "");
    assert_eq!(bench.cancels.len(), 1, "the ringing phone is cancelled");
    assert_eq!(bench.codes_to_caller(), [200, 200], "only the BYE's 200");
    assert_eq!(bench.ended().unwrap().outcome, Outcome::Cancelled);
}

#[test]
fn a_key_sent_as_info_counts_and_a_reinvite_is_answered_by_the_menu() {
    let mut bench = menu_bench();
    bench.call(0, true);
    let moved = SDP_OFFER.replace("10.0.0.1", "10.0.0.2");
    bench.caller_request("INVITE", &moved);
    let (_, ok) = bench.responses.last().unwrap();
    assert_eq!(ok.status_code.code(), 200);
    assert!(String::from_utf8_lossy(&ok.body).contains("m=audio 20000 RTP/AVP 0"));
    assert!(
        bench
            .media_commands
            .contains(&peer(1, Side::A, "10.0.0.2:4000"))
    );
    assert!(bench.sent.is_empty(), "nothing is relayed: no phone yet");
    let info_body = "Signal=1\r\nDuration=160\r\n";
    bench.caller_request_typed("INFO", "application/dtmf-relay", info_body);
    assert_eq!(bench.codes_to_caller().last(), Some(&200));
    assert_eq!(bench.rings, [(CallId(1), vec!["1001".to_string()])]);
}

#[test]
fn an_invite_without_sdp_gets_our_offer_and_the_menu_starts_with_the_ack() {
    let mut bench = menu_bench();
    bench.call(0, false);
    let offer = String::from_utf8(bench.responses[0].1.body.clone()).unwrap();
    assert!(
        offer.contains("m=audio 20000 RTP/AVP 0 8 101\r\n"),
        "{offer}"
    );
    assert!(
        played(&bench).is_empty(),
        "nothing to play before the answer"
    );
    let answer = SDP_ANSWER.replace("RTP/AVP 0", "RTP/AVP 8");
    bench.caller_ack(&answer);
    assert_eq!(played(&bench), [("welcome".to_string(), 8, false)]);
    assert!(bench.media_commands.contains(&MediaCommand::Peer {
        call: CallId(1),
        side: Side::A,
        address: Some("10.0.0.7:5000".parse().unwrap()),
        events: None,
    }));
    key(&mut bench, '1');
    bench.calls.ring(bench.now(), CallId(1), vec![phone_1001()]);
    bench.drain();
    let offer = String::from_utf8(bench.invites()[0].1.body.clone()).unwrap();
    assert!(offer.contains("m=audio 20002 RTP/AVP 8\r\n"), "{offer}");
}

#[test]
fn no_media_to_play_with_or_no_such_menu_gives_480() {
    let mut bench = menu_bench();
    bench.media = None;
    bench.call(0, true);
    assert_eq!(bench.codes_to_caller(), [480], "no media to play with");
    let mut bench = menu_bench();
    bench.menu.as_mut().unwrap().name = "gone".into();
    bench.call(0, true);
    assert_eq!(bench.codes_to_caller(), [480]);
}

/// A bench whose next call waits in the queue "sales".
fn queue_bench() -> Bench {
    let mut bench = anchored();
    bench.queue = Some(QueueEntry {
        name: "sales".into(),
        priority: 3,
    });
    bench
}

fn agent(extension: &str, host: u8) -> Target {
    Target {
        label: extension.into(),
        uri: format!("sip:{extension}@10.0.0.{host}:5060"),
        flow: Flow::udp(format!("10.0.0.{host}:5060").parse().unwrap()),
        local: local(),
        session_expires: None,
        keys_by_info: false,
    }
}

#[test]
fn a_queue_answers_the_caller_with_music_and_puts_it_through_to_the_agent_who_answers() {
    let mut bench = queue_bench();
    bench.call(0, true);
    assert_eq!(bench.codes_to_caller(), [200]);
    assert_eq!(played(&bench), [(HOLD_MUSIC.to_string(), 0, true)]);
    assert_eq!(bench.queued, [(CallId(1), "sales".to_string())]);
    // The ACD offers it to 1001, who is busy: the caller waits on, with
    // its music, and the miss is reported.
    bench
        .calls
        .ring(bench.now(), CallId(1), vec![agent("1001", 7)]);
    bench.drain();
    assert_eq!(played(&bench).len(), 1, "no ringback: the music goes on");
    bench.phone_answers(0, 486, None);
    let missed = bench
        .events
        .iter()
        .any(|e| matches!(e, CallEvent::Unanswered { label, .. } if label == "1001"));
    assert!(missed);
    assert!(bench.ended().is_none(), "the caller waits on");
    // Long past any ring timeout, it still waits: the ACD times offers.
    bench.elapsed = Duration::from_secs(300);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert!(bench.ended().is_none());
    // Then 1002 answers and the two are connected.
    bench
        .calls
        .ring(bench.now(), CallId(1), vec![agent("1002", 8)]);
    bench.drain();
    bench.phone_answers(1, 200, Some(SDP_ANSWER));
    assert!(
        bench
            .events
            .iter()
            .any(|e| { matches!(e, CallEvent::Answered { label, .. } if label == "1002") })
    );
    assert!(matches!(
        bench.media_commands.last(),
        Some(MediaCommand::StopPlaying { side: Side::A, .. })
    ));
    assert_eq!(bench.codes_to_caller(), [200]);
    bench.caller_request("BYE", "");
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.answered_by.as_deref()),
        (Outcome::Answered, Some("1002"))
    );
}

#[test]
fn a_withdrawn_offer_is_cancelled_and_an_overflow_hangs_the_caller_up() {
    let mut bench = queue_bench();
    bench.call(0, true);
    bench.calls.ring(
        bench.now(),
        CallId(1),
        vec![agent("1001", 7), agent("1002", 8)],
    );
    bench.drain();
    bench.calls.withdraw(CallId(1), &["1001".to_string()]);
    bench.drain();
    assert_eq!(bench.cancels, [bench.invites()[0].0], "only 1001's");
    bench.calls.hang_up(bench.now(), CallId(1));
    bench.drain();
    assert_eq!(bench.cancels.len(), 2, "1002 stops ringing too");
    assert_eq!(byes(&bench).len(), 1, "a BYE to the caller");
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
}

#[test]
fn a_key_can_send_the_caller_to_a_queue_where_it_waits_with_music() {
    let mut bench = menu_bench();
    bench.call(0, true);
    key(&mut bench, '4');
    assert_eq!(bench.queued, [(CallId(1), "sales".to_string())]);
    assert_eq!(
        played(&bench).last().unwrap(),
        &(HOLD_MUSIC.to_string(), 0, true)
    );
    // The greeting's deadline passes: nothing more is played.
    at(&mut bench, 30);
    assert_eq!(prompts(&bench).len(), 2, "{:?}", prompts(&bench));
    key(&mut bench, '1');
    assert!(bench.rings.is_empty(), "keys no longer choose");
    // The ACD's agent answers as in any queue.
    bench
        .calls
        .ring(bench.now(), CallId(1), vec![agent("1002", 8)]);
    bench.drain();
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    assert!(
        bench
            .events
            .iter()
            .any(|e| { matches!(e, CallEvent::Answered { label, .. } if label == "1002") })
    );
}

#[test]
fn a_waiting_caller_is_told_their_place_and_wait_then_hears_the_music_again() {
    let mut bench = queue_bench();
    bench.call(0, true);
    let announcements = |bench: &Bench| -> Vec<(Vec<String>, String)> {
        bench
            .media_commands
            .iter()
            .filter_map(|c| match c {
                MediaCommand::Announce { prompts, then, .. } => {
                    Some((prompts.clone(), then.clone()))
                }
                _ => None,
            })
            .collect()
    };
    bench.calls.announce(CallId(1), 3, Some(4));
    bench.calls.announce(CallId(1), 1, Some(1));
    bench.calls.announce(CallId(1), 25, None);
    bench.calls.announce(CallId(1), 30, Some(45));
    bench.drain();
    let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    assert_eq!(
        announcements(&bench),
        [
            (
                words(&[
                    "queue-position",
                    "number-3",
                    "queue-wait",
                    "number-4",
                    "minutes"
                ]),
                HOLD_MUSIC.to_string()
            ),
            (
                words(&[
                    "queue-position",
                    "number-1",
                    "queue-wait",
                    "number-1",
                    "minute"
                ]),
                HOLD_MUSIC.to_string()
            ),
        ],
        "places and waits past twenty are not said"
    );
    // Once an agent's phone rings the caller is not interrupted.
    bench
        .calls
        .ring(bench.now(), CallId(1), vec![agent("1001", 7)]);
    bench.drain();
    bench.calls.announce(CallId(1), 1, None);
    bench.drain();
    assert_eq!(announcements(&bench).len(), 2);
}

#[test]
fn a_supervisors_call_is_answered_here_put_on_the_agents_and_switches_mode_by_key() {
    use crate::calls::{MonitorEntry, MonitorMode};
    let mut bench = anchored();
    bench.monitor = Some(MonitorEntry {
        extension: "1002".into(),
        mode: MonitorMode::Listen,
    });
    bench.call(0, true);
    assert_eq!(
        bench.codes_to_caller(),
        [200],
        "answered here, no phone rings"
    );
    assert!(bench.invites().is_empty());
    bench.calls.on_digit(bench.now(), CallId(1), Side::A, '5');
    bench.calls.on_digit(bench.now(), CallId(1), Side::A, '9');
    bench.calls.on_digit(bench.now(), CallId(1), Side::A, '6');
    bench.drain();
    let modes: Vec<_> = bench
        .monitored
        .iter()
        .map(|(_, e, m)| (e.as_str(), *m))
        .collect();
    assert_eq!(
        modes,
        [
            ("1002", MonitorMode::Listen),
            ("1002", MonitorMode::Whisper),
            ("1002", MonitorMode::Barge)
        ],
        "4, 5 and 6 switch; other keys do nothing"
    );
    // The agent's call ends: the engine hangs the supervisor up.
    bench.calls.hang_up(bench.now(), CallId(1));
    bench.drain();
    assert_eq!(byes(&bench).len(), 1);
}

#[test]
fn a_caller_to_be_called_back_hears_so_and_is_hung_up_on() {
    let mut bench = queue_bench();
    bench.calls.set_prompt_lengths(
        [(
            crate::calls::CALLBACK_PROMPT.to_string(),
            Duration::from_secs(4),
        )]
        .into(),
    );
    bench.call(0, true);
    bench.calls.call_back_later(bench.now(), CallId(1));
    bench.drain();
    assert_eq!(
        played(&bench).last(),
        Some(&(crate::calls::CALLBACK_PROMPT.to_string(), 0, false))
    );
    assert!(byes(&bench).is_empty(), "not before the prompt is over");
    bench.elapsed = Duration::from_secs(5);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert_eq!(byes(&bench).len(), 1);
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
}
