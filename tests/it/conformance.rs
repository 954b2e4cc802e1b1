//! Every `/api/v1` JSON response the suite receives is held against the OpenAPI document: a
//! field the document does not declare, a wrong type or a missing required field turns the
//! response into a 599 whose body names the difference, so the test that made it fails there.
//! `CONFORMANCE_REPORT_ONLY=1 cargo test --test it -- --nocapture` lists every difference of a
//! whole run (lines starting `CONFORMANCE`) without failing, to update the document in one pass.

use std::io::Cursor;
use std::sync::OnceLock;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Status};
use rocket::{Request, Response};
use serde_json::Value;

/// The fairing test apps attach.
pub struct MatchesTheDocument;

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(techmarket::openapi::document)
}

#[rocket::async_trait]
impl Fairing for MatchesTheDocument {
    fn info(&self) -> Info {
        Info { name: "responses match the OpenAPI document", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let Some(path) = request.uri().path().as_str().strip_prefix("/api/v1") else { return };
        if response.content_type() != Some(ContentType::JSON) || path == "/openapi.json" {
            return;
        }
        let Ok(text) = response.body_mut().to_string().await else { return };
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let found = techmarket::openapi::conformance::violations(
            document(),
            request.method().as_str(),
            path,
            response.status().code,
            &body,
        );
        if found.is_empty() || std::env::var_os("CONFORMANCE_REPORT_ONLY").is_some() {
            if !found.is_empty() {
                eprintln!("CONFORMANCE {}", found.join("\nCONFORMANCE "));
            }
            response.set_sized_body(text.len(), Cursor::new(text));
        } else {
            let report = format!("the response differs from the OpenAPI document:\n{}\n{text}", found.join("\n"));
            eprintln!("{report}");
            response.set_status(Status::new(599));
            response.set_sized_body(report.len(), Cursor::new(report));
        }
    }
}

#[test]
fn the_checker_is_attached_to_every_test_app() {
    let source = include_str!("support.rs");
    let attached = source.matches(".attach(crate::conformance::MatchesTheDocument)").count();
    let built = source.matches("techmarket::app::build(").count();
    assert_eq!(attached, built, "every app the tests build is checked");
}
