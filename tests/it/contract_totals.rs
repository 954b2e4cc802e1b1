//! The registered totals the dashboards read are kept by the same transactions that register,
//! amend and cancel; for random contract histories they equal a full recomputation, on both
//! databases, across the New Year boundary in Beijing time.

use rocket::http::Status;
use serde_json::{Value, json};
use techmarket::contracts::totals;

use crate::achievements::post_json;
use crate::contracts::{complete_contract, created, parties};
use crate::on_both_databases;
use crate::support::TestApp;

/// A small deterministic generator (the histories are reproducible).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

const FIELDS: [&str; 4] = ["agriculture", "advanced_manufacturing", "biomedical", "new_materials"];
const REGIONS: [&str; 3] = ["620503", "620502", "620521"];
const INSTANTS: [&str; 5] =
    ["2025-12-31T15:59:59Z", "2025-12-31T16:00:00Z", "2026-01-15", "2025-11-03", "2026-03-01T08:00:00+08:00"];

fn random_contract(rng: &mut Lcg, buyer_org: &str) -> Value {
    let mut body = complete_contract(buyer_org);
    body["amount_unit"] = json!("yuan");
    let total = 10_000 + rng.next(9_000_000);
    body["total"] = json!(format!("{total}.{:02}", rng.next(100)));
    body["equipment"] = json!(format!("{}", rng.next(total / 2)));
    body["materials"] = json!(format!("{}.{:02}", rng.next(total / 4), rng.next(100)));
    body["technical_field"] = json!(FIELDS[rng.next(4) as usize]);
    body["seller_region"] = json!(REGIONS[rng.next(3) as usize]);
    body["buyer_region"] = json!(REGIONS[rng.next(3) as usize]);
    body
}

async fn totals_equal_a_recomputation_for_random_histories(app: TestApp) {
    let p = parties(&app).await;
    let mut rng = Lcg(20_261_128);
    let mut registered = Vec::new();
    for n in 0..14 {
        let id = created(&p, &random_contract(&mut rng, &p.buyer_org)).await;
        assert_eq!(
            post_json(&p.seller, &format!("/api/v1/contracts/{id}/submit"), &json!({})).await.status(),
            Status::Ok
        );
        if n % 5 == 4 {
            continue; // left submitted: never counted
        }
        sqlx::query("UPDATE contracts SET accepted_on = '2025-10-01' WHERE id = $1")
            .bind(&id)
            .execute(app.db.pool())
            .await
            .expect("backdate");
        let at = INSTANTS[rng.next(INSTANTS.len() as u64) as usize];
        let body = json!({"registration_no": format!("RND-{n}"), "registered_at": at});
        assert_eq!(
            post_json(&p.admin, &format!("/api/v1/contracts/{id}/register"), &body).await.status(),
            Status::Ok,
            "{at}"
        );
        registered.push(id);
    }
    for id in &registered {
        match rng.next(4) {
            0 => {
                let note = json!({"note": "双方协议解除合同"});
                assert_eq!(
                    post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &note).await.status(),
                    Status::Ok
                );
            }
            1 | 2 => {
                let changes = random_contract(&mut rng, &p.buyer_org);
                let amend = json!({"reason": "价款与技术领域调整", "changes": changes});
                assert_eq!(
                    post_json(&p.admin, &format!("/api/v1/contracts/{id}/amend"), &amend).await.status(),
                    Status::Ok
                );
                if rng.next(2) == 0 {
                    let note = json!({"note": "变更后又协议解除"});
                    assert_eq!(
                        post_json(&p.admin, &format!("/api/v1/contracts/{id}/cancel"), &note).await.status(),
                        Status::Ok
                    );
                }
            }
            _ => {}
        }
    }
    let stored = totals::stored(&app.db).await.expect("stored");
    let recomputed = totals::recomputed(&app.db).await.expect("recomputed");
    assert!(!recomputed.is_empty());
    assert_eq!(stored, recomputed);
    // The public yearly figures are the same sums.
    for year in [2025, 2026] {
        let prefix = format!("{year}-");
        let all = || recomputed.iter().filter(|r| r.dimension == "all" && r.month.starts_with(&prefix));
        let expected: i64 = all().map(|r| r.total_fen).sum();
        let count: i64 = all().map(|r| r.contracts).sum();
        let summary: Value = app
            .client
            .get(format!("/api/v1/contracts/summary?year={year}"))
            .dispatch()
            .await
            .into_json()
            .await
            .expect("json");
        assert_eq!(summary["total_fen"], expected, "{year}");
        assert_eq!(summary["registered_count"], count, "{year}");
    }
    // The goal figures for both amounts and both sides equal sums over the recomputed rows.
    for (basis, side) in
        [("turnover", "output"), ("technology_value", "output"), ("turnover", "absorb"), ("technology_value", "absorb")]
    {
        let goal = json!({"amount": "6亿", "basis": basis, "side": side});
        let response = crate::contracts::put_json_pub(&p.admin, "/api/v1/stats/goals/2025", &goal).await;
        assert_eq!(response.status(), Status::Ok);
        let report: Value =
            p.admin.get("/api/v1/stats/goal?year=2025").dispatch().await.into_json().await.expect("json");
        let expected: i64 = recomputed
            .iter()
            .filter(|r| r.dimension == "all" && r.month.starts_with("2025-"))
            .filter(|r| if side == "output" { r.seller_region == "620503" } else { r.buyer_region == "620503" })
            .map(|r| if basis == "turnover" { r.total_fen } else { r.technology_fen })
            .sum();
        assert_eq!(report["figures"]["so_far_fen"], expected, "{basis} {side}");
        let by_type: i64 = report["breakdowns"][0]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["amount_fen"].as_i64().unwrap_or(0))
            .sum();
        assert_eq!(by_type, expected, "{basis} {side} by type");
    }
}

on_both_databases!(totals_equal_a_recomputation_for_random_histories);
