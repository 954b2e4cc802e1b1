//! Reading `search_outbox` (written by `listings::outbox` in the transaction of each change):
//! the indexer follows it by sequence number; old rows are pruned.

use sqlx::Row as _;

use crate::db::Db;
use crate::listings::Kind;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: Kind,
    pub id: String,
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
