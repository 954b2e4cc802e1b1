//! SQL of organisations.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use crate::db::Db;
use crate::domain::ids::OrganisationId;
use crate::domain::org::{NatureCode, OrganisationKind};
use crate::domain::time::now_stored;

/// One organisation as pages and services use it.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub credit_code: Option<String>,
    pub credit_code_overridden: bool,
    pub nature_code: String,
    pub nature_label: &'static str,
    pub region_code: String,
}

/// What a new organisation needs; the caller has validated it.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub credit_code: Option<String>,
    pub credit_code_overridden: bool,
    pub nature: NatureCode,
    pub region_code: String,
}

const COLUMNS: &str = "id, name, kind, credit_code, credit_code_overridden, nature_code, region_code";

fn from_row(row: &AnyRow) -> Result<Organisation, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let nature_code: String = row.try_get("nature_code")?;
    Ok(Organisation {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind_label: OrganisationKind::from_code(&kind).map(|k| k.label()).unwrap_or("未知"),
        kind,
        credit_code: row.try_get("credit_code")?,
        credit_code_overridden: row.try_get::<i64, _>("credit_code_overridden")? == 1,
        nature_label: NatureCode::from_code(&nature_code).map(|n| n.label()).unwrap_or("未知"),
        nature_code,
        region_code: row.try_get("region_code")?,
    })
}

/// Inserts inside the caller's transaction.
pub async fn insert(conn: &mut AnyConnection, new: &NewOrganisation) -> Result<OrganisationId, sqlx::Error> {
    let id = OrganisationId::new();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, credit_code, credit_code_overridden, nature_code, region_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.to_string())
    .bind(new.name.clone())
    .bind(new.kind.code())
    .bind(new.credit_code.clone())
    .bind(i64::from(new.credit_code_overridden))
    .bind(new.nature.code())
    .bind(new.region_code.clone())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Whether a name or credit code is taken (inside a transaction, before inserting).
pub async fn name_or_code_taken(
    conn: &mut AnyConnection,
    name: &str,
    credit_code: Option<&str>,
) -> Result<(bool, bool), sqlx::Error> {
    let name_taken: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    let code_taken: i64 = match credit_code {
        Some(code) => {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM organisations WHERE credit_code = $1")
                .bind(code)
                .fetch_one(&mut *conn)
                .await?
        }
        None => 0,
    };
    Ok((name_taken > 0, code_taken > 0))
}

/// All organisations of some kinds, by name (the registration form's choices).
/// The agency an organiser acts for: an administrator names one, or none (the bureau itself);
/// anyone else acts for their own organisation. `Err` holds the field's message when the named
/// organisation does not exist.
pub async fn agency_for(
    db: &Db,
    is_admin: bool,
    own: Option<&str>,
    named: Option<&str>,
) -> Result<Result<Option<String>, &'static str>, sqlx::Error> {
    if !is_admin {
        return Ok(Ok(own.map(str::to_string)));
    }
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Ok(None)),
        Some(id) => Ok(find(db, id).await?.map(|org| Some(org.id)).ok_or("所选承办机构不存在")),
    }
}

/// A form's choice list of these organisations: `code`, `label`, `selected`.
pub fn choices(organisations: &[Organisation], chosen: Option<&str>) -> Vec<serde_json::Value> {
    organisations
        .iter()
        .map(|o| serde_json::json!({"code": o.id, "label": o.name, "selected": chosen == Some(o.id.as_str())}))
        .collect()
}

pub async fn list_by_kinds(db: &Db, kinds: &[OrganisationKind]) -> Result<Vec<Organisation>, sqlx::Error> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=kinds.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE kind IN ({}) ORDER BY name", placeholders.join(", "));
    let mut query = sqlx::query(&sql);
    for kind in kinds {
        query = query.bind(kind.code());
    }
    query.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}
