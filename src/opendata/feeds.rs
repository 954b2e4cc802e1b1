//! Atom feeds of new and changed listings: `/feeds/achievements.atom`, `/feeds/demands.atom` and
//! `/feeds/challenges.atom`, each also per technical field (`?field=agriculture`). An entry is a
//! listing's current version, updated at its modification time; the 50 latest changes.

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
use rocket::http::ContentType;
use rocket::{Route, State, get, routes};

use super::http::{Conditional, OpenBudget};
use super::records::Record;
use super::store::{self, Query};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::money::Fen;
use crate::domain::open_data::Dataset;
use crate::domain::taxonomy::TechnicalField;
use crate::error::{AppError, ErrorCode};
use crate::trading::notices::feed::{instant, link};
use crate::web::Site;

/// Entries a feed carries.
pub const ENTRIES: i64 = 50;

/// What an entry shows of a record: id, title, summary, page, times, organisation, field.
struct Shown<'a> {
    id: &'a str,
    title: String,
    summary: String,
    url: &'a str,
    published: Option<&'a str>,
    modified: &'a str,
    author: &'a str,
    field: (&'a str, &'a str),
}

fn excerpt(text: &str, chars: usize) -> String {
    let cut: String = text.chars().take(chars).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

fn shown(record: &Record) -> Option<Shown<'_>> {
    Some(match record {
        Record::Achievement(a) => Shown {
            id: &a.id,
            title: a.title.clone(),
            summary: format!(
                "{}（{}，{}，{}）",
                excerpt(&a.summary, 300),
                a.technical_field_label,
                a.stage_label,
                a.status_label
            ),
            url: &a.url,
            published: a.published_at.as_deref(),
            modified: &a.modified_at,
            author: &a.organisation_name,
            field: (&a.technical_field, &a.technical_field_label),
        },
        Record::Demand(d) => Shown {
            id: &d.id,
            title: d.title.clone(),
            summary: format!(
                "{}（{}，有效期至 {}，{}）",
                excerpt(&d.description, 300),
                d.technical_field_label,
                d.valid_until,
                d.status_label
            ),
            url: &d.url,
            published: d.published_at.as_deref(),
            modified: &d.modified_at,
            author: &d.organisation_name,
            field: (&d.technical_field, &d.technical_field_label),
        },
        Record::Challenge(c) => Shown {
            id: &c.id,
            title: format!("揭榜挂帅：{}", c.title),
            summary: format!(
                "揭榜奖励 {}，揭榜时间 {} 至 {}{}。",
                Fen(c.reward_fen).format_compact(),
                c.apply_from,
                c.apply_until,
                if c.winner_selected.0 { "，已确定揭榜方" } else { "" }
            ),
            url: &c.url,
            published: c.published_at.as_deref(),
            modified: &c.modified_at,
            author: &c.organisation_name,
            field: (&c.technical_field, &c.technical_field_label),
        },
        Record::Salon(_) | Record::Contract(_) => return None,
    })
}

fn entry(shown: Shown<'_>) -> Entry {
    Entry {
        id: format!("urn:uuid:{}", shown.id),
        title: Text::plain(shown.title),
        updated: instant(shown.modified),
        published: shown.published.map(instant),
        authors: vec![Person { name: shown.author.to_string(), ..Default::default() }],
        links: vec![link(shown.url.to_string())],
        categories: vec![Category {
            term: shown.field.0.to_string(),
            label: Some(shown.field.1.to_string()),
            ..Default::default()
        }],
        summary: Some(Text::plain(shown.summary.clone())),
        content: Some(Content { value: Some(shown.summary), content_type: Some("text".into()), ..Default::default() }),
        ..Default::default()
    }
}

async fn feed(
    db: &Db,
    site: &Site,
    settings: &Settings,
    budget: OpenBudget,
    dataset: Dataset,
    field: Option<&str>,
) -> Result<Conditional, AppError> {
    let budget = budget.check()?;
    let field = match field.map(str::trim).filter(|f| !f.is_empty()) {
        Some(code) => Some(TechnicalField::from_code(code).ok_or_else(|| {
            AppError::not_found(
                ErrorCode::NotFound,
                format!("没有代码为“{code}”的技术领域，见 /open-data 的领域代码表"),
            )
        })?),
        None => None,
    };
    let base = &settings.mail.public_url;
    let query = Query { technical_field: field.map(|f| f.code().to_string()), newest_first: true, ..Query::default() };
    let page = store::page(db, base, dataset, &query, ENTRIES).await?;
    let name = dataset.feed().unwrap_or(dataset.code());
    let own = match field {
        Some(f) => format!("{base}/feeds/{name}.atom?field={}", f.code()),
        None => format!("{base}/feeds/{name}.atom"),
    };
    let title = match field {
        Some(f) => format!("{} · {}（{}）", site.platform_name, dataset.label(), f.label()),
        None => format!("{} · {}", site.platform_name, dataset.label()),
    };
    let page_url = match dataset {
        Dataset::Challenges => format!("{base}/challenges"),
        _ => format!("{base}/{name}"),
    };
    let feed = Feed {
        id: own.clone(),
        title: Text::plain(title),
        updated: page
            .last_modified
            .as_deref()
            .map(instant)
            .unwrap_or_else(|| instant(&crate::domain::time::now_stored())),
        links: vec![
            link(page_url),
            Link {
                href: own,
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
        ],
        entries: page.items.iter().filter_map(shown).map(entry).collect(),
        lang: Some("zh-CN".into()),
        rights: Some(Text::plain(format!("{}（{}）", super::LICENCE_NAME, super::LICENCE))),
        ..Default::default()
    };
    Ok(Conditional {
        body: feed.to_string().into_bytes(),
        content_type: ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")),
        last_modified: page.last_modified,
        budget,
        headers: Vec::new(),
    })
}

#[get("/achievements.atom?<field>")]
async fn achievements(
    db: &State<Db>,
    site: &State<Site>,
    settings: &State<Settings>,
    budget: OpenBudget,
    field: Option<&str>,
) -> Result<Conditional, AppError> {
    feed(db, site, settings, budget, Dataset::Achievements, field).await
}

#[get("/demands.atom?<field>")]
async fn demands(
    db: &State<Db>,
    site: &State<Site>,
    settings: &State<Settings>,
    budget: OpenBudget,
    field: Option<&str>,
) -> Result<Conditional, AppError> {
    feed(db, site, settings, budget, Dataset::Demands, field).await
}

#[get("/challenges.atom?<field>")]
async fn challenges(
    db: &State<Db>,
    site: &State<Site>,
    settings: &State<Settings>,
    budget: OpenBudget,
    field: Option<&str>,
) -> Result<Conditional, AppError> {
    feed(db, site, settings, budget, Dataset::Challenges, field).await
}

/// Mounted at `/feeds`.
pub fn routes() -> Vec<Route> {
    routes![achievements, demands, challenges]
}
