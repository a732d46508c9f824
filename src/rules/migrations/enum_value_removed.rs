//! M109: an enum value the previous release may still write is renamed or removed.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M109 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct EnumValueRemoved;

impl Rule for EnumValueRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        if cx.part != Part::Up {
            return;
        }
        let fresh_enum = |name: &str| {
            cx.schema
                .enums
                .get(name)
                .is_some_and(|(_, m)| cx.is_fresh(*m))
        };
        let (what, removed, anchor, words): (String, Vec<String>, String, &[&str]) = match cx.op {
            Op::RenameEnumValue { name, from, to } if !fresh_enum(name) => (
                format!("renaming value '{from}' of enum `{name}` to '{to}'"),
                vec![from.clone()],
                format!("{name}:{from}"),
                &["RENAME", "VALUE"],
            ),
            Op::CreateEnum { name, values } => {
                // Re-creating a type (after renaming or dropping the old one) with fewer values.
                let Some(old) = cx.schema.renamed_enums.get(name) else {
                    return;
                };
                let gone: Vec<String> = old
                    .iter()
                    .filter(|v| !values.contains(v))
                    .cloned()
                    .collect();
                if gone.is_empty() || cx.schema.enums.contains_key(name) {
                    return;
                }
                (
                    format!("re-creating enum `{name}` without {}", list(&gone)),
                    gone.clone(),
                    format!("{name}:{}", gone.join(",")),
                    &["CREATE", "TYPE"],
                )
            }
            Op::ChangeColumnType {
                table,
                column,
                spec: Some(spec),
                ..
            } if !spec.enum_values.is_empty() && !cx.is_new_column(table, column) => {
                let Some(old) = cx.schema.column(table, column) else {
                    return;
                };
                let gone: Vec<String> = old
                    .spec
                    .enum_values
                    .iter()
                    .filter(|v| !spec.enum_values.contains(v))
                    .cloned()
                    .collect();
                if gone.is_empty() {
                    return;
                }
                (
                    format!(
                        "changing {} to drop {}",
                        super::qual(table, column),
                        list(&gone)
                    ),
                    gone.clone(),
                    format!("{table}.{column}:{}", gone.join(",")),
                    &["MODIFY"],
                )
            }
            _ => return,
        };
        out.push(cx.diag(
            &META,
            cx.span_of(words),
            format!(
                "{what} breaks the previous release wherever it still writes or reads {} (and the migration fails if rows hold it)",
                list(&removed)
            ),
            "add the new value first and ship code that writes it; migrate rows in batches; remove the old value only in a later release, once no running version uses it",
            &anchor,
        ));
    }
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
