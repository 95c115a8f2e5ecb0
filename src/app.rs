//! The composition root: settings in, a running server out. Picks the storage
//! backend from the URL, builds the HTTP application, serves until SIGTERM or
//! Ctrl-C, then drains in-flight requests.

use std::sync::Arc;

use anyhow::Context;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::net::TcpListener;

use crate::api::{self, AppState};
use crate::config::Settings;
use crate::crm::Repository;
use crate::storage;

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
    let state = AppState {
        repo: repo.clone(),
        region: settings.region()?,
        session_hours: settings.session_hours,
        sip_realm: settings.sip_realm.as_str().into(),
        metrics: Some(metrics),
    };
    let app = api::router(state, &settings.web_dir);
    let listener = TcpListener::bind(settings.http)
        .await
        .with_context(|| format!("binding HTTP to {}", settings.http))?;
    tracing::info!(
        http = %listener.local_addr()?,
        database = repo.backend(),
        "Switchboard is serving: web app at http://{}/",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
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
