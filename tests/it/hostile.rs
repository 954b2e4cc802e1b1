//! What an outside tester threw at the platform: control characters anywhere in the input, odd
//! `next` targets, pending accounts reaching for contact details, racing requests for one row,
//! retried creates, bookkeeping writes — each answered the same way on both databases.

use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};
use techmarket::auth::password::PasswordHasher;
use techmarket::auth::service;
use techmarket::domain::account::Role;

use crate::accounts_support::{PASSWORD, Person, active, create_admin, csrf_of, encode, register, signed_in};
use crate::achievements::{complete_listing, post_json, published_listing};
use crate::support::TestApp;

async fn error_code(response: rocket::local::asynchronous::LocalResponse<'_>) -> String {
    let body: Value = response.into_json().await.expect("a JSON error");
    body["error"]["code"].as_str().unwrap_or_default().to_string()
}

async fn client_of(app: &TestApp, person: &Person) -> rocket::local::asynchronous::Client {
    let client = app.another_client().await;
    signed_in(&client, person).await;
    client
}

async fn control_characters_are_refused_at_the_boundary(app: TestApp) {
    // URIs: public pages and API reads, a NUL or a tab anywhere in the path or the query.
    for uri in [
        "/achievements/%00",
        "/api/v1/demands?field=%00",
        "/contracts?q=%00",
        "/api/v1/search?q=%E8%8B%B9%00",
        "/login?next=%09",
        "/search?q=a%0Ab",
    ] {
        let response = app.get(uri).await;
        assert_eq!(response.status(), Status::BadRequest, "{uri}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("控制字符"), "{uri}: the page says why");
    }
    let api = app.get("/api/v1/achievements?stage=%00").await;
    assert_eq!(api.status(), Status::BadRequest);
    assert_eq!(error_code(api).await, "control_character");

    // The unauthenticated sign-in form.
    let token = csrf_of(&app.client).await;
    let login = app
        .client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("_csrf={token}&login=139%0012345678&password=x"))
        .dispatch()
        .await;
    assert_eq!(login.status(), Status::BadRequest);
    assert!(login.into_string().await.unwrap_or_default().contains("U+0000"));

    // JSON bodies: the field is named, nothing is stored.
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    let mut listing = complete_listing();
    listing["title"] = json!("花牛苹果\u{0}分选");
    let refused = post_json(&client, "/api/v1/achievements", &listing).await;
    assert_eq!(refused.status(), Status::BadRequest);
    let body: Value = refused.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "control_character");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("title"), "{body}");
    listing["title"] = json!("花牛苹果\u{1b}[31m分选");
    assert_eq!(post_json(&client, "/api/v1/achievements", &listing).await.status(), Status::BadRequest);
    // Line breaks in long text are people's, and stay allowed.
    listing["title"] = json!("花牛苹果无损分选");
    listing["summary"] = json!("第一段：近红外光谱检测糖度与霉心病。\n第二段：分选线设备投入低于进口一半。");
    assert_eq!(post_json(&client, "/api/v1/achievements", &listing).await.status(), Status::Created);
    let stored: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM achievements")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(stored, 1, "only the clean listing was stored");

    // Administrators' forms: goal and indicator saves answer 400, not a misleading 422.
    let admin_client = client_of(&app, &admin).await;
    let token = csrf_of(&admin_client).await;
    let goal = admin_client
        .post("/stats/goal")
        .header(ContentType::Form)
        .body(format!("_csrf={token}&year=2026&amount=60000&basis=turnover&side=output&note=%00"))
        .dispatch()
        .await;
    assert_eq!(goal.status(), Status::BadRequest);
    let indicator = admin_client
        .put("/api/v1/stats/indicators/1/2025")
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token))
        .body(r#"{"value":"60","source":"统计\u0000公报","published_on":"2026-03-01"}"#)
        .dispatch()
        .await;
    assert_eq!(indicator.status(), Status::BadRequest);
    assert_eq!(error_code(indicator).await, "control_character");
}

async fn json_mistakes_are_explained_in_chinese(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    let token = csrf_of(&client).await;
    let send = |body: &'static str| {
        client
            .post("/api/v1/achievements")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .body(body)
            .dispatch()
    };
    let broken = send("{\"title\": ").await;
    assert_eq!(broken.status(), Status::BadRequest);
    let body: Value = broken.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "bad_body");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("不是有效的 JSON"), "{body}");
    let wrong_type = send(r#"{"title": 12}"#).await;
    assert_eq!(wrong_type.status(), Status::UnprocessableEntity);
    let body: Value = wrong_type.into_json().await.expect("json");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("title") && message.contains("类型不对"), "{message}");
    assert!(!message.contains("invalid type"), "no serde English: {message}");
}

async fn odd_next_targets_go_to_the_landing_page(app: TestApp) {
    let admin = create_admin(&app).await;
    for next in ["/\u{3000}", "/a b", "//evil.example/", "https://evil.example/", "/\\evil"] {
        let token = csrf_of(&app.client).await;
        let response = app
            .client
            .post("/login")
            .header(ContentType::Form)
            .body(format!(
                "_csrf={token}&login={}&password={}&next={}",
                encode(&admin.login),
                encode(PASSWORD),
                encode(next)
            ))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::SeeOther, "{next:?}");
        // Where an administrator's work is, as when no page was asked for.
        assert_eq!(response.headers().get_one("Location"), Some("/admin"), "{next:?}");
        let token = csrf_of(&app.client).await;
        app.client.post("/logout").header(ContentType::Form).body(format!("_csrf={token}")).dispatch().await;
    }
    let fine = app.get("/login?next=/stats%3Fyear%3D2025").await;
    assert_eq!(fine.status(), Status::Ok);
    let sessions: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(&admin.id)
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(sessions, 0, "every sign-in ended in a redirect and a sign-out; no orphan session");
}

async fn pending_accounts_see_no_contact_details(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let owner = client_of(&app, &researcher).await;
    let admin_client = client_of(&app, &admin).await;
    let id = published_listing(&owner, &admin_client).await;
    let pending = register(&app, Role::Enterprise).await;
    let client = client_of(&app, &pending).await;
    let page = client.get(format!("/achievements/{id}")).dispatch().await.into_string().await.unwrap_or_default();
    assert!(!page.contains("13993812345"), "no phone on the page");
    assert!(page.contains("审核通过后即可查看联系方式"));
    let api: Value = client.get(format!("/api/v1/achievements/{id}")).dispatch().await.into_json().await.expect("json");
    assert!(api.get("contact").is_none(), "{api}");
    let list: Value = client.get("/api/v1/achievements").dispatch().await.into_json().await.expect("json");
    assert!(!list.to_string().contains("13993812345"));
    let token = post_json(&client, "/api/v1/tokens", &json!({"name": "抓取"})).await;
    assert_eq!(token.status(), Status::Forbidden);
    assert_eq!(error_code(token).await, "account_pending");
    // Once approved, the same person sees them.
    crate::accounts_support::admin_does(&app, &admin, &pending, techmarket::auth::admin::AdminAction::Approve).await;
    let api: Value = client.get(format!("/api/v1/achievements/{id}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(api["contact"]["phone"], "13993812345");
}

async fn token_use_is_recorded_coarsely_and_never_costs_the_caller(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    let created: Value =
        post_json(&client, "/api/v1/tokens", &json!({"name": "同步"})).await.into_json().await.expect("json");
    let bearer = Header::new("Authorization", format!("Bearer {}", created["token"].as_str().expect("token")));
    let last_used = || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT last_used_at FROM api_tokens WHERE user_id = $1")
            .bind(&researcher.id)
            .fetch_one(app.db.pool())
            .await
            .expect("token row")
    };
    assert_eq!(app.get_with("/api/v1/me", bearer.clone()).await.status(), Status::Ok);
    let first = last_used().await.expect("first use recorded");
    for _ in 0..5 {
        assert_eq!(app.get_with("/api/v1/me", bearer.clone()).await.status(), Status::Ok);
    }
    assert_eq!(last_used().await.as_deref(), Some(first.as_str()), "reads within ten minutes write nothing");
    let old = "2020-01-01T00:00:00.000000Z";
    sqlx::query("UPDATE api_tokens SET last_used_at = $1").bind(old).execute(app.db.pool()).await.expect("age");
    assert_eq!(app.get_with("/api/v1/me", bearer.clone()).await.status(), Status::Ok);
    assert_ne!(last_used().await.as_deref(), Some(old), "an old mark is refreshed");
    // The bookkeeping write failing (here: a trigger refuses it) leaves the caller signed in.
    sqlx::query("UPDATE api_tokens SET last_used_at = $1").bind(old).execute(app.db.pool()).await.expect("age");
    let refuse_writes = match app.backend() {
        techmarket::db::Backend::Sqlite => vec![
            "CREATE TRIGGER refuse_token_writes BEFORE UPDATE ON api_tokens BEGIN SELECT RAISE(ABORT, 'read only'); END",
        ],
        techmarket::db::Backend::Postgres => vec![
            "CREATE FUNCTION refuse_token_writes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'read only'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_token_writes BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION refuse_token_writes()",
        ],
    };
    for sql in refuse_writes {
        sqlx::query(sql).execute(app.db.pool()).await.expect("trigger");
    }
    let me = app.get_with("/api/v1/me", bearer).await;
    assert_eq!(me.status(), Status::Ok, "a failed bookkeeping write is not a failed sign-in");
}

async fn one_contact_request_per_person_even_when_racing(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let owner = client_of(&app, &researcher).await;
    let admin_client = client_of(&app, &admin).await;
    let id = published_listing(&owner, &admin_client).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let asker = client_of(&app, &enterprise).await;
    let token = csrf_of(&asker).await;
    let uri = format!("/achievements/{id}/contact");
    let ask = || {
        asker
            .post(uri.clone())
            .header(ContentType::Form)
            .body(format!("_csrf={token}&message=%E5%90%88%E4%BD%9C"))
            .dispatch()
    };
    let (a, b, c) = tokio::join!(ask(), ask(), ask());
    for response in [a, b, c] {
        assert!(response.status().code < 500, "{}", response.status());
    }
    let rows: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM listing_contact_requests WHERE listing_id = $1 AND user_id = $2",
    )
    .bind(&id)
    .bind(&enterprise.id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(rows, 1);
    let counter: i64 = sqlx::query_scalar("SELECT CAST(contact_requests AS BIGINT) FROM achievements WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("counter");
    assert_eq!(counter, 1);
}

async fn racing_registrations_get_the_field_error(app: TestApp) {
    let (_, settings) =
        techmarket::config::load(crate::support::test_figment(app.dir.path(), &app.database_url)).expect("settings");
    let hasher = PasswordHasher::default();
    let input = |login: &str| techmarket::auth::model::RegistrationInput {
        display_name: Some("同名单位".into()),
        login: Some(login.into()),
        password: Some(PASSWORD.into()),
        password_confirm: Some(PASSWORD.into()),
        role: Some("researcher".into()),
        org_mode: Some("new".into()),
        org_name: Some("天水同名研究院".into()),
        org_nature: Some("public_university".into()),
        org_region_code: Some("620503".into()),
        ..Default::default()
    };
    let (one, two) = (input("13800000001"), input("13800000002"));
    let (a, b) = tokio::join!(
        service::register(&app.db, &hasher, &settings, &one, "127.0.0.1"),
        service::register(&app.db, &hasher, &settings, &two, "127.0.0.1"),
    );
    let failures: Vec<_> = [a, b].into_iter().filter_map(Result::err).collect();
    assert_eq!(failures.len(), 1, "one organisation name, one winner");
    match &failures[0] {
        techmarket::error::FormFailure::Fields(fields) => assert!(fields.contains_key("org_name"), "{fields:?}"),
        other => panic!("expected the field error, got {other:?}"),
    }
    let same = input("13800000009");
    let other_org =
        techmarket::auth::model::RegistrationInput { org_name: Some("另一家研究院".into()), ..same.clone() };
    let third = techmarket::auth::model::RegistrationInput { org_name: Some("第三家研究院".into()), ..same };
    let (a, b) = tokio::join!(
        service::register(&app.db, &hasher, &settings, &other_org, "127.0.0.1"),
        service::register(&app.db, &hasher, &settings, &third, "127.0.0.1"),
    );
    let failures: Vec<_> = [a, b].into_iter().filter_map(Result::err).collect();
    assert_eq!(failures.len(), 1, "one login, one winner");
    match &failures[0] {
        techmarket::error::FormFailure::Fields(fields) => assert!(fields.contains_key("login"), "{fields:?}"),
        other => panic!("expected the field error, got {other:?}"),
    }
}

async fn retried_listing_creates_make_one_listing(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    let token = csrf_of(&client).await;
    let create = |kind: &str, body: Value, key: &str| {
        client
            .post(format!("/api/v1/{kind}"))
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .header(Header::new("Idempotency-Key", key.to_string()))
            .body(body.to_string())
            .dispatch()
    };
    let first = create("achievements", complete_listing(), "retry-0001").await;
    assert_eq!(first.status(), Status::Created);
    assert_eq!(first.headers().get_one("Idempotent-Replayed"), Some("false"));
    let first_id = first.into_json::<Value>().await.expect("json")["id"].clone();
    let again = create("achievements", complete_listing(), "retry-0001").await;
    assert_eq!(again.status(), Status::Created);
    assert_eq!(again.headers().get_one("Idempotent-Replayed"), Some("true"));
    assert_eq!(again.into_json::<Value>().await.expect("json")["id"], first_id);
    let mut changed = complete_listing();
    changed["title"] = json!("另一项成果的标题");
    let reused = create("achievements", changed, "retry-0001").await;
    assert_eq!(reused.status(), Status::UnprocessableEntity);
    assert_eq!(error_code(reused).await, "idempotency_key_reused");
    let (x, y) = tokio::join!(
        create("achievements", complete_listing(), "retry-0002"),
        create("achievements", complete_listing(), "retry-0002")
    );
    assert_eq!((x.status(), y.status()), (Status::Created, Status::Created));
    let rows: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM achievements")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(rows, 2, "two keys, two listings, whatever the retries");

    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let poster = client_of(&app, &enterprise).await;
    let token = csrf_of(&poster).await;
    let post_demand = || {
        poster
            .post("/api/v1/demands")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .header(Header::new("Idempotency-Key", "demand-retry-1"))
            .body(crate::demands::complete_demand().to_string())
            .dispatch()
    };
    let a = post_demand().await;
    assert_eq!(a.status(), Status::Created);
    let b = post_demand().await;
    assert_eq!(b.headers().get_one("Idempotent-Replayed"), Some("true"));
    let demands: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM demands")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(demands, 1);
}

async fn content_checks_refuse_the_impossible(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    let mut listing = complete_listing();
    listing["asking_price"] = json!("1,2,3");
    let refused = post_json(&client, "/api/v1/achievements", &listing).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let body: Value = refused.into_json().await.expect("json");
    assert!(body["error"]["fields"]["asking_price"].is_string(), "{body}");

    let admin_client = client_of(&app, &admin).await;
    let negative = crate::contracts::put_json_pub(
        &admin_client,
        "/api/v1/stats/indicators/1/2025",
        &json!({"value": "-3", "source": "统计公报", "published_on": "2026-03-01"}),
    )
    .await;
    assert_eq!(negative.status(), Status::UnprocessableEntity);
    let body: Value = negative.into_json().await.expect("json");
    assert_eq!(body["error"]["fields"]["value"], "数值不能为负数");
    let over = crate::contracts::put_json_pub(
        &admin_client,
        "/api/v1/stats/indicators/1/2025",
        &json!({"value": "120", "source": "统计公报", "published_on": "2026-03-01"}),
    )
    .await;
    assert_eq!(over.status(), Status::UnprocessableEntity);
}

async fn working_lists_page_instead_of_stopping(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let client = client_of(&app, &researcher).await;
    for n in 0..55 {
        let mut listing = complete_listing();
        listing["title"] = json!(format!("分页测试成果第{n:02}号"));
        assert_eq!(post_json(&client, "/api/v1/achievements", &listing).await.status(), Status::Created);
    }
    let first = client.get("/achievements/mine").dispatch().await.into_string().await.unwrap_or_default();
    let pager: String = first.find("pager").map(|at| first[at..].chars().take(200).collect()).unwrap_or_default();
    assert!(first.contains("第 1 / 2 页（共 55 项）") && first.contains("/achievements/mine?page&#x3D;2"), "{pager}");
    assert_eq!(first.matches("分页测试成果第").count(), 50);
    let second = client.get("/achievements/mine?page=2").dispatch().await.into_string().await.unwrap_or_default();
    assert_eq!(second.matches("分页测试成果第").count(), 5, "the rest is on page 2, nothing is cut off");
    assert_eq!(client.get("/achievements/mine?page=0").dispatch().await.status(), Status::BadRequest);
}

async fn two_amendments_at_once_make_one_revision(app: TestApp) {
    let p = crate::contracts::parties(&app).await;
    let id = crate::contracts::registered(&p, &crate::contracts::complete_contract(&p.buyer_org), "RACE-0001").await;
    let token = csrf_of(&p.admin).await;
    let amend = |total: &str| {
        let mut changed = crate::contracts::complete_contract(&p.buyer_org);
        changed["total"] = json!(total);
        p.admin
            .post(format!("/api/v1/contracts/{id}/amend"))
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .body(json!({"reason": "双方协议调整合同价款", "changes": changed}).to_string())
            .dispatch()
    };
    let (a, b) = tokio::join!(amend("150"), amend("160"));
    let mut statuses = [a.status().code, b.status().code];
    statuses.sort_unstable();
    // Either the second saw the first and amended on top of it, or it was told the contract
    // changed meanwhile; never two revisions with one number, never a 500.
    assert!(statuses == [200, 200] || statuses == [200, 409], "{statuses:?}");
    let applied = statuses.iter().filter(|s| **s == 200).count() as i64;
    let revisions: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contract_revisions WHERE contract_id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(revisions, 1 + applied);
    let stored = techmarket::contracts::totals::stored(&app.db).await.expect("stored");
    assert_eq!(stored, techmarket::contracts::totals::recomputed(&app.db).await.expect("recomputed"));
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let response = app.get("/").await;
    let id = response.headers().get_one("X-Request-Id").expect("an id").to_string();
    assert!(id.len() >= 16, "{id}");
    let echoed = app.get_with("/api/v1/health", Header::new("X-Request-Id", "client-supplied-0001")).await;
    assert_eq!(echoed.headers().get_one("X-Request-Id"), Some("client-supplied-0001"));
    let junk = app.get_with("/api/v1/health", Header::new("X-Request-Id", "x y")).await;
    assert_ne!(junk.headers().get_one("X-Request-Id"), Some("x y"));
}

crate::on_both_databases!(
    control_characters_are_refused_at_the_boundary,
    json_mistakes_are_explained_in_chinese,
    odd_next_targets_go_to_the_landing_page,
    pending_accounts_see_no_contact_details,
    token_use_is_recorded_coarsely_and_never_costs_the_caller,
    one_contact_request_per_person_even_when_racing,
    racing_registrations_get_the_field_error,
    retried_listing_creates_make_one_listing,
    content_checks_refuse_the_impossible,
    every_response_carries_a_request_id,
    working_lists_page_instead_of_stopping,
    two_amendments_at_once_make_one_revision,
);
