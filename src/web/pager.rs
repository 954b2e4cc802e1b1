//! Paging for the HTML lists that used to stop at a fixed number of rows: the page asked for,
//! checked, and the links to the pages before and after.

use serde_json::{Value, json};

use crate::error::{AppError, ErrorCode};

/// Rows per page of the working lists (my listings, review queues).
pub const PER_PAGE: i64 = 50;

/// The 1-based page number from the query, or a 400 for nonsense.
pub fn page_number(page: Option<i64>) -> Result<i64, AppError> {
    match page {
        None => Ok(1),
        Some(n) if (1..=100_000).contains(&n) => Ok(n),
        Some(_) => Err(AppError::bad_request(ErrorCode::InvalidParameter, "页码应为 1 到 100000 之间的整数")),
    }
}

/// The offset of `page`.
pub fn offset(page: i64) -> i64 {
    (page - 1) * PER_PAGE
}

/// `{page, pages, total, prev, next}` for `partials/pager`; `base` is the list's path, with its
/// filters as a query when it has any.
pub fn pager(base: &str, page: i64, total: i64) -> Value {
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let joiner = if base.contains('?') { '&' } else { '?' };
    let link = |n: i64| format!("{base}{joiner}page={n}");
    json!({
        "page": page,
        "pages": pages,
        "total": total,
        "prev": (page > 1).then(|| link(page - 1)),
        "next": (page < pages).then(|| link(page + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_to_their_neighbours() {
        let middle = pager("/achievements/mine", 2, 120);
        assert_eq!(middle["pages"], 3);
        assert_eq!(middle["prev"], "/achievements/mine?page=1");
        assert_eq!(middle["next"], "/achievements/mine?page=3");
        assert!(pager("/x", 1, 0)["next"].is_null());
        assert_eq!(pager("/admin/users?status=pending", 1, 51)["next"], "/admin/users?status=pending&page=2");
        assert!(page_number(Some(0)).is_err());
    }
}
