//! Signed requests from other agencies' systems to the exchange service (contract):
//!
//! - `X-FRT-Key`: the client's key id;
//! - `X-FRT-Timestamp`: Unix seconds;
//! - `X-FRT-Signature`: lowercase hex of HMAC-SHA256(secret, METHOD + "\n" + path with query +
//!   "\n" + timestamp + "\n" + lowercase hex SHA-256 of the body).
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
}
