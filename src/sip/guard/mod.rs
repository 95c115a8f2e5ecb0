//! Per-source protection against SIP scanners: a source that fails
//! authentication too often within a window is banned for a while, and
//! requests that need authentication are rate-limited per source with a
//! token bucket. Trusted networks (trunk peers) are exempt from both.
//!
//! Time here is a monotonic `Duration` since the driver started, not the
//! wall clock: a ban and a token bucket measure elapsed time, and a wall
//! clock step (NTP, an operator) must neither lift every ban nor freeze the
//! buckets; the buckets also need sub-second precision, which
//! `runtime::clock::now()` rounds away. The driver turns `until` into wall
//! time for its log line.
//!
//! Memory is bounded: at most `max_sources` sources are tracked (the one
//! seen least recently is forgotten first) and at most as many bans (the one
//! ending soonest goes first). Bans live apart from the tracked sources so
//! that a flood of new addresses cannot push a scanner's ban out.

mod net;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

pub use net::{IpNet, IpNetError};

/// Usernames kept per failure are cut to this many bytes: enough for the
/// log line, not enough to make a flood expensive.
const USERNAME_LOG_LEN: usize = 32;
/// Token amounts are kept in billionths so that refills are exact integers.
const NANO: u128 = 1_000_000_000;

/// The rules the guard applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardPolicy {
    /// Failures within `window` that start a ban (at least 1).
    pub max_failures: u32,
    pub window: Duration,
    pub ban_for: Duration,
    /// Sustained requests per second per source, also the burst; 0 turns
    /// rate limiting off.
    pub max_requests_per_second: u32,
    /// Sources tracked at once (and bans held at once).
    pub max_sources: usize,
    /// Networks never banned nor rate-limited, such as trunk peers.
    pub trusted: Vec<IpNet>,
}

/// What to do with a request from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Allow,
    /// Over the rate: drop it (or answer 503 with Retry-After).
    RateLimited,
    /// Banned until this instant of the guard's clock.
    Banned {
        until: Duration,
    },
}

/// A ban that has just started, for the driver to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanStarted {
    pub source: IpAddr,
    pub until: Duration,
    /// Failures within the window that led to the ban.
    pub failures: u32,
    /// The distinct usernames tried, cut short, oldest first.
    pub usernames: Vec<String>,
}

/// Failed-authentication bans and rate limits, per source address.
#[derive(Debug)]
pub struct AuthGuard {
    policy: GuardPolicy,
    /// Recent failures and the token bucket of each source seen lately.
    sources: HashMap<IpAddr, Source>,
    /// `sources` by last sighting, to forget the stalest in O(log n).
    by_last_seen: BTreeSet<(Duration, IpAddr)>,
    /// Banned sources and when each ban ends.
    bans: HashMap<IpAddr, Duration>,
    /// `bans` by end, to lift ended bans and evict the soonest-ending.
    bans_by_end: BTreeSet<(Duration, IpAddr)>,
}

#[derive(Debug)]
struct Source {
    last_seen: Duration,
    /// Tokens in billionths; a request costs `NANO`.
    tokens: u128,
    refilled_at: Duration,
    /// Failures within the window, oldest first, never more than `max_failures`.
    failures: VecDeque<Failure>,
}

#[derive(Debug)]
struct Failure {
    at: Duration,
    username: String,
}

impl Default for GuardPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(60),
            ban_for: Duration::from_secs(600),
            max_requests_per_second: 20,
            max_sources: 65_536,
            trusted: Vec::new(),
        }
    }
}

impl AuthGuard {
    pub fn new(policy: GuardPolicy) -> Self {
        Self {
            policy,
            sources: HashMap::new(),
            by_last_seen: BTreeSet::new(),
            bans: HashMap::new(),
            bans_by_end: BTreeSet::new(),
        }
    }

    /// Decides on a request that needs authentication, before any digest
    /// work is spent on it. Takes a token when allowed.
    pub fn admit(&mut self, now: Duration, source: IpAddr) -> Admission {
        let source = source.to_canonical();
        self.lift_ended_bans(now);
        if self.is_trusted(source) {
            return Admission::Allow;
        }
        if let Some(&until) = self.bans.get(&source) {
            return Admission::Banned { until };
        }
        let rate = u128::from(self.policy.max_requests_per_second);
        if rate == 0 {
            return Admission::Allow;
        }
        let state = self.touch(now, source);
        let elapsed = now.saturating_sub(state.refilled_at).as_nanos();
        state.tokens = state
            .tokens
            .saturating_add(elapsed.saturating_mul(rate))
            .min(rate * NANO);
        state.refilled_at = now;
        if state.tokens < NANO {
            return Admission::RateLimited;
        }
        state.tokens -= NANO;
        Admission::Allow
    }

    /// Records a failed authentication; returns the ban it starts, if any.
    pub fn failed(&mut self, now: Duration, source: IpAddr, username: &str) -> Option<BanStarted> {
        let source = source.to_canonical();
        self.lift_ended_bans(now);
        if self.is_trusted(source) || self.bans.contains_key(&source) {
            return None;
        }
        let window = self.policy.window;
        let max_failures = self.policy.max_failures.max(1);
        let state = self.touch(now, source);
        // Failures older than the window no longer count.
        while state
            .failures
            .front()
            .is_some_and(|f| now.saturating_sub(f.at) >= window)
        {
            state.failures.pop_front();
        }
        state.failures.push_back(Failure {
            at: now,
            username: cut(username, USERNAME_LOG_LEN).to_owned(),
        });
        if state.failures.len() < max_failures as usize {
            return None;
        }
        let failures = std::mem::take(&mut state.failures);
        Some(self.ban(now, source, failures))
    }

    /// A successful authentication: the source's failures are forgiven.
    pub fn succeeded(&mut self, source: IpAddr) {
        if let Some(state) = self.sources.get_mut(&source.to_canonical()) {
            state.failures.clear();
        }
    }

    /// Sources whose failures and bucket are remembered now.
    pub fn tracked_sources(&self) -> usize {
        self.sources.len()
    }

    /// Bans held now (some may have ended and wait to be lifted on the
    /// next call that passes `now`).
    pub fn bans_held(&self) -> usize {
        self.bans.len()
    }

    fn is_trusted(&self, source: IpAddr) -> bool {
        self.policy.trusted.iter().any(|net| net.contains(source))
    }

    fn lift_ended_bans(&mut self, now: Duration) {
        while let Some(&(until, source)) = self.bans_by_end.first() {
            if until > now {
                break;
            }
            self.bans_by_end.pop_first();
            self.bans.remove(&source);
        }
    }

    fn ban(&mut self, now: Duration, source: IpAddr, failures: VecDeque<Failure>) -> BanStarted {
        self.forget(source);
        while self.bans.len() >= self.policy.max_sources.max(1) {
            let Some((_, ending)) = self.bans_by_end.pop_first() else {
                break;
            };
            self.bans.remove(&ending);
        }
        let until = now.saturating_add(self.policy.ban_for);
        self.bans.insert(source, until);
        self.bans_by_end.insert((until, source));
        let mut usernames: Vec<String> = Vec::new();
        for failure in &failures {
            if !usernames.contains(&failure.username) {
                usernames.push(failure.username.clone());
            }
        }
        BanStarted {
            source,
            until,
            failures: u32::try_from(failures.len()).unwrap_or(u32::MAX),
            usernames,
        }
    }

    /// The source's state, created with a full bucket if new (forgetting
    /// the stalest source when full), marked as seen now.
    fn touch(&mut self, now: Duration, source: IpAddr) -> &mut Source {
        if !self.sources.contains_key(&source) {
            while self.sources.len() >= self.policy.max_sources.max(1) {
                let Some((_, stalest)) = self.by_last_seen.pop_first() else {
                    break;
                };
                self.sources.remove(&stalest);
            }
        }
        let full = u128::from(self.policy.max_requests_per_second) * NANO;
        let state = self.sources.entry(source).or_insert_with(|| Source {
            last_seen: now,
            tokens: full,
            refilled_at: now,
            failures: VecDeque::new(),
        });
        self.by_last_seen.remove(&(state.last_seen, source));
        self.by_last_seen.insert((now, source));
        state.last_seen = now;
        state
    }

    fn forget(&mut self, source: IpAddr) {
        if let Some(state) = self.sources.remove(&source) {
            self.by_last_seen.remove(&(state.last_seen, source));
        }
    }
}

/// The longest prefix of `text` of at most `max` bytes ending on a char boundary.
fn cut(text: &str, max: usize) -> &str {
    let end = (0..=max.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text.get(..end).unwrap_or("")
}
