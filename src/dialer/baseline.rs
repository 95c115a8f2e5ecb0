//! The pacing the simulator compares ours with: an adaptive dial level in
//! the manner of VICIdial's adaptive modes, as their documentation
//! describes them. Every 15 s the dial level (lines per working agent) moves
//! by the average of free agents minus waiting calls over those 15 s, per
//! agent, scaled by an intensity; when the day's drop rate passes the
//! target it is reset to 1.0 (hard limit) or halved (tapered). Lines in
//! progress (ringing, waiting or talking) are kept at the dial level times
//! the working agents. It knows nothing of ring or talk times: it reacts to
//! what it counted over the last period.

use std::time::{Duration, Instant};

use super::pacing::Floor;

/// How often the dial level is recomputed.
pub const PERIOD: Duration = Duration::from_secs(15);

/// What happens to the dial level when the day's drop rate passes the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDrop {
    /// Back to one line per agent (VICIdial's ADAPT_HARD_LIMIT).
    Reset,
    /// Half, at least one (a tapered variant).
    Halve,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveConfig {
    pub intensity: f64,
    pub max_level: f64,
    pub on_drop: OnDrop,
    /// The day's drop rate it keeps under (0.03).
    pub target: f64,
}

impl AdaptiveConfig {
    pub fn new(on_drop: OnDrop, target: f64, max_level: f64) -> Self {
        AdaptiveConfig {
            intensity: 1.0,
            max_level,
            on_drop,
            target,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Adaptive {
    config: AdaptiveConfig,
    level: f64,
    free_sum: f64,
    waiting_sum: f64,
    samples: u32,
    next: Option<Instant>,
}

impl Adaptive {
    pub fn new(config: AdaptiveConfig) -> Self {
        Adaptive {
            config,
            level: 1.0,
            free_sum: 0.0,
            waiting_sum: 0.0,
            samples: 0,
            next: None,
        }
    }

    pub fn level(&self) -> f64 {
        self.level
    }

    /// Called once a second: counts the floor, moves the level when a
    /// period is over, and answers how many calls to place.
    pub fn tick(&mut self, now: Instant, floor: &Floor, drop_rate_today: f64) -> u32 {
        self.free_sum += floor.free as f64;
        self.waiting_sum += floor.waiting as f64;
        self.samples += 1;
        let next = *self.next.get_or_insert(now + PERIOD);
        if now >= next {
            self.adapt(floor.agents, drop_rate_today);
            self.next = Some(now + PERIOD);
        }
        let target = (self.level * floor.agents as f64).ceil() as usize;
        target.saturating_sub(floor.lines()) as u32
    }

    fn adapt(&mut self, agents: u32, drop_rate_today: f64) {
        let samples = self.samples.max(1) as f64;
        let (free, waiting) = (self.free_sum / samples, self.waiting_sum / samples);
        (self.free_sum, self.waiting_sum, self.samples) = (0.0, 0.0, 0);
        if drop_rate_today >= self.config.target {
            self.level = match self.config.on_drop {
                OnDrop::Reset => 1.0,
                OnDrop::Halve => (self.level / 2.0).max(1.0),
            };
            return;
        }
        if agents == 0 {
            return;
        }
        let change = self.config.intensity * (free - waiting) / agents as f64;
        self.level = (self.level + change).clamp(1.0, self.config.max_level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor(free: u32, busy: usize, waiting: u32) -> Floor {
        Floor {
            agents: free + busy as u32,
            free,
            busy: vec![Duration::ZERO; busy],
            ringing: vec![],
            waiting,
        }
    }

    #[test]
    fn idle_agents_raise_the_level_and_drops_reset_it() {
        let config = AdaptiveConfig::new(OnDrop::Reset, 0.03, 3.0);
        let mut adaptive = Adaptive::new(config);
        let start = Instant::now();
        // Ten agents, five idle all period: the level rises by a half.
        for s in 0..=15 {
            adaptive.tick(start + Duration::from_secs(s), &floor(5, 5, 0), 0.0);
        }
        assert!(
            (adaptive.level() - 1.5).abs() < 1e-9,
            "{}",
            adaptive.level()
        );
        // Fifteen lines for ten agents, five busy: ten more calls.
        assert_eq!(
            adaptive.tick(start + Duration::from_secs(16), &floor(5, 5, 0), 0.0),
            10
        );
        for s in 17..=30 {
            adaptive.tick(start + Duration::from_secs(s), &floor(5, 5, 0), 0.05);
        }
        assert_eq!(adaptive.level(), 1.0);
    }
}
