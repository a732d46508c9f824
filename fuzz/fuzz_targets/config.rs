//! `rollsafe.toml`: an error points inside the text (line and column from 1); a
//! configuration that parses is then used to check a small project, which either
//! refuses it with a usage error or checks it with every finding inside its file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rollsafe::config;
use rollsafe_fuzz::{assert_outcome, check_tree};

const PROJECT: &[(&str, &str)] = &[
    (
        "db/migrations/000001_init.up.sql",
        "CREATE TABLE users (id int);\nALTER TABLE users DROP COLUMN fax;\n",
    ),
    (
        "deploy/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:latest\n",
    ),
    (".env", "A=1\nA=2\n"),
    (
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    environment: [\"X=${UNSET}\"]\n",
    ),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match config::parse(Path::new("rollsafe.toml"), text) {
        Err(e) => {
            let lines = text.split('\n').count();
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
            let line = text.split('\n').nth(e.line - 1).unwrap_or("");
            assert!(
                e.column >= 1 && e.column <= line.chars().count() + 1,
                "column {} of {:?}",
                e.column,
                line
            );
            assert!(!e.message.is_empty());
        }
        Ok(_) => {
            let mut tree: Vec<(String, Vec<u8>)> = PROJECT
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                .collect();
            tree.push(("rollsafe.toml".into(), data.to_vec()));
            if let Some((_tmp, o)) = check_tree(&tree) {
                assert_outcome(&o);
            }
        }
    }
});
