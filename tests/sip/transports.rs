//! SIP over TLS (with a certificate from `switchboard cert`'s code) and over
//! WebSocket (the route the HTTP listener mounts at `/sip`), keep-alives
//! and the size limit on streams.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use switchboard::runtime::sip::{SipServer, TlsSettings, cert};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::{self, Message};

use super::clients::{SipClient, StreamClient, WsClient, header_values, register, request, status};
use super::{accounts, server, settings};

const WS_CONTACT: &str = "<sip:1001@df7jal23ls0d.invalid;transport=ws>";

/// A server with TLS on, its certificate written to `dir`.
async fn tls_server(dir: &Path) -> SipServer {
    let files = cert::write_self_signed(dir, &[], switchboard::runtime::clock::now(), false)
        .expect("the development certificate is written");
    let mut settings = settings();
    settings.tls = Some(TlsSettings {
        bind: "127.0.0.1:0".parse().unwrap(),
        cert: files.cert,
        key: files.key,
    });
    SipServer::start(settings, accounts(), None)
        .await
        .expect("SIP binds with TLS")
}

/// A TLS client that trusts only the certificate in `dir` and checks that
/// it is valid for `localhost`.
async fn tls_client(
    dir: &Path,
    addr: SocketAddr,
) -> StreamClient<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = RootCertStore::empty();
    let pem = std::fs::read(dir.join(cert::CERT_FILE)).unwrap();
    for der in CertificateDer::pem_slice_iter(&pem) {
        roots.add(der.unwrap()).unwrap();
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("the handshake succeeds with the generated certificate");
    StreamClient::new(tls, "TLS")
}

async fn tcp_client(addr: SocketAddr) -> StreamClient<TcpStream> {
    StreamClient::new(TcpStream::connect(addr).await.unwrap(), "TCP")
}

/// Serves the server's `/sip` route the way the HTTP listener does.
async fn serve_ws(server: &SipServer) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server
        .connector()
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn options(client: &mut impl SipClient) -> u16 {
    client
        .send(&request("OPTIONS", client.transport(), "probe", 1, &[]))
        .await;
    status(&client.recv().await)
}

#[tokio::test]
async fn a_phone_registers_over_tls_with_a_generated_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let server = tls_server(dir.path()).await;
    let mut phone = tls_client(dir.path(), server.tls_addr.expect("TLS listens")).await;
    assert_eq!(phone.ping().await, b"\r\n", "a CRLF ping gets a CRLF pong");
    let contact = "<sip:1001@127.0.0.1:5999;transport=tls>";
    let answer = register(&mut phone, "1001", "demo1001", Some(contact)).await;
    assert_eq!(status(&answer), 200, "{answer}");
    let contacts = header_values(&answer, "Contact");
    assert!(
        contacts
            .iter()
            .any(|c| c.to_ascii_lowercase().contains("transport=tls")),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn without_tls_settings_no_tls_listener_starts() {
    let server = server().await;
    assert_eq!(server.tls_addr, None);
    server.stop().await;
}

#[tokio::test]
async fn a_crlf_ping_over_tcp_gets_a_crlf_pong() {
    let server = server().await;
    let mut phone = tcp_client(server.tcp_addr).await;
    assert_eq!(phone.ping().await, b"\r\n");
    assert_eq!(phone.ping().await, b"\r\n", "and again on the same flow");
    assert_eq!(options(&mut phone).await, 200, "the flow still carries SIP");
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_message_closes_its_tcp_connection_and_others_go_on() {
    let server = server().await;
    let mut bystander = tcp_client(server.tcp_addr).await;
    let mut flooder = tcp_client(server.tcp_addr).await;
    let head = request("MESSAGE", "TCP", "1001", 1, &[])
        .replace("Content-Length: 0", "Content-Length: 70000");
    // The server may close before all of it is written; that is the point.
    let _ = flooder.send_bytes(head.as_bytes()).await;
    let _ = flooder.send_bytes(&vec![b'x'; 70_000]).await;
    assert!(
        flooder.closed_by_server().await,
        "the oversized message ends its connection"
    );
    assert_eq!(options(&mut bystander).await, 200, "an open connection");
    let mut newcomer = tcp_client(server.tcp_addr).await;
    assert_eq!(options(&mut newcomer).await, 200, "a new connection");
    server.stop().await;
}

#[tokio::test]
async fn a_browser_registers_over_websocket_and_its_contact_is_listed() {
    let server = server().await;
    let http = serve_ws(&server).await;
    let mut browser = WsClient::connect(http, true).await.expect("upgraded");
    let answer = register(&mut browser, "1001", "demo1001", Some(WS_CONTACT)).await;
    assert_eq!(status(&answer), 200, "{answer}");
    assert!(
        header_values(&answer, "Contact")
            .iter()
            .any(|c| c.contains("df7jal23ls0d.invalid")),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_websocket_without_the_sip_subprotocol_is_refused() {
    let server = server().await;
    let http = serve_ws(&server).await;
    match WsClient::connect(http, false).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("the upgrade was accepted without the sip subprotocol"),
    }
    server.stop().await;
}

#[tokio::test]
async fn options_over_websocket_is_answered_and_crlf_pings_are_tolerated() {
    let server = server().await;
    let http = serve_ws(&server).await;
    let mut browser = WsClient::connect(http, true).await.expect("upgraded");
    browser.send_frame(Message::text("\r\n\r\n")).await;
    assert_eq!(browser.recv().await, "\r\n", "a CRLF ping gets its pong");
    // A binary frame carries SIP as well as a text one.
    let probe = request("OPTIONS", "WS", "probe", 1, &[]);
    browser
        .send_frame(Message::binary(probe.into_bytes()))
        .await;
    assert_eq!(status(&browser.recv().await), 200);
    assert_eq!(options(&mut browser).await, 200);
    server.stop().await;
}

#[tokio::test]
async fn closing_the_websocket_removes_its_binding() {
    let server = server().await;
    let http = serve_ws(&server).await;
    let mut browser = WsClient::connect(http, true).await.expect("upgraded");
    let answer = register(&mut browser, "1001", "demo1001", Some(WS_CONTACT)).await;
    assert_eq!(status(&answer), 200, "{answer}");
    let mut supervisor = WsClient::connect(http, true).await.expect("upgraded");
    let listed = register(&mut supervisor, "1001", "demo1001", None).await;
    assert_eq!(
        header_values(&listed, "Contact").len(),
        1,
        "bound while open: {listed}"
    );
    browser.close().await;
    let mut gone = false;
    for _ in 0..20 {
        let listed = register(&mut supervisor, "1001", "demo1001", None).await;
        assert_eq!(status(&listed), 200, "{listed}");
        if header_values(&listed, "Contact").is_empty() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(gone, "the binding went with its WebSocket (RFC 5626 flow)");
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_that_socket() {
    let server = server().await;
    let http = serve_ws(&server).await;
    let mut flooder = WsClient::connect(http, true).await.expect("upgraded");
    let huge = request("MESSAGE", "WS", "1001", 1, &[]) + &"x".repeat(70_000);
    flooder.send_frame(Message::text(huge)).await;
    assert!(flooder.closed_by_server().await);
    let mut browser = WsClient::connect(http, true).await.expect("upgraded");
    assert_eq!(options(&mut browser).await, 200, "others are still served");
    server.stop().await;
}
