//! SQL of accounts: users, sessions (stored by hash) and API tokens (stored by hash).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use crate::db::Db;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::ids::UserId;
use crate::domain::time::{now_stored, parse_stored};

/// A user as the services see it. The password hash stays here: it is never serialised.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub status: AccountStatus,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub job_title: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
    /// One of the demo district's accounts (usable only where demo content is allowed).
    pub is_demo: bool,
    /// Why an administrator refused the registration (shown when the person signs in).
    pub status_reason: String,
}

const USER_COLUMNS: &str = "u.id, u.display_name, u.email, u.mobile, u.password_hash, u.role, u.status, \
     u.organisation_id, o.name AS organisation_name, u.job_title, u.failed_logins, u.locked_until, u.last_login_at, u.created_at, \
     CAST(u.is_demo AS BIGINT) AS is_demo, u.status_reason";
const USER_FROM: &str = "FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id";

fn user_from_row(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let decode = |what: &str, value: &str| sqlx::Error::Decode(format!("unknown {what} {value:?}").into());
    Ok(UserRecord {
        id: row.try_get("id")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        mobile: row.try_get("mobile")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::from_code(&role).ok_or_else(|| decode("role", &role))?,
        status: AccountStatus::from_code(&status).ok_or_else(|| decode("status", &status))?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: row.try_get("organisation_name")?,
        job_title: row.try_get("job_title")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        last_login_at: row.try_get("last_login_at")?,
        created_at: row.try_get("created_at")?,
        is_demo: row.try_get::<i64, _>("is_demo")? != 0,
        status_reason: row.try_get("status_reason")?,
    })
}

/// What a new account needs; validated by the service.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub display_name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub status: AccountStatus,
    pub organisation_id: Option<String>,
}

pub async fn insert_user(conn: &mut AnyConnection, new: &NewUser) -> Result<UserId, sqlx::Error> {
    let id = UserId::new();
    let now = now_stored();
    sqlx::query(
        "INSERT INTO users (id, display_name, email, mobile, password_hash, role, status, organisation_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id.to_string())
    .bind(new.display_name.clone())
    .bind(new.email.clone())
    .bind(new.mobile.clone())
    .bind(new.password_hash.clone())
    .bind(new.role.code())
    .bind(new.status.code())
    .bind(new.organisation_id.clone())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find_user(db: &Db, id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(user_from_row).transpose()
}

/// By e-mail (lower case) or mobile (11 digits), whichever `login` is.
pub async fn find_user_by_login(conn: &mut AnyConnection, login: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.email = $1 OR u.mobile = $1");
    sqlx::query(&sql).bind(login).fetch_optional(conn).await?.as_ref().map(user_from_row).transpose()
}

/// Users, newest first, optionally of one status and matching a search text.
pub async fn list_users(
    db: &Db,
    status: Option<AccountStatus>,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<UserRecord>, i64), sqlx::Error> {
    let pattern = search.map(|s| format!("%{}%", s.replace(['%', '_'], ""))).unwrap_or_default();
    let status = status.map(|s| s.code()).unwrap_or("");
    let filter = "WHERE ($1 = '' OR u.status = $1) \
         AND ($2 = '' OR u.display_name LIKE $2 OR u.email LIKE $2 OR u.mobile LIKE $2 OR o.name LIKE $2)";
    let total: i64 = sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) {USER_FROM} {filter}"))
        .bind(status)
        .bind(&pattern)
        .fetch_one(db.pool())
        .await?;
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} {filter} ORDER BY u.created_at DESC LIMIT $3 OFFSET $4");
    let rows = sqlx::query(&sql).bind(status).bind(&pattern).bind(limit).bind(offset).fetch_all(db.pool()).await?;
    Ok((rows.iter().map(user_from_row).collect::<Result<_, _>>()?, total))
}

pub async fn count_users_by_status(db: &Db, status: AccountStatus) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE status = $1")
        .bind(status.code())
        .fetch_one(db.pool())
        .await
}

pub async fn set_status(conn: &mut AnyConnection, id: &str, status: AccountStatus) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(status.code())
        .bind(now_stored())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Records why an account was refused (empty clears it).
pub async fn set_status_reason(conn: &mut AnyConnection, id: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET status_reason = $1 WHERE id = $2").bind(reason).bind(id).execute(conn).await?;
    Ok(())
}

pub async fn set_role(conn: &mut AnyConnection, id: &str, role: Role) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET role = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(role.code())
        .bind(now_stored())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn set_password(conn: &mut AnyConnection, id: &str, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(hash)
        .bind(now_stored())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_profile(
    conn: &mut AnyConnection,
    id: &str,
    display_name: &str,
    job_title: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $1, job_title = $2, updated_at = $3, version = version + 1 WHERE id = $4",
    )
    .bind(display_name)
    .bind(job_title)
    .bind(now_stored())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed sign-in; returns the new count of consecutive failures.
pub async fn record_failed_login(conn: &mut AnyConnection, id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Locks (with an end time) or unlocks (`None`) an account, clearing the failure count.
pub async fn set_lock(conn: &mut AnyConnection, id: &str, until: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
        .bind(until)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_login(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
        .bind(now_stored())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether an e-mail or mobile is already registered.
pub async fn login_taken(
    conn: &mut AnyConnection,
    email: Option<&str>,
    mobile: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let (column, value) = match (email, mobile) {
        (Some(email), _) => ("email", email),
        (None, Some(mobile)) => ("mobile", mobile),
        (None, None) => return Ok(false),
    };
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE {column} = $1");
    let n: i64 = sqlx::query_scalar(&sql).bind(value).fetch_one(conn).await?;
    Ok(n > 0)
}

pub async fn count_admins(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE role = 'admin' AND status = 'active'")
        .fetch_one(conn)
        .await
}

/// A live session and its user, as found by the hash of the cookie's session id.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub user: UserRecord,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    user_id: &str,
    expires_at: &str,
    ip: Option<&str>,
    user_agent: &str,
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .bind(user_agent.chars().take(300).collect::<String>())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_session(db: &Db, id_hash: &str) -> Result<Option<SessionRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT s.id_hash, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, s.revoked_at, {USER_COLUMNS} \
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id WHERE s.id_hash = $1"
    );
    let Some(row) = sqlx::query(&sql).bind(id_hash).fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    Ok(Some(SessionRecord {
        id_hash: row.try_get("id_hash")?,
        created_at: row.try_get("s_created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        user: user_from_row(&row)?,
    }))
}

pub async fn touch_session(db: &Db, id_hash: &str, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn revoke_session(conn: &mut AnyConnection, id_hash: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id_hash = $3 AND revoked_at IS NULL")
        .bind(now_stored())
        .bind(reason)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every live session of a user; returns how many.
pub async fn revoke_user_sessions(conn: &mut AnyConnection, user_id: &str, reason: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_stored())
    .bind(reason)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Live (not revoked, not past their absolute end) sessions of a user, newest first.
pub async fn live_sessions(db: &Db, user_id: &str) -> Result<Vec<SessionSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(user_id)
    .bind(now_stored())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SessionSummary {
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                ip: row.try_get("ip")?,
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}

/// What a person may see of a session (never its id or hash).
#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: String,
}

/// A personal API token (never its secret or hash).
#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenSummary {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    name: &str,
    token_hash: &str,
    prefix: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(now_stored())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn live_tokens(db: &Db, user_id: &str) -> Result<Vec<ApiTokenSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ApiTokenSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                prefix: row.try_get("prefix")?,
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
            })
        })
        .collect()
}

pub async fn revoke_token(conn: &mut AnyConnection, id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now_stored())
            .bind(id)
            .bind(user_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// The user of a live token, by the token's hash; marks the token used.
pub async fn user_by_token(db: &Db, token_hash: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, {USER_COLUMNS} FROM api_tokens t \
         JOIN users u ON u.id = t.user_id \
         LEFT JOIN organisations o ON o.id = u.organisation_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    );
    let Some(row) = sqlx::query(&sql).bind(token_hash).fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let token_id: String = row.try_get("token_id")?;
    let last_used: Option<String> = row.try_get("token_last_used_at")?;
    // "Last used" is shown to the day and minute: writing it on every call would make each
    // authenticated read a write (on SQLite, the write lock). Once per ten minutes is plenty,
    // and a failed bookkeeping write never turns a valid caller away.
    let now = time::OffsetDateTime::now_utc();
    let stale = last_used.as_deref().and_then(parse_stored).is_none_or(|at| now - at >= TOKEN_USE_PRECISION);
    if stale {
        let written = sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_stored())
            .bind(&token_id)
            .execute(db.pool())
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, "recording a token's last use failed");
        }
    }
    user_from_row(&row).map(Some)
}

/// How stale `api_tokens.last_used_at` may get before a call refreshes it.
pub const TOKEN_USE_PRECISION: time::Duration = time::Duration::minutes(10);

/// Active brokers, by name (the form's choice of broker).
pub async fn active_brokers(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, display_name FROM users WHERE role = 'broker' AND status = 'active' ORDER BY display_name, id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("display_name")?))).collect()
}
