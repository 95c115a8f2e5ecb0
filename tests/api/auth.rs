use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, on_both_backends};

async fn login_gives_a_token_that_works_as_bearer_and_cookie(app: TestApp) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": "admin", "password": crate::helpers::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("sb_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");

    // The cookie alone authenticates the browser.
    let me = client
        .get(format!("{}/api/v1/auth/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["rights"]["clients"]["scope"], "all");

    // The token alone authenticates an integrator.
    let session = app.admin().await;
    assert_eq!(session.me().await["username"], "admin");
}

async fn wrong_passwords_and_unknown_users_get_the_same_answer(app: TestApp) {
    let (s1, b1) = app
        .raw(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "admin", "password": "nope"})),
        )
        .await;
    let (s2, b2) = app
        .raw(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "ghost", "password": "nope"})),
        )
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(b1, b2);
    assert_eq!(b1["detail"], "Wrong username or password.");
}

async fn logout_ends_the_session(app: TestApp) {
    let session = app.admin().await;
    let (status, _) = session.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = session.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
}

async fn requests_without_a_session_are_refused(app: TestApp) {
    let (status, body) = app
        .raw(reqwest::Method::GET, "/api/v1/clients", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], "/problems/unauthorized");
    let (status, _) = app
        .raw(
            reqwest::Method::GET,
            "/api/v1/clients",
            Some("forged"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn only_admins_create_users_and_names_are_unique(app: TestApp) {
    let agent = app.user("agent7", "agent").await;
    let (status, _) = agent
        .post(
            "/api/v1/users",
            json!({"username": "x1", "password": "pass-1234", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let (status, body) = admin
        .post(
            "/api/v1/users",
            json!({"username": "agent7", "password": "pass-1234", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(crate::helpers::fields(&body), vec!["username"]);
    let (status, body) = admin
        .post(
            "/api/v1/users",
            json!({"username": "x2", "password": "p", "role": "boss"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::helpers::fields(&body), vec!["password", "role"]);
}

on_both_backends!(
    login_gives_a_token_that_works_as_bearer_and_cookie,
    wrong_passwords_and_unknown_users_get_the_same_answer,
    logout_ends_the_session,
    requests_without_a_session_are_refused,
    only_admins_create_users_and_names_are_unique,
);
