//! A new call's route: who is calling (an authenticated extension, or a
//! trunk by its address), what the dialplan says, and which phones ring.
//! This is glue between cores (registrations, dialplan, calls), so it lives
//! with the engine; every decision it uses is made by a core.

use std::net::SocketAddr;

use crate::calls::{Direction, Local, Plan, Target};
use crate::dialplan::{self, Action, CallFacts, Source};
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

/// Routes a call from `extension` (already authenticated) through the plan.
pub fn from_extension(
    plan: &dialplan::Plan,
    extension: &str,
    invite: &Request,
    now: chrono::DateTime<chrono::Utc>,
    contacts: impl Fn(&str) -> Vec<Binding>,
    locals: &Locals,
) -> Route {
    let called = invite
        .uri
        .auth
        .as_ref()
        .map(|a| a.user.clone())
        .unwrap_or_default();
    let facts = CallFacts {
        source: Source::Extension(extension),
        caller: extension,
        called: &called,
    };
    let decision = dialplan::evaluate(plan, &facts, now);
    match decision.action {
        Action::Ring {
            extensions,
            timeout,
        } => {
            let targets = ring_targets(&extensions, contacts, locals);
            let direction = Direction::Internal;
            Route::Ring(Box::new(Plan {
                direction,
                trunk: None,
                rule: Some(decision.rule),
                caller: extension.to_string(),
                caller_e164: None,
                caller_name: display_name(invite),
                called: called.clone(),
                original_called: None,
                present_as: present(display_name(invite).as_deref(), extension, locals.udp),
                targets,
                ring_timeout: timeout,
            }))
        }
        Action::Reject { code, reason } => Route::Refuse(code, reason),
        Action::NoRoute => Route::Refuse(404, "Not Found".into()),
        // Trunks, queues and IVR menus are not routed by this server yet.
        Action::Trunk { .. } | Action::Queue { .. } | Action::Ivr { .. } => {
            Route::Refuse(480, "Temporarily Unavailable".into())
        }
    }
}

/// Every registered phone of every extension to ring.
fn ring_targets(
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
