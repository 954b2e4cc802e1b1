//! Demo contracts: a dozen registrations over the past months between the demo organisations —
//! one amended, one cancelled — so a newcomer's dashboard moves. They exist only where demo
//! content was seeded, carry `origin = 'demo'` (shown as 演示数据 on every page, list and export),
//! and are the only contracts the database lets anyone delete: `techmarket demo remove` takes them
//! out with their totals, history and revisions.

use std::collections::HashMap;

use sqlx::AnyConnection;
use time::Duration;

use crate::contracts::model::{self, ContractInput, OverrideRights};
use crate::contracts::records;
use crate::contracts::store;
use crate::contracts::totals::{self, Contribution};
use crate::domain::forms::date_text;
use crate::domain::time::{now_stored, today_shanghai};

/// (seller key, buyer key, type, subtype, title, field, total 万元, equipment 万元, days ago)
type DemoContract = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

const CONTRACTS: &[DemoContract] = &[
    (
        "inst_agri",
        "ent_fruit",
        "transfer",
        "know_how_transfer",
        "苹果气调贮藏保鲜技术秘密转让",
        "agriculture",
        "180",
        "20",
        300,
    ),
    (
        "inst_univ",
        "ent_machine",
        "development",
        "commissioned_development",
        "数控机床热误差补偿系统委托开发",
        "advanced_manufacturing",
        "260",
        "40",
        250,
    ),
    (
        "inst_med",
        "ent_pharma",
        "licence",
        "ordinary_patent_licence",
        "当归有效成分提取专利实施许可",
        "biomedical",
        "95",
        "0",
        210,
    ),
    (
        "inst_univ",
        "ent_build",
        "service",
        "service",
        "装配式钢结构节点检测技术服务",
        "urban_development",
        "38",
        "0",
        180,
    ),
    (
        "inst_agri",
        "ent_fruit",
        "consulting",
        "consulting",
        "花牛苹果标准化果园建设技术咨询",
        "agriculture",
        "12",
        "0",
        150,
    ),
    (
        "inst_univ",
        "ent_material",
        "development",
        "cooperative_development",
        "高性能保温建材配方合作开发",
        "new_materials",
        "150",
        "30",
        120,
    ),
    (
        "inst_med",
        "ent_pharma",
        "transfer",
        "patent_transfer",
        "中药材种苗快繁方法专利权转让",
        "agriculture",
        "66",
        "0",
        95,
    ),
    (
        "inst_agri",
        "ent_machine",
        "service",
        "training",
        "数控加工操作人员技术培训",
        "advanced_manufacturing",
        "8.5",
        "0",
        70,
    ),
    (
        "inst_univ",
        "ent_machine",
        "transfer",
        "patent_transfer",
        "精密主轴轴承预紧力控制专利权转让",
        "advanced_manufacturing",
        "210",
        "0",
        45,
    ),
    ("inst_agri", "ent_material", "service", "service", "果渣资源化利用工艺技术服务", "environment", "26", "0", 20),
    (
        "inst_med",
        "ent_pharma",
        "development",
        "commissioned_development",
        "党参饮片质量追溯系统委托开发",
        "electronic_information",
        "48",
        "6",
        8,
    ),
];

/// Seeds the demo contracts inside the demo seeding transaction; returns how many.
pub async fn seed(
    conn: &mut AnyConnection,
    organisations: &HashMap<&'static str, (String, String, String, Option<String>)>,
    admin: &str,
) -> Result<usize, sqlx::Error> {
    let today = today_shanghai();
    let now = now_stored();
    for (n, (seller, buyer, kind, subtype, title, field, total, equipment, days_ago)) in CONTRACTS.iter().enumerate() {
        let (Some(s), Some(b)) = (organisations.get(seller), organisations.get(buyer)) else { continue };
        let registered_on = today - Duration::days(*days_ago);
        let accepted_on = registered_on - Duration::days(9);
        let input = ContractInput {
            contract_type: Some(kind.to_string()),
            subtype: Some(subtype.to_string()),
            title: Some(format!("（演示）{title}")),
            subject: Some(format!("{title}：演示数据，用于展示合同登记、目标进度和统计分解，不是真实合同。")),
            seller_name: Some(s.1.clone()),
            seller_nature: Some(s.2.clone()),
            seller_region: s.3.clone(),
            buyer_name: Some(b.1.clone()),
            buyer_nature: Some(b.2.clone()),
            buyer_region: b.3.clone(),
            signed_on: Some(date_text(accepted_on - Duration::days(5))),
            technical_field: Some(field.to_string()),
            amount_unit: Some("wan".into()),
            total: Some(total.to_string()),
            equipment: Some(equipment.to_string()).filter(|e| e != "0"),
            signed_by_parties: true,
            ..ContractInput::default()
        };
        let draft = model::validate(&input, today, OverrideRights { seller: true, buyer: true })
            .map_err(|e| sqlx::Error::Protocol(format!("demo contract {n}: {e:?}")))?;
        let id = uuid::Uuid::now_v7().to_string();
        let on = date_text(registered_on);
        let number = format!("DEMO-{}{:04}", registered_on.year(), n + 1);
        sqlx::query(
            "INSERT INTO contracts (id, seller_organisation_id, buyer_organisation_id, created_by, status, submissions, \
             accepted_on, review_days, due_on, review_rule, registration_no, registered_at, registered_on, decided_by, \
             created_at, updated_at, origin) VALUES ($1, $2, $3, $4, 'registered', 1, $5, 15, $6, 'working_days_2024', \
             $7, $8, $9, $4, $10, $10, 'demo')",
        )
        .bind(&id)
        .bind(&s.0)
        .bind(&b.0)
        .bind(admin)
        .bind(date_text(accepted_on))
        .bind(date_text(accepted_on + Duration::days(21)))
        .bind(&number)
        .bind(format!("{on}T04:00:00.000000Z"))
        .bind(&on)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        store::insert_revision(conn, &id, 1, true, "", admin, &draft).await?;
        records::add_event(conn, &id, "registered", Some(1), &number, admin).await?;
        if let Some(amounts) = &draft.amounts {
            totals::apply(conn, &Contribution::of(&on, None, &draft), 1, amounts).await?;
        }
        // The fourth is amended (its price went up), the sixth cancelled.
        if n == 3 {
            let amended_input = ContractInput { total: Some("45".into()), ..input.clone() };
            let amended = model::validate(&amended_input, today, OverrideRights { seller: true, buyer: true })
                .map_err(|e| sqlx::Error::Protocol(format!("demo amendment: {e:?}")))?;
            store::insert_revision(conn, &id, 2, true, "补充检测项目，价款调整", admin, &amended).await?;
            records::add_event(conn, &id, "amended", Some(2), "补充检测项目，价款调整（变更：合同成交额）", admin)
                .await?;
            if let (Some(before), Some(after)) = (&draft.amounts, &amended.amounts) {
                totals::apply(conn, &Contribution::of(&on, None, &draft), -1, before).await?;
                totals::apply(conn, &Contribution::of(&on, None, &amended), 1, after).await?;
            }
        }
        if n == 5 {
            sqlx::query(
                "INSERT INTO contract_cancellations (contract_id, reason, cancelled_at, cancelled_by) VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind("双方协商解除合同（演示）")
            .bind(&now)
            .bind(admin)
            .execute(&mut *conn)
            .await?;
            records::add_event(conn, &id, "cancelled", Some(1), "双方协商解除合同（演示）", admin).await?;
            if let Some(amounts) = &draft.amounts {
                totals::apply(conn, &Contribution::of(&on, None, &draft), -1, amounts).await?;
            }
        }
    }
    Ok(CONTRACTS.len())
}

/// Takes every demo contract out: its contribution to the totals first, then what was recorded
/// about it, then the contract (the database allows deletion for demo contracts only).
pub async fn remove(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM contracts c LEFT JOIN contract_cancellations x ON x.contract_id = c.id \
         WHERE c.origin = 'demo' AND c.status = 'registered' AND x.contract_id IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for id in &ids {
        let contract: Option<String> = sqlx::query_scalar("SELECT registered_on FROM contracts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if let (Some(on), Some(revision)) = (contract, store::current_revision_in(conn, id).await?) {
            if let Some(amounts) = &revision.draft.amounts {
                totals::apply(conn, &Contribution::of(&on, None, &revision.draft), -1, amounts).await?;
            }
        }
    }
    let demo = "SELECT id FROM contracts WHERE origin = 'demo'";
    for table in ["contract_events", "contract_share_payments", "contract_cancellations", "contract_revisions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE contract_id IN ({demo})")).execute(&mut *conn).await?;
    }
    Ok(sqlx::query("DELETE FROM contracts WHERE origin = 'demo'").execute(&mut *conn).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_contracts_are_in_the_past_and_distinct() {
        let mut titles: Vec<&str> = super::CONTRACTS.iter().map(|c| c.4).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), super::CONTRACTS.len());
        assert!(super::CONTRACTS.iter().all(|c| c.8 > 0));
    }
}
