//! `/api/v1/events`: a WebSocket per browser tab that the server pushes a
//! user's events to, as JSON text messages:
//! - `call.offered`: the screen pop, sent to the offered agent's tabs, and
//!   only theirs, with the client card their rights let them see, before
//!   their phone rings;
//! - `agent.state`: the user's own state in the ACD, on connecting and on
//!   every change (so a reloaded page knows it at once);
//! - `acd.status`: every queue's and agent's live figures, to users who may
//!   read telephony (supervisors), on connecting and within 200 ms of a
//!   change;
//! - `dial`: a number for the softphone of the user's newest tab to call
//!   (a supervisor asked through the API to listen to an agent: `*81` and
//!   the extension).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};

use super::AppState;
use crate::crm::Repository;
use crate::crm::access::{Actor, Section};
use crate::crm::clients::ScreenPop;
use crate::ids::UserId;
use crate::runtime::clock;
use crate::runtime::sip::distribution::{AcdStatus, Offered};

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(subscribe))
}

/// Every open events socket, by user.
#[derive(Clone, Default)]
pub struct EventHub {
    sockets: Arc<Mutex<HashMap<UserId, Vec<Subscriber>>>>,
    /// The ACD's live view, once SIP runs.
    live: Arc<Mutex<Option<watch::Receiver<Arc<AcdStatus>>>>>,
}

/// An agent's own state, as their web app gets it.
#[derive(Debug, Serialize, PartialEq)]
struct AgentState<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// `offline` when not logged in to any queue.
    state: &'a str,
    reason: Option<&'a str>,
    /// Seconds in this state when sent.
    for_s: u64,
    queues: &'a [String],
    extension: Option<&'a str>,
}

impl<'a> AgentState<'a> {
    fn of(status: &'a AcdStatus, user: UserId) -> Self {
        let view = status.agents.iter().find(|a| a.agent == user);
        AgentState {
            kind: "agent.state",
            state: view.map_or("offline", |v| v.state.as_str()),
            reason: view.and_then(|v| v.reason.as_deref()),
            for_s: view.map_or(0, |v| v.for_s),
            queues: view.map_or(&[], |v| v.queues.as_slice()),
            extension: view.map(|v| v.extension.as_str()),
        }
    }

    /// What tells one state from another (the time in it does not).
    fn key(&self) -> (&str, Option<&str>, &[String]) {
        (self.state, self.reason, self.queues)
    }
}

/// The live view as supervisors' web apps get it.
#[derive(Serialize)]
struct LiveStatus<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    status: &'a AcdStatus,
}

/// What a socket is sent of a live view: the user's own state when it
/// changed from `last` (or always, with `None`), and the whole view for
/// supervisors.
fn live_messages(status: &AcdStatus, actor: &Actor, last: Option<&AcdStatus>) -> Vec<String> {
    let mut messages = Vec::new();
    let mine = AgentState::of(status, actor.user_id);
    if last.is_none_or(|last| AgentState::of(last, actor.user_id).key() != mine.key())
        && let Ok(text) = serde_json::to_string(&mine)
    {
        messages.push(text);
    }
    if actor.right(Section::Telephony).read
        && let Ok(text) = serde_json::to_string(&LiveStatus {
            kind: "acd.status",
            status,
        })
    {
        messages.push(text);
    }
    messages
}

#[derive(Clone)]
struct Subscriber {
    id: u64,
    /// Who the socket belongs to, for the rights on what it is sent.
    actor: Arc<Actor>,
    tx: mpsc::UnboundedSender<String>,
}

/// The screen pop as the agent's web app gets it.
#[derive(Debug, Serialize)]
pub struct CallOffered<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The id of the call's record, for its wrap-up
    /// (`GET /api/v1/calls?call_id=`).
    pub call_id: String,
    pub queue: &'a str,
    /// The queue's wrap-up time in seconds, and the results to pick from
    /// (empty: any text).
    pub wrap_up_s: u64,
    pub results: &'a [String],
    /// The number the caller dialled.
    pub called: &'a str,
    pub caller: &'a str,
    pub caller_e164: Option<&'a str>,
    pub caller_name: Option<&'a str>,
    /// The caller asked to be called back: the agent calls them (their
    /// phone does not ring).
    pub callback: bool,
    /// A campaign's call: the campaign and the lead called, whose script,
    /// survey and results the agent works with
    /// (`POST /campaigns/{campaign_id}/leads/{lead_id}/outcome`).
    pub campaign_id: Option<i64>,
    pub lead_id: Option<i64>,
    /// The client whose number it is, as the agent may see it; `None` for
    /// an unknown number (the app offers a new client with it).
    pub card: Option<ScreenPop>,
}

impl EventHub {
    fn add(&self, actor: Arc<Actor>, tx: mpsc::UnboundedSender<String>) -> u64 {
        let id = rand::random();
        let mut sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        sockets
            .entry(actor.user_id)
            .or_default()
            .push(Subscriber { id, actor, tx });
        id
    }

    fn remove(&self, user: UserId, id: u64) {
        let mut sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = sockets.get_mut(&user) {
            list.retain(|s| s.id != id);
            if list.is_empty() {
                sockets.remove(&user);
            }
        }
    }

    fn of(&self, user: UserId) -> Vec<Subscriber> {
        let sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        sockets.get(&user).cloned().unwrap_or_default()
    }

    /// Sends `text` to the socket `user` opened last (their newest tab: a
    /// request to dial must not make every open tab dial); whether they had
    /// one.
    pub fn send_to_newest(&self, user: UserId, text: &str) -> bool {
        self.of(user)
            .last()
            .is_some_and(|socket| socket.tx.send(text.to_string()).is_ok())
    }

    fn all(&self) -> Vec<Subscriber> {
        let sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        sockets.values().flatten().cloned().collect()
    }

    /// The live view now, for a socket that just opened.
    fn live_now(&self) -> Option<Arc<AcdStatus>> {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.as_ref().map(|l| l.borrow().clone())
    }

    /// Sends every change of the ACD's live view to the sockets that show
    /// it; runs until the SIP server is gone.
    pub async fn deliver_live(self, mut live: watch::Receiver<Arc<AcdStatus>>) {
        *self.live.lock().unwrap_or_else(|e| e.into_inner()) = Some(live.clone());
        let mut last = live.borrow_and_update().clone();
        while live.changed().await.is_ok() {
            let status = live.borrow_and_update().clone();
            for socket in self.all() {
                for text in live_messages(&status, &socket.actor, Some(&last)) {
                    let _ = socket.tx.send(text);
                }
            }
            last = status;
        }
    }

    /// Sends each call offered to an agent to their sockets, with the card
    /// of the caller's number; runs until the SIP server is gone.
    pub async fn deliver_offers(
        self,
        repo: Arc<dyn Repository>,
        mut offers: broadcast::Receiver<Offered>,
        run: u64,
    ) {
        loop {
            let offer = match offers.recv().await {
                Ok(offer) => offer,
                Err(broadcast::error::RecvError::Lagged(lost)) => {
                    tracing::warn!(lost, "screen pops lost: the web side fell behind");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let sockets = self.of(offer.agent);
            let Some(first) = sockets.first() else {
                continue; // no web app open: the phone rings all the same
            };
            let card = match &offer.caller_e164 {
                Some(e164) => {
                    let scope = first.actor.client_scope(Section::Clients);
                    match repo.lookup_phone(scope, e164, clock::now()).await {
                        Ok(card) => card,
                        Err(error) => {
                            tracing::warn!(%error, call = %offer.call, "no client card for a screen pop");
                            None
                        }
                    }
                }
                None => None,
            };
            let message = CallOffered {
                kind: "call.offered",
                call_id: crate::runtime::sip::records::record_key(run, offer.call),
                queue: &offer.queue,
                wrap_up_s: offer.wrap_up_s,
                results: &offer.results,
                called: &offer.called,
                caller: &offer.caller,
                caller_e164: offer.caller_e164.as_deref(),
                caller_name: offer.caller_name.as_deref(),
                callback: offer.callback,
                campaign_id: offer.campaign.map(|(campaign, _)| campaign),
                lead_id: offer.campaign.map(|(_, lead)| lead),
                card,
            };
            let Ok(text) = serde_json::to_string(&message) else {
                continue;
            };
            for socket in sockets {
                let _ = socket.tx.send(text.clone());
            }
            metrics::counter!("screen_pops_total").increment(1);
        }
    }
}

/// Opens the events socket of the logged-in user (the session cookie, or a
/// bearer token, authenticates the upgrade).
async fn subscribe(
    State(state): State<AppState>,
    actor: Actor,
    upgrade: WebSocketUpgrade,
) -> Response {
    let hub = state.events.clone();
    upgrade.on_upgrade(move |socket| serve(hub, Arc::new(actor), socket))
}

async fn serve(hub: EventHub, actor: Arc<Actor>, mut socket: WebSocket) {
    let user = actor.user_id;
    let (tx, mut rx) = mpsc::unbounded_channel();
    if let Some(status) = hub.live_now() {
        for text in live_messages(&status, &actor, None) {
            let _ = tx.send(text);
        }
    }
    let id = hub.add(actor, tx);
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(text) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = socket.recv() => match incoming {
                // The app sends nothing but pings; anything else is ignored.
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    hub.remove(user, id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::access::{Role, default_rights};
    use crate::runtime::sip::distribution::AgentView;

    fn actor(id: i64, role: Role) -> Actor {
        Actor {
            user_id: UserId(id),
            username: format!("u{id}"),
            display_name: format!("U{id}"),
            role,
            team_id: None,
            rights: default_rights(role),
        }
    }

    fn status(state: &str, for_s: u64) -> AcdStatus {
        AcdStatus {
            agents: vec![AgentView {
                agent: UserId(7),
                extension: "1001".into(),
                state: state.into(),
                reason: None,
                for_s,
                queues: vec!["sales".into()],
            }],
            queues: vec![],
        }
    }

    fn types(messages: &[String]) -> Vec<String> {
        messages
            .iter()
            .map(|m| {
                let value: serde_json::Value = serde_json::from_str(m).unwrap();
                format!("{} {}", value["type"].as_str().unwrap(), value["state"])
            })
            .collect()
    }

    #[test]
    fn an_agent_is_told_their_own_state_when_it_changes_and_never_the_floor() {
        let agent = actor(7, Role::Agent);
        let before = status("available", 3);
        assert_eq!(
            types(&live_messages(&before, &agent, None)),
            ["agent.state \"available\""],
            "a socket that opens is told at once"
        );
        let later = status("available", 9);
        assert!(
            live_messages(&later, &agent, Some(&before)).is_empty(),
            "time passing is no change"
        );
        let ringing = status("ringing", 0);
        assert_eq!(
            types(&live_messages(&ringing, &agent, Some(&later))),
            ["agent.state \"ringing\""]
        );
        let someone_else = actor(8, Role::Agent);
        assert_eq!(
            types(&live_messages(&ringing, &someone_else, None)),
            ["agent.state \"offline\""],
            "not in any queue"
        );
    }

    #[test]
    fn supervisors_get_the_whole_floor_on_every_change() {
        let supervisor = actor(9, Role::Supervisor);
        let before = status("available", 3);
        let after = status("on_call", 0);
        assert_eq!(
            types(&live_messages(&after, &supervisor, Some(&before))),
            ["acd.status null"]
        );
        let text = &live_messages(&after, &supervisor, Some(&after))[0];
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["agents"][0]["state"], "on_call");
    }
}
