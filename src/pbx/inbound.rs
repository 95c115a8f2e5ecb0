//! An incoming INVITE normalised into the call's parties, the way the
//! trunk's vendor fills its headers.

use rsipstack::sip::Request;

use crate::phone::Region;

use super::address::{NameAddr, Uri, entries, name_addrs};
use super::redirect::{self, Redirect};
use super::{
    CalledSource, CallerIdSource, IdentityHeader, Number, Profile, ProfileError, RedirectHeader,
};

/// Correlation values longer than this are no call identifier.
const MAX_CORRELATION_LEN: usize = 128;

/// Display names that say "no name" rather than being one.
const NO_NAME: [&str; 6] = [
    "anonymous",
    "unknown",
    "unavailable",
    "restricted",
    "private",
    "withheld",
];

/// Who is calling whom, as the trunk said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    /// Empty only when the trunk sent no caller at all.
    pub caller: Number,
    pub caller_name: Option<String>,
    /// The number the call reached: the DID or the extension dialled.
    pub called: Number,
    /// The number first dialled, when the call was forwarded or diverted.
    pub original_called: Option<Number>,
    /// Why it was: RFC 5806 words (`user-busy`, `no-answer`, `unconditional`...).
    pub redirect_reason: Option<String>,
    /// The caller asked that their identity be withheld (Privacy: id, an
    /// anonymous From, RPID `privacy=full`). The asserted number is still
    /// in `caller`, as the trunk trusted us with it: do not show it.
    pub privacy: bool,
    /// The vendor's own identifier of the call (Avaya Av-Global-Session-ID,
    /// Cisco-Guid, P-Charging-Vector icid-value), to match its CDRs.
    pub correlation_id: Option<String>,
    /// Optional headers that were present but unreadable and so ignored;
    /// the caller logs them.
    pub unreadable_headers: Vec<&'static str>,
}

/// Reads the parties of `request` as `profile`'s vendor sends them.
/// Fails only when neither the Request-URI nor To names a called number.
pub fn inbound_parties(
    profile: &Profile,
    caller_id: CallerIdSource,
    request: &Request,
    region: Region,
) -> Result<Parties, ProfileError> {
    let mut unreadable = Vec::new();
    let called = called_number(profile, request, region, &mut unreadable)?;
    let redirect = redirect_of(profile, request, region, &called, &mut unreadable);
    let from = first_name_addr(request, "From", &mut unreadable);
    let identity = caller_identity(
        profile,
        caller_id,
        request,
        from.as_ref(),
        region,
        &mut unreadable,
    );
    let caller = identity
        .as_ref()
        .and_then(|id| id.uri.number())
        .map(|number| Number::parse(number, region))
        .unwrap_or_else(|| Number::parse("", region));
    let rpid_privacy = calling_rpid_privacy(request);
    let privacy = privacy_header_hides_identity(request)
        || from.as_ref().is_some_and(is_anonymous)
        || rpid_privacy.iter().any(|p| p == "full" || p == "uri");
    let name_hidden = rpid_privacy.iter().any(|p| p == "name");
    let caller_name = (!name_hidden)
        .then(|| display_name(identity.as_ref(), from.as_ref(), &caller, region))
        .flatten();
    let correlation_id = correlation_id(profile, request, &mut unreadable);
    let (original_called, redirect_reason) = match redirect {
        Some(Redirect { original, reason }) => (Some(original), reason),
        None => (None, None),
    };
    Ok(Parties {
        caller,
        caller_name,
        called,
        original_called,
        redirect_reason,
        privacy,
        correlation_id,
        unreadable_headers: unreadable,
    })
}

fn header_values<'a>(request: &'a Request, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    request
        .headers
        .iter()
        .filter(move |h| h.name().eq_ignore_ascii_case(name))
        .map(|h| h.value())
}

fn note(unreadable: &mut Vec<&'static str>, name: &'static str) {
    if !unreadable.contains(&name) {
        unreadable.push(name);
    }
}

fn first_name_addr(
    request: &Request,
    name: &'static str,
    unreadable: &mut Vec<&'static str>,
) -> Option<NameAddr> {
    let value = header_values(request, name).next()?;
    let parsed = entries(value).first().and_then(|e| NameAddr::parse(e));
    if parsed.is_none() {
        note(unreadable, name);
    }
    parsed
}

/// The called number from the Request-URI or To, whichever the vendor
/// fills; a part that holds no dialable number (an account name, `s`)
/// gives way to the other.
fn called_number(
    profile: &Profile,
    request: &Request,
    region: Region,
    unreadable: &mut Vec<&'static str>,
) -> Result<Number, ProfileError> {
    let request_uri = Uri::parse(&request_uri_text(&request.uri))
        .and_then(|uri| uri.number().map(|n| Number::parse(n, region)));
    let to = first_name_addr(request, "To", unreadable)
        .and_then(|to| to.uri.number().map(|n| Number::parse(n, region)));
    let ordered = match (profile.called_from, was_retargeted(request)) {
        (CalledSource::To, false) => [to, request_uri],
        _ => [request_uri, to],
    };
    let mut candidates = ordered.into_iter().flatten();
    let first = candidates.next().ok_or(ProfileError::NoCalledNumber)?;
    if first.is_dialable() {
        return Ok(first);
    }
    Ok(candidates.find(Number::is_dialable).unwrap_or(first))
}

/// The Request-URI as text, with the user part as it was on the wire:
/// rsipstack's own printer percent-encodes it a second time.
fn request_uri_text(uri: &rsipstack::sip::Uri) -> String {
    let scheme = uri.scheme.as_ref().map(ToString::to_string);
    let mut text = format!("{}:", scheme.as_deref().unwrap_or("sip"));
    if let Some(auth) = &uri.auth {
        text.push_str(&auth.user);
        text.push('@');
    }
    text.push_str(&uri.host_with_port.to_string());
    for param in &uri.params {
        text.push_str(&param.to_string());
    }
    text
}

/// Whether a proxy or PBX moved the call on from the number first dialled,
/// in which case To still names that first number.
fn was_retargeted(request: &Request) -> bool {
    header_values(request, "Diversion").next().is_some()
        || header_values(request, "History-Info")
            .flat_map(entries)
            .count()
            > 1
}

fn redirect_of(
    profile: &Profile,
    request: &Request,
    region: Region,
    called: &Number,
    unreadable: &mut Vec<&'static str>,
) -> Option<Redirect> {
    profile.redirect_order.iter().find_map(|header| {
        let mut broken = false;
        let (name, found) = match header {
            RedirectHeader::Diversion => {
                let values = header_values(request, "Diversion");
                (
                    "Diversion",
                    redirect::from_diversion(values, region, &mut broken),
                )
            }
            RedirectHeader::HistoryInfo => {
                let values = header_values(request, "History-Info");
                let found = redirect::from_history_info(values, region, Some(called), &mut broken);
                ("History-Info", found)
            }
        };
        if broken {
            note(unreadable, name);
        }
        found
    })
}

fn identity_header_name(header: IdentityHeader) -> &'static str {
    match header {
        IdentityHeader::PAssertedIdentity => "P-Asserted-Identity",
        IdentityHeader::PPreferredIdentity => "P-Preferred-Identity",
        IdentityHeader::RemotePartyId => "Remote-Party-ID",
        IdentityHeader::From => "From",
    }
}

/// The header entry naming the caller: the first header of the chosen
/// order that carries a number; within one header (RFC 3325 allows a
/// `sip:` and a `tel:` identity) a public number wins over a private one.
fn caller_identity(
    profile: &Profile,
    source: CallerIdSource,
    request: &Request,
    from: Option<&NameAddr>,
    region: Region,
    unreadable: &mut Vec<&'static str>,
) -> Option<NameAddr> {
    use IdentityHeader::{From, PAssertedIdentity, RemotePartyId};
    let order: &[IdentityHeader] = match source {
        CallerIdSource::Auto => profile.caller_id_order,
        CallerIdSource::Pai => &[PAssertedIdentity, From],
        CallerIdSource::Rpid => &[RemotePartyId, From],
        CallerIdSource::From => &[From],
    };
    order.iter().find_map(|&header| {
        if header == From {
            return from.filter(|f| f.uri.number().is_some()).cloned();
        }
        let name = identity_header_name(header);
        let mut found: Vec<NameAddr> = Vec::new();
        for entry in header_values(request, name).flat_map(name_addrs) {
            match entry {
                Some(e) if e.uri.number().is_some() && !is_called_party(&e) => found.push(e),
                Some(_) => {}
                None => note(unreadable, name),
            }
        }
        let public = found.iter().position(|e| {
            e.uri
                .number()
                .is_some_and(|n| Number::parse(n, region).e164().is_some())
        });
        found.into_iter().nth(public.unwrap_or(0))
    })
}

/// A Remote-Party-ID about the called party, which a request may carry too.
fn is_called_party(entry: &NameAddr) -> bool {
    entry
        .param("party")
        .is_some_and(|p| p.eq_ignore_ascii_case("called"))
}

/// The `privacy` values of the calling party's Remote-Party-ID headers.
fn calling_rpid_privacy(request: &Request) -> Vec<String> {
    header_values(request, "Remote-Party-ID")
        .flat_map(name_addrs)
        .flatten()
        .filter(|e| !is_called_party(e))
        .filter_map(|e| e.param("privacy").map(str::to_ascii_lowercase))
        .collect()
}

/// RFC 3323 / RFC 3325: `id`, `user` and `header` all withhold the caller.
fn privacy_header_hides_identity(request: &Request) -> bool {
    header_values(request, "Privacy")
        .flat_map(|value| value.split([';', ',']))
        .map(str::trim)
        .any(|v| {
            ["id", "user", "header"]
                .iter()
                .any(|h| v.eq_ignore_ascii_case(h))
        })
}

/// RFC 3323's anonymous From, `sip:anonymous@anonymous.invalid`, and the
/// `sip:anonymous@host` form PBXs send.
fn is_anonymous(from: &NameAddr) -> bool {
    from.uri.host.eq_ignore_ascii_case("anonymous.invalid")
        || from
            .uri
            .number()
            .is_some_and(|u| u.eq_ignore_ascii_case("anonymous"))
}

fn display_name(
    identity: Option<&NameAddr>,
    from: Option<&NameAddr>,
    caller: &Number,
    region: Region,
) -> Option<String> {
    let from = from.filter(|f| !is_anonymous(f));
    let name = identity
        .and_then(|id| id.display.as_deref())
        .or_else(|| from.and_then(|f| f.display.as_deref()))?;
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    let says_no_name = NO_NAME.iter().any(|n| name.eq_ignore_ascii_case(n));
    // Gateways put the number in the display when the name is missing.
    let repeats_number = Number::parse(name, region).same_line(caller);
    (!name.is_empty() && !says_no_name && !repeats_number).then(|| name.to_string())
}

fn correlation_id(
    profile: &Profile,
    request: &Request,
    unreadable: &mut Vec<&'static str>,
) -> Option<String> {
    profile.correlation_headers.iter().find_map(|&name| {
        let value = header_values(request, name).next()?;
        let value = if name.eq_ignore_ascii_case("P-Charging-Vector") {
            super::address::parse_params(value)
                .into_iter()
                .find(|p| p.name == "icid-value")
                .and_then(|p| p.value)
        } else {
            Some(value.trim().to_string())
        };
        let usable = value.filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_CORRELATION_LEN
                && v.chars().all(|c| c.is_ascii_graphic())
        });
        if usable.is_none() {
            note(unreadable, name);
        }
        usable
    })
}

#[cfg(test)]
mod tests;
