//! Errors every use case shares: the store failing as infrastructure (`StoreError`) and a
//! caller whose role may not act (`Denied`). Each area adds its own enum for what can go wrong
//! in it; the web layer maps each to problem+json in one place.

use frt_store::DbError;

/// The storage underneath failed: the database (unreachable, or a query refused), the
/// calendar data, or the blob store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the working-day calendar cannot be used: {0}")]
    Calendar(String),
    #[error("a deadline cannot be computed: {0}")]
    Deadline(#[from] frt_domain::calendar::CalendarError),
    #[error("the blob store failed: {0}")]
    Blob(#[source] std::io::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl StoreError {
    /// A failure of the blob store: `Blob` with the file system's own error when there is one
    /// (a full or unwritable disk is an outage the client may retry, not a bug).
    pub fn from_blob(e: anyhow::Error) -> Self {
        match e.chain().find_map(|c| c.downcast_ref::<std::io::Error>()) {
            Some(io) => Self::Blob(match io.raw_os_error() {
                Some(code) => std::io::Error::from_raw_os_error(code),
                None => std::io::Error::new(io.kind(), io.to_string()),
            }),
            None => Self::Internal(e),
        }
    }

    /// Whether a blob store failure means the disk is full.
    pub fn is_storage_full(&self) -> bool {
        match self {
            // ENOSPC, and EDQUOT (a quota).
            Self::Blob(io) => {
                io.kind() == std::io::ErrorKind::StorageFull
                    || matches!(io.raw_os_error(), Some(28 | 122))
            }
            _ => false,
        }
    }
}

impl From<frt_store::QueryError> for StoreError {
    fn from(e: frt_store::QueryError) -> Self {
        Self::Db(DbError::Query(e))
    }
}

impl From<frt_store::calendars::CalendarStoreError> for StoreError {
    fn from(e: frt_store::calendars::CalendarStoreError) -> Self {
        match e {
            frt_store::calendars::CalendarStoreError::Query(q) => q.into(),
            other => Self::Calendar(other.to_string()),
        }
    }
}

impl From<frt_store::deadlines::SetError> for StoreError {
    fn from(e: frt_store::deadlines::SetError) -> Self {
        match e {
            frt_store::deadlines::SetError::Query(q) => q.into(),
            frt_store::deadlines::SetError::Calendar(c) => Self::Deadline(c),
        }
    }
}

/// The caller's role may not do this, here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("your role may not {action} {resource}")]
pub struct Denied {
    pub action: &'static str,
    pub resource: String,
}

/// The store's errors for a use-case error type with a `Store(StoreError)` variant: pool and
/// query errors, deadline and calendar errors, and anything unexpected (`anyhow`).
macro_rules! store_errors {
    ($t:ty) => {
        impl From<frt_store::DbError> for $t {
            fn from(e: frt_store::DbError) -> Self {
                Self::Store(e.into())
            }
        }

        impl From<frt_store::QueryError> for $t {
            fn from(e: frt_store::QueryError) -> Self {
                Self::Store(e.into())
            }
        }

        impl From<frt_store::deadlines::SetError> for $t {
            fn from(e: frt_store::deadlines::SetError) -> Self {
                Self::Store(e.into())
            }
        }

        impl From<frt_store::calendars::CalendarStoreError> for $t {
            fn from(e: frt_store::calendars::CalendarStoreError) -> Self {
                Self::Store(e.into())
            }
        }

        impl From<anyhow::Error> for $t {
            fn from(e: anyhow::Error) -> Self {
                Self::Store($crate::error::StoreError::Internal(e))
            }
        }
    };
    ($t:ty, fields) => {
        $crate::error::store_errors!($t);

        /// Problems with a body's fields (`frt_cases::input`).
        impl From<Vec<frt_domain::form::FieldProblem>> for $t {
            fn from(problems: Vec<frt_domain::form::FieldProblem>) -> Self {
                Self::Invalid(problems)
            }
        }
    };
}
pub(crate) use store_errors;
