//! The browsers of `--webrtc`: a str0m peer per call doing what Chromium
//! does against the server's ICE-lite leg (checks as the controlling agent,
//! the DTLS client, SRTP), then 50 PCMU packets a second each way.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use str0m::media::{MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo, Ssrc};
use str0m::{Candidate, Event, IceCreds, Input, Output, Rtc};
use switchboard::sdp::webrtc::{Format, Setup, WebRtcLocal, WebRtcRemote};

use super::{FRAME, PAYLOAD, Received};

const SERVER_SSRC: u32 = 7;
const CLIENT_SSRC: u32 = 9;

pub fn pcmu() -> Vec<Format> {
    vec![Format {
        pt: 0,
        encoding: "PCMU".into(),
        clock_rate: 8000,
        fmtp: None,
    }]
}

/// The server's side of the leg, as the call core would write it.
pub fn server_side(fingerprint: &str) -> WebRtcLocal {
    WebRtcLocal {
        ufrag: "srvr".into(),
        pwd: "server-password-0123456789".into(),
        fingerprint: fingerprint.into(),
        ssrc: SERVER_SSRC,
    }
}

/// A browser at `local` calling the server's leg at `server`; and what its
/// description would tell the server.
pub fn client(
    local: SocketAddr,
    server: SocketAddr,
    server_fingerprint: &str,
) -> (Rtc, WebRtcRemote) {
    let mut rtc = Rtc::builder()
        .set_rtp_mode(true)
        // As a browser does when the server's description has no extmap.
        .clear_extension_map()
        .clear_codecs()
        .enable_pcmu(true, false)
        .build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
    rtc.add_remote_candidate(Candidate::host(server, "udp").unwrap());
    let mid = Mid::from("0");
    let mut api = rtc.direct_api();
    api.set_ice_controlling(true);
    api.set_local_ice_credentials(IceCreds {
        ufrag: "brws".into(),
        pass: "browser-password-0123456789".into(),
    });
    api.set_remote_ice_credentials(IceCreds {
        ufrag: "srvr".into(),
        pass: "server-password-0123456789".into(),
    });
    api.set_remote_fingerprint(server_fingerprint.parse().unwrap());
    api.declare_media(mid, MediaKind::Audio);
    api.declare_stream_tx(CLIENT_SSRC.into(), None, mid, None);
    api.expect_stream_rx(SERVER_SSRC.into(), None, mid, None);
    api.start_dtls(true).unwrap();
    let fingerprint = rtc.direct_api().local_dtls_fingerprint().to_string();
    let remote = WebRtcRemote {
        ufrag: "brws".into(),
        pwd: "browser-password-0123456789".into(),
        fingerprint,
        setup: Setup::Active,
        mid: "0".into(),
        ssrc: Some(CLIENT_SSRC),
    };
    (rtc, remote)
}

pub struct Browsers {
    pub sent: u64,
    pub received: Received,
}

/// Drives every browser until `run` is over (and half a second for the
/// last packets); what they sent and got.
pub fn run(
    browsers: Vec<(std::net::UdpSocket, Rtc, SocketAddr)>,
    t0: Instant,
    run: Duration,
    warm_up: Duration,
) -> Browsers {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let totals = Arc::new(Mutex::new(Browsers {
        sent: 0,
        received: Received {
            packets: 0,
            transits_us: Vec::new(),
        },
    }));
    let count = browsers.len().max(1) as u32;
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for (n, (socket, rtc, _server)) in browsers.into_iter().enumerate() {
            socket.set_nonblocking(true).unwrap();
            let socket = tokio::net::UdpSocket::from_std(socket).unwrap();
            // Each browser at its own phase of the frame.
            let phase = FRAME * n as u32 / count;
            let totals = totals.clone();
            tasks.push(tokio::spawn(drive(
                socket, rtc, t0, run, warm_up, phase, totals,
            )));
        }
        for task in tasks {
            let _ = task.await;
        }
    });
    Arc::try_unwrap(totals)
        .ok()
        .expect("every browser is done")
        .into_inner()
        .unwrap()
}

async fn drive(
    socket: tokio::net::UdpSocket,
    mut rtc: Rtc,
    t0: Instant,
    run: Duration,
    warm_up: Duration,
    phase: Duration,
    totals: Arc<Mutex<Browsers>>,
) {
    let local = socket.local_addr().unwrap();
    let mut buffer = vec![0u8; 2048];
    let mut connected = false;
    let mut frame: u64 = 0;
    let mut next_frame = t0 + phase;
    let end = t0 + run;
    let stop = end + Duration::from_millis(500);
    let (mut sent, mut received, mut transits) = (0u64, 0u64, Vec::new());
    let warm = warm_up.as_nanos() as u64;
    loop {
        let timeout = loop {
            match rtc.poll_output() {
                Ok(Output::Transmit(t)) => {
                    let _ = socket.send_to(&t.contents, t.destination).await;
                }
                Ok(Output::Event(Event::Connected)) => connected = true,
                Ok(Output::Event(Event::RtpPacket(packet))) => {
                    received += 1;
                    if packet.payload.len() >= 8 {
                        let stamp = u64::from_be_bytes(packet.payload[..8].try_into().unwrap());
                        if stamp >= warm {
                            let now = t0.elapsed().as_nanos() as u64;
                            transits.push((now.saturating_sub(stamp) / 1000) as u32);
                        }
                    }
                }
                Ok(Output::Event(_)) => {}
                Ok(Output::Timeout(at)) => break at,
                Err(error) => panic!("a browser failed: {error}"),
            }
        };
        let now = Instant::now();
        if now >= stop {
            break;
        }
        let wake = timeout.min(next_frame).min(stop).max(now);
        tokio::select! {
            r = socket.recv_from(&mut buffer) => {
                if let Ok((len, from)) = r
                    && let Ok(contents) = buffer[..len].try_into()
                {
                    let input = Input::Receive(Instant::now(), Receive {
                        proto: Protocol::Udp,
                        source: from,
                        destination: local,
                        contents,
                    });
                    let _ = rtc.handle_input(input);
                }
            }
            () = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= next_frame {
                    if connected && now < end {
                        let mut payload = vec![0u8; PAYLOAD];
                        let stamp = t0.elapsed().as_nanos() as u64;
                        payload[..8].copy_from_slice(&stamp.to_be_bytes());
                        let write = RtpWrite::new(
                            0.into(),
                            SeqNo::from(frame),
                            (frame * 160) as u32,
                            now,
                            payload,
                        );
                        if let Some(stream) = rtc.direct_api().stream_tx(&Ssrc::from(CLIENT_SSRC)) {
                            stream.write_rtp(write);
                            sent += 1;
                        }
                    }
                    frame += 1;
                    next_frame += FRAME;
                }
                let _ = rtc.handle_input(Input::Timeout(now));
            }
        }
    }
    let mut totals = totals.lock().unwrap();
    totals.sent += sent;
    totals.received.packets += received;
    totals.received.transits_us.extend(transits);
}
