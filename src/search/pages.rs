//! The search page: a query box, facets with counts in a sidebar (each a link that adds or
//! removes one filter), highlighted results, sorting, paging, and help when nothing matches.

use rocket::{Route, State, get, routes};
use serde_json::{Value, json};

use super::Search;
use super::engine::SortBy;
use super::params::{Facet, SearchParams, find};
use crate::db::Db;
use crate::error::AppError;
use crate::web::{Page, url_encode};

const PER_PAGE: usize = 10;
/// Values shown per facet before the rest are folded away.
const FACET_VALUES: usize = 8;

/// The parameters as (name, value) pairs, in a fixed order, for building links.
fn pairs(p: &SearchParams) -> Vec<(&'static str, String)> {
    [
        ("q", &p.q),
        ("kind", &p.kind),
        ("field", &p.field),
        ("industry", &p.industry),
        ("stage", &p.stage),
        ("mode", &p.mode),
        ("pricing", &p.pricing),
        ("region", &p.region),
        ("status", &p.status),
        ("trl", &p.trl),
        ("min", &p.min),
        ("max", &p.max),
        ("within", &p.within),
        ("sort", &p.sort),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| (k, v.to_string())))
    .collect()
}

/// `/search?…` with `name` set to `value` (or removed when `None`) and the page reset.
fn link(p: &SearchParams, name: &str, value: Option<&str>) -> String {
    let mut parts: Vec<(&str, String)> = pairs(p).into_iter().filter(|(k, _)| *k != name).collect();
    if let Some(v) = value {
        parts.push((name, v.to_string()));
    }
    let query: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
    if query.is_empty() { "/search".to_string() } else { format!("/search?{}", query.join("&")) }
}

fn page_link(p: &SearchParams, page: usize) -> String {
    let base = link(p, "page", None);
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}page={page}")
}

/// The URL parameter a facet filters by.
fn param_of(facet: &str) -> &'static str {
    match facet {
        "kind" => "kind",
        "technical_field" => "field",
        "industry" => "industry",
        "stage" => "stage",
        "modes" => "mode",
        "pricing" => "pricing",
        "region" => "region",
        _ => "status",
    }
}

fn current(p: &SearchParams, param: &str) -> Option<String> {
    pairs(p).into_iter().find(|(k, _)| *k == param).map(|(_, v)| v)
}

fn facet_view(p: &SearchParams, facet: &Facet) -> Value {
    let param = param_of(facet.name);
    let chosen = current(p, param);
    let values: Vec<Value> = facet
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let selected = chosen.as_deref() == Some(v.value.as_str());
            json!({
                "label": v.label,
                "count": v.count,
                "selected": selected,
                "folded": i >= FACET_VALUES && !selected,
                "href": link(p, param, if selected { None } else { Some(&v.value) }),
            })
        })
        .collect();
    let folded = values.iter().filter(|v| v["folded"] == json!(true)).count();
    json!({"name": facet.name, "label": facet.label, "values": values, "folded": folded,
           "clear": chosen.map(|_| link(p, param, None))})
}

#[get("/search?<params..>")]
async fn page(db: &State<Db>, search: &State<Search>, params: SearchParams) -> Result<Page, AppError> {
    let request = params.request(PER_PAGE, true)?;
    let sort = request.sort;
    let page = params.page()?;
    let has_text = !request.words_empty();
    let found = find(db, search, request, true).await?;
    let pages = found.total.div_ceil(PER_PAGE).clamp(1, super::params::MAX_DEPTH / PER_PAGE);
    let filtered = pairs(&params).iter().any(|(k, _)| !matches!(*k, "q" | "sort"));
    let sorts: Vec<Value> = [SortBy::Relevance, SortBy::Newest, SortBy::PriceLow, SortBy::PriceHigh]
        .into_iter()
        .filter(|s| has_text || *s != SortBy::Relevance)
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": s == sort}))
        .collect();
    let single_words: Vec<Value> = if found.total == 0 && found.words.len() > 1 {
        found.words.iter().map(|w| json!({"word": w, "href": link(&params, "q", Some(w))})).collect()
    } else {
        vec![]
    };
    let title = if params.text().trim().is_empty() {
        "搜索".to_string()
    } else {
        format!("“{}”的搜索结果", params.text().trim().chars().take(40).collect::<String>())
    };
    let data = json!({
        "q": params.text().trim(),
        "total": found.total,
        "cards": found.cards,
        "facets": found.facets.iter().filter(|f| !f.values.is_empty()).map(|f| facet_view(&params, f)).collect::<Vec<_>>(),
        "relaxed": found.relaxed,
        "words": found.words,
        "single_words": single_words,
        "filtered": filtered,
        "clear_filters": link(&SearchParams { q: params.q.clone(), ..SearchParams::default() }, "page", None),
        "sorts": sorts,
        "hidden": pairs(&params).into_iter().filter(|(k, _)| !matches!(*k, "q" | "sort" | "min" | "max" | "within"))
            .map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        "min": params.min, "max": params.max,
        // What 订阅这个搜索 keeps: the words and filters (not the sort, the page or the window).
        "saved": pairs(&params).into_iter().filter(|(k, _)| !matches!(*k, "sort" | "within"))
            .map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        "within": current(&params, "within"),
        "page": page,
        "pages": pages,
        "prev": (page > 1).then(|| page_link(&params, page - 1)),
        "next": (page < pages).then(|| page_link(&params, page + 1)),
    });
    Ok(Page::new("search/index", title, data))
}

pub fn routes() -> Vec<Route> {
    routes![page]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_add_and_remove_one_parameter() {
        let p = SearchParams {
            q: Some("数控 机床".into()),
            field: Some("advanced_manufacturing".into()),
            ..Default::default()
        };
        assert_eq!(
            link(&p, "kind", Some("achievement")),
            "/search?q=%E6%95%B0%E6%8E%A7%20%E6%9C%BA%E5%BA%8A&field=advanced_manufacturing&kind=achievement"
        );
        assert_eq!(link(&p, "field", None), "/search?q=%E6%95%B0%E6%8E%A7%20%E6%9C%BA%E5%BA%8A");
        assert!(page_link(&SearchParams::default(), 2).ends_with("/search?page=2"));
    }
}
