//! `/reports`: the contact centre by interval (15 minutes, an hour, a day),
//! per queue and per agent, counted from the stored call records. For those
//! who see every call (supervisors, managers, admins).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::AppState;
use super::error::ApiResult;
use super::extract::QueryPairs;
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Forbidden, Reach, Section};
use crate::crm::reports::{AgentRow, Interval, QueueRow, ReportQuery};
use crate::runtime::clock;

/// The longest span one report covers.
const MAX_DAYS: i64 = 366;
/// The most rows per queue or agent (a year of days, or ten days of
/// quarters), so a report stays a page a person reads.
const MAX_INTERVALS: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/queues", get(queues))
        .route("/reports/agents", get(agents))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Report<T> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `15m`, `hour` or `day`.
    pub interval: String,
    pub rows: Vec<T>,
}

/// Reads the report's parameters: `from` and `to` (RFC 3339; default the
/// current UTC day), `interval` (default `hour`) and `service_level`
/// (seconds, default 20).
fn parse(query: &QueryPairs) -> ApiResult<(ReportQuery, String)> {
    let mut errors = FieldErrors::new();
    let time = |name: &str, errors: &mut FieldErrors| {
        let text = query.get(name)?;
        errors
            .take(
                name,
                DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 time"),
            )
            .map(|t| crate::crm::whole_seconds(t.with_timezone(&Utc)))
    };
    let today = clock::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default();
    let from = time("from", &mut errors).unwrap_or(today);
    let to = time("to", &mut errors).unwrap_or(from + Duration::days(1));
    let name = query.get("interval").unwrap_or("hour").to_string();
    let interval = query
        .parse::<Interval>("interval", &mut errors)
        .unwrap_or(Interval::Hour);
    let service_level_s = query
        .parse::<i64>("service_level", &mut errors)
        .unwrap_or(20);
    if !(1..=3600).contains(&service_level_s) {
        errors.add("service_level", "must be 1 to 3600 seconds");
    }
    if from >= to {
        errors.add("to", "must be later than from");
    } else if to - from > Duration::days(MAX_DAYS) {
        errors.add("to", format!("a report covers at most {MAX_DAYS} days"));
    } else if (to - from).num_seconds() / interval.seconds() > MAX_INTERVALS {
        errors.add(
            "interval",
            format!("gives more than {MAX_INTERVALS} rows for this span; take a longer one"),
        );
    }
    let report = ReportQuery {
        from,
        to,
        interval,
        service_level_s,
    };
    Ok((QueryPairs::finish(errors, Some(report))?, name))
}

fn require_every_call(actor: &Actor) -> Result<(), Forbidden> {
    let right = actor.require_read(Section::Calls)?;
    if right.reach == Reach::All {
        Ok(())
    } else {
        Err(Forbidden(Section::Calls))
    }
}

/// Each queue per interval: calls, answered, abandoned, service level,
/// average and longest wait, talk time.
#[utoipa::path(get, path = "/api/v1/reports/queues", tag = "calls",
    params(("from" = Option<String>, Query, description = "RFC 3339: calls that arrived at or after (default: today, UTC)"),
        ("to" = Option<String>, Query, description = "RFC 3339: calls that arrived before (default: a day after from)"),
        ("interval" = Option<String>, Query, description = "15m, hour (default) or day; intervals start on whole UTC multiples"),
        ("service_level" = Option<i64>, Query, description = "Seconds in the queue within which an answer counts as in time (default 20)")),
    responses((status = 200, body = Report<QueueRow>), (status = 400, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
async fn queues(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Report<QueueRow>>> {
    require_every_call(&actor)?;
    let (report, interval) = parse(&query)?;
    let rows = state.repo.queue_sums(&report).await?;
    Ok(axum::Json(Report {
        from: report.from,
        to: report.to,
        interval,
        rows: rows.into_iter().map(QueueRow::from).collect(),
    }))
}

/// Each agent per interval: calls answered, talk time, calls written up.
#[utoipa::path(get, path = "/api/v1/reports/agents", tag = "calls",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("interval" = Option<String>, Query, description = "15m, hour (default) or day")),
    responses((status = 200, body = Report<AgentRow>), (status = 400, body = super::error::Problem),
        (status = 403, body = super::error::Problem)))]
async fn agents(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Report<AgentRow>>> {
    require_every_call(&actor)?;
    let (report, interval) = parse(&query)?;
    let rows = state.repo.agent_sums(&report).await?;
    Ok(axum::Json(Report {
        from: report.from,
        to: report.to,
        interval,
        rows: rows.into_iter().map(AgentRow::from).collect(),
    }))
}
