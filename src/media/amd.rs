//! Answering-machine detection from the first seconds of what the called
//! party says, the way Asterisk's `AMD()` judges it: a person answers with
//! a short word or two ("Hello?") and then waits in silence for us; a
//! machine starts talking and goes on (a greeting of several seconds, many
//! words), or stays silent a long while before its greeting.
//!
//! It reads 8 kHz linear samples in frames of any length (the media
//! thread's 20 ms packets), counts time by the samples it was given, and
//! gives a verdict once: [`Verdict::Human`], [`Verdict::Machine`], or
//! [`Verdict::NotSure`] when the analysis time is up (treated as a person:
//! hanging up on a person is worse than putting a machine through).

use std::time::Duration;

/// The rules, with Asterisk's `amd.conf` defaults where it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdConfig {
    /// Silence before any word this long: a machine (a person says
    /// something when they pick up).
    pub initial_silence: Duration,
    /// Talk from the first word on, without a pause long enough to end
    /// the greeting, this long: a machine's greeting.
    pub greeting: Duration,
    /// Silence after a short greeting this long: a person waiting for us.
    pub after_greeting_silence: Duration,
    /// Voice this long makes a word.
    pub min_word: Duration,
    /// Silence this long ends a word.
    pub between_words: Duration,
    /// More words than this in the greeting: a machine.
    pub max_words: u32,
    /// The longest the analysis runs: then it is not sure.
    pub total: Duration,
    /// A frame whose RMS level is below this is silence (16-bit samples).
    pub silence_threshold: f64,
}

impl Default for AmdConfig {
    fn default() -> Self {
        AmdConfig {
            initial_silence: Duration::from_millis(2500),
            greeting: Duration::from_millis(1500),
            after_greeting_silence: Duration::from_millis(800),
            min_word: Duration::from_millis(100),
            between_words: Duration::from_millis(50),
            max_words: 3,
            total: Duration::from_millis(5000),
            silence_threshold: 256.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Human,
    Machine,
    /// The analysis time ran out.
    NotSure,
}

/// Why the verdict was given, for the logs and the accuracy report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    InitialSilence,
    LongGreeting,
    MaxWords,
    SilenceAfterGreeting,
    TooLong,
}

/// One call's detection.
#[derive(Debug, Clone)]
pub struct Detector {
    config: AmdConfig,
    /// Milliseconds of audio read so far, and in the current run of voice
    /// or silence.
    elapsed: f64,
    voiced: f64,
    silence: f64,
    /// When the first word started, in ms of audio.
    first_word_at: Option<f64>,
    in_word: bool,
    words: u32,
    verdict: Option<(Verdict, Reason)>,
}

impl Detector {
    pub fn new(config: AmdConfig) -> Self {
        Detector {
            config,
            elapsed: 0.0,
            voiced: 0.0,
            silence: 0.0,
            first_word_at: None,
            in_word: false,
            words: 0,
            verdict: None,
        }
    }

    /// The verdict given, if any, and why.
    pub fn verdict(&self) -> Option<(Verdict, Reason)> {
        self.verdict
    }

    /// Milliseconds of audio read.
    pub fn heard_ms(&self) -> f64 {
        self.elapsed
    }

    /// Reads a frame of 8 kHz samples; the verdict, the first time there
    /// is one.
    pub fn frame(&mut self, samples: &[i16]) -> Option<(Verdict, Reason)> {
        if self.verdict.is_some() || samples.is_empty() {
            return None;
        }
        let ms = samples.len() as f64 / 8.0;
        self.elapsed += ms;
        let energy = samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>();
        let rms = (energy / samples.len() as f64).sqrt();
        let c = &self.config;
        let millis = |d: Duration| d.as_secs_f64() * 1000.0;
        let decided = if rms < c.silence_threshold {
            self.voiced = 0.0;
            self.silence += ms;
            if self.in_word && self.silence >= millis(c.between_words) {
                self.in_word = false;
            }
            match self.first_word_at {
                None if self.silence >= millis(c.initial_silence) => {
                    Some((Verdict::Machine, Reason::InitialSilence))
                }
                Some(_) if self.silence >= millis(c.after_greeting_silence) => {
                    Some((Verdict::Human, Reason::SilenceAfterGreeting))
                }
                _ => None,
            }
        } else {
            self.silence = 0.0;
            self.voiced += ms;
            if !self.in_word && self.voiced >= millis(c.min_word) {
                self.in_word = true;
                self.words += 1;
                self.first_word_at.get_or_insert(self.elapsed - self.voiced);
            }
            let talking_for = self.first_word_at.map(|at| self.elapsed - at);
            if self.words > c.max_words {
                Some((Verdict::Machine, Reason::MaxWords))
            } else if talking_for.is_some_and(|t| t >= millis(c.greeting)) {
                Some((Verdict::Machine, Reason::LongGreeting))
            } else {
                None
            }
        };
        let decided = decided.or_else(|| {
            (self.elapsed >= millis(self.config.total))
                .then_some((Verdict::NotSure, Reason::TooLong))
        });
        self.verdict = decided;
        decided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ms` of a 300 Hz tone (voice-like energy) or of silence.
    fn tone(ms: u32) -> Vec<i16> {
        (0..ms * 8)
            .map(|i| {
                (3000.0 * (i as f64 * 2.0 * std::f64::consts::PI * 300.0 / 8000.0).sin()) as i16
            })
            .collect()
    }

    fn silence(ms: u32) -> Vec<i16> {
        vec![0; (ms * 8) as usize]
    }

    /// Feeds the pieces in 20 ms frames; the verdict and when it came.
    fn judge(pieces: &[Vec<i16>]) -> (Option<(Verdict, Reason)>, f64) {
        let mut detector = Detector::new(AmdConfig::default());
        let audio: Vec<i16> = pieces.concat();
        for frame in audio.chunks(160) {
            if let Some(verdict) = detector.frame(frame) {
                return (Some(verdict), detector.heard_ms());
            }
        }
        (None, detector.heard_ms())
    }

    #[test]
    fn a_short_hello_then_silence_is_a_person_once_the_silence_lasts() {
        let (verdict, at) = judge(&[silence(300), tone(500), silence(2000)]);
        assert_eq!(
            verdict,
            Some((Verdict::Human, Reason::SilenceAfterGreeting))
        );
        assert_eq!(at, 1600.0, "800 ms of silence after the word");
    }

    #[test]
    fn a_long_greeting_or_many_words_is_a_machine() {
        let (verdict, at) = judge(&[silence(200), tone(3000)]);
        assert_eq!(verdict, Some((Verdict::Machine, Reason::LongGreeting)));
        assert_eq!(at, 1700.0);
        let words: Vec<Vec<i16>> = (0..5).flat_map(|_| [tone(150), silence(100)]).collect();
        let (verdict, _) = judge(&words);
        assert_eq!(verdict, Some((Verdict::Machine, Reason::MaxWords)));
    }

    #[test]
    fn long_silence_at_first_is_a_machine_and_endless_mumbling_is_not_sure() {
        let (verdict, _) = judge(&[silence(3000)]);
        assert_eq!(verdict, Some((Verdict::Machine, Reason::InitialSilence)));
        // Words of 60 ms never make a word: no verdict until the time is up.
        let mumble: Vec<Vec<i16>> = (0..60).flat_map(|_| [tone(60), silence(40)]).collect();
        let (verdict, at) = judge(&mumble);
        assert_eq!(verdict, Some((Verdict::NotSure, Reason::TooLong)));
        assert_eq!(at, 5000.0);
    }
}
