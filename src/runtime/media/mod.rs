//! The media driver: RTP and RTCP sockets from the configured port range,
//! each anchored stream relayed on a media thread through the pure
//! [`Relay`](crate::media::relay::Relay), with the browser end of a side
//! that is a browser (`webrtc.rs`), the digits each side keys, and the
//! recording.
//!
//! A stream has two legs, each with an even RTP port and the RTCP port
//! above it (RFC 3550 §11); a leg that multiplexes RTCP (RFC 5761) simply
//! sends both to the RTP port, which the relay tells apart.
//!
//! - `mod.rs`: the settings, the media threads and the DTLS certificate;
//! - `ports.rs`: port pairs from the range;
//! - `stream.rs`: one call's stream, the handle the SIP engine holds;
//! - `task.rs`: the loop that relays a stream's packets;
//! - `keys.rs`: the digits in each side's RFC 4733 events;
//! - `player.rs`: prompts and hold music played to a side;
//! - `tap.rs`: a supervisor listening, whispering or barging in;
//! - `machines.rs`: answering-machine detection on a called party's audio.

mod keys;
pub mod machines;
mod player;
mod ports;
mod stream;
pub mod tap;
mod task;
#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use str0m::config::DtlsCert;
use tokio::runtime::Handle;

use super::clock;
use super::recording::Recorder;
pub use keys::Digit;
use ports::Ports;
pub use stream::{Stream, StreamStats};

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
