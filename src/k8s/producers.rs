//! What a repository may create without writing it as a manifest: pods an operator runs
//! for a custom resource, and Secrets/ConfigMaps a workload writes at install time. The
//! absence rules (K201, K304, S101, S103) ask here before saying something is missing.

use crate::k8s::selector::{Labels, Selector, labels};
use crate::k8s::{Index, Instance};
use crate::model::manifest::ManifestFile;
use crate::yaml::{Kind, Node};

/// Built-in API groups (kinds rollsafe reads, or that run no pods of their own).
fn is_custom(group: &str) -> bool {
    group.contains('.') && !group.ends_with(".k8s.io")
}

/// Pod labels the Prometheus operator gives the pods of its custom resources, with the
/// keys whose values rollsafe cannot know. From prometheus-operator's
/// `pkg/prometheus/server/statefulset.go` and `pkg/alertmanager/statefulset.go`
/// (`podSelectorLabels`), merged with `spec.podMetadata.labels`.
fn prometheus_operator_pods(kind: &str, name: &str) -> Option<(Labels, &'static [&'static str])> {
    let (app, own) = match kind {
        "Prometheus" => ("prometheus", "prometheus"),
        "PrometheusAgent" => ("prometheus-agent", "prometheus"),
        "Alertmanager" => ("alertmanager", "alertmanager"),
        "ThanosRuler" => ("thanos-ruler", "thanos-ruler"),
        _ => return None,
    };
    let mut l = Labels::new();
    l.insert("app.kubernetes.io/name".into(), app.into());
    l.insert(
        "app.kubernetes.io/managed-by".into(),
        "prometheus-operator".into(),
    );
    l.insert("app.kubernetes.io/instance".into(), name.into());
    l.insert(own.into(), name.into());
    l.insert("operator.prometheus.io/name".into(), name.into());
    if kind == "Alertmanager" {
        l.insert("app".into(), "alertmanager".into());
    }
    const ANY: &[&str] = &[
        "app.kubernetes.io/version",
        "operator.prometheus.io/shard",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
    ];
    Some((l, ANY))
}

/// Every (key, string value) pair anywhere under `n`.
fn pairs<'a>(n: &'a Node, out: &mut Vec<(&'a str, &'a str)>) {
    match &n.kind {
        Kind::Map(entries) => {
            for (k, v) in entries {
                if let Some(s) = v.as_str() {
                    out.push((k.text.as_str(), s));
                }
                pairs(v, out);
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| pairs(i, out)),
        _ => {}
    }
}

/// Keys under which a pod spec refers to (consumes) a Secret, ConfigMap or
/// ServiceAccount: a name found there says nothing about who creates it.
const REFERENCES: &[&str] = &[
    "secretKeyRef",
    "configMapKeyRef",
    "secretRef",
    "configMapRef",
    "secret",
    "configMap",
    "projected",
    "imagePullSecrets",
    "serviceAccountName",
    "serviceAccount",
];

/// Whether any string value under `n` is `name` or holds it as a word (`--secret-name=x`),
/// references to it (`secretKeyRef`…) aside.
fn mentions(n: &Node, name: &str) -> bool {
    match &n.kind {
        Kind::Str(s) => s.match_indices(name).any(|(i, _)| {
            let word = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-'));
            word(s[..i].chars().next_back()) && word(s[i + name.len()..].chars().next())
        }),
        Kind::Map(entries) => entries
            .iter()
            .any(|(k, v)| !REFERENCES.contains(&k.text.as_str()) && mentions(v, name)),
        Kind::Seq(items) => items.iter().any(|i| mentions(i, name)),
        _ => false,
    }
}

/// Whether an object of the repository may run pods in `namespace` carrying the
/// selector's labels without a pod template rollsafe reads: a Prometheus-operator
/// resource, or any custom resource whose spec carries every label of the selector.
pub fn may_produce(
    ix: &Index,
    manifests: &[ManifestFile],
    namespace: &str,
    selector: &Selector,
) -> bool {
    if selector.match_labels.is_empty() {
        return false;
    }
    ix.instances.iter().any(|i| {
        if i.namespace != namespace || !is_custom(&i.group) {
            return false;
        }
        let node = &ix.object(manifests, i).node;
        let spec = node.get("spec");
        if i.group == "monitoring.coreos.com"
            && let Some((mut l, any)) = prometheus_operator_pods(&i.kind, &i.name)
        {
            l.extend(labels(
                spec.and_then(|s| s.get("podMetadata"))
                    .and_then(|m| m.get("labels")),
            ));
            return selector
                .match_labels
                .iter()
                .all(|(k, v)| l.get(k) == Some(v) || any.contains(&k.as_str()));
        }
        let Some(spec) = spec else { return false };
        let mut found = Vec::new();
        pairs(spec, &mut found);
        selector
            .match_labels
            .iter()
            .all(|(k, v)| found.contains(&(k.as_str(), v.as_str())))
    })
}

/// Resource names RBAC uses for the kinds references point at.
fn resource(kind: &str) -> &'static str {
    match kind {
        "Secret" => "secrets",
        "ConfigMap" => "configmaps",
        "PersistentVolumeClaim" => "persistentvolumeclaims",
        _ => "serviceaccounts",
    }
}

/// What in `from`'s unit may create `kind` `name` in its namespace at install or run
/// time, for messages: a Job or CronJob that names it, a custom resource whose spec
/// names it (an operator's), or a Role/ClusterRole letting a workload of the unit create
/// objects of that kind; failing those, a Job of another unit in the namespace that
/// names it or may create such objects (`job_elsewhere`). `None` when nothing could.
pub fn may_create(
    ix: &Index,
    manifests: &[ManifestFile],
    from: &Instance,
    kind: &str,
    name: &str,
) -> Option<String> {
    // Every namespace gets these from the cluster: kube-controller-manager's root CA
    // publisher (Kubernetes 1.20+), OpenShift's service CA operator, and istiod's
    // namespace controller (the mesh's root certificate).
    if kind == "ConfigMap"
        && matches!(
            name,
            "kube-root-ca.crt" | "openshift-service-ca.crt" | "istio-ca-root-cert"
        )
    {
        return Some("the cluster (published into every namespace)".into());
    }
    // kube-system's ConfigMaps that the cluster's bootstrap writes: kubeadm's `kube-proxy`
    // (kube-proxy's kubeconfig and configuration, which kube-router's kubeadm bundles
    // mount), `kubeadm-config`, `kubelet-config` and the DNS add-on's `coredns`
    // (kubeadm `constants.KubeProxyConfigMap`, `KubeadmConfigConfigMap`,
    // `KubeletBaseConfigurationConfigMap`, `CoreDNSConfigMap`), and the API server's
    // `extension-apiserver-authentication`.
    if kind == "ConfigMap"
        && from.namespace == "kube-system"
        && matches!(
            name,
            "kube-proxy"
                | "kubeadm-config"
                | "kubelet-config"
                | "coredns"
                | "extension-apiserver-authentication"
        )
    {
        return Some(
            "the cluster's bootstrap (kubeadm and the API server write it into kube-system)".into(),
        );
    }
    // A kustomization of the unit that inflates Helm charts (`helmCharts:`, built with
    // `kustomize build --enable-helm`) adds the charts' objects, which rollsafe does not
    // render: any of them may be the one referred to.
    if let Some(chart) = inflated_chart(ix, from) {
        return Some(format!(
            "the Helm chart `{chart}` its kustomization inflates (`helmCharts`), which rollsafe does not render"
        ));
    }
    // A plain template of a Helm chart whose other templates rollsafe does not render:
    // the rendered ones (and the library charts they include, as bjw-s's `common`
    // generates a Service per controller from the values) may define it.
    let path = ix.files[from.file].path.as_str();
    if let Some(chart) = ix.unrendered_charts.iter().find(|c| {
        if c.is_empty() {
            path.starts_with("templates/")
        } else {
            path.strip_prefix(c.as_str())
                .is_some_and(|rest| rest.starts_with("/templates/"))
        }
    }) {
        return Some(format!(
            "the Helm chart `{}`, whose templated files rollsafe does not render",
            if chart.is_empty() { "." } else { chart }
        ));
    }
    // A Helm release installed into the namespace by a controller (Flux's HelmRelease,
    // k3s/RKE2's HelmChart) deploys a chart rollsafe does not render, and the chart's
    // operators write more (rook's CephCluster writes `rook-ceph-mon-endpoints`): any
    // of them may be the one referred to. The release's namespace is
    // `spec.targetNamespace`, else its own (Flux API: "TargetNamespace to target when
    // performing operations for the HelmRelease. Defaults to the namespace of the
    // HelmRelease").
    if let Some(release) = ix.instances.iter().find(|i| {
        matches!(
            (i.group.as_str(), i.kind.as_str()),
            ("helm.toolkit.fluxcd.io", "HelmRelease") | ("helm.cattle.io", "HelmChart")
        ) && {
            let node = &ix.object(manifests, i).node;
            let target = node
                .get("spec")
                .and_then(|s| s.get("targetNamespace"))
                .and_then(Node::as_str)
                .filter(|t| !t.is_empty())
                .unwrap_or(i.namespace.as_str());
            target == from.namespace
        }
    }) {
        return Some(format!(
            "the Helm chart of {} `{}` in this namespace, which rollsafe does not render",
            release.kind, release.name
        ));
    }
    // cert-manager's ingress-shim (and gateway-shim) issues a Certificate for each TLS
    // entry of an Ingress or Gateway annotated with an issuer, into the Secret the entry
    // names (cert-manager.io/docs/usage/ingress/).
    if kind == "Secret"
        && matches!(from.kind.as_str(), "Ingress" | "Gateway")
        && ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"]
            .iter()
            .any(|k| ix.annotation(manifests, from, k).is_some())
    {
        return Some("cert-manager (the issuer annotation of this object)".into());
    }
    // OpenShift's service CA operator writes a serving certificate into the Secret a
    // Service's annotation names.
    if kind == "Secret"
        && let Some(svc) = ix.instances.iter().find(|i| {
            i.unit == from.unit
                && i.namespace == from.namespace
                && i.kind == "Service"
                && [
                    "service.beta.openshift.io/serving-cert-secret-name",
                    "service.alpha.openshift.io/serving-cert-secret-name",
                ]
                .iter()
                .any(|k| ix.annotation(manifests, i, k) == Some(name))
        })
    {
        return Some(format!(
            "OpenShift's service CA (annotation on Service `{}`)",
            svc.name
        ));
    }
    // The Operator Lifecycle Manager writes the serving certificate of a Deployment that
    // backs a webhook or API service into `<deployment>-service-cert` (OLM's
    // `install/certresources.go`); operator repositories ship such manifests for OLM.
    if kind == "Secret"
        && from.kind == "Deployment"
        && name.strip_suffix("-service-cert") == Some(from.name.as_str())
    {
        return Some("OLM (the service certificate of this Deployment)".into());
    }
    // Secrets and Services the common database, messaging and identity operators make
    // for their resources.
    let table = match kind {
        "Secret" => OPERATOR_SECRETS,
        "Service" => OPERATOR_SERVICES,
        _ => &[],
    };
    if let Some(cr) = ix.instances.iter().find(|i| {
        i.namespace == from.namespace && operator_writes(table, &i.group, &i.kind, &i.name, name)
    }) {
        return Some(format!("the operator of {} `{}`", cr.kind, cr.name));
    }
    let res = resource(kind);
    if ix
        .patched_rules
        .iter()
        .any(|(u, r)| *u == from.unit && grants(r, res))
    {
        return Some("a Role patched to create them".into());
    }
    ix.instances
        .iter()
        .filter(|i| i.unit == from.unit)
        .find_map(|i| {
            let node = &ix.object(manifests, i).node;
            let spec = node.get("spec");
            let same_ns = i.namespace == from.namespace;
            let what = format!("{} `{}`", i.kind, i.name);
            match (i.group.as_str(), i.kind.as_str()) {
                ("batch", "Job" | "CronJob")
                    if same_ns && spec.is_some_and(|s| mentions(s, name)) =>
                {
                    Some(what)
                }
                ("rbac.authorization.k8s.io", "Role" | "ClusterRole")
                    if (same_ns || i.kind == "ClusterRole") && grants_create(node, res) =>
                {
                    Some(what)
                }
                (g, _) if is_custom(g) && same_ns && spec.is_some_and(|s| mentions(s, name)) => {
                    Some(what)
                }
                _ => None,
            }
        })
        .or_else(|| job_elsewhere(ix, manifests, from, kind, name))
}

/// A writer in another unit of the repository, in the same namespace: a Job, CronJob or
/// custom resource whose spec names `name`, or a Job or CronJob beside a Role that lets
/// it create objects of that kind. The folder is applied beside that unit: contour's
/// `examples/deployment` swaps the Envoy DaemonSet of `examples/contour`, whose
/// `contour-certgen` Job (with a Role to create Secrets) writes the `envoycert` Secret
/// both mount.
fn job_elsewhere(
    ix: &Index,
    manifests: &[ManifestFile],
    from: &Instance,
    kind: &str,
    name: &str,
) -> Option<String> {
    let res = resource(kind);
    let others = || {
        ix.instances
            .iter()
            .filter(|i| i.unit != from.unit && i.namespace == from.namespace)
    };
    let is_job = |i: &Instance| i.group == "batch" && matches!(i.kind.as_str(), "Job" | "CronJob");
    let label = |i: &Instance| {
        let unit = ix.units[i.unit].as_str();
        let unit = unit.split_once(':').map_or(unit, |(_, p)| p);
        format!("{} `{}` of `{unit}`", i.kind, i.name)
    };
    let naming = others().find(|i| {
        (is_job(i) || is_custom(&i.group))
            && ix
                .object(manifests, i)
                .node
                .get("spec")
                .is_some_and(|s| mentions(s, name))
    });
    if let Some(i) = naming {
        return Some(label(i));
    }
    others().filter(|i| is_job(i)).find_map(|job| {
        let allowed = ix.instances.iter().any(|r| {
            r.unit == job.unit
                && r.group == "rbac.authorization.k8s.io"
                && (r.kind == "ClusterRole" || (r.kind == "Role" && r.namespace == job.namespace))
                && grants_create(&ix.object(manifests, r).node, res)
        });
        allowed.then(|| label(job))
    })
}

/// Secrets operators write for a resource, by API group and kind: `{}` is the resource's
/// name, a leading or trailing `*` any text. From each operator's documentation: Crunchy
/// PGO (user Secrets `<cluster>-pguser-<user>`), CloudNativePG (`<cluster>-app`,
/// `-superuser`, `-ca`, `-server`, `-replication`), Zalando's postgres-operator
/// (`<user>.<cluster>.credentials.postgresql.acid.zalan.do`), Strimzi (cluster and clients
/// CAs; a KafkaUser's own Secret), the RabbitMQ cluster operator (`-default-user`,
/// `-erlang-cookie`), ECK (`<name>-es-…`, `<name>-kb-…`) and the Keycloak operator
/// (`-initial-admin`). Other custom resources are not assumed to write Secrets named
/// after them: many operators (Redis ones among them) read one the user creates.
const OPERATOR_SECRETS: &[(&str, &str, &[&str])] = &[
    (
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        &[
            "{}-pguser-*",
            "{}-cluster-cert",
            "{}-replication-cert",
            "{}-pgbouncer",
        ],
    ),
    (
        "postgresql.cnpg.io",
        "Cluster",
        &[
            "{}-app",
            "{}-superuser",
            "{}-ca",
            "{}-server",
            "{}-replication",
        ],
    ),
    (
        "acid.zalan.do",
        "postgresql",
        &["*.{}.credentials.postgresql.acid.zalan.do"],
    ),
    (
        "kafka.strimzi.io",
        "Kafka",
        &[
            "{}-cluster-ca-cert",
            "{}-clients-ca-cert",
            "{}-cluster-ca",
            "{}-clients-ca",
        ],
    ),
    ("kafka.strimzi.io", "KafkaUser", &["{}"]),
    (
        "rabbitmq.com",
        "RabbitmqCluster",
        &["{}-default-user", "{}-erlang-cookie"],
    ),
    (
        "elasticsearch.k8s.elastic.co",
        "Elasticsearch",
        &["{}-es-*"],
    ),
    ("kibana.k8s.elastic.co", "Kibana", &["{}-kb-*"]),
    ("k8s.keycloak.org", "Keycloak", &["{}-initial-admin"]),
];

/// Services the same operators (and a few more) make for their resources, by the name
/// the user's Ingresses and routes then use: the Keycloak operator's `<name>-service`
/// and `-discovery` (`Constants.KEYCLOAK_SERVICE_SUFFIX`), CloudNativePG's `-rw`, `-ro`
/// and `-r`, Zalando's `<cluster>` and `-repl`, Crunchy's `-primary`, `-replicas`,
/// `-pgbouncer` and `-ha`, the RabbitMQ cluster operator's `<name>` and `-nodes`,
/// Strimzi's `-kafka-bootstrap` and `-kafka-brokers`, ECK's `-es-*` and `-kb-*`, the
/// MongoDB community operator's `-svc`, Altinity's `clickhouse-<name>`, and the
/// Prometheus operator's governing `prometheus-operated` / `alertmanager-operated` /
/// `thanos-ruler-operated`.
const OPERATOR_SERVICES: &[(&str, &str, &[&str])] = &[
    (
        "k8s.keycloak.org",
        "Keycloak",
        &["{}-service", "{}-discovery"],
    ),
    ("postgresql.cnpg.io", "Cluster", &["{}-rw", "{}-ro", "{}-r"]),
    ("acid.zalan.do", "postgresql", &["{}", "{}-repl"]),
    (
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        &["{}-primary", "{}-replicas", "{}-pgbouncer", "{}-ha"],
    ),
    ("rabbitmq.com", "RabbitmqCluster", &["{}", "{}-nodes"]),
    (
        "kafka.strimzi.io",
        "Kafka",
        &["{}-kafka-bootstrap", "{}-kafka-brokers"],
    ),
    (
        "elasticsearch.k8s.elastic.co",
        "Elasticsearch",
        &["{}-es-*"],
    ),
    ("kibana.k8s.elastic.co", "Kibana", &["{}-kb-*"]),
    (
        "mongodbcommunity.mongodb.com",
        "MongoDBCommunity",
        &["{}-svc"],
    ),
    (
        "clickhouse.altinity.com",
        "ClickHouseInstallation",
        &["clickhouse-{}"],
    ),
    (
        "monitoring.coreos.com",
        "Prometheus",
        &["prometheus-operated"],
    ),
    (
        "monitoring.coreos.com",
        "Alertmanager",
        &["alertmanager-operated"],
    ),
    (
        "monitoring.coreos.com",
        "ThanosRuler",
        &["thanos-ruler-operated"],
    ),
];

/// Whether the operator of resource `group`/`kind` `owner` writes an object `name`
/// that `table` (`OPERATOR_SECRETS`, `OPERATOR_SERVICES`) lists.
fn operator_writes(
    table: &[(&str, &str, &[&str])],
    group: &str,
    kind: &str,
    owner: &str,
    name: &str,
) -> bool {
    table
        .iter()
        .filter(|(g, k, _)| *g == group && *k == kind)
        .flat_map(|(_, _, patterns)| patterns.iter())
        .any(|p| {
            let p = p.replace("{}", owner);
            match (p.strip_prefix('*'), p.strip_suffix('*')) {
                (Some(tail), _) => name.len() > tail.len() && name.ends_with(tail),
                (_, Some(head)) => name.len() > head.len() && name.starts_with(head),
                _ => name == p,
            }
        })
}

/// Whether a Role's rules allow creating `resource` in the core group.
fn grants_create(role: &Node, resource: &str) -> bool {
    role.get("rules")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .any(|r| grants(r, resource))
}

/// Whether one RBAC rule allows creating `resource` in the core group.
fn grants(r: &Node, resource: &str) -> bool {
    let strs = |n: Option<&Node>| -> Vec<String> {
        n.map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    let groups = strs(r.get("apiGroups"));
    let resources = strs(r.get("resources"));
    let verbs = strs(r.get("verbs"));
    groups.iter().any(|g| g.is_empty() || g == "*")
        && resources.iter().any(|x| x == resource || x == "*")
        && verbs.iter().any(|v| v == "create" || v == "*")
}

/// The first Helm chart a kustomization of `from`'s build inflates (`helmCharts:`): the
/// root kustomization of its unit and every kustomization it reaches.
fn inflated_chart(ix: &Index, from: &Instance) -> Option<String> {
    let root = ix.units.get(from.unit)?.strip_prefix("kustomize:")?;
    let by_dir: std::collections::HashMap<&str, &crate::k8s::kustomize::Kustomization> = ix
        .kustomizations
        .iter()
        .map(|k| (k.dir.as_str(), k))
        .collect();
    let mut todo = vec![root.to_string()];
    let mut seen = std::collections::HashSet::new();
    while let Some(dir) = todo.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Some(k) = by_dir.get(dir.as_str()) else {
            continue;
        };
        if let Some(chart) = k
            .doc
            .get("helmCharts")
            .map(crate::yaml::Node::items)
            .unwrap_or(&[])
            .iter()
            .find_map(|c| c.get("name").and_then(crate::yaml::Node::as_str))
        {
            return Some(chart.to_string());
        }
        todo.extend(k.includes());
    }
    None
}
