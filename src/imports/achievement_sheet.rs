//! The 科技成果 sheet: one column per form field, in the form's order, with its Chinese label;
//! vocabulary cells read by code or label; the identity is title + patent numbers.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::kinds::{Importable, Read, identity};
use crate::achievements::model::{Achievement, Achievements};
use crate::domain::taxonomy::{
    AchievementType, IndustrySection, IpCarrier, PricingRoute, Stage, TechnicalField, TransferMode,
};
use crate::duplicates::Text;
use crate::sheets::{Column, col};

/// Reads a vocabulary cell of one enum, by code or Chinese label.
macro_rules! vocabulary_reader {
    ($name:ident, $enum:ty) => {
        pub fn $name(text: &str) -> Option<&'static str> {
            crate::sheets::vocabulary(text, <$enum>::ALL, <$enum>::code, <$enum>::label).map(<$enum>::code)
        }
    };
}
pub(crate) use vocabulary_reader;

vocabulary_reader!(achievement_type, AchievementType);
vocabulary_reader!(ip_carrier, IpCarrier);
vocabulary_reader!(technical_field, TechnicalField);
vocabulary_reader!(industry_section, IndustrySection);
vocabulary_reader!(stage, Stage);
vocabulary_reader!(transfer_mode, TransferMode);
vocabulary_reader!(pricing_route, PricingRoute);

const COLUMNS: &[Column] = &[
    col("title", "成果名称", &["项目名称", "成果名"], true, "4–100 字；与专利号一起识别同一成果，重复导入不会重复创建"),
    col("summary", "成果简介", &["简介"], true, "20–500 字"),
    col("description", "详细介绍", &["成果介绍"], false, "最多 20000 字"),
    col("keywords", "关键词", &[], true, "1–10 个，用顿号、逗号或空格分隔，每个最多 20 字"),
    col("achievement_type", "成果类型", &[], true, "应用技术成果、基础理论成果、软科学成果"),
    col("ip_carriers", "知识产权类型", &["知识产权"], false, "可填多个，用顿号分隔，如 专利权、技术秘密"),
    col(
        "patent_numbers",
        "专利（申请）号",
        &["专利号", "专利申请号"],
        false,
        "选择专利权或专利申请权时必填；多个用顿号分隔",
    ),
    col("technical_field", "技术领域", &[], true, "如 电子信息、先进制造、农业"),
    col("industry_section", "行业门类", &["国民经济行业门类"], true, "GB/T 4754 门类，如 C 制造业（可只写字母 C）"),
    col("industry_division", "行业大类", &[], false, "两位大类代码，须属于所选门类，如 34"),
    col("trl", "技术成熟度", &["技术成熟度（TRL）", "TRL"], true, "1–9 级，须与所处阶段一致"),
    col("stage", "所处阶段", &["成果阶段"], true, "实验室（1–3 级）、小试（4–5）、中试（6–7）、产业化（8–9）"),
    col("transfer_modes", "转化方式", &["合作方式"], true, "可填多个，用顿号分隔，如 转让、普通许可、技术服务"),
    col("pricing_route", "定价方式", &[], true, "协议定价、挂牌交易、拍卖、资产评估"),
    col("price_negotiable", "面议", &["价格面议"], false, "是 / 否（默认否）；挂牌交易不能面议"),
    col("asking_price", "意向价格（万元）", &["意向价格", "挂牌价格（万元）"], false, "万元，如 120；面议时留空"),
    col("publicity_start", "公示开始日期", &[], false, "仅挂牌交易，如 2026-12-01"),
    col("publicity_end", "公示结束日期", &[], false, "仅挂牌交易，不早于开始日期，最长一年"),
    col("team", "完成团队", &["完成人"], false, "最多 1000 字"),
    col("contact_name", "联系人", &[], true, "2–30 字"),
    col("contact_phone", "联系电话", &["电话"], true, "手机号或带区号的座机"),
    col("contact_email", "联系邮箱", &["邮箱"], false, ""),
    col("problem", "解决的问题", &[], true, "10–2000 字"),
    col("advantages", "相对领先技术的优势", &["技术优势", "优势"], true, "10–2000 字"),
    col("scenarios", "应用场景", &[], false, "最多 2000 字"),
    col("region_code", "所在地行政区划代码", &["行政区划代码", "地区代码"], true, "6 位数字，如 620503（麦积区）"),
];

const EXAMPLE: &[&str] = &[
    "苹果园智能水肥一体化灌溉系统",
    "基于土壤墒情传感与气象数据的果园水肥一体化控制系统，按需灌溉施肥，节水三成以上。",
    "系统由墒情传感网络、决策模型和控制终端组成，已在麦积区花牛苹果园示范应用三年。",
    "水肥一体化、智慧灌溉、苹果",
    "应用技术成果",
    "专利权",
    "ZL202110123456.7",
    "农业",
    "A",
    "05",
    "7",
    "中试",
    "普通许可、技术服务",
    "协议定价",
    "否",
    "60",
    "",
    "",
    "天水师范学院 智慧农业团队",
    "王老师",
    "0938-8888888",
    "",
    "山地果园灌溉靠经验，水肥浪费大、果品品质不稳定。",
    "按墒情自动决策，节水 30% 以上，节肥 20%，设备成本低于同类进口系统一半。",
    "苹果、花椒等山地经济林果园",
    "620503",
];

impl Importable for Achievements {
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMNS: &'static str = "title, patent_numbers";

    fn example() -> Vec<String> {
        EXAMPLE.iter().map(|v| v.to_string()).collect()
    }

    fn reading(field: &str) -> Read {
        match field {
            "achievement_type" => Read::One(achievement_type),
            "ip_carriers" => Read::Many(ip_carrier),
            "technical_field" => Read::One(technical_field),
            "industry_section" => Read::One(industry_section),
            "industry_division" => Read::TwoDigits,
            "stage" => Read::One(stage),
            "transfer_modes" => Read::Many(transfer_mode),
            "pricing_route" => Read::One(pricing_route),
            "price_negotiable" => Read::YesNo,
            _ => Read::Text,
        }
    }

    fn lists() -> Vec<(&'static str, Vec<&'static str>)> {
        vec![
            ("achievement_type", AchievementType::ALL.iter().map(|v| v.label()).collect()),
            ("ip_carriers", IpCarrier::ALL.iter().map(|v| v.label()).collect()),
            ("technical_field", TechnicalField::ALL.iter().map(|v| v.label()).collect()),
            ("industry_section", IndustrySection::ALL.iter().map(|v| v.label()).collect()),
            ("trl", vec!["1", "2", "3", "4", "5", "6", "7", "8", "9"]),
            ("stage", Stage::ALL.iter().map(|v| v.label()).collect()),
            ("transfer_modes", TransferMode::ALL.iter().map(|v| v.label()).collect()),
            ("pricing_route", PricingRoute::ALL.iter().map(|v| v.label()).collect()),
            ("price_negotiable", vec!["否", "是"]),
        ]
    }

    fn key_of(content: &Achievement) -> String {
        identity(&content.title, &content.patent_numbers)
    }

    fn compared(content: &Achievement) -> Text<'_> {
        Text { title: &content.title, summary: &content.summary, patents: &content.patent_numbers }
    }

    fn key_of_row(row: &AnyRow) -> Result<String, sqlx::Error> {
        let title: String = row.try_get("title")?;
        let patents: String = row.try_get("patent_numbers")?;
        let patents: Vec<String> = patents.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
        Ok(identity(&title, &patents))
    }
}
