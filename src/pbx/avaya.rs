//! Avaya Aura (Communication Manager behind Session Manager) and Avaya IP
//! Office.
//!
//! What Avaya sends on a trunk:
//! - The caller in P-Asserted-Identity with the display name; From carries
//!   the same identity, or RFC 3323's anonymous From with `Privacy: id`
//!   when the caller withholds it. Session Manager turns a Cisco neighbour's
//!   Remote-Party-ID into P-Asserted-Identity on its way to CM, so RPID is
//!   only a fallback here.
//! - History-Info on every call (Session Manager and CM advertise
//!   `histinfo`): `index=1` is the number first dialled. CM coverage (busy,
//!   no answer) adds entries and escapes a `Reason: SIP;cause=486` together
//!   with Avaya's own `Reason: Redirection;cause=NORMAL;avaya-cm-reason=
//!   "cover-busy"` into the entry's URI. Session Manager's Cisco and Verizon
//!   adaptations rewrite History-Info as Diversion, so Diversion is read
//!   second.
//! - `Av-Global-Session-ID`, a UUID that stays the same across every leg of
//!   the call in Session Manager, and `P-Charging-Vector` with an
//!   `icid-value`: both identify the call in Avaya's own records.
//! - The called number in the Request-URI (Session Manager routes on it).
//!
//! What the profile does: reads P-Asserted-Identity, then Remote-Party-ID,
//! then From; History-Info before Diversion; the Request-URI for the DID;
//! `Av-Global-Session-ID` (else the ICID) as correlation. Towards Avaya it
//! asserts identity with P-Asserted-Identity, sends E.164 numbers, RFC 4733
//! DTMF (CM's "out-of-band" DTMF on SIP signalling groups), and OPTIONS every
//! 900 s, Session Manager's default proactive monitoring cycle, so that both
//! ends notice a dead link at the same pace.
//!
//! Sources: *Administering Avaya Aura Session Manager* 6.1, "Adaptations"
//! (History-Info with escaped Reason values, RPID to PAI adaptation, the
//! Cisco and Verizon History-Info to Diversion adapters) and "SIP Entity
//! Monitoring" (900 s proactive, 120 s reactive); Avaya DevConnect
//! application notes for SIP trunking with CM and Session Manager; public
//! Avaya Aura traces carrying `Av-Global-Session-ID` and
//! `P-Charging-Vector: icid-value="AAS:..."`.

use std::time::Duration;

use super::{
    AssertedIdentity, CalledSource, DtmfMode, IdentityHeader, NumberFormat, Profile,
    RedirectHeader, Vendor,
};

pub(super) fn profile() -> Profile {
    Profile {
        vendor: Vendor::Avaya,
        caller_id_order: &[
            IdentityHeader::PAssertedIdentity,
            IdentityHeader::RemotePartyId,
            IdentityHeader::From,
        ],
        called_from: CalledSource::RequestUri,
        redirect_order: [RedirectHeader::HistoryInfo, RedirectHeader::Diversion],
        dtmf: DtmfMode::Rfc4733,
        options_interval: Some(Duration::from_secs(900)),
        user_phone: false,
        identity_header: AssertedIdentity::Pai,
        number_format: NumberFormat::E164,
        correlation_headers: &["Av-Global-Session-ID", "P-Charging-Vector"],
    }
}

#[cfg(test)]
mod tests {
    use crate::pbx::Vendor;
    use crate::pbx::fixtures::parties;

    #[test]
    fn a_plain_call_names_the_asserted_caller_and_the_did() {
        let parties = parties(Vendor::Avaya, "avaya-plain.sip");
        assert_eq!(parties.caller.e164(), Some("+4930123456"));
        assert_eq!(parties.caller_name.as_deref(), Some("Erika Mustermann"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        assert_eq!(parties.original_called, None);
        assert_eq!(parties.redirect_reason, None);
        assert!(!parties.privacy);
        assert_eq!(
            parties.correlation_id.as_deref(),
            Some("5d2e8f40-1c7a-11ef-9a31-00505694c1de")
        );
        assert!(parties.unreadable_headers.is_empty());
    }

    #[test]
    fn coverage_on_busy_names_the_station_first_called_and_why() {
        let parties = parties(Vendor::Avaya, "avaya-forwarded.sip");
        assert_eq!(parties.caller.e164(), Some("+4940987654"));
        assert_eq!(parties.called.e164(), Some("+4930555000"));
        let original = parties.original_called.expect("a forwarded call");
        assert_eq!(original.e164(), Some("+49305552001"));
        assert_eq!(parties.redirect_reason.as_deref(), Some("user-busy"));
    }

    #[test]
    fn a_withheld_caller_keeps_the_asserted_number_marked_private() {
        let parties = parties(Vendor::Avaya, "avaya-private.sip");
        assert_eq!(parties.caller.e164(), Some("+4989765432"));
        assert!(parties.privacy);
        assert_eq!(parties.caller_name, None);
    }
}
