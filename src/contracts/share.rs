//! Revenue share (收益分配) for contracts that sell an institution's achievement: what part of the
//! net income goes to the completing team, against the minimums that apply in Maiji — 90 % when
//! the team transfers it itself (the district plan), 60 % (Gansu), 50 % (national law).

use serde::Serialize;

use crate::domain::money::Fen;

/// One minimum and whether the recorded share meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Minimum {
    pub percent: u8,
    pub source: &'static str,
    pub met: bool,
}

/// The share recorded and the minimums it is measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareCheck {
    /// The share in hundredths of a percent, rounded down (8,999 = 89.99 %).
    pub basis_points: i64,
    pub percent_text: String,
    /// The minimum that binds this contract.
    pub applicable: Minimum,
    pub minimums: Vec<Minimum>,
}

impl ShareCheck {
    pub fn below_applicable(&self) -> bool {
        !self.applicable.met
    }
}

fn meets(share: Fen, net: Fen, percent: u8) -> bool {
    i128::from(share.0) * 100 >= i128::from(net.0) * i128::from(percent)
}

/// Measures `share` of `net`; `None` when there is no net income to share.
pub fn check(net: Fen, share: Fen, team_self_transfer: bool) -> Option<ShareCheck> {
    if net.0 <= 0 {
        return None;
    }
    let basis_points = i64::try_from(i128::from(share.0) * 10_000 / i128::from(net.0)).unwrap_or(i64::MAX);
    let minimum = |percent, source| Minimum { percent, source, met: meets(share, net, percent) };
    let mut minimums = vec![minimum(60, "甘肃省规定"), minimum(50, "《促进科技成果转化法》")];
    if team_self_transfer {
        minimums.insert(0, minimum(90, "麦积区技术市场建设方案（团队自行转化）"));
    }
    Some(ShareCheck {
        basis_points,
        percent_text: format!("{}.{:02}%", basis_points / 100, basis_points % 100),
        applicable: minimums[0].clone(),
        minimums,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_minimum_depends_on_who_transfers() {
        let team = check(Fen(1_000_000), Fen(899_999), true).expect("net");
        assert!(team.below_applicable());
        assert_eq!(team.applicable.percent, 90);
        assert_eq!(team.percent_text, "89.99%");
        assert!(team.minimums[1].met && team.minimums[2].met);
        let exactly = check(Fen(1_000_000), Fen(900_000), true).expect("net");
        assert!(!exactly.below_applicable());
        let institution = check(Fen(1_000_000), Fen(550_000), false).expect("net");
        assert_eq!(institution.applicable.percent, 60);
        assert!(institution.below_applicable() && institution.minimums[1].met);
        assert!(check(Fen::ZERO, Fen::ZERO, false).is_none());
    }
}
