//! SIP digest authentication (RFC 3261 §22 with RFC 7616 and RFC 8760): the
//! algorithms, the stored HA1 values, the header parser and printer, the
//! server that challenges and verifies, and the client that answers.
//!
//! - [`Digest`] is the server side: it issues challenges with stateless,
//!   MACed nonces and verifies `Authorization` / `Proxy-Authorization`
//!   values, remembering only the highest nonce-count seen per nonce in use.
//! - [`answer`] is the client side, for registering to a PBX or answering a
//!   trunk's 401/407.
//!
//! Only `qop=auth` is spoken. `auth-int` would need the message body, and the
//! RFC 2069 form without `qop` is refused by the server (see [`Reason::QopRequired`]).

mod challenge;
mod credentials;
mod nonce;
mod params;
mod server;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use sha2::Sha256;

pub use challenge::{Challenge, parse_challenge};
pub use credentials::{Credentials, QopAnswer, answer, parse_credentials};
pub use server::{Digest, DigestConfig, Reason, Verdict};

/// The hash behind a digest. The `-sess` variants are not offered: they
/// protect nothing SIP needs and few phones implement them correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Md5,
    Sha256,
}

/// The quality of protection. Only `auth` exists here: `auth-int` hashes the
/// body, which registrations and INVITE authentication have no use for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    Auth,
}

/// What a SIP account stores instead of its password: HA1 =
/// H(username:realm:password) for each algorithm, in lower-case hex. Either
/// is enough to impersonate the account in its realm, so Debug hides them.
#[derive(Clone, PartialEq, Eq)]
pub struct Ha1Set {
    pub md5: String,
    pub sha256: String,
}

/// Why a digest header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("header value longer than {0} bytes")]
    TooLong(usize),
    #[error("not a Digest header")]
    NotDigest,
    #[error("syntax error at byte {0}")]
    Syntax(usize),
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    #[error("parameter {0} given twice")]
    Duplicate(String),
    #[error("parameter {0} missing")]
    Missing(&'static str),
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("unsupported qop {0}")]
    UnsupportedQop(String),
    #[error("hashed usernames (userhash) are not supported")]
    UserhashUnsupported,
    #[error("nonce count must be 8 hex digits, not zero")]
    InvalidNonceCount,
    #[error("response is not a hex digest of the algorithm's length")]
    InvalidResponse,
}

impl Algorithm {
    /// The preference order of our challenges (RFC 8760 §2.4: strongest first).
    pub const PREFERENCE: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Md5];

    /// The default challenge order: MD5 first. RFC 8760 lets a client pick
    /// any offered challenge, but SIPp 3.6 and JsSIP read only the first
    /// WWW-Authenticate and know only MD5, and so do many desk phones;
    /// clients that read them all still find SHA-256 second.
    pub const COMPATIBLE_ORDER: [Algorithm; 2] = [Algorithm::Md5, Algorithm::Sha256];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// Bytes in one digest of this algorithm.
    pub fn output_len(self) -> usize {
        match self {
            Algorithm::Md5 => 16,
            Algorithm::Sha256 => 32,
        }
    }

    /// H(a:b:c...), raw bytes.
    fn hash(self, parts: &[&str]) -> Vec<u8> {
        match self {
            Algorithm::Md5 => hash_parts::<Md5>(parts),
            Algorithm::Sha256 => hash_parts::<Sha256>(parts),
        }
    }

    /// H(a:b:c...) as the lower-case hex the protocol feeds into the next hash.
    fn hex_hash(self, parts: &[&str]) -> String {
        hex::encode(self.hash(parts))
    }
}

impl Qop {
    pub fn as_str(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
        }
    }
}

impl Ha1Set {
    /// Computes both HA1 values from the password the user chose; the
    /// password itself is not kept anywhere.
    pub fn derive(username: &str, realm: &str, password: &str) -> Self {
        let parts = [username, realm, password];
        Self {
            md5: Algorithm::Md5.hex_hash(&parts),
            sha256: Algorithm::Sha256.hex_hash(&parts),
        }
    }

    pub fn for_algorithm(&self, algorithm: Algorithm) -> &str {
        match algorithm {
            Algorithm::Md5 => &self.md5,
            Algorithm::Sha256 => &self.sha256,
        }
    }
}

/// The request-digest: H(HA1:nonce:nc:cnonce:qop:H(method:uri)) with
/// `qop=auth`, or the RFC 2069 H(HA1:nonce:H(method:uri)) without it.
fn request_digest(
    algorithm: Algorithm,
    ha1: &str,
    nonce: &str,
    method: &str,
    uri: &str,
    qop: Option<&QopAnswer>,
) -> Vec<u8> {
    let ha2 = algorithm.hex_hash(&[method, uri]);
    match qop {
        Some(qop) => {
            let nc = format!("{:08x}", qop.nc);
            let parts = [ha1, nonce, &nc, &qop.cnonce, Qop::Auth.as_str(), &ha2];
            algorithm.hash(&parts)
        }
        None => algorithm.hash(&[ha1, nonce, &ha2]),
    }
}

fn hash_parts<H: sha2::Digest>(parts: &[&str]) -> Vec<u8> {
    let mut hasher = H::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part.as_bytes());
    }
    hasher.finalize().to_vec()
}

/// Equality whose running time does not depend on where the inputs differ,
/// so an attacker cannot learn a digest byte by byte from response times.
/// Lengths are public (they follow from the algorithm).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = DigestError;

    /// Case-insensitive (RFC 7616 §3.3); a missing algorithm means MD5, but
    /// that default belongs to the header parsers, not here.
    fn from_str(s: &str) -> Result<Self, DigestError> {
        if s.eq_ignore_ascii_case("MD5") {
            Ok(Algorithm::Md5)
        } else if s.eq_ignore_ascii_case("SHA-256") {
            Ok(Algorithm::Sha256)
        } else {
            Err(DigestError::UnsupportedAlgorithm(s.to_owned()))
        }
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Ha1Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ha1Set { .. }")
    }
}
