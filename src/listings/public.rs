//! The public list every kind shows (科技成果库, 技术需求): the query it shares (technical field,
//! industry section, region, sort, page) read by one request guard, the common filters and
//! their choice lists, and the paging links that keep the filters.

use rocket::request::{FromRequest, Outcome, Request};
use serde_json::{Value, json};

use super::kind::Listing;
use super::store::ListFilter;
use crate::domain::taxonomy::{IndustrySection, TechnicalField};

/// The query every public list shares; the kind reads its own filters beside it.
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    pub field: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
    /// The page as written, when it is not a number.
    pub page_text: Option<String>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PublicQuery {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let text = |name: &str| request.query_value::<String>(name).and_then(Result::ok);
        Outcome::Success(PublicQuery {
            field: text("field"),
            industry: text("industry"),
            region: text("region"),
            sort: text("sort"),
            page: request.query_value::<i64>("page").and_then(Result::ok),
            page_text: text("page").filter(|p| p.trim().parse::<i64>().is_err()),
        })
    }
}

/// One page of a public list, ready for its template: `items`, `total`, paging and `filters`.
pub struct PublicPage {
    pub number: i64,
    pub offset: i64,
}

impl PublicQuery {
    /// The list's filter: the common ones (values that are not codes, or a region that is not
    /// six digits, are ignored) with the kind's own.
    pub fn filter<K: Listing>(&self, own: K::Filter) -> ListFilter<K> {
        ListFilter {
            technical_field: known(self.field.as_deref(), TechnicalField::from_code),
            industry_section: known(self.industry.as_deref(), IndustrySection::from_code),
            region_code: self
                .region
                .as_deref()
                .filter(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string),
            ..ListFilter::public(own)
        }
    }

    /// What is wrong with the common part of the query; the kind adds its own and `sorts`
    /// names the orders it offers.
    pub fn problems(&self, sorts: &[&str]) -> Problems {
        let mut problems = Problems::default();
        problems.code("技术领域", self.field.as_deref(), TechnicalField::from_code);
        problems.code("行业门类", self.industry.as_deref(), IndustrySection::from_code);
        if let Some(region) = self.region.as_deref().filter(|r| !r.trim().is_empty())
            && !(region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()))
        {
            problems.push(format!("所在地“{}”不是 6 位行政区划代码", shown(region)));
        }
        problems.code("排序方式", self.sort.as_deref(), |s| sorts.contains(&s).then_some(()));
        if let Some(text) = &self.page_text {
            problems.push(format!("页码“{}”不是数字", shown(text)));
        } else if self.page.is_some_and(|p| p < 1) {
            problems.push("页码应从 1 开始".to_string());
        }
        problems
    }

    /// The page asked for (kept within 1–10 000) and its offset.
    pub fn page(&self) -> PublicPage {
        let (number, offset) = index_page(self.page);
        PublicPage { number, offset }
    }

    /// The sort asked for (`newest` when none).
    pub fn sort(&self) -> &str {
        self.sort.as_deref().unwrap_or("newest")
    }

    /// `page`, `pages`, `prev`, `next` and `total`, the links keeping the common filters and
    /// the kind's `own` query values.
    pub fn paging(
        &self,
        page: &PublicPage,
        total: i64,
        own: &[(&str, Option<&str>)],
    ) -> serde_json::Map<String, Value> {
        let mut params: Vec<(&str, Option<&str>)> =
            vec![("field", self.field.as_deref()), ("industry", self.industry.as_deref())];
        params.extend_from_slice(own);
        params.extend([("region", self.region.as_deref()), ("sort", self.sort.as_deref())]);
        let mut links = index_links(page.number, total, &params);
        links.insert("total".into(), json!(total));
        links
    }
}

/// A value as quoted back in a message: at most 20 characters.
fn shown(value: &str) -> String {
    let cut: String = value.chars().take(20).collect();
    if cut.len() < value.len() { format!("{cut}…") } else { cut }
}

/// What was wrong with a list's query, said back to the person (never silently ignored): the
/// list still shows, without the filters it could not read, under a message, answered 400; a
/// page past the last one answers 404 with the number of pages.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    pub fn push(&mut self, message: String) {
        self.0.push(message);
    }

    /// A value that must be one of a vocabulary's codes.
    pub fn code<T>(&mut self, label: &str, value: Option<&str>, parse: impl Fn(&str) -> Option<T>) {
        if let Some(value) = value.filter(|v| !v.trim().is_empty())
            && parse(value).is_none()
        {
            self.0.push(format!("{label}“{}”不是可选的值", shown(value)));
        }
    }

    /// An amount in 万元.
    pub fn amount(&mut self, label: &str, value: Option<&str>) {
        use crate::domain::money::{Fen, Unit};
        if let Some(value) = value.filter(|v| !v.trim().is_empty())
            && Fen::parse(value, Unit::Wan).is_err()
        {
            self.0.push(format!("{label}“{}”不是金额（以万元计的数字）", shown(value)));
        }
    }

    /// The list page as it should be answered.
    pub fn answer(self, page: crate::web::Page, number: i64, total: i64) -> crate::web::Page {
        let pages = (total + INDEX_PAGE_SIZE - 1) / INDEX_PAGE_SIZE;
        if !self.0.is_empty() {
            let message = format!("以下条件无法识别，已忽略：{}。", self.0.join("；"));
            return page.with_status(rocket::http::Status::BadRequest).with_notice("error", message);
        }
        if number > pages.max(1) {
            let message = format!("第 {number} 页不存在：符合条件的共 {total} 条、{} 页。", pages.max(1));
            return page.with_status(rocket::http::Status::NotFound).with_notice("error", message);
        }
        page
    }
}

/// A filter value from the query if it is one of the vocabulary's codes (else ignored).
pub fn known<T>(value: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> Option<String> {
    value.filter(|v| parse(v).is_some()).map(str::to_string)
}

/// The choice lists of the filters every kind has, with the current ones marked.
pub fn common_filter_choices<K: Listing>(filter: &ListFilter<K>) -> serde_json::Map<String, Value> {
    use crate::domain::taxonomy::{IndustrySection, TechnicalField};
    use crate::web::choices;
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let mut map = serde_json::Map::new();
    let fields =
        choices(TechnicalField::ALL, TechnicalField::code, TechnicalField::label, &selected(&filter.technical_field));
    let sections = choices(
        IndustrySection::ALL,
        IndustrySection::code,
        IndustrySection::label,
        &selected(&filter.industry_section),
    );
    map.insert("fields".into(), fields);
    map.insert("sections".into(), sections);
    map.insert("region".into(), json!(filter.region_code.clone().unwrap_or_default()));
    map
}

/// Rows per page of the public lists.
pub const INDEX_PAGE_SIZE: i64 = 20;

/// The page of a public list asked for (kept within 1–10 000) and its offset.
fn index_page(page: Option<i64>) -> (i64, i64) {
    let number = page.unwrap_or(1).clamp(1, 10_000);
    (number, (number - 1) * INDEX_PAGE_SIZE)
}

/// `page`, `pages`, `prev` and `next` of a public list, the links keeping its filters.
fn index_links(number: i64, total: i64, params: &[(&str, Option<&str>)]) -> serde_json::Map<String, Value> {
    let pages = (total + INDEX_PAGE_SIZE - 1) / INDEX_PAGE_SIZE;
    let query = |p: i64| {
        let mut parts = vec![format!("page={p}")];
        for (key, value) in params {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                parts.push(format!("{key}={}", crate::web::url_encode(value)));
            }
        }
        format!("?{}", parts.join("&"))
    };
    let mut links = serde_json::Map::new();
    links.insert("page".into(), json!(number));
    links.insert("pages".into(), json!(pages));
    links.insert("prev".into(), json!((number > 1).then(|| query(number - 1))));
    links.insert("next".into(), json!((number < pages).then(|| query(number + 1))));
    links
}
