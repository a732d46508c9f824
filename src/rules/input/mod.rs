//! E rules: rollsafe's own input errors. The loader records problems while it reads
//! files; each rule turns its own kind into diagnostics.

pub mod duplicate_key;
pub mod file_skipped;
pub mod invalid_suppression;
pub mod invalid_syntax;
pub mod remote_reference;
pub mod statement_not_checked;
pub mod unresolved_reference;

use crate::diagnostic::Diagnostic;
use crate::rules::ProjectCx;
use crate::rules::RuleMeta;

/// Reports the head's loader problems recorded under `meta.code`.
pub fn report_problems(meta: &'static RuleMeta, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
    for p in cx
        .head
        .problems
        .iter()
        .filter(|p| p.code.code() == meta.code)
    {
        let d = match (&p.source, p.span) {
            (Some(src), Some(span)) => {
                let anchor = format!(
                    "{}|{}",
                    p.message,
                    &src.text[span.start.offset..span.end.offset]
                );
                Diagnostic::new(meta, src, span, p.message.clone(), p.help.clone(), anchor)
            }
            _ => Diagnostic::at_path(meta, &p.path, p.message.clone(), p.help.clone()),
        };
        out.push(match p.severity {
            Some(s) => d.with_severity(s),
            None => d,
        });
    }
}
