//! The kustomization reader and kustomize build, through the whole check: the input is
//! `k/overlays/prod/kustomization.yaml` and the bases, components, patches and resources
//! it names (`#>> k/base/kustomization.yaml` lines start each one). Every finding points
//! inside its file; the human and JSON reports render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe_fuzz::{assert_outcome, check_tree, files, render_all};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tree: Vec<(String, Vec<u8>)> = files(text, "k/overlays/prod/kustomization.yaml")
        .into_iter()
        .map(|(p, t)| (p, t.into_bytes()))
        .collect();
    if let Some((_tmp, o)) = check_tree(&tree) {
        assert_outcome(&o);
        render_all(&o);
    }
});
