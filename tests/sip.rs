//! The SIP server over real sockets, against SIPp (Debian's `sip-tester`)
//! and against raw datagrams from the malformed-message corpus; TLS,
//! WebSocket and stream edge cases in [`transports`].

#[path = "sip/campaigns.rs"]
mod campaigns;
#[path = "sip/clients.rs"]
mod clients;
#[path = "support/mod.rs"]
mod support;
#[path = "sip/transports.rs"]
mod transports;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use switchboard::calls::{CallEvent, Outcome, Party, Summary};
use switchboard::runtime::media::{Media, MediaSettings};
use switchboard::runtime::sip::{SipServer, SipSettings};
use switchboard::sip::digest::Ha1Set;
use switchboard::sip::registration::Accounts;

const REALM: &str = "switchboard";

/// Extensions 1001 and 1002, passwords demo1001 and demo1002.
fn accounts() -> Accounts {
    let mut accounts = HashMap::new();
    for extension in ["1001", "1002"] {
        let password = format!("demo{extension}");
        accounts.insert(
            extension.to_string(),
            Ha1Set::derive(extension, REALM, &password),
        );
    }
    Arc::new(accounts)
}

/// The demo dialplan, as shipped.
fn demo_plan() -> switchboard::dialplan::Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialplans/demo.toml");
    let text = std::fs::read_to_string(&path).expect("dialplans/demo.toml");
    switchboard::dialplan::load(&[("dialplans/demo.toml".into(), text)])
        .expect("the demo plan loads")
}

/// The PBX trunk of the tests sits on 127.0.0.2, apart from the phones on
/// 127.0.0.1, since a trunk is known by its address.
const PBX_IP: &str = "127.0.0.2";

/// The demo's `demo-pbx` trunk with its peer (where calls out go) on `port`.
fn demo_trunk(port: u16) -> switchboard::pbx::trunks::Trunks {
    pinged_trunk(port, 0)
}

/// The same trunk, pinged with OPTIONS every `interval` seconds (0: never).
fn pinged_trunk(port: u16, interval: u64) -> switchboard::pbx::trunks::Trunks {
    trunks_from(&format!(
        "name = \"demo-pbx\"\nvendor = \"generic\"\npeers = [\"{PBX_IP}:{port}\"]\noptions_interval_secs = {interval}\n"
    ))
}

/// The trunks of one `[[trunks]]` table's text.
fn trunks_from(text: &str) -> switchboard::pbx::trunks::Trunks {
    let config: switchboard::pbx::trunks::TrunkConfig =
        toml::from_str(text).expect("a trunk table");
    let region = switchboard::phone::Region::parse("DE").unwrap();
    switchboard::pbx::trunks::Trunks::from_configs(vec![config], region).expect("a valid trunk")
}

fn settings() -> SipSettings {
    let mut settings = SipSettings::new("127.0.0.1:0".parse().unwrap(), REALM);
    settings.plan = Arc::new(demo_plan());
    settings.trunks = Arc::new(demo_trunk(5999));
    settings.media = Some(media());
    settings
}

/// Media anchored on 127.0.0.1, on ports above the kernel's ephemeral
/// range and apart from those [`free_port`] hands to SIPp.
fn media() -> Media {
    media_recording_to(None)
}

/// The same, recording calls that ask for it under `recordings`.
fn media_recording_to(recordings: Option<&Path>) -> Media {
    let localhost = "127.0.0.1".parse().unwrap();
    Media::start(&MediaSettings {
        bind: localhost,
        address: localhost,
        ports: 61_000..=64_999,
        threads: 1,
        recordings: recordings.map(Path::to_owned),
    })
    .expect("media threads start")
}

async fn server() -> SipServer {
    server_with_events(None).await
}

async fn server_with_events(
    events: Option<tokio::sync::mpsc::UnboundedSender<CallEvent>>,
) -> SipServer {
    SipServer::start(settings(), accounts(), events)
        .await
        .expect("SIP binds")
}

/// A free local port for SIPp (it has no "any port" option). Ports come
/// from one counter per test process, so parallel tests never pick the same
/// one, and each is checked free on both test addresses.
fn free_port() -> u16 {
    free_ports(1)
}

/// The first of `n` free ports in a row (SIPp's media takes several).
fn free_ports(n: u16) -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let _ = NEXT.compare_exchange(
        0,
        20_000 + (std::process::id() % 20_000) as u16,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let first = NEXT.fetch_add(n, Ordering::SeqCst);
        let free = |ip: &str, port: u16| {
            std::net::UdpSocket::bind((ip, port)).is_ok()
                && std::net::TcpListener::bind((ip, port)).is_ok()
        };
        if (first..first + n).all(|port| free("127.0.0.1", port) && free(PBX_IP, port)) {
            return first;
        }
    }
}

/// Polls `condition` every 100 ms for up to 5 s; whether it came true.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..50 {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    condition()
}

/// Waits until a SIPp started in the background has bound its UDP port, so
/// that nothing is sent to it before it listens.
async fn wait_bound(ip: &str, port: u16) {
    for _ in 0..100 {
        if std::net::UdpSocket::bind((ip, port)).is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("SIPp did not bind {ip}:{port} within 5 s");
}

/// One SIPp run: a client scenario against the server, or a phone in
/// server mode waiting on its own port.
struct Sipp {
    args: Vec<String>,
    dir: tempfile::TempDir,
}

impl Sipp {
    fn scenario(name: &str) -> Sipp {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/sipp")
            .join(name);
        let mut sipp = Sipp {
            args: Vec::new(),
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        sipp.arg([
            "-sf",
            &path.display().to_string(),
            "-m",
            "1",
            "-l",
            "1",
            "-i",
            "127.0.0.1",
        ]);
        sipp.arg([
            "-timeout",
            "20",
            "-timeout_error",
            "-max_socket",
            "10",
            "-trace_err",
            "-nostdin",
        ]);
        if std::env::var_os("SIPP_TRACE").is_some() {
            sipp.arg(["-trace_msg"]);
        }
        sipp
    }

    fn arg<const N: usize>(&mut self, args: [&str; N]) -> &mut Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new("sipp");
        command
            .args(&self.args)
            .current_dir(self.dir.path())
            .kill_on_drop(true);
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    }

    /// Starts it in the background (a phone waiting for a call).
    fn spawn(&self) -> tokio::process::Child {
        self.command()
            .spawn()
            .expect("sipp runs (Debian: apt-get install sip-tester)")
    }

    /// Runs it to the end; SIPp's verdict and its error log.
    async fn run(&self) -> (bool, String) {
        let output = tokio::time::timeout(Duration::from_secs(30), self.command().output())
            .await
            .expect("SIPp finishes within 30 s")
            .expect("sipp runs (Debian: apt-get install sip-tester)");
        (output.status.success(), self.log(&output.stderr))
    }

    async fn finish(&self, child: tokio::process::Child) -> (bool, String) {
        let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
            .await
            .expect("SIPp finishes within 30 s")
            .expect("sipp ran");
        (output.status.success(), self.log(&output.stderr))
    }

    fn log(&self, stderr: &[u8]) -> String {
        let mut log = String::from_utf8_lossy(stderr).into_owned();
        for entry in std::fs::read_dir(self.dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            log.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
        log
    }
}

/// Runs one SIPp REGISTER of `user` whose contact is `contact`.
async fn register(
    scenario: &str,
    target: SocketAddr,
    transport: &str,
    user: &str,
    password: &str,
    contact: &str,
) -> (bool, String) {
    Sipp::scenario(scenario)
        .arg([
            &target.to_string(),
            "-t",
            transport,
            "-s",
            user,
            "-au",
            user,
            "-ap",
            password,
        ])
        .arg(["-p", &free_port().to_string(), "-key", "contact", contact])
        .run()
        .await
}

#[tokio::test]
async fn a_phone_registers_over_udp_and_tcp_with_the_right_password() {
    let server = server().await;
    // One extension per transport, so each 200 lists just its own contact.
    for (transport, target, user) in [
        ("u1", server.udp_addr, "1001"),
        ("t1", server.tcp_addr, "1002"),
    ] {
        let password = format!("demo{user}");
        let (ok, log) = register(
            "register.xml",
            target,
            transport,
            user,
            &password,
            "127.0.0.1:5999",
        )
        .await;
        assert!(ok, "{transport}: {log}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_over_udp_and_tcp() {
    let server = server().await;
    for (transport, target) in [("u1", server.udp_addr), ("t1", server.tcp_addr)] {
        let (ok, log) = register(
            "register_refused.xml",
            target,
            transport,
            "1002",
            "guessed",
            "127.0.0.1:5999",
        )
        .await;
        assert!(ok, "{transport}: {log}");
    }
    server.stop().await;
}

/// Sends `bytes` from `socket` and waits briefly for an answer's status.
async fn exchange(
    socket: &tokio::net::UdpSocket,
    to: SocketAddr,
    bytes: &[u8],
    wait: Duration,
) -> Option<String> {
    socket.send_to(bytes, to).await.expect("UDP send");
    let mut buffer = vec![0u8; 65_536];
    let (len, _) = tokio::time::timeout(wait, socket.recv_from(&mut buffer))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buffer[..len]).into_owned();
    Some(text.split(' ').nth(1).unwrap_or_default().to_string())
}

const OPTIONS_PROBE: &str = "OPTIONS sip:switchboard@127.0.0.1 SIP/2.0\r\n\
    Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKalive{n}\r\nMax-Forwards: 70\r\n\
    From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:switchboard@127.0.0.1>\r\n\
    Call-ID: alive-{n}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

#[tokio::test]
async fn every_corpus_message_gets_its_answer_and_the_server_keeps_serving() {
    let server = server().await;
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sip/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sip"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus is there: {}", files.len());
    let mut wrong = Vec::new();
    for (n, file) in files.iter().enumerate() {
        // A socket per message: retransmissions of an answer (a final
        // response to an INVITE repeats until ACKed) stay with their message.
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = name.split('-').next().unwrap().to_string();
        let bytes = std::fs::read(file).unwrap();
        let wait = Duration::from_millis(if expected == "none" { 300 } else { 2000 });
        let got = exchange(&socket, server.udp_addr, &bytes, wait).await;
        let got_text = got.clone().unwrap_or_else(|| "none".into());
        if got_text != expected {
            wrong.push(format!("{name}: got {got_text}"));
        }
        let probe = OPTIONS_PROBE.replace("{n}", &n.to_string());
        let alive = exchange(
            &socket,
            server.udp_addr,
            probe.as_bytes(),
            Duration::from_secs(2),
        )
        .await;
        assert_eq!(
            alive.as_deref(),
            Some("200"),
            "the server still answers after {name}"
        );
    }
    assert!(
        wrong.is_empty(),
        "unexpected answers:\n{}",
        wrong.join("\n")
    );
    server.stop().await;
}

/// Extension 1002's phone: a SIPp in server mode running `scenario`,
/// registered over UDP. Returns the running phone.
async fn phone_1002(server: &SipServer, scenario: &str) -> (Sipp, tokio::process::Child) {
    phone_1002_with(server, Sipp::scenario(scenario)).await
}

/// Extension 1002's phone as [`phone_1002`], echoing the RTP it gets.
async fn echoing_phone_1002(server: &SipServer) -> (Sipp, tokio::process::Child) {
    let mut phone = Sipp::scenario("phone_echoes.xml");
    phone.arg(["-mp", &free_ports(4).to_string(), "-rtp_echo"]);
    phone_1002_with(server, phone).await
}

/// Starts `phone` on a port of its own and registers it as 1002.
async fn phone_1002_with(server: &SipServer, phone: Sipp) -> (Sipp, tokio::process::Child) {
    phone_as(server, phone, "1002").await
}

/// Starts `phone` on a port of its own and registers it as `extension`
/// (password demo + the extension).
async fn phone_as(
    server: &SipServer,
    mut phone: Sipp,
    extension: &str,
) -> (Sipp, tokio::process::Child) {
    let port = free_port();
    phone.arg(["-p", &port.to_string()]);
    let child = phone.spawn();
    wait_bound("127.0.0.1", port).await;
    let contact = format!("127.0.0.1:{port}");
    let password = format!("demo{extension}");
    let (ok, log) = register(
        "register.xml",
        server.udp_addr,
        "u1",
        extension,
        &password,
        &contact,
    )
    .await;
    assert!(ok, "{extension} registers: {log}");
    (phone, child)
}

/// The PBX (SIPp at `PBX_IP`, sending RTP from a port of its own) calls
/// 1002's echoing phone with `scenario`; both sides must succeed.
async fn trunk_calls_echoing_1002(server: &SipServer, scenario: &str) {
    let (phone, child) = echoing_phone_1002(server).await;
    let media_port = free_ports(4).to_string();
    let (ok, log) = sipp_calls_1002(server, scenario, ["-i", PBX_IP, "-mp", &media_port]).await;
    assert!(ok, "the trunk's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "the phone's side: {log}");
}

/// SIPp calls 1002 with `scenario`, with `caller`'s arguments (who it is
/// and how it gets in); returns SIPp's verdict and log.
async fn sipp_calls_1002<const N: usize>(
    server: &SipServer,
    scenario: &str,
    caller: [&str; N],
) -> (bool, String) {
    Sipp::scenario(scenario)
        .arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "1002"])
        .arg(caller)
        .arg(["-p", &free_port().to_string()])
        .run()
        .await
}

/// The PBX (SIPp at `PBX_IP`, on the demo trunk) calls 1002 with
/// `scenario`; returns SIPp's verdict and log.
async fn trunk_calls_1002(server: &SipServer, scenario: &str) -> (bool, String) {
    sipp_calls_1002(server, scenario, ["-i", PBX_IP]).await
}

/// 1001 calls 1002 with `scenario`; returns SIPp's verdict and log.
async fn call_1002(server: &SipServer, scenario: &str) -> (bool, String) {
    sipp_calls_1002(server, scenario, ["-au", "1001", "-ap", "demo1001"]).await
}

/// The summary of the first call that ended, waiting up to 5 s for it.
async fn ended(events: &mut tokio::sync::mpsc::UnboundedReceiver<CallEvent>) -> Summary {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("a call event within 5 s")
            .expect("the engine runs");
        if let CallEvent::Ended(summary) = event {
            return *summary;
        }
    }
}

#[tokio::test]
async fn a_trunk_calls_audio_is_relayed_through_the_server_both_ways_without_loss_and_recorded() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let recordings = tempfile::tempdir().unwrap();
    let mut settings = settings();
    settings.media = Some(media_recording_to(Some(recordings.path())));
    settings.trunks = Arc::new(trunks_from(&format!(
        "name = \"demo-pbx\"\nvendor = \"generic\"\npeers = [\"{PBX_IP}:5999\"]\n\
         options_interval_secs = 0\nrecord = true\n"
    )));
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    trunk_calls_echoing_1002(&server, "trunk_plays_audio.xml").await;
    let summary = ended(&mut events).await;
    assert_eq!(summary.outcome, Outcome::Answered);
    let media = summary.media.expect("the call's media was anchored");
    // SIPp's recording holds 236 packets; the phone sent each one back.
    assert_eq!(media.from_caller.packets, 236, "{media:?}");
    assert_eq!(media.from_callee.packets, 236, "{media:?}");
    assert_eq!((media.from_caller.lost, media.from_callee.lost), (0, 0));
    assert_eq!(
        (media.from_caller.dropped, media.from_callee.dropped),
        (0, 0),
        "every packet came from the latched source"
    );
    // The trunk records: the caller's audio on the left, the phone's echo
    // of it on the right, about seven seconds of each.
    let (file, duration_ms) = media.recording.expect("the trunk's calls are recorded");
    assert!((6_500..=8_500).contains(&duration_ms), "{duration_ms} ms");
    let path = recordings.path().join(&file);
    let mut samples = Vec::new();
    for _ in 0..50 {
        if let Ok(mut reader) = hound::WavReader::open(&path)
            && reader.duration() > 0
        {
            assert_eq!(
                (reader.spec().channels, reader.spec().sample_rate),
                (2, 8000)
            );
            samples = reader.samples::<i16>().map(Result::unwrap).collect();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let loud = |channel: usize| {
        samples
            .iter()
            .skip(channel)
            .step_by(2)
            .filter(|s| s.unsigned_abs() > 1000)
            .count()
    };
    assert!(
        samples.len() / 2 >= 8000 * 6,
        "{} frames",
        samples.len() / 2
    );
    assert!(
        loud(0) > 8000,
        "the caller is heard: {} loud samples",
        loud(0)
    );
    assert!(
        loud(1) > 8000,
        "the callee is heard: {} loud samples",
        loud(1)
    );
    server.stop().await;
}

#[tokio::test]
async fn an_extension_calls_another_and_hangs_up() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
    let (ok, log) = call_1002(&server, "extension_calls.xml").await;
    assert!(ok, "the caller's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "the phone's side: {log}");
    let summary = ended(&mut events).await;
    assert_eq!(summary.outcome, Outcome::Answered);
    assert_eq!(summary.hangup_by, Some(Party::Caller));
    assert_eq!(
        (summary.caller.as_str(), summary.called.as_str()),
        ("1001", "1002")
    );
    assert_eq!(summary.answered_by.as_deref(), Some("1002"));
    assert_eq!(summary.rule.as_deref(), Some("extension-to-extension"));
    server.stop().await;
}

#[tokio::test]
async fn the_called_phone_hangs_up_and_the_caller_gets_the_bye() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_hangs_up.xml").await;
    let (caller_ok, caller_log) = call_1002(&server, "extension_called_back.xml").await;
    let (ok, log) = phone.finish(child).await;
    assert!(
        caller_ok,
        "the caller's side: {caller_log}\nthe phone's: {log}"
    );
    assert!(ok, "the phone's side: {log}");
    assert_eq!(ended(&mut events).await.hangup_by, Some(Party::Callee));
    server.stop().await;
}

#[tokio::test]
async fn a_busy_phone_gives_the_caller_486() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_busy.xml").await;
    let (ok, log) = call_1002(&server, "extension_hears_busy.xml").await;
    assert!(ok, "the caller's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "the phone's side: {log}");
    let summary = ended(&mut events).await;
    assert_eq!(
        (summary.outcome, summary.sip_code),
        (Outcome::Busy, Some(486))
    );
    server.stop().await;
}

#[tokio::test]
async fn an_unregistered_extension_is_temporarily_unavailable() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (ok, log) = call_1002(&server, "extension_hears_unavailable.xml").await;
    assert!(ok, "{log}");
    assert_eq!(ended(&mut events).await.outcome, Outcome::Unavailable);
    server.stop().await;
}

#[tokio::test]
async fn a_trunk_call_rings_the_extension_it_dialled() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
    let (ok, log) = trunk_calls_1002(&server, "trunk_calls.xml").await;
    assert!(ok, "the PBX's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "the phone's side: {log}");
    let summary = ended(&mut events).await;
    assert_eq!(summary.trunk.as_deref(), Some("demo-pbx"));
    assert_eq!(
        summary.caller_e164.as_deref(),
        Some("+4930123456"),
        "read from P-Asserted-Identity"
    );
    assert_eq!(summary.rule.as_deref(), Some("pbx-to-extension"));
    assert_eq!(summary.answered_by.as_deref(), Some("1002"));
    server.stop().await;
}

/// RFC 4028 with a trunk that refreshes: the 200 agrees to its timer and its
/// refresh is answered here, never reaching the phone (whose scenario would
/// fail on an UPDATE).
#[tokio::test]
async fn a_trunk_session_timer_is_agreed_and_its_refresh_answered() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
    let (ok, log) = trunk_calls_1002(&server, "trunk_refreshes_the_session.xml").await;
    assert!(ok, "the PBX's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "the phone's side: {log}");
    let summary = ended(&mut events).await;
    assert_eq!(summary.outcome, Outcome::Answered);
    assert_eq!(summary.hangup_by, Some(Party::Caller));
    server.stop().await;
}

#[tokio::test]
async fn a_trunk_asking_for_too_brief_a_session_hears_422() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (ok, log) = trunk_calls_1002(&server, "trunk_asks_too_brief_a_session.xml").await;
    assert!(ok, "the PBX's side: {log}");
    assert_eq!(ended(&mut events).await.sip_code, Some(422));
    server.stop().await;
}

#[tokio::test]
async fn an_extension_calls_out_through_the_trunk() {
    let pbx_port = free_port();
    let summary = call_out_through(demo_trunk(pbx_port), PBX_IP, pbx_port).await;
    assert_eq!(summary.trunk.as_deref(), Some("demo-pbx"));
    assert_eq!(summary.rule.as_deref(), Some("outbound-via-pbx"));
    assert_eq!(summary.outcome, Outcome::Answered);
}

/// A carrier given by host name: resolved when SIP starts, calls out go to
/// the address it names (here `localhost`, where the PBX's SIPp listens).
#[tokio::test]
async fn a_trunk_peer_given_by_host_name_is_reached() {
    let pbx_port = free_port();
    let trunks = trunks_from(&format!(
        "name = \"demo-pbx\"\nvendor = \"generic\"\npeers = [\"localhost:{pbx_port}\"]\nallow = [\"{PBX_IP}\"]\noptions_interval_secs = 0\n"
    ));
    let summary = call_out_through(trunks, "127.0.0.1", pbx_port).await;
    assert_eq!(summary.trunk.as_deref(), Some("demo-pbx"));
    assert_eq!(summary.outcome, Outcome::Answered);
}

/// Extension 1001 dials 04930123456 out through `trunks`, whose PBX (a SIPp
/// phone that answers) listens at `pbx_ip:pbx_port`; both sides must pass.
/// The call's record.
async fn call_out_through(
    trunks: switchboard::pbx::trunks::Trunks,
    pbx_ip: &str,
    pbx_port: u16,
) -> Summary {
    let extension = Sipp::scenario("extension_calls.xml");
    let pbx = Sipp::scenario("phone_answers.xml");
    call_out_with(trunks, (pbx_ip, pbx_port), extension, pbx).await
}

/// The same with the extension's and the PBX's scenarios given.
async fn call_out_with(
    trunks: switchboard::pbx::trunks::Trunks,
    (pbx_ip, pbx_port): (&str, u16),
    mut extension: Sipp,
    mut pbx: Sipp,
) -> Summary {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    settings.trunks = Arc::new(trunks);
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    pbx.arg(["-p", &pbx_port.to_string(), "-i", pbx_ip]);
    let child = pbx.spawn();
    wait_bound(pbx_ip, pbx_port).await;
    let (ok, log) = extension
        .arg([
            &server.udp_addr.to_string(),
            "-t",
            "u1",
            "-s",
            "04930123456",
            "-au",
            "1001",
            "-ap",
            "demo1001",
        ])
        .arg(["-p", &free_port().to_string()])
        .run()
        .await;
    let (pbx_ok, pbx_log) = pbx.finish(child).await;
    assert!(ok, "the extension's side: {log}\nthe PBX's: {pbx_log}");
    assert!(pbx_ok, "the PBX's side: {pbx_log}");
    let summary = ended(&mut events).await;
    server.stop().await;
    summary
}

/// The real binary with the demo data: its SIP accounts come from the
/// database (1001-1020, password demo<ext>), its routing from a dialplans
/// folder that SIGHUP reloads.
#[tokio::test]
async fn the_server_binary_registers_demo_extensions_records_their_calls_and_reloads_dialplans_on_sighup()
 {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let plans = dir.path().join("dialplans");
    std::fs::create_dir(&plans).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        manifest.join("dialplans/demo.toml"),
        plans.join("demo.toml"),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_switchboard");
    let demo = std::process::Command::new(bin)
        .args(["demo", "--database", &db])
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
    let mut server = tokio::process::Command::new(bin)
        .args([
            "serve",
            "--database",
            &db,
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
    let sip_addr: SocketAddr = format!("127.0.0.1:{sip}").parse().unwrap();
    // Ready when HTTP answers (SIP starts before it).
    let mut ready = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", http))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        ready,
        "the server starts: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    let (ok, out) = register(
        "register.xml",
        sip_addr,
        "u1",
        "1001",
        "demo1001",
        "127.0.0.1:5999",
    )
    .await;
    assert!(
        ok,
        "a demo extension registers with its demo password: {out}"
    );
    let (ok, out) = register(
        "register_refused.xml",
        sip_addr,
        "u1",
        "1003",
        "demo1001",
        "127.0.0.1:5999",
    )
    .await;
    assert!(ok, "another extension's password is refused: {out}");

    // A call between two demo extensions leaves its record, read back
    // through the API.
    let port = free_port();
    let mut phone = Sipp::scenario("phone_answers.xml");
    phone.arg(["-p", &port.to_string()]);
    let child = phone.spawn();
    wait_bound("127.0.0.1", port).await;
    let contact = format!("127.0.0.1:{port}");
    let (ok, out) = register("register.xml", sip_addr, "u1", "1002", "demo1002", &contact).await;
    assert!(ok, "1002 registers: {out}");
    let (ok, out) = Sipp::scenario("extension_calls.xml")
        .arg([
            &sip_addr.to_string(),
            "-t",
            "u1",
            "-s",
            "1002",
            "-au",
            "1001",
            "-ap",
            "demo1001",
        ])
        .arg(["-p", &free_port().to_string()])
        .run()
        .await;
    assert!(ok, "1001 calls 1002: {out}");
    assert!(phone.finish(child).await.0, "1002 answers");
    let http_client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{http}/api/v1");
    let login = http_client
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"username": "supervisor", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success(), "the demo supervisor logs in");
    let mut record = serde_json::Value::Null;
    for _ in 0..50 {
        let page: serde_json::Value = http_client
            .get(format!("{base}/calls"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(first) = page["items"].get(0) {
            record = first.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(record["caller"], "1001", "the call's record: {record}");
    assert_eq!(record["called"], "1002");
    assert_eq!(record["answered_by"], "1002");
    assert_eq!(record["outcome"], "answered");
    assert_eq!(record["direction"], "internal");
    assert_eq!(record["hangup_by"], "caller");
    // The live view lists the registered phones.
    let live: serde_json::Value = http_client
        .get(format!("{base}/sip/registrations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let extensions: Vec<&str> = live["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["extension"].as_str().unwrap())
        .collect();
    assert_eq!(extensions, ["1001", "1002"], "{live}");
    assert_eq!(
        live["items"][1]["phones"][0]["contact"],
        format!("sip:1002@127.0.0.1:{port}")
    );
    assert_eq!(live["items"][1]["phones"][0]["transport"], "udp");

    let hangup = |pid: u32| {
        std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
    };
    let pid = server.id().unwrap();
    std::fs::write(
        plans.join("broken.toml"),
        "[[rule]]\nname = \"x\"\nring = \"1001\"\ncalled = \"_10[\"\n",
    )
    .unwrap();
    hangup(pid);
    let logged = |needle: &str| {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains(needle)
    };
    let seen = eventually(|| logged("dialplans NOT reloaded")).await;
    assert!(
        seen,
        "a broken plan is refused: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(logged("broken.toml:4"), "the error names file and line");
    std::fs::remove_file(plans.join("broken.toml")).unwrap();
    hangup(pid);
    let reloaded = eventually(|| logged("dialplans reloaded")).await;
    assert!(
        reloaded,
        "a good plan is taken: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    // The same through the API: admins only; errors come back by file and line.
    let reload = format!("{base}/sip/dialplans/reload");
    let status = http_client.post(&reload).send().await.unwrap().status();
    assert_eq!(
        status,
        reqwest::StatusCode::FORBIDDEN,
        "the supervisor may only look"
    );
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = admin
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success());
    std::fs::write(
        plans.join("broken.toml"),
        "[[rule]]\nname = \"x\"\nring = \"1001\"\ncalled = \"_10[\"\n",
    )
    .unwrap();
    let refused = admin.post(&reload).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("broken.toml:4"),
        "{problem}"
    );
    std::fs::remove_file(plans.join("broken.toml")).unwrap();
    let taken: serde_json::Value = admin
        .post(&reload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(taken["rules"], 7, "the demo plan's rules: {taken}");
    server.kill().await.unwrap();
}

#[tokio::test]
async fn a_trunk_whose_pbx_answers_options_is_up() {
    let pbx_port = free_port();
    let mut pbx = Sipp::scenario("phone_answers.xml");
    pbx.arg(["-p", &pbx_port.to_string(), "-i", PBX_IP, "-aa"]);
    let child = pbx.spawn();
    wait_bound(PBX_IP, pbx_port).await;
    let mut settings = settings();
    settings.trunks = Arc::new(pinged_trunk(pbx_port, 5));
    let server = SipServer::start(settings, accounts(), None)
        .await
        .expect("SIP binds");
    let health = server.trunk_health();
    let up = eventually(|| {
        health.lock().unwrap().get("demo-pbx") == Some(&switchboard::pbx::trunks::Health::Up)
    })
    .await;
    assert!(
        up,
        "the PBX answered the first OPTIONS: {:?}",
        health.lock().unwrap()
    );
    server.stop().await;
    drop(child);
}

#[tokio::test]
async fn a_digit_the_trunk_keys_as_rfc_4733_events_is_heard_once() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    trunk_calls_echoing_1002(&server, "trunk_keys_a_digit.xml").await;
    let mut digits = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("call events within 5 s")
            .expect("the engine runs");
        match event {
            CallEvent::Digit { from, digit, .. } => digits.push((from, digit)),
            CallEvent::Ended(_) => break,
            _ => {}
        }
    }
    // The recording repeats the event's packets and its end three times.
    assert_eq!(digits, [(Party::Caller, '1')]);
    server.stop().await;
}

#[tokio::test]
async fn an_extension_set_to_be_recorded_has_its_calls_recorded_and_others_not() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let recordings = tempfile::tempdir().unwrap();
    // One server records 1002's calls, the other none: 1001 calls 1002 on each.
    for recorded in [vec!["1002".to_string()], vec![]] {
        let mut settings = settings();
        settings.media = Some(media_recording_to(Some(recordings.path())));
        let server = SipServer::start(settings, accounts(), Some(sender.clone()))
            .await
            .expect("SIP binds");
        server.set_recorded(Arc::new(recorded.iter().cloned().collect()));
        let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
        let (ok, log) = call_1002(&server, "extension_calls.xml").await;
        assert!(ok, "{log}");
        assert!(phone.finish(child).await.0);
        let recording = ended(&mut events).await.media.and_then(|m| m.recording);
        match recording {
            Some((file, _)) => {
                assert!(!recorded.is_empty(), "recorded although nobody asked");
                let path = recordings.path().join(file);
                assert!(eventually(|| path.exists()).await, "the file is written");
            }
            None => assert!(recorded.is_empty(), "a call to 1002 is recorded"),
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_phone_put_on_hold_by_the_trunk_hears_hold_music_until_it_is_taken_back() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    // Two seconds of a loud tone stand for the music.
    let music: Vec<i16> = (0..16_000)
        .map(|i| if i % 20 < 10 { 8000 } else { -8000 })
        .collect();
    settings.prompts = Arc::new([("hold-music".to_string(), music.into())].into());
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    trunk_calls_echoing_1002(&server, "trunk_holds.xml").await;
    let media = ended(&mut events).await.media.expect("anchored");
    // The trunk sent no audio at all; what came back from the phone is its
    // echo of the music it was played while held: about 2 s of 20 ms frames,
    // and none in the 1.5 s after the hold was taken back (with the music
    // going on, 75 more).
    assert_eq!(media.from_caller.packets, 0);
    assert!(
        (70..=125).contains(&media.from_callee.packets),
        "{} packets echoed",
        media.from_callee.packets
    );
    server.stop().await;
}

#[tokio::test]
async fn the_caller_hanging_up_while_it_rings_cancels_the_phone() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_rings_unanswered.xml").await;
    let (ok, log) = call_1002(&server, "extension_cancels.xml").await;
    let (phone_ok, phone_log) = phone.finish(child).await;
    assert!(ok, "the caller's side: {log}\nthe phone's: {phone_log}");
    assert!(phone_ok, "the phone is cancelled: {phone_log}");
    let summary = ended(&mut events).await;
    assert_eq!(
        (summary.outcome, summary.hangup_by),
        (Outcome::Cancelled, Some(Party::Caller))
    );
    server.stop().await;
}

#[tokio::test]
async fn nobody_answering_in_time_gives_the_caller_480_and_cancels_the_phone() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"short-ring\"\nfrom = \"extension\"\ncalled = \"1002\"\nring = \"1002\"\nring_timeout = 2\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("short.toml".into(), plan.into())]).expect("a plan"),
    );
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    let (phone, child) = phone_1002(&server, "phone_rings_unanswered.xml").await;
    let (ok, log) = call_1002(&server, "extension_hears_unavailable.xml").await;
    let (phone_ok, phone_log) = phone.finish(child).await;
    assert!(ok, "the caller hears 480: {log}\nthe phone's: {phone_log}");
    assert!(phone_ok, "the phone is cancelled: {phone_log}");
    let summary = ended(&mut events).await;
    assert_eq!(
        (summary.outcome, summary.hangup_by),
        (Outcome::NoAnswer, Some(Party::System))
    );
    assert_eq!(
        (summary.ended_at - summary.arrived_at).num_seconds(),
        2,
        "after the rule's ring_timeout"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_extension_on_tcp_calls_one_on_udp() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let server = server_with_events(Some(sender)).await;
    let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
    let (ok, log) = Sipp::scenario("extension_calls.xml")
        .arg([
            &server.tcp_addr.to_string(),
            "-t",
            "t1",
            "-s",
            "1002",
            "-au",
            "1001",
            "-ap",
            "demo1001",
        ])
        .arg(["-p", &free_port().to_string()])
        .run()
        .await;
    let (phone_ok, phone_log) = phone.finish(child).await;
    assert!(ok, "the caller on TCP: {log}\nthe phone's: {phone_log}");
    assert!(phone_ok, "the phone on UDP: {phone_log}");
    assert_eq!(ended(&mut events).await.outcome, Outcome::Answered);
    server.stop().await;
}

#[tokio::test]
async fn switchboard_registers_to_a_pbx_that_wants_it_as_a_user() {
    // The "PBX" is a second Switchboard on 127.0.0.2 with user 301.
    let mut pbx_settings = SipSettings::new(format!("{PBX_IP}:0").parse().unwrap(), "pbx.example");
    pbx_settings.plan = Arc::new(demo_plan());
    let mut pbx_accounts = HashMap::new();
    pbx_accounts.insert(
        "301".to_string(),
        Ha1Set::derive("301", "pbx.example", "pbx-secret"),
    );
    let pbx = SipServer::start(pbx_settings, Arc::new(pbx_accounts), None)
        .await
        .expect("the PBX binds");
    let registrar = pbx.udp_addr;
    let text = format!(
        "name = \"hq\"\nvendor = \"generic\"\npeers = [\"{registrar}\"]\noptions_interval_secs = 0\n\
         register = {{ user = \"301\", password = \"pbx-secret\", expires = 300 }}\n"
    );
    let config: switchboard::pbx::trunks::TrunkConfig =
        toml::from_str(&text).expect("a trunk table");
    let region = switchboard::phone::Region::parse("DE").unwrap();
    let mut settings = settings();
    settings.trunks =
        Arc::new(switchboard::pbx::trunks::Trunks::from_configs(vec![config], region).unwrap());
    let server = SipServer::start(settings, accounts(), None)
        .await
        .expect("SIP binds");
    let pbx_view = pbx.status();
    let registered =
        eventually(|| pbx_view.registrations.lock().unwrap().contains_key("301")).await;
    assert!(registered, "the PBX lists Switchboard as user 301");
    let contact = pbx_view.registrations.lock().unwrap()["301"][0]
        .contact
        .clone();
    assert!(
        contact.contains(&server.udp_addr.port().to_string()),
        "its contact is Switchboard: {contact}"
    );
    server.stop().await;
    pbx.stop().await;
}

/// A second of a tone, as a prompt: what the menu plays in these tests
/// (the demo's spoken prompts need espeak-ng, which `scripts/prompts` uses).
fn tone_prompts(names: &[&str]) -> switchboard::runtime::sip::Prompts {
    let tone: Arc<[i16]> = (0..8000)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    Arc::new(
        names
            .iter()
            .map(|name| (name.to_string(), tone.clone()))
            .collect(),
    )
}

#[tokio::test]
async fn a_trunk_caller_keys_2_in_the_demo_menu_and_reaches_1002() {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    settings.prompts = tone_prompts(&["welcome", "invalid", "goodbye", "ringback"]);
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    let (phone, child) = phone_1002(&server, "phone_answers.xml").await;
    // The trunk echoes what it hears, so the greeting it got is counted
    // as media from the caller.
    let (ok, log) = Sipp::scenario("trunk_chooses_in_a_menu.xml")
        .arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "800"])
        .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string(), "-rtp_echo"])
        .arg(["-p", &free_port().to_string()])
        .run()
        .await;
    assert!(ok, "the trunk's side: {log}");
    let (ok, log) = phone.finish(child).await;
    assert!(ok, "1002 rang, answered and was hung up on: {log}");
    let mut digits = Vec::new();
    let mut answered = Vec::new();
    let summary = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("call events within 5 s")
            .expect("the engine runs");
        match event {
            CallEvent::Digit { from, digit, .. } => digits.push((from, digit)),
            CallEvent::Answered { label, .. } => answered.push(label),
            CallEvent::Ended(summary) => break *summary,
            _ => {}
        }
    };
    assert_eq!(digits, [(Party::Caller, '2')], "one key, from the caller");
    assert_eq!(answered, ["1002"]);
    assert_eq!(summary.rule.as_deref(), Some("main-number"));
    assert_eq!(summary.answered_by.as_deref(), Some("1002"));
    assert_eq!(
        (summary.outcome, summary.hangup_by),
        (Outcome::Answered, Some(Party::Caller))
    );
    let media = summary.media.expect("anchored");
    // 1.5 s of greeting at 50 packets a second came back from the trunk's
    // echo (the key's events are a dozen packets more).
    assert!(
        media.from_caller.packets > 60,
        "the caller heard the greeting: {:?}",
        media.from_caller
    );
    server.stop().await;
}

#[tokio::test]
async fn a_key_an_extension_sends_as_events_reaches_a_trunk_that_takes_info_as_an_info() {
    let pbx_port = free_port();
    let trunks = trunks_from(&format!(
        "name = \"demo-pbx\"\nvendor = \"generic\"\npeers = [\"{PBX_IP}:{pbx_port}\"]\noptions_interval_secs = 0\ndtmf = \"info\"\n"
    ));
    let mut extension = Sipp::scenario("extension_keys_a_digit.xml");
    extension.arg(["-mp", &free_ports(4).to_string()]);
    let pbx = Sipp::scenario("pbx_takes_a_key_as_info.xml");
    // The PBX's scenario fails unless the INFO with Signal=1 comes.
    let summary = call_out_with(trunks, (PBX_IP, pbx_port), extension, pbx).await;
    assert_eq!(summary.outcome, Outcome::Answered);
    let media = summary.media.expect("anchored");
    assert!(
        media.from_caller.packets >= 5,
        "the key came as events: {:?}",
        media.from_caller
    );
}

#[tokio::test]
async fn a_trunk_call_to_a_queue_passes_a_busy_agent_and_reaches_the_next() {
    use switchboard::ids::UserId;
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"sales-line\"\nfrom = \"trunk\"\ncalled = \"700\"\nqueue = \"sales\"\n\n\
        [queue.sales]\nring_timeout = 5\nwrap_up = 0\nrecord = true\n";
    let recordings = tempfile::tempdir().unwrap();
    settings.media = Some(media_recording_to(Some(recordings.path())));
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    settings.prompts = tone_prompts(&["hold-music"]);
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    // Agent 1 (1001) logs in first, so has waited longest; their phone is busy.
    let (busy, busy_child) = phone_with(&server, "phone_busy.xml", "1001").await;
    let (answers, answers_child) = phone_with(&server, "phone_answers.xml", "1002").await;
    for (agent, extension) in [(UserId(1), "1001"), (UserId(2), "1002")] {
        log_in_to_sales(&server, agent, extension).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (ok, log) = Sipp::scenario("trunk_waits_in_a_queue.xml")
        .arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "700"])
        .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
        .arg(["-p", &free_port().to_string()])
        .run()
        .await;
    assert!(ok, "the trunk's side: {log}");
    let (ok, log) = busy.finish(busy_child).await;
    assert!(ok, "1001 was offered the call and refused it: {log}");
    let (ok, log) = answers.finish(answers_child).await;
    assert!(ok, "1002 answered and was hung up on: {log}");
    let summary = ended(&mut events).await;
    assert_eq!(summary.rule.as_deref(), Some("sales-line"));
    assert_eq!(summary.answered_by.as_deref(), Some("1002"));
    assert_eq!(summary.outcome, Outcome::Answered);
    // The record says where and how long the caller waited: queued on
    // arrival, offered to 1001 first, answered by 1002 after its ring ran out.
    assert_eq!(summary.queue.as_deref(), Some("sales"));
    let (queued, offered, answered) = (
        summary.queued_at.expect("queued"),
        summary.offered_at.expect("offered"),
        summary.answered_at.expect("answered"),
    );
    assert!(
        summary.arrived_at <= queued && queued <= offered && offered <= answered,
        "{summary:?}"
    );
    assert!(summary.party_e164.is_some(), "{summary:?}");
    // (SIPp sends no audio here: the file is there, with nothing in it.)
    let (file, _) = summary
        .media
        .and_then(|m| m.recording)
        .expect("the queue records its calls");
    assert!(recordings.path().join(&file).exists(), "{file}");
    // The live view counts it; 1001 missed once and is free again.
    let status = acd_status(&server).await;
    let sales = &status.queues[0];
    assert_eq!((sales.answered, sales.abandoned, sales.waiting), (1, 0, 0));
    let states: Vec<(&str, &str)> = status
        .agents
        .iter()
        .map(|a| (a.extension.as_str(), a.state.as_str()))
        .collect();
    assert_eq!(states, [("1001", "available"), ("1002", "available")]);
    server.stop().await;
}

/// A phone running `scenario`, registered as `extension`.
async fn phone_with(
    server: &SipServer,
    scenario: &str,
    extension: &str,
) -> (Sipp, tokio::process::Child) {
    phone_as(server, Sipp::scenario(scenario), extension).await
}

#[tokio::test]
async fn an_agent_whose_phone_goes_away_is_paused_and_made_available_when_it_is_back() {
    use switchboard::ids::UserId;
    use switchboard::runtime::sip::distribution::PHONE_OFFLINE;
    let mut settings = settings();
    let plan = "[queue.sales]\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    let server = SipServer::start(settings, accounts(), None)
        .await
        .expect("SIP binds");
    let contact = format!("127.0.0.1:{}", free_port());
    let (ok, log) = register(
        "register.xml",
        server.udp_addr,
        "u1",
        "1001",
        "demo1001",
        &contact,
    )
    .await;
    assert!(ok, "{log}");
    log_in_to_sales(&server, UserId(1), "1001").await;
    let state = || async {
        let agent = acd_status(&server).await.agents.into_iter().next().unwrap();
        (agent.state, agent.reason)
    };
    assert_eq!(state().await, ("available".to_string(), None));
    let (ok, log) = register(
        "unregister.xml",
        server.udp_addr,
        "u1",
        "1001",
        "demo1001",
        &contact,
    )
    .await;
    assert!(ok, "{log}");
    assert_eq!(
        state().await,
        ("paused".to_string(), Some(PHONE_OFFLINE.to_string())),
        "no call is offered to a phone that is not there"
    );
    let (ok, log) = register(
        "register.xml",
        server.udp_addr,
        "u1",
        "1001",
        "demo1001",
        &contact,
    )
    .await;
    assert!(ok, "{log}");
    assert_eq!(state().await, ("available".to_string(), None));
    server.stop().await;
}

/// `agent` logs in to the queue "sales" with `extension`, as the API does.
#[tokio::test]
async fn a_vip_caller_who_came_later_is_served_first() {
    use switchboard::ids::UserId;
    use switchboard::runtime::sip::distribution::AgentCommand;
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"sales-line\"\nfrom = \"trunk\"\ncalled = \"700\"\nqueue = \"sales\"\n\n\
        [queue.sales]\nring_timeout = 5\nwrap_up = 0\npriority_by_status = { VIP = 10 }\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    settings.prompts = tone_prompts(&["hold-music"]);
    // The CRM: +4930999999 is a VIP client's number, +4930111111 a plain one's.
    settings.classify = Some(switchboard::runtime::sip::Classify(Arc::new(|number| {
        Box::pin(async move {
            Some(
                if number == "+4930999999" {
                    "vip"
                } else {
                    "active"
                }
                .to_string(),
            )
        })
    })));
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    let (answers, answers_child) = phone_with(&server, "phone_answers.xml", "1002").await;
    log_in_to_sales(&server, UserId(2), "1002").await;
    assert!(server.agents().send(AgentCommand::Pause {
        agent: UserId(2),
        reason: "lunch".into(),
    }));
    // The plain caller comes first, the VIP half a second later; both wait.
    let caller = |number: &str| {
        let mut sipp = Sipp::scenario("trunk_waits_as.xml");
        sipp.arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "700"])
            .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
            .arg(["-p", &free_port().to_string()])
            .arg(["-key", "number", number, "-d", "4000"]);
        sipp
    };
    let plain = caller("+4930111111");
    let plain_child = plain.spawn();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let vip = caller("+4930999999");
    let vip_child = vip.spawn();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let waiting = acd_status(&server).await.queues[0].waiting;
    assert_eq!(waiting, 2, "both callers wait while the agent is paused");
    assert!(
        server
            .agents()
            .send(AgentCommand::Ready { agent: UserId(2) })
    );
    let (ok, log) = vip.finish(vip_child).await;
    assert!(ok, "the VIP's side: {log}");
    let (ok, log) = plain.finish(plain_child).await;
    assert!(ok, "the plain caller's side: {log}");
    let (ok, log) = answers.finish(answers_child).await;
    assert!(ok, "1002 answered one call: {log}");
    let mut ended_calls = [ended(&mut events).await, ended(&mut events).await];
    ended_calls.sort_by_key(|s| s.answered_by.is_none());
    assert_eq!(
        ended_calls[0].caller_e164.as_deref(),
        Some("+4930999999"),
        "the VIP got the agent: {ended_calls:?}"
    );
    assert_eq!(ended_calls[0].answered_by.as_deref(), Some("1002"));
    assert_eq!(ended_calls[1].caller_e164.as_deref(), Some("+4930111111"));
    assert_eq!(
        ended_calls[1].outcome,
        Outcome::Cancelled,
        "{:?}",
        ended_calls[1]
    );
}

#[tokio::test]
async fn a_supervisor_listens_to_an_agents_call_until_it_ends_and_only_supervisors_may() {
    use switchboard::ids::UserId;
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"sales-line\"\nfrom = \"trunk\"\ncalled = \"700\"\nqueue = \"sales\"\n\n\
        [queue.sales]\nring_timeout = 5\nwrap_up = 0\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    settings.prompts = tone_prompts(&["hold-music"]);
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    // A trunk caller talks to agent 1002 for 5 s.
    let (answers, answers_child) = phone_with(&server, "phone_answers.xml", "1002").await;
    log_in_to_sales(&server, UserId(2), "1002").await;
    let mut caller = Sipp::scenario("trunk_waits_as.xml");
    caller
        .arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "700"])
        .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
        .arg(["-p", &free_port().to_string()])
        .arg(["-key", "number", "+4930111111", "-d", "5000"]);
    let caller_child = caller.spawn();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let dial = |scenario: &str| {
        let mut sipp = Sipp::scenario(scenario);
        sipp.arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "*811002"])
            .arg(["-au", "1001", "-ap", "demo1001"])
            .arg(["-p", &free_port().to_string()]);
        sipp
    };
    // 1001's owner is no supervisor yet: refused.
    let (ok, log) = dial("supervisor_refused.xml").run().await;
    assert!(ok, "a plain extension may not listen: {log}");
    // Now it is a supervisor's: answered, on the call until it ends.
    server.set_monitors(Arc::new(["1001".to_string()].into()));
    let (ok, log) = dial("supervisor_listens.xml").run().await;
    assert!(ok, "the supervisor listened until the call ended: {log}");
    let (ok, log) = caller.finish(caller_child).await;
    assert!(ok, "the trunk's side: {log}");
    let (ok, log) = answers.finish(answers_child).await;
    assert!(ok, "1002's side: {log}");
    // The refused attempt never became a call: two calls ended.
    let summaries = [ended(&mut events).await, ended(&mut events).await];
    let listened = summaries
        .iter()
        .find(|s| s.rule.as_deref() == Some("monitor") && s.outcome == Outcome::NoAnswer)
        .unwrap_or_else(|| panic!("the supervisor's call: {summaries:?}"));
    assert_eq!(
        listened.hangup_by,
        Some(Party::System),
        "hung up when the agent's call ended"
    );
    assert_eq!(listened.called, "*811002");
}

#[tokio::test]
async fn a_caller_who_waits_too_long_is_told_and_offered_to_an_agent_to_call_back() {
    use switchboard::ids::UserId;
    use switchboard::runtime::sip::distribution::AgentCommand;
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"sales-line\"\nfrom = \"trunk\"\ncalled = \"700\"\nqueue = \"sales\"\n\n\
        [queue.sales]\nmax_wait = 2\noverflow = \"callback\"\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    settings.prompts = tone_prompts(&["hold-music", "queue-callback"]);
    let server = SipServer::start(settings, accounts(), None)
        .await
        .expect("SIP binds");
    let mut offers = server.offers();
    let (_phone, _phone_child) = phone_with(&server, "phone_answers.xml", "1002").await;
    log_in_to_sales(&server, UserId(2), "1002").await;
    assert!(server.agents().send(AgentCommand::Pause {
        agent: UserId(2),
        reason: "lunch".into(),
    }));
    // Nobody takes the call for 2 s: the caller hears they will be called
    // back, and the server hangs up.
    let (ok, log) = Sipp::scenario("trunk_is_called_back.xml")
        .arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "700"])
        .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
        .arg(["-p", &free_port().to_string()])
        .arg(["-key", "number", "+4930111111"])
        .run()
        .await;
    assert!(ok, "the trunk's side: {log}");
    let status = acd_status(&server).await;
    assert_eq!(status.queues[0].waiting, 1, "the caller's place is kept");
    // The agent is back: offered the callback, no phone rings.
    assert!(
        server
            .agents()
            .send(AgentCommand::Ready { agent: UserId(2) })
    );
    let offer = tokio::time::timeout(Duration::from_secs(5), offers.recv())
        .await
        .expect("an offer within 5 s")
        .unwrap();
    assert!(offer.callback, "{offer:?}");
    assert_eq!(offer.agent, UserId(2));
    assert_eq!(offer.caller_e164.as_deref(), Some("+4930111111"));
    let agents = acd_status(&server).await.agents;
    assert_eq!(agents[0].state, "ringing");
}

/// The supervisors' live figures for a queue are the ones a report works
/// out from the stored records: three callers, one answered at once, one
/// who gives up while the agent is paused, one answered after waiting
/// past the service level. The records go through the durable writer into
/// the database, as the server files them.
async fn live_queue_figures_equal_the_stored_records(db: support::TestDatabase) {
    use switchboard::crm::reports::{Interval, ReportQuery};
    use switchboard::ids::UserId;
    use switchboard::runtime::sip::distribution::AgentCommand;
    let repo = switchboard::storage::open(db.url()).await.unwrap();
    let spool = tempfile::tempdir().unwrap();
    let (cdr, _writer) =
        switchboard::runtime::cdr::CdrWriter::start(repo.clone(), spool.path().into());
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut settings = settings();
    let plan = "[[rule]]\nname = \"sales-line\"\nfrom = \"trunk\"\ncalled = \"700\"\nqueue = \"sales\"\n\n\
        [queue.sales]\nring_timeout = 5\nwrap_up = 0\nservice_level = 2\n";
    settings.plan = Arc::new(
        switchboard::dialplan::load(&[("dialplans/queues.toml".into(), plan.into())]).unwrap(),
    );
    settings.prompts = tone_prompts(&["hold-music"]);
    let server = SipServer::start(settings, accounts(), Some(sender))
        .await
        .expect("SIP binds");
    let mut phone = Sipp::scenario("phone_answers.xml");
    phone.arg(["-m", "2"]);
    let (phone, phone_child) = phone_as(&server, phone, "1002").await;
    log_in_to_sales(&server, UserId(2), "1002").await;
    let caller = |number: &str, stays_ms: u32| {
        let mut sipp = Sipp::scenario("trunk_waits_as.xml");
        sipp.arg([&server.udp_addr.to_string(), "-t", "u1", "-s", "700"])
            .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
            .arg(["-p", &free_port().to_string()])
            .arg(["-key", "number", number, "-d", &stays_ms.to_string()]);
        sipp
    };
    let mut summaries = Vec::new();
    // Answered at once.
    let (ok, log) = caller("+4930111111", 1500).run().await;
    assert!(ok, "the first caller's side: {log}");
    summaries.push(ended(&mut events).await);
    // The agent pauses; the next caller gives up after a second.
    assert!(server.agents().send(AgentCommand::Pause {
        agent: UserId(2),
        reason: "lunch".into(),
    }));
    let (ok, log) = caller("+4930222222", 1000).run().await;
    assert!(ok, "the second caller's side: {log}");
    summaries.push(ended(&mut events).await);
    // The last waits three seconds, past the service level, for the agent
    // (counted from when the queue has them: SIPp may be slow to start).
    let late = caller("+4930333333", 6000);
    let late_child = late.spawn();
    for _ in 0..100 {
        if acd_status(&server).await.queues[0].waiting == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        server
            .agents()
            .send(AgentCommand::Ready { agent: UserId(2) })
    );
    let (ok, log) = late.finish(late_child).await;
    assert!(ok, "the third caller's side: {log}");
    summaries.push(ended(&mut events).await);
    let (ok, log) = phone.finish(phone_child).await;
    assert!(ok, "1002 answered twice: {log}");
    for summary in &summaries {
        cdr.send(switchboard::runtime::sip::records::record_of(1, summary));
    }

    let live = acd_status(&server).await.queues.remove(0);
    assert_eq!((live.answered, live.abandoned, live.overflowed), (2, 1, 0));
    let query = ReportQuery {
        from: switchboard::runtime::clock::now() - chrono::Duration::hours(1),
        to: switchboard::runtime::clock::now() + chrono::Duration::hours(1),
        interval: Interval::Day,
        service_level_s: 2,
    };
    let mut sums = Vec::new();
    for _ in 0..50 {
        sums = repo.queue_sums(&query).await.unwrap();
        if sums.iter().map(|s| s.calls).sum::<i64>() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A report may split the day at midnight UTC; the sums add up.
    let calls: i64 = sums.iter().map(|s| s.calls).sum();
    let answered: i64 = sums.iter().map(|s| s.answered).sum();
    let in_time: i64 = sums.iter().map(|s| s.answered_in_time).sum();
    let waited: i64 = sums.iter().map(|s| s.answer_wait_s).sum();
    assert!(sums.iter().all(|s| s.queue == "sales"), "{sums:?}");
    assert_eq!(calls, 3, "{sums:?}");
    assert_eq!(answered as u64, live.answered);
    assert_eq!((calls - answered) as u64, live.abandoned + live.overflowed);
    let stored_level = 100.0 * in_time as f64 / calls as f64;
    assert_eq!(
        live.service_level_pct.map(|p| p.round()),
        Some(stored_level.round()),
        "one of three answered within 2 s: {sums:?}"
    );
    assert_eq!(live.service_level_pct.map(f64::round), Some(33.0));
    // Stored times are whole seconds: the averages agree to within one.
    let live_wait = live.average_answer_s.expect("answered calls");
    let stored_wait = waited as f64 / answered as f64;
    assert!(
        (live_wait - stored_wait).abs() <= 1.0,
        "live {live_wait} s, stored {stored_wait} s"
    );
    server.stop().await;
}

#[tokio::test]
async fn live_queue_figures_equal_the_stored_records_on_sqlite() {
    live_queue_figures_equal_the_stored_records(support::TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn live_queue_figures_equal_the_stored_records_on_postgres() {
    live_queue_figures_equal_the_stored_records(support::TestDatabase::postgres().await).await;
}

async fn log_in_to_sales(server: &SipServer, agent: switchboard::ids::UserId, extension: &str) {
    use switchboard::runtime::sip::distribution::AgentCommand;
    let (reply, answer) = tokio::sync::oneshot::channel();
    assert!(server.agents().send(AgentCommand::Login {
        agent,
        extension: extension.into(),
        queues: vec!["sales".into()],
        skills: Default::default(),
        reply,
    }));
    assert_eq!(answer.await.unwrap(), Ok(()));
}

/// The ACD's live view.
async fn acd_status(server: &SipServer) -> switchboard::runtime::sip::distribution::AcdStatus {
    use switchboard::runtime::sip::distribution::AgentCommand;
    let (reply, answer) = tokio::sync::oneshot::channel();
    assert!(server.agents().send(AgentCommand::Status { reply }));
    answer.await.unwrap()
}

/// `switchboard serve` itself, on the demo data loaded into `db`, on free
/// ports, logging to a file; killed when dropped.
struct Served {
    http: u16,
    sip: SocketAddr,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl Served {
    async fn start(db: &str, args: &[&str]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
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
        let child = tokio::process::Command::new(bin)
            .args(args)
            .args(["serve", "--database", db])
            .args(["--http", &format!("127.0.0.1:{http}")])
            .args(["--sip", &format!("127.0.0.1:{sip}")])
            .env("SWITCHBOARD_WEB_DIR", dir.path())
            .env("SWITCHBOARD_SPOOL_DIR", dir.path().join("spool"))
            .env("SWITCHBOARD_RECORDINGS_DIR", dir.path().join("recordings"))
            .current_dir(manifest)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", http))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Served {
            http,
            sip: format!("127.0.0.1:{sip}").parse().unwrap(),
            dir,
            _child: child,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A bearer token for a demo user (password "demo").
    async fn token(&self, user: &str) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(self.url("/auth/login"))
            .json(&serde_json::json!({"username": user, "password": "demo"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().expect("a token").to_string()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/api/v1{path}", self.http)
    }

    /// POSTs `body` as `token`'s user: the status and the JSON answer.
    async fn post(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }
}

/// Through the API a supervisor on an agent's call switches from listening
/// to whispering, with no new call; one not on it yet is given the number
/// that joins it; agents may not, and an agent on no call is a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_switches_from_listening_to_whispering_through_the_api() {
    let db = support::TestDatabase::sqlite();
    // The PBX is 127.0.0.2, so the phones on 127.0.0.1 are extensions.
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        format!(
            "[[trunks]]\nname = \"demo-pbx\"\nvendor = \"generic\"\npeers = [\"{PBX_IP}:5999\"]\n\
             allow = [\"{PBX_IP}\"]\noptions_interval_secs = 0\n"
        ),
    )
    .unwrap();
    let config_path = config.path().display().to_string();
    let served = Served::start(db.url(), &["--config", &config_path]).await;
    let (supervisor, agent2, agent1) = (
        served.token("supervisor").await,
        served.token("agent2").await,
        served.token("agent1").await,
    );
    // agent2 (1002) logs in to the sales queue with their phone.
    let port = free_port();
    let mut phone = Sipp::scenario("phone_answers.xml");
    phone.arg(["-p", &port.to_string()]);
    let phone_child = phone.spawn();
    wait_bound("127.0.0.1", port).await;
    let contact = format!("127.0.0.1:{port}");
    let (ok, log) = register(
        "register.xml",
        served.sip,
        "u1",
        "1002",
        "demo1002",
        &contact,
    )
    .await;
    assert!(ok, "1002 registers: {log}");
    let (status, me) = served
        .post(
            &agent2,
            "/agent/login",
            serde_json::json!({"queues": ["sales"]}),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    let agent = me["agent"].as_i64().expect("the agent's id");
    let path = format!("/acd/agents/{agent}/monitor");
    let listen = serde_json::json!({"mode": "listen"});

    let (status, problem) = served.post(&agent1, &path, listen.clone()).await;
    assert_eq!(status, 403, "agents do not listen in: {problem}");
    let (status, problem) = served
        .post(&supervisor, &path, serde_json::json!({"mode": "shout"}))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "mode", "{problem}");
    let (status, problem) = served.post(&supervisor, &path, listen.clone()).await;
    assert_eq!(status, 409, "the agent is on no call yet: {problem}");

    // The PBX calls 1002, who answers; the call lasts 8 s.
    let mut caller = Sipp::scenario("trunk_waits_as.xml");
    caller
        .arg([&served.sip.to_string(), "-t", "u1", "-s", "1002"])
        .arg(["-i", PBX_IP, "-mp", &free_ports(4).to_string()])
        .arg(["-p", &free_port().to_string()])
        .arg(["-key", "number", "+4930111111", "-d", "8000"]);
    let caller_child = caller.spawn();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Not on the call yet: told what to dial (no web app is open to ask).
    let (status, answer) = served.post(&supervisor, &path, listen.clone()).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["dial"], "*811002");
    assert_eq!(answer["switched"], false);
    assert_eq!(answer["softphone_asked"], false);
    // The supervisor's phone (1003) dials it and listens.
    let mut listener = Sipp::scenario("supervisor_listens.xml");
    listener
        .arg([&served.sip.to_string(), "-t", "u1", "-s", "*811002"])
        .arg(["-au", "1003", "-ap", "demo1003"])
        .arg(["-p", &free_port().to_string()]);
    let listener_child = listener.spawn();
    let mut switched = serde_json::Value::Null;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (status, answer) = served
            .post(&supervisor, &path, serde_json::json!({"mode": "whisper"}))
            .await;
        if status == 200 {
            switched = answer;
            break;
        }
    }
    assert_eq!(switched["switched"], true, "{}", served.log());
    assert_eq!(switched["mode"], "whisper");
    assert!(switched["dial"].is_null());
    let (ok, log) = listener.finish(listener_child).await;
    assert!(ok, "the supervisor stayed on until the call ended: {log}");
    let (ok, log) = caller.finish(caller_child).await;
    assert!(ok, "the PBX's side: {log}");
    let (ok, log) = phone.finish(phone_child).await;
    assert!(ok, "1002's side: {log}");
    let log = served.log();
    assert!(
        log.contains("monitor.start") && log.contains("monitor.mode") && log.contains("Whisper"),
        "{log}"
    );
}

/// A PostgreSQL cluster of the test's own (the shared server must not be
/// stopped under other tests), which it stops and starts again. As root,
/// initdb and postgres run as `postgres` (or `nobody`): they refuse root.
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
    owner: Option<String>,
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|version| version.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
            .max()
            .expect("PostgreSQL's server programs (Debian: apt-get install postgresql)");
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        let owner = root.then(|| {
            let postgres = std::process::Command::new("id").arg("postgres").output();
            if postgres.is_ok_and(|out| out.status.success()) {
                "postgres".to_string()
            } else {
                "nobody".to_string()
            }
        });
        let dir = tempfile::Builder::new()
            .prefix("switchboard-pg")
            .tempdir()
            .unwrap();
        if let Some(owner) = &owner {
            let chowned = std::process::Command::new("chown")
                .arg(owner)
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chowned.success());
        }
        let cluster = OwnPostgres {
            port: free_port(),
            dir,
            bin,
            owner,
        };
        let data = cluster.dir.path().join("data");
        let initdb = cluster
            .run("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .output()
            .unwrap();
        assert!(
            initdb.status.success(),
            "{}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        cluster.up();
        cluster
    }

    /// One of the cluster's programs, run as its owner.
    fn run(&self, program: &str) -> std::process::Command {
        let path = self.bin.join(program);
        match &self.owner {
            Some(owner) => {
                let mut command = std::process::Command::new("runuser");
                command.args(["-u", owner, "--"]).arg(path);
                command
            }
            None => std::process::Command::new(path),
        }
    }

    fn ctl(&self, action: &str, extra: &[&str]) {
        let out = self
            .run("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("postgres.log"))
            .args(["-w", "-t", "60"])
            .args(extra)
            .arg(action)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
        );
    }

    fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.ctl("start", &["-o", &options]);
    }

    /// Stops at once, as a crash or a pulled cable would: connections drop.
    fn down(&self) {
        self.ctl("stop", &["-m", "immediate"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .run("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// Calls go on while PostgreSQL is stopped for seconds in the middle of a
/// run (60 calls at 4 a second, the database down from 2 s to 10 s), and
/// every call's record is in the database once it is back: the records
/// wait in the spool and are written exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_record_is_stored_when_postgresql_stopped_mid_run_comes_back() {
    const CALLS: usize = 60;
    let pg = OwnPostgres::start();
    let db = pg.url();
    let served = Served::start(&db, &[]).await;
    let server_log = || served.log();
    let sip_addr = served.sip;

    // 1002 answers every call; 1001 places CALLS calls, four a second.
    let port = free_port();
    let mut phone = Sipp::scenario("phone_answers.xml");
    phone.arg([
        "-p",
        &port.to_string(),
        "-m",
        &CALLS.to_string(),
        "-l",
        "10",
    ]);
    let phone_child = phone.spawn();
    wait_bound("127.0.0.1", port).await;
    let contact = format!("127.0.0.1:{port}");
    let (ok, out) = register("register.xml", sip_addr, "u1", "1002", "demo1002", &contact).await;
    assert!(ok, "1002 registers: {out}");
    let mut caller = Sipp::scenario("extension_calls.xml");
    caller
        .arg([&sip_addr.to_string(), "-t", "u1", "-s", "1002"])
        .arg(["-au", "1001", "-ap", "demo1001"])
        .arg(["-p", &free_port().to_string()])
        .arg(["-m", &CALLS.to_string(), "-l", "10", "-r", "4"]);
    let caller_child = caller.spawn();
    // A few calls in, the database goes away for eight seconds: longer
    // than a write waits for a connection (5 s), so records are spooled.
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.down();
    tokio::time::sleep(Duration::from_secs(8)).await;
    pg.up();
    let (ok, out) = caller.finish(caller_child).await;
    assert!(ok, "every call went through: {out}");
    let (ok, out) = phone.finish(phone_child).await;
    assert!(ok, "1002 answered every call: {out}");

    let mut conn = None;
    let mut stored = (0, 0);
    for _ in 0..120 {
        if conn.is_none() {
            conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db)
                .await
                .ok();
        }
        if let Some(c) = conn.as_mut() {
            stored = sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), COUNT(DISTINCT call_id) FROM call_records WHERE caller = '1001'",
            )
            .fetch_one(c)
            .await
            .unwrap_or(stored);
        }
        if stored.0 as usize >= CALLS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        stored,
        (CALLS as i64, CALLS as i64),
        "every call stored once: {}",
        server_log()
    );
    let log = server_log();
    assert!(
        log.contains("call records go to the spool") && log.contains("the CDR spool is replayed"),
        "records waited in the spool while the database was down: {log}"
    );
}
