//! The one place that reads the wall clock. Cores and storage take the time
//! as an argument, so tests can pass any instant.

use chrono::{DateTime, Utc};

/// Now, to the whole second (the precision every stored timestamp has).
#[allow(clippy::disallowed_methods)] // the one permitted read
pub fn now() -> DateTime<Utc> {
    crate::crm::whole_seconds(Utc::now())
}

/// The monotonic clock the SIP engine's timers run on.
pub fn instant() -> std::time::Instant {
    std::time::Instant::now()
}
