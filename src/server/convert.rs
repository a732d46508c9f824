//! rollsafe's diagnostics as LSP diagnostics: 1-based character columns become 0-based
//! positions in the encoding negotiated with the client (UTF-16 unless the client offers
//! UTF-32 or UTF-8).

use lsp_types as lsp;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The client's preference among what it offers; UTF-16 when it says nothing (the
    /// protocol's default).
    pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        // Columns count characters: UTF-32 needs no conversion at all.
        if offered.contains(&lsp::PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else if offered.contains(&lsp::PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> lsp::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// The LSP position of a 1-based line and 1-based character column of `src`.
pub fn position(
    src: Option<&SourceFile>,
    enc: Encoding,
    line: usize,
    column: usize,
) -> lsp::Position {
    let line0 = line.saturating_sub(1);
    let chars = column.saturating_sub(1);
    let character = match (src, enc) {
        (Some(src), Encoding::Utf8 | Encoding::Utf16) if line0 < src.line_count() => src
            .line_text(line)
            .chars()
            .take(chars)
            .map(|c| enc.units(c))
            .sum::<usize>(),
        _ => chars,
    };
    lsp::Position::new(line0 as u32, character as u32)
}

/// The 1-based line and character column of an LSP position in `src`.
pub fn line_column(src: &SourceFile, enc: Encoding, pos: lsp::Position) -> (usize, usize) {
    let line = pos.line as usize + 1;
    if line > src.line_count() {
        return (line, 1);
    }
    let mut units = 0;
    let mut column = 1;
    for c in src.line_text(line).chars() {
        if units >= pos.character as usize {
            break;
        }
        units += enc.units(c);
        column += 1;
    }
    (line, column)
}

pub fn range(src: Option<&SourceFile>, enc: Encoding, l: &Location) -> lsp::Range {
    lsp::Range::new(
        position(src, enc, l.line, l.column),
        position(src, enc, l.end_line, l.end_column),
    )
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// One finding as the client shows it. `source_of` gives the text of another file of the
/// project (for related locations); `uri_of` names a project path.
pub fn diagnostic(
    d: &Diagnostic,
    enc: Encoding,
    source_of: &dyn Fn(&str) -> Option<std::sync::Arc<SourceFile>>,
    uri_of: &dyn Fn(&str) -> Option<lsp::Url>,
) -> lsp::Diagnostic {
    let own = d.source.clone().or_else(|| source_of(&d.location.path));
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        // A place in the previous release is not in any file the editor has.
        .filter(|r| !r.in_base)
        .filter_map(|r| {
            let src = source_of(&r.path);
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri_of(&r.path)?, range(src.as_deref(), enc, r)),
                message: r.message.clone().unwrap_or_else(|| "related".into()),
            })
        })
        .collect();
    // An unused suppression is code that does nothing: editors fade it.
    let tags = (d.code == "E005" && d.message.ends_with("suppresses nothing"))
        .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]);
    lsp::Diagnostic {
        range: range(own.as_deref(), enc, &d.location),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: lsp::Url::parse(&crate::report::help_uri(d.code, d.name))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("rollsafe".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_characters_and_positions_are_code_units() {
        let src = SourceFile::new("a.yaml", "x: \"é😀\" # here\n".to_string());
        // Column 8 is the character after the closing quote: é is one UTF-16 unit and
        // two bytes, 😀 two units and four bytes.
        let at = |enc| position(Some(&src), enc, 1, 8).character;
        assert_eq!(
            (at(Encoding::Utf32), at(Encoding::Utf16), at(Encoding::Utf8)),
            (7, 8, 11)
        );
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = position(Some(&src), enc, 1, 8);
            assert_eq!(line_column(&src, enc, p), (1, 8), "{enc:?}");
        }
    }
}
