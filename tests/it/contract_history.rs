//! The registry's history and its edge cases (issue 12) on both databases: past registrations
//! back-entered one by one and from GBK spreadsheets (dry run, per-cell report, confirmation,
//! idempotent re-import), counted in their months and in indicator 12; the holiday calendar;
//! disputes; round trips of `input`; exact rules; technology imports; the goal's straight path;
//! the streamed export; case-insensitive search; what the public pages count.

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::forms::date_text;
use techmarket::domain::time::today_shanghai;

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::contracts::{complete_contract, created, parties, put_json_pub, registered};
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

async fn get_json(client: &Client, uri: &str) -> (Status, Value) {
    let response = client.get(uri.to_string()).dispatch().await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

/// Uploads a file's bytes to the history API: the dry run's report.
async fn upload(client: &Client, name: &str, bytes: Vec<u8>) -> (Status, Value) {
    let token = csrf_of(client).await;
    let response = client
        .post(format!("/api/v1/contracts/history/imports?file_name={name}"))
        .header(ContentType::Binary)
        .header(Header::new("X-CSRF-Token", token))
        .body(bytes)
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

const HEADER: &str = "登记编号,合同名称,合同类型,合同子类,卖方名称,卖方单位性质,卖方所在地代码,买方名称,买方所在地代码,技术领域,签订日期,受理日期,登记日期,合同成交额（元）,设备购置费（元）";

fn history_csv() -> String {
    let mut text = format!("{HEADER}\r\n");
    // 2021, the baseline year: two good rows, one bad.
    text.push_str("62050320210001,苹果气调贮藏技术秘密转让,技术转让,技术秘密转让,天水市果树研究所,科研机构,620503,天水花牛果业有限公司,620502,农业,2021-03-02,2021-03-05,2021-03-19,\"1,250,000\",50000\r\n");
    text.push_str("62050320210002,数控机床主轴检测技术服务,技术服务,技术服务,天水市果树研究所,科研机构,620503,甘肃星火机床有限公司,620503,先进制造,2021-06-01,2021-06-03,2021-06-30,300000,\r\n");
    text.push_str("X,花椒深加工技术咨询,技术咨询,技术咨询,天水市果树研究所,科研机构,620503,天水椒香食品有限公司,620503,农业,2021-09-01,2021-10-01,2021-09-20,abc,\r\n");
    // A repeat of the first number within the file.
    text.push_str("62050320210001,重复的登记编号,技术咨询,技术咨询,天水市果树研究所,科研机构,620503,某公司,620503,农业,2021-03-02,2021-03-05,2021-03-19,1000,\r\n");
    text
}

async fn history_is_backentered_imported_once_and_counted(app: TestApp) {
    let p = parties(&app).await;
    // One by one: a 2021 registration with its real dates.
    let one = json!({
        "registration_no": "62050320210100", "title": "花牛苹果分级线技术开发", "contract_type": "技术开发",
        "subtype": "委托开发", "seller_name": "天水市果树研究所", "seller_nature": "事业单位（科研机构）",
        "seller_region": "620503", "buyer_name": "麦积山果业股份有限公司", "buyer_region": "620503",
        "technical_field": "农业", "accepted_on": "2021-11-01", "registered_on": "2021-11-20", "total": "200万",
    });
    let response = post_json(&p.admin, "/api/v1/contracts/history", &one).await;
    assert_eq!(response.status(), Status::Created);
    let id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let (_, shown) = get_json(&p.admin, &format!("/api/v1/contracts/{id}")).await;
    assert_eq!(shown["origin"], "history");
    assert_eq!(shown["registration"]["registered_on"], "2021-11-20");
    assert_eq!(shown["clock"]["accepted_on"], "2021-11-01");
    assert_eq!(post_json(&p.admin, "/api/v1/contracts/history", &one).await.status(), Status::Conflict);
    assert_eq!(post_json(&p.seller, "/api/v1/contracts/history", &one).await.status(), Status::Forbidden);
    let mut backwards = one.clone();
    backwards["registration_no"] = json!("62050320210101");
    backwards["accepted_on"] = json!("2021-12-01");
    let refused = post_json(&p.admin, "/api/v1/contracts/history", &backwards).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let body = refused.into_json::<Value>().await.expect("json");
    assert!(body["error"]["fields"]["accepted_on"].as_str().expect("message").contains("不能晚于登记日期"));

    // In bulk, from a GBK CSV as Chinese Excel saves it: a dry run first, nothing saved.
    let text = history_csv();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (status, report) = upload(&p.admin, "ledger-2021.csv", gbk.to_vec()).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["format"], "csv (GBK)");
    assert_eq!(report["counts"]["rows"], 4);
    assert_eq!(report["counts"]["ok"], 2);
    assert_eq!(report["counts"]["invalid"], 2);
    let bad = &report["rows"][2];
    assert_eq!(bad["line"], 4);
    for field in ["registration_no", "total", "accepted_on"] {
        assert!(has_chinese(bad["errors"][field].as_str().unwrap_or_default()), "{field}: {bad}");
    }
    assert!(report["rows"][3]["errors"]["registration_no"].as_str().expect("repeat").contains("第 2 行"));
    let count = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts")
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    assert_eq!(count(&app).await, 1, "the dry run registers nothing");
    let import_id = report["import"]["id"].as_str().expect("id").to_string();
    let (status, loaded) = get_json(&p.admin, &format!("/api/v1/contracts/history/imports/{import_id}")).await;
    assert_eq!((status, loaded["counts"]["ok"].clone()), (Status::Ok, json!(2)));
    let confirmed =
        post_json(&p.admin, &format!("/api/v1/contracts/history/imports/{import_id}/confirm"), &json!({})).await;
    assert_eq!(confirmed.status(), Status::Ok);
    let confirmed = confirmed.into_json::<Value>().await.expect("json");
    assert_eq!(confirmed["loaded"], 2);
    assert_eq!(count(&app).await, 3);
    // The same file again creates nothing new.
    let (_, again) = upload(&p.admin, "ledger-2021.csv", gbk.to_vec()).await;
    // The two loaded rows and the in-file repeat of the first number are all "already there".
    assert_eq!((again["counts"]["ok"].clone(), again["counts"]["exists"].clone()), (json!(0), json!(3)));
    let again_id = again["import"]["id"].as_str().expect("id");
    let none = post_json(&p.admin, &format!("/api/v1/contracts/history/imports/{again_id}/confirm"), &json!({})).await;
    assert_eq!(none.into_json::<Value>().await.expect("json")["loaded"], 0);
    assert_eq!(count(&app).await, 3);
    // The template itself is an XLSX the upload reads: its example row is the first CSV row, loaded.
    let template = techmarket::contracts::history::sheet::template().expect("template");
    let (status, from_xlsx) = upload(&p.admin, "template.xlsx", template).await;
    assert_eq!(status, Status::Created);
    assert_eq!(
        (from_xlsx["format"].clone(), from_xlsx["counts"]["exists"].clone()),
        (json!("xlsx"), json!(1)),
        "{from_xlsx}"
    );
    // Hostile files fail with a message, not a 500.
    let (status, junk) = upload(&p.admin, "x.xlsx", b"PK\x03\x04not really a workbook".to_vec()).await;
    assert_eq!(status, Status::BadRequest);
    assert!(has_chinese(junk["error"]["message"].as_str().unwrap_or_default()));
    // The audit chain says who loaded which numbers from which file.
    let loaded_events: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'contract.history_loaded'",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("audit");
    assert_eq!(loaded_events, 1);

    // They count in the months they were registered: 2021 output = 125 + 30 + 200 万元.
    let (_, goal) = get_json(&p.admin, "/api/v1/stats/goal?year=2021").await;
    assert_eq!(goal["figures"]["so_far_fen"], 355_000_000);
    assert_eq!(goal["months"][2]["amount_fen"], 125_000_000);
    assert_eq!(goal["figures"]["months_left"], 0, "a closed year");
    assert_eq!(goal["figures"]["required_per_month_fen"], 0);
    let (_, table) = get_json(&p.admin, "/api/v1/stats/indicators?year=2021").await;
    let twelve = &table["items"][11];
    assert_eq!(twelve["actual"], "0.0355");
    assert_eq!(twelve["kind"], "contracts");
    assert_eq!((twelve["baseline"].clone(), twelve["target"].clone()), (json!("4"), json!("6")));
    // A year with only a yearly total: entered with its source, marked as not itemised.
    let total = json!({"value": "4.2", "source": "天水市科技局年度统计公报", "published_on": "2023-03-01"});
    let response = crate::contracts::put_json_pub(&p.admin, "/api/v1/stats/indicators/12/2022", &total).await;
    assert_eq!(response.status(), Status::Ok);
    let (_, table) = get_json(&p.admin, "/api/v1/stats/indicators?year=2022").await;
    let twelve = &table["items"][11];
    assert_eq!((twelve["actual"].clone(), twelve["kind"].clone()), (json!("4.2"), json!("contracts_total")));
    assert!(twelve["source"].as_str().expect("source").contains("未逐笔登记"));
    assert_eq!(twelve["expected"], "4.5", "the straight path between the goal settings");
    // Pages: the upload page, the report, the template.
    assert_eq!(p.admin.get("/contracts/history").dispatch().await.status(), Status::Ok);
    let page = p.admin.get(format!("/contracts/history/imports/{import_id}")).dispatch().await;
    assert_eq!(page.status(), Status::Ok);
    let html = page.into_string().await.unwrap_or_default();
    assert!(html.contains("导入 2 份") && html.contains("62050320210002"), "{html}");
    let template = p.admin.get("/contracts/history/template.xlsx").dispatch().await;
    assert_eq!(template.status(), Status::Ok);
    let marked = p.admin.get(format!("/contracts/history/imports/{import_id}/report.xlsx")).dispatch().await;
    assert_eq!(marked.status(), Status::Ok);
}

async fn the_calendar_disputes_and_round_trips(app: TestApp) {
    let p = parties(&app).await;
    // Notices: 2025 and 2026 are there; an administrator enters 2027, audited.
    let (_, notices) = get_json(&app.client, "/api/v1/calendar/notices").await;
    assert_eq!(notices["known_until"], 2026);
    let token = csrf_of(&p.admin).await;
    let put = |body: Value| {
        p.admin
            .put("/api/v1/calendar/notices/2027")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .body(body.to_string())
            .dispatch()
    };
    let bad = put(json!({"document": "国办", "published_on": "2026-11-20",
        "holidays": [{"name": "春节", "from": "2027-02-06", "to": "2027-02-30"}],
        "workdays": [{"name": "春节", "day": "2027-02-10"}]}))
    .await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let body = bad.into_json::<Value>().await.expect("json");
    for field in ["document", "holidays", "workdays"] {
        assert!(has_chinese(body["error"]["fields"][field].as_str().unwrap_or_default()), "{field}: {body}");
    }
    let good = put(json!({"document": "国办发明电〔2026〕9号", "published_on": "2026-11-20",
        "holidays": [{"name": "春节", "from": "2027-02-06", "to": "2027-02-13"}],
        "workdays": [{"name": "春节", "day": "2027-02-14"}]}))
    .await;
    assert_eq!(good.status(), Status::Ok);
    let calendar = techmarket::calendar::load(&app.db).await.expect("calendar");
    assert_eq!(calendar.known_until(), Some(2027));
    assert!(!calendar.is_working_day(time::macros::date!(2027 - 02 - 08)));
    assert!(calendar.is_working_day(time::macros::date!(2027 - 02 - 14)));
    assert!(!calendar.is_working_day(time::macros::date!(2028 - 01 - 01)), "元旦 without a notice");
    assert_eq!(p.admin.get("/admin/calendar").dispatch().await.status(), Status::Ok);

    // Round trip: `input` goes back to PUT unchanged and keeps the buyer's link.
    let id = created(&p, &complete_contract(&p.buyer_org)).await;
    let (_, shown) = get_json(&p.seller, &format!("/api/v1/contracts/{id}")).await;
    let input = shown["input"].clone();
    assert_eq!(input["buyer_organisation_id"], json!(p.buyer_org));
    assert!(input["version"].is_i64());
    let saved = put_json_pub(&p.seller, &format!("/api/v1/contracts/{id}"), &input).await;
    assert_eq!(saved.status(), Status::Ok);
    assert_eq!(get_json(&p.buyer, &format!("/api/v1/contracts/{id}")).await.0, Status::Ok, "the buyer still sees it");

    // 存在争议: the longer period from the day of acceptance.
    assert_eq!(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(), Status::Ok);
    let disputed =
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/dispute"), &json!({"note": "双方对验收标准有争议"})).await;
    assert_eq!(disputed.status(), Status::Ok);
    let disputed = disputed.into_json::<Value>().await.expect("json");
    assert_eq!(disputed["clock"]["disputed"], true);
    assert_eq!(disputed["clock"]["review_days"], 30);
    assert_eq!(disputed["clock"]["due_on"], date_text(calendar.add_working_days(today_shanghai(), 30)));

    // Registration with today's date (the form's default) works at any hour.
    let register = json!({"registration_no": "62050320260077", "registered_at": date_text(today_shanghai())});
    let done = post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &register).await;
    assert_eq!(done.status(), Status::Ok);

    // Amend with `input` as GET returns it (one field changed): accepted, buyer kept.
    let (_, shown) = get_json(&p.admin, &format!("/api/v1/contracts/{id}")).await;
    let mut changes = shown["input"].clone();
    changes["payment_terms"] = json!("验收后一次付清");
    let amended = post_json(
        &p.admin,
        &format!("/api/v1/contracts/{id}/amend"),
        &json!({"reason": "付款方式调整", "changes": changes}),
    )
    .await;
    assert_eq!(amended.status(), Status::Ok);
    assert_eq!(get_json(&p.buyer, &format!("/api/v1/contracts/{id}")).await.0, Status::Ok);
}

async fn rules_imports_search_and_public_counts(app: TestApp) {
    let p = parties(&app).await;
    // A carrier fee above the total is refused on its own field.
    let mut body = complete_contract(&p.buyer_org);
    body["carrier"] = json!("130");
    let refused = post_json(&p.seller, "/api/v1/contracts", &body).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let refused = refused.into_json::<Value>().await.expect("json");
    assert!(refused["error"]["fields"]["carrier"].as_str().expect("message").contains("技术载体费"));
    // Equity on a service contract warns that it is registered as a transfer.
    let mut service = complete_contract(&p.buyer_org);
    service["contract_type"] = json!("service");
    service["subtype"] = json!("service");
    service["payment_mode"] = json!("equity");
    let id = created(&p, &service).await;
    let (_, shown) = get_json(&p.seller, &format!("/api/v1/contracts/{id}")).await;
    let codes: Vec<&str> =
        shown["precheck"].as_array().expect("items").iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(codes.contains(&"equity_registered_as_transfer"), "{codes:?}");

    // A technology import: the enterprise (buyer) registers, the seller is abroad.
    let import = json!({
        "contract_type": "licence", "subtype": "know_how_licence", "technology_import": true,
        "title": "果汁无菌冷灌装技术秘密使用许可（技术进口）",
        "subject": "引进德国果汁无菌冷灌装工艺技术秘密的使用许可，含设备参数与质量控制规范。",
        "seller_name": "Fraunhofer IVV", "seller_region": "DE",
        "signed_on": date_text(today_shanghai()), "technical_field": "agriculture", "total": "80万",
        "signed_by_parties": true,
    });
    let response = post_json(&p.buyer, "/api/v1/contracts", &import).await;
    assert_eq!(response.status(), Status::Created);
    let import_id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let (_, shown) = get_json(&p.buyer, &format!("/api/v1/contracts/{import_id}")).await;
    assert_eq!(shown["contract"]["technology_import"], true);
    assert_eq!(shown["contract"]["seller"]["region"], "DE");
    assert!(shown["contract"]["buyer"]["region"].as_str().is_some_and(|r| r.len() == 6), "the buyer is filled in");
    assert_eq!(shown["precheck"].as_array().map(Vec::len), Some(0), "{}", shown["precheck"]);
    let (_, imports) = get_json(&p.admin, "/api/v1/contracts?import=true").await;
    assert_eq!(imports["total"], 1);

    // Keyword search folds case on both databases.
    let mut cnc = complete_contract(&p.buyer_org);
    cnc["title"] = json!("CNC 五轴加工中心控制软件许可");
    created(&p, &cnc).await;
    let (_, found) = get_json(&p.admin, "/api/v1/contracts?q=cnc").await;
    assert_eq!(found["total"], 1);

    // The public list and /stats say what they count.
    registered(&p, &complete_contract(&p.buyer_org), "62050320260099").await;
    let public = app.client.get("/contracts").dispatch().await.into_string().await.unwrap_or_default();
    assert!(public.contains("不分买卖方所在地") && public.contains("计入"), "the public page names both figures");
    let stats = app.client.get("/stats").dispatch().await.into_string().await.unwrap_or_default();
    assert!(stats.contains("计入年度目标的口径"));
    assert!(!stats.contains("onchange"), "no inline handler the CSP would block");

    // A contract drafted from an achievement's page names it, and its page links back.
    let listing = crate::achievements::published_listing(&p.seller, &p.admin).await;
    let form = p.seller.get(format!("/contracts/new?achievement={listing}")).dispatch().await;
    let html = form.into_string().await.unwrap_or_default();
    assert!(html.contains(&format!("value=\"{listing}\" selected")), "the source is chosen in the form");
    let mut sold = complete_contract(&p.buyer_org);
    sold["achievement_id"] = json!(listing);
    let sold_id = registered(&p, &sold, "62050320260100").await;
    let page = p.seller.get(format!("/contracts/{sold_id}")).dispatch().await.into_string().await.unwrap_or_default();
    assert!(page.contains(&format!("/achievements/{listing}")) && page.contains("来源"));

    // The export streams every row, with the contract's origin.
    let csv = p.admin.get("/contracts/export.csv").dispatch().await;
    assert_eq!(csv.status(), Status::Ok);
    let text = csv.into_string().await.unwrap_or_default();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 1 + 5);
}

on_both_databases!(
    history_is_backentered_imported_once_and_counted,
    the_calendar_disputes_and_round_trips,
    rules_imports_search_and_public_counts,
);
