//! A call a voice menu or a queue answers. We answer the caller ourselves,
//! with our own SDP, and play it prompts (a queue: hold music); a key it
//! presses is the menu's to judge, the agents a queue rings the ACD's.
//! Once it has chosen, the phones ring with an offer made on its behalf
//! (the payload types we agreed with it), the caller hears ringback, and
//! the phone that answers is put through: its answer sets up its side of
//! the anchor, and the caller's description stays as it was.

use super::super::call::{MenuCall, Start};
use super::super::menu::{InMenu, Next};
use std::time::Duration;

use super::*;
use crate::calls::{HOLD_MUSIC, MenuEntry, MonitorMode, Target};

/// What the caller hears while the chosen phones ring: the
/// `ringback` prompt, looped.
pub const RINGBACK: &str = "ringback";

/// What a caller whose queue will call them back hears before the hang-up.
pub const CALLBACK_PROMPT: &str = "queue-callback";

/// The largest place in a queue, and number of minutes, a waiting caller
/// is told (the prompts say "one" to "twenty").
pub const ANNOUNCED_MAX: usize = 20;

/// How a call ends: its outcome, who hung up, the SIP code.
type Ended = (Outcome, Option<Party>, Option<u16>);

impl Calls {
    /// Answers a caller routed to a menu (`entry`) or a queue (the plan's)
    /// and starts the menu or joins the queue, or refuses the call (480
    /// when there is no menu or media to play with, 488 for an offer
    /// without G.711).
    pub(super) fn start_menu(&mut self, now: Now, mut call: Call, entry: Option<MenuEntry>) {
        let id = call.id;
        let queue = call.plan.queue.clone();
        let entered = match (entry, &queue) {
            (Some(entry), _) => InMenu::enter(entry.menus, &entry.name)
                .map(|(place, first)| (Some(place), Start::Menu(first))),
            (None, Some(_)) => Some((None, Start::Queue)),
            (None, None) if call.plan.monitor.is_some() => Some((None, Start::Monitor)),
            (None, None) => None,
        };
        let (Some(anchor), Some((place, first))) = (call.plan.media.clone(), entered) else {
            self.unavailable(now, call);
            return;
        };
        let offered = owned(body_of(&call.invite.headers, &call.invite.body));
        let mut out = Vec::new();
        let answered = match self.read_offer(&mut call, Side::A, offered) {
            Ok(Offered::Read(content_type, offer)) => call
                .bridge
                .answer_here(&anchor, id, &offer, &mut out)
                .map(|(body, mine)| ((content_type, body), Some(mine))),
            // No offer: ours goes in the 200, its answer comes in the ACK.
            Ok(Offered::AsIs(None)) => {
                let body = call.bridge.offer_here(&anchor, Side::A);
                Ok((("application/sdp".to_string(), body), None))
            }
            Ok(Offered::AsIs(Some(_))) => Err("a voice menu needs SDP".to_string()),
            Err(error) => Err(error),
        };
        self.media_commands(out);
        let (described, on_behalf) = match answered {
            Ok(answered) => answered,
            Err(error) => {
                let tag = call.caller.local_tag.clone();
                let reply = Reply::code(488).headers(vec![refusal(&error)]);
                if let Some(tx) = call.invite_tx {
                    self.respond_to(&call.invite, tx, &tag, None, reply);
                }
                self.finish(now, call, Outcome::Rejected, Some(Party::System), Some(488));
                return;
            }
        };
        call.phase = Phase::Menu;
        if let UasTerms::Timer(timer) = call.caller_terms {
            self.set_timer(now, &mut call, CALLER, timer);
        }
        self.respond_caller(&call, 200, borrowed(&Some(described.clone())));
        if let Some(tx) = call.invite_tx {
            self.server_txs.insert(tx, id);
        }
        self.keys_by_info(&call, Side::A);
        self.dialogs
            .entry(call.caller.call_id.clone())
            .or_default()
            .push(id);
        let waits_for_ack = on_behalf.is_none();
        call.menu = Some(MenuCall {
            place,
            queue,
            step: 0,
            on_behalf,
            described,
            after_ack: waits_for_ack.then_some(first.clone()),
            leaving: false,
        });
        if !waits_for_ack && let Some(ended) = self.begin(now, &mut call, first) {
            self.finish(now, call, ended.0, ended.1, ended.2);
            return;
        }
        self.calls.insert(id, call);
    }

    /// The first step of a call answered here: the menu's, or the hold
    /// music and the queue.
    fn begin(&mut self, now: Now, call: &mut Call, first: Start) -> Option<Ended> {
        match first {
            Start::Menu(next) => self.menu_next(now, call, next),
            Start::Queue => {
                let entry = call.menu.as_ref()?.queue.clone()?;
                call.queued_at = Some(now.wall);
                self.play(call, HOLD_MUSIC, true);
                self.commands.push_back(Command::Queue {
                    call: call.id,
                    queue: entry.name,
                    priority: entry.priority,
                });
                None
            }
            Start::Monitor => {
                let entry = call.plan.monitor.clone()?;
                self.commands.push_back(Command::Monitor {
                    call: call.id,
                    extension: entry.extension,
                    mode: entry.mode,
                });
                None
            }
        }
    }

    /// Ends a call waiting in a queue that cannot keep it (its overflow
    /// hangs up, or the queue is gone): BYE to the caller.
    pub fn hang_up(&mut self, now: Now, id: CallId) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        if matches!(call.phase, Phase::Answered(_)) || call.menu.is_none() {
            self.calls.insert(id, call);
            return;
        }
        self.cancel_pending(&mut call, None);
        self.stop_playing(&mut call);
        self.bye_caller(&mut call);
        self.finish(now, call, Outcome::NoAnswer, Some(Party::System), None);
    }

    /// Stops ringing the phones of `labels` (the ACD gives the call to
    /// someone else, or the caller's wait there is over).
    pub fn withdraw(&mut self, id: CallId, labels: &[String]) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        for leg in call.legs.iter_mut() {
            if leg.pending() && !leg.cancelling && labels.contains(&leg.target.label) {
                leg.cancelling = true;
                if let Some(tx) = leg.invite_tx {
                    self.commands.push_back(Command::Cancel { tx });
                }
            }
        }
        self.calls.insert(id, call);
    }

    /// The caller's ACK with its answer to the offer in our 200; the menu
    /// starts now. An answer we cannot use ends the call.
    pub(super) fn menu_acked(&mut self, now: Now, mut call: Call, ack: &Request) {
        let (Some(anchor), Some(menu)) = (call.plan.media.clone(), call.menu.as_mut()) else {
            self.calls.insert(call.id, call);
            return;
        };
        let Some(first) = menu.after_ack.take() else {
            self.calls.insert(call.id, call);
            return;
        };
        let mut out = Vec::new();
        let answer = body_of(&ack.headers, &ack.body)
            .filter(|(content_type, _)| is_sdp(content_type))
            .ok_or_else(|| "no SDP answer in the ACK".to_string())
            .and_then(|(_, body)| {
                call.bridge
                    .answered_here(&anchor, call.id, Side::A, body, &mut out)
            });
        self.media_commands(out);
        match answer {
            Ok(mine) => {
                if let Some(menu) = call.menu.as_mut() {
                    menu.on_behalf = Some(mine);
                }
                match self.begin(now, &mut call, first) {
                    Some(ended) => self.finish(now, call, ended.0, ended.1, ended.2),
                    None => {
                        self.calls.insert(call.id, call);
                    }
                }
            }
            Err(error) => {
                tracing::info!(call = %call.id, %error, "a menu's caller answered our offer with nothing we can play");
                self.bye_caller(&mut call);
                self.finish(now, call, Outcome::Failed, Some(Party::System), Some(488));
            }
        }
    }

    /// A key the caller pressed while in a menu.
    pub(super) fn menu_key(&mut self, now: Now, id: CallId, digit: char) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        // A supervisor on an agent's call switches mode with a key.
        if let (Some(entry), Some(mode)) = (call.plan.monitor.as_mut(), MonitorMode::of_key(digit))
        {
            entry.mode = mode;
            self.commands.push_back(Command::Monitor {
                call: id,
                extension: entry.extension.clone(),
                mode,
            });
            self.calls.insert(id, call);
            return;
        }
        let next = match call.menu.as_mut() {
            Some(menu) if call.phase == Phase::Menu && menu.after_ack.is_none() => {
                menu.place.as_mut().and_then(|p| p.key(digit))
            }
            _ => None,
        };
        let ended = next.and_then(|next| self.menu_next(now, &mut call, next));
        match ended {
            Some(ended) => self.finish(now, call, ended.0, ended.1, ended.2),
            None => {
                self.calls.insert(id, call);
            }
        }
    }

    /// A menu's deadline: its prompt has played, or its wait for a key is
    /// over. One a key has made stale is ignored.
    pub(super) fn menu_due(&mut self, now: Now, mut call: Call, step: u32) {
        let next = match call.menu.as_mut() {
            Some(menu) if menu.step == step && menu.leaving => Some(Next::HangUp),
            Some(menu) if menu.step == step => menu.place.as_mut().map(InMenu::due),
            _ => None,
        };
        let ended = next.and_then(|next| self.menu_next(now, &mut call, next));
        match ended {
            Some(ended) => self.finish(now, call, ended.0, ended.1, ended.2),
            None => {
                self.calls.insert(call.id, call);
            }
        }
    }

    /// Nobody answered what the caller chose: it hears the goodbye.
    pub(super) fn menu_gives_up(&mut self, now: Now, mut call: Call) {
        let next = call
            .menu
            .as_mut()
            .and_then(|m| m.place.as_mut())
            .map(InMenu::goodbye);
        let ended = next.and_then(|next| self.menu_next(now, &mut call, next));
        match ended {
            Some(ended) => self.finish(now, call, ended.0, ended.1, ended.2),
            None => {
                self.calls.insert(call.id, call);
            }
        }
    }

    /// Does what the menu says; `Some` when the call is over.
    pub(super) fn menu_next(&mut self, now: Now, call: &mut Call, next: Next) -> Option<Ended> {
        let id = call.id;
        let menu = call.menu.as_mut()?;
        menu.step += 1;
        let step = menu.step;
        let due_in = |this: &mut Calls, after: Duration| {
            this.deadlines
                .insert((now.instant + after, id, Due::Menu(step)), ());
        };
        match next {
            Next::Prompt(prompt) => {
                let length = self.prompt_lengths.get(&prompt).copied();
                if length.is_none() {
                    let menu = call
                        .menu
                        .as_ref()
                        .and_then(|m| m.place.as_ref())
                        .map(InMenu::name);
                    tracing::debug!(call = %id, ?menu, %prompt, "a menu's prompt is missing: silence");
                }
                self.play(call, &prompt, false);
                due_in(self, length.unwrap_or_default());
                None
            }
            Next::Wait(timeout) => {
                self.stop_playing(call);
                due_in(self, timeout);
                None
            }
            Next::Ring {
                extensions,
                timeout,
            } => {
                self.stop_playing(call);
                call.plan.ring_timeout = timeout;
                self.commands.push_back(Command::Ring {
                    call: id,
                    extensions,
                    timeout,
                });
                None
            }
            Next::Queue(name) => {
                // From here on the call waits as a queue's does.
                self.stop_playing(call);
                let menu = call.menu.as_mut()?;
                menu.place = None;
                menu.queue = Some(crate::calls::QueueEntry { name, priority: 0 });
                self.begin(now, call, Start::Queue)
            }
            Next::HangUp => {
                self.stop_playing(call);
                self.bye_caller(call);
                Some(if call.legs.is_empty() {
                    // The caller chose nothing in time.
                    (Outcome::NoAnswer, Some(Party::System), None)
                } else {
                    let heard = call.failure_code();
                    (outcome_of(heard), Some(Party::System), Some(heard))
                })
            }
        }
    }

    /// The phones of the extensions a caller chose in a menu (the engine
    /// found them): they ring with our offer, the caller hears ringback.
    /// No phone: the caller hears the goodbye.
    pub fn ring(&mut self, now: Now, id: CallId, targets: Vec<Target>) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        if call.phase != Phase::Menu || call.menu.is_none() {
            self.calls.insert(id, call);
            return;
        }
        if targets.is_empty() {
            self.menu_gives_up(now, call);
            return;
        }
        let mut offers = [None, None];
        for browser in [false, true] {
            if targets.iter().any(|t| is_browser(t.flow) == browser) {
                offers[usize::from(browser)] = on_behalf(&mut call, browser).ok().flatten();
            }
        }
        call.phase = Phase::Ringing;
        self.invite_targets(now, &mut call, targets, &offers);
        // A queue's caller keeps its music while agents ring.
        if call.menu.as_ref().is_some_and(|m| m.queue.is_none()) {
            self.play(&mut call, RINGBACK, true);
        }
        self.calls.insert(id, call);
    }

    /// A phone answered what the caller chose: the two are connected. The
    /// phone's answer sets up its side; the caller keeps our description.
    pub(super) fn put_through(
        &mut self,
        now: Now,
        call: &mut Call,
        leg: LegId,
        response: &Response,
    ) {
        call.answered_at = Some(now.wall);
        self.ack_leg(call, leg, None);
        self.cancel_pending(call, Some(leg));
        self.keys_by_info(call, Side::B);
        let _ = self.answer(
            call,
            Side::B,
            owned(body_of(&response.headers, &response.body)),
        );
        self.stop_playing(call);
        self.commands.push_back(Command::Event(CallEvent::Answered {
            id: call.id,
            label: call.legs[leg.0].target.label.clone(),
        }));
    }

    /// A re-INVITE, UPDATE or INFO from a caller the menu answered and has
    /// not put through: answered here. A new offer gets our answer again; a
    /// key sent as INFO counts in the menu.
    pub(super) fn answer_in_menu(
        &mut self,
        now: Now,
        mut call: Call,
        tx: ServerTx,
        request: Request,
    ) {
        let id = call.id;
        let tag = call.caller.local_tag.clone();
        let contact = call.caller.local.contact.clone();
        if request.method == Method::Info {
            self.respond_to(&request, tx, &tag, None, Reply::code(200));
            let digit = info_digit(&request);
            self.calls.insert(id, call);
            if let Some(digit) = digit {
                self.menu_key(now, id, digit);
            }
            return;
        }
        let offered = owned(body_of(&request.headers, &request.body));
        let anchor = call.plan.media.clone();
        let mut out = Vec::new();
        let answered = match (self.read_offer(&mut call, Side::A, offered), &anchor) {
            (Ok(Offered::Read(content_type, offer)), Some(anchor)) => call
                .bridge
                .answer_here(anchor, id, &offer, &mut out)
                .map(|(body, _)| Some((content_type, body))),
            // No offer (a refresh): our description again, for an INVITE.
            (Ok(Offered::AsIs(None)), _) if request.method == Method::Invite => {
                Ok(call.menu.as_ref().map(|m| m.described.clone()))
            }
            (Ok(Offered::AsIs(None)), _) => Ok(None),
            (Ok(_), _) => Err("a voice menu needs SDP".to_string()),
            (Err(error), _) => Err(error),
        };
        self.media_commands(out);
        match answered {
            Ok(body) => {
                if let (Some(menu), Some(body)) = (call.menu.as_mut(), &body) {
                    menu.described = body.clone();
                }
                let mut extra = Vec::new();
                if let Some(Some(timed)) = call.timer_mut(CALLER).map(|t| *t) {
                    let timer = session_timer::refreshed_by_peer(&timed.timer, &request.headers);
                    self.set_timer(now, &mut call, CALLER, timer);
                    extra = session_timer::answer_headers(&timer);
                }
                let reply = Reply::code(200).body(borrowed(&body)).headers(extra);
                self.respond_to(&request, tx, &tag, Some(&contact), reply);
            }
            Err(error) => {
                let reply = Reply::code(488).headers(vec![refusal(&error)]);
                self.respond_to(&request, tx, &tag, None, reply);
            }
        }
        self.calls.insert(id, call);
    }

    /// Plays a prompt to the caller, in the G.711 payload type agreed with
    /// it (nothing is played before that is agreed).
    fn play(&mut self, call: &mut Call, prompt: &str, looped: bool) {
        if let Some(pt) = call.bridge.audio_pt(Side::A) {
            self.commands.push_back(Command::Media(MediaCommand::Play {
                call: call.id,
                side: Side::A,
                prompt: prompt.into(),
                pt,
                looped,
            }));
        }
    }

    /// A caller waiting in a queue is to be called back (its overflow):
    /// they hear the `queue-callback` prompt ("we will call you back"),
    /// then are hung up on. Their place stays with the ACD.
    pub fn call_back_later(&mut self, now: Now, id: CallId) {
        let Some(mut call) = self.calls.remove(&id) else {
            return;
        };
        let waiting =
            call.phase == Phase::Menu && call.menu.as_ref().is_some_and(|m| m.queue.is_some());
        if !waiting {
            self.calls.insert(id, call);
            return;
        }
        self.leave_after(now, &mut call, CALLBACK_PROMPT);
        self.calls.insert(id, call);
    }

    /// The caller hears a last prompt, then is hung up on.
    pub(super) fn leave_after(&mut self, now: Now, call: &mut Call, prompt: &str) {
        let length = self.prompt_lengths.get(prompt).copied().unwrap_or_default();
        self.play(call, prompt, false);
        if let Some(menu) = call.menu.as_mut() {
            menu.leaving = true;
            menu.step += 1;
            self.deadlines
                .insert((now.instant + length, call.id, Due::Menu(menu.step)), ());
        }
    }

    /// Tells a caller waiting in a queue their place and the minutes they
    /// will wait ("You are caller number 3. Your expected waiting time is
    /// about 4 minutes."), then the hold music goes on. Numbers above
    /// ANNOUNCED_MAX are not said.
    pub fn announce(&mut self, id: CallId, position: usize, minutes: Option<u64>) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let waiting =
            call.phase == Phase::Menu && call.menu.as_ref().is_some_and(|m| m.queue.is_some());
        let Some(pt) = call.bridge.audio_pt(Side::A).filter(|_| waiting) else {
            return;
        };
        let mut prompts = Vec::new();
        if position <= ANNOUNCED_MAX {
            prompts.extend(["queue-position".to_string(), format!("number-{position}")]);
        }
        if let Some(minutes) = minutes.filter(|m| *m <= ANNOUNCED_MAX as u64) {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            prompts.extend([
                "queue-wait".to_string(),
                format!("number-{minutes}"),
                unit.into(),
            ]);
        }
        if prompts.is_empty() {
            return;
        }
        self.commands
            .push_back(Command::Media(MediaCommand::Announce {
                call: id,
                side: Side::A,
                prompts,
                pt,
                then: HOLD_MUSIC.into(),
            }));
    }

    fn stop_playing(&mut self, call: &mut Call) {
        self.commands
            .push_back(Command::Media(MediaCommand::StopPlaying {
                call: call.id,
                side: Side::A,
            }));
    }
}

/// The offer made on a menu caller's behalf, written for a phone or a
/// browser; `Ok(None)` before one was agreed.
pub(super) fn on_behalf(
    call: &mut Call,
    to_browser: bool,
) -> Result<Option<(String, Vec<u8>)>, Refusal> {
    let (Some(anchor), Some(menu)) = (&call.plan.media, &call.menu) else {
        return Ok(None);
    };
    let Some(offer) = &menu.on_behalf else {
        return Ok(None);
    };
    let body = call.bridge.write_offer(anchor, offer, to_browser)?;
    Ok(Some(("application/sdp".into(), body)))
}
