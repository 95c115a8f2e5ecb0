//! LG-Ericsson / Ericsson-LG iPECS (eMG80, eMG800, UCP, vUCP; the older
//! ipLDK behaves alike).
//!
//! What iPECS sends on a trunk: every identity header is configured per SIP
//! CO line ("SIP CO Attributes"), each choosing between the extension's SIP
//! user ID, its outgoing CLI, the system attendant's CLI, the original CLI
//! of an incoming call, or a fixed table entry:
//! - From/Contact ID, P-Asserted-ID and Remote-Party-ID, each with its own
//!   display rule (station name, contact display name, or the name received
//!   with the original call);
//! - Diversion on calls the system routes off-net ("Offnet Call Forward by
//!   Station", "CO to Offnet Direct Call Route"), naming the forwarding
//!   station, the attendant or a fixed ID; default "Unused" on some routes,
//!   so a forwarded call may also arrive without any redirect header;
//! - the dialled number in the Request-URI (trunk mode) with the same
//!   number in To.
//!
//! What the profile does: reads P-Asserted-Identity, then Remote-Party-ID,
//! then From, since an installer may have set any of them to the original
//! CLI; Diversion before History-Info; the Request-URI for the DID. Towards
//! iPECS it sends P-Asserted-Identity, national numbers (iPECS dial plans
//! and CO line digit conversion are built around locally dialled digits),
//! RFC 4733 DTMF and OPTIONS every 60 s; the number format and keep-alive
//! are our choice, not a documented iPECS default.
//!
//! Sources: *iPECS eMG80/100 & eMG800 & UCP & vUCP Administration and
//! Programming Manual*, issue 2.5, table 4.4.8.3-1 "SIP CO Attributes"
//! (From/Contact ID, P-Asserted-ID, Remote-Party-ID and Diversion options
//! for each call type); the ipLDK manual's SIP trunk and register modes.

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Lg,
        caller_id_order: &[
            IdentityHeader::PAssertedIdentity,
            IdentityHeader::RemotePartyId,
            IdentityHeader::From,
        ],
        called_from: CalledSource::RequestUri,
        redirect_order: [RedirectHeader::Diversion, RedirectHeader::HistoryInfo],
        dtmf: DtmfMode::Rfc4733,
        options_interval: Some(Duration::from_secs(60)),
        user_phone: false,
        identity_header: AssertedIdentity::Pai,
        number_format: NumberFormat::National,
        correlation_headers: &[],
    }
}

#[cfg(test)]
mod tests {
    use crate::pbx::Vendor;
    use crate::pbx::fixtures::parties;

    #[test]
    fn a_plain_call_names_the_asserted_caller_and_the_did() {
        let parties = parties(Vendor::Lg, "lg-plain.sip");
        assert_eq!(parties.caller.e164(), Some("+4930777100"));
        assert_eq!(parties.caller_name.as_deref(), Some("Front Desk"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        assert_eq!(parties.original_called, None);
        assert!(!parties.privacy);
    }

    #[test]
    fn an_offnet_forward_names_the_original_cli_and_the_forwarding_station() {
        let parties = parties(Vendor::Lg, "lg-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+4935112345678"));
        assert_eq!(parties.caller_name.as_deref(), Some("Jonas Weber"));
        let original = parties.original_called.expect("a forwarded call");
        assert_eq!(original.e164(), Some("+4930777105"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("no-answer"));
    }
}
