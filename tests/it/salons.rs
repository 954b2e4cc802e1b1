//! 成果对接沙龙 through HTTP: organised by brokers and administrators only, bad input refused
//! with nothing saved, sign-ups racing for the last seats never over-book (the rest wait in line,
//! and a freed seat goes to the first in line), check-in only on the day, reminders once, the
//! public `.ics`, and the results of a past salon: the deals opened there and the contract value
//! they registered, which the goal dashboard counts under the salon channel.

use icalendar::Component;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;
use techmarket::domain::time::to_stored;
use time::{Duration, OffsetDateTime};

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::contracts::complete_contract;
use crate::deals::{cast, count, get_json, step};
use crate::on_both_databases;
use crate::support::TestApp;

fn salon_body(theme: &str, starts_in: Duration, capacity: i64) -> Value {
    let start = OffsetDateTime::now_utc() + starts_in;
    json!({"theme": theme, "starts_at": to_stored(start), "ends_at": to_stored(start + Duration::hours(2)),
        "venue": "麦积区科技局报告厅", "capacity": capacity})
}

async fn organise(client: &Client, body: &Value) -> String {
    let response = post_json(client, "/api/v1/salons", body).await;
    assert_eq!(response.status(), Status::Created);
    response.into_json::<Value>().await.expect("json")["salon"]["id"].as_str().expect("id").to_string()
}

async fn confirmed(app: &TestApp, salon: &str) -> (i64, i64, i64) {
    let counted: i64 = sqlx::query_scalar("SELECT confirmed FROM salons WHERE id = $1")
        .bind(salon)
        .fetch_one(app.db.pool())
        .await
        .expect("salon");
    let rows = |status: &'static str| {
        let salon = salon.to_string();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM salon_signups WHERE salon_id = $1 AND status = $2",
            )
            .bind(salon)
            .bind(status)
            .fetch_one(app.db.pool())
            .await
            .expect("count")
        }
    };
    (counted, rows("confirmed").await, rows("waiting").await)
}

async fn salons_never_over_book_and_report_their_results(app: TestApp) {
    let c = cast(&app).await;
    let salons = "SELECT CAST(COUNT(*) AS BIGINT) FROM salons";
    // Organisers only; bad input refused field by field.
    let response =
        post_json(&c.researcher, "/api/v1/salons", &salon_body("科研人员办的沙龙", Duration::days(2), 10)).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(response.into_string().await.unwrap_or_default().contains("cannot_organise_salon"));
    let bad = json!({"theme": "短", "starts_at": to_stored(OffsetDateTime::now_utc() - Duration::hours(1)),
        "ends_at": "明天", "capacity": 0, "online_url": "javascript:alert(1)"});
    let response = post_json(&c.broker, "/api/v1/salons", &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let error = response.into_json::<Value>().await.expect("json");
    for field in ["theme", "starts_at", "ends_at", "capacity", "online_url"] {
        assert!(
            crate::support::has_chinese(error["error"]["fields"][field].as_str().unwrap_or_default()),
            "{field}: {error}"
        );
    }
    // Hostile input: a NUL byte, a huge number, an overlong theme — refused, nothing saved.
    let mut nul = salon_body("含控制字符\u{0}的主题", Duration::days(2), 10);
    let response = post_json(&c.broker, "/api/v1/salons", &nul).await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(response.into_string().await.unwrap_or_default().contains("control_character"));
    nul["theme"] = json!("天".repeat(5000));
    nul["capacity"] = json!(1_000_000_000_000_i64);
    let response = post_json(&c.broker, "/api/v1/salons", &nul).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let error = response.into_json::<Value>().await.expect("json");
    assert!(
        error["error"]["fields"]["theme"].is_string() && error["error"]["fields"]["capacity"].is_string(),
        "{error}"
    );
    assert_eq!(count(&app, salons).await, 0);

    // Eight people race for three seats: three confirmed, five waiting, never more.
    let salon = organise(&c.broker, &salon_body("花牛苹果产业技术对接沙龙", Duration::days(2), 3)).await;
    let mut people = Vec::new();
    for _ in 0..8 {
        let client = app.another_client().await;
        signed_in(&client, &active(&app, &c.admin_person, Role::Enterprise).await).await;
        people.push(client);
    }
    let uri = format!("/api/v1/salons/{salon}/signup");
    let empty = json!({});
    let answers = futures::future::join_all(people.iter().map(|p| post_json(p, &uri, &empty))).await;
    assert!(answers.iter().all(|a| a.status() == Status::Ok));
    drop(answers);
    assert_eq!(confirmed(&app, &salon).await, (3, 3, 5));
    // Signing up twice changes nothing.
    assert_eq!(post_json(&people[0], &uri, &json!({})).await.status(), Status::Ok);
    assert_eq!(confirmed(&app, &salon).await, (3, 3, 5));

    // A confirmed person withdraws: the first in line takes the seat and is told.
    let holders: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM salon_signups WHERE salon_id = $1 AND status = 'confirmed' ORDER BY user_id",
    )
    .bind(&salon)
    .fetch_all(app.db.pool())
    .await
    .expect("holders");
    let first_waiting: String = sqlx::query_scalar(
        "SELECT user_id FROM salon_signups WHERE salon_id = $1 AND status = 'waiting' ORDER BY signed_up_at, user_id LIMIT 1")
        .bind(&salon).fetch_one(app.db.pool()).await.expect("waiting");
    let mut by_user = Vec::new();
    for client in &people {
        let (_, me) = get_json(client, "/api/v1/me").await;
        by_user.push(me["id"].as_str().expect("id").to_string());
    }
    let holder = by_user.iter().position(|u| *u == holders[0]).expect("a holder");
    let response = people[holder]
        .delete(uri.clone())
        .header(rocket::http::Header::new("X-CSRF-Token", csrf_of(&people[holder]).await))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(confirmed(&app, &salon).await, (3, 3, 4));
    let promoted = by_user.iter().position(|u| *u == first_waiting).expect("promoted");
    let (_, detail) = get_json(&people[promoted], &format!("/api/v1/salons/{salon}")).await;
    assert_eq!(detail["mine"]["status"], "confirmed");
    let (_, inbox) = get_json(&people[promoted], "/api/v1/inbox").await;
    assert!(inbox["items"].to_string().contains("候补转为正式报名"));

    // Withdrawals and new sign-ups at once: the seats still never pass the capacity.
    let mut racers: Vec<&Client> = Vec::new();
    let confirmed_now: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM salon_signups WHERE salon_id = $1 AND status = 'confirmed'")
            .bind(&salon)
            .fetch_all(app.db.pool())
            .await
            .expect("confirmed");
    for (index, user) in by_user.iter().enumerate() {
        if confirmed_now.contains(user) && racers.len() < 2 {
            racers.push(&people[index]);
        }
    }
    let mut tokens = Vec::new();
    for racer in &racers {
        tokens.push(csrf_of(racer).await);
    }
    let withdrawals = racers.iter().zip(&tokens).map(|(client, csrf)| {
        client.delete(uri.clone()).header(rocket::http::Header::new("X-CSRF-Token", csrf.clone())).dispatch()
    });
    let newcomers = [&c.researcher, &c.enterprise, &c.rival].map(|client| post_json(client, &uri, &empty));
    let (left, joined) = futures::join!(futures::future::join_all(withdrawals), futures::future::join_all(newcomers));
    assert!(left.iter().chain(joined.iter()).all(|r| r.status() == Status::Ok));
    drop((left, joined));
    let (counted, seats, waiting) = confirmed(&app, &salon).await;
    assert_eq!((counted, seats), (3, 3), "never over-booked, never a seat left while people wait");
    assert_eq!(waiting, 4 - 2 + 3);

    // Check-in opens on the day: refused two days ahead, accepted for a salon starting soon.
    let someone = &confirmed_now[0];
    let early = post_json(&c.broker, &format!("/api/v1/salons/{salon}/signups/{someone}/check-in"), &json!({})).await;
    assert_eq!(early.status(), Status::Conflict);
    let soon = organise(&c.admin, &salon_body("今天下午的项目路演", Duration::minutes(30), 20)).await;
    assert_eq!(
        post_json(&c.researcher, &format!("/api/v1/salons/{soon}/signup"), &json!({})).await.status(),
        Status::Ok
    );
    let (_, me) = get_json(&c.researcher, "/api/v1/me").await;
    let researcher_id = me["id"].as_str().expect("id").to_string();
    let check_in = format!("/api/v1/salons/{soon}/signups/{researcher_id}/check-in");
    assert_eq!(post_json(&c.broker, &check_in, &json!({})).await.status(), Status::Forbidden, "another agency's salon");
    let response = post_json(&c.admin, &check_in, &json!({})).await;
    assert_eq!(response.status(), Status::Ok);
    let detail = response.into_json::<Value>().await.expect("json");
    assert!(
        detail["attendees"]
            .as_array()
            .expect("attendees")
            .iter()
            .any(|a| a["user_id"] == researcher_id.as_str() && a["checked_in"] == true)
    );

    // The day-before reminder goes once to those holding a seat.
    let http = techmarket::webhooks::delivery::client();
    techmarket::jobs::run_once(&app.db, &http, OffsetDateTime::now_utc()).await;
    techmarket::jobs::run_once(&app.db, &http, OffsetDateTime::now_utc()).await;
    let reminders: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM inbox_messages WHERE user_id = $1 AND title LIKE '活动提醒%'",
    )
    .bind(&researcher_id)
    .fetch_one(app.db.pool())
    .await
    .expect("reminders");
    assert_eq!(reminders, 1);

    // The public .ics.
    let ics = app.get(&format!("/salons/{salon}/calendar.ics")).await;
    assert_eq!(ics.status(), Status::Ok);
    let calendar: icalendar::Calendar = ics.into_string().await.expect("ics").parse().expect("parses");
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("event");
    assert_eq!(event.get_summary(), Some("花牛苹果产业技术对接沙龙"));

    // A deal opened at the salon, carried to a registered contract: the salon's results and the
    // salon channel.
    let body = json!({"title": "沙龙现场对接", "buyer_organisation_id": c.buyer_org, "seller_organisation_id": c.seller_org, "salon_id": salon});
    let response = post_json(&c.broker, "/api/v1/deals", &body).await;
    assert_eq!(response.status(), Status::Created);
    let deal = response.into_json::<Value>().await.expect("json");
    assert_eq!(deal["salon_id"], salon.as_str());
    let deal = deal["id"].as_str().expect("id").to_string();
    let bad_salon = json!({"title": "不存在的沙龙", "buyer_organisation_id": c.buyer_org, "seller_organisation_id": c.seller_org, "salon_id": "nope"});
    assert_eq!(post_json(&c.broker, "/api/v1/deals", &bad_salon).await.status(), Status::UnprocessableEntity);
    for action in ["contact", "negotiate"] {
        assert_eq!(step(&c.broker, &deal, action, json!({})).await.0, Status::Ok);
    }
    assert_eq!(step(&c.broker, &deal, "agree", json!({"amount_wan": "50"})).await.0, Status::Ok);
    let mut contract = complete_contract(&c.buyer_org);
    contract["seller_organisation_id"] = json!(c.seller_org);
    contract["deal_id"] = json!(deal);
    let response = post_json(&c.broker, "/api/v1/contracts", &contract).await;
    assert_eq!(response.status(), Status::Created);
    let contract_id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(
        post_json(&c.broker, &format!("/api/v1/contracts/{contract_id}/submit"), &json!({})).await.status(),
        Status::Ok
    );
    let register = json!({"registration_no": "62050320269001"});
    assert_eq!(
        post_json(&c.admin, &format!("/api/v1/contracts/{contract_id}/register"), &register).await.status(),
        Status::Ok
    );
    let (_, by_channel) = get_json(&c.admin, "/api/v1/contracts?channel=salon").await;
    assert_eq!(by_channel["total"], 1, "{by_channel}");
    let total: i64 = sqlx::query_scalar("SELECT total_fen FROM contract_revisions WHERE contract_id = $1")
        .bind(&contract_id)
        .fetch_one(app.db.pool())
        .await
        .expect("total");

    // Before it is over the results are not shown; afterwards, aggregates for everyone.
    let (_, upcoming) = get_json(&c.outsider, &format!("/api/v1/salons/{salon}")).await;
    assert!(upcoming["results"].is_null() && upcoming["attendees"].is_null());
    sqlx::query("UPDATE salons SET starts_at = $1, ends_at = $2 WHERE id = $3")
        .bind(to_stored(OffsetDateTime::now_utc() - Duration::days(3)))
        .bind(to_stored(OffsetDateTime::now_utc() - Duration::days(3) + Duration::hours(2)))
        .bind(&salon)
        .execute(app.db.pool())
        .await
        .expect("time passes");
    let response = app.get(&format!("/api/v1/salons/{salon}")).await;
    let past = response.into_json::<Value>().await.expect("json");
    assert_eq!(past["past"], true);
    assert_eq!(past["results"]["deals"], 1);
    assert_eq!(past["results"]["agreed"], 1);
    assert_eq!(past["results"]["contracts"], 1);
    assert_eq!(past["results"]["contract_fen"], total);
    assert!(past["attendees"].is_null(), "the public sees aggregates only");
    let (_, listed) = get_json(&c.outsider, "/api/v1/salons?past=true").await;
    assert!(listed["items"].to_string().contains(&salon));
    let closed = post_json(&people[0], &uri, &json!({})).await;
    assert_eq!(closed.status(), Status::Conflict, "no sign-ups after the salon");
}

on_both_databases!(salons_never_over_book_and_report_their_results);
