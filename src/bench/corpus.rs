//! Reading the benchmark corpora (`../shared/data/corpus`, gzipped JSON lines) and turning each
//! record into the form input a person would have typed. Fields the corpora lack are filled
//! with fixed, documented values (docs/SEARCH.md) so every record passes the real validation.

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::GzDecoder;
use serde::Deserialize;

use crate::achievements::model::AchievementInput;
use crate::demands::model::DemandInput;
use crate::domain::taxonomy::{Stage, TechnicalField, stage_for_trl};
use crate::search::text::index_words;

/// One line of `achievements.jsonl.gz` (also `known_item/corpus.jsonl.gz`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AchievementRecord {
    pub id: String,
    pub docid: String,
    pub source: String,
    pub kind: String,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub keywords: Vec<String>,
    pub field: String,
    pub org: String,
    pub year: Option<serde_json::Value>,
    pub synthetic: bool,
}

/// One line of `demands.jsonl.gz`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DemandRecord {
    pub id: String,
    pub source: String,
    pub title: String,
    pub description: String,
    pub field: String,
    pub budget: String,
    pub posted: String,
}

fn open(path: &Path) -> Result<Box<dyn BufRead>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("无法打开 {}：{e}", path.display()))?;
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    })
}

/// Calls `each` with every record of a gzipped (or plain) JSON-lines file, streaming; lines
/// that do not parse are counted and skipped. Returns how many were skipped.
pub fn for_each<T: for<'de> Deserialize<'de>>(
    path: &Path,
    mut each: impl FnMut(T) -> Result<(), String>,
) -> Result<u64, String> {
    let mut skipped = 0;
    for line in open(path)?.lines() {
        let line = line.map_err(|e| format!("读取 {} 失败：{e}", path.display()))?;
        match serde_json::from_str::<T>(&line) {
            Ok(record) => each(record)?,
            Err(_) => skipped += 1,
        }
    }
    Ok(skipped)
}

/// Reads a whole gzipped (or plain) JSON-lines file.
pub fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for_each(path, |record| {
        out.push(record);
        Ok(())
    })?;
    Ok(out)
}

fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// A technical field guessed from words in the text (the corpora use discipline names).
pub fn guess_field(text: &str) -> TechnicalField {
    const RULES: &[(&[&str], TechnicalField)] = &[
        (
            &["软件", "算法", "网络", "数据", "信息", "通信", "芯片", "电子", "智能", "计算机", "TP"],
            TechnicalField::ElectronicInformation,
        ),
        (
            &["机床", "制造", "加工", "装备", "机械", "焊接", "铸造", "锻造", "轴承"],
            TechnicalField::AdvancedManufacturing,
        ),
        (&["飞行", "航天", "航空", "卫星"], TechnicalField::Aerospace),
        (&["交通", "铁路", "汽车", "车辆", "船舶"], TechnicalField::ModernTransport),
        (&["农业", "种植", "养殖", "作物", "果树", "苹果", "花椒", "畜牧", "农村"], TechnicalField::Agriculture),
        (&["材料", "合金", "纤维", "涂层", "陶瓷", "高分子"], TechnicalField::NewMaterials),
        (&["能源", "电池", "光伏", "节能", "储能", "风电"], TechnicalField::NewEnergy),
        (&["环境", "污染", "废水", "生态", "资源", "水处理"], TechnicalField::Environment),
        (&["医", "药", "疾病", "临床", "生物", "基因", "病"], TechnicalField::BiomedicalDevices),
        (&["核"], TechnicalField::NuclearApplication),
    ];
    RULES
        .iter()
        .find(|(words, _)| words.iter().any(|w| text.contains(w)))
        .map_or(TechnicalField::UrbanDevelopment, |(_, field)| *field)
}

fn derived_keywords(title: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in index_words(title) {
        if word.chars().count() >= 2 && word.chars().count() <= 20 && !words.contains(&word) {
            words.push(word);
        }
        if words.len() == 5 {
            break;
        }
    }
    words
}

/// The form input for an achievement record (`None` when its title is too short to list).
pub fn achievement_input(record: &AchievementRecord) -> Option<AchievementInput> {
    // Abstract-only papers have no title: their first sentence stands in for one.
    let title = if record.title.trim().is_empty() {
        let first = record.abstract_text.split(['。', '.', '；', '\n']).next().unwrap_or_default();
        clip(first, 40)
    } else {
        clip(&record.title, 100)
    };
    if title.chars().count() < 4 {
        return None;
    }
    let org =
        if record.org.trim().is_empty() { "导入数据来源单位".to_string() } else { clip(&record.org, 200) };
    let year = record.year.as_ref().map(|y| y.to_string().trim_matches('"').to_string()).unwrap_or_default();
    let abstract_text = record.abstract_text.trim();
    let summary = if abstract_text.chars().count() >= 20 {
        clip(abstract_text, 500)
    } else {
        clip(
            &format!(
                "{title}。完成单位：{org}{}。",
                if year.is_empty() { String::new() } else { format!("，{year} 年") }
            ),
            500,
        )
    };
    let mut keywords: Vec<String> = record
        .keywords
        .iter()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty() && k.chars().count() <= 20)
        .take(10)
        .collect();
    if keywords.is_empty() {
        keywords = derived_keywords(&title);
    }
    if keywords.is_empty() {
        keywords.push(clip(&title, 20));
    }
    let trl = 4;
    Some(AchievementInput {
        title: Some(title.clone()),
        summary: Some(summary.clone()),
        description: Some(clip(abstract_text, 20_000)),
        keywords: Some(keywords.join("，")),
        achievement_type: Some("applied".into()),
        technical_field: Some(guess_field(&format!("{title}{}", record.field)).code().into()),
        industry_section: Some("M".into()),
        trl: Some(trl.to_string()),
        stage: Some(stage_for_trl(trl).unwrap_or(Stage::SmallPilot).code().into()),
        transfer_modes: vec!["transfer".into(), "license_general".into()],
        pricing_route: Some("negotiated".into()),
        price_negotiable: true,
        team: Some(org),
        contact_name: Some("成果联系人".into()),
        contact_phone: Some("0938-8211000".into()),
        problem: Some(clip(&format!("本成果针对：{title}"), 2000)),
        advantages: Some(clip(&format!("详见成果简介：{summary}"), 2000)),
        region_code: Some("620503".into()),
        ..AchievementInput::default()
    })
}

/// `>200万`, `10~50万`, `1~10万`, `<1万` → (min, max) in 万元.
fn budget_range(text: &str) -> (Option<String>, Option<String>) {
    let t = text.trim().trim_end_matches('万');
    if let Some(min) = t.strip_prefix('>') {
        return (Some(min.into()), None);
    }
    if let Some(max) = t.strip_prefix('<') {
        return (None, Some(max.into()));
    }
    match t.split_once('~') {
        Some((a, b)) => (Some(a.into()), Some(b.into())),
        None => (None, None),
    }
}

/// The form input for a demand record (`None` when its title is too short to list).
pub fn demand_input(record: &DemandRecord, valid_until: &str) -> Option<DemandInput> {
    let title = clip(&record.title, 100);
    if title.chars().count() < 4 {
        return None;
    }
    let description = if record.description.trim().chars().count() >= 20 {
        clip(&record.description, 5000)
    } else {
        format!(
            "{title}。{}{}（导入的需求标题，详情请联系发布单位）",
            clip(&record.field, 100),
            clip(&record.posted, 20)
        )
    };
    let (min, max) = budget_range(&record.budget);
    Some(DemandInput {
        title: Some(title.clone()),
        description: Some(description),
        indicators: Some("期望完成周期：12 个月".into()),
        technical_field: Some(guess_field(&format!("{title}{}", record.field)).code().into()),
        industry_section: Some("C".into()),
        cooperation_modes: vec!["commissioned".into(), "co_development".into()],
        budget_negotiable: min.is_none() && max.is_none(),
        budget_min: min,
        budget_max: max,
        valid_until: Some(valid_until.to_string()),
        contact_name: Some("需求联系人".into()),
        contact_phone: Some("0938-8211000".into()),
        region_code: Some("620503".into()),
        ..DemandInput::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_ranges_in_wan() {
        assert_eq!(budget_range(">200万"), (Some("200".into()), None));
        assert_eq!(budget_range("10~50万"), (Some("10".into()), Some("50".into())));
        assert_eq!(budget_range("<1万"), (None, Some("1".into())));
        assert_eq!(budget_range(""), (None, None));
    }

    #[test]
    fn a_title_only_record_becomes_a_valid_listing() {
        let record = AchievementRecord {
            title: "花椒精油超临界萃取工艺研究".into(),
            org: "某大学".into(),
            ..Default::default()
        };
        let input = achievement_input(&record).expect("long enough");
        let listing = crate::achievements::model::validate(&input).expect("valid");
        assert_eq!(listing.technical_field, TechnicalField::Agriculture);
        assert!(!listing.keywords.is_empty());
    }

    #[test]
    fn a_funding_call_becomes_a_valid_demand() {
        let record = DemandRecord {
            title: "2013年度湖南省自然科学基金项目申报指南".into(), ..Default::default()
        };
        let today = crate::domain::time::today_shanghai();
        let until = crate::domain::forms::date_text(today + time::Duration::days(365));
        let input = demand_input(&record, &until).expect("long enough");
        crate::demands::model::validate(&input, today).expect("valid");
    }
}
