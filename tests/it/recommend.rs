//! Recommendations on small fixtures: the obviously right listing comes first, every reason given
//! is true of the pair (checked against the two listings' own fields), the enterprises that asked
//! for similar things are named, and non-public listings get none.

use rocket::http::Status;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json};
use crate::demands::complete_demand;
use crate::on_both_databases;
use crate::support::TestApp;

async fn publish(
    owner: &rocket::local::asynchronous::Client,
    admin: &rocket::local::asynchronous::Client,
    kind: &str,
    body: Value,
) -> String {
    let created = post_json(owner, &format!("/api/v1/{kind}"), &body).await;
    assert_eq!(created.status(), Status::Created, "{kind}: {body}");
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(owner, &format!("/api/v1/{kind}/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(admin, &format!("/api/v1/{kind}/{id}/approve"), &json!({})).await.status(), Status::Ok);
    id
}

fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

async fn get(app: &TestApp, uri: &str) -> (Status, Value) {
    let response = app.client.get(uri.to_string()).dispatch().await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

fn codes(item: &Value) -> Vec<String> {
    item["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn the_right_listing_comes_first_with_true_reasons(app: TestApp) {
    let admin_person = create_admin(&app).await;
    let (admin, researcher, enterprise) =
        (app.another_client().await, app.another_client().await, app.another_client().await);
    signed_in(&admin, &admin_person).await;
    signed_in(&researcher, &active(&app, &admin_person, Role::Researcher).await).await;
    signed_in(&enterprise, &active(&app, &admin_person, Role::Enterprise).await).await;

    // Three achievements: one answers the casting demand (same field and industry, priced within
    // its budget of 30–80 万元); the others are about apples and about medicine.
    let casting = publish(
        &researcher,
        &admin,
        "achievements",
        with(
            complete_listing(),
            json!({
        "title": "铸件内部缺陷超声相控阵快速检测技术",
        "summary": "相控阵超声配合机器视觉定位，对机床床身铸件逐层扫描，十分钟内给出缩孔与夹渣分布图。",
        "keywords": "铸件，无损检测，超声",
        "technical_field": "advanced_manufacturing", "industry_section": "C", "trl": "7", "stage": "pilot",
        "asking_price": "60"}),
        ),
    )
    .await;
    let apple = publish(&researcher, &admin, "achievements", complete_listing()).await;
    let medicine = publish(&researcher, &admin, "achievements", with(complete_listing(), json!({
        "title": "当归多糖提取纯化工艺", "summary": "当归多糖的高效提取与纯化工艺，得率提高三成。",
        "keywords": "当归，多糖，提取", "technical_field": "biomedical", "industry_section": "C", "asking_price": "500"}))).await;
    let demand = publish(&enterprise, &admin, "demands", complete_demand()).await;
    // The enterprise lists a casting achievement of its own: never recommended to itself.
    let own = publish(&enterprise, &admin, "achievements", with(complete_listing(), json!({
        "title": "床身铸件内部缺陷快速检测方法", "summary": "本公司自研的床身铸件缩孔与夹渣快速无损检测方法，已在两条产线上使用。",
        "keywords": "铸件，无损检测", "technical_field": "advanced_manufacturing", "industry_section": "C"}))).await;
    assert!(app.search.catch_up(&app.db, std::time::Duration::from_secs(10)).await.expect("catch up"));

    let (status, found) = get(&app, &format!("/api/v1/demands/{demand}/recommendations")).await;
    assert_eq!(status, Status::Ok, "{found}");
    let items = found["items"].as_array().expect("items");
    assert_eq!(items[0]["id"], casting.as_str(), "the casting inspection comes first: {found}");
    assert!(items.iter().all(|i| i["id"] != own.as_str()), "not the enterprise's own achievement");
    assert_eq!(items[0]["score"], 100);
    // Reasons are true of the pair: each one checked against what the two listings say.
    let first = codes(&items[0]);
    for code in ["terms", "field", "industry", "maturity", "budget", "region"] {
        assert!(first.contains(&code.to_string()), "{code} holds for the casting achievement: {first:?}");
    }
    let terms = items[0]["reasons"][0]["text"].as_str().expect("terms");
    assert!(terms.contains("铸件") || terms.contains("无损检测"), "{terms}");
    for item in items {
        let c = codes(item);
        let id = item["id"].as_str().expect("id");
        if id == apple || id == medicine {
            assert!(!c.contains(&"field".to_string()), "apple and medicine are not advanced manufacturing: {c:?}");
        }
        if id == medicine {
            assert!(!c.contains(&"budget".to_string()), "500 万元 is over an 80 万元 budget");
        }
        if id == apple {
            assert!(!c.contains(&"industry".to_string()), "apples are section A, the demand section C");
            assert!(!c.contains(&"budget".to_string()), "120 万元 is over an 80 万元 budget");
        }
        assert!(item["score"].as_u64().expect("score") <= 100);
    }
    assert_eq!(
        get(&app, &format!("/api/v1/demands/{demand}/recommendations?limit=1")).await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // From the achievement's side: the demand, and the enterprise behind it.
    let (status, back) = get(&app, &format!("/api/v1/achievements/{casting}/recommendations")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(back["items"][0]["id"], demand.as_str(), "{back}");
    assert!(back["enterprises"].as_array().expect("enterprises").iter().any(|e| e["demands"] == 1));
    // The pages show them with their reasons.
    let page = app.client.get(format!("/demands/{demand}")).dispatch().await.into_string().await.unwrap_or_default();
    assert!(page.contains("推荐对接的科技成果") && page.contains("同属技术领域"));
    let page =
        app.client.get(format!("/achievements/{casting}")).dispatch().await.into_string().await.unwrap_or_default();
    assert!(page.contains("可能需要这项成果的技术需求") && page.contains("提出过类似需求的企业"));

    // Nothing for listings the public cannot see, nor for malformed ids.
    let draft = post_json(&researcher, "/api/v1/achievements", &complete_listing()).await;
    let draft = draft.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(get(&app, &format!("/api/v1/achievements/{draft}/recommendations")).await.0, Status::NotFound);
    assert_eq!(get(&app, "/api/v1/demands/nope/recommendations").await.0, Status::NotFound);
    assert_eq!(get(&app, &format!("/api/v1/demands/{demand}/recommendations?limit=0")).await.0, Status::BadRequest);
}

on_both_databases!(the_right_listing_comes_first_with_true_reasons);
