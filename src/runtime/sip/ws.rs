//! SIP over WebSocket (RFC 7118) on the HTTP listener at `/sip`: how
//! browsers (JsSIP) reach the SIP engine. Each WebSocket message carries one
//! whole SIP message, so there is no stream framing; each connection is a
//! flow of its own, and a REGISTER over it binds the extension to that flow
//! (RFC 5626), so calls go back down the browser's socket and its bindings
//! go when it closes.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::mpsc;

use super::transports::{Inbound, Writers, stream_flow};
use crate::sip::framing::PONG;
use crate::sip::message::MAX_MESSAGE_BYTES;
use crate::sip::transport::{Flow, Transport};

/// The WebSocket subprotocol of RFC 7118 §4.1.
pub const SUBPROTOCOL: &str = "sip";

/// Where the HTTP server mounts SIP over WebSocket.
pub const PATH: &str = "/sip";

/// A handle the HTTP side uses to hand WebSocket connections to the SIP
/// engine: the engine's inbound queue and the map where each connection
/// leaves its writer. Cheap to clone.
#[derive(Clone)]
pub struct SipConnector {
    pub(super) inbound: mpsc::Sender<Inbound>,
    pub(super) writers: Writers,
    /// Finds the extension of the agent whose web session opens a
    /// connection; `None` leaves every connection to digest auth.
    pub(super) sessions: Option<Sessions>,
}

/// The extension of the logged-in agent whose request headers these are.
pub type Sessions =
    Arc<dyn Fn(HeaderMap) -> Pin<Box<dyn Future<Output = Option<String>> + Send>> + Send + Sync>;

impl SipConnector {
    /// Connections opened from a logged-in agent's web session speak for
    /// that agent's extension, with no SIP password (`sessions` finds it).
    pub fn with_sessions(mut self, sessions: Sessions) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// The `/sip` route, ready to merge into the HTTP application. The
    /// server must be run with
    /// `into_make_service_with_connect_info::<SocketAddr>()`: the peer's
    /// address is its SIP source (the scanner guard counts by it).
    pub fn router(self) -> Router {
        Router::new().route(PATH, get(ws_upgrade)).with_state(self)
    }
}

/// `GET /sip`: upgrades to a WebSocket speaking `sip`, or refuses a client
/// that did not ask for that subprotocol (RFC 7118 §4.1: without it the
/// two sides would not agree on what the frames carry).
pub async fn ws_upgrade(
    State(connector): State<SipConnector>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let upgrade = upgrade.protocols([SUBPROTOCOL]);
    if upgrade.selected_protocol().is_none() {
        return (
            StatusCode::BAD_REQUEST,
            "SIP over WebSocket needs the subprotocol \"sip\" (RFC 7118)",
        )
            .into_response();
    }
    let extension = match &connector.sessions {
        Some(sessions) => sessions(headers).await,
        None => None,
    };
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| {
            let flow = stream_flow(Transport::Ws, remote);
            serve(socket, flow, connector, extension)
        })
}

/// One WebSocket connection: messages in, messages out, until either side
/// closes it. Pings are answered by the WebSocket layer itself.
async fn serve(
    mut socket: WebSocket,
    flow: Flow,
    connector: SipConnector,
    extension: Option<String>,
) {
    let Some(id) = flow.connection else { return };
    let SipConnector {
        inbound, writers, ..
    } = connector;
    if let Some(extension) = extension {
        // Sent first on the engine's queue, so it is known before any of
        // the connection's messages.
        tracing::debug!(connection = id, %extension, "SIP WebSocket of a web session");
        if inbound
            .send(Inbound::Bound {
                connection: id,
                extension,
            })
            .await
            .is_err()
        {
            return;
        }
    }
    let (sender, mut outgoing) = mpsc::channel::<Vec<u8>>(64);
    if let Ok(mut map) = writers.lock() {
        map.insert(id, sender.clone());
    }
    tracing::debug!(peer = %flow.remote, connection = id, "SIP WebSocket opened");
    loop {
        tokio::select! {
            received = socket.recv() => {
                let bytes = match received {
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                match keep_alive(&bytes) {
                    Some(KeepAlive::Ping) => {
                        let _ = sender.send(PONG.to_vec()).await;
                    }
                    Some(KeepAlive::Padding) => {}
                    None => {
                        if inbound.send(Inbound::Message { bytes, flow }).await.is_err() {
                            break;
                        }
                    }
                }
            }
            Some(bytes) = outgoing.recv() => {
                if socket.send(frame(bytes)).await.is_err() {
                    break;
                }
            }
            () = inbound.closed() => break,
        }
    }
    if let Ok(mut map) = writers.lock() {
        map.remove(&id);
    }
    tracing::debug!(peer = %flow.remote, connection = id, "SIP WebSocket closed");
    let _ = inbound.send(Inbound::Closed { flow }).await;
}

/// RFC 7118 §6 leaves keep-alives to WebSocket pings, but some clients
/// (SIP.js among them) send the CRLF ping of RFC 5626 anyway and wait for
/// its pong; answering costs nothing.
#[derive(Debug, PartialEq, Eq)]
enum KeepAlive {
    Ping,
    /// Only line ends: nothing to parse and nothing to answer.
    Padding,
}

fn keep_alive(bytes: &[u8]) -> Option<KeepAlive> {
    if bytes == b"\r\n\r\n" {
        return Some(KeepAlive::Ping);
    }
    bytes
        .iter()
        .all(|b| matches!(b, b'\r' | b'\n'))
        .then_some(KeepAlive::Padding)
}

/// SIP is text, so messages go out as text frames (what browsers' SIP
/// stacks expect); a body that is not UTF-8 can only go as binary.
fn frame(bytes: Vec<u8>) -> Message {
    match String::from_utf8(bytes) {
        Ok(text) => Message::Text(text.into()),
        Err(e) => Message::Binary(e.into_bytes().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_crlf_is_a_ping_and_lone_line_ends_are_padding() {
        assert_eq!(keep_alive(b"\r\n\r\n"), Some(KeepAlive::Ping));
        assert_eq!(keep_alive(b"\r\n"), Some(KeepAlive::Padding));
        assert_eq!(keep_alive(b"OPTIONS sip:a@b SIP/2.0\r\n\r\n"), None);
    }

    #[test]
    fn sip_text_goes_as_a_text_frame_and_other_bytes_as_binary() {
        assert!(matches!(
            frame(b"SIP/2.0 200 OK\r\n\r\n".to_vec()),
            Message::Text(_)
        ));
        assert!(matches!(frame(vec![0xff, 0xfe]), Message::Binary(_)));
    }
}
