//! The drivers around the pure cores. For now: the clock.

pub mod clock;
