//! Secrets, ConfigMaps and ServiceAccounts a repository creates with a command instead of
//! a manifest: `kubectl create secret generic NAME …` in its shell scripts, Makefiles, Tiltfiles and
//! the shell blocks of its documentation (an install guide's "create the database
//! Secret first"). Such an object exists when the documented install is followed, so the
//! absence rules (S101, S102, S103) cannot call it missing.
//!
//! Only the command's words are read (`kubectl`, `oc` or a usual alias of kubectl, then
//! `create`, the kind, the name, `-n`/`--namespace`); a name built from a variable is not a
//! name.

/// One object a command creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// `Secret`, `ConfigMap` or `ServiceAccount`.
    pub kind: &'static str,
    pub name: String,
    /// `None` when the command names no namespace (the context's default).
    pub namespace: Option<String>,
    /// `path:line` of the command, for messages.
    pub at: String,
}

/// Commands in a file: every line of a shell script or Makefile, the lines of fenced code
/// blocks of a Markdown file.
pub fn created_in(path: &str, text: &str) -> Vec<Created> {
    // Constants the script set before (`export KSA_NAME="boa-ksa"`, bank-of-anthos'
    // setup_workload_identity.sh) name the object as if written out.
    let mut out: Vec<Created> = expanded_commands(path, text)
        .iter()
        .flat_map(|(line, at)| command(line, at))
        .collect();
    if path.to_ascii_lowercase().ends_with(".md") {
        out.extend(prose(path, text));
    }
    out
}

/// The commands of a file with the constants set before them expanded; the assignments
/// themselves are not commands.
fn expanded_commands(path: &str, text: &str) -> Vec<(String, String)> {
    let mut vars: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (line, at) in commands(path, text) {
        if let Some((name, value)) = assignment(&line) {
            match value {
                Some(v) => vars.insert(name, v),
                None => vars.remove(&name),
            };
            continue;
        }
        out.push((expand(&line, &vars), at));
    }
    out
}

/// Secrets a guide's prose tells the reader to create, by a quoted name in a paragraph
/// that says so: microservices-demo's alerting README, "a Kubernetes secret called
/// \"slack-hook-url\" needs to be created". Code blocks are read as commands instead.
fn prose(path: &str, text: &str) -> Vec<Created> {
    let mut out = Vec::new();
    let mut fenced = false;
    // (first line, text) of each paragraph outside code blocks.
    let mut paragraphs: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            paragraphs.extend(current.take());
            continue;
        }
        if fenced || t.is_empty() {
            paragraphs.extend(current.take());
            continue;
        }
        let p = current.get_or_insert_with(|| (i + 1, String::new()));
        p.1.push(' ');
        p.1.push_str(line);
    }
    paragraphs.extend(current);
    for (first, para) in paragraphs {
        let lower = para.to_ascii_lowercase();
        if !lower.contains("secret") || !lower.contains("creat") {
            continue;
        }
        for quote in ['"', '`', '\''] {
            let parts: Vec<&str> = para.split(quote).collect();
            // Odd positions sit between a pair of quotes.
            for name in parts.iter().skip(1).step_by(2).take(parts.len() / 2) {
                if is_object_name(name) {
                    out.push(Created {
                        kind: "Secret",
                        name: name.to_string(),
                        namespace: None,
                        at: format!("{path}:{first}"),
                    });
                }
            }
        }
    }
    out
}

/// The namespace a documented `kubectl apply -f FILE -n NS` (or `create -f`) puts the
/// file's objects in: (the file or folder as the command names it, resolved against the
/// folder of the script or guide; NS). GCP's config-management samples write no
/// namespace in `signature-verification-deployment.yaml` and their README applies it
/// with `-n signature-verification`, where the same README creates its ServiceAccount.
pub fn applied_in(path: &str, text: &str) -> Vec<(String, String)> {
    let base = path.rsplit_once('/').map_or("", |x| x.0);
    let mut out = Vec::new();
    for (line, _) in expanded_commands(path, text) {
        for part in line.split(['|', ';', '&']) {
            let w = words(part);
            let Some(start) = w.iter().position(|x| x == "kubectl" || x == "oc") else {
                continue;
            };
            let w = &w[start + 1..];
            if !matches!(w.first().map(String::as_str), Some("apply" | "create")) {
                continue;
            }
            let mut namespace = None;
            let mut files = Vec::new();
            let mut i = 0;
            while i < w.len() {
                let x = w[i].as_str();
                let next = || w.get(i + 1).cloned();
                match x {
                    "-n" | "--namespace" => namespace = next(),
                    "-f" | "--filename" => files.extend(next()),
                    _ => {
                        if let Some(v) = x.strip_prefix("--namespace=") {
                            namespace = Some(v.to_string());
                        } else if let Some(v) = x
                            .strip_prefix("--filename=")
                            .or_else(|| x.strip_prefix("-f="))
                        {
                            files.push(v.to_string());
                        }
                    }
                }
                i += 1;
            }
            let Some(ns) = namespace.filter(|n| is_namespace_name(n)) else {
                continue;
            };
            for f in files {
                if f == "-" || f.contains('$') || f.contains("://") {
                    continue;
                }
                out.extend(crate::k8s::kustomize::join(base, &f).map(|p| (p, ns.clone())));
            }
        }
    }
    out
}

/// A namespace name (DNS-1123 label).
fn is_namespace_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A DNS-1123 name, as Kubernetes object names are (and with a `-` or `.`, so that a
/// quoted ordinary word is not taken for one).
fn is_object_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && (s.contains('-') || s.contains('.'))
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

/// Images a build step rewrites with `kustomize edit set image NAME=…` (kubebuilder's
/// Makefile sets `controller` to the released image before rendering the bundle): the
/// name written in the manifests is a placeholder, never what a cluster pulls.
pub fn set_images_in(path: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (line, _) in commands(path, text) {
        for part in line.split(['|', ';', '&']) {
            let w = words(part);
            let Some(k) = w
                .iter()
                .position(|x| x.to_ascii_lowercase().contains("kustomize"))
            else {
                continue;
            };
            if w.get(k + 1..k + 4)
                .is_some_and(|s| s == ["edit", "set", "image"])
            {
                for arg in &w[k + 4..] {
                    let name = arg.split(['=', '@']).next().unwrap_or("");
                    // `name:tag` without `=`: the tag follows the last colon after the
                    // last slash (a registry port is not a tag).
                    let name = if arg.contains('=') {
                        name
                    } else {
                        match name.rfind(':') {
                            Some(i) if !name[i..].contains('/') => &name[..i],
                            _ => name,
                        }
                    };
                    if !name.is_empty() && !name.starts_with('-') && !name.contains('$') {
                        out.push(name.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The logical command lines of a file (backslash continuations joined), each with
/// `path:line` of its first line.
fn commands(path: &str, text: &str) -> Vec<(String, String)> {
    let markdown = path.to_ascii_lowercase().ends_with(".md");
    let mut out = Vec::new();
    let mut fenced = false;
    let mut logical = String::new();
    let mut first_line = 0;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if markdown && (t.starts_with("```") || t.starts_with("~~~")) {
            fenced = !fenced;
            continue;
        }
        if markdown && !fenced {
            continue;
        }
        if logical.is_empty() {
            first_line = i + 1;
        }
        // A backslash continues the command on the next line.
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            logical.push_str(head);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        out.push((std::mem::take(&mut logical), format!("{path}:{first_line}")));
    }
    out
}

/// The object one command line creates, if it is `kubectl create <kind> …`. Pipes and
/// `&&` chains are split first.
fn command(line: &str, at: &str) -> Vec<Created> {
    let line = line.trim_start().trim_start_matches("$ ");
    if line.starts_with('#') {
        return Vec::new();
    }
    line.split(['|', ';', '&'])
        .filter_map(|part| one(&words(part), at))
        .collect()
}

fn one(w: &[String], at: &str) -> Option<Created> {
    // The usual shell aliases of kubectl count too (`kl create cm …` in d-uzlov's guides);
    // only a following `create <kind> <name>` makes them a command that creates.
    let start = w.iter().position(|x| {
        matches!(
            x.as_str(),
            "kubectl" | "oc" | "kubecolor" | "k" | "kl" | "kc" | "kctl"
        )
    })?;
    let w = &w[start + 1..];
    let namespace = w.iter().enumerate().find_map(|(i, x)| {
        if x == "-n" || x == "--namespace" {
            w.get(i + 1).cloned()
        } else {
            x.strip_prefix("--namespace=").map(str::to_string)
        }
    });
    // Positional words: flags and the values of the flags that take one are skipped.
    let mut pos = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let x = &w[i];
        if x.starts_with('-') {
            let takes_value = !x.contains('=')
                && matches!(
                    x.as_str(),
                    "-n" | "--namespace" | "--context" | "--kubeconfig" | "--cluster" | "--user"
                );
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        pos.push(x.as_str());
        i += 1;
    }
    let (kind, rest) = match pos.as_slice() {
        [
            "create",
            "secret",
            "generic" | "docker-registry" | "tls",
            rest @ ..,
        ] => ("Secret", rest),
        ["create", "configmap" | "cm", rest @ ..] => ("ConfigMap", rest),
        ["create", "serviceaccount" | "sa", rest @ ..] => ("ServiceAccount", rest),
        _ => return None,
    };
    let name = rest.first()?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    valid.then(|| Created {
        kind,
        name: name.to_string(),
        namespace: namespace.filter(|n| !n.contains('$')),
        at: at.to_string(),
    })
}

/// `NAME=value` or `export NAME=value` on a line of its own: the name, and the value when
/// it is a constant (no expansion, no command substitution).
fn assignment(line: &str) -> Option<(String, Option<String>)> {
    let t = line.trim();
    let t = t.strip_prefix("export ").map(str::trim_start).unwrap_or(t);
    let (name, value) = t.split_once('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let w = words(value);
    let constant = w.len() == 1 && !value.contains(['$', '`', '(']);
    Some((name.to_string(), constant.then(|| w[0].clone())))
}

/// `$NAME` and `${NAME}` replaced by the constants the script set; others stay.
fn expand(line: &str, vars: &std::collections::HashMap<String, String>) -> String {
    if vars.is_empty() || !line.contains('$') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match vars.get(name) {
            Some(v) if len > 0 => {
                out.push_str(v);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Shell words, quotes removed (no expansion: a `$VAR` stays as written).
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod applied_tests {
    use super::applied_in;

    #[test]
    fn a_documented_apply_with_a_namespace_names_the_file_and_the_namespace() {
        let md = "Run:\n\n```sh\nkubectl create ns sv\nkubectl apply -f deployment.yaml -n sv\nkubectl apply -f ../common/ --namespace=ops\nkubectl apply -f https://example.com/x.yaml -n sv\nkubectl apply -f webhook.yaml\n```\n";
        assert_eq!(
            applied_in("samples/verify/README.md", md),
            [
                (
                    "samples/verify/deployment.yaml".to_string(),
                    "sv".to_string()
                ),
                ("samples/common".to_string(), "ops".to_string()),
            ]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_secrets_a_guide_says_to_create() {
        let md = "In order for the alerting component to work, a Kubernetes secret called \"slack-hook-url\"\n\
                  needs to be created.\n\n\
                  The `grafana` Secret is read from `values.yaml`.\n\
                  ```\nkubectl apply -f secret \"not-this-one\" create\n```\n";
        let names: Vec<_> = created_in("deploy/alerting/README.md", md)
            .into_iter()
            .map(|c| (c.kind, c.name, c.at))
            .collect();
        assert_eq!(
            names,
            vec![(
                "Secret",
                "slack-hook-url".to_string(),
                "deploy/alerting/README.md:1".to_string()
            )]
        );
        assert!(created_in("install.sh", "# a secret \"x-y\" must be created\n").is_empty());
    }

    #[test]
    fn names_from_constants_the_script_set() {
        let c = created_in(
            "extras/setup.sh",
            "export KSA_NAME=\"boa-ksa\"\nkubectl create namespace $NAMESPACE\n\
             kubectl create serviceaccount --namespace $NAMESPACE $KSA_NAME\n\
             NAME=$(whoami)\nkubectl create secret generic \"${NAME}\" --from-literal=a=b\n",
        );
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.kind, c.name.as_str(), c.namespace.as_deref()))
            .collect();
        assert_eq!(got, [("ServiceAccount", "boa-ksa", None)]);
    }

    #[test]
    fn reads_kubectl_create_in_scripts() {
        let c = created_in(
            "hack/install.sh",
            "#!/bin/sh\nkubectl -n argocd create secret generic repo-creds --from-literal=password=x\n\
             kubectl create configmap app-config \\\n  --from-file=config.yaml -n prod\n\
             oc create sa builder\n\
             # kubectl create secret generic commented-out\n\
             kubectl create secret generic \"$NAME\" --from-literal=a=b\n\
             kubectl create secret docker-registry regcred --docker-server=x --dry-run=client -o yaml | kubectl apply -f -\n",
        );
        let got: Vec<_> = c
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.name.as_str(),
                    c.namespace.as_deref(),
                    c.at.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Secret", "repo-creds", Some("argocd"), "hack/install.sh:2"),
                ("ConfigMap", "app-config", Some("prod"), "hack/install.sh:3"),
                ("ServiceAccount", "builder", None, "hack/install.sh:5"),
                ("Secret", "regcred", None, "hack/install.sh:8"),
            ]
        );
    }

    #[test]
    fn reads_the_usual_kubectl_aliases() {
        let c = created_in(
            "video/ome/readme.md",
            "```bash\nkl create cm ome-public-domain --dry-run=client -o yaml --from-literal public_url=$u | kl -n ome apply -f -\nk -n db create secret generic pg-auth --from-literal=p=x\nfor k in a b; do echo $k; done\n```\n",
        );
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.kind, c.name.as_str(), c.namespace.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("ConfigMap", "ome-public-domain", None),
                ("Secret", "pg-auth", Some("db")),
            ]
        );
    }

    #[test]
    fn images_set_by_kustomize_edit() {
        let text = "build:\n\tcd config/manager && $(KUSTOMIZE) edit set image controller=${IMG}\n\tbin/kustomize edit set image registry:5000/app:v1 other@sha256:abc\n";
        assert_eq!(
            set_images_in("Makefile", text),
            vec!["controller", "registry:5000/app", "other"]
        );
        assert!(set_images_in("x.sh", "kustomize build config/default\n").is_empty());
    }

    #[test]
    fn markdown_only_in_code_blocks() {
        let c = created_in(
            "docs/install.md",
            "Run kubectl create secret generic prose-only first.\n\n```shell\n$ kubectl create secret tls web-tls --cert=c --key=k\n```\n",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "web-tls");
        assert_eq!(c[0].at, "docs/install.md:4");
    }

    #[test]
    fn other_commands_are_not_creations() {
        assert!(
            created_in(
                "x.sh",
                "kubectl get secret foo\nkubectl delete configmap bar\nkubectl create\n"
            )
            .is_empty()
        );
    }
}
