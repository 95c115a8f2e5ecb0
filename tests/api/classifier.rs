use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

async fn the_tree_is_listed_parents_first_and_renamed_nodes_show_on_cards(app: TestApp) {
    let admin = app.admin().await;
    let (_, loyalty) = admin
        .post("/api/v1/classifier", json!({"name": "Loyalty"}))
        .await;
    let loyalty = loyalty["id"].as_i64().unwrap();
    let (_, loyal) = admin
        .post(
            "/api/v1/classifier",
            json!({"name": "Loyal", "parent_id": loyalty}),
        )
        .await;
    let loyal = loyal["id"].as_i64().unwrap();
    let (status, _) = admin
        .post(
            "/api/v1/classifier",
            json!({"name": "Orphan", "parent_id": 4242}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, tree) = admin.get("/api/v1/classifier").await;
    let nodes = tree["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["name"], "Loyalty");
    assert_eq!(nodes[1]["parent_id"], loyalty);

    let id = admin
        .create_client(json!({"kind": "individual", "name": "Fan", "classifier": [loyal]}))
        .await;
    let (status, _) = admin
        .patch(
            &format!("/api/v1/classifier/{loyal}"),
            json!({"name": "Very loyal"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, card) = admin.get(&format!("/api/v1/clients/{id}")).await;
    assert_eq!(card["classifier"][0]["path"], "Loyalty / Very loyal");
    let (status, _) = admin.delete(&format!("/api/v1/classifier/{loyal}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, card) = admin.get(&format!("/api/v1/clients/{id}")).await;
    assert!(card["classifier"].as_array().unwrap().is_empty());
}

on_both_backends!(the_tree_is_listed_parents_first_and_renamed_nodes_show_on_cards);
