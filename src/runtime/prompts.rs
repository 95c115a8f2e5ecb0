//! Voice prompts and hold music: WAV files in the prompts folder, each
//! 8 kHz mono 16-bit (what G.711 carries, so playing one converts nothing
//! but the sample encoding). `scripts/prompts` makes the demo's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A prompt's samples, shared by every call playing it.
pub type Samples = Arc<[i16]>;

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: hound::Error },
    #[error(
        "{path}: {found}; prompts must be 8000 Hz, mono, 16-bit PCM (sox IN -r 8000 -c 1 -b 16 OUT.wav)"
    )]
    Format { path: PathBuf, found: String },
}

/// Reads one prompt.
pub fn load(path: &Path) -> Result<Samples, PromptError> {
    let read = |source| PromptError::Read {
        path: path.to_owned(),
        source,
    };
    let mut reader = hound::WavReader::open(path).map_err(read)?;
    let spec = reader.spec();
    if (spec.sample_rate, spec.channels, spec.bits_per_sample) != (8000, 1, 16)
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(PromptError::Format {
            path: path.to_owned(),
            found: format!(
                "{} Hz, {} channel(s), {}-bit {:?}",
                spec.sample_rate, spec.channels, spec.bits_per_sample, spec.sample_format
            ),
        });
    }
    let samples: Result<Vec<i16>, _> = reader.samples::<i16>().collect();
    Ok(samples.map_err(read)?.into())
}

/// Every `*.wav` of a folder by name (the file name without `.wav`).
pub fn load_dir(dir: &Path) -> Result<HashMap<String, Samples>, PromptError> {
    let mut prompts = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(prompts); // no folder: no prompts, which menus will say
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "wav")
            && let Some(name) = path.file_stem().and_then(|s| s.to_str())
        {
            prompts.insert(name.to_owned(), load(&path)?);
        }
    }
    Ok(prompts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        for &s in samples {
            writer.write_sample(s).unwrap();
        }
        writer.finalize().unwrap();
    }

    #[test]
    fn a_folder_of_8_khz_mono_prompts_loads_by_name_and_other_formats_are_named() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("welcome.wav"), 8000, 1, &[1, -2, 3]);
        std::fs::write(dir.path().join("notes.txt"), "not audio").unwrap();
        let prompts = load_dir(dir.path()).unwrap();
        assert_eq!(prompts.len(), 1);
        assert_eq!(&*prompts["welcome"], &[1, -2, 3]);
        write(&dir.path().join("cd.wav"), 44100, 2, &[0; 4]);
        let error = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("cd.wav") && error.contains("44100 Hz, 2 channel"),
            "{error}"
        );
        assert!(load_dir(&dir.path().join("absent")).unwrap().is_empty());
    }

    /// The demo's prompts as `scripts/prompts` makes them with espeak-ng and
    /// sox (`scripts/test` installs both).
    #[test]
    fn the_generated_demo_prompts_are_speech_in_the_right_format() {
        for tool in ["espeak-ng", "sox"] {
            let found = std::process::Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(
                found,
                "{tool} is needed to make prompts (Debian: apt-get install espeak-ng sox)"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/prompts");
        let made = std::process::Command::new("bash")
            .arg(script)
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let prompts = load_dir(dir.path()).unwrap();
        // Every prompt the demo's menus play, and the tones.
        let demo = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("dialplans/demo.toml"),
        )
        .unwrap();
        let plan = crate::dialplan::load(&[("demo.toml".into(), demo)]).unwrap();
        let menus: Vec<&str> = plan.menus().prompts().map(|(_, p)| p).collect();
        assert!(menus.contains(&"welcome"), "{menus:?}");
        let tones = [crate::calls::HOLD_MUSIC, crate::calls::RINGBACK];
        for name in menus.into_iter().chain(tones) {
            let samples = prompts.get(name).unwrap_or_else(|| panic!("{name}.wav"));
            let loud = samples.iter().filter(|s| s.unsigned_abs() > 1000).count();
            assert!(samples.len() > 8000, "{name}: over a second");
            assert!(loud > 1600, "{name}: not silence ({loud} loud samples)");
        }
        // The pieces of a queue's announcements.
        for name in [
            "queue-position",
            "queue-callback",
            "queue-wait",
            "minute",
            "minutes",
            "number-1",
            "number-20",
        ] {
            let samples = prompts.get(name).unwrap_or_else(|| panic!("{name}.wav"));
            let loud = samples.iter().filter(|s| s.unsigned_abs() > 1000).count();
            assert!(loud > 400, "{name}: not silence ({loud} loud samples)");
        }
    }
}
