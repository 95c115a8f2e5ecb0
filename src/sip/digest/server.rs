//! The registrar's and the INVITE authenticator's side: issue challenges,
//! verify the answers.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::nonce::{self, Count, NonceCounts};
use super::{
    Algorithm, Challenge, Credentials, DigestError, Ha1Set, Qop, constant_time_eq,
    parse_credentials, request_digest,
};

/// Settings of one realm's digest server.
#[derive(Clone)]
pub struct DigestConfig {
    pub realm: String,
    /// Server secret the nonces are MACed with. Nonces issued under another
    /// key (before a restart with a new one) are refused, and the phone
    /// simply takes the new challenge.
    pub key: [u8; 32],
    /// How long a nonce may be used before it answers stale.
    pub nonce_lifetime: Duration,
    /// How many nonces' counts are remembered for replay protection.
    pub max_tracked_nonces: usize,
    /// The algorithms challenged with, in the order of the WWW-Authenticate
    /// headers; answers in any other algorithm are refused.
    pub offered: Vec<Algorithm>,
}

/// The digest server of one realm.
#[derive(Debug)]
pub struct Digest {
    config: DigestConfig,
    /// Highest nonce-count accepted per nonce, the only state nonces need.
    counts: NonceCounts,
}

/// What became of one set of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted {
        username: String,
    },
    /// The digest was right but its nonce has expired or been forgotten:
    /// re-challenge with `stale=true`, the phone retries without the user.
    Stale,
    Rejected(Reason),
}

/// Why credentials were refused. An unknown username and a wrong password
/// are the same [`Reason::BadCredentials`], so nothing the caller forwards
/// tells a scanner which accounts exist; the caller knows it found no
/// account and can log that itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Wrong password, or no such user.
    BadCredentials,
    /// A nonce-count not above the highest accepted for its nonce: a replay.
    ReplayedNonceCount,
    WrongRealm,
    /// A nonce we did not issue (forged, tampered, or from another key).
    ForgedNonce,
    /// The RFC 2069 form without `qop`. Refused: with neither nc nor cnonce
    /// it cannot be protected against replay, so a captured REGISTER or
    /// INVITE would be good again for the nonce's whole lifetime, and every
    /// SIP phone in use answers `qop="auth"` when offered.
    QopRequired,
    /// The header could not be read at all (see [`Digest::verify_header`]).
    Malformed(DigestError),
}

impl DigestConfig {
    /// A five-minute nonce lifetime and room for 65,536 nonces in use.
    pub fn new(realm: impl Into<String>, key: [u8; 32]) -> Self {
        Self {
            realm: realm.into(),
            key,
            nonce_lifetime: Duration::from_secs(300),
            max_tracked_nonces: 65_536,
            offered: Algorithm::COMPATIBLE_ORDER.to_vec(),
        }
    }
}

impl Digest {
    pub fn new(config: DigestConfig) -> Self {
        let counts = NonceCounts::new(config.max_tracked_nonces);
        Self { config, counts }
    }

    pub fn realm(&self) -> &str {
        &self.config.realm
    }

    /// The challenges for a 401/407, one per offered algorithm in order, all
    /// with the same nonce so a phone may answer any. `entropy` is fresh
    /// random bytes from the caller; issuing stores nothing.
    pub fn challenge(&self, now: DateTime<Utc>, entropy: [u8; 16], stale: bool) -> Vec<Challenge> {
        let nonce = nonce::issue(&self.config.key, &self.config.realm, now, entropy);
        self.config
            .offered
            .iter()
            .map(|&algorithm| Challenge {
                realm: self.config.realm.clone(),
                nonce: nonce.clone(),
                algorithm,
                qop: Some(Qop::Auth),
                opaque: None,
                stale,
            })
            .collect()
    }

    /// Verifies credentials for a request with `method`. `ha1` is the
    /// account's stored HA1 set, `None` when no such user exists: the
    /// verdict and the work done are then those of a wrong password.
    pub fn verify(
        &mut self,
        now: DateTime<Utc>,
        method: &str,
        credentials: &Credentials,
        ha1: Option<&Ha1Set>,
    ) -> Verdict {
        if credentials.realm != self.config.realm {
            return Verdict::Rejected(Reason::WrongRealm);
        }
        if !self.config.offered.contains(&credentials.algorithm) {
            return Verdict::Rejected(Reason::Malformed(DigestError::UnsupportedAlgorithm(
                credentials.algorithm.to_string(),
            )));
        }
        let Some(id) = nonce::open(&self.config.key, &self.config.realm, &credentials.nonce) else {
            return Verdict::Rejected(Reason::ForgedNonce);
        };
        let Some(qop) = &credentials.qop else {
            return Verdict::Rejected(Reason::QopRequired);
        };
        if !self.digest_matches(method, credentials, ha1) {
            return Verdict::Rejected(Reason::BadCredentials);
        }
        // Only now that the client has proven the password may it hear that
        // its nonce is stale (RFC 7616 §3.3), and only now may its count
        // be recorded, so a wrong guess cannot burn a phone's nonce.
        let lifetime_ms = i64::try_from(self.config.nonce_lifetime.as_millis()).unwrap_or(i64::MAX);
        let now_ms = now.timestamp_millis();
        let age_ms = now_ms.saturating_sub(id.issued_ms());
        // A nonce from the future only appears after the clock stepped back;
        // it is treated as expired too rather than living longer.
        if age_ms.saturating_abs() > lifetime_ms {
            return Verdict::Stale;
        }
        match self
            .counts
            .accept(id, qop.nc, now_ms.saturating_sub(lifetime_ms))
        {
            Count::Fresh => Verdict::Accepted {
                username: credentials.username.clone(),
            },
            Count::Replayed => Verdict::Rejected(Reason::ReplayedNonceCount),
            Count::Forgotten => Verdict::Stale,
        }
    }

    /// Parses the header value, looks the user up with `ha1_of(username)`
    /// and verifies: one call for callers that do not need the parsed form.
    pub fn verify_header(
        &mut self,
        now: DateTime<Utc>,
        method: &str,
        header_value: &str,
        ha1_of: impl FnOnce(&str) -> Option<Ha1Set>,
    ) -> Verdict {
        match parse_credentials(header_value) {
            Ok(credentials) => {
                let ha1 = ha1_of(&credentials.username);
                self.verify(now, method, &credentials, ha1.as_ref())
            }
            Err(error) => Verdict::Rejected(Reason::Malformed(error)),
        }
    }

    /// How many nonces' counts are remembered now (bounded by the config).
    pub fn tracked_nonces(&self) -> usize {
        self.counts.len()
    }

    /// Computes the expected digest (from a dummy HA1 for an unknown user,
    /// so both cases cost the same) and compares in constant time.
    fn digest_matches(
        &self,
        method: &str,
        credentials: &Credentials,
        ha1: Option<&Ha1Set>,
    ) -> bool {
        const DUMMY_HA1: &str = "0000000000000000000000000000000000000000000000000000000000000000";
        let algorithm = credentials.algorithm;
        let stored = match ha1 {
            Some(set) => set.for_algorithm(algorithm),
            None => DUMMY_HA1
                .get(..algorithm.output_len() * 2)
                .unwrap_or(DUMMY_HA1),
        };
        let expected = request_digest(
            algorithm,
            stored,
            &credentials.nonce,
            method,
            &credentials.uri,
            credentials.qop.as_ref(),
        );
        constant_time_eq(&expected, &credentials.response) && ha1.is_some()
    }
}

impl fmt::Debug for DigestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestConfig")
            .field("realm", &self.realm)
            .field("key", &"<redacted>")
            .field("nonce_lifetime", &self.nonce_lifetime)
            .field("max_tracked_nonces", &self.max_tracked_nonces)
            .finish()
    }
}
