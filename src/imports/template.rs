//! The template a kind's spreadsheet starts from: its columns with Chinese headers, drop-down
//! lists, the example row (dates relative to today) and the instructions.

use super::kinds::Importable;
use crate::sheets::write;

const NOTES: &[&str] = &[
    "第 2 行是示例，导入前请删除或改写；空行会被跳过。带 * 的列必填；可以只保留需要的列，列的顺序不限。",
    "下拉列表可以选，也可以直接写代码或中文名称；可填多个值的列用顿号（、）分隔。",
    "上传后平台先逐行检查（不保存任何内容），列出每个需要修改的单元格；确认后才导入检查通过的行。",
    "导入的条目进入审核队列（待审核），审核通过后公开。同一单位同名（且专利号相同）的条目只会导入一次，重复上传同一文件不会重复创建。",
    "也可上传 CSV（UTF-8 或 Excel 默认的 GBK 编码），表头与本模板相同。合并单元格、没有计算结果的公式会被指出，请取消合并、粘贴为数值。",
];

/// The template workbook of a kind.
pub fn workbook<K: Importable>() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let example = K::example();
    let example: Vec<&str> = example.iter().map(String::as_str).collect();
    write::template(&write::Template {
        sheet: K::KIND.label(),
        columns: K::COLUMNS,
        example: &example,
        lists: K::lists(),
        suggest_only: &["ip_carriers", "transfer_modes", "cooperation_modes"],
        wide: &["title", "summary", "description", "problem", "advantages"],
        notes: NOTES,
    })
}
