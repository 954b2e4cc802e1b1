//! `/open-data`: what is published and how — datasets with every field, formats, the licence,
//! the limits, the bulk files of the last generation and the feeds; the bulk files themselves
//! (`/open-data/files/<name>`); and the administrators' "generate now".

use rocket::fs::NamedFile;
use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::{Request, Route, State, get, post, routes};
use serde_json::{Value, json};

use super::bulk::{self, BulkFile};
use super::http::{OpenBudget, etag_of, http_date, matches};
use crate::auth::AdminUser;
use crate::auth::throttle::OpenDataThrottle;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::open_data::Dataset;
use crate::domain::taxonomy::TechnicalField;
use crate::domain::time::chinese_datetime_text;
use crate::error::{AppError, ErrorCode};
use crate::web::page::Page;

#[get("/")]
async fn index(
    settings: &State<Settings>,
    throttle: &State<OpenDataThrottle>,
    flash: Option<FlashMessage<'_>>,
) -> Page {
    let manifest = bulk::manifest(&settings.data_dir).await;
    let datasets: Vec<Value> = Dataset::ALL
        .iter()
        .map(|d| {
            let files: Vec<&BulkFile> =
                manifest.iter().flat_map(|m| &m.files).filter(|f| f.dataset == d.code()).collect();
            json!({
                "code": d.code(),
                "label": d.label(),
                "fields": d.fields(),
                "incremental": d.incremental(),
                "has_deletions": d.has_deletions(),
                "feed": d.feed(),
                "files": files.iter().map(|f| json!({
                    "name": f.name, "format": f.format, "records": f.records,
                    "size": size_text(f.bytes), "sha256": f.sha256,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let fields: Vec<Value> =
        TechnicalField::ALL.iter().map(|f| json!({"code": f.code(), "label": f.label()})).collect();
    let data = json!({
        "datasets": datasets,
        "technical_fields": fields,
        "generated": manifest.as_ref().map(|m| chinese_datetime_text(&m.generated_at)),
        "licence": super::LICENCE,
        "licence_name": super::LICENCE_NAME,
        "licence_url": super::LICENCE_URL,
        "per_minute": throttle.per_minute,
        "base": settings.mail.public_url,
    });
    Page::new("opendata/index", "开放数据", data).with_flash(flash)
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} 字节"),
    }
}

/// A bulk file, answered conditionally by its manifest checksum.
struct BulkDownload {
    file: Option<NamedFile>,
    etag: String,
    name: String,
    format: String,
    generated_at: String,
    budget: u32,
}

impl<'r> Responder<'r, 'static> for BulkDownload {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let fresh = request.headers().get_one("If-None-Match").is_some_and(|v| matches(v, &self.etag));
        let mut response = match (fresh, self.file) {
            (false, Some(file)) => file.respond_to(request)?,
            _ => rocket::Response::build().status(Status::NotModified).finalize(),
        };
        response.set_header(Header::new("ETag", self.etag));
        response.set_header(Header::new("Cache-Control", "no-cache"));
        response.set_header(Header::new("Access-Control-Allow-Origin", "*"));
        response.set_header(Header::new("X-RateLimit-Limit", self.budget.to_string()));
        if let Some(date) = http_date(&self.generated_at) {
            response.set_header(Header::new("Last-Modified", date));
        }
        if response.status() == Status::Ok {
            let content_type = match self.format.as_str() {
                "csv" => ContentType::new("text", "csv").with_params(("charset", "utf-8")),
                "jsonl.gz" => ContentType::new("application", "gzip"),
                _ => ContentType::JSON,
            };
            response.set_header(content_type);
            response.set_header(Header::new("Content-Disposition", format!("attachment; filename=\"{}\"", self.name)));
        }
        Ok(response)
    }
}

#[get("/files/<name>")]
async fn file(name: &str, settings: &State<Settings>, budget: OpenBudget) -> Result<BulkDownload, AppError> {
    let budget = budget.check()?;
    let not_found =
        || AppError::not_found(ErrorCode::NotFound, "没有这个批量文件（文件名见 /open-data 或 manifest.json）");
    if name == "manifest.json" {
        let manifest = bulk::manifest(&settings.data_dir).await.ok_or_else(not_found)?;
        let path = bulk::directory(&settings.data_dir).join(name);
        let body = tokio::fs::read(&path).await.map_err(|_| not_found())?;
        return Ok(BulkDownload {
            file: NamedFile::open(path).await.ok(),
            etag: etag_of(&body),
            name: name.to_string(),
            format: "json".into(),
            generated_at: manifest.generated_at,
            budget,
        });
    }
    let (path, listed, generated_at) = bulk::listed(&settings.data_dir, name).await.ok_or_else(not_found)?;
    Ok(BulkDownload {
        file: Some(NamedFile::open(path).await.map_err(|_| not_found())?),
        etag: format!("\"{}\"", &listed.sha256[..32]),
        name: listed.name,
        format: listed.format,
        generated_at,
        budget,
    })
}

#[post("/generate")]
async fn generate(db: &State<Db>, settings: &State<Settings>, _admin: AdminUser) -> Flash<Redirect> {
    let back = Redirect::to("/open-data#files");
    match bulk::generate(db, &settings.mail.public_url, &settings.data_dir).await {
        Ok(manifest) => {
            let records: u64 = manifest.files.iter().filter(|f| f.format == "csv").map(|f| f.records).sum();
            Flash::success(back, format!("批量文件已重新生成：共 {records} 条记录"))
        }
        Err(error) => {
            tracing::error!(%error, "generating the open-data files failed");
            Flash::error(back, format!("生成批量文件失败：{error}"))
        }
    }
}

/// Mounted at `/open-data`.
pub fn routes() -> Vec<Route> {
    routes![index, file, generate]
}
