//! Administrative divisions (GB/T 2260) the platform names in pages and reports.

/// The county-level divisions of Tianshui (GB/T 2260), the codes listings here mostly carry.
pub fn tianshui_county(code: &str) -> Option<&'static str> {
    Some(match code {
        "620502" => "秦州区",
        "620503" => "麦积区",
        "620521" => "清水县",
        "620522" => "秦安县",
        "620523" => "甘谷县",
        "620524" => "武山县",
        "620525" => "张家川回族自治县",
        _ => return None,
    })
}
