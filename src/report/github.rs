//! GitHub Actions workflow commands. A step shows at most 10 annotations per level, so the
//! most severe come first; values are escaped as the Actions toolkit escapes them.

use crate::diagnostic::Outcome;
use crate::diagnostic::Severity;

/// The toolkit's escaping, after the other control characters are shown escaped (the
/// runner would pass ESC and BEL on to the log viewer).
fn escape_data(s: &str) -> String {
    super::safe::line(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
    .into_owned()
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let mut diags: Vec<_> = outcome.diagnostics.iter().collect();
    diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let mut s = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let l = &d.location;
        let mut props = vec![
            format!("file={}", escape_property(&l.path)),
            format!("line={}", l.line),
        ];
        // Columns only make sense when the finding stays on one line.
        if l.end_line == l.line {
            props.push(format!("col={}", l.column));
            props.push(format!("endColumn={}", l.end_column));
        }
        props.push(format!("endLine={}", l.end_line));
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.name))
        ));
        s.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&format!("{} (help: {})", d.message, d.help))
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_data("x\x1b[2J\x07"), "x\\u{1b}[2J\\u{7}");
    }
}
