//! The import pages (`/imports`): templates, the upload, the dry run's report (per row and
//! cell, and as XLSX with the bad cells marked), and the confirmation. Members of institutions
//! and enterprises import for their own organisation; administrators for any.

use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::{Value, json};

use super::access;
use super::check::{Checking, RowState};
use super::kinds::Importable;
use super::load;
use super::store::{self, ImportSummary};
use super::template as sheet_template;
use crate::achievements::model::Achievements;
use crate::auth::{ActiveUser, ClientAddr};
use crate::db::Db;
use crate::demands::model::Demands;
use crate::domain::org::OrganisationKind;
use crate::error::{AppError, ErrorCode};
use crate::listings::Kind;
use crate::orgs::store as orgs;
use crate::search::Search;
use crate::sheets::columns::header_of;
use crate::sheets::write::{self, RowReport};
use crate::web::download::{Download, MAX_UPLOAD_MIB, form_file};
use crate::web::input::Form;
use crate::web::page::Page;

/// Problem rows listed on the report page; the XLSX report holds every row.
const SHOWN_PROBLEMS: usize = 500;

fn report_json<K: Importable>(summary: &ImportSummary, checking: &Checking<K::Content>) -> Value {
    let problems: Vec<Value> = checking
        .outcomes
        .iter()
        .filter(|o| o.state == RowState::Invalid)
        .take(SHOWN_PROBLEMS)
        .map(|o| {
            let cells: Vec<Value> = o
                .errors
                .iter()
                .map(|(field, message)| json!({"column": header_of(K::COLUMNS, field), "message": message}))
                .collect();
            json!({"line": o.line, "title": o.title, "cells": cells})
        })
        .collect();
    let invalid = checking.count(RowState::Invalid);
    json!({
        "import": summary,
        "kind_label": K::KIND.label(),
        "noun": K::WORDS.noun,
        "format": checking.table.format,
        "counts": checking.counts(),
        "problems": problems,
        "problems_cut": invalid > SHOWN_PROBLEMS,
        "shown_problems": SHOWN_PROBLEMS,
        "loaded": summary.status == "loaded",
    })
}

#[get("/?<campaign>")]
async fn index(
    db: &State<Db>,
    user: ActiveUser,
    campaign: Option<&str>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let user = user.0;
    let kinds = access::kinds_for(&user);
    if kinds.is_empty() {
        return Err(access::may_not_import());
    }
    let organisations = if user.is_admin {
        let all = orgs::list_by_kinds(db, &[OrganisationKind::Institution, OrganisationKind::Enterprise]).await?;
        orgs::choices(&all, None)
    } else {
        Vec::new()
    };
    let scope = if user.is_admin { None } else { user.organisation_id.as_deref() };
    // The campaigns taking entries now, the one the page was opened from chosen (and its kind).
    let today = crate::campaigns::service::today();
    let open: Vec<crate::campaigns::store::CampaignRow> = crate::campaigns::store::list(db, &today)
        .await?
        .into_iter()
        .filter(|c| crate::campaigns::model::accepting(&c.status, &c.deadline, &today))
        .filter(|c| kinds.iter().any(|k| k.code() == c.kind))
        .collect();
    let chosen = open.iter().find(|c| Some(c.id.as_str()) == campaign);
    let chosen_kind = chosen.map(|c| c.kind.as_str()).unwrap_or(kinds[0].code());
    let campaigns: Vec<Value> = open
        .iter()
        .map(|c| json!({"code": c.id, "selected": chosen.is_some_and(|x| x.id == c.id),
            "label": format!("{}（{}，截止 {}）", c.title, Kind::from_code(&c.kind).map(Kind::label).unwrap_or_default(), c.deadline)}))
        .collect();
    let kinds: Vec<Value> = kinds
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "checked": k.code() == chosen_kind}))
        .collect();
    let data = json!({
        "kinds": kinds,
        "campaigns": campaigns,
        "organisations": organisations,
        "organisation_name": user.organisation_name,
        "imports": store::recent(db, scope, 30).await?,
        "max_rows": crate::sheets::MAX_ROWS,
        "max_mib": MAX_UPLOAD_MIB,
    });
    Ok(Page::new("imports/index", "批量导入", data).with_flash(flash))
}

#[get("/template/<kind>")]
async fn template(kind: &str) -> Result<Download, AppError> {
    let not_found = || AppError::not_found(ErrorCode::NotFound, "没有这种导入模板");
    let kind = Kind::from_code(kind.trim_end_matches(".xlsx")).ok_or_else(not_found)?;
    let body = match kind {
        Kind::Achievement => sheet_template::workbook::<Achievements>(),
        Kind::Demand => sheet_template::workbook::<Demands>(),
    }
    .map_err(AppError::internal)?;
    Ok(Download::xlsx(body, &format!("{}导入模板.xlsx", kind.label())))
}

#[derive(FromForm)]
struct Upload<'r> {
    kind: String,
    organisation_id: Option<String>,
    campaign_id: Option<String>,
    file: TempFile<'r>,
}

#[post("/", data = "<form>")]
async fn upload(
    form: Form<Upload<'_>>,
    db: &State<Db>,
    search: &State<Search>,
    user: ActiveUser,
    ip: ClientAddr,
) -> Result<Redirect, Flash<Redirect>> {
    let back = |e: AppError| Flash::error(Redirect::to("/imports"), e.message);
    let bytes = form_file(&form.file).await.map_err(back)?;
    let name =
        form.file.raw_name().map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string()).unwrap_or_default();
    let organisation = form.organisation_id.as_deref();
    let campaign = form.campaign_id.as_deref();
    let file = access::Upload { kind: Some(&form.kind), organisation, campaign, name: &name, bytes: &bytes };
    let id = access::upload(db, search, &user.0, &ip.0, file).await.map_err(back)?;
    Ok(Redirect::to(format!("/imports/{id}")))
}

async fn report_page<K: Importable>(
    db: &Db,
    summary: &ImportSummary,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let checking = load::checked::<K>(db, summary).await?;
    let mut data = report_json::<K>(summary, &checking);
    let titles: std::collections::HashMap<usize, &str> =
        checking.outcomes.iter().map(|o| (o.line, o.title.as_str())).collect();
    let suspects: Vec<Value> = store::suspects(db, &summary.id)
        .await?
        .into_iter()
        .map(|(line, matches)| json!({"line": line, "title": titles.get(&line), "matches": matches}))
        .collect();
    data["duplicates"] = json!(suspects);
    data["duplicate_rows"] = json!(load::DUPLICATE_CHECK_ROWS);
    Ok(Page::new("imports/report", format!("检查结果 · {}", summary.file_name), data).with_flash(flash))
}

#[get("/<id>")]
async fn report(id: &str, db: &State<Db>, user: ActiveUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let (summary, kind) = access::own_import(db, &user.0, id).await?;
    match kind {
        Kind::Achievement => report_page::<Achievements>(db, &summary, flash).await,
        Kind::Demand => report_page::<Demands>(db, &summary, flash).await,
    }
}

async fn report_file<K: Importable>(db: &Db, summary: &ImportSummary) -> Result<Vec<u8>, AppError> {
    let checking = load::checked::<K>(db, summary).await?;
    let rows = checking
        .outcomes
        .iter()
        .map(|o| (o.line, RowReport { errors: o.errors.clone(), summary: o.summary(K::COLUMNS) }))
        .collect();
    write::report(&checking.table, K::COLUMNS, &rows).map_err(AppError::internal)
}

#[get("/<id>/report.xlsx", rank = 2)]
async fn report_xlsx(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Download, AppError> {
    let (summary, kind) = access::own_import(db, &user.0, id).await?;
    let body = match kind {
        Kind::Achievement => report_file::<Achievements>(db, &summary).await?,
        Kind::Demand => report_file::<Demands>(db, &summary).await?,
    };
    Ok(Download::xlsx(body, &format!("{}导入检查结果.xlsx", kind.label())))
}

#[post("/<id>/confirm")]
async fn confirm(id: &str, db: &State<Db>, user: ActiveUser, ip: ClientAddr) -> Result<Flash<Redirect>, AppError> {
    let done = access::confirm(db, &user.0, &ip.0, id).await?;
    let message = format!(
        "已导入 {} 项，进入审核队列；已存在跳过 {} 项，有误未导入 {} 行",
        done.loaded, done.skipped_existing, done.invalid
    );
    Ok(Flash::success(Redirect::to(format!("/imports/{id}")), message))
}

/// Mounted at `/imports`.
pub fn routes() -> Vec<Route> {
    routes![index, template, upload, report, report_xlsx, confirm]
}
