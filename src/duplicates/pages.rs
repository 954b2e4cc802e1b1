//! The administrators' decisions on a possible duplicate, from the listing's page: 不是重复
//! (the pair is no longer shown) and 合并 (the listing is withdrawn — a demand closed — with a
//! note naming the one it repeats; its owners are told). Each is one transaction with its
//! audit event.

use rocket::response::{Flash, Redirect};
use rocket::{Route, State, post, routes};
use serde_json::json;
use sqlx::Row as _;

use super::store;
use crate::audit;
use crate::auth::{AdminUser, Caller, ClientAddr};
use crate::db::Db;
use crate::domain::time::now_stored;
use crate::error::{AppError, ErrorCode};
use crate::inbox::{Notice, Topic, deliver};
use crate::listings::{Kind, outbox};

fn kind_of(code: &str) -> Result<Kind, AppError> {
    Kind::from_code(code).ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "没有这种条目"))
}

/// The title and organisation of a listing, if it exists.
async fn listing(db: &Db, kind: Kind, id: &str) -> Result<(String, String, String), AppError> {
    let sql = format!("SELECT title, organisation_id, status FROM {} WHERE id = $1", kind.table());
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    let row = row.ok_or_else(|| AppError::not_found(ErrorCode::NotFound, "条目不存在"))?;
    Ok((row.try_get("title")?, row.try_get("organisation_id")?, row.try_get("status")?))
}

#[post("/<kind>/<id>/distinct/<other>")]
async fn distinct(
    kind: &str,
    id: &str,
    other: &str,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let kind = kind_of(kind)?;
    listing(db, kind, id).await?;
    let (other_title, _, _) = listing(db, kind, other).await?;
    let caller = Caller { user: &admin.0, ip: &ip.0 };
    let mut tx = db.begin_write().await?;
    store::mark(&mut tx, kind, id, other, "distinct", &admin.0.id).await?;
    let event =
        caller.event("duplicate.distinct", kind.code(), id, json!({"other_id": other, "other_title": other_title}));
    audit::append(&mut tx, db.backend(), &event).await?;
    tx.commit().await?;
    Ok(Flash::success(Redirect::to(kind.path(id)), format!("已标记：与《{other_title}》不是重复条目")))
}

#[post("/<kind>/<id>/merge/<other>")]
async fn merge(
    kind: &str,
    id: &str,
    other: &str,
    db: &State<Db>,
    admin: AdminUser,
    ip: ClientAddr,
) -> Result<Flash<Redirect>, AppError> {
    let kind = kind_of(kind)?;
    if id == other {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "不能与自身合并"));
    }
    let (title, organisation, status) = listing(db, kind, id).await?;
    let (other_title, _, _) = listing(db, kind, other).await?;
    let ended = match kind {
        Kind::Achievement => "withdrawn",
        Kind::Demand => "closed",
    };
    if status == ended {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "该条目已撤回或关闭"));
    }
    let note = format!("与《{other_title}》重复，已由管理员合并");
    let caller = Caller { user: &admin.0, ip: &ip.0 };
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "UPDATE {} SET status = $1, review_note = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND status = $5",
        kind.table()
    );
    let done =
        sqlx::query(&sql).bind(ended).bind(&note).bind(now_stored()).bind(id).bind(&status).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(AppError::conflict(ErrorCode::EditConflict, "该条目刚被修改，请刷新后重试"));
    }
    outbox::enqueue(&mut tx, kind, id).await?;
    store::mark(&mut tx, kind, id, other, "merged", &admin.0.id).await?;
    let details = json!({"from": status, "to": ended, "into": other, "into_title": other_title});
    audit::append(&mut tx, db.backend(), &caller.event(&format!("{}.merged", kind.code()), kind.code(), id, details))
        .await?;
    let notice =
        Notice::new(Topic::Review, format!("“{title}”与已有条目重复，已合并"), kind.path(other)).with_body(note);
    deliver::to_organisation(&mut tx, &organisation, &notice, Some(&admin.0.id)).await?;
    tx.commit().await?;
    Ok(Flash::success(Redirect::to(kind.path(other)), format!("已合并：《{title}》并入《{other_title}》")))
}

/// Mounted at `/duplicates`.
pub fn routes() -> Vec<Route> {
    routes![distinct, merge]
}
