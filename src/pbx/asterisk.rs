//! Asterisk and FreePBX: chan_pjsip (Asterisk 12 and later) and the older
//! chan_sip.
//!
//! What Asterisk sends on a trunk:
//! - From with the channel's caller ID (or the endpoint's `from_user`,
//!   often a trunk account, when one is set). chan_pjsip adds
//!   P-Asserted-Identity when the endpoint has `send_pai=yes` and
//!   Remote-Party-ID (`privacy=off|full;screen=no|yes`) with
//!   `send_rpid=yes`; chan_sip's `sendrpid=yes|pai` does the same.
//! - For a withheld caller (presentation restricted) chan_pjsip sends the
//!   identity only to endpoints with `trust_id_outbound=yes`: it keeps the
//!   caller in From and P-Asserted-Identity and adds `Privacy: id` (or RPID
//!   `privacy=full`). Other endpoints get neither header and a From left at
//!   the endpoint's default, so privacy can only be read from `Privacy`.
//! - Diversion (res_pjsip_diversion) on forwarded calls, e.g.
//!   `<sip:2001@pbx>;reason=unconditional`; History-Info only on recent
//!   releases that were told to send it.
//! - The number in the Request-URI user part (`Dial(PJSIP/${EXTEN}@trunk)`),
//!   and internal extensions (`2001`) as callers on calls from desk phones.
//! - No call identifier beyond Call-ID unless the dialplan adds an `X-`
//!   header, which is site-specific and so not read here.
//!
//! What the profile does: reads P-Asserted-Identity, then Remote-Party-ID,
//! then From (the order res_pjsip_caller_id itself uses on incoming calls);
//! Diversion before History-Info; the Request-URI for the DID. Towards
//! Asterisk it sends P-Asserted-Identity (read when the endpoint has
//! `trust_id_inbound=yes`), numbers as dialled (Asterisk dialplans match
//! whatever patterns the administrator wrote), RFC 4733 DTMF (chan_pjsip's
//! default `dtmf_mode`) and OPTIONS every 60 s (FreePBX's usual qualify
//! frequency).
//!
//! Sources: Asterisk `res/res_pjsip_caller_id.c` (PAI, RPID and From
//! handling, Privacy: id, RPID privacy/screen parameters); Asterisk
//! `res_pjsip_diversion` and chan_pjsip endpoint options (`send_pai`,
//! `send_rpid`, `trust_id_inbound`, `trust_id_outbound`, `dtmf_mode`).

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Asterisk,
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
        number_format: NumberFormat::AsDialled,
        correlation_headers: &[],
    }
}

#[cfg(test)]
mod tests {
    use crate::pbx::fixtures::{germany, invite, parties};
    use crate::pbx::{CallerIdSource, Profile, Vendor, inbound_parties};

    #[test]
    fn an_internal_extension_calls_with_its_digits_as_sent() {
        let parties = parties(Vendor::Asterisk, "asterisk-plain.sip");
        assert_eq!(parties.caller.entered(), "2001");
        assert_eq!(parties.caller.e164(), None);
        assert_eq!(parties.caller_name.as_deref(), Some("Alice Wagner"));
        assert_eq!(parties.called.entered(), "600");
        assert_eq!(parties.called.e164(), None);
    }

    #[test]
    fn privacy_id_keeps_the_asserted_number_marked_private() {
        let parties = parties(Vendor::Asterisk, "asterisk-private.sip");
        assert_eq!(parties.caller.e164(), Some("+4930111222"));
        assert!(parties.privacy);
        assert_eq!(parties.caller_name, None);
    }

    #[test]
    fn a_forwarded_call_names_the_extension_and_drops_a_name_that_is_the_number() {
        let parties = parties(Vendor::Asterisk, "asterisk-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+4915112345678"));
        assert_eq!(parties.caller_name, None);
        let original = parties.original_called.expect("a forwarded call");
        assert_eq!(original.entered(), "2001");
        assert_eq!(parties.redirect_reason.as_deref(), Some("unconditional"));
    }

    #[test]
    fn remote_party_id_names_the_caller_when_from_carries_the_trunk_account() {
        let parties = parties(Vendor::Asterisk, "asterisk-rpid.sip");
        assert_eq!(parties.caller.entered(), "2002");
        assert_eq!(parties.caller_name.as_deref(), Some("Bob Becker"));
        let profile = Profile::for_vendor(Vendor::Asterisk);
        let request = invite("asterisk-rpid.sip");
        let from_only = inbound_parties(&profile, CallerIdSource::From, &request, germany())
            .expect("a called number");
        assert_eq!(from_only.caller.entered(), "sbtrunk");
    }
}
