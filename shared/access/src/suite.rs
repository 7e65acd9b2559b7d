//! The platform's two cryptographic suites, switchable as one (`crypto.suite`): the
//! international one (SHA-256, HMAC-SHA256, AES-256-GCM) and the national one required for a
//! commercial-cryptography assessment under GB/T 39786-2021 (SM3, HMAC-SM3, SM4-GCM, SM2
//! signatures). Every hash, seal and signature names its algorithm, so stored rows of both
//! suites can sit side by side and each is checked with its own.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// SM4 in GCM mode with a 96-bit nonce (RFC 8998).
pub type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The SM2 signer's distinguishing identifier: the default of GB/T 32918 (GM/T 0009) that
/// OpenSSL and other implementations use when none is agreed.
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

/// Which suite new hashes, seals and signatures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    International,
    Sm,
}

impl Suite {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "international" => Some(Self::International),
            "sm" => Some(Self::Sm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::International => "international",
            Self::Sm => "sm",
        }
    }

    /// The suite's hash (the audit chain's, fingerprints').
    pub fn hash(self) -> HashAlg {
        match self {
            Self::International => HashAlg::Sha256,
            Self::Sm => HashAlg::Sm3,
        }
    }

    /// The suite's authenticated encryption (personal data at rest).
    pub fn seal(self) -> SealAlg {
        match self {
            Self::International => SealAlg::Aes256Gcm,
            Self::Sm => SealAlg::Sm4Gcm,
        }
    }
}

/// A hash algorithm, named as stored beside each hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sm3,
}

impl HashAlg {
    pub const ALL: [Self; 2] = [Self::Sha256, Self::Sm3];

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sm3 => "sm3",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sm3" => Some(Self::Sm3),
            _ => None,
        }
    }

    /// The 32-byte digest of `data`.
    pub fn digest(self, data: &[u8]) -> [u8; 32] {
        match self {
            Self::Sha256 => Sha256::digest(data).into(),
            Self::Sm3 => Sm3::digest(data).into(),
        }
    }

    /// HMAC of `data` under `key` (HMAC-SHA256 or HMAC-SM3).
    pub fn mac(self, key: &[u8], data: &[u8]) -> [u8; 32] {
        // HMAC takes a key of any length: these constructors cannot fail.
        match self {
            Self::Sha256 => {
                let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
                    .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
                m.update(data);
                m.finalize().into_bytes().into()
            }
            Self::Sm3 => {
                let mut m = <Hmac<Sm3> as Mac>::new_from_slice(key)
                    .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
                m.update(data);
                m.finalize().into_bytes().into()
            }
        }
    }

    /// Whether `tag` is the HMAC of `data` under `key`, compared in constant time.
    pub fn verify_mac(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        match self {
            Self::Sha256 => <Hmac<Sha256> as Mac>::new_from_slice(key)
                .map(|mut m| {
                    m.update(data);
                    m.verify_slice(tag).is_ok()
                })
                .unwrap_or(false),
            Self::Sm3 => <Hmac<Sm3> as Mac>::new_from_slice(key)
                .map(|mut m| {
                    m.update(data);
                    m.verify_slice(tag).is_ok()
                })
                .unwrap_or(false),
        }
    }
}

/// An authenticated encryption, named as stored beside each sealed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealAlg {
    /// AES-256 in GCM: a 32-byte key.
    Aes256Gcm,
    /// SM4 in GCM (RFC 8998): a 16-byte key.
    Sm4Gcm,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuiteError {
    #[error("the key is not the length the algorithm takes")]
    BadKey,
    #[error("the nonce must be 12 bytes")]
    BadNonce,
    #[error("the sealed value was not sealed with this key and associated data, or was altered")]
    Unreadable,
    #[error("not a valid public key, signature or secret key")]
    BadSignatureInput,
}

impl SealAlg {
    pub fn name(self) -> &'static str {
        match self {
            Self::Aes256Gcm => "aes-256-gcm",
            Self::Sm4Gcm => "sm4-gcm",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "aes-256-gcm" => Some(Self::Aes256Gcm),
            "sm4-gcm" => Some(Self::Sm4Gcm),
            _ => None,
        }
    }

    /// The key length the algorithm takes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes256Gcm => 32,
            Self::Sm4Gcm => 16,
        }
    }

    /// `plaintext` sealed under `key` with a 12-byte `nonce` (never reused with one key),
    /// bound to `aad`: the ciphertext with its 16-byte tag appended.
    pub fn seal(
        self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SuiteError> {
        let nonce = nonce_of(nonce)?;
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        match self {
            Self::Aes256Gcm => Aes256Gcm::new_from_slice(key)
                .map_err(|_| SuiteError::BadKey)?
                .encrypt(nonce, payload),
            Self::Sm4Gcm => Sm4Gcm::new_from_slice(key)
                .map_err(|_| SuiteError::BadKey)?
                .encrypt(nonce, payload),
        }
        .map_err(|_| SuiteError::Unreadable)
    }

    /// The plaintext of `sealed`, if it was sealed under `key`, `nonce` and `aad` unaltered.
    pub fn open(
        self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, SuiteError> {
        let nonce = nonce_of(nonce)?;
        let payload = Payload { msg: sealed, aad };
        match self {
            Self::Aes256Gcm => Aes256Gcm::new_from_slice(key)
                .map_err(|_| SuiteError::BadKey)?
                .decrypt(nonce, payload),
            Self::Sm4Gcm => Sm4Gcm::new_from_slice(key)
                .map_err(|_| SuiteError::BadKey)?
                .decrypt(nonce, payload),
        }
        .map_err(|_| SuiteError::Unreadable)
    }
}

fn nonce_of(nonce: &[u8]) -> Result<&Nonce<aes_gcm::aead::consts::U12>, SuiteError> {
    (nonce.len() == 12)
        .then(|| Nonce::from_slice(nonce))
        .ok_or(SuiteError::BadNonce)
}

/// An SM2 signing key (GB/T 32918) with the default distinguishing identifier: signs what the
/// platform vouches for (audit checkpoints), from a secret kept outside the database.
pub struct Sm2Signer {
    key: sm2::dsa::SigningKey,
}

impl std::fmt::Debug for Sm2Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sm2Signer").finish_non_exhaustive()
    }
}

impl Sm2Signer {
    /// The key from its 32-byte secret scalar.
    pub fn from_secret(secret: &[u8]) -> Result<Self, SuiteError> {
        sm2::dsa::SigningKey::from_slice(SM2_DEFAULT_ID, secret)
            .map(|key| Self { key })
            .map_err(|_| SuiteError::BadSignatureInput)
    }

    /// The public key, SEC1-encoded uncompressed (65 bytes, `04 || x || y`).
    pub fn public_key(&self) -> Vec<u8> {
        self.key.verifying_key().to_sec1_bytes().to_vec()
    }

    /// The signature of `msg` (SM3 over Z‖msg), as r‖s (64 bytes).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use sm2::dsa::signature::Signer;
        let sig: sm2::dsa::Signature = self.key.sign(msg);
        sig.to_bytes().to_vec()
    }
}

/// Whether `signature` (r‖s, 64 bytes) is the SM2 signature of `msg` by `public_key`
/// (SEC1-encoded), with the default distinguishing identifier.
pub fn sm2_verify(public_key: &[u8], msg: &[u8], signature: &[u8]) -> Result<bool, SuiteError> {
    use sm2::dsa::signature::Verifier;
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_ID, public_key)
        .map_err(|_| SuiteError::BadSignatureInput)?;
    let sig =
        sm2::dsa::Signature::from_slice(signature).map_err(|_| SuiteError::BadSignatureInput)?;
    Ok(key.verify(msg, &sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        hex::decode(text.replace([' ', '\n'], "")).unwrap_or_default()
    }

    #[test]
    fn sm3_gives_the_standards_own_examples() {
        // GB/T 32905-2016, Annex A: "abc", and "abcd" sixteen times.
        assert_eq!(
            HashAlg::Sm3.digest(b"abc").to_vec(),
            hex("66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0")
        );
        assert_eq!(
            HashAlg::Sm3.digest("abcd".repeat(16).as_bytes()).to_vec(),
            hex("debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732")
        );
        // And SHA-256 stays SHA-256 (FIPS 180-2's "abc").
        assert_eq!(
            HashAlg::Sha256.digest(b"abc").to_vec(),
            hex("ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad")
        );
    }

    #[test]
    fn hmac_sm3_agrees_with_openssl_and_checks_in_constant_time() {
        // The value OpenSSL 3 gives (through Python's cryptography) for this key and text.
        let tag = HashAlg::Sm3.mac(b"key", b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            tag.to_vec(),
            hex("bd4a3407 7888162b 210645b8 ebf74b9a f3573037 89357a27 c7fc4572 44ebd398")
        );
        assert!(HashAlg::Sm3.verify_mac(
            b"key",
            b"The quick brown fox jumps over the lazy dog",
            &tag
        ));
        assert!(!HashAlg::Sm3.verify_mac(b"key", b"the quick brown fox", &tag));
        assert!(!HashAlg::Sha256.verify_mac(
            b"key",
            b"The quick brown fox jumps over the lazy dog",
            &tag
        ));
    }

    #[test]
    fn sm4_gives_the_standards_own_example() {
        // GB/T 32907-2016, Annex A: the key as plaintext, once and a million times.
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let key = hex("01234567 89abcdef fedcba98 76543210");
        let cipher = sm4::Sm4::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&key);
        cipher.encrypt_block(&mut block);
        assert_eq!(block.to_vec(), hex("681edf34 d206965e 86b3e94f 536e4246"));
        for _ in 1..1_000_000 {
            cipher.encrypt_block(&mut block);
        }
        assert_eq!(block.to_vec(), hex("595298c7 c6fd271f 0402f804 c33d3f66"));
    }

    #[test]
    fn sm4_gcm_gives_rfc_8998s_example_and_refuses_what_was_altered() {
        // RFC 8998, Appendix A.1.
        let key = hex("0123456789ABCDEFFEDCBA9876543210");
        let nonce = hex("00001234567800000000ABCD");
        let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plain = hex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        );
        let sealed = SealAlg::Sm4Gcm
            .seal(&key, &nonce, &aad, &plain)
            .expect("sealed");
        let expected = hex(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
             83DE3541E4C2B58177E065A9BF7B62EC",
        );
        assert_eq!(sealed, expected);
        assert_eq!(
            SealAlg::Sm4Gcm.open(&key, &nonce, &aad, &sealed),
            Ok(plain.clone())
        );
        let mut altered = sealed.clone();
        altered[0] ^= 1;
        assert_eq!(
            SealAlg::Sm4Gcm.open(&key, &nonce, &aad, &altered),
            Err(SuiteError::Unreadable)
        );
        assert_eq!(
            SealAlg::Sm4Gcm.open(&key, &nonce, b"another record", &sealed),
            Err(SuiteError::Unreadable)
        );
        assert_eq!(
            SealAlg::Sm4Gcm.seal(&[0; 32], &nonce, &aad, &plain),
            Err(SuiteError::BadKey)
        );
        assert_eq!(
            SealAlg::Aes256Gcm.seal(&[0; 32], &[0; 8], &aad, &plain),
            Err(SuiteError::BadNonce)
        );
    }

    #[test]
    fn an_sm2_signature_made_by_openssl_verifies_and_ours_round_trips() {
        // `openssl pkeyutl -sign -rawin -digest sm3 -pkeyopt distid:1234567812345678` over
        // this message, with a key OpenSSL 3 generated: its public key and r‖s.
        let public = hex(
            "04275b7b8a29742241c7952d481b56238cc693f0eab1727f7f1b8e46612510ddf1\
             d80553bc016b1ccf9467afef8c61c8c968fbe3c111f939a5861fabb6c710b4bf",
        );
        let sig = hex(
            "1CA0EFB1F9858A84B685259806CE0FC182D5538DF5182899CB0C18E0B4112015\
             69C18E28CE7DADB09C02C15AEECC71B93D4430717172F02B3712380FC034F6CF",
        );
        let msg = b"frt audit checkpoint 1 head 00ff";
        assert_eq!(sm2_verify(&public, msg, &sig), Ok(true));
        assert_eq!(
            sm2_verify(&public, b"frt audit checkpoint 2", &sig),
            Ok(false)
        );

        let signer = Sm2Signer::from_secret(&[7u8; 32]).expect("a key");
        let ours = signer.sign(msg);
        assert_eq!(ours.len(), 64);
        assert_eq!(sm2_verify(&signer.public_key(), msg, &ours), Ok(true));
        assert_eq!(sm2_verify(&public, msg, &ours), Ok(false));
        assert_eq!(
            sm2_verify(&public[..10], msg, &ours),
            Err(SuiteError::BadSignatureInput)
        );
        assert!(
            Sm2Signer::from_secret(&[0u8; 32]).is_err(),
            "zero is no key"
        );
    }

    #[test]
    fn sm2_verifies_the_standards_own_signature_example() {
        // GB/T 32918.5-2017 (GM/T 0003.5) Annex A, on the recommended curve: the key pair, and
        // the signature (r, s) of "message digest" by the signer with identifier
        // 1234567812345678.
        let secret = hex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
        let public = hex("04\
             09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020\
             CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13");
        let sig = hex(
            "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3\
             B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA",
        );
        let signer = Sm2Signer::from_secret(&secret).expect("the example key");
        assert_eq!(signer.public_key(), public);
        assert_eq!(sm2_verify(&public, b"message digest", &sig), Ok(true));
        assert_eq!(sm2_verify(&public, b"message digesT", &sig), Ok(false));
    }

    #[test]
    fn suites_name_their_algorithms_and_parse_back() {
        for suite in [Suite::International, Suite::Sm] {
            assert_eq!(Suite::parse(suite.as_str()), Some(suite));
            assert_eq!(HashAlg::parse(suite.hash().name()), Some(suite.hash()));
            assert_eq!(SealAlg::parse(suite.seal().name()), Some(suite.seal()));
        }
        assert_eq!(Suite::Sm.hash(), HashAlg::Sm3);
        assert_eq!(Suite::Sm.seal().key_len(), 16);
        assert_eq!(Suite::parse("gm"), None);
    }
}
