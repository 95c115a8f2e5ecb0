//! Drives the trunks' OPTIONS keep-alive core: sends its pings through the
//! transaction layer, feeds it their answers, and publishes each trunk's
//! up/down state to `/metrics` and to whoever holds a [`TrunkHealth`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::dns::Names;
use super::routing::peer_flow;
use crate::pbx::trunks::keepalive::{Health, KeepAlive, Output, Probe};
use crate::pbx::trunks::{Local, RequestIds, Trunks, options_request};
use crate::sip::message::Response;
use crate::sip::transaction::{ClientTx, TransactionLayer};
use crate::sip::transport::Flow;

/// Each monitored trunk's state, shared with the API.
pub type TrunkHealth = Arc<Mutex<BTreeMap<String, Health>>>;

pub struct KeepAliveDriver {
    core: KeepAlive,
    trunks: Arc<Trunks>,
    /// Pings in flight, by the client transaction that carries them.
    probes: HashMap<ClientTx, Probe>,
    health: TrunkHealth,
}

impl KeepAliveDriver {
    pub fn new(trunks: Arc<Trunks>, now: Instant, health: TrunkHealth) -> Self {
        KeepAliveDriver {
            core: KeepAlive::new(&trunks, now),
            trunks,
            probes: HashMap::new(),
            health,
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.core.poll_timeout()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.core.handle_timeout(now);
    }

    /// A response to one of our pings: `true` when it was one.
    pub fn on_response(&mut self, now: Instant, tx: ClientTx, response: &Response) -> bool {
        let code = response.status_code.code();
        if code < 200 {
            return self.probes.contains_key(&tx);
        }
        match self.probes.remove(&tx) {
            Some(probe) => {
                self.core.on_response(now, probe, code);
                true
            }
            None => false,
        }
    }

    /// Timer F of one of our pings: `true` when it was one.
    pub fn on_timeout(&mut self, now: Instant, tx: ClientTx) -> bool {
        match self.probes.remove(&tx) {
            Some(probe) => {
                self.core.on_timeout(now, probe);
                true
            }
            None => false,
        }
    }

    /// Sends the pings that are due and publishes state changes.
    pub fn drain(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        names: &Names,
        local_for: impl Fn(&Flow) -> String,
    ) {
        while let Some(output) = self.core.poll_output() {
            match output {
                Output::SendOptions { probe, trunk, peer } => {
                    let found = self
                        .trunks
                        .get(&trunk)
                        .and_then(|t| Some((t, peer_flow(t.transport, &peer, names)?)));
                    let Some((trunk, flow)) = found else {
                        // A peer given by a name that did not resolve.
                        self.core.on_timeout(now, probe);
                        continue;
                    };
                    let Ok(address) =
                        rsipstack::sip::HostWithPort::try_from(local_for(&flow).as_str())
                    else {
                        self.core.on_timeout(now, probe);
                        continue;
                    };
                    let request = options_request(
                        trunk,
                        &peer,
                        &Local { address },
                        &RequestIds::from_entropy(rand::random()),
                    );
                    match layer.send_request(now, request, flow) {
                        Ok(tx) => {
                            self.probes.insert(tx, probe);
                        }
                        Err(_) => self.core.on_timeout(now, probe),
                    }
                }
                Output::PeerStateChanged { trunk, peer, up } => {
                    tracing::info!(%trunk, %peer, up, "trunk peer state");
                }
                Output::StateChanged { trunk, up } => {
                    metrics::gauge!("sip_trunk_up", "trunk" => trunk.clone()).set(if up {
                        1.0
                    } else {
                        0.0
                    });
                    if up {
                        tracing::info!(%trunk, "trunk is up");
                    } else {
                        tracing::warn!(%trunk, "trunk is down: its peers do not answer OPTIONS");
                    }
                    if let Ok(mut health) = self.health.lock() {
                        health.insert(trunk, if up { Health::Up } else { Health::Down });
                    }
                }
            }
        }
    }
}
