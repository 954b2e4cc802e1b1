//! 资产评估 on record: an appraisal report on an achievement (agency, report number, date,
//! method, value, validity). The achievement page shows the latest valid one; contracts drafted
//! from any route carry it as the reference price.

use serde::Serialize;
use serde_json::json;
use time::Date;

use super::rules::{self, Traded};
use crate::audit;
use crate::auth::Caller;
use crate::db::Db;
use crate::domain::forms::{Checker, date_text};
use crate::domain::money::Fen;
use crate::domain::time::{now_stored, today_shanghai};
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::labelled_enum;

labelled_enum!(
    /// 评估方法 (资产评估准则——无形资产).
    Method {
        Income = "income": "收益法",
        Market = "market": "市场法",
        Cost = "cost": "成本法",
        Other = "other": "其他方法",
    }
);

/// An appraisal as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct AppraisalInput {
    pub agency: Option<String>,
    pub report_no: Option<String>,
    /// `YYYY-MM-DD`, the report's 评估基准日.
    pub appraised_on: Option<String>,
    pub method: Option<String>,
    /// In 万元 (a `元` suffix is read as yuan).
    pub value: Option<String>,
    pub valid_until: Option<String>,
}

/// A checked appraisal.
#[derive(Debug, Clone)]
pub struct Appraisal {
    pub agency: String,
    pub report_no: String,
    pub appraised_on: Date,
    pub method: Method,
    pub value: Fen,
    pub valid_until: Date,
}

pub fn check(input: &AppraisalInput, today: Date) -> Result<Appraisal, crate::domain::forms::FieldErrors> {
    let mut check = Checker::default();
    let agency = check.text("agency", "评估机构", input.agency.as_deref(), 2, 100);
    let report_no = check.text("report_no", "评估报告编号", input.report_no.as_deref(), 2, 60);
    let method = check.choice("method", "评估方法", input.method.as_deref(), Method::from_code);
    let value = rules::price(&mut check, "value", "评估值", input.value.as_deref());
    let appraised_on = check.date("appraised_on", "评估基准日", input.appraised_on.as_deref());
    let valid_until = check.date("valid_until", "有效期至", input.valid_until.as_deref());
    if appraised_on.is_none() && !check.errors.contains_key("appraised_on") {
        check.fail("appraised_on", "请填写评估基准日");
    }
    if valid_until.is_none() && !check.errors.contains_key("valid_until") {
        check.fail("valid_until", "请填写有效期");
    }
    if let Some(on) = appraised_on {
        if on > today {
            check.fail("appraised_on", "评估基准日不能晚于今天");
        }
    }
    if let (Some(on), Some(until)) = (appraised_on, valid_until) {
        if until < on {
            check.fail("valid_until", "有效期不能早于评估基准日");
        } else if (until - on).whole_days() > 3 * 366 {
            check.fail("valid_until", "评估结论的有效期一般为一年，最长不超过三年");
        }
    }
    check.finish(|| {
        Some(Appraisal {
            agency,
            report_no,
            appraised_on: appraised_on?,
            method: method?,
            value: value?,
            valid_until: valid_until?,
        })
    })
}

/// An appraisal as shown.
#[derive(Debug, Clone, Serialize)]
pub struct AppraisalView {
    pub id: String,
    pub agency: String,
    pub report_no: String,
    pub appraised_on: String,
    pub method: String,
    pub method_label: &'static str,
    pub value_fen: i64,
    pub value_text: String,
    pub valid_until: String,
    /// Still valid today (Beijing date).
    pub valid: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    agency: String,
    report_no: String,
    appraised_on: String,
    method: String,
    value_fen: i64,
    valid_until: String,
}

fn view(row: Row, today: &str) -> AppraisalView {
    AppraisalView {
        method_label: Method::from_code(&row.method).map(Method::label).unwrap_or("其他方法"),
        value_text: Fen(row.value_fen).format_wan(),
        valid: row.valid_until.as_str() >= today,
        id: row.id,
        agency: row.agency,
        report_no: row.report_no,
        appraised_on: row.appraised_on,
        method: row.method,
        value_fen: row.value_fen,
        valid_until: row.valid_until,
    }
}

/// An achievement's appraisals, newest first.
pub async fn of(db: &Db, achievement_id: &str) -> Result<Vec<AppraisalView>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, agency, report_no, appraised_on, method, value_fen, valid_until FROM achievement_appraisals \
         WHERE achievement_id = $1 ORDER BY appraised_on DESC, created_at DESC",
    )
    .bind(achievement_id)
    .fetch_all(db.pool())
    .await?;
    let today = date_text(today_shanghai());
    Ok(rows.into_iter().map(|r| view(r, &today)).collect())
}

/// The newest appraisal still valid on `on` (the reference price), if any.
pub async fn reference(db: &Db, achievement_id: &str, on: Date) -> Result<Option<AppraisalView>, sqlx::Error> {
    let on = date_text(on);
    Ok(of(db, achievement_id).await?.into_iter().find(|a| a.appraised_on <= on && a.valid_until >= on))
}

/// Records an appraisal; the seller's members and administrators may.
pub async fn record(
    db: &Db,
    caller: &Caller<'_>,
    achievement_id: &str,
    input: &AppraisalInput,
) -> Result<String, FormFailure> {
    let traded: Traded = rules::traded(db, achievement_id)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::AchievementNotFound, "科技成果不存在或尚未公开"))?;
    if !rules::speaks_for_seller(caller, &traded) {
        return Err(rules::not_seller().into());
    }
    let appraisal = check(input, today_shanghai()).map_err(FormFailure::Fields)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO achievement_appraisals (id, achievement_id, agency, report_no, appraised_on, method, value_fen, \
         valid_until, created_by, created_at, is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&traded.id)
    .bind(&appraisal.agency)
    .bind(&appraisal.report_no)
    .bind(date_text(appraisal.appraised_on))
    .bind(appraisal.method.code())
    .bind(appraisal.value.0)
    .bind(date_text(appraisal.valid_until))
    .bind(&caller.user.id)
    .bind(now_stored())
    .bind(traded.is_demo)
    .execute(&mut *tx)
    .await;
    if let Err(error) = inserted {
        if crate::db::unique_violation(&error).is_some() {
            let mut errors = crate::domain::forms::FieldErrors::new();
            errors.insert("report_no".into(), "这份评估报告已经登记过".into());
            return Err(FormFailure::Fields(errors));
        }
        return Err(AppError::from(error).into());
    }
    let details = json!({"achievement_id": traded.id, "report_no": appraisal.report_no,
        "value_fen": appraisal.value.0, "method": appraisal.method.code()});
    audit::append(&mut tx, db.backend(), &caller.event("appraisal.recorded", "achievement", &traded.id, details))
        .await?;
    tx.commit().await?;
    Ok(id)
}
