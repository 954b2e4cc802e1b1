//! History into the database: the dry run (every row checked against the form's rules, the
//! registry numbers already on the platform and the file's own repeats; the file kept, nothing
//! registered), the confirmed load in batches (each batch one transaction: contracts registered
//! with their real dates, sealed revisions, totals, one audit event naming who loaded which
//! numbers from which file), and one-by-one back-entry.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sqlx::{AnyConnection, Row as _};
use time::{Date, OffsetDateTime};

use super::check::{self, Checked, HistoryInput};
use super::columns::{COLUMNS, map_headers};
use super::sheet::{self, RowOutcome};
use crate::audit::{self, NewAuditEvent};
use crate::contracts::records;
use crate::contracts::review::registration_instant;
use crate::contracts::store;
use crate::contracts::totals::{self, Contribution};
use crate::db::Db;
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::money::Fen;
use crate::domain::org::{NatureCode, OrganisationKind};
use crate::domain::time::{now_stored, to_stored, today_shanghai};
use crate::error::{AppError, ErrorCode};
use crate::orgs::store::{self as orgs, NewOrganisation};
use crate::sheets::Table;

/// Contracts registered per transaction.
const BATCH: usize = 500;

/// Who loads, from where.
pub struct Loader<'a> {
    pub user_id: &'a str,
    pub ip: &'a str,
}

impl Loader<'_> {
    fn event(&self, action: &str, subject_type: &str, id: &str, details: serde_json::Value) -> NewAuditEvent {
        NewAuditEvent {
            actor_user_id: Some(self.user_id.to_string()),
            actor_ip: Some(self.ip.to_string()),
            action: action.to_string(),
            subject_type: subject_type.to_string(),
            subject_id: id.to_string(),
            details,
        }
    }
}

/// The organisations on the platform, to match a registering party by credit code, then name.
struct Directory {
    by_code: HashMap<String, String>,
    by_name: HashMap<String, (String, Option<String>)>,
}

impl Directory {
    async fn load(db: &Db) -> Result<Directory, sqlx::Error> {
        let rows = sqlx::query("SELECT id, name, credit_code FROM organisations").fetch_all(db.pool()).await?;
        let mut directory = Directory { by_code: HashMap::new(), by_name: HashMap::new() };
        for row in rows {
            let id: String = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            let code: Option<String> = row.try_get("credit_code")?;
            if let Some(code) = &code {
                directory.by_code.insert(code.clone(), id.clone());
            }
            directory.by_name.insert(name, (id, code));
        }
        Ok(directory)
    }

    /// The organisation a party is, if it is on the platform; an error when its name is taken by
    /// an organisation with another credit code.
    fn find(&self, name: &str, code: Option<&str>) -> Result<Option<String>, String> {
        if let Some(id) = code.and_then(|c| self.by_code.get(c)) {
            return Ok(Some(id.clone()));
        }
        match self.by_name.get(name) {
            Some((id, None)) => Ok(Some(id.clone())),
            Some((id, Some(existing))) if code.is_none() || code == Some(existing.as_str()) => Ok(Some(id.clone())),
            Some(_) => Err("平台上已有同名单位，但统一社会信用代码不同；请核对".to_string()),
            None => Ok(None),
        }
    }
}

/// The side that registers: the seller, or the domestic buyer of a technology import.
fn registrant(draft: &crate::contracts::model::Draft) -> (&'static str, &crate::contracts::model::Party) {
    if draft.technology_import { ("buyer", &draft.buyer) } else { ("seller", &draft.seller) }
}

/// Checks the registering party can be found or filed on the platform.
fn check_party(directory: &Directory, checked: &Checked) -> Result<(), FieldErrors> {
    let (side, party) = registrant(&checked.draft);
    match directory.find(&party.name, party.credit_code.as_deref()) {
        Ok(Some(_)) => Ok(()),
        Ok(None) if party.nature.is_none() => {
            Err([(format!("{side}_nature"), "平台尚无此单位，请填写单位性质以便建档".to_string())].into())
        }
        Ok(None) if party.region.as_deref().is_none_or(|r| r.len() != 6) => {
            Err([(format!("{side}_region"), "平台尚无此单位，请填写 6 位行政区划代码以便建档".to_string())].into())
        }
        Ok(None) => Ok(()),
        Err(message) => Err([(format!("{side}_name"), message)].into()),
    }
}

fn kind_of(nature: NatureCode) -> OrganisationKind {
    match nature {
        NatureCode::Association => OrganisationKind::Agency,
        n if n.is_enterprise() || n == NatureCode::Individual => OrganisationKind::Enterprise,
        _ => OrganisationKind::Institution,
    }
}

/// Which 登记编号 of `numbers` are already registered.
async fn existing_numbers(db: &Db, numbers: &[String]) -> Result<HashSet<String>, sqlx::Error> {
    let mut found = HashSet::new();
    for chunk in numbers.chunks(500) {
        let marks = (1..=chunk.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT registration_no FROM contracts WHERE registration_no IN ({marks})");
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for number in chunk {
            query = query.bind(number.clone());
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}

/// A file checked row by row.
pub struct Checking {
    pub table: Table,
    pub outcomes: Vec<(usize, RowOutcome)>,
    pub ready: Vec<(usize, Checked)>,
}

/// Checks every row of a table as of `today`.
pub async fn check_table(db: &Db, table: Table, today: Date) -> Result<Checking, AppError> {
    let mapped = map_headers(&table.headers);
    let directory = Directory::load(db).await?;
    let mut checked_rows: Vec<(usize, Result<Checked, FieldErrors>, HistoryInput)> = Vec::new();
    for (line, cells) in &table.rows {
        let mut by_field: BTreeMap<&'static str, String> = BTreeMap::new();
        for (col, text) in cells.iter().enumerate() {
            if let Some(Some(index)) = mapped.get(col) {
                by_field.insert(COLUMNS[*index].field, text.clone());
            }
        }
        let input = HistoryInput::from_cells(&by_field);
        let unreadable = table.problems_by_field(*line, COLUMNS, &mapped);
        let result = check::check(&input, today).and_then(|c| check_party(&directory, &c).map(|()| c));
        let result = match result {
            Ok(_) if !unreadable.is_empty() => Err(unreadable),
            Err(mut errors) => {
                errors.extend(unreadable);
                Err(errors)
            }
            ok => ok,
        };
        checked_rows.push((*line, result, input));
    }
    let numbers: Vec<String> =
        checked_rows.iter().filter_map(|(_, r, _)| r.as_ref().ok().map(|c| c.registration_no.clone())).collect();
    let existing = existing_numbers(db, &numbers).await?;
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut outcomes = Vec::new();
    let mut ready = Vec::new();
    for (line, result, input) in checked_rows {
        let mut outcome = RowOutcome {
            registration_no: input.registration_no.clone(),
            title: input.title.clone(),
            registered_on: input.registered_on.clone(),
            ..RowOutcome::default()
        };
        match result {
            Ok(checked) if existing.contains(&checked.registration_no) => outcome.state = "exists",
            Ok(checked) => {
                if let Some(earlier) = first_seen.get(&checked.registration_no) {
                    outcome.state = "invalid";
                    outcome.errors.insert("registration_no".into(), format!("与第 {earlier} 行的登记编号重复"));
                } else {
                    first_seen.insert(checked.registration_no.clone(), line);
                    outcome.state = "ok";
                    outcome.total_text = checked.draft.amounts.map(|a| a.total().format_compact());
                    ready.push((line, checked));
                }
            }
            Err(errors) => {
                outcome.state = "invalid";
                outcome.errors = errors;
            }
        }
        outcomes.push((line, outcome));
    }
    Ok(Checking { table, outcomes, ready })
}

/// A stored upload and its check.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub id: String,
    pub file_name: String,
    pub file_sha256: String,
    pub uploaded_at: String,
    pub uploaded_by_name: String,
    pub row_count: i64,
    pub valid_count: i64,
    pub status: String,
    pub loaded_count: Option<i64>,
    pub loaded_at: Option<String>,
}

/// Keeps an uploaded file for its dry run (nothing is registered); returns its id and the check.
pub async fn upload(
    db: &Db,
    loader: &Loader<'_>,
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, Checking), AppError> {
    let table = sheet::read(bytes).map_err(|e| AppError::bad_request(ErrorCode::UnreadableFile, e.to_string()))?;
    let checking = check_table(db, table, today_shanghai()).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let sha = hex::encode(Sha256::digest(bytes));
    sqlx::query(
        "INSERT INTO contract_imports (id, file_name, file_sha256, content, uploaded_by, uploaded_at, row_count, valid_count, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'checked')",
    )
    .bind(&id)
    .bind(if name.is_empty() { "history.xlsx".to_string() } else { name })
    .bind(&sha)
    .bind(bytes.to_vec())
    .bind(loader.user_id)
    .bind(now_stored())
    .bind(checking.outcomes.len() as i64)
    .bind(checking.ready.len() as i64)
    .execute(db.pool())
    .await?;
    Ok((id, checking))
}

fn summary_of(row: &sqlx::any::AnyRow) -> Result<ImportSummary, sqlx::Error> {
    Ok(ImportSummary {
        id: row.try_get("id")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        uploaded_at: row.try_get("uploaded_at")?,
        uploaded_by_name: row.try_get::<Option<String>, _>("uploaded_by_name")?.unwrap_or_default(),
        row_count: row.try_get("row_count")?,
        valid_count: row.try_get("valid_count")?,
        status: row.try_get("status")?,
        loaded_count: row.try_get("loaded_count")?,
        loaded_at: row.try_get("loaded_at")?,
    })
}

const SUMMARY_SQL: &str = "SELECT i.id, i.file_name, i.file_sha256, i.uploaded_at, u.display_name AS uploaded_by_name, \
     i.row_count, i.valid_count, i.status, i.loaded_count, i.loaded_at FROM contract_imports i LEFT JOIN users u ON u.id = i.uploaded_by";

/// The latest uploads.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<ImportSummary>, sqlx::Error> {
    let sql = format!("{SUMMARY_SQL} ORDER BY i.uploaded_at DESC LIMIT {limit}");
    sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(summary_of).collect()
}

/// One upload's record.
pub async fn summary(db: &Db, id: &str) -> Result<ImportSummary, AppError> {
    let sql = format!("{SUMMARY_SQL} WHERE i.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    let row = row.ok_or_else(|| AppError::not_found(ErrorCode::ImportNotFound, "没有这次上传"))?;
    Ok(summary_of(&row)?)
}

/// An upload and its file, re-checked against the database as it is now.
pub async fn checked(db: &Db, id: &str) -> Result<(ImportSummary, Checking), AppError> {
    let summary = summary(db, id).await?;
    let content: Vec<u8> =
        sqlx::query_scalar("SELECT content FROM contract_imports WHERE id = $1").bind(id).fetch_one(db.pool()).await?;
    let table = sheet::read(&content).map_err(|e| AppError::bad_request(ErrorCode::UnreadableFile, e.to_string()))?;
    Ok((summary, check_table(db, table, today_shanghai()).await?))
}

/// The instant a history registration is recorded at: the same reading of a date as a live
/// registration's (noon Beijing time of a past day; now for today).
fn registered_at(day: Date) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    registration_instant(Some(&date_text(day)), now).unwrap_or(now)
}

/// Registers checked rows in one transaction; returns the contract ids.
async fn register_batch(
    conn: &mut AnyConnection,
    db: &Db,
    loader: &Loader<'_>,
    directory: &mut Directory,
    rows: &[(usize, Checked)],
    import_id: Option<&str>,
    source: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let mut ids = Vec::with_capacity(rows.len());
    let now = now_stored();
    for (line, checked) in rows {
        let (_, party) = registrant(&checked.draft);
        let org_id = match directory.find(&party.name, party.credit_code.as_deref()).ok().flatten() {
            Some(id) => id,
            None => {
                let nature = party.nature.unwrap_or(NatureCode::EnterprisePrivate);
                let new = NewOrganisation {
                    name: party.name.clone(),
                    kind: kind_of(nature),
                    credit_code: party.credit_code.clone(),
                    credit_code_overridden: party.credit_override,
                    nature,
                    region_code: party.region.clone().unwrap_or_default(),
                };
                let id = orgs::insert(conn, &new).await?.to_string();
                audit::append(
                    conn,
                    db.backend(),
                    &loader.event(
                        "organisation.filed_from_history",
                        "organisation",
                        &id,
                        json!({"name": new.name, "credit_code": new.credit_code, "source": source}),
                    ),
                )
                .await?;
                if let Some(code) = &new.credit_code {
                    directory.by_code.insert(code.clone(), id.clone());
                }
                directory.by_name.insert(new.name.clone(), (id.clone(), new.credit_code.clone()));
                id
            }
        };
        let other = if checked.draft.technology_import { None } else { Some(&checked.draft.buyer) };
        let buyer_org = other
            .and_then(|b| b.credit_code.as_deref().and_then(|c| directory.by_code.get(c).cloned()))
            .filter(|id| *id != org_id);
        let id = uuid::Uuid::now_v7().to_string();
        let at = registered_at(checked.registered_on);
        let on = date_text(checked.registered_on);
        sqlx::query(
            "INSERT INTO contracts (id, seller_organisation_id, buyer_organisation_id, created_by, status, submissions, \
             accepted_on, registration_no, registered_at, registered_on, decided_by, created_at, updated_at, origin, import_id) \
             VALUES ($1, $2, $3, $4, 'registered', 1, $5, $6, $7, $8, $4, $9, $9, 'history', $10)",
        )
        .bind(&id)
        .bind(&org_id)
        .bind(buyer_org)
        .bind(loader.user_id)
        .bind(date_text(checked.accepted_on))
        .bind(&checked.registration_no)
        .bind(to_stored(at))
        .bind(&on)
        .bind(&now)
        .bind(import_id)
        .execute(&mut *conn)
        .await?;
        store::insert_revision(conn, &id, 1, true, "历史登记补录", loader.user_id, &checked.draft).await?;
        let note = if *line > 0 { format!("{source} 第 {line} 行") } else { source.to_string() };
        records::add_event(conn, &id, "imported", Some(1), &note, loader.user_id).await?;
        if let Some(amounts) = &checked.draft.amounts {
            totals::apply(conn, &Contribution::of(&on, None, &checked.draft), 1, amounts).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// What a confirmed load did.
#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    pub loaded: usize,
    pub skipped_existing: usize,
    pub invalid: usize,
    pub total_fen: i64,
}

/// Loads every row of an upload that passes now (rows registered meanwhile are skipped).
pub async fn confirm(db: &Db, loader: &Loader<'_>, import_id: &str) -> Result<Loaded, AppError> {
    let (summary, checking) = checked(db, import_id).await?;
    let skipped_existing = checking.outcomes.iter().filter(|(_, o)| o.state == "exists").count();
    let invalid = checking.outcomes.iter().filter(|(_, o)| o.state == "invalid").count();
    let mut directory = Directory::load(db).await?;
    let mut loaded = 0;
    let mut total_fen: i64 = 0;
    let source = format!("文件《{}》", summary.file_name);
    for batch in checking.ready.chunks(BATCH) {
        let mut tx = db.begin_write().await?;
        let ids = register_batch(&mut tx, db, loader, &mut directory, batch, Some(import_id), &source).await?;
        let numbers: Vec<&str> = batch.iter().map(|(_, c)| c.registration_no.as_str()).collect();
        let sum: i64 = batch.iter().filter_map(|(_, c)| c.draft.amounts.map(|a| a.total().0)).sum();
        let details = json!({
            "import_id": import_id, "file_name": summary.file_name, "file_sha256": summary.file_sha256,
            "registration_nos": numbers, "contract_ids": ids, "total_fen": sum,
        });
        audit::append(
            &mut tx,
            db.backend(),
            &loader.event("contract.history_loaded", "contract_import", import_id, details),
        )
        .await?;
        tx.commit().await?;
        loaded += batch.len();
        total_fen = total_fen.saturating_add(sum);
    }
    if loaded > 0 {
        // Thousands of rows may have changed the shape of the tables the lists read (PostgreSQL).
        if let Err(error) = db.refresh_statistics().await {
            tracing::warn!(%error, "refreshing the planner's statistics failed");
        }
    }
    sqlx::query("UPDATE contract_imports SET status = 'loaded', loaded_count = COALESCE(loaded_count, 0) + $1, loaded_at = $2 WHERE id = $3")
        .bind(loaded as i64)
        .bind(now_stored())
        .bind(import_id)
        .execute(db.pool())
        .await?;
    Ok(Loaded { loaded, skipped_existing, invalid, total_fen })
}

/// Back-enters one past registration (the form, the API); returns the contract id.
pub async fn enter_one(db: &Db, loader: &Loader<'_>, input: &HistoryInput) -> Result<String, AppError> {
    let checked = check::check(input, today_shanghai()).map_err(AppError::validation)?;
    let mut directory = Directory::load(db).await?;
    check_party(&directory, &checked).map_err(AppError::validation)?;
    let mut tx = db.begin_write().await?;
    if store::registration_no_taken(&mut tx, &checked.registration_no).await? {
        return Err(AppError::conflict(
            ErrorCode::RegistrationNoTaken,
            format!("登记编号 {} 已在平台登记", checked.registration_no),
        ));
    }
    let rows = [(0, checked.clone())];
    let ids = match register_batch(&mut tx, db, loader, &mut directory, &rows, None, "逐笔补录").await {
        Ok(ids) => ids,
        Err(error) if error.as_database_error().is_some_and(|e| e.is_unique_violation()) => {
            return Err(AppError::conflict(
                ErrorCode::RegistrationNoTaken,
                format!("登记编号 {} 已在平台登记", checked.registration_no),
            ));
        }
        Err(error) => return Err(error.into()),
    };
    let id = ids.into_iter().next().unwrap_or_default();
    let details = json!({
        "registration_no": checked.registration_no, "accepted_on": date_text(checked.accepted_on),
        "registered_on": date_text(checked.registered_on),
        "total_fen": checked.draft.amounts.map(|a| a.total().0),
    });
    audit::append(&mut tx, db.backend(), &loader.event("contract.history_entered", "contract", &id, details)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Money text of a loaded total.
pub fn total_text(fen: i64) -> String {
    Fen(fen).format_compact()
}
