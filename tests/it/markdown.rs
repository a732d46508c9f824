//! `--format markdown` (pull-request comments, step summaries): what files say is shown
//! as text, never as HTML or Markdown, and the report fits in a GitHub comment.

use crate::common;

use rollsafe::report::{self, Format};

#[test]
fn html_and_markdown_from_files_are_shown_as_text() {
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "db/migrations/000001_<img src=x onerror=alert(1)>.up.sql",
            "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN \"</summary><script>alert(2)</script>\";\n",
        ),
        (
            "db/migrations/000002_b.up.sql",
            "SET lock_timeout = '5s';\nALTER TABLE \"@octocat\" DROP COLUMN \"**bold** [x](http://e.test) #1\";\n",
        ),
    ]);
    let o = common::check_dir(tmp.path());
    let md = report::render(Format::Markdown, &o, false);
    // Inside <code> GitHub links no mention or issue; outside, none is left raw.
    for raw in ["<img", "<script", "</summary><"] {
        assert!(!md.contains(raw), "markdown passes {raw:?}:\n{md}");
    }
    for shown in [
        "<code>db/migrations/000001_&lt;img src=x onerror=alert(1)&gt;.up.sql</code>",
        "&lt;/summary&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
        "**bold** [x](http://e.test) #1",
    ] {
        assert!(md.contains(shown), "markdown lacks {shown:?}:\n{md}");
    }
    // Tags are balanced: every finding and file closes its <details>.
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count(),
        "{md}"
    );
}

#[test]
fn a_large_report_stays_under_the_comment_limit() {
    let drops: String = (0..3000)
        .map(|i| format!("ALTER TABLE users DROP COLUMN c{i};\n"))
        .collect();
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "db/migrations/000001_drops.up.sql",
            &format!("SET lock_timeout = '5s';\n{drops}"),
        ),
    ]);
    let o = common::check_dir(tmp.path());
    assert!(o.diagnostics.len() >= 3000);
    let md = report::render(Format::Markdown, &o, false);
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    let shown = md.matches("<summary>❌ <b>M101</b>").count();
    assert!(
        md.contains(&format!(
            "{} more findings not shown, to stay under GitHub's comment size",
            o.diagnostics.len() - shown
        )),
        "{}",
        &md[md.len() - 300..]
    );
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count()
    );
}
