//! The composition root: settings in, a running server out. Picks the storage
//! backend from the URL, starts SIP (trunks, dialplans, the accounts that may
//! register), builds the HTTP application, serves until SIGTERM or Ctrl-C,
//! then drains in-flight requests.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::net::TcpListener;

use crate::api::{self, AppState};
use crate::calls::CallEvent;
use crate::config::Settings;
use crate::crm::Repository;
use crate::pbx::trunks::Trunks;
use crate::runtime::cdr::CdrWriter;
use crate::runtime::media::{Media, MediaSettings};
use crate::runtime::plans::PlanSources;
use crate::runtime::sip::status::{QueuePlanner, Reloader};
use crate::runtime::sip::{Recorded, SipServer, SipSettings, TlsSettings, records};
use crate::sip::registration::Accounts;
use crate::storage;

/// How often SIP accounts are re-read, so API changes reach the registrar.
const ACCOUNTS_REFRESH: Duration = Duration::from_secs(5);

/// Opens (and migrates) the database the settings name.
pub async fn open_repository(settings: &Settings) -> anyhow::Result<Arc<dyn Repository>> {
    storage::open(&settings.database)
        .await
        .with_context(|| format!("opening {}", crate::config::redact_url(&settings.database)))
}

/// Runs the server until a shutdown signal.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let repo = open_repository(&settings).await?;
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .context("installing the metrics recorder")?;
    // Tells this run's call ids apart from earlier runs' in the records.
    let run: u64 = rand::random();
    let (sip, plans) = start_sip(&settings, repo.clone(), run).await?;
    let state = AppState {
        repo: repo.clone(),
        region: settings.region()?,
        session_hours: settings.session_hours,
        sip_realm: settings.sip_realm.as_str().into(),
        metrics: Some(metrics),
        recordings: Some(settings.recordings_dir.clone()),
        events: Default::default(),
        sip: Some({
            let mut status = sip.status();
            let (server, sources) = (sip.clone(), plans.clone());
            status.reload_dialplans = Some(Reloader(Arc::new(move || sources.reload(&server))));
            let (server, sources) = (sip.clone(), plans.clone());
            status.plan_queues = Some(QueuePlanner(Arc::new(move |stored| {
                sources.apply_queues(&server, stored)
            })));
            status.agents = Some(sip.agents());
            status
        }),
    };
    // Screen pops: each call offered to an agent goes to their open tabs.
    tokio::spawn(
        state
            .events
            .clone()
            .deliver_offers(repo.clone(), sip.offers(), run),
    );
    // Agents' own states and the supervisors' live view, as they change.
    tokio::spawn(state.events.clone().deliver_live(sip.live()));
    let sessions_repo = repo.clone();
    let sessions: crate::runtime::sip::ws::Sessions = Arc::new(move |headers| {
        let repo = sessions_repo.clone();
        Box::pin(async move { api::auth::session_extension(repo.as_ref(), &headers).await })
    });
    let app = api::router(state, &settings.web_dir)
        .merge(sip.connector().with_sessions(sessions).router());
    let listener = TcpListener::bind(settings.http)
        .await
        .with_context(|| format!("binding HTTP to {}", settings.http))?;
    tracing::info!(
        http = %listener.local_addr()?,
        database = repo.backend(),
        "Switchboard is serving: web app at http://{}/",
        listener.local_addr()?
    );
    // Pops and live pushes are small messages written back to back: with
    // Nagle's algorithm on, the second waits for the browser's delayed ACK
    // (measured: 1% of screen pops 35-40 ms late instead of 1-2 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set on an HTTP connection");
        }
    });
    // The peer address is a SIP-over-WebSocket flow's source.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    sip.shutdown();
    tracing::info!("stopped");
    Ok(())
}

/// Starts SIP with the configured trunks, the dialplans and the accounts in
/// the database, and the tasks that keep the last two current.
async fn start_sip(
    settings: &Settings,
    repo: Arc<dyn Repository>,
    run: u64,
) -> anyhow::Result<(Arc<SipServer>, Arc<PlanSources>)> {
    let trunks =
        Trunks::from_configs(settings.trunks.clone(), settings.region()?).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("the trunks are wrong:\n{}", lines.join("\n"))
        })?;
    let stored = repo.queues().await.context("reading the stored queues")?;
    let plans = Arc::new(PlanSources::new(settings.dialplans.clone(), stored));
    let plan = plans.plan()?;
    let mut sip_settings = SipSettings::new(settings.sip, settings.sip_realm.clone());
    sip_settings.guard.trusted = trunks.trusted_networks();
    sip_settings.trunks = Arc::new(trunks);
    sip_settings.plan = Arc::new(plan);
    sip_settings.media = Some(start_media(settings)?);
    // Queues may rank callers by their client's CRM status (VIP first).
    let statuses = repo.clone();
    sip_settings.classify = Some(crate::runtime::sip::Classify(Arc::new(move |number| {
        let repo = statuses.clone();
        Box::pin(async move {
            repo.status_of_number(&number)
                .await
                .map_err(|error| tracing::warn!(%error, "no CRM status for a queue's caller"))
                .ok()
                .flatten()
        })
    })));
    // A malformed prompt stops the start with its name; a missing folder
    // only means no music.
    let prompts = crate::runtime::prompts::load_dir(&settings.prompts_dir)?;
    if !prompts.contains_key(crate::calls::HOLD_MUSIC) {
        tracing::info!(dir = %settings.prompts_dir.display(), "no hold-music.wav: held callers hear silence (scripts/prompts makes one)");
    }
    sip_settings.prompts = Arc::new(prompts);
    sip_settings.tls = settings.sip_tls.map(|bind| TlsSettings {
        bind,
        cert: settings.sip_tls_cert.clone(),
        key: settings.sip_tls_key.clone(),
    });
    let (accounts, recorded, monitors) = load_accounts(repo.as_ref()).await?;
    // Call records go through the durable writer: the call path never waits
    // on the database, and an outage spools them to disk.
    let (cdr, _writer) = CdrWriter::start(repo.clone(), settings.spool_dir.clone());
    let (events, mut ended) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = ended.recv().await {
            if let CallEvent::Ended(summary) = event {
                cdr.send(records::record_of(run, &summary));
            }
        }
    });
    let sip = Arc::new(
        SipServer::start(sip_settings, accounts, Some(events))
            .await
            .context("starting SIP")?,
    );
    sip.set_recorded(recorded);
    sip.set_monitors(monitors);
    // Progressive and predictive campaigns place their calls from here.
    if let Some((commands, events)) = sip.dialer() {
        let dialling = sip.status().dialling;
        tokio::spawn(
            crate::runtime::dialer::Dialer::new(repo.clone(), commands, dialling).run(events),
        );
    }
    tokio::spawn(refresh_accounts(sip.clone(), repo));
    tokio::spawn(reload_on_sighup(sip.clone(), plans.clone()));
    Ok((sip, plans))
}

/// The media threads, on SIP's address with the configured port range.
fn start_media(settings: &Settings) -> anyhow::Result<Media> {
    let bind = settings.sip.ip();
    let address = match settings.media_address {
        Some(address) => address,
        None if !bind.is_unspecified() => bind,
        None => outward_address(bind).context(
            "SIP listens on every address and media_address is unset: \
             set media_address to the address phones reach this host at",
        )?,
    };
    let media = Media::start(&MediaSettings {
        bind,
        address,
        ports: settings.rtp_ports.first..=settings.rtp_ports.last,
        threads: settings.media_threads,
        recordings: Some(settings.recordings_dir.clone()),
    })?;
    if settings.recording_retention_days > 0 {
        tokio::spawn(crate::runtime::retention::run(
            settings.recordings_dir.clone(),
            settings.recording_retention_days,
        ));
    }
    tracing::info!(%address, ports = %settings.rtp_ports, "media is anchored");
    Ok(media)
}

/// The address this host sends from toward the outside: connecting a UDP
/// socket picks the route without sending anything.
fn outward_address(bind: std::net::IpAddr) -> std::io::Result<std::net::IpAddr> {
    let (any, outside): (std::net::IpAddr, std::net::IpAddr) = if bind.is_ipv4() {
        ([0, 0, 0, 0].into(), [192, 0, 2, 1].into())
    } else {
        (
            std::net::Ipv6Addr::UNSPECIFIED.into(),
            "2001:db8::1".parse().expect("an address"),
        )
    };
    let socket = std::net::UdpSocket::bind((any, 0))?;
    socket.connect((outside, 9))?;
    Ok(socket.local_addr()?.ip())
}

/// The accounts that may register and call, the extensions recorded, and
/// those whose owners may monitor agents' calls.
async fn load_accounts(repo: &dyn Repository) -> anyhow::Result<(Accounts, Recorded, Recorded)> {
    let credentials = repo
        .sip_credentials()
        .await
        .context("reading the SIP accounts")?;
    let enabled: Vec<_> = credentials.into_iter().filter(|c| c.enabled).collect();
    let recorded = enabled
        .iter()
        .filter(|c| c.record)
        .map(|c| c.extension.clone())
        .collect();
    let monitors = enabled
        .iter()
        .filter(|c| c.may_monitor)
        .map(|c| c.extension.clone())
        .collect();
    let map: HashMap<_, _> = enabled.into_iter().map(|c| (c.extension, c.ha1)).collect();
    Ok((Arc::new(map), Arc::new(recorded), Arc::new(monitors)))
}

/// Re-reads the accounts now and then; a database hiccup keeps the last ones.
async fn refresh_accounts(sip: Arc<SipServer>, repo: Arc<dyn Repository>) {
    let mut last = None;
    loop {
        tokio::time::sleep(ACCOUNTS_REFRESH).await;
        match load_accounts(repo.as_ref()).await {
            Ok(loaded) if last.as_ref() != Some(&loaded) => {
                sip.set_accounts(loaded.0.clone());
                sip.set_recorded(loaded.1.clone());
                sip.set_monitors(loaded.2.clone());
                last = Some(loaded);
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "keeping the SIP accounts loaded before")
            }
        }
    }
}

/// SIGHUP reloads the dialplans; a plan with errors is refused and the
/// running one stays, so a typo never drops routing (or calls in progress).
async fn reload_on_sighup(sip: Arc<SipServer>, plans: Arc<PlanSources>) {
    #[cfg(unix)]
    {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::error!("cannot listen for SIGHUP; dialplans reload only on restart");
            return;
        };
        while hangups.recv().await.is_some() {
            let _ = plans.reload(&sip);
        }
    }
    #[cfg(not(unix))]
    let _ = (sip, plans);
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
