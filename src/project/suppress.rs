//! Inline suppressions: `-- rollsafe: ignore[M101] reason` (SQL), `# rollsafe: ignore[K101]
//! reason` (YAML, env), `rollsafe: ignore-file[CODE] reason`, and for Kubernetes objects
//! the annotation `rollsafe.dev/ignore: "K101: reason"`. A reason is required.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, catalogue};
use crate::project::{FileKind, Project};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone)]
pub struct Suppression {
    pub path: String,
    pub source: Arc<SourceFile>,
    pub span: Span,
    pub codes: Vec<String>,
    /// Whole-file suppression.
    pub file: bool,
    /// First and last line it covers, or a byte range for annotations.
    pub lines: (usize, usize),
    pub range: Option<(usize, usize)>,
    pub reason: String,
    /// Written for another linter: a diesel-guard `-- safety-assured:start` … `end` block,
    /// which covers every migration rule and is never reported as unused.
    pub foreign: bool,
}

/// A malformed suppression (E005).
#[derive(Debug, Clone)]
pub struct BadSuppression {
    pub source: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

const MARK: &str = "rollsafe:";

fn comment_start(line: &str, kind: FileKind) -> Option<usize> {
    match kind {
        FileKind::Migration => line.find("--"),
        _ => line.find('#'),
    }
}

/// Line spans of the SQL statements of each migration file: a suppression written above a
/// multi-line statement covers the whole statement.
fn statement_lines(project: &Project) -> std::collections::HashMap<&str, Vec<(usize, usize)>> {
    let mut map: std::collections::HashMap<&str, Vec<(usize, usize)>> = Default::default();
    for m in project.migrations() {
        for (p, st) in m.up_statements().chain(m.down_statements()) {
            let src = &p.file.source;
            map.entry(src.path.as_str())
                .or_default()
                .push((src.pos(st.start).line, src.pos(st.end).line));
        }
    }
    map
}

pub fn collect(project: &Project) -> (Vec<Suppression>, Vec<BadSuppression>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    // Statement spans only matter in migrations that hold a suppression.
    let statements = if project
        .sources
        .values()
        .any(|(s, k)| *k == FileKind::Migration && s.text.contains(MARK))
    {
        statement_lines(project)
    } else {
        Default::default()
    };
    let mut paths: Vec<&String> = project.sources.keys().collect();
    paths.sort();
    for &path in &paths {
        let (src, kind) = &project.sources[path];
        if !src.text.contains(MARK) {
            continue;
        }
        for line_no in 1..=src.line_count() {
            let line = src.line_text(line_no);
            let Some(c) = comment_start(line, *kind) else {
                continue;
            };
            let comment = &line[c..];
            let Some(m) = comment.find(MARK) else {
                continue;
            };
            let body = comment[m + MARK.len()..].trim_start();
            let (line_start, _) = src.line_range(line_no);
            let span = src.span(line_start + c + m, line_start + line.len());
            // Covers its own line and the next one — or, in SQL, the whole statement that
            // starts there.
            let last = statements
                .get(path.as_str())
                .and_then(|v| v.iter().find(|(s, _)| *s == line_no || *s == line_no + 1))
                .map(|(_, e)| *e)
                .unwrap_or(line_no + 1)
                .max(line_no + 1);
            let before = good.len();
            parse_one(body, src, span, line_no, None, &mut good, &mut bad);
            if let Some(s) = good.get_mut(before) {
                s.lines = (line_no, last);
            }
        }
    }
    for path in &paths {
        let (src, kind) = &project.sources[path.as_str()];
        if *kind == FileKind::Migration && src.text.contains(ASSURED_START) {
            good.extend(safety_assured(src));
        }
    }
    for mf in &project.manifests {
        for obj in &mf.objects {
            let Some(value) = obj.annotation("rollsafe.dev/ignore") else {
                continue;
            };
            let node = obj
                .node
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("rollsafe.dev/ignore"));
            let at = node.map(|n| n.pos.offset).unwrap_or(obj.range.0);
            let span = mf
                .source
                .span(at, at + node.map(|n| n.pos.len).unwrap_or(0));
            for entry in value.split([';', '\n']).filter(|e| !e.trim().is_empty()) {
                let (codes, reason) = entry.split_once(':').unwrap_or((entry, ""));
                let body = format!("ignore[{}] {}", codes.trim(), reason.trim());
                parse_one(
                    &body,
                    &mf.source,
                    span,
                    0,
                    Some(obj.range),
                    &mut good,
                    &mut bad,
                );
            }
        }
    }
    (good, bad)
}

const ASSURED_START: &str = "safety-assured:start";
const ASSURED_END: &str = "safety-assured:end";

/// diesel-guard's `-- safety-assured:start` … `-- safety-assured:end` blocks: the author
/// has checked the statements inside and says so in the migration (crates.io writes why:
/// "The previous release stopped reading and writing `checksum` entirely"). rollsafe
/// respects the assurance as it respects its own suppressions. An unclosed block runs to
/// the end of the file.
fn safety_assured(src: &Arc<SourceFile>) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Span)> = None;
    for line_no in 1..=src.line_count() {
        let line = src.line_text(line_no);
        let Some(c) = line.find("--") else {
            continue;
        };
        let comment = line[c + 2..].trim();
        if comment.starts_with(ASSURED_START) && open.is_none() {
            let (line_start, _) = src.line_range(line_no);
            open = Some((line_no, src.span(line_start + c, line_start + line.len())));
        } else if comment.starts_with(ASSURED_END)
            && let Some((first, span)) = open.take()
        {
            out.push(assured(src, span, first, line_no));
        }
    }
    if let Some((first, span)) = open {
        out.push(assured(src, span, first, src.line_count()));
    }
    out
}

fn assured(src: &Arc<SourceFile>, span: Span, first: usize, last: usize) -> Suppression {
    Suppression {
        path: src.path.clone(),
        source: src.clone(),
        span,
        codes: Vec::new(),
        file: false,
        lines: (first, last),
        range: None,
        reason: "asserted safe in a diesel-guard safety-assured block".into(),
        foreign: true,
    }
}

fn parse_one(
    body: &str,
    src: &Arc<SourceFile>,
    span: Span,
    line: usize,
    range: Option<(usize, usize)>,
    good: &mut Vec<Suppression>,
    bad: &mut Vec<BadSuppression>,
) {
    let mut err = |message: String| {
        bad.push(BadSuppression {
            source: src.clone(),
            span,
            message,
        })
    };
    let (file, rest) = if let Some(r) = body.strip_prefix("ignore-file[") {
        (true, r)
    } else if let Some(r) = body.strip_prefix("ignore[") {
        (false, r)
    } else {
        err("suppression must read `rollsafe: ignore[CODE] reason` or `rollsafe: ignore-file[CODE] reason`".into());
        return;
    };
    let Some((codes, reason)) = rest.split_once(']') else {
        err("suppression is missing its closing `]`".into());
        return;
    };
    let codes: Vec<String> = codes
        .split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let reason = reason
        .trim()
        .trim_start_matches(['-', ':'])
        .trim()
        .to_string();
    if codes.is_empty() {
        err("suppression names no rule code".into());
        return;
    }
    if let Some(unknown) = codes.iter().find(|c| catalogue::find(c).is_none()) {
        err(format!("suppression names unknown rule `{unknown}`"));
        return;
    }
    if reason.is_empty() {
        err(format!(
            "suppression of {} gives no reason; write why the finding is safe to ignore after the `]`",
            codes.join(", ")
        ));
        return;
    }
    good.push(Suppression {
        path: src.path.clone(),
        source: src.clone(),
        span,
        codes,
        file,
        lines: (line, line + 1),
        range,
        reason,
        foreign: false,
    });
}

/// Removes suppressed diagnostics; also says which suppressions were used.
pub fn apply(diags: Vec<Diagnostic>, sups: &[Suppression]) -> (Vec<Diagnostic>, Vec<bool>) {
    let mut used = vec![false; sups.len()];
    let kept = diags
        .into_iter()
        .filter(|d| {
            let hit = sups.iter().position(|s| {
                s.path == d.location.path
                    && (s.codes.iter().any(|c| c == d.code)
                        || (s.foreign && d.code.starts_with('M')))
                    && (s.file
                        || match s.range {
                            Some((a, b)) => d.location.offset >= a && d.location.offset < b,
                            None => d.location.line >= s.lines.0 && d.location.line <= s.lines.1,
                        })
            });
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        })
        .collect();
    (kept, used)
}
