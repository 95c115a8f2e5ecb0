//! Media relay benchmark: N concurrent G.711 calls relayed through the
//! server's media threads over loopback UDP, both directions at 50 packets
//! a second, as phones send them.
//!
//! `cargo bench --bench media -- [CALLS] [SECONDS] [--direct | --record | --webrtc]`
//!
//! Prints the CPU the media threads used per call (from the kernel's
//! per-thread counters), packets lost, and the transit time each packet
//! took from the sending socket to the receiving one: its spread is the
//! jitter the relay adds. `--direct` sends the same traffic straight
//! between the two ends, without the relay, for the floor of that spread.
//! `--record` records every call (to a temporary folder) and adds the
//! recorder thread's CPU. `--webrtc` makes each call's A side a browser:
//! a str0m peer (ICE, DTLS, SRTP) against the server's browser leg, on
//! threads of the bench's own, bridged to a plain RTP B side.
//!
//! The traffic comes from this process too, on threads of its own: one
//! paces the sends (each call's packets at their own phase of the 20 ms
//! frame, as independent phones would), one receives.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use switchboard::media::relay::Side;
use switchboard::runtime::media::{Media, MediaSettings, Stream};

#[path = "media/browser.rs"]
mod browser;

/// One G.711 frame: 20 ms of 8 kHz audio.
const FRAME: Duration = Duration::from_millis(20);
const PAYLOAD: usize = 160;
/// Ticks per frame at which the sender wakes; calls are spread over them.
const TICKS: u32 = 20;
const WARM_UP: Duration = Duration::from_secs(3);

struct Args {
    calls: usize,
    seconds: u64,
    direct: bool,
    record: bool,
    webrtc: bool,
}

fn args() -> Args {
    let mut numbers = Vec::new();
    let mut direct = false;
    let mut record = false;
    let mut webrtc = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--webrtc" => webrtc = true,
            "--direct" => direct = true,
            "--record" => record = true,
            "--bench" => {}
            other => numbers.push(other.parse::<u64>().unwrap_or_else(|_| {
                panic!("usage: media [CALLS] [SECONDS] [--direct], not {other:?}")
            })),
        }
    }
    Args {
        calls: numbers.first().copied().unwrap_or(500) as usize,
        seconds: numbers.get(1).copied().unwrap_or(20),
        direct,
        record,
        webrtc,
    }
}

/// One call's two ends (the caller's phone and the callee's), and where
/// each sends: the relay's port for it, or the other end with `--direct`.
struct Ends {
    sockets: [UdpSocket; 2],
    targets: [SocketAddr; 2],
    /// Side A is a browser the `browsers` thread drives: the sender and
    /// receiver leave it alone.
    browser: bool,
}

fn main() {
    let args = args();
    let localhost: IpAddr = [127, 0, 0, 1].into();
    let recordings = tempfile::tempdir().expect("a temporary folder");
    let media = Media::start(&MediaSettings {
        bind: localhost,
        address: localhost,
        ports: 20_000..=29_999,
        threads: 1,
        recordings: args.record.then(|| recordings.path().to_owned()),
    })
    .expect("media threads");
    let mut streams = Vec::new();
    let mut ends = Vec::new();
    let mut browsers = Vec::new();
    for _ in 0..args.calls {
        let a = UdpSocket::bind((localhost, 0)).unwrap();
        let b = UdpSocket::bind((localhost, 0)).unwrap();
        let (a_at, b_at) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let targets = if args.webrtc {
            let stream = Stream::open(&media, None, Some(b_at)).expect("media ports");
            if args.record {
                stream.record(&media);
            }
            let server_a = SocketAddr::new(localhost, stream.port_a);
            let (rtc, remote) = browser::client(a_at, server_a, &media.fingerprint);
            let local = browser::server_side(&media.fingerprint);
            stream
                .browser(Side::A, &local, &remote, &browser::pcmu())
                .expect("the browser leg starts");
            browsers.push((a.try_clone().unwrap(), rtc, server_a));
            let targets = [server_a, SocketAddr::new(localhost, stream.port_b)];
            streams.push(stream);
            targets
        } else if args.direct {
            [b_at, a_at]
        } else {
            let stream = Stream::open(&media, Some(a_at), Some(b_at)).expect("media ports");
            if args.record {
                stream.record(&media);
            }
            let targets = [
                SocketAddr::new(localhost, stream.port_a),
                SocketAddr::new(localhost, stream.port_b),
            ];
            streams.push(stream);
            targets
        };
        ends.push(Ends {
            sockets: [a, b],
            targets,
            browser: args.webrtc,
        });
    }
    let receivers: Vec<UdpSocket> = ends
        .iter()
        .flat_map(|e| {
            let from = usize::from(e.browser);
            e.sockets[from..].iter().map(|s| s.try_clone().unwrap())
        })
        .collect();
    let t0 = Instant::now();
    let run = WARM_UP + Duration::from_secs(args.seconds);
    let browsing = std::thread::Builder::new()
        .name("browsers".into())
        .spawn(move || browser::run(browsers, t0, run, WARM_UP))
        .unwrap();
    let receiving = std::thread::Builder::new()
        .name("receiver".into())
        .spawn(move || receive(receivers, t0, run))
        .unwrap();
    let sending = std::thread::Builder::new()
        .name("sender".into())
        .spawn(move || send(&ends, t0, run))
        .unwrap();
    // The CPU is read over the run after the warm-up.
    sleep_until(t0 + WARM_UP);
    let cpu_before = media_cpu();
    let measured_from = Instant::now();
    sleep_until(t0 + run);
    let measured = measured_from.elapsed();
    let cpu = media_cpu() - cpu_before;
    let cpu = (cpu.0, cpu.1);
    let mut sent = sending.join().unwrap();
    let mut got = receiving.join().unwrap();
    let from_browsers = browsing.join().unwrap();
    sent += from_browsers.sent;
    got.packets += from_browsers.received.packets;
    got.transits_us.extend(from_browsers.received.transits_us);
    report(&args, sent, &got, cpu, measured);
    drop(streams);
}

/// Sends every call's frames both ways until `run` is over; how many.
fn send(ends: &[Ends], t0: Instant, run: Duration) -> u64 {
    let tick = FRAME / TICKS;
    let mut sent = 0u64;
    let mut packet = [0u8; 12 + PAYLOAD];
    packet[0] = 0x80; // RTP version 2, PCMU (payload type 0)
    let mut frame = 0u32;
    loop {
        for t in 0..TICKS {
            let at = t0 + FRAME * frame + tick * t;
            if at >= t0 + run {
                return sent;
            }
            sleep_until(at);
            for (call, end) in ends
                .iter()
                .enumerate()
                .skip(t as usize)
                .step_by(TICKS as usize)
            {
                for side in usize::from(end.browser)..2 {
                    let sequence = frame as u16;
                    packet[2..4].copy_from_slice(&sequence.to_be_bytes());
                    packet[4..8].copy_from_slice(&(frame * 160).to_be_bytes());
                    let ssrc = (call * 2 + side) as u32;
                    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
                    // The payload carries when it left, for its transit time.
                    let nanos = t0.elapsed().as_nanos() as u64;
                    packet[12..20].copy_from_slice(&nanos.to_be_bytes());
                    if end.sockets[side]
                        .send_to(&packet, end.targets[side])
                        .is_ok()
                    {
                        sent += 1;
                    }
                }
            }
        }
        frame += 1;
    }
}

fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
}

/// What the receiving ends got: packets, and the transit time of those
/// sent after the warm-up, in microseconds.
struct Received {
    packets: u64,
    transits_us: Vec<u32>,
}

/// Receives on every end until `run` is over and half a second more for
/// the last packets in flight. One thread polls all sockets.
fn receive(sockets: Vec<UdpSocket>, t0: Instant, run: Duration) -> Received {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u32)>();
        for socket in sockets {
            socket.set_nonblocking(true).unwrap();
            let socket = tokio::net::UdpSocket::from_std(socket).unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 2048];
                while let Ok(len) = socket.recv(&mut buffer).await {
                    if len < 20 {
                        continue;
                    }
                    let now = t0.elapsed().as_nanos() as u64;
                    let sent = u64::from_be_bytes(buffer[12..20].try_into().unwrap());
                    let transit = (now.saturating_sub(sent) / 1000) as u32;
                    if tx.send((sent, transit)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let warm = WARM_UP.as_nanos() as u64;
        let mut got = Received {
            packets: 0,
            transits_us: Vec::new(),
        };
        let end = tokio::time::Instant::from_std(t0 + run + Duration::from_millis(500));
        loop {
            tokio::select! {
                item = rx.recv() => match item {
                    Some((sent, transit)) => {
                        got.packets += 1;
                        if sent >= warm {
                            got.transits_us.push(transit);
                        }
                    }
                    None => break,
                },
                () = tokio::time::sleep_until(end) => break,
            }
        }
        got
    })
}

/// CPU time the `media-*` threads and the recorder have used so far.
fn media_cpu() -> Cpu {
    let ticks_per_second = 100.0; // USER_HZ on Linux
    let (mut relay, mut recorder) = (0u64, 0u64);
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        // The relay's threads are `media-0`, `media-1`...; this binary's
        // own threads carry its name, which starts the same way.
        let relaying = name
            .trim()
            .strip_prefix("media-")
            .is_some_and(|n| n.parse::<u32>().is_ok());
        let recording = name.trim() == "recorder";
        if !relaying && !recording {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // Fields after the command's closing parenthesis: utime is the
        // 12th, stime the 13th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let used = ticks(11) + ticks(12);
        if relaying {
            relay += used;
        } else {
            recorder += used;
        }
    }
    let time = |ticks: u64| Duration::from_secs_f64(ticks as f64 / ticks_per_second);
    Cpu(time(relay), time(recorder))
}

/// CPU time of the relay threads and of the recorder.
#[derive(Clone, Copy)]
struct Cpu(Duration, Duration);

impl std::ops::Sub for Cpu {
    type Output = Cpu;

    fn sub(self, before: Cpu) -> Cpu {
        Cpu(self.0 - before.0, self.1 - before.1)
    }
}

fn report(args: &Args, sent: u64, got: &Received, cpu: (Duration, Duration), measured: Duration) {
    let mut transits = got.transits_us.clone();
    transits.sort_unstable();
    let at = |q: f64| {
        transits
            .get(((transits.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    // RFC 3550's interarrival jitter is the mean change in transit time
    // between consecutive packets; over all packets in arrival order this
    // is the spread the path adds.
    let jitter = if got.transits_us.len() > 1 {
        got.transits_us
            .windows(2)
            .map(|w| f64::from(w[0].abs_diff(w[1])))
            .sum::<f64>()
            / (got.transits_us.len() - 1) as f64
    } else {
        0.0
    };
    let lost = sent.saturating_sub(got.packets);
    let core_share = cpu.0.as_secs_f64() / measured.as_secs_f64();
    let recorder_share = cpu.1.as_secs_f64() / measured.as_secs_f64();
    println!(
        "{} calls {}, {} s: sent {sent} packets, received {}, lost {lost} ({:.4}%)",
        args.calls,
        if args.direct {
            "direct (no relay)"
        } else if args.webrtc {
            "browser (WebRTC) to plain RTP through the relay"
        } else {
            "through the relay"
        },
        args.seconds,
        got.packets,
        lost as f64 * 100.0 / sent.max(1) as f64,
    );
    println!(
        "transit µs p50 {} p99 {} p99.9 {} max {}; mean |Δtransit| {jitter:.1} µs",
        at(0.5),
        at(0.99),
        at(0.999),
        transits.last().copied().unwrap_or(0),
    );
    if !args.direct {
        println!(
            "media threads: {:.1}% of a core, {:.4}% per call",
            core_share * 100.0,
            core_share * 100.0 / args.calls as f64
        );
    }
    if args.record {
        println!(
            "recorder thread: {:.1}% of a core, {:.4}% per call; relay and recorder {:.4}% per call",
            recorder_share * 100.0,
            recorder_share * 100.0 / args.calls as f64,
            (core_share + recorder_share) * 100.0 / args.calls as f64
        );
    }
}
