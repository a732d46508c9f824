//! The OpenAPI loader with `$ref` resolution, through the whole check: the input is an
//! API description (`api/openapi.yaml`, or `.json` when it starts with `{`) and the
//! fragments it references (`#>> api/schemas/pet.yaml` lines start each one). Every
//! finding points inside its file; the human and JSON reports render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe_fuzz::{assert_outcome, check_tree, files, render_all};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = if text.trim_start().starts_with('{') {
        "api/openapi.json"
    } else {
        "api/openapi.yaml"
    };
    let tree: Vec<(String, Vec<u8>)> = files(text, first)
        .into_iter()
        .map(|(p, t)| (p, t.into_bytes()))
        .collect();
    if let Some((_tmp, o)) = check_tree(&tree) {
        assert_outcome(&o);
        render_all(&o);
    }
});
