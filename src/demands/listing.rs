//! 技术需求 as a listing kind: the descriptor the listing core runs on. A demand is public while
//! its status is and its validity date has not passed (solved ones stay).

use serde_json::Value;
use sqlx::any::AnyRow;

use super::model::{self, Action, Demand, DemandInput, Status};
use super::store::{self, DemandRow, Filter};
use super::view;
use crate::auth::CurrentUser;
use crate::db::conditions::Conditions;
use crate::domain::account::{AccountStatus, Role};
use crate::domain::forms::{FieldErrors, date_text};
use crate::domain::time::today_shanghai;
use crate::listings::kind::AnyQuery;
use crate::listings::{Kind, Listing, ListingRow, Words};

/// The demand board.
pub struct Demands;

impl ListingRow for DemandRow {
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

/// Whether the public may see this demand today.
pub fn publicly_visible(demand: &DemandRow) -> bool {
    demand.publicly_visible()
}

impl Listing for Demands {
    const KIND: Kind = Kind::Demand;
    const WORDS: Words = Words {
        subject: "demand",
        noun: "需求",
        title: "技术需求",
        not_found: ("demand_not_found", "该技术需求不存在或尚未公开"),
        not_owner: "只有发布需求的企业成员才能管理该需求",
        cannot_create: ("cannot_post_demands", "只有已审核的企业用户可以发布技术需求"),
        fixer: "企业",
        not_public: "该需求未在征集中，不能发起对接",
        own_listing: "这是您所在企业发布的需求",
        created: "已保存为草稿。检查无误后请“提交审核”，审核通过即公开征集。",
        resubmitted: "修改已保存，需求已重新提交审核，审核通过后恢复公开。",
        contact_sent: "已向需求方发出对接意向，请通过页面上的联系方式与对方沟通。",
        review_title: "需求审核",
        mine_title: "我的技术需求",
    };
    const ALIAS: &'static str = "d";
    const SELECT: &'static str = store::SELECT;
    const CONTENT_COLUMNS: &'static [&'static str] = &store::CONTENT_COLUMNS;
    const PUBLIC_BY_NEWEST: bool = false;

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
        publicly_visible(row)
    }

    fn from_row(row: &AnyRow) -> Result<DemandRow, sqlx::Error> {
        store::from_row(row)
    }

    fn bind_content<'q>(query: AnyQuery<'q>, content: &Demand) -> AnyQuery<'q> {
        store::bind_content(query, content)
    }

    fn filter(filter: &Filter, conditions: &mut Conditions) {
        store::conditions(filter, conditions)
    }

    fn view(row: &DemandRow, with_contact: bool) -> Value {
        view::listing(row, with_contact)
    }

    fn input_of(row: &DemandRow) -> DemandInput {
        view::input_from_row(row)
    }

    fn version_of(input: &DemandInput) -> Option<i64> {
        input.version
    }

    fn without_version(input: DemandInput) -> DemandInput {
        DemandInput { version: None, ..input }
    }

    fn form_choices(input: &DemandInput) -> Value {
        view::form_choices(input)
    }

    fn blank_input(user: &CurrentUser, region_code: String) -> DemandInput {
        DemandInput {
            region_code: Some(region_code),
            valid_until: Some(date_text(today_shanghai() + time::Duration::days(180))),
            contact_name: Some(user.display_name.clone()),
            ..DemandInput::default()
        }
    }
}
