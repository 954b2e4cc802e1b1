//! The goal dashboard through HTTP on both databases: exact figures from registered contracts
//! (one side only), breakdown links that lead to the contracts behind them, goal settings, the
//! public page without contract details, and spreadsheets equal to the page.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};
use techmarket::domain::forms::date_text;
use techmarket::domain::time::today_shanghai;

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::contracts::{complete_contract, created, parties};
use crate::on_both_databases;
use crate::support::TestApp;

async fn registered_on(
    p: &crate::contracts::Parties,
    app: &TestApp,
    body: &Value,
    n: usize,
    day: time::Date,
) -> String {
    let id = created(p, body).await;
    assert_eq!(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(), Status::Ok);
    sqlx::query("UPDATE contracts SET accepted_on = '2020-01-01' WHERE id = $1")
        .bind(&id)
        .execute(app.db.pool())
        .await
        .expect("backdate");
    let register = json!({"registration_no": format!("GOAL-{n}"), "registered_at": date_text(day)});
    assert_eq!(post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &register).await.status(), Status::Ok);
    id
}

async fn the_goal_page_is_exact_and_explained(app: TestApp) {
    let p = parties(&app).await;
    let today = today_shanghai();
    let year = today.year();
    let days = [today, today - time::Duration::days(1), today - time::Duration::days(45)];
    let mut expected = 0i64;
    let mut development = 0i64;
    for (n, day) in days.iter().enumerate() {
        let mut body = complete_contract(&p.buyer_org);
        body["amount_unit"] = json!("yuan");
        body["total"] = json!(format!("{}.{n}5", 1_000_000 * (n + 1)));
        if n == 1 {
            body["contract_type"] = json!("development");
            body["subtype"] = json!("commissioned_development");
        }
        registered_on(&p, &app, &body, n, *day).await;
        if day.year() == year {
            let fen = 100_000_000 * (n as i64 + 1) + n as i64 * 10 + 5;
            expected += fen;
            if n == 1 {
                development += fen;
            }
        }
    }
    // A seller outside the district does not count towards 输出.
    let mut outside = complete_contract(&p.buyer_org);
    outside["seller_region"] = json!("620502");
    registered_on(&p, &app, &outside, 9, today).await;

    let report: Value =
        p.admin.get(format!("/api/v1/stats/goal?year={year}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(report["figures"]["so_far_fen"], expected);
    let goal = report["goal"]["amount"].as_i64().expect("goal");
    assert_eq!(goal, 60_000_000_000, "the plan's 2025 target carries on");
    assert_eq!(report["figures"]["progress_bp"], expected * 10_000 / goal);
    let types = report["breakdowns"]
        .as_array()
        .expect("breakdowns")
        .iter()
        .find(|b| b["code"] == "contract_type")
        .expect("types")
        .clone();
    let sum: i64 = types["rows"].as_array().expect("rows").iter().map(|r| r["amount_fen"].as_i64().unwrap_or(0)).sum();
    assert_eq!(sum, expected);
    if development > 0 {
        let row =
            types["rows"].as_array().expect("rows").iter().find(|r| r["label"] == "技术开发").expect("development");
        assert_eq!(row["amount_fen"], development);
        // The link leads to exactly the contracts behind the figure.
        let link = row["link"].as_str().expect("link").replace("/contracts?", "/api/v1/contracts?");
        let listed: Value = p.admin.get(link).dispatch().await.into_json().await.expect("json");
        assert_eq!(listed["total"], row["contracts"]);
    }
    let listed: Value = p
        .admin
        .get(report["link"].as_str().expect("link").replace("/contracts?", "/api/v1/contracts?"))
        .dispatch()
        .await
        .into_json()
        .await
        .expect("json");
    let count: i64 =
        report["months"].as_array().expect("months").iter().map(|m| m["contracts"].as_i64().unwrap_or(0)).sum();
    assert_eq!(listed["total"], count);

    // Pages: the administrators' page with charts; the public page without contract details.
    let page = p.admin.get(format!("/stats/goal?year={year}")).dispatch().await;
    assert_eq!(page.status(), Status::Ok);
    let html = page.into_string().await.expect("html");
    assert!(html.contains("<svg") && html.contains("按合同类型") && html.contains("剩余每月须登记"));
    assert_eq!(p.seller.get("/stats/goal").dispatch().await.status(), Status::Forbidden);
    assert_eq!(app.client.get("/stats/goal").dispatch().await.status(), Status::SeeOther);
    let public = app.client.get("/stats").dispatch().await.into_string().await.expect("html");
    assert!(public.contains("<svg") && public.contains("完成进度") && !public.contains("苹果近红外无损分级专利权转让"));
    let summary: Value =
        app.client.get(format!("/api/v1/stats/summary?year={year}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(summary["so_far_fen"], expected);
    assert!(summary.get("breakdowns").is_none());

    // The spreadsheet equals the page.
    let response = p.admin.get(format!("/stats/goal.xlsx?year={year}")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let bytes = response.into_bytes().await.expect("bytes");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = workbook.worksheet_range("目标进度").expect("sheet");
    let so_far = sheet.rows().find(|r| r.first() == Some(&Data::String("已登记".into()))).expect("row");
    assert_eq!(so_far.get(1), Some(&Data::Float(expected as f64 / 100.0)));
    // Progress is a number (a fraction shown as a percentage), not text.
    let progress = sheet.rows().find(|r| r.first() == Some(&Data::String("完成进度".into()))).expect("progress");
    assert!(matches!(progress.get(1), Some(Data::Float(_))), "{progress:?}");
    let months = workbook.worksheet_range("按月").expect("months");
    let month_sum: f64 = months
        .rows()
        .skip(1)
        .filter_map(|r| match r.get(2) {
            Some(Data::Float(v)) => Some(*v),
            _ => None,
        })
        .sum();
    assert!((month_sum - expected as f64 / 100.0).abs() < 0.001);
    let csv = p.admin.get(format!("/stats/goal.csv?year={year}")).dispatch().await;
    assert_eq!(csv.content_type(), Some(ContentType::CSV));
    let text = csv.into_string().await.expect("csv");
    assert!(text.contains(&format!("已登记,{}", techmarket::domain::money::Fen(expected).yuan_exact())), "{text}");

    // Goal settings: checked, audited, and the basis changes what counts.
    let bad = post_form(&p.admin, "/stats/goal", &format!("year={year}&amount=abc&basis=turnover&side=output")).await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let form =
        format!("year={year}&amount={}&basis=technology_value&side=absorb&note={}", encode("5亿"), encode("测试口径"));
    assert_eq!(post_form(&p.admin, "/stats/goal", &form).await.status(), Status::SeeOther);
    let changed: Value =
        p.admin.get(format!("/api/v1/stats/goal?year={year}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(changed["goal"]["amount"], 50_000_000_000i64);
    assert_eq!(changed["goal"]["basis"], "technology_value");
    // 吸纳: the buyer is in the district for all four contracts. Technology value: the three priced in
    // 元 deduct ¥20 of equipment each; the fourth (120万, 20万 equipment) adds ¥1,000,000.
    let counted = days.iter().filter(|d| d.year() == year).count() as i64;
    let technology: i64 = expected - 2_000 * counted + 100_000_000;
    assert_eq!(changed["figures"]["so_far_fen"], technology);
    let audited: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'goal.set'")
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(audited, 1);
    let api = crate::contracts::put_json_pub(
        &p.admin,
        &format!("/api/v1/stats/goals/{year}"),
        &json!({"amount": "0", "basis": "turnover", "side": "output"}),
    )
    .await;
    assert_eq!(api.status(), Status::UnprocessableEntity);
}

async fn the_plans_indicators_are_entered_computed_and_exported(app: TestApp) {
    let p = parties(&app).await;
    let year = today_shanghai().year();
    // Indicator 12 is live: one registered contract of ¥1,200,000 = 0.012 亿元.
    let id = created(&p, &complete_contract(&p.buyer_org)).await;
    assert_eq!(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &json!({"registration_no": "IND-1"}))
            .await
            .status(),
        Status::Ok
    );
    // Indicator 13 counts qualified organisations of the district.
    sqlx::query("INSERT INTO organisation_qualifications (organisation_id, qualification, certificate_no, recorded_at) VALUES ($1, 'high_tech_enterprise', 'GR2026', '2026-01-01T00:00:00.000000Z')")
        .bind(&p.buyer_org)
        .execute(app.db.pool())
        .await
        .expect("qualification");
    // Entered values: checked, then saved and audited; a correction keeps the old value in the log.
    let bad = post_form(
        &p.admin,
        "/stats/indicators",
        &format!("indicator_no=13&year={year}&value=abc&source=x&published_on=2099-01-01"),
    )
    .await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let html = bad.into_string().await.expect("html");
    assert!(html.contains("自动计算") && html.contains("最多 4 位小数") && html.contains("不能晚于今天"));
    for value in ["58.6", "59.3"] {
        let form = format!(
            "indicator_no=1&year={year}&value={value}&source={}&published_on=2026-03-01",
            encode("天水市统计公报")
        );
        assert_eq!(post_form(&p.admin, "/stats/indicators", &form).await.status(), Status::SeeOther);
    }
    let table: Value =
        p.admin.get(format!("/api/v1/stats/indicators?year={year}")).dispatch().await.into_json().await.expect("json");
    let items = table["items"].as_array().expect("items");
    assert_eq!(items.len(), 15);
    assert_eq!(items[0]["actual"], "59.3");
    assert_eq!(items[0]["status"], if year >= 2025 { "behind" } else { "on_track" }, "59.3 against the straight path");
    assert_eq!(items[11]["actual"], "0.012");
    assert_eq!(items[11]["status"], "behind");
    assert_eq!(items[12]["actual"], "1");
    assert_eq!(items[4]["status"], "missing");
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'indicator.entered' ORDER BY seq")
            .fetch_all(app.db.pool())
            .await
            .expect("audit");
    assert_eq!(audited.len(), 2);
    assert!(audited[1].contains("\"before\":\"58.6\""), "{}", audited[1]);
    // The page, and the spreadsheet equal to it.
    let page =
        p.admin.get(format!("/stats/indicators?year={year}")).dispatch().await.into_string().await.expect("html");
    assert!(page.contains("科技进步贡献率") && page.contains("59.3") && page.contains("落后于进度"));
    assert_eq!(p.buyer.get("/stats/indicators").dispatch().await.status(), Status::Forbidden);
    let bytes =
        p.admin.get(format!("/stats/indicators.xlsx?year={year}")).dispatch().await.into_bytes().await.expect("bytes");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = workbook.worksheet_range(&format!("{year}年主要指标")).expect("sheet");
    let first = sheet.rows().nth(1).expect("row 1");
    assert_eq!(first.get(1), Some(&Data::String("科技进步贡献率".into())));
    assert_eq!(first.get(6), Some(&Data::Float(59.3)));
    let twelve = sheet.rows().nth(12).expect("row 12");
    assert_eq!(twelve.get(6), Some(&Data::Float(0.012)));
    let csv =
        p.admin.get(format!("/stats/indicators.csv?year={year}")).dispatch().await.into_string().await.expect("csv");
    assert!(csv.contains("科技进步贡献率") && csv.contains("59.3"));
}

async fn market_activity_counts_publications_and_time_to_contract(app: TestApp) {
    let p = parties(&app).await;
    let year = today_shanghai().year();
    let listing = crate::achievements::published_listing(&p.seller, &p.admin).await;
    let mut body = complete_contract(&p.buyer_org);
    body["achievement_id"] = json!(listing);
    let id = created(&p, &body).await;
    assert_eq!(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &json!({"registration_no": "MKT-1"}))
            .await
            .status(),
        Status::Ok
    );
    let market: Value =
        p.admin.get(format!("/api/v1/stats/market?year={year}")).dispatch().await.into_json().await.expect("json");
    let month = usize::from(u8::from(today_shanghai().month())) - 1;
    assert_eq!(market["market"]["months"][month]["achievements"], 1);
    assert_eq!(market["market"]["by_field"][0]["label"], "农业");
    assert_eq!(market["market"]["sold"][0]["days"], 0);
    assert_eq!(market["market"]["sold"][0]["listing_link"], format!("/achievements/{listing}"));
    assert_eq!(market["market"]["median_days_to_contract"], 0);
    let stages: i64 =
        market["market"]["stages"].as_array().expect("stages").iter().map(|s| s["count"].as_i64().unwrap_or(0)).sum();
    assert_eq!(stages, 1);
    let page = p.admin.get(format!("/stats/goal?year={year}")).dispatch().await.into_string().await.expect("html");
    assert!(page.contains("市场活跃度") && page.contains("从发布到登记"));
}

on_both_databases!(
    the_goal_page_is_exact_and_explained,
    the_plans_indicators_are_entered_computed_and_exported,
    market_activity_counts_publications_and_time_to_contract,
);
