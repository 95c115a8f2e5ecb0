//! Queues kept in the database and agents' skills, managed by admins.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn admins_manage_queues_checked_like_dialplan_tables(app: TestApp) {
    let admin = app.admin().await;
    let (status, queue) = admin
        .put(
            "/api/v1/queues/support",
            json!({"strategy": "skills", "ring_timeout": 20, "needs": {"german": 60},
                "results": ["solved", "escalated"], "priority_by_status": {"vip": 10}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue["settings"]["needs"]["german"], 60);
    let (status, backup) = admin
        .put("/api/v1/queues/backup", json!({"wrap_up": 0}))
        .await;
    assert_eq!(status, StatusCode::OK, "{backup}");
    let (_, list) = admin.get("/api/v1/queues").await;
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].clone())
        .collect();
    assert_eq!(names, ["backup", "support"]);
    assert_eq!(list["items"][1]["source"], "database");
    let (_, one) = admin.get("/api/v1/queues/support").await;
    assert_eq!(one["settings"]["results"], json!(["solved", "escalated"]));

    // Mistakes are named by their key, as a dialplan file's would be.
    let (status, problem) = admin
        .put(
            "/api/v1/queues/support",
            json!({"strategy": "random", "ring_timeout": 0, "overflow": "queue:nowhere"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(named, ["overflow", "ring_timeout", "strategy"]);
    let (status, problem) = admin
        .put("/api/v1/queues/support", json!({"colour": "red"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["colour"]);
    let (status, problem) = admin.put("/api/v1/queues/sales%20team", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["name"]);
    let (status, _) = admin
        .put("/api/v1/queues/support", json!(["not", "an object"]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, still) = admin.get("/api/v1/queues/support").await;
    assert_eq!(
        still["settings"]["strategy"], "skills",
        "a refused change keeps the queue"
    );

    // A queue another overflows to cannot go; once nothing names it, it can.
    let (status, _) = admin
        .put(
            "/api/v1/queues/support",
            json!({"overflow": "queue:backup"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = admin.delete("/api/v1/queues/backup").await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, _) = admin.delete("/api/v1/queues/support").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.delete("/api/v1/queues/backup").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.delete("/api/v1/queues/backup").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Supervisors see queues; only admins change them.
    let supervisor = app.user("super1", "supervisor").await;
    let (status, _) = supervisor.get("/api/v1/queues").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = supervisor.put("/api/v1/queues/x", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, audit) = admin.get("/api/v1/audit?entity=queue").await;
    assert!(
        audit["items"].as_array().unwrap().len() >= 4,
        "every change is audited: {audit}"
    );
}

async fn admins_set_agents_skills(app: TestApp) {
    let agent = app.user("agent1", "agent").await;
    let id = agent.me().await["id"].as_i64().unwrap();
    let admin = app.admin().await;
    let path = format!("/api/v1/users/{id}/skills");
    let (status, problem) = admin
        .put(
            &path,
            json!({"skills": {"german": 80, "bad name": 5, "english": 101}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["skills.bad name", "skills.english"]);
    let (status, _) = admin
        .put(&path, json!({"skills": {"german": 80, "english": 40}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, own) = agent.get(&path).await;
    assert_eq!(status, StatusCode::OK, "an agent reads their own skills");
    assert_eq!(own["skills"], json!({"english": 40, "german": 80}));
    let (status, _) = agent.put(&path, json!({"skills": {"german": 100}})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "but does not set them");
    let other = app.user("agent2", "agent").await;
    let (status, _) = other.get(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.put(&path, json!({"skills": {}})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(agent.get(&path).await.1["skills"], json!({}));
}

on_both_backends!(
    admins_manage_queues_checked_like_dialplan_tables,
    admins_set_agents_skills
);
