//! Conformance with oasdiff: every (base, revision, check id) that oasdiff's own tests
//! assert (../shared/corpus/openapi/oasdiff/EXPECTED.tsv) is run through rollsafe's
//! comparison. A row agrees when rollsafe reports that id at that level. The table of
//! agreement per id is printed; recall per level is asserted.

mod common;

use std::collections::{BTreeMap, HashMap};

use rollsafe::api::{self, Change};
use rollsafe::config::Config;
use rollsafe::project::{self, Project};

fn policy(conditions: &str) -> (i64, i64) {
    let Some(i) = conditions.find("min sunset days") else {
        return (0, 0);
    };
    let rest = &conditions[i..];
    let num = |key: &str| -> i64 {
        rest.split(key)
            .nth(1)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect::<String>()
            })
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    (num("beta="), num("stable="))
}

#[test]
fn oasdiff_expected_changes() {
    let Some(dir) = common::shared("corpus/openapi/oasdiff") else {
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let config = Config::default();
    let mut loaded: HashMap<String, Project> = HashMap::new();
    let mut load = |rel: &str| -> String {
        let path = dir.join(rel).to_string_lossy().into_owned();
        loaded.entry(path.clone()).or_insert_with(|| {
            project::load_api_files(std::slice::from_ref(&path), &config).unwrap()
        });
        path
    };
    // id → (level, agreed rows, rows)
    let mut per_id: BTreeMap<String, (String, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let rows: Vec<Vec<String>> = tsv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    let mut keys = Vec::new();
    for r in &rows {
        keys.push((load(&r[0]), load(&r[1])));
    }
    for (r, (bp, hp)) in rows.iter().zip(keys) {
        let (id, level, conditions) = (&r[2], &r[3], r.get(5).map(String::as_str).unwrap_or(""));
        let (days_beta, days_stable) = policy(conditions);
        let opts = api::Options {
            days_beta,
            days_stable,
            ..api::Options::default()
        };
        let moved = BTreeMap::from([(hp.clone(), bp.clone())]);
        let changes: Vec<Change> = api::changes(&loaded[&bp], &loaded[&hp], &moved, &opts);
        let ok = changes
            .iter()
            .any(|c| &c.id == id && c.level.as_str() == level);
        let e = per_id.entry(id.clone()).or_insert((level.clone(), 0, 0));
        e.2 += 1;
        if ok {
            e.1 += 1;
        } else {
            let got: Vec<String> = changes
                .iter()
                .map(|c| format!("{}({})", c.id, c.level.as_str()))
                .collect();
            misses.push(format!(
                "{id} [{level}] {} -> {}: got {}",
                r[0],
                r[1],
                got.join(", ")
            ));
        }
    }
    let mut by_level: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    println!("{:<62} {:<6} agreed", "oasdiff check id", "level");
    for (id, (level, ok, n)) in &per_id {
        println!("{id:<62} {level:<6} {ok}/{n}");
        let e = by_level.entry(level.clone()).or_default();
        e.1 += 1;
        if ok == n {
            e.0 += 1;
        }
    }
    for m in &misses {
        println!("MISS {m}");
    }
    for (level, (ok, n)) in &by_level {
        println!(
            "recall on {level} ids: {ok}/{n} = {:.1}%",
            100.0 * *ok as f64 / *n as f64
        );
    }
    let recall = |l: &str| {
        by_level
            .get(l)
            .map(|(ok, n)| *ok as f64 / *n as f64)
            .unwrap_or(1.0)
    };
    assert!(recall("error") >= 0.90, "error-id recall below 90%");
    assert!(recall("warn") >= 0.80, "warn-id recall below 80%");
    assert!(recall("info") >= 0.80, "info-id recall below 80%");
}

/// Precision floor: a description compared with itself has no changes at all, and
/// every file of the API corpus loads without an internal error.
#[test]
fn a_description_equals_itself() {
    let Some(dir) = common::shared("corpus/openapi") else {
        return;
    };
    let config = Config::default();
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                files.push(p.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    let mut compared = 0;
    for f in &files {
        let p = project::load_api_files(std::slice::from_ref(f), &config).unwrap();
        if p.openapi.is_empty() {
            continue;
        }
        let moved = BTreeMap::from([(f.clone(), f.clone())]);
        let changes = api::changes(&p, &p, &moved, &api::Options::default());
        assert!(
            changes.is_empty(),
            "{f} differs from itself: {:?}",
            changes.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        compared += 1;
    }
    println!("{compared} descriptions compared with themselves");
    assert!(compared > 250, "only {compared} descriptions were read");
}
