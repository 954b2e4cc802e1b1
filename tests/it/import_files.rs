//! Spreadsheets for the import tests, good and hostile: workbooks written with rust_xlsxwriter
//! (merged cells, formulas with and without a computed value, wrong cell types), a sheet with a
//! million empty rows, a zip bomb, an encrypted-workbook container, GBK CSV.

use std::io::{Cursor, Read as _, Write as _};

use rust_xlsxwriter::{Format, Formula, Workbook};
use techmarket::sheets::write::column_letters;

/// The achievement sheet's headers the tests fill (required ones and a few more).
pub const HEADERS: [&str; 18] = [
    "成果名称*",
    "成果简介*",
    "关键词*",
    "成果类型*",
    "知识产权类型",
    "专利（申请）号",
    "技术领域*",
    "行业门类*",
    "技术成熟度*",
    "所处阶段*",
    "转化方式*",
    "定价方式*",
    "面议",
    "联系人*",
    "联系电话*",
    "解决的问题*",
    "相对领先技术的优势*",
    "所在地行政区划代码*",
];

/// A row that passes, titled `title`, with patent `patent` (or none).
pub fn good_row(title: &str, patent: &str) -> Vec<String> {
    let carriers = if patent.is_empty() { "技术秘密" } else { "专利权" };
    [
        title,
        "面向山地果园的水肥一体化控制系统，按墒情与气象数据决策灌溉与施肥，节水三成以上。",
        "水肥一体化、智慧灌溉",
        "应用技术成果",
        carriers,
        patent,
        "农业",
        "A",
        "7",
        "中试",
        "普通许可、技术服务",
        "协议定价",
        "是",
        "王老师",
        "0938-8888888",
        "山地果园灌溉靠经验，水肥浪费大。",
        "按墒情自动决策，节水三成以上。",
        "620503",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A workbook with the headers and these rows (all as text).
pub fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).expect("header");
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(i as u32 + 1, col as u16, text).expect("cell");
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

/// Cells as Excel holds them when people type: rows 2–3 share a merged 技术领域 cell; row 4's
/// 技术成熟度 is a formula with a computed value (7) and its 成果名称 a formula never computed;
/// row 5's 技术成熟度 is typed as a date and its 所在地 as a number.
pub fn awkward_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).expect("header");
    }
    let rows = [
        good_row("合并单元格上的成果甲", ""),
        good_row("合并单元格下的成果乙", ""),
        good_row("公式算出成熟度的成果丙", ""),
        good_row("类型不对的成果丁", ""),
    ];
    for (i, row) in rows.iter().enumerate() {
        for (col, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(i as u32 + 1, col as u16, text).expect("cell");
            }
        }
    }
    let field = HEADERS.iter().position(|h| *h == "技术领域*").expect("field") as u16;
    sheet.merge_range(1, field, 2, field, "农业", &Format::new()).expect("merge");
    let trl = HEADERS.iter().position(|h| *h == "技术成熟度*").expect("trl") as u16;
    sheet.write_formula(3, trl, Formula::new("=3+4").set_result("7")).expect("formula");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_number_with_format(4, trl, 45_000.0, &date).expect("date");
    let region = HEADERS.iter().position(|h| *h == "所在地行政区划代码*").expect("region") as u16;
    sheet.write_number(4, region, 620_503.0).expect("number");
    workbook.save_to_buffer().expect("xlsx")
}

/// Rewrites one entry of an XLSX archive.
fn with_entry(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let entry_name = entry.name().to_string();
        out.start_file(entry_name.as_str(), options).expect("start");
        if entry_name == name {
            out.write_all(content).expect("write");
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read");
            out.write_all(&bytes).expect("write");
        }
    }
    out.finish().expect("finish").into_inner()
}

fn inline_row(r: usize, cells: &[String]) -> String {
    let mut xml = format!("<row r=\"{r}\">");
    for (col, text) in cells.iter().enumerate() {
        let letter = column_letters(col as u16);
        let text = text.replace('&', "&amp;").replace('<', "&lt;");
        xml.push_str(&format!("<c r=\"{letter}{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>"));
    }
    xml.push_str("</row>");
    xml
}

/// A workbook whose sheet XML is written here: the header, `empty` empty (formatted) rows, then
/// `rows` as inline strings (no cell-length limit, unlike what Excel itself writes).
pub fn written_sheet(empty: usize, rows: &[Vec<String>]) -> Vec<u8> {
    let base = workbook(&[]);
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let mut xml = String::with_capacity(40 * empty + 1000);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    xml.push_str(&inline_row(1, &headers));
    for r in 2..empty + 2 {
        xml.push_str(&format!("<row r=\"{r}\" s=\"0\" customFormat=\"1\"/>"));
    }
    for (i, row) in rows.iter().enumerate() {
        xml.push_str(&inline_row(empty + 2 + i, row));
    }
    xml.push_str("</sheetData></worksheet>");
    with_entry(&base, "xl/worksheets/sheet1.xml", xml.as_bytes())
}

/// One good row whose 成果名称 is a formula no program ever computed (no cached value), as
/// files written by scripts often are.
pub fn uncomputed_formula() -> Vec<u8> {
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let row = inline_row(2, &good_row("待替换", "")).replacen(
        "<c r=\"A2\" t=\"inlineStr\"><is><t>待替换</t></is></c>",
        "<c r=\"A2\"><f>CONCATENATE(\"公式\",\"成果\")</f></c>",
        1,
    );
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{}{row}</sheetData></worksheet>",
        inline_row(1, &headers)
    );
    with_entry(&workbook(&[]), "xl/worksheets/sheet1.xml", xml.as_bytes())
}

/// The header, then a million empty rows, then one good row at row 1,000,002.
pub fn million_empty_rows() -> Vec<u8> {
    written_sheet(1_000_000, &[good_row("百万空行之后的成果", "")])
}

/// An XLSX whose sheet inflates to 300 MB of spaces.
pub fn zip_bomb() -> Vec<u8> {
    let base = workbook(&[good_row("压缩炸弹", "")]);
    let mut archive = zip::ZipArchive::new(Cursor::new(base.as_slice())).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        out.start_file(entry.name().to_string().as_str(), options).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.start_file("xl/padding.xml", options).expect("start");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..300 {
        out.write_all(&chunk).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// An OLE container with an `EncryptedPackage` stream: what Excel saves with an open password.
pub fn encrypted_workbook() -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
    file.create_stream("EncryptionInfo").expect("info").write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).expect("write");
    file.create_stream("EncryptedPackage").expect("package").write_all(&[0u8; 4096]).expect("write");
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// A CSV with the headers and rows, as UTF-8 text.
pub fn csv(rows: &[Vec<String>]) -> String {
    let quote =
        |s: &String| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.clone() };
    let mut text = HEADERS.join(",");
    text.push_str("\r\n");
    for row in rows {
        text.push_str(&row.iter().map(quote).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    text
}
