//! 揭榜挂帅 through HTTP: terms on a demand, applications within the window, shortlist and one
//! selection, every applicant seeing the outcome, and the refusals.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::demands::published_demand;
use crate::on_both_databases;
use crate::support::TestApp;

fn day(offset: i64) -> String {
    techmarket::domain::forms::date_text(techmarket::domain::time::today_shanghai() + time::Duration::days(offset))
}

/// Sets open terms on a demand (poster's client).
pub async fn open_terms(poster: &Client, demand: &str) {
    let terms = json!({"reward": "50", "apply_from": day(0), "apply_until": day(30)});
    assert_eq!(post_json(poster, &format!("/api/v1/demands/{demand}/challenge"), &terms).await.status(), Status::Ok);
}

pub fn application() -> Value {
    json!({
        "team": "秦州理工学院精密测量团队",
        "proposal": "采用相控阵超声与深度学习缺陷识别相结合的方案，先做样件验证再上线。",
        "expected_results": "交付在线检测装置一套及检测规程",
        "attachments": "https://example.cn/plan.pdf"
    })
}

/// Applies through the API; returns the application id.
pub async fn apply(client: &Client, demand: &str) -> String {
    let response = post_json(client, &format!("/api/v1/demands/{demand}/applications"), &application()).await;
    assert_eq!(response.status(), Status::Created);
    response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string()
}

async fn a_challenge_from_terms_to_selection(app: TestApp) {
    let admin = create_admin(&app).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    let poster = app.another_client().await;
    signed_in(&poster, &active(&app, &admin, Role::Enterprise).await).await;
    let demand = published_demand(&poster, &reviewer).await;

    // Terms through the page form; bad terms come back beside the form and change nothing.
    let bad = post_form(&poster, &format!("/challenges/{demand}/terms"), "reward=0").await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let none: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM challenges")
        .fetch_one(app.db.pool())
        .await
        .expect("n");
    assert_eq!(none, 0);
    let form = format!("reward=50&apply_from={}&apply_until={}", day(0), day(30));
    assert_eq!(post_form(&poster, &format!("/challenges/{demand}/terms"), &form).await.status(), Status::SeeOther);
    let board = app.client.get("/challenges").dispatch().await.into_string().await.expect("html");
    assert!(
        board.contains("机床床身铸件内部缺陷快速检测") && board.contains("奖励 50万元") && board.contains("揭榜中")
    );

    // Two teams apply; the poster cannot apply to their own challenge; nobody applies twice.
    let researcher = app.another_client().await;
    signed_in(&researcher, &active(&app, &admin, Role::Researcher).await).await;
    let broker = app.another_client().await;
    signed_in(&broker, &active(&app, &admin, Role::Broker).await).await;
    let first = apply(&researcher, &demand).await;
    let second = apply(&broker, &demand).await;
    let again = post_json(&broker, &format!("/api/v1/demands/{demand}/applications"), &application()).await;
    assert_eq!(again.status(), Status::Conflict);
    let own = post_json(&poster, &format!("/api/v1/demands/{demand}/applications"), &application()).await;
    assert_eq!(own.status(), Status::Conflict);
    let mut short = application();
    short["proposal"] = json!("太短");
    let stranger = app.another_client().await;
    signed_in(&stranger, &active(&app, &admin, Role::Researcher).await).await;
    let invalid = post_json(&stranger, &format!("/api/v1/demands/{demand}/applications"), &short).await;
    assert_eq!(invalid.status(), Status::UnprocessableEntity);
    let form = format!("team={}&proposal={}&expected_results=", encode("麦积山测量小组"), encode("方案太短"));
    let page = post_form(&stranger, &format!("/challenges/{demand}/applications"), &form).await;
    assert_eq!(page.status(), Status::UnprocessableEntity, "the form comes back");
    let html = page.into_string().await.expect("html");
    assert!(html.contains("麦积山测量小组") && html.contains("方案太短") && html.contains("技术方案至少需要 20 个字"));

    // Who sees what: the poster all, each applicant their own.
    let all: Value =
        poster.get(format!("/api/v1/demands/{demand}/applications")).dispatch().await.into_json().await.expect("json");
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let own_view: Value = researcher
        .get(format!("/api/v1/demands/{demand}/applications"))
        .dispatch()
        .await
        .into_json()
        .await
        .expect("json");
    assert_eq!(own_view["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(own_view["items"][0]["id"], first.as_str());

    // Shortlist, then select one: the other is told it was not selected; a second selection is refused.
    assert_eq!(
        post_form(&poster, &format!("/challenges/applications/{first}/shortlist"), "").await.status(),
        Status::SeeOther
    );
    assert_eq!(
        post_json(&researcher, &format!("/api/v1/applications/{second}/select"), &json!({})).await.status(),
        Status::Forbidden
    );
    assert_eq!(
        post_json(&poster, &format!("/api/v1/applications/{first}/select"), &json!({})).await.status(),
        Status::Ok
    );
    let statuses: Vec<(String, String)> =
        sqlx::query_as("SELECT id, status FROM challenge_applications ORDER BY created_at")
            .fetch_all(app.db.pool())
            .await
            .expect("rows");
    assert_eq!(statuses, [(first.clone(), "selected".to_string()), (second.clone(), "not_selected".to_string())]);
    assert_eq!(
        post_json(&poster, &format!("/api/v1/applications/{second}/select"), &json!({})).await.status(),
        Status::Conflict
    );
    let demand_status: String = sqlx::query_scalar("SELECT status FROM demands WHERE id = $1")
        .bind(&demand)
        .fetch_one(app.db.pool())
        .await
        .expect("s");
    assert_eq!(demand_status, "in_talks");

    let seen_by_winner =
        researcher.get(format!("/demands/{demand}")).dispatch().await.into_string().await.expect("html");
    assert!(seen_by_winner.contains("您的揭榜申请：<strong>已选定</strong>"));
    let seen_by_other = broker.get(format!("/demands/{demand}")).dispatch().await.into_string().await.expect("html");
    assert!(seen_by_other.contains("您的揭榜申请：<strong>未入选</strong>"));
    let locked = post_json(
        &poster,
        &format!("/api/v1/demands/{demand}/challenge"),
        &json!({"reward": "80", "apply_from": day(0), "apply_until": day(20)}),
    )
    .await;
    assert_eq!(locked.status(), Status::Conflict, "terms are fixed once a team is selected");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE action LIKE 'challenge.%' ORDER BY seq")
            .fetch_all(app.db.pool())
            .await
            .expect("audit");
    assert_eq!(
        actions,
        ["challenge.terms_set", "challenge.applied", "challenge.applied", "challenge.shortlist", "challenge.select"]
    );
}

async fn applications_only_within_the_window(app: TestApp) {
    let admin = create_admin(&app).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    let poster = app.another_client().await;
    signed_in(&poster, &active(&app, &admin, Role::Enterprise).await).await;
    let demand = published_demand(&poster, &reviewer).await;
    let later = json!({"reward": "20", "apply_from": day(10), "apply_until": day(40)});
    assert_eq!(post_json(&poster, &format!("/api/v1/demands/{demand}/challenge"), &later).await.status(), Status::Ok);
    let researcher = app.another_client().await;
    signed_in(&researcher, &active(&app, &admin, Role::Researcher).await).await;
    let early = post_json(&researcher, &format!("/api/v1/demands/{demand}/applications"), &application()).await;
    assert_eq!(early.status(), Status::Conflict);
    let body: Value = early.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "window_closed");
    let past = json!({"reward": "20", "apply_from": day(-20), "apply_until": day(-1)});
    let refused = post_json(&poster, &format!("/api/v1/demands/{demand}/challenge"), &past).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
}

on_both_databases!(a_challenge_from_terms_to_selection, applications_only_within_the_window);
