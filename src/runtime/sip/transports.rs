//! The SIP sockets: one UDP socket and a TCP listener on the same address,
//! and the serving of one stream connection that TCP and TLS share.
//! Readers turn bytes into [`Inbound`] for the engine; writers take bytes
//! from it. Nothing here looks inside a message beyond stream framing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
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
    /// A WebSocket opened from a logged-in agent's web session: its
    /// requests are that agent's extension.
    Bound {
        connection: u64,
        extension: String,
    },
}

/// Writers of the open stream connections (TCP, TLS, WebSocket), by
/// connection id.
pub(super) type Writers = Arc<Mutex<HashMap<u64, mpsc::Sender<Vec<u8>>>>>;

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

/// The bound sockets. The UDP socket is not yet tied to a runtime: the
/// engine's own runtime takes it (see [`Sockets::start_udp`]).
pub struct Sockets {
    pub udp_addr: SocketAddr,
    pub tcp_addr: SocketAddr,
    udp: std::net::UdpSocket,
    writers: Writers,
}

impl Sockets {
    /// Starts the UDP reader on the runtime this is called in and returns
    /// the [`Outbound`] that sends on every flow from there.
    pub fn start_udp(self, inbound: mpsc::Sender<Inbound>) -> std::io::Result<Outbound> {
        let udp = Arc::new(UdpSocket::from_std(self.udp)?);
        tokio::spawn(read_udp(udp.clone(), inbound));
        Ok(Outbound {
            udp,
            writers: self.writers,
        })
    }
}

/// Binds UDP and TCP on `addr` (port 0 picks one for UDP and reuses it for
/// TCP when free) and starts accepting TCP on the current runtime. Stream
/// connections put their writers in `writers`, which the [`Outbound`] made
/// by [`Sockets::start_udp`] writes to.
pub async fn bind(
    addr: SocketAddr,
    writers: Writers,
    inbound: mpsc::Sender<Inbound>,
) -> std::io::Result<Sockets> {
    let (udp, tcp) = bind_pair(addr).await?;
    let udp_addr = udp.local_addr()?;
    let tcp_addr = tcp.local_addr()?;
    tokio::spawn(accept_tcp(tcp, writers.clone(), inbound));
    Ok(Sockets {
        udp_addr,
        tcp_addr,
        udp,
        writers,
    })
}

/// UDP and TCP on one port. With port 0 the system picks the UDP port,
/// which some TCP socket may already hold: then another port is tried.
async fn bind_pair(addr: SocketAddr) -> std::io::Result<(std::net::UdpSocket, TcpListener)> {
    let attempts = if addr.port() == 0 { 20 } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        let udp = bind_udp(addr)?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for UDP and TCP")))
}

/// The UDP receive buffer asked for. The engine is one task: while it
/// works through a burst (timers firing together, a slow scheduler slice on
/// a busy machine) the kernel queues what arrives, and with Linux's default
/// of 208 KiB a queue of a few hundred messages overflows and drops them.
/// Measured at 1,750 calls/s through the B2BUA: 48 datagrams dropped by the
/// kernel (`RcvbufErrors`) and 9 calls failed with the default, because a
/// lost 200 OK leaves the far end waiting for an ACK that never comes.
/// Linux grants at most `net.core.rmem_max` (doubled for its bookkeeping).
const UDP_RECEIVE_BUFFER: usize = 8 << 20;

/// A UDP socket with a receive buffer for bursts (see
/// [`UDP_RECEIVE_BUFFER`]); a smaller grant is logged, not refused.
fn bind_udp(addr: SocketAddr) -> std::io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER) {
        tracing::warn!(error = %e, "could not enlarge the SIP UDP receive buffer");
    }
    let granted = socket.recv_buffer_size().unwrap_or(0);
    if granted < UDP_RECEIVE_BUFFER {
        tracing::info!(
            granted,
            asked = UDP_RECEIVE_BUFFER,
            "the SIP UDP receive buffer is smaller than asked: raise net.core.rmem_max \
             so bursts are not dropped"
        );
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

async fn read_udp(socket: Arc<UdpSocket>, inbound: mpsc::Sender<Inbound>) {
    let mut buffer = vec![0u8; MAX_MESSAGE_BYTES + 1];
    loop {
        let received = tokio::select! {
            received = socket.recv_from(&mut buffer) => received,
            () = inbound.closed() => return, // the engine stopped
        };
        let (len, from) = match received {
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
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "TCP accept failed");
                    continue;
                }
            },
            // The engine stopped: stop listening so the port is freed.
            () = inbound.closed() => return,
        };
        // A 100 Trying and the 180 after it must not wait on the phone's
        // delayed ACK (Nagle's algorithm).
        let _ = stream.set_nodelay(true);
        let flow = stream_flow(Transport::Tcp, remote);
        tokio::spawn(serve_stream(stream, flow, writers.clone(), inbound.clone()));
    }
}

/// A flow for a newly accepted stream connection, with an id no other
/// connection (of any transport) has had.
pub(super) fn stream_flow(transport: Transport, remote: SocketAddr) -> Flow {
    static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);
    Flow {
        transport,
        remote,
        connection: Some(NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed)),
    }
}

/// One stream connection (TCP, or TLS once its handshake is done): frames
/// in, bytes out, until either side ends it or it cannot be framed.
pub(super) async fn serve_stream<S>(
    stream: S,
    flow: Flow,
    writers: Writers,
    inbound: mpsc::Sender<Inbound>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let Some(id) = flow.connection else { return };
    let (mut reader, mut writer) = tokio::io::split(stream);
    let (sender, mut outgoing) = mpsc::channel::<Vec<u8>>(64);
    if let Ok(mut map) = writers.lock() {
        map.insert(id, sender.clone());
    }
    let write = tokio::spawn(async move {
        while let Some(bytes) = outgoing.recv().await {
            // TLS buffers inside the stream: flush so the peer gets it now.
            if writer.write_all(&bytes).await.is_err() || writer.flush().await.is_err() {
                break;
            }
        }
    });
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    'read: loop {
        let read = tokio::select! {
            read = reader.read(&mut chunk) => read,
            () = inbound.closed() => break,
        };
        match read {
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
                    tracing::info!(peer = %flow.remote, transport = %flow.transport, error = %e,
                        "closing a SIP stream that cannot be framed");
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
