//! SQL of achievements.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::model::{Achievement, Status, publicity_text};
use crate::db::conditions::Conditions;
use crate::db::{Db, values_tuples};
use crate::domain::time::now_stored;
use crate::listings::Kind;
use crate::search::outbox;

/// A stored listing, as read back (codes, not labels; the view layer adds those).
#[derive(Debug, Clone, Serialize)]
pub struct AchievementRow {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub created_by: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub achievement_type: String,
    pub ip_carriers: Vec<String>,
    pub patent_numbers: Vec<String>,
    pub technical_field: String,
    pub industry_section: String,
    pub industry_division: Option<String>,
    pub trl: i64,
    pub stage: String,
    pub transfer_modes: Vec<String>,
    pub pricing_route: String,
    pub asking_price_fen: Option<i64>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub team: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub problem: String,
    pub advantages: String,
    pub scenarios: String,
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

const COLUMNS: &str = "a.id, a.organisation_id, o.name AS organisation_name, a.created_by, a.title, a.summary, a.description, \
     a.keywords, a.achievement_type, a.ip_carriers, a.patent_numbers, a.technical_field, a.industry_section, a.industry_division, \
     a.trl, a.stage, a.transfer_modes, a.pricing_route, a.asking_price_fen, a.publicity_start, a.publicity_end, a.team, \
     a.contact_name, a.contact_phone, a.contact_email, a.problem, a.advantages, a.scenarios, a.region_code, a.status, \
     a.review_note, a.views, a.contact_requests, a.is_demo, a.created_at, a.updated_at, a.published_at, a.version";
const FROM: &str = "FROM achievements a JOIN organisations o ON o.id = a.organisation_id";

/// `,a,b,` → `[a, b]`.
fn codes(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// `[a, b]` → `,a,b,` (so `LIKE '%,a,%'` finds one code exactly).
pub fn code_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from(",");
    for item in items {
        out.push_str(item);
        out.push(',');
    }
    out
}

fn from_row(row: &AnyRow) -> Result<AchievementRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let keywords: String = row.try_get("keywords")?;
    let patents: String = row.try_get("patent_numbers")?;
    Ok(AchievementRow {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: row.try_get("organisation_name")?,
        created_by: row.try_get("created_by")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        description: row.try_get("description")?,
        keywords: serde_json::from_str(&keywords).unwrap_or_default(),
        achievement_type: row.try_get("achievement_type")?,
        ip_carriers: codes(&row.try_get::<String, _>("ip_carriers")?),
        patent_numbers: patents.lines().map(str::to_string).filter(|s| !s.is_empty()).collect(),
        technical_field: row.try_get("technical_field")?,
        industry_section: row.try_get("industry_section")?,
        industry_division: row.try_get("industry_division")?,
        trl: row.try_get("trl")?,
        stage: row.try_get("stage")?,
        transfer_modes: codes(&row.try_get::<String, _>("transfer_modes")?),
        pricing_route: row.try_get("pricing_route")?,
        asking_price_fen: row.try_get("asking_price_fen")?,
        publicity_start: row.try_get("publicity_start")?,
        publicity_end: row.try_get("publicity_end")?,
        team: row.try_get("team")?,
        contact_name: row.try_get("contact_name")?,
        contact_phone: row.try_get("contact_phone")?,
        contact_email: row.try_get("contact_email")?,
        problem: row.try_get("problem")?,
        advantages: row.try_get("advantages")?,
        scenarios: row.try_get("scenarios")?,
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

/// The content columns in the order both insert and update bind them ($1…$24).
fn bind_content<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    a: &Achievement,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let (start, end) = publicity_text(a.publicity);
    query
        .bind(a.title.clone())
        .bind(a.summary.clone())
        .bind(a.description.clone())
        .bind(serde_json::to_string(&a.keywords).unwrap_or_else(|_| "[]".into()))
        .bind(a.achievement_type.code())
        .bind(code_list(a.ip_carriers.iter().map(|c| c.code())))
        .bind(a.patent_numbers.join("\n"))
        .bind(a.technical_field.code())
        .bind(a.industry_section.code())
        .bind(a.industry_division.clone())
        .bind(i64::from(a.trl))
        .bind(a.stage.code())
        .bind(code_list(a.transfer_modes.iter().map(|m| m.code())))
        .bind(a.pricing_route.code())
        .bind(a.asking_price.map(|p| p.0))
        .bind(start)
        .bind(end)
        .bind(a.team.clone())
        .bind(a.contact_name.clone())
        .bind(a.contact_phone.clone())
        .bind(a.contact_email.clone())
        .bind(a.problem.clone())
        .bind(a.advantages.clone())
        .bind(a.scenarios.clone())
}

const CONTENT_COLUMNS: [&str; 24] = [
    "title",
    "summary",
    "description",
    "keywords",
    "achievement_type",
    "ip_carriers",
    "patent_numbers",
    "technical_field",
    "industry_section",
    "industry_division",
    "trl",
    "stage",
    "transfer_modes",
    "pricing_route",
    "asking_price_fen",
    "publicity_start",
    "publicity_end",
    "team",
    "contact_name",
    "contact_phone",
    "contact_email",
    "problem",
    "advantages",
    "scenarios",
];

/// Records a change for the search index when a statement touched the row.
async fn changed(conn: &mut AnyConnection, id: &str, rows: u64) -> Result<bool, sqlx::Error> {
    if rows == 1 {
        outbox::enqueue(conn, Kind::Achievement, id).await?;
    }
    Ok(rows == 1)
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    organisation_id: &str,
    created_by: &str,
    achievement: &Achievement,
    status: Status,
    is_demo: bool,
) -> Result<(), sqlx::Error> {
    insert_many(conn, organisation_id, created_by, status, is_demo, &[(id, achievement)]).await
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
    rows: &[(&str, &Achievement)],
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    let published = status.is_public().then(|| now.clone());
    let width = CONTENT_COLUMNS.len() + 9;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO achievements ({}, region_code, id, organisation_id, created_by, status, is_demo, created_at, updated_at, \
             published_at) VALUES {}",
            CONTENT_COLUMNS.join(", "),
            values_tuples(chunk.len(), width)
        );
        let mut query = sqlx::query(&sql);
        for (id, achievement) in chunk {
            query = bind_content(query, achievement)
                .bind(achievement.region_code.clone())
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
    outbox::enqueue_many(conn, Kind::Achievement, &ids).await
}

/// Replaces the content if the row is still at `version`; returns whether it was.
pub async fn update_content(
    conn: &mut AnyConnection,
    id: &str,
    achievement: &Achievement,
    version: i64,
    status: Status,
) -> Result<bool, sqlx::Error> {
    let n = CONTENT_COLUMNS.len();
    let sets: Vec<String> = CONTENT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!(
        "UPDATE achievements SET {}, region_code = ${}, status = ${}, updated_at = ${}, version = version + 1 \
         WHERE id = ${} AND version = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5
    );
    let done = bind_content(sqlx::query(&sql), achievement)
        .bind(achievement.region_code.clone())
        .bind(status.code())
        .bind(now_stored())
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    changed(conn, id, done.rows_affected()).await
}

/// Moves a listing from `from` to `to` (refusing if another change got there first).
pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    from: Status,
    to: Status,
    review_note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_stored();
    let done = sqlx::query(
        "UPDATE achievements SET status = $1, updated_at = $2, version = version + 1, \
         review_note = COALESCE($3, review_note), \
         submitted_at = CASE WHEN $1 = 'submitted' THEN $2 ELSE submitted_at END, \
         published_at = CASE WHEN $1 = 'published' AND published_at IS NULL THEN $2 ELSE published_at END \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.code())
    .bind(now)
    .bind(review_note)
    .bind(id)
    .bind(from.code())
    .execute(&mut *conn)
    .await?;
    changed(conn, id, done.rows_affected()).await
}

pub async fn find(db: &Db, id: &str) -> Result<Option<AchievementRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Filters of the public list; every field optional.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub technical_field: Option<String>,
    pub industry_section: Option<String>,
    pub stage: Option<String>,
    pub transfer_mode: Option<String>,
    pub pricing_route: Option<String>,
    pub region_code: Option<String>,
    pub min_price_fen: Option<i64>,
    pub max_price_fen: Option<i64>,
    pub organisation_id: Option<String>,
    /// Only these statuses (the public list passes the public ones).
    pub statuses: Vec<Status>,
}

/// How to order a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceLow,
    PriceHigh,
    MostViewed,
}

fn conditions(filter: &ListFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(v) = &filter.technical_field {
        c.text("a.technical_field = ?", v.clone());
    }
    if let Some(v) = &filter.industry_section {
        c.text("a.industry_section = ?", v.clone());
    }
    if let Some(v) = &filter.stage {
        c.text("a.stage = ?", v.clone());
    }
    if let Some(v) = &filter.transfer_mode {
        c.text("a.transfer_modes LIKE ?", format!("%,{v},%"));
    }
    if let Some(v) = &filter.pricing_route {
        c.text("a.pricing_route = ?", v.clone());
    }
    if let Some(v) = &filter.region_code {
        c.text("a.region_code = ?", v.clone());
    }
    if let Some(v) = filter.min_price_fen {
        c.int("a.asking_price_fen >= ?", v);
    }
    if let Some(v) = filter.max_price_fen {
        c.int("a.asking_price_fen <= ?", v);
    }
    if let Some(v) = &filter.organisation_id {
        c.text("a.organisation_id = ?", v.clone());
    }
    // The public set matches nearly every row: walking the newest-first index and skipping the
    // rest beats reading every public row through the status index and sorting (118k rows:
    // 300 ms → milliseconds). `|| ''` keeps the status index out of it; a rare status (the review
    // queue) still uses it.
    let public = !filter.statuses.is_empty() && filter.statuses.iter().all(|s| s.is_public());
    let column = if public { "a.status || ''" } else { "a.status" };
    c.any_of(column, filter.statuses.iter().map(|s| s.code()));
    c
}

/// A page of listings and the total that match.
pub async fn list(
    db: &Db,
    filter: &ListFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AchievementRow>, i64), sqlx::Error> {
    let c = conditions(filter);
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) {FROM} {}", c.sql());
    let total: i64 = c.bind(sqlx::query(&count_sql)).fetch_one(db.pool()).await?.try_get(0)?;
    // Negotiable prices (NULL) sort last either way.
    let order = match sort {
        Sort::Newest => "COALESCE(a.published_at, a.created_at) DESC, a.id DESC",
        Sort::PriceLow => "CASE WHEN a.asking_price_fen IS NULL THEN 1 ELSE 0 END, a.asking_price_fen ASC, a.id DESC",
        Sort::PriceHigh => "CASE WHEN a.asking_price_fen IS NULL THEN 1 ELSE 0 END, a.asking_price_fen DESC, a.id DESC",
        Sort::MostViewed => "a.views DESC, a.id DESC",
    };
    let n = c.len();
    let sql = format!("SELECT {COLUMNS} {FROM} {} ORDER BY {order} LIMIT ${} OFFSET ${}", c.sql(), n + 1, n + 2);
    let rows = c.bind(sqlx::query(&sql)).bind(limit).bind(offset).fetch_all(db.pool()).await?;
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

/// Public listings published before a cursor position, newest first (the API's pages).
pub async fn list_after(
    db: &Db,
    filter: &ListFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<AchievementRow>, sqlx::Error> {
    let mut c = conditions(filter);
    if let Some((published_at, id)) = after {
        c.texts(
            "(COALESCE(a.published_at, a.created_at) < ? OR (COALESCE(a.published_at, a.created_at) = ? AND a.id < ?))",
            &[published_at, published_at, id],
        );
    }
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {} ORDER BY COALESCE(a.published_at, a.created_at) DESC, a.id DESC LIMIT ${}",
        c.sql(),
        c.len() + 1
    );
    let rows = c.bind(sqlx::query(&sql)).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

pub async fn count_public(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements WHERE status IN ('published', 'negotiating', 'transferred')",
    )
    .fetch_one(db.pool())
    .await
}
