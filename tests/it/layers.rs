//! One-way layers: data flows discover → classify → parse → model/index → rules →
//! diagnostics → reports, and no module of a lower layer names a module of a higher one.
//! This test reads every `crate::…` path of every file under `src/` (comments and
//! `#[cfg(test)]` blocks left out) and fails when one points upward, or at a top-level
//! module no layer lists (add a new module to its layer below, with a reason).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use its own layer and the layers below it.
/// Modules of one layer may use each other (the domain models do: `model::env_sets`
/// reads the `k8s` index, `k8s` reads `model::manifest`).
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves: a source file and its line index, byte decoding, git revision syntax, the
    // rule documents compiled in from `lints/`, and what text is a credential.
    (
        "leaves",
        &[
            "source",
            "decode",
            "git_rev",
            "lints",
            "credentials",
            "workers",
        ],
    ),
    // The one diagnostic model: Diagnostic, RuleMeta/Domain, typed input problems
    // (InputCode), fingerprints, the outcome of a run. The parsers hash with its fnv1a.
    ("diagnostics", &["diagnostic"]),
    // Span-exact parsers that know nothing of the domains.
    ("parsers", &["yaml", "sql"]),
    // Domain models and their queries, built from parsed files, and the resolved
    // settings they read (settings name a migration convention, a model type).
    (
        "models",
        &["model", "k8s", "api", "migrations", "traffic", "settings"],
    ),
    // One release: discovery, classification, loading, the index, suppressions, and the
    // overlay of unsaved contents (stdin, editor buffers) the loader reads through.
    ("project", &["project", "overlay"]),
    // The rules, the rule context and the migration walk that drives the M rules.
    ("rules", &["rules"]),
    // What users write (rollsafe.toml: validated against the rule registry) and the
    // baseline file.
    ("configuration", &["config", "config_paths", "baseline"]),
    // The pipeline: load head and base, run the rules, suppress, filter, fingerprint.
    ("pipeline", &["check", "diff", "relocate", "workspace"]),
    // One file per output format: sees the outcome, diagnostics and sources.
    ("reports", &["report"]),
    // The faces: arguments in, exit code out; the language server over stdio.
    ("cli", &["cli", "show_settings", "init", "server"]),
];

/// The reports see the outcome (diagnostics, sources) and nothing of how it was made;
/// these are the modules they may name, and why.
const REPORTS_MAY_USE: &[(&str, &str)] = &[
    ("diagnostic", "the outcome they render"),
    ("source", "the files findings point into"),
    ("lints", "the rule documents: SARIF's rule help"),
    (
        "credentials",
        "credentials quoted in any message or snippet are masked once, for every format",
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text without comments and without `#[cfg(test)]` items (tests may reach up).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            // Skip the item that follows: up to its matching closing brace, or to the
            // `;` of a one-line item.
            let mut depth = 0i32;
            let mut opened = false;
            for l in lines.by_ref() {
                for c in l.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if (opened && depth <= 0) || (!opened && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        let line = match line.find("//") {
            // A trailing comment (not a `//` inside a string such as a URL).
            Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The top-level modules a file's code names: `crate::x…` and `use crate::{x, y::z}`.
fn named_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let boundary = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if boundary {
            if let Some(group) = after.strip_prefix('{') {
                // Top-level names of the group: split at commas of depth 0.
                let mut depth = 0;
                let mut start = 0;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            out.push(ident(group[start..j].trim()));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push(ident(group[start..j].trim()));
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push(ident(after));
            }
        }
        rest = after;
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

#[test]
fn no_lower_layer_uses_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut failures = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // The crate root and the binary declare and re-export modules; they are no layer.
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let Some(own) = layer_of(&top) else {
            failures.push(format!("src/{rel}: module `{top}` is in no layer"));
            continue;
        };
        *seen.entry(top.clone()).or_default() += 1;
        let text = std::fs::read_to_string(f).unwrap();
        for m in named_modules(&code_of(&text)) {
            if m == top {
                continue;
            }
            if top == "report" && !REPORTS_MAY_USE.iter().any(|(r, _)| *r == m) {
                failures.push(format!(
                    "src/{rel}: a report uses `crate::{m}`; reports see diagnostics and sources"
                ));
            }
            match layer_of(&m) {
                None => failures.push(format!(
                    "src/{rel}: uses `crate::{m}`, which is in no layer (use its canonical path)"
                )),
                Some(l) if l > own => failures.push(format!(
                    "src/{rel}: `{top}` ({}) uses `crate::{m}` ({}), a higher layer",
                    LAYERS[own].0, LAYERS[l].0
                )),
                _ => {}
            }
        }
    }
    // Every listed module exists, so the table does not rot.
    for (layer, ms) in LAYERS {
        for m in *ms {
            assert!(
                seen.contains_key(*m),
                "layer `{layer}` lists `{m}`, which has no file under src/"
            );
        }
    }
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The reader itself: it must see grouped and nested paths, and skip comments and tests.
#[test]
fn the_reader_sees_grouped_paths_and_skips_comments_and_tests() {
    let code = code_of(
        "use crate::{a, b::{c, d}, e::f};\n\
         // crate::commented\n\
         let x = crate::g::h(); // crate::trailing\n\
         #[cfg(test)]\n\
         mod tests {\n    use crate::tested;\n}\n\
         fn after() { crate::i::j }\n",
    );
    assert_eq!(named_modules(&code), ["a", "b", "e", "g", "i"]);
}
