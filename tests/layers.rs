//! The house rules of the source tree, checked from the code's own `use` lines: top-level
//! modules import only modules on lower layers (the order in docs/ARCHITECTURE.md, "Layers"),
//! no two files import each other in a circle, and every module starts with a `//!` line.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, by its path relative to `src/`.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&root).expect("under src").to_string_lossy().replace('\\', "/");
            (rel, fs::read_to_string(&path).expect("readable source"))
        })
        .collect()
}

/// The layers as docs/ARCHITECTURE.md lists them, bottom first: one line a layer, modules
/// separated by spaces, inside the fenced block that follows the `layers:` line.
fn layers() -> Vec<Vec<String>> {
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md exists");
    let start = doc.find("```layers").expect("ARCHITECTURE.md has a ```layers block");
    let block = &doc[start + "```layers".len()..];
    let block = &block[..block.find("```").expect("the layers block ends")];
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// A file's module path: `demands/challenge/pages.rs` → `[demands, challenge, pages]`.
fn module_path(file: &str) -> Vec<String> {
    let trimmed = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] { Vec::new() } else { parts }
}

/// The code without comments (line comments and doc comments).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path = path.trim();
    let Some(open) = path.find('{') else {
        return vec![path.to_string()];
    };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut parts = Vec::new();
    let (mut depth, mut last) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[last..i]);
                last = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[last..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).flat_map(|p| expand(&format!("{prefix}{p}"))).collect()
}

/// Every module path a file names, absolute (`crate::…` and `super::…` resolved), from its `use`
/// declarations and from paths written inline.
fn references(file: &str, text: &str) -> Vec<Vec<String>> {
    let code = code_of(text);
    let here = module_path(file);
    let mut paths = Vec::new();
    for statement in code.split(';') {
        if let Some(at) = statement.find("use ") {
            let before = &statement[..at];
            if before.trim().is_empty() || before.trim_end().ends_with("pub") || before.trim_end().ends_with(')') {
                paths.extend(expand(&statement[at + 4..]));
            }
        }
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            let prior = if at == 0 { b' ' } else { bytes[at - 1] };
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            if !(prior.is_ascii_alphanumeric() || prior == b'_' || prior == b'$') {
                paths.push(code[at..end].trim_end_matches(':').to_string());
            }
            from = end.max(at + start.len());
        }
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let segments: Vec<&str> = path.split("::").map(str::trim).filter(|s| !s.is_empty()).collect();
            let (base, rest): (Vec<String>, &[&str]) = match segments.first() {
                Some(&"crate") => (Vec::new(), &segments[1..]),
                Some(&"super") => {
                    // In `a/b.rs` (module a::b) `super` is `a`; in `a/mod.rs` (module a) it is the root.
                    let mut base = here.clone();
                    let mut rest = &segments[..];
                    while rest.first() == Some(&"super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    (base, rest)
                }
                _ => return None,
            };
            let mut full = base;
            full.extend(rest.iter().map(|s| s.split_whitespace().next().unwrap_or("").to_string()));
            Some(full)
        })
        .collect()
}

/// The file a module path lands in: the longest prefix that is a file of the tree.
fn file_of(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    for len in (1..=path.len()).rev() {
        let joined = path[..len].join("/");
        for candidate in [format!("{joined}.rs"), format!("{joined}/mod.rs")] {
            if files.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

#[test]
fn modules_import_only_from_lower_layers() {
    let sources = sources();
    let layers = layers();
    let rank: BTreeMap<&str, usize> =
        layers.iter().enumerate().flat_map(|(i, layer)| layer.iter().map(move |m| (m.as_str(), i))).collect();
    let tops: BTreeSet<String> = sources.keys().map(|f| module_path(f).first().cloned().unwrap_or_default()).collect();
    let mut problems = Vec::new();
    for top in tops.iter().filter(|t| !t.is_empty()) {
        if !rank.contains_key(top.as_str()) {
            problems.push(format!("module `{top}` is on no layer of docs/ARCHITECTURE.md"));
        }
    }
    for (file, text) in &sources {
        let Some(top) = module_path(file).first().cloned() else { continue };
        let Some(&own) = rank.get(top.as_str()) else { continue };
        for reference in references(file, text) {
            let Some(target) = reference.first() else { continue };
            if *target == top || !tops.contains(target) {
                continue; // itself, or a macro exported at the crate root
            }
            match rank.get(target.as_str()) {
                Some(&theirs) if theirs < own => {}
                Some(&theirs) => problems.push(format!(
                    "{file} (layer {own}: {top}) imports {} (layer {theirs}: {target})",
                    reference.join("::")
                )),
                None => {}
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "imports against the layer order:\n{}", problems.join("\n"));
}

#[test]
fn no_file_imports_itself_through_others() {
    let sources = sources();
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    // `mod.rs` files declare and re-export their children; what they name is not followed, so the
    // usual `use super::Thing` of a child does not count as a circle.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &sources {
        if file.ends_with("mod.rs") || file == "lib.rs" || file == "main.rs" {
            continue;
        }
        for reference in references(file, text) {
            if let Some(target) = file_of(&reference, &files)
                && target != *file
            {
                edges.entry(file.clone()).or_default().insert(target);
            }
        }
    }
    // Depth-first search for a path back to where it started.
    fn cycle_from(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = cycle_from(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    let mut circles = BTreeMap::new();
    for file in edges.keys() {
        if let Some(circle) = cycle_from(file, &edges, &mut Vec::new(), &mut done) {
            let members: BTreeSet<String> = circle.iter().cloned().collect();
            circles.entry(members).or_insert_with(|| circle.join(" → "));
        }
    }
    let circles: Vec<String> = circles.into_values().collect();
    assert!(circles.is_empty(), "import circles between files:\n{}", circles.join("\n"));
}

#[test]
fn every_module_says_what_it_is() {
    let missing: Vec<String> =
        sources().into_iter().filter(|(_, text)| !text.trim_start().starts_with("//!")).map(|(file, _)| file).collect();
    assert!(missing.is_empty(), "modules without a `//!` line: {missing:?}");
}

#[test]
fn no_source_file_is_over_500_lines_except_data_tables() {
    // Data tables: the demo district's content.
    const DATA_TABLES: &[&str] = &["demo/data.rs"];
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(file, text)| text.lines().count() > 500 && !DATA_TABLES.contains(&file.as_str()))
        .map(|(file, text)| format!("{file}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

#[test]
fn the_reader_resolves_what_rust_resolves() {
    let refs = references(
        "demands/challenge/pages.rs",
        "use super::{model::Decision, service};\nuse crate::web::{Page, pager};\nfn f() { crate::demands::detail::page(); }",
    );
    assert!(refs.contains(&vec!["demands".into(), "challenge".into(), "model".into(), "Decision".into()]), "{refs:?}");
    assert!(refs.contains(&vec!["demands".into(), "challenge".into(), "service".into()]), "{refs:?}");
    assert!(refs.contains(&vec!["web".into(), "pager".into()]), "{refs:?}");
    assert!(refs.contains(&vec!["demands".into(), "detail".into(), "page".into()]), "{refs:?}");
    let files: BTreeSet<String> = ["web/mod.rs", "web/pager.rs"].into_iter().map(String::from).collect();
    assert_eq!(file_of(&["web".into(), "pager".into()], &files).as_deref(), Some("web/pager.rs"));
    assert_eq!(file_of(&["web".into(), "Page".into()], &files).as_deref(), Some("web/mod.rs"));
}
