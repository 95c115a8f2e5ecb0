//! Self-signed certificates for development (`switchboard cert`): a key
//! and a certificate for SIP over TLS on a test bench, valid for the names
//! given plus `localhost` and `127.0.0.1`. Production sites use a
//! certificate from their CA; nothing here is meant to be trusted by others.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, Utc};
use rcgen::{CertificateParams, DnType, KeyPair};

/// How long a development certificate lasts.
const VALID_DAYS: i64 = 365;

/// File names inside the output folder.
pub const CERT_FILE: &str = "sip.crt";
pub const KEY_FILE: &str = "sip.key";

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The subject alternative names, as written.
    pub names: Vec<String>,
    pub not_after: DateTime<Utc>,
}

/// A certificate and its key, both PEM.
#[derive(Debug, Clone)]
pub struct SelfSigned {
    pub cert_pem: String,
    pub key_pem: String,
    pub names: Vec<String>,
    pub not_after: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{0} exists already; pass --force to replace it")]
    Exists(PathBuf),
    #[error("{0:?} is not a host name or IP address")]
    BadName(String),
    #[error("cannot make the certificate: {0}")]
    Generate(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The names a certificate covers: the ones asked for, then `localhost`
/// and `127.0.0.1` (so a local test client always matches), without repeats.
pub fn subject_alt_names(requested: &[String]) -> Result<Vec<String>, CertError> {
    let mut names: Vec<String> = Vec::new();
    for name in requested
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .chain(["localhost".into(), "127.0.0.1".into()])
    {
        if !is_host(&name) {
            return Err(CertError::BadName(name));
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// A host name (letters, digits, hyphens, dots; a leading `*.` wildcard) or
/// an IP address.
fn is_host(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let labels = name.strip_prefix("*.").unwrap_or(name);
    !labels.is_empty()
        && labels.len() <= 253
        && labels.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Makes a fresh key (ECDSA P-256) and a certificate for it, valid from
/// the start of `now`'s day for a year.
pub fn self_signed(requested: &[String], now: DateTime<Utc>) -> Result<SelfSigned, CertError> {
    let names = subject_alt_names(requested)?;
    let generate = |e: rcgen::Error| CertError::Generate(e.to_string());
    let mut params = CertificateParams::new(names.clone()).map_err(generate)?;
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].clone());
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Switchboard (development)");
    let not_after = now + Duration::days(VALID_DAYS);
    // chrono hands out only real dates (month 1..=12, a day that month
    // has), which is all `date_time_ymd` asks for not to panic.
    let (year, month, day) = ymd(now);
    params.not_before = rcgen::date_time_ymd(year, month, day);
    let (year, month, day) = ymd(not_after);
    params.not_after = rcgen::date_time_ymd(year, month, day);
    let key = KeyPair::generate().map_err(generate)?;
    let cert = params.self_signed(&key).map_err(generate)?;
    Ok(SelfSigned {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        names,
        not_after,
    })
}

fn ymd(at: DateTime<Utc>) -> (i32, u8, u8) {
    // Month (1..=12) and day (1..=31) always fit in a u8.
    (at.year(), at.month() as u8, at.day() as u8)
}

/// Writes `DIR/sip.crt` and `DIR/sip.key` (the key readable by its owner
/// only). Without `force`, an existing file of either name is left alone
/// and nothing is written.
pub fn write_self_signed(
    dir: &Path,
    requested: &[String],
    now: DateTime<Utc>,
    force: bool,
) -> Result<CertFiles, CertError> {
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    if !force && let Some(existing) = [&cert_path, &key_path].into_iter().find(|p| p.exists()) {
        return Err(CertError::Exists(existing.clone()));
    }
    let made = self_signed(requested, now)?;
    std::fs::create_dir_all(dir).map_err(|source| CertError::Write {
        path: dir.to_owned(),
        source,
    })?;
    write_file(&key_path, made.key_pem.as_bytes(), 0o600, force)?;
    write_file(&cert_path, made.cert_pem.as_bytes(), 0o644, force)?;
    Ok(CertFiles {
        cert: cert_path,
        key: key_path,
        names: made.names,
        not_after: made.not_after,
    })
}

fn write_file(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<(), CertError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // Checked above, but a file appearing meanwhile is still not replaced.
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let wrote = options
        .open(path)
        .and_then(|mut file| file.write_all(bytes));
    wrote.map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => CertError::Exists(path.to_owned()),
        _ => CertError::Write {
            path: path.to_owned(),
            source,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn names_given_come_first_then_localhost_and_the_loopback_address() {
        let names = subject_alt_names(&["PBX.example.com".into(), "localhost".into()]).unwrap();
        assert_eq!(names, ["pbx.example.com", "localhost", "127.0.0.1"]);
        assert_eq!(subject_alt_names(&[]).unwrap(), ["localhost", "127.0.0.1"]);
    }

    #[test]
    fn a_name_that_is_no_host_is_refused() {
        for bad in ["", "a b", "-x.example", "x..example", "ümlaut.example"] {
            assert!(
                matches!(subject_alt_names(&[bad.into()]), Err(CertError::BadName(_))),
                "{bad:?}"
            );
        }
        assert!(subject_alt_names(&["*.example.com".into(), "::1".into()]).is_ok());
    }

    #[test]
    fn the_certificate_is_pem_and_lasts_a_year() {
        let made = self_signed(&["sip.example.com".into()], now()).unwrap();
        assert!(made.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(made.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(made.not_after.date_naive().to_string(), "2027-03-01");
    }

    #[test]
    fn existing_files_are_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_self_signed(dir.path(), &[], now(), false).unwrap();
        let key = std::fs::read(&first.key).unwrap();
        let again = write_self_signed(dir.path(), &[], now(), false).unwrap_err();
        assert!(matches!(again, CertError::Exists(_)), "{again}");
        assert!(again.to_string().contains("--force"));
        assert_eq!(
            std::fs::read(&first.key).unwrap(),
            key,
            "the key is untouched"
        );
        write_self_signed(dir.path(), &[], now(), true).unwrap();
        assert_ne!(
            std::fs::read(&first.key).unwrap(),
            key,
            "--force replaces it"
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_may_read_the_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let files = write_self_signed(dir.path(), &[], now(), false).unwrap();
        let mode = std::fs::metadata(&files.key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
