//! SQL of demands.

use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{AnyConnection, Row as _};

use super::model::{Demand, Indicator, Status, valid_until_text};
use crate::db::conditions::Conditions;
use crate::db::{Db, values_tuples};
use crate::domain::time::now_stored;
use crate::listings::Kind;
use crate::search::outbox;

/// A stored demand as read back.
#[derive(Debug, Clone, Serialize)]
pub struct DemandRow {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub created_by: String,
    pub title: String,
    pub description: String,
    pub indicators: Vec<Indicator>,
    pub basis: String,
    pub keywords: Vec<String>,
    pub technical_field: String,
    pub industry_section: String,
    pub cooperation_modes: Vec<String>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub valid_until: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub region_code: String,
    pub status: Status,
    pub review_note: String,
    pub views: i64,
    pub contact_requests: i64,
    pub is_demo: bool,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub version: i64,
}

const COLUMNS: &str = "d.id, d.organisation_id, o.name AS organisation_name, d.created_by, d.title, d.description, \
     d.indicators, d.basis, d.keywords, d.technical_field, d.industry_section, d.cooperation_modes, d.budget_min_fen, \
     d.budget_max_fen, d.valid_until, d.contact_name, d.contact_phone, d.contact_email, d.region_code, d.status, \
     d.review_note, d.views, d.contact_requests, d.is_demo, d.created_at, d.updated_at, d.published_at, d.version";
const FROM: &str = "FROM demands d JOIN organisations o ON o.id = d.organisation_id";

const CONTENT_COLUMNS: [&str; 15] = [
    "title",
    "description",
    "indicators",
    "basis",
    "keywords",
    "technical_field",
    "industry_section",
    "cooperation_modes",
    "budget_min_fen",
    "budget_max_fen",
    "valid_until",
    "contact_name",
    "contact_phone",
    "contact_email",
    "region_code",
];

fn from_row(row: &AnyRow) -> Result<DemandRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let indicators: String = row.try_get("indicators")?;
    let keywords: String = row.try_get("keywords")?;
    let modes: String = row.try_get("cooperation_modes")?;
    Ok(DemandRow {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: row.try_get("organisation_name")?,
        created_by: row.try_get("created_by")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        indicators: serde_json::from_str(&indicators).unwrap_or_default(),
        basis: row.try_get("basis")?,
        keywords: serde_json::from_str(&keywords).unwrap_or_default(),
        technical_field: row.try_get("technical_field")?,
        industry_section: row.try_get("industry_section")?,
        cooperation_modes: modes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        budget_min_fen: row.try_get("budget_min_fen")?,
        budget_max_fen: row.try_get("budget_max_fen")?,
        valid_until: row.try_get("valid_until")?,
        contact_name: row.try_get("contact_name")?,
        contact_phone: row.try_get("contact_phone")?,
        contact_email: row.try_get("contact_email")?,
        region_code: row.try_get("region_code")?,
        status: Status::from_code(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status:?}").into()))?,
        review_note: row.try_get("review_note")?,
        views: row.try_get("views")?,
        contact_requests: row.try_get("contact_requests")?,
        is_demo: row.try_get::<i64, _>("is_demo")? == 1,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        published_at: row.try_get("published_at")?,
        version: row.try_get("version")?,
    })
}

fn bind_content<'q>(
    query: Query<'q, sqlx::Any, AnyArguments<'q>>,
    d: &Demand,
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    query
        .bind(d.title.clone())
        .bind(d.description.clone())
        .bind(serde_json::to_string(&d.indicators).unwrap_or_else(|_| "[]".into()))
        .bind(d.basis.clone())
        .bind(serde_json::to_string(&d.keywords).unwrap_or_else(|_| "[]".into()))
        .bind(d.technical_field.code())
        .bind(d.industry_section.code())
        .bind(crate::achievements::store::code_list(d.cooperation_modes.iter().map(|m| m.code())))
        .bind(d.budget_min.map(|f| f.0))
        .bind(d.budget_max.map(|f| f.0))
        .bind(valid_until_text(d))
        .bind(d.contact_name.clone())
        .bind(d.contact_phone.clone())
        .bind(d.contact_email.clone())
        .bind(d.region_code.clone())
}

/// Records a change for the search index when a statement touched the row.
async fn changed(conn: &mut AnyConnection, id: &str, rows: u64) -> Result<bool, sqlx::Error> {
    if rows == 1 {
        outbox::enqueue(conn, Kind::Demand, id).await?;
    }
    Ok(rows == 1)
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    organisation_id: &str,
    created_by: &str,
    demand: &Demand,
    status: Status,
    is_demo: bool,
) -> Result<(), sqlx::Error> {
    insert_many(conn, organisation_id, created_by, status, is_demo, &[(id, demand)]).await
}

/// Rows a multi-row INSERT carries: sqlx resolves each `$n` on SQLite by scanning the
/// statement's parameter names, so cost grows with the square of the parameters; 8 rows
/// (~260 parameters) measured fastest (11.3k rows/s; 16: 10.7k; 32: 8.9k).
const ROWS_PER_STATEMENT: usize = 8;

/// Inserts several listings of one owner with multi-row statements, each with its search
/// outbox entry (bulk import; `insert` is the one-row case).
pub async fn insert_many(
    conn: &mut AnyConnection,
    organisation_id: &str,
    created_by: &str,
    status: Status,
    is_demo: bool,
    rows: &[(&str, &Demand)],
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    let published = status.is_public().then(|| now.clone());
    let width = CONTENT_COLUMNS.len() + 8;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO demands ({}, id, organisation_id, created_by, status, is_demo, created_at, updated_at, \
             published_at) VALUES {}",
            CONTENT_COLUMNS.join(", "),
            values_tuples(chunk.len(), width)
        );
        let mut query = sqlx::query(&sql);
        for (id, demand) in chunk {
            query = bind_content(query, demand)
                .bind(*id)
                .bind(organisation_id)
                .bind(created_by)
                .bind(status.code())
                .bind(i64::from(is_demo))
                .bind(now.clone())
                .bind(now.clone())
                .bind(published.clone());
        }
        query.execute(&mut *conn).await?;
    }
    let ids: Vec<&str> = rows.iter().map(|(id, _)| *id).collect();
    outbox::enqueue_many(conn, Kind::Demand, &ids).await
}

pub async fn update_content(
    conn: &mut AnyConnection,
    id: &str,
    demand: &Demand,
    version: i64,
    status: Status,
) -> Result<bool, sqlx::Error> {
    let n = CONTENT_COLUMNS.len();
    let sets: Vec<String> = CONTENT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!(
        "UPDATE demands SET {}, status = ${}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    let done = bind_content(sqlx::query(&sql), demand)
        .bind(status.code())
        .bind(now_stored())
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    changed(conn, id, done.rows_affected()).await
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    from: Status,
    to: Status,
    review_note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE demands SET status = $1, updated_at = $2, version = version + 1, \
         review_note = COALESCE($3, review_note), \
         submitted_at = CASE WHEN $1 = 'submitted' THEN $2 ELSE submitted_at END, \
         published_at = CASE WHEN $1 = 'published' AND published_at IS NULL THEN $2 ELSE published_at END \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.code())
    .bind(now_stored())
    .bind(review_note)
    .bind(id)
    .bind(from.code())
    .execute(&mut *conn)
    .await?;
    changed(conn, id, done.rows_affected()).await
}

pub async fn find(db: &Db, id: &str) -> Result<Option<DemandRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Filters of a demand list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub technical_field: Option<String>,
    pub industry_section: Option<String>,
    pub cooperation_mode: Option<String>,
    pub region_code: Option<String>,
    /// Demands whose budget reaches at least this much.
    pub min_budget_fen: Option<i64>,
    pub organisation_id: Option<String>,
    pub statuses: Vec<Status>,
    /// Only demands still valid on this date (`YYYY-MM-DD`); solved ones stay regardless.
    pub valid_on: Option<String>,
}

fn conditions(filter: &ListFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(v) = &filter.technical_field {
        c.text("d.technical_field = ?", v.clone());
    }
    if let Some(v) = &filter.industry_section {
        c.text("d.industry_section = ?", v.clone());
    }
    if let Some(v) = &filter.cooperation_mode {
        c.text("d.cooperation_modes LIKE ?", format!("%,{v},%"));
    }
    if let Some(v) = &filter.region_code {
        c.text("d.region_code = ?", v.clone());
    }
    if let Some(v) = filter.min_budget_fen {
        c.int("COALESCE(d.budget_max_fen, d.budget_min_fen) >= ?", v);
    }
    if let Some(v) = &filter.organisation_id {
        c.text("d.organisation_id = ?", v.clone());
    }
    if let Some(day) = &filter.valid_on {
        c.text("(d.status = 'solved' OR d.valid_until >= ?)", day.clone());
    }
    c.any_of("d.status", filter.statuses.iter().map(|s| s.code()));
    c
}

/// How to order a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    EndingSoon,
    BudgetHigh,
}

pub async fn list(
    db: &Db,
    filter: &ListFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DemandRow>, i64), sqlx::Error> {
    let c = conditions(filter);
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) {FROM} {}", c.sql());
    let total: i64 = c.bind(sqlx::query(&count_sql)).fetch_one(db.pool()).await?.try_get(0)?;
    let order = match sort {
        Sort::Newest => "COALESCE(d.published_at, d.created_at) DESC, d.id DESC",
        Sort::EndingSoon => "d.valid_until ASC, d.id DESC",
        Sort::BudgetHigh => {
            "CASE WHEN COALESCE(d.budget_max_fen, d.budget_min_fen) IS NULL THEN 1 ELSE 0 END, COALESCE(d.budget_max_fen, d.budget_min_fen) DESC, d.id DESC"
        }
    };
    let n = c.len();
    let sql = format!("SELECT {COLUMNS} {FROM} {} ORDER BY {order} LIMIT ${} OFFSET ${}", c.sql(), n + 1, n + 2);
    let rows = c.bind(sqlx::query(&sql)).bind(limit).bind(offset).fetch_all(db.pool()).await?;
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

/// Public demands before a cursor position, newest first (the API's pages).
pub async fn list_after(
    db: &Db,
    filter: &ListFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<DemandRow>, sqlx::Error> {
    let mut c = conditions(filter);
    if let Some((at, id)) = after {
        c.texts(
            "(COALESCE(d.published_at, d.created_at) < ? OR (COALESCE(d.published_at, d.created_at) = ? AND d.id < ?))",
            &[at, at, id],
        );
    }
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {} ORDER BY COALESCE(d.published_at, d.created_at) DESC, d.id DESC LIMIT ${}",
        c.sql(),
        c.len() + 1
    );
    let rows = c.bind(sqlx::query(&sql)).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Published or in-talks demands whose validity ended before `today`.
pub async fn due_to_expire(conn: &mut AnyConnection, today: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM demands WHERE status IN ('published', 'in_talks') AND valid_until < $1")
        .bind(today)
        .fetch_all(conn)
        .await
}
