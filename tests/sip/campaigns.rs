//! Outbound campaigns dialled by the server binary, with SIPp as the
//! carrier behind a trunk (answering, busy or unanswered by the number's
//! last digit) and as the agent's phone: the marketer sets the campaign up
//! and starts it through the API, the dialler calls within the window and
//! around the do-not-call list, retries by the rules, puts the answered
//! call through to the agent, and stores every attempt.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::time::Duration;

use chrono::Timelike;
use serde_json::{Value, json};

use super::{Sipp, free_port, register, wait_bound};

/// The server binary on a database, with a trunk `carrier` to a SIPp.
struct Server {
    _dir: tempfile::TempDir,
    log: PathBuf,
    /// Killed when dropped.
    _process: tokio::process::Child,
    http: u16,
    sip: SocketAddr,
}

impl Server {
    /// Loads the demo data into `db` and serves it with the demo plan and
    /// a trunk to `carrier_port`.
    async fn start(db: &str, carrier_port: u16) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let plans = dir.path().join("dialplans");
        std::fs::create_dir(&plans).unwrap();
        std::fs::copy(
            manifest.join("dialplans/demo.toml"),
            plans.join("demo.toml"),
        )
        .unwrap();
        let config = dir.path().join("switchboard.toml");
        std::fs::write(
            &config,
            format!(
                "[[trunks]]\nname = \"carrier\"\nvendor = \"generic\"\npeers = [\"127.0.0.1:{carrier_port}\"]\noptions_interval_secs = 0\n"
            ),
        )
        .unwrap();
        let bin = env!("CARGO_BIN_EXE_switchboard");
        let demo = std::process::Command::new(bin)
            .args(["demo", "--database", db])
            .current_dir(manifest)
            .output()
            .unwrap();
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let (http, sip) = (free_port(), free_port());
        let log = dir.path().join("server.log");
        let process = tokio::process::Command::new(bin)
            .args([
                "serve",
                "--config",
                &config.display().to_string(),
                "--database",
                db,
                "--http",
                &format!("127.0.0.1:{http}"),
                "--sip",
                &format!("127.0.0.1:{sip}"),
            ])
            .env("SWITCHBOARD_DIALPLANS", &plans)
            .env("SWITCHBOARD_WEB_DIR", dir.path())
            .env("SWITCHBOARD_SPOOL_DIR", dir.path().join("spool"))
            .current_dir(manifest)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let server = Server {
            _dir: dir,
            log,
            _process: process,
            http,
            sip: format!("127.0.0.1:{sip}").parse().unwrap(),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", http))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server starts: {}", server.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A logged-in user of the demo data (password `demo`).
    async fn user(&self, username: &str) -> Api {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{}/api/v1", self.http);
        let login = client
            .post(format!("{base}/auth/login"))
            .json(&json!({"username": username, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert!(login.status().is_success(), "{username} logs in");
        Api { client, base }
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// The body of a GET that succeeded; `None` while the server cannot
    /// answer (its database away).
    async fn try_get(&self, path: &str) -> Option<Value> {
        let response = (self.client.get(format!("{}{path}", self.base)))
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json().await.ok()
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_csv(&self, path: &str, csv: &str) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }
}

/// A two-hour calling window around the time in Berlin now, which is
/// closed in Tokyo (eight or seven hours ahead) whatever the hour.
fn window_around_berlin() -> (String, String) {
    let hour = switchboard::runtime::clock::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .hour();
    match hour {
        0 => ("00:00".into(), "02:00".into()),
        23 => ("22:00".into(), "23:59".into()),
        h => (format!("{:02}:00", h - 1), format!("{:02}:00", h + 1)),
    }
}

/// Polls `read` until `done` holds of what it gives, for up to 30 s.
async fn until(mut read: impl AsyncFnMut() -> Value, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = read().await;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

fn lead<'a>(leads: &'a Value, number: &str) -> &'a Value {
    leads["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["number"] == number)
        .unwrap_or_else(|| panic!("no lead {number}: {leads}"))
}

async fn a_progressive_campaign_calls_retries_and_connects_through_a_sipp_carrier(
    db: super::support::TestDatabase,
) {
    // The carrier takes five calls: the busy and the unanswered numbers
    // twice each (two attempts), the answering one once.
    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_answers_by_number.xml");
    carrier.arg([
        "-p",
        &carrier_port.to_string(),
        "-m",
        "5",
        "-l",
        "5",
        "-timeout",
        "60",
    ]);
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(db.url(), carrier_port).await;

    // agent1 (extension 1001) with a SIPp phone that answers and, a second
    // later, hangs up.
    let (phone, phone_run, agent, agent_id) = agent1_with(&server, "phone_hangs_up.xml").await;

    let marketer = server.user("supervisor").await;
    // The number that answers is a client's: the agent's result goes on
    // the client's contact history.
    let (status, client) = marketer
        .post(
            "/clients",
            json!({"kind": "legal", "name": "Nordlicht GmbH", "phones": [{"number": "+49 30 555001"}]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{client}");
    let client_id = client["id"].as_i64().unwrap();
    let (from, until_) = window_around_berlin();
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Winter offer", "settings": {"mode": "progressive",
                "trunk": "carrier", "caller_id": "+4940111111", "time_zone": "Europe/Berlin",
                "calling_from": from, "calling_until": until_, "max_attempts": 2,
                "retry_minutes": {"busy": 0, "no_answer": 0, "failed": 0, "voicemail": null, "abandoned": 0},
                "agents": [agent_id], "results": ["sale", "no interest"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    // Busy and unanswered first (priority), then the one who answers; one
    // on the campaign's do-not-call list, one in Tokyo where it is night
    // or evening outside the window.
    let added = marketer
        .post_csv(
            &format!("/campaigns/{id}/leads"),
            "number,priority\n+4930555002,3\n+4930555003,2\n+4930555001,1\n+4930555004,5\n+81355550001,5\n",
        )
        .await;
    assert_eq!(added["added"], 5, "{added}");
    let (status, body) = marketer
        .post(
            &format!("/campaigns/{id}/dnc"),
            json!({"number": "+4930555004"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, started) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{started}");
    assert_eq!(started["state"], "running");

    // The answered call reaches agent1, whose lead it becomes.
    let leads_path = format!("/campaigns/{id}/leads?limit=50");
    let leads = until(
        async || marketer.get(&leads_path).await,
        |leads| lead(leads, "+4930555001")["agent_id"] == agent_id,
    )
    .await;
    let answered = lead(&leads, "+4930555001");
    assert_eq!(
        answered["agent_id"],
        agent_id,
        "connected to agent1: {leads}\n{}",
        server.log()
    );
    let (ok, out) = phone.finish(phone_run).await;
    assert!(ok, "agent1's phone answered the campaign call: {out}");
    let lead_id = answered["id"].as_i64().unwrap();
    let (status, finished) = agent
        .post(
            &format!("/campaigns/{id}/leads/{lead_id}/outcome"),
            json!({"outcome": "answered", "result": "sale"}),
        )
        .await;
    assert!(
        status.is_success(),
        "the agent records the result: {finished}"
    );
    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(
        ok,
        "the carrier had its five calls: {out}\n{}",
        server.log()
    );

    let leads = until(
        async || marketer.get(&leads_path).await,
        |leads| lead(leads, "+4930555003")["state"] == "closed",
    )
    .await;
    let summary = |number: &str| {
        let l = lead(&leads, number);
        (
            l["state"].as_str().unwrap_or_default().to_string(),
            l["closed_as"].as_str().unwrap_or_default().to_string(),
            l["attempts"].as_i64().unwrap(),
            l["last_outcome"].as_str().unwrap_or_default().to_string(),
        )
    };
    let closed = |how: &str, attempts: i64, last: &str| {
        (
            "closed".to_string(),
            how.to_string(),
            attempts,
            last.to_string(),
        )
    };
    assert_eq!(
        summary("+4930555002"),
        closed("attempts", 2, "busy"),
        "{leads}"
    );
    assert_eq!(
        summary("+4930555003"),
        closed("attempts", 2, "no_answer"),
        "{leads}"
    );
    assert_eq!(
        summary("+4930555001"),
        closed("answered", 1, "answered"),
        "{leads}"
    );
    assert_eq!(lead(&leads, "+4930555001")["result"], "sale");
    assert_eq!(lead(&leads, "+4930555001")["client_id"], client_id);
    // The call is on the client's contact history with the result, however
    // the result and the call's record crossed.
    let history_path = format!("/clients/{client_id}/interactions");
    let history = until(
        async || marketer.get(&history_path).await,
        |h| h["items"][0]["result"] == "sale",
    )
    .await;
    let contact = &history["items"][0];
    assert_eq!(
        (
            &contact["channel"],
            &contact["direction"],
            &contact["result"],
            &contact["responsible_id"]
        ),
        (
            &json!("call"),
            &json!("out"),
            &json!("sale"),
            &json!(agent_id)
        ),
        "{history}"
    );
    assert_eq!(history["items"].as_array().unwrap().len(), 1, "{history}");
    assert_eq!(summary("+4930555004"), closed("dnc", 0, ""), "never called");
    let tokyo = lead(&leads, "+81355550001");
    assert_eq!(
        (tokyo["state"].as_str(), tokyo["attempts"].as_i64()),
        (Some("waiting"), Some(0))
    );
    assert!(
        tokyo["next_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .unwrap()
            > switchboard::runtime::clock::now(),
        "waits for the window in Tokyo: {tokyo}"
    );

    let stats = marketer.get(&format!("/campaigns/{id}/stats")).await;
    assert_eq!(
        (
            &stats["dialled_today"],
            &stats["answered_today"],
            &stats["connected_today"],
            &stats["abandoned_today"]
        ),
        (&json!(5), &json!(1), &json!(1), &json!(0)),
        "{stats}"
    );

    // Paused, it places no more calls and gives no leads.
    let (status, paused) = marketer
        .post(&format!("/campaigns/{id}/pause"), json!({}))
        .await;
    assert!(status.is_success(), "{paused}\n{}", server.log());
    assert_eq!(paused["state"], "paused");
    drop(server);
}

#[tokio::test]
async fn a_progressive_campaign_calls_retries_and_connects_through_a_sipp_carrier_on_sqlite() {
    a_progressive_campaign_calls_retries_and_connects_through_a_sipp_carrier(
        super::support::TestDatabase::sqlite(),
    )
    .await;
}

#[tokio::test]
async fn a_progressive_campaign_calls_retries_and_connects_through_a_sipp_carrier_on_postgres() {
    a_progressive_campaign_calls_retries_and_connects_through_a_sipp_carrier(
        super::support::TestDatabase::postgres().await,
    )
    .await;
}

/// agent1 (1001) with a SIPp phone playing `scenario`, logged in to sales.
async fn agent1_with(server: &Server, scenario: &str) -> (Sipp, tokio::process::Child, Api, i64) {
    agent_with(server, 1, scenario, 1).await
}

/// agent`n` (extension 100`n`) logged in to sales, with a SIPp phone
/// running `scenario` for `calls` calls.
async fn agent_with(
    server: &Server,
    n: u8,
    scenario: &str,
    calls: u32,
) -> (Sipp, tokio::process::Child, Api, i64) {
    let phone_port = free_port();
    let mut phone = Sipp::scenario(scenario);
    let calls = calls.to_string();
    phone.arg([
        "-p",
        &phone_port.to_string(),
        "-m",
        &calls,
        "-timeout",
        "60",
    ]);
    let run = phone.spawn();
    wait_bound("127.0.0.1", phone_port).await;
    let contact = format!("127.0.0.1:{phone_port}");
    let (ok, out) = register(
        "register.xml",
        server.sip,
        "u1",
        &format!("100{n}"),
        &format!("demo100{n}"),
        &contact,
    )
    .await;
    assert!(ok, "100{n} registers: {out}");
    let agent = server.user(&format!("agent{n}")).await;
    let agent_id = agent.get("/auth/me").await["id"].as_i64().unwrap();
    let (status, body) = agent
        .post("/agent/login", json!({"queues": ["sales"]}))
        .await;
    assert!(status.is_success(), "agent{n} logs in to sales: {body}");
    (phone, run, agent, agent_id)
}

async fn an_answered_call_no_agent_takes_in_two_seconds_is_abandoned_with_the_message(
    db: super::support::TestDatabase,
) {
    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_answers_by_number.xml");
    carrier.arg(["-p", &carrier_port.to_string(), "-timeout", "60"]);
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(db.url(), carrier_port).await;
    // The agent's phone rings and is never picked up.
    let (phone, phone_run, _agent, agent_id) =
        agent1_with(&server, "phone_rings_unanswered.xml").await;
    let marketer = server.user("supervisor").await;
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Abandons", "settings": {"mode": "progressive",
                "trunk": "carrier", "time_zone": "Europe/Berlin",
                "calling_from": "00:00", "calling_until": "23:59", "max_attempts": 1,
                "agents": [agent_id], "results": ["sale"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    marketer
        .post_csv(&format!("/campaigns/{id}/leads"), "number\n+4930555001\n")
        .await;
    let (status, body) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");

    // The carrier's call ends with our BYE (after the message), and the
    // agent's phone stops ringing.
    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(
        ok,
        "the carrier answered and was hung up on: {out}\n{}",
        server.log()
    );
    let (ok, out) = phone.finish(phone_run).await;
    assert!(ok, "the agent's phone rang and was cancelled: {out}");
    let stats_path = format!("/campaigns/{id}/stats");
    let stats = until(
        async || marketer.get(&stats_path).await,
        |stats| stats["abandoned_today"] == 1,
    )
    .await;
    assert_eq!(
        (
            &stats["dialled_today"],
            &stats["answered_today"],
            &stats["connected_today"],
            &stats["abandoned_today"],
            &stats["abandon_rate_today"]
        ),
        (&json!(1), &json!(1), &json!(0), &json!(1), &json!(1.0)),
        "{stats}"
    );
    let leads = marketer.get(&format!("/campaigns/{id}/leads")).await;
    let abandoned = lead(&leads, "+4930555001");
    assert_eq!(abandoned["last_outcome"], "abandoned", "{leads}");
    assert_eq!(
        abandoned["closed_as"], "attempts",
        "one attempt allowed: {leads}"
    );
    let log = server.log();
    assert!(log.contains("campaign.abandoned"), "{log}");
}

#[tokio::test]
async fn an_answered_call_no_agent_takes_in_two_seconds_is_abandoned_on_sqlite() {
    an_answered_call_no_agent_takes_in_two_seconds_is_abandoned_with_the_message(
        super::support::TestDatabase::sqlite(),
    )
    .await;
}

#[tokio::test]
async fn an_answered_call_no_agent_takes_in_two_seconds_is_abandoned_on_postgres() {
    an_answered_call_no_agent_takes_in_two_seconds_is_abandoned_with_the_message(
        super::support::TestDatabase::postgres().await,
    )
    .await;
}

/// RTP packets of `samples` (8 kHz) as G.711 u-law, 20 ms each, in a pcap
/// file SIPp's `play_pcap_audio` replays (Ethernet, IPv4, UDP; SIPp uses
/// the payloads and their timing, not the addresses).
fn pcap_of(samples: &[i16]) -> Vec<u8> {
    let mut out = Vec::new();
    // The global header: magic, version 2.4, zone, accuracy, snap length,
    // Ethernet.
    out.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    for word in [0u32, 0, 65_535, 1] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    for (n, chunk) in samples.chunks(160).enumerate() {
        let mut rtp = vec![0x80, 0];
        rtp.extend_from_slice(&(n as u16).to_be_bytes());
        rtp.extend_from_slice(&((n * 160) as u32).to_be_bytes());
        rtp.extend_from_slice(&0x5eed_u32.to_be_bytes());
        rtp.extend(
            chunk
                .iter()
                .map(|s| switchboard::media::g711::ulaw_from_linear(*s)),
        );
        let udp_len = 8 + rtp.len();
        let ip_len = 20 + udp_len;
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00]);
        frame.extend_from_slice(&[0x45, 0]);
        frame.extend_from_slice(&(ip_len as u16).to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]);
        frame.extend_from_slice(&6000u16.to_be_bytes());
        frame.extend_from_slice(&6002u16.to_be_bytes());
        frame.extend_from_slice(&(udp_len as u16).to_be_bytes());
        frame.extend_from_slice(&[0, 0]);
        frame.extend_from_slice(&rtp);
        let micros = n as u32 * 20_000;
        for word in [
            micros / 1_000_000,
            micros % 1_000_000,
            frame.len() as u32,
            frame.len() as u32,
        ] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&frame);
    }
    out
}

async fn an_answering_machine_is_hung_up_on_and_never_reaches_the_agent(
    db: super::support::TestDatabase,
) {
    // A machine's greeting from the detection fixtures.
    let fixtures = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/amd-fixtures"),
    )
    .arg(fixtures.path())
    .status()
    .unwrap();
    assert!(
        status.success(),
        "scripts/amd-fixtures needs espeak-ng and sox"
    );
    let mut wav = hound::WavReader::open(fixtures.path().join("16-machine.wav")).unwrap();
    let samples: Vec<i16> = wav.samples::<i16>().map(|s| s.unwrap()).collect();

    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_machine_answers.xml");
    let media_port = super::free_ports(2);
    carrier.arg([
        "-p",
        &carrier_port.to_string(),
        "-mp",
        &media_port.to_string(),
        "-timeout",
        "60",
    ]);
    std::fs::write(carrier.dir.path().join("greeting.pcap"), pcap_of(&samples)).unwrap();
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(db.url(), carrier_port).await;
    let (_phone, _phone_run, _agent, agent_id) = agent1_with(&server, "phone_answers.xml").await;
    let marketer = server.user("supervisor").await;
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Machines", "settings": {"mode": "progressive",
                "trunk": "carrier", "time_zone": "Europe/Berlin", "detect_machines": true,
                "calling_from": "00:00", "calling_until": "23:59", "max_attempts": 1,
                "agents": [agent_id], "results": ["sale"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    marketer
        .post_csv(&format!("/campaigns/{id}/leads"), "number\n+4930555001\n")
        .await;
    let (status, body) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");

    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(
        ok,
        "the machine answered and was hung up on: {out}\n{}",
        server.log()
    );
    let stats_path = format!("/campaigns/{id}/stats");
    let stats = until(
        async || marketer.get(&stats_path).await,
        |stats| stats["dialled_today"] == 1,
    )
    .await;
    assert_eq!(
        (
            &stats["answered_today"],
            &stats["connected_today"],
            &stats["abandoned_today"]
        ),
        (&json!(0), &json!(0), &json!(0)),
        "a machine is neither a person's answer nor an abandon: {stats}"
    );
    let leads = marketer.get(&format!("/campaigns/{id}/leads")).await;
    assert_eq!(
        lead(&leads, "+4930555001")["last_outcome"],
        "voicemail",
        "{leads}"
    );
    let log = server.log();
    let verdict = log.lines().find(|l| l.contains("campaign.amd"));
    assert!(verdict.is_some_and(|l| l.contains("Machine")), "{log}");
    assert!(
        !log.contains("call.answered"),
        "agent1's phone never rang: {log}"
    );
}

#[tokio::test]
async fn an_answering_machine_is_hung_up_on_on_sqlite() {
    an_answering_machine_is_hung_up_on_and_never_reaches_the_agent(
        super::support::TestDatabase::sqlite(),
    )
    .await;
}

#[tokio::test]
async fn an_answering_machine_is_hung_up_on_on_postgres() {
    an_answering_machine_is_hung_up_on_and_never_reaches_the_agent(
        super::support::TestDatabase::postgres().await,
    )
    .await;
}

async fn a_campaign_whose_calls_cost_its_budget_places_no_more(db: super::support::TestDatabase) {
    // The carrier answers one call; a second would make SIPp fail with an
    // unexpected message.
    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_answers_by_number.xml");
    carrier.arg(["-p", &carrier_port.to_string(), "-timeout", "60"]);
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(db.url(), carrier_port).await;
    let (phone, phone_run, _agent, agent_id) = agent1_with(&server, "phone_hangs_up.xml").await;
    let marketer = server.user("supervisor").await;
    // 1.00 a second against a budget of 0.50: the first answered call
    // spends it. No wrap-up: agent1 is free for the next lead at once.
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Small budget", "settings": {"mode": "progressive",
                "trunk": "carrier", "time_zone": "Europe/Berlin",
                "calling_from": "00:00", "calling_until": "23:59",
                "cost_per_minute": "60", "budget": "0.50", "wrap_up_seconds": 0,
                "agents": [agent_id], "results": ["sale"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    marketer
        .post_csv(
            &format!("/campaigns/{id}/leads"),
            "number,priority\n+4930555001,2\n+4930555011,1\n",
        )
        .await;
    let (status, body) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");

    let (ok, out) = phone.finish(phone_run).await;
    assert!(ok, "agent1 took the first call: {out}");
    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(ok, "the carrier's call ended: {out}\n{}", server.log());
    let stats_path = format!("/campaigns/{id}/stats");
    let stats = until(
        async || marketer.get(&stats_path).await,
        |stats| {
            stats["agents"][0]["calls_today"] == 1 && stats["agents"][0]["state"] == "available"
        },
    )
    .await;
    let billed = stats["billed_seconds"].as_i64().unwrap();
    assert!(billed >= 1, "{stats}");
    assert_eq!(stats["cost"], format!("{billed}.00"), "{stats}");
    assert_eq!(stats["budget_left"], "0.00", "{stats}");
    assert!(
        stats["agents"][0]["talk_seconds_today"].as_i64().unwrap() >= 1,
        "{stats}"
    );
    // agent1 is logged in and free, and nobody else works it.
    assert_eq!(stats["occupancy"], 0.0, "{stats}");

    // Free agent, waiting lead, running campaign: only the budget keeps
    // the dialler from the second lead, through two reads of the campaigns.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let stats = marketer.get(&stats_path).await;
    assert_eq!(stats["dialled_today"], 1, "{stats}\n{}", server.log());
    let leads = marketer.get(&format!("/campaigns/{id}/leads")).await;
    let second = lead(&leads, "+4930555011");
    assert_eq!(
        (second["state"].as_str(), second["attempts"].as_i64()),
        (Some("waiting"), Some(0)),
        "{leads}"
    );
    let log = server.log();
    assert!(log.contains("dialler.budget_spent"), "{log}");
}

#[tokio::test]
async fn a_campaign_whose_calls_cost_its_budget_places_no_more_on_sqlite() {
    a_campaign_whose_calls_cost_its_budget_places_no_more(super::support::TestDatabase::sqlite())
        .await;
}

#[tokio::test]
async fn a_campaign_whose_calls_cost_its_budget_places_no_more_on_postgres() {
    a_campaign_whose_calls_cost_its_budget_places_no_more(
        super::support::TestDatabase::postgres().await,
    )
    .await;
}

async fn a_predictive_campaign_dials_ahead_of_its_agents_and_counts_every_abandon(
    db: super::support::TestDatabase,
) {
    // Sixty leads: a third answer (…1), a third are busy (…2), a third ring
    // 2 s and are turned away (…3); one attempt each.
    const LEADS: usize = 60;
    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_answers_by_number.xml");
    let calls = LEADS.to_string();
    carrier.arg([
        "-p",
        &carrier_port.to_string(),
        "-m",
        &calls,
        "-l",
        &calls,
        "-timeout",
        "120",
    ]);
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(db.url(), carrier_port).await;
    // Two agents whose phones answer, talk a second and hang up, as many
    // times as they are called.
    let (_, phone1, _agent1, agent1) = agent_with(&server, 1, "phone_hangs_up.xml", 100).await;
    let (_, phone2, _agent2, agent2) = agent_with(&server, 2, "phone_hangs_up.xml", 100).await;
    let marketer = server.user("supervisor").await;
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Predicted", "settings": {"mode": "predictive",
                "trunk": "carrier", "time_zone": "Europe/Berlin",
                "calling_from": "00:00", "calling_until": "23:59", "max_attempts": 1,
                "wrap_up_seconds": 0, "max_lines_per_agent": 3, "abandon_limit_pct": 3,
                "agents": [agent1, agent2], "results": ["sale"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    let mut csv = String::from("number\n");
    for i in 0..LEADS {
        csv.push_str(&format!("+4930556{i:03}{}\n", i % 3 + 1));
    }
    let added = marketer
        .post_csv(&format!("/campaigns/{id}/leads"), &csv)
        .await;
    assert_eq!(added["added"], LEADS, "{added}");
    let (status, body) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");

    // Every lead is called once (two agents take a minute or so).
    let stats_path = format!("/campaigns/{id}/stats");
    let mut stats = Value::Null;
    for _ in 0..240 {
        stats = marketer.get(&stats_path).await;
        if stats["dialled_today"] == LEADS && stats["lines_now"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(stats["dialled_today"], LEADS, "{stats}\n{}", server.log());
    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(ok, "the carrier had all its calls: {out}");
    // Once it had seen enough calls it placed more at once than it had
    // agents: the busy and unanswered numbers leave them idle otherwise.
    let peak = stats["peak_lines"].as_u64().unwrap();
    assert!(
        (3..=6).contains(&peak),
        "dialled ahead within 3 lines an agent: {stats}"
    );
    // Every answered call went to an agent or was abandoned, and each
    // abandon is counted, lead by lead.
    let answered = stats["answered_today"].as_u64().unwrap();
    let connected = stats["connected_today"].as_u64().unwrap();
    let abandoned = stats["abandoned_today"].as_u64().unwrap();
    assert_eq!(answered, (LEADS / 3) as u64, "{stats}");
    assert_eq!(connected + abandoned, answered, "{stats}");
    let leads = marketer
        .get(&format!("/campaigns/{id}/leads?limit=100"))
        .await;
    let abandoned_leads = (leads["items"].as_array().unwrap().iter())
        .filter(|l| l["last_outcome"] == "abandoned")
        .count() as u64;
    assert_eq!(abandoned_leads, abandoned, "{leads}");
    let calls_taken: i64 = (stats["agents"].as_array().unwrap().iter())
        .map(|a| a["calls_today"].as_i64().unwrap())
        .sum();
    assert_eq!(calls_taken as u64, connected, "{stats}");
    drop((phone1, phone2));
}

#[tokio::test]
async fn a_predictive_campaign_dials_ahead_on_sqlite() {
    a_predictive_campaign_dials_ahead_of_its_agents_and_counts_every_abandon(
        super::support::TestDatabase::sqlite(),
    )
    .await;
}

#[tokio::test]
async fn a_predictive_campaign_dials_ahead_on_postgres() {
    a_predictive_campaign_dials_ahead_of_its_agents_and_counts_every_abandon(
        super::support::TestDatabase::postgres().await,
    )
    .await;
}

/// PostgreSQL stops for eight seconds in the middle of a progressive
/// campaign: the calls that end meanwhile are stored once it is back, and
/// no lead is left being called by nobody. The attempts are the abandon
/// accounting; a lost one would let the dialler break the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_campaign_attempt_is_stored_when_postgresql_stopped_mid_run_comes_back() {
    const LEADS: usize = 24;
    let pg = super::OwnPostgres::start();
    let carrier_port = free_port();
    let mut carrier = Sipp::scenario("carrier_answers_by_number.xml");
    let calls = LEADS.to_string();
    carrier.arg([
        "-p",
        &carrier_port.to_string(),
        "-m",
        &calls,
        "-l",
        &calls,
        "-timeout",
        "120",
    ]);
    let carrier_run = carrier.spawn();
    wait_bound("127.0.0.1", carrier_port).await;
    let server = Server::start(&pg.url(), carrier_port).await;
    let (_, phone1, _agent1, agent1) = agent_with(&server, 1, "phone_hangs_up.xml", 100).await;
    let (_, phone2, _agent2, agent2) = agent_with(&server, 2, "phone_hangs_up.xml", 100).await;
    let marketer = server.user("supervisor").await;
    let (status, campaign) = marketer
        .post(
            "/campaigns",
            json!({"name": "Outage", "settings": {"mode": "progressive",
                "trunk": "carrier", "time_zone": "Europe/Berlin",
                "calling_from": "00:00", "calling_until": "23:59", "max_attempts": 1,
                "wrap_up_seconds": 0, "agents": [agent1, agent2], "results": ["sale"]}}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{campaign}");
    let id = campaign["id"].as_i64().unwrap();
    let mut csv = String::from("number\n");
    for i in 0..LEADS {
        csv.push_str(&format!("+4930557{i:03}{}\n", i % 3 + 1));
    }
    let added = marketer
        .post_csv(&format!("/campaigns/{id}/leads"), &csv)
        .await;
    assert_eq!(added["added"], LEADS, "{added}");
    let (status, body) = marketer
        .post(&format!("/campaigns/{id}/start"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");

    // Calls are under way when the database goes; it comes back once the
    // dialler has failed to store one (a write waits 5 s for a connection).
    let stats_path = format!("/campaigns/{id}/stats");
    for _ in 0..100 {
        if marketer.get(&stats_path).await["dialled_today"].as_u64() >= Some(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pg.down();
    for _ in 0..400 {
        if server.log().contains("dialler.write_failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = server.log();
    assert!(
        log.contains("dialler.write_failed"),
        "the outage met the dialler's writes within 40 s: {log}"
    );
    pg.up();

    let leads_path = format!("/campaigns/{id}/leads?limit=100");
    let (mut stats, mut leads) = (Value::Null, Value::Null);
    for _ in 0..240 {
        if let (Some(s), Some(l)) = (
            marketer.try_get(&stats_path).await,
            marketer.try_get(&leads_path).await,
        ) {
            (stats, leads) = (s, l);
            if stats["dialled_today"] == LEADS && stats["waiting"] == 0 && stats["lines_now"] == 0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(stats["dialled_today"], LEADS, "{stats}\n{}", server.log());
    let (ok, out) = carrier.finish(carrier_run).await;
    assert!(ok, "the carrier had every call: {out}");
    // Every lead was called once and moved on: closed, or given to the
    // agent who took its call (theirs to finish).
    let items = leads["items"].as_array().unwrap();
    let stuck: Vec<&Value> = items
        .iter()
        .filter(|l| l["state"] != "closed" && l["agent_id"].is_null())
        .collect();
    assert!(stuck.is_empty(), "no lead left being called: {stuck:?}");
    let with_agents = items.iter().filter(|l| !l["agent_id"].is_null()).count();
    assert_eq!(
        (
            stats["connected_today"].as_u64(),
            items
                .iter()
                .map(|l| l["attempts"].as_u64().unwrap())
                .sum::<u64>()
        ),
        (Some(with_agents as u64), LEADS as u64),
        "{stats}"
    );
    drop((phone1, phone2));
}
