//! The deal's stages and the steps between them (DOMAIN.md §5), as pure rules: lead → contacted →
//! pre-negotiation → agreed → contracted, or closed-lost with a reason; a lost deal reopens at
//! the stage it was lost from. "Contracted" is reached only by registering the contract.

use crate::labelled_enum;

labelled_enum!(
    /// Where a deal stands.
    Stage {
        Lead = "lead": "线索",
        Contacted = "contacted": "已联系",
        Negotiating = "negotiating": "联席预谈判",
        Agreed = "agreed": "达成意向",
        Contracted = "contracted": "已签约登记",
        Lost = "lost": "已关闭",
    }
);

impl Stage {
    /// The stages of the board, in order (lost deals are listed apart).
    pub const BOARD: &'static [Stage] =
        &[Stage::Lead, Stage::Contacted, Stage::Negotiating, Stage::Agreed, Stage::Contracted];

    /// Still being worked on: a step is expected.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Contracted | Stage::Lost)
    }
}

labelled_enum!(
    /// A step a broker (or an administrator) takes on a deal.
    Action {
        Contact = "contact": "已联系双方",
        Negotiate = "negotiate": "进入联席预谈判",
        Agree = "agree": "达成意向",
        Lose = "lose": "关闭项目",
        Reopen = "reopen": "重新打开",
    }
);

labelled_enum!(
    /// Why a deal was closed without a contract.
    LostReason {
        NoMatch = "no_match": "技术不匹配",
        Price = "price": "价格未谈拢",
        BuyerWithdrew = "buyer_withdrew": "需求方放弃",
        SellerWithdrew = "seller_withdrew": "成果方放弃",
        Unreachable = "unreachable": "无法联系对方",
        Funding = "funding": "资金未落实",
        Elsewhere = "elsewhere": "已通过其他渠道成交",
        Other = "other": "其他原因",
    }
);

/// Why a step cannot be taken now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Where `action` leads from `stage`; `lost_from` is the stage a lost deal was closed at.
pub fn next(stage: Stage, action: Action, lost_from: Option<Stage>) -> Result<Stage, Refused> {
    let refused = || Refused(format!("项目当前为“{}”，不能“{}”", stage.label(), action.label()));
    match (stage, action) {
        (Stage::Lead, Action::Contact) => Ok(Stage::Contacted),
        (Stage::Contacted, Action::Negotiate) => Ok(Stage::Negotiating),
        // A simple deal may agree without a formal pre-negotiation.
        (Stage::Contacted | Stage::Negotiating, Action::Agree) => Ok(Stage::Agreed),
        (stage, Action::Lose) if stage.is_open() => Ok(Stage::Lost),
        (Stage::Lost, Action::Reopen) => Ok(lost_from.filter(|s| s.is_open()).unwrap_or(Stage::Lead)),
        _ => Err(refused()),
    }
}

/// The steps that can be taken from `stage`, for the buttons.
pub fn available(stage: Stage) -> Vec<Action> {
    Action::ALL.iter().copied().filter(|action| next(stage, *action, None).is_ok()).collect()
}

/// Whether an action needs a reason: closing names one from the list, reopening says why.
pub fn needs_reason(action: Action) -> bool {
    matches!(action, Action::Lose | Action::Reopen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stage × action: exactly these steps exist.
    #[test]
    fn every_stage_and_action() {
        use Action::*;
        use Stage::*;
        let allowed = [
            (Lead, Contact, Contacted),
            (Contacted, Negotiate, Negotiating),
            (Contacted, Agree, Agreed),
            (Negotiating, Agree, Agreed),
            (Lead, Lose, Lost),
            (Contacted, Lose, Lost),
            (Negotiating, Lose, Lost),
            (Agreed, Lose, Lost),
            (Lost, Reopen, Lead),
        ];
        for stage in Stage::ALL {
            for action in Action::ALL {
                let expected = allowed.iter().find(|(s, a, _)| s == stage && a == action).map(|(_, _, to)| *to);
                match (next(*stage, *action, None), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{stage:?} {action:?}"),
                    (Err(Refused(message)), None) => {
                        assert!(message.contains(stage.label()) && message.contains(action.label()), "{message}")
                    }
                    (got, want) => panic!("{stage:?} {action:?}: got {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn a_lost_deal_reopens_where_it_was_closed() {
        assert_eq!(next(Stage::Lost, Action::Reopen, Some(Stage::Negotiating)), Ok(Stage::Negotiating));
        assert_eq!(next(Stage::Lost, Action::Reopen, Some(Stage::Agreed)), Ok(Stage::Agreed));
        assert_eq!(next(Stage::Lost, Action::Reopen, Some(Stage::Lost)), Ok(Stage::Lead));
    }

    #[test]
    fn contracted_is_final_and_buttons_follow_the_rules() {
        assert!(available(Stage::Contracted).is_empty());
        assert_eq!(available(Stage::Lead), vec![Action::Contact, Action::Lose]);
        assert_eq!(available(Stage::Lost), vec![Action::Reopen]);
        assert!(needs_reason(Action::Lose) && !needs_reason(Action::Agree));
    }
}
