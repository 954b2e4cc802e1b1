//! The broker's workspace `/broker`: my deals as a board by stage (plain HTML, no script),
//! stale deals, the unclaimed leads, upcoming meetings and salons, my figures this year; administrators see every deal and
//! every broker's figures. `POST /broker/leads/<source>/<id>/claim` opens a deal from a lead.

use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::Row;
use time::Duration;

use super::leads;
use super::stage::Stage;
use super::store::{self, DealRow, Scope};
use crate::auth::{Acting, ActiveUser};
use crate::db::Db;
use crate::domain::account::Role;
use crate::domain::money::Fen;
use crate::domain::time::{SHANGHAI, to_stored, today_shanghai};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::web::Page;

/// No step for this long makes a deal stale.
pub const STALE_DAYS: i64 = 14;

/// One broker's figures for a year.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub broker_user_id: String,
    pub broker_name: String,
    pub agency_name: Option<String>,
    pub open_deals: i64,
    pub opened: i64,
    pub agreed: i64,
    pub contracted: i64,
    pub lost: i64,
    pub registered_contracts: i64,
    pub registered_fen: i64,
    pub registered_text: String,
}

/// Every broker's figures for a year (one broker's when `only` is given), busiest first.
pub async fn figures(db: &Db, year: i32, only: Option<&str>) -> Result<Vec<Figures>, sqlx::Error> {
    // Instants are stored in UTC, registration dates as Beijing dates: the year is Beijing's.
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| to_stored(d.midnight().assume_offset(SHANGHAI)))
            .unwrap_or_default()
    };
    let (from, to) = (start(year), start(year + 1));
    let (from_day, to_day) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
    let filter = if only.is_some() { "AND u.id = $5" } else { "" };
    let sql = format!(
        "SELECT u.id, u.display_name, o.name AS agency, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM deals d WHERE d.broker_user_id = u.id AND d.stage NOT IN ('contracted', 'lost')) AS open_deals, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM deals d WHERE d.broker_user_id = u.id AND d.created_at >= $1 AND d.created_at < $2) AS opened, \
         (SELECT CAST(COUNT(DISTINCT e.deal_id) AS BIGINT) FROM deal_events e JOIN deals d ON d.id = e.deal_id \
            WHERE d.broker_user_id = u.id AND e.to_stage = 'agreed' AND e.occurred_at >= $1 AND e.occurred_at < $2) AS agreed, \
         (SELECT CAST(COUNT(DISTINCT e.deal_id) AS BIGINT) FROM deal_events e JOIN deals d ON d.id = e.deal_id \
            WHERE d.broker_user_id = u.id AND e.to_stage = 'contracted' AND e.occurred_at >= $1 AND e.occurred_at < $2) AS contracted, \
         (SELECT CAST(COUNT(DISTINCT e.deal_id) AS BIGINT) FROM deal_events e JOIN deals d ON d.id = e.deal_id \
            WHERE d.broker_user_id = u.id AND e.to_stage = 'lost' AND e.occurred_at >= $1 AND e.occurred_at < $2) AS lost, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM contracts c JOIN deals d ON d.id = c.deal_id \
            WHERE d.broker_user_id = u.id AND c.status = 'registered' AND c.registered_on >= $3 AND c.registered_on < $4 \
            AND NOT EXISTS (SELECT 1 FROM contract_cancellations x WHERE x.contract_id = c.id)) AS registered_contracts, \
         (SELECT CAST(COALESCE(SUM(r.total_fen), 0) AS BIGINT) FROM contracts c JOIN deals d ON d.id = c.deal_id \
            JOIN contract_revisions r ON r.contract_id = c.id \
              AND r.revision_no = (SELECT MAX(m.revision_no) FROM contract_revisions m WHERE m.contract_id = c.id) \
            WHERE d.broker_user_id = u.id AND c.status = 'registered' AND c.registered_on >= $3 AND c.registered_on < $4 \
            AND NOT EXISTS (SELECT 1 FROM contract_cancellations x WHERE x.contract_id = c.id)) AS registered_fen \
         FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id \
         WHERE u.role = 'broker' AND (u.status = 'active' OR EXISTS (SELECT 1 FROM deals d WHERE d.broker_user_id = u.id)) {filter} \
         ORDER BY u.display_name, u.id"
    );
    let mut query = sqlx::query(&sql).bind(&from).bind(&to).bind(&from_day).bind(&to_day);
    if let Some(only) = only {
        query = query.bind(only);
    }
    let mut rows: Vec<Figures> = query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| {
            let fen: i64 = row.try_get("registered_fen")?;
            Ok(Figures {
                broker_user_id: row.try_get("id")?,
                broker_name: row.try_get("display_name")?,
                agency_name: row.try_get("agency")?,
                open_deals: row.try_get("open_deals")?,
                opened: row.try_get("opened")?,
                agreed: row.try_get("agreed")?,
                contracted: row.try_get("contracted")?,
                lost: row.try_get("lost")?,
                registered_contracts: row.try_get("registered_contracts")?,
                registered_fen: fen,
                registered_text: Fen(fen).format_compact(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    rows.sort_by(|a, b| b.registered_fen.cmp(&a.registered_fen).then(b.open_deals.cmp(&a.open_deals)));
    Ok(rows)
}

/// Open deals with no step in [`STALE_DAYS`] days.
pub fn stale(deals: &[DealRow]) -> Vec<DealRow> {
    let cutoff = to_stored(time::OffsetDateTime::now_utc() - Duration::days(STALE_DAYS));
    deals.iter().filter(|d| d.stage.is_open() && d.last_step_at < cutoff).cloned().collect()
}

/// The deals grouped by the board's stages, and the lost ones apart.
pub fn board(deals: &[DealRow]) -> Vec<Value> {
    Stage::BOARD
        .iter()
        .chain(std::iter::once(&Stage::Lost))
        .map(|stage| {
            let column: Vec<&DealRow> = deals.iter().filter(|d| d.stage == *stage).collect();
            json!({"code": stage.code(), "label": stage.label(), "size": column.len(), "deals": column})
        })
        .collect()
}

#[get("/")]
async fn index(db: &State<Db>, user: ActiveUser, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let user = user.0;
    let is_broker = user.role == Role::Broker;
    if !(user.is_admin || is_broker) {
        return Err(AppError::forbidden(ErrorCode::Forbidden, "经纪工作台供技术经纪人和管理员使用"));
    }
    let year = today_shanghai().year();
    let scope = if user.is_admin { Scope::Everything } else { Scope::BrokeredBy(&user.id) };
    let deals = store::list(db, &scope, None, 1000).await?;
    let queue = leads::for_user(db, &user, 20).await?;
    let only = if user.is_admin { None } else { Some(user.id.as_str()) };
    let figures = figures(db, year, only).await?;
    let now = crate::domain::time::now_stored();
    let meetings: Vec<Value> = super::meetings::store::upcoming_for(db, &user.id, &now, 10)
        .await?
        .into_iter()
        .map(|m| {
            let when = crate::domain::time::chinese_datetime_text(&m.starts_at);
            json!({"meeting": m, "when": when})
        })
        .collect();
    let salons: Vec<crate::salons::view::SalonView> =
        crate::salons::store::upcoming_for(db, &user.id, user.organisation_id.as_deref(), &now, 10)
            .await?
            .into_iter()
            .map(|row| crate::salons::view::view(row, Vec::new(), &now))
            .collect();
    let data = json!({
        "year": year, "board": board(&deals), "stale": stale(&deals), "stale_days": STALE_DAYS,
        "leads": queue, "figures": figures, "is_admin": user.is_admin, "can_claim": is_broker,
        "meetings": meetings, "salons": salons,
    });
    Ok(Page::new("deals/workspace", "经纪工作台", data).with_flash(flash))
}

#[post("/leads/<source>/<id>/claim")]
async fn claim(source: &str, id: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    match leads::claim(db, &acting.caller(), source, id).await {
        Ok(deal) => {
            Ok(Flash::success(Redirect::to(format!("/deals/{deal}")), "已认领线索并创建对接项目，请尽快联系双方"))
        }
        Err(FormFailure::Other(error)) if error.status.code == 409 => {
            Ok(Flash::error(Redirect::to("/broker"), error.message))
        }
        Err(FormFailure::Other(error)) => Err(error),
        Err(FormFailure::Fields(fields)) => {
            Ok(Flash::error(Redirect::to("/broker"), fields.into_values().next().unwrap_or_default()))
        }
    }
}

/// Mounted at `/broker`.
pub fn routes() -> Vec<Route> {
    routes![index, claim]
}
