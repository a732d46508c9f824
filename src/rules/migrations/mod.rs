//! M rules: migrations that break the running version, the rollback, or availability.

pub mod add_required_column;
pub mod add_unique_constraint;
pub mod applied_migration_modified;
pub mod blocking_maintenance;
pub mod change_column_type;
pub mod concurrently_in_transaction;
pub mod constraint_validated_on_add;
pub mod create_index_blocking;
pub mod down_does_not_revert;
pub mod drop_column;
pub mod drop_column_default;
pub mod drop_index_blocking;
pub mod drop_schema;
pub mod drop_table;
pub mod duplicate_migration_version;
pub mod enum_value_removed;
pub mod fails_against_schema;
pub mod irreversible_data_loss;
pub mod migration_out_of_order;
pub mod missing_down;
pub mod missing_lock_timeout;
pub mod mysql_table_copy;
pub mod not_null_check_on_new_column;
pub mod rename_column;
pub mod rename_table;
pub mod revoke_privilege;
pub mod rollback_restores_not_null;
pub mod set_not_null;
pub mod truncate_table;
pub mod unbatched_data_change;
pub mod validate_in_same_transaction;
pub mod volatile_default_rewrite;
/// The migration checker: replays the schema and calls the per-statement rules.
pub mod walk;

use crate::diagnostic::Diagnostic;
use crate::migrations::Migration;
use crate::rules::RuleMeta;
use crate::source::Span;

/// Where a finding about a whole migration points: the first statement of its primary
/// file (or the file's first line).
pub fn migration_span(m: &Migration) -> Span {
    let f = &m.primary;
    match f.statements().next() {
        Some(st) => f.source.first_line_span(st.start, st.end),
        None => f.source.line_span(1),
    }
}

pub fn migration_diag(
    meta: &'static RuleMeta,
    m: &Migration,
    span: Span,
    message: String,
    help: &str,
    detail: &str,
) -> Diagnostic {
    Diagnostic::new(
        meta,
        &m.primary.source,
        span,
        message,
        help,
        format!("{}|{}", m.label(), detail),
    )
}

/// Quoted `table.column` for messages.
pub fn qual(table: &str, column: &str) -> String {
    format!("`{table}.{column}`")
}
