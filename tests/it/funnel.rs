//! The goal dashboard's broker figures against random histories: two brokers walk deals through
//! random steps (closing and reopening included), some opened at a salon, some with a 联席预谈判
//! meeting held; agreed deals register contracts. The funnel (deals → agreed → contracted, per
//! broker, with median days per stage) equals a recomputation from the deals' timelines as the
//! API shows them, and each contract's channel is the one its deal earned (salon, then
//! pre-negotiation, then broker).

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::achievements::post_json;
use crate::contract_totals::Lcg;
use crate::contracts::complete_contract;
use crate::deals::{cast, get_json, step};
use crate::on_both_databases;
use crate::support::TestApp;

/// The actions a broker may take from a stage (the deal state machine's open doors).
fn choices(stage: &str) -> &'static [&'static str] {
    match stage {
        // Forward steps are listed more often: most deals move on, some close.
        "lead" => &["contact", "contact", "contact", "lose"],
        "contacted" => &["negotiate", "negotiate", "agree", "lose"],
        "negotiating" => &["agree", "agree", "agree", "lose"],
        "lost" => &["reopen"],
        _ => &[],
    }
}

async fn funnel_and_channels_equal_a_recomputation(app: TestApp) {
    let c = cast(&app).await;
    let mut rng = Lcg(7);
    let start = OffsetDateTime::now_utc() + Duration::days(1);
    let salon = post_json(&c.admin, "/api/v1/salons", &json!({"theme": "随机历史用对接沙龙", "capacity": 10, "venue": "科技局",
        "starts_at": techmarket::domain::time::to_stored(start), "ends_at": techmarket::domain::time::to_stored(start + Duration::hours(2))}))
    .await;
    assert_eq!(salon.status(), Status::Created);
    let salon = salon.into_json::<Value>().await.expect("json")["salon"]["id"].as_str().expect("id").to_string();
    let brokers: [&Client; 2] = [&c.broker, &c.rival];
    let mut expected_channels: BTreeMap<String, usize> = BTreeMap::new();
    let mut deals = Vec::new();
    for n in 0..12 {
        let broker = brokers[(n % 2) as usize];
        let at_salon = rng.next(3) == 0;
        let mut body = json!({"title": format!("随机历史对接{n}"), "buyer_organisation_id": c.buyer_org, "seller_organisation_id": c.seller_org});
        if at_salon {
            body["salon_id"] = json!(salon);
        }
        let response = post_json(broker, "/api/v1/deals", &body).await;
        assert_eq!(response.status(), Status::Created);
        let deal = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
        let mut stage = "lead".to_string();
        let mut negotiated = false;
        for _ in 0..2 + rng.next(5) {
            let open = choices(&stage);
            if open.is_empty() {
                break;
            }
            let action = open[rng.next(open.len() as u64) as usize];
            let body = match action {
                "lose" => json!({"reason": "price"}),
                "reopen" => json!({"note": "需求方重新启动采购"}),
                "agree" => json!({"amount_wan": format!("{}", 10 + rng.next(90))}),
                _ => json!({}),
            };
            let (status, after) = step(broker, &deal, action, body).await;
            assert_eq!(status, Status::Ok, "{action} from {stage}: {after}");
            stage = after["stage"].as_str().expect("stage").to_string();
            negotiated |= stage == "negotiating";
        }
        // Some deals hold a meeting instead of taking the pre-negotiation step.
        if stage == "contacted" && rng.next(2) == 0 {
            let held = OffsetDateTime::now_utc() - Duration::hours(2);
            let meeting = post_json(broker, &format!("/api/v1/deals/{deal}/meetings"), &json!({
                "starts_at": techmarket::domain::time::to_stored(held), "ends_at": techmarket::domain::time::to_stored(held + Duration::hours(1)),
                "place": "科技局", "guests": [{"name": "甲"}, {"name": "乙"}]}))
            .await;
            assert_eq!(meeting.status(), Status::Created);
            let id = meeting.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
            let record = json!({"outcome": "双方同意继续商谈价格"});
            assert_eq!(
                post_json(broker, &format!("/api/v1/deals/{deal}/meetings/{id}/record"), &record).await.status(),
                Status::Ok
            );
            negotiated = true;
            let (status, _) = step(broker, &deal, "agree", json!({})).await;
            assert_eq!(status, Status::Ok);
            stage = "agreed".into();
        }
        if stage == "agreed" && rng.next(3) != 0 {
            let mut contract = complete_contract(&c.buyer_org);
            contract["seller_organisation_id"] = json!(c.seller_org);
            contract["deal_id"] = json!(deal);
            let response = post_json(broker, "/api/v1/contracts", &contract).await;
            assert_eq!(response.status(), Status::Created);
            let id = response.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
            assert_eq!(
                post_json(broker, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(),
                Status::Ok
            );
            let register = json!({"registration_no": format!("RANDOM-DEAL-{n}")});
            assert_eq!(
                post_json(&c.admin, &format!("/api/v1/contracts/{id}/register"), &register).await.status(),
                Status::Ok
            );
            let channel = if at_salon {
                "salon"
            } else if negotiated {
                "negotiation"
            } else {
                "broker"
            };
            *expected_channels.entry(channel.to_string()).or_default() += 1;
        }
        deals.push(deal);
    }

    // Channels: each registered contract counted under the channel its deal earned.
    assert_eq!(
        expected_channels.len(),
        3,
        "this walk registers contracts in every deal channel: {expected_channels:?}"
    );
    for channel in ["salon", "negotiation", "broker", "direct"] {
        let (_, list) = get_json(&c.admin, &format!("/api/v1/contracts?channel={channel}")).await;
        let expected = expected_channels.get(channel).copied().unwrap_or(0);
        assert_eq!(list["total"].as_u64(), Some(expected as u64), "{channel}: {expected_channels:?}");
    }
    assert_eq!(
        techmarket::contracts::totals::stored(&app.db).await.expect("stored"),
        techmarket::contracts::totals::recomputed(&app.db).await.expect("recomputed")
    );

    // The funnel, recomputed from the timelines the API returns.
    let mut reached: BTreeMap<String, Vec<BTreeMap<String, OffsetDateTime>>> = BTreeMap::new();
    for deal in &deals {
        let (_, json) = get_json(&c.admin, &format!("/api/v1/deals/{deal}")).await;
        let mut first: BTreeMap<String, OffsetDateTime> = BTreeMap::new();
        for event in json["timeline"].as_array().expect("timeline") {
            if let (Some(stage), Some(at)) = (event["to_stage"].as_str(), event["occurred_at"].as_str()) {
                let at = techmarket::domain::time::parse_stored(at).expect("time");
                first.entry(stage.to_string()).and_modify(|t| *t = (*t).min(at)).or_insert(at);
            }
        }
        reached.entry(json["broker_user_id"].as_str().expect("broker").to_string()).or_default().push(first);
    }
    let year = techmarket::domain::time::today_shanghai().year();
    let funnel = techmarket::stats::funnel::year(&app.db, year).await.expect("funnel");
    let check = |line: &techmarket::stats::funnel::Funnel, histories: Vec<&BTreeMap<String, OffsetDateTime>>| {
        let count = |stage: &str| histories.iter().filter(|h| h.contains_key(stage)).count() as i64;
        assert_eq!(
            (line.deals, line.agreed, line.contracted),
            (histories.len() as i64, count("agreed"), count("contracted"))
        );
        for (index, (from, to, _)) in techmarket::stats::funnel::STEPS.iter().enumerate() {
            let mut days: Vec<f64> = histories
                .iter()
                .filter_map(|h| Some((*h.get(*to)? - *h.get(*from)?).as_seconds_f64() / 86_400.0))
                .filter(|d| *d >= 0.0)
                .collect();
            assert_eq!(line.median_days[index], techmarket::stats::funnel::median(&mut days), "{from} → {to}");
        }
    };
    check(&funnel[0], reached.values().flatten().collect());
    for line in &funnel[1..] {
        let broker = line.broker_user_id.clone().expect("a broker's line");
        check(line, reached.get(&broker).map(|h| h.iter().collect()).unwrap_or_default());
    }
    assert_eq!(funnel.len(), 1 + reached.len(), "one line per broker with deals, plus the whole year");
}

on_both_databases!(funnel_and_channels_equal_a_recomputation);
