//! RTP/RTCP port pairs from the configured range.

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::sync::Mutex;

use super::MediaError;

/// Hands out RTP/RTCP port pairs from a range, round robin, so a port
/// just released is the last to be taken again (late packets of an ended
/// call do not land in a new one).
pub(super) struct Ports {
    pub(super) bind: IpAddr,
    pub(super) range: RangeInclusive<u16>,
    next: Mutex<u16>,
}

pub(super) type Socket = std::net::UdpSocket;

impl Ports {
    /// Ports `range` on `bind`; the range should hold even starts.
    pub(super) fn new(bind: IpAddr, range: RangeInclusive<u16>) -> Self {
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
    pub(super) fn pair(&self) -> Result<(Socket, Socket), MediaError> {
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
