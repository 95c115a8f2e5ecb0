//! The transaction layer under simulated loss, delay, duplication and
//! reordering, in virtual time: a UAC layer and a UAS layer joined by a
//! scripted network (`sim.rs`), stepped from deadline to deadline. Times
//! in assertions are milliseconds of virtual time since the start.

mod cancel;
mod invite;
mod matching;
mod non_invite;
mod sim;
