//! The rule trait and the one list of rules. Adding a rule: a document under `lints/`
//! (its front matter is the rule's metadata, generated into `diagnostic::catalogue`), a
//! file under `rules/<domain>/` that imports it (`use crate::diagnostic::catalogue::M101
//! as META;`), a line in `ALL` (a test fails otherwise).

pub mod api;
mod context;
pub mod input;
pub mod migrations;
pub mod secrets;
pub mod text;
pub mod traffic;
pub mod workloads;

use crate::diagnostic::Diagnostic;
pub use crate::diagnostic::{Domain, RuleMeta};
use crate::rules::migrations::walk::{MigrationCx, OpCx};
pub use context::ProjectCx;

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    /// Whole-project checks (input errors, base comparisons).
    fn check_project(&self, _cx: &ProjectCx, _out: &mut Vec<Diagnostic>) {}
    /// One operation of one migration statement, with the schema as it was before it.
    fn check_op(&self, _cx: &OpCx, _out: &mut Vec<Diagnostic>) {}
    /// One migration as a whole (pairing of up and down parts).
    fn check_migration(&self, _cx: &MigrationCx, _out: &mut Vec<Diagnostic>) {}
}

pub static ALL: &[&dyn Rule] = &[
    &input::invalid_syntax::InvalidSyntax,
    &input::statement_not_checked::StatementNotChecked,
    &input::file_skipped::FileSkipped,
    &input::duplicate_key::DuplicateKey,
    &input::invalid_suppression::InvalidSuppression,
    &input::unresolved_reference::UnresolvedReference,
    &input::remote_reference::RemoteReference,
    &migrations::drop_column::DropColumn,
    &migrations::drop_table::DropTable,
    &migrations::rename_column::RenameColumn,
    &migrations::rename_table::RenameTable,
    &migrations::change_column_type::ChangeColumnType,
    &migrations::add_required_column::AddRequiredColumn,
    &migrations::set_not_null::SetNotNull,
    &migrations::add_unique_constraint::AddUniqueConstraint,
    &migrations::enum_value_removed::EnumValueRemoved,
    &migrations::drop_column_default::DropColumnDefault,
    &migrations::not_null_check_on_new_column::NotNullCheckOnNewColumn,
    &migrations::drop_schema::DropSchema,
    &migrations::revoke_privilege::RevokePrivilege,
    &migrations::create_index_blocking::CreateIndexBlocking,
    &migrations::drop_index_blocking::DropIndexBlocking,
    &migrations::concurrently_in_transaction::ConcurrentlyInTransaction,
    &migrations::constraint_validated_on_add::ConstraintValidatedOnAdd,
    &migrations::validate_in_same_transaction::ValidateInSameTransaction,
    &migrations::volatile_default_rewrite::VolatileDefaultRewrite,
    &migrations::blocking_maintenance::BlockingMaintenance,
    &migrations::truncate_table::TruncateTable,
    &migrations::missing_lock_timeout::MissingLockTimeout,
    &migrations::unbatched_data_change::UnbatchedDataChange,
    &migrations::mysql_table_copy::MysqlTableCopy,
    &migrations::missing_down::MissingDown,
    &migrations::down_does_not_revert::DownDoesNotRevert,
    &migrations::fails_against_schema::FailsAgainstSchema,
    &migrations::irreversible_data_loss::IrreversibleDataLoss,
    &migrations::rollback_restores_not_null::RollbackRestoresNotNull,
    &migrations::applied_migration_modified::AppliedMigrationModified,
    &migrations::migration_out_of_order::MigrationOutOfOrder,
    &migrations::duplicate_migration_version::DuplicateMigrationVersion,
    &workloads::probe_port_not_exposed::ProbePortNotExposed,
    &workloads::liveness_kills_slow_start::LivenessKillsSlowStart,
    &workloads::readiness_probe_missing::ReadinessProbeMissing,
    &workloads::invalid_probe_timing::InvalidProbeTiming,
    &workloads::service_selects_nothing::ServiceSelectsNothing,
    &workloads::target_port_not_exposed::TargetPortNotExposed,
    &workloads::selector_mismatch::SelectorMismatch,
    &workloads::backend_not_found::BackendNotFound,
    &workloads::rollout_service_mismatch::RolloutServiceMismatch,
    &workloads::missing_volume_claim::MissingVolumeClaim,
    &workloads::hpa_target_not_found::HpaTargetNotFound,
    &workloads::hpa_without_requests::HpaWithoutRequests,
    &workloads::hpa_with_replicas::HpaWithReplicas,
    &workloads::pdb_selects_nothing::PdbSelectsNothing,
    &workloads::pdb_blocks_eviction::PdbBlocksEviction,
    &workloads::rolling_update_stalls::RollingUpdateStalls,
    &workloads::revision_history_zero::RevisionHistoryZero,
    &workloads::image_not_pinned::ImageNotPinned,
    &workloads::image_tag_mismatch::ImageTagMismatch,
    &workloads::image_tag_moved_back::ImageTagMovedBack,
    &workloads::immutable_field_changed::ImmutableFieldChanged,
    &workloads::config_changed_in_place::ConfigChangedInPlace,
    &workloads::unknown_field::UnknownField,
    &workloads::wrong_value_type::WrongValueType,
    &workloads::compose_healthy_without_healthcheck::ComposeHealthyWithoutHealthcheck,
    &workloads::compose_healthcheck_port::ComposeHealthcheckPort,
    &secrets::missing_object::MissingObject,
    &secrets::missing_key::MissingKey,
    &secrets::missing_service_account::MissingServiceAccount,
    &secrets::name_not_rewritten::NameNotRewritten,
    &secrets::compose_variable_unset::ComposeVariableUnset,
    &secrets::compose_file_missing::ComposeFileMissing,
    &secrets::compose_secret_undefined::ComposeSecretUndefined,
    &secrets::env_key_missing::EnvKeyMissing,
    &secrets::env_drift::EnvDrift,
    &secrets::env_duplicate_key::EnvDuplicateKey,
    &secrets::plaintext_secret::PlaintextSecret,
    &secrets::unencrypted_secret::UnencryptedSecret,
    &traffic::canary_step_too_large::CanaryStepTooLarge,
    &traffic::ungated_weight_increase::UngatedWeightIncrease,
    &traffic::short_pause::ShortPause,
    &traffic::short_bake::ShortBake,
    &traffic::canary_without_analysis::CanaryWithoutAnalysis,
    &traffic::weight_not_representable::WeightNotRepresentable,
    &traffic::blue_green_instant_switch::BlueGreenInstantSwitch,
    &traffic::flagger_unwatched::FlaggerUnwatched,
    &traffic::flagger_step_too_large::FlaggerStepTooLarge,
    &traffic::flagger_too_fast::FlaggerTooFast,
    &traffic::route_weights::RouteWeights,
    &traffic::route_shift_too_large::RouteShiftTooLarge,
    &traffic::recreate_behind_service::RecreateBehindService,
    &traffic::rwo_volume_surge::RwoVolumeSurge,
    &traffic::ecs_all_tasks_down::EcsAllTasksDown,
    &traffic::ecs_circuit_breaker_no_rollback::EcsCircuitBreakerNoRollback,
    &traffic::codedeploy_all_at_once::CodeDeployAllAtOnce,
    &traffic::analysis_template_missing::AnalysisTemplateMissing,
    &api::endpoint_removed::EndpointRemoved,
    &api::lifecycle_policy::LifecyclePolicy,
    &api::request_parameter_breaking::RequestParameterBreaking,
    &api::request_body_breaking::RequestBodyBreaking,
    &api::response_breaking::ResponseBreaking,
    &api::changelog::Changelog,
];

/// Finds a rule by code (`M101`) or name (`drop-column`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    ALL.iter().map(|r| r.meta()).find(|m| {
        m.code.eq_ignore_ascii_case(code_or_name) || m.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Does `pattern` (a code like `M101`, a prefix like `M1` or `M`, or `ALL`) select `code`?
pub fn selects(pattern: &str, code: &str) -> bool {
    pattern.eq_ignore_ascii_case("ALL")
        || code
            .to_ascii_uppercase()
            .starts_with(&pattern.to_ascii_uppercase())
        || find(pattern).is_some_and(|m| m.code == code)
}

pub fn is_known_selector(pattern: &str) -> bool {
    pattern.eq_ignore_ascii_case("ALL")
        || find(pattern).is_some()
        || ALL.iter().any(|r| selects(pattern, r.meta().code))
        || (pattern.len() == 1 && "MKSTAE".contains(pattern.to_ascii_uppercase().as_str()))
}
