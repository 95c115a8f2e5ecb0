use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn interactions_keep_every_field_and_list_newest_first(app: TestApp) {
    let agent = app.user("agent1", "agent").await;
    let id = agent
        .create_client(json!({"kind": "legal", "name": "Umbrella"}))
        .await;
    let (status, body) = agent
        .post("/api/v1/interactions", json!({
            "client_id": id, "channel": "meeting", "direction": "out", "started_at": "2026-03-01T09:30:00Z",
            "duration_s": 1800, "priority": "high", "type": "sale", "state": "partly_done", "status": "held",
            "advertising_source": "exhibition", "result": "asked for a proposal", "notes": "met at the fair"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    agent
        .post("/api/v1/interactions", json!({"client_id": id, "channel": "call", "direction": "in", "started_at": "2026-03-02T12:00:00+03:00"}))
        .await;
    let (_, page) = agent
        .get(&format!("/api/v1/clients/{id}/interactions"))
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["channel"], "call", "newest first");
    assert_eq!(items[0]["started_at"], "2026-03-02T09:00:00Z");
    assert_eq!(items[0]["type"], "other");
    assert_eq!(items[0]["state"], "done");
    let meeting = &items[1];
    assert_eq!(meeting["duration_s"], 1800);
    assert_eq!(meeting["priority"], "high");
    assert_eq!(meeting["type"], "sale");
    assert_eq!(meeting["state"], "partly_done");
    assert_eq!(meeting["advertising_source"], "exhibition");
    assert_eq!(meeting["responsible_name"], "agent1");
    let (status, body) = agent
        .post("/api/v1/interactions", json!({"client_id": id, "channel": "fax", "direction": "sideways", "started_at": "yesterday"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["channel", "direction", "started_at"]);
}

async fn overdue_tasks_are_listed_and_closing_one_removes_it(app: TestApp) {
    let agent = app.user("agent1", "agent").await;
    let other = app.user("agent2", "agent").await;
    let id = agent
        .create_client(json!({"kind": "legal", "name": "Soylent"}))
        .await;
    let (_, late) = agent
        .post(
            "/api/v1/tasks",
            json!({"client_id": id, "title": "Call back", "due_at": "2020-01-01T10:00:00Z"}),
        )
        .await;
    let late = late["id"].as_i64().unwrap();
    agent
        .post(
            "/api/v1/tasks",
            json!({"title": "Prepare report", "due_at": "2099-01-01T10:00:00Z"}),
        )
        .await;
    let (_, overdue) = agent.get("/api/v1/tasks?responsible=me&overdue=true").await;
    let items = overdue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Call back");
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[0]["client_name"], "Soylent");
    let (_, open) = agent.get("/api/v1/tasks?state=open").await;
    assert_eq!(open["items"].as_array().unwrap().len(), 2);
    let (_, theirs) = other.get("/api/v1/tasks").await;
    assert!(
        theirs["items"].as_array().unwrap().is_empty(),
        "another agent's tasks are hidden"
    );
    let (status, _) = other
        .patch(&format!("/api/v1/tasks/{late}"), json!({"state": "done"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, task) = agent
        .patch(&format!("/api/v1/tasks/{late}"), json!({"state": "done"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task["state"], "done");
    assert_eq!(task["overdue"], false);
    assert!(task["completed_at"].is_string());
    let (_, overdue) = agent.get("/api/v1/tasks?responsible=me&overdue=true").await;
    assert!(overdue["items"].as_array().unwrap().is_empty());
    let (status, body) = agent
        .post("/api/v1/tasks", json!({"title": " ", "due_at": "soon"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["title", "due_at"]);
}

async fn a_task_assigned_to_a_colleague_shows_on_their_list(app: TestApp) {
    let supervisor = app.user("sup", "supervisor").await;
    let agent = app.user("agent1", "agent").await;
    let agent_id = agent.me().await["id"].as_i64().unwrap();
    let (status, _) = supervisor
        .post("/api/v1/tasks", json!({"title": "Review the queue", "due_at": "2030-05-05T08:00:00Z", "responsible_id": agent_id}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, mine) = agent.get("/api/v1/tasks?responsible=me").await;
    assert_eq!(mine["items"][0]["title"], "Review the queue");
    assert_eq!(mine["items"][0]["responsible_name"], "agent1");
}

on_both_backends!(
    interactions_keep_every_field_and_list_newest_first,
    overdue_tasks_are_listed_and_closing_one_removes_it,
    a_task_assigned_to_a_colleague_shows_on_their_list,
);
