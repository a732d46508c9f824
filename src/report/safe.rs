//! What every report does to text it did not write itself: credentials in messages are
//! masked (all formats), and control characters are shown escaped (the text formats —
//! JSON escapes them already). A file's content or name must never move a terminal's
//! cursor, set its title, or start a GitHub Actions command on a line of its own.

use std::borrow::Cow;

use crate::credentials::text::credential_ranges;
use crate::diagnostic::Outcome;

/// Characters that a terminal or a log reader acts on instead of showing: C0 controls
/// but tab, DEL, C1 controls, and the bidirectional overrides that reorder a line.
pub fn is_unsafe(c: char) -> bool {
    (c < ' ' && c != '\t')
        || c == '\u{7f}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// How an unsafe character is shown: `\n`, `\r`, `\u{1b}`.
pub fn escaped(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        _ => c.escape_unicode().to_string(),
    }
}

/// `s` with every unsafe character escaped, for one line of text output (a path, a
/// message).
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every credential replaced by `*`, one per character.
pub fn mask(s: &str) -> Cow<'_, str> {
    let ranges = credential_ranges(s);
    if ranges.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c != '\n' && ranges.iter().any(|(a, b)| (*a..*b).contains(&i)) {
            out.push('*');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The outcome with credentials masked in every message and help text, so that no
/// format shows one, whatever rule quoted it (an E001 echoing the token it stopped at,
/// an E006 echoing a `$ref`).
pub fn masked(outcome: &Outcome) -> Cow<'_, Outcome> {
    let leaks = |s: &str| matches!(mask(s), Cow::Owned(_));
    let any = outcome.diagnostics.iter().any(|d| {
        leaks(&d.message)
            || leaks(&d.help)
            || d.related
                .iter()
                .any(|r| r.message.as_deref().is_some_and(leaks))
    });
    if !any {
        return Cow::Borrowed(outcome);
    }
    let mut o = outcome.clone();
    for d in &mut o.diagnostics {
        d.message = mask(&d.message).into_owned();
        d.help = mask(&d.help).into_owned();
        for r in &mut d.related {
            if let Some(m) = &mut r.message {
                *m = mask(m).into_owned();
            }
        }
    }
    Cow::Owned(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_escaped() {
        assert_eq!(
            line("a\nb\x1b]0;T\x07\tc\u{202e}"),
            "a\\nb\\u{1b}]0;T\\u{7}\tc\\u{202e}"
        );
        assert!(matches!(line("plain ünïcode\t"), Cow::Borrowed(_)));
    }

    #[test]
    fn credentials_in_messages_are_masked() {
        assert_eq!(
            mask("expected `;`, found: PASSWORD 'Hunter_22'"),
            "expected `;`, found: PASSWORD '*********'"
        );
    }
}
