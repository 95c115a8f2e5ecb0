//! Switchboard registering to a trunk's PBX or carrier as one of its users
//! (RFC 3261 §10.2), sans-IO in virtual time: one [`Registration`] per
//! trunk with a `register` table.
//!
//! - The first REGISTER goes out at start. Every REGISTER of a
//!   registration keeps one Call-ID and From tag, and its CSeq goes up by
//!   one each time (§10.2.4), so the registrar can tell refreshes from
//!   stale retransmissions.
//! - A 401/407 is answered with digest credentials at once. A second
//!   challenge of the same kind within one attempt means the credentials
//!   are wrong, unless it says `stale=true`; then the attempt fails and
//!   waits its backoff. It never loops.
//! - A 200 grants a lifetime (our Contact's `expires`, else Expires, else
//!   what we asked): the refresh goes out [`refresh_after`] it.
//! - A 423 raises the lifetime asked to the registrar's Min-Expires and
//!   tries again at once.
//! - Any other failure, or no answer, waits 30 s, then 60 s, doubling up
//!   to 10 min ([`FIRST_BACKOFF`], [`MAX_BACKOFF`]), or longer when the
//!   registrar's Retry-After says so. A success starts the doubling over.
//! - A binding whose lifetime ends without a successful refresh has
//!   lapsed: we are no longer registered, and retries go on.
//! - [`Registration::stop`] removes the binding (Expires: 0) on shutdown.

mod reply;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rsipstack::sip::{Method, Request, Response};

use super::request::{Binding, Local, RequestIds, register_request, register_uri};
use super::{PeerAddr, Register, Trunk};
use crate::sip::digest::{Challenge, answer};
use crate::sip::message::essentials_of;
use crate::sip::transaction::new_branch;
use crate::sip::transport::Transport;
use reply::AuthKind;

/// The wait after a first failure.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// Challenges answered within one attempt: a proxy's 407, the registrar's
/// 401, and one `stale=true` renewal of each.
const MAX_CHALLENGES: u32 = 4;

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A final response we cannot act on (403, 404, 5xx, 6xx ...).
    Rejected { status: u16 },
    /// Our answer to a challenge was challenged again: wrong user name
    /// or password.
    BadCredentials { status: u16 },
    /// A 401/407 without a Digest challenge we can answer.
    NoUsableChallenge { status: u16 },
    /// A 423 without a Min-Expires above what we asked.
    IntervalTooBrief,
    /// A 200 that bound nothing (a lifetime of 0).
    NotBound,
    /// No final response in time, or the transport failed.
    Timeout,
}

/// What the engine sends or reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send `request` to `registrar` in a new client transaction, and
    /// report its final response or timeout.
    SendRegister {
        request: Box<Request>,
        registrar: PeerAddr,
    },
    /// Bound for `expires` (as granted, which may be less than asked).
    Registered { expires: Duration },
    /// The attempt failed; the next one goes out in `retry_in`.
    Failed { reason: Failure, retry_in: Duration },
    /// The binding's lifetime ended without a successful refresh.
    Lapsed,
    /// After [`Registration::stop`]: the binding was removed, or the
    /// registrar could not be told; nothing more will be sent.
    Stopped,
}

/// The registration of one trunk.
#[derive(Debug)]
pub struct Registration {
    register: Register,
    transport: Transport,
    local: Local,
    /// Kept for every REGISTER of this registration (§10.2.4).
    call_id: String,
    from_tag: String,
    cseq: u32,
    /// The lifetime asked for; raised by a 423.
    expires: u32,
    /// Branches and cnonces, from the caller's seed.
    rng: StdRng,
    /// The REGISTER awaiting its final response.
    pending: Option<Pending>,
    /// When the next attempt starts.
    send_at: Option<Instant>,
    /// When the current binding ends, while we have one.
    bound_until: Option<Instant>,
    /// The wait after the next failure.
    backoff: Duration,
    stopping: bool,
    outputs: VecDeque<Output>,
}

/// One REGISTER in flight and the attempt it belongs to.
#[derive(Debug)]
struct Pending {
    cseq: u32,
    /// Whether it asked to remove the binding (Expires: 0).
    removal: bool,
    /// The challenges answered in this attempt, with our nonce count.
    challenges: Vec<Answered>,
    /// How many challenges this attempt has met.
    rounds: u32,
}

#[derive(Debug, Clone)]
struct Answered {
    kind: AuthKind,
    challenge: Challenge,
    cnonce: String,
    nc: u32,
}

impl Registration {
    /// A registration whose first REGISTER is due at `now` (it comes out of
    /// [`Self::handle_timeout`]). `seed` feeds
    /// the Call-ID, tags, branches and cnonces (from the driver's random
    /// source; fixed in tests).
    pub fn new(
        register: Register,
        transport: Transport,
        local: Local,
        seed: u64,
        now: Instant,
    ) -> Registration {
        let mut rng = StdRng::seed_from_u64(seed);
        Registration {
            expires: register.expires,
            register,
            transport,
            local,
            call_id: hex::encode(rng.random::<[u8; 12]>()),
            from_tag: hex::encode(rng.random::<[u8; 4]>()),
            cseq: 0,
            rng,
            pending: None,
            send_at: Some(now),
            bound_until: None,
            backoff: FIRST_BACKOFF,
            stopping: false,
            outputs: VecDeque::new(),
        }
    }

    /// The registration of `trunk`, when it has a `register` table.
    pub fn for_trunk(trunk: &Trunk, local: Local, seed: u64, now: Instant) -> Option<Registration> {
        let register = trunk.register.clone()?;
        Some(Registration::new(
            register,
            trunk.transport,
            local,
            seed,
            now,
        ))
    }

    /// When [`Self::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.send_at, self.bound_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if self.bound_until.is_some_and(|until| until <= now) {
            self.bound_until = None;
            self.outputs.push_back(Output::Lapsed);
        }
        if self.send_at.is_some_and(|at| at <= now) {
            self.send_at = None;
            self.send(false, Vec::new(), 0);
        }
    }

    /// A response to one of our REGISTERs. Responses to an earlier one, and
    /// provisional ones, change nothing.
    pub fn on_response(&mut self, now: Instant, response: &Response) {
        let Some(pending) = &self.pending else {
            return;
        };
        let ours = essentials_of(&response.headers).is_ok_and(|e| {
            e.call_id == self.call_id && e.cseq == pending.cseq && e.method == Method::Register
        });
        let status = response.status_code.code();
        if !ours || status < 200 {
            return;
        }
        let Some(pending) = self.pending.take() else {
            return;
        };
        match status {
            200..=299 => self.bound(now, &pending, response),
            401 => self.challenged(now, pending, response, AuthKind::Www, status),
            407 => self.challenged(now, pending, response, AuthKind::Proxy, status),
            423 => self.too_brief(now, &pending, response),
            _ => self.failed(
                now,
                Failure::Rejected { status },
                reply::retry_after(response),
            ),
        }
    }

    /// Our REGISTER had no final response (Timer F) or could not be sent.
    pub fn on_timeout(&mut self, now: Instant) {
        if self.pending.take().is_some() {
            self.failed(now, Failure::Timeout, None);
        }
    }

    /// Removes the binding and stops refreshing (on shutdown, or when the
    /// trunk is taken out of the configuration). A REGISTER in flight is
    /// let finish first (§10.2: one at a time).
    pub fn stop(&mut self, now: Instant) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        self.send_at = None;
        if self.pending.is_none() {
            self.remove_or_finish(now);
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Whether we hold a binding at the registrar.
    pub fn is_registered(&self, now: Instant) -> bool {
        self.bound_until.is_some_and(|until| until > now)
    }

    /// The lifetime asked for in the next REGISTER.
    pub fn expires(&self) -> u32 {
        self.expires
    }

    fn bound(&mut self, now: Instant, pending: &Pending, response: &Response) {
        if pending.removal {
            return self.finish();
        }
        let contact = &self.local.address;
        let granted = reply::granted_expires(response, &self.register.user, contact, self.expires);
        if granted == 0 {
            if self.bound_until.take().is_some() {
                self.outputs.push_back(Output::Lapsed);
            }
            return self.failed(now, Failure::NotBound, None);
        }
        let granted = Duration::from_secs(u64::from(granted));
        self.bound_until = Some(now + granted);
        self.backoff = FIRST_BACKOFF;
        self.outputs
            .push_back(Output::Registered { expires: granted });
        if self.stopping {
            return self.remove_or_finish(now);
        }
        self.send_at = Some(now + refresh_after(granted));
    }

    fn challenged(
        &mut self,
        now: Instant,
        mut pending: Pending,
        response: &Response,
        kind: AuthKind,
        status: u16,
    ) {
        let Some(challenge) = reply::challenge(response, kind) else {
            return self.failed(now, Failure::NoUsableChallenge { status }, None);
        };
        let answered_before = pending.challenges.iter().position(|a| a.kind == kind);
        pending.rounds += 1;
        if (answered_before.is_some() && !challenge.stale) || pending.rounds > MAX_CHALLENGES {
            return self.failed(now, Failure::BadCredentials { status }, None);
        }
        if let Some(index) = answered_before {
            pending.challenges.remove(index);
        }
        pending.challenges.push(Answered {
            kind,
            challenge,
            cnonce: hex::encode(self.rng.random::<[u8; 8]>()),
            nc: 0,
        });
        self.send(pending.removal, pending.challenges, pending.rounds);
    }

    fn too_brief(&mut self, now: Instant, pending: &Pending, response: &Response) {
        match reply::min_expires(response) {
            Some(min) if min > self.expires && !pending.removal => {
                self.expires = min;
                // A new attempt: the registrar challenges it afresh.
                self.send(false, Vec::new(), 0);
            }
            _ => self.failed(now, Failure::IntervalTooBrief, None),
        }
    }

    fn failed(&mut self, now: Instant, reason: Failure, retry_after: Option<Duration>) {
        if self.stopping {
            return self.finish();
        }
        let retry_in = retry_after
            .map_or(self.backoff, |asked| asked.max(self.backoff))
            .min(MAX_BACKOFF);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        self.send_at = Some(now + retry_in);
        self.outputs.push_back(Output::Failed { reason, retry_in });
    }

    fn remove_or_finish(&mut self, now: Instant) {
        if self.is_registered(now) {
            self.send(true, Vec::new(), 0);
        } else {
            self.finish();
        }
    }

    fn finish(&mut self) {
        self.bound_until = None;
        self.send_at = None;
        self.outputs.push_back(Output::Stopped);
    }

    /// Sends the next REGISTER of an attempt, answering its challenges.
    fn send(&mut self, removal: bool, mut challenges: Vec<Answered>, rounds: u32) {
        self.cseq += 1;
        let request = self.request(removal, &mut challenges);
        self.pending = Some(Pending {
            cseq: self.cseq,
            removal,
            challenges,
            rounds,
        });
        self.outputs.push_back(Output::SendRegister {
            request: Box::new(request),
            registrar: self.register.registrar.clone(),
        });
    }

    fn request(&mut self, removal: bool, challenges: &mut [Answered]) -> Request {
        let register = &self.register;
        let digest_uri = register_uri(register, self.transport).to_string();
        let credentials = challenges
            .iter_mut()
            .map(|answered| {
                answered.nc += 1;
                let credentials = answer(
                    &answered.challenge,
                    "REGISTER",
                    &digest_uri,
                    &register.auth_user,
                    &register.password,
                    &answered.cnonce,
                    answered.nc,
                );
                answered.kind.answer_header(credentials.to_string())
            })
            .collect();
        let ids = RequestIds {
            branch: new_branch(self.rng.random()),
            call_id: self.call_id.clone(),
            tag: self.from_tag.clone(),
        };
        let expires = if removal { 0 } else { self.expires };
        let binding = Binding {
            register,
            transport: self.transport,
            local: &self.local,
            cseq: self.cseq,
            expires,
        };
        register_request(&binding, &ids, credentials)
    }
}

/// When to refresh a binding granted for `granted`: a margin of a tenth of
/// the lifetime, at least 5 s and at most 30 s, and never more than half
/// of it, before it ends. 3600 s refreshes after 3570 s, 120 s after 108 s,
/// 8 s after 4 s.
pub fn refresh_after(granted: Duration) -> Duration {
    let margin = (granted / 10)
        .clamp(Duration::from_secs(5), Duration::from_secs(30))
        .min(granted / 2);
    granted - margin
}
