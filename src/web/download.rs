//! Files in and out of pages and the API: a download (body, type, and a Content-Disposition
//! that names the file in UTF-8 with an ASCII fallback, so 技术需求导入模板.xlsx arrives named),
//! and an uploaded file's bytes, from a form or a raw request body, within the upload limit.

use rocket::Responder;
use rocket::data::{Data, ToByteUnit as _};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use tokio::io::AsyncReadExt as _;

use crate::error::{AppError, ErrorCode};

/// The largest uploaded file (Rocket.toml's `file` and `data-form` limits say the same).
pub const MAX_UPLOAD_MIB: u64 = 20;

/// A file sent to the browser.
#[derive(Responder)]
pub struct Download {
    body: Vec<u8>,
    content_type: ContentType,
    disposition: Header<'static>,
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): the ASCII name where the name is
/// ASCII, else `download.<extension>`, and the exact name percent-encoded.
fn disposition(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let fallback = if name.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\') {
        name.to_string()
    } else {
        format!("download.{}", name.rsplit('.').next().filter(|e| e.is_ascii()).unwrap_or("bin"))
    };
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

impl Download {
    pub fn new(body: Vec<u8>, content_type: ContentType, name: &str) -> Download {
        Download { body, content_type, disposition: Header::new("Content-Disposition", disposition(name)) }
    }

    /// An Excel workbook.
    pub fn xlsx(body: Vec<u8>, name: &str) -> Download {
        let xlsx = ContentType::new("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        Download::new(body, xlsx, name)
    }
}

/// The bytes of a file uploaded with a form.
pub async fn form_file(file: &TempFile<'_>) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    let mut reader = file.open().await.map_err(AppError::internal)?;
    reader.read_to_end(&mut bytes).await.map_err(AppError::internal)?;
    Ok(bytes)
}

/// A request body that is the file itself (the API's uploads); 413 `file_too_large` past the limit.
pub async fn body_file(data: Data<'_>) -> Result<Vec<u8>, AppError> {
    let bytes = data.open(MAX_UPLOAD_MIB.mebibytes()).into_bytes().await.map_err(AppError::internal)?;
    if !bytes.is_complete() {
        let message = format!("文件不能超过 {MAX_UPLOAD_MIB} MiB");
        return Err(AppError::new(Status::PayloadTooLarge, ErrorCode::FileTooLarge, message));
    }
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chinese_file_name_arrives_encoded_with_an_ascii_fallback() {
        assert_eq!(
            super::disposition("技术需求.xlsx"),
            "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E6%8A%80%E6%9C%AF%E9%9C%80%E6%B1%82.xlsx"
        );
        assert_eq!(
            super::disposition("goal-2026.csv"),
            "attachment; filename=\"goal-2026.csv\"; filename*=UTF-8''goal-2026.csv"
        );
    }
}
