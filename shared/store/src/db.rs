//! The connection pool and the one way use cases reach the database: `Db::tx`, a transaction
//! bounded by a checkout timeout and an operation timeout, so a down or black-holed database
//! gives a quick `DbError::Unavailable` instead of a hung request.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
use futures_util::FutureExt;
use scoped_futures::ScopedBoxFuture;
use std::time::Duration;

/// Pool and timeout settings, taken from configuration.
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
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
    checkout_timeout: Duration,
    op_timeout: Duration,
    batch_timeout: Duration,
}

impl Db {
    /// Builds the pool. No connection is made until the first request, so a service starts
    /// (and reports not ready) while the database is down.
    pub fn new(settings: &DbSettings) -> Result<Self, DbError> {
        let connect_timeout = settings.connect_timeout;
        let statement_timeout = settings.statement_timeout;
        let mut config = ManagerConfig::default();
        config.custom_setup = Box::new(move |url| {
            connect(url.to_owned(), connect_timeout, statement_timeout).boxed()
        });
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
            &settings.url,
            config,
        );
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size.max(1))
            .build()
            .map_err(|e| DbError::Unavailable(format!("cannot build the pool: {e}")))?;
        Ok(Self {
            pool,
            checkout_timeout: settings.checkout_timeout,
            // Client-side bound on a whole transaction: the server's statement timeout plus room
            // for a few statements; it also covers a black-holed server that never answers.
            op_timeout: statement_timeout * 2 + settings.checkout_timeout,
            batch_timeout: settings.batch_timeout,
        })
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

    /// A pooled connection, or `Unavailable` within the checkout timeout.
    pub async fn conn(&self) -> Result<Object<AsyncPgConnection>, DbError> {
        match tokio::time::timeout(self.checkout_timeout, self.pool.get()).await {
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
        self.bounded_tx(self.op_timeout, None, f).await
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
        self.bounded_tx(limit + self.checkout_timeout, Some(limit), f)
            .await
    }

    async fn bounded_tx<'a, T, E, F>(
        &self,
        bound: Duration,
        statement_timeout: Option<Duration>,
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
            let mut conn = self.conn().await?;
            let conn: &mut AsyncPgConnection = &mut conn;
            AnsiTransactionManager::begin_transaction(conn).await?;
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
                    // A failed rollback leaves the connection broken; the pool then drops it.
                    let _ = AnsiTransactionManager::rollback_transaction(conn).await;
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
            let mut conn = self.conn().await.map_err(|e| e.to_string())?;
            let applied = crate::migrate::applied_versions(&mut conn)
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

async fn connect(
    url: String,
    connect_timeout: Duration,
    statement_timeout: Duration,
) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
        diesel::ConnectionError::BadConnection(e.to_string())
    })?;
    config.connect_timeout(connect_timeout);
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    config.options(format!(
        "-c statement_timeout={} -c lock_timeout={} -c idle_in_transaction_session_timeout={}",
        statement_timeout.as_millis(),
        statement_timeout.as_millis(),
        (statement_timeout * 4).as_millis()
    ));
    config.application_name("frt");
    let connecting = config.connect(tokio_postgres::NoTls);
    let (client, connection) = tokio::time::timeout(connect_timeout, connecting)
        .await
        .map_err(|_| {
            diesel::ConnectionError::BadConnection("timed out connecting to the database".into())
        })?
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
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
