//! A YAML budget breach in words. The YAML crate prints the breach as a Rust value
//! (`budget breached: RecordedAnchorEvents { recorded_anchor_events: 200001 }`), which
//! tells a user neither what is wrong with the file nor what to do.

use serde_saphyr::Error;
use serde_saphyr::budget::BudgetBreach;

/// The breach behind `e` in words, or `None` when `e` is another error.
pub fn words(e: &Error) -> Option<String> {
    let mut e = e;
    loop {
        match e {
            Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => e = error,
            Error::Budget { breach, .. } => return Some(breach_words(breach)),
            _ => return None,
        }
    }
}

/// What the breach means for the file, and what to do about it.
pub fn breach_words(b: &BudgetBreach) -> String {
    let n = |count: usize| thousands(count as u64);
    let limit = |what: String| {
        format!(
            "{what}; rollsafe stops there so that a small file cannot exhaust memory or time (split the file, or remove the repetition)"
        )
    };
    match b {
        BudgetBreach::RecordedAnchorEvents {
            recorded_anchor_events,
        } => limit(format!(
            "the YAML expands too many aliases (more than {} anchor events, an alias bomb)",
            n(recorded_anchor_events.saturating_sub(1))
        )),
        BudgetBreach::RecordedAnchorBytes {
            recorded_anchor_bytes,
        } => limit(format!(
            "the YAML's anchors copy too much text (more than {} bytes)",
            n(recorded_anchor_bytes.saturating_sub(1))
        )),
        BudgetBreach::Aliases { aliases } => limit(format!(
            "the YAML uses too many aliases (more than {})",
            n(aliases.saturating_sub(1))
        )),
        BudgetBreach::Anchors { anchors } => limit(format!(
            "the YAML defines too many anchors (more than {})",
            n(anchors.saturating_sub(1))
        )),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => limit(format!(
            "the YAML uses {} aliases for {} anchors, an alias bomb",
            n(*aliases),
            n(*anchors)
        )),
        BudgetBreach::Events { events } => limit(format!(
            "the YAML is too large to read (more than {} parser events)",
            n(events.saturating_sub(1))
        )),
        BudgetBreach::Nodes { nodes } => limit(format!(
            "the YAML has too many values (more than {})",
            n(nodes.saturating_sub(1))
        )),
        BudgetBreach::Documents { documents } => limit(format!(
            "the YAML stream has too many documents (more than {})",
            n(documents.saturating_sub(1))
        )),
        BudgetBreach::Depth { depth } => limit(format!(
            "the YAML nests too deeply ({} levels)",
            n(*depth)
        )),
        BudgetBreach::ScalarBytes { total_scalar_bytes } => limit(format!(
            "the YAML's values add up to too much text (more than {} bytes)",
            n(total_scalar_bytes.saturating_sub(1))
        )),
        BudgetBreach::MergeKeys { merge_keys } => limit(format!(
            "the YAML uses too many merge keys (`<<`, more than {})",
            n(merge_keys.saturating_sub(1))
        )),
        BudgetBreach::SequenceUnbalanced => {
            "the YAML's structure is unbalanced (a collection closes that was never opened); the file is malformed or cut short".into()
        }
        // Includes, reader input and properties are features rollsafe does not turn on;
        // should one appear, its own name still says more than nothing.
        other => limit(format!("the YAML exceeds a reading limit ({other:?})")),
    }
}

/// `200000` → `200,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_events_in_words() {
        let w = breach_words(&BudgetBreach::RecordedAnchorEvents {
            recorded_anchor_events: 200_001,
        });
        assert!(
            w.starts_with("the YAML expands too many aliases (more than 200,000 anchor events"),
            "{w}"
        );
        assert!(!w.contains('{'), "{w}");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
