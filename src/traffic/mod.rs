//! Progressive delivery read from the manifests: Argo Rollouts canary steps and Flagger
//! canary analyses, simulated as the controllers run them.

pub mod argo;
pub mod argo_split;
pub mod flagger;
pub mod routes;

/// `90` → `1m 30s`, for messages.
pub fn human(secs: u64) -> String {
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// `secs` as Argo and Flagger take it in a manifest: `1h`, `5m` or `90s`.
pub fn written(secs: u64) -> String {
    match secs {
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A duration as Argo and Flagger write it: an integer of seconds or `30s`/`5m`/`1h`.
pub fn duration(n: &crate::yaml::Node) -> Option<u64> {
    match &n.kind {
        crate::yaml::Kind::Int(i) => u64::try_from(*i).ok(),
        crate::yaml::Kind::Str(s) => crate::settings::parse_duration(s),
        _ => None,
    }
}
