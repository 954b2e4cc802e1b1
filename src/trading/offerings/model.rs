//! What a 挂牌 form holds and its rules; when the 竞价 it may turn into takes place. No SQL here.

use time::{Duration, OffsetDateTime};

use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::money::Fen;
use crate::labelled_enum;

labelled_enum!(
    /// Where an offering stands.
    OfferingStatus {
        Open = "open": "挂牌中",
        Agreed = "agreed": "已成交",
        Bidding = "bidding": "转入竞价",
        Unsold = "unsold": "挂牌期满未成交",
        Withdrawn = "withdrawn": "已撤牌",
    }
);

/// An offering as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct OfferingInput {
    pub achievement_id: Option<String>,
    /// 挂牌价 in 万元.
    pub price: Option<String>,
    /// 加价幅度 in 万元, used if the offering moves into 竞价.
    pub increment: Option<String>,
    /// 受让方资格条件.
    pub conditions: Option<String>,
    /// The end of the period (Beijing time); the period starts on publication.
    pub ends_at: Option<String>,
}

/// A checked offering.
#[derive(Debug, Clone)]
pub struct Terms {
    pub price: Fen,
    pub increment: Fen,
    pub conditions: String,
    pub ends: OffsetDateTime,
}

pub fn check(input: &OfferingInput, now: OffsetDateTime) -> Result<Terms, FieldErrors> {
    let mut check = Checker::default();
    let price = crate::trading::rules::price(&mut check, "price", "挂牌价", input.price.as_deref());
    let increment = crate::trading::rules::price(&mut check, "increment", "加价幅度", input.increment.as_deref());
    if let (Some(price), Some(increment)) = (price, increment) {
        if increment > price {
            check.fail("increment", "加价幅度不应超过挂牌价");
        }
    }
    let conditions = check.text("conditions", "受让方资格条件", input.conditions.as_deref(), 0, 2000);
    let ends = check.datetime("ends_at", "挂牌截止时间", input.ends_at.as_deref());
    if let Some(ends) = ends {
        if ends < now + Duration::days(1) {
            check.fail("ends_at", "挂牌期至少 1 天");
        } else if ends > now + Duration::days(366) {
            check.fail("ends_at", "挂牌期最长一年");
        }
    }
    check.finish(|| Some(Terms { price: price?, increment: increment?, conditions, ends: ends? }))
}

/// When the 竞价 of an offering with several intents runs: it opens an hour after the period
/// closes (the bidders are told in the meantime) and lasts an hour, with a 5-minute extension.
pub fn bidding_window(closed_at: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let starts = closed_at + Duration::hours(1);
    (starts, starts + Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_offering_needs_a_price_an_increment_and_a_period_of_a_day() {
        let now = datetime!(2026-12-03 02:00 UTC);
        let input = OfferingInput {
            price: Some("120".into()),
            increment: Some("5".into()),
            ends_at: Some("2026-12-31T17:00".into()),
            ..Default::default()
        };
        let terms = check(&input, now).expect("valid");
        assert_eq!(terms.price, Fen(120_000_000));
        assert_eq!(terms.ends, datetime!(2026-12-31 09:00 UTC));
        let short = OfferingInput { ends_at: Some("2026-12-03T18:00".into()), increment: Some("200".into()), ..input };
        let errors = check(&short, now).expect_err("invalid");
        assert!(errors.contains_key("ends_at") && errors.contains_key("increment"), "{errors:?}");
    }
}
