//! Demo content: seeded once into an empty database, every listing valid and browsable, and
//! removable without touching real data.

use rocket::http::Status;
use techmarket::auth::password::PasswordHasher;
use techmarket::demo;
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::on_both_databases;
use crate::support::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.expect(sql)
}

async fn seeding_is_idempotent_and_removable(app: TestApp) {
    let hasher = PasswordHasher::default();
    let accounts = demo::seed_if_empty(&app.db, &hasher).await.expect("seed");
    assert_eq!(accounts.len(), 10);
    assert!(accounts.iter().any(|a| a.role == "admin"));
    assert!(accounts.iter().all(|a| a.password.len() >= 16), "generated passwords");
    assert!(demo::seed_if_empty(&app.db, &hasher).await.expect("again").is_empty(), "a second start seeds nothing");
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM organisations").await, 9);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM demands").await, 20);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM challenges").await, 2);
    let board = app.client.get("/challenges").dispatch().await.into_string().await.expect("html");
    assert!(board.contains("高纯石英砂提纯工艺") && board.contains("揭榜中"));
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements").await, 40);
    let public = count(
        &app,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements WHERE status IN ('published','negotiating','transferred')",
    )
    .await;
    assert!(public >= 35, "{public}");

    // The printed accounts work, and the marketplace is browsable.
    let broker = accounts.iter().find(|a| a.role == "broker").expect("broker");
    assert_eq!(sign_in(&app.client, &broker.login, &broker.password).await.status(), Status::SeeOther);
    let list = app.client.get("/achievements").dispatch().await.into_string().await.expect("html");
    assert!(list.contains("花牛苹果近红外无损分级技术"));
    let board = app.client.get("/demands").dispatch().await.into_string().await.expect("html");
    assert!(board.contains("苹果气调库智能控制"));
    let home = app.client.get("/").dispatch().await.into_string().await.expect("html");
    assert!(home.contains("最新科技成果"));

    // Demo contracts give the dashboard movement, and say everywhere that they are demo data.
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE origin = 'demo'").await, 11);
    // The demo broker's deals: five stages, each with its timeline.
    assert_eq!(count(&app, "SELECT CAST(COUNT(DISTINCT stage) AS BIGINT) FROM deals WHERE is_demo = 1").await, 5);
    assert!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deal_events").await >= 14);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM contract_cancellations").await, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM contract_revisions WHERE revision_no = 2").await, 1);
    // The pricing routes: an open 公示 and a closed one, a 挂牌, a running 竞价 and a sold one.
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices WHERE status = 'open'").await, 1);
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM pricing_notices WHERE status = 'closed_clear'").await,
        1
    );
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM offerings WHERE status = 'open'").await, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM auctions WHERE status = 'open'").await, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM auctions WHERE status = 'sold'").await, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM auction_bids").await, 6);
    let totals = techmarket::contracts::totals::stored(&app.db).await.expect("totals");
    assert!(!totals.is_empty());
    assert_eq!(totals, techmarket::contracts::totals::recomputed(&app.db).await.expect("recomputed"));
    // The latest demo contract was registered 8 days ago: that year's figures say they include it.
    let year = (techmarket::domain::time::today_shanghai() - time::Duration::days(8)).year();
    let stats = app.client.get(format!("/stats?year={year}")).dispatch().await.into_string().await.expect("html");
    assert!(stats.contains("演示合同"), "the public figures say they include demo contracts");
    let summary = app.client.get(format!("/api/v1/contracts/summary?year={year}")).dispatch().await;
    let summary = summary.into_json::<serde_json::Value>().await.expect("json");
    assert!(summary["demo_contracts"].as_i64().is_some_and(|n| n > 0));

    // A real person joins a demo organisation; removal keeps that organisation.
    create_admin(&app).await;
    let real = register(&app, Role::Researcher).await;
    let demo_org: String = sqlx::query_scalar("SELECT id FROM organisations WHERE name = '秦州理工学院'")
        .fetch_one(app.db.pool())
        .await
        .expect("org");
    sqlx::query("UPDATE users SET organisation_id = $1 WHERE id = $2")
        .bind(&demo_org)
        .bind(&real.id)
        .execute(app.db.pool())
        .await
        .expect("join");
    let removed = demo::remove(&app.db).await.expect("remove");
    assert_eq!((removed.contracts, removed.achievements, removed.demands, removed.users), (11, 40, 20, 10));
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts").await, 0);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deals").await, 0);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM deal_events").await, 0);
    for table in ["pricing_notices", "offerings", "auctions", "auction_bids", "achievement_appraisals"] {
        assert_eq!(count(&app, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")).await, 0, "{table}");
    }
    assert!(techmarket::contracts::totals::stored(&app.db).await.expect("totals").is_empty(), "no demo amount is left");
    assert_eq!(removed.kept_organisations, 1);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM achievements").await, 0);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM demands").await, 0);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM challenges").await, 0);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE is_demo = 1").await, 0);
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await,
        2,
        "the real admin and researcher stay"
    );
    assert_eq!(
        count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM organisations").await,
        2,
        "the joined demo org and the researcher's own"
    );
    let report = techmarket::audit::verify(&app.db).await.expect("verify");
    assert!(report.first_broken.is_none());
}

async fn nodes_seeding_at_once_seed_once(app: TestApp) {
    // Two nodes starting together on one empty database both find it empty before either has
    // written: the check is repeated inside the seeding transaction, behind a lock.
    let (first, second) = (PasswordHasher::default(), PasswordHasher::default());
    let (a, b) = tokio::join!(demo::seed_if_empty(&app.db, &first), demo::seed_if_empty(&app.db, &second));
    let seeded = [a.expect("first start"), b.expect("second start")];
    assert_eq!(seeded.iter().filter(|accounts| !accounts.is_empty()).count(), 1, "exactly one seeds");
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await, 10);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM organisations").await, 9);
}

on_both_databases!(seeding_is_idempotent_and_removable, nodes_seeding_at_once_seed_once);

#[rocket::async_test]
async fn demo_accounts_work_only_where_demo_content_is_allowed() {
    let reachable = |f: rocket::figment::Figment| f.merge(("address", "0.0.0.0"));
    let app = TestApp::start_with(None, reachable).await;
    let accounts = demo::seed_if_empty(&app.db, &PasswordHasher::default()).await.expect("seed");
    let admin = accounts.iter().find(|a| a.role == "admin").expect("admin");
    let refused = sign_in(&app.client, &admin.login, &admin.password).await;
    assert_eq!(refused.status(), Status::Forbidden, "a demo administrator on a reachable address");
    assert!(refused.into_string().await.unwrap_or_default().contains("演示账号只能在本机"));

    // Explicitly enabled (a training site), the same accounts work.
    let (_, settings) = techmarket::config::load(
        crate::support::test_figment(app.dir.path(), &app.database_url)
            .merge(("address", "0.0.0.0"))
            .merge(("demo_content", true)),
    )
    .expect("settings");
    assert!(settings.demo_allowed());
    let (_, auto) =
        techmarket::config::load(crate::support::test_figment(app.dir.path(), &app.database_url)).expect("settings");
    assert!(auto.demo_allowed(), "the newcomer's loopback start keeps its living demo");
    let (_, off) = techmarket::config::load(
        crate::support::test_figment(app.dir.path(), &app.database_url).merge(("demo_content", "false")),
    )
    .expect("settings");
    assert!(!off.demo_allowed());
    let bad = techmarket::config::load(
        crate::support::test_figment(app.dir.path(), &app.database_url).merge(("demo_content", "maybe")),
    );
    assert!(bad.is_err_and(|e| e.to_string().contains("demo_content")));
}
