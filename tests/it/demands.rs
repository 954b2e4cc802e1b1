//! The demand board through HTTP: create → submit → review → publish → browse → edit → close,
//! validation with nothing saved, other organisations refused, stale edits, and expiry.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::on_both_databases;
use crate::support::TestApp;

pub fn complete_demand() -> Value {
    json!({
        "title": "机床床身铸件内部缺陷快速检测",
        "description": "我公司机床床身铸件需要在粗加工前发现内部缩孔和夹渣，现有抽检方式周期长、成本高，希望找到快速可靠的检测方案。",
        "indicators": "检测深度：≥300 mm\n缺陷检出尺寸：≤2 mm\n单件检测时间：≤30 分钟",
        "basis": "已有超声探伤仪两台，质检人员五名",
        "keywords": "铸件，无损检测",
        "technical_field": "advanced_manufacturing",
        "industry_section": "C",
        "cooperation_modes": ["commissioned", "service"],
        "budget_min": "30",
        "budget_max": "80",
        "valid_until": next_year(),
        "contact_name": "钱工",
        "contact_phone": "13893812345",
        "region_code": "620503"
    })
}

/// Creates, submits and approves a demand; returns its id.
pub async fn published_demand(owner: &Client, admin: &Client) -> String {
    let created = post_json(owner, "/api/v1/demands", &complete_demand()).await;
    assert_eq!(created.status(), Status::Created);
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(owner, &format!("/api/v1/demands/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(admin, &format!("/api/v1/demands/{id}/approve"), &json!({})).await.status(), Status::Ok);
    id
}

fn next_year() -> String {
    let day = techmarket::domain::time::today_shanghai() + time::Duration::days(365);
    techmarket::domain::forms::date_text(day)
}

async fn the_whole_lifecycle(app: TestApp) {
    let admin = create_admin(&app).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let owner = app.another_client().await;
    signed_in(&owner, &enterprise).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;

    let form = format!(
        "title={}&description={}&indicators={}&technical_field=advanced_manufacturing&industry_section=C&cooperation_modes=commissioned&cooperation_modes=consulting&budget_negotiable=on&valid_until={}&contact_name={}&contact_phone=0938-8212345&region_code=620503",
        encode("轴承套圈磨削烧伤在线检测"),
        encode("磨削烧伤依赖酸洗抽检，漏检率高且污染环境，希望实现在线全检并自动分拣。"),
        encode("检测节拍：≤2 秒\n检出率：≥99%"),
        next_year(),
        encode("钱工"),
    );
    let created = post_form(&owner, "/demands", &form).await;
    assert_eq!(created.status(), Status::SeeOther);
    let location = created.headers().get_one("Location").expect("location").to_string();
    let id = location.trim_start_matches("/demands/").to_string();
    assert_eq!(app.client.get(location.clone()).dispatch().await.status(), Status::NotFound, "drafts are private");

    assert_eq!(post_form(&owner, &format!("{location}/actions/submit"), "").await.status(), Status::SeeOther);
    let queue = reviewer.get("/demands/review").dispatch().await.into_string().await.expect("html");
    assert!(queue.contains("轴承套圈磨削烧伤在线检测"));
    assert_eq!(post_form(&reviewer, &format!("{location}/actions/approve"), "").await.status(), Status::SeeOther);

    let board = app.client.get("/demands?mode=consulting").dispatch().await.into_string().await.expect("html");
    assert!(board.contains("轴承套圈磨削烧伤在线检测") && board.contains("检出率") && board.contains("面议"));
    let public = app.client.get(location.clone()).dispatch().await.into_string().await.expect("html");
    assert!(!public.contains("0938-8212345") && public.contains("≥99%"));

    let researcher = app.another_client().await;
    signed_in(&researcher, &active(&app, &admin, Role::Researcher).await).await;
    assert!(
        researcher.get(location.clone()).dispatch().await.into_string().await.expect("html").contains("0938-8212345")
    );
    assert_eq!(post_form(&researcher, &format!("{location}/contact"), "message=ok").await.status(), Status::SeeOther);
    assert_eq!(researcher.get(format!("{location}/edit")).dispatch().await.status(), Status::Forbidden);
    assert_eq!(post_form(&researcher, &format!("{location}/actions/close"), "").await.status(), Status::Forbidden);

    assert_eq!(post_form(&owner, &format!("{location}/actions/talks"), "").await.status(), Status::SeeOther);
    assert_eq!(post_form(&owner, &format!("{location}/actions/solved"), "").await.status(), Status::SeeOther);
    let status: String = sqlx::query_scalar("SELECT status FROM demands WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("s");
    assert_eq!(status, "solved");
    let mine = owner.get("/demands/mine").dispatch().await.into_string().await.expect("html");
    assert!(mine.contains("已解决"));
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE subject_type = 'demand' ORDER BY seq")
            .fetch_all(app.db.pool())
            .await
            .expect("audit");
    assert_eq!(
        actions,
        [
            "demand.created",
            "demand.submit",
            "demand.approve",
            "demand.contact_requested",
            "demand.talks",
            "demand.solved"
        ]
    );
}

async fn bad_input_is_refused_and_nothing_saved(app: TestApp) {
    let admin = create_admin(&app).await;
    let owner = app.another_client().await;
    signed_in(&owner, &active(&app, &admin, Role::Enterprise).await).await;
    for (field, value) in [
        ("title", json!("")),
        ("indicators", json!("精度要高")),
        ("budget_min", json!("很多")),
        ("valid_until", json!("2020-01-01")),
        ("cooperation_modes", json!([])),
        ("technical_field", json!("magic")),
    ] {
        let mut body = complete_demand();
        body[field] = value;
        let response = post_json(&owner, "/api/v1/demands", &body).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{field}");
        let error: Value = response.into_json().await.expect("json");
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }
    let researcher = app.another_client().await;
    signed_in(&researcher, &active(&app, &admin, Role::Researcher).await).await;
    assert_eq!(post_json(&researcher, "/api/v1/demands", &complete_demand()).await.status(), Status::Forbidden);
    let n: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM demands").fetch_one(app.db.pool()).await.expect("n");
    assert_eq!(n, 0);
}

async fn expired_demands_leave_the_board(app: TestApp) {
    let admin = create_admin(&app).await;
    let owner = app.another_client().await;
    signed_in(&owner, &active(&app, &admin, Role::Enterprise).await).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    let id = published_demand(&owner, &reviewer).await;
    assert!(
        app.client
            .get("/demands")
            .dispatch()
            .await
            .into_string()
            .await
            .expect("html")
            .contains("机床床身铸件内部缺陷快速检测")
    );

    // Time passes: the validity date is now behind us.
    sqlx::query("UPDATE demands SET valid_until = '2020-01-01' WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .expect("age");
    assert!(
        !app.client
            .get("/demands")
            .dispatch()
            .await
            .into_string()
            .await
            .expect("html")
            .contains("机床床身铸件内部缺陷快速检测")
    );
    assert_eq!(app.client.get(format!("/demands/{id}")).dispatch().await.status(), Status::NotFound);
    let api: Value = app.client.get("/api/v1/demands").dispatch().await.into_json().await.expect("json");
    assert_eq!(api["items"].as_array().map(Vec::len), Some(0));

    assert_eq!(techmarket::demands::expiry::expire_due(&app.db).await.expect("expire"), 1);
    let status: String = sqlx::query_scalar("SELECT status FROM demands WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("s");
    assert_eq!(status, "expired");
    assert_eq!(techmarket::demands::expiry::expire_due(&app.db).await.expect("again"), 0);
    // The owner still sees it and may redraft it.
    assert_eq!(owner.get(format!("/demands/{id}")).dispatch().await.status(), Status::Ok);
    assert_eq!(post_json(&owner, &format!("/api/v1/demands/{id}/redraft"), &json!({})).await.status(), Status::Ok);
}

async fn stale_demand_edits_conflict(app: TestApp) {
    let admin = create_admin(&app).await;
    let person = active(&app, &admin, Role::Enterprise).await;
    let first = app.another_client().await;
    signed_in(&first, &person).await;
    let second = app.another_client().await;
    signed_in(&second, &person).await;
    let created: Value =
        post_json(&first, "/api/v1/demands", &complete_demand()).await.into_json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    let version = created["version"].as_i64().expect("version");
    let token = csrf_of(&first).await;
    let ok = first
        .patch(format!("/api/v1/demands/{id}"))
        .header(rocket::http::ContentType::JSON)
        .header(rocket::http::Header::new("X-CSRF-Token", token))
        .body(json!({"title": "第一次修改后的需求名称", "version": version}).to_string())
        .dispatch()
        .await;
    assert_eq!(ok.status(), Status::Ok);
    let stale =
        post_form(&second, &format!("/demands/{id}"), &format!("title={}&version={version}", encode("过时的修改")))
            .await;
    assert_eq!(stale.status(), Status::Conflict);
    assert!(stale.into_string().await.expect("html").contains("第一次修改后的需求名称"));
}

on_both_databases!(
    the_whole_lifecycle,
    bad_input_is_refused_and_nothing_saved,
    expired_demands_leave_the_board,
    stale_demand_edits_conflict,
);
