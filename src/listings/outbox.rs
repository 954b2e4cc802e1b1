//! `search_outbox`: one row per change to a searchable listing, written in the same transaction
//! as the change. On PostgreSQL the writer takes the chain lock first, so sequence numbers are
//! handed out in commit order and the indexer never skips a row that commits late.

use sqlx::AnyConnection;

use super::Kind;
use crate::db::dialect::{ChainLock, lock_chain};
use crate::db::{Backend, values_tuples};
use crate::domain::time::now_stored;

fn backend_of(conn: &AnyConnection) -> Backend {
    if conn.backend_name().to_ascii_lowercase().contains("postgres") { Backend::Postgres } else { Backend::Sqlite }
}

/// Records that a listing changed (inside the transaction that changed it).
pub async fn enqueue(conn: &mut AnyConnection, kind: Kind, id: &str) -> Result<(), sqlx::Error> {
    enqueue_many(conn, kind, &[id]).await
}

/// Records that several listings changed, in order, with multi-row statements.
pub async fn enqueue_many(conn: &mut AnyConnection, kind: Kind, ids: &[&str]) -> Result<(), sqlx::Error> {
    let backend = backend_of(conn);
    lock_chain(conn, backend, ChainLock::Audit).await?;
    let now = now_stored();
    for chunk in ids.chunks(100) {
        let sql = format!(
            "INSERT INTO search_outbox (listing_kind, listing_id, created_at) VALUES {}",
            values_tuples(chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(kind.code()).bind(*id).bind(now.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
