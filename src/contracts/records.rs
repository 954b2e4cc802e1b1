//! SQL of what is added around a contract and never changed: lifecycle events, cancellations,
//! revenue-share payments; and the lists and totals read across contracts.

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::lifecycle::Status;
use super::query::{ListFilter, Scope};
use crate::db::Db;
use crate::db::conditions::Conditions;
use crate::domain::time::now_stored;

/// One step in a contract's history.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub kind: String,
    pub revision_no: Option<i64>,
    pub note: String,
    pub actor_name: Option<String>,
    pub occurred_at: String,
}

pub async fn add_event(
    conn: &mut AnyConnection,
    contract_id: &str,
    kind: &str,
    revision_no: Option<i64>,
    note: &str,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_events (contract_id, kind, revision_no, note, actor_user_id, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(contract_id)
    .bind(kind)
    .bind(revision_no)
    .bind(note)
    .bind(actor)
    .bind(now_stored())
    .execute(&mut *conn)
    .await?;
    super::notices::step(conn, contract_id, kind, note, actor).await
}

pub async fn events(db: &Db, contract_id: &str) -> Result<Vec<EventRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT e.kind, e.revision_no, e.note, u.display_name AS actor_name, e.occurred_at FROM contract_events e \
         LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.contract_id = $1 ORDER BY e.seq",
    )
    .bind(contract_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EventRow {
                kind: row.try_get("kind")?,
                revision_no: row.try_get("revision_no")?,
                note: row.try_get("note")?,
                actor_name: row.try_get("actor_name")?,
                occurred_at: row.try_get("occurred_at")?,
            })
        })
        .collect()
}

pub async fn add_cancellation(
    conn: &mut AnyConnection,
    contract_id: &str,
    reason: &str,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO contract_cancellations (contract_id, reason, cancelled_at, cancelled_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (contract_id) DO NOTHING",
    )
    .bind(contract_id)
    .bind(reason)
    .bind(now_stored())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A payment of the team's share.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentRow {
    pub id: String,
    pub paid_on: String,
    pub amount_fen: i64,
    pub note: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

pub async fn add_payment(
    conn: &mut AnyConnection,
    id: &str,
    contract_id: &str,
    paid_on: &str,
    amount_fen: i64,
    note: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_share_payments (id, contract_id, paid_on, amount_fen, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(contract_id)
    .bind(paid_on)
    .bind(amount_fen)
    .bind(note)
    .bind(by)
    .bind(now_stored())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn payments(db: &Db, contract_id: &str) -> Result<Vec<PaymentRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.paid_on, p.amount_fen, p.note, u.display_name AS recorded_by_name, p.recorded_at \
         FROM contract_share_payments p LEFT JOIN users u ON u.id = p.recorded_by WHERE p.contract_id = $1 ORDER BY p.paid_on, p.recorded_at",
    )
    .bind(contract_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PaymentRow {
                id: row.try_get("id")?,
                paid_on: row.try_get("paid_on")?,
                amount_fen: row.try_get("amount_fen")?,
                note: row.try_get("note")?,
                recorded_by_name: row.try_get("recorded_by_name")?,
                recorded_at: row.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// What has been paid on a contract so far, read inside the caller's transaction.
pub async fn paid_in(conn: &mut sqlx::AnyConnection, contract_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM contract_share_payments WHERE contract_id = $1",
    )
    .bind(contract_id)
    .fetch_one(conn)
    .await
}

/// At most this many matches make a list narrow.
const NARROW: i64 = 5_000;

/// One line of a contract list: the registration record with its current revision's headline.
#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub id: String,
    pub status: Status,
    pub cancelled: bool,
    pub title: String,
    pub contract_type: String,
    pub subtype: String,
    pub seller_name: String,
    pub seller_credit_code: Option<String>,
    pub buyer_name: String,
    pub buyer_credit_code: Option<String>,
    pub technical_field: Option<String>,
    pub signed_on: Option<String>,
    pub total_fen: Option<i64>,
    pub technology_fen: Option<i64>,
    pub accepted_on: Option<String>,
    pub due_on: Option<String>,
    pub registration_no: Option<String>,
    pub registered_on: Option<String>,
    pub revision_no: i64,
    pub updated_at: String,
    pub origin: String,
}

/// Each contract with its current revision and its cancellation, if any. SQLite is given the
/// revision as `= (SELECT MAX …)`, which keeps contracts the outer table of the join; PostgreSQL an
/// anti-join (`NOT EXISTS` a later revision), since it plans the correlated maximum badly under an
/// offset (23 s for page 500 at 1M contracts; 0.2 s this way), while SQLite then starts from the
/// revisions and sorts them all (7.5 s for page 1).
fn current_join(backend: crate::db::Backend) -> &'static str {
    match backend {
        crate::db::Backend::Sqlite => {
            "FROM contracts c \
             JOIN contract_revisions r ON r.contract_id = c.id \
              AND r.revision_no = (SELECT MAX(r2.revision_no) FROM contract_revisions r2 WHERE r2.contract_id = c.id) \
             LEFT JOIN contract_cancellations x ON x.contract_id = c.id"
        }
        crate::db::Backend::Postgres => {
            "FROM contracts c \
             JOIN contract_revisions r ON r.contract_id = c.id AND NOT EXISTS \
              (SELECT 1 FROM contract_revisions r2 WHERE r2.contract_id = c.id AND r2.revision_no > r.revision_no) \
             LEFT JOIN contract_cancellations x ON x.contract_id = c.id"
        }
    }
}

fn conditions(filter: &ListFilter, backend: crate::db::Backend) -> Conditions {
    let mut c = Conditions::default();
    if let Scope::Member { user_id, organisation_id } = &filter.scope {
        match organisation_id {
            Some(org) => c.texts(
                "(c.created_by = ? OR c.broker_user_id = ? OR c.seller_organisation_id = ? OR c.buyer_organisation_id = ?)",
                &[user_id, user_id, org, org],
            ),
            None => c.texts("(c.created_by = ? OR c.broker_user_id = ?)", &[user_id, user_id]),
        };
    }
    // `|| ''` keeps an index from serving a condition (see `ListFilter::narrow`); PostgreSQL
    // plans from its statistics and is left alone (the hint would only blind its estimates).
    let hinted = backend == crate::db::Backend::Sqlite && !filter.narrow;
    let unindexed = if hinted { " || ''" } else { "" };
    if let Some(status) = filter.status {
        c.text(&format!("c.status{unindexed} = ?"), status.code());
    }
    match filter.cancelled {
        Some(true) => c.plain("x.contract_id IS NOT NULL"),
        Some(false) => c.plain("x.contract_id IS NULL"),
        None => &mut c,
    };
    if let Some(today) = &filter.overdue_on {
        c.text("c.status = 'submitted' AND c.due_on < ?", today.clone());
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Case-insensitive on both databases (SQLite's LIKE folds ASCII only, PostgreSQL's none).
        let pattern = format!("%{}%", text.replace(['%', '_'], "").to_lowercase());
        c.texts(
            "(LOWER(r.title) LIKE ? OR LOWER(r.seller_name) LIKE ? OR LOWER(r.buyer_name) LIKE ? \
             OR LOWER(c.registration_no) LIKE ?)",
            &[&pattern, &pattern, &pattern, &pattern],
        );
    }
    if let Some(from) = &filter.registered_from {
        c.text("c.registered_on >= ?", from.clone());
    }
    if let Some(before) = &filter.registered_before {
        c.text("c.registered_on < ?", before.clone());
    }
    // '' stands for "not recorded"; a narrow list lets an index on the column serve it.
    for (column, value) in &filter.dimensions {
        match (value.is_empty(), hinted) {
            (true, false) => c.plain(&format!("({column} IS NULL OR {column} = '')")),
            (true, true) => c.plain(&format!("COALESCE({column}, '') = ''")),
            (false, false) => c.text(&format!("{column} = ?"), value.clone()),
            (false, true) => c.text(&format!("{column} || '' = ?"), value.clone()),
        };
    }
    if let Some(import) = filter.import {
        c.plain(if import { "r.technology_import = 1" } else { "r.technology_import = 0" });
    }
    if let Some(origin) = &filter.origin {
        c.text("c.origin = ?", origin.clone());
    }
    if let Some((at, id)) = &filter.after {
        let key = if by_registration(filter) { "c.registered_on" } else { "c.updated_at" };
        // A row-value comparison: both databases walk the (key, id) index from it.
        c.texts(&format!("({key}, c.id) < (?, ?)"), &[at, id]);
    }
    c
}

/// How many contracts a filter matches, read the cheap way where one exists: the contracts table
/// alone for an administrator's unfiltered or status-only list, the summary table for registered,
/// not-cancelled contracts filtered by the dashboard's dimensions; the full join otherwise.
async fn count(db: &Db, filter: &ListFilter, c: &Conditions) -> Result<i64, sqlx::Error> {
    let plain = matches!(filter.scope, Scope::All)
        && filter.text.as_deref().is_none_or(|t| t.trim().is_empty())
        && filter.overdue_on.is_none()
        && filter.import.is_none()
        && filter.origin.is_none();
    if plain && filter.cancelled.is_none() && filter.registered_from.is_none() && filter.dimensions.is_empty() {
        return match filter.status {
            None => sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts").fetch_one(db.pool()).await,
            Some(status) => {
                sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE status = $1")
                    .bind(status.code())
                    .fetch_one(db.pool())
                    .await
            }
        };
    }
    if plain && filter.status == Some(Status::Registered) && filter.cancelled == Some(false) {
        if let Some(counted) = super::totals::count_matching(db, filter).await? {
            return Ok(counted);
        }
    }
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) {} {}", current_join(db.backend()), c.sql());
    c.bind(sqlx::query(&count_sql)).fetch_one(db.pool()).await?.try_get(0)
}

/// A page of contracts, most recently changed first, and how many there are in all.
pub async fn list(db: &Db, filter: &ListFilter, offset: i64, limit: i64) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let c = conditions(filter, db.backend());
    let total = count(db, filter, &c).await?;
    if offset >= total && filter.after.is_none() {
        return Ok((Vec::new(), total));
    }
    let planned = ListFilter { narrow: total <= NARROW, ..filter.clone() };
    Ok((rows(db, &planned, offset, limit).await?, total))
}

/// Lists of registered contracts of a period (the dashboard's links) read in registry order, newest
/// registration first, along the registration-date index that also narrows them; every other list
/// by last change.
fn order_of(filter: &ListFilter) -> &'static str {
    if by_registration(filter) { "c.registered_on DESC, c.id DESC" } else { "c.updated_at DESC, c.id DESC" }
}

/// Whether a list is read in registry order (and its keyset cursor is the registration date).
pub fn by_registration(filter: &ListFilter) -> bool {
    filter.registered_from.is_some()
}

/// The keyset of a row in the order `filter` lists it (for the next page's `after`).
pub fn key_of(filter: &ListFilter, row: &ListRow) -> (String, String) {
    let at =
        if by_registration(filter) { row.registered_on.clone().unwrap_or_default() } else { row.updated_at.clone() };
    (at, row.id.clone())
}

/// A page of contracts in list order, without counting.
pub async fn rows(db: &Db, filter: &ListFilter, offset: i64, limit: i64) -> Result<Vec<ListRow>, sqlx::Error> {
    let c = conditions(filter, db.backend());
    let where_sql = c.sql();
    let sql = format!(
        "SELECT c.id, c.status, x.contract_id AS cancelled_id, r.title, r.contract_type, r.subtype, r.seller_name, r.seller_credit_code, \
         r.buyer_name, r.buyer_credit_code, r.technical_field, r.signed_on, r.total_fen, r.technology_fen, c.accepted_on, c.due_on, \
         c.registration_no, c.registered_on, r.revision_no, c.updated_at, c.origin {join} {where_sql} \
         ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        order = order_of(filter),
        join = current_join(db.backend())
    );
    let found = c.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    let items = found
        .iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            Ok(ListRow {
                id: row.try_get("id")?,
                status: Status::from_code(&status)
                    .ok_or_else(|| sqlx::Error::Decode(format!("contract status {status:?}").into()))?,
                cancelled: row.try_get::<Option<String>, _>("cancelled_id")?.is_some(),
                title: row.try_get("title")?,
                contract_type: row.try_get("contract_type")?,
                subtype: row.try_get("subtype")?,
                seller_name: row.try_get("seller_name")?,
                seller_credit_code: row.try_get("seller_credit_code")?,
                buyer_name: row.try_get("buyer_name")?,
                buyer_credit_code: row.try_get("buyer_credit_code")?,
                technical_field: row.try_get("technical_field")?,
                signed_on: row.try_get("signed_on")?,
                total_fen: row.try_get("total_fen")?,
                technology_fen: row.try_get("technology_fen")?,
                accepted_on: row.try_get("accepted_on")?,
                due_on: row.try_get("due_on")?,
                registration_no: row.try_get("registration_no")?,
                registered_on: row.try_get("registered_on")?,
                revision_no: row.try_get("revision_no")?,
                updated_at: row.try_get("updated_at")?,
                origin: row.try_get("origin")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(items)
}

/// Registered, not-cancelled contracts of one month (Asia/Shanghai), by their current revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthTotal {
    /// `2026-01`
    pub month: String,
    pub count: i64,
    pub total_fen: i64,
    pub technology_fen: i64,
}

/// Month by month, the registered totals of months `from..to` (`YYYY-MM`, `to` exclusive), read
/// from the summary table.
pub async fn monthly_totals(db: &Db, from: &str, to: &str) -> Result<Vec<MonthTotal>, sqlx::Error> {
    let sql = "SELECT month, CAST(SUM(contracts) AS BIGINT) AS n, CAST(SUM(total_fen) AS BIGINT) AS total, \
         CAST(SUM(technology_fen) AS BIGINT) AS technology FROM contract_totals WHERE dimension = 'all' \
         AND month >= $1 AND month < $2 GROUP BY month HAVING SUM(contracts) <> 0 ORDER BY month";
    let rows = sqlx::query(sql).bind(from).bind(to).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(MonthTotal {
                month: row.try_get("month")?,
                count: row.try_get("n")?,
                total_fen: row.try_get("total")?,
                technology_fen: row.try_get("technology")?,
            })
        })
        .collect()
}

/// Published listings a contract can name as its source (newest first, plus `chosen` if set):
/// `(id, title)` of achievements or of demands.
pub async fn listing_choices(
    db: &Db,
    kind: crate::listings::Kind,
    chosen: Option<&str>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let table = kind.table();
    let statuses = match kind {
        crate::listings::Kind::Achievement => "'published', 'negotiating', 'transferred'",
        crate::listings::Kind::Demand => "'published', 'in_talks', 'solved', 'closed', 'expired'",
    };
    let sql = format!(
        "SELECT id, title FROM {table} WHERE status IN ({statuses}) OR id = $1 ORDER BY updated_at DESC, id DESC LIMIT 300"
    );
    let rows = sqlx::query(&sql).bind(chosen.unwrap_or_default()).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("title")?))).collect()
}
