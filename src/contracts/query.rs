//! The query string of a contract list (page, API and CSV share it): status, keywords, overdue,
//! and the dimensions the goal dashboard links by — registration year or month, type, field,
//! natures, regions, broker. `none` stands for "not recorded".

use rocket::form::FromForm;

use super::lifecycle::Status;
use crate::domain::forms::date_text;
use crate::domain::time::today_shanghai;
use crate::error::{AppError, ErrorCode};
use crate::web::url_encode;

/// Whose contracts a list shows.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Administrators: every contract.
    All,
    /// A member: contracts they drafted or broker, and those their organisation is party to.
    Member { user_id: String, organisation_id: Option<String> },
}

/// Which contracts a list shows.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub scope: Scope,
    pub status: Option<Status>,
    /// Only registered contracts that were cancelled (`Some(true)`) or not (`Some(false)`).
    pub cancelled: Option<bool>,
    /// Only submitted contracts whose deadline is before this date (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
    /// Words in the title or a party's name.
    pub text: Option<String>,
    /// Registered on or after / before these dates (`YYYY-MM-DD`), inclusive / exclusive.
    pub registered_from: Option<String>,
    pub registered_before: Option<String>,
    /// `(column, value)`: the column (from a fixed list) equals the value ('' = not recorded).
    pub dimensions: Vec<(&'static str, String)>,
    /// Only technology imports (`Some(true)`) or only domestic contracts.
    pub import: Option<bool>,
    /// Only contracts of this origin (`platform`, `history`, `demo`).
    pub origin: Option<String>,
    /// Keyset paging: only rows after this `(updated_at, id)` in list order.
    pub after: Option<(String, String)>,
    /// Few rows match (known from the count): let the filter's own indexes find them. Otherwise
    /// the list walks its ordering index and stops after a page, so the filter columns are
    /// written so that SQLite's statistics-free planner does not start from them.
    pub narrow: bool,
}

#[derive(Debug, Clone, Default, FromForm)]
pub struct ListQuery {
    pub status: Option<String>,
    pub overdue: Option<bool>,
    pub q: Option<String>,
    pub page: Option<i64>,
    /// Registered in this year (Beijing time).
    pub year: Option<i32>,
    /// Registered in this month, `2026-03`.
    pub month: Option<String>,
    pub contract_type: Option<String>,
    pub technical_field: Option<String>,
    pub seller_nature: Option<String>,
    pub buyer_nature: Option<String>,
    pub seller_region: Option<String>,
    pub buyer_region: Option<String>,
    pub broker: Option<String>,
    /// Where the value came from (`negotiation`, `broker`, `direct`, `salon`) and the agency.
    pub channel: Option<String>,
    pub agency: Option<String>,
    /// Only technology imports (`true`) or only domestic contracts (`false`).
    pub import: Option<bool>,
    /// Only contracts of one origin: `platform`, `history` or `demo`.
    pub origin: Option<String>,
    /// The API's keyset cursor (`next_after` of the previous page).
    pub after: Option<String>,
}

fn bad(name: &str) -> AppError {
    AppError::bad_request(ErrorCode::InvalidParameter, format!("参数 {name} 的值无效"))
}

/// Reads a status filter (`cancelled` is a status people filter by, though stored apart).
pub fn status_filter(code: Option<&str>) -> Result<(Option<Status>, Option<bool>), AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok((None, None)),
        Some("cancelled") => Ok((Some(Status::Registered), Some(true))),
        Some("registered") => Ok((Some(Status::Registered), Some(false))),
        Some(other) => Status::from_code(other).map(|s| (Some(s), None)).ok_or_else(|| {
            AppError::bad_request(ErrorCode::InvalidParameter, format!("status “{other}”不是可选的状态"))
        }),
    }
}

impl ListQuery {
    fn dimensions(&self) -> [(&'static str, &'static str, &Option<String>); 9] {
        [
            ("contract_type", "r.contract_type", &self.contract_type),
            ("technical_field", "r.technical_field", &self.technical_field),
            ("seller_nature", "r.seller_nature", &self.seller_nature),
            ("buyer_nature", "r.buyer_nature", &self.buyer_nature),
            ("seller_region", "r.seller_region", &self.seller_region),
            ("buyer_region", "r.buyer_region", &self.buyer_region),
            ("broker", "c.broker_user_id", &self.broker),
            ("channel", "c.channel", &self.channel),
            ("agency", "c.agency_organisation_id", &self.agency),
        ]
    }

    /// The filter for a viewer's scope.
    pub fn filter(&self, scope: Scope) -> Result<ListFilter, AppError> {
        let (status, cancelled) = status_filter(self.status.as_deref())?;
        let mut dims = Vec::new();
        for (name, column, value) in self.dimensions() {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                if value.len() > 64 || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                    return Err(bad(name));
                }
                dims.push((column, if value == "none" { String::new() } else { value.to_string() }));
            }
        }
        let (mut from, mut before) = (None, None);
        if let Some(year) = self.year {
            if !(2000..=2100).contains(&year) {
                return Err(bad("year"));
            }
            from = Some(format!("{year:04}-01-01"));
            before = Some(format!("{:04}-01-01", year + 1));
        }
        if let Some(month) = self.month.as_deref().filter(|m| !m.is_empty()) {
            let parsed =
                month.split_once('-').and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)));
            let Some((y, m)) =
                parsed.filter(|(y, m)| (2000..=2100).contains(y) && (1..=12).contains(m) && month.len() == 7)
            else {
                return Err(bad("month"));
            };
            from = Some(format!("{y:04}-{m:02}-01"));
            before = Some(if m == 12 { format!("{:04}-01-01", y + 1) } else { format!("{y:04}-{:02}-01", m + 1) });
        }
        let origin = match self.origin.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(o @ ("platform" | "history" | "demo")) => Some(o.to_string()),
            Some(_) => return Err(bad("origin")),
        };
        Ok(ListFilter {
            scope,
            import: self.import,
            origin,
            after: match self.after.as_deref().filter(|a| !a.is_empty()) {
                Some(cursor) => Some(crate::listings::cursor::decode(cursor)?),
                None => None,
            },
            status,
            cancelled,
            overdue_on: self.overdue.unwrap_or(false).then(|| date_text(today_shanghai())),
            text: self.q.clone(),
            registered_from: from,
            registered_before: before,
            dimensions: dims,
            narrow: false,
        })
    }

    /// The filters as name and value pairs (without `page`).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &'static str, value: Option<&str>| {
            if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
                pairs.push((name, v.to_string()));
            }
        };
        push("status", self.status.as_deref());
        push("q", self.q.as_deref());
        push("month", self.month.as_deref());
        let year = self.year.map(|y| y.to_string());
        push("year", year.as_deref());
        for (name, _, value) in self.dimensions() {
            push(name, value.as_deref());
        }
        push("origin", self.origin.as_deref());
        if self.overdue == Some(true) {
            pairs.push(("overdue", "true".to_string()));
        }
        if let Some(import) = self.import {
            pairs.push(("import", import.to_string()));
        }
        pairs
    }

    /// The query string again (without `page`), for pagination and export links.
    pub fn to_query(&self) -> Vec<String> {
        self.pairs().into_iter().map(|(name, value)| format!("{name}={}", url_encode(&value))).collect()
    }
}
