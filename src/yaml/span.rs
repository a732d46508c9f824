//! Spans of YAML nodes and keys in their source file, and the entry lookup the rules
//! point with.

use crate::source::{SourceFile, Span};
use crate::yaml::{Key, Node, Pos};

/// The span of a value on its first line (a mapping value: its first line).
pub fn span_at(src: &SourceFile, pos: Pos) -> Span {
    let end = (pos.offset + pos.len.max(1)).min(src.text.len());
    src.first_line_span(pos.offset.min(src.text.len()), end)
}

pub fn key_span(src: &SourceFile, key: &Key) -> Span {
    src.span(key.pos.offset, key.pos.offset + key.text.len())
}

/// A mapping entry (the last one, as kubectl reads duplicates).
pub fn entry<'a>(node: &'a Node, name: &str) -> Option<(&'a Key, &'a Node)> {
    node.entries()
        .iter()
        .rev()
        .find(|(k, _)| k.text == name)
        .map(|(k, v)| (k, v))
}
