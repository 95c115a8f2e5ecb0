//! Registrar bindings (RFC 3261 §10.3, with RFC 5626 flows): which contacts
//! ring when an extension is called, until when, and over which connection.
//!
//! Authentication happens before: the caller passes the authenticated
//! extension, and a REGISTER for any other address of record is refused, so
//! one phone cannot hijack another's calls. A browser behind NAT registers a
//! contact like `sip:x@df7jal23ls0d.invalid;transport=ws` that no one can
//! reach: its binding keeps the WebSocket connection it came over (its flow)
//! and calls go back down that connection; when it closes, its bindings go.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rsipstack::sip::typed::Contact;
use rsipstack::sip::uri::Param;

use super::message::{Essentials, Header, Request, header};
use super::transport::Flow;

/// Limits an administrator may tune.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    /// Shorter registrations are refused with 423 (phones then retry longer).
    pub min_expires: u32,
    /// Longer ones are shortened to this.
    pub max_expires: u32,
    /// When a REGISTER names none.
    pub default_expires: u32,
    /// Contacts per extension; the oldest is dropped beyond it.
    pub max_contacts: usize,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        RegistrarConfig {
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_contacts: 10,
        }
    }
}

/// One registered contact of an extension.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The Contact URI as registered, where requests are addressed.
    pub contact: String,
    /// The connection it came over; requests to a stream binding use it.
    pub flow: Flow,
    pub expires_at: Instant,
    /// `+sip.instance` and `reg-id` (RFC 5626): the same device re-registering
    /// from a new address replaces its binding instead of adding one.
    pub instance: Option<String>,
    pub reg_id: Option<u32>,
    pub call_id: String,
    pub cseq: u32,
    pub user_agent: Option<String>,
}

/// Why a REGISTER was refused; each maps to one response code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// 403: the authenticated user registers someone else's extension.
    #[error("may not register {0}")]
    Forbidden(String),
    /// 400: a Contact or Expires that cannot be read, or `*` misused.
    #[error("{0}")]
    Bad(String),
    /// 423 with Min-Expires.
    #[error("registration interval too brief")]
    TooBrief { min_expires: u32 },
    /// 500 with Retry-After (§10.3 step 7): an older REGISTER arrived late.
    #[error("out-of-order REGISTER")]
    OutOfOrder,
}

impl RegisterError {
    pub fn status(&self) -> u16 {
        match self {
            RegisterError::Forbidden(_) => 403,
            RegisterError::Bad(_) => 400,
            RegisterError::TooBrief { .. } => 423,
            RegisterError::OutOfOrder => 500,
        }
    }
}

/// Every extension's bindings.
#[derive(Debug, Default)]
pub struct Registrar {
    config: RegistrarConfig,
    bindings: HashMap<String, Vec<Binding>>,
}

impl Registrar {
    pub fn new(config: RegistrarConfig) -> Self {
        Registrar {
            config,
            bindings: HashMap::new(),
        }
    }

    /// Applies a REGISTER from `extension` (already authenticated) that came
    /// over `flow`, and returns the extension's bindings afterwards, which
    /// the 200 OK lists.
    pub fn register(
        &mut self,
        now: Instant,
        extension: &str,
        request: &Request,
        essentials: &Essentials,
        flow: Flow,
    ) -> Result<Vec<Binding>, RegisterError> {
        let aor = address_of_record(request)?;
        if aor != extension {
            return Err(RegisterError::Forbidden(aor));
        }
        let default_expires = match header(&request.headers, |h| match h {
            Header::Expires(v) => Some(v.value()),
            _ => None,
        }) {
            Some(text) => parse_expires(text)?,
            None => self.config.default_expires,
        };
        let contacts = contacts(request)?;
        let existing = self.bindings.entry(aor.clone()).or_default();
        if contacts.is_empty() {
            // A fetch: nothing changes.
        } else if contacts.iter().any(is_wildcard) {
            if contacts.len() != 1 || default_expires != 0 {
                return Err(RegisterError::Bad(
                    "Contact: * needs Expires: 0 and no other contact".into(),
                ));
            }
            check_order(existing.iter(), essentials)?;
            existing.clear();
        } else {
            let mut updates = Vec::with_capacity(contacts.len());
            for contact in &contacts {
                let expires = contact.expires().unwrap_or(default_expires);
                if expires != 0 && expires < self.config.min_expires {
                    return Err(RegisterError::TooBrief {
                        min_expires: self.config.min_expires,
                    });
                }
                let binding = Binding {
                    contact: contact.uri.to_string(),
                    flow,
                    expires_at: now
                        + Duration::from_secs(u64::from(expires.min(self.config.max_expires))),
                    instance: param(contact, "+sip.instance")
                        .map(|v| v.trim_matches('"').to_string()),
                    reg_id: param(contact, "reg-id").and_then(|v| v.parse().ok()),
                    call_id: essentials.call_id.clone(),
                    cseq: essentials.cseq,
                    user_agent: header(&request.headers, |h| match h {
                        Header::UserAgent(v) => Some(v.value()),
                        _ => None,
                    })
                    .map(str::to_string),
                };
                check_order(
                    existing.iter().filter(|b| same_binding(b, &binding)),
                    essentials,
                )?;
                updates.push((binding, expires == 0));
            }
            for (binding, remove) in updates {
                existing.retain(|b| !same_binding(b, &binding));
                if !remove {
                    existing.push(binding);
                }
            }
            if existing.len() > self.config.max_contacts {
                existing.sort_by_key(|b| b.expires_at);
                let excess = existing.len() - self.config.max_contacts;
                existing.drain(..excess);
            }
        }
        existing.retain(|b| b.expires_at > now);
        let current = existing.clone();
        if existing.is_empty() {
            self.bindings.remove(&aor);
        }
        Ok(current)
    }

    /// The live bindings of an extension, newest first (the one that
    /// registered last is the likeliest to be in use).
    pub fn contacts(&self, now: Instant, extension: &str) -> Vec<&Binding> {
        let mut live: Vec<&Binding> = self
            .bindings
            .get(extension)
            .map(|all| all.iter().filter(|b| b.expires_at > now).collect())
            .unwrap_or_default();
        live.sort_by_key(|b| std::cmp::Reverse(b.expires_at));
        live
    }

    /// Drops expired bindings; returns the extensions that lost their last one.
    pub fn expire(&mut self, now: Instant) -> Vec<String> {
        let mut gone = Vec::new();
        self.bindings.retain(|extension, all| {
            all.retain(|b| b.expires_at > now);
            if all.is_empty() {
                gone.push(extension.clone());
            }
            !all.is_empty()
        });
        gone
    }

    /// Drops the bindings that used a connection that has closed (RFC 5626
    /// §5.2: a dead flow means the phone is unreachable until it
    /// re-registers); returns the extensions that lost their last one.
    pub fn flow_closed(&mut self, connection: u64) -> Vec<String> {
        let mut gone = Vec::new();
        self.bindings.retain(|extension, all| {
            all.retain(|b| b.flow.connection != Some(connection));
            if all.is_empty() {
                gone.push(extension.clone());
            }
            !all.is_empty()
        });
        gone
    }

    /// The earliest expiry, for the driver's timer.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.bindings.values().flatten().map(|b| b.expires_at).min()
    }

    /// Extensions with at least one binding, for the live view.
    pub fn registered(&self) -> impl Iterator<Item = (&str, &[Binding])> {
        self.bindings
            .iter()
            .map(|(e, b)| (e.as_str(), b.as_slice()))
    }
}

/// The 200 OK's Contact values: each binding with its remaining time.
pub fn contact_values(now: Instant, bindings: &[Binding]) -> Vec<String> {
    bindings
        .iter()
        .map(|b| {
            // Rounded, so a binding made a few milliseconds ago reads as
            // the whole interval the phone asked for.
            let left = (b.expires_at.saturating_duration_since(now) + Duration::from_millis(500))
                .as_secs();
            format!("<{}>;expires={left}", b.contact)
        })
        .collect()
}

/// The extension a REGISTER is for: the user part of To.
fn address_of_record(request: &Request) -> Result<String, RegisterError> {
    let to = header(&request.headers, |h| match h {
        Header::To(v) => Some(v.value()),
        _ => None,
    })
    .ok_or_else(|| RegisterError::Bad("no To".into()))?;
    let to = rsipstack::sip::typed::To::parse(to).map_err(|e| RegisterError::Bad(e.to_string()))?;
    to.uri
        .auth
        .map(|a| a.user)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| RegisterError::Bad("To has no user".into()))
}

fn contacts(request: &Request) -> Result<Vec<Contact>, RegisterError> {
    let mut all = Vec::new();
    for header in request.headers.iter() {
        if let Header::Contact(value) = header {
            let parsed = Contact::parse_header_list(value.value())
                .map_err(|e| RegisterError::Bad(format!("bad Contact: {e}")))?;
            all.extend(parsed);
        }
    }
    Ok(all)
}

fn is_wildcard(contact: &Contact) -> bool {
    matches!(&contact.uri.scheme, Some(rsipstack::sip::uri::Scheme::Other(s)) if s == "*")
}

fn parse_expires(text: &str) -> Result<u32, RegisterError> {
    // Values past u32 are legal (§20.19) and mean "as long as you allow".
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegisterError::Bad(format!("bad Expires {text:?}")));
    }
    Ok(text.parse().unwrap_or(u32::MAX))
}

fn param<'a>(contact: &'a Contact, name: &str) -> Option<&'a str> {
    contact.params.iter().find_map(|p| match p {
        Param::Other(key, value) if key.value().eq_ignore_ascii_case(name) => {
            Some(value.as_ref().map_or("", |v| v.value()))
        }
        _ => None,
    })
}

/// The same device (RFC 5626 instance and reg-id) or the same contact URI.
fn same_binding(a: &Binding, b: &Binding) -> bool {
    match (&a.instance, &b.instance) {
        (Some(x), Some(y)) => x == y && a.reg_id == b.reg_id,
        _ => a.contact == b.contact,
    }
}

/// §10.3 step 7: a REGISTER with the same Call-ID as a binding's and a CSeq
/// not above it is stale (a retransmission overtaken by a newer one).
fn check_order<'a>(
    mut bindings: impl Iterator<Item = &'a Binding>,
    essentials: &Essentials,
) -> Result<(), RegisterError> {
    if bindings.any(|b| b.call_id == essentials.call_id && essentials.cseq <= b.cseq) {
        return Err(RegisterError::OutOfOrder);
    }
    Ok(())
}

#[cfg(test)]
#[path = "registrar_tests.rs"]
mod tests;
