//! What a 公示 form holds, its period arithmetic in Beijing dates, and its states. No SQL here.

use time::{Date, Duration};

use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::money::Fen;
use crate::domain::taxonomy::TransferMode;
use crate::domain::workdays::Calendar;
use crate::labelled_enum;

labelled_enum!(
    /// Where a notice stands.
    NoticeStatus {
        Open = "open": "公示中",
        ClosedClear = "closed_clear": "公示结束（无异议）",
        ClosedResolved = "closed_resolved": "公示结束（有异议已处理）",
        Withdrawn = "withdrawn": "已撤回",
        Superseded = "superseded": "已更正（见新版本）",
    }
);

/// A notice as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeInput {
    pub achievement_id: Option<String>,
    /// 成果完成人（团队）; the achievement's team when left empty.
    pub team: Option<String>,
    /// 拟受让方 (name as it will be published).
    pub transferee: Option<String>,
    /// The transferee's organisation on the platform, when it has one (fills the contract draft).
    pub transferee_organisation_id: Option<String>,
    pub transfer_mode: Option<String>,
    /// 拟交易价格 in 万元.
    pub price: Option<String>,
    /// Calendar days of the period, counting the day of publication; 15 when empty.
    pub days: Option<i64>,
    /// 异议受理联系方式.
    pub contact: Option<String>,
    /// 公示说明 (how the price was reached, e.g. by appraisal or negotiation).
    pub statement: Option<String>,
    /// Why a new version corrects the last one (versions only).
    pub correction_note: Option<String>,
}

pub const DEFAULT_DAYS: i64 = 15;
pub const MAX_DAYS: i64 = 60;
pub const MIN_WORKING_DAYS: u32 = 5;

/// A checked notice (the achievement is checked by the service).
#[derive(Debug, Clone)]
pub struct Terms {
    pub team: String,
    pub transferee: String,
    pub transfer_mode: TransferMode,
    pub price: Fen,
    pub starts_on: Date,
    pub ends_on: Date,
    pub contact: String,
    pub statement: String,
    pub correction_note: String,
}

/// The period that starts on `starts_on` and lasts `days` calendar days, counting that day:
/// its last day.
pub fn last_day(starts_on: Date, days: i64) -> Date {
    starts_on + Duration::days(days - 1)
}

/// Checks a notice published on `today` (Beijing date); `correcting` asks for a correction note.
pub fn check(input: &NoticeInput, today: Date, calendar: &Calendar, correcting: bool) -> Result<Terms, FieldErrors> {
    let mut check = Checker::default();
    let team = check.text("team", "成果完成人", input.team.as_deref(), 2, 500);
    let transferee = check.text("transferee", "拟受让方", input.transferee.as_deref(), 2, 200);
    let transfer_mode =
        check.choice("transfer_mode", "转化方式", input.transfer_mode.as_deref(), TransferMode::from_code);
    let price = super::super::rules::price(&mut check, "price", "拟交易价格", input.price.as_deref());
    let contact = check.text("contact", "异议受理联系方式", input.contact.as_deref(), 5, 200);
    let statement = check.text("statement", "公示说明", input.statement.as_deref(), 0, 2000);
    let correction_note =
        check.text("correction_note", "更正说明", input.correction_note.as_deref(), usize::from(correcting) * 4, 500);
    let days = input.days.unwrap_or(DEFAULT_DAYS);
    let ends_on = last_day(today, days.clamp(1, MAX_DAYS));
    if !(1..=MAX_DAYS).contains(&days) {
        check.fail("days", format!("公示期应为 1 到 {MAX_DAYS} 个自然日"));
    } else if calendar.working_days_between(today - Duration::days(1), ends_on) < MIN_WORKING_DAYS {
        check.fail("days", format!("公示期不得少于 {MIN_WORKING_DAYS} 个工作日（到 {ends_on} 只有更少的工作日）"));
    }
    check.finish(|| {
        Some(Terms {
            team,
            transferee,
            transfer_mode: transfer_mode?,
            price: price?,
            starts_on: today,
            ends_on,
            contact,
            statement,
            correction_note,
        })
    })
}

/// Objections are taken from the first day to the end of the last day (Beijing dates).
pub fn open_for_objections(status: NoticeStatus, ends_on: Date, today: Date) -> bool {
    status == NoticeStatus::Open && today <= ends_on
}

/// A notice may be closed once its last day has passed.
pub fn may_close(status: NoticeStatus, ends_on: Date, today: Date) -> bool {
    status == NoticeStatus::Open && today > ends_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> NoticeInput {
        NoticeInput {
            team: Some("王立新、李敏".into()),
            transferee: Some("天水星火机床有限责任公司".into()),
            transfer_mode: Some("transfer".into()),
            price: Some("85".into()),
            contact: Some("0938-2731234 成果转化办公室".into()),
            ..Default::default()
        }
    }

    #[test]
    fn fifteen_days_counting_the_first_cross_a_month_end() {
        let terms = check(&input(), date!(2026 - 12 - 20), &Calendar::default(), false).expect("valid");
        assert_eq!(terms.starts_on, date!(2026 - 12 - 20));
        assert_eq!(terms.ends_on, date!(2027 - 01 - 03));
        assert_eq!(terms.price, Fen(85_000_000));
        assert_eq!(last_day(date!(2027 - 02 - 20), 15), date!(2027 - 03 - 06));
        assert_eq!(last_day(date!(2028 - 02 - 20), 15), date!(2028 - 03 - 05), "2028 is a leap year");
    }

    #[test]
    fn a_period_needs_five_working_days() {
        // Friday 2026-12-04: 5 calendar days hold Fri, Mon, Tue = 3 working days.
        let short = NoticeInput { days: Some(5), ..input() };
        let errors = check(&short, date!(2026 - 12 - 04), &Calendar::default(), false).expect_err("too short");
        assert!(errors["days"].contains("5 个工作日"), "{errors:?}");
        let enough = NoticeInput { days: Some(7), ..input() };
        assert!(check(&enough, date!(2026 - 12 - 04), &Calendar::default(), false).is_ok());
        let long = NoticeInput { days: Some(61), ..input() };
        assert!(check(&long, date!(2026 - 12 - 04), &Calendar::default(), false).is_err());
    }

    #[test]
    fn objections_run_to_the_end_of_the_last_day() {
        let last = date!(2027 - 01 - 03);
        assert!(open_for_objections(NoticeStatus::Open, last, last));
        assert!(!open_for_objections(NoticeStatus::Open, last, date!(2027 - 01 - 04)));
        assert!(!open_for_objections(NoticeStatus::Withdrawn, last, last));
        assert!(!may_close(NoticeStatus::Open, last, last));
        assert!(may_close(NoticeStatus::Open, last, date!(2027 - 01 - 04)));
    }
}
