//! Storage errors and their mapping onto application errors.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::AppError;

/// A failure to reach or query the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] DieselError),
    #[error("database task failed: {0}")]
    Task(String),
    /// Every connection stayed taken for the whole connection timeout.
    #[error("no database connection available: {0}")]
    Busy(String),
}

pub type DbResult<T> = Result<T, DbError>;

impl DbError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Self::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(e) => AppError::Unavailable(e.to_string()),
            DbError::Query(e) => e.into(),
            DbError::Task(e) => AppError::internal(e),
            DbError::Busy(e) => AppError::Unavailable(e),
        }
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::NotFound("The record does not exist.".into()),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict("A record with the same unique value already exists.")
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::conflict("A concurrent change got there first; try again.")
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}
