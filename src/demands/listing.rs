//! 技术需求 as a listing kind: the descriptor the listing core runs on. A demand is public while
//! its status is and its validity date has not passed (solved ones stay).

use super::model::{self, Action, Demand, DemandInput, Status};
use super::store::{DemandRow, Filter};
use crate::auth::CurrentUser;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::FieldErrors;
use crate::domain::ids::DemandId;
use crate::domain::time::today_shanghai;
use crate::error::ErrorCode;
use crate::listings::{Kind, ListingKind, Words};

pub use super::model::Demands;

impl ListingKind for Demands {
    const KIND: Kind = Kind::Demand;
    const WORDS: Words = Words {
        subject: "demand",
        noun: "需求",
        title: "技术需求",
        not_found: (ErrorCode::DemandNotFound, "该技术需求不存在或尚未公开"),
        not_owner: "只有发布需求的企业成员才能管理该需求",
        cannot_create: (ErrorCode::CannotPostDemands, "只有已审核的企业用户可以发布技术需求"),
        fixer: "企业",
        not_public: "该需求未在征集中，不能发起对接",
        own_listing: "这是您所在企业发布的需求",
        created: "已保存为草稿。检查无误后请“提交审核”，审核通过即公开征集。",
        resubmitted: "修改已保存，需求已重新提交审核，审核通过后恢复公开。",
        contact_sent: "已向需求方发出对接意向，请通过页面上的联系方式与对方沟通。",
        review_title: "需求审核",
        mine_title: "我的技术需求",
    };

    type Id = DemandId;
    type Status = Status;
    type Action = Action;
    type Input = DemandInput;
    type Content = Demand;
    type Row = DemandRow;
    type Filter = Filter;

    /// Enterprises post demands.
    fn may_create(user: &CurrentUser) -> bool {
        user.status == AccountStatus::Active && user.role == Role::Enterprise && user.organisation_id.is_some()
    }

    fn validate(input: &DemandInput) -> Result<Demand, FieldErrors> {
        model::validate(input, today_shanghai())
    }

    fn title_of(content: &Demand) -> &str {
        &content.title
    }

    fn transition(from: Status, action: Action) -> Option<Status> {
        model::transition(from, action)
    }

    fn publicly_visible(row: &DemandRow) -> bool {
        row.publicly_visible()
    }
}
