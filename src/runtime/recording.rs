//! Call recordings: one stereo WAV file per call (8 kHz, 16-bit), what the
//! caller sent on the left channel and what the callee sent on the right.
//! The relays hand each G.711 packet over as it passes, with where it falls
//! in the call; a thread of its own decodes and writes, so the media path
//! never waits on a disk. A full queue drops audio from the recording, not
//! from the call.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Instant;

use crate::media::g711;
use crate::media::rtp::RtpHeader;

/// 8 kHz: G.711's sample rate, and the RTP clock of its packets.
const RATE: u32 = 8000;
/// How far one channel may run ahead of the other before the other is
/// taken to be silent (on hold, or a one-way call) and filled with silence.
const SLACK: usize = 2 * RATE as usize;
/// Batches waiting for the writer: seconds of audio of thousands of calls.
const QUEUE: usize = 8192;
/// Packets a recording gathers before handing them over: 160 ms of both
/// sides. Waking the writer for every packet cost the relay a third more.
const BATCH: usize = 16;

/// One packet's audio and where it goes.
struct Chunk {
    channel: usize,
    position: u64,
    alaw: bool,
    payload: Vec<u8>,
}

enum Job {
    Start { id: u64, path: PathBuf },
    Audio { id: u64, chunks: Vec<Chunk> },
    Finish { id: u64 },
}

/// The writer thread's handle. Cloned freely.
#[derive(Clone)]
pub struct Recorder {
    jobs: SyncSender<Job>,
    dir: PathBuf,
}

impl Recorder {
    /// Starts the writer; recordings go under `dir`, one folder a day.
    pub fn start(dir: PathBuf) -> std::io::Result<Recorder> {
        let (jobs, queue) = sync_channel(QUEUE);
        let root = dir.clone();
        std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || write(&root, &queue))?;
        Ok(Recorder { jobs, dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A new recording; its file appears under the day's folder.
    pub fn begin(&self, now: Instant) -> Recording {
        let id: u64 = rand::random();
        let relative = format!(
            "{}/{id:016x}.wav",
            crate::runtime::clock::now().format("%Y-%m-%d")
        );
        let _ = self.jobs.try_send(Job::Start {
            id,
            path: self.dir.join(&relative),
        });
        Recording {
            id,
            jobs: self.jobs.clone(),
            relative,
            started: now,
            clocks: [None, None],
            end: 0,
            dropped: 0,
            batch: Vec::with_capacity(BATCH),
        }
    }
}

/// Where one side's packets fall in the recording: its first packet's
/// arrival, and the RTP timestamps from there on.
#[derive(Debug, Clone, Copy)]
struct Clock {
    position: u64,
    timestamp: u32,
}

/// One call's recording, as its relay feeds it. Dropping it closes the file.
pub struct Recording {
    id: u64,
    jobs: SyncSender<Job>,
    /// The file, relative to the recordings folder.
    pub relative: String,
    started: Instant,
    clocks: [Option<Clock>; 2],
    /// The end of the audio so far, in samples.
    end: u64,
    /// Packets the writer had no room for.
    pub dropped: u64,
    batch: Vec<Chunk>,
}

impl Recording {
    /// A packet side `channel` (0 the caller, 1 the callee) sent, arriving
    /// `now`, with its header as the relay read it. Only G.711 is audio to
    /// record; events are not.
    pub fn audio(&mut self, channel: usize, now: Instant, header: &RtpHeader, packet: &[u8]) {
        let alaw = match header.payload_type {
            0 => false,
            8 => true,
            _ => return,
        };
        let arrival = now.saturating_duration_since(self.started).as_micros() as u64
            * u64::from(RATE)
            / 1_000_000;
        let clock = self.clocks[channel].get_or_insert(Clock {
            position: arrival,
            timestamp: header.timestamp,
        });
        let offset = i64::from(header.timestamp.wrapping_sub(clock.timestamp) as i32);
        let mut position = clock.position as i64 + offset;
        if position < 0 || position.abs_diff(arrival as i64) > SLACK as u64 {
            // A new timestamp base (a re-INVITE, a phone that restarted its
            // stream): the packet goes where it arrived.
            *clock = Clock {
                position: arrival,
                timestamp: header.timestamp,
            };
            position = arrival as i64;
        }
        let payload = header.payload(packet).to_vec();
        self.end = self.end.max(position as u64 + payload.len() as u64);
        self.batch.push(Chunk {
            channel,
            position: position as u64,
            alaw,
            payload,
        });
        if self.batch.len() >= BATCH {
            self.hand_over();
        }
    }

    fn hand_over(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let chunks = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let count = chunks.len() as u64;
        let job = Job::Audio {
            id: self.id,
            chunks,
        };
        if let Err(TrySendError::Full(_)) = self.jobs.try_send(job) {
            self.dropped += count;
        }
    }

    /// How long the recording runs, in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.end * 1000 / u64::from(RATE)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.hand_over();
        // Blocking here would stall a relay; the writer drains fast.
        let _ = self.jobs.try_send(Job::Finish { id: self.id });
    }
}

/// One file being written: the samples not yet written, per channel,
/// starting at `written`.
struct Open {
    writer: hound::WavWriter<BufWriter<File>>,
    written: u64,
    pending: [Vec<i16>; 2],
}

impl Open {
    fn put(&mut self, channel: usize, position: u64, samples: impl Iterator<Item = i16>) {
        let Some(start) = position.checked_sub(self.written) else {
            return; // too late: that stretch is on disk already
        };
        let buffer = &mut self.pending[channel];
        let start = start as usize;
        for (i, sample) in samples.enumerate() {
            let at = start + i;
            if at >= buffer.len() {
                buffer.resize(at + 1, 0);
            }
            buffer[at] = sample;
        }
    }

    /// Writes frames both channels have, and those the slower one has
    /// fallen too far behind on (silence for it).
    fn flush(&mut self, all: bool) -> hound::Result<()> {
        let longest = self.pending.iter().map(Vec::len).max().unwrap_or(0);
        let ready = if all {
            longest
        } else {
            let shortest = self.pending.iter().map(Vec::len).min().unwrap_or(0);
            shortest.max(longest.saturating_sub(SLACK))
        };
        if ready == 0 {
            return Ok(());
        }
        for buffer in &mut self.pending {
            if buffer.len() < ready {
                buffer.resize(ready, 0);
            }
        }
        let mut frames = self.writer.get_i16_writer(2 * ready as u32);
        for i in 0..ready {
            frames.write_sample(self.pending[0][i]);
            frames.write_sample(self.pending[1][i]);
        }
        frames.flush()?;
        for buffer in &mut self.pending {
            buffer.drain(..ready);
        }
        self.written += ready as u64;
        Ok(())
    }
}

fn create(path: &Path) -> hound::Result<hound::WavWriter<BufWriter<File>>> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    hound::WavWriter::create(path, spec)
}

/// The writer thread: until every [`Recorder`] and [`Recording`] is gone.
fn write(root: &Path, queue: &Receiver<Job>) {
    let mut open: HashMap<u64, Open> = HashMap::new();
    while let Ok(job) = queue.recv() {
        match job {
            Job::Start { id, path } => match create(&path) {
                Ok(writer) => {
                    open.insert(
                        id,
                        Open {
                            writer,
                            written: 0,
                            pending: [Vec::new(), Vec::new()],
                        },
                    );
                }
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot record a call");
                }
            },
            Job::Audio { id, chunks } => {
                let Some(file) = open.get_mut(&id) else {
                    continue;
                };
                for chunk in chunks {
                    let decode = if chunk.alaw {
                        g711::alaw_to_linear
                    } else {
                        g711::ulaw_to_linear
                    };
                    let samples = chunk.payload.iter().map(|&b| decode(b));
                    file.put(chunk.channel, chunk.position, samples);
                }
                if let Err(error) = file.flush(false) {
                    tracing::warn!(%error, "writing a recording failed");
                    open.remove(&id);
                }
            }
            Job::Finish { id } => {
                if let Some(mut file) = open.remove(&id) {
                    let done = file.flush(true).and_then(|()| file.writer.finalize());
                    if let Err(error) = done {
                        tracing::warn!(root = %root.display(), %error, "finishing a recording failed");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Feeds `recording` an RTP packet of `samples` G.711 bytes of one value.
    fn feed(
        recording: &mut Recording,
        channel: usize,
        at: Instant,
        (pt, timestamp, value, samples): (u8, u32, u8, usize),
    ) {
        let mut bytes = RtpHeader::new(false, pt, 0, timestamp, 1).bytes().to_vec();
        bytes.extend(std::iter::repeat_n(value, samples));
        let Ok(crate::media::rtp::Packet::Rtp(header)) = crate::media::rtp::parse(&bytes) else {
            panic!("RTP");
        };
        recording.audio(channel, at, &header, &bytes);
    }

    fn read(path: &Path) -> (hound::WavSpec, Vec<i16>) {
        let mut reader = hound::WavReader::open(path).unwrap();
        let samples = reader.samples::<i16>().map(Result::unwrap).collect();
        (reader.spec(), samples)
    }

    #[test]
    fn each_side_lands_on_its_channel_in_time_and_a_silent_side_is_silence() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::start(dir.path().to_owned()).unwrap();
        let t0 = Instant::now();
        let mut recording = recorder.begin(t0);
        // The caller talks for a second (A-law); the callee answers with
        // half a second of μ-law starting half a second in.
        for n in 0..50u32 {
            let at = t0 + Duration::from_millis(20 * u64::from(n));
            feed(&mut recording, 0, at, (8, 1000 + 160 * n, 0x2a, 160));
        }
        for n in 0..25u32 {
            let at = t0 + Duration::from_millis(500 + 20 * u64::from(n));
            feed(&mut recording, 1, at, (0, 9000 + 160 * n, 0x10, 160));
        }
        feed(&mut recording, 1, t0, (101, 0, 0, 4)); // an event: not audio
        assert_eq!(recording.duration_ms(), 1000);
        let path = dir.path().join(&recording.relative);
        drop(recording);
        drop(recorder);
        let mut waited = 0;
        while !path.exists() || hound::WavReader::open(&path).map_or(true, |r| r.duration() < 8000)
        {
            std::thread::sleep(Duration::from_millis(20));
            waited += 1;
            assert!(waited < 250, "the recording was written within 5 s");
        }
        let (spec, samples) = read(&path);
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 8000, 16)
        );
        assert_eq!(samples.len(), 2 * 8000, "one second, two channels");
        let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
        let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
        assert!(left.iter().all(|&s| s == g711::alaw_to_linear(0x2a)));
        assert!(
            right[..4000].iter().all(|&s| s == 0),
            "silence before the callee spoke"
        );
        assert!(
            right[4000..]
                .iter()
                .all(|&s| s == g711::ulaw_to_linear(0x10))
        );
    }
}
