//! The media driver: RTP and RTCP sockets from the configured port range,
//! each anchored stream relayed by a task of its own through the pure
//! [`Relay`](crate::media::relay::Relay).
//!
//! A stream has two legs, each with an even RTP port and the RTCP port
//! above it (RFC 3550 §11); a leg that multiplexes RTCP (RFC 5761) simply
//! sends both to the RTP port, which the relay tells apart.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::runtime::Handle;

use str0m::config::DtlsCert;
use tokio::sync::Notify;

use super::clock;
use super::recording::{Recorder, Recording};
use super::webrtc::BrowserLeg;
use crate::media::relay::{Relay, Side, Stats};
use crate::sdp::webrtc::{Format, WebRtcLocal, WebRtcRemote};

/// Why a stream could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("no free pair of ports left in {first}-{last}")]
    NoPorts { first: u16, last: u16 },
    #[error("binding media ports: {0}")]
    Bind(std::io::Error),
    #[error("starting the media threads: {0}")]
    Threads(std::io::Error),
    #[error("making the DTLS certificate for browsers: {0}")]
    Certificate(String),
}

/// Where media is received and what the SDP we send says.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// The address the RTP sockets bind.
    pub bind: IpAddr,
    /// The address put in the SDP we send: where peers reach `bind`
    /// (differs from it behind NAT or when binding every address).
    pub address: IpAddr,
    pub ports: RangeInclusive<u16>,
    /// Threads relaying media, each with the streams given to it.
    pub threads: usize,
    /// Where recordings are written; `None`: calls are not recorded.
    pub recordings: Option<std::path::PathBuf>,
}

/// The media side of the server: the port range, the advertised address
/// and the threads that relay. Cloned freely; the threads stop when the
/// last clone is dropped.
#[derive(Clone)]
pub struct Media {
    ports: Arc<Ports>,
    pub address: IpAddr,
    threads: Arc<Threads>,
    /// The certificate every browser leg shows in its DTLS handshake: made
    /// once, since making one takes milliseconds a call should not wait.
    cert: DtlsCert,
    /// Its fingerprint, as `a=fingerprint` writes it.
    pub fingerprint: String,
    recorder: Option<Recorder>,
}

/// Relaying threads, each a single-threaded runtime: a stream's packets
/// are handled where its sockets are polled, never handed between threads,
/// and neither the SIP engine nor the API ever queues behind them.
struct Threads {
    handles: Vec<Handle>,
    next: AtomicUsize,
    /// Dropped with the last [`Media`]: the threads end and their streams
    /// with them.
    _stop: tokio::sync::watch::Sender<()>,
}

impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Media")
            .field("address", &self.address)
            .field("bind", &self.ports.bind)
            .field("ports", &self.ports.range)
            .field("threads", &self.threads.handles.len())
            .finish()
    }
}

impl Media {
    pub fn start(settings: &MediaSettings) -> Result<Media, MediaError> {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let mut handles = Vec::new();
        for n in 0..settings.threads.max(1) {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(MediaError::Threads)?;
            handles.push(runtime.handle().clone());
            let mut stopped = stopped.clone();
            std::thread::Builder::new()
                .name(format!("media-{n}"))
                .spawn(move || {
                    runtime.block_on(async move { while stopped.changed().await.is_ok() {} });
                })
                .map_err(MediaError::Threads)?;
        }
        let cert = str0m::crypto::from_feature_flags()
            .dtls_provider
            .generate_certificate()
            .ok_or_else(|| MediaError::Certificate("no certificate".into()))?;
        let fingerprint = str0m::Rtc::builder()
            .set_dtls_cert(cert.clone())
            .build(clock::instant())
            .direct_api()
            .local_dtls_fingerprint()
            .to_string();
        let recorder = match &settings.recordings {
            Some(dir) => Some(Recorder::start(dir.clone()).map_err(MediaError::Threads)?),
            None => None,
        };
        Ok(Media {
            recorder,
            cert,
            fingerprint,
            ports: Arc::new(Ports::new(settings.bind, settings.ports.clone())),
            address: settings.address,
            threads: Arc::new(Threads {
                handles,
                next: AtomicUsize::new(0),
                _stop: stop,
            }),
        })
    }

    /// The thread the next stream goes to, round robin.
    fn thread(&self) -> &Handle {
        let threads = &self.threads;
        let n = threads.next.fetch_add(1, Ordering::Relaxed);
        &threads.handles[n % threads.handles.len()]
    }
}

/// Hands out RTP/RTCP port pairs from a range, round robin, so a port
/// just released is the last to be taken again (late packets of an ended
/// call do not land in a new one).
struct Ports {
    bind: IpAddr,
    range: RangeInclusive<u16>,
    next: Mutex<u16>,
}

type Socket = std::net::UdpSocket;

impl Ports {
    /// Ports `range` on `bind`; the range should hold even starts.
    fn new(bind: IpAddr, range: RangeInclusive<u16>) -> Self {
        let first = range.start() + range.start() % 2;
        Ports {
            bind,
            range,
            next: Mutex::new(first),
        }
    }

    /// Binds the next free even port and the one above it. Binding is a
    /// quick system call, done where the stream is asked for; the sockets
    /// join their relay thread's reactor there.
    fn pair(&self) -> Result<(Socket, Socket), MediaError> {
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
            let Ok(rtp) = Socket::bind((self.bind, port)) else {
                continue;
            };
            match Socket::bind((self.bind, port + 1)) {
                Ok(rtcp) => return Ok((rtp, rtcp)),
                Err(_) => continue,
            }
        }
        Err(MediaError::NoPorts { first, last })
    }
}

/// What a stream's two legs have sent, RTP and RTCP apart, and its
/// recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamStats {
    pub a: Stats,
    pub b: Stats,
    pub a_rtcp: Stats,
    pub b_rtcp: Stats,
    /// The recording's file (under the recordings folder) and length.
    pub recording: Option<(String, u64)>,
}

/// The relays of one stream: RTP between the RTP ports, RTCP between the
/// ports above, and the WebRTC end of a side that is a browser. Shared by
/// the stream's task (which feeds them packets) and its handle (which reads
/// their counts and tells them of SDP changes).
struct Relays {
    rtp: Relay,
    rtcp: Relay,
    browsers: [Option<BrowserLeg>; 2],
    /// Each side's audio as it passes, when the call is recorded.
    recording: Option<Recording>,
    /// The digits each side keys (RFC 4733), for whoever listens.
    keys: Keys,
}

/// Reading the digits in each side's RFC 4733 events.
#[derive(Default)]
struct Keys {
    /// Each side's telephone-event payload type, once its SDP said.
    events: [Option<u8>; 2],
    detectors: [crate::media::dtmf::Detector; 2],
    /// Where digits go, with the tag the listener gave.
    listener: Option<(tokio::sync::mpsc::UnboundedSender<Digit>, u64)>,
}

/// A digit keyed on one side of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digit {
    /// The listener's tag of the stream.
    pub tag: u64,
    pub side: Side,
    pub digit: char,
}

impl Keys {
    /// Reads a packet `side` sent; a digit it starts goes to the listener.
    fn hear(&mut self, side: Side, packet: &[u8]) {
        let Some(pt) = self.events[index(side)] else {
            return;
        };
        let Ok(crate::media::rtp::Packet::Rtp(header)) = crate::media::rtp::parse(packet) else {
            return;
        };
        if header.payload_type != pt {
            return;
        }
        let payload = &packet[header.payload_offset..packet.len() - header.padding];
        let heard = self.detectors[index(side)].packet(header.timestamp, payload);
        if let (Some(digit), Some((listener, tag))) = (heard, &self.listener) {
            let _ = listener.send(Digit {
                tag: *tag,
                side,
                digit,
            });
        }
    }
}

struct Shared {
    relays: Mutex<Relays>,
    /// Wakes the task when a browser leg is set up: it has datagrams to
    /// send and timers to keep before any packet comes.
    wake: Notify,
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Relays> {
    shared.relays.lock().unwrap_or_else(|e| e.into_inner())
}

fn index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

/// A stream being relayed; dropping it (or [`Stream::close`]) stops the
/// relay and frees its ports.
pub struct Stream {
    /// Leg A's RTP port (RTCP is one above), to put in the SDP sent to A.
    pub port_a: u16,
    /// Leg B's RTP port, for the SDP sent to B.
    pub port_b: u16,
    relays: Arc<Shared>,
    /// Where each side's browser would reach us: the candidate we give it.
    candidates: [SocketAddr; 2],
    cert: DtlsCert,
    /// `None` once closed.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Stream {
    /// Opens a stream whose legs receive at `a` and `b` as their SDPs say
    /// (`None` while a leg's SDP is not known yet).
    pub fn open(
        media: &Media,
        a: Option<SocketAddr>,
        b: Option<SocketAddr>,
    ) -> Result<Stream, MediaError> {
        let (rtp_a, rtcp_a) = media.ports.pair()?;
        let (rtp_b, rtcp_b) = media.ports.pair()?;
        let port_a = rtp_a.local_addr().map_err(MediaError::Bind)?.port();
        let port_b = rtp_b.local_addr().map_err(MediaError::Bind)?.port();
        let sockets = [rtp_a, rtp_b, rtcp_a, rtcp_b];
        for socket in &sockets {
            socket.set_nonblocking(true).map_err(MediaError::Bind)?;
        }
        let relays = Arc::new(Shared {
            relays: Mutex::new(Relays {
                rtp: Relay::new(a, b),
                rtcp: Relay::new(rtcp_of(a), rtcp_of(b)),
                browsers: [None, None],
                recording: None,
                keys: Keys::default(),
            }),
            wake: Notify::new(),
        });
        let task = media.thread().spawn(run(sockets, relays.clone()));
        Ok(Stream {
            port_a,
            port_b,
            relays,
            candidates: [
                SocketAddr::new(media.address, port_a),
                SocketAddr::new(media.address, port_b),
            ],
            cert: media.cert.clone(),
            task: Some(task),
        })
    }

    /// A side is a browser whose descriptions are agreed: its ICE and DTLS
    /// end starts here. A re-offer from the same browser (hold, resume)
    /// keeps the end it has.
    pub fn browser(
        &self,
        side: Side,
        local: &WebRtcLocal,
        remote: &WebRtcRemote,
        formats: &[Format],
    ) -> Result<(), String> {
        let mut relays = lock(&self.relays);
        let slot = &mut relays.browsers[index(side)];
        if slot.as_ref().is_some_and(|leg| leg.same_peer(remote)) {
            return Ok(());
        }
        let candidate = self.candidates[index(side)];
        let leg = BrowserLeg::new(
            &self.cert,
            candidate,
            local,
            remote,
            formats,
            clock::instant(),
        )?;
        *slot = Some(leg);
        relays.keys.events[index(side)] = crate::calls::events_pt(formats);
        // The relay sends the other side's packets this way only to a side
        // it knows an address for; the browser's end takes them from here.
        relays.rtp.advertise(side, Some(candidate));
        drop(relays);
        self.relays.wake.notify_one();
        Ok(())
    }

    /// A leg's SDP changed (an answer came, or a re-INVITE): its media goes
    /// there from the next packet on.
    pub fn advertise(&self, side: Side, address: Option<SocketAddr>) {
        let mut relays = lock(&self.relays);
        relays.rtp.advertise(side, address);
        relays.rtcp.advertise(side, rtcp_of(address));
    }

    pub fn stats(&self) -> StreamStats {
        let relays = lock(&self.relays);
        StreamStats {
            a: relays.rtp.stats(Side::A),
            b: relays.rtp.stats(Side::B),
            a_rtcp: relays.rtcp.stats(Side::A),
            b_rtcp: relays.rtcp.stats(Side::B),
            recording: relays
                .recording
                .as_ref()
                .map(|r| (r.relative.clone(), r.duration_ms())),
        }
    }

    /// The payload type of `side`'s RFC 4733 events (from its SDP).
    pub fn events(&self, side: Side, pt: Option<u8>) {
        lock(&self.relays).keys.events[index(side)] = pt;
    }

    /// Sends every digit either side keys to `listener`, with `tag`.
    pub fn listen(&self, listener: tokio::sync::mpsc::UnboundedSender<Digit>, tag: u64) {
        lock(&self.relays).keys.listener = Some((listener, tag));
    }

    /// Records what each side sends from now on; the file, relative to the
    /// recordings folder. `None` when recording is not configured.
    pub fn record(&self, media: &Media) -> Option<String> {
        let recording = media.recorder.as_ref()?.begin(clock::instant());
        let relative = recording.relative.clone();
        lock(&self.relays).recording = Some(recording);
        Some(relative)
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

/// Registers the sockets with the relay thread's reactor, then relays.
async fn run(sockets: [Socket; 4], relays: Arc<Shared>) {
    let [a, b, ca, cb] = sockets;
    let registered = (|| {
        Ok::<_, std::io::Error>([
            UdpSocket::from_std(a)?,
            UdpSocket::from_std(b)?,
            UdpSocket::from_std(ca)?,
            UdpSocket::from_std(cb)?,
        ])
    })();
    match registered {
        Ok(sockets) => relay(sockets, relays).await,
        Err(error) => tracing::warn!(%error, "a media stream could not start"),
    }
}

/// Far enough to mean never, near enough not to overflow an `Instant`.
const NEVER: Duration = Duration::from_secs(3600);

/// Datagrams to send once the lock is let go: out of which socket, where.
type Outbox = Vec<(usize, SocketAddr, Vec<u8>)>;

/// Relays until aborted. `sockets` are A's RTP, B's RTP, A's RTCP, B's
/// RTCP: what one receives goes out of its partner (index xor 1), or
/// through the browser's end of a side that is a browser.
async fn relay(sockets: [UdpSocket; 4], shared: Arc<Shared>) {
    let mut buffers = [[0u8; 2048]; 4];
    let mut outbox = Outbox::new();
    // The timer and the wake-up live across packets: making them afresh for
    // every packet (a timer-wheel entry and a waiter each) cost a tenth of
    // the relay's time.
    let timer = tokio::time::sleep(NEVER);
    tokio::pin!(timer);
    let mut armed: Option<std::time::Instant> = None;
    let woken = shared.wake.notified();
    tokio::pin!(woken);
    loop {
        let deadline = {
            let relays = lock(&shared);
            relays
                .browsers
                .iter()
                .flatten()
                .filter_map(BrowserLeg::next_timeout)
                .min()
        };
        if deadline != armed {
            let at = deadline.unwrap_or_else(|| clock::instant() + NEVER);
            timer.as_mut().reset(at.into());
            armed = deadline;
        }
        let [a, b, ca, cb] = &mut buffers;
        let (index, received) = tokio::select! {
            r = sockets[0].recv_from(a) => (0, r),
            r = sockets[1].recv_from(b) => (1, r),
            r = sockets[2].recv_from(ca) => (2, r),
            r = sockets[3].recv_from(cb) => (3, r),
            () = &mut timer, if armed.is_some() => {
                armed = None;
                browsers_due(&shared, &mut outbox);
                flush(&sockets, &mut outbox).await;
                continue;
            }
            () = &mut woken => {
                woken.set(shared.wake.notified());
                browsers_due(&shared, &mut outbox);
                flush(&sockets, &mut outbox).await;
                continue;
            }
        };
        let Ok((len, from)) = received else {
            continue;
        };
        let side = if index % 2 == 0 { Side::A } else { Side::B };
        let bytes = &buffers[index][..len];
        let to = {
            let mut relays = lock(&shared);
            let relays = &mut *relays;
            let now = clock::instant();
            if index >= 2 {
                relays.rtcp.receive(side, from, bytes, now)
            } else if relays.browsers[index].is_some() {
                if let Some(leg) = &mut relays.browsers[index] {
                    leg.receive(now, from, bytes);
                }
                drain(relays, side, Some(from), now, &mut outbox);
                None
            } else {
                let to = relays.rtp.receive(side, from, bytes, now);
                if to.is_some() {
                    relays.keys.hear(side, bytes);
                    if let Some(recording) = &mut relays.recording {
                        recording.audio(index, now, bytes);
                    }
                }
                match (&mut relays.browsers[index ^ 1], to) {
                    (Some(leg), Some(_)) => {
                        leg.send_rtp(now, bytes);
                        drain(relays, side.other(), None, now, &mut outbox);
                        None
                    }
                    (Some(_), None) => None,
                    (None, to) => to,
                }
            }
        };
        if let Some(to) = to {
            // A lost datagram is what UDP media expects; the peer's RTCP
            // reports it.
            let _ = sockets[index ^ 1].send_to(bytes, to).await;
        }
        flush(&sockets, &mut outbox).await;
    }
}

/// Runs the browser ends' timers and collects what they send.
fn browsers_due(shared: &Shared, outbox: &mut Outbox) {
    let mut relays = lock(shared);
    let now = clock::instant();
    for side in [Side::A, Side::B] {
        if let Some(leg) = &mut relays.browsers[index(side)] {
            leg.handle_timeout(now);
            drain(&mut relays, side, None, now, outbox);
        }
    }
}

/// Takes what the browser end of `side` has to say: its datagrams go out
/// of that side's port, the RTP it decrypted to the other side, counted as
/// that side's (`from`, when known, is the browser's address).
fn drain(
    relays: &mut Relays,
    side: Side,
    from: Option<SocketAddr>,
    now: std::time::Instant,
    outbox: &mut Outbox,
) {
    let mut packets = Vec::new();
    if let Some(leg) = &mut relays.browsers[index(side)] {
        leg.poll(
            |to, bytes| outbox.push((index(side), to, bytes.to_vec())),
            |packet| packets.push(packet),
        );
    }
    let other = side.other();
    for packet in packets {
        let to = match from {
            Some(from) => relays.rtp.receive(side, from, &packet, now),
            None => relays.rtp.peer(other),
        };
        relays.keys.hear(side, &packet);
        if let Some(recording) = &mut relays.recording {
            recording.audio(index(side), now, &packet);
        }
        match &mut relays.browsers[index(other)] {
            Some(leg) => leg.send_rtp(now, &packet),
            None => {
                if let Some(to) = to {
                    outbox.push((index(other), to, packet));
                }
            }
        }
    }
    if let Some(leg) = &mut relays.browsers[index(other)] {
        leg.poll(
            |to, bytes| outbox.push((index(other), to, bytes.to_vec())),
            |_| {},
        );
    }
}

async fn flush(sockets: &[UdpSocket; 4], outbox: &mut Outbox) {
    for (index, to, bytes) in outbox.drain(..) {
        let _ = sockets[index].send_to(&bytes, to).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::media::rtp::pcmu;

    /// A range of its own for each test, away from other processes' tests.
    fn ports(offset: u16, pairs: u16) -> Media {
        let base = 40_000 + (std::process::id() % 500) as u16 * 40 + offset;
        let localhost = IpAddr::from([127, 0, 0, 1]);
        Media::start(&MediaSettings {
            bind: localhost,
            address: localhost,
            ports: base..=base + 2 * pairs - 1,
            threads: 1,
            recordings: None,
        })
        .unwrap()
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
        let stream = Stream::open(&ports, Some(phone_at), Some(pbx_at)).unwrap();
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
        let stream = Stream::open(&ports, Some(phone_at), Some(server(9))).unwrap();
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
        let stream = Stream::open(&ports, Some(phone_at), None).unwrap();
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
        let stream = Stream::open(&ports, None, None).unwrap();
        let refused = Stream::open(&ports, None, None);
        assert!(matches!(refused, Err(MediaError::NoPorts { .. })));
        stream.close().await;
        let again = Stream::open(&ports, None, None).unwrap();
        assert_ne!(again.port_a, again.port_b);
    }

    #[tokio::test]
    async fn a_changed_sdp_redirects_media_before_any_packet_latches() {
        let ports = ports(16, 2);
        let (phone, phone_at) = peer().await;
        let (first, first_at) = peer().await;
        let (second, second_at) = peer().await;
        let stream = Stream::open(&ports, Some(phone_at), Some(first_at)).unwrap();
        phone
            .send_to(&pcmu(1), server(stream.port_a))
            .await
            .unwrap();
        assert_eq!(receive(&first).await, pcmu(1));
        stream.advertise(Side::B, Some(second_at));
        phone
            .send_to(&pcmu(2), server(stream.port_a))
            .await
            .unwrap();
        assert_eq!(
            receive(&second).await,
            pcmu(2),
            "the next packet goes there"
        );
    }
}
