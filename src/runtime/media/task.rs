//! The loop that relays one stream's packets, on its media thread.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;

use super::ports::Socket;
use super::stream::{Relays, Shared, index, lock};
use crate::media::relay::Side;
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
                // A side being played to does not hear the other meanwhile.
                let to = to.filter(|_| relays.players[index ^ 1].is_none());
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
        let Some(frame) = frame else {
            continue;
        };
        match &mut relays.browsers[i] {
            Some(leg) => {
                leg.send_rtp(now, &frame);
                drain(&mut relays, side, None, now, outbox);
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
