//! The handlebars engine: strict mode, templates embedded from `templates/`, and the helpers
//! pages use to show money, counts and dates the Chinese way.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError, RenderErrorReason};
use rust_embed::RustEmbed;

use crate::domain::money::Fen;

/// Every `*.html.hbs` under `templates/`, named by path without the extension
/// (`templates/home/index.html.hbs` → `home/index`). Embedded in release builds.
#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.hbs"]
struct TemplateFiles;

const EXTENSION: &str = ".html.hbs";

/// The loaded template registry, shared read-only by every request.
#[derive(Debug)]
pub struct Templates {
    registry: Handlebars<'static>,
}

impl Templates {
    /// Registers every template and helper; a syntax error stops start-up.
    pub fn load() -> Result<Templates, handlebars::TemplateError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_embed_templates_with_extension::<TemplateFiles>(EXTENSION)?;
        registry.register_helper("money", Box::new(money_helper));
        registry.register_helper("yuan", Box::new(yuan_helper));
        registry.register_helper("count", Box::new(count_helper));
        registry.register_helper("region_name", Box::new(region_helper));
        registry.register_helper("date", Box::new(date_helper));
        Ok(Templates { registry })
    }

    pub fn render(&self, name: &str, data: &serde_json::Value) -> Result<String, RenderError> {
        self.registry.render(name, data)
    }

    pub fn has(&self, name: &str) -> bool {
        self.registry.has_template(name)
    }

    /// Names of all registered templates.
    pub fn names(&self) -> Vec<String> {
        self.registry.get_templates().keys().cloned().collect()
    }
}

fn fen_param(h: &Helper<'_>, name: &'static str) -> Result<Fen, RenderError> {
    h.param(0)
        .and_then(|p| p.value().as_i64())
        .map(Fen)
        .ok_or_else(|| RenderErrorReason::ParamTypeMismatchForName(name, "0".into(), "integer fen".into()).into())
}

/// `{{money fen}}` → `12.5万元`, `6.00亿元` or `¥1,234.56`.
fn money_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&fen_param(h, "money")?.format_compact())?;
    Ok(())
}

/// `{{yuan fen}}` → `¥1,234.56`.
fn yuan_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&fen_param(h, "yuan")?.format_yuan())?;
    Ok(())
}

/// `{{count n}}` → `12,345`.
/// `{{date value}}`: a date (`2026-12-02`, or a stored instant's date part) the one way pages
/// show dates, `2026年12月2日`; anything else as it is.
fn date_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h.param(0).and_then(|p| p.value().as_str()).unwrap_or_default();
    let shown = match value.get(..10).and_then(crate::domain::time::parse_date) {
        Some(date) if value.len() == 10 => format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day()),
        _ => value.to_string(),
    };
    out.write(&handlebars::html_escape(&shown))?;
    Ok(())
}

/// `{{region_name code}}`: a GB/T 2260 code as people read it (甘肃省天水市麦积区).
fn region_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let code = h.param(0).and_then(|p| p.value().as_str()).unwrap_or_default();
    out.write(&handlebars::html_escape(&crate::domain::regions::region_name(code)))?;
    Ok(())
}

fn count_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let n = h.param(0).and_then(|p| p.value().as_i64()).ok_or_else(|| {
        RenderError::from(RenderErrorReason::ParamTypeMismatchForName("count", "0".into(), "integer".into()))
    })?;
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if n < 0 {
        out.write("-")?;
    }
    out.write(&grouped)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_compiles_and_helpers_format() -> Result<(), Box<dyn std::error::Error>> {
        let mut templates = Templates::load()?;
        assert!(templates.has("layouts/main"));
        assert!(templates.has("errors/error"));
        templates.registry.register_template_string("t", "{{money a}}|{{yuan b}}|{{count c}}")?;
        let out = templates.render("t", &json!({"a": 12_500_000, "b": 123_456, "c": 1_234_567}))?;
        assert_eq!(out, "12.5万元|¥1,234.56|1,234,567");
        Ok(())
    }

    #[test]
    fn strict_mode_refuses_missing_values() -> Result<(), Box<dyn std::error::Error>> {
        let mut templates = Templates::load()?;
        templates.registry.register_template_string("t", "{{missing}}")?;
        assert!(templates.render("t", &json!({})).is_err());
        Ok(())
    }
}
