//! The contract form's rules, case by case.

use super::*;
use time::macros::date;

fn input() -> ContractInput {
    ContractInput {
        contract_type: Some("transfer".into()),
        subtype: Some("patent_transfer".into()),
        title: Some("苹果分级专利权转让".into()),
        total: Some("1,200,000".into()),
        equipment: Some("200000.50".into()),
        ..ContractInput::default()
    }
}

#[test]
fn a_minimal_draft_is_accepted_and_amounts_are_exact() {
    let draft = validate(&input(), date!(2026 - 11 - 28), OverrideRights::default()).expect("valid");
    let amounts = draft.amounts.expect("priced");
    assert_eq!(amounts.total(), Fen(120_000_000));
    assert_eq!(amounts.technology(), Fen(99_999_950));
    let wan = ContractInput { amount_unit: Some("wan".into()), total: Some("120".into()), equipment: None, ..input() };
    let draft = validate(&wan, date!(2026 - 11 - 28), OverrideRights::default()).expect("valid");
    assert_eq!(draft.amounts.map(|a| a.total()), Some(Fen(120_000_000)));
}

#[test]
fn wrong_subtypes_excess_deductions_and_bad_codes_are_explained() {
    let bad = ContractInput {
        subtype: Some("training".into()),
        equipment: Some("2,000,000".into()),
        seller_credit_code: Some("91620503MA71234567".into()),
        buyer_region: Some("62050".into()),
        expected_investment: Some("10".into()),
        ..input()
    };
    let errors = validate(&bad, date!(2026 - 11 - 28), OverrideRights::default()).expect_err("invalid");
    assert!(errors["subtype"].contains("不属于技术转让"), "{errors:?}");
    assert!(errors.contains_key("buyer_region"));
    assert!(errors.contains_key("seller_credit_code"));
}

#[test]
fn only_permitted_callers_confirm_a_failing_check_digit() {
    let body = "91620503MA7123456";
    let good = crate::domain::validators::complete_credit_code(body).expect("code");
    let wrong_check = if good.ends_with('0') { format!("{body}1") } else { format!("{body}0") };
    let asked =
        ContractInput { seller_credit_code: Some(wrong_check.clone()), seller_credit_override: true, ..input() };
    let refused = validate(&asked, date!(2026 - 11 - 28), OverrideRights::default()).expect_err("not admin");
    assert!(refused["seller_credit_code"].contains("管理员"));
    let rights = OverrideRights { seller: true, buyer: false };
    let draft = validate(&asked, date!(2026 - 11 - 28), rights).expect("admin confirms");
    assert_eq!(draft.seller.credit_code.as_deref(), Some(wrong_check.as_str()));
    assert!(draft.seller.credit_override);
}

#[test]
fn a_draft_round_trips_through_its_form() {
    let full = ContractInput {
        institution_achievement: true,
        net_income: Some("800000".into()),
        team_share: Some("720000".into()),
        signed_on: Some("2026-10-08".into()),
        carrier: Some("3000".into()),
        ..input()
    };
    let draft = validate(&full, date!(2026 - 11 - 28), OverrideRights::default()).expect("valid");
    let again = validate(&draft.to_input(), date!(2026 - 11 - 28), OverrideRights::default()).expect("valid");
    assert_eq!(draft, again);
}
