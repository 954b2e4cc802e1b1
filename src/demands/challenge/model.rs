//! 揭榜挂帅: the terms an enterprise attaches to a demand (reward, application window) and the
//! applications teams send, with their own small lifecycle. No SQL and no HTTP here.

use rocket::FromForm;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::domain::forms::{Checker, FieldErrors, split_list};
use crate::domain::money::{Fen, Unit};
use crate::labelled_enum;

/// The terms as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct TermsInput {
    /// 万元 unless a unit is written.
    pub reward: Option<String>,
    pub apply_from: Option<String>,
    pub apply_until: Option<String>,
}

/// The terms after every rule passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub reward: Fen,
    pub apply_from: Date,
    pub apply_until: Date,
}

/// Checks the terms: a reward above zero, a window that has not ended and closes no later than the
/// demand's own validity date.
pub fn validate_terms(input: &TermsInput, today: Date, valid_until: Date) -> Result<Terms, FieldErrors> {
    let mut check = Checker::default();
    let reward = match Fen::parse(input.reward.as_deref().unwrap_or_default(), Unit::Wan) {
        Ok(amount) if amount.is_zero() => {
            check.fail("reward", "揭榜奖励须大于零");
            None
        }
        Ok(amount) => Some(amount),
        Err(error) => {
            check.fail("reward", error.to_string());
            None
        }
    };
    let from = check.date("apply_from", "揭榜开始日期", input.apply_from.as_deref());
    let until = check.date("apply_until", "揭榜截止日期", input.apply_until.as_deref());
    if from.is_none() && !check.errors.contains_key("apply_from") {
        check.fail("apply_from", "请填写揭榜开始日期");
    }
    if until.is_none() && !check.errors.contains_key("apply_until") {
        check.fail("apply_until", "请填写揭榜截止日期");
    }
    if let (Some(from), Some(until)) = (from, until) {
        if until < from {
            check.fail("apply_until", "截止日期不能早于开始日期");
        } else if until < today {
            check.fail("apply_until", "截止日期不能早于今天");
        } else if until > valid_until {
            check.fail("apply_until", "截止日期不能晚于需求有效期");
        }
    }
    check.finish(|| Some(Terms { reward: reward?, apply_from: from?, apply_until: until? }))
}

/// An application as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationInput {
    pub team: Option<String>,
    pub proposal: Option<String>,
    pub expected_results: Option<String>,
    /// Links, one per line (http or https); files themselves are out of scope.
    pub attachments: Option<String>,
}

/// An application after every rule passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub team: String,
    pub proposal: String,
    pub expected_results: String,
    pub attachments: Vec<String>,
}

pub fn validate_application(input: &ApplicationInput) -> Result<Application, FieldErrors> {
    let mut check = Checker::default();
    let team = check.text("team", "团队介绍", input.team.as_deref(), 2, 2000);
    let proposal = check.text("proposal", "技术方案", input.proposal.as_deref(), 20, 10_000);
    let expected_results = check.text("expected_results", "预期成果", input.expected_results.as_deref(), 10, 3000);
    let attachments = split_list(input.attachments.as_deref().unwrap_or_default());
    if attachments.len() > 10 {
        check.fail("attachments", "附件链接最多 10 个");
    }
    if let Some(bad) = attachments.iter().find(|link| !is_web_link(link)) {
        check.fail("attachments", format!("“{bad}”不是有效的 http/https 链接"));
    }
    check.finish(|| Some(Application { team, proposal, expected_results, attachments }))
}

/// `http://` or `https://` followed by a host, no spaces, at most 500 characters.
pub fn is_web_link(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    text.len() <= 500
        && rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty() && host.contains('.') && !r.chars().any(char::is_whitespace)
        })
}

labelled_enum!(
    /// Where an application stands.
    ApplicationStatus {
        Submitted = "submitted": "已提交",
        Shortlisted = "shortlisted": "已入围",
        Selected = "selected": "已选定",
        NotSelected = "not_selected": "未入选",
        Withdrawn = "withdrawn": "已撤回",
    }
);

labelled_enum!(
    /// What the poster or the applicant does with an application.
    Decision {
        Shortlist = "shortlist": "列入入围",
        Select = "select": "选定揭榜方",
        Reject = "reject": "不予入选",
        Withdraw = "withdraw": "撤回申请",
    }
);

impl Decision {
    /// Only the applicant withdraws; the poster decides the rest.
    pub fn by_applicant(self) -> bool {
        self == Decision::Withdraw
    }
}

/// The allowed moves of an application; `None` means refused.
pub fn decide(from: ApplicationStatus, decision: Decision) -> Option<ApplicationStatus> {
    use ApplicationStatus::*;
    use Decision::*;
    match (from, decision) {
        (Submitted, Shortlist) => Some(Shortlisted),
        (Submitted | Shortlisted, Select) => Some(Selected),
        (Submitted | Shortlisted, Reject) => Some(NotSelected),
        (Submitted | Shortlisted, Withdraw) => Some(Withdrawn),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);
    const VALID: Date = date!(2027 - 06 - 30);

    fn terms(reward: &str, from: &str, until: &str) -> TermsInput {
        TermsInput { reward: Some(reward.into()), apply_from: Some(from.into()), apply_until: Some(until.into()) }
    }

    #[test]
    fn terms_rules() {
        let ok = validate_terms(&terms("50", "2026-12-01", "2027-03-01"), TODAY, VALID).expect("valid");
        assert_eq!(ok.reward, Fen(50_000_000));
        let cases = [
            (terms("0", "2026-12-01", "2027-03-01"), "reward"),
            (terms("很多", "2026-12-01", "2027-03-01"), "reward"),
            (terms("50", "2027-03-01", "2026-12-01"), "apply_until"),
            (terms("50", "2026-01-01", "2026-02-01"), "apply_until"),
            (terms("50", "2026-12-01", "2027-12-01"), "apply_until"),
            (terms("50", "", "2027-03-01"), "apply_from"),
            (terms("50", "2026-12-01", "明年"), "apply_until"),
        ];
        for (input, field) in cases {
            let errors = validate_terms(&input, TODAY, VALID).expect_err(field);
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn application_rules() {
        let good = ApplicationInput {
            team: Some("秦州理工学院精密测量团队".into()),
            proposal: Some("采用相控阵超声与深度学习缺陷识别相结合的方案，先做样件验证再上线。".into()),
            expected_results: Some("交付在线检测装置一套及检测规程".into()),
            attachments: Some("https://example.cn/plan.pdf\nhttp://example.cn/team".into()),
        };
        assert_eq!(validate_application(&good).expect("valid").attachments.len(), 2);
        let cases = [
            (ApplicationInput { team: None, ..good.clone() }, "team"),
            (ApplicationInput { proposal: Some("太短".into()), ..good.clone() }, "proposal"),
            (ApplicationInput { expected_results: None, ..good.clone() }, "expected_results"),
            (ApplicationInput { attachments: Some("ftp://example.cn/x".into()), ..good.clone() }, "attachments"),
            (ApplicationInput { attachments: Some("javascript:alert(1)".into()), ..good.clone() }, "attachments"),
        ];
        for (input, field) in cases {
            let errors = validate_application(&input).expect_err(field);
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn the_application_state_machine() {
        use ApplicationStatus::*;
        use Decision::*;
        let allowed: &[(ApplicationStatus, Decision, ApplicationStatus)] = &[
            (Submitted, Shortlist, Shortlisted),
            (Submitted, Select, Selected),
            (Shortlisted, Select, Selected),
            (Submitted, Reject, NotSelected),
            (Shortlisted, Reject, NotSelected),
            (Submitted, Withdraw, Withdrawn),
            (Shortlisted, Withdraw, Withdrawn),
        ];
        for from in ApplicationStatus::ALL {
            for decision in Decision::ALL {
                let expected = allowed.iter().find(|(f, d, _)| f == from && d == decision).map(|(_, _, to)| *to);
                assert_eq!(decide(*from, *decision), expected, "{from:?} --{decision:?}-->");
            }
        }
        assert!(Withdraw.by_applicant() && !Select.by_applicant());
    }
}
