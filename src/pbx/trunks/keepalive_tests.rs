use std::time::{Duration, Instant};

use super::*;
use crate::pbx::trunks::tests::trunks;

const SECOND: Duration = Duration::from_secs(1);

/// A keep-alive machine over a config, with a virtual clock.
struct Bench {
    keepalive: KeepAlive,
    t0: Instant,
}

impl Bench {
    fn new(config: &str) -> Bench {
        let t0 = Instant::now();
        Bench {
            keepalive: KeepAlive::new(&trunks(config), t0),
            t0,
        }
    }

    fn at(&self, secs: u64) -> Instant {
        self.t0 + SECOND * secs as u32
    }

    /// Runs the timers up to `secs` and returns what came out.
    fn run_until(&mut self, secs: u64) -> Vec<Output> {
        let end = self.at(secs);
        while let Some(due) = self.keepalive.poll_timeout().filter(|&due| due <= end) {
            self.keepalive.handle_timeout(due);
        }
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.keepalive.poll_output()).collect()
    }

    /// The probes sent, in order.
    fn probes(outputs: &[Output]) -> Vec<(Probe, String)> {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::SendOptions { probe, peer, .. } => Some((*probe, peer.to_string())),
                _ => None,
            })
            .collect()
    }

    /// Sends what is due at `secs` and answers the one probe with `status`
    /// (`None`: it times out 32 s later, as Timer F would).
    fn ping(&mut self, secs: u64, status: Option<u16>) -> Vec<Output> {
        let sent = Self::probes(&self.run_until(secs));
        assert_eq!(sent.len(), 1, "one probe due at {secs} s: {sent:?}");
        let probe = sent[0].0;
        match status {
            Some(code) => self.keepalive.on_response(self.at(secs), probe, code),
            None => self.keepalive.on_timeout(self.at(secs + 32), probe),
        }
        self.drain()
    }
}

const CISCO: &str = "[[trunks]]\nname = \"cube\"\nvendor = \"cisco\"\npeers = [\"10.0.0.5\"]\n";

fn trunk_changes(outputs: &[Output]) -> Vec<bool> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::StateChanged { up, .. } => Some(*up),
            _ => None,
        })
        .collect()
}

#[test]
fn the_first_ping_goes_at_start_and_the_next_one_interval_later() {
    let mut bench = Bench::new(CISCO);
    assert_eq!(bench.keepalive.poll_timeout(), Some(bench.t0));
    let outputs = bench.ping(0, Some(200));
    assert_eq!(
        outputs,
        [
            Output::PeerStateChanged {
                trunk: "cube".into(),
                peer: "10.0.0.5".parse().unwrap(),
                up: true
            },
            Output::StateChanged {
                trunk: "cube".into(),
                up: true
            },
        ]
    );
    assert_eq!(
        bench.keepalive.poll_timeout(),
        Some(bench.at(60)),
        "Cisco's 60 s"
    );
    assert!(Bench::probes(&bench.run_until(59)).is_empty());
    assert!(bench.ping(60, Some(200)).is_empty(), "no change, no event");
    assert_eq!(bench.keepalive.trunk_health("cube"), Some(Health::Up));
}

#[test]
fn no_second_ping_while_one_is_outstanding() {
    let mut bench = Bench::new(CISCO);
    let sent = Bench::probes(&bench.run_until(0));
    assert_eq!(sent.len(), 1);
    assert_eq!(bench.keepalive.poll_timeout(), None);
    assert!(bench.run_until(600).is_empty());
    // The answer comes very late: the next ping is due at once.
    bench.keepalive.on_response(bench.at(600), sent[0].0, 200);
    assert_eq!(bench.keepalive.poll_timeout(), Some(bench.at(600)));
}

#[test]
fn one_lost_ping_does_not_take_a_trunk_down_but_two_do() {
    let mut bench = Bench::new(CISCO);
    bench.ping(0, Some(200));
    assert!(bench.ping(60, None).is_empty(), "one failure: still up");
    assert_eq!(bench.keepalive.trunk_health("cube"), Some(Health::Up));
    // Re-checked 30 s after the failure (at 60 + 32 s), not a minute later.
    assert_eq!(bench.keepalive.poll_timeout(), Some(bench.at(122)));
    let outputs = bench.ping(122, None);
    assert_eq!(trunk_changes(&outputs), [false]);
    assert_eq!(bench.keepalive.trunk_health("cube"), Some(Health::Down));
    // Still pinged while down, at the recheck pace.
    assert_eq!(bench.keepalive.poll_timeout(), Some(bench.at(184)));
    assert!(bench.ping(184, None).is_empty(), "already down");
    let outputs = bench.ping(246, Some(200));
    assert_eq!(trunk_changes(&outputs), [true], "one success brings it up");
}

#[test]
fn a_success_between_failures_starts_the_count_again() {
    let mut bench = Bench::new(CISCO);
    bench.ping(0, Some(200));
    bench.ping(60, None);
    bench.ping(122, Some(200));
    assert!(bench.ping(182, None).is_empty());
    assert_eq!(bench.keepalive.trunk_health("cube"), Some(Health::Up));
}

#[test]
fn any_final_answer_but_408_and_503_means_the_peer_is_alive() {
    for (status, alive) in [
        (200, true),
        (404, true),
        (405, true),
        (481, true),
        (501, true),
        (603, true),
        (408, false),
        (503, false),
    ] {
        let mut bench = Bench::new(CISCO);
        bench.ping(0, Some(status));
        let next = bench.keepalive.poll_timeout().expect("pinged again");
        bench.ping(next.duration_since(bench.t0).as_secs(), Some(status));
        let expected = if alive { Health::Up } else { Health::Down };
        assert_eq!(
            bench.keepalive.trunk_health("cube"),
            Some(expected),
            "{status}"
        );
    }
}

#[test]
fn provisional_and_stale_answers_change_nothing() {
    let mut bench = Bench::new(CISCO);
    let first = Bench::probes(&bench.run_until(0))[0].0;
    bench.keepalive.on_response(bench.at(0), first, 100);
    assert_eq!(bench.keepalive.poll_timeout(), None, "still waiting");
    bench.keepalive.on_timeout(bench.at(32), first);
    bench.keepalive.on_response(bench.at(33), first, 200);
    assert_eq!(
        bench.keepalive.trunk_health("cube"),
        Some(Health::Unknown),
        "a late 200 to a timed-out ping is not counted"
    );
}

#[test]
fn a_trunk_stays_up_while_any_peer_answers() {
    let mut bench = Bench::new(
        "[[trunks]]\nname = \"sm\"\nvendor = \"avaya\"\npeers = [\"10.0.0.1\", \"10.0.0.2\"]\n\
         options_interval_secs = 60\n",
    );
    // Answers both peers' pings sent up to `secs`, at `secs`.
    let answer = |bench: &mut Bench, secs: u64, first: Option<u16>, second: Option<u16>| {
        let sent = Bench::probes(&bench.run_until(secs));
        assert_eq!(sent.len(), 2, "both peers pinged by {secs}: {sent:?}");
        for (probe, peer) in sent {
            let status = if peer == "10.0.0.1" { first } else { second };
            match status {
                Some(code) => bench.keepalive.on_response(bench.at(secs), probe, code),
                None => bench.keepalive.on_timeout(bench.at(secs), probe),
            }
        }
        bench.drain()
    };
    assert_eq!(
        trunk_changes(&answer(&mut bench, 0, Some(200), None)),
        [true]
    );
    answer(&mut bench, 60, Some(200), None);
    assert_eq!(
        bench.keepalive.peer_health("sm"),
        [
            ("10.0.0.1".parse().unwrap(), Health::Up),
            ("10.0.0.2".parse().unwrap(), Health::Down)
        ]
    );
    assert_eq!(bench.keepalive.trunk_health("sm"), Some(Health::Up));
    assert!(trunk_changes(&answer(&mut bench, 120, None, None)).is_empty());
    assert_eq!(trunk_changes(&answer(&mut bench, 180, None, None)), [false]);
}

#[test]
fn trunks_without_an_interval_are_not_pinged() {
    let mut bench = Bench::new(
        "[[trunks]]\nname = \"quiet\"\nvendor = \"generic\"\npeers = [\"10.0.0.9\"]\n\
         options_interval_secs = 0\n",
    );
    assert_eq!(bench.keepalive.poll_timeout(), None);
    assert!(bench.run_until(3600).is_empty());
    assert_eq!(bench.keepalive.trunk_health("quiet"), None);
}
