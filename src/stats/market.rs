//! Market activity around the goal: achievements and demands published per month (Beijing time)
//! and by field, the most-viewed listings, achievements per maturity stage, and how long listings
//! that were sold took from publication to a registered contract; and the pricing routes.

use serde::Serialize;
use sqlx::Row as _;
use time::{Date, OffsetDateTime};

use crate::db::Db;
use crate::domain::taxonomy::{Stage, TechnicalField};
use crate::domain::time::{SHANGHAI, parse_stored};

/// Published listings of one month.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MonthActivity {
    pub label: String,
    pub achievements: i64,
    pub demands: i64,
}

/// A count with its label.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// A listing and its views.
#[derive(Debug, Clone, Serialize)]
pub struct Viewed {
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub views: i64,
    pub link: String,
}

/// A sold listing and the days from publication to registration.
#[derive(Debug, Clone, Serialize)]
pub struct Sold {
    pub title: String,
    pub listing_link: String,
    pub contract_link: String,
    pub published_on: String,
    pub registered_on: String,
    pub days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Market {
    pub months: Vec<MonthActivity>,
    pub by_field: Vec<Count>,
    pub most_viewed: Vec<Viewed>,
    pub stages: Vec<Count>,
    pub sold: Vec<Sold>,
    pub median_days_to_contract: Option<i64>,
    /// 公示, 挂牌 and 竞价 in the year.
    pub trading: super::trading::TradingActivity,
}

/// UTC bounds of a Beijing-time year, in the stored form.
fn year_bounds(year: i32) -> (String, String) {
    let start = |y: i32| {
        Date::from_calendar_date(y, time::Month::January, 1)
            .map(|d| d.midnight().assume_offset(SHANGHAI))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    (crate::domain::time::to_stored(start(year)), crate::domain::time::to_stored(start(year + 1)))
}

/// Publications per UTC hour and field (exact to regroup by Beijing month), for one table.
async fn published(db: &Db, table: &str, year: i32) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let (from, to) = year_bounds(year);
    let sql = format!(
        "SELECT SUBSTR(published_at, 1, 13) AS hour, technical_field, CAST(COUNT(*) AS BIGINT) AS n FROM {table} \
         WHERE published_at >= $1 AND published_at < $2 GROUP BY SUBSTR(published_at, 1, 13), technical_field"
    );
    let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((r.try_get("hour")?, r.try_get("technical_field")?, r.try_get("n")?))).collect()
}

fn shanghai_month(hour: &str) -> Option<usize> {
    let at = parse_stored(&format!("{hour}:00:00Z"))?.to_offset(SHANGHAI);
    Some(usize::from(u8::from(at.month())) - 1)
}

fn shanghai_date(stored: &str) -> Option<Date> {
    parse_stored(stored).map(|at| at.to_offset(SHANGHAI).date())
}

/// The year's market activity.
pub async fn activity(db: &Db, year: i32) -> Result<Market, sqlx::Error> {
    let mut months: Vec<MonthActivity> =
        (1..=12).map(|m| MonthActivity { label: format!("{m}月"), ..MonthActivity::default() }).collect();
    let mut fields: Vec<(String, i64)> = Vec::new();
    for (table, is_achievement) in [("achievements", true), ("demands", false)] {
        for (hour, field, n) in published(db, table, year).await? {
            if let Some(m) = shanghai_month(&hour) {
                if is_achievement {
                    months[m].achievements += n;
                } else {
                    months[m].demands += n;
                }
            }
            match fields.iter_mut().find(|(f, _)| *f == field) {
                Some(entry) => entry.1 += n,
                None => fields.push((field, n)),
            }
        }
    }
    fields.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let by_field = fields
        .into_iter()
        .map(|(code, count)| Count {
            label: TechnicalField::from_code(&code).map(|f| f.label().to_string()).unwrap_or(code),
            count,
        })
        .collect();
    let mut most_viewed = Vec::new();
    for (table, kind, statuses) in [
        ("achievements", "achievement", "('published', 'negotiating', 'transferred')"),
        ("demands", "demand", "('published', 'in_talks', 'solved')"),
    ] {
        let sql =
            format!("SELECT id, title, views FROM {table} WHERE status IN {statuses} ORDER BY views DESC, id LIMIT 5");
        for row in sqlx::query(&sql).fetch_all(db.pool()).await? {
            let id: String = row.try_get("id")?;
            most_viewed.push(Viewed {
                kind,
                link: format!("/{table}/{id}"),
                id,
                title: row.try_get("title")?,
                views: row.try_get("views")?,
            });
        }
    }
    most_viewed.sort_by_key(|v| std::cmp::Reverse(v.views));
    let stage_rows = sqlx::query(
        "SELECT stage, CAST(COUNT(*) AS BIGINT) AS n FROM achievements WHERE status IN ('published', 'negotiating', 'transferred') GROUP BY stage",
    )
    .fetch_all(db.pool())
    .await?;
    let mut stages = Vec::new();
    for stage in Stage::ALL {
        let count = stage_rows
            .iter()
            .find(|r| r.try_get::<String, _>("stage").ok().as_deref() == Some(stage.code()))
            .map(|r| r.try_get::<i64, _>("n"))
            .transpose()?
            .unwrap_or(0);
        stages.push(Count { label: stage.label().to_string(), count });
    }
    // From the (indexed) links outwards: only contracts that name a listing are read. `|| ''` keeps
    // SQLite's planner (which has no statistics) from starting at the contracts' own indexes.
    let mut sold_rows = Vec::new();
    for link in ["achievement_id", "demand_id"] {
        let sql = format!(
            "SELECT c.id, c.registered_on, COALESCE(a.title, d.title) AS title, COALESCE(a.published_at, d.published_at) AS published_at, \
             r.achievement_id, r.demand_id \
             FROM contract_revisions r JOIN contracts c ON c.id = r.contract_id \
             LEFT JOIN achievements a ON a.id = r.achievement_id LEFT JOIN demands d ON d.id = r.demand_id \
             WHERE r.{link} > '' AND c.status || '' = 'registered' AND c.registered_on || '' >= $1 AND c.registered_on || '' <= $2 \
             AND NOT EXISTS (SELECT 1 FROM contract_revisions n WHERE n.contract_id = r.contract_id AND n.revision_no > r.revision_no) \
             AND NOT EXISTS (SELECT 1 FROM contract_cancellations x WHERE x.contract_id = c.id)"
        );
        sold_rows.extend(
            sqlx::query(&sql)
                .bind(format!("{year:04}-01-01"))
                .bind(format!("{year:04}-12-31"))
                .fetch_all(db.pool())
                .await?,
        );
    }
    let mut sold = Vec::new();
    for row in &sold_rows {
        let published: Option<String> = row.try_get("published_at")?;
        let registered_on: String = row.try_get("registered_on")?;
        let (Some(published), Some(registered)) =
            (published.as_deref().and_then(shanghai_date), crate::domain::time::parse_date(&registered_on))
        else {
            continue;
        };
        let achievement: Option<String> = row.try_get("achievement_id")?;
        let demand: Option<String> = row.try_get("demand_id")?;
        let id: String = row.try_get("id")?;
        sold.push(Sold {
            title: row.try_get::<Option<String>, _>("title")?.unwrap_or_default(),
            listing_link: match (achievement, demand) {
                (Some(a), _) => format!("/achievements/{a}"),
                (None, Some(d)) => format!("/demands/{d}"),
                _ => String::new(),
            },
            contract_link: format!("/contracts/{id}"),
            published_on: crate::domain::forms::date_text(published),
            registered_on,
            days: (registered - published).whole_days(),
        });
    }
    // A contract naming both an achievement and a demand appears once.
    sold.sort_by(|a, b| b.registered_on.cmp(&a.registered_on).then(a.contract_link.cmp(&b.contract_link)));
    sold.dedup_by(|a, b| a.contract_link == b.contract_link);
    let mut days: Vec<i64> = sold.iter().map(|s| s.days).collect();
    days.sort_unstable();
    let median_days_to_contract = (!days.is_empty()).then(|| days[days.len() / 2]);
    sold.truncate(10);
    let (from, to) = year_bounds(year);
    let trading = super::trading::activity(db, &from, &to).await?;
    Ok(Market { months, by_field, most_viewed, stages, sold, median_days_to_contract, trading })
}
