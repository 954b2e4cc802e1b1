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
