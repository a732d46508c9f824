//! Replaying migrations into the schema model: what the schema looks like before a
//! given migration, as one database variant runs them.

use crate::migrations::MigrationSet;
use crate::migrations::schema::Schema;
use crate::sql::Statement;
use crate::sql::ops::Op;

/// `IF [NOT] EXISTS`: the statement skips an object that is (or is not) there.
pub fn is_guarded(stmt: &Statement, text: &str) -> bool {
    stmt.find_words(text, &["IF", "NOT", "EXISTS"]).is_some()
        || stmt.find_words(text, &["IF", "EXISTS"]).is_some()
}

/// A statement whose effect on the schema rollsafe does not read: not understood, or
/// understood only as "something else" while it alters a table or runs code (`ALTER …`
/// forms the model does not follow, `DO` blocks, procedure calls).
fn reads_unknown_effects(stmt: &Statement) -> bool {
    use crate::sql::Understood;
    if matches!(stmt.understood, Understood::Unchecked(_)) {
        return true;
    }
    stmt.ops
        .iter()
        .any(|o| matches!(o, Op::Other | Op::Opaque { .. }))
        && ["alter ", "do ", "do$", "call ", "execute ", "exec "]
            .iter()
            .any(|p| stmt.normalised.starts_with(p))
}

/// Marks the tables an unreadable statement names as uncertain.
pub fn note_unreadable(schema: &mut Schema, stmt: &Statement, text: &str) {
    if reads_unknown_effects(stmt) {
        schema.mark_uncertain(
            stmt.token_ranges
                .iter()
                .filter_map(|&(s, e)| text.get(s..e).map(|w| w.trim_matches(['"', '`']))),
        );
    }
}

/// Applies the up parts `variant` runs of one migration to the schema, as made by
/// migration number `made_in`, without judging them.
pub fn apply_up(
    schema: &mut Schema,
    m: &crate::migrations::Migration,
    variant: Option<&str>,
    made_in: usize,
) {
    for p in m.parts_for(variant, false) {
        for stmt in &crate::migrations::section(p).statements {
            note_unreadable(schema, stmt, &p.file.source.text);
            let guarded = is_guarded(stmt, &p.file.source.text);
            for op in &stmt.ops {
                schema.apply_statement_op(op, made_in, guarded);
            }
        }
    }
}

/// The dialect-neutral migrations a set of one database's files does not hold: pop and
/// ory's popx run a file without a dialect infix on every database that has no file of
/// its own for that version, but such files are read once, into the set of the folder's
/// guessed dialect. The sets of the other databases of the folder replay them too,
/// ordered by version.
pub fn borrowed<'s>(
    set: &MigrationSet,
    sets: &'s [MigrationSet],
) -> Vec<&'s crate::migrations::Migration> {
    use crate::migrations::part_variant;
    let own_variants = set
        .migrations
        .iter()
        .flat_map(|m| m.up.iter().chain(&m.down))
        .any(|p| part_variant(p).is_some());
    if !own_variants {
        return Vec::new();
    }
    let own: std::collections::HashSet<&str> =
        set.migrations.iter().map(|m| m.version.as_str()).collect();
    let mut out: Vec<&crate::migrations::Migration> = sets
        .iter()
        .filter(|o| o.dir == set.dir && o.dialect != set.dialect)
        .flat_map(|o| o.migrations.iter())
        .filter(|m| !m.repeatable && !own.contains(m.version.as_str()))
        .filter(|m| m.up.iter().any(|p| part_variant(p).is_none()))
        .collect();
    out.sort_by_key(|m| crate::migrations::version_key(&m.version));
    out.dedup_by(|a, b| a.version == b.version);
    out
}

/// For the migrations of a set that have down files of their own but no up file (pop's
/// `V.mysql.down.sql` beside a neutral `V.up.sql`), the migration of another database's
/// set holding that neutral up: the database runs it, as it runs any neutral file it has
/// no own file for. Keyed by version.
/// The migrations written in code (goose's `00042_x.go`) that run after the set's
/// migration `index - 1` and before migration `index` (or after the last one, for
/// `index == len`): after them the replay stops vouching for the tables they name, or for
/// every table when they name none.
pub fn apply_code_migrations(schema: &mut Schema, set: &MigrationSet, index: usize) {
    use crate::migrations::version_key;
    let after = index
        .checked_sub(1)
        .and_then(|i| set.migrations.get(i))
        .map(|m| version_key(&m.version));
    let before = set.migrations.get(index).map(|m| version_key(&m.version));
    for (v, tables) in &set.code_versions {
        let k = version_key(v);
        if after.as_ref().is_none_or(|a| &k > a) && before.as_ref().is_none_or(|b| &k < b) {
            match tables {
                Some(names) => schema.mark_uncertain(names.iter().map(String::as_str)),
                None => schema.mark_all_uncertain(),
            }
        }
    }
}

pub fn neutral_ups<'s>(
    set: &MigrationSet,
    sets: &'s [MigrationSet],
) -> std::collections::HashMap<&'s str, &'s crate::migrations::Migration> {
    use crate::migrations::part_variant;
    let missing: std::collections::HashSet<&str> = set
        .migrations
        .iter()
        .filter(|m| m.up.is_empty())
        .map(|m| m.version.as_str())
        .collect();
    if missing.is_empty() {
        return Default::default();
    }
    sets.iter()
        .filter(|o| o.dir == set.dir && o.dialect != set.dialect)
        .flat_map(|o| o.migrations.iter())
        .filter(|m| missing.contains(m.version.as_str()))
        .filter(|m| m.up.iter().any(|p| part_variant(p).is_none()))
        .map(|m| (m.version.as_str(), m))
        .collect()
}

/// Replays what a database of `variant` runs before the set's migration `upto`, into a
/// schema model (what the rules see there): the set's own up parts, the neutral up of a
/// version it has only a down file for, and the dialect-neutral migrations of other
/// versions it borrows (pop), in version order, as the rules' walk does.
pub fn replay(
    set: &MigrationSet,
    sets: &[MigrationSet],
    upto: usize,
    variant: Option<&str>,
) -> Schema {
    let mut schema = Schema::new(set.dialect);
    let borrowed = borrowed(set, sets);
    let neutral_ups = neutral_ups(set, sets);
    let mut pending = borrowed.iter().peekable();
    for (index, m) in set.migrations.iter().enumerate().take(upto) {
        let key = crate::migrations::version_key(&m.version);
        while let Some(b) = pending.next_if(|b| crate::migrations::version_key(&b.version) < key) {
            apply_up(&mut schema, b, variant, index);
        }
        apply_code_migrations(&mut schema, set, index);
        schema.forget();
        match neutral_ups.get(m.version.as_str()) {
            Some(n) if m.up.is_empty() => apply_up(&mut schema, n, variant, index),
            _ => apply_up(&mut schema, m, variant, index),
        }
    }
    // Borrowed migrations newer than every migration of the set run after them.
    if upto >= set.migrations.len() {
        for b in pending {
            apply_up(&mut schema, b, variant, upto);
        }
    }
    schema.forget();
    schema
}
