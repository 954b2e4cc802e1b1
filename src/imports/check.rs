//! The dry run: every row of a file checked with exactly the form's rules (`validate` of the
//! kind), the cells the reader could not take as written, the file's own repeats, and the rows
//! the organisation already has (same title and patent numbers). Nothing is saved here.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::AnyConnection;

use super::kinds::Importable;
use super::rows::{cells_of, input_of, mapping};
use crate::domain::forms::FieldErrors;
use crate::sheets::columns::header_of;
use crate::sheets::{Column, SheetError, Table};

/// What the check says of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    /// Passes; will be imported.
    Ok,
    /// The organisation already has it (or a confirmed load of this file added it).
    Exists,
    /// Needs fixing; `errors` says where.
    Invalid,
}

/// One row's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The row's number in the file.
    pub line: usize,
    pub state: RowState,
    pub title: String,
    /// Field → message.
    pub errors: FieldErrors,
}

impl Outcome {
    /// The 检查结果 text: 可导入, 已存在, or each problem as `列名：说明`.
    pub fn summary(&self, columns: &[Column]) -> String {
        match self.state {
            RowState::Ok => "可导入".to_string(),
            RowState::Exists => "已存在：本单位已有同名（专利号相同）的条目，不会重复导入".to_string(),
            RowState::Invalid => self
                .errors
                .iter()
                .map(|(field, message)| format!("{}：{message}", header_of(columns, field)))
                .collect::<Vec<_>>()
                .join("；"),
        }
    }
}

/// A file's check.
pub struct Checking<C> {
    pub table: Table,
    pub outcomes: Vec<Outcome>,
    /// The rows that pass, with their identity: (line, identity, content).
    pub ready: Vec<(usize, String, C)>,
}

impl<C> Checking<C> {
    pub fn count(&self, state: RowState) -> usize {
        self.outcomes.iter().filter(|o| o.state == state).count()
    }

    /// `{"rows","ok","exists","invalid"}`, as the report page and the API show them.
    pub fn counts(&self) -> serde_json::Value {
        serde_json::json!({"rows": self.outcomes.len(), "ok": self.count(RowState::Ok),
            "exists": self.count(RowState::Exists), "invalid": self.count(RowState::Invalid)})
    }
}

/// Reads a file with the kind's columns.
pub fn read<K: Importable>(bytes: &[u8]) -> Result<Table, SheetError> {
    crate::sheets::read(bytes, &|headers| crate::sheets::columns::names_any(K::COLUMNS, headers))
}

/// The identities of the organisation's stored listings of this kind.
pub async fn stored_identities<K: Importable>(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> Result<HashSet<String>, sqlx::Error> {
    let sql = format!("SELECT {} FROM {} WHERE organisation_id = $1", K::KEY_COLUMNS, K::KIND.table());
    let rows = sqlx::query(&sql).bind(organisation_id).fetch_all(&mut *conn).await?;
    rows.iter().map(K::key_of_row).collect()
}

/// Checks every row of a table against the form's rules and what `stored` already holds.
pub fn check_table<K: Importable>(table: Table, stored: &HashSet<String>) -> Checking<K::Content> {
    let mapped = mapping::<K>(&table);
    let missing: Vec<&Column> = K::COLUMNS
        .iter()
        .filter(|c| c.required && !mapped.iter().flatten().any(|i| K::COLUMNS[*i].field == c.field))
        .collect();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut outcomes = Vec::with_capacity(table.rows.len());
    let mut ready = Vec::new();
    for (line, cells) in &table.rows {
        let by_field = cells_of::<K>(&mapped, cells);
        let title = by_field.get("title").map(|t| t.chars().take(100).collect()).unwrap_or_default();
        let (input, mut errors) = input_of::<K>(&by_field);
        errors.extend(table.problems_by_field(*line, K::COLUMNS, &mapped));
        for column in &missing {
            errors.insert(column.field.to_string(), format!("文件缺少“{}”列", column.header));
        }
        let (state, errors) = match K::validate(&input) {
            Ok(content) if errors.is_empty() => {
                let identity = K::key_of(&content);
                if stored.contains(&identity) {
                    (RowState::Exists, errors)
                } else if let Some(earlier) = first_seen.get(&identity) {
                    let message = format!("与第 {earlier} 行重复（名称与专利号相同）");
                    (RowState::Invalid, FieldErrors::from([("title".to_string(), message)]))
                } else {
                    first_seen.insert(identity.clone(), *line);
                    ready.push((*line, identity, content));
                    (RowState::Ok, errors)
                }
            }
            Ok(_) => (RowState::Invalid, errors),
            Err(mut rules) => {
                // What the reader found explains the cell better than the rule it then broke.
                rules.extend(errors);
                (RowState::Invalid, rules)
            }
        };
        outcomes.push(Outcome { line: *line, state, title, errors });
    }
    Checking { table, outcomes, ready }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::achievements::model::Achievements;
    use crate::demands::model::Demands;
    use crate::imports::template;

    fn template_checks<K: Importable>() -> Checking<K::Content> {
        let template = template::workbook::<K>().expect("template");
        let table = read::<K>(&template).expect("the template reads back");
        assert_eq!(table.headers.len(), K::COLUMNS.len());
        check_table::<K>(table, &HashSet::new())
    }

    #[test]
    fn each_template_reads_back_with_a_valid_example_row() {
        let achievements = template_checks::<Achievements>();
        assert_eq!(achievements.outcomes.len(), 1);
        assert_eq!(achievements.outcomes[0].state, RowState::Ok, "{:?}", achievements.outcomes[0].errors);
        assert_eq!(achievements.outcomes[0].line, 2);
        let demands = template_checks::<Demands>();
        assert_eq!(demands.outcomes[0].state, RowState::Ok, "{:?}", demands.outcomes[0].errors);
    }

    #[test]
    fn a_row_already_stored_or_repeated_in_the_file_is_not_ready() {
        let header = K_HEADER;
        let row = "苹果园智能水肥一体化灌溉系统,基于土壤墒情传感与气象数据的果园水肥一体化控制系统，按需灌溉施肥。,水肥一体化,应用技术成果,农业,A,7,中试,普通许可,协议定价,是,王老师,0938-8888888,山地果园灌溉靠经验水肥浪费大,按墒情自动决策节水三成以上,620503";
        let text = format!("{header}\n{row}\n{row}\n");
        let table = read::<Achievements>(text.as_bytes()).expect("csv");
        let checking = check_table::<Achievements>(table, &HashSet::new());
        let states: Vec<RowState> = checking.outcomes.iter().map(|o| o.state).collect();
        assert_eq!(states, [RowState::Ok, RowState::Invalid], "{:?}", checking.outcomes);
        assert_eq!(checking.outcomes[1].errors["title"], "与第 2 行重复（名称与专利号相同）");
        let stored: HashSet<String> = checking.ready.iter().map(|(_, key, _)| key.clone()).collect();
        let table = read::<Achievements>(text.as_bytes()).expect("csv");
        let again = check_table::<Achievements>(table, &stored);
        assert_eq!(again.outcomes[0].state, RowState::Exists);
        assert!(again.ready.is_empty());
    }

    const K_HEADER: &str = "成果名称,成果简介,关键词,成果类型,技术领域,行业门类,技术成熟度,所处阶段,转化方式,定价方式,面议,联系人,联系电话,解决的问题,相对领先技术的优势,所在地行政区划代码";
}
