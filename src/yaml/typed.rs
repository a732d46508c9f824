//! Typed views of the span tree: `serde` deserialization straight from a parsed [`Node`]
//! (no second parse), with [`Located`] fields that keep the position of the value they
//! were read from. A type mismatch is reported at the offending node, which is where the
//! deploying tool's decoder fails too (`value: yes` is a boolean, not a string).

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, forward_to_deserialize_any};

use super::{Kind, Node, Pos};

/// A value with the position of the node it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

const LOCATED: &str = "rollsafe::Located";
const FIELDS: &[&str] = &["value", "line", "column", "offset", "len"];

/// Why a node does not fit the type asked for, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for TypeError {}

impl de::Error for TypeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TypeError {
            message: msg.to_string(),
            pos: Pos::default(),
        }
    }
}

/// Reads a typed view of `node`.
pub fn from_node<'de, T: Deserialize<'de>>(node: &'de Node) -> Result<T, TypeError> {
    T::deserialize(NodeDe(node))
}

struct NodeDe<'a>(&'a Node);

impl NodeDe<'_> {
    /// Errors raised by visitors carry no position: give them this node's.
    fn at(&self, mut e: TypeError) -> TypeError {
        if e.pos == Pos::default() {
            e.pos = self.0.pos;
        }
        e
    }
}

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = TypeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TypeError> {
        let r = match &self.0.kind {
            Kind::Null => v.visit_unit(),
            Kind::Bool(b) => v.visit_bool(*b),
            Kind::Int(i) => match i64::try_from(*i) {
                Ok(i) => v.visit_i64(i),
                Err(_) => v.visit_i128(*i),
            },
            Kind::Float(f) => v.visit_f64(*f),
            Kind::Str(s) => v.visit_borrowed_str(s),
            Kind::Seq(items) => v.visit_seq(Items(items.iter())),
            Kind::Map(entries) => v.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
        };
        r.map_err(|e| self.at(e))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TypeError> {
        match self.0.kind {
            Kind::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, TypeError> {
        if name == LOCATED {
            v.visit_map(LocatedAccess {
                node: self.0,
                field: 0,
            })
        } else {
            v.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TypeError> {
        // Unit variants written as strings (`type: RollingUpdate`).
        match &self.0.kind {
            Kind::Str(s) => v
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: TypeError| self.at(e)),
            _ => Err(self.at(de::Error::custom("expected a string naming a variant"))),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = TypeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, TypeError> {
        self.0
            .next()
            .map(|n| seed.deserialize(NodeDe(n)))
            .transpose()
    }
}

struct Entries<'a> {
    iter: std::slice::Iter<'a, (super::Key, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = TypeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TypeError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                let key: de::value::BorrowedStrDeserializer<'de, TypeError> =
                    de::value::BorrowedStrDeserializer::new(k.text.as_str());
                seed.deserialize(key).map(Some).map_err(|mut e| {
                    e.pos = k.pos;
                    e
                })
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TypeError> {
        match self.value.take() {
            Some(v) => seed.deserialize(NodeDe(v)),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}

/// The synthetic map `{value, line, column, offset, len}` a `Located<T>` reads.
struct LocatedAccess<'a> {
    node: &'a Node,
    field: usize,
}

impl<'de> MapAccess<'de> for LocatedAccess<'de> {
    type Error = TypeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TypeError> {
        match FIELDS.get(self.field) {
            Some(f) => seed
                .deserialize(de::value::BorrowedStrDeserializer::<TypeError>::new(f))
                .map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TypeError> {
        let p = self.node.pos;
        let f = self.field;
        self.field += 1;
        match f {
            0 => seed.deserialize(NodeDe(self.node)),
            1 => seed.deserialize((p.line as u64).into_deserializer()),
            2 => seed.deserialize((p.column as u64).into_deserializer()),
            3 => seed.deserialize((p.offset as u64).into_deserializer()),
            _ => seed.deserialize((p.len as u64).into_deserializer()),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Located<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a located value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located<T>, A::Error> {
                let mut value = None;
                let mut pos = Pos::default();
                while let Some(k) = map.next_key::<&str>()? {
                    match k {
                        "value" => value = Some(map.next_value()?),
                        "line" => pos.line = map.next_value::<u64>()? as usize,
                        "column" => pos.column = map.next_value::<u64>()? as usize,
                        "offset" => pos.offset = map.next_value::<u64>()? as usize,
                        _ => pos.len = map.next_value::<u64>()? as usize,
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(Located { value, pos })
            }
        }
        d.deserialize_newtype_struct(LOCATED, V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Flavor, parse_stream};
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Container {
        name: Located<String>,
        #[serde(default)]
        ports: Vec<Port>,
        #[serde(default)]
        env: Vec<Env>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Port {
        container_port: Located<u16>,
        name: Option<Located<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Env {
        name: String,
        value: Option<Located<String>>,
    }

    #[derive(Debug, Deserialize)]
    struct Meta {
        labels: BTreeMap<String, Located<String>>,
    }

    #[test]
    fn typed_views_keep_positions() {
        let text = "name: web\nports:\n  - containerPort: 8080\n    name: http\nenv:\n  - name: A\n    value: \"x\"\n";
        let docs = parse_stream(text, Flavor::Kubernetes).unwrap();
        let c: Container = from_node(&docs[0]).unwrap();
        assert_eq!(
            (c.name.value.as_str(), c.name.pos.line, c.name.pos.column),
            ("web", 1, 7)
        );
        assert_eq!(c.ports[0].container_port.value, 8080);
        assert_eq!(c.ports[0].container_port.pos.line, 3);
        assert_eq!(c.ports[0].name.as_ref().unwrap().value, "http");
        assert_eq!(c.env[0].name, "A");
        assert_eq!(c.env[0].value.as_ref().unwrap().pos.line, 7);
        let docs = parse_stream("labels:\n  app: web\n", Flavor::Kubernetes).unwrap();
        let m: Meta = from_node(&docs[0]).unwrap();
        assert_eq!(m.labels["app"].pos.line, 2);
    }

    #[test]
    fn type_errors_point_at_the_node_as_kubectl_would_fail() {
        let text = "env:\n  - name: FEATURE\n    value: yes\nname: x\n";
        let docs = parse_stream(text, Flavor::Kubernetes).unwrap();
        let e = from_node::<Container>(&docs[0]).unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (3, 12), "{e}");
        assert!(e.message.contains("boolean"), "{e}");
        let docs = parse_stream("labels:\n  enabled: on\n", Flavor::Kubernetes).unwrap();
        let e = from_node::<Meta>(&docs[0]).unwrap_err();
        assert_eq!(e.pos.line, 2);
    }
}
