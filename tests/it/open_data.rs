//! The open data through HTTP on both databases, as an outside developer mirrors it: pages in
//! modification order without sign-in, never a contact or an unpublished row; `ETag` and 304;
//! `updated_since` returning changes and deletions; Atom feeds read with a feed parser; bulk
//! files equal to the API; the contract statistics without small groups' amounts; the budget.

use std::io::Read as _;

use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::accounts_support::*;
use crate::achievements::{complete_listing, post_json, published_listing};
use crate::challenges::open_terms;
use crate::deals::cast;
use crate::demands::published_demand;
use crate::on_both_databases;
use crate::support::TestApp;

async fn get_json(client: &Client, uri: &str) -> (Status, Value, Option<String>) {
    let response = client.get(uri.to_string()).dispatch().await;
    let status = response.status();
    let etag = response.headers().get_one("ETag").map(str::to_string);
    (status, response.into_json::<Value>().await.unwrap_or(Value::Null), etag)
}

fn ids(page: &Value, list: &str) -> Vec<String> {
    page[list].as_array().expect("list").iter().map(|i| i["id"].as_str().expect("id").to_string()).collect()
}

/// Every record of a dataset, following the cursors.
async fn mirror(client: &Client, dataset: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut uri = format!("/api/v1/open/{dataset}?limit={limit}");
    loop {
        let (status, page, _) = get_json(client, &uri).await;
        assert_eq!(status, Status::Ok, "{page}");
        assert!(page["items"].as_array().expect("items").len() <= limit);
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/api/v1/open/{dataset}?limit={limit}&after={cursor}"),
            None => return items,
        }
    }
}

async fn open_data_is_mirrored_incrementally(app: TestApp) {
    let c = cast(&app).await;
    let first = published_listing(&c.researcher, &c.admin).await;
    // A draft and a listing in review are never published.
    let draft = post_json(&c.researcher, "/api/v1/achievements", &complete_listing()).await;
    let draft = draft.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let demand = published_demand(&c.enterprise, &c.admin).await;
    open_terms(&c.enterprise, &demand).await;
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    let to_stored = techmarket::domain::time::to_stored;
    let salon = json!({"theme": "农产品加工成果对接沙龙", "starts_at": to_stored(start),
        "ends_at": to_stored(start + time::Duration::hours(2)), "venue": "麦积区科技局报告厅", "capacity": 40,
        "online_url": "https://meeting.example.cn/room/8848"});
    assert_eq!(post_json(&c.broker, "/api/v1/salons", &salon).await.status(), Status::Created);
    let anonymous = app.another_client().await;

    let response = anonymous.get("/api/v1/open/achievements").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let etag = response.headers().get_one("ETag").expect("an ETag").to_string();
    assert!(response.headers().get_one("Last-Modified").is_some_and(|d| d.ends_with(" GMT")));
    assert_eq!(response.headers().get_one("Cache-Control"), Some("no-cache"));
    assert_eq!(response.headers().get_one("Access-Control-Allow-Origin"), Some("*"));
    let body = response.into_string().await.expect("body");
    let page: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ids(&page, "items"), vec![first.clone()]);
    assert_eq!(page["licence"], "CC-BY-4.0");
    assert_eq!(page["items"][0]["url"], format!("http://127.0.0.1:8000/achievements/{first}"));
    assert_eq!(page["items"][0]["technical_field_label"], "农业");
    assert_eq!(page["items"][0]["asking_price_fen"], 120_000_000);
    for secret in ["赵老师", "contact", "team", &draft] {
        assert!(!body.contains(secret), "{secret} must not be published: {body}");
    }
    // The same page again with its validator: 304 and no body.
    let again =
        anonymous.get("/api/v1/open/achievements").header(Header::new("If-None-Match", etag.clone())).dispatch().await;
    assert_eq!(again.status(), Status::NotModified);
    assert_eq!(again.headers().get_one("ETag"), Some(etag.as_str()));
    assert!(again.into_string().await.unwrap_or_default().is_empty());

    // Demands and 揭榜挂帅 without their contacts; the challenge's page is the demand's.
    let (_, demands, _) = get_json(&anonymous, "/api/v1/open/demands").await;
    assert_eq!(ids(&demands, "items"), vec![demand.clone()]);
    let text = demands.to_string();
    assert!(!text.contains("钱工") && !text.contains("13893812345"), "{text}");
    let (_, challenges, _) = get_json(&anonymous, "/api/v1/open/challenges").await;
    assert_eq!(ids(&challenges, "items"), vec![demand.clone()]);
    assert_eq!(challenges["items"][0]["reward_fen"], 50 * 1_000_000);
    assert_eq!(challenges["items"][0]["winner_selected"], false);

    let (_, salons, _) = get_json(&anonymous, "/api/v1/open/salons").await;
    assert_eq!(salons["items"][0]["theme"], "农产品加工成果对接沙龙");
    assert_eq!(salons["items"][0]["online"], true);
    assert!(!salons.to_string().contains("meeting.example.cn"), "the meeting link goes to attendees only");

    // Incremental: changes at or after the last seen time, and the withdrawn one as a deletion.
    let since = page["items"][0]["modified_at"].as_str().expect("time").to_string();
    let second = published_listing(&c.outsider, &c.admin).await;
    let withdraw = post_json(&c.researcher, &format!("/api/v1/achievements/{first}/withdraw"), &json!({})).await;
    assert_eq!(withdraw.status(), Status::Ok);
    let (status, changes, changed_etag) =
        get_json(&anonymous, &format!("/api/v1/open/achievements?updated_since={}", encode(&since))).await;
    assert_eq!(status, Status::Ok, "{changes}");
    assert_eq!(ids(&changes, "items"), vec![second.clone()]);
    assert_eq!(ids(&changes, "deleted"), vec![first.clone()]);
    assert_ne!(changed_etag.as_deref(), Some(etag.as_str()));
    let (_, full, _) = get_json(&anonymous, "/api/v1/open/achievements").await;
    assert_eq!(ids(&full, "items"), vec![second.clone()], "a full read leaves withdrawn ones out");
    assert!(full["deleted"].as_array().expect("deleted").is_empty());
    // A date is Beijing midnight; a time far ahead holds nothing.
    let (_, future, _) = get_json(&anonymous, "/api/v1/open/achievements?updated_since=2099-01-01").await;
    assert!(
        future["items"].as_array().expect("items").is_empty() && future["deleted"].as_array().expect("d").is_empty()
    );

    // Pages in modification order, every record once.
    let mut expected = vec![second.clone()];
    for _ in 0..4 {
        expected.push(published_listing(&c.researcher, &c.admin).await);
    }
    let mirrored = mirror(&anonymous, "achievements", 2).await;
    let got: Vec<String> = mirrored.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect();
    assert_eq!(got, expected);
    let times: Vec<&str> = mirrored.iter().map(|r| r["modified_at"].as_str().expect("t")).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Bad parameters are refused in Chinese with a stable code.
    for bad in ["updated_since=yesterday", "updated_since=2026-13-01", "field=nope", "limit=0", "after=%%%"] {
        let (status, body, _) = get_json(&anonymous, &format!("/api/v1/open/achievements?{bad}")).await;
        assert_eq!(status, Status::BadRequest, "{bad}: {body}");
        assert!(crate::support::has_chinese(body["error"]["message"].as_str().unwrap_or_default()), "{body}");
    }
    let (_, by_field, _) = get_json(&anonymous, "/api/v1/open/achievements?field=new_materials").await;
    assert!(by_field["items"].as_array().expect("items").is_empty());

    feeds_list_the_latest_changes(&anonymous, &expected, &first, &demand).await;
    bulk_files_equal_the_api(&c.researcher, &c.admin, &anonymous).await;

    // A demand the enterprise closes leaves both the demands and the 揭榜挂帅 terms.
    let since = demands["items"][0]["modified_at"].as_str().expect("time").to_string();
    let closing = post_json(&c.enterprise, &format!("/api/v1/demands/{demand}/close"), &json!({})).await;
    assert_eq!(closing.status(), Status::Ok);
    for dataset in ["demands", "challenges"] {
        let uri = format!("/api/v1/open/{dataset}?updated_since={}", encode(&since));
        let (_, changes, _) = get_json(&anonymous, &uri).await;
        assert_eq!(ids(&changes, "deleted"), vec![demand.clone()], "{dataset}: {changes}");
        assert!(changes["items"].as_array().expect("items").is_empty());
    }
}

fn encode(text: &str) -> String {
    text.replace(':', "%3A").replace('+', "%2B")
}

async fn feeds_list_the_latest_changes(client: &Client, published: &[String], withdrawn: &str, challenge: &str) {
    let response = client.get("/feeds/achievements.atom").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.headers().get_one("Content-Type"), Some("application/atom+xml; charset=utf-8"));
    let feed: atom_syndication::Feed = response.into_string().await.expect("xml").parse().expect("valid Atom");
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    let mut newest_first: Vec<String> = published.iter().map(|id| format!("urn:uuid:{id}")).collect();
    newest_first.reverse();
    assert_eq!(ids, newest_first);
    assert!(!ids.iter().any(|id| id.ends_with(withdrawn)));
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), "苹果采后保鲜与分级一体化技术");
    assert!(entry.links()[0].href().ends_with(&published[published.len() - 1]));
    assert_eq!(entry.categories()[0].term(), "agriculture");
    assert!(feed.rights().is_some_and(|r| r.as_str().contains("CC-BY-4.0")));

    let other: atom_syndication::Feed = client
        .get("/feeds/achievements.atom?field=new_materials")
        .dispatch()
        .await
        .into_string()
        .await
        .expect("xml")
        .parse()
        .expect("valid Atom");
    assert!(other.entries().is_empty());
    assert!(other.title().as_str().contains("新材料及其应用"));
    let challenges: atom_syndication::Feed =
        client.get("/feeds/challenges.atom").dispatch().await.into_string().await.expect("xml").parse().expect("Atom");
    assert_eq!(challenges.entries().len(), 1);
    assert_eq!(challenges.entries()[0].id(), format!("urn:uuid:{challenge}"));
    let demands: atom_syndication::Feed = client
        .get("/feeds/demands.atom?field=advanced_manufacturing")
        .dispatch()
        .await
        .into_string()
        .await
        .expect("xml")
        .parse()
        .expect("Atom");
    assert_eq!(demands.entries().len(), 1);
    assert_eq!(client.get("/feeds/demands.atom?field=nope").dispatch().await.status(), Status::NotFound);
}

async fn download(client: &Client, uri: &str) -> Vec<u8> {
    let response = client.get(uri.to_string()).dispatch().await;
    assert_eq!(response.status(), Status::Ok, "{uri}");
    response.into_bytes().await.expect("bytes")
}

async fn bulk_files_equal_the_api(researcher: &Client, admin: &Client, anonymous: &Client) {
    assert_eq!(anonymous.get("/open-data/files/manifest.json").dispatch().await.status(), Status::NotFound);
    assert_eq!(post_form(researcher, "/open-data/generate", "").await.status(), Status::Forbidden);
    let response = post_form(admin, "/open-data/generate", "").await;
    assert_eq!(response.status(), Status::SeeOther);
    let manifest: Value =
        serde_json::from_slice(&download(anonymous, "/open-data/files/manifest.json").await).expect("json");
    assert_eq!(manifest["files"].as_array().expect("files").len(), 10);
    let (_, api_manifest, _) = get_json(anonymous, "/api/v1/open/manifest").await;
    assert_eq!(api_manifest, manifest);
    for dataset in ["achievements", "demands", "challenges", "salons", "contracts"] {
        let from_api = if dataset == "contracts" {
            get_json(anonymous, "/api/v1/open/contracts").await.1["items"].as_array().expect("items").clone()
        } else {
            mirror(anonymous, dataset, 100).await
        };
        let gz = download(anonymous, &format!("/open-data/files/{dataset}.jsonl.gz")).await;
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("gzip");
        let from_file: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
        assert_eq!(from_file, from_api, "{dataset}: the bulk file holds what the API serves");
        let csv = download(anonymous, &format!("/open-data/files/{dataset}.csv")).await;
        assert!(csv.starts_with("\u{feff}".as_bytes()), "CSV with BOM");
        let lines = String::from_utf8(csv.clone()).expect("utf-8");
        assert_eq!(
            lines.trim_end().split("\r\n").count(),
            from_api.len() + 1,
            "{dataset}: a header and a row a record"
        );
        for (format, bytes) in [("csv", &csv), ("jsonl.gz", &gz)] {
            let listed = manifest["files"]
                .as_array()
                .expect("files")
                .iter()
                .find(|f| f["dataset"] == dataset && f["format"] == format)
                .expect("listed");
            assert_eq!(listed["records"], from_api.len());
            assert_eq!(listed["bytes"], bytes.len());
            assert_eq!(listed["sha256"], hex::encode(sha2::Sha256::digest(bytes)));
        }
    }
    let header = String::from_utf8(download(anonymous, "/open-data/files/achievements.csv").await).expect("utf-8");
    assert!(header.trim_start_matches('\u{feff}').starts_with("id,url,title,summary,description,keywords,"));
    // Only what the manifest lists is served.
    for name in ["..%2Ftechmarket.db", ".achievements.csv.tmp", "nothing.csv"] {
        assert_eq!(anonymous.get(format!("/open-data/files/{name}")).dispatch().await.status(), Status::NotFound);
    }
    let page = anonymous.get("/open-data").dispatch().await.into_string().await.expect("html");
    for expected in
        ["开放数据", "CC-BY-4.0", "updated_since", "achievements.jsonl.gz", "technical_field_label", "每分钟"]
    {
        assert!(page.contains(expected), "/open-data names {expected}");
    }
}

async fn contract_statistics_hide_small_groups(app: TestApp) {
    // The summary rows registration keeps (contract_totals) as a month of the district shows them.
    for (dimension, value, contracts, total) in [
        ("all", "", 4, 9_000_000),
        ("contract_type", "development", 3, 8_000_000),
        ("contract_type", "service", 1, 1_000_000),
        ("broker", "someone", 4, 9_000_000),
    ] {
        sqlx::query(
            "INSERT INTO contract_totals (dimension, month, seller_region, buyer_region, value, contracts, total_fen, technology_fen) \
             VALUES ($1, '2026-03', '620503', '620502', $2, $3, $4, $4)",
        )
        .bind(dimension)
        .bind(value)
        .bind(contracts)
        .bind(total)
        .execute(app.db.pool())
        .await
        .expect("row");
    }
    let (status, page, _) = get_json(&app.client, "/api/v1/open/contracts?year=2026").await;
    assert_eq!(status, Status::Ok, "{page}");
    let rows = page["items"].as_array().expect("items");
    assert_eq!(rows.len(), 3, "no broker breakdown: {page}");
    assert_eq!(
        rows[0],
        json!({"month": "2026-03", "dimension": "all", "value": "", "value_label": "合计",
        "contracts": 4, "total_fen": 9_000_000, "technology_fen": 9_000_000})
    );
    assert_eq!(rows[1]["value_label"], "技术开发");
    assert_eq!(rows[1]["total_fen"], 8_000_000);
    assert_eq!(rows[2]["contracts"], 1);
    assert_eq!(rows[2]["total_fen"], Value::Null, "a single contract's price is not published");
    let (_, other_year, _) = get_json(&app.client, "/api/v1/open/contracts?year=2025").await;
    assert!(other_year["items"].as_array().expect("items").is_empty());
}

on_both_databases!(open_data_is_mirrored_incrementally, contract_statistics_hide_small_groups);

fn tight_open_budget(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment.merge(("open_data_per_minute", 3))
}

#[rocket::async_test]
async fn open_data_spends_a_per_address_budget() {
    crate::support::run_sqlite_with(tight_open_budget, |app| async move {
        // As the other tests do before their first read: a fresh SQLite app answering within
        // milliseconds of its start, beside other tests, now and then failed to open a new pool
        // connection (SQLITE_CANTOPEN); see the stop's note.
        app.searchable().await;
        for uri in ["/api/v1/open/achievements", "/feeds/demands.atom", "/api/v1/open/salons"] {
            let response = app.client.get(uri).dispatch().await;
            assert_eq!(response.status(), Status::Ok, "{uri}");
            assert_eq!(response.headers().get_one("X-RateLimit-Limit"), Some("3"));
        }
        let refused = app.client.get("/api/v1/open/demands").dispatch().await;
        assert_eq!(refused.status(), Status::TooManyRequests);
        let wait: u64 = refused.headers().get_one("Retry-After").expect("Retry-After").parse().expect("seconds");
        assert!((1..=60).contains(&wait));
        let body: Value = refused.into_json().await.expect("json");
        assert_eq!(body["error"]["code"], "too_many_requests");
        assert_eq!(app.client.get("/achievements").dispatch().await.status(), Status::Ok, "pages are not limited");
    })
    .await;
}
