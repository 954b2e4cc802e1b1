//! `duplicate_marks`: an administrator's decision on a pair of listings of one kind — `distinct`
//! (not a duplicate: no longer shown) or `merged` (the first was withdrawn into the second).

use sqlx::AnyConnection;

use crate::db::Db;
use crate::domain::time::now_stored;
use crate::listings::Kind;

/// The listings marked as not duplicates of `id` (either way round).
pub async fn distinct_from(db: &Db, kind: Kind, id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT other_id FROM duplicate_marks WHERE kind = $1 AND listing_id = $2 AND decision = 'distinct' \
         UNION SELECT listing_id FROM duplicate_marks WHERE kind = $1 AND other_id = $2 AND decision = 'distinct'",
    )
    .bind(kind.code())
    .bind(id)
    .fetch_all(db.pool())
    .await
}

/// Records a decision on a pair (the latest decision stands).
pub async fn mark(
    conn: &mut AnyConnection,
    kind: Kind,
    listing_id: &str,
    other_id: &str,
    decision: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM duplicate_marks WHERE kind = $1 AND listing_id = $2 AND other_id = $3")
        .bind(kind.code())
        .bind(listing_id)
        .bind(other_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO duplicate_marks (kind, listing_id, other_id, decision, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kind.code())
    .bind(listing_id)
    .bind(other_id)
    .bind(decision)
    .bind(by)
    .bind(now_stored())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
