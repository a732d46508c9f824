//! S303: a key set twice in one env file. Readers disagree on which wins (compose and
//! most dotenv libraries keep the last, some the first), so the file says two things.
//! A bare `NAME` or `export NAME` line assigns nothing and is not a second setting.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct EnvDuplicateKey;

static META: RuleMeta = RuleMeta {
    code: "S303",
    name: "env-duplicate-key",
    domain: Domain::Secrets,
    severity: Severity::Warning,
    summary: "An env file sets the same key twice.",
    needs_base: false,
};

impl Rule for EnvDuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for f in &cx.head.env_files {
            let src = &f.source;
            // The first line of each key, found in one pass (a search of the earlier lines
            // per line is quadratic in the file).
            let mut firsts = std::collections::HashMap::new();
            for v in f.env.vars.iter().filter(|v| !v.is_bare()) {
                let first = *firsts.entry(v.key.as_str()).or_insert(v);
                if std::ptr::eq(first, v) {
                    continue;
                }
                let first_line = src.pos(first.key_range.0).line;
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        src.span(v.key_range.0, v.key_range.1),
                        format!("`{}` is set again (first on line {first_line}): compose keeps this value, other readers the first", v.key),
                        "keep one line per key",
                        v.key.clone(),
                    )
                    .with_related(Location::new(src, src.span(first.key_range.0, first.key_range.1)).with_message("first set here")),
                );
            }
        }
    }
}
