//! The layering of `actor-core` (see `ARCHITECTURE.md`): every `crate::`
//! import in `src/` must point at the importing module's own layer or one
//! below it. Test code (files named `*tests.rs`, and a file's trailing
//! `#[cfg(test)]` modules) may import anything.
//!
//! A few upward edges are known and justified in `ARCHITECTURE.md`; they are
//! listed in [`EXCEPTIONS`]. Remove an entry once its edge is gone.
#![allow(missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

/// Module path prefixes and their layer; the longest matching prefix wins.
const LAYERS: &[(&str, u8, &str)] = &[
    // 0: primitives, which know nothing of shards.
    ("loom", 0, "primitives"),
    ("util", 0, "primitives"),
    ("channel", 0, "primitives"),
    ("config", 0, "primitives"),
    ("metrics", 0, "primitives"),
    ("reactor", 0, "primitives"),
    ("time::wheel", 0, "primitives"),
    // 1: the shard executor: tasks, the loop, timers on its wheel.
    ("shard", 1, "shard executor"),
    ("time", 1, "shard executor"),
    // 2: mailbox and replies, and the plain data they carry.
    ("lifecycle", 2, "mailbox and reply"),
    ("mailbox", 2, "mailbox and reply"),
    ("reply", 2, "mailbox and reply"),
    ("blocking", 2, "mailbox and reply"),
    // 3: actors.
    ("actor", 3, "actor"),
    ("dead_letters", 3, "actor"),
    // 4: the runtime, and the tokio runtime it owns.
    ("runtime", 4, "runtime"),
    ("tokio_bridge", 4, "runtime"),
    // 5: what is built on the runtime, and the crate's front page.
    ("supervision", 5, "top"),
    ("partition", 5, "top"),
    ("oneshot", 5, "top"),
    ("io_driver", 5, "top"),
    ("error", 5, "top"),
    ("__private", 5, "top"),
    ("semantics", 5, "top"),
    ("protocol_loom_tests", 5, "top"),
    ("", 5, "top"),
];

/// Known upward edges: (importing module prefix, imported path prefix, why).
/// None today; an entry names one that is accepted, with its reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

fn layer_of(module: &str) -> (u8, &'static str) {
    LAYERS
        .iter()
        .filter(|(prefix, _, _)| {
            prefix.is_empty() || module == *prefix || module.starts_with(&format!("{prefix}::"))
        })
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map(|(_, layer, name)| (*layer, *name))
        .expect("the empty prefix matches everything")
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/shard/local.rs` → `shard::local`; `mod.rs` names its directory.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src_dir()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    if parts == ["private"] {
        return "__private".to_owned();
    }
    parts.join("::")
}

/// The source without comments, cut at the first `#[cfg(test)]`-style
/// module (tests may import anything).
fn code_of(source: &str) -> String {
    let mut out = String::new();
    let mut in_block = 0usize;
    let lines: Vec<&str> = source.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let test_cfg = trimmed.starts_with("#[cfg(test)]") || trimmed.starts_with("#[cfg(all(test");
        // An inline test module ends the code that counts; a `mod x;` line
        // names a test file, which is skipped by its name.
        if in_block == 0 && test_cfg && lines.get(n + 1).is_some_and(|l| l.contains('{')) {
            break;
        }
        let mut rest: &str = line;
        let mut kept = String::new();
        while !rest.is_empty() {
            if in_block > 0 {
                match rest.find("*/") {
                    Some(i) => {
                        in_block -= 1;
                        rest = &rest[i + 2..];
                    }
                    None => rest = "",
                }
            } else if let Some(i) = rest.find("/*").filter(|&i| !rest[..i].contains("//")) {
                kept.push_str(&rest[..i]);
                in_block += 1;
                rest = &rest[i + 2..];
            } else {
                kept.push_str(rest.split("//").next().unwrap_or(""));
                rest = "";
            }
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Every path after `crate::`, with `{...}` groups expanded:
/// `crate::a::{b, c::d}` gives `a::b` and `a::c::d`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue; // `$crate::`, `actor_core::crate::` and the like
        }
        expand("", &code[at..], &mut paths);
    }
    paths
}

/// Expands one path (or group) starting at `s`, prefixed by `prefix`.
fn expand(prefix: &str, s: &str, out: &mut Vec<String>) {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut item = String::new();
        for c in inner.chars() {
            match c {
                '{' => {
                    depth += 1;
                    item.push(c);
                }
                '}' if depth == 0 => {
                    expand(prefix, &item, out);
                    return;
                }
                '}' => {
                    depth -= 1;
                    item.push(c);
                }
                ',' if depth == 0 => {
                    expand(prefix, &item, out);
                    item.clear();
                }
                _ => item.push(c),
            }
        }
        return;
    }
    let ident: String = s
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() || ident == "self" {
        if !prefix.is_empty() {
            out.push(prefix.to_owned());
        }
        return;
    }
    let path = if prefix.is_empty() {
        ident.clone()
    } else {
        format!("{prefix}::{ident}")
    };
    match s[ident.len()..].strip_prefix("::") {
        Some(rest) => expand(&path, rest, out),
        None => out.push(path),
    }
}

/// Names re-exported at the crate root (`pub use a::b::{C, D};` in
/// `lib.rs`), mapped to the module they come from.
fn root_exports() -> Vec<(String, String)> {
    let lib = fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let code = code_of(&lib);
    let mut out = Vec::new();
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        if path.starts_with("crate::") || path.starts_with("actor_macros") {
            continue;
        }
        let mut paths = Vec::new();
        expand("", path, &mut paths);
        for p in paths {
            if let Some((module, name)) = p.rsplit_once("::") {
                out.push((name.to_owned(), module.to_owned()));
            }
        }
    }
    out
}

/// The module an imported path lands in: `shard::local::ShardLocal` is in
/// `shard::local`; a root re-export such as `ActorRef` is in its module.
fn target_of(path: &str, roots: &[(String, String)]) -> String {
    let first = path.split("::").next().unwrap_or("");
    if let Some((_, module)) = roots.iter().find(|(name, _)| name == first) {
        return module.clone();
    }
    path.to_owned()
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let roots = root_exports();
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    let mut violations = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        if name.ends_with("tests.rs") || name.ends_with(".md") {
            continue;
        }
        let module = module_of(file);
        let (from, from_name) = layer_of(&module);
        let code = code_of(&fs::read_to_string(file).unwrap());
        for path in crate_paths(&code) {
            let target = target_of(&path, &roots);
            let (to, to_name) = layer_of(&target);
            if to <= from {
                continue;
            }
            let excepted = EXCEPTIONS.iter().any(|(m, p, _)| {
                (module == *m || module.starts_with(&format!("{m}::")))
                    && (path == *p || path.starts_with(&format!("{p}::")))
            });
            if !excepted {
                violations.push(format!(
                    "{module} ({from_name}) imports crate::{path} ({to_name})"
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward imports (see ARCHITECTURE.md for the layers):\n  {}",
        violations.join("\n  ")
    );
}

#[test]
fn every_module_has_a_layer_and_the_table_parses_imports() {
    let mut paths = Vec::new();
    expand(
        "",
        "shard::{local::{ShardLocal, with_current}, shared::Remote};",
        &mut paths,
    );
    assert_eq!(
        paths,
        [
            "shard::local::ShardLocal",
            "shard::local::with_current",
            "shard::shared::Remote",
        ]
    );
    assert_eq!(layer_of("time::wheel").0, 0);
    assert_eq!(layer_of("time::sleep").0, 1);
    assert_eq!(layer_of("shard::registry").0, 1);
    assert_eq!(layer_of("actor::cell").0, 3);
    let code = code_of("use crate::a::b; // crate::c\n/* crate::d */ use crate::{e, f::g};\n");
    assert_eq!(crate_paths(&code), ["a::b", "e", "f::g"]);
}
