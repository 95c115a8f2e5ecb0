//! The SIP driver: sockets (UDP and TCP on one address, TLS on its own,
//! WebSocket through the HTTP listener) and the engine task that runs the
//! sans-IO SIP core over them.

pub mod cert;
mod dns;
mod engine;
mod keepalive;
mod pbx_registration;
pub mod records;
mod routing;
pub mod status;
pub mod tls;
mod transports;
pub mod ws;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::calls::{CallEvent, Calls};
use crate::dialplan;
use crate::sip::digest::{Digest, DigestConfig};
use crate::sip::guard::{AuthGuard, GuardPolicy};
use crate::sip::registrar::{Registrar, RegistrarConfig};
use crate::sip::registration::{Accounts, Registrations};
use crate::sip::transaction::{self, TransactionLayer};

use super::clock;

pub use keepalive::TrunkHealth;
pub use status::SipStatus;
pub use tls::{TlsError, TlsSettings};
pub use ws::SipConnector;

/// What the SIP side needs to start.
#[derive(Debug, Clone)]
pub struct SipSettings {
    pub bind: SocketAddr,
    /// The digest realm; stored HA1 values are bound to it.
    pub realm: String,
    pub registrar: RegistrarConfig,
    pub guard: GuardPolicy,
    pub transactions: transaction::Config,
    /// Routing: `dialplans/*.toml` loaded.
    pub plan: Arc<dialplan::Plan>,
    /// SIP over TLS, when a certificate is configured.
    pub tls: Option<TlsSettings>,
    /// The PBX and carrier trunks.
    pub trunks: Arc<crate::pbx::trunks::Trunks>,
}

impl SipSettings {
    pub fn new(bind: SocketAddr, realm: impl Into<String>) -> Self {
        SipSettings {
            bind,
            realm: realm.into(),
            registrar: RegistrarConfig::default(),
            guard: GuardPolicy::default(),
            transactions: transaction::Config::default(),
            plan: Arc::default(),
            tls: None,
            trunks: Arc::default(),
        }
    }
}

/// Why the SIP server could not start.
#[derive(Debug, thiserror::Error)]
pub enum SipError {
    #[error("binding SIP (UDP and TCP) to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A running SIP server: its addresses, the account map to update, the
/// handle for WebSocket connections, and the switch that stops it.
pub struct SipServer {
    pub udp_addr: SocketAddr,
    pub tcp_addr: SocketAddr,
    /// `Some` when SIP over TLS is configured.
    pub tls_addr: Option<SocketAddr>,
    connector: SipConnector,
    accounts: watch::Sender<Accounts>,
    plan: watch::Sender<Arc<dialplan::Plan>>,
    trunk_health: TrunkHealth,
    status: SipStatus,
    stop: watch::Sender<bool>,
    engine: tokio::task::JoinHandle<()>,
}

impl SipServer {
    /// Binds the sockets and starts the engine. Every call event goes to
    /// `events` when given (the call records' writer listens there).
    pub async fn start(
        settings: SipSettings,
        accounts: Accounts,
        events: Option<mpsc::UnboundedSender<CallEvent>>,
    ) -> Result<SipServer, SipError> {
        let (inbound_tx, inbound_rx) = mpsc::channel(4096);
        let writers = transports::Writers::default();
        let sockets = transports::bind(settings.bind, writers.clone(), inbound_tx.clone())
            .await
            .map_err(|source| SipError::Bind {
                addr: settings.bind,
                source,
            })?;
        let tls_addr = match &settings.tls {
            Some(tls) => Some(tls::listen(tls, writers.clone(), inbound_tx.clone()).await?),
            None => None,
        };
        let connector = SipConnector {
            inbound: inbound_tx,
            writers,
        };
        let names = dns::names_of(&settings.trunks);
        let ipv4 = settings.bind.is_ipv4();
        let (names_tx, names_rx) = watch::channel(dns::resolve(&names, ipv4).await);
        if !names.is_empty() {
            dns::spawn_refresh(names, names_tx, ipv4);
        }
        let (accounts_tx, accounts_rx) = watch::channel(accounts);
        let (stop_tx, stop_rx) = watch::channel(false);
        let (plan_tx, plan_rx) = watch::channel(settings.plan.clone());
        let status = SipStatus {
            trunk_names: Arc::new(
                settings
                    .trunks
                    .iter()
                    .map(|t| {
                        (
                            t.name.clone(),
                            format!("{:?}", t.vendor).to_ascii_lowercase(),
                        )
                    })
                    .collect(),
            ),
            ..SipStatus::default()
        };
        let trunk_health = status.trunks.clone();
        // A fresh key per start: nonces from before a restart are refused
        // and the phone simply takes the new challenge.
        let digest = Digest::new(DigestConfig::new(settings.realm, rand::random()));
        let engine = engine::Engine {
            layer: TransactionLayer::new(settings.transactions, rand::random()),
            registrations: Registrations::new(
                digest,
                AuthGuard::new(settings.guard),
                Registrar::new(settings.registrar),
                clock::instant(),
            ),
            calls: Calls::new(rand::random()),
            accounts: accounts_rx,
            plan: plan_rx,
            locals: routing::Locals {
                udp: sockets.udp_addr,
                tcp: sockets.tcp_addr,
            },
            trunks: settings.trunks.clone(),
            outbound: sockets.outbound,
            events,
            status: status.clone(),
            pbx_registrations: {
                let locals = routing::Locals {
                    udp: sockets.udp_addr,
                    tcp: sockets.tcp_addr,
                };
                pbx_registration::PbxRegistrations::new(
                    &settings.trunks,
                    clock::instant(),
                    |flow| locals.on(flow).sent_by,
                    &names_rx.borrow(),
                )
            },
            keepalive: keepalive::KeepAliveDriver::new(
                settings.trunks.clone(),
                clock::instant(),
                trunk_health.clone(),
            ),
            names: names_rx,
        };
        let engine = tokio::spawn(engine.run(inbound_rx, stop_rx));
        tracing::info!(udp = %sockets.udp_addr, tcp = %sockets.tcp_addr,
            tls = ?tls_addr, "SIP is listening");
        Ok(SipServer {
            udp_addr: sockets.udp_addr,
            tcp_addr: sockets.tcp_addr,
            tls_addr,
            connector,
            accounts: accounts_tx,
            plan: plan_tx,
            trunk_health,
            status,
            stop: stop_tx,
            engine,
        })
    }

    /// The handle the HTTP server needs to serve SIP over WebSocket at
    /// `/sip` (see [`SipConnector::router`]).
    pub fn connector(&self) -> SipConnector {
        self.connector.clone()
    }

    /// Replaces the accounts that may register (after an API change).
    pub fn set_accounts(&self, accounts: Accounts) {
        self.accounts.send_replace(accounts);
    }

    /// The live view for the API: registered phones and trunk health.
    pub fn status(&self) -> SipStatus {
        self.status.clone()
    }

    /// Each monitored trunk's up/down state, as its OPTIONS pings found it.
    pub fn trunk_health(&self) -> TrunkHealth {
        self.trunk_health.clone()
    }

    /// Replaces the dialplan (after a reload); calls in progress keep the
    /// route they were given.
    pub fn set_plan(&self, plan: Arc<dialplan::Plan>) {
        self.plan.send_replace(plan);
    }

    /// Tells the engine to stop, without waiting for it (for a server
    /// shared between tasks).
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the engine; the listeners and connections close as their
    /// tasks notice that the engine is gone.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.engine.await;
    }
}
