//! Where credentials sit in any text — a file that did not parse, a SQL comment, an API
//! example, a diagnostic message — so that the reports can mask them whatever rule the
//! finding is for. It judges with S401's detector (`secrets::classify`): a token whose
//! shape is a credential, a URL with a password, a secret-like name followed by `:` or
//! `=` and a literal value. It adds what only shows in free text: SQL `PASSWORD '…'`
//! and `IDENTIFIED BY '…'`, JSON Web Tokens, private key blocks, and single-quoted
//! literals that look generated (an AWS secret access key in an `INSERT`).
//!
//! It works on lines and tokens, never on a parse, so it is linear in the text and
//! cannot fail.

use super::{char_classes, classify};

/// Byte ranges (on char boundaries, sorted, possibly overlapping) of credential values in
/// `text`.
pub fn credential_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut in_key: Option<usize> = None;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        // A private key block: everything between its BEGIN and END lines.
        if let Some(from) = in_key {
            if line.contains("-----END") {
                out.push((from, start));
                in_key = None;
            }
            continue;
        }
        // The marker line alone (its key material follows): masking errs on the side of
        // hiding, so any marker starts a block.
        if line.contains("-----BEGIN") && line.contains("PRIVATE KEY") {
            in_key = Some(start + line.len());
            continue;
        }
        scan_line(line, start, &mut out);
    }
    if let Some(from) = in_key {
        out.push((from, text.len()));
    }
    out.retain(|(s, e)| e > s);
    out.sort_unstable();
    out.dedup();
    out
}

/// Characters that end a bare token: space and the punctuation around values in YAML,
/// JSON, SQL and shell.
fn ends_token(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\'' | '"' | '`' | ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>'
        )
}

fn scan_line(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    // Bare tokens whose shape is a credential.
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let skip = rest.find(|c: char| !ends_token(c)).unwrap_or(rest.len());
        i += skip;
        let rest = &line[i..];
        let len = rest.find(ends_token).unwrap_or(rest.len());
        if len > 0 {
            let token = &rest[..len];
            if classify("", token).is_some() || jwt(token) {
                out.push((base + i, base + i + len));
            }
        }
        i += len;
    }
    named_values(line, base, out);
    sql_passwords(line, base, out);
    generated_literals(line, base, out);
}

/// A JSON Web Token: `eyJ…` header and payload, then a signature, base64url.
fn jwt(token: &str) -> bool {
    let Some(at) = token.find("eyJ") else {
        return false;
    };
    let parts: Vec<&str> = token[at..].split('.').collect();
    let b64url = |p: &str| {
        p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '=')
    };
    parts.len() == 3
        && parts[1].starts_with("eyJ")
        && parts[0].len() >= 10
        && parts[1].len() >= 10
        && parts.iter().all(|p| b64url(p))
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `NAME: value`, `NAME=value`, `"name": "value"`: the value, when S401 would call it a
/// secret by its name.
fn named_values(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_key_char(bytes[i] as char) {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < bytes.len() && is_key_char(bytes[i] as char) {
            i += 1;
        }
        let key = &line[key_start..i];
        let mut j = i;
        if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
            j += 1;
        }
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let sep = bytes.get(j).copied();
        let next = bytes.get(j + 1).copied();
        let value_from = match (sep, next) {
            // `==` is a comparison, `=>` an arrow.
            (Some(b'='), n) if n != Some(b'=') && n != Some(b'>') => j + 1,
            // YAML and JSON: `key: value`, `"key":"value"`; not `http://`, `a::b`.
            (Some(b':'), None | Some(b' ' | b'\t' | b'"' | b'\'')) => j + 1,
            _ => continue,
        };
        let (s, e) = value_extent(line, value_from, sep == Some(b'='));
        if e > s && classify(key, &line[s..e]).is_some() {
            out.push((base + s, base + e));
        }
    }
}

/// Where a value starting at `from` ends: at its closing quote when quoted; otherwise
/// at a space after `=` (shell, SQL), at ` #`, `,` or `}` after `:` (YAML keeps spaces).
fn value_extent(line: &str, from: usize, after_equals: bool) -> (usize, usize) {
    let rest = &line[from..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let s = from + lead;
    let rest = &line[s..];
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &rest[1..];
        let len = body.find(q).unwrap_or(body.len());
        return (s + 1, s + 1 + len);
    }
    let len = if after_equals {
        rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '}' | ']' | '&'))
    } else {
        [rest.find(" #"), rest.find(','), rest.find('}')]
            .into_iter()
            .flatten()
            .min()
    }
    .unwrap_or(rest.len());
    let value = rest[..len].trim_end();
    (s, s + value.len())
}

/// SQL `PASSWORD 'secret'` (PostgreSQL, MySQL) and `IDENTIFIED BY 'secret'` (MySQL): the
/// literal, whatever it is.
fn sql_passwords(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let upper = line.to_ascii_uppercase();
    for keyword in ["PASSWORD", "IDENTIFIED BY", "IDENTIFIED WITH"] {
        let mut from = 0;
        while let Some(at) = upper[from..].find(keyword).map(|i| from + i) {
            from = at + keyword.len();
            let word_start = at == 0 || !is_key_char(upper.as_bytes()[at - 1] as char);
            if !word_start {
                continue;
            }
            // `IDENTIFIED WITH plugin BY 'x'`: the literal after the next `BY`.
            let mut i = from;
            if keyword == "IDENTIFIED WITH" {
                match upper[from..].find(" BY ") {
                    Some(by) => i = from + by + 4,
                    None => continue,
                }
            }
            let rest = &line[i..];
            let lead = rest.len() - rest.trim_start_matches([' ', '\t', '=']).len();
            if lead == 0 && keyword == "PASSWORD" {
                continue;
            }
            let s = i + lead;
            if let Some(q) = line[s..].chars().next().filter(|c| *c == '\'' || *c == '"') {
                let body = &line[s + 1..];
                let len = body.find(q).unwrap_or(body.len());
                out.push((base + s + 1, base + s + 1 + len));
            }
        }
    }
}

/// Single-quoted literals that look generated — 20 or more characters of a key alphabet
/// with upper case, lower case and digits, as S401 tells a generated value from one a
/// person chose: an AWS secret access key or an API key in a SQL `INSERT` has no name
/// to judge it by.
fn generated_literals(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let mut rest = line;
    let mut at = 0;
    while let Some(open) = rest.find('\'') {
        let body = &rest[open + 1..];
        let Some(len) = body.find('\'') else { break };
        let literal = &body[..len];
        let alphabet = literal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'));
        if literal.len() >= 20
            && alphabet
            && char_classes(literal) >= 3
            && literal.chars().any(|c| c.is_ascii_uppercase())
            && literal.chars().any(|c| c.is_ascii_lowercase())
            && literal.chars().any(|c| c.is_ascii_digit())
        {
            let s = at + open + 1;
            out.push((base + s, base + s + len));
        }
        let consumed = open + 1 + len + 1;
        at += consumed;
        rest = &rest[consumed..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Vec<&str> {
        credential_ranges(text)
            .iter()
            .map(|(s, e)| &text[*s..*e])
            .collect()
    }

    #[test]
    fn free_text_credentials_are_found() {
        assert_eq!(
            masked("-- admin password: sqlAPIkey_77aa\n"),
            ["sqlAPIkey_77aa"]
        );
        assert_eq!(
            masked(
                "ALTER USER app WITH PASSWORD 'Alter_99';\nCREATE ROLE r ENCRYPTED PASSWORD 'x';\n"
            ),
            ["Alter_99", "x"]
        );
        assert_eq!(
            masked("CREATE USER u IDENTIFIED WITH mysql_native_password BY 'My_1';"),
            ["My_1"]
        );
        assert_eq!(
            masked("INSERT INTO s VALUES ('aws', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');"),
            ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
        );
        assert_eq!(
            masked("example: {token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abc}"),
            ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abc"]
        );
        assert_eq!(
            masked("      POSTGRES_PASSWORD: [ComposePwd_88"),
            ["[ComposePwd_88"]
        );
        assert_eq!(
            masked(r#"{"password":"Json_Pw_12","user":"a"}"#),
            ["Json_Pw_12"]
        );
        assert_eq!(
            masked("url: postgres://app:Url_Pw_1@db/app # x"),
            ["postgres://app:Url_Pw_1@db/app"]
        );
        assert_eq!(
            masked(
                "k: v\n-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----\n"
            ),
            ["\nMIIEabc\n"]
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "ALTER TABLE users DROP COLUMN password;",
            "SELECT * FROM users WHERE password IS NULL;",
            "password: ${DB_PASSWORD}",
            "password_file: /run/secrets/db",
            "image: registry.example.com/app@sha256:0123456789abcdef0123456789abcdef",
            "$ref: '#/components/schemas/UserResponseV2'",
            "url: https://example.com:8443/a",
            "if a == b => c",
            "`DB_PASSWORD` (env of container `app`) is a secret by its name",
        ] {
            assert!(masked(text).is_empty(), "{text}: {:?}", masked(text));
        }
    }
}
