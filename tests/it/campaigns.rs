//! 科技成果征集 through HTTP on both databases: an administrator opens a campaign for one
//! institution (bad input refused in Chinese; the institution's members told), a member enters a
//! listing from the page and two by an import made for the campaign, other organisations are
//! refused, the public page shows only approved entries, the progress table (page, API, XLSX)
//! counts who entered what, and a closed campaign takes nothing more.

use std::io::Cursor;

use calamine::{Data, Reader as _};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json};
use crate::deals::{cast, get_json, page};
use crate::import_files::{good_row, workbook};
use crate::imports::{confirm, upload};
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

fn day(offset: i64) -> String {
    techmarket::domain::forms::date_text(techmarket::domain::time::today_shanghai() + time::Duration::days(offset))
}

async fn submitted(client: &Client, title: &str) -> String {
    let mut body = complete_listing();
    body["title"] = json!(title);
    let created = post_json(client, "/api/v1/achievements", &body).await;
    assert_eq!(created.status(), Status::Created);
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(client, &format!("/api/v1/achievements/{id}/submit"), &json!({})).await.status(), Status::Ok);
    id
}

async fn entries(app: &TestApp, campaign: &str, via: &str) -> i64 {
    sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM campaign_entries WHERE campaign_id = $1 AND via = $2")
        .bind(campaign)
        .bind(via)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn a_campaign_collects_and_counts_entries(app: TestApp) {
    let c = cast(&app).await;
    // Bad input: every field named in Chinese, nothing saved; only administrators open one.
    let bad = "title=%E7%9F%AD&deadline=2020-01-01&kind=patent&technical_fields=nope";
    let response = post_form(&c.admin, "/campaigns", bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.expect("html");
    for message in [
        "征集主题至少需要 4 个字",
        "截止日期不能早于今天",
        "征集内容“patent”不是可选的值",
        "技术领域“nope”不是可选的值",
    ] {
        assert!(html.contains(message), "{message}");
    }
    let body = json!({"title": "2027 年苹果产业链科技成果征集", "description": "征集苹果采后处理、贮藏保鲜相关成果。",
        "technical_fields": ["agriculture"], "deadline": day(10), "target_organisation_ids": [c.seller_org]});
    assert_eq!(post_json(&c.researcher, "/api/v1/campaigns", &body).await.status(), Status::Forbidden);
    let created = post_json(&c.admin, "/api/v1/campaigns", &body).await;
    assert_eq!(created.status(), Status::Created);
    let campaign = created.into_json::<Value>().await.expect("json");
    let id = campaign["campaign"]["id"].as_str().expect("id").to_string();
    assert_eq!(campaign["status_label"], "征集中");
    assert_eq!(campaign["targets"][0]["id"], c.seller_org.as_str());

    // The target's members are told; the public sees the page and the list.
    let (_, inbox) = get_json(&c.researcher, "/api/v1/inbox").await;
    assert!(inbox.to_string().contains("邀请报送科技成果：2027 年苹果产业链科技成果征集"), "{inbox}");
    let anonymous = app.another_client().await;
    let (status, html) = page(&anonymous, &format!("/campaigns/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("2027 年苹果产业链科技成果征集") && html.contains("农业"));
    assert!(page(&anonymous, "/campaigns").await.1.contains(&format!("/campaigns/{id}")));

    // A member enters a listing in review from the page; twice adds nothing.
    let first = submitted(&c.researcher, "苹果气调贮藏保鲜技术").await;
    let (_, own_page) = page(&c.researcher, &format!("/campaigns/{id}")).await;
    assert!(own_page.contains("苹果气调贮藏保鲜技术") && own_page.contains("批量导入并报送"));
    let entered = post_form(&c.researcher, &format!("/campaigns/{id}/entries"), &format!("listing_ids={first}")).await;
    assert_eq!(entered.status(), Status::SeeOther);
    let (status, again) = crate::trading::json_of(
        post_json(&c.researcher, &format!("/api/v1/campaigns/{id}/entries"), &json!({"listing_ids": [first]})).await,
    )
    .await;
    assert_eq!((status, again["added"].as_u64()), (Status::Ok, Some(0)));
    assert_eq!(entries(&app, &id, "form").await, 1);

    // Another institution is not a target; a listing not its own is refused.
    let foreign = submitted(&c.outsider, "外单位的成果").await;
    let (status, refused) = crate::trading::json_of(
        post_json(&c.outsider, &format!("/api/v1/campaigns/{id}/entries"), &json!({"listing_ids": [foreign]})).await,
    )
    .await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Forbidden, Some("not_campaign_target")));
    let (status, refused) = crate::trading::json_of(
        post_json(&c.researcher, &format!("/api/v1/campaigns/{id}/entries"), &json!({"listing_ids": [foreign]})).await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(has_chinese(refused["error"]["fields"]["listing_ids"].as_str().unwrap_or_default()));

    // An import made for the campaign enters what it loads.
    let file =
        workbook(&[good_row("苹果分级近红外检测装置", "CN202310000001.5"), good_row("果园智能灌溉控制系统", "")]);
    let (status, report) = upload(&c.researcher, &format!("kind=achievement&campaign_id={id}"), file.clone()).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["import"]["campaign_id"], id.as_str());
    let import = report["import"]["id"].as_str().expect("id").to_string();
    let (status, loaded) = confirm(&c.researcher, &import).await;
    assert_eq!(status, Status::Ok, "{loaded}");
    assert_eq!(loaded["loaded"], 2, "{report}");
    assert_eq!(entries(&app, &id, "import").await, 2);
    let (status, _) = upload(&c.outsider, &format!("kind=achievement&campaign_id={id}"), file).await;
    assert_eq!(status, Status::Forbidden, "another institution cannot import into it");

    // The reviewer approves one: the public page lists it, not those still in review.
    assert_eq!(
        post_json(&c.admin, &format!("/api/v1/achievements/{first}/approve"), &json!({})).await.status(),
        Status::Ok
    );
    let (_, public) = page(&anonymous, &format!("/campaigns/{id}")).await;
    assert!(public.contains("苹果气调贮藏保鲜技术") && !public.contains("果园智能灌溉控制系统"), "{public}");
    assert!(public.contains("已报送 3 项，审核通过 1 项"));

    // The progress table: the target with its counts, the page, the API and the workbook agree.
    let (status, progress) = get_json(&c.admin, &format!("/api/v1/campaigns/{id}/progress")).await;
    assert_eq!(status, Status::Ok);
    let row = &progress["rows"][0];
    assert_eq!(row["organisation_id"], c.seller_org.as_str());
    assert_eq!(
        (
            row["target"].as_bool(),
            row["entered"].as_i64(),
            row["imported"].as_i64(),
            row["in_review"].as_i64(),
            row["approved"].as_i64()
        ),
        (Some(true), Some(3), Some(2), Some(2), Some(1))
    );
    assert_eq!(progress["totals"]["silent_targets"], 0);
    assert_eq!(get_json(&c.researcher, &format!("/api/v1/campaigns/{id}/progress")).await.0, Status::Forbidden);
    let (status, html) = page(&c.admin, &format!("/campaigns/{id}/progress")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("导出 Excel") && html.contains("合计"));
    let response = c.admin.get(format!("/campaigns/{id}/progress.xlsx")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let bytes = response.into_bytes().await.expect("bytes");
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("征集进度").expect("sheet");
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header = cells.iter().position(|r| r.first() == Some(&Data::String("单位".into()))).expect("header row");
    let line = &cells[header + 1];
    assert_eq!(line[1], Data::String("是".into()));
    assert_eq!(
        (line[2].clone(), line[3].clone(), line[5].clone()),
        (Data::Float(3.0), Data::Float(2.0), Data::Float(1.0))
    );
    assert_eq!(cells[header + 2][0], Data::String("合计".into()));

    // Closed: nothing more is taken, by the page or by an import.
    let pending =
        upload(&c.researcher, &format!("kind=achievement&campaign_id={id}"), workbook(&[good_row("晚到的成果", "")]))
            .await;
    assert_eq!(pending.0, Status::Created);
    assert_eq!(post_form(&c.admin, &format!("/campaigns/{id}/close"), "").await.status(), Status::SeeOther);
    let late = submitted(&c.researcher, "截止后的成果").await;
    let (status, refused) = crate::trading::json_of(
        post_json(&c.researcher, &format!("/api/v1/campaigns/{id}/entries"), &json!({"listing_ids": [late]})).await,
    )
    .await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Conflict, Some("campaign_closed")));
    let (status, refused) = confirm(&c.researcher, pending.1["import"]["id"].as_str().expect("id")).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Conflict, Some("campaign_closed")));
    assert_eq!(get_json(&anonymous, &format!("/api/v1/campaigns/{id}")).await.1["status_label"], "已结束");
    assert_eq!(get_json(&anonymous, "/api/v1/campaigns/none").await.0, Status::NotFound);
}

on_both_databases!(a_campaign_collects_and_counts_entries);
