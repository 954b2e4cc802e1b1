//! 批量导入 through HTTP on both databases: the template, a workbook checked cell by cell with the
//! form's rules (nothing saved), the confirmed load into the review queue with its audit events
//! and the administrators told once, a re-import that creates nothing, GBK CSV demands, who may
//! import for whom, the page and its XLSX report, and every hostile file refused cleanly.

use std::io::Cursor;

use calamine::{Data, Reader as _};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::deals::{cast, count, get_json, page};
use crate::import_files::*;
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};
use crate::trading::json_of;

/// Uploads a file to the import API: the dry run's report.
pub async fn upload(client: &Client, query: &str, bytes: Vec<u8>) -> (Status, Value) {
    let token = csrf_of(client).await;
    let query: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => format!("{name}={}", encode(value)),
            None => pair.to_string(),
        })
        .collect();
    let response = client
        .post(format!("/api/v1/imports?{}", query.join("&")))
        .header(ContentType::Binary)
        .header(Header::new("X-CSRF-Token", token))
        .body(bytes)
        .dispatch()
        .await;
    json_of(response).await
}

pub async fn confirm(client: &Client, id: &str) -> (Status, Value) {
    let token = csrf_of(client).await;
    let response = client
        .post(format!("/api/v1/imports/{id}/confirm"))
        .header(Header::new("X-CSRF-Token", token))
        .dispatch()
        .await;
    json_of(response).await
}

fn row_of(report: &Value, line: u64) -> &Value {
    report["rows"].as_array().expect("rows").iter().find(|r| r["line"] == line).unwrap_or(&Value::Null)
}

async fn org_rows(app: &TestApp, table: &str, org: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE organisation_id = $1"))
        .bind(org)
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

async fn a_workbook_is_checked_cell_by_cell_then_loaded_once(app: TestApp) {
    let c = cast(&app).await;
    // The template: Chinese headers, the instructions sheet, the hidden vocabulary sheet.
    let response = c.researcher.get("/imports/template/achievement.xlsx").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let template = response.into_bytes().await.expect("bytes");
    let book = calamine::open_workbook_auto_from_rs(Cursor::new(template)).expect("xlsx");
    assert_eq!(book.sheet_names(), ["科技成果", "填写说明", "选项"]);

    let mut bad = good_row("数控机床主轴热误差补偿技术", "");
    bad[6] = "魔法".into(); // 技术领域
    bad[8] = "十".into(); // 技术成熟度
    bad[14] = "12345".into(); // 联系电话
    bad[12] = "也许".into(); // 面议
    let mut missing_patent = good_row("花椒烘干色泽保持工艺", "");
    missing_patent[4] = "专利权".into();
    let rows = vec![
        good_row("苹果园智能水肥一体化灌溉系统", "ZL202110123456.7"),
        good_row("花牛苹果气调贮藏技术", ""),
        bad,
        good_row("苹果园智能水肥一体化灌溉系统", "202110123456.7"),
        missing_patent,
    ];
    let (status, report) = upload(&c.researcher, "kind=achievement&file_name=成果.xlsx", workbook(&rows)).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["format"], "xlsx");
    assert_eq!(report["counts"]["rows"], 5);
    assert_eq!(report["counts"]["ok"], 2);
    assert_eq!(report["counts"]["invalid"], 3);
    let errors = &row_of(&report, 4)["errors"];
    assert_eq!(errors["technical_field"], "技术领域“魔法”不是可选的值");
    assert_eq!(errors["trl"], "请选择技术成熟度（1–9 级）");
    assert_eq!(errors["contact_phone"], "请填写有效的联系电话（手机号或带区号的座机）");
    assert_eq!(errors["price_negotiable"], "“也许”：请填写“是”或“否”");
    // 面议 could not be read, so the form's rule for a price without 面议 speaks too.
    assert_eq!(errors["asking_price"], "请填写金额；如需面议请勾选“面议”");
    assert_eq!(errors.as_object().map(|e| e.len()), Some(5), "{errors}");
    assert_eq!(row_of(&report, 5)["errors"]["title"], "与第 2 行重复（名称与专利号相同）");
    assert_eq!(row_of(&report, 6)["errors"]["patent_numbers"], "选择了专利权或专利申请权时，请填写专利（申请）号");
    assert!(row_of(&report, 4)["summary"].as_str().expect("summary").contains("技术成熟度：请选择技术成熟度"));
    assert_eq!(org_rows(&app, "achievements", &c.seller_org).await, 0, "a dry run saves nothing");
    let id = report["import"]["id"].as_str().expect("id").to_string();

    // The report page and the XLSX report with the bad cells explained.
    let (status, html) = page(&c.researcher, &format!("/imports/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("技术领域“魔法”不是可选的值") && html.contains("确认导入 2 项成果"), "{html}");
    let response = c.researcher.get(format!("/imports/{id}/report.xlsx")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(response.into_bytes().await.expect("bytes"))).expect("xlsx");
    let sheet = book.worksheet_range("检查结果").expect("sheet");
    let result_col = HEADERS.len();
    assert_eq!(sheet.get((0, result_col)), Some(&Data::String("检查结果".into())));
    assert_eq!(sheet.get((1, result_col)), Some(&Data::String("可导入".into())));
    let bad_summary = sheet.get((3, result_col)).map(|d| d.to_string()).unwrap_or_default();
    assert!(bad_summary.contains("技术领域：技术领域“魔法”不是可选的值"), "{bad_summary}");

    // Only the organisation's members and administrators see it; a broker may not import.
    assert_eq!(get_json(&c.enterprise, &format!("/api/v1/imports/{id}")).await.0, Status::NotFound);
    assert_eq!(get_json(&c.admin, &format!("/api/v1/imports/{id}")).await.0, Status::Ok);
    let (status, refused) = upload(&c.broker, "kind=achievement", workbook(&rows)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Forbidden, Some("cannot_import")));
    let (status, refused) = upload(&c.researcher, "kind=demand", workbook(&rows)).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (Status::Forbidden, Some("cannot_import")),
        "researchers post no demands"
    );

    // Confirmed: the two good rows enter the review queue, each with its audit event; the
    // administrators hear once.
    let (status, done) = confirm(&c.researcher, &id).await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(
        (done["loaded"].as_i64(), done["skipped_existing"].as_i64(), done["invalid"].as_i64()),
        (Some(2), Some(0), Some(3))
    );
    let submitted =
        "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements WHERE status = 'submitted' AND submitted_at IS NOT NULL";
    assert_eq!(count(&app, submitted).await, 2);
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'achievement.imported'").await,
        2
    );
    let told = "SELECT CAST(COUNT(*) AS BIGINT) FROM inbox_messages WHERE title LIKE '待审核成果：2 项%'";
    assert!(count(&app, told).await >= 1);
    let (_, queue) = page(&c.admin, "/achievements/review").await;
    assert!(queue.contains("花牛苹果气调贮藏技术"), "the review queue lists the imported rows");

    // The same file again: nothing new, and confirming twice changes nothing.
    let (_, again) = upload(&c.researcher, "kind=achievement", workbook(&rows)).await;
    // Row 5 repeats row 2, which is now stored: it counts as existing too.
    assert_eq!((again["counts"]["ok"].as_i64(), again["counts"]["exists"].as_i64()), (Some(0), Some(3)), "{again}");
    let (_, twice) = confirm(&c.researcher, &id).await;
    assert_eq!((twice["loaded"].as_i64(), twice["skipped_existing"].as_i64()), (Some(0), Some(3)));
    assert_eq!(org_rows(&app, "achievements", &c.seller_org).await, 2);
}

async fn demands_arrive_as_gbk_csv_and_administrators_import_for_an_organisation(app: TestApp) {
    let c = cast(&app).await;
    let header = "需求名称,问题描述,技术指标,关键词,技术领域,行业门类,合作方式,最高预算（万元）,有效期至,联系人,联系电话,所在地行政区划代码";
    let valid_until =
        techmarket::domain::forms::date_text(techmarket::domain::time::today_shanghai() + time::Duration::days(90));
    let text = format!(
        "{header}\r\n花椒烘干过程色泽保持技术,\"现有热风烘干花椒色泽发暗、挥发油损失大，希望保持色泽和麻味。\",\"色泽保持率：≥90%\n含水率：≤10%\",花椒、烘干,农业,C,委托开发、技术服务,80,{valid_until},李经理,13800000000,620503\r\n\
         苹果酒发酵工艺,太短,,苹果酒,农业,C,委托开发,,{valid_until},李经理,13800000000,620503\r\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (status, report) = upload(&c.enterprise, "kind=demand&file_name=需求.csv", gbk.to_vec()).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["format"], "csv (GBK)");
    assert_eq!(row_of(&report, 2)["state"], "ok", "{report}");
    let errors = &row_of(&report, 3)["errors"];
    assert_eq!(errors["description"], "问题描述至少需要 20 个字", "{errors}");
    assert!(has_chinese(errors["budget_max"].as_str().unwrap_or_default()), "{errors}");
    let id = report["import"]["id"].as_str().expect("id").to_string();
    let (_, done) = confirm(&c.enterprise, &id).await;
    assert_eq!(done["loaded"], 1);
    assert_eq!(org_rows(&app, "demands", &c.buyer_org).await, 1);

    // An administrator names the organisation; without one the upload is refused in Chinese.
    let rows = vec![good_row("管理员代为导入的成果", "")];
    let (status, refused) = upload(&c.admin, "kind=achievement", workbook(&rows)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::BadRequest, Some("import_organisation_required")));
    let (status, report) =
        upload(&c.admin, &format!("kind=achievement&organisation_id={}", c.seller_org), workbook(&rows)).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["import"]["organisation_id"], c.seller_org.as_str());
    let (status, _) = upload(&c.admin, "kind=poster", workbook(&rows)).await;
    assert_eq!(status, Status::BadRequest);
    // A pending account may not.
    let pending = register(&app, Role::Researcher).await;
    let client = app.another_client().await;
    signed_in(&client, &pending).await;
    assert_eq!(upload(&client, "kind=achievement", workbook(&rows)).await.0, Status::Forbidden);
}

async fn hostile_files_fail_cleanly(app: TestApp) {
    let c = cast(&app).await;
    let refused = |report: &Value| report["error"]["message"].as_str().unwrap_or_default().to_string();
    // A renamed binary, a broken archive, an encrypted workbook, a zip bomb: 400 with the reason.
    let (status, report) =
        upload(&c.researcher, "file_name=成果.xlsx", b"\x7fELF\x02\x01\x01\x00binary\x00\xff".to_vec()).await;
    assert_eq!((status, report["error"]["code"].as_str()), (Status::BadRequest, Some("unreadable_file")));
    assert_eq!(refused(&report), "文件不是 XLSX、XLS 或 CSV 表格");
    let (status, report) = upload(&c.researcher, "", b"PK\x03\x04 not really a zip".to_vec()).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(
        refused(&report),
        "无法读取这个 Excel 文件：文件已损坏，或不是 Excel 保存的格式；请在 Excel 中打开后另存为 .xlsx 再上传"
    );
    let (status, report) = upload(&c.researcher, "", encrypted_workbook()).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(refused(&report), "文件设置了打开密码，请在 Excel 中取消密码后再上传");
    let (status, report) = upload(&c.researcher, "", zip_bomb()).await;
    assert_eq!(status, Status::BadRequest);
    assert!(refused(&report).contains("压缩炸弹"), "{report}");
    let (status, report) = upload(&c.researcher, "", csv(&[]).into_bytes()).await;
    assert_eq!(
        (status, report["counts"]["rows"].as_i64()),
        (Status::Created, Some(0)),
        "headers only: nothing to import"
    );
    let (status, report) = upload(&c.researcher, "", "名字,年龄\n张三,3\n".as_bytes().to_vec()).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(refused(&report), "第一行应为表头，未找到任何可识别的列；请使用平台提供的模板");

    // A million empty rows cost nothing; the one row after them keeps its number.
    let (status, report) = upload(&c.researcher, "", million_empty_rows()).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(report["counts"]["rows"], 1);
    assert_eq!(row_of(&report, 1_000_002)["state"], "ok", "{report}");

    // Too many rows for one file.
    let many: Vec<Vec<String>> = (0..20_001).map(|i| good_row(&format!("成果第{i}项"), "")).collect();
    let (status, report) = upload(&c.researcher, "", csv(&many).into_bytes()).await;
    assert_eq!(status, Status::BadRequest);
    assert!(refused(&report).contains("一次最多导入 20000 行"), "{report}");

    // A 1 MB cell, merged cells, formulas, wrong types: the cells are named, row by row.
    let mut huge = good_row("超长简介的成果", "");
    huge[1] = "长".repeat(1_000_000);
    let (status, report) = upload(&c.researcher, "", written_sheet(0, &[huge])).await;
    assert_eq!(status, Status::Created);
    assert_eq!(row_of(&report, 2)["errors"]["summary"], "单元格内容超过 20000 字", "{}", row_of(&report, 2));
    let (status, report) = upload(&c.researcher, "", awkward_workbook()).await;
    assert_eq!(status, Status::Created, "{report}");
    assert_eq!(row_of(&report, 2)["state"], "ok", "{report}");
    let merged = &row_of(&report, 3)["errors"];
    assert_eq!(merged["technical_field"], "合并单元格：请取消合并，并在每一行、每一列分别填写", "{merged}");
    assert_eq!(merged.as_object().map(|e| e.len()), Some(1), "{merged}");
    assert_eq!(
        row_of(&report, 4)["state"],
        "ok",
        "the computed 技术成熟度 formula is read as 7: {}",
        row_of(&report, 4)
    );
    let typed = &row_of(&report, 5)["errors"];
    assert_eq!(typed["trl"], "请选择技术成熟度（1–9 级）", "{typed}");
    assert_eq!(typed.as_object().map(|e| e.len()), Some(1), "the numeric region code reads as 620503: {typed}");
    let (status, report) = upload(&c.researcher, "", uncomputed_formula()).await;
    assert_eq!(status, Status::Created, "{report}");
    let formula = &row_of(&report, 2)["errors"];
    assert_eq!(formula["title"], "该单元格是没有计算结果的公式；请在 Excel 中计算后另存，或粘贴为数值", "{formula}");
    assert_eq!(formula.as_object().map(|e| e.len()), Some(1), "{formula}");
    assert_eq!(org_rows(&app, "achievements", &c.seller_org).await, 0);
}

on_both_databases!(
    a_workbook_is_checked_cell_by_cell_then_loaded_once,
    demands_arrive_as_gbk_csv_and_administrators_import_for_an_organisation,
    hostile_files_fail_cleanly,
);
