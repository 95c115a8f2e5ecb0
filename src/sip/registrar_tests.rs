use std::time::{Duration, Instant};

use super::*;
use crate::sip::message::{self, SipMessage};
use crate::sip::transport::Transport;

fn register(
    registrar: &mut Registrar,
    now: Instant,
    user: &str,
    extra: &str,
    cseq: u32,
    flow: Flow,
) -> Result<Vec<Binding>, RegisterError> {
    let text = format!(
        "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK{cseq}\r\n\
         From: <sip:{user}@127.0.0.1>;tag=a\r\n\
         To: <sip:{user}@127.0.0.1>\r\n\
         Call-ID: reg-1\r\n\
         CSeq: {cseq} REGISTER\r\n\
         {extra}\
         Content-Length: 0\r\n\r\n"
    );
    let checked = message::parse(text.as_bytes()).expect("a valid REGISTER");
    let SipMessage::Request(request) = &checked.message else {
        panic!("a request")
    };
    registrar.register(now, "1001", request, &checked.essentials, flow)
}

fn udp() -> Flow {
    Flow::udp("10.0.0.5:5060".parse().unwrap())
}

fn ws(connection: u64) -> Flow {
    Flow {
        transport: Transport::Ws,
        remote: "10.0.0.9:40000".parse().unwrap(),
        connection: Some(connection),
    }
}

#[test]
fn a_registered_contact_rings_until_it_expires() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    let bound = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5:5060>;expires=120\r\n",
        1,
        udp(),
    )
    .unwrap();
    assert_eq!(bound.len(), 1);
    assert_eq!(
        r.contacts(t0 + Duration::from_secs(119), "1001")[0].contact,
        "sip:1001@10.0.0.5:5060"
    );
    assert!(r.contacts(t0 + Duration::from_secs(120), "1001").is_empty());
    assert_eq!(r.next_expiry(), Some(t0 + Duration::from_secs(120)));
    assert_eq!(
        r.expire(t0 + Duration::from_secs(121)),
        vec!["1001".to_string()]
    );
}

#[test]
fn nobody_registers_another_extension() {
    let mut r = Registrar::default();
    let refused = register(
        &mut r,
        Instant::now(),
        "1002",
        "Contact: <sip:x@10.0.0.5>\r\n",
        1,
        udp(),
    );
    assert_eq!(refused, Err(RegisterError::Forbidden("1002".into())));
    assert_eq!(refused.unwrap_err().status(), 403);
}

#[test]
fn expires_header_applies_and_is_clamped() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    register(
        &mut r,
        t0,
        "1001",
        "Expires: 86400\r\nContact: <sip:1001@10.0.0.5>\r\n",
        1,
        udp(),
    )
    .unwrap();
    assert_eq!(r.next_expiry(), Some(t0 + Duration::from_secs(3600)));
    let brief = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.6>;expires=30\r\n",
        2,
        udp(),
    );
    assert_eq!(brief, Err(RegisterError::TooBrief { min_expires: 60 }));
    let bad = register(
        &mut r,
        t0,
        "1001",
        "Expires: soon\r\nContact: <sip:1001@10.0.0.6>\r\n",
        3,
        udp(),
    );
    assert!(matches!(bad, Err(RegisterError::Bad(_))));
}

#[test]
fn several_phones_ring_and_each_can_leave() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5>\r\n",
        1,
        udp(),
    )
    .unwrap();
    let both = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.7>\r\n",
        2,
        udp(),
    )
    .unwrap();
    assert_eq!(both.len(), 2);
    let one = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5>;expires=0\r\n",
        3,
        udp(),
    )
    .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].contact, "sip:1001@10.0.0.7");
    let none = register(&mut r, t0, "1001", "Contact: *\r\nExpires: 0\r\n", 4, udp()).unwrap();
    assert!(none.is_empty());
    assert!(r.contacts(t0, "1001").is_empty());
}

#[test]
fn a_wildcard_without_expires_zero_is_refused() {
    let mut r = Registrar::default();
    let bad = register(&mut r, Instant::now(), "1001", "Contact: *\r\n", 1, udp());
    assert!(matches!(bad, Err(RegisterError::Bad(_))));
}

#[test]
fn a_late_older_register_does_not_undo_a_newer_one() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5>\r\n",
        5,
        udp(),
    )
    .unwrap();
    let stale = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5>;expires=0\r\n",
        4,
        udp(),
    );
    assert_eq!(stale, Err(RegisterError::OutOfOrder));
    assert_eq!(r.contacts(t0, "1001").len(), 1);
}

#[test]
fn a_browser_reregistering_from_a_new_connection_replaces_its_binding() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    let contact = |host: &str| {
        format!(
            "Contact: <sip:abc@{host}.invalid;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1\r\n"
        )
    };
    register(&mut r, t0, "1001", &contact("first"), 1, ws(7)).unwrap();
    let after = register(&mut r, t0, "1001", &contact("second"), 2, ws(8)).unwrap();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].flow.connection, Some(8));
    assert_eq!(after[0].instance.as_deref(), Some("<urn:uuid:1>"));
    assert_eq!(
        r.flow_closed(7),
        Vec::<String>::new(),
        "the old flow held nothing"
    );
    assert_eq!(r.flow_closed(8), vec!["1001".to_string()]);
    assert!(r.contacts(t0, "1001").is_empty());
}

#[test]
fn the_oldest_contact_goes_when_too_many_register() {
    let t0 = Instant::now();
    let mut r = Registrar::new(RegistrarConfig {
        max_contacts: 2,
        ..RegistrarConfig::default()
    });
    for (i, secs) in [(1u32, 100u32), (2, 200), (3, 300)] {
        let extra = format!("Contact: <sip:1001@10.0.0.{i}>;expires={secs}\r\n");
        register(&mut r, t0, "1001", &extra, i, udp()).unwrap();
    }
    let left: Vec<_> = r
        .contacts(t0, "1001")
        .iter()
        .map(|b| b.contact.clone())
        .collect();
    assert_eq!(left, ["sip:1001@10.0.0.3", "sip:1001@10.0.0.2"]);
}

#[test]
fn the_answer_lists_each_contact_with_its_time_left() {
    let t0 = Instant::now();
    let mut r = Registrar::default();
    let bound = register(
        &mut r,
        t0,
        "1001",
        "Contact: <sip:1001@10.0.0.5>;expires=600\r\n",
        1,
        udp(),
    )
    .unwrap();
    assert_eq!(
        contact_values(t0 + Duration::from_secs(100), &bound),
        ["<sip:1001@10.0.0.5>;expires=500"]
    );
}
