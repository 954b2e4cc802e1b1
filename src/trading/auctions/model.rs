//! An auction's form and rules, and how a bid is judged. Pure: no SQL, no clock (the caller
//! passes `now`).

use time::{Duration, OffsetDateTime};

use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::money::Fen;
use crate::labelled_enum;

labelled_enum!(
    /// Where an auction stands once settled; `open` covers scheduled, running and ended-unsettled.
    AuctionStatus {
        Open = "open": "竞价中",
        Sold = "sold": "已成交",
        Unsold = "unsold": "流拍",
        Cancelled = "cancelled": "已取消",
    }
);

/// An auction as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct AuctionInput {
    pub achievement_id: Option<String>,
    /// 竞价须知: deposit, qualification and payment terms.
    pub rules: Option<String>,
    /// 起拍价 in 万元.
    pub opening_price: Option<String>,
    /// 加价幅度 in 万元.
    pub increment: Option<String>,
    /// 保留价 in 万元 (hidden; empty for none).
    pub reserve_price: Option<String>,
    /// Beijing time `2026-12-18T09:30`, or RFC 3339 with an offset.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// 延时周期: a bid in the last N minutes extends the end by N minutes (0 = never).
    pub extend_minutes: Option<i64>,
    /// The agency running it (administrators choose; a broker runs it for their own agency).
    pub agency_organisation_id: Option<String>,
}

pub const DEFAULT_EXTEND_MINUTES: i64 = 5;
pub const MAX_EXTEND_MINUTES: i64 = 60;

/// A checked auction (the achievement and agency are checked by the service).
#[derive(Debug, Clone)]
pub struct Plan {
    pub rules: String,
    pub opening: Fen,
    pub increment: Fen,
    pub reserve: Option<Fen>,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    pub extend_minutes: i64,
}

pub fn check(input: &AuctionInput, now: OffsetDateTime) -> Result<Plan, FieldErrors> {
    let mut check = Checker::default();
    let rules = check.text("rules", "竞价须知", input.rules.as_deref(), 0, 4000);
    let opening = super::super::rules::price(&mut check, "opening_price", "起拍价", input.opening_price.as_deref());
    let increment = super::super::rules::price(&mut check, "increment", "加价幅度", input.increment.as_deref());
    let reserve =
        super::super::rules::optional_price(&mut check, "reserve_price", "保留价", input.reserve_price.as_deref());
    if let (Some(opening), Some(increment)) = (opening, increment) {
        if increment > opening {
            check.fail("increment", "加价幅度不应超过起拍价");
        }
    }
    if let (Some(opening), Some(reserve)) = (opening, reserve) {
        if reserve < opening {
            check.fail("reserve_price", "保留价不能低于起拍价（不设保留价请留空）");
        }
    }
    let starts = check.datetime("starts_at", "开始时间", input.starts_at.as_deref());
    let ends = check.datetime("ends_at", "结束时间", input.ends_at.as_deref());
    if let Some(s) = starts {
        if s < now - Duration::minutes(5) {
            check.fail("starts_at", "开始时间不能早于现在");
        } else if s > now + Duration::days(366) {
            check.fail("starts_at", "开始时间应在一年之内");
        }
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s + Duration::minutes(1) {
            check.fail("ends_at", "结束时间应晚于开始时间至少 1 分钟");
        } else if e - s > Duration::days(30) {
            check.fail("ends_at", "一场竞价最长 30 天");
        }
    }
    let extend_minutes = input.extend_minutes.unwrap_or(DEFAULT_EXTEND_MINUTES);
    if !(0..=MAX_EXTEND_MINUTES).contains(&extend_minutes) {
        check.fail("extend_minutes", format!("延时周期应在 0 到 {MAX_EXTEND_MINUTES} 分钟之间"));
    }
    check.finish(|| {
        Some(Plan {
            rules,
            opening: opening?,
            increment: increment?,
            reserve,
            starts: starts?,
            ends: ends?,
            extend_minutes,
        })
    })
}

/// What a bid is judged against: the auction's row as it stands inside the bid's transaction.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub open: bool,
    pub opening: Fen,
    pub increment: Fen,
    pub current: Option<Fen>,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    pub extend_minutes: i64,
}

/// Why a bid was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotStarted,
    Ended,
    TooLow { minimum: Fen },
}

impl Standing {
    /// The least the next bid may be: the opening price, then the current price plus the increment.
    pub fn minimum(&self) -> Fen {
        match self.current {
            None => self.opening,
            Some(current) => Fen(current.0.saturating_add(self.increment.0)),
        }
    }

    /// Judges a bid of `amount` at `now`: accepted with the auction's (possibly extended) end.
    /// A bid in the last `extend_minutes` minutes — from `end − N` inclusive — moves the end
    /// N minutes later.
    pub fn judge(&self, amount: Fen, now: OffsetDateTime) -> Result<OffsetDateTime, Refusal> {
        if !self.open || now >= self.ends {
            return Err(Refusal::Ended);
        }
        if now < self.starts {
            return Err(Refusal::NotStarted);
        }
        if amount < self.minimum() {
            return Err(Refusal::TooLow { minimum: self.minimum() });
        }
        let window = Duration::minutes(self.extend_minutes);
        if self.extend_minutes > 0 && now >= self.ends - window { Ok(self.ends + window) } else { Ok(self.ends) }
    }
}

/// Sold when there is a bid and it meets the reserve (if any).
pub fn outcome(current: Option<Fen>, reserve: Option<Fen>) -> AuctionStatus {
    match (current, reserve) {
        (Some(price), Some(reserve)) if price >= reserve => AuctionStatus::Sold,
        (Some(_), None) => AuctionStatus::Sold,
        _ => AuctionStatus::Unsold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn standing() -> Standing {
        Standing {
            open: true,
            opening: Fen(1_000_000),
            increment: Fen(100_000),
            current: None,
            starts: datetime!(2026-12-10 09:00 +8),
            ends: datetime!(2026-12-10 11:00 +8),
            extend_minutes: 5,
        }
    }

    #[test]
    fn the_first_bid_meets_the_opening_price_and_later_ones_the_increment() {
        let s = standing();
        let at = datetime!(2026-12-10 10:00 +8);
        assert_eq!(s.judge(Fen(999_999), at), Err(Refusal::TooLow { minimum: Fen(1_000_000) }));
        assert_eq!(s.judge(Fen(1_000_000), at), Ok(s.ends));
        let s = Standing { current: Some(Fen(1_000_000)), ..s };
        assert_eq!(s.judge(Fen(1_099_999), at), Err(Refusal::TooLow { minimum: Fen(1_100_000) }));
        assert!(s.judge(Fen(1_100_000), at).is_ok());
    }

    #[test]
    fn bids_outside_the_window_are_refused() {
        let s = standing();
        assert_eq!(s.judge(Fen(1_000_000), datetime!(2026-12-10 08:59:59 +8)), Err(Refusal::NotStarted));
        assert_eq!(s.judge(Fen(1_000_000), datetime!(2026-12-10 11:00 +8)), Err(Refusal::Ended));
        assert_eq!(
            Standing { open: false, ..s }.judge(Fen(1_000_000), datetime!(2026-12-10 10:00 +8)),
            Err(Refusal::Ended)
        );
    }

    #[test]
    fn a_bid_from_the_boundary_second_extends_the_end() {
        let s = standing();
        assert_eq!(s.judge(Fen(1_000_000), datetime!(2026-12-10 10:54:59 +8)), Ok(s.ends));
        assert_eq!(s.judge(Fen(1_000_000), datetime!(2026-12-10 10:55:00 +8)), Ok(datetime!(2026-12-10 11:05 +8)));
        assert_eq!(s.judge(Fen(1_000_000), datetime!(2026-12-10 10:59:59 +8)), Ok(datetime!(2026-12-10 11:05 +8)));
        assert_eq!(
            Standing { extend_minutes: 0, ..s }.judge(Fen(1_000_000), datetime!(2026-12-10 10:59:59 +8)),
            Ok(s.ends)
        );
    }

    #[test]
    fn the_reserve_decides_sold_or_unsold() {
        assert_eq!(outcome(None, None), AuctionStatus::Unsold);
        assert_eq!(outcome(Some(Fen(5)), None), AuctionStatus::Sold);
        assert_eq!(outcome(Some(Fen(5)), Some(Fen(6))), AuctionStatus::Unsold);
        assert_eq!(outcome(Some(Fen(6)), Some(Fen(6))), AuctionStatus::Sold);
    }
}
