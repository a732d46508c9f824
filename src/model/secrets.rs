//! Where secret values sit in a file, so that no report ever shows them: env file values,
//! and the `data`/`stringData` values of Kubernetes Secrets. Computed from the text so it
//! works even when the file does not parse.

use super::env::EnvFile;

/// Byte ranges of the values of an env file.
pub fn env_ranges(env: &EnvFile) -> Vec<(usize, usize)> {
    env.vars
        .iter()
        .map(|v| v.value_range)
        .filter(|(s, e)| e > s)
        .collect()
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
}
