//! The connection pool and the one way use cases reach the database: `Db::tx`, a transaction
//! bounded by a checkout timeout and an operation timeout, so a down or black-holed database
//! gives a quick `DbError::Unavailable` instead of a hung request.
//!
//! Two deployment shapes are served:
//! - **a pooler in transaction mode** (PgBouncer, `database.pooler = "transaction"`): a
//!   server connection belongs to a client for one transaction only. So every statement runs
//!   inside `Db::tx`/`Db::read` (diesel-async prepares each statement by name, and the name
//!   would not outlive the transaction), no statement is kept prepared across transactions,
//!   and the session settings (timeouts) travel with each transaction's `BEGIN` instead of
//!   the connection's start (PgBouncer refuses the startup `options`). A statement outside a
//!   transaction is counted (`statements_outside_transaction`) and logged.
//! - **a streaming replica** (`database.read_url`): `Db::read` runs the reads that may lag
//!   (exports, statistics, the registry, list pages) there; everything else, and every read
//!   when no replica is configured, goes to the primary.

use diesel::connection::{CacheSize, Instrumentation, InstrumentationEvent};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncPgConnection, RunQueryDsl, TransactionManager,
};
use futures_util::FutureExt;
use scoped_futures::{ScopedBoxFuture, ScopedFutureExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a transaction does with its work's writes when the work answers an error.
#[derive(Clone, Copy)]
enum OnError {
    /// All or nothing (`Db::tx`).
    RollBack,
    /// Kept, as statements run one by one would have kept them (`Db::run`).
    Keep,
}

/// How the services reach PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pooler {
    /// Straight to the server (or through a pooler in session mode).
    #[default]
    None,
    /// Through a pooler in transaction mode (PgBouncer `pool_mode = transaction`).
    Transaction,
}

/// Pool and timeout settings, taken from configuration.
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
    /// A streaming replica for the reads that may lag (`Db::read`); empty: the primary.
    pub read_url: String,
    pub pooler: Pooler,
    pub pool_size: usize,
    pub checkout_timeout: Duration,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
    /// The bound on a batch transaction (an import, an export) and on each of its statements.
    pub batch_timeout: Duration,
}

/// Failures of the database as infrastructure, as opposed to answers to a query.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(#[from] DieselError),
}

impl DbError {
    /// Whether the error means the database could not be reached in time, rather than a
    /// query that the database answered with an error.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Unavailable(_) => true,
            DbError::Query(e) => query_error_is_unavailable(e),
        }
    }
}

/// Connection loss and statement timeouts are outages, not bad requests.
pub fn query_error_is_unavailable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => true,
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("statement timeout")
                || m.contains("lock timeout")
                || m.contains("terminating connection")
        }
        _ => false,
    }
}

/// Whether the error is a unique-constraint violation (for "already exists" answers).
pub fn is_unique_violation(e: &DieselError) -> bool {
    unique_violation(e).is_some()
}

/// The constraint a unique violation broke ("" when the server did not name it).
pub fn unique_violation(e: &DieselError) -> Option<&str> {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Some(info.constraint_name().unwrap_or_default())
        }
        _ => None,
    }
}

/// How the pool is used at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    pub in_use: usize,
    pub idle: usize,
    pub max: usize,
    pub waiting: usize,
}

/// A handle to the pool; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<AsyncPgConnection>,
    /// The replica's pool, when `read_url` is set.
    replica: Option<Pool<AsyncPgConnection>>,
    /// What each transaction's `BEGIN` carries: the session settings, through a pooler.
    begin: std::sync::Arc<str>,
    checkout_timeout: Duration,
    op_timeout: Duration,
    batch_timeout: Duration,
}

impl Db {
    /// Builds the pool. No connection is made until the first request, so a service starts
    /// (and reports not ready) while the database is down.
    pub fn new(settings: &DbSettings) -> Result<Self, DbError> {
        let statement_timeout = settings.statement_timeout;
        let pool = build_pool(settings, &settings.url)?;
        let replica = if settings.read_url.trim().is_empty() {
            None
        } else {
            Some(build_pool(settings, &settings.read_url)?)
        };
        let begin = match settings.pooler {
            Pooler::None => "BEGIN".to_owned(),
            Pooler::Transaction => format!(
                "BEGIN; {}",
                session_settings(statement_timeout)
                    .iter()
                    .map(|(name, value)| format!("SET LOCAL {name} = {value};"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        };
        Ok(Self {
            pool,
            replica,
            begin: begin.into(),
            checkout_timeout: settings.checkout_timeout,
            // Client-side bound on a whole transaction: the server's statement timeout plus room
            // for a few statements; it also covers a black-holed server that never answers.
            op_timeout: statement_timeout * 2 + settings.checkout_timeout,
            batch_timeout: settings.batch_timeout,
        })
    }

    /// Whether `Db::read` goes to a replica.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// The pool now: (connections in use, connections idle, the most it may open, callers
    /// waiting for one).
    pub fn pool_use(&self) -> PoolUse {
        let s = self.pool.status();
        PoolUse {
            in_use: s.size.saturating_sub(s.available),
            idle: s.available,
            max: s.max_size,
            waiting: s.waiting,
        }
    }

    /// A pooled connection, or `Unavailable` within the checkout timeout. What runs on it
    /// outside a transaction reaches PostgreSQL statement by statement: for tools connected
    /// directly (`frtctl`), never for the services, which go through `tx`, `run`, `query` and
    /// `read` (a pooler in transaction mode may split a bare statement across connections).
    pub async fn conn(&self) -> Result<Object<AsyncPgConnection>, DbError> {
        self.checkout(&self.pool).await
    }

    /// A connection from the first of `pools` that gives one: the replica, then the primary
    /// when the replica cannot be reached (its reads then cost the primary, not an outage).
    async fn checkout_any(
        &self,
        pools: &[&Pool<AsyncPgConnection>],
    ) -> Result<Object<AsyncPgConnection>, DbError> {
        let mut failed = None;
        for (i, pool) in pools.iter().enumerate() {
            match self.checkout(pool).await {
                Ok(conn) => return Ok(conn),
                Err(e) => {
                    if i + 1 < pools.len() {
                        tracing::warn!(error = %e, "the replica cannot be reached: reading from the primary");
                    }
                    failed = Some(e);
                }
            }
        }
        Err(failed.unwrap_or_else(|| DbError::Unavailable("no database to read from".into())))
    }

    /// The pools a read that may lag goes to, in order.
    fn readers(&self) -> Vec<&Pool<AsyncPgConnection>> {
        self.replica.iter().chain([&self.pool]).collect()
    }

    async fn checkout(
        &self,
        pool: &Pool<AsyncPgConnection>,
    ) -> Result<Object<AsyncPgConnection>, DbError> {
        match tokio::time::timeout(self.checkout_timeout, pool.get()).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(e)) => Err(DbError::Unavailable(e.to_string())),
            Err(_) => Err(DbError::Unavailable(
                "timed out waiting for a database connection".into(),
            )),
        }
    }

    /// Runs `f` in one transaction; commits on `Ok`, rolls back on `Err`.
    pub async fn tx<'a, T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        self.bounded_tx(&[&self.pool], self.op_timeout, None, OnError::RollBack, f)
            .await
    }

    /// Runs `f` on one connection, in one transaction that keeps what `f` wrote whatever it
    /// answers: what statements run one by one would have kept (a counted attempt stays
    /// counted when the attempt is then refused). Rolled back only when the commit fails.
    /// For all-or-nothing work use `tx`.
    pub async fn run<'a, T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        self.bounded_tx(&[&self.pool], self.op_timeout, None, OnError::Keep, f)
            .await
    }

    /// `run` for work whose only errors are the database's (one store query, say).
    pub async fn query<'a, T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: for<'r> FnOnce(
                &'r mut AsyncPgConnection,
            ) -> ScopedBoxFuture<'a, 'r, Result<T, DieselError>>
            + Send
            + 'a,
        T: Send + 'a,
    {
        self.run(move |conn| async move { Ok(f(conn).await?) }.scope_boxed())
            .await
    }

    /// A read that may lag behind the primary by the replica's delay (a list page, the
    /// registry, statistics): on the replica when `database.read_url` is set, on the primary
    /// otherwise. Writes fail there (a standby is read-only).
    pub async fn read<'a, T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        self.bounded_tx(&self.readers(), self.op_timeout, None, OnError::RollBack, f)
            .await
    }

    /// A batch read that may lag (an export through a cursor): `read`'s replica with
    /// `batch_tx`'s bounds.
    pub async fn batch_read<'a, T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        let limit = self.batch_timeout;
        self.bounded_tx(
            &self.readers(),
            limit + self.checkout_timeout,
            Some(limit),
            OnError::RollBack,
            f,
        )
        .await
    }

    /// A transaction of batch work (an import of many rows, an export through a cursor): it
    /// and each of its statements may run up to the batch timeout instead of the request's.
    pub async fn batch_tx<'a, T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        let limit = self.batch_timeout;
        self.bounded_tx(
            &[&self.pool],
            limit + self.checkout_timeout,
            Some(limit),
            OnError::RollBack,
            f,
        )
        .await
    }

    async fn bounded_tx<'a, T, E, F>(
        &self,
        pools: &[&Pool<AsyncPgConnection>],
        bound: Duration,
        statement_timeout: Option<Duration>,
        on_error: OnError,
        f: F,
    ) -> Result<T, E>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
            + Send
            + 'a,
        E: From<DbError> + From<DieselError> + Send + 'a,
        T: Send + 'a,
    {
        let work = async {
            let mut conn = self.checkout_any(pools).await?;
            let conn: &mut AsyncPgConnection = &mut conn;
            AnsiTransactionManager::begin_transaction_sql(conn, &self.begin).await?;
            if let Some(limit) = statement_timeout {
                let set = diesel::sql_query(format!(
                    "SET LOCAL statement_timeout = {}",
                    limit.as_millis()
                ));
                if let Err(e) = diesel_async::RunQueryDsl::execute(set, conn).await {
                    let _ = AnsiTransactionManager::rollback_transaction(conn).await;
                    return Err(e.into());
                }
            }
            match f(conn).await {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(conn).await?;
                    Ok(value)
                }
                Err(e) => {
                    // After a failed statement the server ends even a commit as a rollback.
                    let kept = matches!(on_error, OnError::Keep)
                        && AnsiTransactionManager::commit_transaction(conn)
                            .await
                            .is_ok();
                    if !kept {
                        // A failed rollback leaves the connection broken; the pool drops it.
                        let _ = AnsiTransactionManager::rollback_transaction(conn).await;
                    }
                    Err(e)
                }
            }
        };
        match tokio::time::timeout(bound, work).await {
            Ok(result) => result,
            Err(_) => {
                Err(DbError::Unavailable("the database did not answer in time".into()).into())
            }
        }
    }

    /// Checks the database answers and its schema has every embedded migration.
    pub async fn readiness(&self) -> Result<(), String> {
        let check = async {
            let applied = self
                .tx(|conn| {
                    async move { Ok::<_, DbError>(crate::migrate::applied_versions(conn).await?) }
                        .scope_boxed()
                })
                .await
                .map_err(|e| e.to_string())?;
            let pending = crate::migrate::pending_of(&applied);
            if pending.is_empty() {
                Ok(())
            } else {
                Err(format!("migrations not applied: {}", pending.join(", ")))
            }
        };
        match tokio::time::timeout(self.op_timeout, check).await {
            Ok(r) => r,
            Err(_) => Err("the database did not answer in time".into()),
        }
    }

    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.pool.status();
        (s.size, s.available)
    }
}

fn build_pool(settings: &DbSettings, url: &str) -> Result<Pool<AsyncPgConnection>, DbError> {
    let connect_timeout = settings.connect_timeout;
    let statement_timeout = settings.statement_timeout;
    let pooler = settings.pooler;
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |url| {
        connect(url.to_owned(), connect_timeout, statement_timeout, pooler).boxed()
    });
    // A connection coming back to use is checked with one simple-protocol round trip: no
    // statement prepared by name, which a pooler in transaction mode would lose.
    config.recycling_method = RecyclingMethod::CustomFunction(Box::new(|conn| {
        diesel_async::SimpleAsyncConnection::batch_execute(conn, "SELECT 1").boxed()
    }));
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(settings.pool_size.max(1))
        .build()
        .map_err(|e| DbError::Unavailable(format!("cannot build the pool: {e}")))
}

/// The session settings every service connection runs under: its statement and lock
/// timeouts, and how long it may sit idle inside a transaction.
fn session_settings(statement_timeout: Duration) -> [(&'static str, u128); 3] {
    [
        ("statement_timeout", statement_timeout.as_millis()),
        ("lock_timeout", statement_timeout.as_millis()),
        (
            "idle_in_transaction_session_timeout",
            (statement_timeout * 4).as_millis(),
        ),
    ]
}

async fn connect(
    url: String,
    connect_timeout: Duration,
    statement_timeout: Duration,
    pooler: Pooler,
) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
        diesel::ConnectionError::BadConnection(e.to_string())
    })?;
    config.connect_timeout(connect_timeout);
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    if pooler == Pooler::None {
        config.options(
            session_settings(statement_timeout)
                .iter()
                .map(|(name, value)| format!("-c {name}={value}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    config.application_name("frt");
    let connecting = config.connect(tokio_postgres::NoTls);
    let (client, connection) = tokio::time::timeout(connect_timeout, connecting)
        .await
        .map_err(|_| {
            diesel::ConnectionError::BadConnection("timed out connecting to the database".into())
        })?
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    let conn = match pooler {
        Pooler::None => {
            AsyncPgConnection::try_from_client_and_connection(client, connection).await?
        }
        Pooler::Transaction => {
            // diesel-async's setup sets the time zone and encoding with statements prepared
            // by name: inside a transaction, they stay on one server connection of the
            // pooler. The connection is driven here so that the transaction can begin first;
            // it ends when the client is dropped.
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "a pooled database connection ended");
                }
            });
            let failed =
                |e: tokio_postgres::Error| diesel::ConnectionError::BadConnection(e.to_string());
            client.batch_execute("BEGIN").await.map_err(failed)?;
            let mut conn = AsyncPgConnection::try_from(client).await?;
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, "COMMIT")
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            // A statement prepared in one transaction is gone in the next: prepare each
            // afresh.
            conn.set_prepared_statement_cache_size(CacheSize::Disabled);
            conn.set_instrumentation(OutsideTransactions::default());
            conn
        }
    };
    Ok(conn)
}

static OUTSIDE_TRANSACTIONS: AtomicU64 = AtomicU64::new(0);

/// Statements this process ran outside a transaction through a pooler in transaction mode
/// (each a defect: its prepare and its execution may reach different server connections).
pub fn statements_outside_transaction() -> u64 {
    std::sync::atomic::AtomicU64::load(&OUTSIDE_TRANSACTIONS, Ordering::Relaxed)
}

/// Watches a pooled connection for statements run outside a transaction.
#[derive(Default)]
struct OutsideTransactions {
    depth: u32,
}

impl Instrumentation for OutsideTransactions {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::BeginTransaction { depth, .. } => self.depth = depth.get(),
            InstrumentationEvent::CommitTransaction { depth, .. }
            | InstrumentationEvent::RollbackTransaction { depth, .. } => {
                self.depth = depth.get().saturating_sub(1)
            }
            InstrumentationEvent::StartQuery { query, .. } if self.depth == 0 => {
                // A statement prepared by name (extended protocol) shows its binds; a
                // simple-protocol batch, one round trip that no pooler splits, does not.
                let sql = query.to_string();
                if sql.contains(" -- binds: ") {
                    OUTSIDE_TRANSACTIONS.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        sql = %sql.chars().take(200).collect::<String>(),
                        "a statement ran outside a transaction through a pooler in transaction mode"
                    );
                }
            }
            _ => {}
        }
    }
}

/// A trivial query, for tools that want to know the connection works.
pub async fn ping(conn: &mut AsyncPgConnection) -> Result<(), DieselError> {
    diesel::sql_query("SELECT 1")
        .execute(conn)
        .await
        .map(|_| ())
}

/// Lifts the statement timeout for the rest of this session, for administrative walks over
/// whole tables (the services' own connections keep theirs).
pub async fn lift_statement_timeout(conn: &mut AsyncPgConnection) -> Result<(), DieselError> {
    diesel::sql_query("SET statement_timeout = 0")
        .execute(conn)
        .await
        .map(|_| ())
}
