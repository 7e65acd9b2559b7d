//! Audit checkpoints witnessed by other agencies. Whoever controls the database can rewrite the
//! chain's head and everything after it, recomputing every hash; what they cannot rewrite is a
//! copy held elsewhere. Every `audit.checkpoint_minutes`, and at the first run after each
//! day's end (China time), the worker signs the chain's place and head hash with the
//! platform's SM2 key (`audit.signing_key` or `audit.signing_key_file`, never the database)
//! and sends it through the exchange as a notification to the witness agencies
//! (`audit.witnesses`), whose exchange job keeps it. `frtctl audit verify --checkpoints DIR`
//! then checks the chain against what a witness pulled, with the public keys in
//! `audit.verify_keys` (a rotated key stays there for the checkpoints it signed).
//!
//! The signed message is, byte for byte (UTF-8, each line ending in a newline):
//!
//! ```text
//! frt-audit-checkpoint/v1
//! seq=<place in the chain>
//! hash_alg=<sha256 or sm3>
//! head=<the head hash, lowercase hex>
//! signed_at=<RFC 3339, seconds, Z>
//! key_id=<the signing key's id>
//! ```
//!
//! signed with SM2 (SM3 digest, the default distinguishing identifier `1234567812345678`);
//! the signature is r ‖ s, 64 bytes, in hex.

use crate::context::Core;
use crate::error::StoreError;
use crate::notifications::{self, NotificationInput, Origin};
use chrono::{DateTime, SecondsFormat, Utc};
use frt_access::suite::{sm2_verify, Sm2Signer};
use frt_store::audit::Actor;
use frt_store::checkpoints::{self as store, StoredCheckpoint};
use frt_store::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a checkpoint's body line says it is.
pub const KIND: &str = "frt-audit-checkpoint/v1";
/// SM2 over SM3 with the default identifier.
pub const SIGNATURE_ALG: &str = "sm2-sm3";

/// A signed checkpoint, as sent and as a witness keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub kind: String,
    pub seq: i64,
    pub hash_alg: String,
    /// The head hash, lowercase hex.
    pub head: String,
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    pub signature_alg: String,
    /// r ‖ s, lowercase hex.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint at seq {seq}: signed with key {key_id:?}, which audit.verify_keys does not name")]
    UnknownKey { seq: i64, key_id: String },
    #[error("checkpoint at seq {seq}: the signature does not verify with key {key_id:?}")]
    BadSignature { seq: i64, key_id: String },
}

impl Checkpoint {
    /// The bytes signed.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "{KIND}\nseq={}\nhash_alg={}\nhead={}\nsigned_at={}\nkey_id={}\n",
            self.seq,
            self.hash_alg,
            self.head,
            self.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            self.key_id
        )
        .into_bytes()
    }

    /// The checkpoint a notification's body carries (its line of JSON), if any.
    pub fn from_body(body: &str) -> Option<Self> {
        body.lines()
            .filter(|l| l.trim_start().starts_with('{'))
            .filter_map(|l| serde_json::from_str::<Self>(l.trim()).ok())
            .find(|c| c.kind == KIND)
    }

    /// Checks the signature with the named public keys (`key id → SEC1 point`).
    pub fn verify(&self, keys: &BTreeMap<String, Vec<u8>>) -> Result<(), CheckpointError> {
        let Some(public) = keys.get(&self.key_id) else {
            return Err(CheckpointError::UnknownKey {
                seq: self.seq,
                key_id: self.key_id.clone(),
            });
        };
        let bad = || CheckpointError::BadSignature {
            seq: self.seq,
            key_id: self.key_id.clone(),
        };
        let signature = hex::decode(&self.signature).map_err(|_| bad())?;
        match sm2_verify(public, &self.message(), &signature) {
            Ok(true) if self.signature_alg == SIGNATURE_ALG => Ok(()),
            _ => Err(bad()),
        }
    }

    /// The witnessed head hash.
    pub fn head_bytes(&self) -> Option<Vec<u8>> {
        hex::decode(&self.head).ok()
    }
}

/// The platform's signing key and its id.
pub struct SigningKey {
    pub key_id: String,
    signer: Sm2Signer,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The key configured (`audit.signing_key`, else the file `audit.signing_key_file`), if
    /// any: 64 hexadecimal digits.
    pub fn from_settings(settings: &frt_settings::Settings) -> anyhow::Result<Option<Self>> {
        let a = &settings.audit;
        let text = if !a.signing_key_hex().trim().is_empty() {
            a.signing_key_hex().trim().to_owned()
        } else if !a.signing_key_file.trim().is_empty() {
            let path = settings.path(std::path::Path::new(a.signing_key_file.trim()));
            std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("audit.signing_key_file {}: {e}", path.display()))?
                .trim()
                .to_owned()
        } else {
            return Ok(None);
        };
        let secret = hex::decode(&text)
            .map_err(|_| anyhow::anyhow!("audit.signing_key is 64 hexadecimal digits"))?;
        let signer = Sm2Signer::from_secret(&secret)
            .map_err(|_| anyhow::anyhow!("audit.signing_key is not an SM2 secret key"))?;
        Ok(Some(Self {
            key_id: a.key_id.clone(),
            signer,
        }))
    }

    /// The public key (SEC1, uncompressed), as `audit.verify_keys` names it.
    pub fn public_key(&self) -> Vec<u8> {
        self.signer.public_key()
    }

    /// A signed checkpoint of the chain at `seq` with head `head`.
    pub fn sign(&self, seq: i64, hash_alg: &str, head: &[u8], at: DateTime<Utc>) -> Checkpoint {
        let at = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
        let mut c = Checkpoint {
            kind: KIND.to_owned(),
            seq,
            hash_alg: hash_alg.to_owned(),
            head: hex::encode(head),
            signed_at: at,
            key_id: self.key_id.clone(),
            signature_alg: SIGNATURE_ALG.to_owned(),
            signature: String::new(),
        };
        c.signature = hex::encode(self.signer.sign(&c.message()));
        c
    }
}

/// The public keys that verify checkpoints, from `audit.verify_keys` (`<key id>:<hex>`).
pub fn verify_keys(settings: &frt_settings::Settings) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    settings
        .audit
        .verify_keys
        .iter()
        .map(|entry| {
            let (id, hex_key) = entry.split_once(':').ok_or_else(|| {
                anyhow::anyhow!("audit.verify_keys: {entry:?} is not <key id>:<hex>")
            })?;
            let key = hex::decode(hex_key.trim())
                .map_err(|_| anyhow::anyhow!("audit.verify_keys: the key {id:?} is not hex"))?;
            Ok((id.trim().to_owned(), key))
        })
        .collect()
}

/// Whether a checkpoint is due: none yet, or the last is `minutes` old or of an earlier day
/// (China time), and the chain has moved since.
fn due(last: Option<&StoredCheckpoint>, head_seq: i64, now: DateTime<Utc>, minutes: i64) -> bool {
    if head_seq == 0 {
        return false;
    }
    let Some(last) = last else {
        return true;
    };
    if head_seq <= last.seq {
        return false;
    }
    let china = crate::china_offset();
    let day_ended =
        last.signed_at.with_timezone(&china).date_naive() != now.with_timezone(&china).date_naive();
    day_ended || now - last.signed_at >= chrono::Duration::minutes(minutes.max(0))
}

/// Signs and sends a checkpoint when one is due (see the module's documentation); the one
/// sent. Nothing when no witnesses, sender or key are configured. Several workers may call
/// it at once: one signs.
pub async fn sign_if_due(core: &Core) -> Result<Option<Checkpoint>, StoreError> {
    let a = &core.settings.audit;
    if a.witnesses.is_empty() || a.sender_agency.trim().is_empty() {
        return Ok(None);
    }
    let Some(key) = SigningKey::from_settings(&core.settings)? else {
        return Ok(None);
    };
    let minutes = a.checkpoint_minutes;
    let key = &key;
    core.db
        .tx(|conn| {
            async move {
                store::lock(conn).await?;
                let last = store::latest(conn).await?;
                let (seq, head, hash_alg) = store::head(conn).await?;
                let now = Utc::now();
                if !due(last.as_ref(), seq, now, minutes) {
                    return Ok(None);
                }
                let checkpoint = key.sign(seq, &hash_alg, &head, now);
                let sender = crate::agencies::find(conn, &core.settings.audit.sender_agency)
                    .await
                    .map_err(|e| StoreError::Internal(anyhow::anyhow!("audit.sender_agency: {e}")))?;
                let mut recipients = Vec::new();
                for w in &core.settings.audit.witnesses {
                    let agency = crate::agencies::find(conn, w).await.map_err(|e| {
                        StoreError::Internal(anyhow::anyhow!("audit.witnesses: {e}"))
                    })?;
                    recipients.push(agency.id);
                }
                let line = serde_json::to_string(&checkpoint).map_err(anyhow::Error::from)?;
                let input = NotificationInput {
                    kind: "information_sharing".into(),
                    recipients,
                    processor: None,
                    links: Vec::new(),
                    title: format!("审计日志检查点 第{seq}条"),
                    body: format!(
                        "本平台审计日志截至第{seq}条的链头哈希（{hash_alg}），由平台密钥 {} 以SM2签名。\
                         请保存本通知，核验时用于证明此前的审计记录未被改写。\n\n{line}",
                        key.key_id
                    ),
                    classification: Some("internal".into()),
                    restricted_roles: Vec::new(),
                    ack_required: false,
                    ack_working_days: None,
                    in_reply_to: None,
                };
                let origin = Origin::agency(&sender, None, Actor::system("audit checkpoint"));
                let sent = notifications::send_in(conn, core, &origin, &input)
                    .await
                    .map_err(|e| StoreError::Internal(anyhow::anyhow!("sending the checkpoint: {e}")))?;
                let signature = hex::decode(&checkpoint.signature).map_err(anyhow::Error::from)?;
                store::insert(
                    conn,
                    &StoredCheckpoint {
                        seq,
                        head_hash: head,
                        hash_alg: hash_alg.clone(),
                        signed_at: checkpoint.signed_at,
                        key_id: checkpoint.key_id.clone(),
                        signature,
                        notification_id: Some(sent.id),
                    },
                )
                .await?;
                frt_store::audit::record(
                    conn,
                    &Actor::system("audit checkpoint"),
                    "audit.checkpoint_signed",
                    "audit_chain",
                    &seq.to_string(),
                    None,
                    Some(serde_json::json!({
                        "seq": seq,
                        "key_id": checkpoint.key_id,
                        "witnesses": core.settings.audit.witnesses,
                        "notification": sent.reference,
                    })),
                )
                .await?;
                Ok::<_, StoreError>(Some(checkpoint))
            }
            .scope_boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> SigningKey {
        SigningKey {
            key_id: id.to_owned(),
            signer: Sm2Signer::from_secret(&[byte; 32]).expect("key"),
        }
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_only_and_survives_a_notification_body() {
        let k = key("platform-2026", 7);
        let at = DateTime::from_timestamp(1_800_000_000, 123).expect("time");
        let c = k.sign(42, "sm3", &[0xab; 32], at);
        assert_eq!(c.signed_at.timestamp_subsec_nanos(), 0, "seconds only");
        let mut keys = BTreeMap::new();
        keys.insert("platform-2026".to_owned(), k.public_key());
        assert_eq!(c.verify(&keys), Ok(()));
        let body = format!("说明文字\n\n{}", serde_json::to_string(&c).expect("json"));
        assert_eq!(Checkpoint::from_body(&body), Some(c.clone()));
        // Another head, another key, an unknown key id: refused.
        let mut moved = c.clone();
        moved.head = hex::encode([0xac; 32]);
        assert!(matches!(
            moved.verify(&keys),
            Err(CheckpointError::BadSignature { .. })
        ));
        let other = key("platform-2026", 8).sign(42, "sm3", &[0xab; 32], at);
        assert!(matches!(
            other.verify(&keys),
            Err(CheckpointError::BadSignature { .. })
        ));
        let unknown = key("elsewhere", 7).sign(42, "sm3", &[0xab; 32], at);
        assert!(matches!(
            unknown.verify(&keys),
            Err(CheckpointError::UnknownKey { .. })
        ));
        // A rotated key stays valid for what it signed, beside the new one.
        let new = key("platform-2027", 9);
        keys.insert("platform-2027".to_owned(), new.public_key());
        assert_eq!(c.verify(&keys), Ok(()));
        assert_eq!(new.sign(43, "sm3", &[1; 32], at).verify(&keys), Ok(()));
    }

    #[test]
    fn the_signed_message_is_the_documented_text() {
        let k = key("k1", 7);
        let c = k.sign(
            7,
            "sha256",
            &[0; 32],
            DateTime::from_timestamp(1_800_000_000, 0).expect("time"),
        );
        let text = String::from_utf8(c.message()).expect("utf-8");
        assert_eq!(
            text,
            format!(
                "frt-audit-checkpoint/v1\nseq=7\nhash_alg=sha256\nhead={}\nsigned_at=2027-01-15T08:00:00Z\nkey_id=k1\n",
                "00".repeat(32)
            )
        );
    }

    #[test]
    fn a_checkpoint_is_due_hourly_and_after_each_day_once_the_chain_moved() {
        let at = |s: i64| DateTime::from_timestamp(s, 0).expect("time");
        // 2027-01-15 08:00 UTC is 16:00 in China.
        let last = StoredCheckpoint {
            seq: 10,
            head_hash: vec![0; 32],
            hash_alg: "sha256".into(),
            signed_at: at(1_800_000_000),
            key_id: "k1".into(),
            signature: Vec::new(),
            notification_id: None,
        };
        assert!(due(None, 1, at(1_800_000_000), 60));
        assert!(!due(None, 0, at(1_800_000_000), 60));
        assert!(
            !due(Some(&last), 10, at(1_800_000_000 + 7200), 60),
            "nothing new"
        );
        assert!(
            !due(Some(&last), 11, at(1_800_000_000 + 1800), 60),
            "too soon"
        );
        assert!(due(Some(&last), 11, at(1_800_000_000 + 3600), 60));
        // Zero minutes: whenever the chain moved.
        assert!(due(Some(&last), 11, at(1_800_000_000 + 1), 0));
        assert!(!due(Some(&last), 10, at(1_800_000_000 + 1), 0));
        // China's midnight (16:00 UTC) passed: due though the hour is not over.
        let before_midnight = StoredCheckpoint {
            signed_at: at(1_800_000_000 + 8 * 3600 - 600),
            ..last
        };
        assert!(due(
            Some(&before_midnight),
            11,
            at(1_800_000_000 + 8 * 3600 + 60),
            60
        ));
    }
}
