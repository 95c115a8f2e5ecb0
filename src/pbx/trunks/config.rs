//! A trunk as written in `switchboard.toml` (`[[trunks]]` tables). Values
//! whose errors should name the trunk and field (addresses, networks,
//! codecs, numbers) stay text here and are parsed by
//! [`super::Trunks::from_configs`]; enums are read by serde.

use std::fmt;

use serde::Deserialize;

use crate::pbx::{CallerIdSource, DtmfMode, NumberFormat, Vendor};
use crate::sip::transport::Transport;

/// One `[[trunks]]` table. Debug is safe to log: [`RegisterConfig`]
/// hides its password.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkConfig {
    /// Used in logs, metrics labels and the API: letters, digits, `.`,
    /// `_` and `-`.
    pub name: String,
    pub vendor: Vendor,
    /// Where calls to the trunk go and OPTIONS are sent: `host[:port]`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// Networks that may send calls on this trunk (CIDR or bare address).
    /// Left out, the peers' own addresses; `allow = []` takes no calls by
    /// source address.
    pub allow: Option<Vec<String>>,
    #[serde(default)]
    pub transport: TrunkTransport,
    /// Offered in this order; PCMU and PCMA.
    #[serde(default = "default_codecs")]
    pub codecs: Vec<String>,
    /// Overrides of the vendor profile; left out, the profile's own.
    pub dtmf: Option<DtmfMode>,
    pub caller_id: Option<CallerIdSource>,
    /// Seconds between OPTIONS keep-alives; 0 sends none.
    pub options_interval_secs: Option<u64>,
    pub number_format: Option<NumberFormat>,
    /// The caller number presented on calls we place on this trunk when
    /// the dialplan gives none (a company's main number).
    pub outbound_caller_id: Option<String>,
    /// RFC 4028 Session-Expires in seconds on this trunk's calls.
    pub session_expires: Option<u32>,
    /// Register to the PBX as one of its users.
    pub register: Option<RegisterConfig>,
    /// Record every call on this trunk.
    #[serde(default)]
    pub record: bool,
    /// ISO region for this trunk's national numbers; left out, the
    /// server's `default_region`.
    pub region: Option<String>,
}

/// Switchboard registering to the PBX or carrier as a user (a "SIP
/// extension" or "registration trunk" on the far side).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterConfig {
    /// The user part of the address of record (`user@domain`).
    pub user: String,
    pub password: String,
    /// The digest username when it differs from `user` (carriers often
    /// give an account id).
    pub auth_user: Option<String>,
    /// The domain of the address of record; left out, the registrar's host.
    pub domain: Option<String>,
    /// Where REGISTER is sent, `host[:port]`; left out, the first peer.
    pub registrar: Option<String>,
    /// The registration lifetime asked for, in seconds.
    #[serde(default = "default_expires")]
    pub expires: u32,
}

/// The transports a trunk can use (config: `udp`, `tcp`, `tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrunkTransport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

impl TrunkTransport {
    pub fn transport(self) -> Transport {
        match self {
            TrunkTransport::Udp => Transport::Udp,
            TrunkTransport::Tcp => Transport::Tcp,
            TrunkTransport::Tls => Transport::Tls,
        }
    }
}

fn default_codecs() -> Vec<String> {
    vec!["PCMU".into(), "PCMA".into()]
}

fn default_expires() -> u32 {
    3600
}

/// The password is left out: trunk settings are logged at start-up.
impl fmt::Debug for RegisterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterConfig")
            .field("user", &self.user)
            .field("password", &"***")
            .field("auth_user", &self.auth_user)
            .field("domain", &self.domain)
            .field("registrar", &self.registrar)
            .field("expires", &self.expires)
            .finish()
    }
}
