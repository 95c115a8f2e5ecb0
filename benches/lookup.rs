//! Screen-pop lookup latency: `cargo bench --bench lookup [-- sqlite|postgres [CLIENTS [REQUESTS]]]`.
//!
//! Loads CLIENTS generated clients (default 1,000,000) through the importer,
//! starts the HTTP application on 127.0.0.1:0 in this process, logs in as an
//! admin, and times REQUESTS (default 20,000) sequential
//! `GET /api/v1/clients/lookup?phone=...` of random known numbers written in
//! US national form, as a PBX passes them. Prints p50/p90/p99/max.

mod common;

use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use switchboard::api::{AppState, router};
use switchboard::crm::import::MatchField;
use switchboard::import::{Options, import_clients};
use switchboard::phone::Region;
use switchboard::runtime::clock;

const WARM_UP: usize = 500;

fn main() {
    let args = common::Args::from_env();
    common::block_on(run(
        &args.backend(),
        args.number(1, 1_000_000u64),
        args.number(2, 20_000usize),
    ));
}

async fn run(backend: &str, clients: u64, requests: usize) {
    let (repo, _url, cleanup) = common::fresh_database(backend, "lookup").await;
    let region = Region::parse("US").expect("US");
    let loaded = Instant::now();
    let options = Options::new(MatchField::ExternalId, region);
    let input = Cursor::new(common::csv(clients).into_bytes());
    let summary = import_clients(repo.clone(), input, &options, clock::now(), |_| {})
        .await
        .expect("the clients load");
    println!(
        "lookup bench on {backend}: {} clients loaded in {:.1} s",
        summary.created,
        loaded.elapsed().as_secs_f64()
    );
    let state = AppState {
        repo,
        region,
        session_hours: 12,
        sip_realm: "switchboard".into(),
        metrics: None,
        sip: None,
        recordings: None,
        events: Default::default(),
    };
    let app = router(state, Path::new("/nonexistent"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("a login answer");
    let token = login["token"].as_str().expect("a token").to_string();
    let url = format!("{base}/api/v1/clients/lookup");
    let mut rng = common::Rng::new(7);
    let mut times = Vec::with_capacity(requests);
    let mut misses = 0;
    let started = Instant::now();
    for i in 0..WARM_UP + requests {
        let phone = common::us_national(rng.below(clients));
        let sent = Instant::now();
        let response = http
            .get(&url)
            .bearer_auth(&token)
            .query(&[("phone", phone.as_str())])
            .send()
            .await
            .expect("a response");
        let ok = response.status().is_success();
        response.bytes().await.expect("a body");
        if i >= WARM_UP {
            times.push(sent.elapsed());
            misses += usize::from(!ok);
        }
    }
    let total = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{requests} lookups ({misses} not 200): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} req/s; load {}",
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(*times.last().expect("at least one request")),
        (WARM_UP + requests) as f64 / total.as_secs_f64(),
        common::load()
    );
    cleanup.run().await;
}
