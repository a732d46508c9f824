//! Malformed input never panics, never exits 2, and yields an E diagnostic at the place
//! the file goes wrong; the rest of the project is still checked.

use crate::common;

use assert_cmd::Command;
use common::rng::Rng;

/// Runs `check` in `dir` with `--fail-on never`: input problems must never make it exit 2.
/// (From inside `dir`, the text formats name its files relative to it.)
fn check_never_failing(dir: &std::path::Path, format: &str) -> String {
    let out = Command::cargo_bin("rollsafe")
        .unwrap()
        .current_dir(dir)
        .arg("check")
        .args(["--format", format, "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn malformed_files_yield_e_diagnostics_at_their_location() {
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "deploy/unclosed.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [a, b\n",
        ),
        (
            "deploy/tabs.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
        ),
        (
            "deploy/alias.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: *nope\n",
        ),
        (
            "deploy/broken.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"Service\",\n \"metadata\": {\"name\": \"x\",}\n",
        ),
        (
            "deploy/latin1.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\u{e9}\n",
        ),
        (
            "api/openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: x\npaths: {}\n",
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx\n   ports: [\"80:80\"]\n",
        ),
        (
            "deploy/app.env",
            "GOOD=1\nthis is not a variable\nQUOTED=\"never closed\n",
        ),
        (
            "migrations/000001_init.up.sql",
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES ('unterminated);\n",
        ),
        (
            "migrations/000002_weird.up.sql",
            "SET lock_timeout = '1s';\nFROBNICATE TABLE t;\nALTER TABLE t DROP COLUMN id;\n",
        ),
        ("migrations/000003_bin.up.sql", "\u{0}\u{1}binary"),
    ]);
    // Make one file invalid UTF-8 for real.
    std::fs::write(
        tmp.path().join("deploy/latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    let out = check_never_failing(tmp.path(), "compact");
    let text = out;
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split(": ").take(2).collect::<Vec<_>>().join(": "))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
    // The unparseable statement is skipped, the next one still checked.
    assert!(
        text.contains("000002_weird.up.sql:3:15: error[M101]"),
        "{text}"
    );
}

#[test]
fn no_panic_on_hostile_sql_and_yaml() {
    let deep_flow = format!("a: {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\napiVersion: v1\nkind: ConfigMap\n";
    let deep_sql = format!("SELECT {}1{};\n", "(".repeat(3000), ")".repeat(3000));
    let files: Vec<(String, String)> = vec![
        ("deploy/deep.yaml".into(), format!("apiVersion: v1\nkind: ConfigMap\n{deep_flow}")),
        ("deploy/laughs.yaml".into(), laughs.to_string()),
        ("migrations/000001_deep.up.sql".into(), deep_sql),
        ("migrations/000002_nested.up.sql".into(), "/* a /* b */ c */ SELECT E'\\'';\nDO $x$ BEGIN END $x$;\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n$$ unterminated".into()),
        ("migrations/000003_empty.up.sql".into(), String::new()),
        ("migrations/000004_semicolons.up.sql".into(), ";;;\n;".into()),
        ("db/migrations/00005_goose.sql".into(), "-- +goose Down\nDROP TABLE x;\n-- +goose Up\n-- +goose StatementBegin\nSELECT 1;".into()),
        ("db/migrations/20240101_dbmate.sql".into(), "-- migrate:down\n-- migrate:up\n".into()),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut all = vec![("rollsafe.toml", "")];
    all.extend(refs);
    let tmp = common::project(&all);
    let out = check_never_failing(tmp.path(), "json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"E001"), "{codes:?}");
}

/// Secret values never appear in any format, whatever rule the finding is for: values the
/// loaders classify (env values, Secret data) and anything shaped like a credential in a
/// place no rule reads — a SQL comment, an `INSERT` literal, `ALTER USER … PASSWORD`, an
/// API example, a file that does not parse, a message that quotes the input.
#[test]
fn secret_values_never_appear_in_any_format() {
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "deploy/app.env",
            "API_TOKEN=tok-9f8e7d6c\nDB_PASSWORD hunter2-secret\nOTHER=plain\n",
        ),
        (
            "deploy/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: s3cr3t-value\n  password: s3cr3t-again\n",
        ),
        // Each line is next to a finding (M101 on lines 2 and 4), so the snippets show
        // all of them.
        (
            "db/migrations/000001_settings.up.sql",
            "-- admin password: PlantedSqlComment71\nALTER TABLE users DROP COLUMN fax;\nINSERT INTO settings VALUES ('aws', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPlanted72');\nALTER TABLE users DROP COLUMN phone;\nALTER USER app WITH PASSWORD 'PlantedAlterUser73';\n",
        ),
        // An example JWT and a `$ref` holding a token shape, next to and in an E006.
        (
            "api/openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /x:\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Nope'}\n              example: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.PlantedJwt74\n        \"404\":\n          $ref: 'missing-ghp_Planted80aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.yaml'\n",
        ),
        // An env file that does not parse: an unclosed quote, a value with no key.
        (
            "deploy/broken.env",
            "GOOD=1\nPASSWORD=\"PlantedBrokenEnv75\nOTHER='PlantedEnvOther76\nPlantedEnvLine77 X Y\n",
        ),
        // A compose file that does not parse, the secret at the error.
        (
            "compose.yaml",
            "services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: [PlantedCompose78\n",
        ),
    ]);
    for format in [
        "human", "compact", "json", "sarif", "github", "gitlab", "rdjson", "markdown",
    ] {
        let text = check_never_failing(tmp.path(), format);
        for code in ["E001", "E004", "E006", "M101"] {
            assert!(text.contains(code), "{format} lacks {code}: {text}");
        }
        for secret in [
            "tok-9f8e7d6c",
            "hunter2-secret",
            "s3cr3t-value",
            "s3cr3t-again",
            "PlantedSqlComment71",
            "bPxRfiCYPlanted72",
            "PlantedAlterUser73",
            "eyJzdWIiOiJwbGFudGVkIn0",
            "PlantedJwt74",
            "ghp_Planted80",
            "PlantedBrokenEnv75",
            "PlantedEnvOther76",
            "PlantedEnvLine77",
            "PlantedCompose78",
        ] {
            assert!(!text.contains(secret), "{format} shows {secret}:\n{text}");
        }
        if format == "human" {
            // The places were shown, masked: the test reaches them.
            for shown in [
                "-- admin password: *",
                "INSERT INTO settings VALUES ('aws', '*",
                "ALTER USER app WITH PASSWORD '*",
                "example: *",
                "PASSWORD=*",
                "POSTGRES_PASSWORD: *",
            ] {
                assert!(text.contains(shown), "human lacks {shown}:\n{text}");
            }
        }
    }
}

/// Plain-text secrets the S rules find are named, never shown, in every format — and no
/// other rule shows them either (a wrongly typed env value, a ConfigMap entry).
#[test]
fn plaintext_secrets_are_reported_without_their_values() {
    let tmp = common::project(&[
        ("rollsafe.toml", ""),
        (
            "deploy/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: app:1.0.0\n          env:\n            - name: DB_PIN\n              value: 48151623\n            - name: STRIPE_KEY\n              value: sk_live_PLANTEDa1b2c3d4e5f6g7h8i9j0\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  AUTH_TOKEN: 99887766\n  DATABASE_URL: \"postgres://app:PlantedUrlPass77@db/app\"\n",
        ),
        (
            "compose.yaml",
            "services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: PlantedComposePass55\n",
        ),
        ("deploy/prod.env", "SESSION_SECRET=PlantedEnvSecret33\n"),
    ]);
    for format in [
        "human", "compact", "json", "sarif", "github", "gitlab", "rdjson", "markdown",
    ] {
        let text = check_never_failing(tmp.path(), format);
        assert!(
            text.contains("S401") && text.contains("K502"),
            "{format}: {text}"
        );
        for secret in [
            "48151623",
            "PLANTEDa1b2c3",
            "99887766",
            "PlantedUrlPass77",
            "PlantedComposePass55",
            "PlantedEnvSecret33",
        ] {
            assert!(!text.contains(secret), "{format} shows {secret}:\n{text}");
        }
    }
}

/// Tokens that change how a YAML, JSON, SQL, env or compose file reads.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{{ .Values.x }}", "*a", "&a ", "<<: *a\n", "---\n", "- ", ": ", "[", "]", "{", "}", "'",
    "\"", "!!binary ", "$ref: '#'\n", "\t", "\u{feff}", "\0", "\r", "\n", "%YAML 1.1\n",
    "? ", "|\n", ">-\n", "$$", "$body$", "/*", "*/", ";", "BEGIN;", "COMMIT;", "E'\\'",
    "`", "-- +goose Up\n", "-- +goose StatementBegin\n", "-- migrate:up\n",
    "DELIMITER //\n", "ALTER TABLE t DROP COLUMN c;", "${X:-${Y}}", "$", "export ",
    "\u{e9}", "\u{1F600}", "\u{202e}", "\x1b[2J",
];

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(6) {
            // Flip a bit.
            0 if len > 0 => {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
            // Insert a byte (a truncated UTF-8 sequence now and then).
            1 => {
                let b = [b'\xe2', b'\xff', b'#', b' ', b'\n', b':'][rng.below(6)];
                bytes.insert(at, b);
            }
            // Delete a slice.
            2 if len > 0 => {
                let n = 1 + rng.below(64.min(len - at.min(len - 1)));
                let at = at.min(len - 1);
                bytes.drain(at..(at + n).min(len));
            }
            // Duplicate a slice, up to 8 times.
            3 if len > 0 => {
                let at = at.min(len - 1);
                let end = (at + 1 + rng.below(200)).min(len);
                let slice = bytes[at..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    bytes.splice(end..end, slice.iter().copied());
                }
            }
            // Splice a token.
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, t.bytes());
            }
        }
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![from.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            let dest = to.join(p.strip_prefix(from).unwrap());
            if p.is_symlink() {
                // A fixture's link (dangling on purpose, like a `.env -> ../.env` the
                // deploy creates) is kept as a link, not mutated.
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                #[cfg(unix)]
                std::os::unix::fs::symlink(std::fs::read_link(&p).unwrap(), &dest).unwrap();
            } else if p.is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
                stack.push(p);
            } else {
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(&p, &dest).unwrap();
                if p.file_name().is_some_and(|n| n != "rollsafe.toml") {
                    files.push(dest);
                }
            }
        }
    }
    files.sort();
    files
}

/// Mutated copies of the fixtures (bit flips, inserted and deleted bytes, duplicated
/// slices, YAML/SQL/env tokens spliced in) never panic or fail the check, every finding
/// points inside its file, every format renders, and no mutant takes long. Deterministic:
/// a failure names the round and the file to reproduce it.
#[test]
fn mutated_fixtures_never_panic_and_stay_located() {
    use rollsafe::check::{Options, check};
    use rollsafe::report::{Format, render};

    let fixtures = common::repo().join("fixtures");
    let mut heads = Vec::new();
    let mut stack = vec![fixtures];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "head") {
                    heads.push(p);
                } else {
                    stack.push(p);
                }
            }
        }
    }
    heads.sort();
    assert!(heads.len() > 20, "{heads:?}");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = std::time::Instant::now();
    let rounds = 2 * heads.len();
    for round in 0..rounds {
        let head = &heads[round % heads.len()];
        let tmp = tempfile::tempdir().unwrap();
        let files = copy_tree(head, tmp.path());
        let mut changed = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let f = &files[rng.below(files.len())];
            let mut bytes = std::fs::read(f).unwrap();
            mutate(&mut rng, &mut bytes);
            std::fs::write(f, &bytes).unwrap();
            changed.push(f.strip_prefix(tmp.path()).unwrap().display().to_string());
        }
        let base = head.with_file_name("base");
        let what = format!("round {round}: {} with {changed:?} mutated", head.display());
        let t = std::time::Instant::now();
        let outcome = check(&Options {
            root: Some(tmp.path().to_path_buf()),
            cwd: Some(tmp.path().to_path_buf()),
            base: base.is_dir().then(|| base.display().to_string()),
            all: true,
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{what}: {}", e.0));
        if let Some(problem) = common::location_problem(&outcome) {
            panic!("{what}: {problem}");
        }
        for format in [Format::Human, Format::Compact, Format::Json, Format::Sarif] {
            render(format, &outcome, false);
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{what}: took {:?}",
            t.elapsed()
        );
    }
    eprintln!("{rounds} mutated projects in {:?}", started.elapsed());
}
