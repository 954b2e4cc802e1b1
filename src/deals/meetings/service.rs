//! What people may do with meetings: the deal's broker, their agency and administrators schedule
//! one, write its record and cancel it; everyone who sees the deal reads its meetings. Each
//! write adds a line to the deal's timeline, an audit event, and inbox messages to the invited
//! accounts.

use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use super::model::{self, MeetingInput, RecordInput, Side};
use super::store::{self, Invitee, MeetingRow};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::deals::service::{Access, visible};
use crate::deals::stage::Stage;
use crate::deals::store::{self as deal_store, DealRow, NewEvent};
use crate::domain::time::{chinese_span, parse_stored};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::inbox::{Notice, Topic, deliver};
use crate::web::request_state::CurrentUser;

pub fn not_found() -> AppError {
    AppError::not_found(ErrorCode::MeetingNotFound, "预谈判会议不存在或无权查看")
}

/// The deal, how the person stands to it, and the meeting.
pub async fn visible_meeting(
    db: &Db,
    user: &CurrentUser,
    deal_id: &str,
    id: &str,
) -> Result<(DealRow, Access, MeetingRow), AppError> {
    let (deal, access) = visible(db, user, deal_id).await?;
    let meeting = store::find(db, &deal.id, id).await?.ok_or_else(not_found)?;
    Ok((deal, access, meeting))
}

pub fn organiser(access: Access) -> Result<(), AppError> {
    if access.sees_private() {
        Ok(())
    } else {
        Err(AppError::forbidden(ErrorCode::NotDealBroker, "只有负责该项目的经纪机构或管理员可以安排和记录预谈判会议"))
    }
}

/// A person who can be invited, as shown on the form.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub user_id: String,
    pub name: String,
    pub organisation: String,
    pub side: &'static str,
    pub side_label: &'static str,
}

/// Who may be invited: members of both sides, the broker's agency (and the broker), the bureau.
pub async fn candidates(db: &Db, deal: &DealRow) -> Result<Vec<Invitee>, sqlx::Error> {
    // (user, name, organisation, role, organisation name)
    type Row = (String, String, Option<String>, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.organisation_id, u.role, o.name FROM users u \
         LEFT JOIN organisations o ON o.id = u.organisation_id \
         WHERE u.status = 'active' AND (u.role = 'admin' OR u.id = $1 OR (u.organisation_id IS NOT NULL AND \
           (u.organisation_id = $2 OR u.organisation_id = $3 OR (u.organisation_id = $4 AND u.role = 'broker')))) \
         ORDER BY u.display_name, u.id",
    )
    .bind(&deal.broker_user_id)
    .bind(deal.buyer_organisation_id.as_deref().unwrap_or_default())
    .bind(deal.seller_organisation_id.as_deref().unwrap_or_default())
    .bind(deal.agency_organisation_id.as_deref().unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Invitee> = rows
        .into_iter()
        .map(|(user_id, name, org, role, org_name)| {
            let side = if org.is_some() && org == deal.buyer_organisation_id {
                Side::Buyer
            } else if org.is_some() && org == deal.seller_organisation_id {
                Side::Seller
            } else if role == "admin" {
                Side::Bureau
            } else {
                Side::Broker
            };
            Invitee { user_id, name, organisation: org_name.unwrap_or_else(|| "科技局".into()), side }
        })
        .collect();
    let order =
        |s: Side| [Side::Buyer, Side::Seller, Side::Broker, Side::Bureau, Side::Other].iter().position(|x| *x == s);
    out.sort_by_key(|i| order(i.side));
    Ok(out)
}

pub fn candidate_view(invitees: &[Invitee]) -> Vec<Candidate> {
    invitees
        .iter()
        .map(|i| Candidate {
            user_id: i.user_id.clone(),
            name: i.name.clone(),
            organisation: i.organisation.clone(),
            side: i.side.code(),
            side_label: i.side.label(),
        })
        .collect()
}

fn place_of(row_place: &str, online: &str) -> String {
    match (row_place.is_empty(), online.is_empty()) {
        (false, true) => row_place.to_string(),
        (true, false) => format!("线上：{online}"),
        _ => format!("{row_place}（线上：{online}）"),
    }
}

/// Schedules a meeting; returns its id.
pub async fn schedule(
    db: &Db,
    caller: &Caller<'_>,
    deal_id: &str,
    input: &MeetingInput,
) -> Result<String, FormFailure> {
    let (deal, access) = visible(db, caller.user, deal_id).await?;
    organiser(access)?;
    if matches!(deal.stage, Stage::Lost | Stage::Contracted) {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "已关闭或已签约的项目不能再安排预谈判会议").into());
    }
    let checked = model::check_schedule(input, OffsetDateTime::now_utc());
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    let all = candidates(db, &deal).await?;
    let mut invitees: Vec<Invitee> = Vec::new();
    for id in input.participant_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match all.iter().find(|c| c.user_id == id) {
            Some(c) if !invitees.iter().any(|i| i.user_id == c.user_id) => invitees.push(c.clone()),
            Some(_) => {}
            None => {
                errors
                    .entry("participant_ids".into())
                    .or_insert_with(|| "所选参会人员不属于项目双方、经纪机构或科技局".into());
            }
        }
    }
    let schedule = match checked {
        Ok(schedule) if errors.is_empty() => schedule,
        _ => return Err(FormFailure::Fields(errors)),
    };
    if invitees.len() + schedule.guests.len() < 2 {
        return Err(FormFailure::field("participant_ids", "参会人员至少两位（可勾选账号或填写其他参会人员）"));
    }
    let mut tx = db.begin_write().await?;
    let id = store::insert(&mut tx, &deal.id, &schedule, &invitees, &caller.user.id).await?;
    let span = chinese_span(schedule.starts, schedule.ends);
    let place = place_of(&schedule.place, &schedule.online_url);
    let body = format!("安排{}：{span}，{place}", schedule.title);
    timeline_note(&mut tx, &deal.id, &caller.user.id, &body).await?;
    let details = json!({"deal_id": deal.id, "title": schedule.title, "starts_at": crate::domain::time::to_stored(schedule.starts),
        "participants": invitees.len() + schedule.guests.len()});
    audit::append(&mut tx, db.backend(), &caller.event("meeting.scheduled", "meeting", &id, details)).await?;
    let link = format!("/deals/{}/meetings/{id}", deal.id);
    let notice = Notice::new(Topic::Meeting, format!("邀请您参加{}：{}", schedule.title, deal.title), link.clone())
        .with_body(format!("时间：{span}\n地点：{place}\n日历文件：{link}/calendar.ics"));
    let users: Vec<String> = invitees.iter().map(|i| i.user_id.clone()).collect();
    deliver::to_users(&mut tx, &users, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A shared line on the deal's timeline.
async fn timeline_note(
    conn: &mut sqlx::AnyConnection,
    deal_id: &str,
    actor: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    deal_store::add_event(conn, deal_id, Some(actor), &NewEvent { kind: "note", body, ..Default::default() }).await
}

async fn invited_users(db: &Db, id: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(store::participants(db, id).await?.into_iter().filter_map(|p| p.user_id).collect())
}

/// Writes the minutes, outcome and next steps once the meeting has begun.
pub async fn record(
    db: &Db,
    caller: &Caller<'_>,
    deal_id: &str,
    id: &str,
    input: &RecordInput,
) -> Result<(), FormFailure> {
    let (deal, access, meeting) = visible_meeting(db, caller.user, deal_id, id).await?;
    organiser(access)?;
    if meeting.status == "cancelled" {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "会议已取消，不能填写纪要").into());
    }
    if parse_stored(&meeting.starts_at).is_some_and(|s| s > OffsetDateTime::now_utc()) {
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "会议开始后才能填写纪要").into());
    }
    let record = model::check_record(input).map_err(FormFailure::Fields)?;
    let stale = || AppError::conflict(ErrorCode::EditConflict, "会议记录已被他人修改，请刷新后再填写");
    if input.version.is_some_and(|v| v != meeting.version) {
        return Err(stale().into());
    }
    let invited = invited_users(db, &meeting.id).await?;
    let mut tx = db.begin_write().await?;
    if !store::record(&mut tx, &meeting.id, meeting.version, &record).await? {
        tx.rollback().await?;
        return Err(stale().into());
    }
    let body = format!("{}纪要：{}", meeting.title, record.outcome);
    timeline_note(&mut tx, &deal.id, &caller.user.id, &body).await?;
    let details = json!({"deal_id": deal.id, "steps": record.steps.len(), "nda_signed": record.nda_signed});
    audit::append(&mut tx, db.backend(), &caller.event("meeting.recorded", "meeting", &meeting.id, details)).await?;
    let notice = Notice::new(
        Topic::Meeting,
        format!("{}纪要已发布：{}", meeting.title, deal.title),
        format!("/deals/{}/meetings/{}", deal.id, meeting.id),
    )
    .with_body(record.outcome.clone());
    deliver::to_users(&mut tx, &invited, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a scheduled meeting and tells the invited.
pub async fn cancel(db: &Db, caller: &Caller<'_>, deal_id: &str, id: &str) -> Result<(), AppError> {
    let (deal, access, meeting) = visible_meeting(db, caller.user, deal_id, id).await?;
    organiser(access)?;
    let invited = invited_users(db, &meeting.id).await?;
    let mut tx = db.begin_write().await?;
    if !store::cancel(&mut tx, &meeting.id).await? {
        tx.rollback().await?;
        return Err(AppError::conflict(ErrorCode::InvalidTransition, "只有尚未举行的会议可以取消"));
    }
    let body = format!("取消{}", meeting.title);
    timeline_note(&mut tx, &deal.id, &caller.user.id, &body).await?;
    audit::append(
        &mut tx,
        db.backend(),
        &caller.event("meeting.cancelled", "meeting", &meeting.id, json!({"deal_id": deal.id})),
    )
    .await?;
    let notice = Notice::new(
        Topic::Meeting,
        format!("{}已取消：{}", meeting.title, deal.title),
        format!("/deals/{}/meetings/{}", deal.id, meeting.id),
    );
    deliver::to_users(&mut tx, &invited, &notice, Some(&caller.user.id)).await?;
    tx.commit().await?;
    Ok(())
}
