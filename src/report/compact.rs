//! `path:line:col: severity[CODE] message` — the form problem matchers and errorformat read.
//! One finding is one line: control characters in paths and messages are escaped.

use super::safe::line;
use crate::diagnostic::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut s = String::new();
    for d in &outcome.diagnostics {
        let l = &d.location;
        s.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            line(&l.path),
            l.line,
            l.column,
            d.severity.as_str(),
            d.code,
            line(&d.message)
        ));
    }
    s
}
