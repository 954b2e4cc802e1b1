//! Opaque API cursors: the (published-or-created time, id) of the last row of a page.

use base64::Engine as _;

use crate::error::{AppError, ErrorCode};

pub fn encode(at: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
}

pub fn decode(cursor: &str) -> Result<(String, String), AppError> {
    let bad = || AppError::bad_request(ErrorCode::BadCursor, "分页游标无效，请从第一页重新获取");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once('|').ok_or_else(bad)?;
    Ok((at.to_string(), id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = encode("2026-11-28T04:10:50.123456Z", "01a2");
        assert_eq!(decode(&cursor).ok(), Some(("2026-11-28T04:10:50.123456Z".into(), "01a2".into())));
        assert_eq!(decode("%%%").map_err(|e| e.code.code()), Err("bad_cursor"));
        assert_eq!(decode(&encode("", "")).ok(), Some((String::new(), String::new())));
    }
}
