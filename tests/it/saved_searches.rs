//! Saved searches through HTTP on both databases: a search saved from the API and from the search
//! page, bad parameters refused in Chinese, and the notifier's rounds — only listings published
//! after saving that match are reported, each once, in the inbox at once, in the daily digest
//! after 8:00 Beijing time, and to the organisation's webhooks.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::offset;

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json, published_listing};
use crate::deals::{cast, count, get_json, page};
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};
use crate::trading::json_of;

async fn published(owner: &Client, admin: &Client, title: &str, summary: &str, keywords: &str) -> String {
    let mut body = complete_listing();
    body["title"] = json!(title);
    body["summary"] = json!(summary);
    body["keywords"] = json!(keywords);
    let created = post_json(owner, "/api/v1/achievements", &body).await;
    assert_eq!(created.status(), Status::Created);
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(owner, &format!("/api/v1/achievements/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(admin, &format!("/api/v1/achievements/{id}/approve"), &json!({})).await.status(), Status::Ok);
    id
}

async fn titles_in_inbox(client: &Client) -> Vec<String> {
    let (_, inbox) = get_json(client, "/api/v1/inbox").await;
    inbox["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{inbox}"))
        .iter()
        .map(|m| m["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn round(app: &TestApp, now: OffsetDateTime) -> techmarket::saved_searches::notify::Round {
    app.searchable().await;
    techmarket::saved_searches::notify::run(&app.db, &app.search, now).await.expect("round")
}

async fn saved_searches_report_new_matches_once(app: TestApp) {
    let c = cast(&app).await;
    // The main client's index is the one the test waits for.
    signed_in(&app.client, &c.admin_person).await;
    let before = published_listing(&c.outsider, &c.admin).await;

    // Bad parameters are refused in Chinese; nothing is saved.
    for params in [json!({"page": "2"}), json!({"min": "abc"}), json!({"min": "90", "max": "10"})] {
        let (status, body) =
            json_of(post_json(&c.researcher, "/api/v1/saved-searches", &json!({"params": params})).await).await;
        assert_eq!(status, Status::UnprocessableEntity, "{params}");
        assert!(has_chinese(body["error"]["fields"]["params"].as_str().unwrap_or_default()), "{body}");
    }
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM saved_searches").await, 0);
    let body = json!({"params": {"q": "保鲜", "kind": "achievement"}});
    let (status, saved) = json_of(post_json(&c.researcher, "/api/v1/saved-searches", &body).await).await;
    assert_eq!(status, Status::Created, "{saved}");
    assert_eq!(saved["name"], "“保鲜”，1 个筛选条件");
    assert!(saved["notify_inbox"].as_bool().expect("inbox"));
    // The enterprise wants a digest and its webhook, not instant messages.
    let hook =
        post_json(&c.enterprise, "/api/v1/webhooks", &json!({"url": "https://hooks.example.cn/techmarket"})).await;
    assert_eq!(hook.status(), Status::Created);
    let digest = json!({"name": "保鲜技术", "params": {"q": "保鲜"}, "notify_inbox": false, "notify_digest": true, "notify_webhook": true});
    assert_eq!(post_json(&c.enterprise, "/api/v1/saved-searches", &digest).await.status(), Status::Created);

    // Nothing new yet: the listing published before saving is not news (and an empty digest
    // is not sent, nor does it use up the day).
    let first = round(&app, OffsetDateTime::now_utc()).await;
    assert_eq!((first.searches, first.reported), (2, 0));
    assert!(!titles_in_inbox(&c.researcher).await.iter().any(|t| t.contains("保鲜")));

    let matching = published(
        &c.outsider,
        &c.admin,
        "果蔬冷链保鲜新工艺",
        "一种果蔬冷链物流中的保鲜工艺，损耗降低三成。",
        "冷链，果蔬",
    )
    .await;
    published(
        &c.outsider,
        &c.admin,
        "数控机床远程运维平台",
        "面向中小企业的机床联网与远程故障诊断平台。",
        "机床，运维",
    )
    .await;
    let early_morning = OffsetDateTime::now_utc().to_offset(offset!(+8)).replace_time(time::macros::time!(07:00));
    let second = round(&app, early_morning.to_offset(time::UtcOffset::UTC)).await;
    assert_eq!(second.reported, 2, "the new matching listing, once for each search");
    assert_eq!(second.digests, 0, "digests wait for 8:00 Beijing time");
    let inbox = titles_in_inbox(&c.researcher).await;
    assert!(inbox.contains(&"订阅““保鲜”，1 个筛选条件”有 1 条新结果".to_string()), "{inbox:?}");
    let (_, messages) = get_json(&c.researcher, "/api/v1/inbox").await;
    assert_eq!(messages["items"][0]["link"], format!("/achievements/{matching}"));
    assert!(!messages.to_string().contains(&before));
    assert!(!titles_in_inbox(&c.enterprise).await.iter().any(|t| t.contains("保鲜技术")), "no instant message");
    let deliveries =
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_deliveries WHERE event = 'search.matched'").await;
    assert_eq!(deliveries, 1);

    // Again: nothing is reported twice.
    let again = round(&app, early_morning.to_offset(time::UtcOffset::UTC)).await;
    assert_eq!(again.reported, 0);
    // After 8:00: one digest, once a day.
    let morning = OffsetDateTime::now_utc().to_offset(offset!(+8)).replace_time(time::macros::time!(09:00));
    let digests = round(&app, morning.to_offset(time::UtcOffset::UTC)).await;
    assert_eq!(digests.digests, 1);
    let inbox = titles_in_inbox(&c.enterprise).await;
    assert!(inbox.contains(&"每日订阅摘要：“保鲜技术”1 条新结果".to_string()), "{inbox:?}");
    assert_eq!(round(&app, morning.to_offset(time::UtcOffset::UTC)).await.digests, 0);

    // The search page saves what it shows; the list page shows and deletes.
    let (_, search_page) = page(&c.researcher, "/search?q=%E8%8B%B9%E6%9E%9C&field=agriculture").await;
    assert!(search_page.contains("订阅这个搜索") && search_page.contains("name=\"params[field]\""));
    let response = post_form(
        &c.researcher,
        "/saved-searches",
        "name=%E8%8B%B9%E6%9E%9C&params%5Bq%5D=%E8%8B%B9%E6%9E%9C&channels=digest",
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, listed) = get_json(&c.researcher, "/api/v1/saved-searches").await;
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["name"].as_str(), items[0]["notify_inbox"].as_bool(), items[0]["notify_digest"].as_bool()),
        (Some("苹果"), Some(false), Some(true))
    );
    let (status, html) = page(&c.researcher, "/saved-searches").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("苹果") && html.contains("每日摘要"));
    let id = items[0]["id"].as_str().expect("id");
    assert_eq!(
        c.enterprise
            .delete(format!("/api/v1/saved-searches/{id}"))
            .header(csrf_header(&c.enterprise).await)
            .dispatch()
            .await
            .status(),
        Status::NotFound
    );
    assert_eq!(post_form(&c.researcher, &format!("/saved-searches/{id}/delete"), "").await.status(), Status::SeeOther);
    assert_eq!(get_json(&c.researcher, "/api/v1/saved-searches").await.1["items"].as_array().map(Vec::len), Some(1));
}

async fn csrf_header(client: &Client) -> rocket::http::Header<'static> {
    rocket::http::Header::new("X-CSRF-Token", csrf_of(client).await)
}

on_both_databases!(saved_searches_report_new_matches_once);
