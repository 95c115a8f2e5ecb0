//! Cisco Unified Communications Manager (CUCM) and Cisco Unified Border
//! Element (CUBE, IOS gateways).
//!
//! What Cisco sends on a trunk:
//! - Remote-Party-ID with `party=calling;screen=yes;privacy=off`, and, when
//!   the trunk's "Asserted Identity" option is on (the default), a
//!   P-Asserted-Identity with the same number. Privacy travels in the RPID
//!   `privacy` parameter: `full` (number and name withheld) or `uri` (number
//!   withheld) set From to `"Anonymous" <sip:Anonymous@host>`; `name` only
//!   puts "Anonymous" in From's display name and keeps the number.
//! - Diversion (RFC 5806) on redirected calls ("Redirecting Diversion Header
//!   Delivery"), e.g. `<sip:+4930999888@cucm>;reason=no-answer;privacy=off;
//!   screen=yes`; CUBE can pass History-Info too.
//! - `Cisco-Guid`, four decimal groups naming the call in CUCM's CDRs and
//!   IOS debug output, and `Session-ID` (RFC 7989).
//! - The called number in the Request-URI: CUBE matches its inbound dial
//!   peers on the Request-URI user part by default.
//! - Globalised numbers (`+E.164`) where the CUCM dial plan follows Cisco's
//!   recommended "globalized" design; local digit strings otherwise.
//!
//! What the profile does: reads Remote-Party-ID first, then
//! P-Asserted-Identity, then From; Diversion before History-Info; the
//! Request-URI for the DID; `Cisco-Guid` as correlation. Towards Cisco it
//! asserts identity with Remote-Party-ID (Avaya's Session Manager manual
//! notes that Cisco expects RPID and converts PAI for it), sends E.164
//! numbers, RFC 4733 DTMF (telephone-event payload 101 by default), and
//! OPTIONS every 60 s, CUCM's default in-service OPTIONS ping interval.
//!
//! Sources: *SIP Line Messaging Guide for CUCM 12* (Remote-Party-ID and its
//! `privacy`/`screen` values, the Anonymous From); *CUCM Administration
//! Guide*, SIP trunk and SIP profile settings (Asserted-Type, SIP Privacy,
//! OPTIONS ping 60 s); Cisco IOS "SIP: CLI for Caller ID When Privacy Exists"
//! (RPID privacy mapping); CUBE dial-peer matching order; public CUCM and
//! IOS gateway traces carrying `Cisco-Guid`.

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Cisco,
        caller_id_order: &[
            IdentityHeader::RemotePartyId,
            IdentityHeader::PAssertedIdentity,
            IdentityHeader::From,
        ],
        called_from: CalledSource::RequestUri,
        redirect_order: [RedirectHeader::Diversion, RedirectHeader::HistoryInfo],
        dtmf: DtmfMode::Rfc4733,
        options_interval: Some(Duration::from_secs(60)),
        user_phone: false,
        identity_header: AssertedIdentity::Rpid,
        number_format: NumberFormat::E164,
        correlation_headers: &["Cisco-Guid", "Session-ID"],
    }
}

#[cfg(test)]
mod tests {
    use crate::pbx::fixtures::{germany, invite, parties};
    use crate::pbx::{CallerIdSource, Profile, Vendor, inbound_parties};

    #[test]
    fn a_plain_call_names_the_rpid_caller_and_the_did() {
        let parties = parties(Vendor::Cisco, "cisco-plain.sip");
        assert_eq!(parties.caller.e164(), Some("+4989123456"));
        assert_eq!(parties.caller_name.as_deref(), Some("Max Mustermann"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        assert!(!parties.privacy);
        assert_eq!(
            parties.correlation_id.as_deref(),
            Some("1048796928-0000065536-0000000231-0503316672")
        );
    }

    #[test]
    fn rpid_privacy_full_withholds_the_caller_behind_an_anonymous_from() {
        let parties = parties(Vendor::Cisco, "cisco-private.sip");
        assert_eq!(parties.caller.e164(), Some("+4989123456"));
        assert!(parties.privacy);
        let profile = Profile::for_vendor(Vendor::Cisco);
        let request = invite("cisco-private.sip");
        let from_only = inbound_parties(&profile, CallerIdSource::From, &request, germany())
            .expect("a called number");
        assert_eq!(from_only.caller.entered(), "Anonymous");
        assert!(from_only.privacy);
    }

    #[test]
    fn a_diversion_names_the_number_first_called_and_why() {
        let parties = parties(Vendor::Cisco, "cisco-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+4921198765"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        let original = parties.original_called.expect("a diverted call");
        assert_eq!(original.e164(), Some("+4930999888"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("no-answer"));
    }
}
