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
    fn webhook_urls_are_credentials_by_shape() {
        let slack = "https://hooks.slack.com/services/T02ABCDEF/B0ABCDEFG/a1b2c3d4e5f6g7h8i9j0k1l2";
        assert_eq!(high_signal(slack), Some("a Slack webhook URL"));
        assert_eq!(high_signal("https://hooks.slack.com/services/"), None);
        let discord = "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
        assert_eq!(high_signal(discord), Some("a Discord webhook URL"));
        assert_eq!(high_signal("https://example.com/hooks"), None);
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
    // Incoming-webhook URLs carry their secret in the path: whoever has one can post.
    let url_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-');
    if run("hooks.slack.com/services/", 20, url_char) {
        return Some("a Slack webhook URL");
    }
    if run("discord.com/api/webhooks/", 40, url_char)
        || run("discordapp.com/api/webhooks/", 40, url_char)
    {
        return Some("a Discord webhook URL");
    }
    if run(".webhook.office.com/webhookb2/", 40, url_char)
        || run("outlook.office.com/webhook/", 40, url_char)
    {
        return Some("a Microsoft Teams webhook URL");
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

/// Why a (name, value) pair holds a secret in plain text; S401 turns it into a severity
/// and the reports mask what it finds, so both judge alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The value's shape proves it, whatever the name (`an AWS access key id`).
    Shape(&'static str),
    /// `scheme://user:password@host`; `readable` when a person chose the password
    /// (`postgres:postgres@`), as quick-start compose files ship it.
    UrlPassword { readable: bool },
    /// A secret-like name with a literal value; `readable` when a person chose it.
    ByName { readable: bool },
}

/// Whether `value`, named `name` (empty when unknown), is a plain-text secret.
pub fn classify(name: &str, value: &str) -> Option<Verdict> {
    if let Some(what) = high_signal(value) {
        return Some(Verdict::Shape(what));
    }
    if let Some(pass) = url_password(value) {
        return Some(Verdict::UrlPassword {
            readable: readable_default(pass),
        });
    }
    let v = value.trim().trim_matches(['"', '\'']);
    if secret_name(name) && !placeholder(v) && v.chars().count() >= 4 {
        return Some(Verdict::ByName {
            readable: readable_default(v),
        });
    }
    None
}

/// A value a person chose rather than generated (`photoprism`, `insecure`, `admin123`):
/// short, at most two character classes. Templates ship such defaults on purpose; a
/// generated credential (`J5brHrAXFLQSif0K`, 32 hex digits) is not one.
pub fn readable_default(v: &str) -> bool {
    v.chars().count() <= 24 && char_classes(v) <= 2
}

/// How many of lower case, upper case, digits and other characters `v` uses.
pub fn char_classes(v: &str) -> usize {
    [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count()
}

/// `scheme://user:password@host` with a real password.
pub fn url_credentials(value: &str) -> bool {
    url_password(value).is_some()
}

/// The real password of `scheme://user:password@host`.
pub fn url_password(value: &str) -> Option<&str> {
    let v = value.trim().trim_matches(['"', '\'']);
    let (_, rest) = v.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, pass) = userinfo.split_once(':')?;
    (!placeholder(pass) && !pass.is_empty()).then_some(pass)
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

    #[test]
    fn readable_defaults_are_not_generated_secrets() {
        for v in ["photoprism", "insecure", "admin123", "paperless"] {
            assert!(readable_default(v), "{v}");
        }
        for v in [
            "J5brHrAXFLQSif0K",
            "0123456789abcdef0123456789abcdef",
            "r(m)9nLGnz$(_q3N4z1k",
        ] {
            assert!(!readable_default(v), "{v}");
        }
    }
}
