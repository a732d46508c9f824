//! Every output format on fixtures/demo, pinned; the JSON schema; SARIF validated against
//! the SARIF 2.1.0 schema.

use crate::common;

use rollsafe::report::{self, Format};

fn render(format: Format) -> String {
    let o = common::check_fixture("demo");
    report::render(format, &o, false)
}

#[test]
fn human() {
    insta::assert_snapshot!(render(Format::Human));
}

#[test]
fn compact() {
    insta::assert_snapshot!(render(Format::Compact));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(Format::Json));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github));
}

#[test]
fn gitlab() {
    insta::assert_snapshot!(render(Format::Gitlab));
}

#[test]
fn rdjson() {
    insta::assert_snapshot!(render(Format::Rdjson));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render(Format::Markdown));
}

#[test]
fn sarif() {
    // The rule table is long and fixed; pin the results part.
    let v: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    insta::assert_json_snapshot!(v["runs"][0]["results"]);
}

#[test]
fn json_schema_is_exactly_the_documented_one() {
    let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        ["base", "diagnostics", "summary", "tool", "version"]
    );
    assert_eq!(v["version"], 1);
    assert_eq!(keys(&v["tool"]), ["name", "version"]);
    assert_eq!(
        keys(&v["summary"]),
        ["errors", "files", "infos", "warnings"]
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        keys(d),
        [
            "code",
            "column",
            "end_column",
            "end_line",
            "fingerprint",
            "help",
            "line",
            "message",
            "name",
            "path",
            "related",
            "severity"
        ]
    );
    for d in v["diagnostics"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        assert!(code.len() == 4 && "MKSTAE".contains(&code[..1]), "{code}");
        assert!(["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()));
        assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
        assert!(!d["path"].as_str().unwrap().contains('\\'));
        assert_eq!(d["fingerprint"].as_str().unwrap().len(), 32);
    }
}

fn sarif_schema() -> Option<jsonschema::Validator> {
    let path = common::shared("schemas/sarif-schema-2.1.0.json")?;
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Formats are checked too (`uri`, `uri-reference`): an unencoded space is an error.
    // The schema says draft-04, which has no `uri-reference`; read as draft 7 (the schema
    // uses no keyword whose meaning changed) so that it is checked.
    Some(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&schema)
            .expect("valid schema"),
    )
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let Some(validator) = sarif_schema() else {
        return;
    };
    for out in [
        render(Format::Sarif),
        {
            // Empty results must still be a valid log with `results: []`.
            let tmp = common::project(&[("rollsafe.toml", "")]);
            let o = common::check_dir(tmp.path());
            report::render(Format::Sarif, &o, false)
        },
        {
            // A space, `#`, `%` and non-ASCII in the root and in the file's path are
            // percent-encoded in the URIs.
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("my repo #2");
            common::write(
                &root,
                &[
                    ("rollsafe.toml", ""),
                    (
                        "db/mig rations #1/100%/café/000001_a.up.sql",
                        "ALTER TABLE users DROP COLUMN fax;\n",
                    ),
                ],
            );
            let o = common::check_dir(&root);
            assert!(!o.diagnostics.is_empty());
            let out = report::render(Format::Sarif, &o, false);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let run = &v["runs"][0];
            let uri =
                run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap();
            assert_eq!(
                uri,
                "db/mig%20rations%20%231/100%25/caf%C3%A9/000001_a.up.sql"
            );
            let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                base.starts_with("file:///") && base.ends_with("/my%20repo%20%232/"),
                "{base}"
            );
            out
        },
    ] {
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        assert!(v["runs"][0]["results"].is_array());
        for r in v["runs"][0]["results"].as_array().unwrap() {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["endColumn"].as_u64().unwrap() >= 1);
            assert!(r["partialFingerprints"]["rollsafe/v1"].is_string());
        }
    }
    // The schema does check URIs: an unencoded space fails it.
    let mut v: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "my repo/x.yaml".into();
    assert!(!validator.is_valid(&v));
}
