//! docker compose files as compose-go reads them: services, the ports their containers
//! listen on, healthchecks and `depends_on` conditions. Files of one folder are read
//! together, as `docker compose -f a.yml -f b.yml` (and the implicit override) merge them.

use crate::source::SourceFile;
use crate::yaml::{Key, Kind, Node};
use std::sync::Arc;

/// A compose file: its one document.
#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

pub fn is_dockerfile_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "dockerfile" || n.starts_with("dockerfile.") || n.ends_with(".dockerfile")
}

/// Whether `docker compose` reads this file without being told to: the default files
/// (`compose.yaml`, `compose.yml`, `docker-compose.yaml`, `docker-compose.yml`) and their
/// `.override` companions (compose-go `cli.DefaultFileNames`, `DefaultOverrideFileNames`).
/// Any other compose file is read only with `-f` or `COMPOSE_FILE`.
pub fn read_by_default(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "compose.yaml"
            | "compose.yml"
            | "docker-compose.yaml"
            | "docker-compose.yml"
            | "compose.override.yaml"
            | "compose.override.yml"
            | "docker-compose.override.yaml"
            | "docker-compose.override.yml"
    )
}

/// `services:` entries: (name key, service node).
pub fn services(doc: &Node) -> &[(Key, Node)] {
    doc.get("services").map(Node::entries).unwrap_or(&[])
}

/// What a service says about its healthcheck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Defined,
    /// `disable: true` or `test: ["NONE"]`.
    Disabled,
    Absent,
}

pub fn health(svc: &Node) -> Health {
    let Some(h) = svc.get("healthcheck") else {
        return Health::Absent;
    };
    if h.get("disable").is_some_and(|d| d.kind == Kind::Bool(true)) {
        return Health::Disabled;
    }
    let test = h.get("test");
    let none = match test.map(|t| &t.kind) {
        Some(Kind::Seq(items)) => items.first().and_then(Node::as_str) == Some("NONE"),
        Some(Kind::Str(s)) => s.trim() == "NONE",
        _ => false,
    };
    if none {
        Health::Disabled
    } else if test.is_some() {
        Health::Defined
    } else {
        // Only interval/retries: the image's own HEALTHCHECK test is used.
        Health::Absent
    }
}

/// The healthcheck test as one command line.
pub fn health_command(svc: &Node) -> Option<(String, &Node)> {
    let t = svc.get("healthcheck")?.get("test")?;
    let text = match &t.kind {
        Kind::Str(s) => s.clone(),
        Kind::Seq(items) => items
            .iter()
            .skip(1)
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => return None,
    };
    Some((text, t))
}

/// `depends_on` entries: (service name, condition) — the list form has no condition.
pub fn depends_on(svc: &Node) -> Vec<(&str, Option<&Node>, crate::yaml::Pos)> {
    let Some(d) = svc.get("depends_on") else {
        return Vec::new();
    };
    match &d.kind {
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| (s, None, i.pos)))
            .collect(),
        Kind::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.text.as_str(), v.get("condition"), k.pos))
            .collect(),
        _ => Vec::new(),
    }
}

/// Ports the service's container listens on, as far as the file says: the container
/// side of `ports` (short and long syntax, ranges) and `expose`.
pub fn container_ports(svc: &Node) -> Vec<u32> {
    let mut out = Vec::new();
    for p in svc.get("ports").map(Node::items).unwrap_or(&[]) {
        match &p.kind {
            Kind::Int(n) => out.push(*n as u32),
            Kind::Str(s) => {
                // [ip:][host:]container[/proto]
                let spec = s.split('/').next().unwrap_or(s);
                let container = spec.rsplit(':').next().unwrap_or(spec);
                push_range(container, &mut out);
            }
            Kind::Map(_) => match p.get("target").map(|t| &t.kind) {
                Some(Kind::Int(n)) => out.push(*n as u32),
                Some(Kind::Str(s)) => push_range(s, &mut out),
                _ => {}
            },
            _ => {}
        }
    }
    for e in svc.get("expose").map(Node::items).unwrap_or(&[]) {
        match &e.kind {
            Kind::Int(n) => out.push(*n as u32),
            Kind::Str(s) => push_range(s.split('/').next().unwrap_or(s), &mut out),
            _ => {}
        }
    }
    out
}

/// (host port, container port) of each published single port: `[ip:]host:container`
/// and the long syntax's `published`/`target` (ranges left out).
pub fn published_ports(svc: &Node) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let num = |n: &Node| match &n.kind {
        Kind::Int(i) => u32::try_from(*i).ok(),
        Kind::Str(s) => s.trim().parse().ok(),
        _ => None,
    };
    for p in svc.get("ports").map(Node::items).unwrap_or(&[]) {
        match &p.kind {
            Kind::Str(s) => {
                let spec = s.split('/').next().unwrap_or(s);
                let mut parts = spec.rsplit(':');
                let (Some(container), Some(host)) = (parts.next(), parts.next()) else {
                    continue;
                };
                if let (Ok(h), Ok(c)) = (host.trim().parse(), container.trim().parse()) {
                    out.push((h, c));
                }
            }
            Kind::Map(_) => {
                if let (Some(h), Some(c)) = (
                    p.get("published").and_then(num),
                    p.get("target").and_then(num),
                ) {
                    out.push((h, c));
                }
            }
            _ => {}
        }
    }
    out
}

fn push_range(spec: &str, out: &mut Vec<u32>) {
    let (a, b) = spec.split_once('-').unwrap_or((spec, spec));
    if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
        out.extend((a..=b.min(a + 1000)).take(1001));
    }
}

/// The port a healthcheck command probes on the container itself (`localhost`,
/// `127.0.0.1`, `0.0.0.0`, `[::1]`), when it names one.
pub fn probed_local_port(cmd: &str) -> Option<u32> {
    for host in ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"] {
        let mut rest = cmd;
        while let Some(i) = rest.find(host) {
            let after = &rest[i + host.len()..];
            if let Some(p) = after.strip_prefix(':') {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse() {
                    return Some(n);
                }
            }
            // `nc -z localhost 8080`
            let mut words = after.split_whitespace();
            if after.starts_with(' ')
                && let Some(w) = words.next()
                && let Ok(n) = w.parse()
            {
                return Some(n);
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Flavor, parse_stream};

    #[test]
    fn ports_of_every_syntax() {
        let d = parse_stream(
            "ports: [\"8080:80\", \"127.0.0.1:9000:9001/udp\", 3000, {target: 5432, published: 5433}, \"7000-7001:7000-7001\"]\nexpose: [\"9100\"]\n",
            Flavor::Compose,
        )
        .unwrap();
        assert_eq!(
            container_ports(&d[0]),
            vec![80, 9001, 3000, 5432, 7000, 7001, 9100]
        );
    }

    #[test]
    fn local_ports_in_commands() {
        assert_eq!(
            probed_local_port("curl -f http://localhost:8080/health"),
            Some(8080)
        );
        assert_eq!(probed_local_port("nc -z 127.0.0.1 5432"), Some(5432));
        assert_eq!(probed_local_port("pg_isready -U postgres"), None);
    }
}

/// One `$VAR` / `${VAR…}` use in a compose string.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolation {
    pub name: String,
    /// `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`: never fails for being unset.
    pub has_default: bool,
    /// `${VAR:?msg}`, `${VAR?msg}`: compose refuses to run when unset.
    pub required: bool,
    /// Byte offset of the `$` in the string.
    pub at: usize,
}

/// The interpolations of a compose string, as compose-go's template reads them: `$$` is
/// a literal `$`; defaults may nest further interpolations.
pub fn interpolations(s: &str) -> Vec<Interpolation> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'$') {
            i += 2;
            continue;
        }
        let name_at = |j: usize| {
            let mut k = j;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            k
        };
        if b.get(i + 1) == Some(&b'{') {
            let start = i + 2;
            let end = name_at(start);
            if end == start {
                i += 2;
                continue;
            }
            let op = &s[end..];
            let has_default = op.starts_with(":-")
                || op.starts_with(":+")
                || op.starts_with('-')
                || op.starts_with('+');
            let required = op.starts_with(":?") || op.starts_with('?');
            out.push(Interpolation {
                name: s[start..end].to_string(),
                has_default,
                required,
                at: i,
            });
            // Continue inside the braces: a default may interpolate too.
            i = end;
        } else {
            let end = name_at(i + 1);
            if end > i + 1 && !b[i + 1].is_ascii_digit() {
                out.push(Interpolation {
                    name: s[i + 1..end].to_string(),
                    has_default: false,
                    required: false,
                    at: i,
                });
            }
            i = end.max(i + 1);
        }
    }
    out
}

/// `env_file` entries of a service: (path as written, required, node).
pub fn env_files(svc: &Node) -> Vec<(&str, bool, &Node)> {
    let Some(e) = svc.get("env_file") else {
        return Vec::new();
    };
    fn one(n: &Node) -> Option<(&str, bool)> {
        match &n.kind {
            Kind::Str(s) => Some((s.as_str(), true)),
            Kind::Map(_) => Some((
                n.get("path")?.as_str()?,
                n.get("required")
                    .is_none_or(|r| r.kind != Kind::Bool(false)),
            )),
            _ => None,
        }
    }
    match &e.kind {
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| one(i).map(|(p, r)| (p, r, i)))
            .collect(),
        _ => one(e).map(|(p, r)| vec![(p, r, e)]).unwrap_or_default(),
    }
}

#[cfg(test)]
mod interpolation_tests {
    use super::*;

    #[test]
    fn compose_go_forms() {
        let got = interpolations("a ${TAG:?set it} $$LIT ${R:-redis://${HOST}:6379} $PLAIN ${B-x}");
        let names: Vec<(&str, bool, bool)> = got
            .iter()
            .map(|i| (i.name.as_str(), i.has_default, i.required))
            .collect();
        assert_eq!(
            names,
            [
                ("TAG", false, true),
                ("R", true, false),
                ("HOST", false, false),
                ("PLAIN", false, false),
                ("B", true, false)
            ]
        );
    }
}

/// The folders of the repository that a service mounts as its database image's
/// `/docker-entrypoint-initdb.d` (`./migrations/postgres:/docker-entrypoint-initdb.d/`):
/// the official PostgreSQL, MySQL and MariaDB images run the scripts there once, when
/// the data directory is empty, and never on a database that already has data.
pub fn init_script_dirs(file: &ComposeFile) -> Vec<String> {
    let mut out = Vec::new();
    for (_, svc) in services(&file.doc) {
        for v in svc.get("volumes").map(Node::items).unwrap_or(&[]) {
            let (source, target) = match &v.kind {
                Kind::Str(s) => {
                    let mut parts = s.splitn(3, ':');
                    (parts.next().unwrap_or(""), parts.next().unwrap_or(""))
                }
                _ => (
                    v.get("source").and_then(Node::as_str).unwrap_or(""),
                    v.get("target").and_then(Node::as_str).unwrap_or(""),
                ),
            };
            let into_init = target.trim_end_matches('/') == "/docker-entrypoint-initdb.d";
            // Relative to the compose file; a named volume or an absolute host path is
            // not a folder of the repository.
            let local = source.starts_with("./") || source.starts_with("../");
            if into_init && local {
                let dir = crate::api::doc::join(&file.source.path, source);
                out.push(dir.trim_end_matches('/').to_string());
            }
        }
    }
    out
}
