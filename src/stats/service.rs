//! Setting a year's goal (administrators; audited).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::store::{self, Basis, Side};
use crate::audit::{self, NewAuditEvent};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::forms::Checker;
use crate::domain::money::{Fen, Unit};
use crate::error::FormFailure;

/// A goal as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct GoalInput {
    pub year: Option<i32>,
    /// 万元 unless a unit is written (`6亿`, `60000万元`).
    pub amount: Option<String>,
    pub basis: Option<String>,
    pub side: Option<String>,
    pub note: Option<String>,
}

/// Checks and stores a goal; returns the year.
pub async fn set_goal(db: &Db, user: &CurrentUser, ip: &str, input: &GoalInput) -> Result<i32, FormFailure> {
    let mut check = Checker::default();
    let year = input.year.filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        check.fail("year", "请填写 2000–2100 之间的年份");
    }
    let amount = match Fen::parse(input.amount.as_deref().unwrap_or_default(), Unit::Wan) {
        Ok(fen) if fen.is_zero() => {
            check.fail("amount", "目标金额须大于零");
            None
        }
        Ok(fen) if fen > crate::domain::money::MAX_CONTRACT_AMOUNT => {
            check.fail("amount", "目标金额过大");
            None
        }
        Ok(fen) => Some(fen),
        Err(error) => {
            check.fail("amount", error.to_string());
            None
        }
    };
    let basis = check.choice("basis", "统计口径", input.basis.as_deref(), Basis::from_code);
    let side = check.choice("side", "统计方向", input.side.as_deref(), Side::from_code);
    let note = check.text("note", "说明", input.note.as_deref(), 0, 200);
    let (year, amount, basis, side) =
        check.finish(|| Some((year?, amount?, basis?, side?))).map_err(FormFailure::Fields)?;
    // The database's failure is ours (500), not a mistake in the form.
    let failed = FormFailure::from;
    let mut tx = db.begin_write().await.map_err(failed)?;
    store::save_goal(&mut tx, year, amount, basis, side, &note, &user.id).await.map_err(failed)?;
    let event = NewAuditEvent {
        actor_user_id: Some(user.id.clone()),
        actor_ip: Some(ip.to_string()),
        action: "goal.set".to_string(),
        subject_type: "goal".to_string(),
        subject_id: year.to_string(),
        details: json!({"amount_fen": amount.0, "basis": basis.code(), "side": side.code(), "note": note}),
    };
    audit::append(&mut tx, db.backend(), &event).await.map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok(year)
}
