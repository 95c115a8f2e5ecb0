use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn malformed_json_is_a_400_problem(app: TestApp) {
    let admin = app.admin().await;
    let (status, content_type, body) = app
        .send_bytes(
            "/api/v1/clients",
            &admin.token,
            "application/json",
            "{\"kind\": \"legal\", ",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 400);
}

async fn a_wrong_type_names_the_nested_field(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .post(
            "/api/v1/clients",
            json!({"kind": "legal", "name": "Acme", "phones": [{"number": 5}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["phones[0].number"]);
}

async fn a_non_json_body_is_refused_plainly(app: TestApp) {
    let admin = app.admin().await;
    let (status, _, body) = app
        .send_bytes("/api/v1/clients", &admin.token, "text/plain", "name=Acme")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), vec!["content-type"]);
}

async fn bad_query_parameters_are_named(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .get("/api/v1/clients?limit=0&sort=size&kind=robot&cursor=zz")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut named = fields(&body);
    named.sort();
    assert_eq!(named, vec!["cursor", "kind", "limit", "sort"]);
    let (status, body) = admin.get("/api/v1/clients/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), vec!["id"]);
}

async fn unknown_api_paths_are_404_problems(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "/problems/not-found");
}

async fn the_openapi_document_describes_the_fixed_endpoints(app: TestApp) {
    let (status, doc) = app
        .raw(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/users",
        "/api/v1/clients",
        "/api/v1/clients/lookup",
        "/api/v1/tasks",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let (status, page) = app
        .raw(reqwest::Method::GET, "/api/v1/docs", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("openapi.json"));
}

async fn health_and_readiness_answer(app: TestApp) {
    let (status, _) = app.raw(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.raw(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap().starts_with("ready ("));
}

on_both_backends!(
    malformed_json_is_a_400_problem,
    a_wrong_type_names_the_nested_field,
    a_non_json_body_is_refused_plainly,
    bad_query_parameters_are_named,
    unknown_api_paths_are_404_problems,
    the_openapi_document_describes_the_fixed_endpoints,
    health_and_readiness_answer,
);
