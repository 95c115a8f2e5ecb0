//! The B2BUA in virtual time, with no network: the test plays the caller's
//! and the phones' parts by feeding responses to the requests it is handed.

use std::time::{Duration, Instant};

use chrono::DateTime;

use super::*;
use crate::sip::message::{self, Header, Method, SipMessage, StatusCode, response_to};
use crate::sip::transaction::{ClientTx, ServerTx};
use crate::sip::transport::Flow;

const SDP_OFFER: &str = "v=0\r\no=caller 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
const SDP_ANSWER: &str = "v=0\r\no=phone 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

struct Bench {
    calls: Calls,
    t0: Instant,
    elapsed: Duration,
    next_tx: u64,
    /// Requests sent to phones, with the transaction the test gave them.
    sent: Vec<(ClientTx, Request, Flow)>,
    responses: Vec<(ServerTx, Response)>,
    cancels: Vec<ClientTx>,
    acks: Vec<Request>,
    events: Vec<CallEvent>,
    /// The anchor given to the next call, when media is anchored.
    media: Option<MediaAnchor>,
    media_commands: Vec<MediaCommand>,
    /// The menu that answers the next call, if any.
    menu: Option<MenuEntry>,
    /// The queue that answers the next call, if any.
    queue: Option<QueueEntry>,
    /// Extensions menus chose to ring, by call.
    rings: Vec<(CallId, Vec<String>)>,
    /// Calls that joined a queue.
    queued: Vec<(CallId, String)>,
    /// The next call is a supervisor's onto an agent's.
    monitor: Option<crate::calls::MonitorEntry>,
    /// Supervisors' calls put on agents' calls, with their modes.
    monitored: Vec<(CallId, String, crate::calls::MonitorMode)>,
    /// The next call's caller takes keys as SIP INFO.
    caller_keys_by_info: bool,
    /// What each side was said to send with, in order.
    sending: Vec<MediaCommand>,
    /// The phones' flow instead of UDP from 10.0.0.7 on (a browser's).
    phone_flow: Option<Flow>,
}

impl Bench {
    fn new() -> Self {
        Bench {
            calls: Calls::new(42),
            t0: Instant::now(),
            elapsed: Duration::ZERO,
            next_tx: 100,
            sent: Vec::new(),
            responses: Vec::new(),
            cancels: Vec::new(),
            acks: Vec::new(),
            events: Vec::new(),
            media: None,
            media_commands: Vec::new(),
            menu: None,
            queue: None,
            rings: Vec::new(),
            queued: Vec::new(),
            monitored: Vec::new(),
            monitor: None,
            caller_keys_by_info: false,
            sending: Vec::new(),
            phone_flow: None,
        }
    }

    fn now(&self) -> Now {
        Now {
            instant: self.t0 + self.elapsed,
            wall: DateTime::from_timestamp(1_800_000_000 + self.elapsed.as_secs() as i64, 0)
                .unwrap(),
        }
    }

    /// Moves every command into the bench's lists, giving each request sent
    /// a transaction as the engine would.
    fn drain(&mut self) {
        while let Some(command) = self.calls.poll_output() {
            match command {
                Command::Send {
                    token,
                    request,
                    flow,
                } => {
                    self.next_tx += 1;
                    let tx = ClientTx::for_tests(self.next_tx);
                    self.calls.sent(token, tx);
                    self.sent.push((tx, request, flow));
                }
                Command::Respond { tx, response } => self.responses.push((tx, response)),
                Command::Cancel { tx } => self.cancels.push(tx),
                Command::Ack { request, .. } => self.acks.push(request),
                Command::Event(event) => self.events.push(event),
                Command::Media(sending @ MediaCommand::Sending { .. }) => {
                    self.sending.push(sending);
                }
                Command::Media(command) => self.media_commands.push(command),
                Command::Ring {
                    call, extensions, ..
                } => self.rings.push((call, extensions)),
                Command::Queue { call, queue, .. } => self.queued.push((call, queue)),
                Command::Monitor {
                    call,
                    extension,
                    mode,
                } => self.monitored.push((call, extension, mode)),
            }
        }
    }

    /// An inbound call from a trunk ringing `phones` contacts of 1001.
    fn call(&mut self, phones: usize, with_offer: bool) -> ServerTx {
        self.call_with(phones, with_offer, "", None)
    }

    /// The same with extra INVITE header lines (each ending in CRLF), and a
    /// session timer of `target_session` seconds offered to the phones as
    /// to a trunk.
    fn call_with(
        &mut self,
        phones: usize,
        with_offer: bool,
        extra: &str,
        target_session: Option<u32>,
    ) -> ServerTx {
        let body = if with_offer { SDP_OFFER } else { "" };
        let text = format!(
            "INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller\r\n\
             From: \"Ann\" <sip:+4930123456@10.0.0.1>;tag=caller\r\nTo: <sip:1001@127.0.0.1>\r\n\
             Call-ID: trunk-call-1\r\nCSeq: 10 INVITE\r\nContact: <sip:+4930123456@10.0.0.1:5060>\r\n\
             {extra}{}Content-Length: {}\r\n\r\n{body}",
            if with_offer {
                "Content-Type: application/sdp\r\n"
            } else {
                ""
            },
            body.len()
        );
        let SipMessage::Request(invite) = message::parse(text.as_bytes()).unwrap().message else {
            unreachable!()
        };
        let targets = (0..phones)
            .map(|i| Target {
                label: "1001".into(),
                uri: format!("sip:1001@10.0.0.{}:5060", 7 + i),
                flow: self.phone_flow.unwrap_or_else(|| {
                    Flow::udp(format!("10.0.0.{}:5060", 7 + i).parse().unwrap())
                }),
                local: local(),
                session_expires: target_session,
                keys_by_info: false,
            })
            .collect();
        let plan = Plan {
            direction: Direction::Inbound,
            trunk: Some("demo-pbx".into()),
            rule: Some("pbx-to-extension".into()),
            caller: "+4930123456".into(),
            caller_e164: Some("+4930123456".into()),
            caller_name: Some("Ann".into()),
            called: "1001".into(),
            original_called: None,
            party_e164: Some("+4930123456".into()),
            present_as: "\"Ann\" <sip:+4930123456@127.0.0.1>".into(),
            targets,
            ring_timeout: Duration::from_secs(30),
            session_expires: None,
            record: false,
            caller_keys_by_info: self.caller_keys_by_info,
            media: self.media.clone(),
            menu: self.menu.clone(),
            queue: self.queue.clone(),
            monitor: self.monitor.clone(),
        };
        let tx = ServerTx::for_tests(1);
        let flow = Flow::udp("10.0.0.1:5060".parse().unwrap());
        self.calls
            .start(self.now(), tx, invite, flow, local(), plan);
        self.drain();
        tx
    }

    /// The phone that got the n-th INVITE answers `code` (with SDP on 2xx).
    fn phone_answers(&mut self, n: usize, code: u16, body: Option<&str>) {
        self.phone_answers_with(n, code, body, Vec::new());
    }

    fn phone_answers_with(&mut self, n: usize, code: u16, body: Option<&str>, extra: Vec<Header>) {
        let (tx, request, _) = self.invites()[n].clone();
        let mut response =
            response_to(&request, StatusCode::from(code), Some(&format!("phone{n}")));
        response.headers.extend(extra);
        response.headers.push(Header::Contact(
            format!("<sip:1001@10.0.0.{}:5060>", 7 + n).into(),
        ));
        if let Some(body) = body {
            response
                .headers
                .retain(|h| !matches!(h, Header::ContentLength(_)));
            response
                .headers
                .push(Header::ContentType("application/sdp".into()));
            response
                .headers
                .push(Header::ContentLength((body.len() as u32).into()));
            response.body = body.as_bytes().to_vec();
        }
        self.calls.on_response(self.now(), tx, response);
        self.drain();
    }

    fn invites(&self) -> Vec<(ClientTx, Request, Flow)> {
        self.sent
            .iter()
            .filter(|(_, r, _)| r.method == Method::Invite)
            .cloned()
            .collect()
    }

    fn codes_to_caller(&self) -> Vec<u16> {
        self.responses
            .iter()
            .map(|(_, r)| r.status_code.code())
            .collect()
    }

    fn ended(&self) -> Option<&Summary> {
        self.events.iter().find_map(|e| match e {
            CallEvent::Ended(summary) => Some(summary.as_ref()),
            _ => None,
        })
    }

    /// An in-dialog request from the caller, built on the caller's dialog.
    fn caller_request(&mut self, method: &str, body: &str) -> ServerTx {
        self.caller_request_typed(method, "", body)
    }

    /// The same with a Content-Type (none when empty).
    fn caller_request_typed(&mut self, method: &str, content_type: &str, body: &str) -> ServerTx {
        let content_type = if content_type.is_empty() {
            String::new()
        } else {
            format!("Content-Type: {content_type}\r\n")
        };
        let to_tag = self
            .responses
            .iter()
            .find_map(|(_, r)| message::essentials_of(&r.headers).ok()?.to_tag)
            .unwrap();
        let text = format!(
            "{method} sip:b2bua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK{method}\r\n\
             From: <sip:+4930123456@10.0.0.1>;tag=caller\r\nTo: <sip:1001@127.0.0.1>;tag={to_tag}\r\n\
             Call-ID: trunk-call-1\r\nCSeq: 11 {method}\r\n{content_type}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let SipMessage::Request(request) = message::parse(text.as_bytes()).unwrap().message else {
            unreachable!()
        };
        self.next_tx += 1;
        let tx = ServerTx::for_tests(self.next_tx);
        assert!(
            self.calls.on_request(self.now(), tx, request),
            "matched a call"
        );
        self.drain();
        tx
    }
}

impl Bench {
    /// The caller's ACK to our 200, carrying `body` as its SDP answer.
    fn caller_ack(&mut self, body: &str) {
        let to_tag = self
            .responses
            .last()
            .and_then(|(_, r)| message::essentials_of(&r.headers).ok()?.to_tag)
            .unwrap();
        let text = format!(
            "ACK sip:b2bua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKack\r\n\
             From: <sip:+4930123456@10.0.0.1>;tag=caller\r\nTo: <sip:1001@127.0.0.1>;tag={to_tag}\r\n\
             Call-ID: trunk-call-1\r\nCSeq: 10 ACK\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let SipMessage::Request(ack) = message::parse(text.as_bytes()).unwrap().message else {
            unreachable!()
        };
        self.calls.on_ack(self.now(), &ack);
        self.drain();
    }
}

fn local() -> Local {
    Local {
        sent_by: "127.0.0.1:5060".into(),
        contact: "sip:switchboard@127.0.0.1:5060".into(),
    }
}

#[test]
fn every_phone_rings_and_the_first_to_answer_wins() {
    let mut bench = Bench::new();
    bench.call(2, true);
    let invites = bench.invites();
    assert_eq!(invites.len(), 2, "both contacts get an INVITE");
    assert_eq!(
        invites[0].1.body,
        SDP_OFFER.as_bytes(),
        "the caller's SDP passes through"
    );
    bench.phone_answers(0, 180, None);
    bench.phone_answers(1, 200, Some(SDP_ANSWER));
    assert_eq!(bench.codes_to_caller(), [180, 200]);
    let (_, ok) = bench.responses.last().unwrap();
    assert_eq!(ok.body, SDP_ANSWER.as_bytes());
    assert!(
        String::from_utf8(ok.to_bytes())
            .unwrap()
            .contains("Contact: <sip:switchboard@127.0.0.1:5060>")
    );
    assert_eq!(
        bench.cancels,
        [invites[0].0],
        "the other phone is cancelled"
    );
    assert_eq!(bench.acks.len(), 1, "the winner is ACKed");
    assert!(
        bench
            .events
            .iter()
            .any(|e| matches!(e, CallEvent::Answered { label, .. } if label == "1001"))
    );
    assert!(bench.ended().is_none(), "the call goes on");
}

#[test]
fn a_busy_phone_makes_the_caller_hear_busy() {
    let mut bench = Bench::new();
    bench.call(1, true);
    bench.phone_answers(0, 486, None);
    assert_eq!(bench.codes_to_caller(), [486]);
    let ended = bench.ended().expect("ended");
    assert_eq!(ended.outcome, Outcome::Busy);
    assert_eq!(ended.sip_code, Some(486));
    assert_eq!(bench.calls.len(), 0);
}

#[test]
fn busy_wins_over_not_found_when_every_phone_fails() {
    let mut bench = Bench::new();
    bench.call(2, true);
    bench.phone_answers(0, 404, None);
    assert!(bench.codes_to_caller().is_empty(), "one phone still rings");
    bench.phone_answers(1, 486, None);
    assert_eq!(bench.codes_to_caller(), [486]);
}

#[test]
fn nobody_answering_in_time_gives_480_and_cancels_the_phones() {
    let mut bench = Bench::new();
    bench.call(2, true);
    bench.phone_answers(0, 180, None);
    bench.elapsed = Duration::from_secs(29);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert!(bench.ended().is_none(), "still ringing at 29 s");
    assert_eq!(
        bench.calls.poll_timeout(),
        Some(bench.t0 + Duration::from_secs(30))
    );
    bench.elapsed = Duration::from_secs(30);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert_eq!(bench.codes_to_caller(), [180, 480]);
    assert_eq!(bench.cancels.len(), 2);
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
}

#[test]
fn the_caller_hanging_up_while_it_rings_cancels_the_phones() {
    let mut bench = Bench::new();
    let tx = bench.call(2, true);
    bench.phone_answers(1, 180, None);
    bench.calls.on_cancelled(bench.now(), tx);
    bench.drain();
    assert_eq!(bench.codes_to_caller(), [180, 487]);
    assert_eq!(bench.cancels.len(), 2);
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::Cancelled, Some(Party::Caller))
    );
    // A 200 racing the CANCEL is ACKed and hung up, not bridged.
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    assert_eq!(
        bench.codes_to_caller(),
        [180, 487],
        "the caller hears nothing more"
    );
}

#[test]
fn a_second_answer_after_the_first_is_acked_and_hung_up() {
    let mut bench = Bench::new();
    bench.call(2, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    bench.phone_answers(1, 200, Some(SDP_ANSWER));
    assert_eq!(bench.codes_to_caller(), [200]);
    assert_eq!(bench.acks.len(), 2);
    let byes: Vec<_> = bench
        .sent
        .iter()
        .filter(|(_, r, _)| r.method == Method::Bye)
        .collect();
    assert_eq!(byes.len(), 1);
    assert_eq!(
        byes[0].2.remote,
        "10.0.0.8:5060".parse().unwrap(),
        "the late phone is hung up"
    );
}

#[test]
fn the_caller_hangs_up_and_the_phone_gets_a_bye() {
    let mut bench = Bench::new();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    bench.elapsed = Duration::from_secs(65);
    bench.caller_request("BYE", "");
    assert_eq!(bench.codes_to_caller(), [200, 200], "the BYE is answered");
    let bye = bench
        .sent
        .iter()
        .find(|(_, r, _)| r.method == Method::Bye)
        .expect("a BYE to the phone");
    let e = message::essentials_of(&bye.1.headers).unwrap();
    assert_eq!(e.to_tag.as_deref(), Some("phone0"));
    let ended = bench.ended().unwrap();
    assert_eq!(
        (ended.outcome, ended.hangup_by),
        (Outcome::Answered, Some(Party::Caller))
    );
    assert_eq!(ended.answered_by.as_deref(), Some("1001"));
    assert_eq!(
        (ended.ended_at - ended.answered_at.unwrap()).num_seconds(),
        65
    );
}

#[test]
fn the_phone_hangs_up_and_the_caller_gets_a_bye() {
    let mut bench = Bench::new();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let (_, invite, _) = bench.invites()[0].clone();
    let e = message::essentials_of(&invite.headers).unwrap();
    let text = format!(
        "BYE sip:switchboard@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKbye\r\n\
         From: <sip:1001@127.0.0.1>;tag=phone0\r\nTo: <sip:x@y>;tag={}\r\nCall-ID: {}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
        e.from_tag.unwrap(),
        e.call_id
    );
    let SipMessage::Request(bye) = message::parse(text.as_bytes()).unwrap().message else {
        unreachable!()
    };
    assert!(
        bench
            .calls
            .on_request(bench.now(), ServerTx::for_tests(9), bye)
    );
    bench.drain();
    let to_caller = bench
        .sent
        .iter()
        .find(|(_, r, _)| r.method == Method::Bye)
        .unwrap();
    assert_eq!(
        to_caller.1.uri.to_string(),
        "sip:+4930123456@10.0.0.1:5060",
        "to the caller's Contact"
    );
    let e = message::essentials_of(&to_caller.1.headers).unwrap();
    assert_eq!(
        (e.call_id.as_str(), e.to_tag.as_deref()),
        ("trunk-call-1", Some("caller"))
    );
    assert_eq!(bench.ended().unwrap().hangup_by, Some(Party::Callee));
}

/// A browser on WebSocket connection 7, from 10.0.0.7.
fn browser_flow() -> Flow {
    Flow {
        transport: crate::sip::transport::Transport::Ws,
        remote: "10.0.0.7:40000".parse().unwrap(),
        connection: Some(7),
    }
}

#[test]
fn a_browser_closed_mid_call_hangs_up_its_side_and_the_caller_gets_a_bye() {
    let mut bench = Bench::new();
    bench.phone_flow = Some(browser_flow());
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    // Another connection closing changes nothing.
    let other = Flow {
        connection: Some(8),
        ..browser_flow()
    };
    bench.calls.flow_closed(bench.now(), other);
    bench.drain();
    assert!(bench.ended().is_none());
    bench.calls.flow_closed(bench.now(), browser_flow());
    bench.drain();
    let byes = byes(&bench);
    assert_eq!(byes.len(), 1, "one BYE, to the caller: {byes:?}");
    assert_eq!(byes[0].1.uri.to_string(), "sip:+4930123456@10.0.0.1:5060");
    let ended = bench.ended().expect("the call ended");
    assert_eq!(ended.outcome, Outcome::Answered);
    assert_eq!(ended.hangup_by, Some(Party::Callee));
}

#[test]
fn a_tcp_phone_reconnecting_mid_call_keeps_its_call() {
    let mut bench = Bench::new();
    let tcp = Flow {
        transport: crate::sip::transport::Transport::Tcp,
        ..browser_flow()
    };
    bench.phone_flow = Some(tcp);
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    bench.calls.flow_closed(bench.now(), tcp);
    bench.drain();
    assert!(bench.ended().is_none());
    assert!(byes(&bench).is_empty());
}

#[test]
fn hold_by_reinvite_is_passed_to_the_phone_and_its_answer_back() {
    let mut bench = Bench::new();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let hold = SDP_OFFER.replace(
        "m=audio 4000 RTP/AVP 0\r\n",
        "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n",
    );
    let tx = bench.caller_request("INVITE", &hold);
    let (relay_tx, relayed, _) = bench.invites().last().unwrap().clone();
    assert_eq!(
        relayed.body,
        hold.as_bytes(),
        "the hold offer reaches the phone"
    );
    let mut ok = response_to(&relayed, StatusCode::OK, Some("phone0"));
    ok.body = SDP_ANSWER
        .replace("RTP/AVP 0\r\n", "RTP/AVP 0\r\na=recvonly\r\n")
        .into_bytes();
    bench.calls.on_response(bench.now(), relay_tx, ok);
    bench.drain();
    let (answered_tx, answer) = bench.responses.last().unwrap();
    assert_eq!(*answered_tx, tx);
    assert_eq!(answer.status_code.code(), 200);
    assert!(String::from_utf8_lossy(&answer.body).contains("a=recvonly"));
}

#[test]
fn early_media_from_one_phone_only_reaches_the_caller() {
    let mut bench = Bench::new();
    bench.call(2, true);
    bench.phone_answers(0, 183, Some(SDP_ANSWER));
    bench.phone_answers(1, 183, Some(SDP_ANSWER));
    let bodies: Vec<bool> = bench
        .responses
        .iter()
        .map(|(_, r)| !r.body.is_empty())
        .collect();
    assert_eq!(bodies, [true, false]);
}

#[test]
fn a_delayed_offer_is_answered_in_the_callers_ack() {
    let mut bench = Bench::new();
    bench.call(1, false);
    bench.phone_answers(0, 200, Some(SDP_OFFER));
    assert!(
        bench.acks.is_empty(),
        "the phone waits for the caller's answer"
    );
    bench.caller_ack(SDP_ANSWER);
    assert_eq!(bench.acks.len(), 1);
    assert_eq!(bench.acks[0].body, SDP_ANSWER.as_bytes());
}

#[test]
fn an_extension_with_no_phone_registered_is_unavailable_at_once() {
    let mut bench = Bench::new();
    bench.call(0, true);
    assert_eq!(bench.codes_to_caller(), [480]);
    assert_eq!(bench.ended().unwrap().outcome, Outcome::Unavailable);
    assert!(bench.calls.is_empty());
}

#[test]
fn a_phone_that_never_answers_the_invite_counts_as_408() {
    let mut bench = Bench::new();
    bench.call(1, true);
    let (tx, _, _) = bench.invites()[0].clone();
    bench.calls.on_timeout(bench.now(), tx);
    bench.drain();
    assert_eq!(bench.codes_to_caller(), [408]);
    assert_eq!(bench.ended().unwrap().outcome, Outcome::NoAnswer);
}

fn header_value(headers: &message::Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
        .map(|h| h.value().to_string())
}

fn byes(bench: &Bench) -> Vec<&(ClientTx, Request, Flow)> {
    bench
        .sent
        .iter()
        .filter(|(_, r, _)| r.method == Method::Bye)
        .collect()
}

#[test]
fn a_trunk_asking_for_too_brief_a_session_hears_422_with_the_minimum() {
    let mut bench = Bench::new();
    bench.call_with(1, true, "Supported: timer\r\nSession-Expires: 60\r\n", None);
    assert_eq!(bench.codes_to_caller(), [422]);
    let min_se = header_value(&bench.responses[0].1.headers, "Min-SE");
    assert_eq!(min_se.as_deref(), Some("90"));
    assert!(bench.invites().is_empty(), "no phone rings");
    assert_eq!(bench.ended().unwrap().sip_code, Some(422));
}

#[test]
fn a_trunk_that_refreshes_keeps_the_call_and_one_that_stops_loses_it() {
    let mut bench = Bench::new();
    let extra = "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\n";
    bench.call_with(1, true, extra, None);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let ok = &bench.responses.last().unwrap().1;
    assert_eq!(
        header_value(&ok.headers, "Session-Expires").as_deref(),
        Some("90;refresher=uac")
    );
    assert_eq!(
        header_value(&ok.headers, "Require").as_deref(),
        Some("timer")
    );

    // A refresh at 45 s is confirmed here, not passed to the phone.
    bench.elapsed = Duration::from_secs(45);
    bench.calls.handle_timeout(bench.now());
    bench.caller_request("UPDATE", "");
    let answer = &bench.responses.last().unwrap().1;
    assert_eq!(answer.status_code.code(), 200);
    assert_eq!(
        header_value(&answer.headers, "Session-Expires").as_deref(),
        Some("90;refresher=uac")
    );
    let updates = bench
        .sent
        .iter()
        .filter(|(_, r, _)| r.method == Method::Update);
    assert_eq!(updates.count(), 0);

    // Past the first deadline (60 s) the refreshed call lives on.
    bench.elapsed = Duration::from_secs(100);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert!(bench.ended().is_none());
    // 60 s after the refresh, no other came: both sides get a BYE.
    bench.elapsed = Duration::from_secs(106);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    let byes = byes(&bench);
    assert_eq!(byes.len(), 2, "one to the trunk, one to the phone");
    let ended = bench.ended().expect("the call ended");
    assert_eq!(ended.outcome, Outcome::Answered);
    assert_eq!(ended.hangup_by, Some(Party::System));
}

#[test]
fn we_refresh_a_trunk_leg_and_a_481_to_the_refresh_ends_the_call() {
    let mut bench = Bench::new();
    bench.call_with(1, true, "", Some(120));
    let invite = &bench.invites()[0].1;
    assert_eq!(
        header_value(&invite.headers, "Session-Expires").as_deref(),
        Some("120")
    );
    assert_eq!(
        header_value(&invite.headers, "Min-SE").as_deref(),
        Some("90")
    );
    assert_eq!(
        header_value(&invite.headers, "Supported").as_deref(),
        Some("timer")
    );
    let terms = vec![
        Header::Require("timer".into()),
        Header::SessionExpires("120;refresher=uac".into()),
    ];
    bench.phone_answers_with(0, 200, Some(SDP_ANSWER), terms);
    // The caller asked for no timer: its 200 says nothing of one.
    let ok = &bench.responses.last().unwrap().1;
    assert_eq!(header_value(&ok.headers, "Session-Expires"), None);

    bench.elapsed = Duration::from_secs(59);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    assert!(
        bench
            .sent
            .iter()
            .all(|(_, r, _)| r.method != Method::Update)
    );
    bench.elapsed = Duration::from_secs(60);
    bench.calls.handle_timeout(bench.now());
    bench.drain();
    let (tx, update, flow) = bench
        .sent
        .iter()
        .find(|(_, r, _)| r.method == Method::Update)
        .cloned()
        .expect("a refresh at half the interval");
    assert_eq!(flow.remote.to_string(), "10.0.0.7:5060");
    assert!(update.body.is_empty());
    assert_eq!(
        header_value(&update.headers, "Session-Expires").as_deref(),
        Some("120;refresher=uac")
    );
    let gone = response_to(&update, StatusCode::CallTransactionDoesNotExist, None);
    bench.calls.on_response(bench.now(), tx, gone);
    bench.drain();
    assert_eq!(byes(&bench).len(), 2);
    assert_eq!(bench.ended().unwrap().hangup_by, Some(Party::System));
}

#[test]
fn a_422_from_the_trunk_brings_the_invite_again_with_the_interval_it_needs() {
    let mut bench = Bench::new();
    bench.call_with(1, true, "", Some(90));
    bench.phone_answers_with(0, 422, None, vec![Header::MinSE("300".into())]);
    assert!(bench.codes_to_caller().is_empty(), "the caller still waits");
    let invites = bench.invites();
    assert_eq!(invites.len(), 2);
    let again = &invites[1].1;
    assert_eq!(
        header_value(&again.headers, "Session-Expires").as_deref(),
        Some("300")
    );
    let cseq = |r: &Request| message::essentials_of(&r.headers).unwrap().cseq;
    assert_eq!(cseq(again), cseq(&invites[0].1) + 1);
    // A second 422 is final.
    bench.phone_answers_with(1, 422, None, vec![Header::MinSE("600".into())]);
    assert_eq!(bench.codes_to_caller(), [422]);
}

#[test]
fn a_key_sent_as_sip_info_is_a_digit_from_that_side_and_still_relayed() {
    let mut bench = Bench::new();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let to_tag = bench
        .responses
        .iter()
        .find_map(|(_, r)| message::essentials_of(&r.headers).ok()?.to_tag)
        .unwrap();
    for (body, kind, expected) in [
        (
            "Signal=5\r\nDuration=160\r\n",
            "application/dtmf-relay",
            Some('5'),
        ),
        ("#", "application/dtmf", Some('#')),
        ("Signal=12\r\n", "application/dtmf-relay", None),
    ] {
        bench.events.clear();
        let text = format!(
            "INFO sip:b2bua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKinfo{}\r\n\
             From: <sip:+4930123456@10.0.0.1>;tag=caller\r\nTo: <sip:1001@127.0.0.1>;tag={to_tag}\r\n\
             Call-ID: trunk-call-1\r\nCSeq: 12 INFO\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len(),
            body.len()
        );
        let SipMessage::Request(info) = message::parse(text.as_bytes()).unwrap().message else {
            unreachable!()
        };
        bench.next_tx += 1;
        assert!(
            bench
                .calls
                .on_request(bench.now(), ServerTx::for_tests(bench.next_tx), info)
        );
        bench.drain();
        let heard: Vec<(Party, char)> = bench
            .events
            .iter()
            .filter_map(|e| match e {
                CallEvent::Digit { from, digit, .. } => Some((*from, *digit)),
                _ => None,
            })
            .collect();
        assert_eq!(
            heard,
            expected
                .map(|d| (Party::Caller, d))
                .into_iter()
                .collect::<Vec<_>>(),
            "{body}"
        );
        let relayed = bench.sent.last().unwrap();
        assert_eq!(
            relayed.1.method,
            Method::Info,
            "the INFO goes on to the phone"
        );
        assert_eq!(relayed.1.body, body.as_bytes());
    }
    bench
        .calls
        .on_digit(bench.now(), CallId(1), crate::media::relay::Side::B, '7');
    bench.drain();
    assert!(matches!(
        bench.events.last(),
        Some(CallEvent::Digit {
            from: Party::Callee,
            digit: '7',
            ..
        })
    ));
}

/// A bench whose calls have their media anchored on 192.0.2.7.
fn anchored() -> Bench {
    let mut bench = Bench::new();
    let local = crate::sdp::webrtc::WebRtcLocal {
        ufrag: "ufrag".into(),
        pwd: "0123456789abcdef0123456789".into(),
        fingerprint: "sha-256 AA:BB".into(),
        ssrc: 5,
    };
    bench.media = Some(MediaAnchor {
        address: "192.0.2.7".parse().unwrap(),
        caller_port: 20000,
        callee_port: 20002,
        webrtc: [local.clone(), local],
        session_id: 1,
    });
    bench
}

fn peer(call: u64, side: crate::media::relay::Side, address: &str) -> MediaCommand {
    MediaCommand::Peer {
        call: CallId(call),
        side,
        address: Some(address.parse().unwrap()),
        events: None,
    }
}

#[test]
fn an_anchored_call_points_both_sides_at_the_server_and_closes_its_stream() {
    use crate::media::relay::Side;
    let mut bench = anchored();
    bench.call(2, true);
    for (_, invite, _) in bench.invites() {
        let offer = String::from_utf8(invite.body).unwrap();
        assert!(offer.contains("c=IN IP4 192.0.2.7\r\n"), "{offer}");
        assert!(offer.contains("m=audio 20002 RTP/AVP 0\r\n"), "{offer}");
        assert!(!offer.contains("10.0.0.1"), "{offer}");
    }
    bench.phone_answers(1, 200, Some(SDP_ANSWER));
    let (_, ok) = bench.responses.last().unwrap();
    let answer = String::from_utf8(ok.body.clone()).unwrap();
    assert!(answer.contains("m=audio 20000 RTP/AVP 0\r\n"), "{answer}");
    assert!(!answer.contains("10.0.0.7"), "{answer}");
    assert_eq!(
        bench.media_commands,
        [
            peer(1, Side::A, "10.0.0.1:4000"),
            peer(1, Side::B, "10.0.0.7:5000")
        ]
    );
    bench.caller_request("BYE", "");
    assert_eq!(
        bench.media_commands.last(),
        Some(&MediaCommand::Close { call: CallId(1) })
    );
}

#[test]
fn a_reinvite_moving_the_callers_media_is_anchored_both_ways() {
    use crate::media::relay::Side;
    let mut bench = anchored();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let moved = SDP_OFFER.replace("10.0.0.1", "10.0.0.99");
    bench.caller_request("INVITE", &moved);
    let (relay_tx, relayed, _) = bench.invites().last().unwrap().clone();
    let offer = String::from_utf8(relayed.body.clone()).unwrap();
    assert!(
        offer.contains("m=audio 20002 ") && !offer.contains("10.0.0.99"),
        "{offer}"
    );
    let mut ok = response_to(&relayed, StatusCode::OK, Some("phone0"));
    ok.body = SDP_ANSWER.replace("5000", "5008").into_bytes();
    bench.calls.on_response(bench.now(), relay_tx, ok);
    bench.drain();
    let (_, answer) = bench.responses.last().unwrap();
    let answer = String::from_utf8(answer.body.clone()).unwrap();
    assert!(
        answer.contains("m=audio 20000 ") && !answer.contains("5008"),
        "{answer}"
    );
    assert_eq!(
        bench.media_commands[2..],
        [
            peer(1, Side::A, "10.0.0.99:4000"),
            peer(1, Side::B, "10.0.0.7:5008")
        ]
    );
}

#[test]
fn a_delayed_offer_is_anchored_in_the_200_and_the_callers_ack() {
    use crate::media::relay::Side;
    let mut bench = anchored();
    bench.call(1, false);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let (_, ok) = bench.responses.last().unwrap();
    assert!(String::from_utf8_lossy(&ok.body).contains("m=audio 20000 "));
    bench.caller_ack(SDP_OFFER);
    assert!(String::from_utf8_lossy(&bench.acks[0].body).contains("m=audio 20002 "));
    assert_eq!(
        bench.media_commands,
        [
            peer(1, Side::B, "10.0.0.7:5000"),
            peer(1, Side::A, "10.0.0.1:4000")
        ]
    );
}

#[test]
fn an_offer_that_cannot_be_read_is_refused_with_488_and_its_stream_closed() {
    let mut bench = anchored();
    let text = "INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbad\r\n\
         From: <sip:+4930123456@10.0.0.1>;tag=caller\r\nTo: <sip:1001@127.0.0.1>\r\n\
         Call-ID: bad-sdp\r\nCSeq: 10 INVITE\r\nContact: <sip:+4930123456@10.0.0.1:5060>\r\n\
         Content-Type: application/sdp\r\nContent-Length: 12\r\n\r\nv=0\r\nbogus\r\n";
    let SipMessage::Request(invite) = message::parse(text.as_bytes()).unwrap().message else {
        unreachable!()
    };
    let plan = Plan {
        direction: Direction::Inbound,
        trunk: None,
        rule: None,
        caller: "+4930123456".into(),
        caller_e164: None,
        caller_name: None,
        called: "1001".into(),
        original_called: None,
        party_e164: None,
        present_as: "<sip:+4930123456@127.0.0.1>".into(),
        targets: vec![Target {
            label: "1001".into(),
            uri: "sip:1001@10.0.0.7:5060".into(),
            flow: Flow::udp("10.0.0.7:5060".parse().unwrap()),
            local: local(),
            session_expires: None,
            keys_by_info: false,
        }],
        ring_timeout: Duration::from_secs(30),
        session_expires: None,
        record: false,
        caller_keys_by_info: false,
        media: bench.media.clone(),
        menu: None,
        queue: None,
        monitor: None,
    };
    let flow = Flow::udp("10.0.0.1:5060".parse().unwrap());
    bench.calls.start(
        bench.now(),
        ServerTx::for_tests(1),
        invite,
        flow,
        local(),
        plan,
    );
    bench.drain();
    assert_eq!(bench.codes_to_caller(), [488]);
    let refusal = String::from_utf8(bench.responses[0].1.to_bytes()).unwrap();
    assert!(
        refusal.contains("Warning: 399 switchboard \"unreadable SDP"),
        "{refusal}"
    );
    assert!(bench.invites().is_empty(), "no phone rings");
    assert_eq!(
        bench.media_commands,
        [MediaCommand::Close { call: CallId(1) }]
    );
    assert!(bench.calls.is_empty());
}

#[test]
fn a_key_from_the_phone_reaches_a_trunk_that_takes_keys_as_info_as_an_info() {
    let mut bench = anchored();
    bench.caller_keys_by_info = true;
    bench.call(1, true);
    let withheld = MediaCommand::KeysByInfo {
        call: CallId(1),
        side: crate::media::relay::Side::A,
    };
    assert!(
        bench.media_commands.contains(&withheld),
        "the trunk gets no RFC 4733 events"
    );
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let sent = bench.sent.len();
    bench
        .calls
        .on_digit(bench.now(), CallId(1), crate::media::relay::Side::B, '#');
    bench.drain();
    let (_, info, flow) = bench.sent.last().unwrap();
    assert_eq!(bench.sent.len(), sent + 1);
    assert_eq!(info.method, Method::Info);
    assert_eq!(
        flow.remote,
        "10.0.0.1:5060".parse().unwrap(),
        "to the trunk"
    );
    assert_eq!(
        header_value(&info.headers, "Content-Type").as_deref(),
        Some("application/dtmf-relay")
    );
    assert_eq!(info.body, b"Signal=#\r\nDuration=160\r\n");
    let e = message::essentials_of(&info.headers).unwrap();
    assert_eq!(e.call_id, "trunk-call-1", "on the trunk's dialog");
    // The trunk's own keys (as INFO) are relayed as they came; a key the
    // trunk sent as events (it should not) is not turned into an INFO.
    bench
        .calls
        .on_digit(bench.now(), CallId(1), crate::media::relay::Side::A, '1');
    bench.drain();
    assert_eq!(bench.sent.len(), sent + 1);
}

#[test]
fn a_reinvite_without_sdp_gets_our_offer_and_its_ack_the_new_address() {
    let mut bench = anchored();
    bench.call(1, true);
    bench.phone_answers(0, 200, Some(SDP_ANSWER));
    let sent = bench.sent.len();
    bench.caller_request("INVITE", "");
    let (_, ok) = bench.responses.last().unwrap();
    assert_eq!(ok.status_code.code(), 200);
    let offer = String::from_utf8(ok.body.clone()).unwrap();
    assert!(
        offer.contains("m=audio 20000 RTP/AVP 0") && offer.contains("c=IN IP4 192.0.2.7"),
        "what the caller was given before: {offer}"
    );
    assert_eq!(bench.sent.len(), sent, "the phone is not asked");
    bench.media_commands.clear();
    bench.caller_ack(&SDP_OFFER.replace("10.0.0.1", "10.0.0.3"));
    assert!(
        bench
            .media_commands
            .contains(&peer(1, crate::media::relay::Side::A, "10.0.0.3:4000")),
        "{:?}",
        bench.media_commands
    );
    assert!(bench.acks.len() == 1, "no ACK goes to the phone for it");
}

mod dial;
mod menu;
