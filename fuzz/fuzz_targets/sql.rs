//! The SQL lexer and splitter, every dialect (postgres, mysql, sqlite) and the annotation
//! style the file's comments ask for: token and statement ranges lie inside the text on
//! char boundaries and come in order; an error points inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe::source::SourceFile;
use rollsafe::sql::{self, Annotations, Dialect, lexer};
use rollsafe_fuzz::assert_range;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lower = text.to_ascii_lowercase();
    let style = if lower.contains("+goose") {
        Annotations::Goose
    } else if lower.contains("migrate:up") || lower.contains("migrate:down") {
        Annotations::Dbmate
    } else if lower.contains("liquibase") || lower.contains("changeset") {
        Annotations::Liquibase
    } else {
        Annotations::None
    };
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
        match lexer::tokenize(text, dialect) {
            Ok(toks) => {
                let mut last_end = 0;
                for t in &toks {
                    assert_range(text, t.start, t.end, "token");
                    assert!(
                        t.start >= last_end,
                        "{dialect:?}: token {}..{} overlaps the one ending at {last_end}",
                        t.start,
                        t.end
                    );
                    last_end = t.end;
                }
            }
            Err(e) => assert!(
                e.offset <= text.len(),
                "{dialect:?}: lex error past the end"
            ),
        }
        let f = sql::read(SourceFile::new("m.sql", text.to_string()), dialect, style);
        if let Some((at, _)) = &f.error {
            assert!(*at <= text.len(), "{dialect:?}: error at {at}");
        }
        for s in &f.sections {
            assert!(s.marker <= text.len(), "{dialect:?}: marker {}", s.marker);
            let mut last_end = 0;
            for st in &s.statements {
                assert_range(text, st.start, st.end, "statement");
                assert!(
                    st.start >= last_end,
                    "{dialect:?}: statement {}..{} before the previous end {last_end}",
                    st.start,
                    st.end
                );
                last_end = st.end;
                for &(a, b) in &st.token_ranges {
                    assert_range(text, a, b, "statement token");
                }
                let _ = st.tokens_text(text);
                let _ = st.find_words(text, &["DROP", "COLUMN"]);
            }
        }
    }
});
