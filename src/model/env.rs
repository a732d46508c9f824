//! `.env` files as docker compose reads them: `KEY=VALUE` lines, optional `export`,
//! quoted values, comments. Values are kept only as byte ranges, so that no report can
//! print a secret by accident.

use std::sync::Arc;

use crate::source::SourceFile;

/// An env file: its source and its parse.
#[derive(Debug, Clone)]
pub struct EnvFileParsed {
    pub source: Arc<SourceFile>,
    pub env: EnvFile,
}

#[derive(Debug, Clone)]
pub struct EnvVar {
    pub key: String,
    /// Byte range of the key and of the value in the file.
    pub key_range: (usize, usize),
    pub value_range: (usize, usize),
}

impl EnvVar {
    /// A name without `=` (`NAME`, `export NAME`): it assigns nothing in the file; the
    /// value comes from the environment (compose, godotenv) or, in a sourced shell file,
    /// the line only marks the variable for export.
    pub fn is_bare(&self) -> bool {
        self.value_range.0 == self.key_range.1
    }
}

#[derive(Debug, Clone)]
pub struct EnvError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct EnvFile {
    pub vars: Vec<EnvVar>,
    pub errors: Vec<EnvError>,
    /// Names of commented-out assignments (`# MCP_CORS_ORIGINS=*`): in a template, the
    /// settings it documents as optional, to uncomment when wanted.
    pub commented: Vec<String>,
}

/// `# NAME=…` (also `#NAME=`, `# export NAME=`) with an upper-case name: a setting
/// commented out, not prose (`# Note: see=…` has no such name before its `=`).
fn commented_assignment(comment: &str) -> Option<&str> {
    let body = comment.trim_start_matches('#').trim_start();
    let body = body.strip_prefix("export ").unwrap_or(body);
    let (name, _) = body.split_once('=')?;
    let upper = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    upper.then_some(name)
}

pub fn parse(text: &str) -> EnvFile {
    let mut out = EnvFile::default();
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &text[bom..];
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(raw) = lines.next() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            if let Some(name) = commented_assignment(trimmed) {
                out.commented.push(name.to_string());
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        let lead = line.len() - trimmed.len();
        let body = trimmed
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let body_start = line_start + lead + (trimmed.len() - body.len());
        let body = body.split(" #").next().unwrap_or(body).trim_end();
        let valid = |k: &str| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        };
        let Some(eq) = body.find('=') else {
            // A bare name takes its value from the environment (compose, godotenv).
            if valid(body) {
                out.vars.push(EnvVar {
                    key: body.to_string(),
                    key_range: (bom + body_start, bom + body_start + body.len()),
                    value_range: (bom + body_start + body.len(), bom + body_start + body.len()),
                });
            } else {
                out.errors.push(EnvError {
                    offset: bom + body_start,
                    len: body.len(),
                    message: "line is not `KEY=VALUE`".into(),
                });
            }
            continue;
        };
        let key = body[..eq].trim_end();
        let valid_key = valid(key);
        if !valid_key {
            out.errors.push(EnvError {
                offset: bom + body_start,
                len: key.len().max(1),
                message: format!("invalid variable name `{}`", key.escape_debug()),
            });
            continue;
        }
        let vstart = body_start + eq + 1;
        let value = &text[body_start + eq + 1..line_start + line.len()];
        let mut vend = vstart + value.len();
        let v = value.trim_start();
        if let Some(q @ ('"' | '\'')) = v.chars().next() {
            // A quoted value may span lines; find its closing quote.
            let qpos = vstart + (value.len() - v.len());
            let mut end = None;
            let rest = &text[qpos + 1..];
            let mut escaped = false;
            for (i, ch) in rest.char_indices() {
                if escaped {
                    escaped = false;
                    continue;
                }
                if ch == '\\' {
                    escaped = true;
                } else if ch == q {
                    end = Some(qpos + 1 + i + 1);
                    break;
                }
            }
            match end {
                Some(e) => {
                    vend = e;
                    while offset < e {
                        match lines.next() {
                            Some(l) => offset += l.len(),
                            None => break,
                        }
                    }
                }
                None => {
                    out.errors.push(EnvError {
                        offset: bom + qpos,
                        len: 1,
                        message: format!("unterminated {q}-quoted value of `{key}`"),
                    });
                    continue;
                }
            }
        }
        out.vars.push(EnvVar {
            key: key.to_string(),
            key_range: (bom + body_start, bom + body_start + key.len()),
            value_range: (bom + vstart, bom + vend),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vars_and_reports_bad_lines() {
        let f =
            parse("\u{feff}# c\nA=1\nexport B=\"x\ny\"\nnot a var\nINHERIT\nD='it\\'s'\nC='open\n");
        assert_eq!(
            f.vars.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
            ["A", "B", "INHERIT", "D"]
        );
        assert_eq!(f.errors.len(), 2);
        assert_eq!(f.errors[0].message, "line is not `KEY=VALUE`");
    }
}
