//! What every pricing route shares: the achievement it trades (public, with its owner), who
//! speaks for the seller, how a price field is read, and the messages for refusals.

use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::Checker;
use crate::domain::money::{Fen, Unit};
use crate::error::{AppError, ErrorCode};
use crate::listings::Kind;

/// The achievement a route trades, as the routes need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Traded {
    pub id: String,
    pub title: String,
    pub team: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub technical_field: String,
    pub is_demo: i64,
}

/// The most a price may be (1 万亿元), as for asking prices.
pub const MAX_PRICE: Fen = Fen(100_000_000_000_000);

/// A published achievement by id, or `None`.
pub async fn traded(db: &Db, id: &str) -> Result<Option<Traded>, sqlx::Error> {
    let public = crate::listings::status::public_sql(Kind::Achievement);
    sqlx::query_as(&format!(
        "SELECT a.id, a.title, a.team, a.organisation_id, o.name AS organisation_name, a.technical_field, a.is_demo \
         FROM achievements a JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1 AND a.status IN ({public})"
    ))
    .bind(id.trim())
    .fetch_optional(db.pool())
    .await
}

/// The achievement a form names, with a field message when it is not a published one.
pub async fn traded_field(db: &Db, check: &mut Checker, id: Option<&str>) -> Result<Option<Traded>, sqlx::Error> {
    let id = id.unwrap_or_default().trim();
    if id.is_empty() {
        check.fail("achievement_id", "请选择科技成果");
        return Ok(None);
    }
    let found = if uuid::Uuid::parse_str(id).is_ok() { traded(db, id).await? } else { None };
    if found.is_none() {
        check.fail("achievement_id", "所选科技成果不存在或尚未公开");
    }
    Ok(found)
}

/// Whether the caller speaks for the seller: an approved member of the owning organisation,
/// or an administrator.
pub fn speaks_for_seller(caller: &Caller<'_>, traded: &Traded) -> bool {
    caller.is_admin() || caller.member_of(&traded.organisation_id)
}

pub fn not_seller() -> AppError {
    AppError::forbidden(ErrorCode::CannotTrade, "只有成果所属单位的已审核成员或管理员可以发起此交易")
}

/// A required positive price in 万元 (a `元` suffix is read as yuan), at most [`MAX_PRICE`].
pub fn price(check: &mut Checker, field: &str, label: &str, text: Option<&str>) -> Option<Fen> {
    let text = text.unwrap_or_default().trim();
    if text.is_empty() {
        check.fail(field, format!("请填写{label}"));
        return None;
    }
    match Fen::parse(text, Unit::Wan) {
        Ok(fen) if fen.is_zero() => {
            check.fail(field, format!("{label}须大于零"));
            None
        }
        Ok(fen) if fen > MAX_PRICE => {
            check.fail(field, format!("{label}超出合理范围（不超过 1 万亿元）"));
            None
        }
        Ok(fen) => Some(fen),
        Err(error) => {
            check.fail(field, format!("{label}：{error}"));
            None
        }
    }
}

/// An optional price: empty is `None` without a message.
pub fn optional_price(check: &mut Checker, field: &str, label: &str, text: Option<&str>) -> Option<Fen> {
    if text.unwrap_or_default().trim().is_empty() { None } else { price(check, field, label, text) }
}

/// The published achievements a person may trade from a form: their organisation's, or any for
/// an administrator (choice lists stay bounded).
pub async fn own_choices(
    db: &Db,
    user: &crate::web::request_state::CurrentUser,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if user.is_admin {
        return crate::listings::store::public_choices(db, Kind::Achievement, crate::listings::store::FORM_CHOICES)
            .await;
    }
    let public = crate::listings::status::public_sql(Kind::Achievement);
    sqlx::query_as(&format!(
        "SELECT id, title FROM achievements WHERE organisation_id = $1 AND status IN ({public}) ORDER BY published_at DESC, id LIMIT $2"
    ))
    .bind(user.organisation_id.as_deref().unwrap_or_default())
    .bind(crate::listings::store::FORM_CHOICES)
    .fetch_all(db.pool())
    .await
}

/// A choice list for a template: `code`, `label`, `selected`.
pub fn pick(rows: Vec<(String, String)>, chosen: Option<&str>) -> Vec<serde_json::Value> {
    rows.into_iter()
        .map(|(id, title)| serde_json::json!({"selected": chosen == Some(id.as_str()), "code": id, "label": title}))
        .collect()
}

/// How a page answers a write: back to `to` with a flash — the outcome's message, the first
/// field message, or a conflict's message; a refusal (403, 404) or failure answers as an error page.
pub fn flash_back(
    to: String,
    outcome: Result<String, crate::error::FormFailure>,
) -> Result<rocket::response::Flash<rocket::response::Redirect>, AppError> {
    use rocket::response::{Flash, Redirect};
    match outcome {
        Ok(message) => Ok(Flash::success(Redirect::to(to), message)),
        Err(crate::error::FormFailure::Fields(errors)) => {
            let message = errors.values().next().cloned().unwrap_or_else(|| "请检查填写的内容".into());
            Ok(Flash::error(Redirect::to(to), message))
        }
        Err(crate::error::FormFailure::Other(error)) if error.status == rocket::http::Status::Conflict => {
            Ok(Flash::error(Redirect::to(to), error.message))
        }
        Err(crate::error::FormFailure::Other(error)) => Err(error),
    }
}
