//! 联席预谈判 meetings through HTTP: scheduled by the deal's broker with accounts from both sides
//! and the bureau, invitations in their inboxes with an `.ics` that parses to the right Beijing
//! times, bad input refused field by field with nothing saved, the record (minutes, outcome,
//! next steps) only once the meeting has begun, the print page, and outsiders kept out.

use icalendar::{Component, EventLike};
use rocket::http::Status;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::achievements::{post_json, published_listing};
use crate::deals::{Cast, cast, count, get_json, page, step};
use crate::demands::published_demand;
use crate::on_both_databases;
use crate::support::TestApp;

/// A Beijing wall-clock time `days` from today, as typed in the form.
fn beijing(days: i64, hh_mm: &str) -> String {
    let day = OffsetDateTime::now_utc().to_offset(techmarket::domain::time::SHANGHAI).date() + Duration::days(days);
    format!("{day}T{hh_mm}")
}

/// A deal the broker opened on the researcher's achievement and the enterprise's demand, accepted
/// by both sides.
pub async fn accepted_deal(c: &Cast) -> String {
    let achievement = published_listing(&c.researcher, &c.admin).await;
    let demand = published_demand(&c.enterprise, &c.admin).await;
    let body = json!({"title": "果品分选线对接", "achievement_ids": [achievement], "demand_id": demand});
    let response = post_json(&c.broker, "/api/v1/deals", &body).await;
    assert_eq!(response.status(), Status::Created);
    let deal = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    for party in [&c.researcher, &c.enterprise] {
        assert_eq!(step(party, &deal, "accept", json!({})).await.0, Status::Ok);
    }
    deal
}

async fn meetings_scheduled_invite_and_record(app: TestApp) {
    let c = cast(&app).await;
    let deal = accepted_deal(&c).await;
    let uri = format!("/api/v1/deals/{deal}/meetings");
    let meetings = "SELECT CAST(COUNT(*) AS BIGINT) FROM deal_meetings";

    // Bad input: every field's message in Chinese, nothing saved.
    let bad = json!({"starts_at": beijing(3, "11:00"), "ends_at": beijing(3, "09:30"), "online_url": "ftp://x",
        "participant_ids": [c.rival_person.id], "nda_signed": true});
    let response = post_json(&c.broker, &uri, &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let error = response.into_json::<Value>().await.expect("json");
    for field in ["ends_at", "online_url", "participant_ids", "nda_signed_on"] {
        assert!(
            crate::support::has_chinese(error["error"]["fields"][field].as_str().unwrap_or_default()),
            "{field}: {error}"
        );
    }
    let nowhere = json!({"starts_at": beijing(3, "09:30"), "ends_at": beijing(3, "11:00")});
    let response = post_json(&c.broker, &uri, &nowhere).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.into_string().await.unwrap_or_default().contains("会议地点"));
    let garbled = json!({"starts_at": "下周二上午", "ends_at": beijing(3, "11:00"), "place": "科技局"});
    assert_eq!(post_json(&c.broker, &uri, &garbled).await.status(), Status::UnprocessableEntity);
    // Parties read meetings but do not schedule them.
    let by_party = json!({"starts_at": beijing(3, "09:30"), "ends_at": beijing(3, "11:00"), "place": "科技局"});
    assert_eq!(post_json(&c.enterprise, &uri, &by_party).await.status(), Status::Forbidden);
    assert_eq!(count(&app, meetings).await, 0);

    // Scheduled for 09:30 Beijing time in three days, with both sides and the bureau invited.
    let body = json!({
        "starts_at": beijing(3, "09:30"), "ends_at": beijing(3, "11:00"), "place": "麦积区科技局三楼会议室",
        "agenda": "1. 技术方案\n2. 价格与付款方式",
        "participant_ids": [c.researcher_person.id, c.enterprise_person.id, c.admin_person.id],
        "guests": [{"name": "王总工", "organisation": "天水果业集团", "side": "buyer"}],
        "nda_signed": true, "nda_signed_on": beijing(0, "00:00")[..10].to_string(),
    });
    let response = post_json(&c.broker, &uri, &body).await;
    assert_eq!(response.status(), Status::Created);
    let meeting = response.into_json::<Value>().await.expect("json");
    let id = meeting["id"].as_str().expect("id").to_string();
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["title"], "联席预谈判");
    assert!(meeting["when_label"].as_str().unwrap_or_default().contains("09:30–11:00"), "{meeting}");
    assert_eq!(meeting["participants"].as_array().expect("people").len(), 4);
    assert_eq!(count(&app, meetings).await, 1);

    // Each invited account has the invitation in its inbox; the page header counts it.
    let (_, inbox) = get_json(&c.enterprise, "/api/v1/inbox?unread=true").await;
    let invitation =
        inbox["items"].as_array().expect("items").iter().find(|m| m["topic"] == "meeting").expect("invitation").clone();
    assert!(invitation["body"].as_str().unwrap_or_default().contains("calendar.ics"));
    let (_, home) = page(&c.enterprise, "/").await;
    assert!(home.contains("badge-unread"), "the header shows unread messages");
    let (_, outsider_inbox) = get_json(&c.outsider, "/api/v1/inbox").await;
    assert!(outsider_inbox["items"].as_array().expect("items").iter().all(|m| m["topic"] != "meeting"));

    // The .ics parses and starts at 09:30 Beijing = 01:30 UTC.
    let ics = c.enterprise.get(format!("/deals/{deal}/meetings/{id}/calendar.ics")).dispatch().await;
    assert_eq!(ics.status(), Status::Ok);
    assert!(ics.content_type().is_some_and(|t| t.to_string().starts_with("text/calendar")));
    let text = ics.into_string().await.expect("ics");
    let calendar: icalendar::Calendar = text.parse().expect("the .ics parses");
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("an event");
    let expected = techmarket::domain::time::parse_beijing_input(&beijing(3, "09:30")).expect("time");
    assert_eq!(event.property_value("DTSTART"), Some(techmarket::domain::ics::utc_stamp(expected).as_str()));
    assert!(event.get_summary().unwrap_or_default().contains("果品分选线对接"));
    assert_eq!(event.get_location(), Some("麦积区科技局三楼会议室"));

    // The record waits for the meeting to begin.
    let record = format!("/api/v1/deals/{deal}/meetings/{id}/record");
    let response = post_json(&c.broker, &record, &json!({"outcome": "双方同意合作"})).await;
    assert_eq!(response.status(), Status::Conflict);

    // A meeting held this morning: bad records are refused field by field, a good one is kept.
    let held = json!({"starts_at": techmarket::domain::time::to_stored(OffsetDateTime::now_utc() - Duration::hours(3)),
        "ends_at": techmarket::domain::time::to_stored(OffsetDateTime::now_utc() - Duration::hours(1)),
        "online_url": "https://meeting.example.com/123",
        "participant_ids": [c.researcher_person.id, c.enterprise_person.id]});
    let response = post_json(&c.broker, &uri, &held).await;
    assert_eq!(response.status(), Status::Created);
    let held_id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let record = format!("/api/v1/deals/{deal}/meetings/{held_id}/record");
    let bad = json!({"outcome": "", "steps": [{"task": "提交改造方案", "due_on": "2026-13-01"}]});
    let response = post_json(&c.broker, &record, &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let error = response.into_json::<Value>().await.expect("json");
    for field in ["outcome", "steps[0].owner", "steps[0].due_on"] {
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }
    let (_, unchanged) = get_json(&c.researcher, &format!("/api/v1/deals/{deal}/meetings/{held_id}")).await;
    assert_eq!(unchanged["status"], "scheduled");
    let good = json!({"outcome": "双方同意以技术许可方式合作，成果方两周内提交改造方案", "minutes": "需求方确认指标。",
        "steps": [{"task": "提交改造方案", "owner": "成果方团队", "due_on": beijing(14, "00:00")[..10].to_string()}, {"task": ""}],
        "version": unchanged["version"]});
    let response = post_json(&c.researcher, &record, &good).await;
    assert_eq!(response.status(), Status::Forbidden, "parties do not write the record");
    let response = post_json(&c.broker, &record, &good).await;
    assert_eq!(response.status(), Status::Ok);
    let recorded = response.into_json::<Value>().await.expect("json");
    assert_eq!(recorded["status"], "held");
    assert_eq!(recorded["steps"].as_array().expect("steps").len(), 1);
    let stale = post_json(&c.broker, &record, &good).await;
    assert_eq!(stale.status(), Status::Conflict, "a record based on an old version is refused");
    let (_, deal_json) = get_json(&c.enterprise, &format!("/api/v1/deals/{deal}")).await;
    assert!(deal_json["timeline"].to_string().contains("联席预谈判纪要"));
    assert_eq!(deal_json["meetings"].as_array().expect("meetings").len(), 2);
    let (status, print) = page(&c.enterprise, &format!("/deals/{deal}/meetings/{held_id}/print")).await;
    assert_eq!(status, Status::Ok);
    assert!(print.contains("会议记录") && print.contains("提交改造方案") && print.contains("成果方团队"));

    // Outsiders learn nothing; cancelling tells the invited.
    for uri in [format!("/api/v1/deals/{deal}/meetings/{id}"), format!("/api/v1/deals/{deal}/meetings")] {
        assert_eq!(get_json(&c.outsider, &uri).await.0, Status::NotFound);
    }
    assert_eq!(page(&c.outsider, &format!("/deals/{deal}/meetings/{id}/calendar.ics")).await.0, Status::NotFound);
    let cancel = format!("/api/v1/deals/{deal}/meetings/{id}/cancel");
    assert_eq!(post_json(&c.broker, &cancel, &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(&c.broker, &cancel, &json!({})).await.status(), Status::Conflict);
    let (_, inbox) = get_json(&c.admin, "/api/v1/inbox").await;
    assert!(inbox["items"].to_string().contains("已取消"));
    let cancelled = c.admin.get(format!("/deals/{deal}/meetings/{id}/calendar.ics")).dispatch().await;
    assert!(cancelled.into_string().await.unwrap_or_default().contains("STATUS:CANCELLED"));

    // The broker's workspace lists no cancelled meeting; a held one makes the channel 联席预谈判.
    let (_, workspace) = page(&c.broker, "/broker").await;
    assert!(workspace.contains("近期日程"));
}

on_both_databases!(meetings_scheduled_invite_and_record);
