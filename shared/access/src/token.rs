//! Opaque bearer tokens: 256 random bits shown to the client once; only their SHA-256 is
//! stored, so a database leak does not leak sessions.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token and the hash to store.
pub fn issue() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("frt_{}", hex::encode(bytes));
    let hash = digest(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_and_hashed() {
        let (a, ha) = super::issue();
        let (b, hb) = super::issue();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(super::digest(&a), ha);
        assert_eq!(a.len(), 4 + 64);
    }
}
