//! A Flagger `Canary` analysis: how fast traffic moves and what watches it.

use crate::traffic::duration;
use crate::yaml::{Kind, Node};

#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    pub node: Option<&'a Node>,
    pub interval: u64,
    pub max_weight: i128,
    pub step_weight: Option<i128>,
    pub step_weights: Vec<i128>,
    pub iterations: Option<i128>,
    pub skip: bool,
    pub has_checks: bool,
}

fn int(n: Option<&Node>) -> Option<i128> {
    match n.map(|n| &n.kind) {
        Some(Kind::Int(i)) => Some(*i),
        _ => None,
    }
}

pub fn analysis(canary: &Node) -> Analysis<'_> {
    let spec = canary.get("spec");
    let a = spec.and_then(|s| s.get("analysis").or(s.get("canaryAnalysis")));
    let get = |k: &str| a.and_then(|a| a.get(k));
    let checks = |k: &str| get(k).is_some_and(|m| !m.items().is_empty());
    Analysis {
        node: a,
        // Flagger's default is 60 s, clamped to at least 10 s.
        interval: get("interval").and_then(duration).unwrap_or(60).max(10),
        max_weight: int(get("maxWeight")).unwrap_or(100),
        step_weight: int(get("stepWeight")),
        step_weights: get("stepWeights")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|n| int(Some(n)))
            .collect(),
        iterations: int(get("iterations")),
        skip: a.is_none()
            || spec
                .and_then(|s| s.get("skipAnalysis"))
                .is_some_and(|n| n.kind == Kind::Bool(true)),
        has_checks: checks("metrics") || checks("webhooks"),
    }
}

impl Analysis<'_> {
    /// The weights traffic goes through before promotion.
    pub fn weights(&self) -> Vec<i128> {
        if !self.step_weights.is_empty() {
            return self.step_weights.clone();
        }
        match self.step_weight {
            Some(s) if s > 0 => {
                let mut w = Vec::new();
                let mut cur = s;
                while cur < self.max_weight {
                    w.push(cur);
                    cur += s;
                }
                w.push(cur.min(100));
                w
            }
            _ => Vec::new(),
        }
    }

    /// Shortest time from the first step to promotion: one interval per step.
    pub fn min_promotion_secs(&self) -> u64 {
        let steps = match self.iterations {
            Some(n) if self.weights().is_empty() => n.max(0) as u64,
            _ => self.weights().len() as u64,
        };
        steps * self.interval
    }
}
