//! How Argo Rollouts splits replicas between canary and stable for a `setWeight` when
//! there is no `trafficRouting` (traffic then follows pod counts): the candidate closest to
//! the weight among floor and ceiling of the weighted count, over `replicas` and, when
//! `maxSurge` allows one extra pod, `replicas + 1`.
//!
//! A port of argoproj/argo-rollouts `utils/replicaset/canary.go`
//! `approximateWeightedCanaryStableReplicaCounts` (with `floorCeilingTied` and
//! `weightDelta`), floating point included, so the numbers are the ones Argo runs.

/// (canary pods, stable pods) for `weight` out of `max_weight`.
pub fn canary_stable_counts(
    replicas: i64,
    weight: i64,
    max_weight: i64,
    max_surge: i64,
) -> (i64, i64) {
    if replicas <= 0 || max_weight <= 0 {
        return (0, 0);
    }
    let ceil = ((replicas * weight) as f64 / max_weight as f64).ceil() as i64;
    let floor = ((replicas * weight) as f64 / max_weight as f64).floor() as i64;
    let tied = floor_ceiling_tied(weight, max_weight, replicas);
    // A weight of 1..99 never rounds to zero canary pods when two or more pods run.
    let zero_allowed = weight == max_weight || weight == 0 || (replicas == 1 && max_surge == 0);

    // (canary, total) candidates, in Argo's order: on equal deltas the first one wins.
    let mut options: Vec<(i64, i64)> = Vec::with_capacity(4);
    if ceil < replicas || zero_allowed {
        options.push((ceil, replicas));
    }
    if !tied && (floor != 0 || zero_allowed) {
        options.push((floor, replicas));
    }
    if max_surge > 0 {
        options.push((ceil, replicas + 1));
        let surge_tied = floor_ceiling_tied(weight, max_weight, replicas + 1);
        if !surge_tied && (floor != 0 || zero_allowed) {
            options.push((floor, replicas + 1));
        }
    }
    let Some(&first) = options.first() else {
        return (0, replicas);
    };
    let mut best = first;
    let mut best_delta = weight_delta(weight, max_weight, best.0, best.1);
    for &o in &options[1..] {
        let d = weight_delta(weight, max_weight, o.0, o.1);
        if d < best_delta {
            best = o;
            best_delta = d;
        }
    }
    (best.0, best.1 - best.0)
}

/// Floor and ceiling are equally far from the weight (3 replicas at 50%): Argo then keeps
/// only the ceiling.
fn floor_ceiling_tied(weight: i64, max_weight: i64, total: i64) -> bool {
    (total as f64 * (weight as f64 / max_weight as f64)).fract() == 0.5
}

fn weight_delta(weight: i64, max_weight: i64, canary: i64, total: i64) -> f64 {
    ((canary * max_weight) as f64 / total as f64 - weight as f64).abs()
}

#[cfg(test)]
mod tests {
    use super::canary_stable_counts;

    /// Rows of argo-rollouts `utils/replicaset/canary_test.go`
    /// `TestApproximateWeightedNewStableReplicaCounts`:
    /// (replicas, weight, maxSurge, expected canary, expected stable), maxWeight 100.
    const ARGO_CASES: &[(i64, i64, i64, i64, i64)] = &[
        (0, 0, 0, 0, 0),
        (0, 50, 0, 0, 0),
        (0, 100, 0, 0, 0),
        (0, 0, 1, 0, 0),
        (0, 50, 1, 0, 0),
        (0, 100, 1, 0, 0),
        (1, 0, 0, 0, 1),
        (1, 1, 0, 0, 1),
        (1, 49, 0, 0, 1),
        (1, 50, 0, 1, 0),
        (1, 99, 0, 1, 0),
        (1, 100, 0, 1, 0),
        (1, 0, 1, 0, 1),
        (1, 1, 1, 1, 1),
        (1, 49, 1, 1, 1),
        (1, 50, 1, 1, 1),
        (1, 99, 1, 1, 1),
        (1, 100, 1, 1, 0),
        (2, 0, 0, 0, 2),
        (2, 1, 0, 1, 1),
        (2, 50, 0, 1, 1),
        (2, 99, 0, 1, 1),
        (2, 100, 0, 2, 0),
        (2, 0, 1, 0, 2),
        (2, 1, 1, 1, 2),
        (2, 50, 1, 1, 1),
        (2, 99, 1, 2, 1),
        (2, 100, 1, 2, 0),
        (3, 10, 0, 1, 2),
        (3, 25, 0, 1, 2),
        (3, 33, 0, 1, 2),
        (3, 34, 0, 1, 2),
        (3, 49, 0, 1, 2),
        (3, 50, 0, 2, 1),
        (3, 10, 1, 1, 3),
        (3, 25, 1, 1, 3),
        (3, 33, 1, 1, 2),
        (3, 34, 1, 1, 2),
        (3, 49, 1, 2, 2),
        (3, 50, 1, 2, 2),
        (10, 0, 1, 0, 10),
        (10, 1, 0, 1, 9),
        (10, 14, 0, 1, 9),
        (10, 15, 0, 2, 8),
        (10, 16, 0, 2, 8),
        (10, 99, 0, 9, 1),
        (10, 100, 1, 10, 0),
        (10, 1, 1, 1, 10),
        (10, 18, 1, 2, 9),
        (10, 19, 1, 2, 9),
        (10, 20, 1, 2, 8),
        (10, 23, 1, 2, 8),
        (10, 24, 1, 3, 8),
        (10, 25, 1, 3, 8),
        (10, 99, 1, 10, 1),
    ];

    #[test]
    fn matches_argo_rollouts_own_test_table() {
        for &(replicas, weight, surge, canary, stable) in ARGO_CASES {
            assert_eq!(
                canary_stable_counts(replicas, weight, 100, surge),
                (canary, stable),
                "replicas {replicas}, weight {weight}, maxSurge {surge}"
            );
        }
    }

    #[test]
    fn matches_the_argo_documentation_example() {
        // docs/features/canary/index.md: 41% of 10 replicas runs 4 canary pods.
        assert_eq!(canary_stable_counts(10, 41, 100, 0), (4, 6));
        // 10% of 10 replicas: 1 canary pod and 9 stable.
        assert_eq!(canary_stable_counts(10, 10, 100, 0), (1, 9));
    }

    #[test]
    fn thirty_percent_of_four_runs_one_canary_pod() {
        // maxSurge 25% of 4 rounds up to 1: (1 of 4) is closer to 30% than (2 of 5).
        assert_eq!(canary_stable_counts(4, 30, 100, 1), (1, 3));
    }
}
