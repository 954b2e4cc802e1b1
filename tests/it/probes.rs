//! Probes an attacker would send: script in every text field people fill in, read back on every
//! page that shows it (stored XSS must render inert); and other people's ids on every id-taking
//! action (IDOR must be refused, and change nothing).

use rocket::http::Status;
use serde_json::{Value, json};
use techmarket::domain::account::Role;

use crate::accounts_support::{active, create_admin, signed_in};
use crate::achievements::{complete_listing, post_json, published_listing};
use crate::contracts::{complete_contract, put_json_pub};
use crate::demands::{complete_demand, published_demand};
use crate::support::TestApp;

const SCRIPT: &str = "<script>alert('xss')</script>";
const ATTRIBUTE: &str = "\"><img src=x onerror=alert(1)>";

/// The payloads, made valid for a field that needs some length.
fn probe(n: usize) -> String {
    format!("探针{n}{SCRIPT}{ATTRIBUTE}这是一段足够长的说明文字，用来满足最短长度的要求。")
}

fn assert_inert(html: &str, page: &str) {
    // An opened tag is what would run; escaped text (`&lt;img … onerror=…`) is inert.
    for raw in ["<script>alert", "<img src=x", "<b>赵", "\"><img"] {
        assert!(!html.contains(raw), "{page} renders a probe raw: {raw}");
    }
}

async fn stored_script_renders_inert_everywhere(app: TestApp) {
    let admin = create_admin(&app).await;
    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let owner = app.another_client().await;
    signed_in(&owner, &researcher).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let poster = app.another_client().await;
    signed_in(&poster, &enterprise).await;

    let mut listing = complete_listing();
    for (n, field) in
        ["title", "summary", "description", "team", "problem", "advantages", "scenarios"].into_iter().enumerate()
    {
        listing[field] = json!(probe(n));
    }
    listing["title"] = json!(format!("探针{}", &SCRIPT[..20]));
    listing["contact_name"] = json!("<b>赵</b>");
    listing["keywords"] = json!("<img src=x>，探针");
    let created = post_json(&owner, "/api/v1/achievements", &listing).await;
    assert_eq!(created.status(), Status::Created);
    let achievement = created.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    post_json(&owner, &format!("/api/v1/achievements/{achievement}/submit"), &json!({})).await;
    post_json(&admin_client, &format!("/api/v1/achievements/{achievement}/approve"), &json!({})).await;

    let mut demand = complete_demand();
    for (n, field) in ["description", "basis"].into_iter().enumerate() {
        demand[field] = json!(probe(10 + n));
    }
    demand["indicators"] = json!(format!("检测深度{SCRIPT}：≥300 mm"));
    demand["title"] = json!(format!("需求探针{}", &ATTRIBUTE[..12]));
    let posted = post_json(&poster, "/api/v1/demands", &demand).await;
    assert_eq!(posted.status(), Status::Created);
    let demand_id = posted.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    post_json(&poster, &format!("/api/v1/demands/{demand_id}/submit"), &json!({})).await;
    post_json(&admin_client, &format!("/api/v1/demands/{demand_id}/approve"), &json!({})).await;

    let buyer_org = crate::contracts::org_of(&app, &enterprise).await;
    let mut contract = complete_contract(&buyer_org);
    contract["title"] = json!(format!("合同探针{}", &SCRIPT[..20]));
    contract["subject"] = json!(probe(20));
    contract["payment_terms"] = json!(probe(21));
    let drafted = post_json(&owner, "/api/v1/contracts", &contract).await;
    assert_eq!(drafted.status(), Status::Created);
    let contract_id = drafted.into_json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    app.searchable().await;

    let pages = [
        (&owner, format!("/achievements/{achievement}")),
        (&owner, "/achievements".to_string()),
        (&owner, "/achievements/mine".to_string()),
        (&owner, format!("/achievements/{achievement}/edit")),
        (&owner, format!("/demands/{demand_id}")),
        (&owner, "/demands".to_string()),
        (&owner, "/search?q=%E6%8E%A2%E9%92%88".to_string()),
        (&owner, "/".to_string()),
        (&owner, format!("/contracts/{contract_id}")),
        (&owner, format!("/contracts/{contract_id}/print")),
        (&owner, format!("/contracts/{contract_id}/edit")),
        (&owner, "/contracts".to_string()),
        (&poster, "/demands/mine".to_string()),
        (&admin_client, format!("/achievements/{achievement}")),
        (&admin_client, format!("/contracts/{contract_id}")),
    ];
    for (client, page) in pages {
        let response = client.get(page.clone()).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{page}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("探针"), "{page} shows the probed content");
        assert_inert(&html, &page);
    }
}

async fn other_peoples_ids_are_refused(app: TestApp) {
    let admin = create_admin(&app).await;
    let admin_client = app.another_client().await;
    signed_in(&admin_client, &admin).await;
    let (alice, mallory) = (active(&app, &admin, Role::Researcher).await, active(&app, &admin, Role::Researcher).await);
    let (a, m) = (app.another_client().await, app.another_client().await);
    signed_in(&a, &alice).await;
    signed_in(&m, &mallory).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let poster = app.another_client().await;
    signed_in(&poster, &enterprise).await;

    let draft =
        post_json(&a, "/api/v1/achievements", &complete_listing()).await.into_json::<Value>().await.expect("json");
    let draft_id = draft["id"].as_str().expect("id").to_string();
    let published = published_listing(&a, &admin_client).await;
    let demand = published_demand(&poster, &admin_client).await;
    let buyer_org = crate::contracts::org_of(&app, &enterprise).await;
    let contract = post_json(&a, "/api/v1/contracts", &complete_contract(&buyer_org)).await.into_json::<Value>().await;
    let contract_id = contract.expect("json")["id"].as_str().expect("id").to_string();
    let token = post_json(&a, "/api/v1/tokens", &json!({"name": "私人令牌"})).await.into_json::<Value>().await;
    let token_id = token.expect("json")["id"].as_str().expect("id").to_string();

    let mut retitled = complete_listing();
    retitled["title"] = json!("被他人改掉的标题");
    let attempts = [
        ("GET", format!("/api/v1/achievements/{draft_id}"), json!(null)),
        ("PATCH", format!("/api/v1/achievements/{draft_id}"), json!({"title": "被他人改掉的标题", "version": 1})),
        ("POST", format!("/api/v1/achievements/{draft_id}/submit"), json!({})),
        ("POST", format!("/api/v1/achievements/{published}/withdraw"), json!({})),
        ("POST", format!("/api/v1/demands/{demand}/close"), json!({})),
        (
            "POST",
            format!("/api/v1/demands/{demand}/challenge"),
            json!({"reward": "10", "apply_from": "2026-01-01", "apply_until": "2026-02-01"}),
        ),
        ("GET", format!("/api/v1/contracts/{contract_id}"), json!(null)),
        ("PUT", format!("/api/v1/contracts/{contract_id}"), complete_contract(&buyer_org)),
        ("POST", format!("/api/v1/contracts/{contract_id}/submit"), json!({})),
        ("GET", format!("/api/v1/contracts/{contract_id}/revisions"), json!(null)),
        ("DELETE", format!("/api/v1/tokens/{token_id}"), json!(null)),
    ];
    for (method, uri, body) in &attempts {
        let response = match *method {
            "GET" => m.get(uri.clone()).dispatch().await,
            "PUT" => put_json_pub(&m, uri, body).await,
            "PATCH" | "DELETE" => {
                let token = crate::accounts_support::csrf_of(&m).await;
                let request = if *method == "PATCH" { m.patch(uri.clone()) } else { m.delete(uri.clone()) };
                request
                    .header(rocket::http::ContentType::JSON)
                    .header(rocket::http::Header::new("X-CSRF-Token", token))
                    .body(body.to_string())
                    .dispatch()
                    .await
            }
            _ => post_json(&m, uri, body).await,
        };
        assert!(
            matches!(response.status().code, 403 | 404),
            "{method} {uri} by another user answered {}",
            response.status()
        );
    }
    // Nothing moved.
    let still: Value =
        a.get(format!("/api/v1/achievements/{draft_id}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(still["status"], "draft");
    assert_ne!(still["title"], "被他人改掉的标题");
    let tokens: Value = a.get("/api/v1/tokens").dispatch().await.into_json().await.expect("json");
    assert_eq!(tokens["items"].as_array().map(Vec::len), Some(1), "the token survived");
    let contract: Value =
        a.get(format!("/api/v1/contracts/{contract_id}")).dispatch().await.into_json().await.expect("json");
    assert_eq!(contract["status"], "draft");
}

crate::on_both_databases!(stored_script_renders_inert_everywhere, other_peoples_ids_are_refused);
