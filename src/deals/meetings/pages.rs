//! Meeting pages under `/deals/{id}/meetings`: the scheduling form, the meeting page with its
//! record form, the printable record and the `.ics` download.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{Route, State, get, post, routes};
use serde_json::json;

use super::calendar::{self, MeetingView};
use super::model::{GuestInput, MeetingInput, RecordInput, StepLine};
use super::service;
use crate::auth::{Acting, ActiveUser};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, FormFailure};
use crate::web::calendar_file::CalendarFile;
use crate::web::input::Form;
use crate::web::{Page, Site};

/// Blank rows the forms offer for guests and next steps.
const BLANK_ROWS: usize = 3;

async fn form_page(
    db: &Db,
    user: &crate::web::request_state::CurrentUser,
    deal_id: &str,
    input: &MeetingInput,
    errors: &FieldErrors,
) -> Result<Page, AppError> {
    let (deal, access) = crate::deals::service::visible(db, user, deal_id).await?;
    service::organiser(access)?;
    let candidates = service::candidate_view(&service::candidates(db, &deal).await?);
    let chosen: Vec<serde_json::Value> = candidates
        .iter()
        .map(|c| json!({"candidate": c, "checked": input.participant_ids.contains(&c.user_id)}))
        .collect();
    let mut guests = input.guests.clone();
    guests.resize(guests.len().max(BLANK_ROWS), GuestInput::default());
    let guests: Vec<serde_json::Value> = guests.iter().enumerate().map(|(i, g)| json!({"i": i, "g": g})).collect();
    let data = json!({"deal": {"id": deal.id, "title": deal.title}, "values": input, "errors": errors,
        "candidates": chosen, "guests": guests});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("deals/meeting_form", "安排联席预谈判", data).with_status(status))
}

#[get("/<id>/meetings/new")]
async fn new_form(id: &str, db: &State<Db>, user: ActiveUser) -> Result<Page, AppError> {
    let input = MeetingInput { participant_ids: Vec::new(), ..Default::default() };
    form_page(db, &user.0, id, &input, &FieldErrors::new()).await
}

#[post("/<id>/meetings", data = "<form>")]
async fn create(
    id: &str,
    form: Form<MeetingInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    match service::schedule(db, &acting.caller(), id, &input).await {
        Ok(meeting) => Ok(Flash::success(
            Redirect::to(format!("/deals/{id}/meetings/{meeting}")),
            "会议已安排，邀请已发到参会人员的消息箱",
        )),
        Err(FormFailure::Fields(errors)) => Err(form_page(db, &acting.user, id, &input, &errors).await),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

async fn meeting_page(
    db: &Db,
    user: &crate::web::request_state::CurrentUser,
    deal_id: &str,
    id: &str,
    input: Option<&RecordInput>,
    errors: &FieldErrors,
) -> Result<Page, AppError> {
    let (deal, access, row) = service::visible_meeting(db, user, deal_id, id).await?;
    let meeting = calendar::whole(db, &row).await?;
    let mut record = input.cloned().unwrap_or_else(|| RecordInput {
        minutes: Some(meeting.minutes.clone()),
        outcome: Some(meeting.outcome.clone()),
        nda_signed: Some(meeting.nda_signed),
        nda_signed_on: meeting.nda_signed_on.clone(),
        steps: meeting
            .steps
            .iter()
            .map(|s| StepLine { task: Some(s.task.clone()), owner: Some(s.owner.clone()), due_on: s.due_on.clone() })
            .collect(),
        version: Some(meeting.version),
    });
    let rows = record.steps.len() + BLANK_ROWS;
    record.steps.resize(rows, StepLine::default());
    let steps: Vec<serde_json::Value> = record.steps.iter().enumerate().map(|(i, s)| json!({"i": i, "s": s})).collect();
    let started =
        crate::domain::time::parse_stored(&meeting.starts_at).is_some_and(|s| s <= time::OffsetDateTime::now_utc());
    let organises = access.sees_private();
    let step_errors: Vec<String> = errors
        .iter()
        .filter(|(field, _)| field.starts_with("steps"))
        .map(|(field, message)| {
            let row = field.trim_start_matches("steps[").split(']').next().and_then(|n| n.parse::<usize>().ok());
            match row {
                Some(n) => format!("第 {} 项：{message}", n + 1),
                None => message.clone(),
            }
        })
        .collect();
    let data = json!({"deal": {"id": deal.id, "title": deal.title}, "meeting": meeting, "record": record,
        "steps": steps, "errors": errors, "step_errors": step_errors, "can_record": organises && started && meeting.status != "cancelled",
        "can_cancel": organises && meeting.status == "scheduled"});
    let status = if errors.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    Ok(Page::new("deals/meeting", format!("{} · {}", meeting.title, deal.title), data).with_status(status))
}

#[get("/<id>/meetings/<meeting>", rank = 2)]
async fn detail(
    id: &str,
    meeting: &str,
    db: &State<Db>,
    user: ActiveUser,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    Ok(meeting_page(db, &user.0, id, meeting, None, &FieldErrors::new()).await?.with_flash(flash))
}

#[post("/<id>/meetings/<meeting>/record", data = "<form>")]
async fn record(
    id: &str,
    meeting: &str,
    form: Form<RecordInput>,
    db: &State<Db>,
    acting: Acting,
) -> Result<Flash<Redirect>, Result<Page, AppError>> {
    let input = form.into_inner();
    let back = Redirect::to(format!("/deals/{id}/meetings/{meeting}"));
    match service::record(db, &acting.caller(), id, meeting, &input).await {
        Ok(()) => Ok(Flash::success(back, "会议纪要已保存，已通知参会人员")),
        Err(FormFailure::Fields(errors)) => Err(meeting_page(db, &acting.user, id, meeting, Some(&input), &errors)
            .await
            .map(|p| p.with_notice("error", "提交的内容有误，请按提示修改"))),
        Err(FormFailure::Other(error)) if error.status == Status::Conflict => Ok(Flash::error(back, error.message)),
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

#[post("/<id>/meetings/<meeting>/cancel")]
async fn cancel(id: &str, meeting: &str, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, AppError> {
    let back = Redirect::to(format!("/deals/{id}/meetings/{meeting}"));
    match service::cancel(db, &acting.caller(), id, meeting).await {
        Ok(()) => Ok(Flash::success(back, "会议已取消，已通知参会人员")),
        Err(error) if error.status == Status::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

async fn loaded(
    db: &Db,
    user: &crate::web::request_state::CurrentUser,
    id: &str,
    meeting: &str,
) -> Result<(String, MeetingView), AppError> {
    let (deal, _, row) = service::visible_meeting(db, user, id, meeting).await?;
    Ok((deal.title, calendar::whole(db, &row).await?))
}

#[get("/<id>/meetings/<meeting>/print")]
async fn print(id: &str, meeting: &str, db: &State<Db>, user: ActiveUser) -> Result<Page, AppError> {
    let (deal_title, view) = loaded(db, &user.0, id, meeting).await?;
    let data = json!({"deal_title": deal_title, "meeting": view,
        "printed_on": crate::domain::time::chinese_date(time::OffsetDateTime::now_utc())});
    Ok(Page::new("deals/meeting_print", format!("{}记录 · {deal_title}", view.title), data))
}

#[get("/<id>/meetings/<meeting>/calendar.ics")]
async fn ics(
    id: &str,
    meeting: &str,
    db: &State<Db>,
    user: ActiveUser,
    site: &State<Site>,
    settings: &State<Settings>,
) -> Result<CalendarFile, AppError> {
    let (deal_title, view) = loaded(db, &user.0, id, meeting).await?;
    let body = calendar::ics(&site.platform_name, &settings.mail.public_url, &deal_title, &view);
    Ok(CalendarFile { file_name: format!("meeting-{}.ics", view.id), body })
}

/// Mounted at `/deals`.
pub fn routes() -> Vec<Route> {
    routes![new_form, create, detail, record, cancel, print, ics]
}
