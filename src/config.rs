//! One typed settings tree. Precedence, lowest first: built-in defaults, the
//! config file (`switchboard.toml`, or `--config FILE`), `SWITCHBOARD_*`
//! environment variables, command-line flags.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::phone::Region;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the REST API, the WebSocket streams and the web app are served.
    pub http: SocketAddr,
    /// Where SIP listens (UDP and TCP); used by the SIP core.
    pub sip: SocketAddr,
    /// The digest realm of our SIP accounts (RFC 3261 §22.1). Each account
    /// stores only HA1 = H(extension:realm:password), so changing the realm
    /// invalidates every stored HA1: each account needs its password set again.
    pub sip_realm: String,
    /// Where SIP over TLS listens; off when unset.
    pub sip_tls: Option<SocketAddr>,
    /// PEM certificate chain and private key for SIP over TLS
    /// (`switchboard cert` writes a development pair under these names).
    pub sip_tls_cert: PathBuf,
    pub sip_tls_key: PathBuf,
    /// The folder of `*.toml` dialplans, loaded at start and on SIGHUP.
    pub dialplans: PathBuf,
    /// The UDP ports calls' media is anchored on, `first-last`: two pairs
    /// (RTP and RTCP) per call.
    pub rtp_ports: PortRange,
    /// The address written into the SDP we send, where phones and trunks
    /// reach our RTP ports. Unset: the SIP address, or when SIP listens on
    /// every address, the one this host reaches the outside from.
    pub media_address: Option<IpAddr>,
    /// Threads relaying media.
    pub media_threads: usize,
    /// Prompts and music (8 kHz mono 16-bit WAV; `scripts/prompts` makes
    /// the demo's); `hold-music.wav` plays to held callers.
    pub prompts_dir: PathBuf,
    /// Where call recordings are written (a folder a day).
    pub recordings_dir: PathBuf,
    /// Recordings older than this many days are deleted; 0 keeps them.
    pub recording_retention_days: u32,
    /// PBX and carrier trunks (`[[trunks]]` tables).
    pub trunks: Vec<crate::pbx::trunks::TrunkConfig>,
    /// Where call records wait while the database is unreachable.
    pub spool_dir: PathBuf,
    /// `sqlite://FILE` (the embedded default) or `postgres://...`.
    pub database: String,
    /// ISO region for phone numbers written without a country prefix.
    pub default_region: String,
    /// The built web app (`web/dist`); the API works without it.
    pub web_dir: PathBuf,
    /// How long a login session lasts without activity, in hours.
    pub session_hours: i64,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
}

/// A range of ports written `first-last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PortRange {
    pub first: u16,
    pub last: u16,
}

impl std::str::FromStr for PortRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let expected = || format!("expected FIRST-LAST with 1024 <= FIRST < LAST, got {text:?}");
        let (first, last) = text.split_once('-').ok_or_else(expected)?;
        let first: u16 = first.trim().parse().map_err(|_| expected())?;
        let last: u16 = last.trim().parse().map_err(|_| expected())?;
        // A call needs two RTP/RTCP pairs, so four ports at least.
        if first < 1024 || last < first.saturating_add(3) {
            return Err(expected());
        }
        Ok(PortRange { first, last })
    }
}

impl TryFrom<String> for PortRange {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            http: SocketAddr::from(([127, 0, 0, 1], 8080)),
            sip: SocketAddr::from(([127, 0, 0, 1], 5060)),
            sip_realm: "switchboard".into(),
            sip_tls: None,
            sip_tls_cert: PathBuf::from("sip.crt"),
            sip_tls_key: PathBuf::from("sip.key"),
            dialplans: PathBuf::from("dialplans"),
            // What Asterisk and most PBXs leave free: 8,192 pairs, 4,096 calls.
            rtp_ports: PortRange {
                first: 16384,
                last: 32767,
            },
            media_address: None,
            media_threads: 1,
            prompts_dir: PathBuf::from("prompts"),
            recordings_dir: PathBuf::from("recordings"),
            recording_retention_days: 90,
            trunks: Vec::new(),
            spool_dir: PathBuf::from("spool"),
            database: "sqlite://switchboard.db".into(),
            default_region: "US".into(),
            web_dir: PathBuf::from("web/dist"),
            session_hours: 12,
            log_format: LogFormat::Text,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("default_region: {0}")]
    Region(String),
    #[error("sip_realm: {0}")]
    SipRealm(String),
}

/// Values given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub http: Option<SocketAddr>,
    pub sip: Option<SocketAddr>,
    pub sip_tls: Option<SocketAddr>,
    pub database: Option<String>,
}

impl Settings {
    /// Builds the settings from every layer. A missing default config file is
    /// fine; a missing file named with `--config` is an error.
    pub fn load(config: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut settings = match config {
            Some(path) => Self::from_file(path)?,
            None if Path::new("switchboard.toml").exists() => {
                Self::from_file(Path::new("switchboard.toml"))?
            }
            None => Settings::default(),
        };
        settings.apply_env(|name| std::env::var(name).ok())?;
        if let Some(http) = overrides.http {
            settings.http = http;
        }
        if let Some(sip) = overrides.sip {
            settings.sip = sip;
        }
        if let Some(sip_tls) = overrides.sip_tls {
            settings.sip_tls = Some(sip_tls);
        }
        if let Some(database) = &overrides.database {
            settings.database = database.clone();
        }
        settings.region()?;
        settings.check_sip_realm()?;
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parsed<T: std::str::FromStr>(name: &str, value: String) -> Result<T, ConfigError>
        where
            T::Err: fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env {
                name: name.into(),
                message: e.to_string(),
            })
        }
        if let Some(v) = var("SWITCHBOARD_HTTP") {
            self.http = parsed("SWITCHBOARD_HTTP", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_SIP") {
            self.sip = parsed("SWITCHBOARD_SIP", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_SIP_REALM") {
            self.sip_realm = v;
        }
        // Empty turns TLS off again when a config file turned it on.
        if let Some(v) = var("SWITCHBOARD_SIP_TLS") {
            self.sip_tls = match v.trim() {
                "" => None,
                v => Some(parsed("SWITCHBOARD_SIP_TLS", v.to_owned())?),
            };
        }
        if let Some(v) = var("SWITCHBOARD_SIP_TLS_CERT") {
            self.sip_tls_cert = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_SIP_TLS_KEY") {
            self.sip_tls_key = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_RTP_PORTS") {
            self.rtp_ports = parsed("SWITCHBOARD_RTP_PORTS", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_MEDIA_ADDRESS") {
            self.media_address = match v.trim() {
                "" => None,
                v => Some(parsed("SWITCHBOARD_MEDIA_ADDRESS", v.to_owned())?),
            };
        }
        if let Some(v) = var("SWITCHBOARD_MEDIA_THREADS") {
            self.media_threads = parsed("SWITCHBOARD_MEDIA_THREADS", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_PROMPTS_DIR") {
            self.prompts_dir = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_RECORDINGS_DIR") {
            self.recordings_dir = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_RECORDING_RETENTION_DAYS") {
            self.recording_retention_days = parsed("SWITCHBOARD_RECORDING_RETENTION_DAYS", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_DIALPLANS") {
            self.dialplans = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_SPOOL_DIR") {
            self.spool_dir = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_DATABASE") {
            self.database = v;
        }
        if let Some(v) = var("SWITCHBOARD_DEFAULT_REGION") {
            self.default_region = v;
        }
        if let Some(v) = var("SWITCHBOARD_WEB_DIR") {
            self.web_dir = PathBuf::from(v);
        }
        if let Some(v) = var("SWITCHBOARD_SESSION_HOURS") {
            self.session_hours = parsed("SWITCHBOARD_SESSION_HOURS", v)?;
        }
        if let Some(v) = var("SWITCHBOARD_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => {
                    return Err(ConfigError::Env {
                        name: "SWITCHBOARD_LOG_FORMAT".into(),
                        message: "expected text or json".into(),
                    });
                }
            };
        }
        Ok(())
    }

    /// The default phone region, checked when the settings are loaded.
    pub fn region(&self) -> Result<Region, ConfigError> {
        Region::parse(&self.default_region).map_err(|e| ConfigError::Region(e.to_string()))
    }

    /// The realm goes inside a quoted string of every challenge we send, so
    /// quotes, backslashes and control characters would break the header.
    fn check_sip_realm(&self) -> Result<(), ConfigError> {
        let realm = &self.sip_realm;
        if realm.is_empty() || realm.len() > 128 {
            return Err(ConfigError::SipRealm("must be 1 to 128 bytes".into()));
        }
        if realm
            .chars()
            .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(ConfigError::SipRealm(
                "must not contain quotes, backslashes or control characters".into(),
            ));
        }
        Ok(())
    }
}

/// Hides the database password: settings are logged at start-up.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("http", &self.http)
            .field("sip", &self.sip)
            .field("sip_realm", &self.sip_realm)
            .field("sip_tls", &self.sip_tls)
            .field("sip_tls_cert", &self.sip_tls_cert)
            .field("sip_tls_key", &self.sip_tls_key)
            .field("rtp_ports", &self.rtp_ports)
            .field("media_address", &self.media_address)
            .field("media_threads", &self.media_threads)
            .field("prompts_dir", &self.prompts_dir)
            .field("recordings_dir", &self.recordings_dir)
            .field("recording_retention_days", &self.recording_retention_days)
            .field("dialplans", &self.dialplans)
            .field("trunks", &self.trunks)
            .field("spool_dir", &self.spool_dir)
            .field("database", &redact_url(&self.database))
            .field("default_region", &self.default_region)
            .field("web_dir", &self.web_dir)
            .field("session_hours", &self.session_hours)
            .field("log_format", &self.log_format)
            .finish()
    }
}

/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_environment_which_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "http = \"127.0.0.1:9000\"\ndatabase = \"sqlite://file.db\"\nsip = \"127.0.0.1:5070\"\n").unwrap();
        let mut settings = Settings::from_file(&file).unwrap();
        settings
            .apply_env(|name| (name == "SWITCHBOARD_DATABASE").then(|| "sqlite://env.db".into()))
            .unwrap();
        assert_eq!(settings.http, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(settings.database, "sqlite://env.db");
        assert_eq!(settings.sip, "127.0.0.1:5070".parse().unwrap());
    }

    #[test]
    fn the_sip_realm_comes_from_the_file_or_the_environment() {
        assert_eq!(Settings::default().sip_realm, "switchboard");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "sip_realm = \"pbx.example.com\"\n").unwrap();
        let mut settings = Settings::from_file(&file).unwrap();
        assert_eq!(settings.sip_realm, "pbx.example.com");
        settings
            .apply_env(|name| (name == "SWITCHBOARD_SIP_REALM").then(|| "env.example".into()))
            .unwrap();
        assert_eq!(settings.sip_realm, "env.example");
    }

    #[test]
    fn a_realm_that_would_break_a_challenge_header_is_refused() {
        for realm in ["", "a\"b", "line\nbreak"] {
            let settings = Settings {
                sip_realm: realm.into(),
                ..Settings::default()
            };
            let err = settings.check_sip_realm().unwrap_err().to_string();
            assert!(err.starts_with("sip_realm"), "{err}");
        }
        assert!(Settings::default().check_sip_realm().is_ok());
    }

    #[test]
    fn sip_over_tls_is_off_unless_an_address_is_given() {
        assert_eq!(Settings::default().sip_tls, None);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(
            &file,
            "sip_tls = \"0.0.0.0:5061\"\nsip_tls_cert = \"/etc/sb/sip.pem\"\n",
        )
        .unwrap();
        let mut settings = Settings::from_file(&file).unwrap();
        assert_eq!(settings.sip_tls, Some("0.0.0.0:5061".parse().unwrap()));
        assert_eq!(settings.sip_tls_cert, PathBuf::from("/etc/sb/sip.pem"));
        assert_eq!(settings.sip_tls_key, PathBuf::from("sip.key"));
        settings
            .apply_env(|name| match name {
                "SWITCHBOARD_SIP_TLS_KEY" => Some("/etc/sb/sip.key".into()),
                "SWITCHBOARD_SIP_TLS" => Some(String::new()),
                _ => None,
            })
            .unwrap();
        assert_eq!(settings.sip_tls, None, "an empty variable turns it off");
        assert_eq!(settings.sip_tls_key, PathBuf::from("/etc/sb/sip.key"));
        let error = settings
            .apply_env(|name| (name == "SWITCHBOARD_SIP_TLS").then(|| "5061".into()))
            .unwrap_err();
        assert!(error.to_string().contains("SWITCHBOARD_SIP_TLS"), "{error}");
    }

    #[test]
    fn the_rtp_range_and_media_address_come_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(
            &file,
            "rtp_ports = \"20000-20999\"\nmedia_address = \"203.0.113.5\"\n",
        )
        .unwrap();
        let mut settings = Settings::from_file(&file).unwrap();
        assert_eq!(settings.rtp_ports.to_string(), "20000-20999");
        assert_eq!(settings.media_address, Some("203.0.113.5".parse().unwrap()));
        settings
            .apply_env(|name| match name {
                "SWITCHBOARD_RTP_PORTS" => Some("30000-30099".into()),
                "SWITCHBOARD_MEDIA_ADDRESS" => Some(String::new()),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            (settings.rtp_ports.first, settings.rtp_ports.last),
            (30000, 30099)
        );
        assert_eq!(settings.media_address, None);
        for bad in ["30000", "100-200", "30010-30000", "30000-30002", "a-b"] {
            let error = settings
                .apply_env(|name| (name == "SWITCHBOARD_RTP_PORTS").then(|| bad.into()))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("SWITCHBOARD_RTP_PORTS") && error.contains(bad),
                "{error}"
            );
        }
        std::fs::write(&file, "rtp_ports = \"9-5\"\n").unwrap();
        let error = Settings::from_file(&file).unwrap_err().to_string();
        assert!(error.contains("FIRST-LAST"), "{error}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_reported_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sb.toml");
        std::fs::write(&file, "htp = \"127.0.0.1:9000\"\n").unwrap();
        let err = Settings::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("sb.toml") && err.contains("htp"), "{err}");
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let settings = Settings {
            database: "postgres://sb:hunter2@db.example/sb".into(),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("postgres://sb:***@db.example/sb"));
    }
}
