//! The rule catalogue and the rule registry agree, every document has its sections, and
//! every document's examples run through the real pipeline: the bad example fires the
//! rule exactly at the lines its blocks state with the fence attribute `line=N`
//! (```` ```sql bad line=2 ````), the good one does not fire it.

use std::path::Path;

use rollsafe::check::{Options, check};
use rollsafe::lints::{self, Example};
use rollsafe::rules;

const SECTIONS: &[&str] = &[
    "What it flags",
    "Why it breaks a release",
    "Example",
    "Safe alternative",
    "Configuration",
    // The upstream code or documentation the "why" relies on, so the next reader can
    // check it.
    "Source",
];

#[test]
fn every_rule_has_a_document_and_every_document_a_rule() {
    let codes: Vec<&str> = rules::ALL.iter().map(|r| r.meta().code).collect();
    for (stem, _) in lints::DOCS {
        let code = stem.split('-').next().unwrap();
        assert!(codes.contains(&code), "lints/{stem}.md has no rule");
    }
    for r in rules::ALL {
        let m = r.meta();
        let doc = lints::doc(m.code).unwrap_or_else(|| panic!("{} has no document", m.code));
        let stem = format!("{}-{}", m.code, m.name);
        assert!(
            lints::DOCS.iter().any(|(s, _)| *s == stem),
            "document must be named lints/{stem}.md"
        );
        let fm: std::collections::HashMap<String, String> =
            lints::front_matter(doc).into_iter().collect();
        assert_eq!(
            fm.get("code").map(String::as_str),
            Some(m.code),
            "{stem}: front matter code"
        );
        assert_eq!(
            fm.get("name").map(String::as_str),
            Some(m.name),
            "{stem}: front matter name"
        );
        assert_eq!(
            fm.get("severity").map(String::as_str),
            Some(m.severity.as_str()),
            "{stem}: severity"
        );
        assert_eq!(
            fm.get("domain").map(String::as_str),
            Some(m.domain.as_str()),
            "{stem}: domain"
        );
        assert_eq!(
            fm.get("summary").map(String::as_str),
            Some(m.summary),
            "{stem}: summary"
        );
        for s in SECTIONS {
            assert!(
                lints::section(doc, s).is_some_and(|t| !t.is_empty()),
                "{stem}: missing section `## {s}`"
            );
        }
        let ex = lints::examples(doc);
        assert!(ex.iter().any(|e| e.kind == "bad"), "{stem}: no bad example");
        assert!(
            ex.iter().any(|e| e.kind == "good"),
            "{stem}: no good example"
        );
    }
}

fn default_path(lang: &str) -> &'static str {
    match lang {
        "sql" => "migrations/000002_example.up.sql",
        "env" => "deploy/app.env",
        "json" => "deploy/example.json",
        _ => "deploy/example.yaml",
    }
}

fn write_side(dir: &Path, examples: &[&Example]) {
    std::fs::create_dir_all(dir).unwrap();
    for e in examples {
        let rel = e
            .file
            .clone()
            .unwrap_or_else(|| default_path(&e.lang).to_string());
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &e.code).unwrap();
    }
}

/// One finding of an example run: its code, and where it is reported (`in_base`, path
/// relative to the side's root, line).
struct Found {
    code: String,
    in_base: bool,
    path: String,
    line: usize,
}

/// Runs one example (all blocks of one kind) and returns what it finds.
fn run(examples: &[Example], kind: &str) -> Vec<Found> {
    let tmp = tempfile::tempdir().unwrap();
    let head: Vec<&Example> = examples
        .iter()
        .filter(|e| e.kind == kind && !e.base)
        .collect();
    let base: Vec<&Example> = examples
        .iter()
        .filter(|e| e.kind == kind && e.base)
        .collect();
    let head_dir = tmp.path().join("head");
    write_side(&head_dir, &head);
    let base_dir = (!base.is_empty()).then(|| {
        let d = tmp.path().join("base");
        write_side(&d, &base);
        d
    });
    let opts = Options {
        root: Some(head_dir.clone()),
        base: base_dir.map(|d| d.display().to_string()),
        cwd: Some(tmp.path().to_path_buf()),
        ..Default::default()
    };
    let outcome = check(&opts).unwrap_or_else(|e| panic!("check failed: {}", e.0));
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let l = &d.location;
            let path = l.path.strip_prefix("head/").unwrap_or(&l.path);
            Found {
                code: d.code.to_string(),
                in_base: l.in_base,
                path: path.to_string(),
                line: l.line,
            }
        })
        .collect()
}

/// The lines a document's example blocks declare with the fence attribute `line=N` (or
/// `line=N,M` for several findings): where the rule must report its finding in that
/// block's file. In the order of [`lints::examples`], one entry per `bad`/`good` block.
fn declared_lines(doc: &str) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in doc.lines() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        if in_block {
            in_block = false;
            continue;
        }
        in_block = true;
        let words: Vec<&str> = info.split_whitespace().collect();
        if words.len() < 2 || !words.iter().any(|w| *w == "bad" || *w == "good") {
            continue;
        }
        let lines = words
            .iter()
            .find_map(|w| w.strip_prefix("line="))
            .map(|v| {
                v.split(',')
                    .map(|n| {
                        n.parse()
                            .unwrap_or_else(|_| panic!("`line={v}`: not a line number"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(lines);
    }
    out
}

/// `(in_base, path, line)`, sorted: where findings are, or are declared to be.
type Places = Vec<(bool, String, usize)>;

/// Where the bad example declares its rule's findings: the `line=` of each bad block.
fn declared_places(examples: &[Example], lines: &[Vec<usize>]) -> Places {
    let mut places: Places = examples
        .iter()
        .zip(lines)
        .filter(|(e, _)| e.kind == "bad")
        .flat_map(|(e, ls)| {
            let path = e
                .file
                .clone()
                .unwrap_or_else(|| default_path(&e.lang).to_string());
            ls.iter().map(move |l| (e.base, path.clone(), *l))
        })
        .collect();
    places.sort();
    places
}

#[test]
fn document_examples_fire_and_safe_alternatives_do_not() {
    let mut failures = Vec::new();
    for r in rules::ALL {
        let m = r.meta();
        let doc = lints::doc(m.code).unwrap();
        let ex = lints::examples(doc);
        let lines = declared_lines(doc);
        assert_eq!(lines.len(), ex.len(), "{}: fences read differently", m.code);
        let bad = run(&ex, "bad");
        let mut fired: Places = bad
            .iter()
            .filter(|f| f.code == m.code)
            .map(|f| (f.in_base, f.path.clone(), f.line))
            .collect();
        fired.sort();
        fired.dedup();
        let declared = declared_places(&ex, &lines);
        if fired.is_empty() {
            let got: Vec<&str> = bad.iter().map(|f| f.code.as_str()).collect();
            failures.push(format!(
                "{}: bad example does not fire (got {got:?})",
                m.code
            ));
        } else if declared.is_empty() {
            failures.push(format!(
                "{}: the bad example states no `line=` (it fires at {fired:?})",
                m.code
            ));
        } else if fired != declared {
            failures.push(format!(
                "{}: the bad example fires at {fired:?}, its `line=` says {declared:?}",
                m.code
            ));
        }
        if ex
            .iter()
            .zip(&lines)
            .any(|(e, l)| e.kind == "good" && !l.is_empty())
        {
            failures.push(format!("{}: `line=` on a good example", m.code));
        }
        let good = run(&ex, "good");
        if good.iter().any(|f| f.code == m.code) {
            let got: Vec<&str> = good.iter().map(|f| f.code.as_str()).collect();
            failures.push(format!("{}: good example fires (got {got:?})", m.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One rule, one file: every file under `src/rules/<domain>/` except `mod.rs` is a rule
/// (shared helpers live beside the model, in `src/k8s/` and `src/model/`).
#[test]
fn every_rule_file_is_one_registered_rule() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files = 0;
    for domain in std::fs::read_dir(&root).unwrap() {
        let domain = domain.unwrap().path();
        if !domain.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&domain).unwrap() {
            let name = f.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && name != "mod.rs" {
                files += 1;
            }
        }
    }
    assert_eq!(
        files,
        rules::ALL.len(),
        "rule files and registered rules differ"
    );
    assert_eq!(lints::DOCS.len(), rules::ALL.len());
}
