use std::net::IpAddr;

use super::*;

/// What the SIPp far end and many PBXs send: static payload types, one
/// session-level `c=`.
const PBX_OFFER: &str = "v=0\r\n\
o=user1 53655765 2353687637 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 40002 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

/// A browser's offer as JsSIP sends it (shortened): ICE, DTLS, rtcp-mux,
/// the connection address in the media section.
const BROWSER_OFFER: &str = "v=0\r\n\
o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n\
s=-\r\n\
t=0 0\r\n\
a=group:BUNDLE 0\r\n\
a=msid-semantic: WMS stream\r\n\
m=audio 51234 UDP/TLS/RTP/SAVPF 111 0 8 126\r\n\
c=IN IP4 198.51.100.7\r\n\
a=rtcp:9 IN IP4 0.0.0.0\r\n\
a=candidate:1 1 udp 2122260223 198.51.100.7 51234 typ host generation 0\r\n\
a=ice-ufrag:F7gI\r\n\
a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n\
a=ice-options:trickle\r\n\
a=fingerprint:sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2\r\n\
a=setup:actpass\r\n\
a=mid:0\r\n\
a=sendrecv\r\n\
a=rtcp-mux\r\n\
a=rtpmap:111 opus/48000/2\r\n\
a=fmtp:111 minptime=10;useinbandfec=1\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:126 telephone-event/8000\r\n";

#[test]
fn a_pbx_offer_reads_and_prints_back_as_it_came() {
    let session = parse(PBX_OFFER).unwrap();
    assert_eq!(session.origin.version, 2353687637);
    assert_eq!(session.connection.as_ref().unwrap().host, "192.0.2.10");
    let audio = session.audio().unwrap();
    assert_eq!((audio.port, audio.proto.as_str()), (40002, "RTP/AVP"));
    assert_eq!(audio.formats, ["0", "8", "101"]);
    assert_eq!(session.direction_of(audio), Direction::SendRecv);
    assert_eq!(audio.attribute("ptime"), Some("20"));
    assert_eq!(
        audio.encoding_of(101),
        Some(("telephone-event".into(), 8000))
    );
    assert_eq!(session.to_string(), PBX_OFFER);
}

#[test]
fn a_browser_offer_keeps_every_attribute_in_order() {
    let session = parse(BROWSER_OFFER).unwrap();
    let audio = session.audio().unwrap();
    assert_eq!(session.connection_of(audio).unwrap().host, "198.51.100.7");
    assert!(session.connection.is_none());
    assert!(audio.has("rtcp-mux"));
    assert_eq!(audio.attribute("setup"), Some("actpass"));
    let maps = audio.rtpmaps();
    assert_eq!(maps.len(), 4);
    assert_eq!(maps[0].encoding, "opus");
    assert_eq!(maps[0].clock_rate, 48000);
    assert_eq!(session.to_string(), BROWSER_OFFER);
}

#[test]
fn static_payload_types_are_known_without_an_rtpmap() {
    let session = parse(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 18\r\n",
    )
    .unwrap();
    let audio = session.audio().unwrap();
    assert_eq!(audio.encoding_of(8), Some(("PCMA".into(), 8000)));
    assert_eq!(audio.encoding_of(18), Some(("G729".into(), 8000)));
    assert_eq!(audio.encoding_of(96), None);
}

#[test]
fn bare_line_feeds_are_read_and_crlf_is_printed() {
    let text = PBX_OFFER.replace("\r\n", "\n");
    let session = parse(&text).unwrap();
    assert_eq!(session.to_string(), PBX_OFFER);
}

#[test]
fn hold_is_read_from_the_media_or_the_session() {
    let on_hold = PBX_OFFER.replace("a=sendrecv", "a=sendonly");
    let session = parse(&on_hold).unwrap();
    assert_eq!(
        session.direction_of(session.audio().unwrap()),
        Direction::SendOnly
    );
    let session_level = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=inactive\r\nm=audio 4000 RTP/AVP 0\r\n";
    let session = parse(session_level).unwrap();
    assert_eq!(
        session.direction_of(session.audio().unwrap()),
        Direction::Inactive
    );
}

#[test]
fn anchoring_points_every_stream_at_the_server_and_drops_the_senders_ice() {
    let mut session = parse(BROWSER_OFFER).unwrap();
    session.anchor(&Anchor {
        address: IpAddr::from([203, 0, 113, 5]),
        ports: vec![30000],
    });
    let text = session.to_string();
    let again = parse(&text).unwrap();
    let audio = again.audio().unwrap();
    assert_eq!(audio.port, 30000);
    assert_eq!(again.connection_of(audio).unwrap().host, "203.0.113.5");
    assert!(audio.connection.is_none());
    assert_eq!(again.origin.address.host, "203.0.113.5");
    assert_eq!(again.origin.version, 2, "the sender's version stays");
    for gone in ["candidate", "ice-ufrag", "ice-pwd", "ice-options", "rtcp"] {
        assert!(!audio.has(gone), "{gone} is still there:\n{text}");
    }
    assert!(audio.has("rtcp-mux"));
    assert_eq!(audio.formats, ["111", "0", "8", "126"]);
    assert!(text.contains("c=IN IP4 203.0.113.5\r\nt=0 0\r\n"), "{text}");
}

#[test]
fn anchoring_keeps_refused_streams_refused_and_refuses_those_without_a_port() {
    let text = format!("{PBX_OFFER}m=video 0 RTP/AVP 96\r\nm=video 5004 RTP/AVP 97\r\n");
    let mut session = parse(&text).unwrap();
    session.anchor(&Anchor {
        address: IpAddr::from([10, 1, 1, 1]),
        ports: vec![30000, 30002],
    });
    let ports: Vec<u16> = session.media.iter().map(|m| m.port).collect();
    assert_eq!(ports, [30000, 0, 0]);
}

#[test]
fn ipv6_anchors_write_ip6() {
    let mut session = parse(PBX_OFFER).unwrap();
    session.anchor(&Anchor {
        address: "2001:db8::5".parse().unwrap(),
        ports: vec![30000],
    });
    assert!(session.to_string().contains("c=IN IP6 2001:db8::5\r\n"));
}

#[test]
fn broken_descriptions_name_the_line_at_fault() {
    let cases = [
        ("", 0, "ends before its v= line"),
        ("v=1\r\n", 1, "version \"1\", not 0"),
        ("v=0\r\ns=-\r\n", 2, "s= where o= must come"),
        ("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n", 2, "o= needs six fields"),
        (
            "v=0\r\no=- 1 x IN IP4 h\r\ns=-\r\n",
            2,
            "o= version \"x\" is not a number",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP5 h\r\n",
            4,
            "address type \"IP5\", not IP4 or IP6",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio 70000 RTP/AVP 0\r\n",
            4,
            "m= port \"70000\" is not a port number",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio\r\n",
            4,
            "m= needs a media type, a port and a protocol",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nhello\r\n",
            4,
            "\"hello\" is not a type=value line",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nv=0\r\n",
            4,
            "a second v= line",
        ),
    ];
    for (text, line, reason) in cases {
        assert_eq!(
            parse(text),
            Err(SdpError {
                line,
                reason: reason.into()
            }),
            "{text:?}"
        );
    }
}
