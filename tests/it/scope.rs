//! A run whose PATHS are all migrations reads only migrations and their tools' settings
//! (src/discover.rs `is_migration_input`); a run whose PATHS are all YAML or JSON files
//! reads no migration. Each must report exactly what the whole run reports for those
//! files: checked on every migration and every YAML/JSON file of every fixture.

use crate::common;

use rollsafe::check::{Options, check};

fn findings(o: &rollsafe::check::Outcome, path: &str) -> Vec<String> {
    o.diagnostics
        .iter()
        .filter(|d| d.location.path == path)
        .map(|d| {
            let l = &d.location;
            format!(
                "{}:{}:{} {} {}",
                l.path, l.line, l.column, d.code, d.message
            )
        })
        .collect()
}

#[test]
fn one_migration_reports_what_the_whole_run_reports_for_it() {
    let compared = one_file_runs(rollsafe::project::discover::is_migration_input);
    assert!(compared > 50, "only {compared} migrations compared");
}

#[test]
fn one_yaml_file_reports_what_the_whole_run_reports_for_it() {
    let compared = one_file_runs(|p| [".yaml", ".yml", ".json"].iter().any(|e| p.ends_with(e)));
    assert!(compared > 50, "only {compared} YAML/JSON files compared");
}

/// Checks every file of every fixture that `pick` selects alone, against the whole run;
/// returns how many were compared.
fn one_file_runs(pick: impl Fn(&str) -> bool) -> usize {
    let mut compared = 0;
    let mut fixtures = Vec::new();
    for e in std::fs::read_dir(common::repo().join("fixtures")).unwrap() {
        let e = e.unwrap().path();
        if e.join("head").is_dir() {
            fixtures.push(e);
        } else {
            for c in std::fs::read_dir(&e).unwrap() {
                fixtures.push(c.unwrap().path());
            }
        }
    }
    fixtures.sort();
    for fixture in fixtures {
        let head = fixture.join("head");
        if !head.is_dir() {
            continue;
        }
        let base = fixture.join("base");
        let opts = Options {
            root: Some(head.clone()),
            base: base.is_dir().then(|| base.to_string_lossy().into_owned()),
            cwd: Some(head.clone()),
            ..Default::default()
        };
        let whole = check(&opts).unwrap();
        let sql: Vec<String> = walk(&head).into_iter().filter(|p| pick(p)).collect();
        for path in sql {
            let one = check(&Options {
                paths: vec![path.clone().into()],
                ..opts.clone()
            })
            .unwrap();
            assert_eq!(
                findings(&one, &path),
                findings(&whole, &path),
                "{}: {path}",
                fixture.display()
            );
            compared += 1;
        }
    }
    compared
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}
