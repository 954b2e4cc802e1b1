//! The 公示 board as an Atom feed (`/notices/feed.atom`): one entry per notice version, updated
//! when it closes, written with the `atom_syndication` crate.

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use rocket::http::ContentType;
use rocket::response::{self, Responder};
use rocket::{Request, Response};

use super::view::NoticeView;
use crate::domain::time::parse_stored;

/// Entries the feed carries.
pub const ENTRIES: i64 = 50;

/// An Atom document.
pub struct AtomFeed(pub String);

impl<'r> Responder<'r, 'static> for AtomFeed {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")))
            .sized_body(self.0.len(), std::io::Cursor::new(self.0))
            .ok()
    }
}

/// A stored time as an Atom date (the epoch when it cannot be read).
pub fn instant(stored: &str) -> atom_syndication::FixedDateTime {
    parse_stored(stored)
        .and_then(|at| {
            atom_syndication::FixedDateTime::parse_from_rfc3339(
                &at.format(&time::format_description::well_known::Rfc3339).ok()?,
            )
            .ok()
        })
        .unwrap_or_default()
}

/// The `alternate` link of an entry or feed to its HTML page.
pub fn link(href: String) -> Link {
    Link { href, rel: "alternate".into(), mime_type: Some("text/html".into()), ..Default::default() }
}

fn entry(base: &str, notice: &NoticeView) -> Entry {
    let updated = notice.closed_at.as_deref().unwrap_or(&notice.published_at);
    let version = if notice.version_no > 1 { format!("（第 {} 版）", notice.version_no) } else { String::new() };
    let summary = format!(
        "{}拟以{}向{}{}“{}”，拟交易价格 {}。公示期 {}。状态：{}。异议受理：{}",
        notice.organisation_name,
        notice.transfer_mode_label,
        notice.transferee,
        if notice.transfer_mode == "transfer" { "转让" } else { "实施" },
        notice.title,
        notice.price_text,
        notice.period_label,
        notice.status_label,
        notice.contact
    );
    Entry {
        id: format!("urn:uuid:{}", notice.id),
        title: Text::plain(format!("协议定价公示：{}{version}", notice.title)),
        updated: instant(updated),
        published: Some(instant(&notice.published_at)),
        authors: vec![Person { name: notice.organisation_name.clone(), ..Default::default() }],
        links: vec![link(format!("{base}/notices/{}", notice.id))],
        summary: Some(Text::plain(summary.clone())),
        content: Some(Content { value: Some(summary), content_type: Some("text".into()), ..Default::default() }),
        ..Default::default()
    }
}

/// The feed of these notices (newest first).
pub fn of(platform: &str, base: &str, notices: Vec<NoticeView>) -> AtomFeed {
    let updated = notices
        .iter()
        .map(|n| instant(n.closed_at.as_deref().unwrap_or(&n.published_at)))
        .max()
        .unwrap_or_else(|| instant(&crate::domain::time::now_stored()));
    let feed = Feed {
        id: format!("{base}/notices/feed.atom"),
        title: Text::plain(format!("{platform} · 协议定价公示")),
        updated,
        links: vec![
            link(format!("{base}/notices")),
            Link {
                href: format!("{base}/notices/feed.atom"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
        ],
        entries: notices.iter().map(|n| entry(base, n)).collect(),
        lang: Some("zh-CN".into()),
        ..Default::default()
    };
    AtomFeed(feed.to_string())
}
