//! Technology contracts through HTTP on both databases: drafting, the pre-check, the registration
//! lifecycle with its working-day clock, amendments that keep every old value, cancellation,
//! idempotent creates under concurrent duplicates, the database refusing changes to registered
//! rows, Asia/Shanghai bucketing at New Year, revenue share, pages, print and CSV.

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Value, json};
use techmarket::domain::account::Role;
use techmarket::domain::forms::date_text;
use techmarket::domain::time::today_shanghai;

use crate::accounts_support::*;
use crate::achievements::post_json;
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

/// The organisation a person belongs to.
pub async fn org_of(app: &TestApp, person: &Person) -> String {
    sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
        .bind(&person.id)
        .fetch_one(app.db.pool())
        .await
        .expect("organisation")
}

/// A contract that passes the pre-check, sold by the caller's organisation to `buyer_org`.
pub fn complete_contract(buyer_org: &str) -> Value {
    json!({
        "contract_type": "transfer",
        "subtype": "patent_transfer",
        "title": "苹果近红外无损分级专利权转让",
        "subject": "转让“一种基于近红外光谱的苹果无损分级方法”发明专利权，并提供分级线工艺调试与技术培训。",
        "buyer_organisation_id": buyer_org,
        "seller_credit_code": techmarket::domain::validators::complete_credit_code("12620503MB0000001"),
        "signed_on": date_text(today_shanghai()),
        "technical_field": "agriculture",
        "ip_type": "invention_patent",
        "payment_mode": "instalments",
        "amount_unit": "wan",
        "total": "120",
        "equipment": "20",
        "carrier": "0.3",
        "signed_by_parties": true
    })
}

async fn put_json<'c>(client: &'c Client, uri: &str, body: &Value) -> LocalResponse<'c> {
    let token = csrf_of(client).await;
    client
        .put(uri.to_string())
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token))
        .body(body.to_string())
        .dispatch()
        .await
}

/// A PUT with this client's CSRF token (for other modules' tests).
pub async fn put_json_pub<'c>(client: &'c Client, uri: &str, body: &Value) -> LocalResponse<'c> {
    put_json(client, uri, body).await
}

async fn json_of(response: LocalResponse<'_>) -> Value {
    response.into_json::<Value>().await.expect("json body")
}

async fn get_json(client: &Client, uri: &str) -> (Status, Value) {
    let response = client.get(uri.to_string()).dispatch().await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

/// The people of a contract: an administrator, a seller (researcher), a buyer (enterprise), and
/// an outsider, each with a signed-in client.
pub struct Parties {
    pub admin: Client,
    pub seller: Client,
    pub buyer: Client,
    pub outsider: Client,
    pub buyer_org: String,
}

pub async fn parties(app: &TestApp) -> Parties {
    let admin_person = create_admin(app).await;
    let admin = app.another_client().await;
    signed_in(&admin, &admin_person).await;
    let seller = app.another_client().await;
    signed_in(&seller, &active(app, &admin_person, Role::Researcher).await).await;
    let buyer_person = active(app, &admin_person, Role::Enterprise).await;
    let buyer_org = org_of(app, &buyer_person).await;
    let buyer = app.another_client().await;
    signed_in(&buyer, &buyer_person).await;
    let outsider = app.another_client().await;
    signed_in(&outsider, &active(app, &admin_person, Role::Researcher).await).await;
    Parties { admin, seller, buyer, outsider, buyer_org }
}

/// Creates a complete contract through the API; returns its id.
pub async fn created(p: &Parties, body: &Value) -> String {
    let response = post_json(&p.seller, "/api/v1/contracts", body).await;
    assert_eq!(response.status(), Status::Created);
    json_of(response).await["id"].as_str().expect("id").to_string()
}

/// Takes a complete contract to registration; returns its id.
pub async fn registered(p: &Parties, body: &Value, number: &str) -> String {
    let id = created(p, body).await;
    assert_eq!(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(), Status::Ok);
    let register = json!({"registration_no": number});
    let response = post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &register).await;
    assert_eq!(response.status(), Status::Ok);
    id
}

async fn from_draft_to_registration_amendment_and_cancellation(app: TestApp) {
    let p = parties(&app).await;
    // A bare draft is accepted; the pre-check lists what registries refuse.
    let bare = json!({"contract_type": "transfer", "subtype": "patent_transfer", "title": "苹果分级专利权转让"});
    let id = created(&p, &bare).await;
    let (_, check) = get_json(&p.seller, &format!("/api/v1/contracts/{id}/precheck")).await;
    let codes: Vec<&str> =
        check["items"].as_array().expect("items").iter().filter_map(|f| f["code"].as_str()).collect();
    for code in ["missing_buyer", "missing_price", "missing_signatures", "unclear_subject"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let refused = post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let body = json_of(refused).await;
    assert_eq!(body["error"]["code"], "precheck_failed");
    assert!(has_chinese(body["error"]["fields"]["missing_price"].as_str().expect("message")));

    // The seller completes it (optimistic locking by version) and submits: the clock starts.
    let (_, current) = get_json(&p.seller, &format!("/api/v1/contracts/{id}")).await;
    let mut complete = complete_contract(&p.buyer_org);
    complete["version"] = current["version"].clone();
    let stale =
        json!({"version": 0, "contract_type": "transfer", "subtype": "patent_transfer", "title": "过期的修改内容"});
    assert_eq!(put_json(&p.seller, &format!("/api/v1/contracts/{id}"), &stale).await.status(), Status::Conflict);
    let saved = put_json(&p.seller, &format!("/api/v1/contracts/{id}"), &complete).await;
    assert_eq!(saved.status(), Status::Ok);
    let saved = json_of(saved).await;
    assert_eq!(saved["contract"]["amounts"]["total"]["fen"], 120_000_000);
    assert_eq!(saved["contract"]["amounts"]["technology"]["fen"], 100_000_000);
    assert_eq!(saved["contract"]["amounts"]["carrier"]["fen"], 300_000);
    assert_eq!(
        saved["contract"]["buyer"]["credit_code"].as_str().map(str::len),
        Some(18),
        "filled from the buyer's record"
    );
    let submitted = json_of(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await).await;
    assert_eq!(submitted["status"], "submitted");
    let today = today_shanghai();
    assert_eq!(submitted["clock"]["accepted_on"], date_text(today));
    assert_eq!(submitted["clock"]["review_days"], 15);
    let calendar = techmarket::calendar::load(&app.db).await.expect("calendar");
    assert_eq!(submitted["clock"]["due_on"], date_text(calendar.add_working_days(today, 15)));
    assert_eq!(submitted["clock"]["overdue"], false);

    // Who sees it: seller, buyer and administrators; nobody else, not even that it exists.
    assert_eq!(get_json(&p.buyer, &format!("/api/v1/contracts/{id}")).await.0, Status::Ok);
    assert_eq!(get_json(&p.outsider, &format!("/api/v1/contracts/{id}")).await.0, Status::NotFound);
    assert_eq!(get_json(&app.client, &format!("/api/v1/contracts/{id}")).await.0, Status::Unauthorized);
    assert_eq!(
        post_json(&p.buyer, &format!("/api/v1/contracts/{id}/register"), &json!({})).await.status(),
        Status::Forbidden
    );
    let listed = get_json(&p.buyer, "/api/v1/contracts").await.1;
    assert_eq!(listed["total"], 1);

    // 补正: the clock stops; the seller edits and resubmits; the clock restarts.
    let short =
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/request-correction"), &json!({"note": "短"})).await;
    assert_eq!(short.status(), Status::UnprocessableEntity);
    let note = json!({"note": "请补充专利权证书复印件编号"});
    let corrected =
        json_of(post_json(&p.admin, &format!("/api/v1/contracts/{id}/request-correction"), &note).await).await;
    assert_eq!(corrected["status"], "correction_requested");
    assert_eq!(corrected["clock"]["running"], false);
    let mut fixed = complete_contract(&p.buyer_org);
    fixed["version"] = corrected["version"].clone();
    fixed["payment_terms"] = json!("签约后 10 日内支付 60%，验收后支付 40%");
    assert_eq!(put_json(&p.seller, &format!("/api/v1/contracts/{id}"), &fixed).await.status(), Status::Ok);
    let again = json_of(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await).await;
    assert_eq!(again["status"], "submitted");
    assert_eq!(again["clock"]["submissions"], 2);

    // 登记: the registry's number; the row and the revision are sealed from now on.
    let bad_number =
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &json!({"registration_no": "登记"})).await;
    assert_eq!(bad_number.status(), Status::UnprocessableEntity);
    let future = json!({"registration_no": "62050320260001", "registered_at": "2099-01-01"});
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &future).await.status(),
        Status::UnprocessableEntity
    );
    let done = json_of(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &json!({"registration_no": "62050320260001"}))
            .await,
    )
    .await;
    assert_eq!(done["status"], "registered");
    assert_eq!(done["registration"]["registration_no"], "62050320260001");
    assert_eq!(done["registration"]["registered_on"], date_text(today));
    let mut late_edit = complete_contract(&p.buyer_org);
    late_edit["version"] = done["version"].clone();
    let refused = put_json(&p.seller, &format!("/api/v1/contracts/{id}"), &late_edit).await;
    assert_eq!(refused.status(), Status::Conflict);
    assert_eq!(json_of(refused).await["error"]["code"], "not_editable");
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/refuse"), &json!({"reason": "other"})).await.status(),
        Status::Conflict
    );

    // 变更登记: a new revision with its reason; the old one keeps its values.
    let mut changed = complete_contract(&p.buyer_org);
    changed["total"] = json!("150");
    changed["payment_terms"] = json!("签约后 10 日内支付 60%，验收后支付 40%");
    let amend = json!({"reason": "双方协议增加二期技术服务内容", "changes": changed});
    let no_reason = post_json(&p.admin, &format!("/api/v1/contracts/{id}/amend"), &json!({"changes": changed})).await;
    assert_eq!(no_reason.status(), Status::UnprocessableEntity);
    assert_eq!(
        post_json(&p.seller, &format!("/api/v1/contracts/{id}/amend"), &amend).await.status(),
        Status::Forbidden
    );
    let amended = json_of(post_json(&p.admin, &format!("/api/v1/contracts/{id}/amend"), &amend).await).await;
    assert_eq!(amended["revision_no"], 2);
    assert_eq!(amended["contract"]["amounts"]["total"]["fen"], 150_000_000);
    assert_eq!(amended["contract"]["amounts"]["technology"]["fen"], 130_000_000);
    let same = post_json(&p.admin, &format!("/api/v1/contracts/{id}/amend"), &amend).await;
    assert_eq!(same.status(), Status::UnprocessableEntity, "an amendment must change something");
    let revisions = get_json(&p.buyer, &format!("/api/v1/contracts/{id}/revisions")).await.1;
    let items = revisions["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["contract"]["amounts"]["total"]["fen"], 120_000_000, "the old value is kept");
    assert_eq!(items[0]["sealed"], true);
    assert_eq!(items[1]["reason"], "双方协议增加二期技术服务内容");
    let page = p.buyer.get(format!("/contracts/{id}")).dispatch().await.into_string().await.expect("html");
    assert!(
        page.contains("<td>合同成交额</td><td>¥1,200,000.00</td><td>¥1,500,000.00</td>"),
        "the change is shown in 元"
    );

    // Totals use the current revision of registered, not-cancelled contracts.
    let year = today.year();
    let summary = get_json(&app.client, &format!("/api/v1/contracts/summary?year={year}")).await.1;
    assert_eq!(summary["registered_count"], 1);
    assert_eq!(summary["total_fen"], 150_000_000);
    assert_eq!(summary["technology_fen"], 130_000_000);

    // 注销登记: an added record; the contract leaves every total.
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &json!({})).await.status(),
        Status::UnprocessableEntity
    );
    let cancelled = json_of(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &json!({"note": "双方协议解除合同"})).await,
    )
    .await;
    assert_eq!(cancelled["cancelled"], true);
    assert_eq!(cancelled["status_label"], "已注销");
    let summary = get_json(&app.client, &format!("/api/v1/contracts/summary?year={year}")).await.1;
    assert_eq!(summary["registered_count"], 0);
    assert_eq!(summary["total_fen"], 0);
    assert_eq!(post_json(&p.admin, &format!("/api/v1/contracts/{id}/amend"), &amend).await.status(), Status::Conflict);
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &json!({"note": "再次注销试试"})).await.status(),
        Status::Conflict
    );

    // Every step is in the contract's history and in the audit chain.
    let events = get_json(&p.seller, &format!("/api/v1/contracts/{id}/events")).await.1;
    let kinds: Vec<&str> =
        events["items"].as_array().expect("items").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "edited",
            "submitted",
            "correction_requested",
            "edited",
            "resubmitted",
            "registered",
            "amended",
            "cancelled"
        ]
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE subject_type = 'contract' AND subject_id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(audited, 9);
    assert!(techmarket::audit::verify(&app.db).await.expect("verify").first_broken.is_none());
}

async fn refusals_bad_input_and_the_thirty_day_clock(app: TestApp) {
    let p = parties(&app).await;
    // Bad input: Chinese messages per field, nothing saved.
    let bad = json!({"contract_type": "transfer", "subtype": "training", "title": "转让", "total": "12.345",
        "buyer_region": "62", "equipment": "-5", "expected_investment": "abc"});
    let response = post_json(&p.seller, "/api/v1/contracts", &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = json_of(response).await;
    for field in ["subtype", "title", "total", "buyer_region", "equipment", "expected_investment"] {
        assert!(has_chinese(body["error"]["fields"][field].as_str().unwrap_or_default()), "{field}: {body}");
    }
    let unknown = post_json(&p.seller, "/api/v1/contracts", &json!({"titel": "拼错的字段"})).await;
    assert_eq!(unknown.status(), Status::UnprocessableEntity);
    let too_much = json!({"contract_type": "service", "subtype": "consulting", "title": "数控机床技术咨询", "total": "100", "parts": "101"});
    let response = post_json(&p.seller, "/api/v1/contracts", &too_much).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(json_of(response).await["error"]["fields"]["total"].as_str().unwrap_or_default().contains("超过"));
    let count: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts").fetch_one(app.db.pool()).await.expect("n");
    assert_eq!(count, 0);

    // ¥5M of technology value: 30 working days.
    let mut big = complete_contract(&p.buyer_org);
    big["total"] = json!("500");
    big["equipment"] = json!("0");
    let id = created(&p, &big).await;
    let submitted = json_of(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await).await;
    assert_eq!(submitted["clock"]["review_days"], 30);
    let calendar = techmarket::calendar::load(&app.db).await.expect("calendar");
    assert_eq!(submitted["clock"]["due_on"], date_text(calendar.add_working_days(today_shanghai(), 30)));

    // Refusal needs one of the registries' reasons; "other" needs words.
    let uri = format!("/api/v1/contracts/{id}/refuse");
    assert_eq!(post_json(&p.admin, &uri, &json!({})).await.status(), Status::UnprocessableEntity);
    assert_eq!(post_json(&p.admin, &uri, &json!({"reason": "other"})).await.status(), Status::UnprocessableEntity);
    assert_eq!(post_json(&p.admin, &uri, &json!({"reason": "nonsense"})).await.status(), Status::UnprocessableEntity);
    let refused =
        json_of(post_json(&p.admin, &uri, &json!({"reason": "not_technology", "note": "标的为设备买卖"})).await).await;
    assert_eq!(refused["status"], "refused");
    assert_eq!(refused["refusal"]["reason_label"], "不属于技术合同（标的非技术内容）");
    for action in ["submit", "register", "request-correction", "cancel"] {
        let response = post_json(
            &p.admin,
            &format!("/api/v1/contracts/{id}/{action}"),
            &json!({"registration_no": "X-1", "note": "任意说明文字"}),
        )
        .await;
        assert!(matches!(response.status(), Status::Conflict | Status::Forbidden), "{action}: {}", response.status());
    }
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{id}/archive"), &json!({})).await.status(),
        Status::NotFound
    );

    // Registration numbers are unique.
    let first = registered(&p, &complete_contract(&p.buyer_org), "REG-0001").await;
    let second = created(&p, &complete_contract(&p.buyer_org)).await;
    assert_eq!(
        post_json(&p.seller, &format!("/api/v1/contracts/{second}/submit"), &json!({})).await.status(),
        Status::Ok
    );
    let taken =
        post_json(&p.admin, &format!("/api/v1/contracts/{second}/register"), &json!({"registration_no": "reg-0001"}))
            .await;
    assert_eq!(taken.status(), Status::Conflict);
    assert_eq!(json_of(taken).await["error"]["code"], "registration_no_taken");
    assert_ne!(first, second);
    // An administrator cannot submit on the seller's behalf.
    let third = created(&p, &complete_contract(&p.buyer_org)).await;
    assert_eq!(
        post_json(&p.admin, &format!("/api/v1/contracts/{third}/submit"), &json!({})).await.status(),
        Status::Forbidden
    );
}

async fn the_database_refuses_changes_to_registered_contracts(app: TestApp) {
    let p = parties(&app).await;
    let id = registered(&p, &complete_contract(&p.buyer_org), "62050320269999").await;
    let draft = created(&p, &complete_contract(&p.buyer_org)).await;
    let pool = app.db.pool();
    let attempts = [
        format!("UPDATE contracts SET registration_no = 'FORGED' WHERE id = '{id}'"),
        format!("UPDATE contracts SET status = 'draft' WHERE id = '{id}'"),
        format!("DELETE FROM contracts WHERE id = '{id}'"),
        format!("DELETE FROM contracts WHERE id = '{draft}'"),
        format!(
            "UPDATE contract_revisions SET total_fen = 1, technology_fen = 1, equipment_fen = 0 WHERE contract_id = '{id}'"
        ),
        format!("DELETE FROM contract_revisions WHERE contract_id = '{id}'"),
        format!("UPDATE contract_events SET note = 'x' WHERE contract_id = '{id}'"),
        format!("DELETE FROM contract_events WHERE contract_id = '{id}'"),
    ];
    for sql in &attempts {
        assert!(sqlx::query(sql).execute(pool).await.is_err(), "must be refused: {sql}");
    }
    let cancel = json!({"note": "双方协议解除合同"});
    assert_eq!(post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &cancel).await.status(), Status::Ok);
    for sql in [
        format!("DELETE FROM contract_cancellations WHERE contract_id = '{id}'"),
        format!("UPDATE contract_cancellations SET reason = 'x' WHERE contract_id = '{id}'"),
    ] {
        assert!(sqlx::query(&sql).execute(pool).await.is_err(), "must be refused: {sql}");
    }
    let (number, total): (String, i64) = sqlx::query_as(
        "SELECT c.registration_no, r.total_fen FROM contracts c JOIN contract_revisions r ON r.contract_id = c.id WHERE c.id = $1",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    .expect("row");
    assert_eq!((number.as_str(), total), ("62050320269999", 120_000_000));
    // A draft's revision is still the seller's to edit (the app does it; the database allows it).
    assert!(
        sqlx::query(&format!(
            "UPDATE contract_revisions SET title = '苹果分级专利权转让（修订）' WHERE contract_id = '{draft}'"
        ))
        .execute(pool)
        .await
        .is_ok()
    );
}

async fn duplicate_creates_make_one_contract(app: TestApp) {
    let p = parties(&app).await;
    let body = complete_contract(&p.buyer_org).to_string();
    let token = csrf_of(&p.seller).await;
    let request = |key: &str| {
        p.seller
            .post("/api/v1/contracts")
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", token.clone()))
            .header(Header::new("Idempotency-Key", key.to_string()))
            .body(body.clone())
    };
    // Two parallel requests with one key: one contract, both answers name it.
    let (a, b) = rocket::tokio::join!(request("c-1").dispatch(), request("c-1").dispatch());
    assert_eq!((a.status(), b.status()), (Status::Created, Status::Created));
    let replays = [a.headers().get_one("Idempotent-Replayed"), b.headers().get_one("Idempotent-Replayed")];
    assert!(replays.contains(&Some("true")) && replays.contains(&Some("false")), "{replays:?}");
    let (a, b) = (json_of(a).await, json_of(b).await);
    assert_eq!(a["id"], b["id"]);
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts")
            .fetch_one(app.db.pool())
            .await
            .expect("n")
    };
    assert_eq!(count().await, 1);
    // A later replay answers the same; the same key with another body is refused.
    let replay = request("c-1").dispatch().await;
    assert_eq!(json_of(replay).await["id"], a["id"]);
    let mut other = complete_contract(&p.buyer_org);
    other["total"] = json!("99");
    let mismatch = p
        .seller
        .post("/api/v1/contracts")
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token.clone()))
        .header(Header::new("Idempotency-Key", "c-1"))
        .body(other.to_string())
        .dispatch()
        .await;
    assert_eq!(mismatch.status(), Status::UnprocessableEntity);
    assert_eq!(json_of(mismatch).await["error"]["code"], "idempotency_key_reused");
    let bad_key = request("含有 空格").dispatch().await;
    assert_eq!(bad_key.status(), Status::BadRequest);
    assert_eq!(count().await, 1);

    // The form's one-time token: a double submit (in parallel) makes one contract.
    let html = p.seller.get("/contracts/new").dispatch().await.into_string().await.expect("form");
    let start = html.find("name=\"form_token\" value=\"").expect("token field") + "name=\"form_token\" value=\"".len();
    let form_token = &html[start..start + html[start..].find('"').expect("end")];
    let form = format!(
        "_csrf={token}&form_token={form_token}&contract_type=development&subtype=commissioned_development&title={}&total=80000",
        encode("数控系统委托开发")
    );
    let submit = || p.seller.post("/contracts").header(ContentType::Form).body(form.clone()).dispatch();
    let (first, second) = rocket::tokio::join!(submit(), submit());
    assert_eq!((first.status(), second.status()), (Status::SeeOther, Status::SeeOther));
    let (l1, l2) = (
        first.headers().get_one("Location").map(str::to_string),
        second.headers().get_one("Location").map(str::to_string),
    );
    assert_eq!(l1, l2, "both submits land on the one contract");
    assert_eq!(count().await, 2);
    let third = submit().await;
    assert_eq!(third.headers().get_one("Location").map(str::to_string), l1);
    let forged = format!(
        "_csrf={token}&form_token=forged&contract_type=development&subtype=commissioned_development&title={}",
        encode("数控系统委托开发")
    );
    let response = p.seller.post("/contracts").header(ContentType::Form).body(forged).dispatch().await;
    assert_eq!(response.status(), Status::Conflict);
    assert_eq!(count().await, 2);
}

async fn months_and_years_are_counted_in_shanghai_time(app: TestApp) {
    let p = parties(&app).await;
    // Accepted in December 2025 (set-up shortcut: the clock is not what this test is about).
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = created(&p, &complete_contract(&p.buyer_org)).await;
        assert_eq!(
            post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(),
            Status::Ok
        );
        sqlx::query("UPDATE contracts SET accepted_on = '2025-12-01' WHERE id = $1")
            .bind(&id)
            .execute(app.db.pool())
            .await
            .expect("backdate");
        ids.push(id);
    }
    // 23:59:59 on 31 December in Beijing; 00:30 on 1 January in Beijing (still 2025 in UTC); noon on 2 January.
    let times = ["2025-12-31T15:59:59Z", "2025-12-31T16:30:00Z", "2026-01-02"];
    for (n, (id, at)) in ids.iter().zip(times).enumerate() {
        let body = json!({"registration_no": format!("NY-{n}"), "registered_at": at});
        let response = post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &body).await;
        assert_eq!(response.status(), Status::Ok, "{at}");
    }
    let y2025 = get_json(&app.client, "/api/v1/contracts/summary?year=2025").await.1;
    assert_eq!(y2025["registered_count"], 1);
    assert_eq!(y2025["months"][0]["month"], "2025-12");
    let y2026 = get_json(&app.client, "/api/v1/contracts/summary?year=2026").await.1;
    assert_eq!(y2026["registered_count"], 2);
    assert_eq!(y2026["months"][0]["month"], "2026-01");
    assert_eq!(y2026["months"][0]["count"], 2);
    assert_eq!(y2026["total_fen"], 240_000_000);
    let on: String = sqlx::query_scalar("SELECT registered_on FROM contracts WHERE id = $1")
        .bind(&ids[1])
        .fetch_one(app.db.pool())
        .await
        .expect("on");
    assert_eq!(on, "2026-01-01");
    assert_eq!(get_json(&app.client, "/api/v1/contracts/summary?year=99999").await.0, Status::BadRequest);
}

async fn revenue_share_is_checked_and_payments_recorded(app: TestApp) {
    let p = parties(&app).await;
    let mut body = complete_contract(&p.buyer_org);
    body["amount_unit"] = json!("yuan");
    body["total"] = json!("1,000,000");
    body["equipment"] = json!("0");
    body["institution_achievement"] = json!(true);
    body["team_self_transfer"] = json!(true);
    body["net_income"] = json!("800000");
    body["team_share"] = json!("440000");
    let id = created(&p, &body).await;
    let (_, contract) = get_json(&p.seller, &format!("/api/v1/contracts/{id}")).await;
    assert_eq!(contract["contract"]["share_check"]["percent_text"], "55.00%");
    // Gansu's 60 % binds; the plan's 90 % is advice for a 科研院所's own team only.
    assert_eq!(contract["contract"]["share_check"]["applicable"]["percent"], 60);
    let codes: Vec<&str> =
        contract["precheck"].as_array().expect("items").iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["share_below_minimum"]);
    // A warning does not block submission; it comes back with the answer.
    let submitted = json_of(post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await).await;
    assert_eq!(submitted["warnings"][0]["code"], "share_below_minimum");
    let uri = format!("/api/v1/contracts/{id}/share-payments");
    // Payments are recorded on registered contracts only.
    let early = json!({"paid_on": date_text(today_shanghai()), "amount": "1000"});
    assert_eq!(post_json(&p.seller, &uri, &early).await.status(), Status::Conflict);
    let register = json!({"registration_no": "62050320269001"});
    assert_eq!(post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &register).await.status(), Status::Ok);
    assert_eq!(
        post_json(&p.seller, &uri, &json!({"paid_on": "2026-01-05", "amount": "0"})).await.status(),
        Status::UnprocessableEntity
    );
    assert_eq!(
        post_json(&p.buyer, &uri, &json!({"paid_on": "2026-01-05", "amount": "1000"})).await.status(),
        Status::Forbidden
    );
    let paid = post_json(
        &p.seller,
        &uri,
        &json!({"paid_on": date_text(today_shanghai()), "amount": "240000.50", "note": "第一期"}),
    )
    .await;
    assert_eq!(paid.status(), Status::Created);
    assert_eq!(json_of(paid).await["items"][0]["amount_fen"], 24_000_050);
    // Never beyond what is owed: 440,000 − 240,000.50 = 199,999.50 left.
    let too_much = json!({"paid_on": date_text(today_shanghai()), "amount": "199999.51"});
    let refused = post_json(&p.seller, &uri, &too_much).await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    assert!(json_of(refused).await["error"]["fields"]["amount"].as_str().expect("message").contains("尚余"));
    let rest = json!({"paid_on": date_text(today_shanghai()), "amount": "199999.50"});
    assert_eq!(post_json(&p.seller, &uri, &rest).await.status(), Status::Created);
    // A contract without an institution's achievement has no share to pay.
    let plain = created(&p, &complete_contract(&p.buyer_org)).await;
    let none = post_json(
        &p.seller,
        &format!("/api/v1/contracts/{plain}/share-payments"),
        &json!({"paid_on": "2026-01-05", "amount": "1"}),
    )
    .await;
    assert_eq!(none.status(), Status::Conflict);
}

async fn credit_code_overrides_are_for_administrators_and_audited(app: TestApp) {
    let p = parties(&app).await;
    let body_17 = "91620503MA7123456";
    let good = techmarket::domain::validators::complete_credit_code(body_17).expect("code");
    let wrong = format!("{body_17}{}", if good.ends_with('0') { '1' } else { '0' });
    let mut body = complete_contract(&p.buyer_org);
    body["buyer_organisation_id"] = Value::Null;
    body["buyer_name"] = json!("天水某果业合作社");
    body["buyer_nature"] = json!("association");
    body["buyer_region"] = json!("620503");
    body["buyer_credit_code"] = json!(wrong);
    let plain = post_json(&p.seller, "/api/v1/contracts", &body).await;
    assert_eq!(plain.status(), Status::UnprocessableEntity);
    assert!(
        json_of(plain).await["error"]["fields"]["buyer_credit_code"].as_str().unwrap_or_default().contains("校验位")
    );
    body["buyer_credit_override"] = json!(true);
    assert_eq!(post_json(&p.seller, "/api/v1/contracts", &body).await.status(), Status::UnprocessableEntity);
    // The administrator drafts it for the seller's organisation, confirming the code.
    let seller_org: String = sqlx::query_scalar("SELECT seller_organisation_id FROM contracts LIMIT 1")
        .fetch_optional(app.db.pool())
        .await
        .expect("query")
        .unwrap_or_default();
    assert!(seller_org.is_empty(), "nothing was saved so far");
    body["seller_organisation_id"] = json!(p.buyer_org.clone());
    body["buyer_organisation_id"] = Value::Null;
    let response = post_json(&p.admin, "/api/v1/contracts", &body).await;
    assert_eq!(response.status(), Status::Created);
    let created = json_of(response).await;
    assert_eq!(created["contract"]["buyer"]["credit_override"], true);
    let id = created["id"].as_str().expect("id");
    let audited: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'contract.credit_code_overridden' AND subject_id = $1",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(audited, 1);
}

async fn pages_print_and_export(app: TestApp) {
    let p = parties(&app).await;
    let id = registered(&p, &complete_contract(&p.buyer_org), "62050320260077").await;
    let overdue = created(&p, &complete_contract(&p.buyer_org)).await;
    assert_eq!(
        post_json(&p.seller, &format!("/api/v1/contracts/{overdue}/submit"), &json!({})).await.status(),
        Status::Ok
    );
    sqlx::query("UPDATE contracts SET accepted_on = '2026-01-05', due_on = '2026-01-26' WHERE id = $1")
        .bind(&overdue)
        .execute(app.db.pool())
        .await
        .expect("backdate");

    // The public sees figures, never titles.
    let public = app.client.get("/contracts").dispatch().await.into_string().await.expect("html");
    assert!(public.contains("合同成交额") && !public.contains("苹果近红外无损分级专利权转让"), "{public}");
    let anonymous = app.client.get(format!("/contracts/{id}")).dispatch().await;
    assert_eq!(anonymous.status(), Status::SeeOther);

    // Administrators see the overdue flag and can export.
    let list = p.admin.get("/contracts").dispatch().await.into_string().await.expect("html");
    assert!(list.contains("已超过办结期限") && list.contains("逾期"), "overdue flagged");
    let only_overdue = get_json(&p.admin, "/api/v1/contracts?overdue=true").await.1;
    assert_eq!(only_overdue["total"], 1);
    let csv = p.admin.get("/contracts/export.csv").dispatch().await;
    assert_eq!(csv.status(), Status::Ok);
    assert_eq!(csv.content_type(), Some(ContentType::CSV));
    let text = csv.into_string().await.expect("csv");
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.contains("合同成交额（元）") && text.contains("62050320260077") && text.contains(",1200000,1000000,"),
        "{text}"
    );
    assert_eq!(p.seller.get("/contracts/export.csv").dispatch().await.status(), Status::Forbidden);

    // The contract page, the print summary, the forms.
    for client in [&p.seller, &p.buyer, &p.admin] {
        let page = client.get(format!("/contracts/{id}")).dispatch().await;
        assert_eq!(page.status(), Status::Ok);
        let html = page.into_string().await.expect("html");
        assert!(html.contains("62050320260077") && html.contains("¥1,000,000.00"));
    }
    assert_eq!(p.outsider.get(format!("/contracts/{id}")).dispatch().await.status(), Status::NotFound);
    let print = p.buyer.get(format!("/contracts/{id}/print")).dispatch().await.into_string().await.expect("html");
    assert!(print.contains("技术合同认定登记摘要") && print.contains("技术交易额") && print.contains("print.css"));
    // The print button works under the site's CSP: a static script, no inline handler.
    assert!(print.contains("/static/js/print.js") && print.contains("data-print") && !print.contains("onclick"));
    assert_eq!(app.client.get("/static/js/print.js").dispatch().await.status(), Status::Ok);
    assert_eq!(p.admin.get(format!("/contracts/{id}/amend")).dispatch().await.status(), Status::Ok);
    assert_eq!(p.seller.get(format!("/contracts/{id}/edit")).dispatch().await.status(), Status::Forbidden);
    let new_form = p.seller.get("/contracts/new").dispatch().await.into_string().await.expect("html");
    assert!(new_form.contains("合同子类") && new_form.contains("技术培训") && new_form.contains("技术中介"));

    // A page form with mistakes comes back with messages and keeps what was typed.
    let token = csrf_of(&p.seller).await;
    let html = p.seller.get("/contracts/new").dispatch().await.into_string().await.expect("form");
    let start = html.find("name=\"form_token\" value=\"").expect("token") + "name=\"form_token\" value=\"".len();
    let form_token = &html[start..start + html[start..].find('"').expect("end")];
    let form = format!(
        "_csrf={token}&form_token={form_token}&contract_type=consulting&subtype=training&title={}&total=abc",
        encode("农机技术咨询")
    );
    let response = p.seller.post("/contracts").header(ContentType::Form).body(form).dispatch().await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.expect("html");
    assert!(html.contains("农机技术咨询") && html.contains("不属于技术咨询"), "kept and explained");

    // Admin registry actions through the page forms.
    let third = created(&p, &complete_contract(&p.buyer_org)).await;
    assert_eq!(post_form(&p.seller, &format!("/contracts/{third}/submit"), "").await.status(), Status::SeeOther);
    let missing = post_form(&p.admin, &format!("/contracts/{third}/register"), "registration_no=").await;
    assert_eq!(missing.status(), Status::SeeOther);
    let status = get_json(&p.admin, &format!("/api/v1/contracts/{third}")).await.1["status"].clone();
    assert_eq!(status, "submitted");
    assert_eq!(
        post_form(&p.admin, &format!("/contracts/{third}/register"), "registration_no=PG-1&registered_at=")
            .await
            .status(),
        Status::SeeOther
    );
    let amend = format!(
        "amend_reason={}&contract_type=transfer&subtype=patent_transfer&title={}&total=1300000&signed_by_parties=true&written=true",
        encode("价款调整为一百三十万元"),
        encode("苹果近红外无损分级专利权转让")
    );
    let response = post_form(&p.admin, &format!("/contracts/{third}/amend"), &amend).await;
    assert_eq!(response.status(), Status::UnprocessableEntity, "the amended text must still pass the pre-check");
}

on_both_databases!(
    from_draft_to_registration_amendment_and_cancellation,
    refusals_bad_input_and_the_thirty_day_clock,
    the_database_refuses_changes_to_registered_contracts,
    duplicate_creates_make_one_contract,
    months_and_years_are_counted_in_shanghai_time,
    revenue_share_is_checked_and_payments_recorded,
    credit_code_overrides_are_for_administrators_and_audited,
    pages_print_and_export,
);
