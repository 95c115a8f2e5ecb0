//! The SIP sockets: one UDP socket and a TCP listener on the same address.
//! Readers turn bytes into [`Inbound`] for the engine; writers take bytes
//! from it. Nothing here looks inside a message beyond stream framing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use crate::sip::framing::{self, Frame, PONG};
use crate::sip::message::MAX_MESSAGE_BYTES;
use crate::sip::transport::{Flow, Transport};

/// What the sockets hand the engine.
#[derive(Debug)]
pub enum Inbound {
    Message {
        bytes: Vec<u8>,
        flow: Flow,
    },
    /// A stream closed (or failed to frame): its flow is gone.
    Closed {
        flow: Flow,
    },
}

/// Writers of the open stream connections, by connection id.
type Writers = Arc<Mutex<HashMap<u64, mpsc::Sender<Vec<u8>>>>>;

/// Sends bytes on a flow: UDP to the address, a stream on its connection.
#[derive(Clone)]
pub struct Outbound {
    udp: Arc<UdpSocket>,
    writers: Writers,
}

impl Outbound {
    /// Sends; `false` when the flow's connection is gone (the transaction
    /// layer then fails the transactions on it).
    pub async fn send(&self, flow: &Flow, bytes: Vec<u8>) -> bool {
        match flow.connection {
            None => match self.udp.send_to(&bytes, flow.remote).await {
                Ok(_) => true,
                Err(e) => {
                    // ICMP errors surface here on Linux; the peer may be back later.
                    tracing::debug!(peer = %flow.remote, error = %e, "UDP send failed");
                    true
                }
            },
            Some(id) => {
                let writer = self
                    .writers
                    .lock()
                    .map(|w| w.get(&id).cloned())
                    .ok()
                    .flatten();
                match writer {
                    Some(writer) => writer.send(bytes).await.is_ok(),
                    None => false,
                }
            }
        }
    }
}

/// The bound sockets.
pub struct Sockets {
    pub udp_addr: SocketAddr,
    pub tcp_addr: SocketAddr,
    pub outbound: Outbound,
}

/// Binds UDP and TCP on `addr` (port 0 picks one for UDP and reuses it for
/// TCP when free) and starts their reader tasks.
pub async fn bind(addr: SocketAddr, inbound: mpsc::Sender<Inbound>) -> std::io::Result<Sockets> {
    let udp = Arc::new(UdpSocket::bind(addr).await?);
    let udp_addr = udp.local_addr()?;
    let tcp = TcpListener::bind(udp_addr).await?;
    let tcp_addr = tcp.local_addr()?;
    let writers: Writers = Arc::default();
    tokio::spawn(read_udp(udp.clone(), inbound.clone()));
    tokio::spawn(accept_tcp(tcp, writers.clone(), inbound));
    Ok(Sockets {
        udp_addr,
        tcp_addr,
        outbound: Outbound { udp, writers },
    })
}

async fn read_udp(socket: Arc<UdpSocket>, inbound: mpsc::Sender<Inbound>) {
    let mut buffer = vec![0u8; MAX_MESSAGE_BYTES + 1];
    loop {
        let (len, from) = match socket.recv_from(&mut buffer).await {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, "UDP receive failed");
                continue;
            }
        };
        // Keep-alive CRLFs from phones behind NAT carry nothing to answer.
        if buffer[..len].iter().all(|b| matches!(b, b'\r' | b'\n' | 0)) {
            continue;
        }
        let message = Inbound::Message {
            bytes: buffer[..len].to_vec(),
            flow: Flow::udp(from),
        };
        if inbound.send(message).await.is_err() {
            return; // the engine stopped
        }
    }
}

async fn accept_tcp(listener: TcpListener, writers: Writers, inbound: mpsc::Sender<Inbound>) {
    static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "TCP accept failed");
                continue;
            }
        };
        let flow = Flow {
            transport: Transport::Tcp,
            remote,
            connection: Some(NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed)),
        };
        tokio::spawn(serve_tcp(stream, flow, writers.clone(), inbound.clone()));
    }
}

/// One TCP connection: frames in, bytes out, until either side ends it.
async fn serve_tcp(
    stream: TcpStream,
    flow: Flow,
    writers: Writers,
    inbound: mpsc::Sender<Inbound>,
) {
    let Some(id) = flow.connection else { return };
    let (mut reader, mut writer) = stream.into_split();
    let (sender, mut outgoing) = mpsc::channel::<Vec<u8>>(64);
    if let Ok(mut map) = writers.lock() {
        map.insert(id, sender.clone());
    }
    let write = tokio::spawn(async move {
        while let Some(bytes) = outgoing.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    'read: loop {
        match reader.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        loop {
            match framing::decode(&mut buffer) {
                Ok(Some(Frame::Message(bytes))) => {
                    if inbound
                        .send(Inbound::Message { bytes, flow })
                        .await
                        .is_err()
                    {
                        break 'read;
                    }
                }
                Ok(Some(Frame::Ping)) => {
                    let _ = sender.send(PONG.to_vec()).await;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::info!(peer = %flow.remote, error = %e, "closing a SIP stream that cannot be framed");
                    break 'read;
                }
            }
        }
    }
    if let Ok(mut map) = writers.lock() {
        map.remove(&id);
    }
    drop(sender);
    write.abort();
    let _ = inbound.send(Inbound::Closed { flow }).await;
}
