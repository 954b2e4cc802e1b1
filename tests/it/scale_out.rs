//! Several nodes on one database, as behind a load balancer: each with its own search index
//! replica, sharing sessions, CSRF tokens and request budgets through the database and the
//! shared cookie key.

use std::time::{Duration, Instant};

use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use techmarket::domain::account::Role;

use crate::accounts_support::{PASSWORD, active, create_admin, encode, signed_in};
use crate::achievements::published_listing;
use crate::support::TestApp;

/// The cookies a browser holds after signing in on `client`'s node.
async fn sign_in_cookies(client: &Client, login: &str) -> Vec<Cookie<'static>> {
    let page = client.get("/login").dispatch().await;
    let mut cookies: Vec<Cookie<'static>> = page.cookies().iter().map(|c| c.clone().into_owned()).collect();
    let html = page.into_string().await.unwrap_or_default();
    let start = html.find("name=\"_csrf\" value=\"").expect("form") + "name=\"_csrf\" value=\"".len();
    let token = &html[start..start + html[start..].find('"').expect("end")];
    let mut request = client.post("/login").header(ContentType::Form).body(format!(
        "_csrf={token}&login={}&password={}",
        encode(login),
        encode(PASSWORD)
    ));
    for cookie in &cookies {
        request = request.cookie(cookie.clone());
    }
    let response = request.dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    for cookie in response.cookies().iter() {
        cookies.retain(|c| c.name() != cookie.name());
        cookies.push(cookie.clone().into_owned());
    }
    cookies
}

fn csrf_in(html: &str) -> String {
    let start = html.find("name=\"_csrf\" value=\"").expect("form") + "name=\"_csrf\" value=\"".len();
    html[start..start + html[start..].find('"').expect("end")].to_string()
}

async fn nodes_share_sessions_csrf_and_the_index(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let (node_a, node_b) = (app.another_client().await, app.another_client().await);

    // A session begun on node A is recognised on node B, and a form token from A works on B.
    let cookies = sign_in_cookies(&node_a, &researcher.login).await;
    let mut account = node_b.get("/account");
    for cookie in &cookies {
        account = account.cookie(cookie.clone());
    }
    let account = account.dispatch().await;
    assert_eq!(account.status(), Status::Ok, "node B knows node A's session");
    let mut page = node_a.get("/account");
    for cookie in &cookies {
        page = page.cookie(cookie.clone());
    }
    let token = csrf_in(&page.dispatch().await.into_string().await.unwrap_or_default());
    let mut post = node_b
        .post("/api/v1/tokens")
        .header(ContentType::JSON)
        .header(Header::new("X-CSRF-Token", token))
        .body(r#"{"name":"跨节点"}"#);
    for cookie in &cookies {
        post = post.cookie(cookie.clone());
    }
    assert_eq!(post.dispatch().await.status(), Status::Created, "node A's CSRF token is valid on node B");

    // Published through node A, found on node B's own index within two seconds.
    let owner = app.another_client().await;
    signed_in(&owner, &researcher).await;
    let reviewer = app.another_client().await;
    signed_in(&reviewer, &admin).await;
    let id = published_listing(&owner, &reviewer).await;
    let started = Instant::now();
    loop {
        let found: Value =
            node_b.get("/api/v1/search?q=%E8%8B%B9%E6%9E%9C").dispatch().await.into_json().await.expect("json");
        if found["hits"].as_array().is_some_and(|hits| hits.iter().any(|h| h["id"] == id.as_str())) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(2), "node B found the listing within 2 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn tight_budget(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment.merge(("writes_per_minute", 4))
}

#[rocket::async_test]
#[cfg_attr(not(postgres_tests), ignore = "runs only with TEST_DATABASE_URL (a PostgreSQL server)")]
async fn the_write_budget_holds_across_nodes() {
    // Only nodes sharing PostgreSQL count together; one SQLite node counts in memory.
    crate::support::run_postgres_with("the_write_budget_holds_across_nodes", tight_budget, |app| async move {
        let (node_a, node_b) = (app.another_client().await, app.another_client().await);
        let mut statuses = Vec::new();
        for node in [&node_a, &node_b, &node_a, &node_b, &node_a] {
            let token = csrf_in(&node.get("/login").dispatch().await.into_string().await.unwrap_or_default());
            let attempt = node
                .post("/login")
                .header(ContentType::Form)
                .body(format!("_csrf={token}&login=13900000000&password=x"))
                .dispatch()
                .await;
            statuses.push(attempt.status().code);
        }
        assert_eq!(statuses, [401, 401, 401, 401, 429], "four writes a minute in all, whichever node takes them");
    })
    .await;
}

crate::on_both_databases!(nodes_share_sessions_csrf_and_the_index);
