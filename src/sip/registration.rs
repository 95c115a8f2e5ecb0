//! Answering REGISTER: the scanner guard, then digest authentication, then
//! the registrar, each answer a response for the transaction layer to send.
//!
//! Everything a scanner could learn is kept the same whether an extension
//! exists or not: unknown users and wrong passwords both get a fresh 401,
//! and a banned source gets no answer at all (answering would confirm that
//! something listens and cost us a packet per probe).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::digest::{Digest, Ha1Set, Verdict};
use super::guard::{Admission, AuthGuard, BanStarted};
use super::message::{Essentials, Header, Request, Response, StatusCode, response_to};
use super::registrar::{Binding, Registrar, contact_values};
use super::transport::Flow;

/// The SIP accounts that may register: extension → HA1 for both algorithms.
/// Held in memory because the call path never waits on the database
/// (DESIGN.md rule 3); the driver swaps in a new map when accounts change.
pub type Accounts = Arc<HashMap<String, Ha1Set>>;

/// What the driver should do with a REGISTER.
#[derive(Debug)]
pub enum Outcome {
    Respond(Box<Response>),
    /// Send nothing: the source is banned.
    Drop,
}

/// Something worth a log line.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Registered { extension: String, contacts: usize },
    Unregistered { extension: String },
    AuthFailed { source: IpAddr, username: String },
    Banned(BanStarted),
}

/// The REGISTER side of the server: nonces, bans and bindings.
#[derive(Debug)]
pub struct Registrations {
    digest: Digest,
    guard: AuthGuard,
    registrar: Registrar,
    /// The guard counts time from here; it needs a monotonic clock.
    epoch: Instant,
    notices: Vec<Notice>,
    /// Connections opened from a logged-in agent's web session (SIP over
    /// WebSocket from the web app), by id: their requests are that agent's
    /// extension without a digest, since the session already proved who
    /// it is and a browser should never hold a SIP password.
    sessions: HashMap<u64, String>,
}

/// Who asks for credentials: the registrar (401, WWW-Authenticate) or,
/// for calls from phones, the server acting as a proxy would (407,
/// Proxy-Authenticate), as phones expect (RFC 3261 §22.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenger {
    Registrar,
    Proxy,
}

/// The per-request values the driver supplies: time and fresh randomness.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub now: Instant,
    pub wall: DateTime<Utc>,
    /// For the nonce of a challenge.
    pub entropy: [u8; 16],
}

impl Registrations {
    pub fn new(digest: Digest, guard: AuthGuard, registrar: Registrar, epoch: Instant) -> Self {
        Registrations {
            digest,
            guard,
            registrar,
            epoch,
            notices: Vec::new(),
            sessions: HashMap::new(),
        }
    }

    /// Answers a REGISTER that came over `flow`.
    pub fn register(
        &mut self,
        context: Context,
        request: &Request,
        essentials: &Essentials,
        flow: Flow,
        accounts: &Accounts,
    ) -> Outcome {
        let extension =
            match self.authenticate(context, request, flow, accounts, Challenger::Registrar) {
                Ok(extension) => extension,
                Err(outcome) => return outcome,
            };
        match self
            .registrar
            .register(context.now, &extension, request, essentials, flow)
        {
            Ok(bindings) => {
                self.notices.push(if bindings.is_empty() {
                    Notice::Unregistered {
                        extension: extension.clone(),
                    }
                } else {
                    Notice::Registered {
                        extension: extension.clone(),
                        contacts: bindings.len(),
                    }
                });
                let mut response = response_to(request, StatusCode::OK, Some(&tag(&context)));
                for value in contact_values(context.now, &bindings) {
                    response.headers.push(Header::Contact(value.into()));
                }
                respond(response)
            }
            Err(error) => {
                let status = StatusCode::from(error.status());
                let mut response = response_to(request, status, Some(&tag(&context)));
                if let super::registrar::RegisterError::TooBrief { min_expires } = error {
                    response
                        .headers
                        .push(Header::MinExpires(min_expires.to_string().into()));
                }
                respond(response)
            }
        }
    }

    /// Checks a request's digest credentials (REGISTER with 401, calls with
    /// 407) behind the scanner guard; `Ok` names the extension proven.
    pub fn authenticate(
        &mut self,
        context: Context,
        request: &Request,
        flow: Flow,
        accounts: &Accounts,
        challenger: Challenger,
    ) -> Result<String, Outcome> {
        if let Some(extension) = flow.connection.and_then(|c| self.sessions.get(&c)) {
            return if accounts.contains_key(extension) {
                Ok(extension.clone())
            } else {
                // The account was disabled or removed since the login.
                let response = response_to(request, StatusCode::Forbidden, Some(&tag(&context)));
                Err(respond(response))
            };
        }
        let source = flow.remote.ip();
        let uptime = context.now.saturating_duration_since(self.epoch);
        match self.guard.admit(uptime, source) {
            Admission::Allow => {}
            Admission::Banned { .. } => return Err(Outcome::Drop),
            Admission::RateLimited => {
                let mut response = response_to(request, StatusCode::ServiceUnavailable, None);
                response.headers.push(Header::RetryAfter("5".into()));
                return Err(respond(response));
            }
        }
        let Some(credentials) = request.headers.iter().find_map(|h| match (h, challenger) {
            (Header::Authorization(value), Challenger::Registrar) => {
                Some(value.value().to_string())
            }
            (Header::ProxyAuthorization(value), Challenger::Proxy) => {
                Some(value.value().to_string())
            }
            _ => None,
        }) else {
            return Err(self.challenge(context, request, false, challenger));
        };
        let method = request.method.to_string();
        let verdict = self
            .digest
            .verify_header(context.wall, &method, &credentials, |user| {
                accounts.get(user).cloned()
            });
        match verdict {
            Verdict::Accepted { username } => {
                self.guard.succeeded(source);
                Ok(username)
            }
            Verdict::Stale => Err(self.challenge(context, request, true, challenger)),
            Verdict::Rejected(_) => {
                let username = username_of(&credentials);
                self.notices.push(Notice::AuthFailed {
                    source,
                    username: username.clone(),
                });
                if let Some(ban) = self.guard.failed(uptime, source, &username) {
                    self.notices.push(Notice::Banned(ban));
                }
                Err(self.challenge(context, request, false, challenger))
            }
        }
    }

    /// Where an extension can be reached now, newest registration first.
    pub fn contacts(&self, now: Instant, extension: &str) -> Vec<&Binding> {
        self.registrar.contacts(now, extension)
    }

    /// Expires bindings; the driver calls it on [`Self::next_expiry`].
    pub fn expire(&mut self, now: Instant) {
        for extension in self.registrar.expire(now) {
            self.notices.push(Notice::Unregistered { extension });
        }
    }

    pub fn next_expiry(&self) -> Option<Instant> {
        self.registrar.next_expiry()
    }

    /// A stream closed: its bindings are unreachable now.
    /// A connection opened from the web session of the agent whose phone
    /// is `extension`.
    pub fn bind_session(&mut self, connection: u64, extension: String) {
        self.sessions.insert(connection, extension);
    }

    pub fn flow_closed(&mut self, connection: u64) {
        self.sessions.remove(&connection);
        for extension in self.registrar.flow_closed(connection) {
            self.notices.push(Notice::Unregistered { extension });
        }
    }

    /// Log lines gathered since the last call.
    pub fn drain_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Extensions with their bindings, for the API's live view.
    pub fn registered(&self) -> impl Iterator<Item = (&str, &[Binding])> {
        self.registrar.registered()
    }

    fn challenge(
        &mut self,
        context: Context,
        request: &Request,
        stale: bool,
        challenger: Challenger,
    ) -> Outcome {
        let status = match challenger {
            Challenger::Registrar => StatusCode::Unauthorized,
            Challenger::Proxy => StatusCode::ProxyAuthenticationRequired,
        };
        let mut response = response_to(request, status, Some(&tag(&context)));
        for challenge in self.digest.challenge(context.wall, context.entropy, stale) {
            let value = challenge.to_string();
            response.headers.push(match challenger {
                Challenger::Registrar => Header::WwwAuthenticate(value.into()),
                Challenger::Proxy => Header::ProxyAuthenticate(value.into()),
            });
        }
        respond(response)
    }
}

fn respond(response: Response) -> Outcome {
    Outcome::Respond(Box::new(response))
}

/// A To tag for our answers, from the request's entropy.
fn tag(context: &Context) -> String {
    hex::encode(&context.entropy[..6])
}

/// The username a failed attempt claimed, for the log and the ban record.
fn username_of(authorization: &str) -> String {
    super::digest::parse_credentials(authorization)
        .map(|c| c.username)
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
#[path = "registration_tests.rs"]
mod tests;
