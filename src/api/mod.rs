//! The HTTP face of Switchboard: the REST API under `/api/v1` (documented by
//! the OpenAPI document at `/api/v1/openapi.json`), health and metrics, and
//! the web app's static files. Each resource module exports `router()`;
//! handlers extract, call the repository, and map the answer.

use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::services::{ServeDir, ServeFile};

use crate::crm::Repository;
use crate::phone::Region;

pub mod agents;
pub mod attributes;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod campaign_leads;
pub mod campaigns;
pub mod classifier;
pub mod clients;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod interactions;
pub mod monitor;
pub mod openapi;
pub mod preview;
pub mod queues;
pub mod reports;
pub mod segments;
pub mod sip_accounts;
mod sip_status;
pub mod skills;
pub mod tasks;
pub mod users;

/// What every handler may use; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    /// Region for phone numbers written without a country prefix.
    pub region: Region,
    /// How long a login lasts.
    pub session_hours: i64,
    /// The digest realm SIP account passwords are turned into HA1 with
    /// (`sip_realm` in the settings).
    pub sip_realm: Arc<str>,
    /// Renders `/metrics`; `None` when no recorder is installed (tests).
    pub metrics: Option<PrometheusHandle>,
    /// The running SIP server's live view; `None` without SIP (tests).
    pub sip: Option<crate::runtime::sip::SipStatus>,
    /// Where call recordings are; `None`: none are served.
    pub recordings: Option<std::path::PathBuf>,
    /// The users' open event sockets (screen pops).
    pub events: events::EventHub,
}

/// The whole HTTP application.
pub fn router(state: AppState, web_dir: &Path) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(clients::router())
        .merge(interactions::router())
        .merge(tasks::router())
        .merge(classifier::router())
        .merge(attributes::router())
        .merge(audit::router())
        .merge(sip_accounts::router())
        .merge(sip_status::router())
        .merge(agents::router())
        .merge(monitor::router())
        .merge(campaigns::router())
        .merge(campaign_leads::router())
        .merge(preview::router())
        .merge(events::router())
        .merge(calls::router())
        .merge(reports::router())
        .merge(queues::router())
        .merge(segments::router())
        .merge(skills::router())
        .merge(openapi::router())
        .fallback(|| async { error::ApiError::NotFound });
    Router::new()
        .nest("/api/v1", api)
        .merge(health::router())
        .fallback_service(web_app(web_dir))
        .layer(axum::middleware::from_fn(health::track_metrics))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The built web app, with every unknown path answered by `index.html` so the
/// app's own routes (`/clients/42`) survive a reload.
fn web_app(dir: &Path) -> Router {
    let index = dir.join("index.html");
    if !index.exists() {
        tracing::warn!(dir = %dir.display(), "web app not built; run `npm run build` in web/");
        return Router::new().fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The web app is not built: run `npm ci && npm run build` in web/. The API is at /api/v1.",
            )
        });
    }
    Router::new().fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
}
