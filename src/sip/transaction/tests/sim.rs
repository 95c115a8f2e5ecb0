//! Two transaction layers and the network between them.
//!
//! Every message either side transmits is logged with its virtual send
//! time, then delivered after `latency`, unless a rule drops, delays or
//! duplicates it. Rules match on the sender and the start of the first
//! line (`"INVITE"`, `"SIP/2.0 200"`), and apply a number of times.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::sip::message::{self, Header, Method, Request, Response, SipMessage, StatusCode};
use crate::sip::transaction::{
    ClientTx, Config, Event, Flow, Output, ServerTx, TransactionLayer, Transport, TxId, new_branch,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Uac,
    Uas,
}

pub const UAC: &str = "10.0.0.1:5060";
pub const UAS: &str = "10.0.0.2:5060";

/// One message as it left a layer.
pub struct Sent {
    pub at: Duration,
    pub from: Side,
    pub line: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Fate {
    Drop,
    Delay(Duration),
    Duplicate,
}

struct Rule {
    from: Side,
    prefix: String,
    fate: Fate,
    times: usize,
}

struct Packet {
    at: Instant,
    seq: u64,
    to: Side,
    bytes: Vec<u8>,
}

pub struct Net {
    pub t0: Instant,
    pub now: Instant,
    pub uac: TransactionLayer,
    pub uas: TransactionLayer,
    pub transport: Transport,
    pub latency: Duration,
    /// Whether the UAC's TU ACKs every 2xx to INVITE it hears of.
    pub auto_ack: bool,
    pub sent: Vec<Sent>,
    pub uac_events: Vec<(Duration, Event)>,
    pub uas_events: Vec<(Duration, Event)>,
    rules: Vec<Rule>,
    in_flight: Vec<Packet>,
    seq: u64,
    invites: HashMap<ClientTx, Request>,
    requests: HashMap<ServerTx, Request>,
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

impl Net {
    pub fn new(transport: Transport) -> Self {
        Self::with_configs(transport, Config::default(), Config::default())
    }

    pub fn with_configs(transport: Transport, uac: Config, uas: Config) -> Self {
        // The one clock read of these tests: virtual time starts here.
        let t0 = Instant::now();
        Net {
            t0,
            now: t0,
            uac: TransactionLayer::new(uac, 1),
            uas: TransactionLayer::new(uas, 2),
            transport,
            latency: ms(10),
            auto_ack: true,
            sent: Vec::new(),
            uac_events: Vec::new(),
            uas_events: Vec::new(),
            rules: Vec::new(),
            in_flight: Vec::new(),
            seq: 0,
            invites: HashMap::new(),
            requests: HashMap::new(),
        }
    }

    pub fn drop(&mut self, from: Side, prefix: &str, times: usize) {
        self.rule(from, prefix, Fate::Drop, times);
    }

    pub fn delay(&mut self, from: Side, prefix: &str, extra: Duration, times: usize) {
        self.rule(from, prefix, Fate::Delay(extra), times);
    }

    pub fn duplicate(&mut self, from: Side, prefix: &str, times: usize) {
        self.rule(from, prefix, Fate::Duplicate, times);
    }

    fn rule(&mut self, from: Side, prefix: &str, fate: Fate, times: usize) {
        let prefix = prefix.to_string();
        self.rules.push(Rule {
            from,
            prefix,
            fate,
            times,
        });
    }

    /// The flow from `from` to the other side, as the sender names it.
    pub fn flow_from(&self, from: Side) -> Flow {
        let remote = match from {
            Side::Uac => UAS,
            Side::Uas => UAC,
        };
        Flow {
            transport: self.transport,
            remote: remote.parse().expect("a literal address"),
            connection: self.transport.is_reliable().then_some(7),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    /// The UAC's TU starts a client transaction.
    pub fn send(&mut self, request: Request) -> ClientTx {
        let flow = self.flow_from(Side::Uac);
        let invite = request.method == Method::Invite;
        let tx = self
            .uac
            .send_request(self.now, request.clone(), flow)
            .expect("a valid request");
        if invite {
            self.invites.insert(tx, request);
        }
        self.pump();
        tx
    }

    /// The UAS's TU answers `tx` with `status` (To tag `uas` on all but 100).
    pub fn respond(&mut self, tx: ServerTx, status: u16) {
        let request = self.requests.get(&tx).expect("a request the UAS saw");
        let tag = (status != 100).then_some("uas");
        let response = message::response_to(request, StatusCode::from(status), tag);
        self.uas
            .respond(self.now, tx, response)
            .expect("a live server transaction");
        self.pump();
    }

    /// The same, forgetting the transaction at once (a stateless answer).
    pub fn respond_statelessly(&mut self, tx: ServerTx, status: u16) {
        let request = self.requests.get(&tx).expect("a request the UAS saw");
        let response = message::response_to(request, StatusCode::from(status), Some("uas"));
        self.uas
            .respond_statelessly(self.now, tx, response)
            .expect("a live server transaction");
        self.pump();
    }

    /// Moves virtual time to `until` (since the start), delivering packets
    /// and firing timers in order.
    pub fn run_until(&mut self, until: Duration) {
        let end = self.t0 + until;
        loop {
            self.pump();
            let next = [
                self.in_flight.iter().map(|p| p.at).min(),
                self.uac.poll_timeout(),
                self.uas.poll_timeout(),
            ];
            match next.into_iter().flatten().min() {
                Some(at) if at <= end => {
                    assert!(at >= self.now, "a deadline in the past");
                    self.now = at;
                    self.step();
                }
                _ => break,
            }
        }
        self.now = end;
    }

    fn step(&mut self) {
        while let Some(i) = self.next_due() {
            let packet = self.in_flight.remove(i);
            let checked = message::parse(&packet.bytes).expect("the layers send valid SIP");
            // The receiver sees the sender's address as the flow's remote.
            let flow = self.flow_from(packet.to);
            let layer = match packet.to {
                Side::Uac => &mut self.uac,
                Side::Uas => &mut self.uas,
            };
            layer.receive(self.now, checked, flow);
            self.pump();
        }
        self.uac.handle_timeout(self.now);
        self.uas.handle_timeout(self.now);
    }

    fn next_due(&self) -> Option<usize> {
        (self.in_flight.iter().enumerate())
            .filter(|(_, p)| p.at <= self.now)
            .min_by_key(|(_, p)| (p.at, p.seq))
            .map(|(i, _)| i)
    }

    /// Drains both layers: transmits go on the wire, events to the logs
    /// (and the UAC's TU ACKs 2xx responses when `auto_ack`).
    pub fn pump(&mut self) {
        loop {
            if let Some(output) = self.uac.poll_output() {
                self.output(Side::Uac, output);
            } else if let Some(output) = self.uas.poll_output() {
                self.output(Side::Uas, output);
            } else {
                return;
            }
        }
    }

    fn output(&mut self, from: Side, output: Output) {
        let at = self.elapsed();
        match output {
            Output::Transmit { flow, bytes } => {
                assert_eq!(flow, self.flow_from(from), "sent on the flow of the peer");
                self.transmit(from, bytes);
            }
            Output::Event(event) if from == Side::Uac => {
                if let Event::Response { tx, response } = &event {
                    self.ack_2xx(*tx, response);
                }
                self.uac_events.push((at, event));
            }
            Output::Event(event) => {
                if let Event::Request { tx, request, .. } = &event {
                    self.requests.insert(*tx, request.clone());
                }
                self.uas_events.push((at, event));
            }
        }
    }

    fn transmit(&mut self, from: Side, bytes: Vec<u8>) {
        let line = String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        let fate = (self.rules.iter_mut())
            .find(|r| r.from == from && r.times > 0 && line.starts_with(&r.prefix))
            .map(|r| {
                r.times -= 1;
                r.fate
            });
        let to = match from {
            Side::Uac => Side::Uas,
            Side::Uas => Side::Uac,
        };
        let deliver = |net: &mut Net, after: Duration| {
            net.seq += 1;
            net.in_flight.push(Packet {
                at: net.now + after,
                seq: net.seq,
                to,
                bytes: bytes.clone(),
            });
        };
        match fate {
            Some(Fate::Drop) => {}
            Some(Fate::Delay(extra)) => deliver(self, self.latency + extra),
            Some(Fate::Duplicate) => {
                deliver(self, self.latency);
                deliver(self, self.latency);
            }
            None => deliver(self, self.latency),
        }
        let at = self.elapsed();
        self.sent.push(Sent {
            at,
            from,
            line,
            bytes,
        });
    }

    /// The UAC's TU ACKs a 2xx to INVITE (RFC 3261 §13.2.2.4): a new
    /// branch, sent outside any transaction.
    fn ack_2xx(&mut self, tx: ClientTx, response: &Response) {
        let Some(invite) = self.invites.get(&tx) else {
            return;
        };
        if !self.auto_ack || !(200..300).contains(&response.status_code.code()) {
            return;
        }
        let mut ack = message::ack_for(invite, response);
        ack.headers.retain(|h| !matches!(h, Header::Via(_)));
        self.seq += 1;
        let via = via(self.transport, &new_branch([self.seq as u8; 16]));
        ack.headers.push_front(Header::Via(via));
        let flow = self.flow_from(Side::Uac);
        self.uac.send_stateless(flow, SipMessage::Request(ack));
    }

    /// Send times (ms) of messages from `from` whose first line starts
    /// with `prefix`.
    pub fn sent_ms(&self, from: Side, prefix: &str) -> Vec<u128> {
        (self.sent.iter())
            .filter(|s| s.from == from && s.line.starts_with(prefix))
            .map(|s| s.at.as_millis())
            .collect()
    }

    /// The UAS's TU's new requests, in order.
    pub fn uas_requests(&self) -> Vec<ServerTx> {
        (self.uas_events.iter())
            .filter_map(|(_, e)| match e {
                Event::Request { tx, .. } => Some(*tx),
                _ => None,
            })
            .collect()
    }

    /// Status codes of the responses the UAC's TU got for `tx`.
    pub fn uac_responses(&self, tx: ClientTx) -> Vec<u16> {
        (self.uac_events.iter())
            .filter_map(|(_, e)| match e {
                Event::Response { tx: t, response } if *t == tx => {
                    Some(response.status_code.code())
                }
                _ => None,
            })
            .collect()
    }

    /// When (ms) the side's log says `tx` terminated.
    pub fn terminated_ms(&self, side: Side, tx: TxId) -> Option<u128> {
        let events = match side {
            Side::Uac => &self.uac_events,
            Side::Uas => &self.uas_events,
        };
        (events.iter())
            .find(|(_, e)| *e == Event::Terminated { tx })
            .map(|(at, _)| at.as_millis())
    }
}

fn via(transport: Transport, branch: &str) -> rsipstack::sip::headers::untyped::Via {
    let token = match transport {
        Transport::Udp => "UDP",
        Transport::Tcp => "TCP",
        Transport::Tls => "TLS",
        Transport::Ws => "WS",
        Transport::Wss => "WSS",
    };
    rsipstack::sip::headers::untyped::Via::new(format!(
        "SIP/2.0/{token} {UAC};branch={branch};rport"
    ))
}

/// A request from the UAC to the UAS, as its TU would build it.
pub fn request(method: Method, branch: &str, transport: Transport) -> Request {
    let via = via(transport, branch);
    let text = format!(
        "{method} sip:1001@10.0.0.2 SIP/2.0\r\n\
         Via: {}\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:1001@10.0.0.2>\r\n\
         From: <sip:alice@10.0.0.1>;tag=a1\r\n\
         Call-ID: call-{branch}\r\n\
         CSeq: 1 {method}\r\n\
         Contact: <sip:alice@{UAC}>\r\n\
         Content-Length: 0\r\n\r\n",
        via.value()
    );
    match message::parse(text.as_bytes())
        .expect("a valid request")
        .message
    {
        SipMessage::Request(request) => request,
        SipMessage::Response(_) => unreachable!("the text is a request"),
    }
}
