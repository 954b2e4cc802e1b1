//! Upload and load: an upload keeps the file and its dry run (nothing else is saved); a
//! confirmed load re-checks the file against the library as it is then and saves the passing
//! rows into the review queue (submitted) in batches — each batch one transaction holding the
//! upload's lock, with every listing's audit event and search outbox entry — and tells the
//! administrators once.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::check::{self, Checking};
use super::kinds::Importable;
use super::store::{self, ImportSummary, NewImport};
use crate::audit::{self, NewAuditEvent};
use crate::campaigns::store::Entering;
use crate::db::Db;
use crate::duplicates::{self, many::Match};
use crate::error::{AppError, ErrorCode};
use crate::inbox::{Notice, Topic, deliver};
use crate::listings::kind::ListingStatus as _;
use crate::listings::store::{Owner, insert_many};
use crate::search::Search;
use crate::sheets::SheetError;

/// Listings saved per transaction.
pub const BATCH: usize = 500;

/// Who uploads or loads, from where.
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    pub user_id: &'a str,
    pub ip: &'a str,
}

impl Uploader<'_> {
    fn event(&self, action: &str, subject_type: &str, id: &str, details: serde_json::Value) -> NewAuditEvent {
        NewAuditEvent::by(Some(self.user_id), Some(self.ip), action, subject_type, id, details)
    }
}

fn unreadable(error: SheetError) -> AppError {
    AppError::bad_request(ErrorCode::UnreadableFile, error.to_string())
}

/// The check of a file for an organisation, against its listings as they are now.
pub async fn check_file<K: Importable>(
    db: &Db,
    organisation_id: &str,
    bytes: &[u8],
) -> Result<Checking<K::Content>, AppError> {
    let table = check::read::<K>(bytes).map_err(unreadable)?;
    let mut conn = db.pool().acquire().await?;
    let stored = check::stored_identities::<K>(&mut conn, organisation_id).await?;
    Ok(check::check_table::<K>(table, &stored))
}

/// Rows of a file whose possible duplicates are looked up at upload.
pub const DUPLICATE_CHECK_ROWS: usize = 2_000;

/// The stored listings the passing rows may repeat (the first `DUPLICATE_CHECK_ROWS`), by line.
async fn suspects_of<K: Importable>(
    db: &Db,
    search: Option<&Search>,
    checking: &Checking<K::Content>,
) -> Result<BTreeMap<usize, Vec<Match>>, AppError> {
    let ready = &checking.ready[..checking.ready.len().min(DUPLICATE_CHECK_ROWS)];
    let texts: Vec<_> = ready.iter().map(|(_, _, content)| K::compared(content)).collect();
    let found = duplicates::many::matches(db, search, K::KIND, &texts, 3).await?;
    Ok(ready.iter().zip(found).filter(|(_, m)| !m.is_empty()).map(|((line, _, _), m)| (*line, m)).collect())
}

/// Keeps an uploaded file with its dry run and the possible duplicates of its rows; returns the
/// upload's id and the check.
pub async fn upload<K: Importable>(
    db: &Db,
    search: Option<&Search>,
    uploader: Uploader<'_>,
    organisation_id: &str,
    campaign_id: Option<&str>,
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, Checking<K::Content>), AppError> {
    let checking = check_file::<K>(db, organisation_id, bytes).await?;
    let suspects = suspects_of::<K>(db, search, &checking).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = if name.trim().is_empty() { format!("{}.xlsx", K::KIND.label()) } else { name };
    let sha = hex::encode(Sha256::digest(bytes));
    let new = NewImport {
        id: &id,
        kind: K::KIND.code(),
        organisation_id,
        file_name: &name,
        file_sha256: &sha,
        content: bytes,
        uploaded_by: uploader.user_id,
        row_count: checking.outcomes.len(),
        valid_count: checking.ready.len(),
        suspects: &serde_json::to_string(&suspects).map_err(AppError::internal)?,
        campaign_id,
    };
    store::insert(db, &new).await?;
    Ok((id, checking))
}

/// An upload's file checked again, as of now.
pub async fn checked<K: Importable>(db: &Db, summary: &ImportSummary) -> Result<Checking<K::Content>, AppError> {
    let content = store::content(db, &summary.id).await?;
    check_file::<K>(db, &summary.organisation_id, &content).await
}

/// What a confirmed load did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Loaded {
    pub loaded: usize,
    pub skipped_existing: usize,
    pub invalid: usize,
}

/// Saves every row of an upload that passes now; `progress` hears the rows done after each
/// batch. Rows the organisation has meanwhile (a parallel load included) are skipped.
pub async fn confirm<K: Importable>(
    db: &Db,
    uploader: Uploader<'_>,
    summary: &ImportSummary,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Loaded, AppError> {
    if let Some(campaign_id) = summary.campaign_id.as_deref() {
        let campaign = crate::campaigns::service::find(db, campaign_id).await?;
        if !crate::campaigns::model::accepting(
            &campaign.status,
            &campaign.deadline,
            &crate::campaigns::service::today(),
        ) {
            return Err(AppError::conflict(
                ErrorCode::CampaignClosed,
                format!("征集“{}”已截止或已结束：请不选征集重新上传这个文件", campaign.title),
            ));
        }
    }
    let checking = checked::<K>(db, summary).await?;
    let mut done = Loaded {
        skipped_existing: checking.count(check::RowState::Exists),
        invalid: checking.count(check::RowState::Invalid),
        loaded: 0,
    };
    let subject = K::WORDS.subject;
    let owner = Owner {
        organisation_id: &summary.organisation_id,
        created_by: uploader.user_id,
        status: K::Status::SUBMITTED,
        is_demo: false,
    };
    let total = checking.ready.len();
    for (batch_no, batch) in checking.ready.chunks(BATCH).enumerate() {
        let mut tx = db.begin_write().await?;
        store::lock(&mut tx, &summary.id).await?;
        let stored = check::stored_identities::<K>(&mut tx, &summary.organisation_id).await?;
        let fresh: Vec<&(usize, String, K::Content)> =
            batch.iter().filter(|(_, key, _)| !stored.contains(key)).collect();
        done.skipped_existing += batch.len() - fresh.len();
        let ids: Vec<String> = fresh.iter().map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let rows: Vec<(&str, &K::Content)> =
            ids.iter().map(String::as_str).zip(fresh.iter().map(|(_, _, c)| c)).collect();
        insert_many::<K>(&mut tx, Owner { ..owner }, &rows).await?;
        if let Some(campaign_id) = summary.campaign_id.as_deref() {
            let entering = Entering {
                campaign_id,
                kind: K::KIND,
                organisation_id: &summary.organisation_id,
                entered_by: uploader.user_id,
                import_id: Some(&summary.id),
            };
            // Entered in the import's own transaction; the campaign was checked at upload and above.
            crate::campaigns::store::enter(&mut tx, entering, &ids).await?;
        }
        let events: Vec<NewAuditEvent> = ids
            .iter()
            .zip(&fresh)
            .map(|(id, (line, _, content))| {
                let details = json!({"import_id": summary.id, "file_name": summary.file_name, "line": line,
                    "title": K::title_of(content), "organisation_id": summary.organisation_id});
                uploader.event(&format!("{subject}.imported"), subject, id, details)
            })
            .collect();
        audit::append_many(&mut tx, db.backend(), &events).await?;
        tx.commit().await?;
        done.loaded += fresh.len();
        progress(((batch_no + 1) * BATCH).min(total), total);
    }
    let mut tx = db.begin_write().await?;
    store::mark_loaded(&mut tx, &summary.id, done.loaded).await?;
    let details = json!({"kind": summary.kind, "organisation_id": summary.organisation_id, "file_name": summary.file_name,
        "file_sha256": summary.file_sha256, "loaded": done.loaded, "skipped_existing": done.skipped_existing, "invalid": done.invalid});
    audit::append(
        &mut tx,
        db.backend(),
        &uploader.event("listing_import.loaded", "listing_import", &summary.id, details),
    )
    .await?;
    if done.loaded > 0 {
        let title = format!("待审核{}：{} 项（{} 批量导入）", K::WORDS.noun, done.loaded, summary.organisation_name);
        let notice = Notice::new(Topic::Review, title, format!("{}/review", K::KIND.base()))
            .with_body(format!("文件《{}》", summary.file_name));
        deliver::to_admins(&mut tx, &notice, Some(uploader.user_id)).await?;
    }
    tx.commit().await?;
    if done.loaded > 0
        && let Err(error) = db.refresh_statistics().await
    {
        tracing::warn!(%error, "refreshing the planner's statistics failed");
    }
    Ok(done)
}
