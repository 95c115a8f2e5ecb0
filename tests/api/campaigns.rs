//! Outbound campaigns as marketers set them up: defaults, every mistake by
//! its field, names unique, agents who exist, and who may see or change them.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn marketers_set_up_campaigns_with_every_mistake_named(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let (status, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": " Spring offer ", "settings": {"mode": "predictive",
                "caller_id": "+49 30 1234567", "time_zone": "Europe/Berlin",
                "agents": [anna, anna], "results": ["sale", "no interest"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, campaign) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(campaign["name"], "Spring offer");
    let settings = &campaign["settings"];
    assert_eq!(settings["mode"], "predictive");
    assert_eq!(settings["caller_id"], "+49301234567");
    assert_eq!(settings["agents"], json!([anna]));
    // What was left out has its default.
    assert_eq!(settings["calling_from"], "08:00");
    assert_eq!(settings["calling_until"], "21:00");
    assert_eq!(settings["abandon_limit_pct"], 3.0);
    assert_eq!(settings["retry_minutes"]["busy"], 10);

    // Every mistake at once, by its field; nothing is stored.
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"name": "", "settings": {"time_zone": "Mars/Olympus",
                "calling_from": "9 am", "max_attempts": 0, "abandon_limit_pct": 50,
                "results": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        fields(&problem),
        [
            "name",
            "settings.time_zone",
            "settings.calling_from",
            "settings.max_attempts",
            "settings.abandon_limit_pct",
            "settings.results"
        ]
    );
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"colour": "red"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.colour"]);
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"agents": [999_999]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.agents"]);
    let (_, unchanged) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(unchanged["settings"], campaign["settings"]);

    // A change keeps what it leaves out.
    let (status, changed) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"calling_from": "09:30", "retry_minutes":
                {"busy": 5, "no_answer": null, "failed": 60, "voicemail": null, "abandoned": 1440}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["settings"]["calling_from"], "09:30");
    assert_eq!(changed["settings"]["mode"], "predictive");
    assert!(changed["settings"]["retry_minutes"]["no_answer"].is_null());

    // Names are unique; a name is needed.
    let (status, problem) = marketer
        .post("/api/v1/campaigns", json!({"name": "Spring offer"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = marketer
        .post("/api/v1/campaigns", json!({"settings": {}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["name"]);
    let (status, _) = marketer
        .post("/api/v1/campaigns", json!({"name": "Autumn"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = marketer.get("/api/v1/campaigns").await;
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, ["Autumn", "Spring offer"]);

    // Agents neither see nor change campaigns; managers see them.
    let (status, _) = agent.get("/api/v1/campaigns").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let manager = app.user("max", "manager").await;
    let (status, _) = manager.get("/api/v1/campaigns").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = manager.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = marketer.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_backends!(marketers_set_up_campaigns_with_every_mistake_named);
