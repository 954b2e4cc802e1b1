//! History files in and out, on `sheets`: reading a workbook or CSV with the history columns,
//! the downloadable template (Chinese headers, drop-down lists, an example row, an instructions
//! sheet), and the checked file back as XLSX with every bad cell marked and explained.

use std::collections::BTreeMap;

use rust_xlsxwriter::XlsxError;

use super::columns::COLUMNS;
use crate::domain::contract_vocab::{ContractType, Subtype};
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;
use crate::sheets::{self, SheetError, Table, columns::names_any, write::RowReport};

pub use crate::sheets::MAX_ROWS;

/// Reads a history file by its content.
pub fn read(bytes: &[u8]) -> Result<Table, SheetError> {
    sheets::read(bytes, &|headers| names_any(COLUMNS, headers))
}

/// The template workbook: 历史登记 (headers, drop-downs, one example row) and 填写说明.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let example = [
        "62050320210001",
        "苹果气调贮藏技术秘密转让",
        "技术转让",
        "技术秘密转让",
        "天水市果树研究所",
        "",
        "事业单位（科研机构）",
        "620503",
        "天水花牛果业有限公司",
        "",
        "私营企业",
        "620502",
        "否",
        "农业",
        "2021-03-02",
        "2021-03-05",
        "2021-03-19",
        "1,250,000",
        "50,000",
        "",
        "",
        "",
        "",
        "转让苹果气调贮藏的工艺参数与控制方法，并提供现场调试和技术培训。",
    ];
    let lists: Vec<(&str, Vec<&str>)> = vec![
        ("contract_type", ContractType::ALL.iter().map(|t| t.label()).collect()),
        ("subtype", Subtype::ALL.iter().map(|t| t.label()).collect()),
        ("seller_nature", NatureCode::ALL.iter().map(|t| t.label()).collect()),
        ("buyer_nature", NatureCode::ALL.iter().map(|t| t.label()).collect()),
        ("technical_field", TechnicalField::ALL.iter().map(|t| t.label()).collect()),
        ("technology_import", vec!["否", "是"]),
    ];
    let notes = [
        "第 2 行是示例，导入前请删除或改写；空行会被跳过。",
        "上传后平台先逐行检查（不保存任何内容），列出每个需要修改的单元格；确认后才导入检查通过的行。",
        "同一登记编号只会导入一次：重复上传同一文件不会产生重复合同。",
        "合同按登记日期（北京时间）计入当月的登记额和年度目标；导入记入审计日志。",
        "也可上传 CSV（UTF-8 或 Excel 默认的 GBK 编码），表头与本模板相同。",
    ];
    sheets::write::template(&sheets::write::Template {
        sheet: "历史登记",
        columns: COLUMNS,
        example: &example,
        lists,
        suggest_only: &[],
        wide: &["subject"],
        notes: &notes,
    })
}

/// The checked file back: the original cells, bad ones filled red with a note, and a 检查结果
/// column (`可导入`, `已存在`, or the row's problems).
pub fn report_xlsx(table: &Table, outcomes: &[(usize, RowOutcome)]) -> Result<Vec<u8>, XlsxError> {
    let rows: BTreeMap<usize, RowReport> = outcomes
        .iter()
        .map(|(line, o)| (*line, RowReport { errors: o.errors.clone(), summary: o.summary() }))
        .collect();
    sheets::write::report(table, COLUMNS, &rows)
}

/// What the check found for one row.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RowOutcome {
    /// `ok`, `exists` (this 登记编号 is already registered), or `invalid`.
    pub state: &'static str,
    /// Field → message.
    pub errors: BTreeMap<String, String>,
    pub registration_no: Option<String>,
    pub title: Option<String>,
    pub total_text: Option<String>,
    pub registered_on: Option<String>,
}

impl RowOutcome {
    pub fn summary(&self) -> String {
        match self.state {
            "ok" => "可导入".to_string(),
            "exists" => "已存在：该登记编号已在平台登记，不会重复导入".to_string(),
            _ => {
                let header = |field: &str| sheets::columns::header_of(COLUMNS, field).to_string();
                self.errors.iter().map(|(f, m)| format!("{}：{m}", header(f))).collect::<Vec<_>>().join("；")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_and_gbk_reads_the_same() {
        let text = "登记编号,合同名称,合同成交额（元）\r\n62050320210001,\"苹果, 贮藏\",\"1,250,000\"\r\n,,\r\n";
        let utf8 = read(text.as_bytes()).expect("utf-8");
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let gbk = read(&gbk).expect("gbk");
        assert_eq!(utf8.rows, gbk.rows);
        assert_eq!(utf8.rows.len(), 1, "the blank line is skipped");
        assert_eq!(utf8.rows[0], (2, vec!["62050320210001".into(), "苹果, 贮藏".into(), "1,250,000".into()]));
        assert_eq!((utf8.format, gbk.format), ("csv (UTF-8)", "csv (GBK)"));
    }

    #[test]
    fn the_template_reads_back_and_junk_is_refused() {
        let template = template().expect("template");
        let table = read(&template).expect("xlsx");
        assert_eq!(table.headers.len(), COLUMNS.len());
        assert_eq!(table.rows.len(), 1);
        assert!(matches!(read(b"\x00\x01\x02binary\xff\xfe"), Err(SheetError::NotATable)));
        assert!(matches!(read(b""), Err(SheetError::Empty)));
        assert!(matches!(read("名字,年龄\n张三,3\n".as_bytes()), Err(SheetError::NoHeaders)));
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(SheetError::Workbook(_))));
    }
}
