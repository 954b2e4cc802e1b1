//! Static files (CSS, scripts, images) embedded from `static/` and served locally — no CDN.

use std::path::PathBuf;

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{Route, get, routes};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// The `If-None-Match` header, if any.
struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(IfNoneMatch(request.headers().get_one("If-None-Match").map(str::to_string)))
    }
}

/// One embedded file, or a 304 when the client already has it.
struct Asset {
    body: Option<Vec<u8>>,
    content_type: ContentType,
    etag: String,
}

impl<'r> Responder<'r, 'static> for Asset {
    fn respond_to(self, _request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response
            .header(self.content_type)
            .header(Header::new("ETag", self.etag))
            .header(Header::new("Cache-Control", "public, max-age=3600"));
        match self.body {
            Some(body) => response.sized_body(body.len(), std::io::Cursor::new(body)),
            None => response.status(Status::NotModified),
        };
        response.ok()
    }
}

#[get("/<path..>")]
fn asset(path: PathBuf, if_none_match: IfNoneMatch) -> Option<Asset> {
    let name = path.to_str()?.replace('\\', "/");
    let file = StaticFiles::get(&name)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let content_type = ContentType::from_extension(extension).unwrap_or(ContentType::Binary);
    let fresh = if_none_match.0.as_deref() == Some(etag.as_str());
    Some(Asset { body: (!fresh).then(|| file.data.into_owned()), content_type, etag })
}

/// Mounted at `/static`.
pub fn routes() -> Vec<Route> {
    routes![asset]
}
