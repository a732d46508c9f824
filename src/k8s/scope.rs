//! Which kinds have no namespace. A cluster-scoped object's `metadata.namespace` is
//! ignored by the API server, so it says nothing about where the namespaced objects
//! beside it go (crowd.dev's `letsencrypt.yaml` writes `namespace: cert-manager` on a
//! ClusterIssuer).

use std::collections::HashSet;

use crate::model::manifest::ManifestFile;

/// Built-in kinds without a namespace (`kubectl api-resources --namespaced=false`).
const BUILT_IN: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "APIService",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ClusterTrustBundle",
    "DeviceClass",
    "IPAddress",
    "ServiceCIDR",
];

/// Cluster-scoped kinds of widely installed CRDs, by API group (a kind name alone is not
/// enough: logging-operator's `ClusterFlow` lives in a namespace).
const WELL_KNOWN: &[(&str, &str)] = &[
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"),
    ("kyverno.io", "ClusterPolicy"),
    ("kyverno.io", "ClusterCleanupPolicy"),
    ("tekton.dev", "ClusterTask"),
    ("triggers.tekton.dev", "ClusterTriggerBinding"),
    ("triggers.tekton.dev", "ClusterInterceptor"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
    ("argoproj.io", "ClusterAnalysisTemplate"),
    ("serving.kserve.io", "ClusterServingRuntime"),
    ("serving.kserve.io", "ClusterStorageContainer"),
    ("kueue.x-k8s.io", "ClusterQueue"),
    ("kueue.x-k8s.io", "ResourceFlavor"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
    ("policy.sigstore.dev", "ClusterImagePolicy"),
    ("karpenter.sh", "NodePool"),
    ("karpenter.sh", "NodeClaim"),
    ("cilium.io", "CiliumClusterwideNetworkPolicy"),
    ("crd.projectcalico.org", "GlobalNetworkPolicy"),
    ("crd.projectcalico.org", "IPPool"),
];

/// The (group, kind) of every CustomResourceDefinition of the release that declares
/// `spec.scope: Cluster`.
pub fn project_cluster_kinds(manifests: &[ManifestFile]) -> HashSet<(String, String)> {
    manifests
        .iter()
        .flat_map(|m| &m.objects)
        .filter(|o| o.kind.value == "CustomResourceDefinition")
        .filter_map(|o| {
            let spec = o.node.get("spec")?;
            (spec.get("scope")?.as_str()? == "Cluster").then_some(())?;
            let group = spec.get("group")?.as_str()?;
            let kind = spec.get("names")?.get("kind")?.as_str()?;
            Some((group.to_string(), kind.to_string()))
        })
        .collect()
}

/// Whether objects of `kind` in API group `group` (the `apiVersion` before its `/`: `v1`
/// for the core group, `apps`, `cert-manager.io`) have no namespace, by the built-in list,
/// well-known CRDs, or the release's own CRDs.
pub fn is_cluster_scoped(group: &str, kind: &str, project: &HashSet<(String, String)>) -> bool {
    // Built-in groups: the core group (`v1`), dot-less ones (`apps`, `batch`) and
    // `*.k8s.io`.
    let built_in_group = group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io");
    (built_in_group && BUILT_IN.contains(&kind))
        || WELL_KNOWN.contains(&(group, kind))
        || project.contains(&(group.to_string(), kind.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart_by_group() {
        let none = HashSet::new();
        assert!(is_cluster_scoped("v1", "Namespace", &none));
        assert!(is_cluster_scoped(
            "rbac.authorization.k8s.io",
            "ClusterRole",
            &none
        ));
        assert!(is_cluster_scoped("cert-manager.io", "ClusterIssuer", &none));
        assert!(!is_cluster_scoped(
            "logging.banzaicloud.io",
            "ClusterFlow",
            &none
        ));
        assert!(!is_cluster_scoped("apps", "Deployment", &none));
        let own = HashSet::from([("example.com".to_string(), "Tenant".to_string())]);
        assert!(is_cluster_scoped("example.com", "Tenant", &own));
    }
}
