//! The SIP driver: sockets (UDP and TCP on one address, TLS on its own,
//! WebSocket through the HTTP listener) and the engine task that runs the
//! sans-IO SIP core over them.

mod anchoring;
pub mod campaigns;
pub mod cert;
pub mod distribution;
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

pub use anchoring::Prompts;
pub use keepalive::TrunkHealth;
pub use status::SipStatus;
pub use tls::{TlsError, TlsSettings};
pub use ws::SipConnector;

/// The extensions whose calls, to or from them, are recorded.
pub type Recorded = Arc<std::collections::HashSet<String>>;

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
    /// Where calls' media is anchored; `None` passes SDP end to end.
    pub media: Option<crate::runtime::media::Media>,
    /// Prompts and music by name (`hold-music` for held calls).
    pub prompts: anchoring::Prompts,
    /// Finds the CRM status of a caller's number, for queues that rank
    /// callers by it; `None`: every caller has the rule's priority.
    pub classify: Option<Classify>,
}

/// The CRM status of the client an E.164 number belongs to (`None` for an
/// unknown number, or when the database does not answer).
#[derive(Clone)]
pub struct Classify(
    #[allow(clippy::type_complexity)]
    pub  Arc<
        dyn Fn(
                String,
            )
                -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>>
            + Send
            + Sync,
    >,
);

impl std::fmt::Debug for Classify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Classify")
    }
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
            media: None,
            prompts: Arc::default(),
            classify: None,
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
    #[error("starting the SIP engine's thread: {0}")]
    Engine(std::io::Error),
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
    recorded: watch::Sender<Recorded>,
    monitors: watch::Sender<Recorded>,
    plan: watch::Sender<Arc<dialplan::Plan>>,
    /// The prompts loaded at start, to name those a new plan's menus lack.
    prompts: Prompts,
    /// Agents' requests to the ACD.
    agents: mpsc::UnboundedSender<distribution::AgentCommand>,
    /// Calls offered to agents, as they are offered.
    offers: tokio::sync::broadcast::Sender<distribution::Offered>,
    /// The ACD's live view, as it changes.
    live: watch::Receiver<Arc<distribution::AcdStatus>>,
    trunk_health: TrunkHealth,
    status: SipStatus,
    /// What the campaigns' dialler asks of the engine, and (until the
    /// dialler takes it) what the engine tells it.
    dialer: mpsc::UnboundedSender<campaigns::DialerCommand>,
    dialer_events: std::sync::Mutex<Option<mpsc::UnboundedReceiver<campaigns::DialerEvent>>>,
    stop: watch::Sender<bool>,
    /// Closed when the engine's thread has stopped and its UDP socket is
    /// closed.
    engine: tokio::sync::oneshot::Receiver<()>,
}

impl SipServer {
    /// Binds the sockets and starts the engine. Every call event goes to
    /// `events` when given (the call records' writer listens there).
    ///
    /// The engine and its UDP socket run on a thread of their own with a
    /// single-threaded runtime; TCP, TLS and WebSocket connections stay on
    /// the caller's runtime and talk to it through channels. On one thread
    /// the engine is never moved between workers or woken across them, and
    /// the API's work never queues in front of a SIP message: at 1,500
    /// calls/s call setup measured p50 1.5-1.7 ms and p99 3.7-3.9 ms, against
    /// 1.8-1.9 and 4.1-4.3 ms with the engine on the shared runtime.
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
        let (udp_addr, tcp_addr) = (sockets.udp_addr, sockets.tcp_addr);
        let locals = routing::Locals {
            udp: udp_addr,
            tcp: tcp_addr,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(SipError::Engine)?;
        // Entered, the UDP socket and its reader belong to the engine's runtime.
        let started = {
            let _entered = runtime.enter();
            sockets.start_udp(inbound_tx.clone())
        };
        let outbound = match started {
            Ok(outbound) => outbound,
            Err(source) => {
                // A runtime may not be dropped where async code runs.
                runtime.shutdown_background();
                return Err(SipError::Bind {
                    addr: settings.bind,
                    source,
                });
            }
        };
        let connector = SipConnector {
            inbound: inbound_tx,
            writers,
            sessions: None,
        };
        let names = dns::names_of(&settings.trunks);
        let ipv4 = settings.bind.is_ipv4();
        let (names_tx, names_rx) = watch::channel(dns::resolve(&names, ipv4).await);
        if !names.is_empty() {
            dns::spawn_refresh(names, names_tx, ipv4);
        }
        let (accounts_tx, accounts_rx) = watch::channel(accounts);
        let (recorded_tx, recorded_rx) = watch::channel(Recorded::default());
        let (monitors_tx, monitors_rx) = watch::channel(Recorded::default());
        // Digits the media threads hear, for the calls they belong to.
        let (digits_tx, digits_rx) = mpsc::unbounded_channel();
        // Answering-machine verdicts on campaigns' called parties.
        let (machines_tx, machines_rx) = mpsc::unbounded_channel();
        // Agents' requests to the ACD, from the API.
        let (agents_tx, agents_rx) = mpsc::unbounded_channel();
        // Callers' CRM statuses, looked up for their queue.
        let (classified_tx, classified_rx) = mpsc::unbounded_channel();
        // The campaigns' dialler and the engine, both ways.
        let (dialer_tx, dialer_rx) = mpsc::unbounded_channel();
        let (dialer_events_tx, dialer_events_rx) = mpsc::unbounded_channel();
        // Calls offered to agents, for their screen pops (lagging
        // listeners lose the oldest, never the engine's time).
        let (offers_tx, _) = tokio::sync::broadcast::channel(1024);
        let (live_tx, live_rx) = watch::channel(Arc::new(distribution::AcdStatus::default()));
        let (stop_tx, stop_rx) = watch::channel(false);
        warn_of_missing_prompts(&settings.plan, &settings.prompts);
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
            calls: {
                let mut calls = Calls::new(rand::random());
                // 8,000 samples a second: what a prompt lasts, to know when
                // a menu's greeting is over.
                let lengths = settings.prompts.iter().map(|(name, samples)| {
                    let length = std::time::Duration::from_millis(samples.len() as u64 / 8);
                    (name.clone(), length)
                });
                calls.set_prompt_lengths(lengths.collect());
                calls
            },
            accounts: accounts_rx,
            recorded: recorded_rx,
            monitors: monitors_rx,
            monitoring: Default::default(),
            plan: plan_rx,
            locals: locals.clone(),
            trunks: settings.trunks.clone(),
            outbound,
            events,
            status: status.clone(),
            // A block, so the borrow of the names ends before they move.
            pbx_registrations: {
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
            distribution: distribution::Distribution::default(),
            offers: Some(offers_tx.clone()),
            live: live_tx,
            published: (0, clock::instant()),
            classify: settings
                .classify
                .clone()
                .map(|classify| (classify, classified_tx)),
            campaigns: campaigns::CampaignCalls::new(Some(dialer_events_tx)),
            anchoring: settings.media.map(|media| {
                anchoring::Anchoring::new(media, digits_tx, machines_tx, settings.prompts.clone())
            }),
        };
        let (done, stopped) = tokio::sync::oneshot::channel();
        let engine_inputs = engine::Inputs {
            inbound: inbound_rx,
            digits: digits_rx,
            machines: machines_rx,
            agents: agents_rx,
            classified: classified_rx,
            dialer: dialer_rx,
            stop: stop_rx,
        };
        std::thread::Builder::new()
            .name("sip-engine".into())
            .spawn(move || {
                runtime.block_on(engine.run(engine_inputs));
                // The UDP reader goes with the runtime, and the socket with it.
                drop(runtime);
                let _ = done.send(());
            })
            .map_err(SipError::Engine)?;
        tracing::info!(udp = %udp_addr, tcp = %tcp_addr,
            tls = ?tls_addr, "SIP is listening");
        Ok(SipServer {
            udp_addr,
            tcp_addr,
            tls_addr,
            connector,
            accounts: accounts_tx,
            recorded: recorded_tx,
            monitors: monitors_tx,
            plan: plan_tx,
            prompts: settings.prompts.clone(),
            agents: agents_tx,
            offers: offers_tx,
            live: live_rx,
            trunk_health,
            status,
            dialer: dialer_tx,
            dialer_events: std::sync::Mutex::new(Some(dialer_events_rx)),
            stop: stop_tx,
            engine: stopped,
        })
    }

    /// The engine's side of the campaigns' dialler: where to send its
    /// requests, and what the engine tells it (`None` once taken).
    pub fn dialer(
        &self,
    ) -> Option<(
        mpsc::UnboundedSender<campaigns::DialerCommand>,
        mpsc::UnboundedReceiver<campaigns::DialerEvent>,
    )> {
        let events = self
            .dialer_events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        Some((self.dialer.clone(), events))
    }

    /// Every call offered to an agent from now on (the screen pops).
    pub fn offers(&self) -> tokio::sync::broadcast::Receiver<distribution::Offered> {
        self.offers.subscribe()
    }

    /// The ACD's live view: every agent's state and every queue's counts,
    /// published within LIVE_EVERY of a change.
    pub fn live(&self) -> watch::Receiver<Arc<distribution::AcdStatus>> {
        self.live.clone()
    }

    /// Where the API sends agents' requests to the ACD.
    pub fn agents(&self) -> Agents {
        Agents(self.agents.clone())
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

    /// Replaces the extensions whose calls are recorded (after an API
    /// change).
    pub fn set_recorded(&self, recorded: Recorded) {
        self.recorded.send_replace(recorded);
    }

    /// Replaces the extensions whose owners may listen to, whisper to and
    /// barge into agents' calls (`*81`, `*82`, `*83` + the agent's
    /// extension).
    pub fn set_monitors(&self, monitors: Recorded) {
        self.monitors.send_replace(monitors);
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
        warn_of_missing_prompts(&plan, &self.prompts);
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

/// Names every prompt the plan's menus play (and the ringback their callers
/// hear) that is not loaded: those callers would hear silence, and a typo
/// in a prompt's name shows here rather than on a call.
fn warn_of_missing_prompts(plan: &dialplan::Plan, prompts: &Prompts) {
    if plan.menus().is_empty() {
        return;
    }
    let ringback = std::iter::once(("every menu", crate::calls::RINGBACK));
    for (menu, prompt) in plan.menus().prompts().chain(ringback) {
        if !prompts.contains_key(prompt) {
            tracing::warn!(
                menu,
                prompt,
                "a menu's prompt is not in prompts_dir: its callers hear silence (scripts/prompts makes the demo's)"
            );
        }
    }
}

/// The API's handle on the ACD in the engine.
#[derive(Clone, Debug)]
pub struct Agents(mpsc::UnboundedSender<distribution::AgentCommand>);

impl Agents {
    /// Sends a request; `false` when the engine has stopped.
    pub fn send(&self, command: distribution::AgentCommand) -> bool {
        self.0.send(command).is_ok()
    }
}
