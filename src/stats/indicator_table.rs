//! A year's indicator table: each indicator's actual (entered, from contracts, or counted from
//! qualifications), where the straight path expects it, and its status; and entering actuals.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row as _;

use super::indicators::{self, INDICATORS, Indicator, Source};
use super::store::{self, Basis, Scope};
use crate::audit::{self, NewAuditEvent};
use crate::auth::CurrentUser;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::{Checker, date_text};
use crate::domain::time::{now_stored, today_shanghai};
use crate::error::FormFailure;

/// Indicator 12 in 亿元 (1/10,000ths): its baseline, target and yearly path are the goal settings'
/// (the turnover goal of each year), not constants.
struct ContractPath {
    baseline: i64,
    baseline_year: i32,
    target: i64,
    goals: Vec<store::Goal>,
    configured: crate::config::GoalSettings,
}

/// Fen to 亿元 in 1/10,000ths.
fn yi(fen: i64) -> i64 {
    fen / 1_000_000
}

impl ContractPath {
    async fn of(db: &Db, settings: &Settings) -> Result<ContractPath, sqlx::Error> {
        let goals = store::goals(db).await?;
        let configured = settings.goal.clone();
        let baseline_year = configured.baseline_year;
        let amount = |year: i32, fallback: i64| {
            store::goal_among(&goals, year).filter(|g| g.year == year).map(|g| g.amount.0).unwrap_or(fallback)
        };
        let baseline = yi(amount(baseline_year, configured.baseline_amount.0));
        let target = yi(amount(indicators::TARGET_YEAR, configured.amount.0));
        Ok(ContractPath { baseline, baseline_year, target, goals, configured })
    }

    fn at(&self, year: i32) -> i64 {
        match store::goal_among(&self.goals, year) {
            Some(goal) => yi(goal.amount.0),
            None => indicators::on_path(self.baseline, self.baseline_year, yi(self.configured.amount.0), year),
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    pub no: u8,
    pub name: &'static str,
    pub unit: &'static str,
    pub baseline: String,
    pub baseline_year: i32,
    pub target: String,
    /// `entered`, `contracts`, `contracts_total` (a yearly total, not itemised) or `qualification`.
    pub kind: &'static str,
    pub actual: Option<String>,
    pub expected: String,
    /// `on_track`, `behind` or `missing`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub source: String,
    pub published_on: Option<String>,
}

async fn live_value(
    db: &Db,
    settings: &Settings,
    indicator: &Indicator,
    year: i32,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    match indicator.source {
        Source::Entered => Ok(None),
        Source::Contracts => {
            let goal = store::goal_for(db, year, &settings.goal).await?;
            let scope = Scope { year, basis: Basis::Turnover, side: goal.side, district: &settings.region_code };
            let (months, counts) = store::months(db, &scope).await?;
            let fen: i64 = months.iter().sum();
            let contracts: i64 = counts.iter().sum();
            // A year without itemised contracts (before the platform) shows the entered yearly
            // total instead, if there is one; the current year counts from zero.
            if contracts == 0 && year < today_shanghai().year() {
                return Ok(None);
            }
            // 亿元 in 1/10,000ths: fen ÷ 10^10 × 10^4.
            Ok(Some((
                fen / 1_000_000,
                format!(
                    "平台登记的技术合同 {contracts} 份（逐笔，{}，{}）",
                    Basis::Turnover.label(),
                    goal.side.label()
                ),
            )))
        }
        Source::Qualification(code) => {
            let count: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM organisation_qualifications q JOIN organisations o ON o.id = q.organisation_id \
                 WHERE q.qualification = $1 AND o.region_code = $2 AND (q.valid_from IS NULL OR q.valid_from <= $3) \
                 AND (q.valid_until IS NULL OR q.valid_until >= $4)",
            )
            .bind(code)
            .bind(&settings.region_code)
            .bind(format!("{year:04}-12-31"))
            .bind(format!("{year:04}-01-01"))
            .fetch_one(db.pool())
            .await?;
            Ok(Some((count * indicators::SCALE, "平台单位资质（本区单位，当年有效）".to_string())))
        }
    }
}

/// The table of `year`.
pub async fn table(db: &Db, settings: &Settings, year: i32) -> Result<Vec<IndicatorRow>, sqlx::Error> {
    let entered =
        sqlx::query("SELECT indicator_no, value, source, published_on FROM indicator_actuals WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(db.pool())
            .await?;
    let contract_path = ContractPath::of(db, settings).await?;
    let mut rows = Vec::new();
    for indicator in &INDICATORS {
        let stored = entered.iter().find(|r| r.try_get::<i64, _>("indicator_no").ok() == Some(i64::from(indicator.no)));
        let live = live_value(db, settings, indicator, year).await?;
        let from_live = live.is_some();
        let (actual, mut source, published_on) = match live {
            Some((value, source)) => (Some(value), source, Some(date_text(today_shanghai()))),
            None => match stored {
                Some(row) => {
                    let text: String = row.try_get("value")?;
                    (indicators::parse_decimal(&text), row.try_get("source")?, Some(row.try_get("published_on")?))
                }
                None => (None, String::new(), None),
            },
        };
        let contracts = indicator.source == Source::Contracts;
        if contracts && !from_live && actual.is_some() {
            source = format!("年度汇总数（未逐笔登记）：{source}");
        }
        let (baseline, target, expected) = if contracts {
            (contract_path.baseline, contract_path.target, contract_path.at(year))
        } else {
            (
                indicators::parse_decimal(indicator.baseline).unwrap_or(0),
                indicators::parse_decimal(indicator.target).unwrap_or(0),
                indicators::expected(indicator, year),
            )
        };
        let (status, status_label) = match actual {
            None => ("missing", "未填报"),
            Some(value) if value >= expected => ("on_track", "达到进度"),
            Some(_) => ("behind", "落后于进度"),
        };
        rows.push(IndicatorRow {
            no: indicator.no,
            name: indicator.name,
            unit: indicator.unit,
            baseline: indicators::decimal_text(baseline),
            baseline_year: if contracts { contract_path.baseline_year } else { indicator.baseline_year },
            target: indicators::decimal_text(target),
            kind: match indicator.source {
                Source::Entered => "entered",
                Source::Contracts if from_live || actual.is_none() => "contracts",
                Source::Contracts => "contracts_total",
                Source::Qualification(_) => "qualification",
            },
            actual: actual.map(indicators::decimal_text),
            expected: indicators::decimal_text(expected),
            status,
            status_label,
            source,
            published_on,
        });
    }
    Ok(rows)
}

/// An actual as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, rocket::form::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct ActualInput {
    pub indicator_no: Option<u8>,
    pub year: Option<i32>,
    pub value: Option<String>,
    pub source: Option<String>,
    pub published_on: Option<String>,
}

/// Records (or corrects) an administrator-entered actual; audited with the old and new value.
pub async fn save_actual(db: &Db, user: &CurrentUser, ip: &str, input: &ActualInput) -> Result<(u8, i32), FormFailure> {
    let mut check = Checker::default();
    let indicator = input.indicator_no.and_then(|no| INDICATORS.iter().find(|i| i.no == no));
    match indicator {
        None => check.fail("indicator_no", "请选择指标"),
        Some(i) if matches!(i.source, Source::Qualification(_)) => {
            check.fail("indicator_no", "该指标由平台单位资质自动计算，无需填报")
        }
        Some(_) => {}
    }
    let year = input.year.filter(|y| (2020..=2100).contains(y));
    if year.is_none() {
        check.fail("year", "请填写 2020–2100 之间的年份");
    }
    let value = indicators::parse_decimal(input.value.as_deref().unwrap_or_default());
    match (value, indicator) {
        (None, _) => check.fail("value", "请填写数值，最多 4 位小数，例如 56.8"),
        // Every indicator is a share, an index or a count: none is below zero, no share above 100 %.
        (Some(v), _) if v < 0 => check.fail("value", "数值不能为负数"),
        (Some(v), Some(i)) if i.unit == "%" && v > 100 * indicators::SCALE => check.fail("value", "百分比不能超过 100"),
        _ => {}
    }
    let source = check.text("source", "数据来源", input.source.as_deref(), 2, 200);
    let published = check.date("published_on", "发布日期", input.published_on.as_deref());
    if published.is_none() && !check.errors.contains_key("published_on") {
        check.fail("published_on", "请填写发布日期");
    }
    if published.is_some_and(|d| d > today_shanghai()) {
        check.fail("published_on", "发布日期不能晚于今天");
    }
    let (indicator, year, value, published) =
        check.finish(|| Some((indicator?, year?, value?, published?))).map_err(FormFailure::Fields)?;
    // The database's failure is ours (500), not a mistake in the form.
    let failed = FormFailure::from;
    let mut tx = db.begin_write().await.map_err(failed)?;
    let previous: Option<String> =
        sqlx::query_scalar("SELECT value FROM indicator_actuals WHERE indicator_no = $1 AND year = $2")
            .bind(i64::from(indicator.no))
            .bind(i64::from(year))
            .fetch_optional(&mut *tx)
            .await
            .map_err(failed)?;
    sqlx::query(
        "INSERT INTO indicator_actuals (indicator_no, year, value, source, published_on, entered_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (indicator_no, year) DO UPDATE SET value = excluded.value, source = excluded.source, \
         published_on = excluded.published_on, entered_by = excluded.entered_by, updated_at = excluded.updated_at",
    )
    .bind(i64::from(indicator.no))
    .bind(i64::from(year))
    .bind(indicators::decimal_text(value))
    .bind(&source)
    .bind(date_text(published))
    .bind(&user.id)
    .bind(now_stored())
    .execute(&mut *tx)
    .await
    .map_err(failed)?;
    let event = NewAuditEvent {
        actor_user_id: Some(user.id.clone()),
        actor_ip: Some(ip.to_string()),
        action: "indicator.entered".to_string(),
        subject_type: "indicator".to_string(),
        subject_id: format!("{}-{year}", indicator.no),
        details: json!({"before": previous, "after": indicators::decimal_text(value), "source": source, "published_on": date_text(published)}),
    };
    audit::append(&mut tx, db.backend(), &event).await.map_err(failed)?;
    tx.commit().await.map_err(failed)?;
    Ok((indicator.no, year))
}
