//! Drives the PBX-registration cores: for each trunk with a `register`
//! table, Switchboard logs in to the PBX as one of its users, refreshes the
//! binding, and backs off when refused. The cores decide; this sends their
//! REGISTERs through the transaction layer and reports their answers.

use std::collections::HashMap;
use std::time::Instant;

use super::dns::Names;

use super::routing::peer_flow;
use crate::pbx::trunks::register::{Output, Registration};
use crate::pbx::trunks::{Local, Trunks};
use crate::sip::message::Response;
use crate::sip::transaction::{ClientTx, TransactionLayer};
use crate::sip::transport::Flow;

/// One registration per trunk that has a `register` table.
pub struct PbxRegistrations {
    /// Trunk name → its registration.
    registrations: Vec<(String, Registration)>,
    /// REGISTERs in flight → the registration they belong to.
    pending: HashMap<ClientTx, usize>,
}

impl PbxRegistrations {
    /// `local_for` names this server as the PBX must reach it.
    pub fn new(
        trunks: &Trunks,
        now: Instant,
        local_for: impl Fn(&Flow) -> String,
        names: &Names,
    ) -> Self {
        let registrations = trunks
            .iter()
            .filter_map(|trunk| {
                let register = trunk.register.as_ref()?;
                let flow = peer_flow(trunk.transport, &register.registrar, names)?;
                let address =
                    rsipstack::sip::HostWithPort::try_from(local_for(&flow).as_str()).ok()?;
                let registration =
                    Registration::for_trunk(trunk, Local { address }, rand::random(), now)?;
                Some((trunk.name.clone(), registration))
            })
            .collect();
        PbxRegistrations {
            registrations,
            pending: HashMap::new(),
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.registrations
            .iter()
            .filter_map(|(_, r)| r.poll_timeout())
            .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        for (_, registration) in &mut self.registrations {
            registration.handle_timeout(now);
        }
    }

    /// A final response to one of our REGISTERs: `true` when it was one.
    pub fn on_response(&mut self, now: Instant, tx: ClientTx, response: &Response) -> bool {
        if response.status_code.code() < 200 {
            return self.pending.contains_key(&tx);
        }
        let Some(index) = self.pending.remove(&tx) else {
            return false;
        };
        if let Some((_, registration)) = self.registrations.get_mut(index) {
            registration.on_response(now, response);
        }
        true
    }

    pub fn on_timeout(&mut self, now: Instant, tx: ClientTx) -> bool {
        let Some(index) = self.pending.remove(&tx) else {
            return false;
        };
        if let Some((_, registration)) = self.registrations.get_mut(index) {
            registration.on_timeout(now);
        }
        true
    }

    /// Sends what the cores ask for and reports what happened.
    pub fn drain(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        trunks: &Trunks,
        names: &Names,
    ) {
        for (index, (trunk, registration)) in self.registrations.iter_mut().enumerate() {
            while let Some(output) = registration.poll_output() {
                match output {
                    Output::SendRegister { request, registrar } => {
                        let flow = trunks
                            .get(trunk)
                            .and_then(|t| peer_flow(t.transport, &registrar, names));
                        let Some(flow) = flow else {
                            registration.on_timeout(now);
                            continue;
                        };
                        match layer.send_request(now, *request, flow) {
                            Ok(tx) => {
                                self.pending.insert(tx, index);
                            }
                            Err(_) => registration.on_timeout(now),
                        }
                    }
                    Output::Registered { expires } => {
                        metrics::gauge!("sip_trunk_registered", "trunk" => trunk.clone()).set(1.0);
                        tracing::info!(%trunk, expires = expires.as_secs(), "registered to the PBX");
                    }
                    Output::Failed { reason, retry_in } => {
                        metrics::gauge!("sip_trunk_registered", "trunk" => trunk.clone()).set(0.0);
                        tracing::warn!(%trunk, ?reason, retry_in = retry_in.as_secs(), "registration to the PBX failed");
                    }
                    Output::Lapsed => {
                        metrics::gauge!("sip_trunk_registered", "trunk" => trunk.clone()).set(0.0);
                        tracing::warn!(%trunk, "registration to the PBX lapsed");
                    }
                    Output::Stopped => tracing::info!(%trunk, "unregistered from the PBX"),
                }
            }
        }
    }
}
