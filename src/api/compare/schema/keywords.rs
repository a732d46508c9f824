//! Keyword-by-keyword comparisons of two schemas (types, enums, values, bounds,
//! patterns, keyed keywords) and the tables they use; the recursive walk is in `mod.rs`.

use super::*;

/// Bound keywords: (keyword, [decreased, increased, set, unset], is a maximum).
pub(super) const BOUNDS: &[(&str, [&str; 4], bool)] = &[
    (
        "maximum",
        ["max-decreased", "max-increased", "max-set", "max-unset"],
        true,
    ),
    (
        "minimum",
        ["min-decreased", "min-increased", "min-set", "min-unset"],
        false,
    ),
    (
        "maxLength",
        [
            "max-length-decreased",
            "max-length-increased",
            "max-length-set",
            "max-length-unset",
        ],
        true,
    ),
    (
        "minLength",
        [
            "min-length-decreased",
            "min-length-increased",
            "min-length-set",
            "min-length-unset",
        ],
        false,
    ),
    (
        "maxItems",
        [
            "max-items-decreased",
            "max-items-increased",
            "max-items-set",
            "max-items-unset",
        ],
        true,
    ),
    (
        "minItems",
        [
            "min-items-decreased",
            "min-items-increased",
            "min-items-set",
            "min-items-unset",
        ],
        false,
    ),
    (
        "maxContains",
        [
            "max-contains-decreased",
            "max-contains-increased",
            "max-contains-set",
            "max-contains-unset",
        ],
        true,
    ),
    (
        "minContains",
        [
            "min-contains-decreased",
            "min-contains-increased",
            "min-contains-set",
            "min-contains-unset",
        ],
        false,
    ),
    (
        "maxProperties",
        [
            "max-properties-decreased",
            "max-properties-increased",
            "max-properties-set",
            "max-properties-unset",
        ],
        true,
    ),
    (
        "minProperties",
        [
            "min-properties-decreased",
            "min-properties-increased",
            "min-properties-set",
            "min-properties-unset",
        ],
        false,
    ),
    (
        "exclusiveMaximum",
        [
            "exclusive-max-decreased",
            "exclusive-max-increased",
            "exclusive-max-set",
            "exclusive-max-unset",
        ],
        true,
    ),
    (
        "exclusiveMinimum",
        [
            "exclusive-min-decreased",
            "exclusive-min-increased",
            "exclusive-min-set",
            "exclusive-min-unset",
        ],
        false,
    ),
];

/// Subschema keywords compared by presence, then recursively: (keyword, added, removed).
pub(super) const PRESENCE: &[(&str, &str, &str)] = &[
    ("contains", "contains-added", "contains-removed"),
    ("if", "if-added", "if-removed"),
    ("then", "then-added", "then-removed"),
    ("else", "else-added", "else-removed"),
    (
        "propertyNames",
        "property-names-added",
        "property-names-removed",
    ),
    (
        "unevaluatedItems",
        "unevaluated-items-added",
        "unevaluated-items-removed",
    ),
    (
        "unevaluatedProperties",
        "unevaluated-properties-added",
        "unevaluated-properties-removed",
    ),
    (
        "contentSchema",
        "content-schema-added",
        "content-schema-removed",
    ),
    ("prefixItems", "prefix-items-added", "prefix-items-removed"),
];

/// Which numeric types widen into which (a client sending an integer still sends a
/// valid number; a client reading a number may get a fraction it cannot parse).
pub(super) fn generalises(from: &str, to: &str) -> bool {
    from == "integer" && to == "number"
}

/// A narrower type: a number that must now be whole, or (for a parameter's nested
/// value, which travels as text) text that must now be a number or a boolean.
pub(super) fn specialises(from: &str, to: &str, place: Place, top: bool) -> bool {
    let param = matches!(place, Place::Parameter | Place::HeaderParameter);
    (from == "number" && to == "integer") || (param && !top && from == "string")
}

/// Formats the OpenAPI and JSON Schema specifications define: generators map them to
/// their own types (a date, a 64-bit integer, bytes) and validators check them.
fn known_format(f: &str) -> bool {
    [
        "int32",
        "int64",
        "float",
        "double",
        "byte",
        "binary",
        "date",
        "date-time",
        "time",
        "duration",
        "password",
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uri-template",
        "uuid",
        "json-pointer",
        "relative-json-pointer",
        "regex",
    ]
    .contains(&f)
}

pub(super) fn format_generalises(from: &str, to: &str) -> bool {
    matches!((from, to), ("int32", "int64") | ("float", "double"))
}

/// The types a branch takes any value of: a single scalar `type` with nothing that
/// narrows it (`enum`, `const`, `pattern`, `format`, bounds), also through an
/// `anyOf`/`oneOf` it holds (OpenAI's `ModelIdsResponses` is `anyOf: [$ref:
/// ModelIdsShared, …]`, itself `anyOf: [{type: string}, {enum}]`).
pub(super) fn open_types<'a>(
    docs: &crate::api::doc::Docs<'a>,
    v: Val<'a>,
    depth: usize,
) -> Vec<String> {
    let v = docs.resolve(v);
    let mut out = Vec::new();
    if depth < 4 {
        for kw in ["anyOf", "oneOf"] {
            for b in v.get(kw).iter().flat_map(|l| l.items()) {
                out.extend(open_types(docs, b, depth + 1));
            }
        }
    }
    let (t, _) = types(&v);
    let narrowed = [
        "enum",
        "const",
        "pattern",
        "maxLength",
        "minLength",
        "maximum",
        "minimum",
        "format",
    ]
    .iter()
    .any(|k| v.get(k).is_some());
    if t.len() == 1 && !narrowed && t[0] != "object" && t[0] != "array" {
        out.push(t[0].clone());
    }
    out
}

pub(super) fn type_changes(b: &Val, h: &Val, out: &mut Out) {
    let (bt, bn) = types(b);
    let (ht, hn) = types(h);
    let place = out.cx.place;
    if !bt.is_empty() && !ht.is_empty() && bt != ht {
        let (head, base) = at(b, h, "type");
        let from = bt.join("|");
        let to = ht.join("|");
        let text = format!("type changed from `{from}` to `{to}`");
        if bt.len() == 1 && ht.len() == 1 {
            let (f, t) = (bt[0].as_str(), ht[0].as_str());
            if out.cx.xml && [f, t].iter().all(|x| ["string", "object"].contains(x)) {
                out.kw(
                    "type-compatible",
                    format!("{text}, the same XML text"),
                    head,
                    base,
                );
            } else if generalises(f, t) {
                out.kw("type-generalized", text, head, base);
            } else if specialises(f, t, place, out.top)
                && (!place.is_request() || (place != Place::RequestBody && !out.top))
            {
                out.kw("type-specialized", text, head, base);
            } else {
                out.kw("type-changed", text, head, base);
            }
        } else if ht.iter().all(|t| bt.contains(t)) {
            out.kw("list-of-types-narrowed", text, head, base);
        } else if bt.iter().all(|t| ht.contains(t)) {
            out.kw("list-of-types-widened", text, head, base);
        } else {
            out.kw("type-changed", text, head, base);
        }
    } else if bt == ht {
        let (bf, hf) = (
            b.get("format").and_then(|f| f.str()),
            h.get("format").and_then(|f| f.str()),
        );
        // OpenAPI 3.0.3, Data Types: "Tools that do not recognize a specific format MAY
        // default back to the type alone, as if the format is not specified". Between two
        // formats nobody defines (InfluxDB's `Flux` → `flux`) nothing changes.
        if let (Some(f), Some(t)) = (bf, hf)
            && f != t
            && (known_format(f) || known_format(t))
        {
            let (head, base) = at(b, h, "format");
            let text = format!("format changed from `{f}` to `{t}`");
            if format_generalises(f, t) {
                out.kw("type-generalized", text, head, base);
            } else if format_generalises(t, f) && !place.is_request() {
                out.kw("type-specialized", text, head, base);
            } else {
                out.kw("type-changed", text, head, base);
            }
        }
    }
    if !bn && hn {
        let key = if h.get("nullable").is_some() {
            "nullable"
        } else {
            "type"
        };
        let (head, base) = at(b, h, key);
        out.kw("became-nullable", "became nullable".into(), head, base);
    } else if bn && !hn {
        let key = if b.get("nullable").is_some() {
            "nullable"
        } else {
            "type"
        };
        let (head, base) = at(b, h, key);
        out.kw(
            "became-not-nullable",
            "became not nullable".into(),
            head,
            base,
        );
    }
}

pub(super) fn enum_changes(b: &Val, h: &Val, out: &mut Out) {
    for (kw, removed_id) in [
        ("enum", "enum-value-removed"),
        ("x-extensible-enum", "x-extensible-enum-value-removed"),
    ] {
        let (bv, hv) = (b.get(kw), h.get(kw));
        match (bv, hv) {
            (None, Some(hv)) if kw == "enum" => out.kw(
                "became-enum",
                "became an enum: only the listed values are accepted".into(),
                hv.loc(),
                None,
            ),
            (Some(bl), Some(hl)) => {
                let (bs, hs) = (scalars(Some(bl)), scalars(Some(hl)));
                // `null` dropped from the enum of a schema that was nullable by its own
                // words is the nullability's change, judged once with it (typebot 3.18:
                // `enum: [MOUSE, TRACKPAD, null]` became `anyOf: [{enum: [MOUSE,
                // TRACKPAD]}, {type: "null"}]`, which still accepts null).
                let nullable_before = kw == "enum" && types(b).1;
                let removed: Vec<String> = bs
                    .iter()
                    .filter(|(k, _)| !hs.iter().any(|(h, _)| h == k))
                    .filter(|(k, _)| !(nullable_before && k == "null"))
                    .map(|(k, _)| k.clone())
                    .collect();
                let mut added: Vec<String> = hs
                    .iter()
                    .filter(|(k, _)| !bs.iter().any(|(b, _)| b == k))
                    .map(|(k, _)| k.clone())
                    .collect();
                // `null` listed in the enum of a schema that was and stays nullable: the
                // way the Swagger guide writes a nullable enum ("null must be explicitly
                // included in the list of enum values"); the schema said null before, so
                // clients already received it. Info, not a new value.
                let null_aligned =
                    kw == "enum" && types(b).1 && types(h).1 && added.iter().any(|k| k == "null");
                if null_aligned {
                    added.retain(|k| k != "null");
                    if let Some((_, n)) = hs.iter().find(|(k, _)| k == "null") {
                        out.kw(
                            "enum-null-listed",
                            "enum value `null` listed in a schema that was already nullable".into(),
                            n.loc(),
                            None,
                        );
                    }
                }
                // One finding per enum, however many values changed.
                if !removed.is_empty() {
                    out.kw(
                        removed_id,
                        format!("{kw} {} removed", values_text(&removed)),
                        hl.loc(),
                        Some(bl.loc()),
                    );
                }
                if kw == "enum" && !added.is_empty() {
                    let loc = hs
                        .iter()
                        .find(|(k, _)| *k == added[0])
                        .map(|(_, n)| n.loc())
                        .unwrap_or(hl.loc());
                    out.kw(
                        "enum-value-added",
                        format!("enum {} added", values_text(&added)),
                        loc,
                        None,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Whether a property was marked deprecated: `deprecated: true`, or a description that
/// says so in the words generators and hand-written references use: a line that opens
/// with the word ("DEPRECATED: Use PodPriorityClassName instead.", "Deprecated: …",
/// Moby's "> **Deprecated**: This field is deprecated, and omitted if empty."), or "this
/// field is deprecated". A mention of another field ("replaces the deprecated `foo`")
/// does not count.
pub(super) fn announced_deprecated(doc: &crate::api::doc::Docs, v: Val) -> bool {
    let r = doc.resolve(v);
    r.get("deprecated").is_some_and(|x| x.is_true())
        || r.get("description")
            .and_then(|d| d.str())
            .is_some_and(says_deprecated)
}

fn says_deprecated(description: &str) -> bool {
    let opens_with = |line: &str| {
        line.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '>' | '*' | '_' | '(' | '[')
        })
        .get(..10)
        .is_some_and(|w| w.eq_ignore_ascii_case("deprecated"))
    };
    let lower = description.to_ascii_lowercase();
    description.contains("DEPRECATED")
        || description.lines().any(opens_with)
        || ["field", "property", "attribute"]
            .iter()
            .any(|w| lower.contains(&format!("this {w} is deprecated")))
}

/// The `oneOf` list of a schema that was a plain (uncomposed) schema before.
pub(super) fn became_one_of<'a>(b: &Val<'a>, h: &Val<'a>) -> Option<Val<'a>> {
    if b.get("oneOf").is_some() || b.get("anyOf").is_some() || !shaped(b) || shaped(h) {
        return None;
    }
    h.get("oneOf")
}

/// A schema that admits only null: `{type: "null"}`, `{const: null}`, `{enum: [null]}`.
pub(super) fn is_null_schema(v: &Val) -> bool {
    v.get("type").and_then(|t| t.str()) == Some("null")
        || v.get("const").is_some_and(|c| c.is_null())
        || v.get("enum").is_some_and(|e| {
            let items: Vec<_> = e.items().collect();
            items.len() == 1 && items[0].is_null()
        })
}

/// Whether a schema admits null by its own words: `nullable: true` (OpenAPI 3.0) or
/// `"null"` among its types (3.1).
pub(super) fn accepts_null(v: &Val) -> bool {
    v.get("nullable").is_some_and(|n| n.is_true())
        || v.get("type")
            .is_some_and(|t| t.items().any(|x| x.str() == Some("null")))
}

/// `const` and `default`.
pub(super) fn value_changes(b: &Val, h: &Val, out: &mut Out) {
    for (kw, [added, removed, changed]) in [
        ("const", ["const-added", "const-removed", "const-changed"]),
        (
            "default",
            [
                "default-value-added",
                "default-value-removed",
                "default-value-changed",
            ],
        ),
    ] {
        // `enum: [x]` on one side and `const: x` on the other: the same single value,
        // spelled differently (zod 3 writes the first, zod 4 the second).
        let single = |v: &Val, c: &Val| {
            v.get("const").is_none() && v.single_value().is_some_and(|x| x.node.same_value(c.node))
        };
        match (b.get(kw), h.get(kw)) {
            (None, Some(hv)) if kw == "const" && single(b, &hv) => {}
            (Some(bv), None) if kw == "const" && single(h, &bv) => {}
            (None, Some(hv)) => out.kw(
                added,
                format!("`{kw}` `{}` added", hv.show()),
                hv.loc(),
                None,
            ),
            (Some(bv), None) => out.kw(
                removed,
                format!("`{kw}` `{}` removed", bv.show()),
                h.loc(),
                Some(bv.loc()),
            ),
            (Some(bv), Some(hv)) if !bv.node.same_value(hv.node) => out.kw(
                changed,
                format!("`{kw}` changed from `{}` to `{}`", bv.show(), hv.show()),
                hv.loc(),
                Some(bv.loc()),
            ),
            _ => {}
        }
    }
    for (kw, id) in [
        ("contentMediaType", "content-media-type-changed"),
        ("contentEncoding", "content-encoding-changed"),
    ] {
        let (bv, hv) = (b.get(kw), h.get(kw));
        let (bs, hs) = (bv.map(|v| v.show()), hv.map(|v| v.show()));
        if bs != hs {
            let (head, base) = at(b, h, kw);
            out.kw(
                id,
                format!(
                    "`{kw}` changed from `{}` to `{}`",
                    bs.unwrap_or_else(|| "none".into()),
                    hs.unwrap_or_else(|| "none".into())
                ),
                head,
                base,
            );
        }
    }
}

pub(super) fn bound_changes(b: &Val, h: &Val, out: &mut Out) {
    for (kw, [dec, inc, set, unset], is_max) in BOUNDS {
        // OpenAPI 3.0 writes exclusiveness as a boolean next to maximum/minimum.
        let num = |v: &Val, k: &str| {
            v.get(k)
                .filter(|x| !matches!(x.node.kind, Kind::Bool(_)))
                .and_then(|x| x.num())
        };
        let excl = |v: &Val| {
            let k = if *is_max {
                "exclusiveMaximum"
            } else {
                "exclusiveMinimum"
            };
            v.get(k).is_some_and(|x| x.is_true())
        };
        let (bv, hv) = (num(b, kw), num(h, kw));
        let (head, base) = at(b, h, kw);
        match (bv, hv) {
            (Some(x), Some(y)) => {
                let bool_bound = matches!(*kw, "maximum" | "minimum");
                let (ex, ey) = if bool_bound {
                    (excl(b), excl(h))
                } else {
                    (false, false)
                };
                // A tighter bound: a lower maximum (or the same, now exclusive).
                let lower =
                    y < x || (y == x && *is_max && ey && !ex) || (y == x && !*is_max && ex && !ey);
                let higher =
                    y > x || (y == x && *is_max && ex && !ey) || (y == x && !*is_max && ey && !ex);
                if lower {
                    out.kw(
                        dec,
                        format!("`{kw}` decreased from {} to {}", show_num(x), show_num(y)),
                        head,
                        base,
                    );
                } else if higher {
                    out.kw(
                        inc,
                        format!("`{kw}` increased from {} to {}", show_num(x), show_num(y)),
                        head,
                        base,
                    );
                }
            }
            (None, Some(y)) => out.kw(set, format!("`{kw}` set to {}", show_num(y)), head, base),
            (Some(x), None) => out.kw(unset, format!("`{kw}` {} removed", show_num(x)), head, base),
            (None, None) => {}
        }
    }
}

pub(super) fn show_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

pub(super) fn pattern_of<'a>(v: &Val<'a>) -> Option<&'a str> {
    v.get("pattern")
        .and_then(|p| p.str())
        .filter(|p| !p.is_empty())
}

pub(super) fn pattern_changes(b: &Val, h: &Val, out: &mut Out) {
    let pattern = pattern_of;
    let (bp, hp) = (pattern(b), pattern(h));
    let (head, base) = at(b, h, "pattern");
    let any = |p: &str| matches!(p, ".*" | "^.*$" | "^.*" | ".*$");
    match (bp, hp) {
        (None, Some(p)) if !any(p) => {
            out.kw("pattern-added", format!("pattern `{p}` added"), head, base)
        }
        (Some(p), None) => out.kw(
            "pattern-removed",
            format!("pattern `{p}` removed"),
            head,
            base,
        ),
        (Some(x), Some(y)) if x != y => {
            if any(y) {
                out.kw(
                    "pattern-generalized",
                    format!("pattern `{x}` generalized to `{y}`"),
                    head,
                    base,
                )
            } else {
                out.kw(
                    "pattern-changed",
                    format!("pattern changed from `{x}` to `{y}`"),
                    head,
                    base,
                )
            }
        }
        _ => {}
    }
}

/// `dependentRequired` and `discriminator`: keyed maps compared entry by entry.
pub(super) fn keyed_changes(b: &Val, h: &Val, out: &mut Out) {
    if let (bd, hd) = (b.get("dependentRequired"), h.get("dependentRequired"))
        && (bd.is_some() || hd.is_some())
    {
        let names = |v: Option<Val>, k: &str| -> Option<Vec<String>> {
            v?.get(k).map(|l| {
                l.items()
                    .filter_map(|x| x.str().map(String::from))
                    .collect()
            })
        };
        if let Some(bd) = bd {
            for (k, bv) in bd.entries() {
                match names(hd, k) {
                    None => out.kw(
                        "dependent-required-removed",
                        format!("`dependentRequired` for `{k}` removed"),
                        hd.unwrap_or(*h).loc(),
                        Some(bv.loc()),
                    ),
                    Some(hn) if Some(&hn) != names(Some(bd), k).as_ref() => out.kw(
                        "dependent-required-changed",
                        format!("`dependentRequired` for `{k}` changed"),
                        hd.and_then(|d| d.get(k)).unwrap_or(*h).loc(),
                        Some(bv.loc()),
                    ),
                    _ => {}
                }
            }
        }
        if let Some(hd) = hd {
            for (k, hv) in hd.entries() {
                if names(bd, k).is_none() {
                    out.kw(
                        "dependent-required-added",
                        format!("`dependentRequired` for `{k}` added"),
                        hv.loc(),
                        None,
                    );
                }
            }
        }
    }
    let (bd, hd) = (b.get("discriminator"), h.get("discriminator"));
    match (bd, hd) {
        (None, Some(hv)) => out.kw(
            "discriminator-added",
            "discriminator added".into(),
            hv.loc(),
            None,
        ),
        (Some(bv), None) => out.kw(
            "discriminator-removed",
            "discriminator removed".into(),
            h.loc(),
            Some(bv.loc()),
        ),
        (Some(bv), Some(hv)) => {
            let pn = |v: &Val| {
                v.get("propertyName")
                    .and_then(|p| p.str())
                    .map(String::from)
            };
            if pn(&bv) != pn(&hv) {
                let (head, base) = at(&bv, &hv, "propertyName");
                out.kw(
                    "discriminator-property-name-changed",
                    format!(
                        "discriminator property changed from `{}` to `{}`",
                        pn(&bv).unwrap_or_default(),
                        pn(&hv).unwrap_or_default()
                    ),
                    head,
                    base,
                );
            }
            let (bm, hm) = (bv.get("mapping"), hv.get("mapping"));
            let at_h = hm.unwrap_or(hv).loc();
            if let Some(bm) = bm {
                for (k, bval) in bm.entries() {
                    match hm.and_then(|m| m.get(k)) {
                        None => out.kw(
                            "discriminator-mapping-deleted",
                            format!("discriminator mapping `{k}` deleted"),
                            at_h.clone(),
                            Some(bval.loc()),
                        ),
                        Some(hval) if hval.str() != bval.str() => out.kw(
                            "discriminator-mapping-changed",
                            format!("discriminator mapping `{k}` changed"),
                            hval.loc(),
                            Some(bval.loc()),
                        ),
                        _ => {}
                    }
                }
            }
            if let Some(hm) = hm {
                for (k, hval) in hm.entries() {
                    if bm.and_then(|m| m.get(k)).is_none() {
                        out.kw(
                            "discriminator-mapping-added",
                            format!("discriminator mapping `{k}` added"),
                            hval.loc(),
                            None,
                        );
                    }
                }
            }
        }
        (None, None) => {}
    }
}

/// `additionalProperties: false` or `unevaluatedProperties: false`.
pub(super) fn closes_properties(v: Val<'_>) -> bool {
    ["additionalProperties", "unevaluatedProperties"]
        .iter()
        .any(|k| {
            v.get(k)
                .is_some_and(|x| matches!(x.node.kind, Kind::Bool(false)))
        })
}

#[cfg(test)]
mod tests {
    use super::says_deprecated;

    #[test]
    fn a_description_that_deprecates_its_own_field() {
        assert!(says_deprecated(
            "ID of the parent build cache record.\n\n> **Deprecated**: This field is deprecated, and omitted if empty."
        ));
        assert!(says_deprecated(
            "DEPRECATED: Use PodPriorityClassName instead."
        ));
        assert!(says_deprecated("Deprecated. Read `parents`."));
        assert!(says_deprecated(
            "The old name; this property is deprecated."
        ));
        assert!(!says_deprecated("Replaces the deprecated `parent` field."));
        assert!(!says_deprecated("IDs of the parent records."));
    }
}
