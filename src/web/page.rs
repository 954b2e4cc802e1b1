//! A rendered page: the shared page context (site, title, signed-in user …) around a page's
//! own data, inside the one layout. Handlers return `Page`; errors render through the same shell.

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::Templates;
use crate::error::AppError;

/// What every page shows about the platform itself.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// 麦积区
    pub district_name: String,
    /// 麦积区技术市场服务平台
    pub platform_name: String,
    pub region_code: String,
}

impl Site {
    pub fn new(district_name: &str, region_code: &str) -> Site {
        Site {
            district_name: district_name.to_string(),
            platform_name: format!("{district_name}技术市场服务平台"),
            region_code: region_code.to_string(),
        }
    }
}

/// A page to render: which template, its title, its data and the status to answer with.
#[derive(Debug)]
pub struct Page {
    template: &'static str,
    title: String,
    data: Value,
    status: Status,
    notice: Option<Notice>,
}

impl Page {
    pub fn new(template: &'static str, title: impl Into<String>, data: impl Serialize) -> Page {
        Page {
            template,
            title: title.into(),
            data: serde_json::to_value(data).unwrap_or(Value::Null),
            status: Status::Ok,
            notice: None,
        }
    }

    /// Shows the flash message a redirect left, if any.
    pub fn with_flash(mut self, flash: Option<rocket::request::FlashMessage<'_>>) -> Page {
        self.notice = flash.map(|f| Notice { kind: f.kind().to_string(), message: f.message().to_string() });
        self
    }

    pub fn with_notice(mut self, kind: &str, message: impl Into<String>) -> Page {
        self.notice = Some(Notice { kind: kind.to_string(), message: message.into() });
        self
    }

    pub fn with_status(mut self, status: Status) -> Page {
        self.status = status;
        self
    }
}

/// A one-time notice shown at the top of the next page (after a redirect).
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// `success` or `error`.
    pub kind: String,
    pub message: String,
}

/// The context every template sees: `site`, `title`, `path`, `user` (the signed-in user or
/// null), `csrf` (the token every form repeats), `notice`, and `page` (the page's own data).
fn context(request: &Request<'_>, title: &str, data: Value, notice: Option<&Notice>) -> Value {
    let site = request.rocket().state::<Site>();
    let identity = request.local_cache(super::request_state::Identity::default);
    json!({
        "site": site,
        "title": title,
        "path": request.uri().path().as_str(),
        "user": identity.user,
        "unread": request.local_cache(super::request_state::Unread::default).0,
        "csrf": super::request_state::CsrfToken::of(request),
        "notice": notice,
        "page": data,
    })
}

fn html_response(status: Status, html: String) -> response::Result<'static> {
    Response::build().status(status).header(ContentType::HTML).sized_body(html.len(), std::io::Cursor::new(html)).ok()
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let Some(templates) = request.rocket().state::<Templates>() else {
            return AppError::internal("template registry is not managed").respond_to(request);
        };
        match templates.render(self.template, &context(request, &self.title, self.data, self.notice.as_ref())) {
            Ok(html) => html_response(self.status, html),
            Err(error) => AppError::internal(error).respond_to(request),
        }
    }
}

/// The Chinese error page for `error`; falls back to plain HTML if the template itself fails.
pub fn render_error_page(request: &Request<'_>, error: &AppError) -> String {
    let data = json!({
        "status": error.status.code,
        "code": error.code,
        "message": error.message,
        "fields": error.fields,
    });
    let title = format!("{}（{}）", error.message, error.status.code);
    request
        .rocket()
        .state::<Templates>()
        .and_then(|t| t.render("errors/error", &context(request, &title, data, None)).ok())
        .unwrap_or_else(|| {
            format!(
                "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>出错了</title><p>{}</p></html>",
                handlebars::html_escape(&error.message)
            )
        })
}
