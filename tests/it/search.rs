//! Search through HTTP on both databases: Chinese and mixed queries (parts of words included),
//! filters and facet counts, publish → findable and withdraw → gone, the database re-check,
//! replay after a crash between the database commit and the index commit, rebuilding a corrupt
//! index, a reindex while serving, and hostile query strings that must never fail.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json};
use crate::demands::complete_demand;
use crate::on_both_databases;
use crate::support::TestApp;

/// Creates, submits and approves an achievement built from the complete one with `changes`.
async fn publish_achievement(owner: &Client, admin: &Client, changes: Value) -> String {
    let mut body = complete_listing();
    for (k, v) in changes.as_object().expect("object") {
        body[k] = v.clone();
    }
    publish(owner, admin, "achievements", &body).await
}

async fn publish(owner: &Client, admin: &Client, kind: &str, body: &Value) -> String {
    let created = post_json(owner, &format!("/api/v1/{kind}"), body).await;
    assert_eq!(created.status(), Status::Created, "{kind} created");
    let id = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    assert_eq!(post_json(owner, &format!("/api/v1/{kind}/{id}/submit"), &json!({})).await.status(), Status::Ok);
    assert_eq!(post_json(admin, &format!("/api/v1/{kind}/{id}/approve"), &json!({})).await.status(), Status::Ok);
    id
}

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), Status::Ok, "search {query}");
    response.into_json().await.expect("json")
}

fn ids(result: &Value) -> Vec<String> {
    result["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

fn facet(result: &Value, name: &str, value: &str) -> u64 {
    result["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["values"].as_array())
        .and_then(|values| values.iter().find(|v| v["value"] == value))
        .map_or(0, |v| v["count"].as_u64().expect("count"))
}

/// An administrator and a researcher and an enterprise, each with a signed-in client.
struct Cast {
    admin: Client,
    researcher: Client,
    enterprise: Client,
}

async fn cast(app: &TestApp) -> Cast {
    let admin = create_admin(app).await;
    let researcher = active(app, &admin, Role::Researcher).await;
    let enterprise = active(app, &admin, Role::Enterprise).await;
    let (a, r, e) = (app.another_client().await, app.another_client().await, app.another_client().await);
    signed_in(&a, &admin).await;
    signed_in(&r, &researcher).await;
    signed_in(&e, &enterprise).await;
    Cast { admin: a, researcher: r, enterprise: e }
}

async fn chinese_and_mixed_queries_find_what_they_should(app: TestApp) {
    let c = cast(&app).await;
    let apple = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    let machine = publish_achievement(
        &c.researcher,
        &c.admin,
        json!({
            "title": "基于5G的数控机床远程运维系统",
            "summary": "通过5G专网采集数控机床主轴振动与温度数据，结合PLC控制实现故障预警，停机时间减少三成。",
            "keywords": "PLC，数控机床，远程运维",
            "problem": "机床突发故障导致停机，维修依赖厂家上门。",
            "advantages": "预警提前量达到四十八小时，改造无需更换控制系统。",
            "technical_field": "advanced_manufacturing",
            "industry_section": "C",
            "asking_price": "300"
        }),
    )
    .await;
    let demand = publish(&c.enterprise, &c.admin, "demands", &complete_demand()).await;
    app.searchable().await;

    for (query, expected) in [
        ("q=%E8%8B%B9%E6%9E%9C", &apple),                          // 苹果
        ("q=%E4%BF%9D%E9%B2%9C", &apple),                          // 保鲜
        ("q=%E9%87%87%E5%90%8E%E4%BF%9D%E9%B2%9C", &apple),        // 采后保鲜 (two words, adjacent)
        ("q=%E8%BF%91%E7%BA%A2%E5%A4%96", &apple),                 // 近红外 (in the summary)
        ("q=%E6%9E%9C%E5%88%86", &apple),                          // 果分: across jieba's words
        ("q=5G%20%E6%95%B0%E6%8E%A7%E6%9C%BA%E5%BA%8A", &machine), // 5G 数控机床
        ("q=PLC", &machine),
        ("q=plc", &machine),
        ("q=%EF%BC%B0%EF%BC%AC%EF%BC%A3", &machine), // ＰＬＣ (full width)
        ("q=%E6%95%B0%E6%8E%A7", &machine),          // 数控: part of 数控机床
        ("q=%E6%9C%BA%E5%BA%8A", &machine),          // 机床
    ] {
        let found = ids(&search(&app, query).await);
        assert!(found.contains(expected), "{query} finds its listing, got {found:?}");
    }
    let both = search(&app, &format!("q={}", encode("数控机床 保鲜"))).await;
    assert_eq!(both["relaxed"], json!(true), "no listing has both words: relaxed to either: {both}");
    let either = ids(&both);
    assert!(either.contains(&apple) && either.contains(&machine), "{either:?}");
    let none = search(&app, "q=%E9%87%8F%E5%AD%90%E5%AF%86%E9%92%A5").await; // 量子密钥
    assert_eq!(none["total"], json!(0));
    let demand_hit = ids(&search(&app, &format!("q={}", encode("数控机床 精度"))).await);
    assert!(demand_hit.contains(&demand) || !demand_hit.is_empty(), "demands are searchable too");
    let page = app.get(&format!("/demands/{demand}")).await.into_string().await.expect("demand page");
    assert!(page.contains("推荐对接的科技成果"), "a demand lists achievements that may answer it");
    assert!(
        page.contains(&format!("/achievements/{machine}")),
        "the machine-tool achievement matches the machine-tool demand"
    );
    let all = search(&app, "").await;
    assert_eq!(all["total"], json!(3), "an empty query lists everything public");
    assert_eq!(all["sort"], json!("newest"), "without words the newest come first");
}

async fn filters_and_facets_count_correctly(app: TestApp) {
    let c = cast(&app).await;
    let apple = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    let cheap = publish_achievement(
        &c.researcher,
        &c.admin,
        json!({"title": "苹果园水肥一体化智能灌溉技术", "asking_price": "30", "trl": "5", "stage": "small_pilot"}),
    )
    .await;
    let machine = publish_achievement(
        &c.researcher,
        &c.admin,
        json!({"title": "苹果分选机器人视觉系统", "technical_field": "electronic_information", "industry_section": "C", "asking_price": "500"}),
    )
    .await;
    let demand = publish(&c.enterprise, &c.admin, "demands", &complete_demand()).await;
    app.searchable().await;

    let q = format!("q={}&facets=true", encode("苹果"));
    let all = search(&app, &q).await;
    assert_eq!(all["total"], json!(3));
    assert_eq!(facet(&all, "kind", "achievement"), 3);
    assert_eq!(facet(&all, "technical_field", "agriculture"), 2);
    assert_eq!(facet(&all, "technical_field", "electronic_information"), 1);
    assert_eq!(facet(&all, "stage", "small_pilot"), 1);
    let labels: Vec<&str> =
        all["facets"].as_array().expect("facets").iter().map(|f| f["label"].as_str().expect("label")).collect();
    assert!(labels.contains(&"技术领域") && labels.contains(&"类别"), "{labels:?}");
    let region =
        all["facets"].as_array().expect("facets").iter().find(|f| f["name"] == "region").expect("region facet");
    assert_eq!(region["values"][0]["label"], json!("麦积区（620503）"), "counties are named");

    let narrowed = search(&app, &format!("{q}&field=agriculture")).await;
    assert_eq!(narrowed["total"], json!(2));
    assert_eq!(facet(&narrowed, "technical_field", "electronic_information"), 0);
    let priced = search(&app, &format!("{q}&min=100&max=200")).await;
    assert_eq!(ids(&priced), vec![apple.clone()], "only the 120万 listing is within 100–200万");
    let by_price = search(&app, &format!("{q}&sort=price_asc")).await;
    assert_eq!(ids(&by_price), vec![cheap.clone(), apple.clone(), machine.clone()]);
    let by_price = search(&app, &format!("{q}&sort=price_desc")).await;
    assert_eq!(ids(&by_price), vec![machine.clone(), apple.clone(), cheap.clone()]);
    let trl = search(&app, &format!("{q}&trl=6")).await;
    assert_eq!(trl["total"], json!(2), "TRL 5 is below 6");
    let recent = search(&app, &format!("{q}&within=7")).await;
    assert_eq!(recent["total"], json!(3), "all published today");
    let demands_only = search(&app, "kind=demand&facets=true").await;
    assert_eq!(ids(&demands_only), vec![demand]);
    assert_eq!(facet(&demands_only, "kind", "demand"), 1);
    let paged = search(&app, &format!("{q}&per_page=2&page=2")).await;
    assert_eq!(paged["hits"].as_array().expect("hits").len(), 1);
    assert_eq!(paged["total"], json!(3));

    for bad in ["page=abc", "per_page=-1", "sort=cheapest", "min=abc", "min=300&max=100", "trl=high", "page=99999"] {
        let response = app.get(&format!("/api/v1/search?q=x&{bad}")).await;
        assert_eq!(response.status(), Status::BadRequest, "{bad}");
        let body: Value = response.into_json().await.expect("json");
        assert_eq!(body["error"]["code"], json!("invalid_parameter"), "{bad}");
        assert!(crate::support::has_chinese(body["error"]["message"].as_str().expect("message")));
    }
}

async fn publish_makes_findable_and_withdraw_removes(app: TestApp) {
    let c = cast(&app).await;
    let id = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    let q = format!("q={}", encode("苹果"));
    assert_eq!(ids(&search(&app, &q).await), vec![id.clone()]);

    let started = std::time::Instant::now();
    assert_eq!(
        post_json(&c.researcher, &format!("/api/v1/achievements/{id}/withdraw"), &json!({})).await.status(),
        Status::Ok
    );
    // Gone at once: the database re-check hides it even before the index catches up…
    assert!(ids(&search(&app, &q).await).is_empty());
    // …and within a second the index itself no longer holds it.
    app.searchable().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(search(&app, &q).await["total"], json!(0));

    // A row changed behind the index's back (no outbox) is still never shown.
    let other = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    sqlx::query("UPDATE achievements SET status = 'draft' WHERE id = $1")
        .bind(&other)
        .execute(app.db.pool())
        .await
        .expect("update");
    let stale = search(&app, &q).await;
    assert!(ids(&stale).is_empty(), "the index still lists it, the database says no");
}

async fn replay_on_start_catches_up_with_the_database(app: TestApp) {
    let c = cast(&app).await;
    let id = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    drop(c);
    let applied = app.search.applied_seq();
    // The process dies between a database commit and the index commit: the change (and its
    // outbox row) is in the database, the index never saw it.
    let app = app
        .stop_then(|db| async move {
            let mut tx = db.begin_write().await.expect("tx");
            let withdrawn = techmarket::listings::store::set_status::<techmarket::achievements::listing::Achievements>(
                &mut tx,
                &id,
                techmarket::achievements::model::Status::Published,
                techmarket::achievements::model::Status::Withdrawn,
                None,
            )
            .await
            .expect("withdraw");
            assert!(withdrawn);
            tx.commit().await.expect("commit");
            let pending: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM search_outbox WHERE seq > $1")
                .bind(applied)
                .fetch_one(db.pool())
                .await
                .expect("outbox");
            assert_eq!(pending, 1, "one change the index has not applied");
        })
        .await;
    app.searchable().await;
    let index = app.search.generation();
    assert_eq!(index.reader.searcher().num_docs(), 0, "replayed on start: the withdrawn listing left the index");
    assert_eq!(search(&app, &format!("q={}", encode("苹果"))).await["total"], json!(0));
}

async fn an_index_behind_the_pruned_outbox_is_rebuilt(app: TestApp) {
    let c = cast(&app).await;
    let first = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    let second = publish_achievement(&c.researcher, &c.admin, json!({"title": "苹果酒酿造工艺"})).await;
    app.searchable().await;
    drop(c);
    // While this node is down both listings are withdrawn and the outbox is pruned past them.
    let app = app
        .stop_then(|db| async move {
            for id in [&first, &second] {
                let mut tx = db.begin_write().await.expect("tx");
                techmarket::listings::store::set_status::<techmarket::achievements::listing::Achievements>(
                    &mut tx,
                    id,
                    techmarket::achievements::model::Status::Published,
                    techmarket::achievements::model::Status::Withdrawn,
                    None,
                )
                .await
                .expect("withdraw");
                tx.commit().await.expect("commit");
            }
            let pruned = techmarket::search::outbox::prune(&db, "9999-01-01T00:00:00Z").await.expect("prune");
            assert!(pruned > 0);
        })
        .await;
    app.searchable().await;
    assert_eq!(app.search.generation().reader.searcher().num_docs(), 0, "rebuilt from the tables, not replayed");
    assert_eq!(search(&app, &format!("q={}", encode("苹果"))).await["total"], json!(0));
}

async fn a_corrupt_index_is_rebuilt(app: TestApp) {
    let c = cast(&app).await;
    let id = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    drop(c);
    let index_dir = app.dir.path().join("index");
    let current = std::fs::read_to_string(index_dir.join("CURRENT")).expect("CURRENT");
    let broken = index_dir.join(current.trim()).join("meta.json");
    let app = app.stop_then(|_| async move { std::fs::write(broken, b"{ not json").expect("corrupt") }).await;
    app.searchable().await;
    assert_eq!(ids(&search(&app, &format!("q={}", encode("苹果"))).await), vec![id.clone()], "rebuilt from the tables");
    let now = std::fs::read_to_string(index_dir.join("CURRENT")).expect("CURRENT");
    assert_ne!(now.trim(), current.trim(), "a new generation");
    assert!(!index_dir.join(current.trim()).exists(), "the broken one is removed");

    // A pointer to an index of another schema version (or none at all) also means a rebuild.
    let pointer = index_dir.join("CURRENT");
    let app = app.stop_then(|_| async move { std::fs::write(pointer, b"g-1-v0").expect("point elsewhere") }).await;
    app.searchable().await;
    assert_eq!(ids(&search(&app, &format!("q={}", encode("苹果"))).await), vec![id]);
}

async fn reindex_while_serving_hands_over(app: TestApp) {
    let c = cast(&app).await;
    let first = publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    let index_dir = app.dir.path().join("index");
    let before = std::fs::read_to_string(index_dir.join("CURRENT")).expect("CURRENT");
    let rebuilt = techmarket::search::rebuild::rebuild(&app.db, &index_dir, &|_, _| {}).await.expect("rebuild");
    assert_eq!(rebuilt.reader.searcher().num_docs(), 1);
    drop(rebuilt);
    let second = publish_achievement(&c.researcher, &c.admin, json!({"title": "苹果醋发酵工艺"})).await;
    app.searchable().await;
    let mut found = ids(&search(&app, &format!("q={}", encode("苹果"))).await);
    found.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(found, expected, "the server moved to the new index and kept applying changes");
    let after = std::fs::read_to_string(index_dir.join("CURRENT")).expect("CURRENT");
    assert_ne!(before, after);
}

async fn no_query_string_makes_search_fail(app: TestApp) {
    let c = cast(&app).await;
    publish_achievement(&c.researcher, &c.admin, json!({})).await;
    app.searchable().await;
    let long = "苹果".repeat(1000);
    let hostile = [
        "\"苹果",
        "(苹果",
        "苹果)",
        "[a TO z]",
        "title:苹果",
        "*",
        "?",
        "苹果*",
        "-苹果",
        "+",
        "AND OR NOT",
        "\\",
        "'",
        "'; DROP TABLE achievements; --",
        "🍎🍏",
        "苹果🍎",
        "%",
        "_",
        "{}",
        "<script>alert(1)</script>",
        long.as_str(),
        " ",
        "a:b:c",
        "~2",
        "^3",
        "!",
        "/",
        "\u{3000}",
        "\u{200b}",
    ];
    for q in hostile {
        for path in ["/api/v1/search?q=", "/search?q="] {
            let response = app.get(&format!("{path}{}", encode(q))).await;
            assert_eq!(response.status(), Status::Ok, "{path}{q}");
        }
    }
    let page =
        app.get(&format!("/search?q={}", encode("<script>alert(1)</script>"))).await.into_string().await.expect("page");
    assert!(!page.contains("<script>alert(1)"), "the query is escaped on the page");
    let raw = app.get("/api/v1/search?q=%FF%FE").await;
    assert!(raw.status() == Status::Ok || raw.status().code == 400 || raw.status().code == 422, "{}", raw.status());
}

async fn the_search_page_shows_facets_and_highlights(app: TestApp) {
    let c = cast(&app).await;
    publish_achievement(&c.researcher, &c.admin, json!({})).await;
    publish_achievement(&c.researcher, &c.admin, json!({"title": "苹果<b>加工</b>&副产物利用技术"})).await;
    publish(&c.enterprise, &c.admin, "demands", &complete_demand()).await;
    app.searchable().await;
    let page = app.get(&format!("/search?q={}", encode("苹果"))).await;
    assert_eq!(page.status(), Status::Ok);
    let html = page.into_string().await.expect("html");
    assert!(html.contains("<b>苹果</b>"), "matched words are marked");
    assert!(html.contains("&lt;b&gt;加工&lt;/b&gt;&amp;"), "stored text is escaped, only our marks are HTML");
    assert!(html.contains("技术领域") && html.contains("类别") && html.contains("科技成果"), "facets with labels");
    assert!(html.contains("共找到"), "the total");
    let empty = app.get(&format!("/search?q={}", encode("量子 密钥"))).await.into_string().await.expect("html");
    assert!(empty.contains("没有找到") && empty.contains("只搜其中一个词"), "help when nothing matches");
    let filtered =
        app.get(&format!("/search?q={}&kind=demand", encode("苹果"))).await.into_string().await.expect("html");
    assert!(filtered.contains("不限"), "a chosen facet can be cleared");
    let bad = app.get("/search?page=0x").await;
    assert_eq!(bad.status(), Status::BadRequest);
    assert!(crate::support::has_chinese(&bad.into_string().await.expect("page")));
}

async fn a_bulk_import_is_searchable_and_audited(app: TestApp) {
    let c = cast(&app).await;
    drop(c);
    let (user, organisation): (String, String) =
        sqlx::query_as("SELECT id, organisation_id FROM users WHERE role = 'researcher'")
            .fetch_one(app.db.pool())
            .await
            .expect("researcher");
    // More rows than one multi-row statement holds, so several statements share a transaction.
    let items: Vec<(String, techmarket::achievements::model::Achievement)> = (0..37)
        .map(|i| {
            let mut input: techmarket::achievements::model::AchievementInput =
                serde_json::from_value(complete_listing()).expect("input");
            input.title = Some(format!("花椒精深加工技术第{i}号"));
            (format!("test:{i}"), techmarket::achievements::model::validate(&input).expect("valid"))
        })
        .collect();
    let ids = techmarket::listings::lifecycle::import_published::<techmarket::achievements::listing::Achievements>(
        &app.db,
        &organisation,
        &user,
        &items,
    )
    .await
    .expect("import");
    assert_eq!(ids.len(), 37);
    app.searchable().await;
    let found = search(&app, &format!("q={}&per_page=50", encode("花椒"))).await;
    assert_eq!(found["total"], json!(37));
    let report = techmarket::audit::verify(&app.db).await.expect("verify");
    assert!(report.first_broken.is_none(), "the chain holds across multi-row inserts");
    let events: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'achievement.imported'")
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(events, 37);
}

/// Listings published one commit at a time leave a segment each; asked (as it does by itself
/// when idle with more than a few), the indexer merges them into one and search still finds all.
async fn segments_are_merged_while_serving(app: TestApp) {
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            publish_achievement(&c.researcher, &c.admin, json!({"title": format!("分段合并测试成果第{n}号")})).await,
        );
        app.searchable().await;
    }
    assert!(app.search.segments() >= 3, "one segment a commit: {}", app.search.segments());
    app.search.merge_soon();
    let started = std::time::Instant::now();
    while app.search.segments() > 1 && started.elapsed() < std::time::Duration::from_secs(20) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.search.segments(), 1, "merged into one");
    let found = search(&app, "q=%E5%88%86%E6%AE%B5%E5%90%88%E5%B9%B6%E6%B5%8B%E8%AF%95").await;
    assert_eq!(found["total"], 3, "{found}");
    // Still written to after the merge.
    publish_achievement(&c.researcher, &c.admin, json!({"title": "分段合并测试成果第3号"})).await;
    app.searchable().await;
    assert_eq!(search(&app, "q=%E5%88%86%E6%AE%B5%E5%90%88%E5%B9%B6%E6%B5%8B%E8%AF%95").await["total"], 4);
}

on_both_databases!(
    segments_are_merged_while_serving,
    a_bulk_import_is_searchable_and_audited,
    chinese_and_mixed_queries_find_what_they_should,
    filters_and_facets_count_correctly,
    publish_makes_findable_and_withdraw_removes,
    replay_on_start_catches_up_with_the_database,
    an_index_behind_the_pruned_outbox_is_rebuilt,
    a_corrupt_index_is_rebuilt,
    reindex_while_serving_hands_over,
    no_query_string_makes_search_fail,
    the_search_page_shows_facets_and_highlights,
);
