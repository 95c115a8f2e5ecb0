//! Ring-to-pop latency: `cargo bench --bench ring_to_pop [-- sqlite|postgres [CLIENTS [CALLS [RATE [AGENTS]]]]]`.
//!
//! Loads CLIENTS generated clients (default 1,000,000) through the importer,
//! creates AGENTS agents (default 20) with an extension each, and starts the
//! whole server (`app::run`: SIP with anchored media, the API, the events
//! WebSocket, the ACD) in this process, on its own runtime and free
//! 127.0.0.1 ports, with a trunk `bench-pbx` allowing 127.0.0.1 and a
//! dialplan sending its calls to 700 to the queue `bench`. Agents' role is
//! given every client to read, so each pop carries the caller's card.
//!
//! On a runtime of its own, the bench then plays everyone else: each agent's
//! phone registers over UDP (digest auth) and answers offers with
//! 180 Ringing (and a CANCEL with 200 and 487: it never answers), each
//! agent's browser opens `/api/v1/events` and logs in to the queue; the PBX
//! sends CALLS calls (after 100 uncounted warm-up calls) at RATE a second
//! (default 100), each from a distinct known client's number, ACKs the
//! queue's 200 OK, and hangs up (BYE) as soon as its `call.offered` reaches
//! the agent's socket, which frees the agent for the next call.
//!
//! Measured per call: from just before the INVITE is sent to the arrival of
//! the `call.offered` message on the WebSocket (the pop names the caller,
//! which tells the calls apart). The queue answers the INVITE's offer with
//! 200 OK and the caller joins it at once (an offer in the INVITE needs no
//! ACK first). Prints p50/p90/p99/max, the parts before and after the
//! 200 OK reached the PBX, and the calls that never popped (within 5 s).
//! Server logs at `warn` unless RUST_LOG says otherwise.

mod common;

use std::collections::HashMap;
use std::io::Cursor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use switchboard::config::Settings;
use switchboard::crm::Repository;
use switchboard::crm::access::{Reach, Right, Role, Section};
use switchboard::crm::import::MatchField;
use switchboard::crm::sip_accounts::{NewSipAccount, SipAccountInput};
use switchboard::crm::users::{NewUser, Password, Username};
use switchboard::import::{Options, import_clients};
use switchboard::phone::Region;
use switchboard::runtime::clock;
use switchboard::sip::digest::{answer, parse_challenge};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Calls sent first and not counted.
const WARM_UP: usize = 100;
/// A call not popped within this is counted as never popped.
const POP_WAIT: Duration = Duration::from_secs(5);
/// A BYE unanswered this long is sent again, once; twice this, given up.
const BYE_WAIT: Duration = Duration::from_secs(2);
/// After the last INVITE, the longest wait for the calls in flight.
const DRAIN_WAIT: Duration = Duration::from_secs(15);
const REALM: &str = "switchboard";
const TRUNK: &str = "bench-pbx";
const FIRST_EXTENSION: usize = 2001;
const DIALPLAN: &str = r#"# The ring-to-pop bench: the PBX's calls to 700 wait in the queue "bench".
[[rule]]
name = "bench-line"
from = "trunk:bench-pbx"
called = "700"
queue = "bench"

[queue.bench]
ring_timeout = 60
wrap_up = 0
misses_to_pause = 100
"#;

struct Plan {
    backend: String,
    clients: u64,
    calls: usize,
    rate: f64,
    agents: usize,
}

fn main() {
    let args = common::Args::from_env();
    let plan = Plan {
        backend: args.backend(),
        clients: args.number(1, 1_000_000u64),
        calls: args.number(2, 3000usize),
        rate: args.number(3, 100.0f64),
        agents: args.number(4, 20usize),
    };
    assert!(plan.clients > 0 && plan.calls > 0 && plan.rate > 0.0 && plan.agents > 0);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    // The server's runtime: worker threads of its own, as `switchboard serve` has.
    let server = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()
        .expect("a runtime");
    let (url, cleanup) = server.block_on(prepare(&plan));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let http = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let sip = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let pbx = std::net::UdpSocket::bind("127.0.0.1:0").expect("the PBX's socket");
    pbx.set_nonblocking(true).expect("a non-blocking socket");
    let pbx_port = pbx.local_addr().expect("an address").port();
    let settings = settings(&url, dir.path(), http, sip, pbx_port);
    let running = server.spawn(switchboard::app::run(settings));

    // The bench's runtime, on this thread: the PBX, the phones, the browsers.
    let bench = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    bench.block_on(async {
        let started = Instant::now();
        while tokio::net::TcpStream::connect(http).await.is_err() {
            assert!(!running.is_finished(), "the server stopped at start");
            assert!(started.elapsed() < Duration::from_secs(60), "no server");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let pbx = UdpSocket::from_std(pbx).expect("the PBX's socket");
        drive(&plan, http, sip, pbx).await;
    });
    running.abort();
    server.shutdown_timeout(Duration::from_secs(2));
    bench.block_on(cleanup.run());
}

/// A fresh database with the clients, the agents (users with an
/// extension each, `password(i)` for both) and the admin.
async fn prepare(plan: &Plan) -> (String, common::Cleanup) {
    let (repo, url, cleanup) = common::fresh_database(&plan.backend, "ring_to_pop").await;
    let region = Region::parse("US").expect("US");
    let loaded = Instant::now();
    let options = Options::new(MatchField::ExternalId, region);
    let input = Cursor::new(common::csv(plan.clients).into_bytes());
    let summary = import_clients(repo.clone(), input, &options, clock::now(), |_| {})
        .await
        .expect("the clients load");
    println!(
        "ring_to_pop bench on {}: {} clients loaded in {:.1} s",
        plan.backend,
        summary.created,
        loaded.elapsed().as_secs_f64()
    );
    add_agents(repo.as_ref(), plan.agents).await;
    (url, cleanup)
}

async fn add_agents(repo: &dyn Repository, agents: usize) {
    // Inbound agents take anyone's call: their pop shows every client's card.
    let every = Right {
        read: true,
        write: true,
        reach: Reach::All,
    };
    repo.set_right(Role::Agent, Section::Clients, every)
        .await
        .expect("the agents' right to clients");
    let admin = repo
        .list_users()
        .await
        .expect("the users")
        .into_iter()
        .find(|u| u.username == "admin")
        .expect("the admin")
        .id;
    for i in 0..agents {
        let user = NewUser {
            username: Username::parse(&username(i)).expect("a valid name"),
            display_name: format!("Bench Agent {i}"),
            password_hash: Password::parse(&password(i))
                .expect("a valid password")
                .hash(),
            role: Role::Agent,
            team_id: None,
        };
        let id = repo
            .create_user(user, clock::now())
            .await
            .expect("create an agent");
        let input = SipAccountInput {
            extension: Some(extension(i)),
            password: Some(password(i)),
            user_id: Some(id),
            ..SipAccountInput::default()
        };
        let account = NewSipAccount::parse(input, REALM).expect("a valid account");
        repo.create_sip_account(admin, account, clock::now())
            .await
            .expect("create an extension");
    }
}

fn username(i: usize) -> String {
    format!("agent{i}")
}

fn extension(i: usize) -> String {
    (FIRST_EXTENSION + i).to_string()
}

fn password(i: usize) -> String {
    format!("bench-agent-{i}")
}

/// A port free for both TCP and UDP on 127.0.0.1 (SIP listens on both).
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = tcp.local_addr().expect("an address").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn settings(url: &str, dir: &Path, http: SocketAddr, sip: SocketAddr, pbx: u16) -> Settings {
    let dialplans = dir.join("dialplans");
    std::fs::create_dir_all(&dialplans).expect("the dialplans folder");
    std::fs::write(dialplans.join("bench.toml"), DIALPLAN).expect("the dialplan");
    let trunk = toml::from_str(&format!(
        "name = \"{TRUNK}\"\nvendor = \"generic\"\npeers = [\"127.0.0.1:{pbx}\"]\n\
         allow = [\"127.0.0.1\"]\noptions_interval_secs = 0\n"
    ))
    .expect("a trunk");
    Settings {
        http,
        sip,
        dialplans,
        rtp_ports: "24000-25999".parse().expect("a port range"),
        prompts_dir: dir.join("prompts"),
        recordings_dir: dir.join("recordings"),
        recording_retention_days: 0,
        spool_dir: dir.join("spool"),
        web_dir: dir.join("web"),
        database: url.to_string(),
        default_region: "US".into(),
        trunks: vec![trunk],
        ..Settings::default()
    }
}

/// What the agents' browsers saw, stamped on arrival.
enum Seen {
    Pop {
        agent: usize,
        caller: String,
        card: bool,
        at: Instant,
    },
    State {
        agent: usize,
        state: String,
    },
}

/// Agents whose phone rings, as far as the bench knows: from their pop to
/// the server's CANCEL.
type Ringing = Arc<Vec<AtomicBool>>;

async fn drive(plan: &Plan, http: SocketAddr, sip: SocketAddr, pbx: UdpSocket) {
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let ringing: Ringing = Arc::new((0..plan.agents).map(|_| AtomicBool::new(false)).collect());
    let web = reqwest::Client::new();
    let base = format!("http://{http}/api/v1");
    for i in 0..plan.agents {
        let phone = UdpSocket::bind("127.0.0.1:0").await.expect("a phone");
        register(&phone, sip, &extension(i), &password(i)).await;
        tokio::spawn(run_phone(phone, i, ringing.clone()));
        let login: serde_json::Value = web
            .post(format!("{base}/auth/login"))
            .json(&json!({"username": username(i), "password": password(i)}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("a login answer");
        let token = login["token"].as_str().expect("a token").to_string();
        open_events(http, &token, i, seen_tx.clone()).await;
        let response = web
            .post(format!("{base}/agent/login"))
            .bearer_auth(&token)
            .json(&json!({"queues": ["bench"]}))
            .send()
            .await
            .expect("agent login");
        assert!(
            response.status().is_success(),
            "agent login: {}",
            response.text().await.unwrap_or_default()
        );
    }
    // Every agent available before the first call.
    let mut states = vec![String::new(); plan.agents];
    let waited = Instant::now();
    while states.iter().any(|s| s != "available") {
        match tokio::time::timeout(Duration::from_secs(10), seen.recv()).await {
            Ok(Some(Seen::State { agent, state })) => states[agent] = state,
            Ok(Some(Seen::Pop { .. })) => {}
            Ok(None) | Err(_) => panic!("the agents are not all available: {states:?}"),
        }
        assert!(waited.elapsed() < Duration::from_secs(10), "{states:?}");
    }
    println!(
        "{} agents registered, logged in and available; load {}",
        plan.agents,
        common::load()
    );
    let mut caller = Caller::new(pbx, sip, plan, ringing);
    caller.run(&mut seen).await;
    caller.report(plan);
}

/// REGISTER, the 401's challenge, REGISTER with credentials, 200.
async fn register(socket: &UdpSocket, sip: SocketAddr, user: &str, password: &str) {
    let port = socket.local_addr().expect("an address").port();
    let request = |cseq: u32, authorization: Option<String>| {
        let mut text = format!(
            "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKreg{user}x{cseq};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{user}@127.0.0.1>;tag=reg{user}\r\n\
             To: <sip:{user}@127.0.0.1>\r\n\
             Call-ID: register-{user}@127.0.0.1\r\n\
             CSeq: {cseq} REGISTER\r\n\
             Contact: <sip:{user}@127.0.0.1:{port}>\r\n\
             Expires: 3600\r\n"
        );
        if let Some(authorization) = authorization {
            text.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        text
    };
    let mut buf = vec![0u8; 65536];
    let mut exchange = async |text: String| {
        socket.send_to(text.as_bytes(), sip).await.expect("sent");
        let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
            .await
            .expect("an answer to REGISTER")
            .expect("a datagram");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let challenged = exchange(request(1, None)).await;
    assert_eq!(status(&challenged), 401, "{challenged}");
    let challenge = headers(&challenged, &["www-authenticate"])
        .into_iter()
        .find_map(|v| parse_challenge(v).ok())
        .expect("a digest challenge");
    let credentials = answer(
        &challenge,
        "REGISTER",
        "sip:127.0.0.1",
        user,
        password,
        "c0ffee",
        1,
    );
    let registered = exchange(request(2, Some(credentials.to_string()))).await;
    assert_eq!(status(&registered), 200, "{registered}");
}

/// An agent's phone: rings (180) at every offer, never answers; a CANCEL
/// gets its 200 and the INVITE its 487.
async fn run_phone(socket: UdpSocket, agent: usize, ringing: Ringing) {
    let port = socket.local_addr().expect("an address").port();
    let contact = format!("Contact: <sip:{}@127.0.0.1:{port}>\r\n", extension(agent));
    let tag = format!("ph{agent}x");
    // Each ringing INVITE's response headers, by Call-ID.
    let mut invites: HashMap<String, String> = HashMap::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            return;
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        let Some(method) = method(&text) else {
            continue; // a response: the phone sends no requests
        };
        let call_id = headers(&text, &["call-id", "i"])
            .first()
            .map(|v| v.to_string())
            .unwrap_or_default();
        let answer = match method {
            "INVITE" => {
                let echo = invites
                    .entry(call_id)
                    .or_insert_with(|| echoed(&text, &tag));
                Some(format!(
                    "SIP/2.0 180 Ringing\r\n{echo}{contact}Content-Length: 0\r\n\r\n"
                ))
            }
            "CANCEL" => {
                ringing[agent].store(false, Ordering::Relaxed);
                let ok = format!(
                    "SIP/2.0 200 OK\r\n{}Content-Length: 0\r\n\r\n",
                    echoed(&text, &tag)
                );
                let _ = socket.send_to(ok.as_bytes(), from).await;
                invites.get(&call_id).map(|echo| {
                    format!("SIP/2.0 487 Request Terminated\r\n{echo}Content-Length: 0\r\n\r\n")
                })
            }
            "ACK" => {
                invites.remove(&call_id);
                None
            }
            _ => Some(format!(
                "SIP/2.0 200 OK\r\n{}Content-Length: 0\r\n\r\n",
                echoed(&text, &tag)
            )),
        };
        if let Some(answer) = answer {
            let _ = socket.send_to(answer.as_bytes(), from).await;
        }
    }
}

/// Logs the agent's browser in to the events socket; what it says goes to
/// `seen`, stamped as it arrives.
async fn open_events(
    http: SocketAddr,
    token: &str,
    agent: usize,
    seen: mpsc::UnboundedSender<Seen>,
) {
    let mut request = format!("ws://{http}/api/v1/events")
        .into_client_request()
        .expect("a valid URL");
    request.headers_mut().insert(
        "Authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the events socket opens");
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let at = Instant::now();
            let Message::Text(text) = frame else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                continue;
            };
            let seen_now = match event["type"].as_str() {
                Some("call.offered") => Seen::Pop {
                    agent,
                    caller: event["caller"].as_str().unwrap_or_default().to_string(),
                    card: !event["card"].is_null(),
                    at,
                },
                Some("agent.state") => Seen::State {
                    agent,
                    state: event["state"].as_str().unwrap_or_default().to_string(),
                },
                _ => continue,
            };
            if seen.send(seen_now).is_err() {
                return;
            }
        }
    });
}

/// One call of the PBX.
struct Call {
    number: String,
    seq: usize,
    counted: bool,
    sent: Instant,
    /// The To header (with the queue's tag) and Contact of the 200 OK.
    dialog: Option<(String, String)>,
    /// When the 200 OK came.
    answered: Option<Instant>,
    popped: bool,
    /// Given up waiting for the pop.
    late: bool,
    bye: Option<(Instant, bool)>,
}

#[derive(Default)]
struct Tally {
    ring_to_pop: Vec<Duration>,
    invite_to_ok: Vec<Duration>,
    /// From the 200 OK's arrival to the pop's.
    ok_to_pop: Vec<Duration>,
    /// Pops that came before the bench saw the call's 200 OK.
    popped_before_ok: usize,
    never_popped: usize,
    no_card: usize,
    stray_pops: usize,
    refused: HashMap<u16, usize>,
    unanswered: usize,
    bye_lost: usize,
    hung_up_by_server: usize,
    max_ringing: usize,
    queued_all_ringing: usize,
    pauses: usize,
    sending: Duration,
    /// One CSV line per counted pop, for RING_TO_POP_TRACE.
    trace: Vec<String>,
}

/// The PBX trunk: sends the calls, ACKs, hangs up after the pop.
struct Caller {
    socket: UdpSocket,
    server: SocketAddr,
    port: u16,
    /// Where every call's media is to go; never read (media is not measured).
    media: std::net::UdpSocket,
    rng: common::Rng,
    started: Instant,
    clients: u64,
    rate: f64,
    total: usize,
    /// The calls in flight, by Call-ID.
    calls: HashMap<String, Call>,
    /// Their Call-IDs by the caller's number.
    by_number: HashMap<String, String>,
    ringing: Ringing,
    tally: Tally,
}

impl Caller {
    fn new(socket: UdpSocket, server: SocketAddr, plan: &Plan, ringing: Ringing) -> Self {
        let port = socket.local_addr().expect("an address").port();
        Caller {
            socket,
            server,
            port,
            media: std::net::UdpSocket::bind("127.0.0.1:0").expect("a media port"),
            rng: common::Rng::new(11),
            started: Instant::now(),
            clients: plan.clients,
            rate: plan.rate,
            total: WARM_UP + plan.calls,
            calls: HashMap::new(),
            by_number: HashMap::new(),
            ringing,
            tally: Tally::default(),
        }
    }

    async fn run(&mut self, seen: &mut mpsc::UnboundedReceiver<Seen>) {
        let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / self.rate));
        let mut sweep = tokio::time::interval(Duration::from_millis(100));
        let mut buf = vec![0u8; 65536];
        let mut sent = 0;
        let mut first = None;
        let mut last = Instant::now();
        loop {
            tokio::select! {
                _ = pace.tick(), if sent < self.total => {
                    last = self.invite(sent, sent >= WARM_UP).await;
                    if sent == WARM_UP {
                        first = Some(last);
                    }
                    sent += 1;
                }
                received = self.socket.recv_from(&mut buf) => {
                    let Ok((n, _)) = received else { continue };
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    self.on_sip(&text).await;
                }
                Some(event) = seen.recv() => match event {
                    Seen::Pop { agent, caller, card, at } => self.on_pop(agent, &caller, card, at).await,
                    Seen::State { state, .. } => self.tally.pauses += usize::from(state == "paused"),
                },
                _ = sweep.tick() => {
                    self.sweep().await;
                    if sent == self.total
                        && (self.calls.is_empty() || last.elapsed() > DRAIN_WAIT)
                    {
                        break;
                    }
                }
            }
        }
        self.tally.sending = first.map_or(Duration::ZERO, |f| last - f);
        // Calls still waiting when the bench gave up.
        for call in self.calls.values() {
            if call.counted && !call.popped && !call.late {
                self.tally.never_popped += 1;
            }
        }
    }

    /// Sends call `seq`'s INVITE, from a number no call in flight has.
    async fn invite(&mut self, seq: usize, counted: bool) -> Instant {
        let number = loop {
            let number = national_digits(&common::us_national(self.rng.below(self.clients)));
            if !self.by_number.contains_key(&number) {
                break number;
            }
        };
        let (port, server) = (self.port, self.server);
        let sdp = format!(
            "v=0\r\no=pbx {seq} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n",
            self.media.local_addr().expect("an address").port()
        );
        let call_id = format!("ring-to-pop-{seq}@127.0.0.1");
        let text = format!(
            "INVITE sip:700@{server} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKinv{seq};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{number}@127.0.0.1>;tag=pbx{seq}\r\n\
             To: <sip:700@{server}>\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: 1 INVITE\r\n\
             Contact: <sip:{number}@127.0.0.1:{port}>\r\n\
             Content-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        );
        let sent = Instant::now();
        self.socket
            .send_to(text.as_bytes(), server)
            .await
            .expect("the INVITE is sent");
        self.by_number.insert(number.clone(), call_id.clone());
        self.calls.insert(
            call_id,
            Call {
                number,
                seq,
                counted,
                sent,
                dialog: None,
                answered: None,
                popped: false,
                late: false,
                bye: None,
            },
        );
        sent
    }

    async fn on_sip(&mut self, text: &str) {
        let call_id = headers(text, &["call-id", "i"])
            .first()
            .map(|v| v.to_string())
            .unwrap_or_default();
        if let Some(method) = method(text) {
            // The server's own requests: a BYE ends the call.
            if method != "ACK" {
                let ok = format!(
                    "SIP/2.0 200 OK\r\n{}Content-Length: 0\r\n\r\n",
                    echoed(text, "pbx")
                );
                let _ = self.socket.send_to(ok.as_bytes(), self.server).await;
            }
            if method == "BYE" && self.calls.contains_key(&call_id) {
                self.tally.hung_up_by_server += 1;
                self.finish(&call_id);
            }
            return;
        }
        let code = status(text);
        let cseq = headers(text, &["cseq"])
            .first()
            .copied()
            .unwrap_or_default();
        if cseq.ends_with("BYE") {
            if code >= 200 {
                self.finish(&call_id);
            }
            return;
        }
        if !cseq.ends_with("INVITE") || code < 200 {
            return;
        }
        let to = headers(text, &["to", "t"])
            .first()
            .copied()
            .unwrap_or_default();
        let from = headers(text, &["from", "f"])
            .first()
            .copied()
            .unwrap_or_default();
        let port = self.port;
        if code >= 300 {
            // A refusal: ACKed in its transaction (RFC 3261 §17.1.1.3).
            let seq = self.calls.get(&call_id).map_or(0, |c| c.seq);
            let ack = format!(
                "ACK sip:700@{} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKinv{seq};rport\r\n\
                 Max-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
                 CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                self.server
            );
            let _ = self.socket.send_to(ack.as_bytes(), self.server).await;
            if self.calls.contains_key(&call_id) {
                *self.tally.refused.entry(code).or_default() += 1;
                self.finish(&call_id);
            }
            return;
        }
        // A 200 OK, first or again: ACKed every time, to its Contact.
        let contact = headers(text, &["contact", "m"])
            .first()
            .map(|v| uri_of(v))
            .unwrap_or_else(|| format!("sip:700@{}", self.server));
        let ack = format!(
            "ACK {contact} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKack{};rport\r\n\
             Max-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
             CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
            self.rng.next()
        );
        let answered = Instant::now();
        let _ = self.socket.send_to(ack.as_bytes(), self.server).await;
        let Some(call) = self.calls.get_mut(&call_id) else {
            return;
        };
        if call.dialog.is_some() {
            return;
        }
        call.dialog = Some((to.to_string(), contact));
        call.answered = Some(answered);
        if call.counted {
            self.tally.invite_to_ok.push(answered - call.sent);
        }
        // Joining the queue now: does any agent's phone not ring?
        let ringing = self
            .ringing
            .iter()
            .filter(|r| r.load(Ordering::Relaxed))
            .count();
        if call.counted && ringing == self.ringing.len() {
            self.tally.queued_all_ringing += 1;
        }
        if call.popped || call.late {
            self.bye(&call_id).await;
        }
    }

    async fn on_pop(&mut self, agent: usize, caller: &str, card: bool, at: Instant) {
        self.ringing[agent].store(true, Ordering::Relaxed);
        let ringing = self
            .ringing
            .iter()
            .filter(|r| r.load(Ordering::Relaxed))
            .count();
        self.tally.max_ringing = self.tally.max_ringing.max(ringing);
        let number = national_digits(caller);
        let Some(call_id) = self.by_number.get(&number).cloned() else {
            self.tally.stray_pops += 1;
            return;
        };
        let in_flight = self.calls.len();
        let Some(call) = self.calls.get_mut(&call_id) else {
            self.tally.stray_pops += 1;
            return;
        };
        if call.popped || call.late {
            self.tally.stray_pops += 1;
            return;
        }
        call.popped = true;
        if call.counted {
            self.tally.ring_to_pop.push(at - call.sent);
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            self.tally.trace.push(format!(
                "{},{:.3},{:.3},{:.3},{agent},{}",
                call.seq,
                (call.sent - self.started).as_secs_f64(),
                call.answered.map_or(f64::NAN, |a| ms(a - call.sent)),
                ms(at - call.sent),
                in_flight
            ));
            match call.answered {
                Some(answered) => self
                    .tally
                    .ok_to_pop
                    .push(at.saturating_duration_since(answered)),
                None => self.tally.popped_before_ok += 1,
            }
            self.tally.no_card += usize::from(!card);
        }
        if call.dialog.is_some() {
            self.bye(&call_id).await;
        }
    }

    /// Hangs a call up: BYE in its dialog (again, when `bye` was sent).
    async fn bye(&mut self, call_id: &str) {
        let Some(call) = self.calls.get_mut(call_id) else {
            return;
        };
        let Some((to, contact)) = &call.dialog else {
            return;
        };
        let (port, seq, number) = (self.port, call.seq, &call.number);
        let text = format!(
            "BYE {contact} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKbye{seq};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:{number}@127.0.0.1>;tag=pbx{seq}\r\n\
             To: {to}\r\n\
             Call-ID: {call_id}\r\n\
             CSeq: 2 BYE\r\n\
             Content-Length: 0\r\n\r\n"
        );
        call.bye = Some((Instant::now(), call.bye.is_some()));
        let _ = self.socket.send_to(text.as_bytes(), self.server).await;
    }

    /// Gives up on pops and BYEs that take too long.
    async fn sweep(&mut self) {
        let mut late = Vec::new();
        let mut again = Vec::new();
        let mut lost = Vec::new();
        for (id, call) in &mut self.calls {
            match call.bye {
                Some((at, false)) if at.elapsed() > BYE_WAIT => again.push(id.clone()),
                Some((at, true)) if at.elapsed() > BYE_WAIT => lost.push(id.clone()),
                Some(_) => {}
                None if !call.popped && !call.late && call.sent.elapsed() > POP_WAIT => {
                    call.late = true;
                    self.tally.never_popped += usize::from(call.counted);
                    late.push(id.clone());
                }
                None => {}
            }
        }
        for id in late {
            if self.calls.get(&id).is_some_and(|c| c.dialog.is_none()) {
                // Not even answered: nothing to hang up.
                self.tally.unanswered += 1;
                self.finish(&id);
            } else {
                self.bye(&id).await;
            }
        }
        for id in again {
            self.bye(&id).await;
        }
        for id in lost {
            self.tally.bye_lost += 1;
            self.finish(&id);
        }
    }

    fn finish(&mut self, call_id: &str) {
        if let Some(call) = self.calls.remove(call_id) {
            self.by_number.remove(&call.number);
        }
    }

    fn report(&mut self, plan: &Plan) {
        let t = &mut self.tally;
        if let Ok(path) = std::env::var("RING_TO_POP_TRACE") {
            let header = "call,sent_s,invite_to_ok_ms,ring_to_pop_ms,agent,in_flight\n";
            let text = header.to_string() + &t.trace.join("\n") + "\n";
            std::fs::write(&path, text).expect("the trace is written");
            println!("  every pop in {path}");
        }
        for times in [&mut t.ring_to_pop, &mut t.invite_to_ok, &mut t.ok_to_pop] {
            times.sort_unstable();
        }
        println!(
            "{} calls after {WARM_UP} warm-up calls, at {:.1} calls/s (asked {}/s); {} agents",
            plan.calls,
            (plan.calls.saturating_sub(1)) as f64 / t.sending.as_secs_f64().max(1e-9),
            plan.rate,
            plan.agents
        );
        println!(
            "  INVITE sent -> 200 OK received: {}",
            spread(&t.invite_to_ok)
        );
        println!(
            "  200 OK received -> pop received: {}; {} pops came before their 200 OK",
            spread(&t.ok_to_pop),
            t.popped_before_ok
        );
        println!(
            "  never popped {}, pops without a card {}, pops of no call in flight {}, \
             refused {:?}, unanswered {}, hung up by the server {}, BYEs unanswered {}",
            t.never_popped,
            t.no_card,
            t.stray_pops,
            t.refused,
            t.unanswered,
            t.hung_up_by_server,
            t.bye_lost
        );
        println!(
            "  agents ringing at once at most {}; calls queued while every agent rang {}; \
             agents paused {}",
            t.max_ringing, t.queued_all_ringing, t.pauses
        );
        let ms = |d: Duration| format!("{:.2}ms", d.as_secs_f64() * 1e3);
        let (p50, p90, p99, max) = match t.ring_to_pop.last() {
            Some(max) => (
                ms(at(&t.ring_to_pop, 0.50)),
                ms(at(&t.ring_to_pop, 0.90)),
                ms(at(&t.ring_to_pop, 0.99)),
                ms(*max),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        println!(
            "RESULT ring_to_pop backend={} clients={} rate={}/s calls={} popped={} never_popped={} \
             p50={p50} p90={p90} p99={p99} max={max} load={}",
            plan.backend,
            plan.clients,
            plan.rate,
            plan.calls,
            t.ring_to_pop.len(),
            t.never_popped,
            common::load().replace(' ', "/")
        );
    }
}

/// The value at quantile `q` of sorted `times`.
fn at(times: &[Duration], q: f64) -> Duration {
    times[((times.len() as f64 * q) as usize).min(times.len() - 1)]
}

fn spread(times: &[Duration]) -> String {
    if times.is_empty() {
        return "none".into();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} calls)",
        ms(at(times, 0.50)),
        ms(at(times, 0.90)),
        ms(at(times, 0.99)),
        ms(*times.last().expect("not empty")),
        times.len()
    )
}

/// A US number's ten digits, however it is written (`+1` or not).
fn national_digits(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if rest.len() == 10 => rest.to_string(),
        _ => digits,
    }
}

/// The status code of a response; 0 for a request.
fn status(message: &str) -> u16 {
    message
        .strip_prefix("SIP/2.0 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// The method of a request; `None` for a response.
fn method(message: &str) -> Option<&str> {
    if message.starts_with("SIP/2.0 ") {
        return None;
    }
    message.split(' ').next()
}

/// The values of the headers called any of `names` (lower case; compact
/// forms included by the caller), in order.
fn headers<'a>(message: &'a str, names: &[&str]) -> Vec<&'a str> {
    message
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .filter(|(n, _)| names.iter().any(|name| n.trim().eq_ignore_ascii_case(name)))
        .map(|(_, value)| value.trim())
        .collect()
}

/// A request's Via, From, To (with `tag` added when it has none), Call-ID
/// and CSeq lines, as its responses repeat them.
fn echoed(request: &str, tag: &str) -> String {
    let mut out = String::new();
    let head = request.split("\r\n\r\n").next().unwrap_or_default();
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "via" | "v" | "from" | "f" | "call-id" | "i" | "cseq" => {
                out.push_str(line);
                out.push_str("\r\n");
            }
            "to" | "t" if !value.contains(";tag=") => {
                out.push_str(&format!("{line};tag={tag}\r\n"));
            }
            "to" | "t" => {
                out.push_str(line);
                out.push_str("\r\n");
            }
            _ => {}
        }
    }
    out
}

/// The URI of a name-addr (`"x" <sip:...>;p`) or of a bare addr-spec.
fn uri_of(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(open), Some(close)) if open < close => value[open + 1..close].to_string(),
        _ => value.split(';').next().unwrap_or(value).trim().to_string(),
    }
}
