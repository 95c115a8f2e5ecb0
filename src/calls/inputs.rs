//! What moves a call: a new INVITE with its plan, the callee legs' answers,
//! in-dialog requests from either side, CANCEL, and the ring timer.

mod dial;
mod menu;

pub use dial::ABANDON_PROMPT;
use menu::on_behalf;
pub use menu::{CALLBACK_PROMPT, RINGBACK};

use super::call::{CALLER, Call, CallId, LegId, LegState, Phase, Timed, outcome_of};
use super::dialog::{Dialog, body_of, is_media_type};
use super::media::{MediaCommand, Offer, Refusal, is_sdp};
use super::session_timer::{self, Refresher, SessionTimer, UasTerms};
use super::{CallEvent, Calls, Command, Due, Now, Outcome, Party, Pending, Plan, Purpose};
use crate::media::relay::Side;
use crate::sip::message::{
    Essentials, Header, Method, Request, Response, StatusCode, essentials_of, response_to,
};
use crate::sip::transaction::{ClientTx, ServerTx, new_branch};
use crate::sip::transport::Flow;

impl Calls {
    /// A new call: answers the caller 480 at once when there is no phone to
    /// ring, else rings every target.
    pub fn start(
        &mut self,
        now: Now,
        tx: ServerTx,
        invite: Request,
        flow: Flow,
        local: super::Local,
        plan: Plan,
    ) -> CallId {
        self.next_id += 1;
        let id = CallId(self.next_id);
        let tag = self.unique();
        let caller = Dialog::from_invite(&invite, tag, flow, local)
            .unwrap_or_else(|| unreachable_dialog(&invite, flow));
        let caller_terms = session_timer::as_uas(&invite.headers, plan.session_expires);
        let mut call = Call {
            invite_tx: Some(tx),
            caller_terms,
            ..Call::new(id, plan, caller, invite, Phase::Ringing, now.wall)
        };
        self.commands.push_back(Command::Event(CallEvent::Created {
            id,
            caller: call.plan.caller.clone(),
            called: call.plan.called.clone(),
            direction: call.plan.direction,
        }));
        if caller_terms == UasTerms::TooBrief {
            let min_se = session_timer::MIN_SE.to_string();
            let tag = call.caller.local_tag.clone();
            let extra = vec![Header::MinSE(min_se.into())];
            self.respond_to(
                &call.invite,
                tx,
                &tag,
                None,
                Reply::code(422).headers(extra),
            );
            self.finish(now, call, Outcome::Rejected, Some(Party::System), Some(422));
            return id;
        }
        if call.plan.menu.is_some() || call.plan.queue.is_some() || call.plan.monitor.is_some() {
            let entry = call.plan.menu.take();
            self.start_menu(now, call, entry);
            return id;
        }
        let targets = std::mem::take(&mut call.plan.targets);
        if targets.is_empty() {
            self.unavailable(now, call);
            return id;
        }
        let offered = owned(body_of(&call.invite.headers, &call.invite.body));
        // The offer as each kind of phone gets it: a browser, or not.
        let offers = self
            .read_offer(&mut call, Side::A, offered)
            .and_then(|offer| {
                let mut written = [None, None];
                for browser in [false, true] {
                    if targets.iter().any(|t| is_browser(t.flow) == browser) {
                        written[usize::from(browser)] =
                            self.offer_toward(&mut call, &offer, browser)?;
                    }
                }
                Ok(written)
            });
        let offers = match offers {
            Ok(offers) => offers,
            Err(error) => {
                // RFC 3261 §21.4.26: the session cannot be set up as offered.
                let tag = call.caller.local_tag.clone();
                let warning = refusal(&error);
                self.respond_to(
                    &call.invite,
                    tx,
                    &tag,
                    None,
                    Reply::code(488).headers(vec![warning]),
                );
                self.finish(now, call, Outcome::Rejected, Some(Party::System), Some(488));
                return id;
            }
        };
        self.server_txs.insert(tx, id);
        self.keys_by_info(&call, Side::A);
        self.invite_targets(now, &mut call, targets, &offers);
        self.dialogs
            .entry(call.caller.call_id.clone())
            .or_default()
            .push(id);
        self.calls.insert(id, call);
        id
    }

    /// Sends every target an INVITE with the offer for its kind of phone
    /// (`offers[1]` for browsers), and starts the ring timer.
    fn invite_targets(
        &mut self,
        now: Now,
        call: &mut Call,
        targets: Vec<super::Target>,
        offers: &[Option<(String, Vec<u8>)>; 2],
    ) {
        let id = call.id;
        if !targets.is_empty() {
            call.offered_at.get_or_insert(now.wall);
        }
        for target in targets {
            let leg = LegId(call.legs.len());
            let call_id = format!("{}@switchboard", self.unique());
            let local_tag = self.unique();
            let mut dialog = Dialog {
                call_id,
                local_tag,
                remote_tag: None,
                local_uri: call.plan.present_as.clone(),
                remote_uri: format!("<{}>", target.uri),
                remote_target: target.uri.clone(),
                route_set: Vec::new(),
                local_cseq: 0,
                remote_cseq: 0,
                flow: target.flow,
                local: target.local.clone(),
            };
            let branch = self.branch();
            let offer = &offers[usize::from(is_browser(target.flow))];
            let mut request = dialog.request(Method::Invite, &branch, borrowed(offer));
            // The caller's hop count goes on (the engine took one off).
            if let Some(hops) = call
                .invite
                .headers
                .iter()
                .find(|h| matches!(h, Header::MaxForwards(_)))
            {
                request
                    .headers
                    .retain(|h| !matches!(h, Header::MaxForwards(_)));
                request.headers.push(hops.clone());
            }
            if let Some(interval) = target.session_expires {
                request
                    .headers
                    .extend(session_timer::offer_headers(interval));
            }
            self.send(id, leg, Purpose::Invite, request, target.flow, None);
            call.legs.push(super::call::Leg {
                target,
                dialog,
                invite_tx: None,
                state: LegState::Calling,
                cancelling: false,
                timer: None,
                timer_retried: false,
            });
            self.dialogs
                .entry(call.legs[leg.0].dialog.call_id.clone())
                .or_default()
                .push(id);
        }
        self.deadlines
            .insert((now.instant + call.plan.ring_timeout, id, Due::Ring), ());
    }

    /// A response to one of our client transactions. `false` when it is not
    /// a call's.
    pub fn on_response(&mut self, now: Now, tx: ClientTx, response: Response) -> bool {
        let Some(&(id, leg)) = self.client_txs.get(&tx) else {
            return false;
        };
        let Some(mut call) = self.calls.remove(&id) else {
            self.client_txs.remove(&tx);
            return true;
        };
        if let Some(side) = call.refreshes.get(&tx).copied() {
            if self.on_refresh_answer(&mut call, side, tx, &response) {
                self.end_answered(now, call);
                return true;
            }
        } else if let Some((server_tx, request)) = call.relays.get(&tx).cloned() {
            if response.status_code.code() >= 200 {
                call.relays.remove(&tx);
                self.relay_final(now, &mut call, leg, &request, server_tx, &response);
            }
        } else if leg == CALLER
            && call
                .dialled
                .as_ref()
                .is_some_and(|d| d.invite_tx == Some(tx))
        {
            if let Some(ended) = self.on_dial_answer(now, &mut call, response) {
                self.finish(now, call, ended.0, ended.1, ended.2);
                return true;
            }
        } else if call
            .legs
            .get(leg.0)
            .is_some_and(|l| l.invite_tx == Some(tx))
            && let Some(ended) = self.on_leg_answer(now, &mut call, leg, response)
        {
            self.finish(now, call, ended.0, ended.1, ended.2);
            return true;
        }
        self.calls.insert(id, call);
        true
    }

    /// Timer B/F of one of our transactions: treated as a 408 from that leg.
    pub fn on_timeout(&mut self, now: Now, tx: ClientTx) -> bool {
        let Some(&(id, leg)) = self.client_txs.get(&tx) else {
            return false;
        };
        let Some(call) = self.calls.get(&id) else {
            return true;
        };
        if call.refreshes.contains_key(&tx) {
            // RFC 4028 §10: a refresh that times out ends the session.
            if let Some(call) = self.calls.remove(&id) {
                self.end_answered(now, call);
            }
            return true;
        }
        if leg == CALLER
            && call
                .dialled
                .as_ref()
                .is_some_and(|d| d.invite_tx == Some(tx))
        {
            let timeout = synthetic_408(&call.caller);
            self.on_response(now, tx, timeout);
        } else if call
            .legs
            .get(leg.0)
            .is_some_and(|l| l.invite_tx == Some(tx))
        {
            let timeout = synthetic_408(&call.legs[leg.0].dialog);
            self.on_response(now, tx, timeout);
        }
        true
    }

    /// The caller cancelled (the transaction layer already answered the
    /// CANCEL): 487 to the INVITE, CANCEL to every ringing leg.
    pub fn on_cancelled(&mut self, now: Now, invite: ServerTx) {
        let Some(id) = self.server_txs.get(&invite).copied() else {
            return;
        };
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        if call.phase != Phase::Ringing || call.menu.is_some() {
            self.calls.insert(id, call);
            return;
        }
        let mut call = call;
        self.respond_caller(&call, 487, None);
        self.cancel_pending(&mut call, None);
        self.finish(
            now,
            call,
            Outcome::Cancelled,
            Some(Party::Caller),
            Some(487),
        );
    }

    /// The ring timer (calls nobody answered in time hear 480) and the
    /// session timers (our refreshes, the peers' expiries).
    pub fn handle_timeout(&mut self, now: Now) {
        while let Some((&(at, id, due), _)) = self.deadlines.iter().next() {
            if at > now.instant {
                break;
            }
            self.deadlines.remove(&(at, id, due));
            let Some(mut call) = self.calls.remove(&id) else {
                continue;
            };
            match due {
                Due::Session(side) => {
                    self.session_due(now, call, side, at);
                    continue;
                }
                Due::Menu(step) => {
                    self.menu_due(now, call, step);
                    continue;
                }
                Due::Ring if call.phase == Phase::Dialling => {
                    // Nobody answered: the CANCEL's 487 ends the call.
                    self.cancel_dial(&mut call);
                    self.calls.insert(id, call);
                    continue;
                }
                Due::Ring => {}
            }
            if call.phase != Phase::Ringing {
                self.calls.insert(id, call);
                continue;
            }
            if call.menu.as_ref().is_some_and(|m| m.queue.is_some()) {
                // A queue's ACD times its offers out itself.
                self.calls.insert(id, call);
                continue;
            }
            if call.menu.is_some() {
                // Nobody answered what the caller chose in a menu.
                self.cancel_pending(&mut call, None);
                self.menu_gives_up(now, call);
                continue;
            }
            self.respond_caller(&call, 480, None);
            self.cancel_pending(&mut call, None);
            self.finish(now, call, Outcome::NoAnswer, Some(Party::System), Some(480));
        }
    }

    /// An in-dialog request (BYE, re-INVITE, UPDATE, INFO) from either side.
    /// `false` when it belongs to no call: the engine answers 481.
    pub fn on_request(&mut self, now: Now, tx: ServerTx, request: Request) -> bool {
        let Ok(e) = essentials_of(&request.headers) else {
            return false;
        };
        let found = self.dialog_of(&e);
        let Some((id, from_leg)) = found else {
            return false;
        };
        let Some(mut call) = self.calls.remove(&id) else {
            return false;
        };
        if request.method == Method::Bye {
            let tag = tag_of(&call, from_leg);
            self.respond_to(&request, tx, &tag, None, Reply::code(200));
            let (party, other) = match from_leg {
                None => (Party::Caller, None),
                Some(leg) => (Party::Callee, Some(leg)),
            };
            match (call.phase, other) {
                (Phase::Answered(winner), None) => self.bye_leg(&mut call, winner),
                (Phase::Answered(_), Some(_)) => self.bye_caller(&mut call),
                (Phase::Menu, _) => {}
                // An early dialog's BYE: our INVITE is over too.
                (Phase::Dialling, _) => self.cancel_dial(&mut call),
                (Phase::Ringing, _) if call.menu.is_some() => {
                    self.cancel_pending(&mut call, None);
                }
                (Phase::Ringing, _) => {
                    self.respond_caller(&call, 487, None);
                    self.cancel_pending(&mut call, None);
                }
            }
            let outcome = if call.answered_at.is_some() {
                Outcome::Answered
            } else {
                Outcome::Cancelled
            };
            self.finish(now, call, outcome, Some(party), None);
            return true;
        }
        let side = from_leg.unwrap_or(CALLER);
        if request.method == Method::Update
            && request.body.is_empty()
            && let Some(Some(timed)) = call.timer_mut(side).map(|t| *t)
        {
            // A session refresh: confirmed here, the other side has its own.
            let timer = session_timer::refreshed_by_peer(&timed.timer, &request.headers);
            self.set_timer(now, &mut call, side, timer);
            let contact = call.dialog(side).local.contact.clone();
            let extra = session_timer::answer_headers(&timer);
            let tag = tag_of(&call, from_leg);
            self.respond_to(
                &request,
                tx,
                &tag,
                Some(&contact),
                Reply::code(200).headers(extra),
            );
            self.calls.insert(id, call);
            return true;
        }
        if request.method == Method::Info
            && let Some(digit) = info_digit(&request)
        {
            let from = if from_leg.is_some() {
                Party::Callee
            } else {
                Party::Caller
            };
            self.commands
                .push_back(Command::Event(CallEvent::Digit { id, from, digit }));
        }
        if from_leg.is_none() && call.menu.is_some() && !matches!(call.phase, Phase::Answered(_)) {
            // The menu answered the caller: its requests are ours to answer.
            self.answer_in_menu(now, call, tx, request);
            return true;
        }
        if request.method == Method::Invite
            && request.body.is_empty()
            && (side == CALLER || call.phase == Phase::Answered(side))
            && matches!(call.phase, Phase::Answered(_))
            && let Some(given) = call.bridge.given(media_side(side)).map(<[u8]>::to_vec)
        {
            // A re-INVITE asking for an offer (a session refresh some PBXs
            // send this way): the media is anchored here, so this side gets
            // what we gave it before, its answer comes in the ACK, and the
            // other side need not hear of it.
            call.offered_again = Some(side);
            let mut extra = Vec::new();
            if let Some(Some(timed)) = call.timer_mut(side).map(|t| *t) {
                let timer = session_timer::refreshed_by_peer(&timed.timer, &request.headers);
                self.set_timer(now, &mut call, side, timer);
                extra = session_timer::answer_headers(&timer);
            }
            let (tag, contact) = (
                tag_of(&call, from_leg),
                call.dialog(side).local.contact.clone(),
            );
            let body = Some(("application/sdp", given.as_slice()));
            let reply = Reply::code(200).body(body).headers(extra);
            self.respond_to(&request, tx, &tag, Some(&contact), reply);
            self.calls.insert(id, call);
            return true;
        }
        // Relay re-INVITE, UPDATE and INFO to the other side of the bridge.
        let from = if from_leg.is_some() { Side::B } else { Side::A };
        let to_browser = match (from_leg, call.phase) {
            (None, Phase::Answered(winner)) => is_browser(call.legs[winner.0].target.flow),
            _ => is_browser(call.caller.flow),
        };
        let offered = owned(body_of(&request.headers, &request.body));
        let body = self
            .read_offer(&mut call, from, offered)
            .and_then(|offer| self.offer_toward(&mut call, &offer, to_browser));
        let body = match body {
            Ok(body) => body,
            Err(error) => {
                let tag = tag_of(&call, from_leg);
                let warning = refusal(&error);
                self.respond_to(
                    &request,
                    tx,
                    &tag,
                    None,
                    Reply::code(488).headers(vec![warning]),
                );
                self.calls.insert(id, call);
                return true;
            }
        };
        let body_ref = borrowed(&body);
        let branch = self.branch();
        match (from_leg, call.phase) {
            (None, Phase::Answered(winner)) => {
                let relayed = call.legs[winner.0]
                    .dialog
                    .request(request.method, &branch, body_ref);
                let flow = call.legs[winner.0].dialog.flow;
                self.send(id, winner, Purpose::Relay(tx), relayed, flow, Some(request));
            }
            (Some(leg), Phase::Answered(winner)) if leg == winner => {
                let relayed = call.caller.request(request.method, &branch, body_ref);
                let flow = call.caller.flow;
                self.send(id, CALLER, Purpose::Relay(tx), relayed, flow, Some(request));
            }
            _ => {
                let tag = tag_of(&call, from_leg);
                self.respond_to(&request, tx, &tag, None, Reply::code(491));
            }
        }
        self.calls.insert(id, call);
        true
    }

    /// A digit the media heard on one side of a call.
    pub fn on_digit(&mut self, now: Now, id: CallId, side: Side, digit: char) {
        let Some(call) = self.calls.get(&id) else {
            return; // the call ended while the digit was on its way
        };
        let in_menu = call.phase == Phase::Menu;
        let from = match side {
            Side::A => Party::Caller,
            Side::B => Party::Callee,
        };
        self.commands
            .push_back(Command::Event(CallEvent::Digit { id, from, digit }));
        if in_menu && side == Side::A {
            self.menu_key(now, id, digit);
            return;
        }
        self.key_as_info(id, side, digit);
    }

    /// Tells the media that `side` takes keys as SIP INFO, if it does.
    fn keys_by_info(&mut self, call: &Call, side: Side) {
        let by_info = match (side, call.phase) {
            (Side::A, _) => call.plan.caller_keys_by_info,
            (Side::B, Phase::Answered(leg)) => call.legs[leg.0].target.keys_by_info,
            (Side::B, _) => false,
        };
        if by_info && call.plan.media.is_some() {
            self.commands
                .push_back(Command::Media(MediaCommand::KeysByInfo {
                    call: call.id,
                    side,
                }));
        }
    }

    /// A key heard in `from`'s RFC 4733 events, sent on as SIP INFO
    /// (`application/dtmf-relay`, as Cisco and most PBXs take it) when the
    /// other side takes keys so.
    fn key_as_info(&mut self, id: CallId, from: Side, digit: char) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let Phase::Answered(winner) = call.phase else {
            return;
        };
        let (to, by_info) = match from {
            Side::A => (winner, call.legs[winner.0].target.keys_by_info),
            Side::B => (CALLER, call.plan.caller_keys_by_info),
        };
        if !by_info {
            return;
        }
        let branch = self.branch();
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let body = format!("Signal={digit}\r\nDuration=160\r\n");
        let dialog = call.dialog_mut(to);
        let request = dialog.request(
            Method::Info,
            &branch,
            Some(("application/dtmf-relay", body.as_bytes())),
        );
        let flow = dialog.flow;
        self.send(id, to, Purpose::Key, request, flow, None);
    }

    /// An ACK for a 2xx we sent. For a caller whose INVITE had no offer, it
    /// carries the SDP answer the callee is waiting for in its ACK.
    pub fn on_ack(&mut self, now: Now, request: &Request) {
        let Ok(e) = essentials_of(&request.headers) else {
            return;
        };
        let Some((id, from_leg)) = self.dialog_of(&e) else {
            return;
        };
        let side = from_leg.unwrap_or(CALLER);
        if let Some(call) = self.calls.get_mut(&id)
            && call.offered_again == Some(side)
        {
            call.offered_again = None;
            let mut out = Vec::new();
            if let Some((content_type, body)) = body_of(&request.headers, &request.body)
                && is_sdp(content_type)
                && let Err(error) = call
                    .bridge
                    .answered_again(id, media_side(side), body, &mut out)
            {
                tracing::info!(call = %id, %error, "an answer in an ACK could not be read; the media stays as it was");
            }
            self.media_commands(out);
            return;
        }
        if from_leg.is_some() {
            return;
        }
        let branch = self.branch();
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        if call.menu.as_ref().is_some_and(|m| m.after_ack.is_some()) {
            self.menu_acked(now, call, request);
            return;
        }
        if let Some(leg) = call.awaiting_ack.take() {
            let body = self.answer(
                &mut call,
                Side::A,
                owned(body_of(&request.headers, &request.body)),
            );
            let dialog = &mut call.legs[leg.0].dialog;
            let ack = dialog.request(Method::Ack, &branch, borrowed(&body));
            self.commands.push_back(Command::Ack {
                request: ack,
                flow: dialog.flow,
            });
        }
        self.calls.insert(id, call);
    }

    /// The engine could not start a transaction for `token` (a dead flow):
    /// the leg fails as if it answered 503.
    pub fn send_failed(&mut self, now: Now, token: u64) {
        let Some(pending) = self.tokens.remove(&token) else {
            return;
        };
        let Some(call) = self.calls.get(&pending.call) else {
            return;
        };
        if pending.purpose == Purpose::Invite && pending.leg == CALLER {
            // A call we placed whose trunk cannot be reached.
            if let Some(call) = self.calls.remove(&pending.call) {
                self.finish(now, call, Outcome::Failed, Some(Party::System), Some(503));
            }
        } else if pending.purpose == Purpose::Invite
            && let Some(leg) = call.legs.get(pending.leg.0)
        {
            let mut response = synthetic_408(&leg.dialog);
            response.status_code = StatusCode::ServiceUnavailable;
            let id = pending.call;
            if let Some(mut call) = self.calls.remove(&id) {
                if let Some(ended) = self.on_leg_answer(now, &mut call, pending.leg, response) {
                    self.finish(now, call, ended.0, ended.1, ended.2);
                } else {
                    self.calls.insert(id, call);
                }
            }
        }
    }

    /// A browser's WebSocket is gone (the tab was closed, the laptop went
    /// to sleep): its calls end as if it had hung up, so the other side
    /// and the agent's state do not wait for a BYE that cannot come. A
    /// phone ringing on it fails through its transaction; TCP and TLS
    /// phones may open a new connection mid-call, so only WebSockets count.
    pub fn flow_closed(&mut self, now: Now, flow: Flow) {
        if !is_browser(flow) || flow.connection.is_none() {
            return;
        }
        let on = |dialog: &super::dialog::Dialog| dialog.flow.connection == flow.connection;
        let gone: Vec<CallId> = (self.calls.values())
            .filter(|c| on(&c.caller) || c.legs.iter().any(|l| on(&l.dialog)))
            .map(|c| c.id)
            .collect();
        for id in gone {
            let Some(mut call) = self.calls.remove(&id) else {
                continue;
            };
            if on(&call.caller) {
                match call.phase {
                    Phase::Answered(winner) => self.bye_leg(&mut call, winner),
                    Phase::Menu => {}
                    Phase::Dialling => self.cancel_dial(&mut call),
                    Phase::Ringing => self.cancel_pending(&mut call, None),
                }
                let outcome = if call.answered_at.is_some() {
                    Outcome::Answered
                } else {
                    Outcome::Cancelled
                };
                self.finish(now, call, outcome, Some(Party::Caller), None);
                continue;
            }
            match call.phase {
                Phase::Answered(winner) if on(&call.legs[winner.0].dialog) => {
                    self.bye_caller(&mut call);
                    self.finish(now, call, Outcome::Answered, Some(Party::Callee), None);
                }
                _ => {
                    self.calls.insert(id, call);
                }
            }
        }
    }

    /// A callee leg's answer to our INVITE; `Some` when the call is over.
    fn on_leg_answer(
        &mut self,
        now: Now,
        call: &mut Call,
        leg: LegId,
        response: Response,
    ) -> Option<(Outcome, Option<Party>, Option<u16>)> {
        let code = response.status_code.code();
        let state = call.legs[leg.0].state;
        if !matches!(state, LegState::Calling | LegState::Early) && (200..300).contains(&code) {
            // A second 200 after another leg won (or a retransmission): ACK
            // it and hang that phone up.
            self.ack_leg(call, leg, None);
            if state != LegState::Answered && call.phase != Phase::Answered(leg) {
                self.bye_leg(call, leg);
            }
            return None;
        }
        if !matches!(state, LegState::Calling | LegState::Early) {
            return None;
        }
        match code {
            100 => None,
            101..=199 => {
                call.legs[leg.0].dialog.confirm(&response);
                call.legs[leg.0].state = LegState::Early;
                if call.phase != Phase::Ringing {
                    return None;
                }
                self.commands.push_back(Command::Event(CallEvent::Ringing {
                    id: call.id,
                    label: call.legs[leg.0].target.label.clone(),
                }));
                if call.menu.is_some() {
                    return None; // the caller hears ringback from us
                }
                let body = body_of(&response.headers, &response.body);
                let carry_media = body.is_some() && call.early_media.is_none_or(|l| l == leg);
                let body = if carry_media {
                    call.early_media = Some(leg);
                    self.answer_or_offer(call, Side::B, owned(body))
                } else {
                    None
                };
                self.respond_caller(call, code, borrowed(&body));
                None
            }
            200..=299 => {
                call.legs[leg.0].dialog.confirm(&response);
                call.legs[leg.0].state = LegState::Answered;
                if call.phase != Phase::Ringing {
                    self.ack_leg(call, leg, None);
                    self.bye_leg(call, leg);
                    return None;
                }
                call.phase = Phase::Answered(leg);
                if call.legs[leg.0].target.session_expires.is_some()
                    && let Some(timer) = session_timer::as_uac(&response.headers)
                {
                    self.set_timer(now, call, leg, timer);
                }
                if call.menu.is_some() {
                    self.put_through(now, call, leg, &response);
                    return None;
                }
                if let UasTerms::Timer(timer) = call.caller_terms {
                    self.set_timer(now, call, CALLER, timer);
                }
                call.answered_at = Some(now.wall);
                if call.invite.body.is_empty() {
                    call.awaiting_ack = Some(leg); // the answer comes in the caller's ACK
                } else {
                    self.ack_leg(call, leg, None);
                }
                self.cancel_pending(call, Some(leg));
                self.keys_by_info(call, Side::B);
                let body = self.answer_or_offer(
                    call,
                    Side::B,
                    owned(body_of(&response.headers, &response.body)),
                );
                self.respond_caller(call, code, borrowed(&body));
                self.commands.push_back(Command::Event(CallEvent::Answered {
                    id: call.id,
                    label: call.legs[leg.0].target.label.clone(),
                }));
                None
            }
            422 if !call.legs[leg.0].timer_retried
                && call.legs[leg.0].target.session_expires.is_some() =>
            {
                // RFC 4028 §7.4: ask again with the interval the peer needs.
                match session_timer::min_se_of(&response.headers) {
                    Some(interval) => {
                        self.retry_invite(call, leg, interval);
                        None
                    }
                    None => self.leg_failed(now, call, leg, code),
                }
            }
            _ => self.leg_failed(now, call, leg, code),
        }
    }

    /// A leg's final failure; `Some` when it was the last one ringing.
    fn leg_failed(
        &mut self,
        now: Now,
        call: &mut Call,
        leg: LegId,
        code: u16,
    ) -> Option<(Outcome, Option<Party>, Option<u16>)> {
        call.legs[leg.0].state = LegState::Failed(code);
        if call.menu.as_ref().is_some_and(|m| m.queue.is_some()) {
            self.commands
                .push_back(Command::Event(CallEvent::Unanswered {
                    id: call.id,
                    label: call.legs[leg.0].target.label.clone(),
                }));
            if call.phase == Phase::Ringing && call.all_legs_done() {
                call.phase = Phase::Menu; // waiting again, the music on
            }
            return None;
        }
        if call.phase != Phase::Ringing || !call.all_legs_done() {
            return None;
        }
        if let Some(place) = call.menu.as_mut().and_then(|m| m.place.as_mut()) {
            let next = place.goodbye();
            return self.menu_next(now, call, next);
        }
        let heard = call.failure_code();
        self.respond_caller(call, heard, None);
        Some((outcome_of(heard), Some(Party::Callee), Some(heard)))
    }

    /// The final answer of a relayed re-INVITE/UPDATE/INFO goes back to the
    /// side that asked; a 2xx to a relayed re-INVITE is ACKed at once.
    fn relay_final(
        &mut self,
        now: Now,
        call: &mut Call,
        leg: LegId,
        request: &Request,
        server_tx: ServerTx,
        response: &Response,
    ) {
        let to_callee = leg != CALLER;
        let code = response.status_code.code();
        if (200..300).contains(&code) && request.method == Method::Invite {
            if to_callee {
                call.legs[leg.0].dialog.confirm(response);
                self.ack_leg(call, leg, None);
            } else {
                let branch = self.branch();
                let ack = call.caller.request(Method::Ack, &branch, None);
                self.commands.push_back(Command::Ack {
                    request: ack,
                    flow: call.caller.flow,
                });
            }
        }
        // The answer goes to the side that asked, on that side's dialog.
        let side = match (to_callee, call.phase) {
            (false, Phase::Answered(w)) => w,
            _ => CALLER,
        };
        // A 2xx to a re-INVITE or UPDATE refreshes the asker's session.
        let mut extra = Vec::new();
        if (200..300).contains(&code)
            && matches!(request.method, Method::Invite | Method::Update)
            && let Some(Some(timed)) = call.timer_mut(side).map(|t| *t)
        {
            let timer = session_timer::refreshed_by_peer(&timed.timer, &request.headers);
            self.set_timer(now, call, side, timer);
            extra = session_timer::answer_headers(&timer);
        }
        let asker = call.dialog(side);
        let (tag, contact) = (asker.local_tag.clone(), asker.local.contact.clone());
        let from = if to_callee { Side::B } else { Side::A };
        let body = self.answer(
            call,
            from,
            owned(body_of(&response.headers, &response.body)),
        );
        let reply = Reply::code(code).body(borrowed(&body)).headers(extra);
        self.respond_to(request, server_tx, &tag, Some(&contact), reply);
    }

    /// Agrees `timer` with a side and schedules its next deadline.
    fn set_timer(&mut self, now: Now, call: &mut Call, side: LegId, timer: SessionTimer) {
        let due = now.instant + timer.due_after();
        self.deadlines
            .insert((due, call.id, Due::Session(side)), ());
        if let Some(slot) = call.timer_mut(side) {
            *slot = Some(Timed { timer, due });
        }
    }

    /// A side's session deadline: we refresh, or the peer did not and the
    /// call ends. A deadline that was moved since is ignored.
    fn session_due(&mut self, now: Now, mut call: Call, side: LegId, at: std::time::Instant) {
        let current = call.timer_mut(side).and_then(|t| *t);
        let live = matches!(call.phase, Phase::Answered(_)) || call.menu.is_some();
        let Some(timed) = current.filter(|t| t.due == at && live) else {
            self.calls.insert(call.id, call);
            return;
        };
        match timed.timer.refresher {
            Refresher::Us => {
                let branch = self.branch();
                let dialog = call.dialog_mut(side);
                let mut request = dialog.request(Method::Update, &branch, None);
                request
                    .headers
                    .extend(session_timer::refresh_headers(&timed.timer));
                let flow = dialog.flow;
                self.send(call.id, side, Purpose::Refresh, request, flow, None);
                self.set_timer(now, &mut call, side, timed.timer);
                self.calls.insert(call.id, call);
            }
            Refresher::Peer => self.end_answered(now, call),
        }
    }

    /// The answer to a refresh we sent; `true` when the session is gone
    /// (RFC 4028 §10: 408 or 481) and the call must end.
    fn on_refresh_answer(
        &mut self,
        call: &mut Call,
        side: LegId,
        tx: ClientTx,
        response: &Response,
    ) -> bool {
        let code = response.status_code.code();
        if code < 200 {
            return false;
        }
        call.refreshes.remove(&tx);
        if let Some(Some(timed)) = call.timer_mut(side)
            && (200..300).contains(&code)
            && let Some(agreed) = session_timer::as_uac(&response.headers)
        {
            timed.timer.interval = agreed.interval;
        }
        matches!(code, 408 | 481)
    }

    /// Ends an answered call from here: BYE to both sides.
    fn end_answered(&mut self, now: Now, mut call: Call) {
        if let Phase::Answered(winner) = call.phase {
            self.bye_leg(&mut call, winner);
        }
        self.cancel_pending(&mut call, None);
        self.bye_caller(&mut call);
        self.finish(now, call, Outcome::Answered, Some(Party::System), None);
    }

    /// Sends a leg's INVITE again, offering `interval` (after a 422).
    fn retry_invite(&mut self, call: &mut Call, leg: LegId, interval: u32) {
        let branch = self.branch();
        let to_browser = is_browser(call.legs[leg.0].target.flow);
        let offer = match call.menu {
            Some(_) => on_behalf(call, to_browser).ok().flatten(),
            None => {
                // The offer was read when the call started: it reads again.
                let offered = owned(body_of(&call.invite.headers, &call.invite.body));
                self.read_offer(call, Side::A, offered.clone())
                    .and_then(|offer| self.offer_toward(call, &offer, to_browser))
                    .unwrap_or(offered)
            }
        };
        let l = &mut call.legs[leg.0];
        l.timer_retried = true;
        let mut request = l.dialog.request(Method::Invite, &branch, borrowed(&offer));
        request
            .headers
            .extend(session_timer::offer_headers(interval));
        let flow = l.dialog.flow;
        self.send(call.id, leg, Purpose::Invite, request, flow, None);
    }

    fn finish(
        &mut self,
        now: Now,
        call: Call,
        outcome: Outcome,
        hangup_by: Option<Party>,
        sip_code: Option<u16>,
    ) {
        for tx in &call.txs {
            self.client_txs.remove(tx);
        }
        let call_ids = std::iter::once(&call.caller).chain(call.legs.iter().map(|l| &l.dialog));
        for dialog in call_ids {
            if let Some(calls) = self.dialogs.get_mut(&dialog.call_id) {
                calls.retain(|c| *c != call.id);
                if calls.is_empty() {
                    self.dialogs.remove(&dialog.call_id);
                }
            }
        }
        if let Some(tx) = call.invite_tx {
            self.server_txs.remove(&tx);
        }
        if call.plan.media.is_some() {
            self.commands
                .push_back(Command::Media(MediaCommand::Close { call: call.id }));
        }
        let summary = call.summary(now.wall, outcome, hangup_by, sip_code);
        self.commands
            .push_back(Command::Event(CallEvent::Ended(Box::new(summary))));
    }

    /// Nothing can take the call: 480 to the caller.
    fn unavailable(&mut self, now: Now, call: Call) {
        self.respond_caller(&call, 480, None);
        self.finish(
            now,
            call,
            Outcome::Unavailable,
            Some(Party::System),
            Some(480),
        );
    }

    fn cancel_pending(&mut self, call: &mut Call, except: Option<LegId>) {
        for (i, leg) in call.legs.iter_mut().enumerate() {
            if Some(LegId(i)) == except || !leg.pending() || leg.cancelling {
                continue;
            }
            leg.cancelling = true;
            leg.state = LegState::Failed(487);
            if let Some(tx) = leg.invite_tx {
                self.commands.push_back(Command::Cancel { tx });
            }
        }
    }

    fn ack_leg(&mut self, call: &mut Call, leg: LegId, body: Option<(&str, &[u8])>) {
        let branch = self.branch();
        let dialog = &mut call.legs[leg.0].dialog;
        let ack = dialog.request(Method::Ack, &branch, body);
        self.commands.push_back(Command::Ack {
            request: ack,
            flow: dialog.flow,
        });
    }

    fn bye_leg(&mut self, call: &mut Call, leg: LegId) {
        let branch = self.branch();
        let request = call.legs[leg.0].dialog.request(Method::Bye, &branch, None);
        call.legs[leg.0].state = LegState::Ended;
        let flow = call.legs[leg.0].dialog.flow;
        self.send(call.id, leg, Purpose::Bye, request, flow, None);
    }

    fn bye_caller(&mut self, call: &mut Call) {
        let branch = self.branch();
        let request = call.caller.request(Method::Bye, &branch, None);
        let flow = call.caller.flow;
        self.send(call.id, CALLER, Purpose::Bye, request, flow, None);
    }

    fn send(
        &mut self,
        call: CallId,
        leg: LegId,
        purpose: Purpose,
        request: Request,
        flow: Flow,
        relayed: Option<Request>,
    ) {
        self.next_token += 1;
        let token = self.next_token;
        self.tokens.insert(
            token,
            Pending {
                call,
                leg,
                purpose,
                relayed,
            },
        );
        self.commands.push_back(Command::Send {
            token,
            request,
            flow,
        });
    }

    /// Answers the caller's INVITE with `code` (and the callee's SDP).
    fn respond_caller(&mut self, call: &Call, code: u16, body: Option<(&str, &[u8])>) {
        let tag = call.caller.local_tag.clone();
        let contact = call.caller.local.contact.clone();
        let extra = match &call.caller_timer {
            Some(timed) if (200..300).contains(&code) => {
                session_timer::answer_headers(&timed.timer)
            }
            _ => Vec::new(),
        };
        let reply = Reply::code(code).body(body).headers(extra);
        // A call we placed has no INVITE of the caller's to answer.
        if let Some(tx) = call.invite_tx {
            self.respond_to(&call.invite, tx, &tag, Some(&contact), reply);
        }
    }

    /// Answers a request; `contact` is ours on that side's dialog, which
    /// dialog-creating and target-refreshing answers must carry.
    fn respond_to(
        &mut self,
        request: &Request,
        tx: ServerTx,
        tag: &str,
        contact: Option<&str>,
        reply: Reply<'_>,
    ) {
        let Reply {
            code,
            body,
            headers,
        } = reply;
        let mut response = response_to(request, StatusCode::from(code), Some(tag));
        response
            .headers
            .retain(|h| !matches!(h, Header::ContentLength(_)));
        response.headers.extend(headers);
        if let Some(contact) = contact
            && code < 300
            && matches!(request.method, Method::Invite | Method::Update)
        {
            response
                .headers
                .push(Header::Contact(format!("<{contact}>").into()));
        }
        response.body = super::dialog::with_body(&mut response.headers, body);
        self.commands.push_back(Command::Respond { tx, response });
    }

    /// Reads an offer from side `from`, once, for [`Calls::offer_toward`].
    /// `Err` for an offer the call cannot take: refuse it with 488.
    fn read_offer(
        &mut self,
        call: &mut Call,
        from: Side,
        body: Option<(String, Vec<u8>)>,
    ) -> Result<Offered, Refusal> {
        let Some((content_type, bytes)) = body else {
            return Ok(Offered::AsIs(None));
        };
        if call.plan.media.is_none() || !is_sdp(&content_type) {
            return Ok(Offered::AsIs(Some((content_type, bytes))));
        }
        let mut out = Vec::new();
        let offer = call.bridge.read_offer(call.id, from, &bytes, &mut out);
        self.media_commands(out);
        Ok(Offered::Read(content_type, offer?))
    }

    /// The offer as the other side gets it, a browser or not.
    fn offer_toward(
        &mut self,
        call: &mut Call,
        offered: &Offered,
        to_browser: bool,
    ) -> Result<Option<(String, Vec<u8>)>, Refusal> {
        match (offered, &call.plan.media) {
            (Offered::Read(content_type, offer), Some(anchor)) => {
                let body = call.bridge.write_offer(anchor, offer, to_browser)?;
                Ok(Some((content_type.clone(), body)))
            }
            (Offered::AsIs(body), _) => Ok(body.clone()),
            (Offered::Read(..), None) => Err("media is not anchored".into()),
        }
    }

    /// An answer from side `from`, as the other side gets it. An answer
    /// cannot be refused: one we cannot read goes on as it came, and that
    /// call's media bypasses us.
    fn answer(
        &mut self,
        call: &mut Call,
        from: Side,
        body: Option<(String, Vec<u8>)>,
    ) -> Option<(String, Vec<u8>)> {
        let (content_type, bytes) = body?;
        let Some(anchor) = &call.plan.media else {
            return Some((content_type, bytes));
        };
        if !is_sdp(&content_type) {
            return Some((content_type, bytes));
        }
        let mut out = Vec::new();
        let answered = call.bridge.answer(anchor, call.id, from, &bytes, &mut out);
        self.media_commands(out);
        Some((content_type, answered.unwrap_or(bytes)))
    }

    /// SDP in a callee's answer to the INVITE: the answer to the caller's
    /// offer, or when the INVITE had none, the callee's offer.
    fn answer_or_offer(
        &mut self,
        call: &mut Call,
        from: Side,
        body: Option<(String, Vec<u8>)>,
    ) -> Option<(String, Vec<u8>)> {
        if !call.invite.body.is_empty() {
            return self.answer(call, from, body);
        }
        let to_browser = is_browser(call.caller.flow);
        self.read_offer(call, from, body.clone())
            .and_then(|offer| self.offer_toward(call, &offer, to_browser))
            .unwrap_or(body)
    }

    fn media_commands(&mut self, commands: Vec<MediaCommand>) {
        self.commands
            .extend(commands.into_iter().map(Command::Media));
    }

    /// The call and side (`None`: the caller's) of an in-dialog request.
    fn dialog_of(&self, e: &Essentials) -> Option<(CallId, Option<LegId>)> {
        let (from, to) = (e.from_tag.as_deref(), e.to_tag.as_deref());
        self.dialogs.get(&e.call_id)?.iter().find_map(|id| {
            let call = self.calls.get(id)?;
            if call.caller.matches(&e.call_id, from, to) {
                return Some((*id, None));
            }
            let leg = call
                .legs
                .iter()
                .position(|l| l.dialog.matches(&e.call_id, from, to))?;
            Some((*id, Some(LegId(leg))))
        })
    }

    fn branch(&mut self) -> String {
        self.next_token += 1;
        new_branch(branch_entropy(self.seed, self.next_token))
    }
}

/// An offer as read from one side.
enum Offered {
    /// Passed on as it came: not SDP, or the call's media is not anchored.
    AsIs(Option<(String, Vec<u8>)>),
    /// SDP read, with its content type, to be written for each target.
    Read(String, Offer),
}

/// The key a SIP INFO carries: `Signal=5` in `application/dtmf-relay` (the
/// form Cisco and most PBXs send) or `5` in `application/dtmf`.
fn info_digit(request: &Request) -> Option<char> {
    let (content_type, body) = body_of(&request.headers, &request.body)?;
    let text = std::str::from_utf8(body).ok()?;
    let value = if is_media_type(content_type, "application/dtmf-relay") {
        text.lines().find_map(|line| {
            let (name, value) = line.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("signal")
                .then(|| value.trim())
        })?
    } else if is_media_type(content_type, "application/dtmf") {
        text.trim()
    } else {
        return None;
    };
    let mut chars = value.chars();
    let digit = chars.next()?.to_ascii_uppercase();
    let key = matches!(digit, '0'..='9' | '*' | '#' | 'A'..='D');
    (key && chars.next().is_none()).then_some(digit)
}

/// The media side of a call's side: the caller's is A, every leg's B.
fn media_side(side: LegId) -> Side {
    if side == CALLER { Side::A } else { Side::B }
}

fn is_browser(flow: Flow) -> bool {
    flow.transport.is_websocket()
}

/// The Warning of a 488 (RFC 3261 §20.43: 399 is a miscellaneous warning).
fn refusal(reason: &str) -> Header {
    Header::Warning(format!("399 switchboard \"{}\"", reason.replace('"', "'")).into())
}

fn owned(body: Option<(&str, &[u8])>) -> Option<(String, Vec<u8>)> {
    body.map(|(t, b)| (t.to_owned(), b.to_vec()))
}

/// A body as the dialog's request and answer builders take it.
fn borrowed(body: &Option<(String, Vec<u8>)>) -> Option<(&str, &[u8])> {
    body.as_ref().map(|(t, b)| (t.as_str(), b.as_slice()))
}

/// What an answer says besides the dialog's tag and Contact.
struct Reply<'a> {
    code: u16,
    body: Option<(&'a str, &'a [u8])>,
    headers: Vec<Header>,
}

impl<'a> Reply<'a> {
    fn code(code: u16) -> Self {
        Reply {
            code,
            body: None,
            headers: Vec::new(),
        }
    }

    fn body(self, body: Option<(&'a str, &'a [u8])>) -> Self {
        Reply { body, ..self }
    }

    fn headers(self, headers: Vec<Header>) -> Self {
        Reply { headers, ..self }
    }
}

/// The To tag our answers on a dialog carry: the caller's dialog's, or the
/// leg's when the request came from a callee.
fn tag_of(call: &Call, from_leg: Option<LegId>) -> String {
    call.dialog(from_leg.unwrap_or(CALLER)).local_tag.clone()
}

fn branch_entropy(seed: u64, counter: u64) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..].copy_from_slice(&counter.to_le_bytes());
    bytes
}

/// A 408 as if the callee had sent it, for a transaction that timed out.
fn synthetic_408(dialog: &Dialog) -> Response {
    let mut headers = crate::sip::message::Headers::default();
    headers.push(Header::To(dialog.remote_uri.clone().into()));
    Response {
        status_code: StatusCode::RequestTimeout,
        wire_reason: None,
        version: rsipstack::sip::Version::V2,
        headers,
        body: Vec::new(),
    }
}

/// A dialog for an INVITE whose headers were checked at the edge but whose
/// From cannot be read as a name-addr (it can only happen with odd URIs):
/// answers still reach the caller over its flow.
fn unreachable_dialog(invite: &Request, flow: Flow) -> Dialog {
    let call_id = essentials_of(&invite.headers)
        .map(|e| e.call_id)
        .unwrap_or_default();
    Dialog {
        call_id,
        local_tag: String::new(),
        remote_tag: None,
        local_uri: String::new(),
        remote_uri: String::new(),
        remote_target: format!("sip:{}", flow.remote),
        route_set: Vec::new(),
        local_cseq: 1,
        remote_cseq: 0,
        flow,
        local: super::Local {
            sent_by: String::new(),
            contact: String::new(),
        },
    }
}
