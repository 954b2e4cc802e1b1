//! Demo content: on an empty database `techmarket serve` seeds a small, realistic district so a
//! new user finds a living marketplace. Every row is marked `is_demo`; `techmarket demo remove`
//! takes them out again. Passwords are generated and printed once; none is stored in the code.

pub mod contracts;
mod data;
pub mod deals;
pub mod salons;
pub mod trading;

use serde_json::json;
use sqlx::Row as _;

use crate::achievements::listing::Achievements;
use crate::achievements::model;
use crate::achievements::model::{AchievementInput, Status};
use crate::audit::{self, NewAuditEvent};
use crate::auth::password::PasswordHasher;
use crate::db::Db;
use crate::demands::challenge::model::{Application, Terms};
use crate::demands::challenge::store as challenge_store;
use crate::demands::listing::Demands;
use crate::demands::model::{self as demand_model, DemandInput, Status as DemandStatus};
use crate::domain::money::{Fen, Unit};
use crate::domain::time::{now_stored, to_stored};
use crate::listings::store::{self as listing_store, Owner};
use crate::listings::{Kind, outbox};
use crate::secrets::random_token;

/// A demo account as printed on the console.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub name: String,
    pub role: String,
    pub login: String,
    pub password: String,
}

async fn is_empty(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM organisations) AS orgs, (SELECT CAST(COUNT(*) AS BIGINT) FROM users) AS users",
    )
    .fetch_one(conn)
    .await?;
    Ok(row.try_get::<i64, _>("orgs")? == 0 && row.try_get::<i64, _>("users")? == 0)
}

/// Seeds the demo district when the database holds no organisation and no user; returns the
/// accounts created (empty when nothing was seeded). Running it twice seeds once.
pub async fn seed_if_empty(db: &Db, hasher: &PasswordHasher) -> Result<Vec<DemoAccount>, String> {
    let failed = |e: sqlx::Error| format!("演示数据写入失败：{e}");
    if !is_empty(&mut *db.pool().acquire().await.map_err(failed)?).await.map_err(failed)? {
        return Ok(Vec::new());
    }
    let mut accounts = Vec::new();
    let mut hashes = Vec::new();
    for (_, _, name, _, login) in
        data::PEOPLE.iter().chain(std::iter::once(&("", "admin", data::ADMIN.0, "", data::ADMIN.1)))
    {
        let password = random_token(12);
        hashes.push(hasher.hash(&password).await.map_err(|e| e.to_string())?);
        let role = data::PEOPLE.iter().find(|p| p.4 == *login).map(|p| p.1).unwrap_or("admin");
        accounts.push(DemoAccount {
            name: name.to_string(),
            role: role.to_string(),
            login: login.to_string(),
            password,
        });
    }

    let now = now_stored();
    let mut tx = db.begin_write().await.map_err(failed)?;
    // Several nodes may start at once on one empty database: the check is repeated inside the
    // seeding transaction, behind a lock (SQLite's write lock; an advisory lock on PostgreSQL),
    // so exactly one seeds and the others find it done.
    if db.backend() == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(620503)").execute(&mut *tx).await.map_err(failed)?;
    }
    if !is_empty(&mut tx).await.map_err(failed)? {
        tx.rollback().await.map_err(failed)?;
        return Ok(Vec::new());
    }
    let mut org_ids = std::collections::HashMap::new();
    for organisation in data::ORGANISATIONS {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, credit_code, nature_code, region_code, is_demo, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(&id)
        .bind(organisation.name)
        .bind(organisation.kind)
        .bind(organisation.code.and_then(crate::domain::validators::complete_credit_code))
        .bind(organisation.nature)
        .bind(organisation.region)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        org_ids.insert(organisation.key, id);
    }
    for (key, qualification) in [
        ("ent_machine", "high_tech_enterprise"),
        ("ent_pharma", "tech_sme"),
        ("ent_build", "provincial_innovative_enterprise"),
    ] {
        sqlx::query(
            "INSERT INTO organisation_qualifications (organisation_id, qualification, recorded_at) VALUES ($1, $2, $3)",
        )
        .bind(&org_ids[key])
        .bind(qualification)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    }
    let mut user_ids = std::collections::HashMap::new();
    let mut admin_id = String::new();
    for (account, hash) in accounts.iter().zip(&hashes) {
        let person = data::PEOPLE.iter().find(|p| p.4 == account.login);
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO users (id, display_name, email, password_hash, role, status, organisation_id, job_title, is_demo, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, 1, $8, $8)",
        )
        .bind(&id)
        .bind(&account.name)
        .bind(&account.login)
        .bind(hash)
        .bind(&account.role)
        .bind(person.map(|p| org_ids[p.0].clone()))
        .bind(person.map(|p| p.3).unwrap_or("区科技局"))
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        match person {
            Some(person) => {
                user_ids.entry(person.0).or_insert(id);
            }
            None => admin_id = id,
        }
    }
    let started = time::OffsetDateTime::now_utc();
    for (index, item) in data::ACHIEVEMENTS.iter().enumerate() {
        let person = data::PEOPLE.iter().find(|p| p.0 == item.owner).ok_or("演示数据有误：成果缺少所属单位")?;
        let input = AchievementInput {
            title: Some(item.title.into()),
            summary: Some(item.summary.into()),
            keywords: Some(item.keywords.into()),
            achievement_type: Some("applied".into()),
            technical_field: Some(item.field.into()),
            industry_section: Some(item.section.into()),
            trl: Some(item.trl.to_string()),
            stage: crate::domain::taxonomy::stage_for_trl(item.trl).map(|s| s.code().to_string()),
            transfer_modes: item.modes.iter().map(|m| m.to_string()).collect(),
            pricing_route: Some(item.route.into()),
            price_negotiable: item.price_wan.is_none(),
            asking_price: item.price_wan.map(str::to_string),
            team: Some(format!("{}科研团队", person.2)),
            contact_name: Some(person.2.into()),
            contact_phone: Some(format!("0938-82{:05}", 10_000 + index * 37)),
            contact_email: Some(person.4.into()),
            problem: Some(item.problem.into()),
            advantages: Some(item.advantages.into()),
            scenarios: Some(item.scenarios.into()),
            region_code: Some(
                data::ORGANISATIONS.iter().find(|o| o.key == item.owner).map(|o| o.region).unwrap_or("620503").into(),
            ),
            ..AchievementInput::default()
        };
        let achievement =
            model::validate(&input).map_err(|errors| format!("演示成果“{}”不合规：{errors:?}", item.title))?;
        let status = Status::from_code(item.status).unwrap_or(Status::Published);
        let id = uuid::Uuid::now_v7().to_string();
        let owner =
            Owner { organisation_id: &org_ids[item.owner], created_by: &user_ids[item.owner], status, is_demo: true };
        listing_store::insert::<Achievements>(&mut tx, &id, owner, &achievement).await.map_err(failed)?;
        // Spread publication over the past months so lists and statistics look lived-in.
        let published = to_stored(started - time::Duration::days(3 + (index as i64 * 5) % 170));
        let views = (index as i64 * 53) % 400 + 12;
        sqlx::query(
            "UPDATE achievements SET published_at = CASE WHEN status = 'submitted' THEN NULL ELSE $1 END, \
             submitted_at = $1, views = $2 WHERE id = $3",
        )
        .bind(&published)
        .bind(views)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    }
    let today = crate::domain::time::today_shanghai();
    for (index, item) in data::DEMANDS.iter().enumerate() {
        let person = data::PEOPLE.iter().find(|p| p.0 == item.owner).ok_or("演示数据有误：需求缺少所属企业")?;
        let input = DemandInput {
            title: Some(item.title.into()),
            description: Some(item.description.into()),
            indicators: Some(item.indicators.into()),
            technical_field: Some(item.field.into()),
            industry_section: Some(item.section.into()),
            cooperation_modes: item.modes.iter().map(|m| m.to_string()).collect(),
            budget_min: item.budget.0.map(str::to_string),
            budget_max: item.budget.1.map(str::to_string),
            budget_negotiable: item.budget == (None, None),
            valid_until: Some(crate::domain::forms::date_text(today + time::Duration::days(item.valid_days))),
            contact_name: Some(person.2.into()),
            contact_phone: Some(format!("0938-83{:05}", 20_000 + index * 41)),
            contact_email: Some(person.4.into()),
            region_code: Some("620503".into()),
            ..DemandInput::default()
        };
        let demand = demand_model::validate(&input, today)
            .map_err(|errors| format!("演示需求“{}”不合规：{errors:?}", item.title))?;
        let status = DemandStatus::from_code(item.status).unwrap_or(DemandStatus::Published);
        let id = uuid::Uuid::now_v7().to_string();
        let owner =
            Owner { organisation_id: &org_ids[item.owner], created_by: &user_ids[item.owner], status, is_demo: true };
        listing_store::insert::<Demands>(&mut tx, &id, owner, &demand).await.map_err(failed)?;
        let published = to_stored(started - time::Duration::days(2 + (index as i64 * 7) % 120));
        sqlx::query(
            "UPDATE demands SET published_at = CASE WHEN status = 'submitted' THEN NULL ELSE $1 END, submitted_at = $1, views = $2 WHERE id = $3",
        )
        .bind(&published)
        .bind((index as i64 * 31) % 250 + 8)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
        if let Some(challenge) = data::CHALLENGES.iter().find(|c| c.demand_title == item.title) {
            let terms = Terms {
                reward: Fen::parse(challenge.reward_wan, Unit::Wan).map_err(|e| e.to_string())?,
                apply_from: today - time::Duration::days(10),
                apply_until: today + time::Duration::days(challenge.open_days),
            };
            challenge_store::upsert_terms(&mut tx, &id, &terms).await.map_err(failed)?;
            for (applicant, team, proposal, results) in challenge.applications {
                let person = data::PEOPLE.iter().find(|p| p.0 == *applicant).ok_or("演示数据有误：揭榜申请人缺失")?;
                let application = Application {
                    team: team.to_string(),
                    proposal: proposal.to_string(),
                    expected_results: results.to_string(),
                    attachments: Vec::new(),
                };
                let application_id = uuid::Uuid::now_v7().to_string();
                let user = &user_ids[person.0];
                challenge_store::insert_application(
                    &mut tx,
                    &application_id,
                    &id,
                    user,
                    Some(&org_ids[person.0]),
                    &application,
                )
                .await
                .map_err(failed)?;
            }
        }
    }
    let parties: std::collections::HashMap<&'static str, (String, String, String, Option<String>)> =
        data::ORGANISATIONS
            .iter()
            .map(|o| {
                (o.key, (org_ids[o.key].clone(), o.name.to_string(), o.nature.to_string(), Some(o.region.to_string())))
            })
            .collect();
    let demo_contracts = contracts::seed(&mut tx, &parties, &admin_id).await.map_err(failed)?;
    let demo_deals = deals::seed(&mut tx).await.map_err(failed)?;
    let demo_salons = salons::seed(&mut tx).await.map_err(failed)?;
    let demo_trading = trading::seed(&mut tx).await.map_err(failed)?;
    let details = json!({
        "contracts": demo_contracts,
        "deals": demo_deals,
        "salons": demo_salons,
        "trading": demo_trading,
        "organisations": data::ORGANISATIONS.len(),
        "users": accounts.len(),
        "achievements": data::ACHIEVEMENTS.len(),
        "demands": data::DEMANDS.len(),
        "challenges": data::CHALLENGES.len(),
    });
    audit::append(&mut tx, db.backend(), &NewAuditEvent::system("demo.seeded", "demo", "district", details))
        .await
        .map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(accounts)
}

/// What `demo remove` took out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    pub contracts: u64,
    pub achievements: u64,
    pub demands: u64,
    pub users: u64,
    pub organisations: u64,
    /// Demo organisations kept because real accounts or listings now belong to them.
    pub kept_organisations: u64,
}

/// Removes every demo row (listings, their contact requests, demo users' sessions and tokens,
/// demo users, and demo organisations nobody real belongs to). The audit log keeps its history.
pub async fn remove(db: &Db) -> Result<Removed, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let contracts = contracts::remove(&mut tx).await?;
    deals::remove(&mut tx).await?;
    salons::remove(&mut tx).await?;
    trading::remove(&mut tx).await?;
    let demo_users = "SELECT id FROM users WHERE is_demo = 1";
    let demo_listings = "SELECT id FROM achievements WHERE is_demo = 1 UNION SELECT id FROM demands WHERE is_demo = 1";
    sqlx::query(&format!(
        "DELETE FROM listing_contact_requests WHERE listing_id IN ({demo_listings}) OR user_id IN ({demo_users})"
    ))
    .execute(&mut *tx)
    .await?;
    for kind in [Kind::Achievement, Kind::Demand] {
        let sql = format!("SELECT id FROM {} WHERE is_demo = 1", kind.table());
        let ids: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *tx).await?;
        for id in ids {
            outbox::enqueue(&mut tx, kind, &id).await?;
        }
    }
    // A demo account that created a real (non-demo) listing stays, with that listing.
    // Contracts are never deleted, so whatever a contract names stays too.
    let achievements = sqlx::query(
        "DELETE FROM achievements WHERE is_demo = 1 AND id NOT IN \
         (SELECT achievement_id FROM contract_revisions WHERE achievement_id IS NOT NULL) \
         AND id NOT IN (SELECT achievement_id FROM deal_achievements) \
         AND id NOT IN (SELECT achievement_id FROM pricing_notices) AND id NOT IN (SELECT achievement_id FROM offerings) \
         AND id NOT IN (SELECT achievement_id FROM auctions) AND id NOT IN (SELECT achievement_id FROM achievement_appraisals)",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let demo_demands = "SELECT id FROM demands WHERE is_demo = 1 AND id NOT IN \
         (SELECT demand_id FROM contract_revisions WHERE demand_id IS NOT NULL) \
         AND id NOT IN (SELECT demand_id FROM deals WHERE demand_id IS NOT NULL)";
    sqlx::query(&format!(
        "DELETE FROM challenge_applications WHERE demand_id IN ({demo_demands}) OR applicant_id IN ({demo_users})"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DELETE FROM challenges WHERE demand_id IN ({demo_demands})")).execute(&mut *tx).await?;
    let demands = sqlx::query(&format!("DELETE FROM demands WHERE id IN ({demo_demands})"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let removable_users = format!(
        "{demo_users} AND id NOT IN (SELECT created_by FROM achievements UNION SELECT created_by FROM demands \
         UNION SELECT created_by FROM contracts UNION SELECT created_by FROM contract_revisions \
         UNION SELECT broker_user_id FROM contracts WHERE broker_user_id IS NOT NULL \
         UNION SELECT decided_by FROM contracts WHERE decided_by IS NOT NULL \
         UNION SELECT cancelled_by FROM contract_cancellations UNION SELECT recorded_by FROM contract_share_payments \
         UNION SELECT broker_user_id FROM deals UNION SELECT created_by FROM deals \
         UNION SELECT answered_by FROM deal_parties WHERE answered_by IS NOT NULL \
         UNION SELECT actor_user_id FROM deal_events WHERE actor_user_id IS NOT NULL \
         UNION SELECT created_by FROM deal_meetings \
         UNION SELECT user_id FROM deal_meeting_participants WHERE user_id IS NOT NULL \
         UNION SELECT created_by FROM salons UNION SELECT user_id FROM salon_signups UNION SELECT created_by FROM webhooks)"
    );
    sqlx::query(&format!("DELETE FROM inbox_messages WHERE user_id IN ({removable_users})")).execute(&mut *tx).await?;
    sqlx::query(&format!("DELETE FROM sessions WHERE user_id IN ({removable_users})")).execute(&mut *tx).await?;
    sqlx::query(&format!("DELETE FROM api_tokens WHERE user_id IN ({removable_users})")).execute(&mut *tx).await?;
    let users = sqlx::query(&format!("DELETE FROM users WHERE id IN ({removable_users})"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let in_use = "SELECT organisation_id FROM users WHERE organisation_id IS NOT NULL \
         UNION SELECT organisation_id FROM achievements UNION SELECT organisation_id FROM demands \
         UNION SELECT seller_organisation_id FROM contracts \
         UNION SELECT buyer_organisation_id FROM contracts WHERE buyer_organisation_id IS NOT NULL \
         UNION SELECT agency_organisation_id FROM contracts WHERE agency_organisation_id IS NOT NULL \
         UNION SELECT buyer_organisation_id FROM deals WHERE buyer_organisation_id IS NOT NULL \
         UNION SELECT seller_organisation_id FROM deals WHERE seller_organisation_id IS NOT NULL \
         UNION SELECT agency_organisation_id FROM deals WHERE agency_organisation_id IS NOT NULL \
         UNION SELECT organisation_id FROM deal_parties \
         UNION SELECT agency_organisation_id FROM salons WHERE agency_organisation_id IS NOT NULL \
         UNION SELECT organisation_id FROM pricing_notices UNION SELECT organisation_id FROM offerings \
         UNION SELECT organisation_id FROM offering_intents UNION SELECT organisation_id FROM auction_bidders \
         UNION SELECT seller_organisation_id FROM auctions";
    let kept: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM organisations WHERE is_demo = 1 AND id IN ({in_use})"
    ))
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "DELETE FROM organisation_qualifications WHERE organisation_id IN (SELECT id FROM organisations WHERE is_demo = 1 AND id NOT IN ({in_use}))"
    ))
    .execute(&mut *tx)
    .await?;
    let gone = format!("SELECT id FROM organisations WHERE is_demo = 1 AND id NOT IN ({in_use})");
    sqlx::query(&format!(
        "DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM webhooks WHERE organisation_id IN ({gone}))"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DELETE FROM webhooks WHERE organisation_id IN ({gone})")).execute(&mut *tx).await?;
    let organisations = sqlx::query(&format!("DELETE FROM organisations WHERE is_demo = 1 AND id NOT IN ({in_use})"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let removed = Removed { contracts, achievements, demands, users, organisations, kept_organisations: kept as u64 };
    let details = json!({
        "contracts": contracts,
        "achievements": achievements,
        "demands": demands,
        "users": users,
        "organisations": organisations,
        "kept_organisations": kept,
    });
    audit::append(&mut tx, db.backend(), &NewAuditEvent::system("demo.removed", "demo", "district", details)).await?;
    tx.commit().await?;
    Ok(removed)
}
