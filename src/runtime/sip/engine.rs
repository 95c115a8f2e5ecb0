//! The SIP engine loop: the one task that owns the transaction layer and the
//! registrations. It feeds them what the sockets bring with the current
//! time, routes their outputs back to the sockets, and wakes at their
//! earliest deadline. Being one task, the cores need no locks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::distribution::{AgentCommand, MonitorReply};
use super::routing::{self, Locals, Route};
use super::transports::{Inbound, Outbound};
use crate::calls::{CallEvent, CallId, Calls, Command, Now};
use crate::dialplan;
use crate::runtime::clock;
use crate::runtime::media::Digit;
use crate::sip::message::{self, Header, Method, Request, SipMessage, StatusCode, response_to};
use crate::sip::registration::{Accounts, Challenger, Context, Notice, Outcome, Registrations};
use crate::sip::reject;
use crate::sip::transaction::{Event, Output, ServerTx, TransactionLayer};
use crate::sip::transport::Flow;

/// Methods this server answers; the rest get 405 with this list.
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE";
/// The SIP extensions we implement: session timers (RFC 4028).
const SUPPORTED: [&str; 1] = ["timer"];

/// Longest sleep when nothing is due, so a changed account map is seen.
const IDLE: Duration = Duration::from_secs(60);

pub struct Engine {
    pub layer: TransactionLayer,
    pub registrations: Registrations,
    pub calls: Calls,
    pub accounts: watch::Receiver<Accounts>,
    /// Extensions whose calls are recorded (an admin's setting per account).
    pub recorded: watch::Receiver<super::Recorded>,
    /// Extensions whose owners may monitor agents' calls.
    pub monitors: watch::Receiver<super::Recorded>,
    /// Supervisors' calls on agents' calls: the supervisor's call → the
    /// agent's.
    pub monitoring: std::collections::HashMap<CallId, CallId>,
    pub plan: watch::Receiver<std::sync::Arc<dialplan::Plan>>,
    pub locals: Locals,
    /// Trunks by name and by the addresses they call from.
    pub trunks: std::sync::Arc<crate::pbx::trunks::Trunks>,
    pub outbound: Outbound,
    /// Where finished calls' events go (the call records' writer).
    pub events: Option<mpsc::UnboundedSender<CallEvent>>,
    /// The trunks' OPTIONS pings.
    pub keepalive: super::keepalive::KeepAliveDriver,
    /// Trunk peers given by host name, resolved (see `dns.rs`).
    pub names: watch::Receiver<super::dns::Names>,
    /// The copy of the registrations the API reads.
    pub status: super::status::SipStatus,
    /// Switchboard's own registrations to PBXs that want it as a user.
    pub pbx_registrations: super::pbx_registration::PbxRegistrations,
    /// The calls' media streams; `None` passes SDP end to end.
    pub anchoring: Option<super::anchoring::Anchoring>,
    /// The queues and agents (the ACD).
    pub distribution: super::distribution::Distribution,
    /// Calls offered to agents, for their screen pop.
    pub offers: Option<tokio::sync::broadcast::Sender<super::distribution::Offered>>,
    /// The ACD's live view, for the supervisors' and agents' screens.
    pub live: watch::Sender<Arc<super::distribution::AcdStatus>>,
    /// The ACD revision last published on `live`, and when.
    pub published: (u64, Instant),
    /// Looks up callers' CRM statuses for queues that rank by them; the
    /// answers come back on `Inputs::classified`.
    pub classify: Option<(super::Classify, mpsc::UnboundedSender<Classified>)>,
    /// Campaigns' calls in progress, and the dialler to tell about them.
    pub campaigns: super::campaigns::CampaignCalls,
}

/// A caller's CRM status, looked up before they join a queue.
#[derive(Debug)]
pub struct Classified {
    call: CallId,
    queue: String,
    priority: u8,
    status: Option<String>,
}

/// The longest a caller's join waits for their CRM status: after it, they
/// join with the rule's priority (hold music plays meanwhile either way).
const CLASSIFY_WAIT: Duration = Duration::from_millis(300);

/// The live view is published at most this often: a burst of changes
/// (a call answered, an agent's state, the counters) makes one update.
const LIVE_EVERY: Duration = Duration::from_millis(200);

/// What the engine listens to besides its timers.
pub struct Inputs {
    /// What the sockets bring.
    pub inbound: mpsc::Receiver<Inbound>,
    /// Digits keyed in calls' media (RFC 4733), from the media threads.
    pub digits: mpsc::UnboundedReceiver<Digit>,
    /// Answering-machine verdicts, from the media threads.
    pub machines: mpsc::UnboundedReceiver<crate::runtime::media::machines::Heard>,
    /// Agents' requests to the ACD, from the API.
    pub agents: mpsc::UnboundedReceiver<super::distribution::AgentCommand>,
    /// Callers' CRM statuses (see `Engine::classify`).
    pub classified: mpsc::UnboundedReceiver<Classified>,
    /// What the campaigns' dialler asks.
    pub dialer: mpsc::UnboundedReceiver<super::campaigns::DialerCommand>,
    pub stop: watch::Receiver<bool>,
}

impl Engine {
    /// Runs until the sockets and every handle are gone or `stop` fires.
    pub async fn run(mut self, inputs: Inputs) {
        let Inputs {
            mut inbound,
            mut digits,
            mut machines,
            mut agents,
            mut classified,
            mut dialer,
            mut stop,
        } = inputs;
        self.sync_queues();
        // A new plan (a reload, a queue changed through the API) reaches
        // the ACD at once, so the live view shows its queues.
        let mut plans = self.plan.clone();
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                Ok(()) = plans.changed() => self.sync_queues(),
                Some(command) = agents.recv() => {
                    if let AgentCommand::Monitor { supervisor, agent, mode, reply } = command {
                        let _ = reply.send(self.switch_monitor(&supervisor, &agent, mode));
                        continue;
                    }
                    // A login is checked against the plan's queues as they
                    // are now (a reload may have changed them).
                    self.sync_queues();
                    self.distribution.command(clock::instant(), command);
                    // An agent logging in without a phone is paused at once.
                    self.reconcile_presence();
                }
                Some(answer) = classified.recv() => self.join_queue(answer),
                Some(command) = dialer.recv() => self.on_dialer(command),
                Some(heard) = machines.recv() => self.machine_heard(heard),
                Some(digit) = digits.recv() => {
                    self.calls.on_digit(stamp(), CallId(digit.tag), digit.side, digit.digit);
                }
                received = inbound.recv() => match received {
                    Some(Inbound::Message { bytes, flow }) => self.on_message(&bytes, flow).await,
                    Some(Inbound::Bound { connection, extension }) => {
                        self.registrations.bind_session(connection, extension);
                    }
                    Some(Inbound::Closed { flow }) => {
                        self.layer.flow_failed(flow);
                        self.calls.flow_closed(stamp(), flow);
                        if let Some(connection) = flow.connection {
                            self.registrations.flow_closed(connection);
                            self.reconcile_presence();
                        }
                    }
                    None => return,
                },
                () = tokio::time::sleep_until(deadline.into()) => {
                    let now = clock::instant();
                    self.layer.handle_timeout(now);
                    self.registrations.expire(now);
                    self.calls.handle_timeout(stamp());
                    self.distribution.acd.handle_timeout(now);
                    self.keepalive.handle_timeout(now);
                    self.pbx_registrations.handle_timeout(now);
                    self.listening_overdue(now);
                }
                _ = stop.changed() => return,
            }
            self.drain().await;
            self.publish_live();
        }
    }

    /// Publishes the ACD's live view when it changed and the last one is
    /// at least LIVE_EVERY old (else the deadline comes back for it).
    fn publish_live(&mut self) {
        let revision = self.distribution.acd.revision();
        let now = clock::instant();
        if revision == self.published.0 || now < self.published.1 + LIVE_EVERY {
            return;
        }
        self.published = (revision, now);
        self.live
            .send_replace(Arc::new(self.distribution.status(now)));
    }

    /// Gives the ACD the plan's queues if a reload changed them. Looked at
    /// when a queue may be used (a login, a new call), not per message.
    fn sync_queues(&mut self) {
        let queues = self.plan.borrow().queues().clone();
        self.distribution.sync(clock::instant(), &queues);
    }

    fn next_deadline(&self) -> Instant {
        let idle = clock::instant() + IDLE;
        [
            self.layer.poll_timeout(),
            self.registrations.next_expiry(),
            self.calls.poll_timeout(),
            self.distribution.acd.poll_timeout(),
            self.keepalive.poll_timeout(),
            self.pbx_registrations.poll_timeout(),
            self.next_listening_deadline(),
            (self.distribution.acd.revision() != self.published.0)
                .then_some(self.published.1 + LIVE_EVERY),
        ]
        .into_iter()
        .flatten()
        .fold(idle, Instant::min)
    }

    async fn on_message(&mut self, bytes: &[u8], flow: Flow) {
        metrics::counter!("sip_messages_received_total", "transport" => flow.transport.via_name())
            .increment(1);
        match message::parse(bytes) {
            Ok(checked) => self.layer.receive(clock::instant(), checked, flow),
            Err(error) => {
                metrics::counter!("sip_messages_malformed_total").increment(1);
                tracing::info!(peer = %flow.remote, %error, "malformed SIP message");
                let tag = hex::encode(rand::random::<[u8; 6]>());
                if let Some(answer) = reject::rejection(bytes, &error.to_string(), &tag) {
                    self.outbound.send(&flow, answer).await;
                }
            }
        }
    }

    /// Routes every pending output of the cores until none has more: the
    /// layer's events feed the calls, whose commands feed the layer.
    async fn drain(&mut self) {
        loop {
            self.drain_cores().await;
            // Phones that came or went may change agents' states, whose
            // consequences for calls are drained in turn.
            if !self.drain_notices() {
                break;
            }
        }
    }

    async fn drain_cores(&mut self) {
        loop {
            let mut moved = false;
            while let Some(output) = self.layer.poll_output() {
                moved = true;
                match output {
                    Output::Transmit { flow, bytes } => {
                        if !self.outbound.send(&flow, bytes).await {
                            self.layer.flow_failed(flow);
                        }
                    }
                    Output::Event(event) => self.on_event(event),
                }
            }
            while let Some(command) = self.calls.poll_output() {
                moved = true;
                self.on_command(command);
            }
            for decision in self.distribution.drain(clock::instant()) {
                moved = true;
                self.for_calls(decision);
            }
            let trunks = self.trunks.clone();
            // One look at the resolved names for both drains.
            let names = self.names.borrow().clone();
            self.pbx_registrations
                .drain(clock::instant(), &mut self.layer, &trunks, &names);
            let locals = self.locals.clone();
            self.keepalive
                .drain(clock::instant(), &mut self.layer, &names, |flow| {
                    locals.on(flow).sent_by
                });
            if !moved {
                break;
            }
        }
    }

    /// Logs the registrations' notices and publishes the registered phones
    /// when they changed; `true` then (the agents' presence was looked at).
    fn drain_notices(&mut self) -> bool {
        let mut changed = false;
        for notice in self.registrations.drain_notices() {
            changed |= matches!(
                notice,
                Notice::Registered { .. } | Notice::Unregistered { .. }
            );
            log(notice);
        }
        if changed {
            self.status
                .publish(clock::instant(), self.registrations.registered());
            self.reconcile_presence();
        }
        changed
    }

    /// Agents whose phones came or went (see `Distribution::presence`).
    fn reconcile_presence(&mut self) {
        let now = clock::instant();
        let registrations = &self.registrations;
        self.distribution.presence(now, |extension| {
            !registrations.contacts(now, extension).is_empty()
        });
    }

    fn on_command(&mut self, command: Command) {
        let now = clock::instant();
        match command {
            Command::Respond { tx, response } => {
                if let Err(error) = self.layer.respond(now, tx, response) {
                    tracing::debug!(%error, "a call's answer found no transaction");
                }
            }
            Command::Send {
                token,
                request,
                flow,
            } => match self.layer.send_request(now, request, flow) {
                Ok(tx) => self.calls.sent(token, tx),
                Err(error) => {
                    tracing::warn!(%error, "could not send a call's request");
                    self.calls.send_failed(stamp(), token);
                }
            },
            Command::Cancel { tx } => {
                if let Err(error) = self.layer.cancel(now, tx) {
                    tracing::debug!(%error, "nothing left to cancel");
                }
            }
            Command::Ack { request, flow } => self
                .layer
                .send_stateless(flow, SipMessage::Request(request)),
            Command::Media(command) => {
                if let Some(anchoring) = &mut self.anchoring {
                    anchoring.command(command);
                }
            }
            Command::Event(event) => self.on_call_event(event),
            Command::Ring {
                call, extensions, ..
            } => self.ring_chosen(call, &extensions),
            Command::Monitor {
                call,
                extension,
                mode,
            } => self.monitor(call, &extension, mode),
            Command::Queue {
                call,
                queue,
                priority,
            } => {
                // A queue that records (reached from a menu's key, say)
                // records the call from here on.
                let records = self
                    .plan
                    .borrow()
                    .queues()
                    .get(&queue)
                    .is_some_and(|q| q.record);
                if let (true, Some(anchoring)) = (records, &mut self.anchoring) {
                    anchoring.record(call);
                }
                self.campaigns.waiting(call);
                if !self.listen_before_queueing(call, &queue) {
                    self.classify_then_join(call, queue, priority);
                }
            }
        }
    }

    /// Puts a supervisor's call on the call `extension` talks on, or
    /// changes its mode; with no such call, the supervisor is hung up on.
    fn monitor(&mut self, call: CallId, extension: &str, mode: crate::calls::MonitorMode) {
        use crate::runtime::media::tap::Mode;
        let mode = match mode {
            crate::calls::MonitorMode::Listen => Mode::Listen,
            crate::calls::MonitorMode::Whisper => Mode::Whisper,
            crate::calls::MonitorMode::Barge => Mode::Barge,
        };
        let Some(anchoring) = &mut self.anchoring else {
            self.calls.hang_up(stamp(), call);
            return;
        };
        if self.monitoring.contains_key(&call) {
            tracing::info!(%call, ?mode, "monitor.mode");
            anchoring.monitor_mode(call, mode);
            return;
        }
        let (Some((agent_call, agent_side)), Some(pt)) = (
            self.calls.talking(extension),
            self.calls.caller_audio_pt(call),
        ) else {
            tracing::info!(%call, %extension, "monitor: the extension is on no call");
            self.calls.hang_up(stamp(), call);
            return;
        };
        tracing::info!(%call, monitored = %agent_call, %extension, ?mode, "monitor.start");
        anchoring.monitor(agent_call, call, mode, agent_side, pt);
        self.monitoring.insert(call, agent_call);
    }

    /// Switches the session `supervisor` has on the call `agent` talks on
    /// to `mode` (the web app's buttons, through the API).
    fn switch_monitor(
        &mut self,
        supervisor: &str,
        agent: &str,
        mode: crate::calls::MonitorMode,
    ) -> MonitorReply {
        let Some((agent_call, _)) = self.calls.talking(agent) else {
            return MonitorReply::AgentIdle;
        };
        let session = self.monitoring.iter().find_map(|(call, monitored)| {
            let caller = self.calls.parties(*call).map(|p| p.0);
            (*monitored == agent_call && caller == Some(supervisor)).then_some(*call)
        });
        match session {
            Some(call) => {
                self.monitor(call, agent, mode);
                MonitorReply::Switched
            }
            None => MonitorReply::NotJoined,
        }
    }

    /// A call ended: a supervisor's leaves the agent's call, and an
    /// agent's call takes its supervisors with it.
    fn end_monitoring(&mut self, ended: CallId) {
        if let Some(monitored) = self.monitoring.remove(&ended) {
            if let Some(anchoring) = &mut self.anchoring {
                anchoring.unmonitor(monitored);
            }
            return;
        }
        let supervisors: Vec<CallId> = self
            .monitoring
            .iter()
            .filter(|(_, monitored)| **monitored == ended)
            .map(|(supervisor, _)| *supervisor)
            .collect();
        for supervisor in supervisors {
            self.monitoring.remove(&supervisor);
            self.calls.hang_up(stamp(), supervisor);
        }
    }

    /// Joins a caller to their queue, first looking up their CRM status
    /// when the queue ranks callers by it.
    pub(super) fn classify_then_join(&mut self, call: CallId, queue: String, priority: u8) {
        let ranks = self
            .plan
            .borrow()
            .queues()
            .get(&queue)
            .is_some_and(|q| !q.priority_by_status.is_empty());
        let number = self
            .calls
            .parties(call)
            .and_then(|(_, e164, _, _)| e164.map(str::to_string));
        match (&self.classify, number) {
            (Some((classify, answers)), Some(number)) if ranks => {
                let (lookup, answers) = ((classify.0)(number), answers.clone());
                tokio::spawn(async move {
                    let status = tokio::time::timeout(CLASSIFY_WAIT, lookup)
                        .await
                        .ok()
                        .flatten();
                    let _ = answers.send(Classified {
                        call,
                        queue,
                        priority,
                        status,
                    });
                });
            }
            _ => self.join_queue(Classified {
                call,
                queue,
                priority,
                status: None,
            }),
        }
    }

    /// A caller joins their queue with the higher of the rule's priority
    /// and their status's, unless they hung up meanwhile.
    fn join_queue(&mut self, answer: Classified) {
        let Classified {
            call,
            queue,
            priority,
            status,
        } = answer;
        if self.calls.parties(call).is_none() {
            return;
        }
        let by_status = status.and_then(|status| {
            let plan = self.plan.borrow();
            plan.queues()
                .get(&queue)?
                .priority_by_status
                .get(&status.trim().to_lowercase())
                .copied()
        });
        let priority = priority.max(by_status.unwrap_or(0));
        let joined = self.distribution.acd.arrive(
            clock::instant(),
            crate::acd::CallRef(call.0),
            &queue,
            priority,
        );
        if let Err(error) = joined {
            tracing::warn!(%call, %error, "a call's queue is gone");
            self.calls.hang_up(stamp(), call);
        }
    }

    /// Sends an agent the screen pop of a call offered to them (or of a
    /// caller to call back).
    fn pop(
        &self,
        agent: crate::ids::UserId,
        call: CallId,
        queue: &str,
        caller: &super::distribution::Caller,
        callback: bool,
    ) {
        let Some(offers) = &self.offers else {
            return;
        };
        let campaign = self.campaigns.lead_of(call);
        let config = self.distribution.acd.config(queue);
        let _ = offers.send(super::distribution::Offered {
            agent,
            call,
            queue: queue.to_string(),
            caller: caller.number.clone(),
            caller_e164: caller.e164.clone(),
            caller_name: caller.name.clone(),
            called: caller.called.clone(),
            callback,
            wrap_up_s: config.map_or(0, |c| c.wrap_up.as_secs()),
            results: config.map(|c| c.results.clone()).unwrap_or_default(),
            campaign,
        });
    }

    /// Does to calls what the ACD decided.
    fn for_calls(&mut self, decision: super::distribution::ForCalls) {
        use super::distribution::ForCalls;
        match decision {
            ForCalls::Ring {
                call,
                queue,
                agents,
                extensions,
            } => {
                self.campaigns.offered(call);
                // The card is on its way before the phone rings.
                if let Some((number, e164, name, called)) = self.calls.parties(call) {
                    let caller = match self.campaigns.number_of(call) {
                        // A campaign's call: the card is the called party's.
                        Some(dialled) => super::distribution::Caller {
                            number: dialled.to_string(),
                            e164: Some(dialled.to_string()),
                            name: None,
                            called: number.to_string(),
                        },
                        None => super::distribution::Caller {
                            number: number.to_string(),
                            e164: e164.map(str::to_string),
                            name: name.map(str::to_string),
                            called: called.to_string(),
                        },
                    };
                    for agent in agents {
                        self.pop(agent, call, &queue, &caller, false);
                    }
                }
                self.ring_chosen(call, &extensions);
            }
            ForCalls::OfferCallback {
                call,
                queue,
                agent,
                caller,
            } => self.pop(agent, call, &queue, &caller, true),
            ForCalls::CallBackLater { call } => {
                if let Some((number, e164, name, called)) = self.calls.parties(call) {
                    let caller = super::distribution::Caller {
                        number: number.to_string(),
                        e164: e164.map(str::to_string),
                        name: name.map(str::to_string),
                        called: called.to_string(),
                    };
                    tracing::info!(%call, number = %caller.number, "queue.callback requested");
                    self.distribution.keep_callback(call, caller);
                }
                self.calls.call_back_later(stamp(), call);
            }
            ForCalls::Withdraw { call, extensions } => self.calls.withdraw(call, &extensions),
            ForCalls::HangUp { call } => {
                if !self.abandon_if_placed(call) {
                    self.calls.hang_up(stamp(), call);
                }
            }
            ForCalls::Announce {
                call,
                position,
                minutes,
            } => self.calls.announce(call, position, minutes),
        }
    }

    /// The phones of the extensions a caller chose in a menu; a recorded
    /// extension has the call recorded from here on.
    fn ring_chosen(&mut self, call: CallId, extensions: &[String]) {
        let now = clock::instant();
        let registrations = &self.registrations;
        let targets = routing::ring_targets(
            extensions,
            |e| contacts(registrations, now, e),
            &self.locals,
        );
        let recorded = extensions
            .iter()
            .any(|e| self.recorded.borrow().contains(e));
        if let (true, Some(anchoring)) = (recorded, &mut self.anchoring) {
            anchoring.record(call);
        }
        self.calls.ring(stamp(), call, targets);
    }

    fn on_call_event(&mut self, mut event: CallEvent) {
        if let (CallEvent::Ended(summary), Some(anchoring)) = (&mut event, &mut self.anchoring) {
            anchoring.fill(summary);
        }
        match &event {
            CallEvent::Created {
                id,
                caller,
                called,
                direction,
            } => {
                metrics::counter!("sip_calls_total", "direction" => direction.as_str())
                    .increment(1);
                // An agent calling out may be making the callback offered.
                self.distribution.called_out(clock::instant(), *id, caller);
                tracing::info!(call = %id, %caller, %called, direction = direction.as_str(), "call.created");
            }
            CallEvent::Ringing { id, label } => tracing::debug!(call = %id, %label, "call.ringing"),
            CallEvent::Digit { id, from, digit } => {
                tracing::info!(call = %id, from = ?from, %digit, "call.digit");
            }
            CallEvent::Answered { id, label } => {
                tracing::info!(call = %id, %label, "call.answered");
                self.distribution.answered(clock::instant(), *id, label);
            }
            CallEvent::Unanswered { id, label } => {
                tracing::debug!(call = %id, %label, "call.unanswered");
                self.distribution.unanswered(clock::instant(), *id, label);
            }
            CallEvent::Ended(summary) => {
                let media = summary.media.clone().unwrap_or_default();
                tracing::info!(call = %summary.id, outcome = ?summary.outcome, hangup_by = ?summary.hangup_by,
                    code = ?summary.sip_code, packets_from_caller = media.from_caller.packets,
                    lost_from_caller = media.from_caller.lost, packets_from_callee = media.from_callee.packets,
                    lost_from_callee = media.from_callee.lost, "call.ended");
                self.distribution.ended(clock::instant(), summary.id);
                self.end_monitoring(summary.id);
            }
        }
        self.campaign_call_event(&event);
        metrics::gauge!("sip_calls_active").set(self.calls.len() as f64);
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Request { tx, request, flow } => self.on_request(tx, request, flow),
            Event::Response { tx, response }
                if !self.keepalive.on_response(clock::instant(), tx, &response)
                    && !self
                        .pbx_registrations
                        .on_response(clock::instant(), tx, &response) =>
            {
                self.calls.on_response(stamp(), tx, response);
            }
            Event::Timeout { tx }
                if !self.keepalive.on_timeout(clock::instant(), tx)
                    && !self.pbx_registrations.on_timeout(clock::instant(), tx) =>
            {
                self.calls.on_timeout(stamp(), tx);
            }
            Event::Cancelled { invite } => self.calls.on_cancelled(stamp(), invite),
            Event::Ack { request, .. } => self.calls.on_ack(stamp(), &request),
            Event::StrayResponse { flow, .. } => {
                tracing::debug!(peer = %flow.remote, "response matching no transaction");
            }
            _ => {}
        }
    }

    fn on_request(&mut self, tx: ServerTx, request: Request, flow: Flow) {
        let now = clock::instant();
        let response = match request.method {
            Method::Register => {
                let Ok(essentials) = message::essentials_of(&request.headers) else {
                    return; // checked at parse time; cannot fail here
                };
                let context = Context {
                    now,
                    wall: clock::now(),
                    entropy: rand::random(),
                };
                let accounts = self.accounts.borrow().clone();
                match self
                    .registrations
                    .register(context, &request, &essentials, flow, &accounts)
                {
                    // A challenge is answered afresh if the REGISTER comes
                    // again: no need to keep its transaction.
                    Outcome::Respond(response)
                        if response.status_code == StatusCode::Unauthorized =>
                    {
                        if let Err(error) = self.layer.respond_statelessly(now, tx, *response) {
                            tracing::warn!(%error, "could not answer a REGISTER");
                        }
                        return;
                    }
                    Outcome::Respond(response) => *response,
                    Outcome::Drop => return,
                }
            }
            Method::Options => {
                let mut response = response_to(&request, StatusCode::OK, Some(&tag()));
                response.headers.push(Header::Allow(ALLOW.into()));
                response
                    .headers
                    .push(Header::Accept("application/sdp".into()));
                response
                    .headers
                    .push(Header::Supported(SUPPORTED.join(", ").into()));
                response
            }
            Method::Invite if to_tag(&request).is_none() => {
                self.new_call(tx, request, flow);
                return;
            }
            // In-dialog requests: the call they belong to, or 481.
            Method::Invite | Method::Bye | Method::Info | Method::Update => {
                if self.calls.on_request(stamp(), tx, request.clone()) {
                    return;
                }
                response_to(
                    &request,
                    StatusCode::CallTransactionDoesNotExist,
                    Some(&tag()),
                )
            }
            _ => {
                let mut response =
                    response_to(&request, StatusCode::MethodNotAllowed, Some(&tag()));
                response.headers.push(Header::Allow(ALLOW.into()));
                response
            }
        };
        if let Err(error) = self.layer.respond(now, tx, response) {
            tracing::warn!(%error, "could not answer a request");
        }
    }
}

impl Engine {
    /// A new INVITE. A trunk is known by its source address; anyone else
    /// must be one of our extensions and prove it (digest auth, 407).
    fn new_call(&mut self, tx: ServerTx, mut request: Request, flow: Flow) {
        let now = clock::instant();
        let wall = clock::now();
        // Loop detection (RFC 3261 §16.3, which a B2BUA honours too): the
        // count travels on to the phones and trunks we call, one less, so a
        // routing loop between us and a PBX dies out instead of ringing on.
        let hops = max_forwards(&request);
        if hops == 0 {
            let response = response_to(&request, StatusCode::TooManyHops, Some(&tag()));
            let _ = self.layer.respond(now, tx, response);
            return;
        }
        let unsupported = message::unsupported(&request.headers, &SUPPORTED);
        if !unsupported.is_empty() {
            let mut response = response_to(&request, StatusCode::from(420), Some(&tag()));
            response
                .headers
                .push(Header::Unsupported(unsupported.join(", ").into()));
            let _ = self.layer.respond(now, tx, response);
            return;
        }
        request
            .headers
            .retain(|h| !matches!(h, Header::MaxForwards(_)));
        request.headers.push(Header::MaxForwards((hops - 1).into()));
        let trunks = self.trunks.clone();
        let extension;
        let from_trunk = if flow.transport.is_websocket() {
            None
        } else {
            trunks.by_source(flow.remote.ip())
        };
        let caller = match from_trunk {
            Some(trunk) => match routing::Caller::trunk(trunk, &request) {
                Ok(caller) => caller,
                Err(reason) => {
                    tracing::info!(trunk = %trunk.name, %reason, "refusing a trunk call");
                    let response = response_to(&request, StatusCode::NotFound, Some(&tag()));
                    let _ = self.layer.respond(now, tx, response);
                    return;
                }
            },
            None => {
                let context = Context {
                    now,
                    wall,
                    entropy: rand::random(),
                };
                let accounts = self.accounts.borrow().clone();
                extension = match self.registrations.authenticate(
                    context,
                    &request,
                    flow,
                    &accounts,
                    Challenger::Proxy,
                ) {
                    Ok(extension) => extension,
                    Err(Outcome::Respond(response)) => {
                        let _ = self.layer.respond(now, tx, *response);
                        return;
                    }
                    Err(Outcome::Drop) => return,
                };
                routing::Caller::extension(&extension, &request)
            }
        };
        let plan = self.plan.borrow().clone();
        self.distribution.sync(now, plan.queues());
        let registrations = &self.registrations;
        let route = routing::route(
            &plan,
            &caller,
            wall,
            |e| contacts(registrations, now, e),
            &trunks,
            &self.locals,
            &self.names.borrow(),
        );
        match route {
            Route::Ring(plan)
                if plan.monitor.is_some() && !self.monitors.borrow().contains(&plan.caller) =>
            {
                tracing::info!(caller = %plan.caller, "monitor refused: not a supervisor's extension");
                let response = response_to(&request, StatusCode::Forbidden, Some(&tag()));
                let _ = self.layer.respond(now, tx, response);
            }
            Route::Ring(mut plan) => {
                {
                    let recorded = self.recorded.borrow();
                    let caller = matches!(
                        plan.direction,
                        crate::calls::Direction::Outbound | crate::calls::Direction::Internal
                    ) && recorded.contains(&plan.caller);
                    plan.record |=
                        caller || plan.targets.iter().any(|t| recorded.contains(&t.label));
                }
                let mut stream = None;
                if let Some(anchoring) = &self.anchoring
                    && (!plan.targets.is_empty()
                        || plan.menu.is_some()
                        || plan.queue.is_some()
                        || plan.monitor.is_some())
                {
                    match anchoring.open(plan.record) {
                        Ok((opened, anchor)) => {
                            plan.media = Some(anchor);
                            stream = Some(opened);
                        }
                        Err(error) => {
                            tracing::warn!(%error, "no media ports for a call");
                            metrics::counter!("media_open_failures_total").increment(1);
                            let response =
                                response_to(&request, StatusCode::ServiceUnavailable, Some(&tag()));
                            let _ = self.layer.respond(now, tx, response);
                            return;
                        }
                    }
                }
                let local = self.locals.on(&flow);
                let id = self.calls.start(stamp(), tx, request, flow, local, *plan);
                if let (Some(anchoring), Some(stream)) = (&mut self.anchoring, stream) {
                    anchoring.started(id, stream);
                }
            }
            Route::Refuse(code, reason) => {
                let mut response = response_to(&request, StatusCode::from(code), Some(&tag()));
                response.wire_reason = Some(reason);
                let _ = self.layer.respond(now, tx, response);
            }
        }
    }
}

/// The phones registered for `extension` now.
fn contacts(
    registrations: &Registrations,
    now: Instant,
    extension: &str,
) -> Vec<crate::sip::registrar::Binding> {
    registrations
        .contacts(now, extension)
        .into_iter()
        .cloned()
        .collect()
}

/// The time for the call core: both clocks at once.
pub(super) fn stamp() -> Now {
    Now {
        instant: clock::instant(),
        wall: clock::now(),
    }
}

/// The request's Max-Forwards; 70 (RFC 3261's default) when absent or
/// unreadable.
fn max_forwards(request: &Request) -> u32 {
    request
        .headers
        .iter()
        .find_map(|h| match h {
            Header::MaxForwards(v) => v.value().trim().parse().ok(),
            _ => None,
        })
        .unwrap_or(70)
}

fn to_tag(request: &Request) -> Option<String> {
    message::essentials_of(&request.headers).ok()?.to_tag
}

fn tag() -> String {
    hex::encode(rand::random::<[u8; 6]>())
}

fn log(notice: Notice) {
    match notice {
        Notice::Registered {
            extension,
            contacts,
        } => {
            tracing::info!(%extension, contacts, "registered");
        }
        Notice::Unregistered { extension } => tracing::info!(%extension, "unregistered"),
        Notice::AuthFailed { source, username } => {
            metrics::counter!("sip_auth_failures_total").increment(1);
            tracing::info!(%source, %username, "SIP authentication failed");
        }
        Notice::Banned(ban) => {
            metrics::counter!("sip_bans_total").increment(1);
            tracing::warn!(source = %ban.source, failures = ban.failures, usernames = ?ban.usernames,
                "banning a source after repeated failed authentications");
        }
    }
}
