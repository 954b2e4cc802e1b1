//! Revenue share (收益分配) for contracts that sell an institution's achievement: what part of the
//! proceeds (转化收益, recorded as net income) goes to the people who made and transferred it,
//! against the minimums of Gansu (60 %) and national law (50 %), and — as the district plan words
//! it, advisory and only for 科研院所 whose 成果完成人 carry out the transfer themselves — 90 %.

use serde::Serialize;

use crate::domain::money::Fen;

/// One minimum and whether the recorded share meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Minimum {
    pub percent: u8,
    pub source: &'static str,
    pub met: bool,
    /// The plan's "可" (may): a recommendation, not a requirement.
    pub advisory: bool,
}

/// The district plan's sentence, quoted wherever its 90 % is measured.
pub const PLAN_SENTENCE: &str =
    "科研院所中职务科技成果由成果完成人实施转化的，可将不低于90%的转化收益奖励给成果完成人和为成果转化作出贡献的人员";

/// The share recorded and the minimums it is measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareCheck {
    /// The share in hundredths of a percent, rounded down (8,999 = 89.99 %).
    pub basis_points: i64,
    pub percent_text: String,
    /// The binding minimum of this contract (Gansu's 60 %).
    pub applicable: Minimum,
    /// The plan's advisory 90 %, when it applies (a 科研院所's team transferring it themselves).
    pub advised: Option<Minimum>,
    pub minimums: Vec<Minimum>,
}

impl ShareCheck {
    pub fn below_applicable(&self) -> bool {
        !self.applicable.met
    }

    /// Below the plan's recommendation (never a requirement).
    pub fn below_advised(&self) -> bool {
        self.advised.as_ref().is_some_and(|m| !m.met)
    }
}

fn meets(share: Fen, net: Fen, percent: u8) -> bool {
    i128::from(share.0) * 100 >= i128::from(net.0) * i128::from(percent)
}

/// Measures `share` of `net`; `None` when there is no income to share. `plan_scope`: the seller
/// is a 科研院所 and the 成果完成人 carry out the transfer themselves.
pub fn check(net: Fen, share: Fen, plan_scope: bool) -> Option<ShareCheck> {
    if net.0 <= 0 {
        return None;
    }
    let basis_points = i64::try_from(i128::from(share.0) * 10_000 / i128::from(net.0)).unwrap_or(i64::MAX);
    let minimum = |percent, source, advisory| Minimum { percent, source, met: meets(share, net, percent), advisory };
    let mut minimums = vec![minimum(60, "甘肃省规定", false), minimum(50, "《促进科技成果转化法》", false)];
    let advised = plan_scope.then(|| minimum(90, "《麦积区强科技行动实施方案》（倡导性）", true));
    if let Some(advised) = &advised {
        minimums.insert(0, advised.clone());
    }
    Some(ShareCheck {
        basis_points,
        percent_text: format!("{}.{:02}%", basis_points / 100, basis_points % 100),
        applicable: minimum(60, "甘肃省规定", false),
        advised,
        minimums,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_minimum_depends_on_who_transfers() {
        let team = check(Fen(1_000_000), Fen(899_999), true).expect("net");
        assert!(team.below_advised() && !team.below_applicable());
        assert_eq!(team.applicable.percent, 60);
        assert_eq!(team.advised.as_ref().map(|m| (m.percent, m.advisory)), Some((90, true)));
        assert_eq!(team.percent_text, "89.99%");
        assert!(team.minimums[1].met && team.minimums[2].met);
        let exactly = check(Fen(1_000_000), Fen(900_000), true).expect("net");
        assert!(!exactly.below_advised());
        let institution = check(Fen(1_000_000), Fen(550_000), false).expect("net");
        assert_eq!(institution.applicable.percent, 60);
        assert!(institution.below_applicable() && institution.minimums[1].met);
        assert!(check(Fen::ZERO, Fen::ZERO, false).is_none());
    }
}
