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

/// Whether a variable's name says it holds a secret (`DB_PASSWORD`, `STRIPE_SECRET_KEY`,
/// `GITHUB_TOKEN`), and not something about one (`PASSWORD_FILE`, `TOKEN_TTL`,
/// `AWS_ACCESS_KEY_ID`).
pub fn secret_name(name: &str) -> bool {
    // Most keys of a manifest are none of these: decide them without allocating.
    let ci = |needle: &str| {
        name.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if !["pass", "secret", "token", "key", "pin", "cred"]
        .iter()
        .any(|n| ci(n))
    {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let has = |t: &str| tokens.contains(&t);
    let secretish = has("PASSWORD")
        || has("PASSWD")
        || has("PASSPHRASE")
        || has("PASSCODE")
        || has("PIN")
        || has("SECRET")
        || has("TOKEN")
        || has("APIKEY")
        || has("CREDENTIALS")
        || (has("API") && has("KEY"))
        || (has("PRIVATE") && has("KEY"))
        || (has("ACCESS") && has("KEY"))
        || (has("AUTH") && has("KEY"))
        || (has("SIGNING") && has("KEY"))
        || (has("ENCRYPTION") && has("KEY"));
    let about = [
        "FILE",
        "PATH",
        "NAME",
        "ID",
        "URL",
        "URI",
        "HOST",
        "LENGTH",
        "LEN",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "EXPIRATION",
        "TIMEOUT",
        "ENABLED",
        "HEADER",
        "TYPE",
        "FIELD",
        "PREFIX",
        "REF",
        "ARN",
        "DIR",
        "KIND",
        "MODE",
        "ROTATION",
        "POLICY",
        "COOKIE",
    ];
    secretish && !tokens.last().is_some_and(|t| about.contains(t))
}

/// Values that stand for a secret rather than being one.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.starts_with("${")
        || v.starts_with("$(")
        || v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || v.contains("{{")
        || v.starts_with('<') && v.ends_with('>')
        || v.starts_with("ENC[")
        || v.starts_with("/run/secrets/")
        || v.starts_with("vault:")
        || v.starts_with("ref+")
        || v.starts_with("arn:aws:secretsmanager")
        || v.chars()
            .all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '-' | '_'))
        || [
            "changeme",
            "change-me",
            "change_me",
            "replaceme",
            "replace-me",
            "replace_me",
            "todo",
            "tbd",
            "none",
            "null",
            "secret",
            "password",
            "example",
            "dummy",
            "test",
            "placeholder",
            "redacted",
            "your-secret",
            "your_secret",
            "yoursecret",
        ]
        .contains(&lower.as_str())
        || lower.starts_with("your-")
        || lower.starts_with("your_")
        || lower.starts_with("insert")
        || lower.starts_with("replace")
        || lower.starts_with("change")
        || lower.starts_with("set-")
        || lower.starts_with("set_")
        || lower.starts_with("enter")
}

/// A credential recognisable by its shape alone, whatever the variable is called.
pub fn high_signal(value: &str) -> Option<&'static str> {
    let v = value.trim().trim_matches(['"', '\'']);
    let run = |prefix: &str, min: usize, ok: fn(char) -> bool| {
        v.find(prefix)
            .is_some_and(|i| v[i + prefix.len()..].chars().take_while(|c| ok(*c)).count() >= min)
    };
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if ["AKIA", "ASIA"].iter().any(|p| {
        v.find(p).is_some_and(|i| {
            let rest: String = v[i + 4..].chars().take(16).collect();
            rest.len() == 16
                && rest
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    }) {
        return Some("an AWS access key id");
    }
    if run("sk_live_", 20, alnum) || run("rk_live_", 20, alnum) {
        return Some("a Stripe live key");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| run(p, 36, alnum))
        || run("github_pat_", 40, token)
    {
        return Some("a GitHub token");
    }
    if run("glpat-", 20, token) {
        return Some("a GitLab token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| run(p, 10, token))
    {
        return Some("a Slack token");
    }
    None
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

/// `scheme://user:password@host` with a real password.
pub fn url_credentials(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let Some((_, rest)) = v.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    match userinfo.split_once(':') {
        Some((_, pass)) => !placeholder(pass) && !pass.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod detection_tests {
    use super::*;

    #[test]
    fn names_values_and_shapes() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(secret_name("stripe-secret-key"));
        assert!(secret_name("GITHUB_TOKEN"));
        assert!(!secret_name("PASSWORD_FILE"));
        assert!(!secret_name("AWS_ACCESS_KEY_ID"));
        assert!(!secret_name("TOKEN_TTL"));
        assert!(!secret_name("LOG_LEVEL"));
        assert!(placeholder("${DB_PASSWORD}"));
        assert!(placeholder("changeme"));
        assert!(placeholder("<your password>"));
        assert!(!placeholder("hunter2-prod"));
        assert_eq!(
            high_signal("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(
            high_signal("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            Some("a private key")
        );
        assert!(high_signal("sk_test_abc").is_none());
        assert!(url_credentials("postgres://app:s3cr3t@db:5432/app"));
        assert!(!url_credentials("postgres://app:${PASSWORD}@db/app"));
        assert!(!url_credentials("https://example.com/x@y"));
    }
}
