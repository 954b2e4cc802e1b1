//! The OpenAPI document lists exactly the mounted API routes, and is served as JSON.

use std::collections::BTreeSet;

use rocket::http::Status;
use techmarket::openapi::{INTERNAL_PATHS, all_operations};

use crate::on_both_databases;
use crate::support::TestApp;

/// `/api/v1/achievements/<id>?<after>` → (`GET`, `/achievements/{id}`).
fn documented_form(method: &str, uri: &str) -> (String, String) {
    let path = uri.split('?').next().unwrap_or_default().trim_start_matches("/api/v1");
    let path: Vec<String> = path
        .split('/')
        .map(|s| match s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
            None => s.to_string(),
        })
        .collect();
    (method.to_lowercase(), path.join("/"))
}

async fn the_document_covers_every_api_route(app: TestApp) {
    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|r| r.uri.to_string().starts_with("/api/v1"))
        .map(|r| documented_form(r.method.as_str(), &r.uri.to_string()))
        .filter(|(_, path)| !INTERNAL_PATHS.contains(&path.as_str()))
        .collect();
    let documented: BTreeSet<(String, String)> =
        all_operations().map(|o| (o.method.to_string(), o.path.to_string())).collect();
    assert_eq!(mounted, documented, "openapi.rs must list exactly the mounted /api/v1 routes");

    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), Status::Ok);
    let doc: serde_json::Value = response.into_json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    for operation in all_operations() {
        let entry = &doc["paths"][operation.path][operation.method];
        assert!(entry["summary"].is_string(), "{} {}", operation.method, operation.path);
        for reference in
            [entry["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()].into_iter().flatten()
        {
            let name = reference.trim_start_matches("#/components/schemas/");
            assert!(doc["components"]["schemas"][name].is_object(), "missing schema {name}");
        }
    }
}

async fn undocumented_methods_and_media_types_answer_as_documented(app: TestApp) {
    use rocket::http::{ContentType, Header, Method};
    for (method, uri) in
        [(Method::Trace, "/api/v1/health"), (Method::Delete, "/api/v1/health"), (Method::Put, "/api/v1/achievements")]
    {
        let response = app.client.req(method, uri).dispatch().await;
        assert_eq!(response.status(), Status::MethodNotAllowed, "{method} {uri}");
        let allow = response.headers().get_one("Allow").unwrap_or_default().to_string();
        assert!(allow.contains("GET"), "{method} {uri}: Allow {allow}");
        let body: serde_json::Value = response.into_json().await.expect("json");
        assert_eq!(body["error"]["code"], "method_not_allowed");
    }
    assert_eq!(app.get("/api/v1/nothing-here").await.status(), Status::NotFound, "undocumented paths stay 404");

    let admin = crate::accounts_support::create_admin(&app).await;
    let client = app.another_client().await;
    crate::accounts_support::signed_in(&client, &admin).await;
    let token = crate::accounts_support::csrf_of(&client).await;
    let plain = client
        .post("/api/v1/achievements")
        .header(ContentType::Plain)
        .header(Header::new("X-CSRF-Token", token))
        .body("title=x")
        .dispatch()
        .await;
    assert_eq!(plain.status(), Status::UnsupportedMediaType);

    // POST …/challenge sets terms in place: the document says 200, as the server answers.
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.into_json().await.expect("json");
    let responses = &doc["paths"]["/demands/{id}/challenge"]["post"]["responses"];
    assert!(responses["200"].is_object() && responses["201"].is_null(), "{responses}");
}

on_both_databases!(the_document_covers_every_api_route, undocumented_methods_and_media_types_answer_as_documented);
