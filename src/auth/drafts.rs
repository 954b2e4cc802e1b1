//! A long form sent after its session ended (idle timeout, signed out elsewhere) is not lost:
//! the gate sends it here instead of to its handler; what was typed is kept for 24 hours for the
//! same person, who is told to sign in again and lands back on the form with it filled in.
//!
//! A form opts in by naming the page it was filled on in a hidden `_form` field (the create and
//! edit forms of listings and contracts). The kept body is handed only to the account whose
//! session ended, once; the form page parses it with the form's own rules.

use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, post, routes};

use crate::db::Db;
use crate::domain::time::{now_stored, to_stored};
use crate::error::AppError;
use crate::secrets::{hash_secret, random_token};
use crate::web::request_state::Identity;

/// The hidden field naming the page a form was filled on.
pub const FORM_FIELD: &str = "_form";
/// The query parameter that brings a kept form back.
pub const DRAFT_PARAM: &str = "draft";
/// The notice on a form that got its typed content back.
pub const RESTORED: &str = "已恢复登录超时前填写的内容，请检查后提交。";
/// How long a kept form waits.
const KEPT_FOR: time::Duration = time::Duration::hours(24);
/// The largest form body kept (the site's form limit).
const MAX_BODY: usize = 64 * 1024;

/// Paths whose forms are never kept: signing in and out, registering, resetting a password.
pub fn never_kept(path: &str) -> bool {
    ["/login", "/logout", "/register", "/password/", "/__"].iter().any(|p| path.starts_with(p))
}

/// The account whose session ended, for a request the gate routed here.
pub struct EndedSession(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for EndedSession {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match request.local_cache(Identity::default).expired_user.clone() {
            Some(user) => Outcome::Success(EndedSession(user)),
            None => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// The `_form` value of a url-encoded body, when it is a path on this site.
fn form_page(body: &str) -> Option<String> {
    let raw = body.split('&').find_map(|pair| pair.strip_prefix("_form="))?;
    let path = rocket::http::RawStr::new(raw).url_decode().ok()?.into_owned();
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains(['\\', '?', '#'])
        && path.bytes().all(|b| b.is_ascii_graphic());
    safe.then_some(path)
}

/// Keeps a form body for a user; the token that brings it back.
async fn keep(db: &Db, user_id: &str, form_path: &str, body: &str) -> Result<String, sqlx::Error> {
    let token = random_token(24);
    let now = time::OffsetDateTime::now_utc();
    sqlx::query("DELETE FROM form_drafts WHERE expires_at < $1").bind(to_stored(now)).execute(db.pool()).await?;
    sqlx::query(
        "INSERT INTO form_drafts (token_hash, user_id, form_path, body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_secret(&token))
    .bind(user_id)
    .bind(form_path)
    .bind(body)
    .bind(to_stored(now))
    .bind(to_stored(now + KEPT_FOR))
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// The body kept under `token` for this user on this page, handed over once.
pub async fn take(db: &Db, token: &str, user_id: &str, form_path: &str) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body FROM form_drafts WHERE token_hash = $1 AND user_id = $2 AND form_path = $3 AND expires_at > $4",
    )
    .bind(hash_secret(token))
    .bind(user_id)
    .bind(form_path)
    .bind(now_stored())
    .fetch_optional(&mut *tx)
    .await?;
    if body.is_some() {
        sqlx::query("DELETE FROM form_drafts WHERE token_hash = $1").bind(hash_secret(token)).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(body)
}

/// What was typed into a form whose session ended, brought back by `?draft=` for the same
/// person on the same page, read with the form's own parser (`None`: nothing kept, or no longer).
pub async fn kept<T>(db: &Db, user_id: &str, token: Option<&str>, page: &str) -> Result<Option<T>, sqlx::Error>
where
    T: for<'a> rocket::form::FromForm<'a> + 'static,
{
    let Some(token) = token else { return Ok(None) };
    let Some(body) = take(db, token, user_id, page).await? else { return Ok(None) };
    Ok(rocket::form::Form::<T>::parse_encoded(rocket::http::RawStr::new(&body)).ok())
}

/// Where the gate sends a form that arrived after its session ended.
#[post("/__expired", data = "<data>")]
async fn ended(data: Data<'_>, db: &State<Db>, who: EndedSession) -> Result<Flash<Redirect>, AppError> {
    let unreadable = |e| AppError::bad_request(crate::error::ErrorCode::BadForm, "表单无法读取").with_cause(e);
    let body = data.open(MAX_BODY.bytes()).into_string().await.map_err(unreadable)?;
    let complete = body.is_complete();
    let body = body.into_inner();
    let timed_out = "登录已超时，请重新登录";
    let Some(page) = form_page(&body).filter(|_| complete) else {
        return Ok(Flash::error(Redirect::to("/login"), format!("{timed_out}后再提交。")));
    };
    // The CSRF token of the old page is of no use later; everything else is kept as typed.
    let kept: Vec<&str> = body.split('&').filter(|pair| !pair.starts_with("_csrf=")).collect();
    let token = keep(db, &who.0, &page, &kept.join("&")).await?;
    let next = format!("{page}?{DRAFT_PARAM}={token}");
    let message = format!("{timed_out}。您填写的内容已为您保留，重新登录后将回到表单继续填写（24 小时内有效）。");
    Ok(Flash::new(Redirect::to(format!("/login?next={}", crate::web::url_encode(&next))), "info", message))
}

/// Mounted at `/`.
pub fn routes() -> Vec<Route> {
    routes![ended]
}
