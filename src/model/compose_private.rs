//! Credentials that open only a private data store of a compose project: a database,
//! cache or broker that the same compose files start and that publishes no port on the
//! host (no `ports`, no `network_mode: host`). Quick-start stacks ship such passwords on
//! purpose (netbox-docker's `env/postgres.env`); they log in to a container on the
//! project's own network, not to anything an outsider can reach. S401 reports them at
//! info instead of as a leaked secret.

use std::collections::BTreeMap;

use crate::credentials::{secret_name, url_parts};
use crate::model::compose::{self, ComposeFile};
use crate::model::compose_vars::{by_folder, resolve_path};
use crate::model::env::EnvFileParsed;
use crate::yaml::{Kind, Node};

/// Images (the name without registry, owner and tag) of the data stores whose password
/// a stack sets for itself.
const STORE_IMAGES: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "timescaledb",
    "pgbouncer",
    "mysql",
    "mariadb",
    "percona-server",
    "redis",
    "redis-stack",
    "valkey",
    "keydb",
    "mongo",
    "mongodb",
    "rabbitmq",
    "memcached",
    "elasticsearch",
    "opensearch",
    "minio",
    "clickhouse-server",
    "cassandra",
    "couchdb",
    "influxdb",
    "neo4j",
    "nats",
];

/// Whether `image` (`docker.io/library/postgres:16-alpine`) runs a known data store.
pub fn is_store_image(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let name = name.rsplit('/').next().unwrap_or(name);
    let name = name.split(':').next().unwrap_or(name);
    STORE_IMAGES.contains(&name.to_ascii_lowercase().as_str())
}

#[derive(Default)]
struct Service {
    store: bool,
    published: bool,
    /// Literal values of the secret-named variables of its environment and of the env
    /// files it reads (`POSTGRES_PASSWORD`, not `POSTGRES_USER`).
    values: Vec<String>,
}

/// The private stores of every compose project (a folder's compose files, merged).
#[derive(Default)]
pub struct PrivateStores {
    /// folder → service name → what the files say about it.
    folders: BTreeMap<String, BTreeMap<String, Service>>,
    /// env file path → folders whose services read it.
    readers: BTreeMap<String, Vec<String>>,
}

fn literal(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

fn unquote(v: &str) -> &str {
    v.trim().trim_matches(['"', '\''])
}

impl PrivateStores {
    pub fn new(compose_files: &[ComposeFile], env_files: &[EnvFileParsed]) -> Self {
        let env_values = |path: &str| -> Vec<String> {
            env_files
                .iter()
                .filter(|e| e.source.path == path)
                .flat_map(|e| {
                    e.env.vars.iter().filter(|v| secret_name(&v.key)).map(|v| {
                        let raw = e
                            .source
                            .text
                            .get(v.value_range.0..v.value_range.1)
                            .unwrap_or("");
                        unquote(raw).to_string()
                    })
                })
                .collect()
        };
        let mut out = PrivateStores::default();
        for (folder, files) in by_folder(compose_files) {
            let services = out.folders.entry(folder.to_string()).or_default();
            for f in files {
                for (key, svc) in compose::services(&f.doc) {
                    let s = services.entry(key.text.clone()).or_default();
                    s.store |= svc
                        .get("image")
                        .and_then(Node::as_str)
                        .is_some_and(is_store_image);
                    s.published |= svc.get("ports").is_some_and(|p| !p.items().is_empty())
                        || svc.get("network_mode").and_then(Node::as_str) == Some("host");
                    if let Some(env) = svc.get("environment") {
                        s.values.extend(
                            env.entries()
                                .iter()
                                .filter(|(k, _)| secret_name(&k.text))
                                .filter_map(|(_, v)| literal(v)),
                        );
                        s.values.extend(env.items().iter().filter_map(|i| {
                            let (k, v) = i.as_str()?.split_once('=')?;
                            secret_name(k.trim()).then(|| v.to_string())
                        }));
                    }
                    for (p, _, _) in compose::env_files(svc) {
                        if let Some(path) = resolve_path(folder, p) {
                            s.values.extend(env_values(&path));
                            let readers = out.readers.entry(path).or_default();
                            if !readers.iter().any(|r| r == folder) {
                                readers.push(folder.to_string());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The private store of the compose project in `folder` that `value` opens: the
    /// store's own password (set on it directly or through its env file), or a URL that
    /// logs in to it by its service name.
    pub fn opened_by(&self, folder: &str, value: &str) -> Option<&str> {
        let services = self.folders.get(folder)?;
        let private = |name: &str| services.get(name).is_some_and(|s| s.store && !s.published);
        if let Some(url) = url_parts(value) {
            return services
                .get_key_value(url.host)
                .filter(|(name, _)| private(name))
                .map(|(name, _)| name.as_str());
        }
        let v = unquote(value);
        services
            .iter()
            .find(|(name, s)| private(name) && s.values.iter().any(|x| unquote(x) == v))
            .map(|(name, _)| name.as_str())
    }

    /// The private store that a value of env file `path` opens, through any compose
    /// project whose services read that file.
    pub fn opened_through_env_file(&self, path: &str, value: &str) -> Option<&str> {
        self.readers
            .get(path)?
            .iter()
            .find_map(|folder| self.opened_by(folder, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_images_by_name() {
        assert!(is_store_image("docker.io/postgres:16-alpine"));
        assert!(is_store_image("bitnami/postgresql:15"));
        assert!(is_store_image("valkey/valkey:8.0-alpine"));
        assert!(is_store_image("mysql@sha256:abc"));
        assert!(!is_store_image("netboxcommunity/netbox:v4.1"));
        assert!(!is_store_image("ghcr.io/acme/postgres-exporter:1"));
    }
}
