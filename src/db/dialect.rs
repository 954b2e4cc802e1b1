//! The few statements that differ between SQLite and PostgreSQL, kept in one place.

use sqlx::AnyConnection;

use super::Backend;

/// Keys of transaction-scoped PostgreSQL advisory locks that serialise a chain of rows.
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum ChainLock {
    /// The audit log's hash chain: one appender at a time, so no two rows share a parent.
    Audit = 0x7465_6368_0001,
}

/// Serialises writers of a chain until the transaction ends. On SQLite the transaction's
/// `BEGIN IMMEDIATE` already holds the single write lock, so nothing more is needed.
pub async fn lock_chain(conn: &mut AnyConnection, backend: Backend, lock: ChainLock) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        // The Any driver cannot decode PostgreSQL's `void`, so select a plain value instead.
        sqlx::query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
            .bind(lock as i64)
            .execute(conn)
            .await?;
    }
    Ok(())
}
