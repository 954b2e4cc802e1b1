//! The brokers' funnel for a year (Beijing time): leads (发起对接 requests and 揭榜 applications
//! made that year) → deals opened → reached 达成意向 → reached 已签约登记, with conversion rates
//! and the median days each stage took, overall and per broker. Read from the deal timeline.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::domain::time::{SHANGHAI, parse_stored, to_stored};

/// The stage steps whose durations are measured, in order.
pub const STEPS: [(&str, &str, &str); 4] = [
    ("lead", "contacted", "线索 → 已联系"),
    ("contacted", "negotiating", "已联系 → 联席预谈判"),
    ("negotiating", "agreed", "联席预谈判 → 达成意向"),
    ("agreed", "contracted", "达成意向 → 签约登记"),
];

/// One line of the funnel (the whole year, or one broker).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    pub broker_user_id: Option<String>,
    pub broker_name: Option<String>,
    pub leads: Option<i64>,
    pub deals: i64,
    pub agreed: i64,
    pub contracted: i64,
    /// Percentages (one decimal) of the step before; `None` when the step before is 0.
    pub deal_rate: Option<f64>,
    pub agreed_rate: Option<f64>,
    pub contracted_rate: Option<f64>,
    /// Median days per entry of [`STEPS`] (`None` when no deal took that step).
    pub median_days: Vec<Option<f64>>,
    /// The same as text for the page ("—" when no deal took the step).
    pub median_texts: Vec<String>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The median of some day counts (one decimal).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] };
    Some((m * 10.0).round() / 10.0)
}

/// One deal's history: who ran it and when it first reached each stage.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub broker_user_id: String,
    pub broker_name: String,
    pub reached: BTreeMap<String, time::OffsetDateTime>,
}

/// The funnel of some deals (and leads, for the whole year).
pub fn of(histories: &[&History], leads: Option<i64>) -> Funnel {
    let count = |stage: &str| histories.iter().filter(|h| h.reached.contains_key(stage)).count() as i64;
    let deals = histories.len() as i64;
    let (agreed, contracted) = (count("agreed"), count("contracted"));
    let median_days: Vec<Option<f64>> = STEPS
        .iter()
        .map(|(from, to, _)| {
            let mut days: Vec<f64> = histories
                .iter()
                .filter_map(|h| Some((*h.reached.get(*to)? - *h.reached.get(*from)?).as_seconds_f64() / 86_400.0))
                .filter(|d| *d >= 0.0)
                .collect();
            median(&mut days)
        })
        .collect();
    Funnel {
        broker_user_id: None,
        broker_name: None,
        leads,
        deals,
        agreed,
        contracted,
        deal_rate: leads.and_then(|l| rate(deals, l)),
        agreed_rate: rate(agreed, deals),
        contracted_rate: rate(contracted, agreed),
        median_texts: median_days.iter().map(|d| d.map_or_else(|| "—".to_string(), |d| format!("{d}"))).collect(),
        median_days,
    }
}

/// The year's funnel overall (first) and per broker, busiest first.
pub async fn year(db: &Db, year: i32) -> Result<Vec<Funnel>, sqlx::Error> {
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| to_stored(d.midnight().assume_offset(SHANGHAI)))
            .unwrap_or_default()
    };
    let (from, to) = (start(year), start(year + 1));
    let leads: i64 = sqlx::query_scalar(
        "SELECT CAST((SELECT COUNT(*) FROM listing_contact_requests WHERE created_at >= $1 AND created_at < $2) \
         + (SELECT COUNT(*) FROM challenge_applications WHERE created_at >= $1 AND created_at < $2) AS BIGINT)",
    )
    .bind(&from)
    .bind(&to)
    .fetch_one(db.pool())
    .await?;
    let rows = sqlx::query(
        "SELECT d.id, d.broker_user_id, u.display_name, e.to_stage, MIN(e.occurred_at) AS reached \
         FROM deals d JOIN users u ON u.id = d.broker_user_id JOIN deal_events e ON e.deal_id = d.id \
         WHERE d.created_at >= $1 AND d.created_at < $2 AND e.to_stage IS NOT NULL \
         GROUP BY d.id, d.broker_user_id, u.display_name, e.to_stage",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?;
    let mut deals: BTreeMap<String, History> = BTreeMap::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let entry = deals.entry(id).or_default();
        entry.broker_user_id = row.try_get("broker_user_id")?;
        entry.broker_name = row.try_get("display_name")?;
        let stage: String = row.try_get("to_stage")?;
        if let Some(at) = parse_stored(&row.try_get::<String, _>("reached")?) {
            entry.reached.insert(stage, at);
        }
    }
    let all: Vec<&History> = deals.values().collect();
    let mut lines = vec![of(&all, Some(leads))];
    let mut brokers: BTreeMap<(String, String), Vec<&History>> = BTreeMap::new();
    for h in deals.values() {
        brokers.entry((h.broker_user_id.clone(), h.broker_name.clone())).or_default().push(h);
    }
    let mut per_broker: Vec<Funnel> = brokers
        .into_iter()
        .map(|((id, name), histories)| Funnel {
            broker_user_id: Some(id),
            broker_name: Some(name),
            ..of(&histories, None)
        })
        .collect();
    per_broker.sort_by(|a, b| b.contracted.cmp(&a.contracted).then(b.deals.cmp(&a.deals)));
    lines.extend(per_broker);
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn medians_and_rates() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        let day = |d: u8| datetime!(2026-03-01 00:00 UTC) + time::Duration::days(i64::from(d));
        let history = |stages: &[(&str, u8)]| History {
            reached: stages.iter().map(|(s, d)| (s.to_string(), day(*d))).collect(),
            ..History::default()
        };
        let a = history(&[("lead", 0), ("contacted", 2), ("negotiating", 5), ("agreed", 9), ("contracted", 20)]);
        let b = history(&[("lead", 0), ("contacted", 4), ("agreed", 6)]);
        let c = history(&[("lead", 0)]);
        let funnel = of(&[&a, &b, &c], Some(12));
        assert_eq!((funnel.deals, funnel.agreed, funnel.contracted), (3, 2, 1));
        assert_eq!(
            (funnel.deal_rate, funnel.agreed_rate, funnel.contracted_rate),
            (Some(25.0), Some(66.7), Some(50.0))
        );
        assert_eq!(funnel.median_days, vec![Some(3.0), Some(3.0), Some(4.0), Some(11.0)]);
    }
}
