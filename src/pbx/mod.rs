//! Trunk profiles: what each PBX or carrier vendor really sends on a SIP
//! trunk, and how it wants identity presented back to it. Pure: no sockets,
//! no clock, nothing that can panic on what arrives from the network.
//!
//! A [`Profile`] is picked with [`Profile::for_vendor`] and holds the
//! defaults a trunk's configuration may override field by field:
//! where the caller's number is read from ([`CallerIdSource`]), where the
//! called number (the DID) is read from ([`CalledSource`]), which redirect
//! header the vendor fills, the DTMF mode, the OPTIONS keep-alive, whether
//! the vendor wants `;user=phone`, whether it reads P-Asserted-Identity or
//! Remote-Party-ID, and the number format it expects.
//!
//! - [`inbound_parties`] turns an incoming INVITE into its [`Parties`]:
//!   caller, called, original called with the redirect reason, display name
//!   and privacy.
//! - [`outbound_identity`], [`dialled_user`] and [`request_uri`] say how to
//!   present our side on a call we place towards the vendor.
//!
//! - [`trunks`]: the configured trunks (a profile, peers, allow-list,
//!   transport, codecs, registration), which trunk a request comes from,
//!   and the OPTIONS keep-alive and registration machines.
//!
//! One module per vendor ([`avaya`], [`cisco`], [`panasonic`], [`lg`],
//! [`asterisk`], [`generic`]) documents what that vendor sends, with
//! sources, and tests it against the sample messages in `fixtures/pbx/`.
//! The samples are composed from the vendors' documentation and public
//! traces; they are not captures from a live system.

mod address;
#[cfg(test)]
mod fixtures;
mod inbound;
mod number;
mod outbound;
mod redirect;

pub mod asterisk;
pub mod avaya;
pub mod cisco;
pub mod generic;
pub mod lg;
pub mod panasonic;
pub mod trunks;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use inbound::{Parties, inbound_parties};
pub use number::Number;
pub use outbound::{dialled_user, outbound_identity, request_uri};

/// The vendor at the far end of a trunk (config: lower-case names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Avaya Aura (Communication Manager behind Session Manager) and IP Office.
    Avaya,
    /// Cisco Unified CM and CUBE.
    Cisco,
    /// Panasonic KX-NS / KX-TDE / KX-NCP with the virtual SIP trunk card.
    Panasonic,
    /// LG-Ericsson / Ericsson-LG iPECS.
    Lg,
    /// Asterisk and FreePBX (chan_pjsip, older chan_sip).
    Asterisk,
    /// Any standards-following PBX or carrier trunk.
    Generic,
}

/// Where the caller's number is read from (config: `auto`, `pai`, `rpid`,
/// `from`). A named header that is absent or unusable falls back to From,
/// which every INVITE carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallerIdSource {
    /// The vendor's own order of preference ([`Profile::caller_id_order`]).
    #[default]
    Auto,
    /// P-Asserted-Identity (RFC 3325).
    Pai,
    /// Remote-Party-ID (draft-ietf-sip-privacy-04, still sent by Cisco).
    Rpid,
    /// The From header only.
    From,
}

/// One header that can carry the calling identity, in a profile's `auto`
/// order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityHeader {
    PAssertedIdentity,
    PPreferredIdentity,
    RemotePartyId,
    From,
}

/// Which part of the INVITE names the called number (the DID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalledSource {
    /// The Request-URI user part, as RFC 3261 routes on it.
    RequestUri,
    /// The To user part: trunks registered with an account name put that
    /// account in the Request-URI and the DID in To. A retargeted call
    /// (Diversion or History-Info present) still uses the Request-URI, since
    /// To then keeps the number first dialled.
    To,
}

/// The header a vendor fills when a call was forwarded or diverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectHeader {
    /// Diversion (RFC 5806).
    Diversion,
    /// History-Info (RFC 7044) with RFC 4458 `cause` values.
    HistoryInfo,
}

/// How DTMF digits travel (config: `rfc4733`, `info`, `inband`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DtmfMode {
    /// RTP telephone-event packets (RFC 4733, formerly RFC 2833).
    Rfc4733,
    /// SIP INFO requests.
    Info,
    /// Tones inside the audio.
    Inband,
}

/// The identity header we send on calls towards the vendor
/// (config: `pai`, `rpid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssertedIdentity {
    Pai,
    Rpid,
}

/// The number format the vendor expects in the numbers we send
/// (config: `e164`, `national`, `as_dialled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberFormat {
    /// `+4930123456`.
    E164,
    /// The national form with its trunk prefix, digits only: `030123456`.
    National,
    /// The digits as the agent or the dialplan wrote them.
    AsDialled,
}

/// A vendor's trunk behaviour. Fields are public so that a trunk's
/// configuration can override any default:
/// `Profile { dtmf: DtmfMode::Info, ..Profile::for_vendor(Vendor::Cisco) }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub vendor: Vendor,
    /// The headers `CallerIdSource::Auto` tries, first match wins.
    pub caller_id_order: &'static [IdentityHeader],
    pub called_from: CalledSource,
    /// The redirect headers tried, first one that names a number wins.
    pub redirect_order: [RedirectHeader; 2],
    pub dtmf: DtmfMode,
    /// How often we send OPTIONS to the trunk; `None` sends none.
    pub options_interval: Option<Duration>,
    /// Whether our SIP URIs carrying a telephone number get `;user=phone`.
    pub user_phone: bool,
    pub identity_header: AssertedIdentity,
    pub number_format: NumberFormat,
    /// Headers whose value ties the call to the vendor's own records
    /// (CDR, CTI), first one present wins.
    pub correlation_headers: &'static [&'static str],
}

impl Profile {
    pub fn for_vendor(vendor: Vendor) -> Profile {
        match vendor {
            Vendor::Avaya => avaya::profile(),
            Vendor::Cisco => cisco::profile(),
            Vendor::Panasonic => panasonic::profile(),
            Vendor::Lg => lg::profile(),
            Vendor::Asterisk => asterisk::profile(),
            Vendor::Generic => generic::profile(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("the INVITE names no called number in its Request-URI or To header")]
    NoCalledNumber,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct TrunkConfig {
        vendor: Vendor,
        caller_id: CallerIdSource,
        dtmf: DtmfMode,
        number_format: NumberFormat,
        identity: AssertedIdentity,
        called_from: CalledSource,
    }

    #[test]
    fn trunk_settings_read_from_config_by_their_lower_case_names() {
        let config: TrunkConfig = toml::from_str(
            "vendor = \"lg\"\ncaller_id = \"rpid\"\ndtmf = \"rfc4733\"\n\
             number_format = \"as_dialled\"\nidentity = \"pai\"\ncalled_from = \"to\"\n",
        )
        .expect("the sample config is valid");
        assert_eq!(config.vendor, Vendor::Lg);
        assert_eq!(config.caller_id, CallerIdSource::Rpid);
        assert_eq!(config.dtmf, DtmfMode::Rfc4733);
        assert_eq!(config.number_format, NumberFormat::AsDialled);
        assert_eq!(config.identity, AssertedIdentity::Pai);
        assert_eq!(config.called_from, CalledSource::To);
    }

    #[test]
    fn an_unknown_vendor_name_is_a_config_error() {
        let parsed: Result<TrunkConfig, _> = toml::from_str(
            "vendor = \"nortel\"\ncaller_id = \"auto\"\ndtmf = \"info\"\n\
             number_format = \"e164\"\nidentity = \"rpid\"\ncalled_from = \"request_uri\"\n",
        );
        assert!(parsed.is_err());
    }

    #[test]
    fn each_vendor_gets_its_own_profile() {
        for vendor in [
            Vendor::Avaya,
            Vendor::Cisco,
            Vendor::Panasonic,
            Vendor::Lg,
            Vendor::Asterisk,
            Vendor::Generic,
        ] {
            let profile = Profile::for_vendor(vendor);
            assert_eq!(profile.vendor, vendor);
            assert!(!profile.caller_id_order.is_empty());
        }
    }

    #[test]
    fn a_trunk_overrides_one_default_and_keeps_the_rest() {
        let cisco = Profile::for_vendor(Vendor::Cisco);
        let trunk = Profile {
            dtmf: DtmfMode::Info,
            ..cisco.clone()
        };
        assert_eq!(trunk.dtmf, DtmfMode::Info);
        assert_eq!(trunk.identity_header, cisco.identity_header);
    }
}
