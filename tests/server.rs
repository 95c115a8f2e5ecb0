//! The `switchboard` binary as an operator runs it: migrate, add a user,
//! serve, answer health and metrics, stop cleanly on SIGTERM.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn user_add(db: &str, name: &str, role: &str) -> std::process::Output {
    bin()
        .args([
            "user",
            "add",
            name,
            "--role",
            role,
            "--password",
            "ops-pass",
            "--database",
            db,
        ])
        .output()
        .unwrap()
}

#[test]
fn the_binary_serves_until_sigterm_on_flags_given_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("sb.db").display());

    let out = bin().args(["migrate", "--database", &db]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date (sqlite)"));

    let out = user_add(&db, "ops", "admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = user_add(&db, "ops", "admin");
    assert!(
        !out.status.success(),
        "a second user of the same name is refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
    let out = user_add(&db, "x2", "king");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("role: must be one of"));

    let port = free_port();
    let mut server = bin()
        .args([
            "serve",
            "--database",
            &db,
            "--http",
            &format!("127.0.0.1:{port}"),
            "--sip",
            "127.0.0.1:0",
        ])
        .env("SWITCHBOARD_WEB_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let login = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "ops", "password": "ops-pass"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let metrics = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("http_requests_total")
                && metrics.contains("route=\"/api/v1/auth/login\""),
            "{metrics}"
        );
        let page = http.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(
            page.status(),
            503,
            "without a built web app the root says how to build it"
        );
    });

    // SIGTERM: the server drains and exits 0.
    let pid = server.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "server ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = String::new();
    std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(status.success(), "exit {status:?}: {log}");
    assert!(log.contains("shutting down"), "{log}");
}

#[test]
fn a_bad_setting_is_reported_with_its_source() {
    let out = bin()
        .args(["migrate", "--database", "mysql://root:secret@localhost/x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported database URL") && !err.contains("secret"),
        "{err}"
    );
    let out = bin()
        .args(["migrate"])
        .env("SWITCHBOARD_HTTP", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SWITCHBOARD_HTTP"));
}
