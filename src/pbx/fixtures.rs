//! Test support: the sample INVITEs of `fixtures/pbx/`, read as the
//! transport would hand them over.

use std::path::{Path, PathBuf};

use rsipstack::sip::{Request, SipMessage};

use super::{CallerIdSource, Parties, Profile, Vendor, inbound_parties};
use crate::phone::Region;

pub(crate) fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pbx")
}

pub(crate) fn germany() -> Region {
    Region::parse("DE").expect("DE is a region")
}

/// The bytes of a fixture, checked to keep SIP's CRLF line endings.
pub(crate) fn bytes(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bare_lf = bytes
        .iter()
        .enumerate()
        .any(|(at, &b)| b == b'\n' && (at == 0 || bytes[at - 1] != b'\r'));
    assert!(!bare_lf, "{name} has a line ending without CR");
    bytes
}

pub(crate) fn invite(name: &str) -> Request {
    match SipMessage::try_from(bytes(name).as_slice()) {
        Ok(SipMessage::Request(request)) => request,
        Ok(SipMessage::Response(_)) => panic!("{name} is a response"),
        Err(error) => panic!("{name} does not parse: {error}"),
    }
}

/// The parties of a fixture under the vendor's default profile, with
/// German national numbers.
pub(crate) fn parties(vendor: Vendor, name: &str) -> Parties {
    let profile = Profile::for_vendor(vendor);
    inbound_parties(&profile, CallerIdSource::Auto, &invite(name), germany())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_vendor_has_a_plain_and_a_forwarded_sample() {
    let names: Vec<String> = std::fs::read_dir(dir())
        .expect("fixtures/pbx exists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    for vendor in ["avaya", "cisco", "panasonic", "lg", "asterisk", "generic"] {
        for kind in ["plain", "forwarded"] {
            let name = format!("{vendor}-{kind}.sip");
            assert!(names.contains(&name), "missing {name}");
        }
    }
    for name in names.iter().filter(|n| n.ends_with(".sip")) {
        assert_eq!(
            invite(name).method,
            rsipstack::sip::Method::Invite,
            "{name}"
        );
    }
}
