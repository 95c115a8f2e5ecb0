use std::time::Duration;

use serde::Deserialize;

use super::*;
use crate::pbx::{DtmfMode, NumberFormat};

#[derive(Deserialize)]
struct File {
    trunks: Vec<TrunkConfig>,
}

fn germany() -> Region {
    Region::parse("DE").expect("DE is a region")
}

fn configs(toml_text: &str) -> Vec<TrunkConfig> {
    toml::from_str::<File>(toml_text)
        .unwrap_or_else(|e| panic!("{e}"))
        .trunks
}

pub(super) fn trunks(toml_text: &str) -> Trunks {
    Trunks::from_configs(configs(toml_text), germany())
        .unwrap_or_else(|errors| panic!("{errors:?}"))
}

fn errors(toml_text: &str) -> Vec<String> {
    match Trunks::from_configs(configs(toml_text), germany()) {
        Ok(_) => panic!("accepted:\n{toml_text}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("a test address")
}

#[test]
fn the_example_config_has_a_trunk_for_every_vendor() {
    let text = include_str!("../../../switchboard.example.toml");
    let trunks = trunks(text);
    let vendors: Vec<Vendor> = trunks.iter().map(|t| t.vendor).collect();
    for vendor in [
        Vendor::Avaya,
        Vendor::Cisco,
        Vendor::Panasonic,
        Vendor::Lg,
        Vendor::Asterisk,
        Vendor::Generic,
    ] {
        assert!(vendors.contains(&vendor), "{vendor:?}");
    }
    let panasonic = trunks.get("panasonic-branch").expect("in the example");
    let register = panasonic.register.as_ref().expect("registers");
    assert_eq!(register.registrar.to_string(), "192.168.10.2");
    assert_eq!(register.domain.to_string(), "192.168.10.2");
    assert_eq!(register.expires, 600);
    let carrier = trunks.get("carrier").expect("in the example");
    assert_eq!(carrier.transport, Transport::Tls);
    assert_eq!(carrier.profile.options_interval, None);
    let register = carrier.register.as_ref().expect("registers");
    assert_eq!(register.auth_user, "acct-778812");
    assert_eq!(register.domain.to_string(), "sip.carrier.example");
}

#[test]
fn a_minimal_trunk_takes_the_vendor_defaults_and_allows_its_peers() {
    let trunks = trunks(
        "[[trunks]]\nname = \"cm\"\nvendor = \"avaya\"\npeers = [\"10.0.0.5\", \"[2001:db8::5]:5080\"]\n",
    );
    let trunk = trunks.get("cm").expect("built");
    assert_eq!(trunk.profile, Profile::for_vendor(Vendor::Avaya));
    assert_eq!(trunk.caller_id, CallerIdSource::Auto);
    assert_eq!(trunk.transport, Transport::Udp);
    assert_eq!(trunk.codecs, vec![Codec::Pcmu, Codec::Pcma]);
    assert_eq!(trunk.region, germany());
    let allow: Vec<String> = trunk.allow.iter().map(ToString::to_string).collect();
    assert_eq!(allow, ["10.0.0.5/32", "2001:db8::5/128"]);
    assert!(trunk.register.is_none());
}

#[test]
fn overrides_replace_only_their_field_of_the_profile() {
    let trunks = trunks(
        "[[trunks]]\nname = \"cube\"\nvendor = \"cisco\"\npeers = [\"10.0.0.5\"]\n\
         dtmf = \"info\"\noptions_interval_secs = 0\nnumber_format = \"national\"\n\
         caller_id = \"from\"\n\n\
         [[trunks]]\nname = \"cm\"\nvendor = \"avaya\"\npeers = [\"10.0.0.6\"]\n\
         options_interval_secs = 120\n",
    );
    let cube = trunks.get("cube").expect("built");
    let cisco = Profile::for_vendor(Vendor::Cisco);
    assert_eq!(cube.profile.dtmf, DtmfMode::Info);
    assert_eq!(cube.profile.options_interval, None);
    assert_eq!(cube.profile.number_format, NumberFormat::National);
    assert_eq!(cube.profile.identity_header, cisco.identity_header);
    assert_eq!(cube.caller_id, CallerIdSource::From);
    let cm = trunks.get("cm").expect("built");
    assert_eq!(cm.profile.options_interval, Some(Duration::from_secs(120)));
}

#[test]
fn the_most_specific_allowed_network_names_the_trunk() {
    let trunks = trunks(
        "[[trunks]]\nname = \"campus\"\nvendor = \"generic\"\nallow = [\"10.0.0.0/8\"]\n\n\
         [[trunks]]\nname = \"avaya\"\nvendor = \"avaya\"\npeers = [\"10.1.0.10\"]\n\
         allow = [\"10.1.0.0/24\"]\n\n\
         [[trunks]]\nname = \"cube\"\nvendor = \"cisco\"\npeers = [\"10.1.0.20\"]\n",
    );
    let name = |source: &str| trunks.by_source(ip(source)).map(|t| t.name.as_str());
    assert_eq!(name("10.1.0.20"), Some("cube"));
    assert_eq!(name("10.1.0.21"), Some("avaya"));
    assert_eq!(name("10.1.0.10"), Some("avaya"));
    assert_eq!(name("10.200.0.1"), Some("campus"));
    assert_eq!(name("::ffff:10.1.0.20"), Some("cube"), "dual-stack socket");
    assert_eq!(name("192.0.2.1"), None);
    assert_eq!(trunks.trusted_networks().len(), 3);
}

#[test]
fn an_empty_allow_list_takes_no_calls_by_source() {
    let trunks = trunks(
        "[[trunks]]\nname = \"carrier\"\nvendor = \"generic\"\npeers = [\"sbc.carrier.example\"]\n\
         allow = []\n",
    );
    assert!(trunks.by_source(ip("203.0.113.1")).is_none());
    assert_eq!(trunks.len(), 1);
}

#[test]
fn config_errors_name_the_trunk_and_the_field() {
    let found = errors(
        "[[trunks]]\nname = \"avaya-hq\"\nvendor = \"avaya\"\npeers = [\"10.0.0.5\"]\n\
         allow = [\"10.0.0.0/33\"]\n",
    );
    assert_eq!(
        found,
        [r#"trunk "avaya-hq": allow: "10.0.0.0/33" is not a network"#]
    );
}

#[test]
fn every_mistake_is_reported_at_once() {
    let found = errors(
        "[[trunks]]\nname = \"lg\"\nvendor = \"lg\"\n\
         peers = [\"10.0.0.256\", \"sip:pbx.example.com\", \"10.0.0.7:0\"]\n\
         codecs = [\"G729\", \"PCMA\", \"pcma\"]\noptions_interval_secs = 2\n\
         session_expires = 30\noutbound_caller_id = \"main office\"\nregion = \"XX\"\n",
    );
    let expected = [
        r#"trunk "lg": peers: "10.0.0.256" is neither an IP address nor a host name"#,
        r#"trunk "lg": peers: "sip:pbx.example.com" is not host[:port] (write the address without sip:)"#,
        r#"trunk "lg": peers: "10.0.0.7:0" has no port after the colon, or not one from 1 to 65535"#,
        r#"trunk "lg": codecs: "G729" is not a codec Switchboard carries (PCMU, PCMA)"#,
        r#"trunk "lg": codecs: "pcma" is listed twice"#,
        r#"trunk "lg": options_interval_secs: 2 is out of range: 0 turns keep-alives off, otherwise 5 to 86400 seconds"#,
        r#"trunk "lg": session_expires: 30 is below RFC 4028's minimum of 90 seconds"#,
        r#"trunk "lg": region: "XX" is not an ISO region code"#,
        r#"trunk "lg": outbound_caller_id: "main office" is not a phone number"#,
        r#"trunk "lg": peers: a trunk needs peers, a registration or an allow-list"#,
    ];
    for line in expected {
        assert!(
            found.iter().any(|f| f == line),
            "missing {line}\nin {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[test]
fn a_host_name_peer_needs_an_explicit_allow_list() {
    let found = errors(
        "[[trunks]]\nname = \"freepbx\"\nvendor = \"asterisk\"\npeers = [\"pbx.example.com\"]\n",
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with(r#"trunk "freepbx": allow: "pbx.example.com" is a host name"#),
        "{}",
        found[0]
    );
}

#[test]
fn names_and_networks_belong_to_one_trunk() {
    let found = errors(
        "[[trunks]]\nname = \"a\"\nvendor = \"generic\"\npeers = [\"10.0.0.5\"]\n\n\
         [[trunks]]\nname = \"a\"\nvendor = \"generic\"\npeers = [\"10.0.0.6\"]\n\n\
         [[trunks]]\nname = \"b\"\nvendor = \"generic\"\nallow = [\"10.0.0.5/32\"]\n\n\
         [[trunks]]\nname = \"bad name\"\nvendor = \"generic\"\npeers = [\"10.0.0.7\"]\n",
    );
    assert_eq!(
        found,
        [
            r#"trunk "a": name: is used by another trunk"#,
            r#"trunk "bad name": name: use 1 to 64 letters, digits, '.', '_' or '-'"#,
            r#"trunk "b": allow: 10.0.0.5/32 is also allowed on trunk "a"; a source must name one trunk"#,
        ]
    );
}

#[test]
fn registration_mistakes_name_the_register_field() {
    let found = errors(
        "[[trunks]]\nname = \"kx\"\nvendor = \"panasonic\"\nallow = []\n\
         [trunks.register]\nuser = \"3 01\"\npassword = \"\"\nexpires = 10\n",
    );
    assert_eq!(
        found,
        [
            r#"trunk "kx": register.user: "3 01" is not a SIP user name"#,
            r#"trunk "kx": register.password: is empty or holds control characters"#,
            r#"trunk "kx": register.expires: 10 is below 60 seconds"#,
            r#"trunk "kx": register.registrar: no registrar given and no peers to register to"#,
        ]
    );
}

#[test]
fn unknown_keys_and_values_are_refused_when_the_file_is_read() {
    for text in [
        "[[trunks]]\nname = \"a\"\nvendor = \"generic\"\npeer = [\"10.0.0.5\"]\n",
        "[[trunks]]\nname = \"a\"\nvendor = \"nortel\"\n",
        "[[trunks]]\nname = \"a\"\nvendor = \"generic\"\ntransport = \"sctp\"\n",
        "[[trunks]]\nname = \"a\"\nvendor = \"generic\"\n[trunks.register]\nuser = \"u\"\n\
         password = \"p\"\nrealm = \"x\"\n",
    ] {
        assert!(toml::from_str::<File>(text).is_err(), "{text}");
    }
}

#[test]
fn passwords_never_reach_the_logs() {
    let text = "[[trunks]]\nname = \"kx\"\nvendor = \"panasonic\"\npeers = [\"10.0.0.9\"]\n\
                [trunks.register]\nuser = \"301\"\npassword = \"s3cret-pw\"\n";
    let config = format!("{:?}", configs(text));
    let built = format!("{:?}", trunks(text));
    for shown in [config, built] {
        assert!(
            shown.contains("301") && !shown.contains("s3cret-pw"),
            "{shown}"
        );
    }
}

#[test]
fn a_registration_only_trunk_pings_and_allows_its_registrar() {
    let trunks = trunks(
        "[[trunks]]\nname = \"kx\"\nvendor = \"panasonic\"\n\
         [trunks.register]\nuser = \"301\"\npassword = \"pw\"\nregistrar = \"192.168.10.2:5070\"\n",
    );
    let trunk = trunks.get("kx").expect("built");
    assert_eq!(
        trunk.keepalive_targets(),
        vec!["192.168.10.2:5070".parse().unwrap()]
    );
    assert_eq!(
        trunks.by_source(ip("192.168.10.2")).map(|t| &*t.name),
        Some("kx")
    );
    let register = trunk.register.as_ref().expect("registers");
    assert_eq!(
        register.domain.to_string(),
        "192.168.10.2",
        "no port in the AOR"
    );
}
