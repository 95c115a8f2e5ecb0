//! Session timers (RFC 4028) on one side of a call: what was agreed with the
//! peer, the headers that say so, and when the next refresh or expiry is due.
//!
//! A trunk that loses a BYE (a PBX restart, a dropped link) would otherwise
//! keep a call, and a billed channel, open for ever. With a session timer one
//! side re-confirms the session every half interval and the other ends it
//! when no confirmation came in time. Switchboard refreshes with UPDATE
//! without a body, which changes nothing else in the session.

use std::time::Duration;

use crate::sip::message::{Header, Headers, header};

/// The smallest interval we accept: RFC 4028's floor, which keeps refresh
/// traffic low.
pub const MIN_SE: u32 = 90;

/// Who re-confirms the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresher {
    Us,
    Peer,
}

/// What a side's peer and we agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimer {
    /// Seconds the session lives without a refresh.
    pub interval: u32,
    pub refresher: Refresher,
    /// The peer named `timer` in Supported or Require, so our answers to
    /// its refreshes carry `Require: timer`.
    pub peer_supports: bool,
}

/// The answer to an INVITE's session-timer request, when we are its UAS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UasTerms {
    /// No timer on this side.
    None,
    /// The interval asked is below [`MIN_SE`]: answer 422 with `Min-SE`.
    TooBrief,
    Timer(SessionTimer),
}

/// A `Session-Expires` value: `1800;refresher=uac`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expires {
    delta: u32,
    /// `Some(true)` when the UAC of that transaction refreshes.
    by_uac: Option<bool>,
}

fn parse_expires(value: &str) -> Option<Expires> {
    let mut parts = value.split(';');
    let delta = parts.next()?.trim().parse().ok()?;
    let mut by_uac = None;
    for part in parts {
        if let Some((name, value)) = part.split_once('=')
            && name.trim().eq_ignore_ascii_case("refresher")
        {
            by_uac = match value.trim().to_ascii_lowercase().as_str() {
                "uac" => Some(true),
                "uas" => Some(false),
                _ => None,
            };
        }
    }
    Some(Expires { delta, by_uac })
}

fn session_expires(headers: &Headers) -> Option<Expires> {
    header(headers, |h| match h {
        Header::SessionExpires(v) => Some(v.value()),
        _ => None,
    })
    .and_then(parse_expires)
}

/// Whether a comma-separated header value names `item`.
fn names(value: &str, item: &str) -> bool {
    value
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(item))
}

/// Whether an option tag is listed in any Supported or Require header.
fn lists(headers: &Headers, tag: &str) -> bool {
    headers.iter().any(|h| match h {
        Header::Supported(v) => names(v.value(), tag),
        Header::Require(v) => names(v.value(), tag),
        _ => false,
    })
}

/// Whether the peer takes UPDATE (its Allow lists it).
pub fn allows_update(headers: &Headers) -> bool {
    headers.iter().any(|h| match h {
        Header::Allow(v) => names(v.value(), "UPDATE"),
        _ => false,
    })
}

/// Our terms for an INVITE we answer. `configured` is the interval set for
/// the caller's trunk. A peer that asks for a timer gets the interval it
/// asked for, refreshed by whom it named (itself when it said nothing and
/// supports timers, RFC 4028 §9). A trunk that asks for nothing still gets
/// `configured`, refreshed by us, when it takes UPDATE.
pub fn as_uas(invite: &Headers, configured: Option<u32>) -> UasTerms {
    let supports = lists(invite, "timer");
    let asked = session_expires(invite);
    if let Some(asked) = asked
        && asked.delta < MIN_SE
    {
        return UasTerms::TooBrief;
    }
    let interval = match (asked, configured) {
        (Some(asked), _) => asked.delta,
        (None, Some(configured)) => configured,
        (None, None) => return UasTerms::None,
    };
    let refresher = match asked.and_then(|a| a.by_uac) {
        Some(true) => Refresher::Peer,
        Some(false) => Refresher::Us,
        None if supports => Refresher::Peer,
        None => Refresher::Us,
    };
    if refresher == Refresher::Us && !allows_update(invite) {
        // We could only refresh with a re-INVITE, which needs an SDP offer
        // of our own; a peer that supports timers refreshes instead.
        return if supports {
            UasTerms::Timer(SessionTimer {
                interval,
                refresher: Refresher::Peer,
                peer_supports: true,
            })
        } else {
            UasTerms::None
        };
    }
    UasTerms::Timer(SessionTimer {
        interval,
        refresher,
        peer_supports: supports,
    })
}

/// The headers of a 2xx we send on a side with `timer`, the peer being the
/// UAC of the request answered.
pub fn answer_headers(timer: &SessionTimer) -> Vec<Header> {
    let role = match timer.refresher {
        Refresher::Peer => "uac",
        Refresher::Us => "uas",
    };
    let mut headers = vec![Header::SessionExpires(
        format!("{};refresher={role}", timer.interval).into(),
    )];
    if timer.peer_supports {
        headers.push(Header::Require("timer".into()));
    }
    headers
}

/// The headers of an INVITE that offers a timer of `interval` seconds.
pub fn offer_headers(interval: u32) -> Vec<Header> {
    vec![
        Header::Supported("timer".into()),
        Header::SessionExpires(interval.to_string().into()),
        Header::MinSE(MIN_SE.to_string().into()),
    ]
}

/// The headers of a refresh we send (we are its UAC and the refresher).
pub fn refresh_headers(timer: &SessionTimer) -> Vec<Header> {
    vec![
        Header::Supported("timer".into()),
        Header::SessionExpires(format!("{};refresher=uac", timer.interval).into()),
    ]
}

/// The interval a 422 asks for, from its `Min-SE`.
pub fn min_se_of(headers: &Headers) -> Option<u32> {
    header(headers, |h| match h {
        Header::MinSE(v) => Some(v.value()),
        _ => None,
    })
    .and_then(|v| v.split(';').next()?.trim().parse().ok())
}

/// Our terms from the 2xx to an INVITE or refresh we sent (we are the UAC):
/// none when the answer has no `Session-Expires` (RFC 4028 §7.2).
pub fn as_uac(response: &Headers) -> Option<SessionTimer> {
    let expires = session_expires(response)?;
    let refresher = match expires.by_uac {
        Some(false) => Refresher::Peer,
        _ => Refresher::Us,
    };
    Some(SessionTimer {
        interval: expires.delta.max(MIN_SE),
        refresher,
        peer_supports: lists(response, "timer"),
    })
}

/// The terms after a request from the peer that we accepted (a refresh,
/// or a re-INVITE for hold): the interval it asked for (never below the
/// floor) and the refresher it named, itself by default as the one
/// refreshing. A request that says nothing of timers (a plain re-INVITE)
/// still confirms the session but leaves the terms as they were, so a side
/// that was refreshing goes on doing so.
pub fn refreshed_by_peer(timer: &SessionTimer, request: &Headers) -> SessionTimer {
    let peer_supports = timer.peer_supports || lists(request, "timer");
    let Some(asked) = session_expires(request) else {
        return SessionTimer {
            peer_supports,
            ..*timer
        };
    };
    SessionTimer {
        interval: asked.delta.max(MIN_SE),
        refresher: match asked.by_uac {
            Some(false) => Refresher::Us,
            _ => Refresher::Peer,
        },
        peer_supports,
    }
}

impl SessionTimer {
    /// When the next action is due after the session was last confirmed:
    /// our refresh at half the interval, or, when the peer refreshes, the
    /// expiry a little before the interval ends (RFC 4028 §10: the lesser
    /// of 32 s and a third of it).
    pub fn due_after(&self) -> Duration {
        let secs = u64::from(self.interval);
        match self.refresher {
            Refresher::Us => Duration::from_secs(secs / 2),
            Refresher::Peer => Duration::from_secs(secs - (secs / 3).min(32)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Headers {
        let mut headers = Headers::default();
        for (name, value) in list {
            headers.push(rsipstack::sip::headers::make_header(
                name,
                value.to_string(),
            ));
        }
        headers
    }

    #[test]
    fn a_peer_asking_below_the_floor_is_told_the_minimum() {
        let invite = headers(&[("Supported", "timer"), ("Session-Expires", "60")]);
        assert_eq!(as_uas(&invite, None), UasTerms::TooBrief);
    }

    #[test]
    fn the_uas_keeps_the_refresher_the_uac_named() {
        let invite = headers(&[
            ("Supported", "timer, 100rel"),
            ("Session-Expires", "1800;refresher=uac"),
        ]);
        let UasTerms::Timer(timer) = as_uas(&invite, None) else {
            panic!("a timer")
        };
        assert_eq!((timer.interval, timer.refresher), (1800, Refresher::Peer));
        let answer: Vec<String> = answer_headers(&timer)
            .iter()
            .map(|h| h.to_string())
            .collect();
        assert_eq!(
            answer,
            vec!["Session-Expires: 1800;refresher=uac", "Require: timer"]
        );
        // The peer's deadline: 1800 - 32 s.
        assert_eq!(timer.due_after(), Duration::from_secs(1768));
    }

    #[test]
    fn a_trunk_that_asks_nothing_gets_the_configured_timer_when_it_takes_update() {
        let invite = headers(&[("Allow", "INVITE, ACK, BYE, CANCEL, UPDATE")]);
        let UasTerms::Timer(timer) = as_uas(&invite, Some(600)) else {
            panic!("a timer")
        };
        assert_eq!((timer.interval, timer.refresher), (600, Refresher::Us));
        assert!(!timer.peer_supports);
        assert_eq!(timer.due_after(), Duration::from_secs(300));
        // Without UPDATE we could not refresh: no timer at all.
        let invite = headers(&[("Allow", "INVITE, ACK, BYE, CANCEL")]);
        assert_eq!(as_uas(&invite, Some(600)), UasTerms::None);
        assert_eq!(as_uas(&invite, None), UasTerms::None);
    }

    #[test]
    fn the_uac_reads_the_terms_from_the_answer() {
        let ok = headers(&[
            ("Require", "timer"),
            ("Session-Expires", "120;refresher=uac"),
        ]);
        let timer = as_uac(&ok).unwrap();
        assert_eq!((timer.interval, timer.refresher), (120, Refresher::Us));
        assert_eq!(timer.due_after(), Duration::from_secs(60));
        let uas = headers(&[("Session-Expires", "120;refresher=uas")]);
        assert_eq!(as_uac(&uas).unwrap().refresher, Refresher::Peer);
        assert_eq!(as_uac(&headers(&[])), None);
        let rejected = headers(&[("Min-SE", "300")]);
        assert_eq!(min_se_of(&rejected), Some(300));
    }

    #[test]
    fn a_refresh_from_the_peer_may_change_the_interval_but_not_below_the_floor() {
        let timer = SessionTimer {
            interval: 1800,
            refresher: Refresher::Peer,
            peer_supports: true,
        };
        let update = headers(&[("Session-Expires", "900;refresher=uac")]);
        assert_eq!(refreshed_by_peer(&timer, &update).interval, 900);
        let update = headers(&[("Session-Expires", "10")]);
        assert_eq!(refreshed_by_peer(&timer, &update).interval, MIN_SE);
        assert_eq!(refreshed_by_peer(&timer, &headers(&[])).interval, 1800);
        // A plain re-INVITE keeps us refreshing when we were.
        let ours = SessionTimer {
            refresher: Refresher::Us,
            ..timer
        };
        assert_eq!(
            refreshed_by_peer(&ours, &headers(&[])).refresher,
            Refresher::Us
        );
        let update = headers(&[("Session-Expires", "900")]);
        assert_eq!(refreshed_by_peer(&ours, &update).refresher, Refresher::Peer);
    }
}
