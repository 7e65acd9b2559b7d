//! Personal data sealed at rest under a data key from configuration (it never prints): an
//! authenticated cipher of the configured suite with a fresh 96-bit nonce per value, bound to
//! the row it belongs to (associated data), and keyed fingerprints that let equal values be
//! found without opening them.
//!
//! One 32-byte data key serves both suites. The international suite seals with AES-256-GCM
//! under the key itself and fingerprints with HMAC-SHA256; the national suite seals with
//! SM4-GCM under the first 16 bytes of HMAC-SM3(key, "frt sm4 key v1") and fingerprints with
//! HMAC-SM3. Each sealed value and fingerprint is stored with its algorithm's name, and is
//! opened or matched with that algorithm whatever the suite is now.

use crate::suite::{HashAlg, SealAlg, Suite};
use rand::RngCore;
use std::fmt;

const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("a data key is 64 hexadecimal digits (32 bytes)")]
    BadKey,
    #[error("the sealed value was not sealed with this key for this record, or was altered")]
    Unreadable,
    #[error("the value is too large to seal")]
    TooLarge,
    #[error("the value names a seal this build does not know: {0}")]
    UnknownAlgorithm(String),
}

/// A data key: its id (stored beside each sealed value, for rotation), the suite new values
/// are sealed and fingerprinted with, and the keys each algorithm takes.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    suite: Suite,
    aes_key: [u8; 32],
    sm4_key: [u8; 16],
    mac_sha256: [u8; 32],
    mac_sm3: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

/// The fingerprint algorithm's stored name.
pub fn fingerprint_alg_name(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Sha256 => "hmac-sha256",
        HashAlg::Sm3 => "hmac-sm3",
    }
}

impl DataKey {
    /// A key of the international suite.
    pub fn from_hex(id: &str, hex_key: &str) -> Result<Self, SealError> {
        Self::for_suite(id, hex_key, Suite::International)
    }

    /// A key that seals and fingerprints new values with `suite`.
    pub fn for_suite(id: &str, hex_key: &str, suite: Suite) -> Result<Self, SealError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| SealError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        // Each derived key is a keyed hash of the secret under its own label, so one secret
        // serves every purpose without reuse.
        const FINGERPRINT: &[u8] = b"frt fingerprint key v1";
        let sm4 = HashAlg::Sm3.mac(&key, b"frt sm4 key v1");
        let mut sm4_key = [0u8; 16];
        sm4_key.copy_from_slice(&sm4[..16]);
        Ok(Self {
            id: id.to_owned(),
            suite,
            aes_key: key,
            sm4_key,
            mac_sha256: HashAlg::Sha256.mac(&key, FINGERPRINT),
            mac_sm3: HashAlg::Sm3.mac(&key, FINGERPRINT),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The seal new values take, by the name stored beside them.
    pub fn seal_alg(&self) -> &'static str {
        self.suite.seal().name()
    }

    /// The keyed hash new fingerprints take, by the name stored beside them.
    pub fn fingerprint_alg(&self) -> &'static str {
        fingerprint_alg_name(self.suite.hash())
    }

    fn cipher_key(&self, alg: SealAlg) -> &[u8] {
        match alg {
            SealAlg::Aes256Gcm => &self.aes_key,
            SealAlg::Sm4Gcm => &self.sm4_key,
        }
    }

    /// `nonce ‖ ciphertext ‖ tag` under the suite's seal ([`DataKey::seal_alg`]), bound to
    /// `record` (e.g. the row's id).
    pub fn seal(&self, plaintext: &[u8], record: &[u8]) -> Result<Vec<u8>, SealError> {
        let alg = self.suite.seal();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = alg
            .seal(self.cipher_key(alg), &nonce, record, plaintext)
            // Encryption fails only for inputs beyond 64 GiB.
            .map_err(|_| SealError::TooLarge)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plaintext of a value sealed with `alg` (its stored name) for `record`.
    pub fn open(&self, alg: &str, sealed: &[u8], record: &[u8]) -> Result<Vec<u8>, SealError> {
        let alg = SealAlg::parse(alg).ok_or_else(|| SealError::UnknownAlgorithm(alg.to_owned()))?;
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Unreadable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        alg.open(self.cipher_key(alg), nonce, record, body)
            .map_err(|_| SealError::Unreadable)
    }

    /// The keyed hash of `text` under `alg`'s fingerprint key.
    pub fn fingerprint_with(&self, alg: HashAlg, text: &str) -> Vec<u8> {
        let key = match alg {
            HashAlg::Sha256 => &self.mac_sha256,
            HashAlg::Sm3 => &self.mac_sm3,
        };
        alg.mac(key, text.as_bytes()).to_vec()
    }

    /// The keyed hash of `text` under the suite's ([`DataKey::fingerprint_alg`]).
    pub fn fingerprint(&self, text: &str) -> Vec<u8> {
        self.fingerprint_with(self.suite.hash(), text)
    }

    /// `text`'s fingerprint under every algorithm, the suite's first: what finds stored rows
    /// of either suite.
    pub fn fingerprints(&self, text: &str) -> Vec<Vec<u8>> {
        let mine = self.suite.hash();
        std::iter::once(mine)
            .chain(HashAlg::ALL.into_iter().filter(|a| *a != mine))
            .map(|a| self.fingerprint_with(a, text))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::from_hex("k1", &"42".repeat(32)).expect("key")
    }

    fn sm_key() -> DataKey {
        DataKey::for_suite("k1", &"42".repeat(32), Suite::Sm).expect("key")
    }

    #[test]
    fn sealed_values_open_for_their_record_only() {
        for k in [key(), sm_key()] {
            let alg = k.seal_alg();
            let a = k.seal(b"13800000000", b"row-1").expect("sealed");
            let b = k.seal(b"13800000000", b"row-1").expect("sealed");
            assert_ne!(a, b, "a fresh nonce each time");
            assert!(!a.windows(11).any(|w| w == b"13800000000"));
            assert_eq!(
                k.open(alg, &a, b"row-1").as_deref(),
                Ok(&b"13800000000"[..])
            );
            assert_eq!(k.open(alg, &a, b"row-2"), Err(SealError::Unreadable));
            let mut tampered = a.clone();
            if let Some(last) = tampered.last_mut() {
                *last ^= 1;
            }
            assert_eq!(k.open(alg, &tampered, b"row-1"), Err(SealError::Unreadable));
            let other = DataKey::from_hex("k2", &"43".repeat(32)).expect("key");
            assert_eq!(other.open(alg, &a, b"row-1"), Err(SealError::Unreadable));
            assert_eq!(k.open(alg, b"short", b"row-1"), Err(SealError::Unreadable));
        }
    }

    #[test]
    fn a_key_opens_values_of_either_suite_by_their_stored_name_only() {
        let international = key();
        let sm = sm_key();
        assert_eq!(international.seal_alg(), "aes-256-gcm");
        assert_eq!(sm.seal_alg(), "sm4-gcm");
        let old = international.seal(b"a@b.cn", b"row").expect("sealed");
        let new = sm.seal(b"a@b.cn", b"row").expect("sealed");
        // After a switch to the national suite, what was sealed before still opens.
        assert_eq!(
            sm.open("aes-256-gcm", &old, b"row").as_deref(),
            Ok(&b"a@b.cn"[..])
        );
        assert_eq!(
            international.open("sm4-gcm", &new, b"row").as_deref(),
            Ok(&b"a@b.cn"[..])
        );
        // Under the wrong name it does not.
        assert_eq!(sm.open("sm4-gcm", &old, b"row"), Err(SealError::Unreadable));
        assert_eq!(
            sm.open("des", &old, b"row"),
            Err(SealError::UnknownAlgorithm("des".into()))
        );
    }

    #[test]
    fn the_sm4_key_is_derived_with_hmac_sm3_as_documented() {
        // nonce ‖ SM4-GCM(first 16 bytes of HMAC-SM3(key, "frt sm4 key v1")), checked through
        // the suite's own SM4-GCM (itself held to RFC 8998's vector).
        let raw = [0x42u8; 32];
        let k = sm_key();
        let sealed = k.seal(b"x", b"r").expect("sealed");
        let derived = HashAlg::Sm3.mac(&raw, b"frt sm4 key v1");
        let plain = SealAlg::Sm4Gcm
            .open(&derived[..16], &sealed[..12], b"r", &sealed[12..])
            .expect("opens with the documented key");
        assert_eq!(plain, b"x");
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        let k = key();
        assert_eq!(k.fingerprint("a@b.cn"), k.fingerprint("a@b.cn"));
        assert_ne!(k.fingerprint("a@b.cn"), k.fingerprint("c@b.cn"));
        let other = DataKey::from_hex("k2", &"43".repeat(32)).expect("key");
        assert_ne!(k.fingerprint("a@b.cn"), other.fingerprint("a@b.cn"));
        assert!(!format!("{k:?}").contains("42"));
        assert_eq!(
            DataKey::from_hex("k", "abc").map(|_| ()),
            Err(SealError::BadKey)
        );
        // Each suite's fingerprint is among the other's search set, its own first.
        let sm = sm_key();
        assert_eq!(sm.fingerprint_alg(), "hmac-sm3");
        assert_ne!(sm.fingerprint("a@b.cn"), k.fingerprint("a@b.cn"));
        assert_eq!(
            sm.fingerprints("a@b.cn"),
            vec![sm.fingerprint("a@b.cn"), k.fingerprint("a@b.cn")]
        );
    }
}
