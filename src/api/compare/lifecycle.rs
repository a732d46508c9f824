//! Deprecation, sunset dates (`x-sunset`) and stability (`x-stability-level`) of
//! operations, parameters and properties: removing something is allowed only after it
//! was deprecated and its sunset date has passed.

use super::{Cmp, OpCx, Options};
use crate::api::change::{Group, Level};
use crate::api::date;
use crate::api::doc::Val;

pub(crate) enum Removal {
    NotDeprecated,
    BeforeSunset,
    BadSunset,
    Allowed,
    /// Marked draft, alpha or experimental: no stability was promised.
    Unstable,
}

/// `draft` < `alpha` < `beta` < `stable`; `None` for an unknown word.
pub(crate) fn stability(v: &Val) -> Option<Option<u8>> {
    let s = v.get("x-stability-level")?.str().unwrap_or("");
    Some(match s {
        "draft" => Some(0),
        "alpha" => Some(1),
        "beta" => Some(2),
        "stable" => Some(3),
        _ => None,
    })
}

/// An operation its description marks experimental: tagged `experimental` or `alpha`, or
/// `x-experimental: true` (not `preview`, which APIs also use for a feature: previews of
/// documents). lakeFS tags such operations `experimental` and
/// removed eight of them in 1.81 (endpoints its open-source server never implemented).
fn experimental(v: &Val) -> bool {
    let tagged = v.get("tags").is_some_and(|tags| {
        tags.items().any(|t| {
            t.str().is_some_and(|t| {
                ["experimental", "alpha"]
                    .iter()
                    .any(|w| t.eq_ignore_ascii_case(w))
            })
        })
    });
    tagged || v.get("x-experimental").is_some_and(|x| x.is_true())
}

/// Whether removing this deprecated-or-not element now is allowed.
pub(crate) fn removal(v: &Val, opts: &Options) -> Removal {
    // Draft, alpha and experimental elements carry no promise.
    if matches!(stability(v), Some(Some(0 | 1))) || experimental(v) {
        return Removal::Unstable;
    }
    if !v.get("deprecated").is_some_and(|d| d.is_true()) {
        return Removal::NotDeprecated;
    }
    match v.get("x-sunset").map(|s| s.show()) {
        None => Removal::Allowed,
        Some(s) => match date::parse(&s) {
            None => Removal::BadSunset,
            Some(d) if d > opts.today => Removal::BeforeSunset,
            Some(_) => Removal::Allowed,
        },
    }
}

/// The notice the policy asks for, by the element's stability.
pub(crate) fn min_days(v: &Val, opts: &Options) -> i64 {
    if matches!(stability(v), Some(Some(2))) {
        opts.days_beta
    } else {
        opts.days_stable
    }
}

/// A lifecycle transition between two releases, as an id suffix and a clause.
pub(crate) struct Transition {
    pub suffix: &'static str,
    pub text: String,
    pub at_sunset: bool,
}

/// What changed in deprecation between `b` and `h` (shared by operations, parameters and
/// properties; the caller names the scope).
pub(crate) fn transitions(b: &Val, h: &Val, opts: &Options) -> Vec<Transition> {
    let mut out = Vec::new();
    let dep = |v: &Val| v.get("deprecated").is_some_and(|d| d.is_true());
    let sunset = |v: &Val| v.get("x-sunset").map(|s| s.show());
    let (bd, hd) = (dep(b), dep(h));
    let days = min_days(h, opts);
    let t = |suffix, text: String, at_sunset| Transition {
        suffix,
        text,
        at_sunset,
    };
    if !bd && hd {
        match sunset(h) {
            None => {
                out.push(t("deprecated", "deprecated".into(), false));
                if days > 0 {
                    out.push(t(
                        "deprecated-sunset-missing",
                        format!("deprecated without an `x-sunset` date (the policy asks for {days} days of notice)"),
                        false,
                    ));
                }
            }
            Some(s) => match date::parse(&s) {
                None => out.push(t(
                    "deprecated-sunset-invalid",
                    format!("deprecated with a sunset date `{s}` that is not an RFC 3339 date"),
                    true,
                )),
                Some(d) => {
                    out.push(t(
                        "deprecated-with-sunset",
                        format!("deprecated with sunset {s}"),
                        true,
                    ));
                    if days > 0 && d < opts.today + days {
                        out.push(t(
                            "sunset-date-too-small",
                            format!("sunset {s} gives less than the {days} days of notice the policy asks for"),
                            true,
                        ));
                    }
                }
            },
        }
    } else if bd && !hd {
        out.push(t("reactivated", "no longer deprecated".into(), false));
    } else if bd && hd && sunset(b) != sunset(h) {
        match (sunset(b), sunset(h)) {
            (Some(_), None) => out.push(t(
                "sunset-deleted",
                "sunset date removed while still deprecated".into(),
                false,
            )),
            (bs, Some(hs)) => match date::parse(&hs) {
                None => out.push(t(
                    "sunset-parse",
                    format!("sunset date `{hs}` is not an RFC 3339 date"),
                    true,
                )),
                Some(hdate) => {
                    if let Some(bdate) = bs.as_deref().and_then(date::parse)
                        && hdate < bdate
                        && hdate < opts.today + days
                    {
                        out.push(t(
                            "sunset-date-changed-too-small",
                            format!(
                                "sunset moved earlier, to {hs}, with less notice than promised"
                            ),
                            true,
                        ));
                    }
                }
            },
            (None, None) => {}
        }
    }
    let level_text = |v: &Val| v.get("x-stability-level").map(|s| s.show());
    match (stability(b), stability(h)) {
        _ if level_text(b) == level_text(h) => {}
        (Some(None), _) | (_, Some(None)) => out.push(t(
            "invalid-stability-level",
            "`x-stability-level` is not one of draft, alpha, beta, stable".into(),
            false,
        )),
        (Some(Some(x)), Some(Some(y))) if y != x => {
            let (word, suffix) = if y < x {
                ("decreased", "stability-decreased")
            } else {
                ("increased", "stability-increased")
            };
            let text = format!(
                "stability level {word} from `{}` to `{}`",
                level_text(b).unwrap_or_default(),
                level_text(h).unwrap_or_default()
            );
            out.push(t(suffix, text, false))
        }
        _ => {}
    }
    out
}

/// Operation-level ids (oasdiff names these without a common prefix).
fn operation_id(suffix: &str) -> (&'static str, Level) {
    match suffix {
        "deprecated" => ("endpoint-deprecated", Level::Info),
        "deprecated-with-sunset" => ("endpoint-deprecated-with-sunset", Level::Info),
        "deprecated-sunset-missing" => ("api-deprecated-sunset-missing", Level::Error),
        "deprecated-sunset-invalid" => ("api-deprecated-sunset-parse", Level::Error),
        "sunset-date-too-small" => ("api-sunset-date-too-small", Level::Error),
        "reactivated" => ("endpoint-reactivated", Level::Info),
        "sunset-deleted" => ("sunset-deleted", Level::Error),
        "sunset-parse" => ("api-path-sunset-parse", Level::Error),
        "sunset-date-changed-too-small" => ("api-sunset-date-changed-too-small", Level::Error),
        "invalid-stability-level" => ("api-invalid-stability-level", Level::Error),
        "stability-decreased" => ("api-stability-decreased", Level::Error),
        _ => ("api-stability-increased", Level::Info),
    }
}

pub(crate) fn operation(c: &mut Cmp, b: &Val, h: &Val, op: &OpCx) {
    for t in transitions(b, h, c.opts) {
        let (id, level) = operation_id(t.suffix);
        let (at, key) = if t.at_sunset {
            (h.get("x-sunset").unwrap_or(*h), "/x-sunset")
        } else if t.suffix.contains("stability") {
            (
                h.get("x-stability-level").unwrap_or(*h),
                "/x-stability-level",
            )
        } else {
            (h.get("deprecated").unwrap_or(*h), "/deprecated")
        };
        c.push(
            id,
            level,
            Group::Lifecycle,
            Some(op),
            format!("{}{key}", op.pointer),
            format!("endpoint {}", t.text),
            at.loc(),
            None,
        );
    }
}
