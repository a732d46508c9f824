//! Template expressions filled in before the SQL reaches the database: Go templates
//! (`{{ … }}`, pop/fizz and goose), Flyway `${placeholder}`, Liquibase `${property}`, goose
//! `ENVSUB` `${VAR}`. Each is replaced, byte for byte, by SQL of the kind its place calls
//! for, so the statement is still read and checked and every offset stays exact:
//! - a schema (followed by `.`): a name of underscores only, which `table_key` drops like
//!   `public`, so `{{ .Schema }}.users` is the table `users` in every migration;
//! - a value (after `=`, `DEFAULT`, an operator, …): a string literal, a constant;
//! - a name otherwise (table, column, index): an identifier derived from the expression's
//!   text, the same in every file that writes the same expression.
//!
//! Comments, string literals and dollar-quoted bodies are left as they are.

/// What a template expression stands for, from its place in the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Schema,
    Name,
    Value,
}

/// Whether `name` is the placeholder of a templated schema.
pub fn is_schema_placeholder(name: &str) -> bool {
    name.len() >= 3 && name.bytes().all(|b| b == b'_')
}

/// The text with every template expression replaced (same length), or `None` when there
/// is none.
pub fn fill(text: &str) -> Option<String> {
    fill_recording(text, &mut Vec::new())
}

/// The names that stand for template expressions in `text` (placeholder, expression),
/// longest first, so that messages can show `{{.prefix}}blocks` rather than the
/// placeholder `_b90b6753c9blocks` the checks read.
pub fn names(text: &str) -> Vec<(String, String)> {
    let mut ranges = Vec::new();
    let Some(out) = fill_recording(text, &mut ranges) else {
        return Vec::new();
    };
    let mut pairs: Vec<(String, String)> = ranges
        .into_iter()
        .filter(|&(start, end)| kind_at(text, start, end) == Kind::Name && end - start >= 5)
        .map(|(start, end)| (out[start..end].to_string(), text[start..end].to_string()))
        .collect();
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
    pairs.dedup();
    pairs
}

fn fill_recording(text: &str, ranges: &mut Vec<(usize, usize)>) -> Option<String> {
    if !text.contains("{{") && !text.contains("${") {
        return None;
    }
    let b = text.as_bytes();
    let mut out: Vec<u8> = b.to_vec();
    let mut found = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            // A Liquibase `--rollback` line holds SQL: read on after its keyword.
            b'-' if b.get(i + 1) == Some(&b'-') && is_rollback(&b[i + 2..]) => i += 2,
            b'-' if b.get(i + 1) == Some(&b'-') => i = skip_until(b, i + 2, b"\n"),
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_until(b, i + 2, b"*/"),
            b'\'' => i = skip_quoted(b, i + 1, b'\''),
            // An expression closes on its line (`${…}`) or within a few lines (`{{ … }}`);
            // an unclosed opener is left alone rather than taking the rest of the file.
            b'$' if b.get(i + 1) == Some(&b'{') => match closing(b, i + 2, b"}", 200) {
                Some(end) => {
                    write_placeholder(&mut out, text, i, end);
                    ranges.push((i, end));
                    found = true;
                    i = end;
                }
                None => i += 2,
            },
            b'$' => match dollar_tag(b, i) {
                Some(tag) => i = skip_until(b, i + tag.len(), tag),
                None => i += 1,
            },
            b'{' if b.get(i + 1) == Some(&b'{') => match closing(b, i + 2, b"}}", 500) {
                Some(end) => {
                    write_placeholder(&mut out, text, i, end);
                    ranges.push((i, end));
                    found = true;
                    i = end;
                }
                None => i += 2,
            },
            _ => i += 1,
        }
    }
    // Only ASCII was written over whole ASCII-delimited ranges: still UTF-8.
    found.then(|| String::from_utf8(out).ok()).flatten()
}

/// Whether a line comment's text (after `--`) is a Liquibase `rollback` line.
fn is_rollback(rest: &[u8]) -> bool {
    let t = rest.trim_ascii_start();
    t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"rollback")
}

/// Index just past the first `end` at or after `i` (or the text's end).
fn skip_until(b: &[u8], i: usize, end: &[u8]) -> usize {
    let mut j = i;
    while j + end.len() <= b.len() {
        if &b[j..j + end.len()] == end {
            return j + end.len();
        }
        j += 1;
    }
    b.len()
}

/// Index just past `end` when it comes within `limit` bytes of `i` (and, for a one-byte
/// `}`, on the same line).
fn closing(b: &[u8], i: usize, end: &[u8], limit: usize) -> Option<usize> {
    let window = &b[i..(i + limit).min(b.len())];
    let at = window.windows(end.len()).position(|w| w == end)?;
    (end.len() > 1 || !window[..at].contains(&b'\n')).then_some(i + at + end.len())
}

/// Index just past the closing quote (a doubled quote is part of the text).
fn skip_quoted(b: &[u8], mut i: usize, q: u8) -> usize {
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// `$tag$` or `$$` opening a dollar-quoted body at `i`.
fn dollar_tag(b: &[u8], i: usize) -> Option<&[u8]> {
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    let tag_ok = j == i + 1 || !b[i + 1].is_ascii_digit();
    (b.get(j) == Some(&b'$') && tag_ok).then(|| &b[i..=j])
}

fn kind_at(text: &str, start: usize, end: usize) -> Kind {
    let after = text[end..].trim_start();
    if after.starts_with('.') {
        return Kind::Schema;
    }
    let before = text[..start].trim_end();
    let prev_word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let value_word = matches!(
        prev_word.as_str(),
        "DEFAULT" | "LIMIT" | "OFFSET" | "THEN" | "ELSE" | "WHEN" | "LIKE"
    ) && before.ends_with(|c: char| c.is_ascii_alphabetic());
    let value_punct = before.ends_with(['=', '<', '>', '+', '*', '/', '|']);
    if value_word || value_punct {
        Kind::Value
    } else {
        Kind::Name
    }
}

fn write_placeholder(out: &mut [u8], text: &str, start: usize, end: usize) {
    let len = end - start;
    let filler: Vec<u8> = match kind_at(text, start, end) {
        Kind::Schema => vec![b'_'; len],
        Kind::Value => {
            let mut v = vec![b'_'; len];
            v[0] = b'\'';
            if len > 1 {
                v[len - 1] = b'\'';
            }
            v
        }
        Kind::Name => {
            // `_` then the expression's hash: the same expression gives the same name.
            let hash = format!("{:016x}", crate::diagnostic::fnv1a(&text[start..end]));
            let mut v = vec![b'_'; len];
            for (slot, h) in v.iter_mut().skip(1).zip(hash.bytes()) {
                *slot = h;
            }
            if len > 1 && v[1..].iter().all(|b| *b == b'_') {
                v[1] = b't';
            }
            v
        }
    };
    out[start..end].copy_from_slice(&filler);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_become_sql_of_their_kind_at_the_same_offsets() {
        let text = "alter table {{ index .Options \"Namespace\" }}.sessions add column c int default ${flyway:x};\ncreate index i on ${table} (a); -- {{ not me }}\nselect '{{ nor me }}', $$ ${body} $$;";
        let out = fill(text).unwrap();
        assert_eq!(out.len(), text.len());
        let schema = &out[12..44];
        assert!(is_schema_placeholder(schema), "{schema}");
        assert!(out.contains("default '_________'"), "{out}");
        let table_at = text.find("${table}").unwrap();
        let name = &out[table_at..table_at + 8];
        assert!(
            name.starts_with('_') && !is_schema_placeholder(name),
            "{name}"
        );
        assert!(out.contains("-- {{ not me }}"));
        assert!(out.contains("'{{ nor me }}'"));
        assert!(out.contains("$$ ${body} $$"));
        assert!(fill("select 1;").is_none());
        assert!(fill("select '1' -- ${\nfrom t;").is_none());
        assert!(fill("select ${ \nfrom t; {{ x").is_none());
        let lb = fill("--rollback DROP TABLE ${schema}.t;").unwrap();
        assert!(lb.contains("DROP TABLE _________.t"), "{lb}");
    }

    #[test]
    fn names_map_placeholders_back_to_their_expressions() {
        let text = "ALTER TABLE {{.prefix}}blocks ADD c int DEFAULT {{ .value }};";
        let names = names(text);
        assert_eq!(names.len(), 1, "{names:?}");
        let (placeholder, expression) = &names[0];
        assert_eq!(expression, "{{.prefix}}");
        assert!(
            fill(text)
                .unwrap()
                .contains(&format!("{placeholder}blocks"))
        );
    }

    #[test]
    fn the_same_expression_gives_the_same_name() {
        let a = fill("create index i on {{ .T }} (a);").unwrap();
        let b = fill("drop table {{ .T }};").unwrap();
        let name = |s: &str, at: usize| s[at..at + 8].to_string();
        assert_eq!(name(&a, 18), name(&b, 11));
    }
}
