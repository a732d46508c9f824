//! A planted credential never reaches a report. The first byte picks the kind of file
//! (migration, manifest, compose, env, API description), the second the credential and
//! the line it is planted at; the rest is the file. The check runs on the project and
//! the human, compact, JSON and GitHub reports must not show the planted value, and
//! every finding points inside its file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe_fuzz::{PLANTS, assert_hidden, assert_outcome, check_tree, plant, render_all};

const KINDS: &[&str] = &[
    "db/migrations/000001_init.up.sql",
    "deploy/app.yaml",
    "compose.yaml",
    "deploy/app.env",
    "api/openapi.yaml",
    "db/migrations/20240101000000_init.sql",
    ".env",
];

fuzz_target!(|data: &[u8]| {
    let [kind, which, at, rest @ ..] = data else {
        return;
    };
    let path = KINDS[*kind as usize % KINDS.len()];
    let p = &PLANTS[*which as usize % PLANTS.len()];
    let bytes = plant(rest, p, *at as usize);
    let tree = vec![(path.to_string(), bytes)];
    if let Some((_tmp, o)) = check_tree(&tree) {
        assert_outcome(&o);
        assert_hidden(&render_all(&o), p.secret);
    }
});
