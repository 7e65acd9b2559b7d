//! The second factor of staff logins: time-based one-time codes (RFC 6238: HMAC-SHA1, six
//! digits, 30-second steps, as every authenticator app reads them) from a secret shown once at
//! enrolment as an `otpauth://` URL and its QR code, and ten single-use recovery codes.
//!
//! A code is accepted for the step before, the current step or the one after (clocks drift),
//! and only for a step later than the last one accepted, so a code seen over a shoulder cannot
//! be used again.

use crate::suite::HashAlg;
use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

/// Seconds per step (RFC 6238's recommendation).
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps list the account under.
pub const ISSUER: &str = "FRT监管平台";

/// A new secret: 160 random bits (RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Option<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECONDS,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.replace(':', "_"),
    )
    .ok()
}

/// The secret as authenticator apps take it typed in (base32, no padding).
pub fn secret_text(secret: &[u8]) -> String {
    totp(secret, "-")
        .map(|t| t.get_secret_base32())
        .unwrap_or_default()
}

/// The secret from its base32 text (what an authenticator app does with it).
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::Encoded(text.trim().to_owned())
        .to_bytes()
        .ok()
}

/// The `otpauth://totp/…` URL an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, account)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// `text` drawn as a QR code in SVG, for a page to show inline.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// The code of the step `step` (the step's number, i.e. Unix seconds / 30).
pub fn code_at(secret: &[u8], step: u64) -> Option<String> {
    totp(secret, "-").map(|t| t.generate(step * STEP_SECONDS))
}

/// The step whose code `typed` is, when it is one of the steps around `now` (Unix seconds)
/// and later than `last_step`; none otherwise.
pub fn accepted_step(secret: &[u8], typed: &str, now: u64, last_step: u64) -> Option<u64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now / STEP_SECONDS;
    let mut found = None;
    // Every candidate is computed and compared alike, whichever matches.
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = code_at(secret, step)?;
        let same = expected
            .bytes()
            .zip(typed.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && step > last_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Ten new recovery codes, `xxxxx-xxxxx` in lower-case base32 (50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let chars: String = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// Whether `typed` has the shape of a recovery code rather than a six-digit code.
pub fn looks_like_recovery_code(typed: &str) -> bool {
    normalise_recovery_code(typed).len() == 10
}

/// A recovery code as typed, normalised: lower case, without spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The stored form of a recovery code under `alg`.
pub fn recovery_code_hash(alg: HashAlg, typed: &str) -> Vec<u8> {
    alg.digest(normalise_recovery_code(typed).as_bytes())
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_rfc_6238s_own() {
        // RFC 6238 Appendix B, SHA-1, with its 20-byte secret; the test vectors have eight
        // digits, whose last six are the six-digit code.
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(
                code_at(secret, time / STEP_SECONDS).as_deref(),
                Some(&eight[2..]),
                "at {time}"
            );
        }
    }

    #[test]
    fn a_code_passes_around_its_step_and_only_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let step = now / STEP_SECONDS;
        let code = code_at(&secret, step).expect("code");
        assert_eq!(accepted_step(&secret, &code, now, 0), Some(step));
        // Typed with a space, or thirty seconds late.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(accepted_step(&secret, &spaced, now + 30, 0), Some(step));
        // Not twice, and not a minute and a half late.
        assert_eq!(accepted_step(&secret, &code, now, step), None);
        assert_eq!(accepted_step(&secret, &code, now + 90, 0), None);
        assert_eq!(accepted_step(&secret, "12345", now, 0), None);
        assert_eq!(accepted_step(&secret, "abcdef", now, 0), None);
    }

    #[test]
    fn enrolment_gives_a_readable_url_a_qr_code_and_ten_distinct_recovery_codes() {
        let secret = new_secret();
        assert_eq!(
            secret_from_text(&secret_text(&secret)),
            Some(secret.clone())
        );
        let url = otpauth_url(&secret, "li.si@cac.example");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&secret_text(&secret)), "{url}");
        let svg = qr_svg(&url).expect("svg");
        assert!(svg.contains("<svg"), "{svg}");
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut distinct = codes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
        assert!(codes.iter().all(|c| looks_like_recovery_code(c)));
        assert!(!looks_like_recovery_code("123456"));
        assert_eq!(
            recovery_code_hash(HashAlg::Sm3, &codes[0].to_uppercase().replace('-', " ")),
            recovery_code_hash(HashAlg::Sm3, &codes[0])
        );
    }
}
