//! What files say never acts on the terminal or the CI log that shows the report: control
//! characters from contents and file names are shown escaped in the text formats, and a
//! file name with a newline cannot start a GitHub Actions command of its own.

use crate::common;

use rollsafe::report::{self, Format};

/// A manifest whose name holds a newline and a workflow command, whose image holds a
/// title-setting and screen-clearing escape; a migration whose comment rings the bell
/// next to a finding.
fn hostile() -> tempfile::TempDir {
    common::project(&[
        ("rollsafe.toml", ""),
        (
            "deploy/a\n::error title=INJECTED::x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: \"nginx\x1b]0;TITLE\x07\x1b[2J:latest\"\n",
        ),
        (
            "db/migrations/000001_a.up.sql",
            "-- \x1b[31mred\x07 \u{9b}2J \u{202e}txt.exe\nALTER TABLE users DROP COLUMN fax;\n",
        ),
    ])
}

#[test]
fn control_characters_and_file_names_are_escaped_in_text_formats() {
    let tmp = hostile();
    let o = common::check_dir(tmp.path());
    let codes: Vec<&str> = o.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&"E001") && codes.contains(&"M101"),
        "{codes:?}"
    );
    for (format, color) in [
        (Format::Human, false),
        (Format::Human, true),
        (Format::Compact, false),
        (Format::Github, false),
        (Format::Markdown, false),
    ] {
        let text = report::render(format, &o, color);
        let what = format!("{format:?} (color {color})");
        for raw in [
            "\x07",
            "\x1b]",
            "\x1b[2J",
            "\x1b[31mred",
            "\u{9b}",
            "\u{202e}",
        ] {
            assert!(!text.contains(raw), "{what} passes {raw:?} on:\n{text}");
        }
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("::error title=INJECTED")),
            "{what} lets a file name start a workflow command:\n{text}"
        );
        if format != Format::Github {
            // Shown, escaped: the reader sees what the file holds.
            assert!(
                text.contains("a\\n::error title=INJECTED::x.yaml"),
                "{what}:\n{text}"
            );
            assert!(text.contains("\\u{1b}"), "{what}:\n{text}");
        }
    }
    let human = report::render(Format::Human, &o, false);
    for shown in [
        "-- \\u{1b}[31mred\\u{7} \\u{9b}2J \\u{202e}txt.exe",
        "nginx\\u{1b}]0;TITLE\\u{7}\\u{1b}[2J:latest",
    ] {
        assert!(human.contains(shown), "human lacks {shown}:\n{human}");
    }
}

/// Labels still point at the right characters after escaping lengthened the line.
#[test]
fn labels_stay_under_their_text_after_escaping() {
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "db/migrations/000001_a.up.sql",
            "SELECT '\x1b\x1b\x1b'; ALTER TABLE users DROP COLUMN fax;\n",
        ),
    ]);
    let o = common::check_dir(tmp.path());
    let human = report::render(Format::Human, &o, false);
    let lines: Vec<&str> = human.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.contains("DROP COLUMN fax"))
        .unwrap_or_else(|| panic!("{human}"));
    // The M101 label underlines `DROP COLUMN fax` (or the statement), never the escapes.
    let line = lines[src];
    let under = lines[src + 1];
    let start = under.chars().position(|c| c == '─').unwrap();
    let shown: String = line.chars().skip(start).take(4).collect();
    assert!(
        ["ALTE", "DROP"].contains(&shown.as_str()),
        "label starts at {shown:?}:\n{human}"
    );
}
