//! From [`TrunkConfig`] tables to checked [`Trunk`]s: every field parsed,
//! every mistake collected with the trunk and field it belongs to.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::time::Duration;

use super::{Codec, PeerAddr, Register, RegisterConfig, Trunk, TrunkConfig, TrunkConfigError};
use crate::pbx::{Number, Profile};
use crate::phone::Region;
use crate::sip::guard::IpNet;

/// Trunk names end up in metrics labels and API paths.
const MAX_NAME_LEN: usize = 64;
/// Shorter keep-alives only load the peer; longer ones notice nothing.
const OPTIONS_INTERVAL_SECS: std::ops::RangeInclusive<u64> = 5..=86_400;
/// RFC 4028 §4: no Session-Expires below the 90 s Min-SE floor.
const MIN_SESSION_EXPIRES: u32 = 90;
/// Registrars answer shorter requests 423 anyway (RFC 3261 §10.2.8).
const MIN_REGISTER_EXPIRES: u32 = 60;

/// Collects the mistakes of one trunk.
struct Problems<'a> {
    trunk: String,
    list: &'a mut Vec<TrunkConfigError>,
}

impl Problems<'_> {
    fn add(&mut self, field: &'static str, message: impl Display) {
        self.list.push(TrunkConfigError {
            trunk: self.trunk.clone(),
            field,
            message: message.to_string(),
        });
    }
}

pub(super) fn trunks(
    configs: Vec<TrunkConfig>,
    default_region: Region,
) -> Result<Vec<Trunk>, Vec<TrunkConfigError>> {
    let mut errors = Vec::new();
    let mut trunks = Vec::new();
    let mut names = HashSet::new();
    for config in configs {
        let mut problems = Problems {
            trunk: config.name.clone(),
            list: &mut errors,
        };
        if !names.insert(config.name.clone()) {
            problems.add("name", "is used by another trunk");
        }
        if let Some(trunk) = trunk(config, default_region, &mut problems) {
            trunks.push(trunk);
        }
    }
    check_networks(&trunks, &mut errors);
    if errors.is_empty() {
        Ok(trunks)
    } else {
        Err(errors)
    }
}

/// One trunk, or `None` when any field is wrong (all of them reported).
fn trunk(config: TrunkConfig, default_region: Region, problems: &mut Problems) -> Option<Trunk> {
    let before = problems.list.len();
    check_name(&config.name, problems);
    let region = match &config.region {
        None => Some(default_region),
        Some(code) => Region::parse(code)
            .map_err(|_| problems.add("region", format!("{code:?} is not an ISO region code")))
            .ok(),
    };
    let peers = peers(&config.peers, problems);
    let register = config
        .register
        .as_ref()
        .and_then(|r| register(r, &peers, problems));
    let allow = match &config.allow {
        Some(list) => networks(list, problems),
        None => derived_allow(&peers, register.as_ref(), problems),
    };
    if peers.is_empty() && config.register.is_none() && allow.is_empty() {
        problems.add(
            "peers",
            "a trunk needs peers, a registration or an allow-list",
        );
    }
    let codecs = codecs(&config.codecs, problems);
    let options_interval = options_interval(config.options_interval_secs, problems);
    // A bad region is reported on its own; the number is still checked.
    let outbound_caller_id = config
        .outbound_caller_id
        .as_deref()
        .and_then(|text| phone_number(text, region.unwrap_or(default_region), problems));
    if let Some(secs) = config.session_expires.filter(|&s| s < MIN_SESSION_EXPIRES) {
        problems.add(
            "session_expires",
            format!("{secs} is below RFC 4028's minimum of {MIN_SESSION_EXPIRES} seconds"),
        );
    }
    if problems.list.len() > before {
        return None;
    }
    let defaults = Profile::for_vendor(config.vendor);
    let profile = Profile {
        dtmf: config.dtmf.unwrap_or(defaults.dtmf),
        options_interval: options_interval.unwrap_or(defaults.options_interval),
        number_format: config.number_format.unwrap_or(defaults.number_format),
        ..defaults
    };
    Some(Trunk {
        name: config.name,
        vendor: config.vendor,
        profile,
        caller_id: config.caller_id.unwrap_or_default(),
        peers,
        allow,
        transport: config.transport.transport(),
        codecs,
        outbound_caller_id,
        session_expires: config.session_expires,
        record: config.record,
        register,
        region: region?,
    })
}

fn phone_number(text: &str, region: Region, problems: &mut Problems) -> Option<Number> {
    let number = Number::parse(text, region);
    if number.is_empty() || !number.is_dialable() {
        problems.add(
            "outbound_caller_id",
            format!("{text:?} is not a phone number"),
        );
        return None;
    }
    Some(number)
}

fn check_name(name: &str, problems: &mut Problems) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.chars().all(allowed) {
        problems.add(
            "name",
            format!("use 1 to {MAX_NAME_LEN} letters, digits, '.', '_' or '-'"),
        );
    }
}

fn peers(texts: &[String], problems: &mut Problems) -> Vec<PeerAddr> {
    let mut peers: Vec<PeerAddr> = Vec::new();
    for text in texts {
        match text.parse::<PeerAddr>() {
            Ok(peer) if peers.contains(&peer) => {
                problems.add("peers", format!("{text:?} is listed twice"))
            }
            Ok(peer) => peers.push(peer),
            Err(error) => problems.add("peers", error),
        }
    }
    peers
}

fn networks(texts: &[String], problems: &mut Problems) -> Vec<IpNet> {
    let mut networks = Vec::new();
    for text in texts {
        match text.parse::<IpNet>() {
            Ok(net) if networks.contains(&net) => {
                problems.add("allow", format!("{text:?} is listed twice"))
            }
            Ok(net) => networks.push(net),
            Err(_) => problems.add("allow", format!("{text:?} is not a network")),
        }
    }
    networks
}

/// The peers' and registrar's own addresses, each a network of one. A host
/// name cannot be turned into addresses without resolving it, and an
/// allow-list that silently follows DNS is not what an operator expects.
fn derived_allow(
    peers: &[PeerAddr],
    register: Option<&Register>,
    problems: &mut Problems,
) -> Vec<IpNet> {
    let mut networks: Vec<IpNet> = Vec::new();
    for peer in peers.iter().chain(register.map(|r| &r.registrar)) {
        let Some(ip) = peer.ip() else {
            problems.add(
                "allow",
                format!(
                    "{:?} is a host name, so the addresses its calls come from are unknown: \
                     list them in allow (allow = [] takes no calls by source address)",
                    peer.to_string()
                ),
            );
            continue;
        };
        let net = IpNet::new(ip, if ip.is_ipv4() { 32 } else { 128 })
            .expect("32 and 128 are the full prefix lengths of their families");
        if !networks.contains(&net) {
            networks.push(net);
        }
    }
    networks
}

fn codecs(names: &[String], problems: &mut Problems) -> Vec<Codec> {
    if names.is_empty() {
        problems.add("codecs", "list at least one of PCMU, PCMA");
    }
    let mut codecs = Vec::new();
    for name in names {
        match name.parse::<Codec>() {
            Ok(codec) if codecs.contains(&codec) => {
                problems.add("codecs", format!("{name:?} is listed twice"))
            }
            Ok(codec) => codecs.push(codec),
            Err(error) => problems.add("codecs", error),
        }
    }
    codecs
}

/// `None`: keep the profile's; `Some(None)`: no keep-alives.
fn options_interval(secs: Option<u64>, problems: &mut Problems) -> Option<Option<Duration>> {
    match secs? {
        0 => Some(None),
        secs if OPTIONS_INTERVAL_SECS.contains(&secs) => Some(Some(Duration::from_secs(secs))),
        secs => {
            problems.add(
                "options_interval_secs",
                format!(
                    "{secs} is out of range: 0 turns keep-alives off, otherwise {} to {} seconds",
                    OPTIONS_INTERVAL_SECS.start(),
                    OPTIONS_INTERVAL_SECS.end()
                ),
            );
            None
        }
    }
}

fn register(
    config: &RegisterConfig,
    peers: &[PeerAddr],
    problems: &mut Problems,
) -> Option<Register> {
    let before = problems.list.len();
    let user_ok = |user: &str| {
        !user.is_empty()
            && !user
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '@' | ':' | '"'))
    };
    if !user_ok(&config.user) {
        problems.add(
            "register.user",
            format!("{:?} is not a SIP user name", config.user),
        );
    }
    if let Some(auth_user) = config.auth_user.as_deref().filter(|u| !user_ok(u)) {
        problems.add(
            "register.auth_user",
            format!("{auth_user:?} is not a user name"),
        );
    }
    if config.password.is_empty() || config.password.chars().any(char::is_control) {
        problems.add("register.password", "is empty or holds control characters");
    }
    if config.expires < MIN_REGISTER_EXPIRES {
        problems.add(
            "register.expires",
            format!("{} is below {MIN_REGISTER_EXPIRES} seconds", config.expires),
        );
    }
    let registrar = match (&config.registrar, peers.first()) {
        (Some(text), _) => text
            .parse::<PeerAddr>()
            .map_err(|e| problems.add("register.registrar", e))
            .ok(),
        (None, Some(peer)) => Some(peer.clone()),
        (None, None) => {
            problems.add(
                "register.registrar",
                "no registrar given and no peers to register to",
            );
            None
        }
    };
    let domain = match (&config.domain, &registrar) {
        (Some(text), _) => text
            .parse::<PeerAddr>()
            .map_err(|e| problems.add("register.domain", e))
            .ok(),
        (None, registrar) => registrar.as_ref().map(|r| PeerAddr {
            host: r.host.clone(),
            port: None,
        }),
    };
    if problems.list.len() > before {
        return None;
    }
    Some(Register {
        user: config.user.clone(),
        auth_user: config
            .auth_user
            .clone()
            .unwrap_or_else(|| config.user.clone()),
        password: config.password.clone(),
        domain: domain?,
        registrar: registrar?,
        expires: config.expires,
    })
}

/// A network may belong to one trunk only, so that a source address names
/// one trunk.
fn check_networks(trunks: &[Trunk], errors: &mut Vec<TrunkConfigError>) {
    let mut owners: HashMap<IpNet, &str> = HashMap::new();
    for trunk in trunks {
        for net in &trunk.allow {
            match owners.get(net) {
                Some(owner) if *owner != trunk.name => errors.push(TrunkConfigError {
                    trunk: trunk.name.clone(),
                    field: "allow",
                    message: format!(
                        "{net} is also allowed on trunk {owner:?}; a source must name one trunk"
                    ),
                }),
                _ => {
                    owners.insert(*net, &trunk.name);
                }
            }
        }
    }
}
