//! kustomize's built-in name-reference table: in which (kind, field) a reference to a
//! ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim is rewritten when kustomize renames the object
//! (name prefix/suffix, generator hash). Everywhere else the reference keeps the name as
//! written. Encoded per kind *and* field, as kustomize does: a Knative Service's env
//! `secretKeyRef` is rewritten but its ConfigMap references are not; a
//! ReplicationController's ServiceAccount is rewritten but its ConfigMaps and Secrets are not.
//!
//! Source: kubernetes-sigs/kustomize `api/internal/konfig/builtinpluginconsts/namereference.go`
//! (`nameReferenceFieldSpecs`). A field spec without a group matches that kind in any group.

/// Kinds whose pod template kustomize reads for ConfigMap and Secret references.
fn pod_kind(version: &str, kind: &str) -> bool {
    match kind {
        // The Pod entries carry `version: v1`; the others match any group and version.
        "Pod" => version == "v1",
        "PodTemplate" | "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job"
        | "CronJob" => true,
        _ => false,
    }
}

/// Fields below a pod spec that kustomize rewrites for a ConfigMap.
const CONFIG_MAP_FIELDS: &[&str] = &[
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
];

/// Fields below a pod spec that kustomize rewrites for a Secret.
const SECRET_FIELDS: &[&str] = &[
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
];

/// Whether kustomize rewrites a reference to an object of `target` kind found at `field`
/// (below the pod spec for pod-template references, from the object's root otherwise)
/// of an object of `api_version`/`kind`.
pub fn rewrites(api_version: &str, kind: &str, target: &str, field: &str) -> bool {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    match target {
        "ConfigMap" => pod_kind(version, kind) && CONFIG_MAP_FIELDS.contains(&field),
        "Secret" => {
            (pod_kind(version, kind) && SECRET_FIELDS.contains(&field))
                || (kind == "Ingress" && field == "spec/tls/secretName")
                || (group == "serving.knative.dev"
                    && version == "v1"
                    && kind == "Service"
                    && field == "containers/env/valueFrom/secretKeyRef/name")
        }
        // Not ReplicaSet nor PodTemplate, and never the deprecated `serviceAccount` field.
        "ServiceAccount" => NAMED_POD_SPEC_KINDS.contains(&kind) && field == "serviceAccountName",
        // The same kinds as ServiceAccount, at the volume's `claimName`.
        "PersistentVolumeClaim" => {
            NAMED_POD_SPEC_KINDS.contains(&kind)
                && field == "volumes/persistentVolumeClaim/claimName"
        }
        _ => false,
    }
}

/// The kinds kustomize's name-reference table lists for a pod spec's ServiceAccount and
/// PersistentVolumeClaim references (not ReplicaSet nor PodTemplate).
const NAMED_POD_SPEC_KINDS: &[&str] = &[
    "Pod",
    "StatefulSet",
    "Deployment",
    "ReplicationController",
    "CronJob",
    "Job",
    "DaemonSet",
];

#[cfg(test)]
mod tests {
    use super::rewrites;

    #[test]
    fn knative_service_env_secret_is_rewritten_but_not_its_config_maps() {
        let env = "containers/env/valueFrom/secretKeyRef/name";
        assert!(rewrites("serving.knative.dev/v1", "Service", "Secret", env));
        assert!(!rewrites(
            "serving.knative.dev/v1",
            "Service",
            "ConfigMap",
            "containers/env/valueFrom/configMapKeyRef/name"
        ));
        assert!(!rewrites(
            "serving.knative.dev/v1",
            "Service",
            "Secret",
            "volumes/secret/secretName"
        ));
        assert!(!rewrites("v1", "Service", "Secret", env));
    }

    #[test]
    fn replication_controller_rewrites_only_its_service_account() {
        assert!(!rewrites(
            "v1",
            "ReplicationController",
            "ConfigMap",
            "volumes/configMap/name"
        ));
        assert!(!rewrites(
            "v1",
            "ReplicationController",
            "Secret",
            "containers/envFrom/secretRef/name"
        ));
        assert!(rewrites(
            "v1",
            "ReplicationController",
            "ServiceAccount",
            "serviceAccountName"
        ));
    }

    #[test]
    fn workloads_rewrite_pod_fields_but_not_ephemeral_containers() {
        for kind in ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] {
            assert!(rewrites("apps/v1", kind, "Secret", "imagePullSecrets/name"));
            assert!(rewrites(
                "apps/v1",
                kind,
                "ConfigMap",
                "initContainers/envFrom/configMapRef/name"
            ));
            assert!(!rewrites(
                "apps/v1",
                kind,
                "ConfigMap",
                "ephemeralContainers/envFrom/configMapRef/name"
            ));
        }
        assert!(rewrites("v1", "Pod", "Secret", "volumes/secret/secretName"));
        assert!(!rewrites(
            "argoproj.io/v1alpha1",
            "Rollout",
            "Secret",
            "volumes/secret/secretName"
        ));
    }

    #[test]
    fn service_account_follows_its_own_list() {
        assert!(!rewrites(
            "apps/v1",
            "ReplicaSet",
            "ServiceAccount",
            "serviceAccountName"
        ));
        assert!(rewrites(
            "apps/v1",
            "Deployment",
            "ServiceAccount",
            "serviceAccountName"
        ));
        assert!(!rewrites(
            "apps/v1",
            "Deployment",
            "ServiceAccount",
            "serviceAccount"
        ));
    }

    #[test]
    fn ingress_tls_is_rewritten_gateway_certificates_are_not() {
        assert!(rewrites(
            "networking.k8s.io/v1",
            "Ingress",
            "Secret",
            "spec/tls/secretName"
        ));
        assert!(!rewrites(
            "gateway.networking.k8s.io/v1",
            "Gateway",
            "Secret",
            "spec/listeners/tls/certificateRefs/name"
        ));
    }
}
