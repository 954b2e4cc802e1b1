//! 对接项目 through HTTP: a lead claimed once, parties invited and answering, the stage machine
//! (every refused step refused with its code and nothing saved), private notes kept from the
//! parties, outsiders not learning a deal exists, the contract drafted from a deal and its
//! registration moving the deal, reassignment, and the broker's workspace.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::achievements::{post_json, published_listing};
use crate::contracts::{complete_contract, org_of};
use crate::demands::published_demand;
use crate::on_both_databases;
use crate::support::TestApp;

pub async fn get_json(client: &Client, uri: &str) -> (Status, Value) {
    let response = client.get(uri.to_string()).dispatch().await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

pub async fn page(client: &Client, uri: &str) -> (Status, String) {
    let response = client.get(uri.to_string()).dispatch().await;
    (response.status(), response.into_string().await.unwrap_or_default())
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.expect("count")
}

/// Everyone a deal involves, signed in.
pub struct Cast {
    pub admin: Client,
    pub admin_person: Person,
    pub researcher: Client,
    pub researcher_person: Person,
    pub enterprise: Client,
    pub enterprise_person: Person,
    pub broker: Client,
    pub broker_person: Person,
    pub rival: Client,
    pub rival_person: Person,
    pub outsider: Client,
    pub seller_org: String,
    pub buyer_org: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let admin_person = create_admin(app).await;
    let (admin, researcher, enterprise) =
        (app.another_client().await, app.another_client().await, app.another_client().await);
    let (broker, rival, outsider) =
        (app.another_client().await, app.another_client().await, app.another_client().await);
    signed_in(&admin, &admin_person).await;
    let researcher_person = active(app, &admin_person, Role::Researcher).await;
    let enterprise_person = active(app, &admin_person, Role::Enterprise).await;
    let broker_person = active(app, &admin_person, Role::Broker).await;
    let rival_person = active(app, &admin_person, Role::Broker).await;
    signed_in(&researcher, &researcher_person).await;
    signed_in(&enterprise, &enterprise_person).await;
    signed_in(&broker, &broker_person).await;
    signed_in(&rival, &rival_person).await;
    signed_in(&outsider, &active(app, &admin_person, Role::Researcher).await).await;
    let seller_org = org_of(app, &researcher_person).await;
    let buyer_org = org_of(app, &enterprise_person).await;
    Cast {
        admin,
        admin_person,
        researcher,
        researcher_person,
        enterprise,
        enterprise_person,
        broker,
        broker_person,
        rival,
        rival_person,
        outsider,
        seller_org,
        buyer_org,
    }
}

pub async fn step(client: &Client, deal: &str, action: &str, body: Value) -> (Status, Value) {
    let response = post_json(client, &format!("/api/v1/deals/{deal}/{action}"), &body).await;
    let status = response.status();
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null))
}

async fn a_broker_carries_a_lead_to_a_registered_contract(app: TestApp) {
    let c = cast(&app).await;
    let achievement = published_listing(&c.researcher, &c.admin).await;
    // The enterprise asks to be put in touch: a lead for brokers, the owner still sees the request.
    let sent = post_form(
        &c.enterprise,
        &format!("/achievements/{achievement}/contact"),
        "message=%E6%83%B3%E8%AF%95%E7%94%A8",
    )
    .await;
    assert_eq!(sent.status(), Status::SeeOther);
    let (status, workspace) = page(&c.broker, "/broker").await;
    assert_eq!(status, Status::Ok);
    assert!(workspace.contains("待认领的线索") && workspace.contains("发起对接"), "{workspace}");
    let (_, leads) = get_json(&c.broker, "/api/v1/leads").await;
    let lead = leads["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|l| l["listing_id"] == achievement.as_str())
        .expect("lead")
        .clone();
    assert_eq!(lead["source"], "contact");
    let lead_id = lead["id"].as_str().expect("id").to_string();
    // Researchers and enterprises have no lead queue.
    assert_eq!(get_json(&c.researcher, "/api/v1/leads").await.0, Status::Forbidden);

    // Two brokers claim at once: one deal, the other is told it is taken.
    let claim = format!("/api/v1/leads/contact/{lead_id}/claim");
    let empty = json!({});
    let (first, second) = futures::join!(post_json(&c.broker, &claim, &empty), post_json(&c.rival, &claim, &empty));
    let mut statuses = [first.status().code, second.status().code];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let loser = if first.status() == Status::Created { second } else { first };
    assert!(loser.into_string().await.unwrap_or_default().contains("lead_taken"));
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deals").await, 1);
    let deal: String = sqlx::query_scalar("SELECT id FROM deals").fetch_one(app.db.pool()).await.expect("deal");
    let claimer: String =
        sqlx::query_scalar("SELECT broker_user_id FROM deals").fetch_one(app.db.pool()).await.expect("broker");
    // Whoever won runs the deal; the test continues with them.
    let (broker, other_broker) =
        if claimer == c.broker_person.id { (&c.broker, &c.rival) } else { (&c.rival, &c.broker) };
    let _ = &c.rival_person;
    let (_, opened) = get_json(broker, &format!("/api/v1/deals/{deal}")).await;
    assert_eq!(opened["stage"], "lead");
    assert_eq!(opened["seller_organisation_id"], c.seller_org.as_str());
    assert_eq!(opened["buyer_organisation_id"], c.buyer_org.as_str());
    assert_eq!(opened["achievements"][0]["id"], achievement.as_str());
    assert_eq!(opened["rights"]["role"], "broker");
    // The claimed lead leaves the queue.
    let (_, leads) = get_json(&c.broker, "/api/v1/leads").await;
    assert!(leads["items"].as_array().expect("items").iter().all(|l| l["id"] != lead_id.as_str()));

    // Invited parties see the deal and answer; outsiders and the other broker do not learn it exists.
    let (_, invited) = get_json(&c.researcher, &format!("/api/v1/deals/{deal}")).await;
    assert_eq!(invited["rights"]["answers_invitation"], true);
    let early_note = post_json(&c.researcher, &format!("/api/v1/deals/{deal}/notes"), &json!({"body": "你好"})).await;
    assert_eq!(early_note.status(), Status::Forbidden);
    let accepted = post_form(&c.researcher, &format!("/deals/{deal}/answer"), "decision=accept").await;
    assert_eq!(accepted.status(), Status::SeeOther);
    assert_eq!(step(&c.enterprise, &deal, "accept", json!({})).await.0, Status::Ok);
    assert_eq!(step(&c.enterprise, &deal, "accept", json!({})).await.0, Status::Conflict);
    for stranger in [&c.outsider, other_broker] {
        assert_eq!(get_json(stranger, &format!("/api/v1/deals/{deal}")).await.0, Status::NotFound);
        assert_eq!(page(stranger, &format!("/deals/{deal}")).await.0, Status::NotFound);
        let (_, list) = get_json(stranger, "/api/v1/deals").await;
        assert_eq!(list["total"], 0);
    }

    // Steps: only the broker steers; a contract cannot name a deal before it is agreed.
    let (refused, body) = step(&c.enterprise, &deal, "contact", json!({})).await;
    assert_eq!((refused, body["error"]["code"].as_str()), (Status::Forbidden, Some("not_deal_broker")));
    assert_eq!(step(broker, &deal, "contact", json!({"note": "已电话联系双方"})).await.0, Status::Ok);
    assert_eq!(step(broker, &deal, "negotiate", json!({})).await.0, Status::Ok);
    let mut early = complete_contract(&c.buyer_org);
    early["seller_organisation_id"] = json!(c.seller_org);
    early["deal_id"] = json!(deal);
    let response = post_json(broker, "/api/v1/contracts", &early).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.into_string().await.unwrap_or_default().contains("达成意向后"));

    // Notes: private ones stay with the broker's agency and the administrators.
    let private = "内部：买方预算上限约一百五十万";
    let shared = "双方约定下周二到分选线现场查看";
    for (text, visibility) in [(private, "private"), (shared, "shared")] {
        let response =
            post_json(broker, &format!("/api/v1/deals/{deal}/notes"), &json!({"body": text, "visibility": visibility}))
                .await;
        assert_eq!(response.status(), Status::Created);
    }
    let party_tries_private = post_json(
        &c.enterprise,
        &format!("/api/v1/deals/{deal}/notes"),
        &json!({"body": "x", "visibility": "private"}),
    )
    .await;
    assert_eq!(party_tries_private.status(), Status::UnprocessableEntity);
    for (viewer, sees_private) in [(broker, true), (&c.admin, true), (&c.researcher, false), (&c.enterprise, false)] {
        let (_, json) = get_json(viewer, &format!("/api/v1/deals/{deal}")).await;
        let text = json["timeline"].to_string();
        assert!(text.contains(shared));
        assert_eq!(text.contains(private), sees_private, "api: {json}");
        let (_, html) = page(viewer, &format!("/deals/{deal}")).await;
        assert!(html.contains(shared));
        assert_eq!(html.contains(private), sees_private);
    }

    // Agreed with an amount: the contract form comes filled in from the deal.
    let (status, agreed) = step(broker, &deal, "agree", json!({"amount_wan": "120"})).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(agreed["agreed_amount_fen"], 120_000_000);
    assert_eq!(agreed["rights"]["drafts_contract"], true);
    let (status, form) = page(broker, &format!("/contracts/new?deal={deal}")).await;
    assert_eq!(status, Status::Ok);
    assert!(form.contains(&format!("name=\"deal_id\" value=\"{deal}\"")) && form.contains("本合同据对接项目起草"));
    assert!(form.contains(&format!("<option value=\"{}\" selected>", c.seller_org)));
    assert!(form.contains(&format!("<option value=\"{}\" selected>", c.buyer_org)));
    assert!(form.contains("value=\"120\""), "the agreed amount in 万元");
    assert_eq!(page(&c.outsider, &format!("/contracts/new?deal={deal}")).await.0, Status::NotFound);

    // The contract names the deal; registering it moves the deal to 已签约登记.
    let response = post_json(broker, "/api/v1/contracts", &early).await;
    assert_eq!(response.status(), Status::Created);
    let contract = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(
        post_json(broker, &format!("/api/v1/contracts/{contract}/submit"), &json!({})).await.status(),
        Status::Ok
    );
    let (_, before) = get_json(broker, &format!("/api/v1/deals/{deal}")).await;
    assert_eq!(before["stage"], "agreed");
    let register = post_json(
        &c.admin,
        &format!("/api/v1/contracts/{contract}/register"),
        &json!({"registration_no": "62050320260001"}),
    )
    .await;
    assert_eq!(register.status(), Status::Ok);
    let (_, after) = get_json(broker, &format!("/api/v1/deals/{deal}")).await;
    assert_eq!(after["stage"], "contracted");
    assert!(after["timeline"].to_string().contains("62050320260001"));
    assert!(after["rights"]["steps"].as_array().expect("steps").is_empty(), "contracted is final");
    let (_, contract_json) = get_json(broker, &format!("/api/v1/contracts/{contract}")).await;
    assert_eq!(contract_json["deal_id"], deal.as_str());

    // Attribution: the contract records its channel (the deal went through 联席预谈判) and agency,
    // and the goal dashboard's contract links filter by them.
    let (_, by_channel) = get_json(&c.admin, "/api/v1/contracts?channel=negotiation").await;
    assert_eq!(by_channel["total"], 1, "{by_channel}");
    let (_, direct) = get_json(&c.admin, "/api/v1/contracts?channel=direct").await;
    assert_eq!(direct["total"], 0);
    let agency = opened["agency_organisation_id"].as_str().expect("agency").to_string();
    let (_, by_agency) = get_json(&c.admin, &format!("/api/v1/contracts?agency={agency}")).await;
    assert_eq!(by_agency["total"], 1);
    assert_eq!(
        techmarket::contracts::totals::stored(&app.db).await.expect("totals"),
        techmarket::contracts::totals::recomputed(&app.db).await.expect("recomputed"),
        "the channel and agency totals equal a recomputation"
    );
    let year = techmarket::domain::time::today_shanghai().year();
    let (status, goal) = page(&c.admin, &format!("/stats/goal?year={year}")).await;
    assert_eq!(status, Status::Ok);
    assert!(goal.contains("按成交渠道") && goal.contains("对接漏斗"), "the dashboard shows channel and funnel");
    let funnel = techmarket::stats::funnel::year(&app.db, year).await.expect("funnel");
    assert_eq!((funnel[0].deals, funnel[0].agreed, funnel[0].contracted), (1, 1, 1));
    assert!(funnel[0].leads.is_some_and(|l| l >= 1));
    assert_eq!(funnel[1].broker_user_id.as_deref(), Some(claimer.as_str()));

    // The broker's figures count the deal and the registered value.
    let (_, workspace) = page(broker, "/broker").await;
    assert!(workspace.contains("120万元"), "registered value on the workspace");
    let (_, admin_workspace) = page(&c.admin, "/broker").await;
    assert!(admin_workspace.contains("各经纪人数字"));
    let _ = &c.admin_person;
}

async fn every_step_is_checked_against_the_stage_and_the_role(app: TestApp) {
    let c = cast(&app).await;
    let demand = published_demand(&c.enterprise, &c.admin).await;
    let response =
        post_json(&c.broker, "/api/v1/deals", &json!({"title": "铸件缺陷检测对接", "demand_id": demand})).await;
    assert_eq!(response.status(), Status::Created);
    let opened = response.into_json::<Value>().await.expect("json");
    let deal = opened["id"].as_str().expect("id").to_string();
    assert_eq!(opened["buyer_organisation_id"], c.buyer_org.as_str(), "the demand's owner is the buyer");
    let events = || count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deal_events");
    let before = events().await;

    // From the lead stage only 已联系 and 关闭 exist.
    for action in ["negotiate", "agree", "reopen"] {
        let (status, body) = step(&c.broker, &deal, action, json!({"note": "x"})).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (Status::Conflict, Some("invalid_transition")),
            "{action}"
        );
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("线索"));
    }
    assert_eq!(step(&c.broker, &deal, "contracted", json!({})).await.0, Status::NotFound, "contracted is not a step");
    // Closing needs a reason from the list, and words for "other".
    let (status, body) = step(&c.broker, &deal, "lose", json!({})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["reason"].as_str().unwrap_or_default().contains("关闭原因"));
    let (status, body) = step(&c.broker, &deal, "lose", json!({"reason": "other"})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["note"].is_string());
    let (status, _) = step(&c.broker, &deal, "lose", json!({"reason": "weather"})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    // A stale version is refused.
    let (status, body) = step(&c.broker, &deal, "contact", json!({"version": 99})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (Status::Conflict, Some("edit_conflict")));
    assert_eq!(events().await, before, "refused steps save nothing");

    assert_eq!(step(&c.broker, &deal, "contact", json!({})).await.0, Status::Ok);
    assert_eq!(step(&c.broker, &deal, "negotiate", json!({})).await.0, Status::Ok);
    let (status, lost) = step(&c.broker, &deal, "lose", json!({"reason": "price"})).await;
    assert_eq!(status, Status::Ok);
    assert_eq!((lost["stage"].as_str(), lost["lost_reason_label"].as_str()), (Some("lost"), Some("价格未谈拢")));
    assert_eq!(step(&c.broker, &deal, "lose", json!({"reason": "price"})).await.0, Status::Conflict);
    let (status, body) = step(&c.broker, &deal, "reopen", json!({})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["note"].as_str().unwrap_or_default().contains("重新打开"));
    let (status, reopened) = step(&c.broker, &deal, "reopen", json!({"note": "买方追加了预算"})).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(reopened["stage"], "negotiating", "back where it was closed");
    // The same refusals through the page: the form comes back with the message beside the field.
    let response = post_form(&c.broker, &format!("/deals/{deal}/steps/lose"), "reason=").await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.into_string().await.unwrap_or_default().contains("请选择关闭原因"));
    let response = post_form(&c.broker, &format!("/deals/{deal}/steps/agree"), "amount_wan=abc").await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = post_form(&c.broker, &format!("/deals/{deal}/steps/contact"), "").await;
    assert_eq!(response.status(), Status::SeeOther, "a refused step through the page comes back with a notice");
    let (_, json) = get_json(&c.broker, &format!("/api/v1/deals/{deal}")).await;
    assert_eq!(json["stage"], "negotiating");

    // The timeline records every step in order, each with its time and actor.
    let stages: Vec<&str> =
        json["timeline"].as_array().expect("timeline").iter().filter_map(|e| e["to_stage"].as_str()).collect();
    assert_eq!(stages, ["lead", "contacted", "negotiating", "lost", "negotiating"]);
    let audited = count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE subject_type = 'deal'").await;
    assert_eq!(audited, 5, "opened, contact, negotiate, lose, reopen");

    // An administrator hands the deal to the other broker, who now steers it; the first no longer sees it.
    let bad = post_form(&c.admin, &format!("/deals/{deal}/reassign"), "broker_user_id=nobody").await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let moved =
        post_form(&c.admin, &format!("/deals/{deal}/reassign"), &format!("broker_user_id={}", c.rival_person.id)).await;
    assert_eq!(moved.status(), Status::SeeOther);
    assert_eq!(step(&c.rival, &deal, "agree", json!({})).await.0, Status::Ok);
    assert_eq!(get_json(&c.broker, &format!("/api/v1/deals/{deal}")).await.0, Status::NotFound);
    let by_broker =
        post_form(&c.broker, &format!("/deals/{deal}/reassign"), &format!("broker_user_id={}", c.broker_person.id))
            .await;
    assert_eq!(by_broker.status(), Status::Forbidden, "only administrators reassign");
}

async fn bad_deals_are_refused_in_chinese_and_save_nothing(app: TestApp) {
    let c = cast(&app).await;
    let achievement = published_listing(&c.researcher, &c.admin).await;
    let many: Vec<String> = (0..11).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let cases = [
        (json!({"title": ""}), "title"),
        (json!({"title": "对接", "demand_id": "no-such-demand"}), "demand_id"),
        (json!({"title": "对接", "achievement_ids": many}), "achievement_ids"),
        (json!({"title": "对接"}), "demand_id"),
        (
            json!({"title": "对接", "buyer_organisation_id": c.seller_org, "achievement_ids": [achievement]}),
            "seller_organisation_id",
        ),
        (
            json!({"title": "对接", "achievement_ids": [achievement], "buyer_organisation_id": "nope"}),
            "buyer_organisation_id",
        ),
        (json!({"title": "x".repeat(101), "achievement_ids": [achievement]}), "title"),
    ];
    for (body, field) in cases {
        let response = post_json(&c.broker, "/api/v1/deals", &body).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{body}");
        let answer = response.into_json::<Value>().await.expect("json");
        let message = answer["error"]["fields"][field].as_str().unwrap_or_default().to_string();
        assert!(crate::support::has_chinese(&message), "{body}: {answer}");
    }
    // Control characters are refused before anything reads the body.
    let nul = post_json(
        &c.broker,
        "/api/v1/deals",
        &json!({"title": "含\u{0000}控制字符", "achievement_ids": [achievement]}),
    )
    .await;
    assert_eq!(nul.status(), Status::BadRequest);
    assert!(nul.into_string().await.unwrap_or_default().contains("control_character"));
    let blanks =
        post_json(&c.broker, "/api/v1/deals", &json!({"title": "对接项目", "achievement_ids": vec![""; 11]})).await;
    assert_eq!(blanks.status(), Status::UnprocessableEntity, "more than 10 items, even blank ones");
    let unknown = post_json(&c.broker, "/api/v1/deals", &json!({"title": "对接", "colour": "red"})).await;
    assert_eq!(unknown.status().code / 100, 4);
    for (client, code) in [(&c.researcher, "cannot_open_deal"), (&c.enterprise, "cannot_open_deal")] {
        let response =
            post_json(client, "/api/v1/deals", &json!({"title": "对接项目", "achievement_ids": [achievement]})).await;
        assert_eq!(response.status(), Status::Forbidden);
        assert!(response.into_string().await.unwrap_or_default().contains(code));
    }
    // The page form keeps what was typed and says what is wrong beside each field.
    let response = post_form(&c.broker, "/deals", "title=%E5%AF%B9&summary=keep-me").await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap_or_default();
    assert!(html.contains("项目名称至少需要 2 个字") && html.contains("keep-me"));
    assert_eq!(page(&c.researcher, "/deals/new").await.0, Status::Forbidden);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deals").await, 0);
    assert_eq!(get_json(&c.broker, "/api/v1/deals?stage=nonsense").await.0, Status::BadRequest);
    assert_eq!(get_json(&c.broker, "/api/v1/deals/not-a-deal").await.0, Status::NotFound);
    // An administrator opens one for a named broker from the form.
    let form = format!(
        "title={}&achievement_ids={achievement}&broker_user_id={}",
        encode("近红外分级对接"),
        c.broker_person.id
    );
    let response = post_form(&c.admin, "/deals", &form).await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, list) = get_json(&c.broker, "/api/v1/deals").await;
    assert_eq!(list["items"][0]["broker_user_id"], c.broker_person.id.as_str());
    assert_eq!(list["items"][0]["seller_organisation_id"], c.seller_org.as_str());
}

on_both_databases!(
    a_broker_carries_a_lead_to_a_registered_contract,
    every_step_is_checked_against_the_stage_and_the_role,
    bad_deals_are_refused_in_chinese_and_save_nothing,
);
