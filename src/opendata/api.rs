//! `GET /api/v1/open/{dataset}`: the public datasets without sign-in, paged in modification
//! order for incremental sync (`updated_since`, `after`), answered conditionally.

use rocket::http::ContentType;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use super::http::{Conditional, OpenBudget, since};
use super::records::Record;
use super::store::{self, Deleted, Query};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::open_data::Dataset;
use crate::domain::taxonomy::TechnicalField;
use crate::error::{AppError, ErrorCode};
use crate::listings::cursor;

/// Records a page holds when the caller does not say.
const DEFAULT_LIMIT: i64 = 100;

#[derive(Serialize)]
struct OpenPage<'a> {
    dataset: &'static str,
    licence: &'static str,
    items: &'a [Record],
    /// Records that left the public since `updated_since` (only with it).
    deleted: &'a [Deleted],
    next_cursor: Option<String>,
}

/// The query parameters of a dataset read.
#[derive(Debug, Default, rocket::FromForm)]
struct Params {
    updated_since: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
    field: Option<String>,
    year: Option<i32>,
}

impl Params {
    fn query(&self) -> Result<Query, AppError> {
        let technical_field = match self.field.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(code) => Some(
                TechnicalField::from_code(code)
                    .ok_or_else(|| {
                        AppError::bad_request(ErrorCode::InvalidParameter, format!("没有代码为“{code}”的技术领域"))
                            .with_field("field", "未知的技术领域代码")
                    })?
                    .code()
                    .to_string(),
            ),
            None => None,
        };
        Ok(Query {
            since: self.updated_since.as_deref().map(since).transpose()?,
            after: self.after.as_deref().map(cursor::decode).transpose()?,
            technical_field,
            newest_first: false,
            year: self.year,
        })
    }
}

async fn read(
    db: &Db,
    settings: &Settings,
    budget: OpenBudget,
    dataset: Dataset,
    params: Params,
) -> Result<Conditional, AppError> {
    let budget = budget.check()?;
    let mut query = params.query()?;
    if dataset.feed().is_none() {
        // Salons and the contract statistics have no technical field to narrow by.
        query.technical_field = None;
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, DEFAULT_LIMIT);
    let page = store::page(db, &settings.mail.public_url, dataset, &query, limit).await?;
    let body = OpenPage {
        dataset: dataset.code(),
        licence: super::LICENCE,
        items: &page.items,
        deleted: &page.deleted,
        next_cursor: page.next.as_ref().map(|(at, id)| cursor::encode(at, id)),
    };
    Ok(Conditional {
        body: serde_json::to_vec(&body).map_err(AppError::internal)?,
        content_type: ContentType::JSON,
        last_modified: page.last_modified,
        budget,
        headers: Vec::new(),
    })
}

#[get("/open/achievements?<params..>")]
async fn achievements(
    db: &State<Db>,
    settings: &State<Settings>,
    budget: OpenBudget,
    params: Params,
) -> Result<Conditional, AppError> {
    read(db, settings, budget, Dataset::Achievements, params).await
}

#[get("/open/demands?<params..>")]
async fn demands(
    db: &State<Db>,
    settings: &State<Settings>,
    budget: OpenBudget,
    params: Params,
) -> Result<Conditional, AppError> {
    read(db, settings, budget, Dataset::Demands, params).await
}

#[get("/open/challenges?<params..>")]
async fn challenges(
    db: &State<Db>,
    settings: &State<Settings>,
    budget: OpenBudget,
    params: Params,
) -> Result<Conditional, AppError> {
    read(db, settings, budget, Dataset::Challenges, params).await
}

#[get("/open/salons?<params..>")]
async fn salons(
    db: &State<Db>,
    settings: &State<Settings>,
    budget: OpenBudget,
    params: Params,
) -> Result<Conditional, AppError> {
    read(db, settings, budget, Dataset::Salons, params).await
}

#[get("/open/contracts?<params..>")]
async fn contracts(
    db: &State<Db>,
    settings: &State<Settings>,
    budget: OpenBudget,
    params: Params,
) -> Result<Conditional, AppError> {
    read(db, settings, budget, Dataset::Contracts, params).await
}

#[get("/open/manifest")]
async fn manifest(settings: &State<Settings>, budget: OpenBudget) -> Result<Conditional, AppError> {
    let budget = budget.check()?;
    let manifest = super::bulk::manifest(&settings.data_dir).await.ok_or_else(|| {
        AppError::not_found(ErrorCode::NotFound, "批量文件还没有生成（每天生成一次，管理员也可以立即生成）")
    })?;
    Ok(Conditional {
        last_modified: Some(manifest.generated_at.clone()),
        body: serde_json::to_vec(&manifest).map_err(AppError::internal)?,
        content_type: ContentType::JSON,
        budget,
        headers: Vec::new(),
    })
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![achievements, demands, challenges, salons, contracts, manifest]
}
