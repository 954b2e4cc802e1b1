//! The rules of a demand, table-driven.

use super::*;
use crate::listings::kind::assert_exactly_these_moves;
use crate::listings::{Actor, ListingAction, ListingStatus};
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 28);

fn complete() -> DemandInput {
    DemandInput {
        title: Some("大型铸件内部缺陷快速检测".into()),
        description: Some(
            "我公司生产的机床床身铸件需要在粗加工前发现内部缩孔和夹渣，现有抽检方式周期长、成本高。".into(),
        ),
        indicators: Some("检测深度：≥300 mm\n缺陷检出尺寸: ≤2 mm\n单件检测时间：≤30 分钟".into()),
        basis: Some("已有超声探伤仪两台".into()),
        keywords: Some("铸件，无损检测".into()),
        technical_field: Some("advanced_manufacturing".into()),
        industry_section: Some("C".into()),
        cooperation_modes: vec!["commissioned".into(), "service".into()],
        budget_min: Some("30".into()),
        budget_max: Some("80万元".into()),
        valid_until: Some("2027-06-30".into()),
        contact_name: Some("钱工".into()),
        contact_phone: Some("13893812345".into()),
        region_code: Some("620503".into()),
        ..DemandInput::default()
    }
}

#[test]
fn a_complete_demand_passes() {
    let demand = validate(&complete(), TODAY).expect("valid");
    assert_eq!(demand.indicators.len(), 3);
    assert_eq!(demand.indicators[1], Indicator { name: "缺陷检出尺寸".into(), target: "≤2 mm".into() });
    assert_eq!((demand.budget_min, demand.budget_max), (Some(Fen(30_000_000)), Some(Fen(80_000_000))));
    assert_eq!(valid_until_text(&demand), "2027-06-30");
    assert_eq!(parse_indicators(&indicators_text(&demand.indicators)), Ok(demand.indicators));
}

#[test]
fn every_rule_names_its_field() {
    let cases: Vec<(DemandInput, &str)> = vec![
        (DemandInput { title: Some("短".into()), ..complete() }, "title"),
        (DemandInput { description: None, ..complete() }, "description"),
        (DemandInput { indicators: None, ..complete() }, "indicators"),
        (DemandInput { indicators: Some("精度很高".into()), ..complete() }, "indicators"),
        (DemandInput { indicators: Some("精度：越高越好".into()), ..complete() }, "indicators"),
        (DemandInput { technical_field: Some("x".into()), ..complete() }, "technical_field"),
        (DemandInput { cooperation_modes: vec![], ..complete() }, "cooperation_modes"),
        (DemandInput { cooperation_modes: vec!["barter".into()], ..complete() }, "cooperation_modes"),
        (DemandInput { budget_min: Some("abc".into()), ..complete() }, "budget_min"),
        (DemandInput { budget_min: Some("90".into()), ..complete() }, "budget_max"),
        (DemandInput { budget_min: None, budget_max: None, ..complete() }, "budget_max"),
        (DemandInput { valid_until: None, ..complete() }, "valid_until"),
        (DemandInput { valid_until: Some("2026-11-27".into()), ..complete() }, "valid_until"),
        (DemandInput { valid_until: Some("2029-01-01".into()), ..complete() }, "valid_until"),
        (DemandInput { valid_until: Some("明年".into()), ..complete() }, "valid_until"),
        (DemandInput { contact_phone: Some("110".into()), ..complete() }, "contact_phone"),
        (DemandInput { region_code: None, ..complete() }, "region_code"),
    ];
    for (input, field) in cases {
        let errors = validate(&input, TODAY).expect_err(field);
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }
    let negotiable = DemandInput { budget_negotiable: true, budget_min: None, budget_max: None, ..complete() };
    assert_eq!(validate(&negotiable, TODAY).expect("valid").budget_max, None);
}

#[test]
fn the_state_machine_allows_exactly_these_moves() {
    use Action::*;
    use Status::*;
    let allowed: &[(Status, Action, Status)] = &[
        (Draft, Submit, Submitted),
        (Returned, Submit, Submitted),
        (Submitted, Approve, Published),
        (Submitted, Return, Returned),
        (Published, StartTalks, InTalks),
        (InTalks, Reopen, Published),
        (Published, MarkSolved, Solved),
        (InTalks, MarkSolved, Solved),
        (Draft, Close, Closed),
        (Submitted, Close, Closed),
        (Returned, Close, Closed),
        (Published, Close, Closed),
        (InTalks, Close, Closed),
        (Published, Expire, Expired),
        (InTalks, Expire, Expired),
        (Closed, Redraft, Draft),
        (Expired, Redraft, Draft),
    ];
    assert_exactly_these_moves(transition, Action::ALL, allowed);
    assert_eq!(Expire.actor(), Actor::System);
    assert_eq!(Approve.actor(), Actor::Admin);
    assert_eq!(InTalks.after_edit(), Submitted);
}
