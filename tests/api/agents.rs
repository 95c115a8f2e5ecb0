//! The agents' ACD endpoints as far as they go without a SIP engine: each
//! request is checked before it goes to the engine, and rights hold.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

on_both_backends!(requests_are_checked_before_the_engine_and_supervisors_alone_see_the_floor);

async fn requests_are_checked_before_the_engine_and_supervisors_alone_see_the_floor(app: TestApp) {
    let agent = app.user("agent-acd", "agent").await;
    let (status, problem) = agent.post("/api/v1/agent/login", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["queues"]);
    let (status, problem) = agent
        .post(
            "/api/v1/agent/pause",
            json!({"reason": "lunch\r\nX-Evil: 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["reason"]);
    // A well-formed request needs the engine, which this server has not.
    let (status, problem) = agent
        .post("/api/v1/agent/login", json!({"queues": ["sales"]}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    let (status, _) = agent.get("/api/v1/acd").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not see the floor");
    let supervisor = app.user("super-acd", "supervisor").await;
    let (status, _) = supervisor.get("/api/v1/acd").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "allowed, but no engine here"
    );
}
