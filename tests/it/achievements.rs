//! The achievement library through HTTP: create → submit → review → publish → browse → edit →
//! withdraw, as each role; validation with nothing saved; other organisations refused;
//! optimistic locking; interest counters; the public never sees contacts.

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::on_both_databases;
use crate::support::TestApp;

/// A listing that passes every rule.
pub fn complete_listing() -> Value {
    json!({
        "title": "苹果采后保鲜与分级一体化技术",
        "summary": "基于近红外无损检测与气调贮藏的苹果分级保鲜技术，贮藏期延长两个月，优果率提升百分之十五。",
        "keywords": "苹果，保鲜、分级",
        "achievement_type": "applied",
        "ip_carriers": ["patent"],
        "patent_numbers": "CN201080063196.9",
        "technical_field": "agriculture",
        "industry_section": "A",
        "trl": "8",
        "stage": "industrial",
        "transfer_modes": ["transfer", "license_general"],
        "pricing_route": "negotiated",
        "asking_price": "120",
        "contact_name": "赵老师",
        "contact_phone": "13993812345",
        "problem": "花牛苹果采后损耗大，分级依赖人工，效率低。",
        "advantages": "检测速度快，设备投入低于进口分选线的一半。",
        "region_code": "620503"
    })
}

pub async fn post_json<'c>(client: &'c Client, uri: &str, body: &Value) -> LocalResponse<'c> {
    let token = csrf_of(client).await;
    client
        .post(uri.to_string())
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token))
        .body(body.to_string())
        .dispatch()
        .await
}

async fn patch_json<'c>(client: &'c Client, uri: &str, body: &Value) -> LocalResponse<'c> {
    let token = csrf_of(client).await;
    client
        .patch(uri.to_string())
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token))
        .body(body.to_string())
        .dispatch()
        .await
}

/// Creates, submits and approves a listing; returns its id.
pub async fn published_listing(owner: &Client, admin: &Client) -> String {
    let created = post_json(owner, "/api/v1/achievements", &complete_listing()).await;
    assert_eq!(created.status(), Status::Created);
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(owner, &format!("/api/v1/achievements/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(admin, &format!("/api/v1/achievements/{id}/approve"), &json!({})).await.status(), Status::Ok);
    id
}

async fn count_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM achievements")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn the_whole_lifecycle_through_pages(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let owner = app.another_client().await;
    signed_in(&owner, &researcher).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;

    // Create through the HTML form (checkbox groups as repeated fields).
    let form = "title=".to_string()
        + &encode("花椒烘干设备节能改造")
        + "&summary="
        + &encode("采用热泵与余热回收联合烘干花椒，能耗降低三成，色泽与麻味保持更好，适合合作社使用。")
        + "&keywords="
        + &encode("花椒，烘干，热泵")
        + "&achievement_type=applied&technical_field=new_energy&industry_section=C&trl=6&stage=pilot"
        + "&transfer_modes=license_general&transfer_modes=service&pricing_route=negotiated&price_negotiable=on"
        + "&contact_name="
        + &encode("孙工")
        + "&contact_phone=0938-8212345"
        + "&problem="
        + &encode("传统燃煤烘干能耗高、品质不稳定。")
        + "&advantages="
        + &encode("能耗低，温湿度自动控制，品质一致。")
        + "&region_code=620503";
    let created = post_form(&owner, "/achievements", &form).await;
    assert_eq!(created.status(), Status::SeeOther);
    let location = created.headers().get_one("Location").expect("location").to_string();
    let id = location.trim_start_matches("/achievements/").to_string();

    // A draft is invisible to the public and to other organisations.
    assert_eq!(app.client.get(location.clone()).dispatch().await.status(), Status::NotFound);
    let draft_page = owner.get(location.clone()).dispatch().await.into_string().await.expect("html");
    assert!(draft_page.contains("草稿") && draft_page.contains("提交审核"));

    assert_eq!(post_form(&owner, &format!("{location}/actions/submit"), "").await.status(), Status::SeeOther);
    let queue = reviewer.get("/achievements/review").dispatch().await.into_string().await.expect("html");
    assert!(queue.contains("花椒烘干设备节能改造"));

    // Returned with a reason, fixed, resubmitted, approved.
    let short = post_form(&reviewer, &format!("{location}/actions/return"), "note=x").await;
    assert_eq!(short.status(), Status::SeeOther, "a missing reason is a flash, not a change");
    let status: String = sqlx::query_scalar("SELECT status FROM achievements WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("s");
    assert_eq!(status, "submitted");
    let note = format!("note={}", encode("请补充能耗对比数据"));
    assert_eq!(post_form(&reviewer, &format!("{location}/actions/return"), &note).await.status(), Status::SeeOther);
    let returned = owner.get(location.clone()).dispatch().await.into_string().await.expect("html");
    assert!(returned.contains("请补充能耗对比数据"));
    assert_eq!(post_form(&owner, &format!("{location}/actions/submit"), "").await.status(), Status::SeeOther);
    assert_eq!(post_form(&reviewer, &format!("{location}/actions/approve"), "").await.status(), Status::SeeOther);

    // Browse: in the public list with filters, detail without contact for the public.
    let list = app
        .client
        .get("/achievements?field=new_energy&mode=service")
        .dispatch()
        .await
        .into_string()
        .await
        .expect("html");
    assert!(list.contains("花椒烘干设备节能改造"));
    let other = app.client.get("/achievements?field=agriculture").dispatch().await.into_string().await.expect("html");
    assert!(!other.contains("花椒烘干设备节能改造"));
    let public = app.client.get(location.clone()).dispatch().await.into_string().await.expect("html");
    assert!(public.contains("面议") && !public.contains("0938-8212345") && public.contains("仅对登录用户显示"));

    // Signed-in enterprise sees the contact and asks to be put in touch; the owner sees counters.
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let buyer = app.another_client().await;
    signed_in(&buyer, &enterprise).await;
    let seen = buyer.get(location.clone()).dispatch().await.into_string().await.expect("html");
    assert!(seen.contains("0938-8212345"));
    assert_eq!(post_form(&buyer, &format!("{location}/contact"), "message=hi").await.status(), Status::SeeOther);
    let mine = owner.get("/achievements/mine").dispatch().await.into_string().await.expect("html");
    assert!(mine.contains("花椒烘干设备节能改造"));
    let counters: (i64, i64) = {
        let row = sqlx::query("SELECT views, contact_requests FROM achievements WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .expect("row");
        use sqlx::Row as _;
        (row.get("views"), row.get("contact_requests"))
    };
    assert_eq!(counters, (2, 1), "two outside views (public + enterprise), one contact request");

    // Another organisation cannot edit or act.
    assert_eq!(buyer.get(format!("{location}/edit")).dispatch().await.status(), Status::Forbidden);
    assert_eq!(post_form(&buyer, &format!("{location}/actions/withdraw"), "").await.status(), Status::Forbidden);

    // Editing a published listing sends it back to review; withdrawing hides it.
    let edit_page = owner.get(format!("{location}/edit")).dispatch().await.into_string().await.expect("html");
    assert!(edit_page.contains("name=\"version\" value=\"5\""), "version of the row is in the form");
    let edited = form.replace("trl=6", "trl=7") + "&version=5";
    assert_eq!(post_form(&owner, &location, &edited).await.status(), Status::SeeOther);
    let status: String = sqlx::query_scalar("SELECT status FROM achievements WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("s");
    assert_eq!(status, "submitted");
    assert_eq!(post_form(&owner, &format!("{location}/actions/withdraw"), "").await.status(), Status::SeeOther);
    assert_eq!(app.client.get(location).dispatch().await.status(), Status::NotFound);

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE subject_type = 'achievement' ORDER BY seq")
            .fetch_all(app.db.pool())
            .await
            .expect("audit");
    assert_eq!(
        actions,
        [
            "achievement.created",
            "achievement.submit",
            "achievement.return",
            "achievement.submit",
            "achievement.approve",
            "achievement.contact_requested",
            "achievement.updated",
            "achievement.withdraw"
        ]
    );
}

async fn bad_input_is_refused_field_by_field_and_nothing_is_saved(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let owner = app.another_client().await;
    signed_in(&owner, &researcher).await;
    let cases: Vec<(&str, Value)> = vec![
        ("title", json!("")),
        ("title", json!("长".repeat(101))),
        ("patent_numbers", json!("ZL201310699744.3")),
        ("asking_price", json!("一百万")),
        ("asking_price", json!("-3")),
        ("trl", json!("12")),
        ("technical_field", json!("alchemy")),
        ("publicity_start", json!("2026-02-30")),
        ("contact_phone", json!("12")),
    ];
    for (field, value) in cases {
        let mut body = complete_listing();
        body[field] = value;
        let response = post_json(&owner, "/api/v1/achievements", &body).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{field}");
        let error: Value = response.into_json().await.expect("json");
        assert_eq!(error["error"]["code"], "validation_failed");
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }
    let mut unknown = complete_listing();
    unknown["secret_field"] = json!(1);
    assert_eq!(post_json(&owner, "/api/v1/achievements", &unknown).await.status(), Status::UnprocessableEntity);
    let mut wrong_type = complete_listing();
    wrong_type["transfer_modes"] = json!("transfer");
    assert_eq!(post_json(&owner, "/api/v1/achievements", &wrong_type).await.status(), Status::UnprocessableEntity);

    // The HTML form keeps what was typed and says what is wrong.
    let page = post_form(&owner, "/achievements", &format!("title={}&asking_price=abc", encode("半成品"))).await;
    assert_eq!(page.status(), Status::UnprocessableEntity);
    let html = page.into_string().await.expect("html");
    assert!(html.contains("value=\"半成品\"") && html.contains("不是有效的金额"));
    assert_eq!(count_rows(&app).await, 0);
}

async fn roles_and_organisations_are_enforced(app: TestApp) {
    let admin = create_admin(&app).await;
    let owner_person = active(&app, &admin, Role::Researcher).await;
    let owner = app.another_client().await;
    signed_in(&owner, &owner_person).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    let id = published_listing(&owner, &reviewer).await;

    let broker = app.another_client().await;
    signed_in(&broker, &active(&app, &admin, Role::Broker).await).await;
    assert_eq!(post_json(&broker, "/api/v1/achievements", &complete_listing()).await.status(), Status::Forbidden);
    let pending = app.another_client().await;
    signed_in(&pending, &register(&app, Role::Researcher).await).await;
    assert_eq!(post_json(&pending, "/api/v1/achievements", &complete_listing()).await.status(), Status::Forbidden);
    let stranger = app.another_client().await;
    signed_in(&stranger, &active(&app, &admin, Role::Researcher).await).await;
    let refused = patch_json(
        &stranger,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "被别人改掉的标题", "version": 3}),
    )
    .await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert_eq!(
        post_json(&owner, &format!("/api/v1/achievements/{id}/approve"), &json!({})).await.status(),
        Status::Forbidden
    );

    // The public API never shows contacts; signed-in callers see them.
    let public: Value =
        app.client.get(format!("/api/v1/achievements/{id}")).dispatch().await.into_json().await.expect("json");
    assert!(public.get("contact").is_none());
    assert!(!public.to_string().contains("13993812345"));
    let list: Value = app.client.get("/api/v1/achievements").dispatch().await.into_json().await.expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert!(!list.to_string().contains("13993812345"));
    let signed: Value =
        stranger.get(format!("/api/v1/achievements/{id}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(signed["contact"]["phone"], "13993812345");
}

async fn a_stale_edit_gets_409_and_changes_nothing(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Enterprise).await;
    let first = app.another_client().await;
    signed_in(&first, &person).await;
    let second = app.another_client().await;
    signed_in(&second, &person).await;
    let created: Value =
        post_json(&first, "/api/v1/achievements", &complete_listing()).await.into_json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    let version = created["version"].as_i64().expect("version");

    let ok = patch_json(
        &first,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "第一位编辑者的标题", "version": version}),
    )
    .await;
    assert_eq!(ok.status(), Status::Ok);
    let stale = patch_json(
        &second,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "第二位编辑者的标题", "version": version}),
    )
    .await;
    assert_eq!(stale.status(), Status::Conflict);
    let body: Value = stale.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "edit_conflict");
    let title: String = sqlx::query_scalar("SELECT title FROM achievements WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("t");
    assert_eq!(title, "第一位编辑者的标题");

    // The page form answers a stale edit with 409 and the current content.
    let form = format!("title={}&version={version}", encode("第三位编辑者的标题"));
    let page = post_form(&second, &format!("/achievements/{id}"), &form).await;
    assert_eq!(page.status(), Status::Conflict);
    let html = page.into_string().await.expect("html");
    assert!(html.contains("第一位编辑者的标题") && html.contains("已被他人修改"));
}

async fn lists_filter_sort_and_page(app: TestApp) {
    let admin = create_admin(&app).await;
    let owner = app.another_client().await;
    signed_in(&owner, &active(&app, &admin, Role::Researcher).await).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    for (i, price) in ["30", "5", "800"].iter().enumerate() {
        let mut body = complete_listing();
        body["title"] = json!(format!("测试成果编号{i}号"));
        body["asking_price"] = json!(price);
        let id = post_json(&owner, "/api/v1/achievements", &body).await.into_json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_string();
        post_json(&owner, &format!("/api/v1/achievements/{id}/submit"), &json!({})).await;
        post_json(&reviewer, &format!("/api/v1/achievements/{id}/approve"), &json!({})).await;
    }
    let html = app.client.get("/achievements?sort=price_low").dispatch().await.into_string().await.expect("html");
    let order: Vec<usize> =
        ["测试成果编号1号", "测试成果编号0号", "测试成果编号2号"].iter().map(|t| html.find(t).expect(t)).collect();
    assert!(order[0] < order[1] && order[1] < order[2], "cheapest first");
    let ranged = app.client.get("/achievements?min=10&max=100").dispatch().await.into_string().await.expect("html");
    assert!(
        ranged.contains("测试成果编号0号")
            && !ranged.contains("测试成果编号1号")
            && !ranged.contains("测试成果编号2号")
    );

    let first: Value = app.client.get("/api/v1/achievements?limit=2").dispatch().await.into_json().await.expect("json");
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("more pages");
    let second: Value = app
        .client
        .get(format!("/api/v1/achievements?limit=2&after={cursor}"))
        .dispatch()
        .await
        .into_json()
        .await
        .expect("json");
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert!(second["next_cursor"].is_null());
    let bad = app.client.get("/api/v1/achievements?after=%%%").dispatch().await;
    assert_eq!(bad.status(), Status::BadRequest);
}

on_both_databases!(
    the_whole_lifecycle_through_pages,
    bad_input_is_refused_field_by_field_and_nothing_is_saved,
    roles_and_organisations_are_enforced,
    a_stale_edit_gets_409_and_changes_nothing,
    lists_filter_sort_and_page,
);
