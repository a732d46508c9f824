//! Whether a value is a credential: by the variable's name (`DB_PASSWORD`), a password in
//! a URL, or the value's shape (an AWS key id, a private key, a provider token). Pure
//! text functions, below every model, because two kinds of reader need the same
//! judgement: S401 (which turns it into a severity) and the reports, which mask what it
//! finds in any text they print (`text::credential_ranges`).

pub mod text;

/// Whether a variable's name says it holds a secret (`DB_PASSWORD`, `STRIPE_SECRET_KEY`,
/// `GITHUB_TOKEN`), and not something about one (`PASSWORD_FILE`, `TOKEN_TTL`,
/// `AWS_ACCESS_KEY_ID`).
/// Words that end the name of a setting — where to connect and as whom — rather than of a
/// credential (`POSTGRES_USER`, `DB_HOST`, `…_AWS_REGION`). S401 reads them after a
/// name's last secret word, S402 as the last word of a Secret's key.
pub const SETTING_WORDS: &[&str] = &[
    "USER", "USERNAME", "HOST", "HOSTNAME", "PORT", "DB", "DATABASE", "DBNAME", "SCHEMA", "REGION",
    "BUCKET", "ENDPOINT", "PROTOCOL", "SCHEME",
];

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
        // How long a token lives (wger's `ACCESS_TOKEN_LIFETIME=10`).
        "LIFETIME",
        "DURATION",
        "AGE",
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
        "NAMESPACE",
        "HOSTS",
        // How a secret is named, not its value (postgres-operator's
        // `secret_name_template: "{username}.{cluster}.credentials…"`).
        "TEMPLATE",
        "FORMAT",
        "PATTERN",
    ];
    // Where to reach the holder of a credential, not the credential: a setting word after
    // the last secret word (peerdb's `PEERDB_CLICKHOUSE_AWS_CREDENTIALS_AWS_REGION`,
    // `…_CREDENTIALS_AWS_ENDPOINT_URL_S3`).
    let secret_word = |t: &&str| {
        matches!(
            *t,
            "PASSWORD"
                | "PASSWD"
                | "PASSPHRASE"
                | "PASSCODE"
                | "PIN"
                | "SECRET"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
                | "KEY"
        )
    };
    let after_last_secret = tokens
        .iter()
        .rposition(secret_word)
        .map_or(&tokens[..0], |i| &tokens[i + 1..]);
    let describes_setting = after_last_secret
        .iter()
        .any(|t| SETTING_WORDS.contains(t) || (about.contains(t) && *t != "TYPE" && *t != "KIND"));
    secretish && !tokens.last().is_some_and(|t| about.contains(t)) && !describes_setting
}

/// The example credentials of AWS's documentation (`AKIAIOSFODNN7EXAMPLE`,
/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`): copied into sample configurations, they
/// open nothing.
fn documented_example(v: &str) -> bool {
    v.ends_with("EXAMPLE") || v.ends_with("EXAMPLEKEY")
}

/// Values that stand for a secret rather than being one.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || documented_example(v)
        || v.starts_with("${")
        || v.starts_with("$(")
        || v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || v.contains("{{")
        || v.starts_with('<') && v.ends_with('>')
        || v.starts_with("ENC[")
        || file_path(v)
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
            // A switch, not a secret (`require-git-ssh-secret-known-hosts: "false"`).
            "true",
            "false",
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
        // Named as fake by its author (trigger.dev's `dummy-encryption-keeeey-32-bytes`).
        || lower.starts_with("dummy-")
        || lower.starts_with("dummy_")
        // A file holding the secret, read at run time.
        || lower.starts_with("file://")
        // A comment where the value goes (`KEY=# enter your OpenRouter API key`,
        // stack-auth's `docker/server/.env`): Node's dotenv reads no value, and the text
        // is an instruction, not a credential.
        || v.starts_with('#')
}

/// A file's path (`/etc/cloud-sa/cloud-sa.json` under `GOOGLE_APPLICATION_CREDENTIALS`,
/// `/run/secrets/db_password`): it says where the secret is read at run time, not what it
/// is. Absolute or explicitly relative, at least two segments of file-name characters; a
/// base64 secret that starts with `/` has `+` or `=`, or no second segment.
fn file_path(v: &str) -> bool {
    // A segment may be interpolated (zrok's `/ziti-router/${ZITI_ROUTER_NAME:-zrok2-router}.jwt`
    // under `ZITI_ENROLL_TOKEN`): each `${…}` counts as a name.
    let mut plain = String::with_capacity(v.len());
    let mut rest_of = v;
    while let Some(i) = rest_of.find("${") {
        let Some(end) = rest_of[i..].find('}') else {
            break;
        };
        plain.push_str(&rest_of[..i]);
        plain.push('x');
        rest_of = &rest_of[i + end + 1..];
    }
    plain.push_str(rest_of);
    let v = plain.as_str();
    let rest = v
        .strip_prefix('/')
        .or_else(|| v.strip_prefix("./"))
        .or_else(|| v.strip_prefix("../"));
    rest.is_some_and(|r| {
        let segments: Vec<&str> = r.split('/').collect();
        segments.len() >= 2
            && segments.iter().all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            })
    })
}

/// A PEM private key: its `-----BEGIN … PRIVATE KEY-----` marker followed by key
/// material (base64, or the `Proc-Type:` header of an encrypted key), across line breaks
/// written as such or as `\n` escapes. A script that only echoes or strips the marker
/// lines (gavinmcfall/home-ops' `sync-certs.sh` rebuilds a key file it reads from a
/// mounted Secret) holds no key.
fn has_private_key_block(v: &str) -> bool {
    v.match_indices("-----BEGIN").any(|(i, _)| {
        let rest = &v[i + "-----BEGIN".len()..];
        let Some(close) = rest.find("-----") else {
            return false;
        };
        if !rest[..close].contains("PRIVATE KEY") {
            return false;
        }
        let mut body = &rest[close + "-----".len()..];
        loop {
            let trimmed = body
                .trim_start()
                .trim_start_matches("\\n")
                .trim_start_matches("\\r");
            if trimmed.len() == body.len() {
                break;
            }
            body = trimmed;
        }
        let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
        body.starts_with("Proc-Type:") || body.chars().take_while(|c| base64(*c)).count() >= 4
    })
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
    if has_private_key_block(v) {
        return Some("a private key");
    }
    // AWS's documentation writes its example keys with an `EXAMPLE` ending
    // (`AKIAIOSFODNN7EXAMPLE`); gitleaks' `aws-access-token` rule allows `.+EXAMPLE$`.
    if !documented_example(v)
        && ["AKIA", "ASIA"].iter().any(|p| {
            v.find(p).is_some_and(|i| {
                let rest: String = v[i + 4..].chars().take(16).collect();
                rest.len() == 16
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
        })
    {
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

/// Why a (name, value) pair holds a secret in plain text; S401 turns it into a severity
/// and the reports mask what it finds, so both judge alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The value's shape proves it, whatever the name (`an AWS access key id`).
    Shape(&'static str),
    /// `scheme://user:password@host`; `readable` when the password is a default a person
    /// chose (`postgres:postgres`, `testpass`).
    UrlPassword { readable: bool },
    /// A secret-like name with a literal value; `readable` when a person chose it.
    ByName { readable: bool },
}

/// Whether `value`, named `name` (empty when unknown), is a plain-text secret.
pub fn classify(name: &str, value: &str) -> Option<Verdict> {
    if let Some(what) = high_signal(value) {
        return Some(Verdict::Shape(what));
    }
    if let Some(url) = url_parts(value) {
        return Some(Verdict::UrlPassword {
            readable: url.user == url.password || readable_default(url.password),
        });
    }
    let v = value.trim().trim_matches(['"', '\'']);
    if secret_name(name) && !placeholder(v) && v.chars().count() >= 4 {
        // A whole document under a secret-like name (kserve's `credentials:` JSON that
        // names the Secrets to read) is a secret only for the credentials inside it.
        if v.trim().lines().count() > 1 && text::credential_ranges(v).is_empty() {
            return None;
        }
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

/// The credential parts of `scheme://user:password@host[:port]/…`.
pub struct UrlCredentials<'a> {
    pub user: &'a str,
    pub password: &'a str,
    /// The host name, without port.
    pub host: &'a str,
}

/// `scheme://user:password@host` with a real password.
pub fn url_credentials(value: &str) -> bool {
    url_parts(value).is_some()
}

/// The user, password and host of a URL with a real (non-placeholder) password.
pub fn url_parts(value: &str) -> Option<UrlCredentials<'_>> {
    let v = value.trim().trim_matches(['"', '\'']);
    let (_, rest) = v.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, hostport) = authority.rsplit_once('@')?;
    let (user, password) = split_userinfo(userinfo)?;
    if password.is_empty() || placeholder(password) {
        return None;
    }
    // `[::1]:5432` keeps its brackets; `db:5432` loses the port.
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next().unwrap_or(hostport)
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    Some(UrlCredentials {
        user,
        password,
        host,
    })
}

/// `user:password`, split at the first `:` outside `${…}`, so that a compose
/// interpolation with a default (`${USER:-default}:${PASSWORD}`) is two placeholders.
fn split_userinfo(userinfo: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    let b = userinfo.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' if i > 0 && b[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return Some((&userinfo[..i], &userinfo[i + 1..])),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod detection_tests {
    use super::*;

    #[test]
    fn interpolated_url_passwords_and_file_references_are_placeholders() {
        // trigger.dev's self-hosting compose.
        let url = "${CLICKHOUSE_URL:-http://${CLICKHOUSE_USER:-default}:${CLICKHOUSE_PASSWORD}@clickhouse:8123?secure=false}";
        assert!(url_parts(url).is_none());
        assert!(url_parts("postgres://app:s3cretPassw0rd@db:5432/app").is_some());
        assert!(
            classify(
                "TRIGGER_WORKER_TOKEN",
                "file:///home/node/shared/worker_token"
            )
            .is_none()
        );
        assert!(classify("ENCRYPTION_KEY", "dummy-encryption-keeeey-32-bytes").is_none());
    }

    #[test]
    fn settings_after_the_secret_word_are_not_secrets() {
        assert!(!secret_name("PEERDB_CLICKHOUSE_AWS_CREDENTIALS_AWS_REGION"));
        assert!(!secret_name(
            "PEERDB_CLICKHOUSE_AWS_CREDENTIALS_AWS_ENDPOINT_URL_S3"
        ));
        assert!(secret_name(
            "PEERDB_CLICKHOUSE_AWS_CREDENTIALS_AWS_SECRET_ACCESS_KEY"
        ));
        assert!(secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(secret_name("SECRET_KEY_BASE"));
        assert!(secret_name("DB_PASSWORD"));
    }

    #[test]
    fn lifetimes_of_tokens_are_not_secrets() {
        assert!(!secret_name("ACCESS_TOKEN_LIFETIME"));
        assert!(!secret_name("SESSION_TOKEN_MAX_AGE"));
        assert!(secret_name("ACCESS_TOKEN"));
    }

    #[test]
    fn names_about_a_secret_are_not_secrets() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(!secret_name("secret_name_template"));
        assert!(!secret_name("PASSWORD_FILE"));
        assert!(!secret_name("TOKEN_FORMAT"));
    }

    #[test]
    fn a_private_key_needs_its_key_material() {
        assert_eq!(
            high_signal(
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
            ),
            Some("a private key")
        );
        // Written with `\n` escapes inside a JSON or YAML string.
        assert!(high_signal("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n").is_some());
        // A script that echoes the marker lines and strips them from a mounted file.
        let script = "echo \"-----BEGIN OPENSSH PRIVATE KEY-----\"\ncat /ssh/id_ed25519 | sed 's/-----BEGIN OPENSSH PRIVATE KEY-----//'\necho \"-----END OPENSSH PRIVATE KEY-----\"";
        assert_eq!(high_signal(script), None);
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
    fn names_values_and_shapes() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(secret_name("stripe-secret-key"));
        assert!(secret_name("GITHUB_TOKEN"));
        assert!(!secret_name("PASSWORD_FILE"));
        assert!(!secret_name("AWS_ACCESS_KEY_ID"));
        assert!(!secret_name("TOKEN_TTL"));
        assert!(!secret_name("LOG_LEVEL"));
        // Tekton's ConfigMaps: the namespace a token Secret lives in, and a switch.
        assert!(!secret_name("api-token-secret-namespace"));
        assert!(!secret_name("require-git-ssh-secret-known-hosts"));
        assert!(placeholder("\"false\""));
        assert!(placeholder("${DB_PASSWORD}"));
        assert!(placeholder("changeme"));
        assert!(placeholder("<your password>"));
        assert!(placeholder("# enter your OpenRouter API key"));
        assert!(!placeholder("hunter2-prod"));
        assert_eq!(
            high_signal("AKIAZ4XJ3Q2V7WBN5K6P"),
            Some("an AWS access key id")
        );
        assert_eq!(high_signal("AKIAIOSFODNN7EXAMPLE"), None);
        assert!(placeholder("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
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

    #[test]
    fn a_file_path_names_where_the_secret_is_not_what_it_is() {
        assert!(placeholder("/run/secrets/db_password"));
        assert!(placeholder(
            "/ziti-router/${ZITI_ROUTER_NAME:-zrok2-router}.jwt"
        ));
        assert!(!placeholder("/aGVsbG8gd29ybGQ="));
        assert!(!placeholder("s3cr3t-${SUFFIX}"));
    }
}
