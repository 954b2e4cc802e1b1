//! An `.ics` download: `text/calendar`, offered as a file named after what it is.

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

/// The calendar text and the file name (ASCII) the browser saves it as.
#[derive(Debug)]
pub struct CalendarFile {
    pub file_name: String,
    pub body: String,
}

impl<'r> Responder<'r, 'static> for CalendarFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::new("text", "calendar").with_params(("charset", "utf-8")))
            .header(Header::new("Content-Disposition", format!("attachment; filename=\"{}\"", self.file_name)))
            .sized_body(self.body.len(), std::io::Cursor::new(self.body))
            .ok()
    }
}
