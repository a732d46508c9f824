//! Multi-file descriptions: the files a description references (relative `$ref`s,
//! transitively, cycles stopped), and the references that cannot be followed — remote
//! ones are never fetched, missing files and bad pointers are input errors.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::doc::{Docs, RefTarget, Version, collect_ids, id_target, parse_ref, version_of};
use crate::api::doc::OpenApiFile;
use crate::diagnostic::{InputCode, Problem};
use crate::source::SourceFile;
use crate::yaml::{self, Flavor, Kind, Node, Pos};

/// Every `$ref` string in a tree, with the node holding it. Literal values are data,
/// not references: an `example`, `default`, `const` or `enum`, a JSON Schema `examples`
/// list and an Example Object's `value` may hold a `$ref` key that is only text (Okta's
/// `example: {LogDeviceObject: {$ref: …}}`). Keys under `properties` and the other maps
/// of names are names, so a property called `example` is still followed.
fn collect<'n>(node: &'n Node, out: &mut Vec<(&'n str, &'n Node)>) {
    collect_in(node, Keys::Keywords, out);
}

/// What the keys of a mapping are.
#[derive(Clone, Copy, PartialEq)]
enum Keys {
    /// OpenAPI or JSON Schema keywords.
    Keywords,
    /// Names (of properties, components, paths…), each holding an object.
    Names,
    /// Names of Example Objects (an `examples` map outside a schema).
    ExampleNames,
    /// The keywords of one Example Object.
    Example,
}

fn collect_in<'n>(node: &'n Node, keys: Keys, out: &mut Vec<(&'n str, &'n Node)>) {
    match &node.kind {
        Kind::Map(entries) => {
            for (k, v) in entries {
                let k = k.text.as_str();
                if k == "$ref" && keys != Keys::Names {
                    if let Kind::Str(s) = &v.kind {
                        out.push((s, v));
                    }
                    continue;
                }
                let inner = match keys {
                    Keys::Names => Keys::Keywords,
                    Keys::ExampleNames => Keys::Example,
                    Keys::Example if k == "value" => continue,
                    Keys::Keywords | Keys::Example => match k {
                        "example" | "default" | "const" | "enum" => continue,
                        // A specification extension holds free-form data: OpenAPI defines no
                        // Reference Object there (Spotify's `x-spotify-policy-list` items
                        // are `$ref`s into a policies file it does not publish).
                        _ if k.starts_with("x-") => continue,
                        // JSON Schema's `examples` is a list of values; OpenAPI's a map of
                        // Example Objects (which may themselves be `$ref`s).
                        "examples" if matches!(v.kind, Kind::Seq(_)) => continue,
                        "examples" => Keys::ExampleNames,
                        "properties" | "patternProperties" | "definitions" | "$defs"
                        | "schemas" | "responses" | "parameters" | "requestBodies" | "headers"
                        | "securitySchemes" | "links" | "callbacks" | "paths" | "pathItems"
                        | "webhooks" | "dependentSchemas" | "mapping" | "content" | "encoding" => {
                            Keys::Names
                        }
                        _ => Keys::Keywords,
                    },
                };
                collect_in(v, inner, out);
            }
        }
        // A list's items are objects of keywords (an operation's `parameters`), whatever
        // key holds the list.
        Kind::Seq(items) => {
            let keys = if keys == Keys::Names {
                Keys::Keywords
            } else {
                keys
            };
            items.iter().for_each(|i| collect_in(i, keys, out))
        }
        _ => {}
    }
}

/// `$ref` strings, owned, with where each is written.
type Refs = Vec<(String, Pos)>;

/// Every `$ref` string of a tree.
fn collect_owned(node: &Node) -> Refs {
    let mut refs = Vec::new();
    collect(node, &mut refs);
    // Large descriptions repeat the same reference thousands of times: keep the first.
    let mut seen = HashSet::new();
    refs.into_iter()
        .filter(|(r, _)| seen.insert(*r))
        .map(|(r, n)| (r.to_string(), n.pos))
        .collect()
}

/// An input problem at a `$ref` value.
fn problem(
    src: &Arc<SourceFile>,
    at: Pos,
    code: InputCode,
    message: String,
    help: &str,
) -> Problem {
    let start = at.offset.min(src.text.len());
    let end = (start + at.len.max(1)).min(src.text.len());
    Problem::at(code, src, start, end, message, help)
}

/// Loads the files the descriptions reference, and reports the references that cannot
/// be followed (E006, E007), walking each tree once. `read` gives a file's text by path
/// (relative to the project root, `/`-separated), `None` when it does not exist.
pub fn load_fragments(
    roots: &[OpenApiFile],
    read: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) -> HashMap<String, OpenApiFile> {
    let mut loaded: HashMap<String, OpenApiFile> = HashMap::new();
    let known: HashSet<&str> = roots.iter().map(|r| r.source.path.as_str()).collect();
    // Files whose references are still to follow, with those references (owned: no
    // tree is copied).
    let mut queue: Vec<(Arc<SourceFile>, Refs)> = roots
        .iter()
        .map(|r| (r.source.clone(), collect_owned(&r.doc)))
        .collect();
    let mut seen: HashSet<String> = known.iter().map(|s| s.to_string()).collect();
    // The `$id`s of each 3.1 file, by path: a relative `$ref` may name one of them.
    let mut ids_of: HashMap<String, Vec<String>> = HashMap::new();
    for r in roots {
        if version_of(&r.doc) == Some(Version::V31) {
            let mut found = Vec::new();
            collect_ids(&r.doc, &mut found);
            ids_of.insert(
                r.source.path.clone(),
                found.into_iter().map(|(id, _)| id.to_string()).collect(),
            );
        }
    }
    let mut remote_reported: HashSet<(String, String)> = HashSet::new();
    // Every file's references, kept for the pointer check once all files are loaded.
    let mut followed: Vec<(Arc<SourceFile>, Refs)> = Vec::new();
    while let Some((src, refs)) = queue.pop() {
        for (r, node) in &refs {
            let (r, node) = (r.as_str(), *node);
            match parse_ref(&src.path, r) {
                RefTarget::Remote => {
                    let url = r.split('#').next().unwrap_or(r).to_string();
                    if remote_reported.insert((src.path.clone(), url.clone())) {
                        problems.push(problem(
                            &src,
                            node,
                            InputCode::RemoteReference,
                            format!("remote reference `{url}` was not followed: what it describes is not compared"),
                            "vendor the referenced file into the repository and reference it by a relative path",
                        ));
                    }
                }
                RefTarget::Local { file, .. } => {
                    if seen.contains(&file) {
                        continue;
                    }
                    seen.insert(file.clone());
                    let file_part = r.split('#').next().unwrap_or(r);
                    let names_id = || {
                        ids_of.get(src.path.as_str()).is_some_and(|ids| {
                            id_target(ids.iter().map(|id| (id.as_str(), ())), file_part).is_some()
                        })
                    };
                    let Some(text) = read(&file) else {
                        // A reference to a schema's `$id` (3.1), not to a file.
                        if names_id() {
                            seen.remove(&file);
                            continue;
                        }
                        problems.push(problem(
                            &src,
                            node,
                            InputCode::UnresolvedReference,
                            format!("reference `{r}` points at `{file}`, which is not in the release (or is excluded from reading)"),
                            "fix the path: tools that bundle or serve this description fail on it",
                        ));
                        continue;
                    };
                    let fsrc = SourceFile::new(file.clone(), text);
                    if is_text_file(&file) {
                        // Bundlers put a text file's content in place of the reference
                        // (Redocly's Markdown descriptions; json-schema-ref-parser's text
                        // parser): a string, not a document to parse.
                        let doc = Node {
                            kind: Kind::Str(fsrc.text.clone()),
                            pos: Default::default(),
                        };
                        loaded.insert(file, OpenApiFile { source: fsrc, doc });
                        continue;
                    }
                    match yaml::parse_stream(&fsrc.text, Flavor::Core) {
                        Ok(mut docs) if !docs.is_empty() => {
                            let d = docs.swap_remove(0);
                            queue.push((fsrc.clone(), collect_owned(&d)));
                            loaded.insert(file, OpenApiFile { source: fsrc, doc: d });
                        }
                        Ok(_) => {
                            loaded.insert(
                                file,
                                OpenApiFile {
                                    source: fsrc,
                                    doc: Node {
                                        kind: Kind::Null,
                                        pos: Default::default(),
                                    },
                                },
                            );
                        }
                        Err(e) => problems.push(problem(
                            &src,
                            node,
                            InputCode::UnresolvedReference,
                            format!("reference `{r}` points at `{file}`, which cannot be parsed: {}", e.message),
                            "fix the referenced file: tools that bundle or serve this description fail on it",
                        )),
                    }
                }
            }
        }
        followed.push((src, refs));
    }
    check_pointers(roots, &loaded, &followed, problems);
    loaded
}

/// A referenced file that bundlers read as text: the extensions of json-schema-ref-parser's
/// text parser (APIDevTools/json-schema-ref-parser `lib/parsers/text.ts`, `TEXT_REGEXP`).
fn is_text_file(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some(
            "txt"
                | "htm"
                | "html"
                | "md"
                | "xml"
                | "js"
                | "min"
                | "map"
                | "css"
                | "scss"
                | "less"
                | "svg"
        )
    )
}

/// References whose target element does not exist (files were checked while loading).
fn check_pointers(
    roots: &[OpenApiFile],
    fragments: &HashMap<String, OpenApiFile>,
    followed: &[(Arc<SourceFile>, Refs)],
    problems: &mut Vec<Problem>,
) {
    let Some(root) = roots.first() else { return };
    let mut files: HashMap<&str, &OpenApiFile> =
        fragments.iter().map(|(p, f)| (p.as_str(), f)).collect();
    files.extend(roots.iter().map(|r| (r.source.path.as_str(), r)));
    // Pointer lookups do not depend on the root or the version.
    let version = version_of(&root.doc).unwrap_or(Version::V30);
    // Only references to files that exist are looked up here: no `$id` index needed.
    let docs = Docs {
        root,
        files,
        version,
        ids: HashMap::new(),
    };
    for (src, refs) in followed {
        let Some(from) = docs.files.get(src.path.as_str()) else {
            continue;
        };
        for (r, at) in refs {
            let RefTarget::Local { file, pointer } = parse_ref(&src.path, r) else {
                continue;
            };
            if pointer.is_empty() || !docs.files.contains_key(file.as_str()) {
                continue;
            }
            if docs.lookup(from, r).is_none() {
                problems.push(problem(
                    src,
                    *at,
                    InputCode::UnresolvedReference,
                    format!("reference `{r}` points at nothing"),
                    "fix the reference: the element it names does not exist, so the description is invalid",
                ));
            }
        }
    }
}
