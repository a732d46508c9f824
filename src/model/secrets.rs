//! Where secret values sit in a file, so that no report ever shows them: env file values,
//! and the `data`/`stringData` values of Kubernetes Secrets. Computed from the text so it
//! works even when the file does not parse. What counts as a credential is
//! `crate::credentials`.

use super::env::EnvFile;
use crate::credentials::{high_signal, secret_name, url_credentials};

/// Byte ranges of the values of an env file.
pub fn env_ranges(env: &EnvFile) -> Vec<(usize, usize)> {
    env.vars
        .iter()
        .map(|v| v.value_range)
        .filter(|(s, e)| e > s)
        .collect()
}

/// Byte ranges of every line of an env file that may hold a value, judged from the text
/// alone so that a line the parser rejected is hidden too: what follows the `=` of a
/// `KEY=value` line, and the whole of any other line that is not a comment (a malformed
/// line may be a bare value, or the rest of a value whose quote never closed).
pub fn env_line_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let from = start + line.len() - content.len();
        let body = content.strip_prefix("export ").unwrap_or(content);
        let key_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(body.len());
        let after_key = body[key_len..].trim_start_matches([' ', '\t']);
        let value_from = match after_key.strip_prefix('=') {
            Some(value) if key_len > 0 => start + line.len() - value.len(),
            _ => from,
        };
        out.push((value_from, start + line.trim_end().len()));
    }
    out.retain(|(s, e)| e > s);
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Byte ranges of the values under `data:` / `stringData:` in a YAML stream that holds a
/// `kind: Secret` document (lines are judged by indentation, not parsed).
pub fn yaml_secret_ranges(text: &str) -> Vec<(usize, usize)> {
    let is_secret = text.lines().any(|l| {
        let t = l.trim();
        t == "kind: Secret" || t == "kind: \"Secret\"" || t == "kind: 'Secret'"
    });
    if !is_secret {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    let mut child: Option<usize> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start_matches([' ', '\t']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let ind = indent(line);
        if let Some(b) = block {
            if ind > b {
                let c = *child.get_or_insert(ind);
                let value_from = if ind == c {
                    // `key: value`: mask the value only.
                    content
                        .find(": ")
                        .map(|i| ind + i + 2)
                        .or_else(|| content.ends_with(':').then_some(line.len()))
                } else {
                    // Continuation of a block scalar: all of it.
                    Some(ind)
                };
                if let Some(v) = value_from
                    && v < line.len()
                {
                    out.push((start + v, start + line.len()));
                }
                continue;
            }
            block = None;
            child = None;
        }
        let key = content.trim_end();
        if key == "data:"
            || key == "stringData:"
            || key.starts_with("data: {")
            || key.starts_with("stringData: {")
        {
            if key.ends_with(':') {
                block = Some(ind);
            } else {
                // Flow mapping on one line: mask after the key.
                let i = content.find('{').unwrap_or(0);
                out.push((start + ind + i, start + line.len()));
            }
        }
    }
    out
}

/// Byte ranges of values in parsed YAML that look like secrets — under a secret-like key,
/// the `value` of an env entry whose `name` is secret-like, a compose `KEY=value` list
/// item, or a value whose shape is a credential — so that every snippet masks them, not
/// only the findings about them.
pub fn yaml_value_ranges(docs: &[crate::yaml::Node]) -> Vec<(usize, usize)> {
    use crate::yaml::{Kind, Node};
    fn range(n: &Node) -> (usize, usize) {
        (n.pos.offset, n.pos.offset + n.pos.len)
    }
    fn scalar(n: &Node) -> Option<String> {
        match &n.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }
    fn walk(n: &Node, out: &mut Vec<(usize, usize)>) {
        match &n.kind {
            Kind::Map(entries) => {
                let env_name = n.get("name").and_then(Node::as_str);
                for (k, v) in entries {
                    if let Some(text) = scalar(v) {
                        let by_key = secret_name(&k.text)
                            || (k.text == "value" && env_name.is_some_and(secret_name));
                        if by_key || high_signal(&text).is_some() || url_credentials(&text) {
                            out.push(range(v));
                        }
                    } else {
                        walk(v, out);
                    }
                }
            }
            Kind::Seq(items) => {
                for i in items {
                    if let Some(s) = i.as_str() {
                        let hit = s
                            .split_once('=')
                            .is_some_and(|(k, _)| secret_name(k.trim()))
                            || high_signal(s).is_some()
                            || url_credentials(s);
                        if hit {
                            out.push(range(i));
                        }
                    } else {
                        walk(i, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for d in docs {
        walk(d, &mut out);
    }
    out.retain(|(s, e)| e > s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_found() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n  cert: |\n    -----BEGIN-----\n    abc\ntype: Opaque\n";
        let r = yaml_secret_ranges(text);
        let masked: Vec<&str> = r.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(masked, ["hunter2", "|", "-----BEGIN-----", "abc"]);
        assert!(yaml_secret_ranges("kind: ConfigMap\ndata:\n  a: b\n").is_empty());
    }

    #[test]
    fn every_env_line_that_may_hold_a_value_is_hidden() {
        let text = "# a comment\nexport A=1\nPASSWORD=\"Broken_66yy\nOTHER='x\nBroken_55xx X Y\n  B = two words \r\n";
        let r = env_line_ranges(text);
        let masked: Vec<&str> = r.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(
            masked,
            ["1", "\"Broken_66yy", "'x", "Broken_55xx X Y", " two words"]
        );
    }
}
