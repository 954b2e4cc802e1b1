//! 对接请求 pages: `/contacts` lists what came in for the person's organisation (still waiting
//! for a reply) and what they sent (with the answer); `POST /contacts/<id>/reply` answers or
//! declines one, from the listing's page or from here.

use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::json;

use super::contacts::{self, Decision};
use crate::auth::Acting;
use crate::db::Db;
use crate::error::{AppError, FormFailure};
use crate::web::Page;
use crate::web::input::Form;

#[get("/")]
async fn index(db: &State<Db>, acting: Acting, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let received = match &acting.user.organisation_id {
        Some(org) if acting.user.sees_contacts() => contacts::open_for_organisation(db, org, None).await?,
        _ => Vec::new(),
    };
    let sent = contacts::sent_by(db, &acting.user.id).await?;
    let data = json!({"received": received, "sent": sent, "can_reply": acting.user.sees_contacts()});
    Ok(Page::new("contacts/index", "对接请求", data).with_flash(flash))
}

#[derive(Debug, rocket::FromForm)]
struct ReplyForm {
    decision: Option<String>,
    reply: Option<String>,
    /// Where to go back to: the listing (default) or this list.
    back: Option<String>,
}

#[post("/<id>/reply", data = "<form>")]
async fn reply(id: &str, form: Form<ReplyForm>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let decision = form.decision.as_deref().and_then(Decision::from_code).ok_or_else(AppError::unknown_action)?;
    let text = form.reply.as_deref().unwrap_or_default();
    let to_list = form.back.as_deref() == Some("contacts");
    match contacts::reply(db, &acting.caller(), id, decision, text).await {
        Ok(request) => {
            let back = if to_list { "/contacts".to_string() } else { format!("{}#contacts", request.listing_path) };
            let done = match decision {
                Decision::Answer => "已回复，对方可在“对接请求”中看到您的回复",
                Decision::Decline => "已婉拒这条对接请求",
            };
            Ok(Flash::success(Redirect::to(back), done))
        }
        Err(FormFailure::Fields(fields)) => {
            let message = fields.into_values().next().unwrap_or_default();
            let back = match contacts::listing_path_of(db, id).await? {
                Some(path) if !to_list => format!("{path}#contacts"),
                _ => "/contacts".to_string(),
            };
            Ok(Flash::error(Redirect::to(back), message))
        }
        Err(FormFailure::Other(error)) if error.status.code == 409 => {
            Ok(Flash::error(Redirect::to("/contacts"), error.message))
        }
        Err(FormFailure::Other(error)) => Err(error),
    }
}

/// Mounted at `/contacts`.
pub fn routes() -> Vec<Route> {
    routes![index, reply]
}
