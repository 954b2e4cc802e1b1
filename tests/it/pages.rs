//! The page shell: home page with live counts, Chinese error pages and JSON errors, security
//! headers, static assets, and no cause ever shown on a 500.

use rocket::http::{ContentType, Header, Status};

use crate::on_both_databases;
use crate::support::{TestApp, has_chinese};

async fn add_organisation(app: &TestApp, name: &str, kind: &str) {
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, nature_code, region_code, created_at, updated_at) VALUES ($1, $2, $3, 'enterprise_private', '620503', 'x', 'x')",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(name)
    .bind(kind)
    .execute(app.db.pool())
    .await
    .expect("insert organisation");
}

fn stat_value<'a>(html: &'a str, kind: &str) -> &'a str {
    let marker = format!("data-kind=\"{kind}\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no card for {kind}"));
    let rest = &html[start..];
    let value_start = rest.find("stat-value\">").expect("value") + "stat-value\">".len();
    let value_end = rest[value_start..].find('<').expect("end");
    &rest[value_start..value_start + value_end]
}

async fn home_page_is_chinese_and_counts_live(app: TestApp) {
    let response = app.get("/").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().await.expect("body");
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("麦积区技术市场服务平台"));
    assert!(html.contains("6.00亿元"), "the configured goal is shown");
    assert_eq!(stat_value(&html, "enterprise"), "0");

    add_organisation(&app, "天水星火机床有限责任公司", "enterprise").await;
    add_organisation(&app, "天水华艺钢构有限公司", "enterprise").await;
    add_organisation(&app, "天水师范学院", "institution").await;
    let html = app.get("/").await.into_string().await.expect("body");
    assert_eq!(stat_value(&html, "enterprise"), "2");
    assert_eq!(stat_value(&html, "institution"), "1");
    assert!(html.contains("入驻单位共 3 家"));
}

async fn unknown_pages_get_a_chinese_404(app: TestApp) {
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().await.expect("body");
    assert!(html.contains("您访问的页面或资源不存在"));
    assert!(html.contains("返回首页"));
    // The code is for machines (kept in an attribute), not shown to people.
    assert!(html.contains("data-error-code=\"not_found\"") && !html.contains("错误代码"));
}

async fn api_errors_use_the_json_envelope(app: TestApp) {
    let response = app.get("/api/v1/no-such-thing").await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let body: serde_json::Value = response.into_json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
    assert!(has_chinese(body["error"]["message"].as_str().expect("message")));

    let health = app.get("/api/v1/health").await;
    assert_eq!(health.status(), Status::Ok);
    let body: serde_json::Value = health.into_json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], app.backend().name());
}

async fn every_response_carries_security_headers(app: TestApp) {
    for uri in ["/", "/no/such/page", "/api/v1/health", "/static/css/site.css"] {
        let response = app.get(uri).await;
        let headers = response.headers();
        let csp = headers.get_one("Content-Security-Policy").unwrap_or_else(|| panic!("{uri}: CSP"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"), "{uri}");
        assert_eq!(headers.get_one("X-Frame-Options"), Some("DENY"), "{uri}");
        assert!(headers.get_one("Referrer-Policy").is_some(), "{uri}");
    }
    let home = app.get("/").await;
    assert_eq!(home.headers().get_one("Cache-Control"), Some("no-store"));
}

async fn static_assets_are_served_locally_with_validators(app: TestApp) {
    let response = app.get("/static/css/site.css").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::CSS));
    let etag = response.headers().get_one("ETag").expect("etag").to_string();
    assert!(response.headers().get_one("Cache-Control").is_some_and(|c| c.contains("max-age")));
    let css = response.into_string().await.expect("css");
    assert!(css.contains("PingFang SC"), "Chinese font stack");
    assert!(!css.contains("http://") && !css.contains("https://"), "no remote resources");

    let again = app.get_with("/static/css/site.css", Header::new("If-None-Match", etag)).await;
    assert_eq!(again.status(), Status::NotModified);
    assert_eq!(app.get("/static/../Cargo.toml").await.status(), Status::NotFound);
    assert_eq!(app.get("/static/css/nope.css").await.status(), Status::NotFound);
}

async fn internal_errors_never_show_their_cause(app: TestApp) {
    // Closing the pool makes every query fail, as a lost database would.
    app.db.close().await;
    let page = app.get("/").await;
    assert_eq!(page.status(), Status::InternalServerError);
    let html = page.into_string().await.expect("body");
    assert!(html.contains("服务器内部错误"));
    for leak in ["pool", "sqlx", "closed", "Pool"] {
        assert!(!html.contains(leak), "a 500 page leaks {leak:?}");
    }
    let api = app.get("/api/v1/health").await;
    assert_eq!(api.status(), Status::InternalServerError);
    let body = api.into_string().await.expect("body");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).expect("json")["error"]["code"], "internal_error");
    assert!(!body.contains("pool") && !body.contains("closed"), "{body}");
}

async fn malformed_json_gets_a_chinese_4xx(app: TestApp) {
    // No JSON route accepts this path yet; the catcher still answers in the envelope.
    let response = app.post_json("/api/v1/health", "{not json").await;
    assert!(response.status().code >= 400 && response.status().code < 500);
    let body: serde_json::Value = response.into_json().await.expect("json");
    assert!(has_chinese(body["error"]["message"].as_str().expect("message")));
}

on_both_databases!(
    home_page_is_chinese_and_counts_live,
    unknown_pages_get_a_chinese_404,
    api_errors_use_the_json_envelope,
    every_response_carries_security_headers,
    static_assets_are_served_locally_with_validators,
    internal_errors_never_show_their_cause,
    malformed_json_gets_a_chinese_4xx,
);

/// The CSP (`script-src 'self'`) blocks inline event handlers in a real browser: no template has one.
#[test]
fn no_template_carries_an_inline_event_handler() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("templates") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "hbs") {
                let text = std::fs::read_to_string(&path).expect("template");
                let lower = text.to_ascii_lowercase();
                for (at, _) in lower.match_indices(" on") {
                    let name: String = lower[at + 3..].chars().take_while(|c| c.is_ascii_lowercase()).collect();
                    if !name.is_empty() && lower[at + 3 + name.len()..].starts_with('=') {
                        found.push(format!("{}: on{name}=", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates").as_path(), &mut found);
    assert!(found.is_empty(), "inline handlers: {found:?}");
}

/// The site's CSP (`script-src 'self'`) blocks inline handlers: a template with `onchange=`,
/// `onclick=` … would do nothing in a browser. None may have one (nor a `javascript:` link).
#[test]
fn no_template_has_an_inline_handler() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("templates") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("template").to_ascii_lowercase();
            let bytes = text.as_bytes();
            for (at, _) in text.match_indices(" on") {
                let name: String = text[at + 3..].chars().take_while(|c| c.is_ascii_lowercase()).collect();
                let after = at + 3 + name.len();
                if !name.is_empty() && bytes.get(after) == Some(&b'=') {
                    found.push(format!("{}: on{name}=", path.display()));
                }
            }
            if text.contains("javascript:") {
                found.push(format!("{}: javascript:", path.display()));
            }
        }
    }
    let mut found = Vec::new();
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")), &mut found);
    assert!(found.is_empty(), "inline handlers the CSP blocks: {found:?}");
}
