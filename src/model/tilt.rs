//! What a `Tiltfile` builds and deploys. Tilt (a local development tool) builds the images
//! its `docker_build`, `docker_build_with_restart` and `custom_build` calls name and
//! rewrites every matching image reference in the YAML its `k8s_yaml` call deploys to the
//! build's unique tag (tilt-dev/api.tilt.dev `docs/kubernetes/image-map-v1alpha1.md`:
//! "Deployment tools expect this image reference to match an image in the YAML being
//! deployed, and will replace that image reference"). An untagged image there is not what
//! the cluster runs.
//!
//! A Tiltfile is Starlark; only literal strings are read: the first argument (or `ref=`)
//! of the build calls, and the paths given to `k8s_yaml` directly, in a list, or through
//! `kustomize(…)`, `helm(…)` and `listdir(…)`. Anything computed is ignored.

/// One Tiltfile's images and the files or folders it deploys, relative to the project root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TiltBuilds {
    /// Image names as written in the build calls, without tag or digest.
    pub images: Vec<String>,
    /// Deployed files and folders.
    pub deploys: Vec<String>,
}

impl TiltBuilds {
    /// Whether Tilt replaces `image_name` (no tag) in the manifest at `path`.
    pub fn replaces(&self, image_name: &str, path: &str) -> bool {
        self.images.iter().any(|i| i == image_name)
            && self.deploys.iter().any(|d| {
                d.is_empty()
                    || path == d
                    || path
                        .strip_prefix(d.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
    }
}

const BUILDS: [&str; 3] = ["docker_build", "docker_build_with_restart", "custom_build"];
/// Calls whose literal string arguments name deployed files when inside `k8s_yaml`.
const PATH_CALLS: [&str; 4] = ["k8s_yaml", "kustomize", "helm", "listdir"];

struct Frame<'a> {
    call: Option<&'a str>,
    arg: usize,
    keyword: Option<&'a str>,
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Str(String),
    Punct(char),
}

/// Reads the Tiltfile at `path` (its folder is where its relative paths start).
pub fn read(path: &str, text: &str) -> TiltBuilds {
    let dir = path.rsplit_once('/').map(|x| x.0).unwrap_or("");
    let toks = tokens(text);
    let mut out = TiltBuilds::default();
    // One frame per open parenthesis or bracket: the call it belongs to, the index of
    // its current argument and that argument's keyword, if any.
    let mut frames: Vec<Frame> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| &toks[j]);
        match t {
            Tok::Punct('(') => {
                let call = match prev {
                    Some(Tok::Ident(name)) => Some(*name),
                    _ => None,
                };
                frames.push(Frame {
                    call,
                    arg: 0,
                    keyword: None,
                });
            }
            // A list is part of the argument it is written in.
            Tok::Punct('[') => {
                let parent = frames.last();
                frames.push(Frame {
                    call: parent.and_then(|f| f.call),
                    arg: parent.map_or(0, |f| f.arg),
                    keyword: parent.and_then(|f| f.keyword),
                });
            }
            Tok::Punct(')') | Tok::Punct(']') => {
                frames.pop();
            }
            Tok::Punct(',') => {
                if let Some(f) = frames.last_mut() {
                    f.arg += 1;
                    f.keyword = None;
                }
            }
            Tok::Punct('=') => {
                if let (Some(Tok::Ident(k)), Some(f)) = (prev, frames.last_mut()) {
                    f.keyword = Some(k);
                }
            }
            Tok::Str(s) => {
                let Some(f) = frames.last() else { continue };
                let Some(call) = f.call else { continue };
                // Only a literal that is a whole argument (or list item) is a value.
                let whole = matches!(prev, Some(Tok::Punct('(' | ',' | '[' | '=')))
                    && matches!(toks.get(i + 1), Some(Tok::Punct(',' | ')' | ']')));
                if !whole {
                    continue;
                }
                let in_deploy = frames.iter().any(|f| f.call == Some("k8s_yaml"));
                let first = f.keyword.is_none() && f.arg == 0;
                if BUILDS.contains(&call) && (f.keyword == Some("ref") || first) {
                    out.images.push(crate::k8s::image::parts(s).0.to_string());
                } else if in_deploy && PATH_CALLS.contains(&call) && f.keyword.is_none() {
                    out.deploys.push(join(dir, s));
                }
            }
            _ => {}
        }
    }
    out
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn tokens(text: &str) -> Vec<Tok<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                let triple = b.len() >= i + 3 && b[i + 1] == c && b[i + 2] == c;
                let quote_len = if triple { 3 } else { 1 };
                let mut j = i + quote_len;
                let mut s = String::new();
                loop {
                    if j >= b.len() {
                        break;
                    }
                    if b[j] == b'\\' && j + 1 < b.len() {
                        s.push(b[j + 1] as char);
                        j += 2;
                        continue;
                    }
                    if b[j] == c && (!triple || (j + 2 < b.len() && b[j + 1] == c && b[j + 2] == c))
                    {
                        j += quote_len;
                        break;
                    }
                    if b[j] == b'\n' && !triple {
                        break;
                    }
                    let ch_len = text[j..].chars().next().map_or(1, char::len_utf8);
                    s.push_str(&text[j..j + ch_len]);
                    j += ch_len;
                }
                out.push(Tok::Str(s));
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                out.push(Tok::Ident(&text[start..i]));
            }
            c if c.is_ascii_punctuation() => {
                out.push(Tok::Punct(c as char));
                i += 1;
            }
            _ => {
                let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
                i += ch_len;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_builds_and_deploys() {
        let t = read(
            "Tiltfile",
            r#"
load('ext://restart_process', 'docker_build_with_restart')
k8s_yaml(kustomize('manifests/dev-tilt'))  # the dev bundle
k8s_yaml(['a.yaml', "b/c.yaml"])
docker_build_with_restart('quay.io/argoproj/argocd:latest', context='.', only=['hack'])
docker_build(ref='argocd-ui', context='.', dockerfile='Dockerfile.ui.tilt')
custom_build('registry:5000/x', 'make image', deps=['src'])
local_resource('build', cmd='make', deps=['go.mod'])
"#,
        );
        assert_eq!(
            t.images,
            ["quay.io/argoproj/argocd", "argocd-ui", "registry:5000/x"]
        );
        assert_eq!(t.deploys, ["manifests/dev-tilt", "a.yaml", "b/c.yaml"]);
        assert!(t.replaces("argocd-ui", "manifests/dev-tilt/ui.yaml"));
        assert!(!t.replaces("argocd-ui", "manifests/install.yaml"));
        assert!(!t.replaces("other", "a.yaml"));
    }

    #[test]
    fn paths_are_relative_to_the_tiltfile() {
        let t = read(
            "dev/Tiltfile",
            "k8s_yaml(helm('../charts/app', values=['v.yaml']))\n",
        );
        assert_eq!(t.deploys, ["charts/app"]);
    }

    #[test]
    fn computed_and_malformed_input_is_ignored() {
        let t = read(
            "Tiltfile",
            "k8s_yaml(local('kustomize build x'))\ndocker_build(name + 'x'\n'unterminated",
        );
        assert!(t.deploys.is_empty());
        assert!(t.images.is_empty());
        assert_eq!(read("Tiltfile", "))]][[((\"é'"), TiltBuilds::default());
    }
}
