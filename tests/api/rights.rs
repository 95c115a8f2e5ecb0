use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn an_agent_sees_only_their_own_clients(app: TestApp) {
    let one = app.user("agent1", "agent").await;
    let two = app.user("agent2", "agent").await;
    let mine = one
        .create_client(json!({"kind": "individual", "name": "Olga Petrova", "phones": [{"number": "+7 495 123-45-67"}]}))
        .await;
    let (_, list) = one.get("/api/v1/clients?q=olga").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let (_, list) = two.get("/api/v1/clients?q=olga").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let (_, list) = two.get("/api/v1/clients").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    // Rows outside one's rights answer exactly like rows that do not exist.
    let (status, hidden) = two.get(&format!("/api/v1/clients/{mine}")).await;
    let (_, missing) = two.get("/api/v1/clients/987654").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(hidden, missing);
    let (status, _) = two.get("/api/v1/clients/lookup?phone=%2B74951234567").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = two
        .patch(
            &format!("/api/v1/clients/{mine}"),
            json!({"name": "Hijacked"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = two
        .get(&format!("/api/v1/clients/{mine}/interactions"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = two
        .post(
            "/api/v1/interactions",
            json!({"client_id": mine, "channel": "call", "direction": "out"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["client_id"]);
    let (status, _) = two
        .post(
            &format!("/api/v1/clients/{mine}/contact-persons"),
            json!({"name": "Spy"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let admin = app.admin().await;
    let (_, card) = admin.get(&format!("/api/v1/clients/{mine}")).await;
    assert_eq!(
        card["name"], "Olga Petrova",
        "the failed patch changed nothing"
    );
}

async fn an_agent_may_not_hand_clients_to_others(app: TestApp) {
    let one = app.user("agent1", "agent").await;
    let two = app.user("agent2", "agent").await;
    let two_id = two.me().await["id"].as_i64().unwrap();
    let (status, body) = one
        .post(
            "/api/v1/clients",
            json!({"kind": "legal", "name": "X", "responsible_id": two_id}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["responsible_id"]);
    let supervisor = app.user("sup", "supervisor").await;
    let id = supervisor
        .create_client(json!({"kind": "legal", "name": "Assigned", "responsible_id": two_id}))
        .await;
    let (status, card) = two.get(&format!("/api/v1/clients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["responsible_name"], "agent2");
}

async fn a_team_grant_opens_the_teams_clients(app: TestApp) {
    let manager = app.user("boss", "manager").await;
    let agent = app.user("agent1", "agent").await;
    let outsider = app.user("agent9", "agent").await;
    let team = app.repo.ensure_team("Sales A").await.unwrap();
    for session in [&manager, &agent] {
        let id = session.me().await["id"].as_i64().unwrap();
        app.repo
            .set_user_team(switchboard::ids::UserId(id), Some(team))
            .await
            .unwrap();
    }
    agent
        .create_client(json!({"kind": "legal", "name": "Team Client"}))
        .await;
    outsider
        .create_client(json!({"kind": "legal", "name": "Other Client"}))
        .await;
    let (_, list) = manager.get("/api/v1/clients").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "managers reach their own clients by default"
    );

    let admin = app.admin().await;
    let (status, _) = admin
        .put(
            "/api/v1/roles/manager/rights/clients",
            json!({"read": true, "write": true, "scope": "team"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = manager.get("/api/v1/clients").await;
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Team Client"]);
    assert_eq!(manager.me().await["rights"]["clients"]["scope"], "team");
}

async fn sections_closed_to_a_role_are_forbidden(app: TestApp) {
    let agent = app.user("agent1", "agent").await;
    let (status, body) = agent.get("/api/v1/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["type"], "/problems/forbidden");
    let (status, _) = agent
        .post("/api/v1/classifier", json!({"name": "Mine"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = agent.get("/api/v1/classifier").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "agents read the classifier to filter by it"
    );
    let (status, _) = agent
        .put(
            "/api/v1/roles/agent/rights/clients",
            json!({"read": true, "write": true, "scope": "all"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    an_agent_sees_only_their_own_clients,
    an_agent_may_not_hand_clients_to_others,
    a_team_grant_opens_the_teams_clients,
    sections_closed_to_a_role_are_forbidden,
);
