//! The two amounts registration records (DOMAIN.md §6), in integer fen: 合同成交额 is the contract
//! total; 技术交易额 is the total minus the itemised non-technical costs (equipment, instruments,
//! parts, raw materials). Technology carriers (documents, media, samples, a set or two of test
//! equipment) are recorded but never deducted. Nothing here touches floating point.

use serde::Serialize;

use crate::domain::money::Fen;

/// The largest amount one field may hold: 10^15 fen (¥10 trillion). Sums of up to 9,000 such
/// contracts still fit in an i64; totals are added in i128 anyway.
pub const MAX_AMOUNT: Fen = crate::domain::money::MAX_CONTRACT_AMOUNT;

/// The 5,000,000 元 at which a registry takes 30 working days instead of 15 (expert review).
pub const EXPERT_REVIEW_FROM: Fen = Fen(500_000_000);

/// Non-technical costs inside the contract total, deducted to reach 技术交易额.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Deductions {
    pub equipment: Fen,
    pub instruments: Fen,
    pub parts: Fen,
    pub materials: Fen,
}

impl Deductions {
    /// The items with their Chinese names, in form order.
    pub fn items(&self) -> [(&'static str, &'static str, Fen); 4] {
        [
            ("equipment", "设备购置费", self.equipment),
            ("instruments", "仪器费", self.instruments),
            ("parts", "零部件费", self.parts),
            ("materials", "原材料费", self.materials),
        ]
    }

    /// Their sum; `None` only if it overflows i64 (impossible below [`MAX_AMOUNT`]).
    pub fn sum(&self) -> Option<Fen> {
        self.items().iter().try_fold(Fen::ZERO, |acc, (_, _, fen)| acc.checked_add(*fen))
    }
}

/// Why a set of amounts cannot be recorded; the Display text is shown to people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("金额不能超过 10 万亿元")]
    TooLarge,
    #[error("非技术性费用合计 {deducted} 超过了合同成交额 {total}")]
    DeductionsExceedTotal { deducted: String, total: String },
    #[error("技术载体费 {carrier} 超过了合同成交额 {total}")]
    CarrierExceedsTotal { carrier: String, total: String },
}

/// A contract's amounts after every rule passed: the deductions never exceed the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Amounts {
    total: Fen,
    deductions: Deductions,
    carrier: Fen,
}

impl Amounts {
    pub fn new(total: Fen, deductions: Deductions, carrier: Fen) -> Result<Amounts, AmountError> {
        let fields =
            [total, deductions.equipment, deductions.instruments, deductions.parts, deductions.materials, carrier];
        if fields.iter().any(|f| f.0 < 0 || *f > MAX_AMOUNT) {
            return Err(AmountError::TooLarge);
        }
        let deducted = deductions.sum().ok_or(AmountError::TooLarge)?;
        if deducted > total {
            return Err(AmountError::DeductionsExceedTotal {
                deducted: deducted.format_yuan(),
                total: total.format_yuan(),
            });
        }
        if carrier > total {
            return Err(AmountError::CarrierExceedsTotal {
                carrier: carrier.format_yuan(),
                total: total.format_yuan(),
            });
        }
        Ok(Amounts { total, deductions, carrier })
    }

    /// 合同成交额
    pub fn total(&self) -> Fen {
        self.total
    }

    pub fn deductions(&self) -> Deductions {
        self.deductions
    }

    /// 技术载体费: recorded, not deducted.
    pub fn carrier(&self) -> Fen {
        self.carrier
    }

    /// The non-technical costs deducted.
    pub fn deducted(&self) -> Fen {
        // `new` proved the sum fits and does not exceed the total.
        self.deductions.sum().unwrap_or(self.total)
    }

    /// 技术交易额 = 合同成交额 − 非技术性费用.
    pub fn technology(&self) -> Fen {
        Fen(self.total.0 - self.deducted().0)
    }

    /// Working days the registry has to answer: 30 with expert review from ¥5M 技术交易额, else 15.
    pub fn review_days(&self) -> u32 {
        if self.technology() >= EXPERT_REVIEW_FROM { 30 } else { 15 }
    }
}

/// Exact sums over many contracts (i128: no overflow for any realistic count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub count: i64,
    pub total_fen: i128,
    pub technology_fen: i128,
}

impl Totals {
    pub fn add(&mut self, amounts: &Amounts) {
        self.count += 1;
        self.total_fen += i128::from(amounts.total.0);
        self.technology_fen += i128::from(amounts.technology().0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(max: i64) -> impl Strategy<Value = Fen> {
        (0..=max).prop_map(Fen)
    }

    proptest! {
        #[test]
        fn accepted_amounts_never_deduct_more_than_the_total(
            total in fen(MAX_AMOUNT.0),
            equipment in fen(MAX_AMOUNT.0),
            instruments in fen(MAX_AMOUNT.0 / 4),
            parts in fen(1_000_000),
            materials in fen(MAX_AMOUNT.0),
            carrier in fen(MAX_AMOUNT.0),
        ) {
            let deductions = Deductions { equipment, instruments, parts, materials };
            let exact: i128 = [equipment, instruments, parts, materials].iter().map(|f| i128::from(f.0)).sum();
            match Amounts::new(total, deductions, carrier) {
                Ok(amounts) => {
                    prop_assert!(exact <= i128::from(total.0));
                    prop_assert!(amounts.technology().0 >= 0);
                    prop_assert_eq!(i128::from(amounts.technology().0), i128::from(total.0) - exact);
                    prop_assert_eq!(amounts.deducted().0 + amounts.technology().0, total.0);
                }
                Err(AmountError::DeductionsExceedTotal { .. }) => prop_assert!(exact > i128::from(total.0)),
                Err(AmountError::CarrierExceedsTotal { .. }) => prop_assert!(carrier > total),
                Err(AmountError::TooLarge) => prop_assert!(false, "every field was within the limit"),
            }
        }

        #[test]
        fn amounts_above_the_limit_are_refused(excess in 1..i64::MAX - MAX_AMOUNT.0) {
            let too_big = Fen(MAX_AMOUNT.0 + excess);
            prop_assert_eq!(Amounts::new(too_big, Deductions::default(), Fen::ZERO), Err(AmountError::TooLarge));
            let deductions = Deductions { parts: too_big, ..Deductions::default() };
            prop_assert_eq!(Amounts::new(MAX_AMOUNT, deductions, Fen::ZERO), Err(AmountError::TooLarge));
        }

        #[test]
        fn sums_of_many_contracts_are_exact(items in prop::collection::vec((0..=MAX_AMOUNT.0, 0..=100u8), 1..200)) {
            let mut totals = Totals::default();
            let mut expected_total: i128 = 0;
            let mut expected_technology: i128 = 0;
            for (total, percent) in &items {
                // Deduct `percent` % of the total, computed exactly in integers.
                let deducted = i64::try_from(i128::from(*total) * i128::from(*percent) / 100).unwrap_or(0);
                let deductions = Deductions { materials: Fen(deducted), ..Deductions::default() };
                let amounts = Amounts::new(Fen(*total), deductions, Fen::ZERO).expect("valid");
                totals.add(&amounts);
                expected_total += i128::from(*total);
                expected_technology += i128::from(*total - deducted);
            }
            prop_assert_eq!(totals.count, items.len() as i64);
            prop_assert_eq!(totals.total_fen, expected_total);
            prop_assert_eq!(totals.technology_fen, expected_technology);
        }
    }

    #[test]
    fn review_takes_thirty_working_days_from_five_million() {
        let at = |yuan: i64| Amounts::new(Fen(yuan * 100), Deductions::default(), Fen::ZERO).expect("valid");
        assert_eq!(at(4_999_999).review_days(), 15);
        assert_eq!(at(5_000_000).review_days(), 30);
        // It is the technology value that counts, not the total.
        let mostly_goods = Deductions { equipment: Fen(100_000_000), ..Deductions::default() };
        assert_eq!(Amounts::new(Fen(550_000_000), mostly_goods, Fen::ZERO).expect("valid").review_days(), 15);
    }

    #[test]
    fn carriers_are_recorded_but_not_deducted() {
        let amounts =
            Amounts::new(Fen(1_000_000), Deductions { parts: Fen(200_000), ..Default::default() }, Fen(50_000))
                .expect("valid");
        assert_eq!(amounts.technology(), Fen(800_000));
        assert_eq!(amounts.carrier(), Fen(50_000));
        let message = Amounts::new(Fen(100), Deductions { equipment: Fen(101), ..Default::default() }, Fen::ZERO)
            .expect_err("too much")
            .to_string();
        assert!(message.contains("¥1.01") && message.contains("¥1.00"), "{message}");
    }
}
