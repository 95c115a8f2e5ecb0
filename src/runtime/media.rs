//! The media driver: RTP and RTCP sockets from the configured port range,
//! each anchored stream relayed by a task of its own through the pure
//! [`Relay`](crate::media::relay::Relay).
//!
//! A stream has two legs, each with an even RTP port and the RTCP port
//! above it (RFC 3550 §11); a leg that multiplexes RTCP (RFC 5761) simply
//! sends both to the RTP port, which the relay tells apart.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::clock;
use crate::media::relay::{Relay, Side, Stats};

/// Why a stream could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("no free pair of ports left in {first}-{last}")]
    NoPorts { first: u16, last: u16 },
    #[error("binding media ports: {0}")]
    Bind(std::io::Error),
}

/// Hands out RTP/RTCP port pairs from a range, round robin, so a port
/// just released is the last to be taken again (late packets of an ended
/// call do not land in a new one).
pub struct Ports {
    bind: IpAddr,
    range: RangeInclusive<u16>,
    next: Mutex<u16>,
}

impl Ports {
    /// Ports `range` on `bind`; the range should hold even starts.
    pub fn new(bind: IpAddr, range: RangeInclusive<u16>) -> Self {
        let first = range.start() + range.start() % 2;
        Ports {
            bind,
            range,
            next: Mutex::new(first),
        }
    }

    /// Binds the next free even port and the one above it.
    async fn pair(&self) -> Result<(UdpSocket, UdpSocket), MediaError> {
        let (first, last) = (*self.range.start(), *self.range.end());
        let pairs = usize::from(last.saturating_sub(first) / 2 + 1);
        for _ in 0..pairs {
            let port = {
                let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
                let port = *next;
                *next = if port.saturating_add(3) > last {
                    first + first % 2
                } else {
                    port + 2
                };
                port
            };
            let Ok(rtp) = UdpSocket::bind((self.bind, port)).await else {
                continue;
            };
            match UdpSocket::bind((self.bind, port + 1)).await {
                Ok(rtcp) => return Ok((rtp, rtcp)),
                Err(_) => continue,
            }
        }
        Err(MediaError::NoPorts { first, last })
    }
}

/// What a stream's two legs have sent, RTP and RTCP apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    pub a: Stats,
    pub b: Stats,
    pub a_rtcp: Stats,
    pub b_rtcp: Stats,
}

/// A stream being relayed; dropping it (or [`Stream::close`]) stops the
/// relay and frees its ports.
pub struct Stream {
    /// Leg A's RTP port (RTCP is one above), to put in the SDP sent to A.
    pub port_a: u16,
    /// Leg B's RTP port, for the SDP sent to B.
    pub port_b: u16,
    stats: Arc<Mutex<StreamStats>>,
    advertised: watch::Sender<[Option<SocketAddr>; 2]>,
    /// `None` once closed.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Stream {
    /// Opens a stream whose legs receive at `a` and `b` as their SDPs say
    /// (`None` while a leg's SDP is not known yet).
    pub async fn open(
        ports: &Ports,
        a: Option<SocketAddr>,
        b: Option<SocketAddr>,
    ) -> Result<Stream, MediaError> {
        let (rtp_a, rtcp_a) = ports.pair().await?;
        let (rtp_b, rtcp_b) = ports.pair().await?;
        let port_a = rtp_a.local_addr().map_err(MediaError::Bind)?.port();
        let port_b = rtp_b.local_addr().map_err(MediaError::Bind)?.port();
        let stats = Arc::new(Mutex::new(StreamStats::default()));
        let (advertised, watch) = watch::channel([a, b]);
        let task = tokio::spawn(relay(
            [rtp_a, rtp_b],
            [rtcp_a, rtcp_b],
            watch,
            stats.clone(),
        ));
        Ok(Stream {
            port_a,
            port_b,
            stats,
            advertised,
            task: Some(task),
        })
    }

    /// A leg's SDP changed (an answer came, or a re-INVITE).
    pub fn advertise(&self, side: Side, address: Option<SocketAddr>) {
        self.advertised.send_modify(|legs| match side {
            Side::A => legs[0] = address,
            Side::B => legs[1] = address,
        });
    }

    pub fn stats(&self) -> StreamStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops relaying; the ports are free when this returns.
    pub async fn close(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The RTCP address that goes with an RTP address: the port above.
fn rtcp_of(address: Option<SocketAddr>) -> Option<SocketAddr> {
    address.map(|a| SocketAddr::new(a.ip(), a.port().wrapping_add(1)))
}

/// Relays until aborted: RTP between the RTP sockets, RTCP between the
/// RTCP sockets, each through its own [`Relay`].
async fn relay(
    rtp: [UdpSocket; 2],
    rtcp: [UdpSocket; 2],
    mut advertised: watch::Receiver<[Option<SocketAddr>; 2]>,
    stats: Arc<Mutex<StreamStats>>,
) {
    let [a, b] = *advertised.borrow_and_update();
    let mut rtp_relay = Relay::new(a, b);
    let mut rtcp_relay = Relay::new(rtcp_of(a), rtcp_of(b));
    let mut buffers = [[0u8; 2048], [0u8; 2048], [0u8; 2048], [0u8; 2048]];
    let [buf_a, buf_b, buf_ca, buf_cb] = &mut buffers;
    loop {
        // Which socket, from where, how many bytes.
        let (socket, side, (len, from)) = tokio::select! {
            r = rtp[0].recv_from(buf_a) => (0, Side::A, match r { Ok(r) => r, Err(_) => continue }),
            r = rtp[1].recv_from(buf_b) => (1, Side::B, match r { Ok(r) => r, Err(_) => continue }),
            r = rtcp[0].recv_from(buf_ca) => (2, Side::A, match r { Ok(r) => r, Err(_) => continue }),
            r = rtcp[1].recv_from(buf_cb) => (3, Side::B, match r { Ok(r) => r, Err(_) => continue }),
            changed = advertised.changed() => {
                if changed.is_err() {
                    return;
                }
                let [a, b] = *advertised.borrow_and_update();
                for (side, address) in [(Side::A, a), (Side::B, b)] {
                    rtp_relay.advertise(side, address);
                    rtcp_relay.advertise(side, rtcp_of(address));
                }
                continue;
            }
        };
        let now = clock::instant();
        let (bytes, relay, out) = match socket {
            0 => (&buf_a[..len], &mut rtp_relay, &rtp[1]),
            1 => (&buf_b[..len], &mut rtp_relay, &rtp[0]),
            2 => (&buf_ca[..len], &mut rtcp_relay, &rtcp[1]),
            _ => (&buf_cb[..len], &mut rtcp_relay, &rtcp[0]),
        };
        if let Some(to) = relay.receive(side, from, bytes, now) {
            // A lost datagram is what UDP media expects; the peer's RTCP
            // reports it.
            let _ = out.send_to(bytes, to).await;
        }
        let mut shared = stats.lock().unwrap_or_else(|e| e.into_inner());
        *shared = StreamStats {
            a: rtp_relay.stats(Side::A),
            b: rtp_relay.stats(Side::B),
            a_rtcp: rtcp_relay.stats(Side::A),
            b_rtcp: rtcp_relay.stats(Side::B),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::media::rtp::pcmu;

    /// A range of its own for each test, away from other processes' tests.
    fn ports(offset: u16, pairs: u16) -> Ports {
        let base = 40_000 + (std::process::id() % 500) as u16 * 40 + offset;
        Ports::new(IpAddr::from([127, 0, 0, 1]), base..=base + 2 * pairs - 1)
    }

    async fn peer() -> (UdpSocket, SocketAddr) {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let address = socket.local_addr().unwrap();
        (socket, address)
    }

    fn server(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    async fn receive(socket: &UdpSocket) -> Vec<u8> {
        let mut buffer = [0u8; 2048];
        let (len, _) = tokio::time::timeout(Duration::from_secs(2), socket.recv_from(&mut buffer))
            .await
            .expect("a packet within 2 s")
            .unwrap();
        buffer[..len].to_vec()
    }

    #[tokio::test]
    async fn rtp_flows_both_ways_between_the_legs_without_loss() {
        let ports = ports(0, 2);
        let (phone, phone_at) = peer().await;
        let (pbx, pbx_at) = peer().await;
        let stream = Stream::open(&ports, Some(phone_at), Some(pbx_at))
            .await
            .unwrap();
        assert_eq!(stream.port_a % 2, 0);
        for n in 0..50u16 {
            phone
                .send_to(&pcmu(n), server(stream.port_a))
                .await
                .unwrap();
            assert_eq!(receive(&pbx).await, pcmu(n));
            pbx.send_to(&pcmu(1000 + n), server(stream.port_b))
                .await
                .unwrap();
            assert_eq!(receive(&phone).await, pcmu(1000 + n));
        }
        let stats = stream.stats();
        assert_eq!((stats.a.packets, stats.b.packets), (50, 50));
        assert_eq!((stats.a.lost, stats.b.lost), (0, 0));
        stream.close().await;
    }

    #[tokio::test]
    async fn a_leg_behind_nat_gets_media_where_its_packets_come_from() {
        let ports = ports(4, 2);
        let (phone, phone_at) = peer().await;
        let (pbx, _) = peer().await;
        // The SDP named an address nobody listens on, as a NATed phone's does.
        let stream = Stream::open(&ports, Some(phone_at), Some(server(9)))
            .await
            .unwrap();
        pbx.send_to(&pcmu(1), server(stream.port_b)).await.unwrap();
        assert_eq!(receive(&phone).await, pcmu(1));
        phone
            .send_to(&pcmu(2), server(stream.port_a))
            .await
            .unwrap();
        assert_eq!(
            receive(&pbx).await,
            pcmu(2),
            "latched to the PBX's real address"
        );
    }

    #[tokio::test]
    async fn rtcp_goes_between_the_ports_above() {
        let ports = ports(8, 2);
        let (phone, phone_at) = peer().await;
        let (pbx_rtcp, _) = peer().await;
        let stream = Stream::open(&ports, Some(phone_at), None).await.unwrap();
        let report = [0x80, 201, 0, 1, 0, 0, 0, 1];
        // The PBX's RTCP latches its side; the phone's then reaches it.
        pbx_rtcp
            .send_to(&report, server(stream.port_b + 1))
            .await
            .unwrap();
        for _ in 0..200 {
            if stream.stats().b_rtcp.rtcp_packets == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        phone
            .send_to(&report, server(stream.port_a + 1))
            .await
            .unwrap();
        assert_eq!(receive(&pbx_rtcp).await, report);
        let stats = stream.stats();
        assert_eq!(
            (stats.a_rtcp.rtcp_packets, stats.b_rtcp.rtcp_packets),
            (1, 1)
        );
    }

    #[tokio::test]
    async fn a_full_range_refuses_and_a_closed_stream_gives_its_ports_back() {
        let ports = ports(12, 2);
        let stream = Stream::open(&ports, None, None).await.unwrap();
        let refused = Stream::open(&ports, None, None).await;
        assert!(matches!(refused, Err(MediaError::NoPorts { .. })));
        stream.close().await;
        let again = Stream::open(&ports, None, None).await.unwrap();
        assert_ne!(again.port_a, again.port_b);
    }

    #[tokio::test]
    async fn a_changed_sdp_redirects_media_before_any_packet_latches() {
        let ports = ports(16, 2);
        let (phone, phone_at) = peer().await;
        let (first, first_at) = peer().await;
        let (second, second_at) = peer().await;
        let stream = Stream::open(&ports, Some(phone_at), Some(first_at))
            .await
            .unwrap();
        phone
            .send_to(&pcmu(1), server(stream.port_a))
            .await
            .unwrap();
        assert_eq!(receive(&first).await, pcmu(1));
        stream.advertise(Side::B, Some(second_at));
        // The relay sees the change between two datagrams; keep sending
        // until one arrives at the new address.
        let mut buffer = [0u8; 2048];
        let mut arrived = None;
        for n in 2..200u16 {
            phone
                .send_to(&pcmu(n), server(stream.port_a))
                .await
                .unwrap();
            let wait = Duration::from_millis(20);
            if let Ok(Ok((len, _))) =
                tokio::time::timeout(wait, second.recv_from(&mut buffer)).await
            {
                arrived = Some(buffer[..len].to_vec());
                break;
            }
        }
        assert!(arrived.is_some(), "nothing reached the new address");
    }
}
