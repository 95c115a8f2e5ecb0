//! `/api/v1/events`: a WebSocket per browser tab that the server pushes a
//! user's events to, as JSON text messages. The first is `call.offered`:
//! the screen pop, sent to the offered agent's tabs, and only theirs, with
//! the client card their rights let them see, before their phone rings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use super::AppState;
use crate::crm::Repository;
use crate::crm::access::{Actor, Section};
use crate::crm::clients::ScreenPop;
use crate::ids::UserId;
use crate::runtime::clock;
use crate::runtime::sip::distribution::Offered;

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(subscribe))
}

/// Every open events socket, by user.
#[derive(Clone, Default)]
pub struct EventHub {
    sockets: Arc<Mutex<HashMap<UserId, Vec<Subscriber>>>>,
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
    pub call_id: String,
    pub queue: &'a str,
    /// The number the caller dialled.
    pub called: &'a str,
    pub caller: &'a str,
    pub caller_e164: Option<&'a str>,
    pub caller_name: Option<&'a str>,
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

    /// Sends each call offered to an agent to their sockets, with the card
    /// of the caller's number; runs until the SIP server is gone.
    pub async fn deliver_offers(
        self,
        repo: Arc<dyn Repository>,
        mut offers: broadcast::Receiver<Offered>,
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
                call_id: offer.call.to_string(),
                queue: &offer.queue,
                called: &offer.called,
                caller: &offer.caller,
                caller_e164: offer.caller_e164.as_deref(),
                caller_name: offer.caller_name.as_deref(),
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
