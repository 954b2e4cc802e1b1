//! The goal report: one year's goal, the figures, the monthly series, the breakdowns with the
//! contract-list link behind every figure, and the largest contracts. Pages, the JSON API and the
//! spreadsheet exports all show this one value.

use serde::Serialize;
use serde_json::{Value, json};
use time::{Date, Month};

use super::goal::{self, GoalFigures, GoalInput};
use super::store::{self, Dimension, Goal, Scope, Side, Slice};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::contract_vocab::ContractType;
use crate::domain::forms::date_text;
use crate::domain::money::Fen;
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;
use crate::error::{AppError, ErrorCode};

/// The year asked for (2000–2100), or the current Beijing-time year.
pub fn year_or_now(year: Option<i32>) -> Result<i32, AppError> {
    let year = year.unwrap_or_else(|| crate::domain::time::today_shanghai().year());
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::bad_request(ErrorCode::InvalidParameter, "year 应为 2000 到 2100 之间的年份"))
    }
}

/// One labelled slice with its link.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub label: String,
    pub contracts: i64,
    pub amount_fen: i64,
    pub amount_text: String,
    /// Hundredths of a percent of the year's total.
    pub share_bp: i64,
    pub share_text: String,
    pub link: String,
}

/// One breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    pub code: &'static str,
    pub title: &'static str,
    pub rows: Vec<Row>,
}

/// Everything the goal page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub year: i32,
    pub as_of: String,
    pub goal: Goal,
    pub goal_text: String,
    pub figures: GoalFigures,
    pub months: Vec<Value>,
    pub breakdowns: Vec<Breakdown>,
    pub top: Vec<Value>,
    /// The link to every contract counted in the year.
    pub link: String,
}

fn dimension_title(dimension: Dimension, side: Side) -> &'static str {
    match (dimension, side) {
        (Dimension::ContractType, _) => "按合同类型",
        (Dimension::TechnicalField, _) => "按技术领域",
        (Dimension::SellerNature, _) => "按卖方单位性质",
        (Dimension::BuyerNature, _) => "按买方单位性质",
        (Dimension::CounterpartRegion, Side::Output) => "按买方所在地（技术流向）",
        (Dimension::CounterpartRegion, Side::Absorb) => "按卖方所在地（技术来源）",
        (Dimension::Broker, _) => "按技术经纪人",
        (Dimension::Channel, _) => "按成交渠道（沙龙、联席预谈判、经纪人对接、直接签订）",
        (Dimension::Agency, _) => "按技术转移机构",
    }
}

/// The contract-list parameter a dimension links by.
fn dimension_param(dimension: Dimension, side: Side) -> &'static str {
    match dimension {
        Dimension::CounterpartRegion => match side {
            Side::Output => "buyer_region",
            Side::Absorb => "seller_region",
        },
        Dimension::Broker => "broker",
        Dimension::Channel => "channel",
        Dimension::Agency => "agency",
        other => other.code(),
    }
}

fn label_of(dimension: Dimension, code: &str, settings: &Settings, brokers: &[(String, String)]) -> String {
    if code.is_empty() {
        // Contracts registered before channels were recorded (or back-entered ones) have none.
        let unknown = if dimension == Dimension::Channel { "未记录渠道" } else { "未填写" };
        return unknown.to_string();
    }
    let label = match dimension {
        Dimension::ContractType => ContractType::from_code(code).map(|t| t.label().to_string()),
        Dimension::TechnicalField => TechnicalField::from_code(code).map(|f| f.label().to_string()),
        Dimension::SellerNature | Dimension::BuyerNature => NatureCode::from_code(code).map(|n| n.label().to_string()),
        Dimension::CounterpartRegion if code == settings.region_code => {
            Some(format!("{}（{code}）", settings.district_name))
        }
        Dimension::CounterpartRegion => {
            crate::domain::regions::tianshui_county(code).map(|name| format!("{name}（{code}）"))
        }
        Dimension::Broker | Dimension::Agency => {
            brokers.iter().find(|(id, _)| id == code).map(|(_, name)| name.clone())
        }
        Dimension::Channel => channel_label(code).map(str::to_string),
    };
    label.unwrap_or_else(|| code.to_string())
}

/// The label of a contract's channel (DOMAIN.md §7).
pub fn channel_label(code: &str) -> Option<&'static str> {
    match code {
        "salon" => Some("成果对接沙龙"),
        "negotiation" => Some("联席预谈判"),
        "broker" => Some("经纪人对接"),
        "direct" => Some("直接签订"),
        _ => None,
    }
}

fn year_link(scope: &Scope<'_>) -> String {
    let side = match scope.side {
        Side::Output => "seller_region",
        Side::Absorb => "buyer_region",
    };
    format!("/contracts?status=registered&year={}&{side}={}", scope.year, scope.district)
}

fn share(part: i64, total: i64) -> i64 {
    if total > 0 { (i128::from(part) * 10_000 / i128::from(total)) as i64 } else { 0 }
}

fn rows(slices: &[Slice], total: i64, link: impl Fn(&str) -> String, label: impl Fn(&str) -> String) -> Vec<Row> {
    slices
        .iter()
        .map(|s| Row {
            label: label(&s.code),
            contracts: s.contracts,
            amount_fen: s.amount_fen,
            amount_text: Fen(s.amount_fen).format_compact(),
            share_bp: share(s.amount_fen, total),
            share_text: goal::percent_text(share(s.amount_fen, total)),
            link: link(if s.code.is_empty() { "none" } else { &s.code }),
        })
        .collect()
}

/// The goal of `year` and how far registered contracts have come as of `today` — the registered
/// amount and progress in basis points — without the breakdowns the full report reads (the home
/// page shows only these).
pub async fn progress(db: &Db, settings: &Settings, year: i32, today: Date) -> Result<(Goal, i64, i64), AppError> {
    let goal = store::goal_for(db, year, &settings.goal).await?;
    let scope = Scope { year, basis: goal.basis, side: goal.side, district: &settings.region_code };
    let (amounts, _) = store::months(db, &scope).await?;
    let as_of = if today.year() > year { goal::year_end(year) } else { today };
    // Last year's figure only feeds the year-on-year comparison, which is not returned.
    let input = GoalInput {
        year,
        goal_fen: goal.amount.0,
        months: amounts,
        as_of,
        last_year_to_date: 0,
        closed: today.year() > year,
    };
    let figures = goal::figures(&input);
    Ok((goal, figures.so_far_fen, figures.progress_bp))
}

/// The report of `year` as of `today` (Beijing time).
pub async fn build(db: &Db, settings: &Settings, year: i32, today: Date) -> Result<Report, AppError> {
    let goal = store::goal_for(db, year, &settings.goal).await?;
    let scope = Scope { year, basis: goal.basis, side: goal.side, district: &settings.region_code };
    let (amounts, counts) = store::months(db, &scope).await?;
    let as_of = if today.year() > year { goal::year_end(year) } else { today };
    // Last year up to the same day: whole months from the summary, the current month from contracts.
    let last_year_to_date = if today.year() == year {
        let last = Scope { year: year - 1, ..scope };
        let (previous, _) = store::months(db, &last).await?;
        let month = usize::from(u8::from(today.month()));
        let whole: i64 = previous[..month - 1].iter().sum();
        let day = Date::from_calendar_date(year - 1, today.month(), today.day())
            .or_else(|_| Date::from_calendar_date(year - 1, Month::February, 28))
            .map_err(AppError::internal)?;
        let first = Date::from_calendar_date(year - 1, today.month(), 1).map_err(AppError::internal)?;
        whole + store::between(db, &last, &date_text(first), &date_text(day)).await?
    } else {
        let (previous, _) = store::months(db, &Scope { year: year - 1, ..scope }).await?;
        previous.iter().sum()
    };
    let figures = goal::figures(&GoalInput {
        year,
        goal_fen: goal.amount.0,
        months: amounts,
        as_of,
        last_year_to_date,
        closed: today.year() > year,
    });
    let base = year_link(&scope);
    let months = (0..12)
        .map(|i| {
            json!({
                "month": format!("{year:04}-{:02}", i + 1),
                "label": format!("{}月", i + 1),
                "contracts": counts[i],
                "amount_fen": amounts[i],
                "amount_text": Fen(amounts[i]).format_compact(),
                "cumulative_fen": figures.cumulative[i],
                "cumulative_text": figures.cumulative[i].map(|v| Fen(v).format_compact()),
                "goal_path_fen": figures.goal_path[i],
                "link": format!("{base}&month={year:04}-{:02}", i + 1),
            })
        })
        .collect();
    let brokers = store::broker_names(db).await?;
    let mut breakdowns = Vec::new();
    for dimension in Dimension::ALL {
        let slices = store::breakdown(db, &scope, dimension).await?;
        let param = dimension_param(dimension, goal.side);
        breakdowns.push(Breakdown {
            code: dimension.code(),
            title: dimension_title(dimension, goal.side),
            rows: rows(
                &slices,
                figures.so_far_fen,
                |code| format!("{base}&{param}={code}"),
                |code| label_of(dimension, code, settings, &brokers),
            ),
        });
    }
    let top = store::top_contracts(db, &scope, 10)
        .await?
        .into_iter()
        .map(|t| {
            json!({"id": t.id, "title": t.title, "seller_name": t.seller_name, "buyer_name": t.buyer_name,
                "registered_on": t.registered_on, "amount_fen": t.amount_fen, "amount_text": Fen(t.amount_fen).format_yuan(),
                "link": format!("/contracts/{}", t.id)})
        })
        .collect();
    Ok(Report {
        year,
        as_of: date_text(as_of),
        goal_text: goal.amount.format_compact(),
        goal,
        figures,
        months,
        breakdowns,
        top,
        link: base,
    })
}

/// Money and percentage texts for the figures (shown beside the fen).
pub fn figure_texts(f: &GoalFigures) -> Value {
    json!({
        "so_far": Fen(f.so_far_fen).format_compact(),
        "progress": goal::percent_text(f.progress_bp),
        "remaining": Fen(f.remaining_fen).format_compact(),
        "run_rate_projection": Fen(f.run_rate_projection_fen).format_compact(),
        "trend_projection": Fen(f.trend_projection_fen).format_compact(),
        "required_per_month": Fen(f.required_per_month_fen).format_compact(),
        "last_year_to_date": Fen(f.last_year_to_date_fen).format_compact(),
        "change_vs_last_year": f.change_vs_last_year_bp.map(goal::percent_text),
    })
}
