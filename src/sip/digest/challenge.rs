//! A `WWW-Authenticate` / `Proxy-Authenticate` Digest challenge: printed by
//! our server, parsed when a PBX or a trunk challenges us.

use std::fmt;

use super::params::{Params, push_quoted};
use super::{Algorithm, DigestError, Qop};

/// One Digest challenge. A 401/407 may carry several, one per algorithm, in
/// the server's order of preference (RFC 8760 §2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: Algorithm,
    /// `Some(Auth)` when `qop="auth"` is offered (always, from us); `None` is
    /// the RFC 2069 form some old PBXs still send.
    pub qop: Option<Qop>,
    /// Echoed back untouched by the client; we never send one, as the nonce
    /// already carries all the state we need.
    pub opaque: Option<String>,
    /// The previous request's nonce had expired but its digest was right:
    /// the client may retry with the new nonce without asking the user.
    pub stale: bool,
}

/// Reads one challenge. Fails when it is not Digest, lacks realm or nonce,
/// names an algorithm we do not speak, or offers a qop list without `auth`
/// (the caller then tries the next challenge of the response).
pub fn parse_challenge(value: &str) -> Result<Challenge, DigestError> {
    let params = Params::parse(value)?;
    let algorithm = match params.value("algorithm") {
        Some(name) => name.parse()?,
        None => Algorithm::Md5,
    };
    let qop = match params.value("qop") {
        None => None,
        Some(list) => {
            let offers_auth = list
                .split(',')
                .any(|item| item.trim().eq_ignore_ascii_case(Qop::Auth.as_str()));
            if !offers_auth {
                return Err(DigestError::UnsupportedQop(list.to_owned()));
            }
            Some(Qop::Auth)
        }
    };
    Ok(Challenge {
        realm: params.required("realm")?.to_owned(),
        nonce: params.required("nonce")?.to_owned(),
        algorithm,
        qop,
        opaque: params.value("opaque").map(str::to_owned),
        stale: params
            .value("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true")),
    })
}

impl fmt::Display for Challenge {
    /// The header value: `Digest realm="..", nonce="..", algorithm=SHA-256, qop="auth"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("Digest ");
        push_quoted(&mut out, "realm", &self.realm);
        out.push_str(", ");
        push_quoted(&mut out, "nonce", &self.nonce);
        if let Some(opaque) = &self.opaque {
            out.push_str(", ");
            push_quoted(&mut out, "opaque", opaque);
        }
        out.push_str(", algorithm=");
        out.push_str(self.algorithm.as_str());
        if let Some(qop) = self.qop {
            out.push_str(", ");
            push_quoted(&mut out, "qop", qop.as_str());
        }
        if self.stale {
            out.push_str(", stale=true");
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7616_challenge_is_read_and_auth_chosen_over_auth_int() {
        let challenge = parse_challenge(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
             algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        )
        .unwrap();
        assert_eq!(challenge.realm, "http-auth@example.org");
        assert_eq!(challenge.algorithm, Algorithm::Sha256);
        assert_eq!(challenge.qop, Some(Qop::Auth));
        assert_eq!(
            challenge.nonce,
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
        );
        assert!(!challenge.stale);
    }

    #[test]
    fn printed_challenge_parses_back_to_itself() {
        let challenge = Challenge {
            realm: "sip.example.com".into(),
            nonce: "abc".into(),
            algorithm: Algorithm::Sha256,
            qop: Some(Qop::Auth),
            opaque: Some("o\"paque".into()),
            stale: true,
        };
        let printed = challenge.to_string();
        assert_eq!(
            printed,
            "Digest realm=\"sip.example.com\", nonce=\"abc\", opaque=\"o\\\"paque\", \
             algorithm=SHA-256, qop=\"auth\", stale=true"
        );
        assert_eq!(parse_challenge(&printed).unwrap(), challenge);
    }

    #[test]
    fn legacy_challenge_without_qop_defaults_to_md5() {
        let challenge = parse_challenge("Digest realm=\"pbx\", nonce=\"n1\"").unwrap();
        assert_eq!(challenge.algorithm, Algorithm::Md5);
        assert_eq!(challenge.qop, None);
    }

    #[test]
    fn unanswerable_challenges_are_refused() {
        assert_eq!(
            parse_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess").unwrap_err(),
            DigestError::UnsupportedAlgorithm("MD5-sess".into())
        );
        assert_eq!(
            parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"").unwrap_err(),
            DigestError::UnsupportedQop("auth-int".into())
        );
        assert_eq!(
            parse_challenge("Digest realm=\"r\"").unwrap_err(),
            DigestError::Missing("nonce")
        );
    }
}
