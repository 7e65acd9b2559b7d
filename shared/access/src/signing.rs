//! Signed requests from other agencies' systems to the exchange service (contract):
//!
//! - `X-FRT-Key`: the client's key id;
//! - `X-FRT-Timestamp`: Unix seconds;
//! - `X-FRT-Signature`: lowercase hex of HMAC-SHA256(secret, METHOD + "\n" + path with query +
//!   "\n" + timestamp + "\n" + lowercase hex SHA-256 of the body);
//! - `X-FRT-Signature-Alg` (optional): `hmac-sha256`, the default, or `hmac-sm3` for the
//!   national suite: HMAC-SM3 over the same text with the body's SM3 in place of its SHA-256.
//!
//! The secret is the text `frtctl exchange clients create` prints, used as the HMAC key as is
//! (its bytes), so that `openssl dgst -sha256 -hmac "$SECRET"` signs the same way.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How far a request's timestamp may be from the service's clock, either way.
pub const WINDOW_SECS: i64 = 300;

/// Lowercase hex of the SHA-256 of a body.
pub fn body_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// The text a request's signature covers.
pub fn canonical(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    canonical_of_digest(method, path_and_query, timestamp, &body_sha256(body))
}

/// As `canonical`, from the body's SHA-256 (lowercase hex) taken while it streamed in.
pub fn canonical_of_digest(
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    body_sha256: &str,
) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{body_sha256}")
}

/// The signature of `canonical` under `secret`: lowercase hex.
pub fn sign(secret: &str, canonical: &str) -> String {
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(canonical.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` (hex) signs `canonical` under `secret`, compared in constant time.
pub fn verify(secret: &str, canonical: &str, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(canonical.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// How a request is signed (`X-FRT-Signature-Alg`): HMAC-SHA256 over the body's SHA-256 (the
/// default, when the header is absent), or HMAC-SM3 over its SM3 (the national suite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlg {
    HmacSha256,
    HmacSm3,
}

impl SignatureAlg {
    /// The header's value (absent: HMAC-SHA256); `None` for one not known.
    pub fn from_header(value: Option<&str>) -> Option<Self> {
        match value.map(str::trim) {
            None | Some("hmac-sha256") => Some(Self::HmacSha256),
            Some("hmac-sm3") => Some(Self::HmacSm3),
            Some(_) => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSm3 => "hmac-sm3",
        }
    }

    fn hash(self) -> crate::suite::HashAlg {
        match self {
            Self::HmacSha256 => crate::suite::HashAlg::Sha256,
            Self::HmacSm3 => crate::suite::HashAlg::Sm3,
        }
    }

    /// Lowercase hex of the body's digest under this algorithm's hash.
    pub fn body_digest(self, body: &[u8]) -> String {
        hex::encode(self.hash().digest(body))
    }

    /// The signature of `canonical` under `secret`: lowercase hex.
    pub fn sign(self, secret: &str, canonical: &str) -> String {
        hex::encode(self.hash().mac(secret.as_bytes(), canonical.as_bytes()))
    }

    /// Whether `signature` (hex) signs `canonical` under `secret`, in constant time.
    pub fn verify(self, secret: &str, canonical: &str, signature: &str) -> bool {
        hex::decode(signature).is_ok_and(|given| {
            self.hash()
                .verify_mac(secret.as_bytes(), canonical.as_bytes(), &given)
        })
    }
}

/// The timestamp as Unix seconds, if it is within the window of `now`.
pub fn fresh(timestamp: &str, now: i64) -> Option<i64> {
    let t: i64 = timestamp.trim().parse().ok()?;
    (t.abs_diff(now) <= WINDOW_SECS.unsigned_abs()).then_some(t)
}

/// A new client's key id (`fx_` and 16 hexadecimal digits) and secret (64 hexadecimal
/// digits, 256 random bits), from the operating system's generator.
pub fn new_credentials() -> (String, String) {
    let mut id = [0u8; 8];
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(&mut secret);
    (format!("fx_{}", hex::encode(id)), hex::encode(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_method_path_time_and_body() {
        let c = canonical(
            "GET",
            "/api/v1/sync/notifications?limit=10",
            "1764633600",
            b"",
        );
        assert_eq!(
            c,
            "GET\n/api/v1/sync/notifications?limit=10\n1764633600\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let s = sign("secret", &c);
        assert_eq!(s.len(), 64);
        assert!(verify("secret", &c, &s));
        assert!(!verify("other", &c, &s));
        let other = canonical(
            "GET",
            "/api/v1/sync/notifications?limit=11",
            "1764633600",
            b"",
        );
        assert!(!verify("secret", &other, &s));
        assert!(!verify("secret", &c, "zz"));
        assert!(!verify("secret", &c, &s[..62]));
    }

    #[test]
    fn timestamps_hold_for_five_minutes_either_way() {
        assert_eq!(fresh("1000", 1000 + 300), Some(1000));
        assert_eq!(fresh("1000", 1000 - 300), Some(1000));
        assert_eq!(fresh("1000", 1301), None);
        assert_eq!(fresh("soon", 1000), None);
        // Far-out values are stale, not an overflow.
        assert_eq!(fresh(&i64::MIN.to_string(), 1000), None);
        assert_eq!(fresh(&i64::MAX.to_string(), -1000), None);
        assert_eq!(fresh("-9223372036854775808", i64::MAX), None);
    }

    #[test]
    fn credentials_are_fresh_each_time() {
        let (k1, s1) = new_credentials();
        let (k2, s2) = new_credentials();
        assert!(k1.starts_with("fx_") && k1.len() == 19);
        assert_eq!(s1.len(), 64);
        assert_ne!((k1, s1), (k2, s2));
    }

    #[test]
    fn hmac_sm3_signs_as_openssl_does_and_only_its_own_algorithm_verifies() {
        // printf 'GET\n/api/v1/sync/notifications\n1700000000\n<SM3 of "">' |
        //   openssl dgst -sm3 -hmac secret
        let alg = SignatureAlg::HmacSm3;
        assert_eq!(
            alg.body_digest(b""),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        );
        let canonical = canonical_of_digest(
            "GET",
            "/api/v1/sync/notifications",
            "1700000000",
            &alg.body_digest(b""),
        );
        let sig = alg.sign("secret", &canonical);
        assert_eq!(
            sig,
            "e1f221121ff80942589d54af00b3e2626b82a8f8e0dc1e1854b32d8b9bced0a9"
        );
        assert!(alg.verify("secret", &canonical, &sig));
        assert!(!SignatureAlg::HmacSha256.verify("secret", &canonical, &sig));
        assert!(!alg.verify("another", &canonical, &sig));
        assert!(!alg.verify("secret", &canonical, "not hex"));
        assert_eq!(
            SignatureAlg::HmacSha256.sign("secret", &canonical),
            sign("secret", &canonical)
        );
        assert_eq!(
            SignatureAlg::from_header(None),
            Some(SignatureAlg::HmacSha256)
        );
        assert_eq!(SignatureAlg::from_header(Some("hmac-sm3")), Some(alg));
        assert_eq!(SignatureAlg::from_header(Some("hmac-md5")), None);
    }
}
