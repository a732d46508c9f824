//! The front matter of a rule document, read the same way by `build.rs` (which generates
//! every rule's metadata from it) and by `rollsafe explain` and the tests.

/// The `key: value` pairs between the `---` lines that open a document.
pub fn front_matter(doc: &str) -> Vec<(String, String)> {
    let Some(rest) = doc.strip_prefix("---\n") else {
        return Vec::new();
    };
    let Some(end) = rest.find("\n---") else {
        return Vec::new();
    };
    rest[..end]
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect()
}
