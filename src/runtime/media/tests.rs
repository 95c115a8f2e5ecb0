//! Streams over real UDP sockets on loopback.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;

use super::*;
use crate::media::relay::Side;
use crate::media::rtp::{self, pcmu};

/// A range of its own for each test, away from other processes' tests.
fn ports(offset: u16, pairs: u16) -> Media {
    let base = 40_000 + (std::process::id() % 500) as u16 * 48 + offset;
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

#[tokio::test]
async fn a_prompt_plays_to_a_side_in_paced_frames_and_holds_the_other_side_back() {
    let media = ports(20, 2);
    let (phone, phone_at) = peer().await;
    let (pbx, pbx_at) = peer().await;
    let stream = Stream::open(&media, Some(phone_at), Some(pbx_at)).unwrap();
    // Five frames' worth, the last one short.
    let samples: Vec<i16> = (0..780).map(|i| ((i % 80) as i16 - 40) * 200).collect();
    stream.play(Side::A, samples.clone().into(), 0, false);
    assert!(stream.playing(Side::A));
    // The PBX talks meanwhile: the phone must not hear it over the prompt.
    pbx.send_to(&pcmu(1), server(stream.port_b)).await.unwrap();
    let started = tokio::time::Instant::now();
    let mut heard = Vec::new();
    for _ in 0..5 {
        heard.push(receive(&phone).await);
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(70),
        "paced at 20 ms: {took:?}"
    );
    let headers: Vec<(u8, u16, u32)> = heard
        .iter()
        .map(|p| {
            let rtp::Packet::Rtp(h) = rtp::parse(p).unwrap() else {
                panic!("RTP")
            };
            (h.payload_type, h.sequence, h.timestamp)
        })
        .collect();
    for pair in headers.windows(2) {
        assert_eq!(pair[0].0, 0, "PCMU");
        assert_eq!(
            pair[1].1,
            pair[0].1.wrapping_add(1),
            "consecutive sequence numbers"
        );
        assert_eq!(
            pair[1].2,
            pair[0].2.wrapping_add(160),
            "20 ms apart in RTP time"
        );
    }
    let decoded: Vec<i16> = heard
        .iter()
        .flat_map(|p| {
            p[12..]
                .iter()
                .map(|&b| crate::media::g711::ulaw_to_linear(b))
        })
        .collect();
    assert_eq!(decoded.len(), 800, "the last frame padded to 160 samples");
    for (got, want) in decoded.iter().zip(&samples) {
        assert!((got - want).abs() <= 256, "{got} against {want}");
    }
    assert!(
        decoded[780..].iter().all(|&s| s.abs() < 8),
        "silence after the end"
    );
    // Over: the phone hears the PBX again, and nothing else was sent.
    assert!(eventually_not_playing(&stream).await);
    pbx.send_to(&pcmu(2), server(stream.port_b)).await.unwrap();
    assert_eq!(receive(&phone).await, pcmu(2));
}

async fn eventually_not_playing(stream: &Stream) -> bool {
    for _ in 0..50 {
        if !stream.playing(Side::A) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn a_side_that_takes_keys_as_info_gets_no_events_and_the_digit_is_still_heard() {
    let ports = ports(28, 2);
    let (phone, phone_at) = peer().await;
    let (pbx, pbx_at) = peer().await;
    let stream = Stream::open(&ports, Some(phone_at), Some(pbx_at)).unwrap();
    let (digits, mut heard) = tokio::sync::mpsc::unbounded_channel();
    stream.listen(digits, 7);
    stream.events(Side::A, Some(101));
    stream.keys_by_info(Side::B);
    // The key 5: an RFC 4733 event (RFC 4733 §2.3), then ordinary audio.
    let header = rtp::RtpHeader::new(true, 101, 1, 160, 9);
    let mut event = header.bytes().to_vec();
    event.extend_from_slice(&[5, 10, 0, 160]);
    phone.send_to(&event, server(stream.port_a)).await.unwrap();
    phone
        .send_to(&pcmu(2), server(stream.port_a))
        .await
        .unwrap();
    assert_eq!(receive(&pbx).await, pcmu(2), "the event was withheld");
    let digit = tokio::time::timeout(Duration::from_secs(2), heard.recv())
        .await
        .expect("a digit within 2 s")
        .unwrap();
    assert_eq!((digit.tag, digit.side, digit.digit), (7, Side::A, '5'));
    // The other way, events pass: the phone takes them.
    stream.events(Side::B, Some(101));
    let mut event = rtp::RtpHeader::new(true, 101, 1, 160, 8).bytes().to_vec();
    event.extend_from_slice(&[1, 10, 0, 160]);
    pbx.send_to(&event, server(stream.port_b)).await.unwrap();
    assert_eq!(receive(&phone).await, event);
    stream.close().await;
}

#[tokio::test]
async fn a_payload_type_the_other_side_numbers_differently_is_rewritten_on_the_way() {
    let ports = ports(32, 2);
    let (browser, browser_at) = peer().await;
    let (phone, phone_at) = peer().await;
    let stream = Stream::open(&ports, Some(browser_at), Some(phone_at)).unwrap();
    stream.renumber(Side::A, vec![(126, 101)]);
    let mut event = rtp::RtpHeader::new(true, 126, 1, 160, 9).bytes().to_vec();
    event.extend_from_slice(&[5, 10, 0, 160]);
    browser
        .send_to(&event, server(stream.port_a))
        .await
        .unwrap();
    let got = receive(&phone).await;
    assert_eq!(got[1], 0x80 | 101, "marker kept, 126 became 101");
    assert_eq!((&got[..1], &got[2..]), (&event[..1], &event[2..]));
    browser
        .send_to(&pcmu(2), server(stream.port_a))
        .await
        .unwrap();
    assert_eq!(receive(&phone).await, pcmu(2), "PCMU is numbered alike");
    stream.close().await;
}

/// A packet of G.711 μ-law carrying one level throughout.
fn tone(sequence: u16, level: i16) -> Vec<u8> {
    let mut packet = pcmu(sequence);
    let code = crate::media::g711::ulaw_from_linear(level);
    packet[12..].fill(code);
    packet
}

fn level_of(packet: &[u8]) -> i16 {
    crate::media::g711::ulaw_to_linear(packet[12])
}

#[tokio::test]
async fn a_supervisor_hears_both_sides_and_whispers_to_the_agent_alone() {
    let media = ports(36, 4);
    let (caller, caller_at) = peer().await;
    let (agent, agent_at) = peer().await;
    let (supervisor, supervisor_at) = peer().await;
    let call = Stream::open(&media, Some(caller_at), Some(agent_at)).unwrap();
    let monitor = Stream::open(&media, Some(supervisor_at), None).unwrap();
    call.monitor(&monitor, tap::Mode::Listen, Side::B, 0);
    // Both sides talk: the supervisor's frames carry their sum.
    let mut heard = Vec::new();
    for n in 0..20u16 {
        caller
            .send_to(&tone(n, 1000), server(call.port_a))
            .await
            .unwrap();
        assert_eq!(level_of(&receive(&agent).await), level_of(&tone(0, 1000)));
        agent
            .send_to(&tone(n, 2000), server(call.port_b))
            .await
            .unwrap();
        receive(&caller).await;
        heard.push(level_of(&receive(&supervisor).await));
    }
    assert!(
        heard.iter().any(|l| (2900..=3100).contains(l)),
        "the mix of both sides: {heard:?}"
    );
    // A whisper: the agent hears the supervisor over the caller, the
    // caller does not.
    call.monitor_mode(tap::Mode::Whisper);
    supervisor
        .send_to(&tone(1, 500), server(monitor.port_a))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    caller
        .send_to(&tone(30, 1000), server(call.port_a))
        .await
        .unwrap();
    let to_agent = level_of(&receive(&agent).await);
    assert!((1400..=1600).contains(&to_agent), "whispered: {to_agent}");
    supervisor
        .send_to(&tone(2, 500), server(monitor.port_a))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    agent
        .send_to(&tone(31, 2000), server(call.port_b))
        .await
        .unwrap();
    let to_caller = level_of(&receive(&caller).await);
    assert!(
        (1900..=2100).contains(&to_caller),
        "not to the caller: {to_caller}"
    );
    call.close().await;
    monitor.close().await;
}
