//! 科技成果 as a listing kind: the descriptor the listing core runs on.

use serde_json::Value;
use sqlx::any::AnyRow;

use super::model::{self, Achievement, AchievementInput, Action, Status};
use super::store::{self, AchievementRow, Filter};
use super::view;
use crate::auth::CurrentUser;
use crate::db::conditions::Conditions;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::FieldErrors;
use crate::listings::kind::AnyQuery;
use crate::listings::{Kind, Listing, ListingRow, Words};

/// The achievement library.
pub struct Achievements;

impl ListingRow for AchievementRow {
    type Status = Status;

    fn id(&self) -> &str {
        &self.id
    }

    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }

    fn status(&self) -> Status {
        self.status
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn listed_at(&self) -> &str {
        self.published_at.as_deref().unwrap_or(&self.created_at)
    }
}

impl Listing for Achievements {
    const KIND: Kind = Kind::Achievement;
    const WORDS: Words = Words {
        subject: "achievement",
        noun: "成果",
        title: "科技成果",
        not_found: ("achievement_not_found", "该科技成果不存在或尚未公开"),
        not_owner: "只有成果所属单位的成员才能管理该成果",
        cannot_create: ("cannot_list_achievements", "只有已审核的科研人员和企业用户可以发布科技成果"),
        fixer: "申请人",
        not_public: "该成果尚未公开，不能发起对接",
        own_listing: "这是您所在单位的成果",
        created: "已保存为草稿。检查无误后请“提交审核”，审核通过即公开发布。",
        resubmitted: "修改已保存，成果已重新提交审核，审核通过后恢复公开。",
        contact_sent: "已向成果方发出对接意向，请通过页面上的联系方式与对方沟通。",
        review_title: "成果审核",
        mine_title: "我的科技成果",
    };
    const ALIAS: &'static str = "a";
    const SELECT: &'static str = store::SELECT;
    const CONTENT_COLUMNS: &'static [&'static str] = &store::CONTENT_COLUMNS;
    const PUBLIC_BY_NEWEST: bool = true;

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

    fn from_row(row: &AnyRow) -> Result<AchievementRow, sqlx::Error> {
        store::from_row(row)
    }

    fn bind_content<'q>(query: AnyQuery<'q>, content: &Achievement) -> AnyQuery<'q> {
        store::bind_content(query, content)
    }

    fn filter(filter: &Filter, conditions: &mut Conditions) {
        store::conditions(filter, conditions)
    }

    fn view(row: &AchievementRow, with_contact: bool) -> Value {
        view::listing(row, with_contact)
    }

    fn input_of(row: &AchievementRow) -> AchievementInput {
        view::input_from_row(row)
    }

    fn version_of(input: &AchievementInput) -> Option<i64> {
        input.version
    }

    fn without_version(input: AchievementInput) -> AchievementInput {
        AchievementInput { version: None, ..input }
    }

    fn form_choices(input: &AchievementInput) -> Value {
        view::form_choices(input)
    }

    fn blank_input(_user: &CurrentUser, region_code: String) -> AchievementInput {
        AchievementInput {
            region_code: Some(region_code),
            achievement_type: Some("applied".into()),
            pricing_route: Some("negotiated".into()),
            ..AchievementInput::default()
        }
    }
}
