//! Saving and deleting searches: checked like the search itself, at most
//! [`MAX_PER_USER`](super::model::MAX_PER_USER) per account, for approved accounts.

use super::model::{self, MAX_PER_USER, SavedSearchInput};
use super::store::{self, SavedSearch};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::account::AccountStatus;
use crate::error::{AppError, ErrorCode, FormFailure};

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "没有这个订阅")
}

/// Saves a search; the stored one.
pub async fn create(db: &Db, user: &CurrentUser, input: &SavedSearchInput) -> Result<SavedSearch, FormFailure> {
    if user.status != AccountStatus::Active {
        return Err(AppError::forbidden(ErrorCode::AccountPending, "账号审核通过后才能订阅搜索").into());
    }
    let plan = model::check(input, user.organisation_id.is_some()).map_err(FormFailure::Fields)?;
    let mut tx = db.begin_write().await?;
    if store::count_of_user(&mut tx, &user.id).await? >= MAX_PER_USER {
        return Err(FormFailure::field("name", &format!("每个账号最多保存 {MAX_PER_USER} 个订阅，请先删除不用的")));
    }
    let id = store::insert(&mut tx, &user.id, &plan).await?;
    tx.commit().await?;
    let saved = store::of_user(db, &user.id).await?.into_iter().find(|s| s.id == id);
    saved.ok_or_else(|| FormFailure::Other(not_found()))
}

/// Deletes one of the person's saved searches (and what it reported).
pub async fn delete(db: &Db, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    if !store::delete(&mut tx, &user.id, id).await? {
        return Err(not_found());
    }
    tx.commit().await?;
    Ok(())
}
