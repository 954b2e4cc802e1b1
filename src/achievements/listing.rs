//! 科技成果 as a listing kind: the descriptor the listing core runs on.

use super::model::{self, Achievement, AchievementInput, Action, Status};
use super::store::{AchievementRow, Filter};
use crate::auth::CurrentUser;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::FieldErrors;
use crate::domain::ids::AchievementId;
use crate::error::ErrorCode;
use crate::listings::{Kind, ListingKind, Words};

pub use super::model::Achievements;

impl ListingKind for Achievements {
    const KIND: Kind = Kind::Achievement;
    const WORDS: Words = Words {
        subject: "achievement",
        noun: "成果",
        title: "科技成果",
        not_found: (ErrorCode::AchievementNotFound, "该科技成果不存在或尚未公开"),
        not_owner: "只有成果所属单位的成员才能管理该成果",
        cannot_create: (ErrorCode::CannotListAchievements, "只有已审核的科研人员和企业用户可以发布科技成果"),
        fixer: "申请人",
        not_public: "该成果尚未公开，不能发起对接",
        own_listing: "这是您所在单位的成果",
        created: "已保存为草稿。检查无误后请“提交审核”，审核通过即公开发布。",
        resubmitted: "修改已保存，成果已重新提交审核，审核通过后恢复公开。",
        contact_sent: "已向成果方发出对接意向，请通过页面上的联系方式与对方沟通。",
        review_title: "成果审核",
        mine_title: "我的科技成果",
    };

    type Id = AchievementId;
    type Status = Status;
    type Action = Action;
    type Input = AchievementInput;
    type Content = Achievement;
    type Row = AchievementRow;
    type Filter = Filter;

    /// Researchers and enterprises of an organisation list achievements.
    fn may_create(user: &CurrentUser) -> bool {
        user.status == AccountStatus::Active
            && matches!(user.role, Role::Researcher | Role::Enterprise)
            && user.organisation_id.is_some()
    }

    fn validate(input: &AchievementInput) -> Result<Achievement, FieldErrors> {
        model::validate(input)
    }

    fn title_of(content: &Achievement) -> &str {
        &content.title
    }

    fn transition(from: Status, action: Action) -> Option<Status> {
        model::transition(from, action)
    }
}
