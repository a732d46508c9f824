//! S402: a Secret manifest committed with real values in `data`/`stringData`, not
//! encrypted (no SOPS metadata). Base64 is an encoding, not encryption. Placeholder
//! values and empty Secrets that a controller fills are not flagged; values are never
//! shown.

use crate::credentials::placeholder;
use crate::diagnostic::catalogue::S402 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::defs::is_sops;
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct UnencryptedSecret;

impl Rule for UnencryptedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.is_core("Secret"))
        {
            let obj = ix.object(&cx.head.manifests, inst);
            let path = &ix.files[inst.file].path;
            if is_sops(&obj.node) || crate::model::env_sets::is_example_path(path) {
                continue;
            }
            let src = &ix.files[inst.file];
            for field in ["stringData", "data"] {
                let Some((key, map)) = crate::rules::workloads::entry(&obj.node, field) else {
                    continue;
                };
                let real: Vec<&str> = map
                    .entries()
                    .iter()
                    .filter(|(k, v)| {
                        !names_a_setting(&k.text)
                            && v.as_str().is_some_and(|s| {
                                !placeholder(s) && !decodes_to_placeholder(s, field)
                            })
                    })
                    .map(|(k, _)| k.text.as_str())
                    .collect();
                if real.is_empty() {
                    continue;
                }
                // A value that is a whole configuration file (several lines) exposes
                // only the credentials in it; one in which none is recognised is info.
                let no_credential = map.entries().iter().all(|(k, v)| {
                    !real.contains(&k.text.as_str())
                        || v.as_str()
                            .is_some_and(|s| config_without_credential(s, field))
                });
                // Values a person chose (`katib`, `minio123`), as S401 rates them: defaults an
                // install bundle publishes for everyone, not a leaked credential.
                let readable = map.entries().iter().all(|(k, v)| {
                    !real.contains(&k.text.as_str())
                        || v.as_str().is_some_and(|s| readable_value(s, field))
                });
                let keys: Vec<String> = real.iter().map(|k| format!("`{k}`")).collect();
                let mut d = Diagnostic::new(
                    &META,
                    src,
                    key_span(src, key),
                    if no_credential {
                        format!(
                            "{} is committed in plain text with configuration files ({}) in which no credential was recognised: check that they hold none before the next edit adds one",
                            who(inst),
                            keys.join(", ")
                        )
                    } else {
                        format!(
                            "{} is committed with {} in plain text ({}): base64 is an encoding, not encryption",
                            who(inst),
                            if real.len() == 1 {
                                "a value".to_string()
                            } else {
                                format!("{} values", real.len())
                            },
                            keys.join(", ")
                        )
                    },
                    "commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret instead, and rotate these values: they are in the history",
                    format!("{}/{}/{field}", inst.namespace, inst.name),
                );
                if no_credential {
                    d.severity = Severity::Info;
                } else if readable {
                    d.severity = Severity::Info;
                    d.message.push_str(
                        "; the values are readable defaults such as install bundles publish: make sure deployments override them",
                    );
                }
                out.push(d);
            }
        }
        cx.standing_practice(&mut out[start..]);
    }
}

/// A key whose name says it holds where to connect and as whom, not a credential
/// (`username`, `POSTGRES_USER`, `DB_HOST`, `POSTGRES_DB`): committed in plain text, it
/// exposes nothing (kubeflow's `mysql-secret` holds `username: root` and an empty
/// password).
fn names_a_setting(key: &str) -> bool {
    if crate::credentials::secret_name(key) {
        return false;
    }
    let upper = key.to_ascii_uppercase();
    let last = upper
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .find(|t| !t.is_empty())
        .unwrap_or("");
    crate::credentials::SETTING_WORDS.contains(&last)
}

/// A value's text: `data` values decoded from base64 (`None` when they do not decode).
fn value_text(s: &str, field: &str) -> Option<String> {
    if field == "data" {
        decode_base64(s)
    } else {
        Some(s.to_string())
    }
}

/// A value (decoded, for `data`) that is a readable default a person chose and no
/// credential by its shape.
fn readable_value(s: &str, field: &str) -> bool {
    let Some(text) = value_text(s, field) else {
        return false;
    };
    let t = text.trim();
    crate::credentials::high_signal(t).is_none() && crate::credentials::readable_default(t)
}

/// A multi-line value (a configuration file mounted from the Secret) in which the
/// credential detector finds nothing: a password line, a URL with a password, a token.
fn config_without_credential(s: &str, field: &str) -> bool {
    let Some(text) = value_text(s, field) else {
        return false;
    };
    text.trim().lines().count() > 1 && crate::credentials::text::credential_ranges(&text).is_empty()
}

/// A `data` value whose base64 decodes to a placeholder (`Y2hhbmdlbWU=` is `changeme`).
fn decodes_to_placeholder(s: &str, field: &str) -> bool {
    if field != "data" {
        return false;
    }
    decode_base64(s).is_some_and(|d| placeholder(&d))
}

fn decode_base64(s: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}
