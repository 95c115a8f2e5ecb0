//! Outbound dialling (sans-IO): how many calls a campaign places, from what
//! it has seen of its calls and its agents, within the abandoned-call
//! rules. The runtime tells it the floor and the outcomes with their times;
//! it never reads a clock, so pacing is tested, and compared with a
//! VICIdial-like baseline, in virtual time ([`simulate`]).

pub mod abandon;
pub mod baseline;
pub mod observed;
pub mod pacing;
pub mod simulate;
