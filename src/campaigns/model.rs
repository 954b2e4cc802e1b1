//! A 征集 campaign as typed and as checked: which listings it collects, its theme and fields,
//! the deadline (a Beijing day, inclusive), the target organisations. No SQL, no HTTP.

use time::{Date, Duration};

use crate::domain::forms::{Checker, FieldErrors};
use crate::domain::taxonomy::TechnicalField;
use crate::listings::Kind;

/// A campaign as submitted by the form or the API.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignInput {
    /// `achievement` (成果征集, the default) or `demand` (需求征集).
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Technical field codes; none means any field.
    pub technical_fields: Vec<String>,
    /// `2026-12-31`: the last Beijing day entries are taken.
    pub deadline: Option<String>,
    /// Institutions and enterprises invited; none means all of them.
    pub target_organisation_ids: Vec<String>,
}

/// A checked campaign (the targets are checked against the organisations by the service).
#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub fields: Vec<TechnicalField>,
    pub deadline: Date,
}

/// At most this many target organisations.
pub const MAX_TARGETS: usize = 500;

/// Checks everything but the targets' existence, as of `today` (Beijing).
pub fn check(input: &CampaignInput, today: Date) -> Result<Plan, FieldErrors> {
    let mut check = Checker::default();
    let kind = match input.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Some(Kind::Achievement),
        Some(code) => check.choice("kind", "征集内容", Some(code), Kind::from_code),
    };
    let title = check.text("title", "征集主题", input.title.as_deref(), 4, 100);
    let description = check.text("description", "征集说明", input.description.as_deref(), 0, 5000);
    let fields =
        check.choices("technical_fields", "技术领域", &input.technical_fields, TechnicalField::from_code, false);
    let deadline = match input.deadline.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => {
            check.fail("deadline", "请填写截止日期");
            None
        }
        Some(text) => check.date("deadline", "截止日期", Some(text)),
    };
    if let Some(day) = deadline {
        if day < today {
            check.fail("deadline", "截止日期不能早于今天");
        } else if day > today + Duration::days(731) {
            check.fail("deadline", "截止日期应在两年之内");
        }
    }
    if input.target_organisation_ids.len() > MAX_TARGETS {
        check.fail("target_organisation_ids", format!("目标单位最多 {MAX_TARGETS} 个"));
    }
    check.finish(|| Some(Plan { kind: kind?, title, description, fields, deadline: deadline? }))
}

/// Whether entries are still taken: open and not past the deadline.
pub fn accepting(status: &str, deadline: &str, today: &str) -> bool {
    status == "open" && deadline >= today
}

/// The label of where a campaign stands.
pub fn status_label(status: &str, deadline: &str, today: &str) -> &'static str {
    if accepting(status, deadline, today) {
        "征集中"
    } else if status == "closed" {
        "已结束"
    } else {
        "已截止"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn campaigns_are_checked_field_by_field() {
        let today = date!(2026 - 12 - 03);
        let good = CampaignInput {
            title: Some("2026 年农业科技成果征集".into()),
            deadline: Some("2026-12-31".into()),
            technical_fields: vec!["agriculture".into(), "agriculture".into()],
            ..CampaignInput::default()
        };
        let plan = check(&good, today).expect("valid");
        assert_eq!((plan.kind, plan.fields.len()), (Kind::Achievement, 1));
        let bad = CampaignInput {
            kind: Some("patent".into()),
            title: Some("短".into()),
            deadline: Some("2026-12-02".into()),
            technical_fields: vec!["nope".into()],
            ..CampaignInput::default()
        };
        let errors = check(&bad, today).expect_err("invalid");
        for field in ["kind", "title", "deadline", "technical_fields"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        assert!(accepting("open", "2026-12-03", "2026-12-03"));
        assert!(!accepting("open", "2026-12-02", "2026-12-03"));
        assert_eq!(status_label("closed", "2027-01-01", "2026-12-03"), "已结束");
    }
}
