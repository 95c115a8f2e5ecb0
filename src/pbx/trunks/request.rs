//! The out-of-dialog requests Switchboard sends on a trunk of its own
//! accord: OPTIONS keep-alives and REGISTER. Requests are built from typed
//! parts, so nothing here can fail; the fresh identifiers come from the
//! caller's entropy, never from a random source read here.

use rsipstack::sip::uri::{Auth, OtherParam, OtherParamValue, Param, Scheme};
use rsipstack::sip::{Header, HostWithPort, Method, Request, Uri};

use super::{PeerAddr, Register, Trunk};
use crate::sip::transaction::new_branch;
use crate::sip::transport::Transport;

/// The user part we give ourselves where no account names us (From and
/// Contact of OPTIONS).
pub const OUR_USER: &str = "switchboard";

/// Our side of a trunk as its peer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Where the peer reaches us: the Via sent-by and the Contact host.
    /// Behind NAT, the public address the driver learned or was given.
    pub address: HostWithPort,
}

/// The identifiers a new request needs, fresh for each (RFC 3261 §8.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIds {
    /// Top Via branch, with the RFC 3261 magic cookie.
    pub branch: String,
    pub call_id: String,
    /// The From tag.
    pub tag: String,
}

impl RequestIds {
    /// Branch from 128 bits, Call-ID from 96, tag from 32 (the minimum of
    /// §19.3); the bytes come from the driver's random source.
    pub fn from_entropy(entropy: [u8; 32]) -> RequestIds {
        let mut branch = [0u8; 16];
        branch.copy_from_slice(&entropy[..16]);
        RequestIds {
            branch: new_branch(branch),
            call_id: hex::encode(&entropy[16..28]),
            tag: hex::encode(&entropy[28..]),
        }
    }
}

/// An OPTIONS ping to one of `trunk`'s peers (RFC 3261 §11): out of any
/// dialog, CSeq 1, `Accept: application/sdp` as §11.1 suggests.
pub fn options_request(trunk: &Trunk, peer: &PeerAddr, local: &Local, ids: &RequestIds) -> Request {
    let target = sip_uri(None, peer.host_with_port(), trunk.transport);
    let ours = sip_uri(Some(OUR_USER), local.address.clone(), trunk.transport);
    let mut request = base(
        Method::Options,
        target.clone(),
        trunk.transport,
        local,
        &ids.branch,
    );
    let headers = &mut request.headers;
    headers.push(Header::From(format!("<{ours}>;tag={}", ids.tag).into()));
    headers.push(Header::To(format!("<{target}>").into()));
    headers.push(Header::CallId(ids.call_id.clone().into()));
    headers.push(Header::CSeq("1 OPTIONS".into()));
    headers.push(Header::Contact(format!("<{ours}>").into()));
    headers.push(Header::Accept("application/sdp".into()));
    headers.push(Header::ContentLength(0.into()));
    request
}

/// What a REGISTER says of the binding it asks for.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub register: &'a Register,
    pub transport: Transport,
    pub local: &'a Local,
    pub cseq: u32,
    /// The lifetime asked for; 0 removes the binding.
    pub expires: u32,
}

/// The Request-URI of a REGISTER: the domain of the address of record
/// (RFC 3261 §10.2), also the digest-uri its credentials hash.
pub fn register_uri(register: &Register, transport: Transport) -> Uri {
    sip_uri(None, register.domain.host_with_port(), transport)
}

/// A REGISTER binding our Contact to `user@domain` (RFC 3261 §10.2). `ids`
/// holds the Call-ID and From tag that every REGISTER of one registration
/// keeps, and a fresh branch; `credentials` are the Authorization and
/// Proxy-Authorization headers answering the registrar's challenges.
pub fn register_request(binding: &Binding, ids: &RequestIds, credentials: Vec<Header>) -> Request {
    let register = binding.register;
    let uri = register_uri(register, binding.transport);
    // The address of record names no transport: it is an identity.
    let aor = sip_uri(
        Some(&register.user),
        register.domain.host_with_port(),
        Transport::Udp,
    );
    let contact = sip_uri(
        Some(&register.user),
        binding.local.address.clone(),
        binding.transport,
    );
    let mut request = base(
        Method::Register,
        uri,
        binding.transport,
        binding.local,
        &ids.branch,
    );
    let headers = &mut request.headers;
    headers.push(Header::From(format!("<{aor}>;tag={}", ids.tag).into()));
    headers.push(Header::To(format!("<{aor}>").into()));
    headers.push(Header::CallId(ids.call_id.clone().into()));
    headers.push(Header::CSeq(format!("{} REGISTER", binding.cseq).into()));
    headers.push(Header::Contact(format!("<{contact}>").into()));
    headers.push(Header::Expires(binding.expires.to_string().into()));
    headers.extend(credentials);
    headers.push(Header::ContentLength(0.into()));
    request
}

/// A request line, the top Via and Max-Forwards; the caller adds the rest.
fn base(method: Method, uri: Uri, transport: Transport, local: &Local, branch: &str) -> Request {
    let mut request = Request {
        method,
        uri,
        version: rsipstack::sip::Version::V2,
        headers: Default::default(),
        body: Vec::new(),
    };
    // rport (RFC 3581): a peer behind or in front of NAT answers to the
    // address the request came from.
    let via = format!(
        "SIP/2.0/{} {};branch={branch};rport",
        transport.via_name(),
        local.address
    );
    request.headers.push(Header::Via(via.into()));
    request.headers.push(Header::MaxForwards(70.into()));
    request
}

/// `sip:[user@]host[:port]`, with `;transport=` for anything but UDP.
/// TLS keeps the `sip:` scheme: `sips:` would demand TLS on every hop
/// behind the peer too, which PBX trunks do not promise.
fn sip_uri(user: Option<&str>, host: HostWithPort, transport: Transport) -> Uri {
    let params = match transport {
        Transport::Udp => Vec::new(),
        other => vec![Param::Other(
            OtherParam::new("transport"),
            Some(OtherParamValue::new(other.via_name().to_ascii_lowercase())),
        )],
    };
    Uri {
        scheme: Some(Scheme::Sip),
        auth: user.map(|user| Auth {
            user: user.to_owned(),
            password: None,
        }),
        host_with_port: host,
        params,
        headers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::trunks::tests::trunks;
    use crate::sip::message::{SipMessage, parse};

    fn local() -> Local {
        Local {
            address: "192.0.2.10:5060".try_into().expect("an address"),
        }
    }

    fn ids() -> RequestIds {
        RequestIds::from_entropy([7; 32])
    }

    #[test]
    fn an_options_ping_is_a_well_formed_out_of_dialog_request() {
        let trunks = trunks(
            "[[trunks]]\nname = \"cube\"\nvendor = \"cisco\"\npeers = [\"10.0.0.5:5080\"]\n",
        );
        let trunk = trunks.get("cube").expect("built");
        let request = options_request(trunk, &trunk.peers[0], &local(), &ids());
        let text = String::from_utf8(request.to_bytes()).expect("text");
        let checked = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(matches!(checked.message, SipMessage::Request(_)));
        let e = checked.essentials;
        assert_eq!((e.cseq, e.method), (1, Method::Options));
        assert_eq!(e.branch.as_deref(), Some(ids().branch.as_str()));
        assert!(e.branch.is_some_and(|b| b.starts_with("z9hG4bK")));
        assert_eq!(e.sent_by, "192.0.2.10:5060");
        assert_eq!(e.call_id, ids().call_id);
        assert_eq!((e.from_tag, e.to_tag), (Some(ids().tag), None));
        assert!(
            text.starts_with("OPTIONS sip:10.0.0.5:5080 SIP/2.0\r\n"),
            "{text}"
        );
        for line in [
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=",
            "Max-Forwards: 70\r\n",
            "To: <sip:10.0.0.5:5080>\r\n",
            "Contact: <sip:switchboard@192.0.2.10:5060>\r\n",
            "Accept: application/sdp\r\n",
            "Content-Length: 0\r\n",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn a_tcp_trunk_says_so_in_via_and_uris() {
        let trunks = trunks(
            "[[trunks]]\nname = \"sm\"\nvendor = \"avaya\"\npeers = [\"10.0.0.5\"]\ntransport = \"tcp\"\n",
        );
        let trunk = trunks.get("sm").expect("built");
        let text =
            String::from_utf8(options_request(trunk, &trunk.peers[0], &local(), &ids()).to_bytes())
                .expect("text");
        assert!(
            text.starts_with("OPTIONS sip:10.0.0.5;transport=tcp SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("Via: SIP/2.0/TCP 192.0.2.10:5060;"), "{text}");
        assert!(
            text.contains("Contact: <sip:switchboard@192.0.2.10:5060;transport=tcp>"),
            "{text}"
        );
    }

    #[test]
    fn fresh_ids_differ_with_the_entropy() {
        let (a, b) = (ids(), RequestIds::from_entropy([8; 32]));
        assert_ne!(a.branch, b.branch);
        assert_ne!(a.call_id, b.call_id);
        assert_ne!(a.tag, b.tag);
        assert_eq!(a.tag.len(), 8, "32 bits of tag, RFC 3261 §19.3");
    }
}
