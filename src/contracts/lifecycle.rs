//! Where a contract stands in registration, who may move it, and the registration clock.
//!
//! draft → submitted (受理; the clock starts) → correction_requested (补正; the clock stops and
//! restarts on resubmission) → registered (登记) or refused (未予登记). A registered contract is
//! later amended (变更登记: a new revision) or cancelled (注销登记: an added record); both leave it
//! `registered` in this table, so the row itself never changes again.

use time::{Date, Duration};

use crate::config::ReviewRule;
use crate::domain::workdays::Calendar;
use crate::labelled_enum;

labelled_enum!(
    /// The stored registration status.
    Status {
        Draft = "draft": "草稿",
        Submitted = "submitted": "已受理",
        CorrectionRequested = "correction_requested": "待补正",
        Registered = "registered": "已登记",
        Refused = "refused": "未予登记",
    }
);

labelled_enum!(
    /// What someone does to a contract (the API's sub-resources, the forms' actions).
    Action {
        Submit = "submit": "提交登记",
        RequestCorrection = "request-correction": "要求补正",
        Register = "register": "准予登记",
        Refuse = "refuse": "不予登记",
        Amend = "amend": "变更登记",
        Cancel = "cancel": "注销登记",
        Dispute = "dispute": "标记存在争议",
    }
);

impl Action {
    /// Registry actions belong to administrators; submission to the seller's side.
    pub fn by_administrator(self) -> bool {
        self != Action::Submit
    }
}

impl Status {
    /// The seller's side may still change what the contract says.
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::CorrectionRequested)
    }
}

/// The status an action leads to from `from`, if it is allowed there. `cancelled` says whether a
/// 注销登记 has been recorded (only then are amend and cancel closed).
pub fn next(from: Status, action: Action, cancelled: bool) -> Option<Status> {
    use Action as A;
    use Status as S;
    match (from, action) {
        (S::Draft | S::CorrectionRequested, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::RequestCorrection) => Some(S::CorrectionRequested),
        (S::Submitted, A::Register) => Some(S::Registered),
        (S::Submitted, A::Refuse) => Some(S::Refused),
        (S::Submitted, A::Dispute) => Some(S::Submitted),
        (S::Registered, A::Amend | A::Cancel) if !cancelled => Some(S::Registered),
        _ => None,
    }
}

/// How long the registry has to answer, and under which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPeriod {
    pub days: u32,
    /// Working days (the 2024 draft) or calendar days (the 2000 text).
    pub working_days: bool,
    pub rule: ReviewRule,
}

/// The stored code of a rule.
pub fn rule_code(rule: ReviewRule) -> &'static str {
    match rule {
        ReviewRule::WorkingDays2024 => "working_days_2024",
        ReviewRule::Days2000 => "days_2000",
    }
}

/// The period text of a stored rule and day count: `15 个工作日` or `30 日`.
pub fn period_text(rule: Option<&str>, days: i64) -> String {
    if rule == Some("days_2000") { format!("{days} 日") } else { format!("{days} 个工作日") }
}

/// The period of a contract: under the 2024 draft 15 working days, 30 with expert review (from
/// ¥5M technology value, `expert_days` = 30) or when disputed; under the 2000 text 30 days.
pub fn review_period(rule: ReviewRule, expert_days: u32, disputed: bool) -> ReviewPeriod {
    match rule {
        ReviewRule::WorkingDays2024 => {
            ReviewPeriod { days: if disputed { 30 } else { expert_days }, working_days: true, rule }
        }
        ReviewRule::Days2000 => ReviewPeriod { days: 30, working_days: false, rule },
    }
}

/// The registry's deadline, counted from the day of acceptance.
pub fn due_on(calendar: &Calendar, accepted_on: Date, period: ReviewPeriod) -> Date {
    if period.working_days {
        calendar.add_working_days(accepted_on, period.days)
    } else {
        accepted_on + Duration::days(i64::from(period.days))
    }
}

/// Whether a submitted contract has passed its deadline on `today`.
pub fn is_overdue(status: Status, due: Option<Date>, today: Date) -> bool {
    status == Status::Submitted && due.is_some_and(|d| today > d)
}

/// The names of the lifecycle events, for the history.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "created" => "起草",
        "edited" => "修改",
        "submitted" => "提交登记（受理）",
        "resubmitted" => "补正后重新提交",
        "correction_requested" => "要求补正",
        "registered" => "准予登记",
        "refused" => "不予登记",
        "amended" => "变更登记",
        "cancelled" => "注销登记",
        "share_paid" => "发放团队奖励",
        "disputed" => "标记存在争议",
        "imported" => "历史登记补录",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_transition_is_listed_and_nothing_else_is_allowed() {
        let allowed: Vec<(Status, Action, bool, Status)> = vec![
            (Status::Draft, Action::Submit, false, Status::Submitted),
            (Status::CorrectionRequested, Action::Submit, false, Status::Submitted),
            (Status::Submitted, Action::RequestCorrection, false, Status::CorrectionRequested),
            (Status::Submitted, Action::Register, false, Status::Registered),
            (Status::Submitted, Action::Refuse, false, Status::Refused),
            (Status::Submitted, Action::Dispute, false, Status::Submitted),
            (Status::Registered, Action::Amend, false, Status::Registered),
            (Status::Registered, Action::Cancel, false, Status::Registered),
        ];
        for from in Status::ALL {
            for action in Action::ALL {
                for cancelled in [false, true] {
                    let expected = allowed
                        .iter()
                        .find(|(f, a, c, _)| f == from && a == action && (*c == cancelled || *f != Status::Registered))
                        .filter(|_| !(cancelled && *from == Status::Registered))
                        .map(|(_, _, _, to)| *to);
                    assert_eq!(next(*from, *action, cancelled), expected, "{from:?} {action:?} cancelled={cancelled}");
                }
            }
        }
    }

    #[test]
    fn the_clock_counts_working_days() {
        // Accepted Friday 2027-03-05: 15 working days later is Friday 2027-03-26.
        let calendar = Calendar::default();
        let period = review_period(ReviewRule::WorkingDays2024, 15, false);
        let due = due_on(&calendar, date!(2027 - 03 - 05), period);
        assert_eq!(due, date!(2027 - 03 - 26));
        let disputed = review_period(ReviewRule::WorkingDays2024, 15, true);
        assert_eq!((disputed.days, disputed.working_days), (30, true));
        let old_rule = review_period(ReviewRule::Days2000, 15, false);
        assert_eq!(due_on(&calendar, date!(2027 - 03 - 05), old_rule), date!(2027 - 04 - 04));
        assert_eq!(period_text(Some("days_2000"), 30), "30 日");
        assert_eq!(period_text(Some("working_days_2024"), 15), "15 个工作日");
        assert!(!is_overdue(Status::Submitted, Some(due), due));
        assert!(is_overdue(Status::Submitted, Some(due), date!(2027 - 03 - 27)));
        assert!(!is_overdue(Status::CorrectionRequested, Some(due), date!(2027 - 04 - 30)));
    }
}
