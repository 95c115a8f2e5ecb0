//! Trunk peers and registrars given by host name: resolved when SIP starts
//! and again every minute, so a carrier that moves its servers is followed.
//! The engine reads the latest answers from a watch channel; a name with no
//! answer yet makes a call to that trunk fail with 503, as an unreachable
//! peer does. Only A/AAAA records are used (the system resolver), not the
//! SRV and NAPTR lookups of RFC 3263.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::pbx::trunks::{PeerHost, Trunks};

/// Host name → the address used for it.
pub type Names = Arc<HashMap<String, IpAddr>>;

/// How often names are resolved again.
pub const REFRESH: Duration = Duration::from_secs(60);

/// Every host name among the trunks' peers and registrars.
pub fn names_of(trunks: &Trunks) -> Vec<String> {
    let mut names: Vec<String> = trunks
        .iter()
        .flat_map(|t| {
            t.peers
                .iter()
                .chain(t.register.as_ref().map(|r| &r.registrar))
        })
        .filter_map(|p| match &p.host {
            PeerHost::Name(name) => Some(name.clone()),
            PeerHost::Ip(_) => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Resolves each name, preferring the address family our sockets use. A
/// name that does not resolve is left out and logged.
pub async fn resolve(names: &[String], ipv4: bool) -> Names {
    let mut resolved = HashMap::new();
    for name in names {
        let lookup = tokio::net::lookup_host((name.as_str(), 0));
        match tokio::time::timeout(Duration::from_secs(5), lookup).await {
            Ok(Ok(addresses)) => {
                let addresses: Vec<IpAddr> = addresses.map(|a| a.ip()).collect();
                let chosen = addresses
                    .iter()
                    .find(|ip| ip.is_ipv4() == ipv4)
                    .or(addresses.first());
                match chosen {
                    Some(ip) => {
                        resolved.insert(name.clone(), *ip);
                    }
                    None => tracing::warn!(%name, "a trunk's host name has no address"),
                }
            }
            Ok(Err(error)) => tracing::warn!(%name, %error, "cannot resolve a trunk's host name"),
            Err(_) => tracing::warn!(%name, "resolving a trunk's host name timed out"),
        }
    }
    Arc::new(resolved)
}

/// Resolves `names` again every [`REFRESH`] and publishes changes, until
/// the engine is gone. A failed lookup keeps the last good address.
pub fn spawn_refresh(names: Vec<String>, sender: watch::Sender<Names>, ipv4: bool) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(REFRESH).await;
            if sender.is_closed() {
                return;
            }
            let fresh = resolve(&names, ipv4).await;
            sender.send_if_modified(|current| {
                let mut merged = (**current).clone();
                merged.extend(fresh.iter().map(|(n, ip)| (n.clone(), *ip)));
                let changed = merged != **current;
                if changed {
                    *current = Arc::new(merged);
                }
                changed
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_resolves_to_loopback_in_the_family_asked() {
        let names = resolve(&["localhost".into()], true).await;
        assert_eq!(names.get("localhost"), Some(&IpAddr::from([127, 0, 0, 1])));
        let none = resolve(&["no-such-host.invalid".into()], true).await;
        assert!(none.is_empty());
    }
}
