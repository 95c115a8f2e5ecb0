//! A call we place (a campaign's): our INVITE goes to the called party
//! through a trunk with our own offer, as a menu makes one. Until they
//! answer the call is `Phase::Dialling`; a refusal, or the ring timer and
//! our CANCEL, end it with the outcome a campaign counts (busy, no answer,
//! failed). Once they answer they are the call's caller, as a queue's
//! caller is: answered here, waiting for the agent the ACD gives them
//! (the engine hears [`Command::Queue`]), or abandoned with a message when
//! none comes in time.

use super::super::call::{Dialled, MenuCall};
use super::*;
use crate::calls::Target;

/// What the called party of a call we placed hears when no agent can take
/// it in time, before we hang up: who called and that we will call again.
pub const ABANDON_PROMPT: &str = "campaign-abandon";

impl Calls {
    /// Places a call to `target` (a trunk, for the plan's number) that the
    /// plan's queue takes once answered. `None` when the plan has no media
    /// anchor (we make the offer from its ports) or no queue.
    pub fn dial(&mut self, now: Now, plan: Plan, target: Target) -> Option<CallId> {
        let anchor = plan.media.clone()?;
        plan.queue.as_ref()?;
        self.next_id += 1;
        let id = CallId(self.next_id);
        let mut caller = Dialog {
            call_id: format!("{}@switchboard", self.unique()),
            local_tag: self.unique(),
            remote_tag: None,
            local_uri: plan.present_as.clone(),
            remote_uri: format!("<{}>", target.uri),
            remote_target: target.uri.clone(),
            route_set: Vec::new(),
            local_cseq: 0,
            remote_cseq: 0,
            flow: target.flow,
            local: target.local.clone(),
        };
        let mut bridge = super::super::media::Bridge::default();
        let offer = bridge.offer_here(&anchor, Side::A);
        let branch = self.branch();
        let mut invite = caller.request(Method::Invite, &branch, Some(("application/sdp", &offer)));
        if let Some(interval) = target.session_expires {
            invite
                .headers
                .extend(session_timer::offer_headers(interval));
        }
        let flow = target.flow;
        let menu = MenuCall {
            place: None,
            queue: plan.queue.clone(),
            step: 0,
            on_behalf: None,
            described: ("application/sdp".into(), offer),
            after_ack: None,
            leaving: false,
        };
        let call = Call {
            dialled: Some(Dialled {
                invite_tx: None,
                state: LegState::Calling,
                target,
                cancelling: false,
            }),
            bridge,
            menu: Some(menu),
            ..Call::new(id, plan, caller, invite.clone(), Phase::Dialling, now.wall)
        };
        self.commands.push_back(Command::Event(CallEvent::Created {
            id,
            caller: call.plan.caller.clone(),
            called: call.plan.called.clone(),
            direction: call.plan.direction,
        }));
        self.send(id, CALLER, Purpose::Invite, invite, flow, None);
        self.deadlines
            .insert((now.instant + call.plan.ring_timeout, id, Due::Ring), ());
        self.dialogs
            .entry(call.caller.call_id.clone())
            .or_default()
            .push(id);
        self.calls.insert(id, call);
        Some(id)
    }

    /// The called party's answer to our INVITE; `Some` when the call is
    /// over.
    pub(super) fn on_dial_answer(
        &mut self,
        now: Now,
        call: &mut Call,
        response: Response,
    ) -> Option<(Outcome, Option<Party>, Option<u16>)> {
        let code = response.status_code.code();
        let dialled = call.dialled.as_ref()?;
        let (state, cancelling) = (dialled.state, dialled.cancelling);
        if (200..300).contains(&code) && !matches!(state, LegState::Calling | LegState::Early) {
            // A retransmitted 200: our ACK was lost.
            self.ack_caller(call);
            return None;
        }
        if !matches!(state, LegState::Calling | LegState::Early) {
            return None;
        }
        match code {
            100 => None,
            101..=199 => {
                call.caller.confirm(&response);
                set_state(call, LegState::Early);
                self.commands.push_back(Command::Event(CallEvent::Ringing {
                    id: call.id,
                    label: call.plan.called.clone(),
                }));
                None
            }
            200..=299 => {
                call.caller.confirm(&response);
                set_state(call, LegState::Answered);
                self.ack_caller(call);
                if cancelling {
                    // Answered as our CANCEL went: too late for us.
                    self.bye_caller(call);
                    return Some((Outcome::NoAnswer, Some(Party::System), Some(487)));
                }
                self.picked_up(now, call, &response)
            }
            _ => {
                set_state(call, LegState::Failed(code));
                // The 487 to our CANCEL: nobody answered in time.
                if cancelling {
                    return Some((Outcome::NoAnswer, Some(Party::System), Some(code)));
                }
                Some((outcome_of(code), Some(Party::Callee), Some(code)))
            }
        }
    }

    /// The called party answered: their answer sets up their side of the
    /// anchor, and the call joins its queue (they hear nothing until an
    /// agent is put through: the agent says hello first).
    fn picked_up(
        &mut self,
        now: Now,
        call: &mut Call,
        response: &Response,
    ) -> Option<(Outcome, Option<Party>, Option<u16>)> {
        call.picked_up_at = Some(now.wall);
        let anchor = call.plan.media.clone()?;
        let mut out = Vec::new();
        let answer = body_of(&response.headers, &response.body)
            .filter(|(content_type, _)| is_sdp(content_type))
            .ok_or_else(|| "no SDP answer".to_string())
            .and_then(|(_, body)| {
                call.bridge
                    .answered_here(&anchor, call.id, Side::A, body, &mut out)
            });
        self.media_commands(out);
        let mine = match answer {
            Ok(mine) => mine,
            Err(error) => {
                tracing::info!(call = %call.id, %error, "a called party answered with nothing we can play");
                self.bye_caller(call);
                return Some((Outcome::Failed, Some(Party::System), Some(488)));
            }
        };
        let with_timer = call
            .dialled
            .as_ref()
            .is_some_and(|d| d.target.session_expires.is_some());
        if with_timer && let Some(timer) = session_timer::as_uac(&response.headers) {
            self.set_timer(now, call, CALLER, timer);
        }
        call.phase = Phase::Menu;
        call.queued_at = Some(now.wall);
        self.keys_by_info(call, Side::A);
        let menu = call.menu.as_mut()?;
        menu.on_behalf = Some(mine);
        let entry = menu.queue.clone()?;
        self.commands.push_back(Command::Queue {
            call: call.id,
            queue: entry.name,
            priority: entry.priority,
        });
        None
    }

    /// Gives up on a call we placed that has not been answered: CANCEL,
    /// once; its final answer ends the call.
    pub(super) fn cancel_dial(&mut self, call: &mut Call) {
        let Some(dialled) = call.dialled.as_mut() else {
            return;
        };
        if dialled.cancelling || !matches!(dialled.state, LegState::Calling | LegState::Early) {
            return;
        }
        dialled.cancelling = true;
        if let Some(tx) = dialled.invite_tx {
            self.commands.push_back(Command::Cancel { tx });
        }
    }

    /// A called party nobody could take in time (the campaign's limit for
    /// waiting): they hear [`ABANDON_PROMPT`], then we hang up. Phones
    /// ringing for them are cancelled.
    pub fn abandon(&mut self, now: Now, id: CallId) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        let waiting = call.picked_up_at.is_some()
            && matches!(call.phase, Phase::Menu | Phase::Ringing)
            && call.menu.as_ref().is_some_and(|m| !m.leaving);
        if !waiting {
            self.calls.insert(id, call);
            return;
        }
        self.cancel_pending(&mut call, None);
        call.phase = Phase::Menu;
        self.leave_after(now, &mut call, ABANDON_PROMPT);
        self.calls.insert(id, call);
    }

    fn ack_caller(&mut self, call: &mut Call) {
        let branch = self.branch();
        let ack = call.caller.request(Method::Ack, &branch, None);
        self.commands.push_back(Command::Ack {
            request: ack,
            flow: call.caller.flow,
        });
    }
}

fn set_state(call: &mut Call, state: LegState) {
    if let Some(dialled) = call.dialled.as_mut() {
        dialled.state = state;
    }
}
