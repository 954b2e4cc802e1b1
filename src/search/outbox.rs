//! `search_outbox`: one row per change to a searchable listing, written in the same transaction
//! as the change. On PostgreSQL the writer takes the chain lock first, so sequence numbers are
//! handed out in commit order and the indexer never skips a row that commits late.

use sqlx::{AnyConnection, Row as _};

use crate::db::dialect::{ChainLock, lock_chain};
use crate::db::{Backend, Db, values_tuples};
use crate::domain::time::now_stored;
use crate::listings::Kind;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: Kind,
    pub id: String,
}

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

/// Changes after `seq`, oldest first.
pub async fn after(db: &Db, seq: i64, limit: i64) -> Result<Vec<Change>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT seq, listing_kind, listing_id FROM search_outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(limit)
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("listing_kind")?;
            Ok(Change {
                seq: row.try_get("seq")?,
                kind: Kind::from_code(&kind).ok_or_else(|| sqlx::Error::Decode(format!("kind {kind:?}").into()))?,
                id: row.try_get("listing_id")?,
            })
        })
        .collect()
}

/// The newest sequence number (0 when nothing was ever recorded).
pub async fn last_seq(db: &Db) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS seq FROM search_outbox")
        .fetch_one(db.pool())
        .await?;
    row.try_get("seq")
}

/// The oldest sequence number still kept (0 when empty).
pub async fn first_seq(db: &Db) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT CAST(COALESCE(MIN(seq), 0) AS BIGINT) AS seq FROM search_outbox")
        .fetch_one(db.pool())
        .await?;
    row.try_get("seq")
}

/// Drops changes recorded before `before` (stored time); an index older than what is kept
/// rebuilds from the tables instead of replaying.
pub async fn prune(db: &Db, before: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("DELETE FROM search_outbox WHERE created_at < $1 AND seq < (SELECT MAX(seq) FROM search_outbox)")
            .bind(before)
            .execute(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
