//! Any standards-following PBX, and carrier (ITSP) trunks.
//!
//! What such a trunk sends:
//! - The caller in P-Asserted-Identity (RFC 3325), sometimes twice, as a
//!   `sip:` and a `tel:` URI, with `Privacy: id` (or `user`/`header`,
//!   RFC 3323) when it is withheld and RFC 3323's anonymous From.
//! - Carriers that the PBX registers to often put the registered account
//!   (or the Contact the PBX registered) in the Request-URI and the DID in
//!   To; carriers that route by IP put the DID in both.
//! - History-Info (RFC 7044) with RFC 4458 `cause=` parameters, or Diversion
//!   (RFC 5806), possibly several entries over several header lines, on
//!   calls forwarded inside the carrier's network; To then still names the
//!   number first dialled and the Request-URI the number that reached us.
//! - `P-Charging-Vector` (RFC 7315) with the IMS charging ID (`icid-value`),
//!   the carrier's identifier of the call.
//!
//! What the profile does: reads P-Asserted-Identity, then Remote-Party-ID,
//! then From; Diversion before History-Info; the DID from To unless the
//! call was retargeted (then from the Request-URI), and either one when the
//! other holds no number; the ICID as correlation. Towards the trunk it
//! sends P-Asserted-Identity, E.164 numbers with `;user=phone` (RFC 3261
//! §19.1.1), RFC 4733 DTMF and OPTIONS every 60 s.
//!
//! Sources: RFC 3261, 3323, 3325, 3966, 4458, 5806, 7044, 7315 and 7544;
//! MikoPBX's note on providers that send the DID in To while the
//! Request-URI carries the account login.

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Generic,
        caller_id_order: &[
            IdentityHeader::PAssertedIdentity,
            IdentityHeader::RemotePartyId,
            IdentityHeader::From,
        ],
        called_from: CalledSource::To,
        redirect_order: [RedirectHeader::Diversion, RedirectHeader::HistoryInfo],
        dtmf: DtmfMode::Rfc4733,
        options_interval: Some(Duration::from_secs(60)),
        user_phone: true,
        identity_header: AssertedIdentity::Pai,
        number_format: NumberFormat::E164,
        correlation_headers: &["P-Charging-Vector"],
    }
}

#[cfg(test)]
mod tests {
    use crate::pbx::Vendor;
    use crate::pbx::fixtures::parties;

    #[test]
    fn a_registered_trunk_names_the_did_in_to_not_the_account() {
        let parties = parties(Vendor::Generic, "generic-plain.sip");
        assert_eq!(parties.caller.e164(), Some("+4917612345678"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        assert!(!parties.privacy);
        assert_eq!(parties.caller_name, None);
        assert_eq!(
            parties.correlation_id.as_deref(),
            Some("4a7c3b2e1f60-203.0.113.5")
        );
    }

    #[test]
    fn a_retargeted_call_reaches_the_request_uri_and_names_the_first_number() {
        let parties = parties(Vendor::Generic, "generic-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+4922198765432"));
        assert_eq!(parties.caller_name.as_deref(), Some("Paul Fischer"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        let original = parties.original_called.expect("a retargeted call");
        assert_eq!(original.e164(), Some("+4930999888"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("unconditional"));
    }

    #[test]
    fn several_diversion_lines_name_the_earliest_diversion() {
        let parties = parties(Vendor::Generic, "generic-diverted.sip");
        assert_eq!(parties.caller.e164(), Some("+4969123456"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        let original = parties.original_called.expect("a diverted call");
        assert_eq!(original.e164(), Some("+4930999888"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("unconditional"));
    }
}
