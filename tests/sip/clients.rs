//! Small SIP clients for the transport tests: one over a byte stream (TCP
//! or TLS, framed by Content-Length as the server frames them) and one over
//! WebSocket, and the REGISTER/401/REGISTER exchange a phone makes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use switchboard::sip::digest::{answer, parse_challenge};
use switchboard::sip::framing::{self, Frame};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest wait for an answer.
pub const WAIT: Duration = Duration::from_secs(5);

/// What the exchanges below need of a connection.
pub trait SipClient {
    /// The transport as a Via names it.
    fn transport(&self) -> &'static str;
    async fn send(&mut self, message: &str);
    /// The next whole message; panics when none comes within [`WAIT`].
    async fn recv(&mut self) -> String;
}

/// SIP over a byte stream.
pub struct StreamClient<S> {
    stream: S,
    buffer: Vec<u8>,
    transport: &'static str,
}

impl<S: AsyncRead + AsyncWrite + Unpin> StreamClient<S> {
    pub fn new(stream: S, transport: &'static str) -> Self {
        StreamClient {
            stream,
            buffer: Vec::new(),
            transport,
        }
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Sends the CRLF ping of RFC 5626 §3.5.1 and reads what comes back.
    pub async fn ping(&mut self) -> Vec<u8> {
        self.send_bytes(b"\r\n\r\n").await.expect("ping sent");
        while self.buffer.len() < 2 {
            self.read_more().await;
        }
        self.buffer.drain(..2).collect()
    }

    /// True when the server ends the connection within [`WAIT`].
    pub async fn closed_by_server(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        loop {
            match tokio::time::timeout(WAIT, self.stream.read(&mut chunk)).await {
                Err(_) => return false,
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {}
            }
        }
    }

    async fn read_more(&mut self) {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(WAIT, self.stream.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("the connection reads");
        assert!(n > 0, "the server closed the connection");
        self.buffer.extend_from_slice(&chunk[..n]);
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> SipClient for StreamClient<S> {
    fn transport(&self) -> &'static str {
        self.transport
    }

    async fn send(&mut self, message: &str) {
        self.send_bytes(message.as_bytes())
            .await
            .expect("the message is sent");
    }

    async fn recv(&mut self) -> String {
        loop {
            if let Some(Frame::Message(bytes)) =
                framing::decode(&mut self.buffer).expect("the server's answer frames")
            {
                return String::from_utf8(bytes).expect("SIP is text");
            }
            self.read_more().await;
        }
    }
}

/// SIP over WebSocket, as a browser speaks it.
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Connects to `/sip` offering the `sip` subprotocol (or, with
    /// `subprotocol: false`, none); returns the HTTP refusal as an error.
    pub async fn connect(
        http: SocketAddr,
        subprotocol: bool,
    ) -> Result<WsClient, tungstenite::Error> {
        let mut request = format!("ws://{http}/sip")
            .into_client_request()
            .expect("a valid URL");
        if subprotocol {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
        }
        let (socket, response) = tokio_tungstenite::connect_async(request).await?;
        assert_eq!(
            response
                .headers()
                .get("Sec-WebSocket-Protocol")
                .map(|v| v.as_bytes()),
            Some(b"sip".as_slice()),
            "the server agrees on the subprotocol (RFC 7118 §4.1)"
        );
        Ok(WsClient { socket })
    }

    pub async fn send_frame(&mut self, message: Message) {
        self.socket.send(message).await.expect("the frame is sent");
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// True when the server closes the socket within [`WAIT`].
    pub async fn closed_by_server(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.socket.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

impl SipClient for WsClient {
    fn transport(&self) -> &'static str {
        "WS"
    }

    async fn send(&mut self, message: &str) {
        self.send_frame(Message::text(message)).await;
    }

    async fn recv(&mut self) -> String {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("an answer in time")
                .expect("the socket is open")
                .expect("the socket reads");
            match frame {
                Message::Text(text) => return text.as_str().to_owned(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("SIP arrives in text frames, got {other:?}"),
            }
        }
    }
}

/// A request from `user` with fresh Call-ID and branch; `extra` lines are
/// added before Content-Length.
pub fn request(method: &str, transport: &str, user: &str, cseq: u32, extra: &[String]) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut text = format!(
        "{method} sip:127.0.0.1 SIP/2.0\r\n\
         Via: SIP/2.0/{transport} client.invalid;branch=z9hG4bKtest{n}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:{user}@127.0.0.1>;tag=from{n}\r\n\
         To: <sip:{user}@127.0.0.1>\r\n\
         Call-ID: transport-test-{n}\r\n\
         CSeq: {cseq} {method}\r\n"
    );
    for line in extra {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    text
}

/// Registers `contact` for `user` (or, with `None`, only asks for the
/// bindings), answering the digest challenge; returns the final response.
pub async fn register(
    client: &mut impl SipClient,
    user: &str,
    password: &str,
    contact: Option<&str>,
) -> String {
    let mut extra = vec!["Expires: 300".to_string()];
    if let Some(contact) = contact {
        extra.push(format!("Contact: {contact}"));
    }
    client
        .send(&request("REGISTER", client.transport(), user, 1, &extra))
        .await;
    let challenged = client.recv().await;
    assert_eq!(status(&challenged), 401, "{challenged}");
    let challenge = header_values(&challenged, "WWW-Authenticate")
        .into_iter()
        .find_map(|value| parse_challenge(value).ok())
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
    extra.push(format!("Authorization: {credentials}"));
    client
        .send(&request("REGISTER", client.transport(), user, 2, &extra))
        .await;
    client.recv().await
}

/// The status code of a response (0 for anything else).
pub fn status(message: &str) -> u16 {
    message
        .strip_prefix("SIP/2.0 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// The values of every header called `name` (case-insensitive).
pub fn header_values<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    message
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
        .collect()
}
