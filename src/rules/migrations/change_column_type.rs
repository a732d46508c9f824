//! M105: changing a column's type — the previous release writes values the new type may
//! reject, and on PostgreSQL most changes rewrite the table under an exclusive lock.

use crate::diagnostic::catalogue::M105 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, Part, ops::Op};

pub struct ChangeColumnType;

/// `varchar(255)` → ("varchar", Some(255)).
fn split_len(t: &str) -> (String, Option<u64>) {
    let base = t
        .replace("character varying", "varchar")
        .replace("character", "char");
    match base.split_once('(') {
        Some((b, rest)) => (
            b.trim().to_string(),
            rest.trim_end_matches(')')
                .split(',')
                .next()
                .and_then(|n| n.trim().parse().ok()),
        ),
        None => (base.trim().to_string(), None),
    }
}

/// Families whose later members hold every value of the earlier ones.
const WIDENING: &[&[&str]] = &[
    &[
        "smallint",
        "int2",
        "integer",
        "int",
        "int4",
        "mediumint",
        "bigint",
        "int8",
    ],
    &[
        "real",
        "float4",
        "float",
        "double precision",
        "float8",
        "double",
    ],
    &["tinytext", "text", "mediumtext", "longtext"],
    &["tinyblob", "blob", "mediumblob", "longblob"],
];

/// `timestamp` and `timestamptz` hold the same instants, read at the session time zone:
/// a change either way converts every value (PostgreSQL manual, 8.5.1.3: conversions
/// "assume that the timestamp without time zone value should be taken or given as
/// timezone local time"), so neither direction narrows. PostgreSQL 12 skips the rewrite
/// both ways when the session time zone is UTC (release notes: "Allow ALTER TABLE ... SET
/// DATA TYPE changing between timestamp and timestamptz to avoid a table rewrite when the
/// session time zone is UTC").
fn with_zone(t: &str) -> Option<bool> {
    // The precision does not matter: `timestamp(3) with time zone`.
    let t = match (t.find('('), t.find(')')) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &t[..a], &t[b + 1..]),
        _ => t.to_string(),
    };
    match t.trim() {
        "timestamp" | "timestamp without time zone" => Some(false),
        "timestamptz" | "timestamp with time zone" => Some(true),
        _ => None,
    }
}

/// `numeric(12,2)` → Some((12, 2)); `numeric(12)` has scale 0; `numeric` → None, the
/// unconstrained type, except in MySQL, where it is `DECIMAL(10,0)` (MySQL manual,
/// *Fixed-Point Types*: "If D is omitted, the default is 0. If M is omitted, the default
/// is 10").
fn numeric_mod(t: &str, dialect: Dialect) -> Option<(u64, u64)> {
    let Some((_, args)) = t.split_once('(') else {
        return (dialect == Dialect::Mysql).then_some((10, 0));
    };
    let mut it = args
        .trim_end_matches(')')
        .split(',')
        .map(|n| n.trim().parse().ok());
    let precision = it.next().flatten()?;
    let scale = it.next().flatten().unwrap_or(0);
    Some((precision, scale))
}

/// PostgreSQL's `numeric_support` (src/backend/utils/adt/numeric.c) relabels without a
/// rewrite when the new type is unconstrained, or keeps the scale with no less
/// precision. Otherwise a value fits when the new type keeps as many digits before the
/// point and as many after it.
fn numeric_change(old: Option<(u64, u64)>, new: Option<(u64, u64)>) -> Option<Change> {
    let (Some((op, os)), Some((np, ns))) = (old, new) else {
        return if new.is_none() {
            None
        } else {
            Some(Change::Narrow)
        };
    };
    if np.saturating_sub(ns) < op.saturating_sub(os) || ns < os {
        Some(Change::Narrow)
    } else if ns == os {
        None
    } else {
        Some(Change::Widen)
    }
}

fn rank(t: &str) -> Option<(usize, usize)> {
    WIDENING
        .iter()
        .enumerate()
        .find_map(|(f, fam)| fam.iter().position(|x| *x == t).map(|i| (f, i)))
}

#[derive(Debug, PartialEq, Eq)]
enum Change {
    /// Old values may not fit: the previous release's writes fail.
    Narrow,
    /// Every old value fits, but the storage changes (a rewrite on PostgreSQL).
    Widen,
    /// Different kind of value: both the previous release and the table suffer.
    Incompatible,
    /// The old type is unknown (created before the kept history).
    Unknown,
}

/// How a change from `old` to `new` behaves; `None` means safe (same, or widening that
/// needs no rewrite).
fn judge(old: Option<&str>, new: &str, dialect: Dialect) -> Option<Change> {
    let (nb, nl) = split_len(new);
    let Some(old) = old else {
        // Unknown old type: widening to unbounded text is the common safe case.
        return if nb == "text" || (nb == "varchar" && nl.is_none()) {
            None
        } else {
            Some(Change::Unknown)
        };
    };
    if old == new {
        return None;
    }
    let (ob, ol) = split_len(old);
    let texty = |b: &str| b == "varchar" || b == "text";
    if texty(&ob) && texty(&nb) {
        return match (ol, nl) {
            (Some(o), Some(n)) if n < o => Some(Change::Narrow),
            (None, Some(_)) => Some(Change::Narrow),
            _ => None,
        };
    }
    if ob == nb && (ob == "numeric" || ob == "decimal") {
        return numeric_change(numeric_mod(old, dialect), numeric_mod(new, dialect));
    }
    if with_zone(old).is_some() && with_zone(new).is_some() {
        return Some(Change::Widen);
    }
    match (rank(&ob), rank(&nb)) {
        (Some((f1, a)), Some((f2, b))) if f1 == f2 && b >= a => Some(Change::Widen),
        (Some((f1, _)), Some((f2, _))) if f1 == f2 => Some(Change::Narrow),
        _ => Some(Change::Incompatible),
    }
}

impl Rule for ChangeColumnType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::ChangeColumnType {
            table,
            column,
            new_type,
            spec,
            using,
        } = cx.op
        else {
            return;
        };
        if cx.part != Part::Up || cx.is_new_column(table, column) {
            return;
        }
        let old = cx
            .schema
            .column(table, column)
            .map(|c| c.spec.data_type.as_str())
            .filter(|t| !t.is_empty());
        // MySQL MODIFY/CHANGE restates the whole column: without the old type we cannot
        // tell whether the type changes at all.
        if spec.is_some() && old.is_none() {
            return;
        }
        // Enum value changes are M109's finding.
        if old.is_some_and(|o| o.starts_with("enum(") || o.starts_with("set("))
            && (new_type.starts_with("enum(") || new_type.starts_with("set("))
        {
            return;
        }
        if cx.dialect() == Dialect::Mysql
            && old.is_some_and(|o| {
                crate::sql::ops::mysql_canonical_type(o)
                    == crate::sql::ops::mysql_canonical_type(new_type)
            })
        {
            return;
        }
        let Some(kind) = judge(old, new_type, cx.dialect()) else {
            return;
        };
        // On MySQL the cost of the copy is M211's finding; this rule is about values.
        if cx.dialect() != Dialect::Postgres && matches!(kind, Change::Widen | Change::Unknown) {
            return;
        }
        let col = super::qual(table, column);
        let was = old.map(|o| format!(" from `{o}`")).unwrap_or_default();
        let to_tz = new_type.contains("timestamptz") || new_type.contains("with time zone");
        let from_tz = old.is_some_and(|o| with_zone(o) == Some(true));
        let to_plain = with_zone(new_type) == Some(false);
        let at_time_zone = *using
            && cx
                .stmt
                .find_words(&cx.file.source.text, &["AT", "TIME", "ZONE"])
                .is_some();
        // A finding rollsafe cannot confirm is a warning, not an error.
        let severity = if kind == Change::Unknown {
            Severity::Warning
        } else {
            META.severity
        };
        let message = match (kind, cx.dialect()) {
            (Change::Narrow, _) => format!(
                "changing {col}{was} to `{new_type}` narrows it: values the previous release still writes are rejected, and a rollback meets truncated data"
            ),
            // `USING col AT TIME ZONE 'UTC'` is a function of the column, not the plain
            // cast that UTC sessions skip: PostgreSQL rewrites every row.
            (Change::Widen, _) if to_tz && at_time_zone => format!(
                "changing {col}{was} to `{new_type}` with `USING … AT TIME ZONE` rewrites `{table}` under an ACCESS EXCLUSIVE lock, whatever the session time zone"
            ),
            // PostgreSQL manual 8.5.1.3: "In a literal that has been determined to be
            // timestamp without time zone, PostgreSQL will silently ignore any time zone
            // indication."
            (Change::Widen, _) if from_tz && to_plain => format!(
                "changing {col}{was} to `{new_type}` rewrites `{table}` under an ACCESS EXCLUSIVE lock unless the session time zone is UTC (PostgreSQL 12+), and stored instants become local times: an offset in a text value the previous release writes is silently ignored"
            ),
            (Change::Widen, _) if to_tz => {
                format!(
                    "changing {col}{was} to `{new_type}` rewrites `{table}` under an ACCESS EXCLUSIVE lock unless the session time zone is UTC (PostgreSQL 12+)"
                )
            }
            (Change::Widen, _) => format!(
                "changing {col}{was} to `{new_type}` rewrites `{table}` and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            ),
            // The column predates the migrations rollsafe can see: say what is known.
            (Change::Unknown, _) => format!(
                "changing {col} to `{new_type}` rewrites `{table}` under an ACCESS EXCLUSIVE lock unless its current type converts without one{example}; rollsafe cannot see that type in the migrations",
                example = if to_tz {
                    " (timestamp, when the session time zone is UTC)"
                } else if new_type.starts_with("varchar")
                    || new_type.starts_with("character varying")
                {
                    " (a shorter varchar)"
                } else {
                    ""
                }
            ),
            (_, Dialect::Postgres) => format!(
                "changing {col}{was} to `{new_type}` rewrites `{table}` under an ACCESS EXCLUSIVE lock, and the previous release still reads and writes the old type"
            ),
            _ => format!(
                "changing {col}{was} to `{new_type}` changes the values the previous release reads and writes"
            ),
        };
        out.push(cx.diag(
            &META,
            cx.span_of(&["ALTER", "COLUMN", column]),
            message,
            format!(
                "add a new column of type `{new_type}`, write to both, backfill in batches, switch reads, then drop `{column}` in a later release"
            ),
            &format!("{table}.{column}:{new_type}"),
        )
        .with_severity(severity));
    }
}

#[cfg(test)]
mod tests {
    use super::{Change, Dialect, judge};

    fn pg(old: Option<&str>, new: &str) -> Option<Change> {
        judge(old, new, Dialect::Postgres)
    }

    #[test]
    fn widening_is_safe_narrowing_is_not() {
        assert_eq!(pg(Some("varchar(50)"), "varchar(100)"), None);
        assert_eq!(
            pg(Some("varchar(100)"), "varchar(50)"),
            Some(Change::Narrow)
        );
        assert_eq!(pg(Some("varchar(100)"), "text"), None);
        assert_eq!(pg(Some("text"), "varchar(10)"), Some(Change::Narrow));
        assert_eq!(pg(Some("int"), "bigint"), Some(Change::Widen));
        assert_eq!(pg(Some("bigint"), "int"), Some(Change::Narrow));
        assert_eq!(pg(Some("int"), "text"), Some(Change::Incompatible));
        assert_eq!(pg(None, "text"), None);
        assert_eq!(pg(None, "bigint"), Some(Change::Unknown));
        assert_eq!(pg(Some("numeric(10,2)"), "numeric(12,2)"), None);
        // Unconstrained holds every value, relabelled without a rewrite (blnk v0.12.0).
        assert_eq!(pg(Some("numeric(12,2)"), "numeric"), None);
        assert_eq!(pg(Some("numeric"), "numeric(12,2)"), Some(Change::Narrow));
        // Fewer digits before the point, or after it, lose values.
        assert_eq!(
            pg(Some("numeric(10,2)"), "numeric(10,4)"),
            Some(Change::Narrow)
        );
        assert_eq!(
            pg(Some("numeric(10,4)"), "numeric(12,2)"),
            Some(Change::Narrow)
        );
        // More of both: every value fits, but a new scale rewrites the table.
        assert_eq!(
            pg(Some("numeric(10,2)"), "numeric(14,4)"),
            Some(Change::Widen)
        );
        assert_eq!(pg(Some("numeric(10)"), "numeric(10,0)"), None);
        // MySQL's bare DECIMAL is DECIMAL(10,0).
        assert_eq!(
            judge(Some("decimal(12,2)"), "decimal", Dialect::Mysql),
            Some(Change::Narrow)
        );
        // Either way between timestamp and timestamptz converts every value.
        assert_eq!(
            pg(
                Some("timestamp with time zone"),
                "timestamp without time zone"
            ),
            Some(Change::Widen)
        );
        assert_eq!(pg(Some("timestamp"), "timestamptz"), Some(Change::Widen));
    }
}
