//! The SIP engine loop: the one task that owns the transaction layer and the
//! registrations. It feeds them what the sockets bring with the current
//! time, routes their outputs back to the sockets, and wakes at their
//! earliest deadline. Being one task, the cores need no locks.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::transports::{Inbound, Outbound};
use crate::runtime::clock;
use crate::sip::message::{self, Header, Request, StatusCode, response_to};
use crate::sip::registration::{Accounts, Context, Notice, Outcome, Registrations};
use crate::sip::reject;
use crate::sip::transaction::{Event, Output, ServerTx, TransactionLayer};
use crate::sip::transport::Flow;

/// Methods this server answers; the rest get 405 with this list.
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE";

/// Longest sleep when nothing is due, so a changed account map is seen.
const IDLE: Duration = Duration::from_secs(60);

pub struct Engine {
    pub layer: TransactionLayer,
    pub registrations: Registrations,
    pub accounts: watch::Receiver<Accounts>,
    pub outbound: Outbound,
}

impl Engine {
    /// Runs until the sockets and every handle are gone or `stop` fires.
    pub async fn run(
        mut self,
        mut inbound: mpsc::Receiver<Inbound>,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            let deadline = self.next_deadline();
            tokio::select! {
                received = inbound.recv() => match received {
                    Some(Inbound::Message { bytes, flow }) => self.on_message(&bytes, flow).await,
                    Some(Inbound::Closed { flow }) => {
                        self.layer.flow_failed(flow);
                        if let Some(connection) = flow.connection {
                            self.registrations.flow_closed(connection);
                        }
                    }
                    None => return,
                },
                () = tokio::time::sleep_until(deadline.into()) => {
                    let now = clock::instant();
                    self.layer.handle_timeout(now);
                    self.registrations.expire(now);
                }
                _ = stop.changed() => return,
            }
            self.drain().await;
        }
    }

    fn next_deadline(&self) -> Instant {
        let idle = clock::instant() + IDLE;
        [self.layer.poll_timeout(), self.registrations.next_expiry()]
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

    /// Routes every pending output of the cores.
    async fn drain(&mut self) {
        while let Some(output) = self.layer.poll_output() {
            match output {
                Output::Transmit { flow, bytes } => {
                    if !self.outbound.send(&flow, bytes).await {
                        self.layer.flow_failed(flow);
                    }
                }
                Output::Event(event) => self.on_event(event),
            }
        }
        for notice in self.registrations.drain_notices() {
            log(notice);
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Request { tx, request, flow } => self.on_request(tx, request, flow),
            Event::StrayResponse { flow, .. } => {
                tracing::debug!(peer = %flow.remote, "response matching no transaction");
            }
            // Calls (INVITE dialogs, ACKs, CANCELs) are the B2BUA's; until it
            // is wired in, the engine answers INVITE itself (below).
            _ => {}
        }
    }

    fn on_request(&mut self, tx: ServerTx, request: Request, flow: Flow) {
        let now = clock::instant();
        let response = match request.method {
            message::Method::Register => {
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
                    Outcome::Respond(response) => *response,
                    Outcome::Drop => return,
                }
            }
            message::Method::Options => {
                let mut response = response_to(&request, StatusCode::OK, Some(&tag()));
                response.headers.push(Header::Allow(ALLOW.into()));
                response
                    .headers
                    .push(Header::Accept("application/sdp".into()));
                response
            }
            // In-dialog requests for dialogs this server does not hold.
            message::Method::Bye | message::Method::Info | message::Method::Update => response_to(
                &request,
                StatusCode::CallTransactionDoesNotExist,
                Some(&tag()),
            ),
            // Not yet routed to the B2BUA: the caller hears "unavailable"
            // rather than waiting for a timeout.
            message::Method::Invite => {
                response_to(&request, StatusCode::TemporarilyUnavailable, Some(&tag()))
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
