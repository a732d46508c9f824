//! Quick-start and demo units: manifests a project publishes so that people can try it
//! (`manifests/quick-start/`, `demo/`, `samples/`, `tutorials/`, a top-level `examples/`), not what its users run in production.
//! Their findings are information: on real release pairs every warning in such units was
//! judged not worth acting on (argo-workflows' quick-start Secrets and telemetry demo).

use std::collections::HashMap;

use super::Index;

/// Whether a unit identity (`kustomize:<dir>`, `bundle:<file>`, `dir:<folder>`) names a
/// quick-start, demo or sample folder or file, or test data.
pub fn is_example_unit(unit: &str) -> bool {
    let path = unit.split_once(':').map_or(unit, |(_, p)| p);
    // A top-level `examples/` holds demonstrations of the project's features
    // (argo-rollouts' canaries, contour's tracing add-on, minio's sample tenants); installs
    // that live in an examples folder sit deeper (rook's `deploy/examples`) or are singular
    // (kubeflow's `example`).
    crate::model::env_sets::is_test_path(path)
        || path.split('/').next() == Some("examples")
        || path.split('/').any(|segment| {
            let s = segment.to_ascii_lowercase();
            let stem = s.split('.').next().unwrap_or("");
            // Not `example`: projects such as kubeflow (`kustomize build example`) and rook
            // (`deploy/examples/operator.yaml`) install from their examples folder.
            [
                "quick-start",
                "quickstart",
                "quick_start",
                "demo",
                "sample",
                "tutorial",
            ]
            .iter()
            .any(|p| stem.starts_with(p))
                // Test material at any depth: sighup's `katalog/tests/` manifests are
                // applied by bats scripts that create what they read. Not `test`, which
                // names an environment (`overlays/test`).
                || matches!(stem, "e2e" | "testdata" | "tests")
        })
}

impl Index {
    /// Manifest files whose objects only example units deploy, with the first such unit's
    /// path (for the message). A file that any other unit also deploys is not one, unless
    /// the file itself lies in a sample or demo folder: kubebuilder's `config/manifests`
    /// lists `../samples` only to turn them into the bundle's `alm-examples`, which OLM
    /// shows and never applies.
    pub fn example_only_files(&self) -> HashMap<&str, &str> {
        let mut verdict: HashMap<&str, Option<&str>> = HashMap::new();
        for inst in &self.instances {
            let path = self.files[inst.file].path.as_str();
            let unit = self.units[inst.unit].as_str();
            let folder = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let example = if !folder.is_empty() && is_example_unit(folder) {
                Some(folder)
            } else {
                is_example_unit(unit).then(|| unit.split_once(':').map_or(unit, |x| x.1))
            };
            let entry = verdict.entry(path).or_insert(example);
            if example.is_none() {
                *entry = None;
            }
        }
        verdict
            .into_iter()
            .filter_map(|(path, unit)| unit.map(|u| (path, u)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::is_example_unit;

    #[test]
    fn example_units_are_named_by_a_folder_or_file() {
        assert!(is_example_unit("kustomize:manifests/quick-start/minimal"));
        assert!(is_example_unit(
            "bundle:manifests/quick-start-postgres.yaml"
        ));
        assert!(is_example_unit("dir:examples/guestbook"));
        assert!(!is_example_unit("bundle:deploy/examples/operator.yaml"));
        assert!(!is_example_unit("kustomize:example"));
        assert!(is_example_unit("dir:config/samples"));
        assert!(is_example_unit("dir:examples/tutorials/09-http-trigger"));
        assert!(is_example_unit("dir:test/e2e"));
        assert!(!is_example_unit("kustomize:overlays/dev"));
        assert!(!is_example_unit("kustomize:deploy/production"));
        assert!(!is_example_unit("dir:manifests/base"));
        assert!(is_example_unit("dir:tests/fixtures"));
        assert!(is_example_unit("dir:test/bats/tests/azure"));
        assert!(is_example_unit(
            "dir:katalog/tests/grafana-ldap-auth/ldap-server"
        ));
        assert!(!is_example_unit("kustomize:overlays/test"));
        assert!(!is_example_unit("dir:deploy/tests-runner"));
    }
}
