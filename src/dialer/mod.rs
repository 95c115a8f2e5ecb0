//! Outbound dialling (sans-IO): which number a campaign calls next
//! ([`leads`]: calling windows in the client's time, do-not-call, retries,
//! callbacks) and how many calls it places ([`pacing`]), from what it has
//! seen of its calls and its agents, within the abandoned-call rules. The runtime tells it the floor and the outcomes with their times;
//! it never reads a clock, so pacing is tested, and compared with a
//! VICIdial-like baseline, in virtual time ([`simulate`]).

pub mod abandon;
pub mod baseline;
pub mod campaign;
pub mod leads;
pub mod observed;
pub mod pacing;
pub mod simulate;
