//! Interest counters listers ask for: views and requests to be put in touch.

use sqlx::AnyConnection;

use super::Kind;
use crate::db::Db;
use crate::domain::time::now_stored;

pub async fn count_view(db: &Db, kind: Kind, id: &str) -> Result<(), sqlx::Error> {
    let sql = format!("UPDATE {} SET views = views + 1 WHERE id = $1", kind.table());
    sqlx::query(&sql).bind(id).execute(db.pool()).await?;
    Ok(())
}

/// Records a request to be put in touch and bumps the listing's counter, once per person and
/// listing (a unique key decides between parallel requests). `false` when one was already there.
pub async fn add_contact_request(
    conn: &mut AnyConnection,
    kind: Kind,
    id: &str,
    user_id: &str,
    message: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO listing_contact_requests (id, listing_kind, listing_id, user_id, message, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (listing_kind, listing_id, user_id) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(kind.code())
    .bind(id)
    .bind(user_id)
    .bind(message)
    .bind(now_stored())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    let sql = format!("UPDATE {} SET contact_requests = contact_requests + 1 WHERE id = $1", kind.table());
    sqlx::query(&sql).bind(id).execute(conn).await?;
    Ok(true)
}

/// Whether this user already asked about this listing.
pub async fn has_contact_request(db: &Db, kind: Kind, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM listing_contact_requests WHERE listing_kind = $1 AND listing_id = $2 AND user_id = $3",
    )
    .bind(kind.code())
    .bind(id)
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}
