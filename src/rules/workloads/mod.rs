//! K rules: probes, ports, Services, scaling and rollback ability of workloads in
//! Kubernetes and compose manifests.

pub mod backend_not_found;
pub mod compose_healthcheck_port;
pub mod compose_healthy_without_healthcheck;
pub mod config_changed_in_place;
pub mod hpa_target_not_found;
pub mod hpa_with_replicas;
pub mod hpa_without_requests;
pub mod image_not_pinned;
pub mod image_tag_mismatch;
pub mod image_tag_moved_back;
pub mod immutable_field_changed;
pub mod invalid_probe_timing;
pub mod liveness_kills_slow_start;
pub mod missing_volume_claim;
pub mod pdb_blocks_eviction;
pub mod pdb_selects_nothing;
pub mod probe_port_not_exposed;
pub mod readiness_probe_missing;
pub mod revision_history_zero;
pub mod rolling_update_stalls;
pub mod rollout_service_mismatch;
pub mod selector_mismatch;
pub mod service_selects_nothing;
pub mod target_port_not_exposed;
pub mod unknown_field;
pub mod wrong_value_type;

// The model queries the K rules (and others) share live in the model: span helpers in
// `yaml::span`, workload queries in `k8s::query`. Re-exported here for the rules.
pub use crate::k8s::query::{
    autoscaler_min, autoscalers_of, effective_replicas, object_span, resolve_amount,
    rollout_services, scale_target, service_selector, who,
};
pub use crate::yaml::span::{entry, key_span, span_at};
