//! The loop that relays one stream's packets, on its media thread.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;

use super::ports::Socket;
use super::stream::{Relays, Shared, TapEnd, index, lock};
use crate::media::relay::Side;
use crate::media::rtp::{self, Packet, RtpHeader};
use crate::runtime::clock;
use crate::runtime::webrtc::BrowserLeg;

/// Registers the sockets with the relay thread's reactor, then relays.
pub(super) async fn run(sockets: [Socket; 4], relays: Arc<Shared>) {
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
            let players = relays.players.iter().flatten().map(|p| p.next);
            relays
                .browsers
                .iter()
                .flatten()
                .filter_map(BrowserLeg::next_timeout)
                .chain(players)
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
                players_due(&shared, &mut outbox);
                flush(&sockets, &mut outbox).await;
                continue;
            }
            () = &mut woken => {
                woken.set(shared.wake.notified());
                browsers_due(&shared, &mut outbox);
                players_due(&shared, &mut outbox);
                flush(&sockets, &mut outbox).await;
                continue;
            }
        };
        let Ok((len, from)) = received else {
            continue;
        };
        let side = if index % 2 == 0 { Side::A } else { Side::B };
        let bytes = &mut buffers[index][..len];
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
                match (relays.rtp.accept(side, from, bytes, now), rtp::parse(bytes)) {
                    (Some(to), Ok(Packet::Rtp(header))) => {
                        forward(relays, side, header, bytes, to, now, &mut outbox)
                    }
                    // Accepted but not RTP (RTCP multiplexed on the port):
                    // it goes on to a plain side as it came.
                    (to, _) => to
                        .flatten()
                        .filter(|_| relays.browsers[index ^ 1].is_none()),
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

/// Sends the frames of what is being played that are due, to a plain
/// side's peer or through a browser side's WebRTC end.
fn players_due(shared: &Shared, outbox: &mut Outbox) {
    let mut relays = lock(shared);
    let now = clock::instant();
    for side in [Side::A, Side::B] {
        let i = index(side);
        let Some(player) = &mut relays.players[i] else {
            continue;
        };
        let frame = player.frame(now);
        if player.finished() {
            relays.players[i] = None;
        }
        let Some((header, frame)) = frame else {
            continue;
        };
        match &mut relays.browsers[i] {
            Some(leg) => {
                leg.send_rtp(now, &header, &frame);
                transmit(leg, i, outbox);
            }
            None => {
                if let Some(to) = relays.rtp.peer(side) {
                    outbox.push((i, to, frame));
                }
            }
        }
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
/// of that side's port, the RTP it decrypted on to the other side, counted
/// as that side's (`from`, when known, is the browser's address).
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
            |header, packet| packets.push((header, packet)),
        );
    }
    for (header, mut packet) in packets {
        let to = match from {
            Some(from) => match relays.rtp.accept(side, from, &packet, now) {
                Some(to) => to,
                None => continue,
            },
            None => relays.rtp.peer(side.other()),
        };
        if let Some(to) = forward(relays, side, header, &mut packet, to, now, outbox) {
            outbox.push((index(side.other()), to, packet));
        }
    }
}

/// An RTP packet `side` sent, accepted: its digits are read and it is
/// recorded, then it goes on to the other side (its payload type in the
/// other side's numbering) unless something is being played to that side. A browser there gets it through its WebRTC end;
/// for a plain side the address to send it to is returned (`to`, the
/// relay's answer), so the caller sends it without a copy.
fn forward(
    relays: &mut Relays,
    side: Side,
    mut header: RtpHeader,
    packet: &mut [u8],
    to: Option<SocketAddr>,
    now: std::time::Instant,
    outbox: &mut Outbox,
) -> Option<SocketAddr> {
    relays.keys.hear(side, &header, packet);
    if side == Side::A
        && let Some(machines) = &mut relays.machines
        && machines.hear(&header, packet)
    {
        relays.machines = None;
    }
    if let Some(recording) = &mut relays.recording {
        recording.audio(index(side), now, &header, packet);
    }
    match &relays.tap {
        Some(TapEnd::Monitored(tap)) => super::tap::lock(tap).relay(side, &header, packet),
        Some(TapEnd::Supervisor(tap)) if side == Side::A => {
            super::tap::lock(tap).spoken(&header, packet);
        }
        _ => {}
    }
    let other = index(side.other());
    if relays.players[other].is_some() {
        return None; // a prompt is not talked over
    }
    if relays.keys.withheld(side, &header) {
        return None; // the key goes as SIP INFO
    }
    if let Some(&(_, theirs)) = relays.renumber[index(side)]
        .iter()
        .find(|(ours, _)| *ours == header.payload_type)
    {
        header.payload_type = theirs;
        packet[1] = packet[1] & 0x80 | theirs;
    }
    match &mut relays.browsers[other] {
        Some(leg) => {
            leg.send_rtp(now, &header, packet);
            transmit(leg, other, outbox);
            None
        }
        None => to,
    }
}

/// Queues what a browser's WebRTC end has to send, out of its side's port
/// (`socket`).
fn transmit(leg: &mut BrowserLeg, socket: usize, outbox: &mut Outbox) {
    leg.poll(
        |to, bytes| outbox.push((socket, to, bytes.to_vec())),
        |_, _| {},
    );
}

async fn flush(sockets: &[UdpSocket; 4], outbox: &mut Outbox) {
    for (index, to, bytes) in outbox.drain(..) {
        let _ = sockets[index].send_to(&bytes, to).await;
    }
}
