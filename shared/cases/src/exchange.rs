//! The exchange service's use cases: other agencies' systems as clients (registered by an
//! administrator, bound to one agency with scopes, revocable at once), the check of every
//! signed request (key, time window, signature, no replay; each call audited), the sync of
//! notifications addressed to the client's agency in an order that never skips one, and the
//! push of notifications under an Idempotency-Key.

use crate::context::Core;
use crate::error::StoreError;
use crate::idempotency::{self, Holder, Key, Replay};
use crate::notifications::{self, NotificationError, NotificationInput, NotificationView, Origin};
use chrono::{DateTime, Utc};
use frt_access::signing;
use frt_store::audit::{self, Actor};
use frt_store::exchange::{self as store, Client};
use frt_store::notifications::{self as feed, Notification};
use frt_store::registry::FeedFiling;
use frt_store::scope::Scope;
use frt_store::{identities, AsyncPgConnection, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The scopes a client may hold.
pub const SCOPES: [&str; 3] = ["notifications:read", "notifications:write", "registry:read"];

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("sign the request: X-FRT-Key, X-FRT-Timestamp and X-FRT-Signature are required")]
    Unsigned,
    #[error("X-FRT-Timestamp must be Unix seconds within {window} seconds of the service's clock")]
    StaleTimestamp { window: i64 },
    #[error("the key is unknown or revoked")]
    UnknownKey,
    #[error("the signature does not match the request")]
    BadSignature,
    #[error("this signature was already used: sign each request afresh")]
    Replayed,
    #[error("the client lacks the scope {0}")]
    ScopeMissing(&'static str),
    #[error("`cursor` is not one this service wrote: pass the `next_cursor` of the previous page")]
    BadCursor,
    #[error("{0}")]
    Invalid(String),
    #[error("the Idempotency-Key was used with another body")]
    IdempotencyMismatch,
    #[error(transparent)]
    Limited(#[from] crate::limits::LimitError),
    #[error(transparent)]
    Parameter(#[from] crate::input::BadParameter),
    #[error(transparent)]
    Notification(#[from] NotificationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(ExchangeError);

/// What `frtctl exchange clients create` prints, once.
#[derive(Debug, Clone, Serialize)]
pub struct NewClient {
    pub key_id: String,
    pub secret: String,
    pub agency_id: Uuid,
    pub scopes: Vec<String>,
}

/// Registers a client of `agency` (its id or unique name) with `scopes`; the secret is sealed
/// under the data key, bound to the key id, and shown only in the answer.
pub async fn create_client(
    core: &Core,
    actor: &Actor,
    agency: &str,
    scopes: &[String],
) -> Result<NewClient, ExchangeError> {
    let mut wanted: Vec<String> = scopes.iter().map(|s| s.trim().to_owned()).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() || wanted.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(ExchangeError::Invalid(format!(
            "scopes must be among {}",
            SCOPES.join(", ")
        )));
    }
    let (key_id, secret) = signing::new_credentials();
    let sealed = core
        .data_key
        .seal(secret.as_bytes(), key_id.as_bytes())
        .map_err(|e| anyhow::anyhow!("sealing the client secret: {e}"))?;
    let agency = agency.trim().to_owned();
    let key = key_id.clone();
    let client = core
        .db
        .tx(|conn| {
            async move {
                let a = crate::agencies::find(conn, &agency)
                    .await
                    .map_err(|e| ExchangeError::Invalid(e.to_string()))?;
                let c = store::insert(
                    conn,
                    &Client {
                        key_id: key.clone(),
                        agency_id: a.id,
                        scopes: wanted,
                        secret_sealed: sealed,
                        secret_key_id: core.data_key.id().to_owned(),
                        created_at: Utc::now(),
                        revoked_at: None,
                        secret_seal_alg: core.data_key.seal_alg().to_owned(),
                    },
                )
                .await?;
                audit::record(
                    conn,
                    actor,
                    "exchange_client.created",
                    store::ENTITY,
                    &c.key_id,
                    None,
                    Some(json!({ "agency_id": c.agency_id, "scopes": c.scopes })),
                )
                .await?;
                Ok::<_, ExchangeError>(c)
            }
            .scope_boxed()
        })
        .await?;
    Ok(NewClient {
        key_id,
        secret,
        agency_id: client.agency_id,
        scopes: client.scopes,
    })
}

/// Revokes a client at once; false when there was no such active client.
pub async fn revoke_client(
    core: &Core,
    actor: &Actor,
    key_id: &str,
) -> Result<bool, ExchangeError> {
    let key_id = key_id.trim().to_owned();
    core.db
        .tx(|conn| {
            async move {
                let done = store::revoke(conn, &key_id).await?;
                if done {
                    audit::record(
                        conn,
                        actor,
                        "exchange_client.revoked",
                        store::ENTITY,
                        &key_id,
                        None,
                        None,
                    )
                    .await?;
                }
                Ok::<_, ExchangeError>(done)
            }
            .scope_boxed()
        })
        .await
}

/// A request as signed.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub key_id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    /// `X-FRT-Signature-Alg`: how the request is signed (absent: HMAC-SHA256).
    pub signature_alg: Option<&'a str>,
    /// Lowercase hex of the body's digest under the signature's hash
    /// (`signing::SignatureAlg::body_digest`: SHA-256, or SM3 for HMAC-SM3).
    pub body_sha256: &'a str,
    pub client_ip: Option<String>,
    /// What the client's refusals count under (its address; an IPv6 client's /64).
    pub source: String,
    pub request_id: Option<String>,
}

impl Signed<'_> {
    fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or_default()
    }

    fn actor(&self, key_id: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("exchange client {key_id}"),
            client_ip: self.client_ip.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// An authenticated client.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub agency_id: Uuid,
    /// What the client's agency may see (`frt_access::scope::of_agency`).
    pub scope: Scope,
    pub scopes: Vec<String>,
    pub actor: Actor,
}

impl Caller {
    pub fn require(&self, scope: &'static str) -> Result<(), ExchangeError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ExchangeError::ScopeMissing(scope))
        }
    }

    /// The client acting for its agency in the notification use cases.
    pub fn origin(&self) -> Origin {
        Origin {
            agency_id: self.agency_id,
            scope: self.scope.clone(),
            client: Some(self.key_id.clone()),
            actor: self.actor.clone(),
        }
    }
}

/// A client that passed what can be checked before a request's body is read: the headers are
/// there, the timestamp is within the window, the key is known and active, it holds the
/// operation's scope and is within its rate. Its signature is checked next (`verify`).
#[derive(Debug, Clone)]
pub struct Admitted {
    client: Client,
    timestamp: String,
    signature: String,
}

impl ExchangeError {
    /// Whether the request was refused as not being a client's (what counts against the
    /// sender's address and is audited as `exchange.refused`).
    fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Unsigned
                | Self::StaleTimestamp { .. }
                | Self::UnknownKey
                | Self::BadSignature
                | Self::Replayed
        )
    }
}

/// Counts a refused request against its sender's address and audits it (in a transaction of
/// its own: the request itself changes nothing).
async fn refused(core: &Core, req: &Signed<'_>, e: ExchangeError) -> ExchangeError {
    if !e.is_refusal() {
        return e;
    }
    let key = req
        .key_id
        .map(|k| k.trim().chars().take(40).collect::<String>())
        .unwrap_or_default();
    let counted =
        crate::limits::take(core, crate::limits::Limit::ExchangeRefused, &req.source).await;
    let audited = audit::record_alone(
        &core.db,
        &req.actor(if key.is_empty() { "(none)" } else { &key }),
        "exchange.refused",
        store::ENTITY,
        if key.is_empty() { "(none)" } else { &key },
        json!({ "reason": e.to_string(), "method": req.method, "path": req.path(),
                "source": req.source }),
    )
    .await;
    if let Err(failure) = audited {
        return ExchangeError::Store(failure.into());
    }
    match counted {
        Err(crate::limits::LimitError::Store(s)) => ExchangeError::Store(s),
        _ => e,
    }
}

/// Everything that can be checked of a signed request before its body is read (see
/// `Admitted`), for the operation's `scope`. An address whose refused requests reached
/// `exchange.refused_per_minute` waits first; each refusal is counted and audited.
pub async fn admit(
    core: &Core,
    req: &Signed<'_>,
    scope: &'static str,
) -> Result<Admitted, ExchangeError> {
    crate::limits::check(core, crate::limits::Limit::ExchangeRefused, &req.source).await?;
    let admitted = match known(core, req).await {
        Ok(a) => a,
        Err(e) => return Err(refused(core, req, e).await),
    };
    if !admitted.client.scopes.iter().any(|s| s == scope) {
        return Err(ExchangeError::ScopeMissing(scope));
    }
    crate::limits::take(
        core,
        crate::limits::Limit::ExchangeClient,
        &admitted.client.key_id,
    )
    .await?;
    Ok(admitted)
}

/// The headers, the time window and the key.
async fn known(core: &Core, req: &Signed<'_>) -> Result<Admitted, ExchangeError> {
    let (Some(key_id), Some(timestamp), Some(signature)) =
        (req.key_id, req.timestamp, req.signature)
    else {
        return Err(ExchangeError::Unsigned);
    };
    signing::fresh(timestamp, Utc::now().timestamp()).ok_or(ExchangeError::StaleTimestamp {
        window: signing::WINDOW_SECS,
    })?;
    core.db
        .run(|conn| {
            async move {
                let client = store::get(conn, key_id.trim())
                    .await?
                    .filter(|c| c.revoked_at.is_none())
                    .ok_or(ExchangeError::UnknownKey)?;
                Ok(Admitted {
                    client,
                    timestamp: timestamp.trim().to_owned(),
                    signature: signature.trim().to_ascii_lowercase(),
                })
            }
            .scope_boxed()
        })
        .await
}

/// Checks the signature of an admitted request over its body's digest (`req.body_sha256`),
/// once: a signature seen before is a replay. The call is audited.
pub async fn verify(
    core: &Core,
    req: &Signed<'_>,
    admitted: Admitted,
) -> Result<Caller, ExchangeError> {
    match verified(core, req, admitted).await {
        Ok(c) => Ok(c),
        Err(e) => Err(refused(core, req, e).await),
    }
}

async fn verified(
    core: &Core,
    req: &Signed<'_>,
    admitted: Admitted,
) -> Result<Caller, ExchangeError> {
    let Admitted {
        client,
        timestamp,
        signature,
    } = admitted;
    let canonical =
        signing::canonical_of_digest(req.method, req.path_and_query, &timestamp, req.body_sha256);
    let secret = core
        .data_key
        .open(
            &client.secret_seal_alg,
            &client.secret_sealed,
            client.key_id.as_bytes(),
        )
        .map_err(|e| anyhow::anyhow!("opening the client secret: {e}"))?;
    let secret = String::from_utf8(secret).map_err(|e| anyhow::anyhow!("client secret: {e}"))?;
    let alg =
        signing::SignatureAlg::from_header(req.signature_alg).ok_or(ExchangeError::BadSignature)?;
    if !alg.verify(&secret, &canonical, &signature) {
        return Err(ExchangeError::BadSignature);
    }
    // Kept until its own signed time leaves the window; the worker forgets it afterwards.
    let signed_at = signing::fresh(&timestamp, Utc::now().timestamp()).ok_or(
        ExchangeError::StaleTimestamp {
            window: signing::WINDOW_SECS,
        },
    )?;
    let expires_at = DateTime::from_timestamp(signed_at.saturating_add(signing::WINDOW_SECS), 0)
        .ok_or(ExchangeError::StaleTimestamp {
            window: signing::WINDOW_SECS,
        })?;
    let actor = req.actor(&client.key_id);
    let method = req.method.to_owned();
    let path = req.path().to_owned();
    core.db
        .tx(|conn| {
            async move {
                if !store::first_sighting(conn, &client.key_id, &signature, expires_at).await? {
                    return Err(ExchangeError::Replayed);
                }
                audit::record(
                    conn,
                    &actor,
                    "exchange.call",
                    store::ENTITY,
                    &client.key_id,
                    None,
                    Some(json!({ "method": method, "path": path })),
                )
                .await?;
                let agency = frt_store::identities::agency(conn, client.agency_id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("a client of no agency"))?;
                Ok(Caller {
                    key_id: client.key_id,
                    agency_id: client.agency_id,
                    scope: frt_access::scope::of_agency(&agency),
                    scopes: client.scopes,
                    actor,
                })
            }
            .scope_boxed()
        })
        .await
}

/// One event of the sync: what happened to a notification addressed to (or sent by) the
/// client's agency, and the notification as it stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncItem {
    /// The position just after this item: passed as `cursor`, the feed continues after it.
    /// Positions `nT.nR` are ordered by T, then R (both whole numbers), so a client can
    /// tell which of two it kept is further on.
    pub cursor: String,
    /// received, acknowledged, feedback or attachment.
    pub event: String,
    pub at: DateTime<Utc>,
    pub notification: NotificationView,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncPage {
    pub items: Vec<SyncItem>,
    /// Pass as `cursor` next time: every item comes exactly once. When there was nothing new
    /// it is the cursor given.
    pub next_cursor: String,
}

/// A place in a feed: the feed's epoch (raised by each restore of the database), the
/// transaction that wrote a row, then the row. A cursor of the one codec
/// (`n<transaction>.n<row>` in epoch 0, `n<epoch>.n<transaction>.n<row>` after); positions are
/// ordered by epoch, transaction, then row, which is the order the feed is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub epoch: i64,
    pub txid: i64,
    pub id: i64,
}

impl Position {
    /// Before every row.
    pub const START: Self = Self {
        epoch: 0,
        txid: 0,
        id: 0,
    };
}

impl crate::cursor::Key for Position {
    fn parts(&self) -> Vec<crate::cursor::Part> {
        use crate::cursor::Part;
        if self.epoch == 0 {
            vec![Part::Int(self.txid), Part::Int(self.id)]
        } else {
            vec![
                Part::Int(self.epoch),
                Part::Int(self.txid),
                Part::Int(self.id),
            ]
        }
    }

    fn from_parts(parts: &[crate::cursor::Part]) -> Option<Self> {
        use crate::cursor::Part;
        let (epoch, txid, id) = match *parts {
            [Part::Int(txid), Part::Int(id)] => (0, txid, id),
            [Part::Int(epoch), Part::Int(txid), Part::Int(id)] if epoch > 0 => (epoch, txid, id),
            _ => return None,
        };
        (epoch >= 0 && txid >= 0 && id >= 0 && epoch <= i64::from(i32::MAX)).then_some(Self {
            epoch,
            txid,
            id,
        })
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::cursor::encode(self))
    }
}

impl std::str::FromStr for Position {
    type Err = ExchangeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::cursor::decode(Some(text))
            .ok()
            .flatten()
            .ok_or(ExchangeError::BadCursor)
    }
}

fn cursor(epoch: i64, txid: i64, id: i64) -> String {
    Position { epoch, txid, id }.to_string()
}

/// One change of the registry of recorded processors (备案登记): a filing recorded, changed
/// or deregistered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistryItem {
    /// The position just after this item (see `SyncItem::cursor`).
    pub cursor: String,
    /// recorded, changed or deregistered.
    pub event: String,
    pub at: DateTime<Utc>,
    pub filing_id: Uuid,
    /// initial, change or deregistration.
    pub kind: String,
    pub filing_number: Option<String>,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub uscc: String,
    pub province_code: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistryPage {
    pub items: Vec<RegistryItem>,
    /// Pass as `cursor` next time; the cursor given when there was nothing new.
    pub next_cursor: String,
}

/// Where a sync continues and how much it takes.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page (or an item's `cursor`); none, or empty, to
    /// start from the beginning.
    #[param(pattern = "^(n[0-9]{1,19}(\\.n[0-9]{1,19}){1,2})?$")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl SyncQuery {
    fn checked(&self) -> Result<(Option<&str>, i64), ExchangeError> {
        let limit = crate::input::within("limit", self.limit.unwrap_or(100), 1..=1000)?;
        Ok((self.cursor.as_deref(), limit))
    }
}

/// A page of a feed stream after the cursor given, and the cursor to pass next (the one given
/// when nothing new came).
async fn page_of(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    stream: &str,
    agency: Option<Uuid>,
    q: &SyncQuery,
) -> Result<(Vec<feed::FeedRow>, String), ExchangeError> {
    let (after, limit) = q.checked()?;
    let after = crate::cursor::decode::<Position>(after)
        .map_err(|_| ExchangeError::BadCursor)?
        .map(|p| (p.epoch, p.txid, p.id));
    let rows = feed::feed_page(conn, stream, agency, after, limit).await?;
    let (e, t, i) = rows
        .last()
        .map(|r| (r.epoch, r.txid, r.id))
        .or(after)
        .unwrap_or((0, 0, 0));
    // Where the client now is, for its lag on GET /metrics.
    frt_store::exchange::record_position(conn, &caller.key_id, stream, (e, t, i)).await?;
    Ok((rows, cursor(e, t, i)))
}

/// The registry's changes after `cursor`, oldest first, in the client's agency's
/// jurisdiction (its province; every province for a national agency).
pub async fn sync_registry(
    core: &Core,
    caller: &Caller,
    q: &SyncQuery,
) -> Result<RegistryPage, ExchangeError> {
    caller.require("registry:read")?;
    q.checked()?;
    core.db
        .run(|conn| {
            async move {
                let agency = identities::agency(conn, caller.agency_id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the client's agency is gone"))?;
                // The national CAC's systems read every province's registry, others their own's.
                let province = if caller.scope.is_everywhere() {
                    None
                } else {
                    agency.province_code.clone()
                };
                let (rows, next_cursor) = page_of(conn, caller, "registry", None, q).await?;
                let ids: Vec<Uuid> = rows.iter().map(|r| r.entity_id).collect();
                let filings: HashMap<Uuid, FeedFiling> =
                    frt_store::registry::feed_filings(conn, &ids, province.as_deref())
                        .await?
                        .into_iter()
                        .map(|f| (f.id, f))
                        .collect();
                // In feed order; a filing outside the jurisdiction is not in the map.
                let items = rows
                    .into_iter()
                    .filter_map(|r| {
                        let f = filings.get(&r.entity_id)?;
                        Some(RegistryItem {
                            cursor: cursor(r.epoch, r.txid, r.id),
                            event: r.event,
                            at: r.created_at,
                            filing_id: f.id,
                            kind: f.kind.clone(),
                            filing_number: f.filing_number.clone(),
                            organisation_id: f.organisation_id,
                            organisation_name: f.organisation_name.clone(),
                            uscc: f.uscc.clone(),
                            province_code: f.province_code.clone(),
                        })
                    })
                    .collect();
                Ok(RegistryPage { items, next_cursor })
            }
            .scope_boxed()
        })
        .await
}

/// The events of the client's agency's notifications after `cursor`, oldest first.
pub async fn sync_notifications(
    core: &Core,
    caller: &Caller,
    q: &SyncQuery,
) -> Result<SyncPage, ExchangeError> {
    caller.require("notifications:read")?;
    q.checked()?;
    core.db
        .run(|conn| {
            async move {
                let (rows, next_cursor) =
                    page_of(conn, caller, "notifications", Some(caller.agency_id), q).await?;
                // The page's notifications, their recipients and views, each read once for the page.
                let ids: Vec<Uuid> = rows.iter().map(|r| r.entity_id).collect();
                let found: HashMap<Uuid, Notification> = feed::get_all(conn, &ids)
                    .await?
                    .into_iter()
                    .map(|n| (n.id, n))
                    .collect();
                let mut concerned: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
                for r in feed::recipients_of_all(conn, &ids).await? {
                    concerned
                        .entry(r.notification_id)
                        .or_default()
                        .push(r.agency_id);
                }
                // In feed order: the client's agency sent or received it, and a restricted notification
                // is for the roles it names, not for systems.
                let mut events = Vec::with_capacity(rows.len());
                let mut shown = Vec::with_capacity(rows.len());
                for r in rows {
                    let Some(n) = found.get(&r.entity_id) else {
                        continue;
                    };
                    let by_agency = n.sender_agency_id == caller.agency_id
                        || concerned
                            .get(&n.id)
                            .is_some_and(|a| a.contains(&caller.agency_id));
                    if by_agency && feed::visible_by_role(&caller.scope, n) {
                        events.push((cursor(r.epoch, r.txid, r.id), r.event, r.created_at));
                        shown.push(n.clone());
                    }
                }
                let items = notifications::views_of(conn, shown)
                    .await?
                    .into_iter()
                    .zip(events)
                    .map(|(notification, (cursor, event, at))| SyncItem {
                        cursor,
                        event,
                        at,
                        notification,
                    })
                    .collect();
                Ok(SyncPage { items, next_cursor })
            }
            .scope_boxed()
        })
        .await
}

/// What a push answered: its status and body, first time or from the saved answer.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub status: u16,
    pub body: serde_json::Value,
}

/// Sends a notification from the client's agency under an Idempotency-Key: a retry with the
/// same key and body gets the first answer, the same key with another body is refused.
pub async fn push(
    core: &Core,
    caller: &Caller,
    idempotency_key: &str,
    body: &[u8],
    input: &NotificationInput,
) -> Result<Pushed, ExchangeError> {
    caller.require("notifications:write")?;
    let key = idempotency_key_of(idempotency_key)?;
    let hash = signing::body_sha256(body);
    let origin = caller.origin();
    core.db
        .tx(|conn| {
            async move {
                if let Some(first) = answered(conn, caller, &key, &hash).await? {
                    return Ok(first);
                }
                let sent = notifications::send_in(conn, core, &origin, input).await?;
                remember(conn, caller, &key, &hash, 201, &sent).await
            }
            .scope_boxed()
        })
        .await
}

/// Attaches a file streamed in by a client to a notification its agency sent. With an
/// Idempotency-Key, a retry of the same file answers as the first time (and keeps no second
/// copy); the same key with another file is refused. Scope `notifications:write`.
pub async fn attach(
    core: &Core,
    caller: &Caller,
    idempotency_key: Option<&str>,
    id: Uuid,
    received: crate::materials::Received,
) -> Result<Pushed, ExchangeError> {
    let blob = received.blob.key.clone();
    let hash = received.blob.sha256.clone();
    let origin = caller.origin();
    let outcome = async {
        caller.require("notifications:write")?;
        let key = idempotency_key.map(idempotency_key_of).transpose()?;
        core.db
            .tx(|conn| {
                async move {
                    if let Some(key) = &key {
                        if let Some(first) = answered(conn, caller, key, &hash).await? {
                            return Ok((first, false));
                        }
                    }
                    let m = notifications::add_material_in(conn, &origin, id, received).await?;
                    let answer = match &key {
                        Some(key) => remember(conn, caller, key, &hash, 201, &m).await?,
                        None => Pushed {
                            status: 201,
                            body: serde_json::to_value(&m)
                                .map_err(|e| anyhow::anyhow!("answer: {e}"))?,
                        },
                    };
                    Ok((answer, true))
                }
                .scope_boxed()
            })
            .await
    }
    .await;
    match outcome {
        Ok((answer, true)) => Ok(answer),
        other => {
            // Refused, or a retry answered from the first time: the new copy is not kept.
            core.blobs.remove(&blob).await;
            other.map(|(answer, _)| answer)
        }
    }
}

/// An Idempotency-Key as sent, checked.
fn idempotency_key_of(raw: &str) -> Result<Key, ExchangeError> {
    Key::parse(raw).map_err(|e| ExchangeError::Invalid(e.to_string()))
}

/// The first answer under a client's idempotency key, if there was one for the same request
/// (`hash`); the same key with another request is refused. Holds the key's lock to the end of
/// the transaction, so that concurrent retries wait for the first.
async fn answered(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &Key,
    hash: &str,
) -> Result<Option<Pushed>, ExchangeError> {
    match idempotency::replay(conn, Holder::Client(&caller.key_id), key, hash).await? {
        Replay::Fresh => Ok(None),
        Replay::Answered(saved) => Ok(Some(Pushed {
            status: u16::try_from(saved.status).unwrap_or(201),
            body: saved.body,
        })),
        Replay::Reused => Err(ExchangeError::IdempotencyMismatch),
    }
}

/// Keeps the answer to a request under its idempotency key, and returns it.
async fn remember<T: Serialize>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &Key,
    hash: &str,
    status: u16,
    answer: &T,
) -> Result<Pushed, ExchangeError> {
    let body = serde_json::to_value(answer).map_err(|e| anyhow::anyhow!("answer: {e}"))?;
    idempotency::keep(
        conn,
        Holder::Client(&caller.key_id),
        key,
        hash,
        status,
        &body,
    )
    .await?;
    Ok(Pushed { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_text() {
        let parse = |t: &str| t.parse::<Position>().ok().map(|p| (p.epoch, p.txid, p.id));
        assert_eq!(parse(&cursor(0, 812, 44)), Some((0, 812, 44)));
        assert_eq!(
            cursor(0, 812, 44),
            "n812.n44",
            "epoch 0 keeps the two-part form"
        );
        assert_eq!(parse(&cursor(2, 812, 44)), Some((2, 812, 44)));
        assert_eq!(parse("n-1.n4"), None);
        assert_eq!(parse("812.44"), None);
        assert_eq!(parse("n1.x"), None);
        assert_eq!(
            parse("n0.n1.n4"),
            None,
            "epoch 0 is written in two parts only"
        );
        assert_eq!(
            parse("n2147483648.n1.n4"),
            None,
            "an epoch beyond what is stored"
        );
        assert_eq!(parse("n1.n2.n3.n4"), None);
        // Ordered by epoch, transaction, then row: not as text.
        let p = |e, t, i| cursor(e, t, i).parse::<Position>().ok();
        assert!(p(0, 9, 100) < p(0, 10, 1));
        assert!(
            p(0, 9_000_000, 100) < p(1, 740, 1),
            "after a restore, a low transaction of the new epoch comes after every old place"
        );
    }
}
