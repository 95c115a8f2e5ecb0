//! The named timers of RFC 3261 §17 and RFC 6026, their durations, and the
//! schedule that finds the earliest deadline among thousands of
//! transactions.
//!
//! Each transaction keeps a small table: one deadline per named timer, as
//! quinn-proto does. The layer keeps one binary heap of `(deadline,
//! transaction, timer)` for the whole set. Stopping or re-arming a timer
//! never searches the heap: the old entry stays and is recognised as stale
//! when it surfaces, because the table no longer holds its deadline (lazy
//! invalidation). Every entry is popped at most once, at its deadline, so
//! the heap holds at most the timers armed within the longest timer (64*T1)
//! and `poll_timeout` is a peek.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use super::TxId;

/// The timers of RFC 3261 §17 (table 4) and RFC 6026, plus the delay
/// before an INVITE server transaction answers `100 Trying` on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// INVITE client: retransmit the INVITE (unreliable transports).
    A,
    /// INVITE client: give up waiting for any response (64*T1).
    B,
    /// INVITE client: linger in Completed to re-ACK retransmitted finals.
    D,
    /// Non-INVITE client: retransmit the request (unreliable transports).
    E,
    /// Non-INVITE client: give up waiting for a final response (64*T1).
    F,
    /// INVITE server: retransmit a non-2xx final until the ACK comes; also
    /// paces the 2xx retransmissions of RFC 3261 §13.3.1.4 in Accepted.
    G,
    /// INVITE server: give up waiting for the ACK (64*T1).
    H,
    /// INVITE server: linger in Confirmed to absorb ACK retransmissions.
    I,
    /// Non-INVITE server: linger in Completed to answer retransmissions.
    J,
    /// Non-INVITE client: linger in Completed to absorb retransmissions.
    K,
    /// INVITE server (RFC 6026): linger in Accepted for INVITE
    /// retransmissions and the ACK of the 2xx.
    L,
    /// INVITE client (RFC 6026): linger in Accepted for more 2xx.
    M,
    /// INVITE server: send `100 Trying` if the TU has not answered (§17.2.1).
    Trying,
}

impl Timer {
    const COUNT: usize = 13;
}

/// The base durations of RFC 3261 §17.1.1.1 and the 100 Trying delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip estimate: first retransmission interval (500 ms).
    pub t1: Duration,
    /// Cap on the retransmission interval of non-INVITE requests and INVITE
    /// responses (4 s).
    pub t2: Duration,
    /// Longest time a message stays in the network (5 s).
    pub t4: Duration,
    /// How long an INVITE server transaction waits for the TU's first
    /// response before sending `100 Trying` itself: §17.2.1 allows 200 ms.
    pub trying_delay: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            trying_delay: Duration::from_millis(200),
        }
    }
}

impl TimerConfig {
    /// Timers B, F, H, L and M: 64*T1.
    pub fn give_up(&self) -> Duration {
        self.t1 * 64
    }

    /// Timer D: at least 32 s on unreliable transports, zero on reliable.
    pub fn d(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            Duration::from_secs(32).max(self.give_up())
        }
    }

    /// Timer J (non-INVITE server): 64*T1, zero on reliable transports.
    pub fn j(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.give_up()
        }
    }

    /// Timers I and K: T4, zero on reliable transports.
    pub fn linger(&self, reliable: bool) -> Duration {
        if reliable { Duration::ZERO } else { self.t4 }
    }

    /// The next retransmission interval after `interval`: doubled, and
    /// capped at T2 except for INVITE requests (Timer A is never capped).
    pub fn backoff(&self, interval: Duration, capped: bool) -> Duration {
        let doubled = interval * 2;
        if capped {
            doubled.min(self.t2)
        } else {
            doubled
        }
    }
}

/// One transaction's deadlines, one slot per named timer.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TimerTable {
    deadlines: [Option<Instant>; Timer::COUNT],
}

impl TimerTable {
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.deadlines[timer as usize]
    }

    pub fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    /// Clears the slot when `deadline` is the one armed there: the timer
    /// fired and is no longer pending.
    pub fn take_due(&mut self, timer: Timer, deadline: Instant) -> bool {
        let due = self.get(timer) == Some(deadline);
        if due {
            self.stop(timer);
        }
        due
    }

    fn set(&mut self, timer: Timer, deadline: Instant) {
        self.deadlines[timer as usize] = Some(deadline);
    }
}

/// The heap of all armed deadlines; see the module doc for invalidation.
#[derive(Debug, Default)]
pub(super) struct Schedule {
    heap: BinaryHeap<Reverse<(Instant, TxId, Timer)>>,
}

impl Schedule {
    /// A schedule with room for `entries` before its heap first grows.
    pub fn with_capacity(entries: usize) -> Self {
        Schedule {
            heap: BinaryHeap::with_capacity(entries),
        }
    }

    /// Arms `timer` of transaction `id` in its `table` and in the heap.
    pub fn arm(&mut self, table: &mut TimerTable, id: TxId, timer: Timer, deadline: Instant) {
        table.set(timer, deadline);
        self.heap.push(Reverse((deadline, id, timer)));
    }

    pub fn earliest(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((deadline, _, _))| *deadline)
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, TxId, Timer)> {
        match self.heap.peek() {
            Some(Reverse((deadline, _, _))) if *deadline <= now => {
                self.heap.pop().map(|Reverse(entry)| entry)
            }
            _ => None,
        }
    }

    /// Drops stale entries from the top so that [`Schedule::earliest`]
    /// names a live deadline; `live` says whether an entry is still armed.
    pub fn prune(&mut self, live: impl Fn(Instant, TxId, Timer) -> bool) {
        while let Some(Reverse((deadline, id, timer))) = self.heap.peek() {
            if live(*deadline, *id, *timer) {
                return;
            }
            self.heap.pop();
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.heap.len()
    }
}
