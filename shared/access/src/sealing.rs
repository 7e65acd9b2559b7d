//! Personal data sealed at rest: AES-256-GCM with a fresh 96-bit nonce per value, bound to the
//! row it belongs to (associated data), and keyed fingerprints (HMAC-SHA256) that let equal
//! values be found without opening them. The key comes from configuration and never prints.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
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
}

/// A data key: its id (stored beside each sealed value, for rotation) and the 32 bytes.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    cipher: Aes256Gcm,
    mac_key: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl DataKey {
    pub fn from_hex(id: &str, hex_key: &str) -> Result<Self, SealError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| SealError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| SealError::BadKey)?;
        // The fingerprint key is derived, so one secret serves both without reuse.
        let mut derive =
            <HmacSha256 as Mac>::new_from_slice(&key).map_err(|_| SealError::BadKey)?;
        derive.update(b"frt fingerprint key v1");
        let mac_key: [u8; 32] = derive.finalize().into_bytes().into();
        Ok(Self {
            id: id.to_owned(),
            cipher,
            mac_key,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `nonce ‖ ciphertext ‖ tag`, bound to `record` (e.g. the row's id).
    pub fn seal(&self, plaintext: &[u8], record: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: record,
                },
            )
            // Encryption fails only for inputs beyond 64 GiB.
            .map_err(|_| SealError::TooLarge)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plaintext of a value sealed for `record`.
    pub fn open(&self, sealed: &[u8], record: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Unreadable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: record,
                },
            )
            .map_err(|_| SealError::Unreadable)
    }

    /// HMAC-SHA256 of `text` under the derived fingerprint key.
    pub fn fingerprint(&self, text: &str) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.mac_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::from_hex("k1", &"42".repeat(32)).expect("key")
    }

    #[test]
    fn sealed_values_open_for_their_record_only() {
        let k = key();
        let a = k.seal(b"13800000000", b"row-1").expect("sealed");
        let b = k.seal(b"13800000000", b"row-1").expect("sealed");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.windows(11).any(|w| w == b"13800000000"));
        assert_eq!(k.open(&a, b"row-1").as_deref(), Ok(&b"13800000000"[..]));
        assert_eq!(k.open(&a, b"row-2"), Err(SealError::Unreadable));
        let mut tampered = a.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(k.open(&tampered, b"row-1"), Err(SealError::Unreadable));
        let other = DataKey::from_hex("k2", &"43".repeat(32)).expect("key");
        assert_eq!(other.open(&a, b"row-1"), Err(SealError::Unreadable));
        assert_eq!(k.open(b"short", b"row-1"), Err(SealError::Unreadable));
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
    }
}
