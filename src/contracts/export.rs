//! CSV export of an administrator's contract list: UTF-8 with a byte-order mark (Excel opens it
//! as Chinese), amounts in 元 written exactly, and cells that a spreadsheet would read as a
//! formula neutralised.

use super::query::ListFilter;
use super::records::{self, ListRow};
use super::view::status_label;
use crate::db::Db;
use crate::domain::contract_vocab::{ContractType, Subtype};
use crate::domain::money::Fen;
use crate::domain::taxonomy::TechnicalField;

const HEADERS: [&str; 19] = [
    "合同编号",
    "登记编号",
    "合同名称",
    "合同类型",
    "合同子类",
    "卖方",
    "卖方统一社会信用代码",
    "买方",
    "买方统一社会信用代码",
    "技术领域",
    "签订日期",
    "合同成交额（元）",
    "技术交易额（元）",
    "状态",
    "受理日期",
    "办结期限",
    "登记日期",
    "现行版本",
    "来源",
];

use crate::domain::csv::line;

/// The first lines of the file: the byte-order mark and the headers.
pub fn header() -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&line(&HEADERS));
    out
}

/// The lines of some rows.
pub fn lines(rows: &[ListRow]) -> String {
    let mut out = String::new();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let yuan = |v: Option<i64>| v.map(|f| Fen(f).yuan_exact()).unwrap_or_default();
    for row in rows {
        out.push_str(&line(&[
            row.id.clone(),
            text(&row.registration_no),
            row.title.clone(),
            ContractType::from_code(&row.contract_type).map(|t| t.label()).unwrap_or_default().to_string(),
            Subtype::from_code(&row.subtype).map(|t| t.label()).unwrap_or_default().to_string(),
            row.seller_name.clone(),
            text(&row.seller_credit_code),
            row.buyer_name.clone(),
            text(&row.buyer_credit_code),
            row.technical_field
                .as_deref()
                .and_then(TechnicalField::from_code)
                .map(|f| f.label())
                .unwrap_or_default()
                .to_string(),
            text(&row.signed_on),
            yuan(row.total_fen),
            yuan(row.technology_fen),
            status_label(row.status, row.cancelled).to_string(),
            text(&row.accepted_on),
            text(&row.due_on),
            text(&row.registered_on),
            row.revision_no.to_string(),
            super::view::origin_label(&row.origin).to_string(),
        ]));
    }
    out
}

/// The CSV export, streamed: rows are read a keyset page at a time and written as they come, so
/// every matching contract is exported without the file ever being held in memory.
pub struct CsvStream {
    pub db: Db,
    pub filter: ListFilter,
    pub name: String,
}

/// Rows read per query while streaming.
const EXPORT_PAGE: i64 = 2_000;

impl<'r> rocket::response::Responder<'r, 'r> for CsvStream {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'r> {
        let CsvStream { db, filter, name } = self;
        let stream =
            rocket::futures::stream::unfold((db, filter, true, false), |(db, mut filter, first, done)| async move {
                if done {
                    return None;
                }
                let mut chunk = if first { header() } else { String::new() };
                match records::rows(&db, &filter, 0, EXPORT_PAGE).await {
                    Ok(rows) => {
                        let finished = (rows.len() as i64) < EXPORT_PAGE;
                        if let Some(last) = rows.last() {
                            filter.after = Some(records::key_of(&filter, last));
                        }
                        chunk.push_str(&lines(&rows));
                        Some((chunk, (db, filter, false, finished)))
                    }
                    Err(error) => {
                        tracing::error!(%error, "contract export stopped");
                        chunk.push_str("\r\n导出中断：读取数据库失败，请重试\r\n");
                        Some((chunk, (db, filter, false, true)))
                    }
                }
            });
        rocket::Response::build_from(rocket::response::stream::TextStream(stream).respond_to(request)?)
            .header(rocket::http::ContentType::new("text", "csv").with_params(("charset", "utf-8")))
            .header(rocket::http::Header::new("Content-Disposition", format!("attachment; filename=\"{name}\"")))
            .ok()
    }
}
