//! Our identity on a call we place towards the vendor: the From, the
//! asserted identity the vendor reads (P-Asserted-Identity or
//! Remote-Party-ID), privacy, and the dialled number in the vendor's format.

use rsipstack::sip::HostWithPort;

use super::{AssertedIdentity, Number, Profile};

/// RFC 3323 §4.1.1.3: the From of a caller who withholds their identity.
const ANONYMOUS_FROM: &str = "\"Anonymous\" <sip:anonymous@anonymous.invalid>";

/// The identity headers of an outgoing INVITE, as `(name, value)` pairs,
/// From first. The dialog layer adds the From `;tag=`. With `privacy` the
/// From is anonymous and the real number travels only in the asserted
/// identity, marked private (`Privacy: id`, RFC 3325, or RPID
/// `privacy=full`). A caller that is no dialable number is not asserted.
pub fn outbound_identity(
    profile: &Profile,
    caller: &Number,
    display: Option<&str>,
    privacy: bool,
    host: &HostWithPort,
) -> Vec<(String, String)> {
    let from = |value: String| ("From".to_string(), value);
    let Some(uri) = sip_uri(profile, caller, host) else {
        return vec![from(ANONYMOUS_FROM.to_string())];
    };
    let addr = name_addr(display, &uri);
    let mut headers = vec![from(if privacy {
        ANONYMOUS_FROM.to_string()
    } else {
        addr.clone()
    })];
    match profile.identity_header {
        AssertedIdentity::Pai => {
            headers.push(("P-Asserted-Identity".into(), addr));
            if privacy {
                headers.push(("Privacy".into(), "id".into()));
            }
        }
        AssertedIdentity::Rpid => {
            let shown = if privacy { "full" } else { "off" };
            let value = format!("{addr};party=calling;screen=yes;privacy={shown}");
            headers.push(("Remote-Party-ID".into(), value));
        }
    }
    headers
}

/// The Request-URI user part for `dialled` in the vendor's number format,
/// or `None` when it is nothing a phone can dial.
pub fn dialled_user(profile: &Profile, dialled: &Number) -> Option<String> {
    dialled
        .formatted(profile.number_format)
        .map(|digits| digits.replace('#', "%23"))
}

/// The whole Request-URI for `dialled` at `host`, with `;user=phone` where
/// the vendor wants it.
pub fn request_uri(profile: &Profile, dialled: &Number, host: &HostWithPort) -> Option<String> {
    sip_uri(profile, dialled, host)
}

fn sip_uri(profile: &Profile, number: &Number, host: &HostWithPort) -> Option<String> {
    let user = dialled_user(profile, number)?;
    let user_phone = if profile.user_phone {
        ";user=phone"
    } else {
        ""
    };
    Some(format!("sip:{user}@{}{user_phone}", host_text(host)))
}

/// The host as configured, without anything that could end the header.
fn host_text(host: &HostWithPort) -> String {
    host.to_string()
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"<>\"@;,?".contains(*c))
        .collect()
}

/// `"Display" <uri>`, the name quoted and escaped (RFC 3261 §25.1) and
/// stripped of control characters so that no name can end the header.
fn name_addr(display: Option<&str>, uri: &str) -> String {
    let name: String = display
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let name = name.trim();
    if name.is_empty() {
        return format!("<{uri}>");
    }
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\" <{uri}>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pbx::{NumberFormat, Vendor};
    use crate::phone::Region;

    fn host() -> HostWithPort {
        HostWithPort::try_from("sb.example.com").expect("a valid host")
    }

    fn number(text: &str) -> Number {
        Number::parse(text, Region::parse("DE").expect("DE is a region"))
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_presented_caller_is_asserted_with_pai() {
        let profile = Profile::for_vendor(Vendor::Avaya);
        let headers = outbound_identity(
            &profile,
            &number("+4930123456"),
            Some("Sales"),
            false,
            &host(),
        );
        assert_eq!(
            header(&headers, "From"),
            Some("\"Sales\" <sip:+4930123456@sb.example.com>")
        );
        assert_eq!(
            header(&headers, "P-Asserted-Identity"),
            Some("\"Sales\" <sip:+4930123456@sb.example.com>")
        );
        assert_eq!(header(&headers, "Privacy"), None);
    }

    #[test]
    fn a_withheld_caller_gets_an_anonymous_from_and_privacy_id() {
        let profile = Profile::for_vendor(Vendor::Asterisk);
        let headers = outbound_identity(&profile, &number("+4930123456"), None, true, &host());
        assert_eq!(header(&headers, "From"), Some(ANONYMOUS_FROM));
        assert!(header(&headers, "P-Asserted-Identity").is_some_and(|v| v.contains("4930123456")));
        assert_eq!(header(&headers, "Privacy"), Some("id"));
    }

    #[test]
    fn cisco_reads_remote_party_id_with_its_privacy_parameter() {
        let profile = Profile::for_vendor(Vendor::Cisco);
        let shown = outbound_identity(&profile, &number("+4930123456"), None, false, &host());
        assert_eq!(
            header(&shown, "Remote-Party-ID"),
            Some("<sip:+4930123456@sb.example.com>;party=calling;screen=yes;privacy=off")
        );
        let hidden = outbound_identity(&profile, &number("+4930123456"), None, true, &host());
        assert!(header(&hidden, "Remote-Party-ID").is_some_and(|v| v.ends_with("privacy=full")));
        assert_eq!(header(&hidden, "From"), Some(ANONYMOUS_FROM));
    }

    #[test]
    fn names_cannot_break_out_of_their_quotes_or_their_header() {
        let profile = Profile::for_vendor(Vendor::Generic);
        let name = "Evil \"Co\" \\\r\nX-Injected: yes";
        let headers =
            outbound_identity(&profile, &number("+4930123456"), Some(name), false, &host());
        let from = header(&headers, "From").expect("a From");
        assert!(from.starts_with(r#""Evil \"Co\" \\X-Injected: yes" <sip:"#));
        assert!(headers.iter().all(|(_, v)| !v.contains(['\r', '\n'])));
    }

    #[test]
    fn a_caller_without_a_dialable_number_is_sent_anonymous_and_unasserted() {
        let profile = Profile::for_vendor(Vendor::Avaya);
        let headers = outbound_identity(&profile, &number("sales"), Some("Sales"), false, &host());
        assert_eq!(
            headers,
            vec![("From".to_string(), ANONYMOUS_FROM.to_string())]
        );
    }

    #[test]
    fn the_dialled_number_follows_the_vendors_format_and_user_phone() {
        let panasonic = Profile::for_vendor(Vendor::Panasonic);
        assert_eq!(panasonic.number_format, NumberFormat::National);
        assert_eq!(
            dialled_user(&panasonic, &number("+4930123456")).as_deref(),
            Some("030123456")
        );
        let generic = Profile::for_vendor(Vendor::Generic);
        assert_eq!(
            request_uri(&generic, &number("030 123456"), &host()).as_deref(),
            Some("sip:+4930123456@sb.example.com;user=phone")
        );
        let asterisk = Profile::for_vendor(Vendor::Asterisk);
        assert_eq!(
            dialled_user(&asterisk, &number("*21#")).as_deref(),
            Some("*21%23")
        );
        assert_eq!(dialled_user(&asterisk, &number("voicemail")), None);
    }
}
