//! A new call's route: who is calling (an authenticated extension, or a
//! trunk by its address), what the dialplan says, and which phones ring.
//! This is glue between cores (registrations, dialplan, calls), so it lives
//! with the engine; every decision it uses is made by a core.

use std::net::SocketAddr;

use super::dns::Names;
use crate::calls::{
    Direction, Local, MenuEntry, MonitorEntry, MonitorMode, Plan, QueueEntry, Target,
};
use crate::dialplan::{self, Action, CallFacts, Source};
use crate::pbx::trunks::{PeerAddr, PeerHost, Trunk, Trunks};
use crate::pbx::{self, Number};
use crate::sip::message::{Header, Request};
use crate::sip::registrar::Binding;
use crate::sip::transport::{Flow, Transport};

/// This server's addresses, for Via and Contact on each transport.
#[derive(Debug, Clone)]
pub struct Locals {
    pub udp: SocketAddr,
    pub tcp: SocketAddr,
}

impl Locals {
    pub fn on(&self, flow: &Flow) -> Local {
        let (addr, transport) = match flow.transport {
            Transport::Udp => (self.udp, ""),
            Transport::Tcp => (self.tcp, ";transport=tcp"),
            Transport::Tls => (self.tcp, ";transport=tls"),
            Transport::Ws => (self.tcp, ";transport=ws"),
            Transport::Wss => (self.tcp, ";transport=wss"),
        };
        Local {
            sent_by: addr.to_string(),
            contact: format!("sip:switchboard@{addr}{transport}"),
        }
    }
}

/// What to do with a new INVITE once the caller is known.
pub enum Route {
    Ring(Box<Plan>),
    /// Answer the caller with this code and reason.
    Refuse(u16, String),
}

/// Who is calling, as the route needs it.
pub struct Caller<'a> {
    pub source: Source<'a>,
    /// The number as the plan matches it (an extension, or E.164 when known).
    pub number: String,
    pub e164: Option<String>,
    pub name: Option<String>,
    /// What the caller dialled.
    pub called: String,
    pub original_called: Option<String>,
}

impl<'a> Caller<'a> {
    /// A call from one of our extensions (already authenticated).
    pub fn extension(extension: &'a str, invite: &Request) -> Self {
        Caller {
            source: Source::Extension(extension),
            number: extension.to_string(),
            e164: None,
            name: display_name(invite),
            called: invite
                .uri
                .auth
                .as_ref()
                .map(|a| a.user.clone())
                .unwrap_or_default(),
            original_called: None,
        }
    }

    /// A call from a trunk, its parties read by the trunk's vendor profile.
    pub fn trunk(trunk: &'a Trunk, invite: &Request) -> Result<Self, String> {
        let parties = pbx::inbound_parties(&trunk.profile, trunk.caller_id, invite, trunk.region)
            .map_err(|e| e.to_string())?;
        for header in &parties.unreadable_headers {
            tracing::debug!(trunk = %trunk.name, ?header, "ignoring an unreadable header");
        }
        let label = |n: &Number| n.e164().unwrap_or(n.entered()).to_string();
        Ok(Caller {
            source: Source::Trunk(&trunk.name),
            number: label(&parties.caller),
            e164: parties.caller.e164().map(str::to_string),
            name: parties.caller_name.clone(),
            called: parties.called.entered().to_string(),
            original_called: parties.original_called.as_ref().map(label),
        })
    }
}

/// Routes a call through the plan to phones or a trunk.
pub fn route(
    plan: &dialplan::Plan,
    caller: &Caller<'_>,
    now: chrono::DateTime<chrono::Utc>,
    contacts: impl Fn(&str) -> Vec<Binding>,
    trunks: &Trunks,
    locals: &Locals,
    names: &Names,
) -> Route {
    if let (Source::Extension(_), Some(monitor)) = (caller.source, monitor_code(&caller.called)) {
        let mut routed = Plan {
            direction: Direction::Internal,
            trunk: None,
            rule: Some("monitor".into()),
            caller: caller.number.clone(),
            caller_e164: None,
            caller_name: caller.name.clone(),
            called: caller.called.clone(),
            original_called: None,
            party_e164: None,
            present_as: present(caller.name.as_deref(), &caller.number, locals.udp),
            targets: Vec::new(),
            ring_timeout: Default::default(),
            session_expires: None,
            record: false,
            caller_keys_by_info: false,
            media: None,
            menu: None,
            queue: None,
            monitor: None,
        };
        routed.monitor = Some(monitor);
        return Route::Ring(Box::new(routed));
    }
    let facts = CallFacts {
        source: caller.source,
        caller: &caller.number,
        called: &caller.called,
    };
    let decision = dialplan::evaluate(plan, &facts, now);
    let from_trunk = match caller.source {
        Source::Trunk(name) => Some(name.to_string()),
        Source::Extension(_) => None,
    };
    // The caller's trunk's session timer, for when the trunk asks for none.
    let caller_session = match caller.source {
        Source::Trunk(name) => trunks.get(name).and_then(|t| t.session_expires),
        Source::Extension(_) => None,
    };
    let recorded_trunk = |name: &Option<String>| {
        name.as_deref()
            .and_then(|n| trunks.get(n))
            .is_some_and(|t| t.record)
    };
    let plan_for = |direction, trunk: Option<String>, targets, present_as, ring_timeout| Plan {
        record: decision.record || recorded_trunk(&trunk),
        direction,
        trunk,
        rule: Some(decision.rule.clone()),
        caller: caller.number.clone(),
        caller_e164: caller.e164.clone(),
        caller_name: caller.name.clone(),
        called: caller.called.clone(),
        original_called: caller.original_called.clone(),
        party_e164: caller.e164.clone(),
        present_as,
        targets,
        ring_timeout,
        session_expires: caller_session,
        caller_keys_by_info: match caller.source {
            Source::Trunk(name) => trunks
                .get(name)
                .is_some_and(|t| t.profile.dtmf == crate::pbx::DtmfMode::Info),
            Source::Extension(_) => false,
        },
        media: None,
        menu: None,
        queue: None,
        monitor: None,
    };
    // Calls our extensions, menus and queues take: inbound from a trunk,
    // internal from an extension, presented as the caller at this server.
    let here = if from_trunk.is_some() {
        Direction::Inbound
    } else {
        Direction::Internal
    };
    let present_here = || present(caller.name.as_deref(), &caller.number, locals.udp);
    // A menu or a queue answers the call itself: no phone rings yet, and
    // what later rings is timed by the menu's key or the queue's ACD.
    let answered_here = |from_trunk| {
        plan_for(
            here,
            from_trunk,
            Vec::new(),
            present_here(),
            Default::default(),
        )
    };
    match &decision.action {
        Action::Ring {
            extensions,
            timeout,
        } => {
            let targets = ring_targets(extensions, contacts, locals);
            Route::Ring(Box::new(plan_for(
                here,
                from_trunk,
                targets,
                present_here(),
                *timeout,
            )))
        }
        Action::Trunk {
            trunk,
            number,
            caller_id,
        } => {
            let Some(trunk) = trunks.get(trunk) else {
                return Route::Refuse(503, "Service Unavailable".into());
            };
            let Some((target, present)) =
                trunk_target(trunk, number, caller_id.as_deref(), caller, locals, names)
            else {
                return Route::Refuse(503, "Service Unavailable".into());
            };
            let direction = if from_trunk.is_some() {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            let timeout = std::time::Duration::from_secs(120);
            let mut routed = plan_for(
                direction,
                Some(trunk.name.clone()),
                vec![target],
                present,
                timeout,
            );
            if direction == Direction::Outbound {
                routed.party_e164 = Number::parse(number, trunk.region)
                    .e164()
                    .map(str::to_string);
            }
            Route::Ring(Box::new(routed))
        }
        Action::Reject { code, reason } => Route::Refuse(*code, reason.clone()),
        Action::NoRoute => Route::Refuse(404, "Not Found".into()),
        Action::Ivr { menu } => {
            let mut routed = answered_here(from_trunk);
            routed.menu = Some(MenuEntry {
                menus: plan.menus().clone(),
                name: menu.clone(),
            });
            Route::Ring(Box::new(routed))
        }
        Action::Queue { queue, priority } => {
            let mut routed = answered_here(from_trunk);
            routed.record |= plan.queues().get(queue).is_some_and(|q| q.record);
            routed.queue = Some(QueueEntry {
                name: queue.clone(),
                priority: priority.unwrap_or(0),
            });
            Route::Ring(Box::new(routed))
        }
    }
}

/// A supervisor's code for an agent's call: `*81` listen, `*82` whisper,
/// `*83` barge, then the agent's extension (2 to 8 digits).
pub fn monitor_code(called: &str) -> Option<MonitorEntry> {
    let rest = called.strip_prefix("*8")?;
    let mut chars = rest.chars();
    let mode = match chars.next()? {
        '1' => MonitorMode::Listen,
        '2' => MonitorMode::Whisper,
        '3' => MonitorMode::Barge,
        _ => return None,
    };
    let extension = chars.as_str();
    ((2..=8).contains(&extension.len()) && extension.bytes().all(|b| b.is_ascii_digit())).then(
        || MonitorEntry {
            extension: extension.to_string(),
            mode,
        },
    )
}

/// The INVITE toward a trunk's first peer with an address, and the From the
/// PBX sees, in the number format and identity header its vendor expects.
fn trunk_target(
    trunk: &Trunk,
    number: &str,
    caller_id: Option<&str>,
    caller: &Caller<'_>,
    locals: &Locals,
    names: &Names,
) -> Option<(Target, String)> {
    let (peer, flow) = trunk
        .peers
        .iter()
        .find_map(|p| Some((p, peer_flow(trunk.transport, p, names)?)))?;
    let dialled = Number::parse(number, trunk.region);
    let uri = pbx::request_uri(&trunk.profile, &dialled, &peer.host_with_port())?;
    let presented = caller_id
        .map(|c| Number::parse(c, trunk.region))
        .or_else(|| trunk.outbound_caller_id.clone())
        .unwrap_or_else(|| Number::parse(&caller.number, trunk.region));
    let local = locals.on(&flow);
    let host = rsipstack::sip::HostWithPort::try_from(local.sent_by.as_str()).ok()?;
    let identity = pbx::outbound_identity(
        &trunk.profile,
        &presented,
        caller.name.as_deref(),
        false,
        &host,
    );
    let from = identity
        .iter()
        .find(|(name, _)| name == "From")
        .map(|(_, v)| v.clone())?;
    Some((
        Target {
            label: number.to_string(),
            uri,
            flow,
            local,
            session_expires: trunk.session_expires,
            keys_by_info: trunk.profile.dtmf == crate::pbx::DtmfMode::Info,
        },
        from,
    ))
}

/// A campaign's call to `number` through `trunk`, taken by `queue` once
/// answered: the plan (presented with `caller_id`, else the trunk's own
/// number) and the trunk's target. `None` when the trunk has no peer to
/// call or the number cannot be written for it.
pub fn campaign_call(
    trunk: &Trunk,
    number: &str,
    caller_id: Option<&str>,
    queue: &str,
    ring_timeout: std::time::Duration,
    locals: &Locals,
    names: &Names,
) -> Option<(Plan, Target)> {
    let presented = caller_id
        .map(str::to_string)
        .or_else(|| {
            let own = trunk.outbound_caller_id.as_ref()?;
            Some(own.e164().unwrap_or(own.entered()).to_string())
        })
        .unwrap_or_else(|| "anonymous".into());
    let caller = Caller {
        source: Source::Extension(queue),
        number: presented.clone(),
        e164: None,
        name: None,
        called: number.to_string(),
        original_called: None,
    };
    let (target, present_as) = trunk_target(trunk, number, caller_id, &caller, locals, names)?;
    let plan = Plan {
        direction: Direction::Outbound,
        trunk: Some(trunk.name.clone()),
        rule: Some(queue.to_string()),
        caller: presented,
        caller_e164: None,
        caller_name: None,
        called: number.to_string(),
        original_called: None,
        party_e164: Number::parse(number, trunk.region)
            .e164()
            .map(str::to_string),
        present_as,
        targets: Vec::new(),
        ring_timeout,
        session_expires: trunk.session_expires,
        record: trunk.record,
        caller_keys_by_info: trunk.profile.dtmf == crate::pbx::DtmfMode::Info,
        media: None,
        menu: None,
        queue: Some(QueueEntry {
            name: queue.to_string(),
            priority: 0,
        }),
        monitor: None,
    };
    Some((plan, target))
}

/// Every registered phone of every extension to ring.
pub fn ring_targets(
    extensions: &[String],
    contacts: impl Fn(&str) -> Vec<Binding>,
    locals: &Locals,
) -> Vec<Target> {
    extensions
        .iter()
        .flat_map(|extension| {
            contacts(extension).into_iter().map(move |binding| {
                let flow = reach(&binding);
                Target {
                    label: extension.clone(),
                    uri: binding.contact.clone(),
                    flow,
                    local: locals.on(&flow),
                    session_expires: None,
                    keys_by_info: false,
                }
            })
        })
        .collect()
}

/// Where to send to a binding. Streams go down the connection the phone
/// opened (RFC 5626). Over UDP the Contact's address is used, unless it is
/// a private address other than the one the REGISTER came from: then the
/// phone is behind NAT and only its public source address reaches it.
fn reach(binding: &Binding) -> Flow {
    if binding.flow.transport != Transport::Udp {
        return binding.flow;
    }
    let Ok(uri) = rsipstack::sip::Uri::try_from(binding.contact.as_str()) else {
        return binding.flow;
    };
    let Ok(ip) = uri
        .host_with_port
        .host
        .to_string()
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
    else {
        return binding.flow;
    };
    let port = uri.host_with_port.port.map_or(5060, |p| p.value());
    let private = match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_link_local(),
        std::net::IpAddr::V6(v6) => v6.is_unique_local() || v6.is_unicast_link_local(),
    };
    if private && ip != binding.flow.remote.ip() {
        return binding.flow;
    }
    Flow::udp(SocketAddr::new(ip, port))
}

/// The flow to a trunk peer or registrar given by address; `None` for a
/// host name (names are not resolved yet). Port 5060 when none is given.
pub fn peer_flow(transport: Transport, peer: &PeerAddr, names: &Names) -> Option<Flow> {
    let ip = match &peer.host {
        PeerHost::Ip(ip) => *ip,
        PeerHost::Name(name) => *names.get(name)?,
    };
    Some(Flow {
        transport,
        remote: SocketAddr::new(ip, peer.port.unwrap_or(5060)),
        connection: None,
    })
}

/// The From the callee sees: the caller's name and number at this server.
fn present(name: Option<&str>, number: &str, at: SocketAddr) -> String {
    match name {
        Some(name) => format!(
            "\"{}\" <sip:{number}@{}>",
            name.replace(['"', '\\'], ""),
            at.ip()
        ),
        None => format!("<sip:{number}@{}>", at.ip()),
    }
}

fn display_name(invite: &Request) -> Option<String> {
    let from = invite.headers.iter().find_map(|h| match h {
        Header::From(v) => Some(v.value()),
        _ => None,
    })?;
    let from = rsipstack::sip::typed::From::parse(from).ok()?;
    from.display_name.filter(|n| !n.trim().is_empty())
}
