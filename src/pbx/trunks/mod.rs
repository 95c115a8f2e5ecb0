//! Trunks: the configured links to PBXs and carriers, checked once at
//! start-up into [`Trunk`]s, and the pure machines that keep them alive.
//!
//! - [`TrunkConfig`] is a `[[trunks]]` table of `switchboard.toml`;
//!   [`Trunks::from_configs`] checks every table at once and reports every
//!   mistake naming the trunk and the field
//!   (`trunk "avaya-hq": allow: "10.0.0.0/33" is not a network`).
//! - [`Trunks::by_source`] says which trunk an incoming request belongs to,
//!   from its source address and the trunks' allow-lists.
//! - [`keepalive`]: OPTIONS pings per peer, and each trunk's up/down state.
//! - [`register`]: Switchboard registering to a PBX as one of its users.
//! - [`request`]: the OPTIONS and REGISTER requests both send.
//!
//! Nothing here resolves names, opens sockets or reads the clock; the
//! engine feeds the machines the time and the responses, and sends what
//! they ask for.

mod build;
mod codec;
mod config;
pub mod keepalive;
mod peer;
pub mod register;
pub mod request;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;

use crate::pbx::{CallerIdSource, Number, Profile, Vendor};
use crate::phone::Region;
use crate::sip::guard::IpNet;
use crate::sip::transport::Transport;

pub use codec::{Codec, UnknownCodec};
pub use config::{RegisterConfig, TrunkConfig, TrunkTransport};
pub use keepalive::{Health, KeepAlive};
pub use peer::{PeerAddr, PeerAddrError, PeerHost};
pub use register::Registration;
pub use request::{Local, RequestIds, options_request};

/// A trunk ready for use: every value parsed, the vendor profile with the
/// trunk's overrides applied.
#[derive(Debug, Clone)]
pub struct Trunk {
    pub name: String,
    pub vendor: Vendor,
    /// The vendor's profile with this trunk's `dtmf`,
    /// `options_interval_secs` and `number_format` applied.
    pub profile: Profile,
    /// Where the caller's number is read from on incoming calls.
    pub caller_id: CallerIdSource,
    pub peers: Vec<PeerAddr>,
    /// The networks calls may come from: as configured, or the peers' and
    /// registrar's own addresses.
    pub allow: Vec<IpNet>,
    pub transport: Transport,
    /// In order of preference, never empty.
    pub codecs: Vec<Codec>,
    pub outbound_caller_id: Option<Number>,
    /// RFC 4028 Session-Expires in seconds, at least 90 (its Min-SE floor).
    pub session_expires: Option<u32>,
    pub register: Option<Register>,
    /// Every call on this trunk is recorded.
    pub record: bool,
    /// For this trunk's national numbers.
    pub region: Region,
}

/// A checked registration to the trunk's PBX or carrier.
#[derive(Clone)]
pub struct Register {
    pub user: String,
    /// The digest username: `auth_user`, else `user`.
    pub auth_user: String,
    pub password: String,
    /// The domain of the address of record.
    pub domain: PeerAddr,
    /// Where REGISTER is sent.
    pub registrar: PeerAddr,
    /// The lifetime asked for, in seconds.
    pub expires: u32,
}

/// Every configured trunk, in configuration order.
#[derive(Debug, Clone, Default)]
pub struct Trunks {
    trunks: Vec<Trunk>,
}

/// One mistake in one trunk's configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trunk {trunk:?}: {field}: {message}")]
pub struct TrunkConfigError {
    pub trunk: String,
    pub field: &'static str,
    pub message: String,
}

impl Trunk {
    /// Where OPTIONS keep-alives go: the peers, or the registrar of a
    /// trunk that only registers.
    pub fn keepalive_targets(&self) -> Vec<PeerAddr> {
        match (&self.register, self.peers.is_empty()) {
            (Some(register), true) => vec![register.registrar.clone()],
            _ => self.peers.clone(),
        }
    }
}

impl Trunks {
    /// Checks every trunk; `default_region` serves trunks without their
    /// own `region`. All mistakes are reported, not only the first.
    pub fn from_configs(
        configs: Vec<TrunkConfig>,
        default_region: Region,
    ) -> Result<Trunks, Vec<TrunkConfigError>> {
        build::trunks(configs, default_region).map(|trunks| Trunks { trunks })
    }

    /// The trunk whose allow-list holds `source`. When several do, the most
    /// specific network wins (a `/32` beats the `/24` around it). Ties
    /// cannot happen: two trunks allowing the same network is a config
    /// error, and two different networks of the same length are disjoint.
    pub fn by_source(&self, source: IpAddr) -> Option<&Trunk> {
        self.trunks
            .iter()
            .flat_map(|trunk| trunk.allow.iter().map(move |net| (trunk, net)))
            .filter(|(_, net)| net.contains(source))
            .max_by_key(|(_, net)| net.prefix_len())
            .map(|(trunk, _)| trunk)
    }

    pub fn get(&self, name: &str) -> Option<&Trunk> {
        self.trunks.iter().find(|trunk| trunk.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Trunk> {
        self.trunks.iter()
    }

    pub fn len(&self) -> usize {
        self.trunks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trunks.is_empty()
    }

    /// Every allowed network, for the scanner guard's trusted list: trunk
    /// peers are never banned nor rate-limited.
    pub fn trusted_networks(&self) -> Vec<IpNet> {
        self.trunks
            .iter()
            .flat_map(|trunk| trunk.allow.iter().copied())
            .collect()
    }
}

/// The password is left out: trunks are logged at start-up.
impl fmt::Debug for Register {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Register")
            .field("user", &self.user)
            .field("auth_user", &self.auth_user)
            .field("password", &"***")
            .field("domain", &self.domain)
            .field("registrar", &self.registrar)
            .field("expires", &self.expires)
            .finish()
    }
}
