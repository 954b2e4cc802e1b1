//! 协议定价公示, 挂牌交易 and 资产评估 through HTTP, on both databases: who may publish, bad
//! input refused in Chinese with nothing saved, objections only during the period (Beijing dates),
//! answers once, closing as 无异议 or 有异议已处理, corrections as new versions, a notice's text
//! the database will not change, the Atom feed, 挂牌 with one intent (agreed at the posted price)
//! and with several (moved into 竞价 with the intending enterprises as bidders), and the contract
//! draft each route ends in, carrying the appraisal as the reference price.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;
use techmarket::domain::time::{now_stored, to_stored, today_shanghai};
use time::{Duration, OffsetDateTime};

use crate::accounts_support::*;
use crate::achievements::{post_json, published_listing};
use crate::deals::{cast, count, get_json, page};
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

pub async fn json_of(response: rocket::local::asynchronous::LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

fn notice_body(achievement: &str, buyer_org: &str, price: &str) -> Value {
    json!({"achievement_id": achievement, "team": "王立新、李敏", "transferee": "天水星火机床有限责任公司",
        "transferee_organisation_id": buyer_org, "transfer_mode": "transfer", "price": price,
        "contact": "成果转化办公室 0938-2731234", "statement": "依资产评估报告协商确定"})
}

/// Another approved enterprise, signed in, and its organisation.
pub async fn second_enterprise(app: &TestApp, admin: &Person) -> (Client, String) {
    let person = active(app, admin, Role::Enterprise).await;
    let client = app.another_client().await;
    signed_in(&client, &person).await;
    let org = crate::contracts::org_of(app, &person).await;
    (client, org)
}

async fn a_notice_runs_its_period_and_ends_in_a_contract_draft(app: TestApp) {
    let c = cast(&app).await;
    let listing = published_listing(&c.researcher, &c.admin).await;
    let notices = "SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices";
    // Only the seller's members publish; bad input is refused field by field in Chinese.
    let (status, refused) =
        json_of(post_json(&c.enterprise, "/api/v1/notices", &notice_body(&listing, &c.buyer_org, "85")).await).await;
    assert_eq!(status, Status::Forbidden, "{refused}");
    assert_eq!(refused["error"]["code"], "cannot_trade");
    let mut bad = notice_body(&listing, "no-such-org", "八十五");
    bad["days"] = json!(4);
    bad["transfer_mode"] = json!("gift");
    bad["contact"] = json!("电话");
    let (status, error) = json_of(post_json(&c.researcher, "/api/v1/notices", &bad).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in ["price", "days", "transfer_mode", "contact", "transferee_organisation_id"] {
        assert!(has_chinese(error["error"]["fields"][field].as_str().unwrap_or_default()), "{field}: {error}");
    }
    let mut hostile = notice_body(&listing, &c.buyer_org, "85");
    hostile["transferee"] = json!("含\u{0}控制字符");
    assert_eq!(post_json(&c.researcher, "/api/v1/notices", &hostile).await.status(), Status::BadRequest);
    hostile["transferee"] = json!("公".repeat(300));
    hostile["price"] = json!("99999999999999999999");
    assert_eq!(post_json(&c.researcher, "/api/v1/notices", &hostile).await.status(), Status::UnprocessableEntity);
    assert_eq!(count(&app, notices).await, 0, "nothing saved");

    // Published: 15 calendar days counting today (Beijing), open for objections.
    let (status, published) =
        json_of(post_json(&c.researcher, "/api/v1/notices", &notice_body(&listing, &c.buyer_org, "85")).await).await;
    assert_eq!(status, Status::Created, "{published}");
    let notice = published["notice"]["id"].as_str().expect("id").to_string();
    let today = today_shanghai();
    assert_eq!(published["notice"]["starts_on"], today.to_string());
    assert_eq!(published["notice"]["ends_on"], (today + Duration::days(14)).to_string());
    assert_eq!(published["notice"]["price_fen"], 85_000_000);
    assert_eq!(published["notice"]["days_left"], 15);
    assert_eq!(published["may"]["object"], true);
    // The transferee's members were told.
    let (_, inbox) = get_json(&c.enterprise, "/api/v1/inbox").await;
    assert!(inbox["items"].to_string().contains("协议定价公示"), "{inbox}");
    // Not closable during the period.
    let (status, early) =
        json_of(post_json(&c.researcher, &format!("/api/v1/notices/{notice}/close"), &json!({})).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(has_chinese(early["error"]["message"].as_str().unwrap_or_default()));

    // Objections: reasons of at least 10 characters; the filer is shown to the institution only.
    let uri = format!("/api/v1/notices/{notice}/objections");
    assert_eq!(post_json(&c.outsider, &uri, &json!({"reasons": "太贵"})).await.status(), Status::UnprocessableEntity);
    let (status, objected) = json_of(
        post_json(&c.outsider, &uri, &json!({"reasons": "拟交易价格明显低于同类专利的市场成交价格，请说明定价依据"}))
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{objected}");
    assert_eq!(objected["notice"]["objections"], 1);
    assert!(objected["objections"][0]["filer"].is_null(), "the filer is not shown to others");
    let (_, seen) = get_json(&c.researcher, &format!("/api/v1/notices/{notice}")).await;
    assert!(seen["objections"][0]["filer"].is_string(), "{seen}");
    let objection = seen["objections"][0]["id"].as_str().expect("objection").to_string();

    // The text never changes: the database refuses, even to SQL.
    for sql in [
        "UPDATE pricing_notices SET price_fen = 1 WHERE id = $1",
        "UPDATE pricing_notices SET ends_on = '2030-01-01' WHERE id = $1",
        "DELETE FROM pricing_notices WHERE id = $1",
    ] {
        assert!(sqlx::query(sql).bind(&notice).execute(app.db.pool()).await.is_err(), "{sql} must be refused");
    }

    // A correction is a new version with a fresh period; the old one is closed as superseded.
    let mut correction = notice_body(&listing, &c.buyer_org, "95");
    correction["correction_note"] = json!("依评估报告更正拟交易价格");
    let (status, corrected) =
        json_of(post_json(&c.researcher, &format!("/api/v1/notices/{notice}/versions"), &correction).await).await;
    assert_eq!(status, Status::Created, "{corrected}");
    assert_eq!(corrected["notice"]["version_no"], 2);
    assert_eq!(corrected["versions"].as_array().map(Vec::len), Some(2));
    let (_, old) = get_json(&c.outsider, &format!("/api/v1/notices/{notice}")).await;
    assert_eq!(old["notice"]["status"], "superseded");
    assert_eq!(old["notice"]["price_fen"], 85_000_000, "the first version still reads as published");
    let (status, _) =
        json_of(post_json(&c.outsider, &uri, &json!({"reasons": "对已更正的旧版本提出的异议不应被受理"})).await).await;
    assert_eq!(status, Status::Conflict, "objections only on the open version");

    // An answer is given once and is final.
    let answer = format!("/api/v1/notices/{notice}/objections/{objection}/answer");
    let (status, _) = json_of(post_json(&c.enterprise, &answer, &json!({"answer": "不是公示单位的答复"})).await).await;
    assert_eq!(status, Status::Forbidden);
    let (status, answered) =
        json_of(post_json(&c.researcher, &answer, &json!({"answer": "定价依据为评估报告，已在新版本中更正"})).await)
            .await;
    assert_eq!(status, Status::Ok, "{answered}");
    assert!(answered["objections"][0]["answer"].is_string());
    assert_eq!(post_json(&c.researcher, &answer, &json!({"answer": "再答复一次"})).await.status(), Status::Conflict);
    let changed = sqlx::query("UPDATE pricing_notice_objections SET answer = 'x' WHERE id = $1")
        .bind(&objection)
        .execute(app.db.pool())
        .await;
    assert!(changed.is_err(), "an answer is final");

    // A notice whose period ended yesterday (Beijing date): no more objections, closing works once
    // every objection is answered, then the contract draft carries the price and the parties.
    let ended = past_notice(&app, &listing, &c.seller_org, &c.buyer_org, &c.researcher_person.id).await;
    let late = format!("/api/v1/notices/{ended}/objections");
    let (status, late) =
        json_of(post_json(&c.outsider, &late, &json!({"reasons": "公示期结束后才提出的异议不应被受理"})).await).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(late["error"]["code"], "period_closed");
    sqlx::query(
        "INSERT INTO pricing_notice_objections (id, notice_id, user_id, reasons, filed_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&ended)
    .bind(&c.enterprise_person.id)
    .bind("公示期最后一天提出的异议，需要答复")
    .bind(now_stored())
    .execute(app.db.pool())
    .await
    .expect("an objection filed on the last day");
    let close = format!("/api/v1/notices/{ended}/close");
    let (status, unanswered) = json_of(post_json(&c.researcher, &close, &json!({})).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(unanswered["error"]["message"].as_str().unwrap_or_default().contains("没有答复"));
    let (status, before) = page(&c.researcher, &format!("/contracts/new?notice={ended}")).await;
    assert_eq!(status, Status::Conflict, "no draft before the notice closes: {before}");
    let (_, detail) = get_json(&c.researcher, &format!("/api/v1/notices/{ended}")).await;
    let pending = detail["objections"][0]["id"].as_str().expect("objection").to_string();
    let answer = format!("/api/v1/notices/{ended}/objections/{pending}/answer");
    assert_eq!(
        post_json(&c.researcher, &answer, &json!({"answer": "已当面沟通，异议人认可定价"})).await.status(),
        Status::Ok
    );
    let (status, closed) = json_of(post_json(&c.researcher, &close, &json!({"note": "异议已处理"})).await).await;
    assert_eq!(status, Status::Ok, "{closed}");
    assert_eq!(closed["notice"]["status"], "closed_resolved");
    assert_eq!(closed["may"]["draft_contract"], true);
    let (status, draft) = page(&c.enterprise, &format!("/contracts/new?notice={ended}")).await;
    assert_eq!(status, Status::Ok, "the transferee drafts too");
    assert!(draft.contains("经公示") && draft.contains("value=\"66\""), "{draft}");
    let (status, _) = page(&c.outsider, &format!("/contracts/new?notice={ended}")).await;
    assert_eq!(status, Status::Forbidden);

    // The board, the page and the Atom feed (parsed as Atom).
    let (status, board) = page(&c.outsider, "/notices").await;
    assert_eq!(status, Status::Ok);
    assert!(board.contains("协议定价公示") && board.contains("公示中"));
    let (status, html) = page(&c.outsider, &format!("/notices/{notice}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("已更正") && html.contains("异议 1"), "{html}");
    let response = app.get("/notices/feed.atom").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.content_type().map(|t| t.to_string()).unwrap_or_default(),
        "application/atom+xml; charset=utf-8"
    );
    let body = response.into_string().await.expect("feed");
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).expect("valid Atom");
    assert_eq!(feed.entries().len(), 3);
    assert!(feed.entries().iter().any(|e| e.title().as_str().contains("第 2 版")));
    assert!(feed.entries().iter().all(|e| e.links().iter().any(|l| l.href().contains("/notices/"))));
}

/// A notice whose 15 days ended yesterday (Beijing date), written as publishing would have.
async fn past_notice(app: &TestApp, listing: &str, seller: &str, buyer: &str, by: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let today = today_shanghai();
    sqlx::query(
        "INSERT INTO pricing_notices (id, series_id, version_no, achievement_id, organisation_id, title, team, transferee, \
         transferee_organisation_id, transfer_mode, price_fen, starts_on, ends_on, contact, published_by, published_at, status) \
         VALUES ($1, $1, 1, $2, $3, '公示期已满的成果', '王立新', '受让企业', $4, 'transfer', 66000000, $5, $6, '0938-2731234', $7, $8, 'open')",
    )
    .bind(&id)
    .bind(listing)
    .bind(seller)
    .bind(buyer)
    .bind((today - Duration::days(15)).to_string())
    .bind((today - Duration::days(1)).to_string())
    .bind(by)
    .bind(to_stored(OffsetDateTime::now_utc() - Duration::days(15)))
    .execute(app.db.pool())
    .await
    .expect("a past notice");
    id
}

async fn list(client: &Client, body: &Value) -> String {
    let (status, created) = json_of(post_json(client, "/api/v1/listings", body).await).await;
    assert_eq!(status, Status::Created, "{created}");
    created["offering"]["id"].as_str().expect("id").to_string()
}

async fn an_offering_agrees_with_one_intent_and_bids_with_several(app: TestApp) {
    let c = cast(&app).await;
    let listing = published_listing(&c.researcher, &c.admin).await;
    let (second, second_org) = second_enterprise(&app, &c.admin_person).await;
    let ends = to_stored(OffsetDateTime::now_utc() + Duration::days(7));
    let bad = json!({"achievement_id": listing, "price": "-5", "increment": "500", "ends_at": to_stored(OffsetDateTime::now_utc())});
    let (status, error) = json_of(post_json(&c.researcher, "/api/v1/listings", &bad).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in ["price", "ends_at"] {
        assert!(has_chinese(error["error"]["fields"][field].as_str().unwrap_or_default()), "{field}: {error}");
    }
    let body = json!({"achievement_id": listing, "price": "120", "increment": "5", "ends_at": ends, "conditions": "甘肃省内制造业企业"});
    assert_eq!(post_json(&c.enterprise, "/api/v1/listings", &body).await.status(), Status::Forbidden, "not the seller");
    let single = list(&c.researcher, &body).await;
    let several = list(&c.researcher, &body).await;
    // Intents: enterprises only, not the seller, once each.
    let intent = |offering: &str| format!("/api/v1/listings/{offering}/intents");
    let (status, refused) = json_of(post_json(&c.researcher, &intent(&single), &json!({})).await).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Forbidden, Some("cannot_trade")));
    assert_eq!(post_json(&c.broker, &intent(&single), &json!({})).await.status(), Status::Forbidden);
    assert_eq!(
        post_json(&c.enterprise, &intent(&single), &json!({"statement": "具备产业化条件"})).await.status(),
        Status::Created
    );
    assert_eq!(post_json(&c.enterprise, &intent(&single), &json!({})).await.status(), Status::Conflict);
    assert_eq!(post_json(&c.enterprise, &intent(&several), &json!({})).await.status(), Status::Created);
    assert_eq!(post_json(&second, &intent(&several), &json!({})).await.status(), Status::Created);
    let (_, intents) = get_json(&c.researcher, &intent(&several)).await;
    assert_eq!(intents["items"].as_array().map(Vec::len), Some(2));
    let (status, _) = get_json(&second, &intent(&several)).await;
    assert_eq!(status, Status::Forbidden, "intents are the seller's to see");
    assert_eq!(
        post_json(&c.researcher, &format!("/api/v1/listings/{single}/withdraw"), &json!({})).await.status(),
        Status::Conflict
    );

    // The period ends: one intent → agreed at the posted price; several → 竞价 with them as bidders.
    let past = to_stored(OffsetDateTime::now_utc() - Duration::minutes(1));
    sqlx::query("UPDATE offerings SET starts_at = $1, ends_at = $2")
        .bind(to_stored(OffsetDateTime::now_utc() - Duration::days(8)))
        .bind(&past)
        .execute(app.db.pool())
        .await
        .expect("time passes");
    let (_, agreed) = get_json(&c.outsider, &format!("/api/v1/listings/{single}")).await;
    assert_eq!(agreed["offering"]["status"], "agreed", "{agreed}");
    assert_eq!(agreed["offering"]["buyer_organisation_id"], c.buyer_org.as_str());
    let (status, draft) = page(&c.enterprise, &format!("/contracts/new?offering={single}")).await;
    assert_eq!(status, Status::Ok);
    assert!(draft.contains("按挂牌价成交") && draft.contains("value=\"120\""), "{draft}");
    let settled =
        techmarket::trading::offerings::service::settle_due(&app.db, OffsetDateTime::now_utc()).await.expect("settle");
    assert_eq!(settled, 1, "the other offering is settled by the background job");
    let (_, bidding) = get_json(&c.outsider, &format!("/api/v1/listings/{several}")).await;
    assert_eq!(bidding["offering"]["status"], "bidding", "{bidding}");
    let auction = bidding["offering"]["auction_id"].as_str().expect("auction").to_string();
    let (_, opened) = get_json(&c.admin, &format!("/api/v1/auctions/{auction}")).await;
    assert_eq!(opened["auction"]["opening_price_fen"], 120_000_000);
    assert_eq!(opened["auction"]["phase"], "coming");
    let bidders: Vec<&str> =
        opened["bidders"].as_array().expect("bidders").iter().filter_map(|b| b["organisation_id"].as_str()).collect();
    assert_eq!(bidders, vec![c.buyer_org.as_str(), second_org.as_str()]);
    let (status, late) = json_of(post_json(&second, &intent(&single), &json!({})).await).await;
    assert_eq!((status, late["error"]["code"].as_str()), (Status::Conflict, Some("period_closed")));
    let (status, html) = page(&c.outsider, &format!("/offerings/{several}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("转入竞价") && html.contains(&auction), "{html}");
}

async fn an_appraisal_is_the_reference_price(app: TestApp) {
    let c = cast(&app).await;
    let listing = published_listing(&c.researcher, &c.admin).await;
    let uri = format!("/api/v1/achievements/{listing}/appraisals");
    let today = today_shanghai();
    let body = json!({"agency": "甘肃中天资产评估有限公司", "report_no": "甘中天评报字〔2026〕第 118 号",
        "appraised_on": (today - Duration::days(30)).to_string(), "method": "income", "value": "92.5",
        "valid_until": (today + Duration::days(335)).to_string()});
    assert_eq!(post_json(&c.enterprise, &uri, &body).await.status(), Status::Forbidden);
    let mut bad = body.clone();
    bad["valid_until"] = json!((today - Duration::days(60)).to_string());
    bad["method"] = json!("guess");
    let (status, error) = json_of(post_json(&c.researcher, &uri, &bad).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(error["error"]["fields"]["valid_until"].is_string() && error["error"]["fields"]["method"].is_string());
    let (status, listed) = json_of(post_json(&c.researcher, &uri, &body).await).await;
    assert_eq!(status, Status::Created, "{listed}");
    assert_eq!(listed["items"][0]["value_fen"], 92_500_000);
    assert_eq!(listed["items"][0]["valid"], true);
    assert_eq!(post_json(&c.researcher, &uri, &body).await.status(), Status::UnprocessableEntity, "one report once");
    let (_, html) = page(&c.outsider, &format!("/achievements/{listing}")).await;
    assert!(html.contains("资产评估参考价：92.5万元"), "{html}");
    // A sold route's contract draft names it.
    let ended = past_notice(&app, &listing, &c.seller_org, &c.buyer_org, &c.researcher_person.id).await;
    let close = format!("/api/v1/notices/{ended}/close");
    assert_eq!(post_json(&c.researcher, &close, &json!({})).await.status(), Status::Ok);
    let (_, draft) = page(&c.researcher, &format!("/contracts/new?notice={ended}")).await;
    assert!(draft.contains("资产评估参考价") && draft.contains("甘中天评报字"), "{draft}");
}

on_both_databases!(
    a_notice_runs_its_period_and_ends_in_a_contract_draft,
    an_offering_agrees_with_one_intent_and_bids_with_several,
    an_appraisal_is_the_reference_price
);
