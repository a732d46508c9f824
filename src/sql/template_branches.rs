//! Go-template conditionals that choose SQL by database: focalboard's migrations (morph)
//! write `{{if .mysql}} … {{end}}{{if .postgres}} … {{end}}{{if .sqlite}} … {{else}} … {{end}}`
//! in one file, and the runner renders it with the flag of the database it migrates
//! (`.mysql`, `.postgres`, `.sqlite`). Read as they stand, every branch would run one
//! after the other (a table "created" three times). Here the branches the file's dialect
//! does not take are blanked, byte for byte (newlines kept, so every offset and line stays
//! exact), and so are the actions and template comments themselves.
//!
//! A condition that names no database (`.plugin`) cannot be decided: the first such branch
//! of a chain is read and the others are not, as one rendering would.

use super::Dialect;

/// The text with the untaken branches blanked, or `None` when it has no conditional.
pub fn select(text: &str, dialect: Dialect) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let actions = actions(text);
    if !actions
        .iter()
        .any(|a| matches!(a.kind, Act::If(_) | Act::Comment))
    {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    // Per open block: whether a branch was taken already, and whether the text now read
    // is blanked (a block inside a blanked one stays blanked).
    struct Open {
        conditional: bool,
        taken: bool,
        outer_blank: bool,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut blank = false;
    let mut from = 0;
    for a in &actions {
        if blank {
            blank_range(&mut out, from, a.start);
        }
        blank_range(&mut out, a.start, a.end);
        from = a.end;
        match &a.kind {
            Act::Comment | Act::Other => {}
            Act::Block => stack.push(Open {
                conditional: false,
                taken: true,
                outer_blank: blank,
            }),
            Act::If(cond) => {
                let take = decide(cond, dialect);
                stack.push(Open {
                    conditional: true,
                    taken: take,
                    outer_blank: blank,
                });
                blank = blank || !take;
            }
            Act::Else(cond) => {
                if let Some(top) = stack.last_mut().filter(|o| o.conditional) {
                    let take = !top.taken && cond.as_ref().is_none_or(|c| decide(c, dialect));
                    top.taken |= take;
                    blank = top.outer_blank || !take;
                }
            }
            Act::End => {
                if let Some(top) = stack.pop() {
                    blank = top.outer_blank;
                }
            }
        }
    }
    if blank {
        let len = out.len();
        blank_range(&mut out, from, len);
    }
    String::from_utf8(out).ok()
}

/// Whether a branch with this condition is read: decided by the dialect where the
/// condition names databases only, read (as the first undecidable one) otherwise.
fn decide(cond: &str, dialect: Dialect) -> bool {
    let tokens: Vec<&str> = cond
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .collect();
    eval(&mut tokens.iter().copied().peekable(), dialect).unwrap_or(true)
}

/// Go template's prefix calls (`and A B`, `or A B`, `not A`) over dialect flags; `None`
/// where any operand is not a dialect flag.
fn eval<'a>(
    tokens: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
    dialect: Dialect,
) -> Option<bool> {
    let t = tokens.next()?;
    match t {
        "not" => eval(tokens, dialect).map(|v| !v),
        "and" | "or" => {
            let mut values = Vec::new();
            while tokens.peek().is_some() {
                values.push(eval(tokens, dialect));
            }
            if values.len() < 2 {
                return None;
            }
            // A decided operand can settle the call alone (`and .mysql .plugin` on
            // PostgreSQL is false whatever `.plugin` is).
            let settle = t == "or";
            if values.contains(&Some(settle)) {
                return Some(settle);
            }
            values
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(|_| !settle)
        }
        flag => {
            let named = Dialect::parse(flag.strip_prefix('.')?)?;
            Some(named == dialect)
        }
    }
}

enum Act {
    If(String),
    Else(Option<String>),
    End,
    /// `range`, `with`, `define`, `block`: closed by `end` too.
    Block,
    Comment,
    Other,
}

struct Action {
    start: usize,
    end: usize,
    kind: Act,
}

/// Every `{{ … }}` action outside SQL comments and strings, with what it does.
fn actions(text: &str) -> Vec<Action> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'{' {
            let Some(close) = text[i + 2..].find("}}") else {
                break;
            };
            let end = i + 2 + close + 2;
            let inner = text[i + 2..end - 2]
                .trim_start_matches('-')
                .trim_end_matches('-')
                .trim();
            let word = inner.split_whitespace().next().unwrap_or("");
            let rest = inner[word.len()..].trim().to_string();
            let kind = if inner.starts_with("/*") {
                Act::Comment
            } else {
                match word {
                    "if" => Act::If(rest),
                    "else" if rest.starts_with("if ") => Act::Else(Some(rest[3..].to_string())),
                    "else" => Act::Else(None),
                    "end" => Act::End,
                    "range" | "with" | "define" | "block" => Act::Block,
                    _ => Act::Other,
                }
            };
            // Expressions (`{{.prefix}}`) are left for the placeholders.
            if !matches!(kind, Act::Other) {
                out.push(Action {
                    start: i,
                    end,
                    kind,
                });
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn blank_range(out: &mut [u8], start: usize, end: usize) {
    for byte in &mut out[start..end] {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "{{- /* new key */ -}}\n{{if .mysql}}\nALTER TABLE {{.prefix}}blocks DROP PRIMARY KEY;\n{{end}}\n{{if .postgres}}\nALTER TABLE {{.prefix}}blocks DROP CONSTRAINT blocks_pkey1;\n{{end}}\n{{if .sqlite}}\nCREATE TABLE b2 (id int);\n{{else}}\nCREATE INDEX i ON b (id);\n{{end}}\n{{if and .mysql .plugin}}\nSELECT 1;\n{{end}}\n";

    #[test]
    fn only_the_dialects_branches_are_read_at_the_same_offsets() {
        let pg = select(FILE, Dialect::Postgres).unwrap();
        assert_eq!(pg.len(), FILE.len());
        assert_eq!(pg.lines().count(), FILE.lines().count());
        assert!(pg.contains("DROP CONSTRAINT blocks_pkey1;"));
        assert!(pg.contains("CREATE INDEX i ON b (id);"));
        assert!(!pg.contains("DROP PRIMARY KEY"));
        assert!(!pg.contains("CREATE TABLE b2"));
        assert!(!pg.contains("SELECT 1"));
        assert!(!pg.contains("{{if") && !pg.contains("/*"));
        // The expression is left for the placeholders.
        assert!(pg.contains("{{.prefix}}blocks DROP CONSTRAINT"));
        let my = select(FILE, Dialect::Mysql).unwrap();
        assert!(my.contains("DROP PRIMARY KEY") && my.contains("SELECT 1"));
        let lite = select(FILE, Dialect::Sqlite).unwrap();
        assert!(lite.contains("CREATE TABLE b2") && !lite.contains("CREATE INDEX i"));
    }

    #[test]
    fn undecidable_chains_read_their_first_branch_and_plain_files_are_left() {
        let t = "{{if .singleUser}}\nA;\n{{else if .plugin}}\nB;\n{{else}}\nC;\n{{end}}";
        let out = select(t, Dialect::Postgres).unwrap();
        assert!(out.contains("A;") && !out.contains("B;") && !out.contains("C;"));
        assert!(select("select {{ .x }} from t;", Dialect::Postgres).is_none());
        assert!(select("select 1;", Dialect::Postgres).is_none());
        let nested = "{{if .mysql}}{{range .x}}A;{{end}}B;{{end}}C;";
        let out = select(nested, Dialect::Postgres).unwrap();
        assert!(!out.contains("A;") && !out.contains("B;") && out.contains("C;"));
    }
}
