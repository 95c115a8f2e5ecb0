//! An `Authorization` / `Proxy-Authorization` Digest value: parsed when a
//! phone answers our challenge, built by [`answer`] when we answer a PBX's.

use std::fmt;

use super::params::{Params, push_quoted};
use super::{Algorithm, Challenge, DigestError, Qop, request_digest};

/// One Digest answer to a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    /// The digest-uri the client hashed; comparing it with the Request-URI
    /// is the caller's business, as proxies may rewrite the latter.
    pub uri: String,
    /// The request-digest, raw bytes (`algorithm.output_len()` of them).
    pub response: Vec<u8>,
    pub algorithm: Algorithm,
    /// The `qop=auth` fields; `None` is the RFC 2069 form.
    pub qop: Option<QopAnswer>,
    pub opaque: Option<String>,
}

/// The client's half of `qop=auth`: its nonce and how many requests it has
/// sent with the server's nonce so far (starting at 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QopAnswer {
    pub cnonce: String,
    pub nc: u32,
}

/// Reads a Digest `Authorization` / `Proxy-Authorization` value. Never
/// panics: any input either parses or names what is wrong with it.
pub fn parse_credentials(value: &str) -> Result<Credentials, DigestError> {
    let params = Params::parse(value)?;
    if params
        .value("userhash")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(DigestError::UserhashUnsupported);
    }
    let algorithm = match params.value("algorithm") {
        Some(name) => name.parse()?,
        None => Algorithm::Md5,
    };
    let response = hex::decode(params.required("response")?)
        .ok()
        .filter(|bytes| bytes.len() == algorithm.output_len())
        .ok_or(DigestError::InvalidResponse)?;
    Ok(Credentials {
        username: params.required("username")?.to_owned(),
        realm: params.required("realm")?.to_owned(),
        nonce: params.required("nonce")?.to_owned(),
        uri: params.required("uri")?.to_owned(),
        response,
        algorithm,
        qop: qop_answer(&params)?,
        opaque: params.value("opaque").map(str::to_owned),
    })
}

/// Answers a challenge: the credentials to send in `Authorization` (after a
/// 401) or `Proxy-Authorization` (after a 407). The caller supplies the
/// cnonce (random, from its own entropy) and counts `nc` per nonce from 1.
pub fn answer(
    challenge: &Challenge,
    method: &str,
    uri: &str,
    username: &str,
    password: &str,
    cnonce: &str,
    nc: u32,
) -> Credentials {
    let algorithm = challenge.algorithm;
    let ha1 = algorithm.hex_hash(&[username, &challenge.realm, password]);
    let qop = challenge.qop.map(|Qop::Auth| QopAnswer {
        cnonce: cnonce.to_owned(),
        nc,
    });
    let response = request_digest(algorithm, &ha1, &challenge.nonce, method, uri, qop.as_ref());
    Credentials {
        username: username.to_owned(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: uri.to_owned(),
        response,
        algorithm,
        qop,
        opaque: challenge.opaque.clone(),
    }
}

/// `qop`, `nc` and `cnonce` belong together: with `qop=auth` both others are
/// required; without `qop` they are meaningless and ignored.
fn qop_answer(params: &Params) -> Result<Option<QopAnswer>, DigestError> {
    let Some(qop) = params.value("qop") else {
        return Ok(None);
    };
    if !qop.eq_ignore_ascii_case(Qop::Auth.as_str()) {
        return Err(DigestError::UnsupportedQop(qop.to_owned()));
    }
    let nc = params.required("nc")?;
    let nc = Some(nc)
        .filter(|nc| nc.len() == 8 && nc.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|nc| u32::from_str_radix(nc, 16).ok())
        .filter(|&nc| nc > 0)
        .ok_or(DigestError::InvalidNonceCount)?;
    let cnonce = params.required("cnonce")?;
    if cnonce.is_empty() {
        return Err(DigestError::Missing("cnonce"));
    }
    Ok(Some(QopAnswer {
        cnonce: cnonce.to_owned(),
        nc,
    }))
}

impl fmt::Display for Credentials {
    /// The header value, fields in the order RFC 7616's examples use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("Digest ");
        push_quoted(&mut out, "username", &self.username);
        out.push_str(", ");
        push_quoted(&mut out, "realm", &self.realm);
        out.push_str(", ");
        push_quoted(&mut out, "uri", &self.uri);
        out.push_str(", algorithm=");
        out.push_str(self.algorithm.as_str());
        out.push_str(", ");
        push_quoted(&mut out, "nonce", &self.nonce);
        if let Some(qop) = &self.qop {
            out.push_str(&format!(", nc={:08x}, ", qop.nc));
            push_quoted(&mut out, "cnonce", &qop.cnonce);
            out.push_str(", qop=");
            out.push_str(Qop::Auth.as_str());
        }
        out.push_str(", ");
        push_quoted(&mut out, "response", &hex::encode(&self.response));
        if let Some(opaque) = &self.opaque {
            out.push_str(", ");
            push_quoted(&mut out, "opaque", opaque);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::digest::parse_challenge;

    #[test]
    fn rfc_2617_md5_example_gives_its_response() {
        let challenge = parse_challenge(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        let ours = answer(
            &challenge,
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle Of Life",
            "0a4f113b",
            1,
        );
        assert_eq!(
            hex::encode(&ours.response),
            "6629fae49393a05397450978507c4ef1"
        );

        let theirs = parse_credentials(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", \
             qop=auth, nc=00000001, cnonce=\"0a4f113b\", \
             response=\"6629fae49393a05397450978507c4ef1\", \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn rfc_7616_examples_give_their_responses_for_sha256_and_md5() {
        let header = |algorithm: &str| {
            format!(
                "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
                 algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
                 opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
            )
        };
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        for (algorithm, expected) in [
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            let challenge = parse_challenge(&header(algorithm)).unwrap();
            let ours = answer(
                &challenge,
                "GET",
                "/dir/index.html",
                "Mufasa",
                "Circle of Life",
                cnonce,
                1,
            );
            assert_eq!(hex::encode(&ours.response), expected, "{algorithm}");
            assert_eq!(parse_credentials(&ours.to_string()).unwrap(), ours);
        }
    }

    const VALID: &str = "Digest username=\"alice\", realm=\"sip.example.com\", uri=\"sip:x\", \
         algorithm=MD5, nonce=\"abc\", nc=00000001, cnonce=\"c\", qop=auth, \
         response=\"6629fae49393a05397450978507c4ef1\"";

    #[test]
    fn malformed_credentials_are_errors_not_panics() {
        let long = format!("Digest username=\"{}\"", "a".repeat(100_000));
        let cases = [
            "",
            "   ",
            "Digest",
            "Digest ",
            "Digest username",
            "Digest username=",
            "Digest username=\"alice",
            "Digest username=\"alice\\",
            "Digest =\"alice\"",
            "Digest username \"alice\"",
            "Digest username=\"a\" realm=\"b\"",
            "Digest username=ålice",
            "Dígest username=\"a\"",
            "Digest username=\"a\"\u{0}",
            "Digest username=\"a\", username=\"b\"",
            "Basic YWxpY2U6cGFzcw==",
            &long,
            &VALID.replace("nc=00000001", "nc=1"),
            &VALID.replace("nc=00000001", "nc=00000000"),
            &VALID.replace("nc=00000001", "nc=0000000g"),
            &VALID.replace("nc=00000001", "nc=+0000001"),
            &VALID.replace("qop=auth", "qop=auth-int"),
            &VALID.replace("MD5", "MD5-sess"),
            &VALID.replace("6629fae4", "6629fae"),
            &VALID.replace("6629fae4", "zz29fae4"),
            &VALID.replace(", cnonce=\"c\"", ""),
            &VALID.replace("cnonce=\"c\"", "cnonce=\"\""),
            &VALID.replace("uri=\"sip:x\", ", ""),
            &format!("{VALID}, userhash=true"),
        ];
        for case in cases {
            assert!(parse_credentials(case).is_err(), "accepted: {case:.80}");
            assert!(
                parse_challenge(case).is_err() || case.contains("nonce"),
                "{case:.80}"
            );
        }
        assert!(parse_credentials(VALID).is_ok());
        assert!(parse_credentials(&format!("{VALID}, future-param=\"x\", other=tok")).is_ok());
    }

    #[test]
    fn arbitrary_mutations_of_a_valid_header_never_panic() {
        let alphabet: Vec<char> = "\"\\=, \t\r\nabcDIGEST0123-é\u{0}\u{7f}🎧"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..20_000 {
            let mut chars: Vec<char> = VALID.chars().collect();
            for _ in 0..1 + next(4) {
                let at = next(chars.len() + 1);
                match next(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at < chars.len() => chars[at] = alphabet[next(alphabet.len())],
                    _ => chars.insert(at, alphabet[next(alphabet.len())]),
                }
            }
            let mutated: String = chars.into_iter().collect();
            let _ = parse_credentials(&mutated);
            let _ = parse_challenge(&mutated);
            for end in (0..mutated.len())
                .filter(|&i| mutated.is_char_boundary(i))
                .step_by(17)
            {
                let _ = parse_credentials(&mutated[..end]);
            }
        }
    }
}
