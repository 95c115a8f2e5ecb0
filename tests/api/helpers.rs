//! `TestApp`: the whole HTTP application on 127.0.0.1:0 over a fresh
//! database, SQLite or PostgreSQL, with typed helpers for the endpoints.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard::api::users::{UserInput, parse_new_user};
use switchboard::api::{AppState, router};
use switchboard::crm::Repository;
use switchboard::phone::Region;

use crate::support::TestDatabase;

pub const ADMIN_PASSWORD: &str = "admin-pass";
/// The realm the test server turns SIP passwords into HA1 with.
pub const SIP_REALM: &str = "test.switchboard";

/// Runs a test body once per backend.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(crate::helpers::TestApp::sqlite().await).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(crate::helpers::TestApp::postgres().await).await
            })*
        }
    };
}
pub(crate) use on_both_backends;

pub struct TestApp {
    pub base: String,
    pub repo: Arc<dyn Repository>,
    http: reqwest::Client,
    /// The folder the server plays call recordings from.
    pub recordings: tempfile::TempDir,
    _db: TestDatabase,
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::start(TestDatabase::sqlite()).await
    }

    pub async fn postgres() -> Self {
        Self::start(TestDatabase::postgres().await).await
    }

    async fn start(db: TestDatabase) -> Self {
        let repo = switchboard::storage::open(db.url()).await.unwrap();
        let admin = parse_new_user(UserInput {
            username: Some("admin".into()),
            password: Some(ADMIN_PASSWORD.into()),
            role: Some("admin".into()),
            display_name: Some("Ada Admin".into()),
            team_id: None,
        })
        .unwrap();
        repo.create_user(admin, switchboard::runtime::clock::now())
            .await
            .unwrap();
        let recordings = tempfile::tempdir().unwrap();
        let state = AppState {
            recordings: Some(recordings.path().to_owned()),
            repo: repo.clone(),
            region: Region::parse("US").unwrap(),
            session_hours: 12,
            sip_realm: SIP_REALM.into(),
            metrics: None,
            sip: None,
            events: Default::default(),
        };
        let app = router(state, std::path::Path::new("/nonexistent"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestApp {
            recordings,
            base,
            repo,
            http: reqwest::Client::new(),
            _db: db,
        }
    }

    /// Logs in and returns a session for that user.
    pub async fn login(&self, username: &str, password: &str) -> Session<'_> {
        let (status, body) = self
            .raw(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login as {username}: {body}");
        Session {
            app: self,
            token: body["token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn admin(&self) -> Session<'_> {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user through the API (as admin) and logs them in.
    pub async fn user(&self, username: &str, role: &str) -> Session<'_> {
        let admin = self.admin().await;
        let (status, body) = admin
            .post(
                "/api/v1/users",
                json!({"username": username, "password": "pass-1234", "role": role}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.login(username, "pass-1234").await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// Sends raw bytes with a content type, for malformed-body tests.
    pub async fn send_bytes(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: &'static str,
    ) -> (StatusCode, String, Value) {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let ct = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        (status, ct, response.json().await.unwrap())
    }
}

pub struct Session<'a> {
    app: &'a TestApp,
    pub token: String,
}

impl Session<'_> {
    /// A GET whose answer is not JSON, with extra request headers: the
    /// status, the headers and the bytes.
    pub async fn get_bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self
            .app
            .http
            .get(format!("{}{}", self.app.base, path))
            .bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.app
            .raw(Method::GET, path, Some(&self.token), None)
            .await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .raw(Method::POST, path, Some(&self.token), Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .raw(Method::PATCH, path, Some(&self.token), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.app
            .raw(Method::DELETE, path, Some(&self.token), None)
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .raw(Method::PUT, path, Some(&self.token), Some(body))
            .await
    }

    /// Creates a client and returns its id.
    pub async fn create_client(&self, body: Value) -> i64 {
        let (status, body) = self.post("/api/v1/clients", body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    pub async fn me(&self) -> Value {
        self.get("/api/v1/auth/me").await.1
    }
}

/// The `field` names of a problem document's errors.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}
