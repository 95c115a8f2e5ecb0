//! OPTIONS keep-alives (RFC 3261 §11) and the up/down state of each trunk,
//! sans-IO in virtual time.
//!
//! Every peer of a trunk whose profile has an `options_interval` is pinged
//! on its own: the first ping at start, the next one an interval after the
//! last was sent. One ping is outstanding per peer at a time, so a peer
//! slower than the interval is not flooded.
//!
//! What counts:
//! - Any final response means the peer is alive, 404, 405, 481 or 501
//!   included: a PBX that answers "no such user" or "OPTIONS not allowed"
//!   still handles SIP, and many answer OPTIONS to an unknown user so.
//!   Except 408 Request Timeout (what a proxy in front says of a silent
//!   peer) and 503 Service Unavailable (the peer says it takes no calls,
//!   so routing calls there would fail).
//! - A transaction timeout (Timer F) or transport error is a failure.
//! - A peer is down after [`DOWN_AFTER`] failures in a row and up again
//!   after one success, so one lost UDP datagram does not flap it. After a
//!   failure the next ping goes out within [`RECHECK`] rather than a whole
//!   interval, so that a dead peer is noticed (and a revived one welcomed)
//!   in under a minute even on Avaya's 900 s cycle.
//! - A trunk is up when any of its peers is up, down when none is and at
//!   least one is down, unknown until the first peer has a state.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{PeerAddr, Trunks};

/// Failures in a row that take a peer down.
pub const DOWN_AFTER: u32 = 2;
/// The longest wait for the next ping after a failure.
pub const RECHECK: Duration = Duration::from_secs(30);

/// What we know of a peer or a trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// No answer or failure counted yet.
    Unknown,
    Up,
    Down,
}

/// One OPTIONS ping, as the engine holds it while its transaction runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Probe {
    target: usize,
    seq: u64,
}

/// What the engine does or reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send an OPTIONS to `peer` (see [`super::request::options_request`])
    /// and report its outcome with `probe`.
    SendOptions {
        probe: Probe,
        trunk: String,
        peer: PeerAddr,
    },
    PeerStateChanged {
        trunk: String,
        peer: PeerAddr,
        up: bool,
    },
    /// The trunk as a whole went up or down (for `/metrics`, the API, logs).
    StateChanged { trunk: String, up: bool },
}

/// The keep-alives of every monitored trunk.
#[derive(Debug)]
pub struct KeepAlive {
    /// Monitored trunks, each with its aggregate health.
    trunks: Vec<Monitored>,
    /// One per (trunk, peer) pinged.
    targets: Vec<Target>,
    next_seq: u64,
    outputs: VecDeque<Output>,
}

#[derive(Debug)]
struct Monitored {
    name: String,
    health: Health,
}

#[derive(Debug)]
struct Target {
    /// Index in `KeepAlive::trunks`.
    trunk: usize,
    peer: PeerAddr,
    interval: Duration,
    health: Health,
    /// Failures since the last success.
    failures: u32,
    /// The outstanding ping: its sequence number and when it was sent.
    pending: Option<(u64, Instant)>,
    /// When the next ping is due; `None` while one is outstanding.
    due: Option<Instant>,
}

impl KeepAlive {
    /// Monitors every trunk with an OPTIONS interval; the first pings are
    /// due at `now`.
    pub fn new(trunks: &Trunks, now: Instant) -> KeepAlive {
        let mut monitored = Vec::new();
        let mut targets = Vec::new();
        for trunk in trunks.iter() {
            let Some(interval) = trunk.profile.options_interval else {
                continue;
            };
            let peers = trunk.keepalive_targets();
            if peers.is_empty() {
                continue;
            }
            targets.extend(peers.into_iter().map(|peer| Target {
                trunk: monitored.len(),
                peer,
                interval,
                health: Health::Unknown,
                failures: 0,
                pending: None,
                due: Some(now),
            }));
            monitored.push(Monitored {
                name: trunk.name.clone(),
                health: Health::Unknown,
            });
        }
        KeepAlive {
            trunks: monitored,
            targets,
            next_seq: 0,
            outputs: VecDeque::new(),
        }
    }

    /// When [`Self::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.targets.iter().filter_map(|t| t.due).min()
    }

    /// Sends every ping that is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        for index in 0..self.targets.len() {
            let target = &mut self.targets[index];
            if target.due.is_none_or(|due| due > now) {
                continue;
            }
            self.next_seq += 1;
            target.pending = Some((self.next_seq, now));
            target.due = None;
            let output = Output::SendOptions {
                probe: Probe {
                    target: index,
                    seq: self.next_seq,
                },
                trunk: self.trunks[target.trunk].name.clone(),
                peer: target.peer.clone(),
            };
            self.outputs.push_back(output);
        }
    }

    /// A response to `probe`'s OPTIONS. Provisional responses change
    /// nothing; see the module documentation for what counts as alive.
    pub fn on_response(&mut self, now: Instant, probe: Probe, status: u16) {
        match status {
            100..=199 => {}
            408 | 503 => self.outcome(now, probe, false),
            200..=699 => self.outcome(now, probe, true),
            _ => self.outcome(now, probe, false),
        }
    }

    /// `probe`'s OPTIONS had no final response (Timer F) or could not be
    /// sent.
    pub fn on_timeout(&mut self, now: Instant, probe: Probe) {
        self.outcome(now, probe, false);
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// A trunk's state; `None` when it is not monitored.
    pub fn trunk_health(&self, trunk: &str) -> Option<Health> {
        self.trunks
            .iter()
            .find(|t| t.name == trunk)
            .map(|t| t.health)
    }

    /// Each pinged peer of a trunk with its state, for the API.
    pub fn peer_health(&self, trunk: &str) -> Vec<(PeerAddr, Health)> {
        self.targets
            .iter()
            .filter(|t| self.trunks[t.trunk].name == trunk)
            .map(|t| (t.peer.clone(), t.health))
            .collect()
    }

    fn outcome(&mut self, now: Instant, probe: Probe, alive: bool) {
        let Some(target) = self.targets.get_mut(probe.target) else {
            return;
        };
        // A late outcome of an earlier ping, or one already reported.
        let Some((_, sent)) = target.pending.filter(|(seq, _)| *seq == probe.seq) else {
            return;
        };
        target.pending = None;
        let before = target.health;
        if alive {
            target.failures = 0;
            target.health = Health::Up;
            target.due = Some((sent + target.interval).max(now));
        } else {
            target.failures = target.failures.saturating_add(1);
            if target.failures >= DOWN_AFTER {
                target.health = Health::Down;
            }
            target.due = Some(now + target.interval.min(RECHECK));
        }
        if target.health != before && target.health != Health::Unknown {
            let (trunk, peer, up) = (target.trunk, target.peer.clone(), alive);
            self.outputs.push_back(Output::PeerStateChanged {
                trunk: self.trunks[trunk].name.clone(),
                peer,
                up,
            });
            self.update_trunk(trunk);
        }
    }

    fn update_trunk(&mut self, trunk: usize) {
        let peers = || self.targets.iter().filter(|t| t.trunk == trunk);
        let health = if peers().any(|t| t.health == Health::Up) {
            Health::Up
        } else if peers().any(|t| t.health == Health::Down) {
            Health::Down
        } else {
            Health::Unknown
        };
        let monitored = &mut self.trunks[trunk];
        if health != monitored.health && health != Health::Unknown {
            monitored.health = health;
            self.outputs.push_back(Output::StateChanged {
                trunk: monitored.name.clone(),
                up: health == Health::Up,
            });
        }
    }
}

#[cfg(test)]
#[path = "keepalive_tests.rs"]
mod tests;
