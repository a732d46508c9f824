//! An Argo Rollouts canary, step by step: the traffic share after each step (relative to
//! `maxTrafficWeight`), what holds it (a pause, an analysis, an experiment, a running
//! background analysis) and for how long.

use crate::k8s::pod::at_path;
use crate::k8s::{Index, Instance};
use crate::model::manifest::ManifestFile;
use crate::traffic::duration;
use crate::yaml::{Key, Kind, Node, Pos};

#[derive(Debug, Clone)]
pub enum StepKind {
    /// Traffic share in percent (already normalised), as written.
    SetWeight {
        percent: f64,
        written: i128,
    },
    /// `None`: a manual gate (waits for `promote`).
    Pause(Option<u64>),
    Analysis,
    Experiment {
        duration: Option<u64>,
    },
    SetCanaryScale {
        replicas: Option<i128>,
        weight: Option<i128>,
        match_traffic: bool,
    },
    Other,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub index: usize,
    pub kind: StepKind,
    /// The step's key (`setWeight`, `pause`…), for locating findings.
    pub key: Key,
    pub value_pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Canary<'a> {
    pub node: &'a Node,
    pub steps: Vec<Step>,
    pub max_weight: i128,
    pub traffic_routing: bool,
    /// The step index from which a background analysis runs.
    pub background_from: Option<usize>,
    pub replicas: i128,
    /// `maxSurge` in pods, as Argo resolves it; `None` when it cannot be read.
    pub max_surge: Option<i128>,
}

/// Argo Rollout canaries of a release (each source object once).
pub fn canaries<'a>(
    ix: &'a Index,
    manifests: &'a [ManifestFile],
) -> Vec<(&'a Instance, Canary<'a>)> {
    ix.instances
        .iter()
        .filter(|i| i.first && i.kind == "Rollout" && i.group == "argoproj.io")
        .filter_map(|i| canary(&ix.object(manifests, i).node).map(|c| (i, c)))
        .collect()
}

pub fn canary<'a>(rollout: &'a Node) -> Option<Canary<'a>> {
    let c = at_path(rollout, &["spec", "strategy", "canary"])?;
    let routing = c.get("trafficRouting");
    let max_weight = match routing
        .and_then(|r| r.get("maxTrafficWeight"))
        .map(|n| &n.kind)
    {
        Some(Kind::Int(i)) if *i > 0 => *i,
        _ => 100,
    };
    let background_from = c
        .get("analysis")
        .map(|a| match a.get("startingStep").map(|n| &n.kind) {
            Some(Kind::Int(i)) => usize::try_from(*i).unwrap_or(0),
            _ => 0,
        });
    let replicas = match at_path(rollout, &["spec", "replicas"]).map(|n| &n.kind) {
        Some(Kind::Int(i)) => *i,
        _ => 1,
    };
    let mut steps = Vec::new();
    for (index, s) in c
        .get("steps")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let Some((k, v)) = s.entries().first() else {
            continue;
        };
        let kind = match k.text.as_str() {
            "setWeight" => match &v.kind {
                Kind::Int(w) => StepKind::SetWeight {
                    percent: *w as f64 * 100.0 / max_weight as f64,
                    written: *w,
                },
                _ => StepKind::Other,
            },
            "pause" => StepKind::Pause(v.get("duration").and_then(duration)),
            "analysis" => StepKind::Analysis,
            "experiment" => StepKind::Experiment {
                duration: v.get("duration").and_then(duration),
            },
            "setCanaryScale" => StepKind::SetCanaryScale {
                replicas: match v.get("replicas").map(|n| &n.kind) {
                    Some(Kind::Int(i)) => Some(*i),
                    _ => None,
                },
                weight: match v.get("weight").map(|n| &n.kind) {
                    Some(Kind::Int(i)) => Some(*i),
                    _ => None,
                },
                match_traffic: v
                    .get("matchTrafficWeight")
                    .is_some_and(|n| n.kind == Kind::Bool(true)),
            },
            _ => StepKind::Other,
        };
        steps.push(Step {
            index,
            kind,
            key: k.clone(),
            value_pos: v.pos,
        });
    }
    Some(Canary {
        node: c,
        steps,
        max_weight,
        traffic_routing: routing.is_some(),
        background_from,
        replicas,
        max_surge: max_surge(c.get("maxSurge"), replicas),
    })
}

/// `maxSurge` in pods as Argo resolves it (`utils/replicaset` `MaxSurge`,
/// `resolveFenceposts`): 25% when absent, percentages of the replicas rounded up, and any
/// string read as a percentage, `%` or not (the legacy `intstr.GetValueFromIntOrPercent`).
fn max_surge(n: Option<&Node>, replicas: i128) -> Option<i128> {
    let pct = match n.map(|n| &n.kind) {
        None | Some(Kind::Null) => 25,
        Some(Kind::Int(i)) => return Some(*i),
        Some(Kind::Str(s)) => s.trim().trim_end_matches('%').trim().parse().ok()?,
        _ => return None,
    };
    Some((pct * replicas.max(0) + 99) / 100)
}

/// Whether step `i` is held by something that judges the new version.
pub fn gates(c: &Canary, i: usize) -> bool {
    matches!(
        c.steps[i].kind,
        StepKind::Pause(_) | StepKind::Analysis | StepKind::Experiment { .. }
    )
}

/// Whether any analysis watches this canary (background, inline, or an experiment's).
pub fn has_analysis(c: &Canary) -> bool {
    c.background_from.is_some()
        || c.steps.iter().any(|s| matches!(s.kind, StepKind::Analysis))
        || c.node
            .get("steps")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .any(|s| {
                s.get("experiment")
                    .and_then(|e| e.get("analyses"))
                    .is_some_and(|a| !a.items().is_empty())
            })
}
