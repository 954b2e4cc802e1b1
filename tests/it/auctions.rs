//! 网络竞价 through HTTP, on both databases: only qualified enterprises bid (never the seller),
//! bids before the start, after the end and below the increment are refused in Chinese; many
//! bidders racing leave a strictly increasing sequence with one winner, the last valid bid; a bid
//! from the boundary second of the anti-sniping window extends the end; the reserve decides sold
//! or unsold; the live stream delivers a bid; a sold auction drafts its contract.

use std::time::Duration as StdDuration;

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};
use techmarket::domain::time::{parse_stored, to_stored};
use time::{Duration, OffsetDateTime};
use tokio::io::AsyncReadExt;

use crate::achievements::{post_json, published_listing};
use crate::deals::{cast, count, get_json, page};
use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};
use crate::trading::{json_of, second_enterprise};

async fn create(admin: &Client, listing: &str, starts: OffsetDateTime, reserve: Option<&str>) -> String {
    let body = json!({"achievement_id": listing, "opening_price": "10", "increment": "1", "reserve_price": reserve,
        "starts_at": to_stored(starts), "ends_at": to_stored(starts + Duration::hours(2)), "extend_minutes": 5,
        "rules": "保证金 5 万元，成交后 30 日内付清"});
    let (status, created) = json_of(post_json(admin, "/api/v1/auctions", &body).await).await;
    assert_eq!(status, Status::Created, "{created}");
    created["auction"]["id"].as_str().expect("id").to_string()
}

async fn qualify(admin: &Client, auction: &str, org: &str) -> Status {
    post_json(
        admin,
        &format!("/api/v1/auctions/{auction}/bidders"),
        &json!({"organisation_id": org, "note": "保证金已到账"}),
    )
    .await
    .status()
}

async fn bid(client: &Client, auction: &str, amount: &str) -> (Status, Value) {
    json_of(post_json(client, &format!("/api/v1/auctions/{auction}/bids"), &json!({"amount": amount})).await).await
}

/// Moves the auction's window: it started `started` ago and ends `ends_in` from now.
async fn set_window(app: &TestApp, auction: &str, started: Duration, ends_in: Duration) {
    let now = OffsetDateTime::now_utc();
    sqlx::query("UPDATE auctions SET starts_at = $1, scheduled_end_at = $2, ends_at = $2 WHERE id = $3")
        .bind(to_stored(now - started))
        .bind(to_stored(now + ends_in))
        .bind(auction)
        .execute(app.db.pool())
        .await
        .expect("the clock moves");
}

async fn bids_are_judged_in_one_transaction_and_the_last_valid_bid_wins(app: TestApp) {
    let c = cast(&app).await;
    let listing = published_listing(&c.researcher, &c.admin).await;
    let (second, second_org) = second_enterprise(&app, &c.admin_person).await;
    // Only administrators and agency brokers organise; the form is checked in Chinese.
    let now = OffsetDateTime::now_utc();
    let bad = json!({"achievement_id": listing, "opening_price": "10", "increment": "20", "reserve_price": "5",
        "starts_at": to_stored(now - Duration::hours(1)), "ends_at": "明天", "extend_minutes": 99});
    let (status, error) = json_of(post_json(&c.admin, "/api/v1/auctions", &bad).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in ["increment", "reserve_price", "starts_at", "ends_at", "extend_minutes"] {
        assert!(has_chinese(error["error"]["fields"][field].as_str().unwrap_or_default()), "{field}: {error}");
    }
    let (status, _) = json_of(post_json(&c.researcher, "/api/v1/auctions", &bad).await).await;
    assert_eq!(status, Status::Forbidden);
    let auction = create(&c.admin, &listing, now - Duration::minutes(1), Some("20")).await;

    // Qualification: enterprises only, never the seller.
    assert_eq!(qualify(&c.admin, &auction, &c.seller_org).await, Status::UnprocessableEntity);
    let (status, refused) = bid(&c.enterprise, &auction, "10").await;
    assert_eq!((status, refused["error"]["code"].as_str()), (Status::Forbidden, Some("not_qualified_bidder")));
    assert!(has_chinese(refused["error"]["message"].as_str().unwrap_or_default()));
    assert_eq!(qualify(&c.admin, &auction, &c.buyer_org).await, Status::Created);
    assert_eq!(qualify(&c.admin, &auction, &second_org).await, Status::Created);
    assert_eq!(qualify(&c.admin, &auction, &c.buyer_org).await, Status::Conflict);
    let (status, own) = bid(&c.researcher, &auction, "10").await;
    assert_eq!(
        (status, own["error"]["code"].as_str()),
        (Status::Forbidden, Some("not_qualified_bidder")),
        "the seller never bids"
    );
    let (status, low) = bid(&c.enterprise, &auction, "9.99").await;
    assert_eq!((status, low["error"]["code"].as_str()), (Status::Conflict, Some("bid_too_low")));
    assert!(low["error"]["message"].as_str().unwrap_or_default().contains("10万元"), "{low}");
    let (status, _) = bid(&c.enterprise, &auction, "含\u{1}控制").await;
    assert_eq!(status, Status::BadRequest);

    // The live stream: a snapshot first, then the bid (watched through the bidder's own
    // instance: the hub is per process, and each test client is an instance of its own).
    let stream = c.enterprise.get(format!("/api/v1/auctions/{auction}/events")).dispatch().await;
    assert_eq!(stream.status(), Status::Ok);
    assert_eq!(stream.content_type().map(|t| t.to_string()).unwrap_or_default(), "text/event-stream");
    let mut stream = Box::pin(stream);
    let snapshot = read_until(&mut stream, "event:snapshot").await;
    assert!(snapshot.contains("\"phase\":\"running\""), "{snapshot}");
    let (status, first) = bid(&c.enterprise, &auction, "10").await;
    assert_eq!(status, Status::Created, "{first}");
    let live = read_until(&mut stream, "event:bid").await;
    assert!(live.contains("竞买人 1") && live.contains("\"amount_fen\":10000000"), "{live}");
    drop(stream);

    // Many bidders race: each bids the minimum it last saw; refusals are "too low" only.
    let clients = [&c.enterprise, &second];
    let rounds = clients.iter().map(|client| {
        let auction = auction.clone();
        async move {
            let mut accepted = 0;
            for _ in 0..12 {
                let (_, state) = get_json(client, &format!("/api/v1/auctions/{auction}")).await;
                let next = state["auction"]["next_minimum_wan"].as_str().expect("minimum").to_string();
                let (status, answer) = bid(client, &auction, &next).await;
                match status {
                    Status::Created => accepted += 1,
                    Status::Conflict => assert_eq!(answer["error"]["code"], "bid_too_low", "{answer}"),
                    other => panic!("unexpected {other}: {answer}"),
                }
            }
            accepted
        }
    });
    let accepted: i64 = futures::future::join_all(rounds).await.into_iter().sum::<i64>() + 1;
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT seq, amount_fen, organisation_id FROM auction_bids WHERE auction_id = $1 ORDER BY seq")
            .bind(&auction)
            .fetch_all(app.db.pool())
            .await
            .expect("bids");
    assert_eq!(rows.len() as i64, accepted);
    for pair in rows.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 1, "no gap in the sequence");
        assert!(pair[1].1 >= pair[0].1 + 1_000_000, "each bid beats the last by the increment: {pair:?}");
    }
    let (_, state) = get_json(&c.admin, &format!("/api/v1/auctions/{auction}")).await;
    let last = rows.last().expect("a last bid");
    assert_eq!(state["auction"]["current_price_fen"], last.1);
    assert_eq!(state["auction"]["bid_count"], accepted);
    let audited = count(&app, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = 'auction.bid' AND subject_id = '{auction}'")).await;
    assert_eq!(audited, accepted, "every accepted bid is audited");
    assert!(
        sqlx::query("UPDATE auction_bids SET amount_fen = 1 WHERE auction_id = $1")
            .bind(&auction)
            .execute(app.db.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM auction_bids WHERE auction_id = $1")
            .bind(&auction)
            .execute(app.db.pool())
            .await
            .is_err()
    );
    let (_, history) = get_json(&c.outsider, &format!("/api/v1/auctions/{auction}/bids")).await;
    assert!(history["items"][0]["bidder"].as_str().unwrap_or_default().starts_with("竞买人 "));
    assert!(!history.to_string().contains(&c.buyer_org), "bidders are anonymous");
    assert!(
        state["auction"]["reserve_text"].is_string()
            && c.outsider
                .get(format!("/api/v1/auctions/{auction}"))
                .dispatch()
                .await
                .into_string()
                .await
                .unwrap_or_default()
                .contains("\"reserve_text\":null")
    );

    // Anti-sniping: a bid at the window's first second extends the end by N minutes; one just
    // before it does not.
    set_window(&app, &auction, Duration::hours(1), Duration::minutes(5) - Duration::seconds(2)).await;
    let ends_before =
        parse_stored(state_of(&c.admin, &auction).await["ends_at"].as_str().expect("ends")).expect("time");
    let next = state_of(&c.enterprise, &auction).await["next_minimum_wan"].as_str().expect("min").to_string();
    let (status, extended) = bid(&c.enterprise, &auction, &next).await;
    assert_eq!(status, Status::Created);
    assert_eq!(extended["extended"], true);
    let ends_after = parse_stored(extended["bid"]["ends_at"].as_str().expect("ends")).expect("time");
    assert_eq!(ends_after - ends_before, Duration::minutes(5));
    set_window(&app, &auction, Duration::hours(1), Duration::minutes(5) + Duration::seconds(30)).await;
    let next = state_of(&second, &auction).await["next_minimum_wan"].as_str().expect("min").to_string();
    let (status, plain) = bid(&second, &auction, &next).await;
    assert_eq!(status, Status::Created);
    assert_eq!(plain["extended"], false);

    // The end: bids refused, the auction settles on read — sold (reserve 20万元 met), the winner
    // published, a contract draft for the parties.
    set_window(&app, &auction, Duration::hours(3), -Duration::seconds(1)).await;
    let (status, after) = bid(&c.enterprise, &auction, "1000").await;
    assert_eq!((status, after["error"]["code"].as_str()), (Status::Conflict, Some("auction_not_running")));
    assert!(after["error"]["message"].as_str().unwrap_or_default().contains("已经结束"));
    let (_, sold) = get_json(&c.outsider, &format!("/api/v1/auctions/{auction}")).await;
    assert_eq!(sold["auction"]["status"], "sold", "{sold}");
    assert_eq!(sold["auction"]["winner_organisation_id"], second_org.as_str(), "the last valid bid wins");
    assert!(sold["auction"]["winner_name"].is_string());
    let (status, draft) = page(&second, &format!("/contracts/new?auction={auction}")).await;
    assert_eq!(status, Status::Ok);
    assert!(draft.contains("网络竞价成交"), "{draft}");
    let (status, _) = page(&c.outsider, &format!("/contracts/new?auction={auction}")).await;
    assert_eq!(status, Status::Forbidden);
    let (_, inbox) = get_json(&second, "/api/v1/inbox").await;
    assert!(inbox.to_string().contains("恭喜竞得"), "{inbox}");
    let (status, html) = page(&c.outsider, &format!("/auctions/{auction}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("竞价成交") && html.contains("auction-live.js"), "{html}");
    // The goal dashboard's market activity counts it.
    let (_, market) = get_json(&c.admin, "/api/v1/stats/market").await;
    let trading = &market["market"]["trading"];
    assert_eq!(trading["auctions_sold"], 1, "{market}");
    assert_eq!(trading["sold_fen"], sold["auction"]["current_price_fen"]);
    let (_, dashboard) = page(&c.admin, "/stats/goal").await;
    assert!(dashboard.contains("公示、挂牌与竞价"), "{dashboard}");
}

async fn state_of(client: &Client, auction: &str) -> Value {
    get_json(client, &format!("/api/v1/auctions/{auction}")).await.1["auction"].clone()
}

/// Reads the event stream until the event named by `marker` has arrived whole (at most five
/// seconds).
async fn read_until<R: tokio::io::AsyncRead + Unpin>(stream: &mut R, marker: &str) -> String {
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(5);
    // The whole event: its name, its data and the blank line that ends it.
    while !seen.find(marker).is_some_and(|at| seen[at..].contains("\n\n")) {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .unwrap_or_else(|_| panic!("{marker} did not arrive in time; got {seen:?}"));
        let n = read.expect("read");
        assert!(n > 0, "the stream ended before {marker}: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    seen
}

async fn the_reserve_and_the_clock_decide(app: TestApp) {
    let c = cast(&app).await;
    let listing = published_listing(&c.researcher, &c.admin).await;
    // Before the start: refused.
    let coming = create(&c.admin, &listing, OffsetDateTime::now_utc() + Duration::days(1), None).await;
    assert_eq!(qualify(&c.admin, &coming, &c.buyer_org).await, Status::Created);
    let (status, early) = bid(&c.enterprise, &coming, "10").await;
    assert_eq!((status, early["error"]["code"].as_str()), (Status::Conflict, Some("auction_not_running")));
    assert!(early["error"]["message"].as_str().unwrap_or_default().contains("尚未开始"));
    // Cancelled while no bid: the organiser may; nobody bids after.
    assert_eq!(
        post_json(&c.broker, &format!("/api/v1/auctions/{coming}/cancel"), &json!({})).await.status(),
        Status::Forbidden
    );
    assert_eq!(
        post_json(&c.admin, &format!("/api/v1/auctions/{coming}/cancel"), &json!({})).await.status(),
        Status::Ok
    );
    // Reserve not met → unsold, no contract draft.
    let unsold = create(&c.admin, &listing, OffsetDateTime::now_utc() - Duration::minutes(1), Some("1000")).await;
    assert_eq!(qualify(&c.admin, &unsold, &c.buyer_org).await, Status::Created);
    assert_eq!(bid(&c.enterprise, &unsold, "12").await.0, Status::Created);
    set_window(&app, &unsold, Duration::hours(3), -Duration::seconds(1)).await;
    let events = techmarket::jobs::run_once(&app.db, &reqwest::Client::new(), OffsetDateTime::now_utc()).await;
    assert!(events.iter().any(|e| e.auction_id == unsold && e.status == "unsold"), "the job settles it");
    let (_, state) = get_json(&c.outsider, &format!("/api/v1/auctions/{unsold}")).await;
    assert_eq!(state["auction"]["status"], "unsold");
    assert!(state["auction"]["winner_name"].is_null());
    let (status, _) = page(&c.enterprise, &format!("/contracts/new?auction={unsold}")).await;
    assert_eq!(status, Status::Conflict);
    // A broker runs one for their own agency.
    let broker_run = json!({"achievement_id": listing, "opening_price": "5", "increment": "0.5",
        "starts_at": to_stored(OffsetDateTime::now_utc() + Duration::hours(1)),
        "ends_at": to_stored(OffsetDateTime::now_utc() + Duration::hours(3))});
    let (status, created) = json_of(post_json(&c.broker, "/api/v1/auctions", &broker_run).await).await;
    assert_eq!(status, Status::Created, "{created}");
    assert_eq!(created["may"]["organise"], true);
    let (_, listed) = get_json(&c.outsider, "/api/v1/auctions?finished=true").await;
    assert!(listed.to_string().contains(&unsold));
    let (status, html) = page(&c.outsider, "/auctions").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("流拍") && html.contains("即将开始"), "{html}");
}

on_both_databases!(bids_are_judged_in_one_transaction_and_the_last_valid_bid_wins, the_reserve_and_the_clock_decide);
