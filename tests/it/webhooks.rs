//! The inbox and webhooks through HTTP: messages reach the people a change concerns (and only
//! them), read and read-all; an organisation's webhook receives each event signed with
//! HMAC-SHA256, a receiver failure is retried after the back-off, a restart loses nothing (the
//! queue is a table), a delivery given up can be sent again, and the delivery log shows it all.
//! The receiver is a small HTTP server the test starts on a local port.

use std::sync::{Arc, Mutex};

use rocket::http::Status;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::accounts_support::*;
use crate::achievements::{post_json, published_listing};
use crate::deals::{cast, get_json};
use crate::on_both_databases;
use crate::support::TestApp;

/// What the receiver got: (signature header, event header, body).
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// Starts a receiver on 127.0.0.1 that answers `status` (shared, changeable); returns its URL.
async fn receiver(status: Arc<Mutex<u16>>, received: Received) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (status, received) = (status.clone(), received.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let Ok(read) = socket.read(&mut chunk).await else { return };
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while buffer.len() < head_end + length {
                    let Ok(read) = socket.read(&mut chunk).await else { return };
                    if read == 0 {
                        break;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                }
                let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v.trim().to_string())
                        })
                        .unwrap_or_default()
                };
                let body = String::from_utf8_lossy(&buffer[head_end..]).to_string();
                received.lock().expect("lock").push((
                    header("X-Techmarket-Signature"),
                    header("X-Techmarket-Event"),
                    body,
                ));
                let code = *status.lock().expect("lock");
                let reply = format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{address}/hooks/techmarket")
}

async fn deliveries(app: &TestApp) -> Vec<(String, String, i64, Option<i64>)> {
    sqlx::query_as("SELECT event, status, attempts, last_status FROM webhook_deliveries ORDER BY created_at, id")
        .fetch_all(app.db.pool())
        .await
        .expect("deliveries")
}

async fn inbox_and_signed_webhooks_survive_failures_and_restarts(app: TestApp) {
    let c = cast(&app).await;
    let status = Arc::new(Mutex::new(500u16));
    let received: Received = Arc::default();
    let url = receiver(status.clone(), received.clone()).await;

    // Bad endpoints are refused in Chinese; pending accounts and outsiders get nothing.
    for bad in ["", "ftp://example.com/x", "http://user:pw@example.com/", "不是网址"] {
        let response = post_json(&c.enterprise, "/api/v1/webhooks", &json!({"url": bad})).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{bad}");
        let error = response.into_json::<Value>().await.expect("json");
        assert!(crate::support::has_chinese(error["error"]["fields"]["url"].as_str().unwrap_or_default()));
    }
    let response = post_json(&c.enterprise, "/api/v1/webhooks", &json!({"url": url})).await;
    assert_eq!(response.status(), Status::Created);
    let hook = response.into_json::<Value>().await.expect("json");
    let (hook_id, secret) =
        (hook["id"].as_str().expect("id").to_string(), hook["secret"].as_str().expect("secret").to_string());
    assert!(secret.starts_with("whsec_"));
    let (_, listed) = get_json(&c.enterprise, "/api/v1/webhooks").await;
    assert!(listed["items"][0].get("secret").is_none(), "the secret is shown once");
    assert_eq!(get_json(&c.researcher, &format!("/api/v1/webhooks/{hook_id}/deliveries")).await.0, Status::NotFound);

    // An event for the enterprise's organisation: a deal invites it. Members get an inbox message,
    // the webhook a delivery; nobody else hears of it.
    let achievement = published_listing(&c.researcher, &c.admin).await;
    let body = json!({"title": "冷链保鲜对接", "achievement_ids": [achievement], "buyer_organisation_id": c.buyer_org});
    let response = post_json(&c.broker, "/api/v1/deals", &body).await;
    assert_eq!(response.status(), Status::Created);
    let (_, inbox) = get_json(&c.enterprise, "/api/v1/inbox").await;
    let invitation = inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["topic"] == "deal_invitation")
        .expect("invited")
        .clone();
    assert!(inbox["unread"].as_i64().unwrap_or(0) >= 1);
    let (_, outsider) = get_json(&c.outsider, "/api/v1/inbox").await;
    assert!(outsider["items"].as_array().expect("items").iter().all(|m| m["topic"] != "deal_invitation"));
    // The researcher heard the review outcome of their listing.
    let (_, researcher_inbox) = get_json(&c.researcher, "/api/v1/inbox").await;
    assert!(researcher_inbox["items"].to_string().contains("已通过审核"));
    assert_eq!(deliveries(&app).await, vec![("deal.invited".to_string(), "pending".to_string(), 0, None)]);

    // The receiver fails: retried later, with the answer in the log.
    let http = techmarket::webhooks::delivery::client();
    let now = OffsetDateTime::now_utc();
    let report = techmarket::webhooks::delivery::deliver_due(&app.db, &http, now, 50).await.expect("deliver");
    assert_eq!((report.delivered, report.retrying), (0, 1));
    assert_eq!(deliveries(&app).await, vec![("deal.invited".to_string(), "pending".to_string(), 1, Some(500))]);
    let again = techmarket::webhooks::delivery::deliver_due(&app.db, &http, now + Duration::seconds(10), 50)
        .await
        .expect("deliver");
    assert_eq!(again, Default::default(), "nothing is due before the back-off has passed");

    // A restart in between: the queue is in the database, so the delivery goes out afterwards.
    let app = app.stop_then(|_| async {}).await;
    *status.lock().expect("lock") = 204;
    let report = techmarket::webhooks::delivery::deliver_due(&app.db, &http, now + Duration::minutes(1), 50)
        .await
        .expect("deliver");
    assert_eq!(report.delivered, 1);
    assert_eq!(deliveries(&app).await, vec![("deal.invited".to_string(), "delivered".to_string(), 2, Some(204))]);
    let got = received.lock().expect("lock").clone();
    assert_eq!(got.len(), 2);
    let (signature, event, body) = got.last().expect("delivery").clone();
    assert_eq!(event, "deal.invited");
    assert!(techmarket::webhooks::signing::verify(&secret, &signature, &body), "signed with the endpoint's secret");
    assert!(!techmarket::webhooks::signing::verify("whsec_other", &signature, &body));
    let payload: Value = serde_json::from_str(&body).expect("json body");
    assert_eq!(payload["organisation_id"], c.buyer_org.as_str());
    assert_eq!(payload["data"]["title"], invitation["title"]);

    // Given up after the last attempt; sent again by hand; all in the delivery log.
    *status.lock().expect("lock") = 503;
    // (The people's clients are app instances of their own: they kept working across the restart.)
    let enterprise = &c.enterprise;
    let ping = post_json(enterprise, &format!("/api/v1/webhooks/{hook_id}/ping"), &json!({})).await;
    assert_eq!(ping.status(), Status::Ok);
    let ping_id = ping.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let mut at = now + Duration::minutes(2);
    for _ in 0..techmarket::webhooks::delivery::MAX_ATTEMPTS {
        techmarket::webhooks::delivery::deliver_due(&app.db, &http, at, 50).await.expect("deliver");
        at += Duration::hours(7);
    }
    let (_, log) = get_json(enterprise, &format!("/api/v1/webhooks/{hook_id}/deliveries")).await;
    let entry =
        log["items"].as_array().expect("items").iter().find(|d| d["id"] == ping_id.as_str()).expect("ping").clone();
    assert_eq!(
        (entry["status"].as_str(), entry["attempts"].as_i64(), entry["last_status"].as_i64()),
        (Some("failed"), Some(8), Some(503))
    );
    *status.lock().expect("lock") = 200;
    let retry =
        post_json(enterprise, &format!("/api/v1/webhooks/{hook_id}/deliveries/{ping_id}/retry"), &json!({})).await;
    assert_eq!(retry.status(), Status::Ok);
    let report = techmarket::webhooks::delivery::deliver_due(
        &app.db,
        &http,
        OffsetDateTime::now_utc() + Duration::seconds(1),
        50,
    )
    .await
    .expect("deliver");
    assert_eq!(report.delivered, 1);
    let (status_code, html) = crate::deals::page(enterprise, &format!("/webhooks/{hook_id}")).await;
    assert_eq!(status_code, Status::Ok);
    assert!(html.contains("已送达") && html.contains("ping"));

    // Reading: one message, then all; someone else's message is not found.
    let message = invitation["id"].as_str().expect("id");
    let (code, _) = (post_json(&c.outsider, &format!("/api/v1/inbox/{message}/read"), &json!({})).await.status(), ());
    assert_eq!(code, Status::NotFound);
    let read = post_json(enterprise, &format!("/api/v1/inbox/{message}/read"), &json!({})).await;
    assert_eq!(read.status(), Status::Ok);
    assert_eq!(read.into_json::<Value>().await.expect("json")["read"], true);
    assert_eq!(post_json(enterprise, "/api/v1/inbox/read-all", &json!({})).await.status(), Status::Ok);
    let (_, after) = get_json(enterprise, "/api/v1/inbox?unread=true").await;
    assert_eq!((after["unread"].as_i64(), after["items"].as_array().map(Vec::len)), (Some(0), Some(0)));

    // Removing the endpoint stops what is still pending; the log stays.
    let remove = enterprise
        .delete(format!("/api/v1/webhooks/{hook_id}"))
        .header(rocket::http::Header::new("X-CSRF-Token", csrf_of(enterprise).await))
        .dispatch()
        .await;
    assert_eq!(remove.status(), Status::Ok);
    let (_, listed) = get_json(enterprise, "/api/v1/webhooks").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
    assert!(deliveries(&app).await.len() >= 2);
}

on_both_databases!(inbox_and_signed_webhooks_survive_failures_and_restarts);
