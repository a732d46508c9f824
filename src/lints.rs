//! The rule documents of `lints/`, compiled in: front matter, sections and examples.

mod front_matter;
pub use front_matter::front_matter;

include!(concat!(env!("OUT_DIR"), "/lints.rs"));

/// The document of a rule code (`M101`), with its front matter.
pub fn doc(code: &str) -> Option<&'static str> {
    DOCS.iter()
        .find(|(stem, _)| {
            stem.split('-')
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(code))
        })
        .map(|(_, text)| *text)
}

/// The document without its front matter.
pub fn body(doc: &str) -> &str {
    match doc
        .strip_prefix("---\n")
        .and_then(|r| r.find("\n---").map(|i| &r[i + 4..]))
    {
        Some(b) => b.trim_start_matches('\n'),
        None => doc,
    }
}

/// The text under `## heading`, up to the next `## `.
pub fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}");
    let start = doc.find(&marker)? + marker.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// One fenced example block.
#[derive(Debug, Clone)]
pub struct Example {
    pub lang: String,
    /// `bad` or `good`.
    pub kind: String,
    /// Belongs to the base (previous release) side of the example.
    pub base: bool,
    pub file: Option<String>,
    pub code: String,
}

/// Every fenced block whose info string marks it `bad` or `good`.
pub fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let words: Vec<&str> = info.split_whitespace().collect();
        let mut code = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        let kind = words.iter().find(|w| **w == "bad" || **w == "good");
        if let (Some(lang), Some(kind)) = (words.first(), kind) {
            out.push(Example {
                lang: lang.to_string(),
                kind: kind.to_string(),
                base: words.contains(&"base"),
                file: words
                    .iter()
                    .find_map(|w| w.strip_prefix("file="))
                    .map(str::to_string),
                code,
            });
        }
    }
    out
}
