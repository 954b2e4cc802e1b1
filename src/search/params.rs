//! The query string both the search page and `GET /api/v1/search` accept, its checks, and the
//! one call both make: search, re-check against the database, highlight, label the facets.

use rocket::FromForm;
use serde::Serialize;

use super::engine::{Request, SortBy};
use super::query::{Filters, Text};
use super::results::{self, Card, Highlighter};
use super::{Search, facets};
use crate::db::Db;
use crate::domain::money::{Fen, Unit};
use crate::domain::regions::{region_name, tianshui_county};
use crate::domain::taxonomy::{CooperationMode, IndustrySection, PricingRoute, Stage, TechnicalField, TransferMode};
use crate::error::{AppError, ErrorCode};
use crate::listings::{Kind, status};

/// Most results on one page.
pub const MAX_PER_PAGE: usize = 50;
/// Deepest result reachable by paging.
pub const MAX_DEPTH: usize = 1_000;

/// Every parameter arrives as text so that nothing a person types makes the request fail
/// before we can answer it in Chinese.
#[derive(Debug, Default, Clone, FromForm)]
pub struct SearchParams {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub field: Option<String>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    pub mode: Option<String>,
    pub pricing: Option<String>,
    pub region: Option<String>,
    pub status: Option<String>,
    pub trl: Option<String>,
    /// Price bounds in 万元.
    pub min: Option<String>,
    pub max: Option<String>,
    /// Published within this many days.
    pub within: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub facets: Option<String>,
    pub highlight: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn invalid(name: &str, message: &str) -> AppError {
    AppError::bad_request(ErrorCode::InvalidParameter, format!("参数 {name} 无效：{message}"))
}

fn number<T: std::str::FromStr>(value: &Option<String>, name: &str, message: &str) -> Result<Option<T>, AppError> {
    given(value).map(|v| v.parse::<T>().map_err(|_| invalid(name, message))).transpose()
}

fn price(value: &Option<String>, name: &str) -> Result<Option<i64>, AppError> {
    given(value)
        .map(|v| {
            Fen::parse(v, Unit::Wan).map(|f| f.0).map_err(|_| invalid(name, "请填写以万元计的金额，如 50 或 12.5"))
        })
        .transpose()
}

fn flag(value: &Option<String>) -> bool {
    given(value).is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
}

impl SearchParams {
    pub fn text(&self) -> &str {
        self.q.as_deref().unwrap_or("")
    }

    pub fn kind(&self) -> Option<Kind> {
        given(&self.kind).and_then(Kind::from_code)
    }

    pub fn page(&self) -> Result<usize, AppError> {
        Ok(number::<usize>(&self.page, "page", "页码应为正整数")?.unwrap_or(1).max(1))
    }

    pub fn per_page(&self, default: usize) -> Result<usize, AppError> {
        Ok(number::<usize>(&self.per_page, "per_page", "每页条数应为 1 到 50 的整数")?
            .unwrap_or(default)
            .clamp(1, MAX_PER_PAGE))
    }

    pub fn sort(&self, has_text: bool) -> Result<SortBy, AppError> {
        match given(&self.sort) {
            None => Ok(if has_text { SortBy::Relevance } else { SortBy::Newest }),
            Some(code) => SortBy::from_code(code).ok_or_else(|| {
                invalid("sort", "可选 relevance（相关度）、newest（最新）、price_asc、price_desc（价格）")
            }),
        }
    }

    pub fn filters(&self) -> Result<Filters, AppError> {
        let text = |v: &Option<String>| given(v).map(str::to_string);
        let (min, max) = (price(&self.min, "min")?, price(&self.max, "max")?);
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                return Err(invalid("min", "最低价不能高于最高价"));
            }
        }
        Ok(Filters {
            kind: self.kind(),
            technical_field: text(&self.field),
            industry: text(&self.industry),
            stage: text(&self.stage),
            mode: text(&self.mode),
            pricing: text(&self.pricing),
            region: text(&self.region),
            status: text(&self.status),
            trl_min: number::<u64>(&self.trl, "trl", "技术就绪度应为 1 到 9 的整数")?,
            min_price_fen: min,
            max_price_fen: max,
            within_days: number::<i64>(&self.within, "within", "发布时间范围应为天数")?.map(|d| d.clamp(1, 3650)),
            only_ids: None,
        })
    }

    /// The search this query string asks for.
    pub fn request(&self, default_per_page: usize, facets: bool) -> Result<Request, AppError> {
        let per_page = self.per_page(default_per_page)?;
        let page = self.page()?;
        let offset = (page - 1) * per_page;
        if offset >= MAX_DEPTH {
            return Err(invalid("page", &format!("最多可翻到第 {} 页，请增加筛选条件", MAX_DEPTH / per_page)));
        }
        let text = self.text().to_string();
        Ok(Request {
            sort: self.sort(!text.trim().is_empty())?,
            text: Text::Typed(text),
            filters: self.filters()?,
            offset,
            limit: per_page,
            facets: facets || flag(&self.facets),
            backfill: false,
        })
    }

    pub fn wants_highlight(&self) -> bool {
        flag(&self.highlight)
    }
}

/// One facet value with its label and count.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
}

/// A facet dimension as shown.
#[derive(Debug, Clone, Serialize)]
pub struct Facet {
    pub name: &'static str,
    pub label: &'static str,
    pub values: Vec<FacetValue>,
}

fn facet_label(facet: &str, value: &str, kind: Option<Kind>) -> String {
    let found: Option<&'static str> = match facet {
        "kind" => Kind::from_code(value).map(Kind::label),
        "technical_field" => TechnicalField::from_code(value).map(|v| v.label()),
        "industry" => IndustrySection::from_code(value).map(|v| v.label()),
        "stage" => Stage::from_code(value).map(|v| v.label()),
        "modes" if kind == Some(Kind::Demand) => CooperationMode::from_code(value).map(|v| v.label()),
        "modes" => TransferMode::from_code(value)
            .map(|v| v.label())
            .or_else(|| CooperationMode::from_code(value).map(|v| v.label())),
        "pricing" => match value {
            "budget" => Some("有预算"),
            "budget_negotiable" => Some("预算面议"),
            other => PricingRoute::from_code(other).map(|v| v.label()),
        },
        "status" if kind == Some(Kind::Demand) => status::label(Kind::Demand, value),
        // Both kinds searched: a code only one kind has but whose label the other kind's status
        // also uses (洽谈中 for negotiating and in_talks) says which kind, so it is not listed twice.
        "status" => match (status::label(Kind::Achievement, value), status::label(Kind::Demand, value)) {
            (Some(label), None) if status::labels(Kind::Demand).contains(&label) => {
                return format!("{label}（成果）");
            }
            (None, Some(label)) if status::labels(Kind::Achievement).contains(&label) => {
                return format!("{label}（需求）");
            }
            (achievement, demand) => achievement.or(demand),
        },
        _ => None,
    };
    match (facet, found) {
        (_, Some(label)) => label.to_string(),
        ("region", None) => match tianshui_county(value) {
            Some(name) => format!("{name}（{value}）"),
            None => region_name(value),
        },
        (_, None) => value.to_string(),
    }
}

fn facet_title(name: &str) -> &'static str {
    match name {
        "kind" => "类别",
        "technical_field" => "技术领域",
        "industry" => "行业门类",
        "stage" => "所处阶段",
        "modes" => "合作方式",
        "pricing" => "定价与预算",
        "region" => "所在地区",
        "status" => "状态",
        _ => "其他",
    }
}

/// Facets in a fixed order, values by count (then label).
pub fn labelled_facets(counts: &facets::Counts, kind: Option<Kind>) -> Vec<Facet> {
    facets::FACETS
        .iter()
        .filter_map(|name| {
            let values = counts.get(name)?;
            let mut values: Vec<FacetValue> = values
                .iter()
                .map(|(v, n)| FacetValue { value: v.clone(), label: facet_label(name, v, kind), count: *n })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            Some(Facet { name, label: facet_title(name), values })
        })
        .collect()
}

/// What one search shows.
pub struct Found {
    pub total: usize,
    pub cards: Vec<Card>,
    pub facets: Vec<Facet>,
    pub relaxed: bool,
    pub words: Vec<String>,
}

/// Searches, re-checks the hits against the database and (optionally) highlights them.
pub async fn find(db: &Db, search: &Search, request: Request, highlight: bool) -> Result<Found, AppError> {
    let kind = request.filters.kind;
    let searcher = search.clone();
    let (outcome, highlighter) = tokio::task::spawn_blocking(move || {
        let generation = searcher.generation();
        let outcome = super::engine::search(&generation, &request)?;
        let highlighter = if highlight {
            Highlighter::new(&generation, outcome.query.as_deref())
        } else {
            Highlighter::new(&generation, None)
        };
        Ok::<_, tantivy::TantivyError>((outcome, highlighter))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let checked = results::recheck(db, &outcome.hits).await?;
    Ok(Found {
        total: outcome.total,
        cards: results::cards(checked, &highlighter),
        facets: labelled_facets(&outcome.facets, kind),
        relaxed: outcome.relaxed,
        words: outcome.words,
    })
}
