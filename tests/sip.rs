//! The SIP server over real sockets, against SIPp (Debian's `sip-tester`)
//! and against raw datagrams from the malformed-message corpus; TLS,
//! WebSocket and stream edge cases in [`transports`].

#[path = "sip/clients.rs"]
mod clients;
#[path = "sip/transports.rs"]
mod transports;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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

fn settings() -> SipSettings {
    SipSettings::new("127.0.0.1:0".parse().unwrap(), REALM)
}

async fn server() -> SipServer {
    SipServer::start(settings(), accounts())
        .await
        .expect("SIP binds")
}

/// A free local port for SIPp (it has no "any port" option).
fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs one SIPp call of `scenario` against `target`; returns SIPp's exit
/// status and its error log for the assertion message.
async fn sipp(
    scenario: &str,
    target: SocketAddr,
    transport: &str,
    user: &str,
    password: &str,
) -> (bool, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sipp")
        .join(scenario);
    let output = tokio::process::Command::new("sipp")
        .arg(target.to_string())
        .args(["-sf", &scenario.display().to_string()])
        .args(["-t", transport, "-m", "1", "-l", "1"])
        .args(["-s", user, "-au", user, "-ap", password])
        .args(["-i", "127.0.0.1", "-p", &free_port().to_string()])
        .args(["-timeout", "15", "-timeout_error", "-max_socket", "10"])
        .arg("-trace_err")
        .arg("-nostdin")
        .current_dir(dir.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("SIPp finishes within 30 s")
        .expect("sipp runs (Debian: apt-get install sip-tester)");
    let mut log = String::from_utf8_lossy(&output.stderr).into_owned();
    for entry in std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
    {
        log.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    (output.status.success(), log)
}

#[tokio::test]
async fn a_phone_registers_over_udp_and_tcp_with_the_right_password() {
    let server = server().await;
    // One extension per transport, so each 200 lists just its own contact.
    for (transport, target, user) in [
        ("u1", server.udp_addr, "1001"),
        ("t1", server.tcp_addr, "1002"),
    ] {
        let (ok, log) = sipp(
            "register.xml",
            target,
            transport,
            user,
            &format!("demo{user}"),
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
        let (ok, log) = sipp("register_refused.xml", target, transport, "1002", "guessed").await;
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
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
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
