//! The rules of an achievement listing, table-driven.

use super::*;
use crate::listings::kind::assert_exactly_these_moves;
use crate::listings::{Actor, ListingAction, ListingStatus};

fn complete() -> AchievementInput {
    AchievementInput {
        title: Some("高精度数控机床主轴热误差补偿技术".into()),
        summary: Some("通过温度场建模实时补偿主轴热伸长，加工精度提升约百分之四十，适用于中高端数控机床改造。".into()),
        description: Some("详细技术方案……".into()),
        keywords: Some("数控机床，热误差、补偿".into()),
        achievement_type: Some("applied".into()),
        ip_carriers: vec!["patent".into()],
        patent_numbers: Some("CN201080063196.9".into()),
        technical_field: Some("advanced_manufacturing".into()),
        industry_section: Some("C".into()),
        industry_division: Some("34".into()),
        trl: Some("7".into()),
        stage: Some("pilot".into()),
        transfer_modes: vec!["transfer".into(), "license_general".into()],
        pricing_route: Some("negotiated".into()),
        price_negotiable: false,
        asking_price: Some("85".into()),
        contact_name: Some("李工".into()),
        contact_phone: Some("0938-8212345".into()),
        problem: Some("机床连续运行后主轴热变形导致批量零件尺寸超差。".into()),
        advantages: Some("无需额外硬件改造，补偿后精度优于同类软件补偿方案。".into()),
        region_code: Some("620503".into()),
        ..AchievementInput::default()
    }
}

#[test]
fn a_complete_listing_passes() {
    let listing = validate(&complete()).expect("valid");
    assert_eq!(listing.keywords, ["数控机床", "热误差", "补偿"]);
    assert_eq!(listing.asking_price, Some(Fen(85_000_000)));
    assert_eq!(listing.patent_numbers, ["201080063196.9"]);
    assert_eq!(listing.stage, Stage::Pilot);
}

#[test]
fn every_rule_names_its_field() {
    let long = "长".repeat(101);
    let cases: Vec<(AchievementInput, &str)> = vec![
        (AchievementInput { title: None, ..complete() }, "title"),
        (AchievementInput { title: Some(long.clone()), ..complete() }, "title"),
        (AchievementInput { summary: Some("太短".into()), ..complete() }, "summary"),
        (AchievementInput { keywords: Some(" ".into()), ..complete() }, "keywords"),
        (AchievementInput { keywords: Some("a,b,c,d,e,f,g,h,i,j,k".into()), ..complete() }, "keywords"),
        (AchievementInput { achievement_type: Some("magic".into()), ..complete() }, "achievement_type"),
        (AchievementInput { ip_carriers: vec!["copyleft".into()], ..complete() }, "ip_carriers"),
        (AchievementInput { patent_numbers: Some("ZL201310699744.3".into()), ..complete() }, "patent_numbers"),
        (AchievementInput { patent_numbers: None, ..complete() }, "patent_numbers"),
        (AchievementInput { technical_field: None, ..complete() }, "technical_field"),
        (AchievementInput { industry_section: Some("Z".into()), ..complete() }, "industry_section"),
        (AchievementInput { industry_division: Some("44".into()), ..complete() }, "industry_division"),
        (AchievementInput { trl: Some("10".into()), ..complete() }, "trl"),
        (AchievementInput { trl: Some("abc".into()), ..complete() }, "trl"),
        (AchievementInput { trl: Some("2".into()), ..complete() }, "stage"),
        (AchievementInput { transfer_modes: vec![], ..complete() }, "transfer_modes"),
        (AchievementInput { pricing_route: Some("barter".into()), ..complete() }, "pricing_route"),
        (AchievementInput { asking_price: Some("abc".into()), ..complete() }, "asking_price"),
        (AchievementInput { asking_price: Some("0".into()), ..complete() }, "asking_price"),
        (AchievementInput { asking_price: Some("-5".into()), ..complete() }, "asking_price"),
        (AchievementInput { asking_price: Some("1.0000001".into()), ..complete() }, "asking_price"),
        (
            AchievementInput { pricing_route: Some("listing".into()), price_negotiable: true, ..complete() },
            "asking_price",
        ),
        (
            AchievementInput {
                pricing_route: Some("listing".into()),
                publicity_start: Some("2026-03-10".into()),
                publicity_end: Some("2026-03-01".into()),
                ..complete()
            },
            "publicity_end",
        ),
        (AchievementInput { publicity_start: Some("2026-03-01".into()), ..complete() }, "publicity_end"),
        (
            AchievementInput {
                publicity_start: Some("2026-03-01".into()),
                publicity_end: Some("2026-03-10".into()),
                ..complete()
            },
            "publicity_start",
        ),
        (AchievementInput { publicity_start: Some("2026-13-01".into()), ..complete() }, "publicity_start"),
        (AchievementInput { contact_phone: Some("12345".into()), ..complete() }, "contact_phone"),
        (AchievementInput { contact_email: Some("not-an-email".into()), ..complete() }, "contact_email"),
        (AchievementInput { problem: None, ..complete() }, "problem"),
        (AchievementInput { advantages: Some("好".into()), ..complete() }, "advantages"),
        (AchievementInput { region_code: Some("62".into()), ..complete() }, "region_code"),
    ];
    for (input, field) in cases {
        let errors = validate(&input).expect_err(field);
        assert!(errors.contains_key(field), "{field}: {errors:?}");
        assert!(errors.values().all(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))), "{errors:?}");
    }
}

#[test]
fn negotiable_price_and_publicity_for_listings() {
    let negotiable =
        validate(&AchievementInput { price_negotiable: true, asking_price: None, ..complete() }).expect("valid");
    assert_eq!(negotiable.asking_price, None);
    let listed = validate(&AchievementInput {
        pricing_route: Some("listing".into()),
        asking_price: Some("¥1,200,000".into()),
        publicity_start: Some("2026-03-01".into()),
        publicity_end: Some("2026-03-15".into()),
        ..complete()
    })
    .expect("valid");
    assert_eq!(listed.asking_price, Some(Fen(120_000_000)));
    assert_eq!(publicity_text(listed.publicity), (Some("2026-03-01".into()), Some("2026-03-15".into())));
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
        (Published, StartNegotiation, Negotiating),
        (Negotiating, EndNegotiation, Published),
        (Published, MarkTransferred, Transferred),
        (Negotiating, MarkTransferred, Transferred),
        (Draft, Withdraw, Withdrawn),
        (Submitted, Withdraw, Withdrawn),
        (Returned, Withdraw, Withdrawn),
        (Published, Withdraw, Withdrawn),
        (Negotiating, Withdraw, Withdrawn),
        (Withdrawn, Redraft, Draft),
    ];
    assert_exactly_these_moves(transition, Action::ALL, allowed);
    assert_eq!(Approve.actor(), Actor::Admin);
    assert_eq!(Return.actor(), Actor::Admin);
    assert_eq!(Submit.actor(), Actor::Owner);
    assert_eq!(Published.after_edit(), Submitted);
    assert_eq!(Returned.after_edit(), Returned);
    assert!(!Transferred.is_editable() && !Withdrawn.is_editable() && !Submitted.is_editable());
    assert!(Published.is_public() && Negotiating.is_public() && Transferred.is_public() && !Submitted.is_public());
}
