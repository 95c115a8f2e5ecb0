//! Digest as a phone sees our server: challenge → answer → verify
//! exchanges in virtual time.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;

const REALM: &str = "sip.example.com";
const KEY: [u8; 32] = [42; 32];

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

/// A server that prefers SHA-256, as RFC 8760 servers may.
fn server() -> Digest {
    Digest::new(DigestConfig {
        offered: Algorithm::PREFERENCE.to_vec(),
        ..DigestConfig::new(REALM, KEY)
    })
}

#[test]
fn the_default_order_puts_md5_first_and_refuses_what_is_not_offered() {
    let default = Digest::new(DigestConfig::new(REALM, KEY));
    let challenges = default.challenge(t0(), [1; 16], false);
    assert_eq!(challenges[0].algorithm, Algorithm::Md5);
    assert_eq!(challenges[1].algorithm, Algorithm::Sha256);
    let mut sha_only = Digest::new(DigestConfig {
        offered: vec![Algorithm::Sha256],
        ..DigestConfig::new(REALM, KEY)
    });
    let credentials = phone_answer(&challenges, Algorithm::Md5, "correct horse", 1);
    assert!(matches!(
        sha_only.verify(t0(), "REGISTER", &credentials, Some(&alice())),
        Verdict::Rejected(Reason::Malformed(DigestError::UnsupportedAlgorithm(_)))
    ));
}

fn alice() -> Ha1Set {
    Ha1Set::derive("alice", REALM, "correct horse")
}

/// A phone answering the first challenge of `algorithm` with `password`.
fn phone_answer(
    challenges: &[Challenge],
    algorithm: Algorithm,
    password: &str,
    nc: u32,
) -> Credentials {
    let challenge = challenges
        .iter()
        .find(|c| c.algorithm == algorithm)
        .unwrap();
    // Over the wire and back, as the registrar will see it.
    let challenge = parse_challenge(&challenge.to_string()).unwrap();
    let sent = answer(
        &challenge,
        "REGISTER",
        "sip:sip.example.com",
        "alice",
        password,
        "c0ffee",
        nc,
    );
    parse_credentials(&sent.to_string()).unwrap()
}

#[test]
fn ha1_is_the_hash_of_user_realm_and_password_and_stays_out_of_logs() {
    let set = Ha1Set::derive("Mufasa", "testrealm@host.com", "Circle Of Life");
    assert_eq!(set.md5, "939e7578ed9e3c518a452acee763bce9");
    let set = Ha1Set::derive("Mufasa", "http-auth@example.org", "Circle of Life");
    assert_eq!(
        set.sha256,
        "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232"
    );
    assert!(!format!("{set:?}").contains("7987"));
}

#[test]
fn algorithm_names_read_in_any_case_and_sess_variants_are_refused() {
    assert_eq!("md5".parse::<Algorithm>(), Ok(Algorithm::Md5));
    assert_eq!("sha-256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
    assert_eq!(Algorithm::Sha256.to_string(), "SHA-256");
    for refused in ["MD5-sess", "SHA-256-sess", "SHA-512-256", ""] {
        assert_eq!(
            refused.parse::<Algorithm>(),
            Err(DigestError::UnsupportedAlgorithm(refused.into()))
        );
    }
}

#[test]
fn challenges_offer_sha256_then_md5_with_one_nonce() {
    let challenges = server().challenge(t0(), [1; 16], false);
    let algorithms: Vec<_> = challenges.iter().map(|c| c.algorithm).collect();
    assert_eq!(algorithms, [Algorithm::Sha256, Algorithm::Md5]);
    assert_eq!(challenges[0].nonce, challenges[1].nonce);
    let printed = challenges[0].to_string();
    assert!(printed.starts_with("Digest realm=\"sip.example.com\", nonce=\""));
    assert!(printed.ends_with(", algorithm=SHA-256, qop=\"auth\""));
    let stale = server().challenge(t0(), [1; 16], true);
    assert!(
        stale[1]
            .to_string()
            .ends_with("algorithm=MD5, qop=\"auth\", stale=true")
    );
}

#[test]
fn phone_with_the_right_password_is_accepted_with_either_algorithm() {
    for algorithm in Algorithm::PREFERENCE {
        let mut server = server();
        let challenges = server.challenge(t0(), [2; 16], false);
        let credentials = phone_answer(&challenges, algorithm, "correct horse", 1);
        assert_eq!(
            server.verify(t0(), "REGISTER", &credentials, Some(&alice())),
            Verdict::Accepted {
                username: "alice".into()
            },
            "{algorithm}"
        );
    }
}

#[test]
fn wrong_password_and_unknown_user_get_the_same_verdict() {
    let mut server = server();
    let challenges = server.challenge(t0(), [3; 16], false);
    let wrong = phone_answer(&challenges, Algorithm::Sha256, "battery staple", 1);
    let wrong_password = server.verify(t0(), "REGISTER", &wrong, Some(&alice()));
    let right = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
    let unknown_user = server.verify(t0(), "REGISTER", &right, None);
    assert_eq!(wrong_password, Verdict::Rejected(Reason::BadCredentials));
    assert_eq!(unknown_user, wrong_password);
}

#[test]
fn unknown_user_cannot_pass_with_a_digest_made_from_an_all_zero_ha1() {
    let mut server = server();
    let challenges = server.challenge(t0(), [3; 16], false);
    let mut forged = phone_answer(&challenges, Algorithm::Md5, "anything", 1);
    let zeros = "0".repeat(32);
    let qop = forged.qop.clone();
    forged.response = request_digest(
        Algorithm::Md5,
        &zeros,
        &forged.nonce,
        "REGISTER",
        &forged.uri,
        qop.as_ref(),
    );
    assert_eq!(
        server.verify(t0(), "REGISTER", &forged, None),
        Verdict::Rejected(Reason::BadCredentials)
    );
}

#[test]
fn digest_for_another_method_is_refused() {
    let mut server = server();
    let challenges = server.challenge(t0(), [4; 16], false);
    let credentials = phone_answer(&challenges, Algorithm::Md5, "correct horse", 1);
    assert_eq!(
        server.verify(t0(), "INVITE", &credentials, Some(&alice())),
        Verdict::Rejected(Reason::BadCredentials)
    );
}

#[test]
fn expired_nonce_is_stale_only_for_the_right_password() {
    let mut server = server();
    let challenges = server.challenge(t0(), [5; 16], false);
    let later = t0() + Duration::from_secs(301);
    let right = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
    let wrong = phone_answer(&challenges, Algorithm::Sha256, "guess", 1);
    assert_eq!(
        server.verify(later, "REGISTER", &wrong, Some(&alice())),
        Verdict::Rejected(Reason::BadCredentials)
    );
    assert_eq!(
        server.verify(later, "REGISTER", &right, Some(&alice())),
        Verdict::Stale
    );
    let in_time = t0() + Duration::from_secs(299);
    assert!(matches!(
        server.verify(in_time, "REGISTER", &right, Some(&alice())),
        Verdict::Accepted { .. }
    ));
}

#[test]
fn forged_and_tampered_nonces_are_rejected() {
    let mut server = server();
    let other_key = Digest::new(DigestConfig::new(REALM, [1; 32]));
    let genuine = server.challenge(t0(), [6; 16], false);
    let mut tampered = genuine.clone();
    // Claim a later issue time to extend the nonce's life.
    let mut bytes = tampered[0].nonce.clone().into_bytes();
    bytes[15] = if bytes[15] == b'f' { b'e' } else { b'f' };
    tampered[0].nonce = String::from_utf8(bytes).unwrap();
    let mut made_up = genuine.clone();
    made_up[0].nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093".into();
    for challenges in [other_key.challenge(t0(), [6; 16], false), tampered, made_up] {
        let credentials = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
        assert_eq!(
            server.verify(t0(), "REGISTER", &credentials, Some(&alice())),
            Verdict::Rejected(Reason::ForgedNonce)
        );
    }
}

#[test]
fn replayed_count_is_rejected_and_rising_counts_are_accepted() {
    let mut server = server();
    let challenges = server.challenge(t0(), [7; 16], false);
    let first = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
    let verify = |server: &mut Digest, credentials: &Credentials| {
        server.verify(t0(), "REGISTER", credentials, Some(&alice()))
    };
    assert!(matches!(
        verify(&mut server, &first),
        Verdict::Accepted { .. }
    ));
    assert_eq!(
        verify(&mut server, &first),
        Verdict::Rejected(Reason::ReplayedNonceCount)
    );
    // A guess with a higher count must not use the nonce up.
    let guess = phone_answer(&challenges, Algorithm::Sha256, "guess", 5);
    assert_eq!(
        verify(&mut server, &guess),
        Verdict::Rejected(Reason::BadCredentials)
    );
    let second = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 2);
    assert!(matches!(
        verify(&mut server, &second),
        Verdict::Accepted { .. }
    ));
    let third = phone_answer(&challenges, Algorithm::Md5, "correct horse", 3);
    assert!(matches!(
        verify(&mut server, &third),
        Verdict::Accepted { .. }
    ));
    assert_eq!(
        verify(&mut server, &second),
        Verdict::Rejected(Reason::ReplayedNonceCount)
    );
}

#[test]
fn evicted_nonce_answers_stale_and_memory_stays_bounded() {
    let mut config = DigestConfig::new(REALM, KEY);
    config.max_tracked_nonces = 2;
    let mut server = Digest::new(config);
    let mut used = Vec::new();
    for i in 0..4u8 {
        let now = t0() + Duration::from_secs(u64::from(i));
        let challenges = server.challenge(now, [i; 16], false);
        let credentials = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
        assert!(matches!(
            server.verify(now, "REGISTER", &credentials, Some(&alice())),
            Verdict::Accepted { .. }
        ));
        assert!(server.tracked_nonces() <= 2);
        used.push(challenges);
    }
    let now = t0() + Duration::from_secs(5);
    let evicted = phone_answer(&used[0], Algorithm::Sha256, "correct horse", 2);
    assert_eq!(
        server.verify(now, "REGISTER", &evicted, Some(&alice())),
        Verdict::Stale
    );
    let kept = phone_answer(&used[3], Algorithm::Sha256, "correct horse", 2);
    assert!(matches!(
        server.verify(now, "REGISTER", &kept, Some(&alice())),
        Verdict::Accepted { .. }
    ));
}

#[test]
fn wrong_realm_and_missing_qop_are_rejected() {
    let mut server = server();
    let challenges = server.challenge(t0(), [8; 16], false);
    let mut elsewhere = phone_answer(&challenges, Algorithm::Sha256, "correct horse", 1);
    elsewhere.realm = "other.example.com".into();
    assert_eq!(
        server.verify(t0(), "REGISTER", &elsewhere, Some(&alice())),
        Verdict::Rejected(Reason::WrongRealm)
    );

    let mut legacy = challenges[0].clone();
    legacy.qop = None;
    let rfc2069 = answer(
        &legacy,
        "REGISTER",
        "sip:sip.example.com",
        "alice",
        "correct horse",
        "x",
        1,
    );
    assert_eq!(
        server.verify(t0(), "REGISTER", &rfc2069, Some(&alice())),
        Verdict::Rejected(Reason::QopRequired)
    );
}

#[test]
fn verify_header_reports_unreadable_headers_as_malformed() {
    let mut server = server();
    let verdict = server.verify_header(t0(), "REGISTER", "Digest username=\"alice\"", |_| {
        Some(alice())
    });
    assert_eq!(
        verdict,
        Verdict::Rejected(Reason::Malformed(DigestError::Missing("response")))
    );
    let challenges = server.challenge(t0(), [9; 16], false);
    let header = answer(
        &challenges[0],
        "REGISTER",
        "sip:x",
        "alice",
        "correct horse",
        "c",
        1,
    )
    .to_string();
    let verdict = server.verify_header(t0(), "REGISTER", &header, |user| {
        (user == "alice").then(alice)
    });
    assert_eq!(
        verdict,
        Verdict::Accepted {
            username: "alice".into()
        }
    );
}
