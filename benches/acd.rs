//! ACD decision time: how long the core takes to place a call with many
//! agents in many queues.
//!
//!   cargo bench --bench acd -- [AGENTS] [QUEUES] [CALLS]
//!
//! AGENTS (default 1,000) log in, each to 3 of QUEUES (default 100) with a
//! skill level; CALLS (default 100,000) arrive in turn, each to a random
//! queue, and are answered and ended at once, so every arrival is one
//! decision among the free agents of its queue. Prints the time per
//! decision (arrive, offer, answer, end and wrap-up as the engine drives
//! them) with percentiles, for each strategy.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use switchboard::acd::{Acd, CallRef, Output, QueueConfig, Strategy};
use switchboard::ids::UserId;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let agents = args.first().copied().unwrap_or(1000);
    let queues = args.get(1).copied().unwrap_or(100);
    let calls = args.get(2).copied().unwrap_or(100_000);
    for strategy in [
        Strategy::LongestIdle,
        Strategy::RoundRobin,
        Strategy::FewestCalls,
        Strategy::SkillsBased,
        Strategy::RingAll,
    ] {
        run(strategy, agents, queues, calls);
    }
}

/// A small deterministic generator: the same run every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

fn run(strategy: Strategy, agents: usize, queues: usize, calls: usize) {
    let t0 = Instant::now();
    let mut acd = Acd::new();
    let mut rng = Lcg(7);
    for q in 0..queues {
        let mut config = QueueConfig::new(&format!("q{q}"));
        config.strategy = strategy;
        config.wrap_up = Duration::ZERO;
        if strategy == Strategy::SkillsBased {
            config.needs.insert("product".into(), 30);
        }
        acd.set_queue(t0, config);
    }
    for a in 0..agents {
        let mut member = BTreeSet::new();
        while member.len() < 3.min(queues) {
            member.insert(format!("q{}", rng.next(queues)));
        }
        let skills = BTreeMap::from([("product".to_string(), 30 + rng.next(70) as u8)]);
        acd.login(t0, UserId(a as i64 + 1), member, skills);
    }
    while acd.poll_output().is_some() {}
    let mut times = Vec::with_capacity(calls);
    let mut now = t0;
    for c in 0..calls {
        now += Duration::from_millis(10);
        let call = CallRef(c as u64);
        let queue = format!("q{}", rng.next(queues));
        let started = Instant::now();
        acd.arrive(now, call, &queue, 0).expect("a known queue");
        let mut offered = None;
        while let Some(output) = acd.poll_output() {
            if let Output::Offer { agents, .. } = output {
                offered = agents.first().copied();
            }
        }
        if let Some(agent) = offered {
            acd.answered(now, call, agent);
            acd.ended(now, call);
        } else {
            acd.abandoned(now, call);
        }
        while acd.poll_output().is_some() {}
        times.push(started.elapsed());
    }
    times.sort_unstable();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{strategy:?}: {agents} agents, {queues} queues, {calls} calls: per decision mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        mean.as_secs_f64() * 1e6,
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        times.last().unwrap().as_secs_f64() * 1e6,
    );
}
