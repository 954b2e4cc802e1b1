//! Who may import what, shared by the pages and the API: the kinds a person may import, the
//! organisation an upload is for, the uploads a person may see, and each step dispatched to the
//! kind the upload holds.

use serde_json::{Value, json};

use super::check::Checking;
use super::kinds::{Importable, KINDS};
use super::load::{self, Loaded, Uploader};
use super::store::{self, ImportSummary};
use crate::achievements::model::Achievements;
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::duplicates::many::Match;
use crate::listings::Kind;
use crate::search::Search;

/// Possible duplicates by line.
type Suspects = std::collections::BTreeMap<usize, Vec<Match>>;
use crate::demands::model::Demands;
use crate::error::{AppError, ErrorCode};
use crate::listings::kind::ListingKind;
use crate::orgs::store as orgs;

/// The kinds this person may import (administrators: both).
pub fn kinds_for(user: &CurrentUser) -> Vec<Kind> {
    KINDS
        .into_iter()
        .filter(|k| {
            user.is_admin
                || match k {
                    Kind::Achievement => Achievements::may_create(user),
                    Kind::Demand => Demands::may_create(user),
                }
        })
        .collect()
}

pub fn may_not_import() -> AppError {
    AppError::forbidden(ErrorCode::CannotImport, "只有高校院所、企业的认证成员和平台管理员可以批量导入")
}

/// The upload's record, if the caller may see it (its organisation's members, administrators).
pub async fn own_import(db: &Db, user: &CurrentUser, id: &str) -> Result<(ImportSummary, Kind), AppError> {
    let summary = store::summary(db, id).await?;
    if !user.is_admin && user.organisation_id.as_deref() != Some(summary.organisation_id.as_str()) {
        return Err(store::not_found());
    }
    let kind = Kind::from_code(&summary.kind).ok_or_else(|| AppError::internal("an import of an unknown kind"))?;
    Ok((summary, kind))
}

/// Which organisation an upload is for: one's own, or (administrators) the one chosen.
pub async fn organisation_for(db: &Db, user: &CurrentUser, chosen: Option<&str>) -> Result<String, AppError> {
    let chosen = chosen.map(str::trim).filter(|c| !c.is_empty());
    match (user.is_admin, chosen) {
        (true, Some(id)) => match orgs::find(db, id).await? {
            Some(org) if org.kind == "institution" || org.kind == "enterprise" => Ok(org.id),
            _ => Err(AppError::bad_request(ErrorCode::ImportOrganisationRequired, "请选择要为之导入的高校院所或企业")),
        },
        (_, _) => user.organisation_id.clone().ok_or_else(|| {
            AppError::bad_request(ErrorCode::ImportOrganisationRequired, "请选择要为之导入的高校院所或企业")
        }),
    }
}

/// An uploaded file and what its uploader said of it.
pub struct Upload<'a> {
    /// `achievement` (the default) or `demand`.
    pub kind: Option<&'a str>,
    /// The organisation an administrator imports for.
    pub organisation: Option<&'a str>,
    /// The 征集 campaign the loaded listings are entered into.
    pub campaign: Option<&'a str>,
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Checks and keeps an upload; returns its id.
pub async fn upload(
    db: &Db,
    search: &Search,
    user: &CurrentUser,
    ip: &str,
    file: Upload<'_>,
) -> Result<String, AppError> {
    let Upload { kind, organisation, campaign, name, bytes } = file;
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Kind::Achievement,
        Some(code) => Kind::from_code(code).ok_or_else(|| {
            AppError::bad_request(ErrorCode::InvalidParameter, "kind 应为 achievement（科技成果）或 demand（技术需求）")
        })?,
    };
    if !kinds_for(user).contains(&kind) {
        return Err(may_not_import());
    }
    let organisation = organisation_for(db, user, organisation).await?;
    let campaign = match campaign.map(str::trim).filter(|c| !c.is_empty()) {
        Some(id) => Some(campaign_for(db, user, id, kind, &organisation).await?),
        None => None,
    };
    let campaign = campaign.as_deref();
    let uploader = Uploader { user_id: &user.id, ip };
    Ok(match kind {
        Kind::Achievement => {
            load::upload::<Achievements>(db, Some(search), uploader, &organisation, campaign, name, bytes).await?.0
        }
        Kind::Demand => {
            load::upload::<Demands>(db, Some(search), uploader, &organisation, campaign, name, bytes).await?.0
        }
    })
}

/// The campaign an import enters its listings into: it collects this kind and takes this
/// organisation's entries now.
async fn campaign_for(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    kind: Kind,
    organisation: &str,
) -> Result<String, AppError> {
    let campaign = crate::campaigns::service::find(db, id).await?;
    if campaign.kind != kind.code() {
        return Err(AppError::bad_request(
            ErrorCode::InvalidParameter,
            format!("征集“{}”征集的不是{}", campaign.title, kind.label()),
        ));
    }
    crate::campaigns::service::entrant(db, user, &campaign, Some(organisation)).await?;
    Ok(campaign.id)
}

/// Loads an upload's passing rows.
pub async fn confirm(db: &Db, user: &CurrentUser, ip: &str, id: &str) -> Result<Loaded, AppError> {
    let (summary, kind) = own_import(db, user, id).await?;
    if !kinds_for(user).contains(&kind) {
        return Err(may_not_import());
    }
    let uploader = Uploader { user_id: &user.id, ip };
    let quiet = |_: usize, _: usize| {};
    match kind {
        Kind::Achievement => load::confirm::<Achievements>(db, uploader, &summary, &quiet).await,
        Kind::Demand => load::confirm::<Demands>(db, uploader, &summary, &quiet).await,
    }
}

fn rows_json<K: Importable>(summary: &ImportSummary, checking: &Checking<K::Content>, suspects: &Suspects) -> Value {
    let rows: Vec<Value> = checking
        .outcomes
        .iter()
        .map(|o| {
            json!({"line": o.line, "state": o.state, "title": o.title, "errors": o.errors, "summary": o.summary(K::COLUMNS),
                "duplicates": suspects.get(&o.line).cloned().unwrap_or_default()})
        })
        .collect();
    json!({
        "import": summary,
        "format": checking.table.format,
        "counts": checking.counts(),
        "rows": rows,
    })
}

/// An upload re-checked as of now, every row with its state and problems (the API's report).
pub async fn report(db: &Db, user: &CurrentUser, id: &str) -> Result<Value, AppError> {
    let (summary, kind) = own_import(db, user, id).await?;
    let suspects = store::suspects(db, id).await?;
    Ok(match kind {
        Kind::Achievement => {
            rows_json::<Achievements>(&summary, &load::checked::<Achievements>(db, &summary).await?, &suspects)
        }
        Kind::Demand => rows_json::<Demands>(&summary, &load::checked::<Demands>(db, &summary).await?, &suspects),
    })
}
