//! What the fuzz targets share: the properties every parse and every check must keep
//! (ranges inside the text, on char boundaries; diagnostics located inside their file;
//! planted credentials never rendered), and a way to turn one input into a small project.
//!
//! A project input is text whose lines `#>> path` start a new file; the text before the
//! first such line is the file named by the target (`api/openapi.yaml`, …). Paths are
//! reduced to `[A-Za-z0-9._-]` segments, so nothing is written outside the temp folder.

use std::collections::BTreeMap;
use std::sync::{Arc, Once};

use rollsafe::check::{Options, Outcome, check};
use rollsafe::report::{Format, render};
use rollsafe::source::SourceFile;

/// At most this many files per project input: enough for `$ref`s and kustomize bases.
pub const MAX_FILES: usize = 12;

/// One rayon thread: the machine is shared, and a single thread keeps runs repeatable.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
    });
}

/// `[start, end)` lies inside `text`, on char boundaries.
#[track_caller]
pub fn assert_range(text: &str, start: usize, end: usize, what: &str) {
    assert!(start <= end, "{what}: start {start} after end {end}");
    assert!(
        end <= text.len(),
        "{what}: end {end} past the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(start),
        "{what}: start {start} inside a character"
    );
    assert!(
        text.is_char_boundary(end),
        "{what}: end {end} inside a character"
    );
}

fn clean_path(raw: &str, i: usize) -> String {
    let segs: Vec<String> = raw
        .split('/')
        .map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .take(40)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty() && s.chars().any(|c| c != '.'))
        .take(5)
        .collect();
    if segs.is_empty() {
        format!("f{i}.yaml")
    } else {
        segs.join("/")
    }
}

/// The files of a project input (see the module comment).
pub fn files(text: &str, first: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![(first.to_string(), String::new())];
    for line in text.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix("#>> ") {
            if out.len() >= MAX_FILES {
                break;
            }
            let path = clean_path(p.trim_end(), out.len());
            out.push((path, String::new()));
        } else {
            out.last_mut().unwrap().1.push_str(line);
        }
    }
    // One text per path, the first wins.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|(p, _)| seen.insert(p.clone()));
    out
}

/// Writes the files (a file that cannot be written — its path is a folder — is left
/// out) under a new temp folder and runs the check the tests run, every migration judged.
/// `None` when the check refuses the project (a fuzzed rollsafe.toml: a usage error).
pub fn check_tree(files: &[(String, Vec<u8>)]) -> Option<(tempfile::TempDir, Outcome)> {
    init();
    let tmp = tempfile::tempdir().expect("temp dir");
    for (p, bytes) in files {
        let path = tmp.path().join(p);
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let _ = std::fs::write(&path, bytes);
    }
    let out = check(&Options {
        root: Some(tmp.path().to_path_buf()),
        cwd: Some(tmp.path().to_path_buf()),
        all: true,
        ..Default::default()
    });
    match out {
        Ok(o) => Some((tmp, o)),
        Err(e) => {
            assert!(
                !e.0.contains("internal error"),
                "check failed internally: {}",
                e.0
            );
            None
        }
    }
}

/// Every diagnostic points inside its file: line and column from 1, the end not before
/// the start, the byte range inside the text on char boundaries and at the line and
/// column it claims; masked ranges inside the text too.
pub fn assert_outcome(o: &Outcome) {
    let mut sources: BTreeMap<&str, &Arc<SourceFile>> = BTreeMap::new();
    for d in &o.diagnostics {
        if let Some(s) = &d.source {
            sources.insert(s.path.as_str(), s);
        }
    }
    for d in &o.diagnostics {
        assert!(d.code.len() == 4, "code {:?}", d.code);
        for loc in std::iter::once(&d.location).chain(&d.related) {
            if loc.in_base {
                continue;
            }
            let what = format!("{} {}:{}:{}", d.code, loc.path, loc.line, loc.column);
            assert!(loc.line >= 1 && loc.column >= 1, "{what}: not 1-based");
            assert!(
                (loc.end_line, loc.end_column) >= (loc.line, loc.column),
                "{what}: ends before it starts ({}:{})",
                loc.end_line,
                loc.end_column
            );
            let Some(src) = sources.get(loc.path.as_str()) else {
                continue;
            };
            assert_range(&src.text, loc.offset, loc.offset + loc.len, &what);
            assert!(
                loc.end_line <= src.line_count(),
                "{what}: past the last line ({})",
                src.line_count()
            );
            let p = src.pos(loc.offset);
            assert_eq!(
                (p.line, p.column),
                (loc.line, loc.column),
                "{what}: offset {} is elsewhere",
                loc.offset
            );
        }
        if let Some(src) = &d.source {
            for &(a, b) in &d.masked {
                assert!(a <= b && b <= src.text.len(), "{}: masked {a}..{b}", d.code);
            }
        }
    }
}

/// The text formats and JSON, rendered (the formats that quote the input the most).
pub fn render_all(o: &Outcome) -> Vec<(Format, String)> {
    [Format::Human, Format::Compact, Format::Json, Format::Github]
        .into_iter()
        .map(|f| (f, render(f, o, false)))
        .collect()
}

/// A credential planted on a line of its own, and the value that must never be shown.
/// Only shapes the reports promise to mask whatever the file: a token shaped like a
/// credential, a secret-like name with a literal value, a URL with a password, SQL
/// `PASSWORD '…'` (a value that is a secret only by its context, such as a Kubernetes env
/// entry named `DB_PASSWORD` in a file that does not parse, is not one of them).
pub struct Plant {
    pub line: &'static str,
    pub secret: &'static str,
}

pub const PLANTS: &[Plant] = &[
    Plant {
        line: "aws_access_key_id: AKIAQZFUZZPLANTXK2MB\n",
        secret: "AKIAQZFUZZPLANTXK2MB",
    },
    Plant {
        line: "password=FuzzPlantedPw93x\n",
        secret: "FuzzPlantedPw93x",
    },
    Plant {
        line: "ALTER USER app WITH PASSWORD 'FuzzPlantedSql47q';\n",
        secret: "FuzzPlantedSql47q",
    },
    Plant {
        line: "DATABASE_URL: postgres://app:FuzzPlantedUrl61q@db:5432/app\n",
        secret: "FuzzPlantedUrl61q",
    },
];

/// `bytes` with `plant` inserted at the start of line `at` (modulo the line count), and
/// every copy of the planted value the input already held broken up, so that only the
/// planted line can carry it.
pub fn plant(bytes: &[u8], plant: &Plant, at: usize) -> Vec<u8> {
    let secret = plant.secret.as_bytes();
    let mut clean = Vec::with_capacity(bytes.len() + plant.line.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(secret) {
            clean.extend_from_slice(b"x ");
            i += secret.len();
        } else {
            clean.push(bytes[i]);
            i += 1;
        }
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            clean
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let cut = starts[at % starts.len()];
    let mut out = clean[..cut].to_vec();
    if cut > 0 && clean[cut - 1] != b'\n' {
        out.push(b'\n');
    }
    out.extend_from_slice(plant.line.as_bytes());
    out.extend_from_slice(&clean[cut..]);
    out
}

/// Panics when a rendered report shows `secret`.
pub fn assert_hidden(rendered: &[(Format, String)], secret: &str) {
    for (f, text) in rendered {
        assert!(
            !text.contains(secret),
            "{f:?} shows the planted {secret}:\n{text}"
        );
    }
}
