//! Saved segments: named filters over the client base that campaigns take
//! their leads from.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn marketers_save_segments_and_campaigns_take_leads_from_them(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let admin = app.admin().await;
    for (name, status, phone) in [
        ("Gold One", "vip", Some("+12025550101")),
        ("Gold Two", "vip", Some("+12025550102")),
        ("No Phone", "vip", None),
        ("Plain", "active", Some("+12025550103")),
    ] {
        let phones = phone.map_or(json!([]), |p| json!([{"number": p}]));
        admin
            .create_client(
                json!({"kind": "individual", "name": name, "status": status, "phones": phones}),
            )
            .await;
    }

    // Every mistake named at once, by its place in the filter.
    let (status, problem) = marketer
        .post(
            "/api/v1/segments",
            json!({"name": " ", "filter": {"kind": "robot", "sort": "name", "attr.nope": "1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(
        named,
        ["filter.attr.nope", "filter.kind", "filter.sort", "name"]
    );

    let (status, created) = marketer
        .post(
            "/api/v1/segments",
            json!({"name": "VIPs", "filter": {"status": "vip", "q": ""}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let segment = created["id"].as_i64().unwrap();
    let (status, _) = marketer
        .post(
            "/api/v1/segments",
            json!({"name": "VIPs", "filter": {"status": "active"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique");

    // Listed with what it matches now: three VIPs, two with a phone. The
    // empty filter value was no filter and is not kept.
    let (_, list) = marketer.get("/api/v1/segments").await;
    let listed = &list["items"][0];
    assert_eq!(
        (&listed["name"], &listed["filter"], &listed["size"]),
        (
            &json!("VIPs"),
            &json!({"status": "vip"}),
            &json!({"clients": 3, "callable": 2})
        ),
        "{list}"
    );

    // A campaign takes the leads the segment gives now; again adds none.
    let (_, campaign) = marketer
        .post("/api/v1/campaigns", json!({"name": "VIP winback"}))
        .await;
    let id = campaign["id"].as_i64().unwrap();
    let path = format!("/api/v1/campaigns/{id}/leads/segments/{segment}?priority=4");
    let (status, added) = marketer.post(&path, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["added"], 2);
    let (_, again) = marketer.post(&path, json!(null)).await;
    assert_eq!(again["added"], 0);
    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let mut numbers: Vec<(String, i64)> = (leads["items"].as_array().unwrap().iter())
        .map(|l| {
            (
                l["number"].as_str().unwrap().to_string(),
                l["priority"].as_i64().unwrap(),
            )
        })
        .collect();
    numbers.sort();
    assert_eq!(
        numbers,
        [
            ("+12025550101".to_string(), 4),
            ("+12025550102".to_string(), 4)
        ]
    );
    let (status, _) = marketer
        .post(
            &format!("/api/v1/campaigns/{id}/leads/segments/{}", segment + 100),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Changed: the filter is what it matches from then on.
    let (status, changed) = marketer
        .put(
            &format!("/api/v1/segments/{segment}"),
            json!({"filter": {"status": "active"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["name"], &changed["size"]),
        (&json!("VIPs"), &json!({"clients": 1, "callable": 1})),
        "the name stays when left out"
    );
    let (_, added) = marketer.post(&path, json!(null)).await;
    assert_eq!(added["added"], 1, "Plain's number");

    // Agents work campaigns; they do not build segments.
    let agent = app.user("anna", "agent").await;
    let (status, _) = agent
        .post(
            "/api/v1/segments",
            json!({"name": "Mine", "filter": {"responsible": "me"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Deleted: gone, and the leads it gave stay.
    let (status, _) = marketer
        .delete(&format!("/api/v1/segments/{segment}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = marketer.get(&format!("/api/v1/segments/{segment}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 3);
}

on_both_backends!(marketers_save_segments_and_campaigns_take_leads_from_them,);
