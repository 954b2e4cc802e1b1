//! The 技术需求 sheet: one column per form field with its Chinese label; the identity is the
//! title (a demand names no patents). 揭榜挂帅 challenges are set up one by one on the platform.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::achievement_sheet::{industry_section, technical_field, vocabulary_reader};
use super::kinds::{Importable, Read, identity};
use crate::demands::model::{Demand, Demands};
use crate::domain::forms::date_text;
use crate::domain::taxonomy::{CooperationMode, IndustrySection, TechnicalField};
use crate::domain::time::today_shanghai;
use crate::duplicates::Text;
use crate::sheets::{Column, col};

vocabulary_reader!(cooperation_mode, CooperationMode);

const COLUMNS: &[Column] = &[
    col("title", "需求名称", &["项目名称"], true, "4–100 字；同一单位的同名需求只会导入一次"),
    col("description", "问题描述", &["需求描述"], true, "20–5000 字"),
    col("indicators", "技术指标", &["指标"], false, "每行一项，写作 名称：目标值，如 含水率：≤12%"),
    col("basis", "现有基础", &[], false, "最多 2000 字"),
    col("keywords", "关键词", &[], true, "1–10 个，用顿号、逗号分隔"),
    col("technical_field", "技术领域", &[], true, "如 电子信息、先进制造、农业"),
    col("industry_section", "行业门类", &["国民经济行业门类"], true, "GB/T 4754 门类，如 C 制造业（可只写字母 C）"),
    col("cooperation_modes", "合作方式", &[], true, "可填多个，用顿号分隔，如 技术转让、委托开发"),
    col("budget_min", "最低预算（万元）", &["最低预算"], false, "万元；面议时留空"),
    col("budget_max", "最高预算（万元）", &["最高预算", "预算（万元）"], false, "万元，不低于最低预算"),
    col("budget_negotiable", "面议", &["预算面议"], false, "是 / 否（默认否）；不填预算时须为 是"),
    col("valid_until", "有效期至", &["有效期"], true, "不早于今天，最长两年，如 2027-06-30"),
    col("contact_name", "联系人", &[], true, "2–30 字"),
    col("contact_phone", "联系电话", &["电话"], true, "手机号或带区号的座机"),
    col("contact_email", "联系邮箱", &["邮箱"], false, ""),
    col("region_code", "所在地行政区划代码", &["行政区划代码", "地区代码"], true, "6 位数字，如 620503（麦积区）"),
];

const EXAMPLE: &[&str] = &[
    "花椒烘干过程色泽保持技术",
    "现有热风烘干花椒色泽发暗、挥发油损失大，希望在不明显增加能耗的前提下保持色泽和麻味。",
    "色泽保持率：≥90%\n含水率：≤10%",
    "企业有两条热风烘干线，年加工鲜椒 3000 吨。",
    "花椒、烘干、色泽保持",
    "农业",
    "C",
    "委托开发、技术服务",
    "30",
    "80",
    "否",
    "",
    "李经理",
    "13800000000",
    "",
    "620503",
];

impl Importable for Demands {
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMNS: &'static str = "title";

    fn example() -> Vec<String> {
        let half_a_year = today_shanghai() + time::Duration::days(180);
        COLUMNS
            .iter()
            .zip(EXAMPLE)
            .map(
                |(column, value)| {
                    if column.field == "valid_until" { date_text(half_a_year) } else { value.to_string() }
                },
            )
            .collect()
    }

    fn reading(field: &str) -> Read {
        match field {
            "technical_field" => Read::One(technical_field),
            "industry_section" => Read::One(industry_section),
            "cooperation_modes" => Read::Many(cooperation_mode),
            "budget_negotiable" => Read::YesNo,
            _ => Read::Text,
        }
    }

    fn lists() -> Vec<(&'static str, Vec<&'static str>)> {
        vec![
            ("technical_field", TechnicalField::ALL.iter().map(|v| v.label()).collect()),
            ("industry_section", IndustrySection::ALL.iter().map(|v| v.label()).collect()),
            ("cooperation_modes", CooperationMode::ALL.iter().map(|v| v.label()).collect()),
            ("budget_negotiable", vec!["否", "是"]),
        ]
    }

    fn key_of(content: &Demand) -> String {
        identity(&content.title, &[])
    }

    fn compared(content: &Demand) -> Text<'_> {
        Text { title: &content.title, summary: &content.description, patents: &[] }
    }

    fn key_of_row(row: &AnyRow) -> Result<String, sqlx::Error> {
        Ok(identity(&row.try_get::<String, _>("title")?, &[]))
    }
}
