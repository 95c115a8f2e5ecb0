//! The answering-machine detection fixtures (fixtures/amd/cases.txt, made
//! into WAV files by scripts/amd-fixtures) and the detector's verdict on
//! each, fed as the media thread feeds it: 20 ms frames of 8 kHz samples.
//! Shared by tests/amd.rs and benches/amd.rs.

use std::path::{Path, PathBuf};

use switchboard::media::amd::{AmdConfig, Detector, Reason, Verdict};

pub struct Judged {
    pub file: String,
    pub machine: bool,
    pub verdict: Option<(Verdict, Reason)>,
    /// Milliseconds of audio heard before the verdict.
    pub after_ms: f64,
}

/// Makes the fixtures in `dir` with scripts/amd-fixtures; panics, saying
/// what to install, when it cannot.
pub fn make(dir: &Path) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new(root.join("scripts/amd-fixtures"))
        .arg(dir)
        .status()
        .expect("scripts/amd-fixtures runs");
    assert!(
        status.success(),
        "scripts/amd-fixtures failed: it needs espeak-ng and sox (Debian: apt-get install espeak-ng sox)"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    files.sort();
    files
}

pub fn judge(file: &Path) -> Judged {
    let mut reader = hound::WavReader::open(file).expect("a fixture WAV");
    assert_eq!(reader.spec().sample_rate, 8000, "{}", file.display());
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
    let mut detector = Detector::new(AmdConfig::default());
    let mut verdict = None;
    for frame in samples.chunks(160) {
        if let Some(found) = detector.frame(frame) {
            verdict = Some(found);
            break;
        }
    }
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    Judged {
        machine: name.contains("machine"),
        file: name,
        verdict,
        after_ms: detector.heard_ms(),
    }
}

/// Whether the verdict is right: a machine as Machine; a person as Human
/// or NotSure (both are put through to an agent).
pub fn right(j: &Judged) -> bool {
    match j.verdict {
        Some((Verdict::Machine, _)) => j.machine,
        Some(_) | None => !j.machine,
    }
}
