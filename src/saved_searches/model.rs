//! A saved search as typed: a name, the search's words and filters (the search page's own
//! parameters, checked the way the search checks them), and how its owner wants to hear of new
//! matches. No SQL, no HTTP.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::forms::{Checker, FieldErrors};
use crate::search::params::SearchParams;

/// The search parameters a saved search keeps (paging, sorting and the date window are the
/// notifier's business).
pub const KEPT: [&str; 12] =
    ["q", "kind", "field", "industry", "stage", "mode", "pricing", "region", "status", "trl", "min", "max"];

/// At most this many saved searches per account.
pub const MAX_PER_USER: i64 = 20;

/// A saved search as submitted by the search page's form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, rocket::FromForm)]
#[serde(default, deny_unknown_fields)]
pub struct SavedSearchInput {
    pub name: Option<String>,
    /// The search's parameters by name (`q`, `kind`, `field`, …); others are refused.
    pub params: BTreeMap<String, String>,
    /// Tell me in my inbox as soon as something new matches (the default).
    pub notify_inbox: Option<bool>,
    /// One summary a day (after 8:00 Beijing time) of what matched since the last.
    pub notify_digest: Option<bool>,
    /// Post new matches to my organisation's webhooks (`search.matched`).
    pub notify_webhook: Option<bool>,
}

/// A checked saved search.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub params: BTreeMap<String, String>,
    pub inbox: bool,
    pub digest: bool,
    pub webhook: bool,
}

/// The search page's parameters of a kept set.
pub fn search_params(kept: &BTreeMap<String, String>) -> SearchParams {
    let get = |name: &str| kept.get(name).cloned();
    SearchParams {
        q: get("q"),
        kind: get("kind"),
        field: get("field"),
        industry: get("industry"),
        stage: get("stage"),
        mode: get("mode"),
        pricing: get("pricing"),
        region: get("region"),
        status: get("status"),
        trl: get("trl"),
        min: get("min"),
        max: get("max"),
        ..SearchParams::default()
    }
}

/// A short Chinese description of what a kept set searches for.
pub fn describe(kept: &BTreeMap<String, String>) -> String {
    let words = kept.get("q").map(String::as_str).unwrap_or("").trim();
    let filters = kept.keys().filter(|k| *k != "q").count();
    match (words.is_empty(), filters) {
        (true, 0) => "全部新发布的条目".to_string(),
        (true, n) => format!("{n} 个筛选条件"),
        (false, 0) => format!("“{words}”"),
        (false, n) => format!("“{words}”，{n} 个筛选条件"),
    }
}

/// Checks a saved search; `has_organisation` says whether a webhook can be chosen.
pub fn check(input: &SavedSearchInput, has_organisation: bool) -> Result<Plan, FieldErrors> {
    let mut check = Checker::default();
    let mut params = BTreeMap::new();
    for (name, value) in &input.params {
        let value = value.trim();
        if !KEPT.contains(&name.as_str()) {
            check.fail("params", format!("不能保存的搜索参数“{name}”"));
        } else if let Some(c) = crate::domain::control::first_in_text(value) {
            check.fail("params", crate::domain::control::message(c, "搜索条件"));
        } else if value.chars().count() > 200 {
            check.fail("params", "搜索条件最长 200 个字");
        } else if !value.is_empty() {
            params.insert(name.clone(), value.to_string());
        }
    }
    // The same checks the search itself makes: a saved search always runs.
    if let Err(error) = search_params(&params).request(10, false) {
        check.fail("params", error.message);
    }
    let default_name = describe(&params);
    let typed = check.text("name", "订阅名称", input.name.as_deref(), 0, 50);
    let name = if typed.is_empty() { default_name.chars().take(50).collect() } else { typed };
    let inbox = input.notify_inbox.unwrap_or(true);
    let digest = input.notify_digest.unwrap_or(false);
    let webhook = input.notify_webhook.unwrap_or(false);
    if webhook && !has_organisation {
        check.fail("notify_webhook", "账号没有所属单位，不能推送到单位的 Webhook");
    }
    if !(inbox || digest || webhook) {
        check.fail("notify_inbox", "请至少选择一种提醒方式");
    }
    check.finish(|| Some(Plan { name, params, inbox, digest, webhook }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(params: &[(&str, &str)]) -> SavedSearchInput {
        SavedSearchInput {
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..SavedSearchInput::default()
        }
    }

    #[test]
    fn saved_searches_keep_only_what_the_search_understands() {
        let plan = check(&input(&[("q", " 苹果 保鲜 "), ("field", "agriculture"), ("min", "")]), false).expect("valid");
        assert_eq!(plan.name, "“苹果 保鲜”，1 个筛选条件");
        assert_eq!(plan.params.len(), 2);
        assert!(plan.inbox && !plan.digest && !plan.webhook);
        for bad in
            [vec![("page", "2")], vec![("min", "abc")], vec![("q", "a\u{0}b")], vec![("min", "90"), ("max", "10")]]
        {
            assert!(check(&input(&bad), false).is_err_and(|e| e.contains_key("params")), "{bad:?}");
        }
        let mut nothing = input(&[]);
        nothing.notify_inbox = Some(false);
        assert!(check(&nothing, false).is_err_and(|e| e.contains_key("notify_inbox")));
        nothing.notify_webhook = Some(true);
        assert!(check(&nothing, false).is_err_and(|e| e.contains_key("notify_webhook")));
        assert!(check(&nothing, true).is_ok());
        assert_eq!(describe(&BTreeMap::new()), "全部新发布的条目");
    }

    #[test]
    fn the_document_names_the_kept_parameters() {
        let document = crate::openapi::document();
        let documented = &document["components"]["schemas"]["SavedSearchInput"]["properties"]["params"]["properties"];
        let mut names: Vec<&str> = documented.as_object().expect("params").keys().map(String::as_str).collect();
        let mut kept = KEPT.to_vec();
        names.sort_unstable();
        kept.sort_unstable();
        assert_eq!(names, kept);
    }
}
