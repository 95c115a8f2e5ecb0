//! What the API may read of the running SIP server: each extension's
//! registered phones and each trunk's health. The engine owns the real
//! state; it publishes a copy here whenever it changes, so readers never
//! reach into the engine task.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

use super::keepalive::TrunkHealth;
use crate::sip::registrar::Binding;

/// One registered phone, as the live view shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisteredPhone {
    pub contact: String,
    /// `udp`, `tcp`, `tls`, `ws` or `wss`.
    pub transport: String,
    /// Where its REGISTER came from.
    pub source: String,
    pub user_agent: Option<String>,
    /// Seconds until the registration lapses, when it was published.
    pub expires_in: u64,
}

/// A configured trunk and what its OPTIONS pings found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrunkState {
    pub name: String,
    pub vendor: String,
    /// `up`, `down`, or `unknown` (not pinged yet, or pings turned off).
    pub health: String,
}

/// Reloads the dialplans folder into the running server: the number of
/// rules taken, or every error as `file:line: message` (the running plan
/// then stays).
#[derive(Clone)]
pub struct Reloader(pub Arc<dyn Fn() -> Result<usize, Vec<String>> + Send + Sync>);

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reloader")
    }
}

/// Tries the dialplan files with these stored queues (see `crm::queues`):
/// when the plan loads, it becomes the running plan and `Ok`; else the
/// loader's errors and the running plan stays.
#[derive(Clone)]
#[allow(clippy::type_complexity)]
pub struct QueuePlanner(
    pub  Arc<
        dyn Fn(Vec<crate::crm::queues::StoredQueue>) -> Result<(), Vec<crate::dialplan::PlanError>>
            + Send
            + Sync,
    >,
);

impl std::fmt::Debug for QueuePlanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueuePlanner")
    }
}

/// The shared view.
#[derive(Debug, Clone, Default)]
pub struct SipStatus {
    /// Set by the composition root, which knows where the plans live.
    pub reload_dialplans: Option<Reloader>,
    /// Set by the composition root: applies the queues stored in the
    /// database beside the dialplan files.
    pub plan_queues: Option<QueuePlanner>,
    pub registrations: Arc<Mutex<BTreeMap<String, Vec<RegisteredPhone>>>>,
    pub trunks: TrunkHealth,
    /// Every configured trunk's name and vendor, in configuration order.
    pub trunk_names: Arc<Vec<(String, String)>>,
    /// Agents' requests to the ACD in the engine.
    pub agents: Option<super::Agents>,
    /// The lines each running campaign's dialler has in use, by campaign.
    pub dialling: DiallingNow,
}

/// The dialler's lines by campaign, as it last paced them.
pub type DiallingNow = Arc<Mutex<BTreeMap<i64, CampaignLines>>>;

/// A running campaign's calls in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignLines {
    /// Calls placed and not yet answered.
    pub ringing: u32,
    /// Calls in progress: ringing, answered and waiting for an agent, or
    /// with an agent.
    pub lines: u32,
    /// The most lines in use at once since it started (or the server did).
    pub peak_lines: u32,
}

impl SipStatus {
    /// Every configured trunk with its health now.
    pub fn trunk_states(&self) -> Vec<TrunkState> {
        let health = self.trunks.lock().map(|h| h.clone()).unwrap_or_default();
        self.trunk_names
            .iter()
            .map(|(name, vendor)| TrunkState {
                name: name.clone(),
                vendor: vendor.clone(),
                health: match health.get(name) {
                    Some(crate::pbx::trunks::Health::Up) => "up",
                    Some(crate::pbx::trunks::Health::Down) => "down",
                    _ => "unknown",
                }
                .to_string(),
            })
            .collect()
    }

    /// Replaces the registrations with the registrar's current ones.
    pub fn publish<'a>(
        &self,
        now: Instant,
        registered: impl Iterator<Item = (&'a str, &'a [Binding])>,
    ) {
        let view = registered
            .map(|(extension, bindings)| {
                let phones = bindings
                    .iter()
                    .map(|b| RegisteredPhone {
                        contact: b.contact.clone(),
                        transport: b.flow.transport.via_name().to_ascii_lowercase(),
                        source: b.flow.remote.to_string(),
                        user_agent: b.user_agent.clone(),
                        expires_in: b.expires_at.saturating_duration_since(now).as_secs(),
                    })
                    .collect();
                (extension.to_string(), phones)
            })
            .collect();
        if let Ok(mut registrations) = self.registrations.lock() {
            *registrations = view;
        }
    }
}
