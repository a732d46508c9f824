//! What schemas say, read without comparing: their types, scalar values, annotations,
//! and the `allOf` wrappers generators put around references and properties.

use super::*;

/// Types a schema allows, and whether it allows null (3.0 `nullable`, 3.1 `"null"`,
/// 2.0 `x-nullable`).
pub(super) fn types(v: &Val) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut nullable = v.get("nullable").is_some_and(|n| n.is_true())
        || v.get("x-nullable").is_some_and(|n| n.is_true());
    if let Some(t) = v.get("type") {
        match &t.node.kind {
            Kind::Str(s) => out.push(s.clone()),
            Kind::Seq(items) => {
                out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
            }
            _ => {}
        }
    }
    if let Some(i) = out.iter().position(|t| t == "null") {
        out.remove(i);
        nullable = true;
    }
    out.sort();
    out.dedup();
    (out, nullable)
}

/// A scalar's identity for enum comparisons.
pub(super) fn canon(n: &Node) -> String {
    match &n.kind {
        Kind::Str(s) => format!("s:{s}"),
        Kind::Int(i) => format!("n:{i}"),
        Kind::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("n:{}", *f as i128),
        Kind::Float(f) => format!("n:{f}"),
        Kind::Bool(b) => format!("b:{b}"),
        Kind::Null => "null".into(),
        _ => format!("{:?}", n.kind),
    }
}

pub(super) fn scalars<'a>(v: Option<Val<'a>>) -> Vec<(String, Val<'a>)> {
    v.map(|l| l.items().map(|i| (canon(i.node), i)).collect())
        .unwrap_or_default()
}

/// The values of a union every member of which is a `const` or an `enum` of scalars with
/// only annotations beside it: an enumeration, each value documented on its own.
pub(super) fn union_values<'a>(
    docs: &crate::api::doc::Docs<'a>,
    v: &Val<'a>,
) -> Option<Vec<(String, Val<'a>)>> {
    let list = v.get("oneOf").or_else(|| v.get("anyOf"))?;
    let mut out = Vec::new();
    for m in list.items() {
        let r = docs.resolve(m);
        let only_values = r.node.entries().iter().all(|(k, _)| {
            matches!(k.text.as_str(), "enum" | "const" | "type")
                || ANNOTATIONS.contains(&k.text.as_str())
                || k.text.starts_with("x-")
        });
        if !only_values {
            return None;
        }
        if let Some(c) = r.get("const") {
            out.push((canon(c.node), c));
        } else {
            let e = r.get("enum")?;
            let values = scalars(Some(e));
            // Scalars only (`canon` names them `s:`, `n:`, `b:` or `null`).
            if values.is_empty() || values.iter().any(|(k, _)| !k.contains(':') && k != "null") {
                return None;
            }
            out.extend(values);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// "value `a`", "values `a`, `b`", "values `a`, `b`, `c`, `d` and 12 more".
pub(super) fn values_text(vals: &[String]) -> String {
    let shown: Vec<String> = vals
        .iter()
        .take(4)
        .map(|s| format!("`{}`", s.split_once(':').map(|(_, v)| v).unwrap_or(s)))
        .collect();
    let more = if vals.len() > 4 {
        format!(" and {} more", vals.len() - 4)
    } else {
        String::new()
    };
    let word = if vals.len() == 1 { "value" } else { "values" };
    format!("{word} {}{more}", shown.join(", "))
}

/// Keywords that say nothing about what is valid.
pub(super) const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "default",
    "externalDocs",
    "xml",
];

/// `allOf: [X, {description: …}]`, the OpenAPI 3.0 way to describe a `$ref` (whose
/// siblings are ignored), is X: DigitalOcean wraps `$ref: image.yml` so to say which token
/// scope reads it. A schema whose own keys besides `allOf` are annotations, and whose
/// `allOf` has exactly one member that is more than annotations, stands for that member.
pub(super) fn unwrap_annotated<'a>(docs: &crate::api::doc::Docs<'a>, v: Val<'a>) -> Val<'a> {
    let Some(list) = annotated_all_of(&v) else {
        return v;
    };
    let mut real = list
        .items()
        .map(|m| docs.resolve(m))
        .filter(|m| !annotation_only(m));
    match (real.next(), real.next()) {
        (Some(one), None) if one.is_map() => one,
        _ => v,
    }
}

/// The `allOf` list of a schema that has nothing else but annotations.
pub(super) fn annotated_all_of<'a>(v: &Val<'a>) -> Option<Val<'a>> {
    let list = v.get("allOf")?;
    v.node
        .entries()
        .iter()
        .all(|(k, _)| {
            k.text == "allOf" || ANNOTATIONS.contains(&k.text.as_str()) || k.text.starts_with("x-")
        })
        .then_some(list)
}

/// `allOf: [{$ref: X}]` with only annotations beside it (how swag and other generators
/// attach a description to a reference) as the reference itself, so that a cycle through
/// it is met as a cycle and its changes are named after X (homebox's ent schemas:
/// `Item.edges.parent` is such a wrapped `Item`, and followed as inline schemas it gave
/// a property path twenty `edges/parent` deep).
pub(super) fn annotated_ref(v: Val<'_>) -> Val<'_> {
    let Some(list) = annotated_all_of(&v) else {
        return v;
    };
    let mut real = list.items().filter(|m| !annotation_only(m));
    match (real.next(), real.next()) {
        (Some(one), None) if one.get("$ref").is_some() => Val { key: v.key, ..one },
        _ => v,
    }
}

/// Properties an object schema takes from its `allOf` members (resolved; one level):
/// `allOf: [{$ref: registry_base.yml}, {properties: {subscription}}]` is one object whose
/// properties are the members' (DigitalOcean's registry).
pub(super) fn member_property<'a>(
    docs: &crate::api::doc::Docs<'a>,
    v: &Val<'a>,
    name: &str,
) -> Option<Val<'a>> {
    v.get("allOf")?
        .items()
        .find_map(|m| docs.resolve(m).get("properties").and_then(|p| p.get(name)))
}

/// The `required` names of an object schema's `allOf` members (resolved; one level).
pub(super) fn member_required(docs: &crate::api::doc::Docs<'_>, v: &Val<'_>) -> Vec<String> {
    let Some(list) = v.get("allOf") else {
        return Vec::new();
    };
    list.items()
        .flat_map(|m| {
            docs.resolve(m)
                .get("required")
                .map(|r| {
                    r.items()
                        .filter_map(|x| x.str().map(String::from))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Whether `split`'s `allOf` only spreads `whole`'s properties over members: every member
/// (resolved) holds annotations or properties `whole` has, and nothing else that constrains.
pub(super) fn spreads_properties<'a>(
    docs: &crate::api::doc::Docs<'a>,
    split: &Val<'a>,
    whole: &Val<'a>,
) -> bool {
    let Some(list) = split.get("allOf") else {
        return false;
    };
    let Some(props) = whole.get("properties") else {
        return false;
    };
    list.items().all(|m| {
        let m = docs.resolve(m);
        annotation_only(&m)
            || (m.node.entries().iter().all(|(k, _)| {
                matches!(k.text.as_str(), "type" | "properties" | "required")
                    || ANNOTATIONS.contains(&k.text.as_str())
                    || k.text.starts_with("x-")
            }) && m
                .get("properties")
                .is_some_and(|p| p.entries().all(|(n, _)| props.get(n).is_some())))
    })
}

/// An `allOf` member that only adds optional properties to an object (`{type: object,
/// properties: {filters: …}}` beside the members that make the body an object, as
/// outline's `/documents.deleted` gained): it requires nothing and closes nothing, so
/// every body the other members accepted still validates, and it is what adding optional
/// properties is (information both ways, as oasdiff rates `request-property-added`).
pub(super) fn optional_properties_only<'a>(
    docs: &crate::api::doc::Docs<'a>,
    member: &Val<'a>,
    siblings: &[Val<'a>],
) -> bool {
    let is_object = |v: &Val| {
        v.get("properties").is_some() || v.get("type").and_then(|t| t.str()) == Some("object")
    };
    member.get("properties").is_some()
        && member.get("type").is_none_or(|t| t.str() == Some("object"))
        && member.node.entries().iter().all(|(k, _)| {
            matches!(k.text.as_str(), "type" | "properties")
                || ANNOTATIONS.contains(&k.text.as_str())
                || k.text.starts_with("x-")
        })
        && siblings.iter().any(|s| is_object(&docs.resolve(*s)))
}

pub(super) fn annotation_only(v: &Val) -> bool {
    v.node
        .entries()
        .iter()
        .all(|(k, _)| ANNOTATIONS.contains(&k.text.as_str()) || k.text.starts_with("x-"))
}

/// The properties of an object schema that hold exactly one literal (`{const: x}` or
/// `{enum: [x]}`), as `(property, value)`: the tags by which a union's members tell
/// themselves apart.
pub(super) fn literal_tags<'a>(docs: &crate::api::doc::Docs<'a>, v: Val<'a>) -> Vec<Tag> {
    let r = docs.resolve(v);
    let Some(props) = r.get("properties") else {
        return Vec::new();
    };
    props
        .entries()
        .filter_map(|(name, p)| {
            let p = docs.resolve(p);
            let value = p.single_value()?;
            matches!(value.node.kind, Kind::Str(_) | Kind::Int(_) | Kind::Bool(_))
                .then(|| (name.to_string(), canon(value.node)))
        })
        .collect()
}

/// Whether a schema declares a `default`, itself or in a branch of the `anyOf`/`oneOf`
/// it is written as (3.1 generators write a nullable field as `anyOf: [{…, default:
/// []}, {type: "null"}]`).
pub(super) fn has_default<'a>(docs: &crate::api::doc::Docs<'a>, v: Val<'a>) -> bool {
    let r = docs.resolve(v);
    r.get("default").is_some()
        || ["anyOf", "oneOf"].iter().any(|kw| {
            r.get(kw)
                .is_some_and(|l| l.items().any(|b| docs.resolve(b).get("default").is_some()))
        })
}

/// A property holding one literal: `(property, value)`.
pub(super) type Tag = (String, String);

/// Union branches paired by a tag only one branch on each side holds, from each side's
/// `(branch index, tags)`; each head branch is paired once.
pub(super) fn tag_pairs(
    base: &[(usize, Vec<Tag>)],
    head: &[(usize, Vec<Tag>)],
) -> Vec<(usize, usize)> {
    let holders = |side: &[(usize, Vec<Tag>)], tag: &Tag| -> Vec<usize> {
        side.iter()
            .filter(|(_, t)| t.contains(tag))
            .map(|(x, _)| *x)
            .collect()
    };
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, tags) in base {
        let found =
            tags.iter().find_map(
                |tag| match (&holders(base, tag)[..], &holders(head, tag)[..]) {
                    ([_], [j]) => Some(*j),
                    _ => None,
                },
            );
        if let Some(j) = found.filter(|j| !pairs.iter().any(|(_, pj)| pj == j)) {
            pairs.push((*i, j));
        }
    }
    pairs
}

/// The JSON types of the Kubernetes apimachinery type a schema references, for those
/// that are one scalar whatever a generator draws them as (go-swagger renders them as
/// objects with the Go fields): `resource.Quantity` marshals to a string (`"500Mi"`),
/// `intstr.IntOrString` to an int or a string, `metav1.Time` / `MicroTime` to an RFC 3339
/// string, `metav1.Duration` to a Go duration string (k8s.io/apimachinery:
/// `Quantity.MarshalJSON`, `IntOrString.MarshalJSON`, `Time.MarshalJSON`,
/// `MicroTime.MarshalJSON`, `Duration.MarshalJSON`).
pub(super) fn k8s_scalar(v: &Val) -> Option<&'static [&'static str]> {
    let r = v.get("$ref").and_then(|r| r.str())?;
    let name = r.rsplit('/').next().unwrap_or(r);
    let last = name.rsplit('.').next().unwrap_or(name);
    const STRING: &[&str] = &["string"];
    match last {
        "IntOrString" => Some(&["integer", "string"]),
        "Quantity" | "V1Time" | "V1MicroTime" | "V1Duration" => Some(STRING),
        // Plain `Time` is a common name: only apimachinery's (`io.k8s.apimachinery.pkg.
        // apis.meta.v1.Time`, `v1.Time`).
        "Time" | "MicroTime" | "Duration"
            if name.contains("apimachinery") || name.starts_with("v1.") =>
        {
            Some(STRING)
        }
        _ => None,
    }
}

/// The Go fields generators draw those types with (go-swagger: `Quantity.Format`,
/// `IntOrString.intVal`/`strVal`/`type`, `MicroTime`'s `time.Time`; protobuf renderings:
/// `seconds`/`nanos`, `string`): an object drawing anything else is a type of its own
/// that happens to share the name (a shop's `Quantity {value, unit}`).
const K8S_GO_FIELDS: &[&str] = &[
    "Format",
    "format",
    "d",
    "i",
    "s",
    "string",
    "intVal",
    "strVal",
    "type",
    "IntVal",
    "StrVal",
    "Type",
    "time.Time",
    "Time",
    "seconds",
    "nanos",
    "Duration",
];

/// Whether `v` (resolved) is the Kubernetes type as a generator drew it: a scalar, or an
/// object of its Go fields only.
pub(super) fn drawn_as_k8s(v: &Val) -> bool {
    v.get("properties").is_none_or(|p| {
        p.node
            .entries()
            .iter()
            .all(|(k, _)| K8S_GO_FIELDS.contains(&k.text.as_str()))
    })
}

/// A schema drawn as one scalar of the `wire` types: no properties or items, and its
/// types (if it names any) among them.
pub(super) fn scalar_shaped(v: &Val, wire: &[&str]) -> bool {
    v.get("properties").is_none()
        && v.get("items").is_none()
        && types(v).0.iter().all(|t| wire.contains(&t.as_str()))
}
