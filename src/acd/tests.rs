//! The ACD in virtual time: who gets which call, and what happens when
//! phones ring out, callers leave and agents come and go.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::*;

struct Floor {
    acd: Acd,
    t0: Instant,
    now: Instant,
    outputs: Vec<Output>,
}

const ANN: UserId = UserId(1);
const BEN: UserId = UserId(2);
const CID: UserId = UserId(3);

impl Floor {
    fn new(queue: QueueConfig) -> Self {
        let t0 = Instant::now();
        let mut acd = Acd::new();
        acd.set_queue(t0, queue);
        Floor {
            acd,
            t0,
            now: t0,
            outputs: Vec::new(),
        }
    }

    fn drain(&mut self) -> Vec<Output> {
        let mut new = Vec::new();
        while let Some(output) = self.acd.poll_output() {
            new.push(output);
        }
        self.outputs.extend(new.iter().cloned());
        new
    }

    /// Moves virtual time on to `seconds` after the start, firing what is due.
    fn at(&mut self, seconds: u64) -> Vec<Output> {
        self.now = self.t0 + Duration::from_secs(seconds);
        self.acd.handle_timeout(self.now);
        self.drain()
    }

    fn login(&mut self, agent: UserId, queues: &[&str], skills: &[(&str, u8)]) -> Vec<Output> {
        let queues: BTreeSet<String> = queues.iter().map(|q| q.to_string()).collect();
        let skills: BTreeMap<String, u8> =
            skills.iter().map(|(s, l)| (s.to_string(), *l)).collect();
        self.acd.login(self.now, agent, queues, skills);
        self.drain()
    }

    fn arrive(&mut self, call: u64, priority: u8) -> Vec<Output> {
        self.acd
            .arrive(self.now, CallRef(call), "sales", priority)
            .unwrap();
        self.drain()
    }

    fn answered(&mut self, call: u64, agent: UserId) -> Vec<Output> {
        self.acd.answered(self.now, CallRef(call), agent);
        self.drain()
    }

    fn state(&self, agent: UserId) -> AgentState {
        self.acd.agent(agent).unwrap().0.clone()
    }

    fn view(&self) -> QueueView {
        self.acd.queue_view(self.now, "sales").unwrap()
    }
}

fn offered(outputs: &[Output]) -> Vec<(u64, Vec<UserId>)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Offer { call, agents, .. } => Some((call.0, agents.clone())),
            _ => None,
        })
        .collect()
}

fn queue(strategy: Strategy) -> QueueConfig {
    QueueConfig {
        strategy,
        ..QueueConfig::new("sales")
    }
}

#[test]
fn the_longest_idle_agent_gets_the_call_then_talks_wraps_up_and_is_free_again() {
    let mut floor = Floor::new(queue(Strategy::LongestIdle));
    floor.login(ANN, &["sales"], &[]);
    floor.at(10);
    floor.login(BEN, &["sales"], &[]);
    floor.at(20);
    assert_eq!(
        offered(&floor.arrive(1, 0)),
        [(1, vec![ANN])],
        "Ann waited longer"
    );
    assert_eq!(floor.state(ANN), AgentState::Ringing(CallRef(1)));
    floor.at(24);
    floor.answered(1, ANN);
    assert_eq!(floor.state(ANN), AgentState::OnCall(CallRef(1)));
    assert_eq!(
        offered(&floor.arrive(2, 0)),
        [(2, vec![BEN])],
        "Ann is busy"
    );
    floor.answered(2, BEN);
    floor.at(100);
    floor.acd.ended(floor.now, CallRef(1));
    floor.drain();
    let until = floor.t0 + Duration::from_secs(130);
    assert_eq!(
        floor.state(ANN),
        AgentState::WrapUp { until },
        "30 s wrap-up"
    );
    assert_eq!(offered(&floor.arrive(3, 0)), [], "nobody free: it waits");
    assert_eq!(floor.view().waiting, 1);
    // The wrap-up ends and the waiting call goes to Ann at once.
    let outputs = floor.at(130);
    assert_eq!(offered(&outputs), [(3, vec![ANN])]);
}

#[test]
fn a_call_that_rings_out_goes_to_the_next_agent_and_two_misses_pause_the_agent() {
    let mut floor = Floor::new(queue(Strategy::LongestIdle));
    floor.login(ANN, &["sales"], &[]);
    floor.at(1);
    floor.login(BEN, &["sales"], &[]);
    floor.arrive(1, 0);
    assert_eq!(floor.state(ANN), AgentState::Ringing(CallRef(1)));
    let outputs = floor.at(16);
    assert!(outputs.contains(&Output::Withdraw {
        call: CallRef(1),
        agents: vec![ANN]
    }));
    assert_eq!(offered(&outputs), [(1, vec![BEN])], "on to Ben after 15 s");
    assert_eq!(floor.state(ANN), AgentState::Available, "one miss");
    // Ben refuses; Ann, passed over but the only one free, gets it again.
    floor.acd.missed(floor.now, CallRef(1), BEN);
    assert_eq!(offered(&floor.drain()), [(1, vec![ANN])]);
    let outputs = floor.at(31);
    assert_eq!(
        floor.state(ANN),
        AgentState::Paused(MISSED_CALLS.into()),
        "a second miss in a row pauses"
    );
    assert_eq!(
        offered(&outputs),
        [(1, vec![BEN])],
        "the caller keeps its turn"
    );
    floor.answered(1, BEN);
    floor.acd.ready(floor.now, ANN);
    floor.drain();
    assert_eq!(floor.state(ANN), AgentState::Available);
    assert_eq!(
        offered(&floor.arrive(2, 0)),
        [(2, vec![ANN])],
        "misses forgiven"
    );
}

#[test]
fn higher_priority_callers_go_first_and_equals_in_the_order_they_came() {
    let mut floor = Floor::new(queue(Strategy::LongestIdle));
    floor.arrive(1, 0);
    floor.at(5);
    floor.arrive(2, 0);
    floor.arrive(3, 9);
    floor.at(6);
    let order: Vec<u64> = [ANN, BEN, CID]
        .into_iter()
        .flat_map(|agent| offered(&floor.login(agent, &["sales"], &[])))
        .map(|(call, _)| call)
        .collect();
    assert_eq!(order, [3, 1, 2], "the VIP, then the first to come");
}

#[test]
fn round_robin_takes_agents_in_turn() {
    let mut floor = Floor::new(queue(Strategy::RoundRobin));
    for agent in [ANN, BEN, CID] {
        floor.login(agent, &["sales"], &[]);
    }
    let mut who = Vec::new();
    for call in 1..=4 {
        let offer = offered(&floor.arrive(call, 0));
        who.push(offer[0].1[0]);
        floor.answered(call, offer[0].1[0]);
        floor.acd.ended(floor.now, CallRef(call));
        floor.acd.ready(floor.now, offer[0].1[0]);
        floor.drain();
    }
    assert_eq!(who, [ANN, BEN, CID, ANN]);
}

#[test]
fn ring_all_rings_every_free_agent_and_the_first_answer_takes_it() {
    let mut floor = Floor::new(queue(Strategy::RingAll));
    floor.login(ANN, &["sales"], &[]);
    floor.login(BEN, &["sales"], &[]);
    floor.login(CID, &["support"], &[]);
    assert_eq!(offered(&floor.arrive(1, 0)), [(1, vec![ANN, BEN])]);
    let outputs = floor.answered(1, BEN);
    assert!(outputs.contains(&Output::Withdraw {
        call: CallRef(1),
        agents: vec![ANN]
    }));
    assert_eq!(floor.state(ANN), AgentState::Available);
    assert_eq!(floor.state(CID), AgentState::Available, "not in the queue");
}

#[test]
fn fewest_calls_evens_out_the_work() {
    let mut floor = Floor::new(queue(Strategy::FewestCalls));
    floor.login(ANN, &["sales"], &[]);
    floor.login(BEN, &["sales"], &[]);
    for call in 1..=2 {
        floor.arrive(call, 0);
        floor.answered(call, ANN.min(BEN));
        floor.acd.ended(floor.now, CallRef(call));
        floor.acd.ready(floor.now, ANN);
        floor.drain();
    }
    floor.at(100);
    assert_eq!(offered(&floor.arrive(3, 0)), [(3, vec![BEN])]);
}

#[test]
fn skills_pick_the_best_and_a_long_wait_relaxes_what_the_call_needs() {
    let mut config = queue(Strategy::SkillsBased);
    config.needs.insert("german".into(), 80);
    config.relax = Some((Duration::from_secs(20), 20));
    let mut floor = Floor::new(config);
    floor.login(ANN, &["sales"], &[("german", 50)]);
    floor.login(BEN, &["sales"], &[("german", 90)]);
    floor.login(CID, &["sales"], &[("german", 100)]);
    assert_eq!(
        offered(&floor.arrive(1, 0)),
        [(1, vec![CID])],
        "the most able"
    );
    floor.answered(1, CID);
    floor.answered(2, BEN);
    assert_eq!(offered(&floor.arrive(2, 0)), [(2, vec![BEN])]);
    floor.answered(2, BEN);
    assert_eq!(offered(&floor.arrive(3, 0)), [], "Ann's 50 is not 80");
    assert_eq!(offered(&floor.at(20)), [], "60 after 20 s");
    assert_eq!(offered(&floor.at(40)), [(3, vec![ANN])], "40 after 40 s");
}

#[test]
fn a_full_queue_or_a_long_wait_sends_callers_to_the_overflow() {
    let mut config = queue(Strategy::LongestIdle);
    config.max_waiting = Some(1);
    config.max_wait = Some(Duration::from_secs(60));
    config.overflow = Overflow::Queue("backup".into());
    let mut floor = Floor::new(config);
    floor.arrive(1, 0);
    let full = floor.arrive(2, 0);
    assert_eq!(
        full,
        [Output::Overflow {
            call: CallRef(2),
            queue: "sales".into(),
            to: Overflow::Queue("backup".into())
        }]
    );
    assert!(floor.at(59).is_empty());
    assert_eq!(
        floor.at(60),
        [Output::Overflow {
            call: CallRef(1),
            queue: "sales".into(),
            to: Overflow::Queue("backup".into())
        }]
    );
    let view = floor.view();
    assert_eq!((view.waiting, view.overflowed), (0, 2));
    assert_eq!(
        floor.acd.arrive(floor.now, CallRef(9), "nowhere", 0),
        Err(Refused::UnknownQueue("nowhere".into()))
    );
}

#[test]
fn the_live_view_counts_service_level_speed_of_answer_and_abandons() {
    let mut floor = Floor::new(queue(Strategy::LongestIdle));
    floor.login(ANN, &["sales"], &[]);
    floor.login(BEN, &["sales"], &[]);
    floor.acd.pause(floor.now, BEN, "lunch");
    floor.drain();
    floor.arrive(1, 0);
    floor.at(10);
    floor.answered(1, ANN); // in 10 s: within 20
    floor.arrive(2, 0);
    floor.arrive(3, 0);
    floor.at(25);
    floor.acd.abandoned(floor.now, CallRef(2));
    floor.drain();
    let view = floor.view();
    assert_eq!(view.waiting, 1);
    assert_eq!(view.longest_wait_s, 15);
    assert_eq!(view.agents.get("on_call"), Some(&1));
    assert_eq!(view.agents.get("paused"), Some(&1));
    floor.acd.ended(floor.now, CallRef(1));
    floor.acd.ready(floor.now, ANN);
    floor.drain();
    floor.at(50);
    floor.answered(3, ANN); // after 40 s: late
    let view = floor.view();
    assert_eq!((view.answered, view.abandoned), (2, 1));
    assert_eq!(view.service_level_pct.map(f64::round), Some(33.0));
    assert_eq!(view.abandon_rate_pct.map(f64::round), Some(33.0));
    let asa = view.average_answer_s.unwrap();
    assert!((asa - 25.0).abs() < 0.01, "(10 + 40) / 2: {asa}");
}

#[test]
fn pausing_or_logging_out_on_a_call_happens_when_it_ends_and_a_ringing_call_moves_on() {
    let mut floor = Floor::new(queue(Strategy::LongestIdle));
    floor.login(ANN, &["sales"], &[]);
    floor.at(1);
    floor.login(BEN, &["sales"], &[]);
    floor.arrive(1, 0);
    floor.answered(1, ANN);
    floor.acd.pause(floor.now, ANN, "coaching");
    floor.drain();
    assert_eq!(floor.state(ANN), AgentState::OnCall(CallRef(1)));
    floor.acd.ended(floor.now, CallRef(1));
    floor.drain();
    assert_eq!(floor.state(ANN), AgentState::Paused("coaching".into()));
    // Ben logs out while a call rings him: it waits for someone else.
    floor.arrive(2, 0);
    assert_eq!(floor.state(BEN), AgentState::Ringing(CallRef(2)));
    floor.acd.logout(floor.now, BEN);
    let outputs = floor.drain();
    assert!(outputs.contains(&Output::Withdraw {
        call: CallRef(2),
        agents: vec![BEN]
    }));
    assert_eq!(floor.state(BEN), AgentState::Offline);
    assert_eq!(floor.view().waiting, 1);
    floor.acd.ready(floor.now, ANN);
    assert_eq!(offered(&floor.drain()), [(2, vec![ANN])]);
    // Ann lets it ring out; the only one free, she is offered it again,
    // and a second miss pauses her.
    assert_eq!(offered(&floor.at(16)), [(2, vec![ANN])]);
    floor.at(31);
    assert_eq!(floor.state(ANN), AgentState::Paused(MISSED_CALLS.into()));
}

fn announced(outputs: &[Output]) -> Vec<(u64, usize, Option<u64>)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Announce {
                call,
                position,
                expected_wait,
            } => Some((call.0, *position, expected_wait.map(|w| w.as_secs()))),
            _ => None,
        })
        .collect()
}

#[test]
fn waiting_callers_are_told_their_place_and_the_wait_the_queue_has_shown() {
    let mut floor = Floor::new(QueueConfig {
        announce_every: Some(Duration::from_secs(30)),
        wrap_up: Duration::from_secs(20),
        ring_timeout: Duration::from_secs(60),
        ..queue(Strategy::LongestIdle)
    });
    floor.login(ANN, &["sales"], &[]);
    floor.login(BEN, &["sales"], &[]);
    // Two calls of 100 s talk and 20 s wrap-up: 120 s a call, two agents.
    floor.arrive(1, 0);
    floor.answered(1, ANN);
    floor.arrive(2, 0);
    floor.answered(2, BEN);
    // Three callers wait behind them; the third is a VIP (served first).
    floor.at(10);
    floor.arrive(3, 0);
    floor.arrive(4, 0);
    floor.at(20);
    floor.arrive(5, 9);
    let first = floor.at(40);
    assert_eq!(
        announced(&first),
        [(3, 2, None), (4, 3, None)],
        "30 s after joining: behind the VIP, and no call is over yet"
    );
    floor.at(95);
    floor.acd.ended(floor.now, CallRef(1));
    floor.acd.ended(floor.now, CallRef(2));
    floor.drain();
    // 95 s talk + 20 s wrap-up a call; two agents (wrapping up, not paused).
    let later = floor.at(100);
    assert_eq!(
        announced(&later),
        [(3, 2, Some(115)), (4, 3, Some(172))],
        "position × 115 s / 2 agents"
    );
    // At 115 the agents are free: the VIP and caller 3 ring, and are not
    // interrupted; caller 4 is still told.
    let freed = floor.at(115);
    assert_eq!(
        offered(&freed),
        [(5, vec![ANN]), (3, vec![BEN])],
        "{freed:?}"
    );
    let ringing = floor.at(130);
    assert_eq!(announced(&ringing), [(4, 3, Some(172))]);
}

#[test]
fn a_caller_who_waited_too_long_is_called_back_in_their_turn() {
    let mut floor = Floor::new(QueueConfig {
        max_wait: Some(Duration::from_secs(30)),
        overflow: Overflow::Callback,
        ..queue(Strategy::LongestIdle)
    });
    floor.login(ANN, &["sales"], &[]);
    floor.acd.pause(floor.now, ANN, "lunch");
    floor.arrive(1, 0);
    let out = floor.at(30);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Output::Overflow {
                call: CallRef(1),
                to: Overflow::Callback,
                ..
            }
        )),
        "{out:?}"
    );
    // The caller hangs up, as told; their place stays.
    floor.acd.abandoned(floor.now, CallRef(1));
    floor.at(40);
    floor.arrive(2, 0);
    assert_eq!(floor.view().waiting, 2);
    assert_eq!(
        floor.view().abandoned,
        0,
        "a callback request is no abandon"
    );
    floor.acd.ready(floor.now, ANN);
    let offers: Vec<_> = floor
        .drain()
        .into_iter()
        .filter_map(|o| match o {
            Output::Offer { call, callback, .. } => Some((call.0, callback)),
            _ => None,
        })
        .collect();
    assert_eq!(offers, [(1, true)], "the callback first: it came first");
    // Ann's call out is the callback made; then caller 2's turn.
    floor.answered(1, ANN);
    assert_eq!(floor.state(ANN), AgentState::OnCall(CallRef(1)));
    floor.at(100);
    floor.acd.ended(floor.now, CallRef(1));
    let next = floor.at(130);
    assert_eq!(offered(&next), [(2, vec![ANN])]);
}

#[test]
fn a_full_queue_that_calls_back_takes_the_request_at_the_back() {
    let mut floor = Floor::new(QueueConfig {
        max_waiting: Some(1),
        overflow: Overflow::Callback,
        ..queue(Strategy::RingAll)
    });
    floor.login(ANN, &["sales"], &[]);
    floor.login(BEN, &["sales"], &[]);
    floor.acd.pause(floor.now, ANN, "lunch");
    floor.acd.pause(floor.now, BEN, "lunch");
    floor.arrive(1, 0);
    let out = floor.arrive(2, 0);
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Overflow {
            call: CallRef(2),
            ..
        }
    )));
    floor.acd.abandoned(floor.now, CallRef(2));
    assert_eq!(floor.view().waiting, 2);
    floor.answered(1, ANN);
    floor.acd.ready(floor.now, ANN);
    floor.acd.ready(floor.now, BEN);
    let offers: Vec<_> = floor
        .drain()
        .into_iter()
        .filter_map(|o| match o {
            Output::Offer {
                call,
                agents,
                callback,
                ..
            } => Some((call.0, agents.len(), callback)),
            _ => None,
        })
        .collect();
    assert_eq!(offers.first(), Some(&(1, 1, false)));
    assert!(
        offers.contains(&(2, 1, true)),
        "a callback is one agent's, even ring-all: {offers:?}"
    );
}
