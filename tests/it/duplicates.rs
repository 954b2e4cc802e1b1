//! 查重 through HTTP on both databases: a listing that repeats one already in the library (same
//! patent number; or a reworded title and summary found through the index) is shown to its
//! authors and the reviewer before publication, not to the public; an administrator's 不是重复
//! hides the pair, 合并 withdraws the copy with a note and tells its owners; an imported row that
//! repeats a stored listing is named in the import report.

use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json, published_listing};
use crate::deals::{cast, count, page};
use crate::import_files::{good_row, workbook};
use crate::on_both_databases;
use crate::support::TestApp;

async fn created(client: &rocket::local::asynchronous::Client, body: &Value) -> String {
    let response = post_json(client, "/api/v1/achievements", body).await;
    assert_eq!(response.status(), Status::Created);
    let id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(client, &format!("/api/v1/achievements/{id}/submit"), &json!({})).await.status(), Status::Ok);
    id
}

async fn possible_duplicates_are_shown_decided_and_merged(app: TestApp) {
    let c = cast(&app).await;
    let original = published_listing(&c.researcher, &c.admin).await;
    // The main client's index is the one the test can wait for.
    signed_in(&app.client, &c.admin_person).await;
    app.searchable().await;

    // Another institution lists the same patent under another name: shown to its members.
    let mut same_patent = complete_listing();
    same_patent["title"] = json!("近红外果品无损分选装置");
    same_patent["summary"] =
        json!("一种用于果品分选的近红外检测装置，可在线测定糖度与内部缺陷，适用于果品产地初加工。");
    let copy = created(&c.outsider, &same_patent).await;
    let (status, html) = page(&c.outsider, &format!("/achievements/{copy}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("可能重复的条目") && html.contains(&format!("/achievements/{original}")), "{html}");
    assert!(html.contains("专利号相同（201080063196.9）"), "the reason is named");
    assert!(!html.contains("合并到此条"), "only administrators decide");

    // A reworded copy with no patent is found through the index, by the reviewer.
    let mut reworded = complete_listing();
    reworded["title"] = json!("苹果采后保鲜与分级一体化技术（改进型）");
    reworded["summary"] =
        json!("基于近红外无损检测和气调贮藏的苹果分级保鲜技术，贮藏期延长约两个月，优果率提升百分之十五以上。");
    reworded["ip_carriers"] = json!(["trade_secret"]);
    reworded["patent_numbers"] = json!("");
    let second = created(&c.outsider, &reworded).await;
    let (_, html) = page(&app.client, &format!("/achievements/{second}")).await;
    assert!(html.contains("可能重复的条目") && html.contains("名称与简介相似度"), "{html}");
    assert!(html.contains("合并到此条") && html.contains("不是重复"));
    // The public never sees the panel on the published original.
    let anonymous = app.another_client().await;
    let (_, public) = page(&anonymous, &format!("/achievements/{original}")).await;
    assert!(!public.contains("可能重复的条目"));

    // 不是重复: the pair is no longer shown.
    let response = post_form(&app.client, &format!("/duplicates/achievement/{copy}/distinct/{original}"), "").await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, html) = page(&c.outsider, &format!("/achievements/{copy}")).await;
    assert!(!html.contains("可能重复的条目"), "{html}");
    assert_eq!(
        post_form(&c.outsider, &format!("/duplicates/achievement/{copy}/distinct/{original}"), "").await.status(),
        Status::Forbidden
    );

    // 合并: the copy is withdrawn with a note naming the original, its owners are told.
    let response = post_form(&app.client, &format!("/duplicates/achievement/{second}/merge/{original}"), "").await;
    assert_eq!(response.status(), Status::SeeOther);
    let (status, note): (String, String) = sqlx::query_as("SELECT status, review_note FROM achievements WHERE id = $1")
        .bind(&second)
        .fetch_one(app.db.pool())
        .await
        .expect("row");
    assert_eq!(status, "withdrawn");
    assert_eq!(note, "与《苹果采后保鲜与分级一体化技术》重复，已由管理员合并");
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'achievement.merged'").await,
        1
    );
    let told = "SELECT CAST(COUNT(*) AS BIGINT) FROM inbox_messages WHERE title LIKE '%已合并'";
    assert!(count(&app, told).await >= 1);
    let again = post_form(&app.client, &format!("/duplicates/achievement/{second}/merge/{original}"), "").await;
    assert_eq!(again.status(), Status::Conflict, "a withdrawn listing is not merged twice");

    // An imported row that repeats the original is named in the report.
    let token = csrf_of(&app.client).await;
    let mut row = good_row("苹果采后保鲜与分级一体化技术", "");
    row[1] = "基于近红外无损检测与气调贮藏的苹果分级保鲜技术，贮藏期延长两个月，优果率提升百分之十五。".into();
    let response = app
        .client
        .post(format!("/api/v1/imports?kind=achievement&organisation_id={}", c.buyer_org))
        .header(ContentType::Binary)
        .header(Header::new("X-CSRF-Token", token))
        .body(workbook(&[row, good_row("与库中条目都不相似的成果", "")]))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let report = response.into_json::<Value>().await.expect("json");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["duplicates"][0]["url"], format!("/achievements/{original}"), "{report}");
    assert_eq!(rows[1]["duplicates"], json!([]), "{report}");
}

on_both_databases!(possible_duplicates_are_shown_decided_and_merged);
