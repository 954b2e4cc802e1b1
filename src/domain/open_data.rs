//! The open data's datasets and their fields: one table naming every field a record carries, in
//! order, with its type and meaning. The CSV header, the `/open-data` page and the OpenAPI
//! schemas (which the suite holds every real response to) are all read from it.

use crate::labelled_enum;

labelled_enum!(
    /// A dataset of the open-data publication.
    Dataset {
        Achievements = "achievements": "科技成果",
        Demands = "demands": "技术需求",
        Challenges = "challenges": "揭榜挂帅榜单",
        Salons = "salons": "对接沙龙与路演",
        Contracts = "contracts": "技术合同登记统计",
    }
);

/// One field of a dataset's records.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Field {
    pub name: &'static str,
    /// `string`, `integer`, `boolean`, `date`, `datetime`, `array` (a list of strings, joined
    /// with `；` in CSV) or `object` (JSON in CSV).
    pub format: &'static str,
    pub description: &'static str,
    /// May be null (empty in CSV).
    pub nullable: bool,
}

const fn f(name: &'static str, format: &'static str, description: &'static str) -> Field {
    Field { name, format, description, nullable: false }
}

/// A field that may be null.
const fn n(name: &'static str, format: &'static str, description: &'static str) -> Field {
    Field { name, format, description, nullable: true }
}

const COMMON_HEAD: [Field; 2] =
    [f("id", "string", "稳定标识（UUID），不会改变、不会复用"), f("url", "string", "平台上的公开页面（规范网址）")];

const COMMON_TAIL: [Field; 3] = [
    n("published_at", "datetime", "首次公开时间（UTC，RFC 3339）"),
    f("modified_at", "datetime", "最后修改时间（UTC，RFC 3339）：增量同步按它排序"),
    f("demo", "boolean", "演示数据（试运行时写入，正式数据为 false）"),
];

const ACHIEVEMENT_FIELDS: &[Field] = &[
    COMMON_HEAD[0],
    COMMON_HEAD[1],
    f("title", "string", "成果名称"),
    f("summary", "string", "成果简介"),
    f("description", "string", "详细介绍"),
    f("keywords", "array", "关键词"),
    f("achievement_type", "string", "成果类型代码（applied 应用技术 / basic_theory 基础理论 / soft_science 软科学）"),
    f("achievement_type_label", "string", "成果类型"),
    f("patent_numbers", "array", "专利申请号"),
    f("technical_field", "string", "技术领域代码"),
    f("technical_field_label", "string", "技术领域"),
    f("industry_section", "string", "国民经济行业门类（GB/T 4754）代码"),
    f("industry_section_label", "string", "国民经济行业门类"),
    f("trl", "integer", "技术就绪度（1–9）"),
    f("stage", "string", "成熟度代码"),
    f("stage_label", "string", "成熟度（实验室、小试、中试、产业化）"),
    f("transfer_modes", "array", "转化方式代码"),
    f("transfer_mode_labels", "array", "转化方式"),
    f("pricing_route", "string", "定价方式代码"),
    f("pricing_route_label", "string", "定价方式"),
    n("asking_price_fen", "integer", "意向价格（分）；空为面议"),
    f("problem", "string", "解决的问题"),
    f("advantages", "string", "技术优势"),
    f("scenarios", "string", "应用场景"),
    f("region_code", "string", "所在地行政区划代码（GB/T 2260）"),
    f("region_name", "string", "所在地"),
    f("organisation_name", "string", "成果所属单位"),
    f("status", "string", "状态代码（published 已发布 / negotiating 洽谈中 / transferred 已转化）"),
    f("status_label", "string", "状态"),
    COMMON_TAIL[0],
    COMMON_TAIL[1],
    COMMON_TAIL[2],
];

const DEMAND_FIELDS: &[Field] = &[
    COMMON_HEAD[0],
    COMMON_HEAD[1],
    f("title", "string", "需求名称"),
    f("description", "string", "需求描述"),
    f("indicators", "object", "技术指标：[{\"name\",\"target\"}]"),
    f("basis", "string", "现有基础"),
    f("keywords", "array", "关键词"),
    f("technical_field", "string", "技术领域代码"),
    f("technical_field_label", "string", "技术领域"),
    f("industry_section", "string", "国民经济行业门类（GB/T 4754）代码"),
    f("industry_section_label", "string", "国民经济行业门类"),
    f("cooperation_modes", "array", "合作方式代码"),
    f("cooperation_mode_labels", "array", "合作方式"),
    n("budget_min_fen", "integer", "预算下限（分）；上下限都空为面议"),
    n("budget_max_fen", "integer", "预算上限（分）"),
    f("valid_until", "date", "有效期至（北京时间日期）"),
    f("region_code", "string", "所在地行政区划代码（GB/T 2260）"),
    f("region_name", "string", "所在地"),
    f("organisation_name", "string", "需求企业"),
    f("status", "string", "状态代码（published 征集中 / in_talks 洽谈中 / solved 已解决）"),
    f("status_label", "string", "状态"),
    COMMON_TAIL[0],
    COMMON_TAIL[1],
    COMMON_TAIL[2],
];

const CHALLENGE_FIELDS: &[Field] = &[
    f("id", "string", "稳定标识：榜单所属技术需求的 id"),
    COMMON_HEAD[1],
    f("title", "string", "榜单（需求）名称"),
    f("organisation_name", "string", "发榜企业"),
    f("technical_field", "string", "技术领域代码"),
    f("technical_field_label", "string", "技术领域"),
    f("reward_fen", "integer", "揭榜奖励（分）"),
    f("apply_from", "date", "揭榜开始日期（北京时间）"),
    f("apply_until", "date", "揭榜截止日期（北京时间）"),
    f("winner_selected", "boolean", "已确定揭榜方（揭榜方的身份不公开）"),
    f("status", "string", "所属需求的状态代码"),
    f("status_label", "string", "所属需求的状态"),
    COMMON_TAIL[0],
    f("modified_at", "datetime", "榜单或所属需求最后修改的时间（UTC，RFC 3339）"),
    COMMON_TAIL[2],
];

const SALON_FIELDS: &[Field] = &[
    COMMON_HEAD[0],
    COMMON_HEAD[1],
    f("kind", "string", "活动类型代码（salon 成果对接沙龙 / roadshow 项目路演）"),
    f("kind_label", "string", "活动类型"),
    f("theme", "string", "主题"),
    f("description", "string", "活动介绍"),
    f("starts_at", "datetime", "开始时间（UTC，RFC 3339）"),
    f("ends_at", "datetime", "结束时间（UTC，RFC 3339）"),
    f("venue", "string", "地点"),
    f("online", "boolean", "设有线上参会（会议链接只发给报名人员）"),
    f("capacity", "integer", "名额"),
    n("organiser", "string", "承办的技术转移机构；空为平台主办"),
    f("status", "string", "状态代码（scheduled 按期举办 / cancelled 已取消）"),
    f("status_label", "string", "状态"),
    f("published_at", "datetime", "发布时间（UTC，RFC 3339）"),
    COMMON_TAIL[1],
    COMMON_TAIL[2],
];

const CONTRACT_FIELDS: &[Field] = &[
    f("month", "string", "认定登记月份（北京时间，YYYY-MM）"),
    f(
        "dimension",
        "string",
        "分组：all 合计 / contract_type 合同类型 / technical_field 技术领域 / seller_nature 卖方性质 / buyer_nature 买方性质",
    ),
    f("value", "string", "分组的取值代码（all 为空）"),
    f("value_label", "string", "分组的取值"),
    f("contracts", "integer", "已登记、未撤销的合同份数"),
    n("total_fen", "integer", "合同成交额（分）；不足 3 份的分组不公开金额（空）"),
    n("technology_fen", "integer", "技术交易额（分）；不足 3 份的分组不公开金额（空）"),
];

impl Dataset {
    /// The fields of its records, in order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Dataset::Achievements => ACHIEVEMENT_FIELDS,
            Dataset::Demands => DEMAND_FIELDS,
            Dataset::Challenges => CHALLENGE_FIELDS,
            Dataset::Salons => SALON_FIELDS,
            Dataset::Contracts => CONTRACT_FIELDS,
        }
    }

    /// Whether it is read incrementally (`updated_since`, cursors by modification time); the
    /// contract statistics are a small table read whole.
    pub fn incremental(self) -> bool {
        self != Dataset::Contracts
    }

    /// Whether records leave it (a listing withdrawn, closed or back in review): those appear
    /// in `deleted` of an incremental read.
    pub fn has_deletions(self) -> bool {
        matches!(self, Dataset::Achievements | Dataset::Demands | Dataset::Challenges)
    }

    /// The Atom feed it has, if any.
    pub fn feed(self) -> Option<&'static str> {
        match self {
            Dataset::Achievements => Some("achievements"),
            Dataset::Demands => Some("demands"),
            Dataset::Challenges => Some("challenges"),
            Dataset::Salons | Dataset::Contracts => None,
        }
    }
}
