//! What the transaction and dialog layers know of a transport: its kind and
//! the flow a message came in on or goes out by. The sockets themselves
//! belong to `runtime/`; here a flow is only a description the driver can
//! act on.

use std::net::SocketAddr;

/// A SIP transport (RFC 3261 §18, RFC 7118 for WebSocket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

impl Transport {
    /// Reliable transports deliver or fail, so the transaction layer does
    /// not retransmit over them and its lingering timers (D, I, J, K) are
    /// zero (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// SIP over WebSocket: how browsers reach us, so always a phone (never
    /// a PBX) and always speaking WebRTC.
    pub fn is_websocket(self) -> bool {
        matches!(self, Transport::Ws | Transport::Wss)
    }
}

impl Transport {
    /// The name in a Via header (`SIP/2.0/UDP`).
    pub fn via_name(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.via_name())
    }
}

/// The path of a message: for streams one connection, for UDP a remote
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    pub transport: Transport,
    /// The peer's address: the source of what came in, the destination of
    /// what goes out.
    pub remote: SocketAddr,
    /// The connection the driver assigned to a stream (TCP, TLS, WS, WSS),
    /// so that responses leave by the connection the request came on
    /// (RFC 3261 §18.2.2); `None` for UDP.
    pub connection: Option<u64>,
}

impl Flow {
    pub fn udp(remote: SocketAddr) -> Self {
        Flow {
            transport: Transport::Udp,
            remote,
            connection: None,
        }
    }

    pub fn is_reliable(&self) -> bool {
        self.transport.is_reliable()
    }
}
