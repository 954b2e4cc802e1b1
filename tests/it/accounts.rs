//! Accounts end to end: register, approval, sign-in and out, sessions and their revocation,
//! throttling and locks, password rules, API tokens, and no secret ever in a response.

use rocket::http::{ContentType, Header, Status};
use sqlx::Row as _;
use techmarket::auth::admin::AdminAction;
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

async fn register_form_creates_a_pending_account_that_an_admin_approves(app: TestApp) {
    let admin = create_admin(&app).await;
    let token = csrf_of(&app.client).await;
    let form = format!(
        "_csrf={token}&display_name={}&login={}&password={}&password_confirm={}&role=enterprise&org_mode=new&org_name={}&org_credit_code={}&org_nature=enterprise_private&org_region_code=620503",
        encode("李红"),
        encode("lihong@example.cn"),
        encode(PASSWORD),
        encode(PASSWORD),
        encode("天水华艺钢构有限公司"),
        valid_credit_code("123456789"),
    );
    let response = app.client.post("/register").header(ContentType::Form).body(form).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/login"));

    // Pending: may sign in and see the account page, but not use the platform yet.
    signed_in(&app.client, &Person { id: String::new(), login: "lihong@example.cn".into() }).await;
    let html = app.client.get("/account").dispatch().await.into_string().await.expect("html");
    assert!(html.contains("等待管理员审核"), "{html}");
    assert!(html.contains("天水华艺钢构有限公司"));
    assert_eq!(app.client.get("/admin").dispatch().await.status(), Status::Forbidden);

    // The administrator sees the queue and approves.
    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    let queue = admin_client.get("/admin").dispatch().await.into_string().await.expect("html");
    assert!(queue.contains("李红"));
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = 'lihong@example.cn'")
        .fetch_one(app.db.pool())
        .await
        .expect("user");
    let approve = post_form(&admin_client, &format!("/admin/users/{user_id}/approve"), "").await;
    assert_eq!(approve.status(), Status::SeeOther);
    let html = app.client.get("/account").dispatch().await.into_string().await.expect("html");
    assert!(!html.contains("等待管理员审核"));
    assert!(html.contains("正常"));

    let events: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY seq")
        .bind(&user_id)
        .fetch_all(app.db.pool())
        .await
        .expect("audit");
    assert_eq!(events, ["account.registered", "account.signed_in", "account.approved"]);
    let approver: Option<String> =
        sqlx::query_scalar("SELECT actor_user_id FROM audit_events WHERE action = 'account.approved'")
            .fetch_one(app.db.pool())
            .await
            .expect("audit row");
    assert_eq!(approver.as_deref(), Some(admin.id.as_str()), "who approved is recorded");
}

async fn registration_errors_keep_what_was_typed(app: TestApp) {
    let token = csrf_of(&app.client).await;
    let form = format!(
        "_csrf={token}&display_name={}&login=13800138000&password=12345678&password_confirm=12345678&role=enterprise&org_mode=new&org_name={}&org_credit_code=91350200776049653B&org_nature=enterprise_private&org_region_code=620503",
        encode("王五"),
        encode("天水锻压机床有限公司"),
    );
    let response = app.client.post("/register").header(ContentType::Form).body(form).dispatch().await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.expect("html");
    assert!(html.contains("这个密码过于常见"), "password rule message");
    assert!(html.contains("校验位不符"), "credit code message");
    assert!(html.contains("value=\"王五\""), "typed name kept");
    assert!(html.contains("value=\"天水锻压机床有限公司\""), "typed organisation kept");
    assert!(!html.contains("12345678\""), "passwords are never echoed back");
    let users: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users").fetch_one(app.db.pool()).await.expect("n");
    assert_eq!(users, 0);
}

async fn wrong_password_and_unknown_account_read_the_same(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Researcher).await;
    let wrong = sign_in(&app.client, &person.login, "not the password").await;
    assert_eq!(wrong.status(), Status::Unauthorized);
    let wrong_html = wrong.into_string().await.expect("html");
    let unknown = sign_in(&app.client, "13700000000", "not the password").await;
    assert_eq!(unknown.status(), Status::Unauthorized);
    let unknown_html = unknown.into_string().await.expect("html");
    assert!(wrong_html.contains("账号或密码不正确"));
    assert!(unknown_html.contains("账号或密码不正确"));
    signed_in(&app.client, &person).await;
}

async fn sessions_are_shared_across_app_processes_and_end_on_logout(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Broker).await;
    signed_in(&app.client, &person).await;
    let stored: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE user_id = $1")
        .bind(&person.id)
        .fetch_one(app.db.pool())
        .await
        .expect("sessions");
    assert_eq!(stored, 1);
    // The same cookie presented to another process sharing the database is recognised.
    let cookie = app.client.cookies().get_private("tm_session").expect("session cookie");
    let encrypted = app.client.cookies().get("tm_session").expect("raw cookie").clone();
    let other = app.another_client().await;
    assert_eq!(other.get("/account").cookie(encrypted.clone()).dispatch().await.status(), Status::Ok);
    // Only the hash of the session id is stored.
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(app.db.pool()).await.expect("rows");
    assert!(!hashes.iter().any(|h| h == cookie.value()));

    let logout = post_form(&app.client, "/logout", "").await;
    assert_eq!(logout.status(), Status::SeeOther);
    assert_eq!(app.client.get("/account").dispatch().await.status(), Status::SeeOther, "signed out");
    let after = other.get("/account").cookie(encrypted).dispatch().await;
    assert_eq!(after.status(), Status::SeeOther, "revoked everywhere");
}

async fn password_change_role_change_and_disabling_revoke_sessions(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Researcher).await;
    let laptop = app.another_client().await;
    signed_in(&app.client, &person).await;
    signed_in(&laptop, &person).await;

    let body = format!(
        "current_password={}&new_password={}&new_password_confirm={}",
        encode(PASSWORD),
        encode("麦积山石窟的晨雾很美"),
        encode("麦积山石窟的晨雾很美")
    );
    assert_eq!(post_form(&app.client, "/account/password", &body).await.status(), Status::SeeOther);
    assert_eq!(app.client.get("/account").dispatch().await.status(), Status::Ok, "this browser keeps a fresh session");
    assert_eq!(laptop.get("/account").dispatch().await.status(), Status::SeeOther, "the other device is signed out");
    assert_eq!(sign_in(&laptop, &person.login, PASSWORD).await.status(), Status::Unauthorized, "old password gone");
    assert_eq!(sign_in(&laptop, &person.login, "麦积山石窟的晨雾很美").await.status(), Status::SeeOther);

    admin_does(&app, &admin, &person, AdminAction::SetRole(Role::Broker)).await;
    assert_eq!(app.client.get("/account").dispatch().await.status(), Status::SeeOther, "role change signs out");
    assert_eq!(laptop.get("/account").dispatch().await.status(), Status::SeeOther);

    assert_eq!(sign_in(&laptop, &person.login, "麦积山石窟的晨雾很美").await.status(), Status::SeeOther);
    admin_does(&app, &admin, &person, AdminAction::EndSessions).await;
    assert_eq!(laptop.get("/account").dispatch().await.status(), Status::SeeOther, "ended by the administrator");

    assert_eq!(sign_in(&laptop, &person.login, "麦积山石窟的晨雾很美").await.status(), Status::SeeOther);
    admin_does(&app, &admin, &person, AdminAction::Disable).await;
    assert_eq!(laptop.get("/account").dispatch().await.status(), Status::SeeOther, "disabled signs out");
    let refused = sign_in(&laptop, &person.login, "麦积山石窟的晨雾很美").await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert!(refused.into_string().await.expect("html").contains("已被停用"));
}

async fn idle_and_absolute_timeouts_end_sessions(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Enterprise).await;
    signed_in(&app.client, &person).await;
    sqlx::query("UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00.000000Z' WHERE user_id = $1")
        .bind(&person.id)
        .execute(app.db.pool())
        .await
        .expect("age the session");
    assert_eq!(app.client.get("/account").dispatch().await.status(), Status::SeeOther, "idle session ends");

    signed_in(&app.client, &person).await;
    sqlx::query(
        "UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(&person.id)
    .execute(app.db.pool())
    .await
    .expect("expire the session");
    assert_eq!(app.client.get("/account").dispatch().await.status(), Status::SeeOther, "absolute lifetime ends it");
}

async fn repeated_failures_lock_the_account_until_an_admin_unlocks_it(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Researcher).await;
    for _ in 0..4 {
        assert_eq!(sign_in(&app.client, &person.login, "wrong wrong wrong").await.status(), Status::Unauthorized);
    }
    let locked = sign_in(&app.client, &person.login, "wrong wrong wrong").await;
    assert_eq!(locked.status(), Status::TooManyRequests, "the fifth failure locks");
    assert!(locked.into_string().await.expect("html").contains("临时锁定"));
    let still = sign_in(&app.client, &person.login, PASSWORD).await;
    assert_eq!(still.status(), Status::TooManyRequests, "even the right password waits");

    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    let page =
        admin_client.get(format!("/admin/users/{}", person.id)).dispatch().await.into_string().await.expect("html");
    assert!(page.contains("已锁定"));
    let unlock = post_form(&admin_client, &format!("/admin/users/{}/unlock", person.id), "").await;
    assert_eq!(unlock.status(), Status::SeeOther);
    signed_in(&app.client, &person).await;
    let unlocked_by: Option<String> =
        sqlx::query_scalar("SELECT actor_user_id FROM audit_events WHERE action = 'account.unlocked'")
            .fetch_one(app.db.pool())
            .await
            .expect("audited");
    assert_eq!(unlocked_by.as_deref(), Some(admin.id.as_str()));
}

async fn api_tokens_are_shown_once_and_work_as_bearer(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Broker).await;
    signed_in(&app.client, &person).await;
    let created = post_form(&app.client, "/account/tokens", &format!("name={}", encode("对接脚本"))).await;
    assert_eq!(created.status(), Status::Created);
    let html = created.into_string().await.expect("html");
    let start = html.find("class=\"token-value\">").expect("token shown") + "class=\"token-value\">".len();
    let token = html[start..start + html[start..].find('<').expect("end")].to_string();
    assert!(token.starts_with("tm_"));
    let again = app.client.get("/account").dispatch().await.into_string().await.expect("html");
    assert!(!again.contains(&token), "shown once only");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(app.db.pool()).await.expect("rows");
    assert!(!stored.contains(&token), "stored hashed");

    let bearer = app.another_client().await;
    let me = bearer.get("/api/v1/me").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch().await;
    assert_eq!(me.status(), Status::Ok);
    let body: serde_json::Value = me.into_json().await.expect("json");
    assert_eq!(body["id"], person.id.as_str());
    assert_eq!(body["role"], "broker");

    // Bearer requests need no CSRF token.
    let made = bearer
        .post("/api/v1/tokens")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(ContentType::JSON)
        .body(r#"{"name":"第二个"}"#)
        .dispatch()
        .await;
    assert_eq!(made.status(), Status::Created);
    let second: serde_json::Value = made.into_json().await.expect("json");
    let revoke = bearer
        .delete(format!("/api/v1/tokens/{}", second["id"].as_str().expect("id")))
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    assert_eq!(revoke.status(), Status::NoContent);
    let unknown_field = bearer
        .post("/api/v1/tokens")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(ContentType::JSON)
        .body(r#"{"name":"x","scope":"all"}"#)
        .dispatch()
        .await;
    assert_eq!(unknown_field.status(), Status::UnprocessableEntity, "unknown fields are refused");

    let bad = bearer.get("/api/v1/me").header(Header::new("Authorization", "Bearer tm_forged")).dispatch().await;
    assert_eq!(bad.status(), Status::Unauthorized);
    let body: serde_json::Value = bad.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_token");
    assert!(has_chinese(body["error"]["message"].as_str().expect("message")));

    // A revoked token stops working at once.
    let token_id: String = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = '对接脚本'")
        .fetch_one(app.db.pool())
        .await
        .expect("id");
    assert_eq!(
        post_form(&app.client, &format!("/account/tokens/{token_id}/revoke"), "").await.status(),
        Status::SeeOther
    );
    let after =
        bearer.get("/api/v1/me").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch().await;
    assert_eq!(after.status(), Status::Unauthorized);
}

async fn no_response_ever_carries_a_password_hash_or_session_id(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Enterprise).await;
    signed_in(&app.client, &person).await;
    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    let session = app.client.cookies().get_private("tm_session").expect("cookie").value().to_string();
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM users").fetch_all(app.db.pool()).await.expect("hashes");
    let session_hashes: Vec<String> =
        sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(app.db.pool()).await.expect("sessions");
    let mut bodies = Vec::new();
    for uri in ["/", "/account", "/api/v1/me", "/api/v1/tokens"] {
        bodies.push(app.client.get(uri).dispatch().await.into_string().await.unwrap_or_default());
    }
    for uri in ["/admin".to_string(), "/admin/users".to_string(), format!("/admin/users/{}", person.id)] {
        bodies.push(admin_client.get(uri).dispatch().await.into_string().await.unwrap_or_default());
    }
    for body in &bodies {
        assert!(!body.contains("$argon2"), "a password hash leaked");
        assert!(!body.contains(&session), "a session id leaked");
        for hash in hashes.iter().chain(session_hashes.iter()) {
            assert!(!body.contains(hash.as_str()));
        }
    }
}

async fn pending_and_disabled_states_are_enforced_in_the_database_too(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = register(&app, Role::Researcher).await;
    let row = sqlx::query("SELECT status, role FROM users WHERE id = $1")
        .bind(&person.id)
        .fetch_one(app.db.pool())
        .await
        .expect("row");
    assert_eq!(row.get::<String, _>("status"), "pending");
    admin_does(&app, &admin, &person, AdminAction::Approve).await;
    let user = techmarket::auth::identity::user_by_id(&app.db, &admin.id).await.expect("read").expect("admin");
    let actor = techmarket::auth::Caller { user: &user, ip: "127.0.0.1" };
    let again = techmarket::auth::admin::admin_action(&app.db, &actor, &person.id, AdminAction::Approve).await;
    assert_eq!(again.expect_err("approving twice is refused").code, "not_pending");
    let own = techmarket::auth::admin::admin_action(&app.db, &actor, &admin.id, AdminAction::Disable).await;
    assert_eq!(own.expect_err("no self-disabling").code, "cannot_change_self");
}

on_both_databases!(
    register_form_creates_a_pending_account_that_an_admin_approves,
    registration_errors_keep_what_was_typed,
    wrong_password_and_unknown_account_read_the_same,
    sessions_are_shared_across_app_processes_and_end_on_logout,
    password_change_role_change_and_disabling_revoke_sessions,
    idle_and_absolute_timeouts_end_sessions,
    repeated_failures_lock_the_account_until_an_admin_unlocks_it,
    api_tokens_are_shown_once_and_work_as_bearer,
    no_response_ever_carries_a_password_hash_or_session_id,
    pending_and_disabled_states_are_enforced_in_the_database_too,
);

fn tight_throttle(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment.merge(("login_ip_per_minute", 3)).merge(("login_account_per_minute", 100))
}

#[rocket::async_test]
async fn sign_in_is_throttled_per_address() {
    crate::support::run_sqlite_with(tight_throttle, |app| async move {
        for _ in 0..3 {
            assert_eq!(sign_in(&app.client, "13700000001", "whatever it is").await.status(), Status::Unauthorized);
        }
        let throttled = sign_in(&app.client, "13700000002", "whatever it is").await;
        assert_eq!(throttled.status(), Status::TooManyRequests);
        assert!(throttled.into_string().await.expect("html").contains("过于频繁"));
    })
    .await;
}

fn tight_account_throttle(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment.merge(("login_ip_per_minute", 100)).merge(("login_account_per_minute", 2))
}

#[rocket::async_test]
async fn sign_in_is_throttled_per_account() {
    crate::support::run_sqlite_with(tight_account_throttle, |app| async move {
        for _ in 0..2 {
            assert_eq!(sign_in(&app.client, "13700000003", "whatever it is").await.status(), Status::Unauthorized);
        }
        assert_eq!(sign_in(&app.client, "13700000003", "whatever it is").await.status(), Status::TooManyRequests);
        assert_eq!(sign_in(&app.client, "13700000004", "whatever it is").await.status(), Status::Unauthorized);
    })
    .await;
}

fn tight_write_budget(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment.merge(("writes_per_minute", 3)).merge(("login_ip_per_minute", 100))
}

#[rocket::async_test]
async fn unsafe_requests_spend_a_per_address_budget() {
    crate::support::run_sqlite_with(tight_write_budget, |app| async move {
        for _ in 0..3 {
            assert_eq!(sign_in(&app.client, "13700000005", "whatever it is").await.status(), Status::Unauthorized);
        }
        let refused = sign_in(&app.client, "13700000005", "whatever it is").await;
        assert_eq!(refused.status(), Status::TooManyRequests);
        let wait: u64 =
            refused.headers().get_one("Retry-After").expect("429 says when to retry").parse().expect("seconds");
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert!(refused.into_string().await.expect("html").contains("提交过于频繁"));
        assert_eq!(app.get("/").await.status(), Status::Ok, "reading is not limited");
    })
    .await;
}

#[rocket::async_test]
async fn refused_junk_does_not_spend_the_write_budget() {
    // Requests the CSRF check refuses cost nothing, so junk from one address (a script, or a
    // neighbour behind the same NAT) cannot block everyone else's writes.
    crate::support::run_sqlite_with(tight_write_budget, |app| async move {
        for _ in 0..10 {
            let junk = app.client.post("/api/v1/tokens").header(ContentType::JSON).body("{}").dispatch().await;
            assert_eq!(junk.status(), Status::Forbidden);
            let body: serde_json::Value = junk.into_json().await.expect("json");
            assert_eq!(body["error"]["code"], "csrf_failed");
        }
        assert_eq!(
            sign_in(&app.client, "13700000005", "whatever it is").await.status(),
            Status::Unauthorized,
            "a real sign-in still has its whole budget"
        );
    })
    .await;
}
