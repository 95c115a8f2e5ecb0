//! Panasonic KX-NS500/700/1000, KX-TDE and KX-NCP with the virtual SIP
//! trunk card (V-SIPGW).
//!
//! What Panasonic sends on a trunk:
//! - The caller in From, whose user part is chosen per trunk port ("From
//!   Header—User Part": the PBX-CLIP of the extension, the trunk's account
//!   or a fixed value), and optionally in P-Preferred-Identity ("P-Preferred-
//!   Identity Header—User Part"/"—SIP-URI").
//! - Numbers in national form by default: the card's "Number Format" for
//!   the CLIP is National (`030...`), with International and +International
//!   as options, and digits may be removed or added per port. A national
//!   number only reaches E.164 with the trunk's region, so Switchboard's
//!   region setting matters for these trunks.
//! - The dialled number in the Request-URI and To, with the provider's
//!   domain as host: the card is built to register to a carrier, so seen
//!   from Switchboard it behaves like a customer PBX on a carrier trunk.
//! - Calls forwarded out over the trunk (FWD to an outside line): the
//!   manuals we found do not say which redirect header marks them; the
//!   sample assumes Diversion, as other small PBXs send.
//!
//! What the profile does: reads P-Asserted-Identity, then
//! P-Preferred-Identity, then From; Diversion before History-Info; the
//! Request-URI for the DID (falling back to To when the Request-URI holds
//! no number). Towards Panasonic it sends national numbers (the card's own
//! default), P-Asserted-Identity, RFC 4733 DTMF and OPTIONS every 60 s.
//! The Diversion handling and the 60 s keep-alive are our choice, not a
//! documented Panasonic default: check them on a live system.
//!
//! Sources: *Programming Manual for Virtual SIP CO Line Card* (KX-TDE600,
//! 2008-11), "Calling Party" settings (From and P-Preferred-Identity user
//! part, Number Format default National, Remove Digit, Additional Dial);
//! *KX-NS1000 PC Programming Manual*, "DIL Table & Port Settings" (DDI/DID
//! distribution, digit modification of the incoming called number).

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Panasonic,
        caller_id_order: &[
            IdentityHeader::PAssertedIdentity,
            IdentityHeader::PPreferredIdentity,
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
    fn national_numbers_reach_e164_with_the_trunks_region() {
        let parties = parties(Vendor::Panasonic, "panasonic-plain.sip");
        assert_eq!(parties.caller.entered(), "0301234567");
        assert_eq!(parties.caller.e164(), Some("+49301234567"));
        assert_eq!(parties.caller_name.as_deref(), Some("Reception"));
        assert_eq!(parties.called.entered(), "030555000");
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        assert_eq!(parties.original_called, None);
        assert_eq!(parties.correlation_id, None);
    }

    #[test]
    fn a_call_forwarded_to_the_trunk_names_the_extension_it_left() {
        let parties = parties(Vendor::Panasonic, "panasonic-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+491761234567"));
        let original = parties.original_called.expect("a forwarded call");
        assert_eq!(original.entered(), "0305552001");
        assert_eq!(original.e164(), Some("+49305552001"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("unconditional"));
    }
}
