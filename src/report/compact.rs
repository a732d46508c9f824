//! `path:line:col: severity[CODE] message` — the form problem matchers and errorformat read.

use crate::check::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut s = String::new();
    for d in &outcome.diagnostics {
        let l = &d.location;
        s.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            l.path,
            l.line,
            l.column,
            d.severity.as_str(),
            d.code,
            d.message
        ));
    }
    s
}
