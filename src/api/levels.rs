//! The verdict of a schema change, by keyword, change and direction. A request breaks
//! when the server starts rejecting what clients send; a response breaks when clients
//! receive what they did not expect. oasdiff's catalogue is this table unrolled per scope.

use super::change::Level::{self, Error as E, Info as I, Warn as W};

/// Where a schema sits: the scope names the id (`request-body-…`, `response-header-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// A request body (`request-body-…`, nested: `request-property-…`).
    RequestBody,
    /// A query, path or cookie parameter (`request-parameter-…`,
    /// nested: `request-parameter-property-…`).
    Parameter,
    /// A header parameter (nested: `request-header-property-…`).
    HeaderParameter,
    /// A response body (`response-body-…`, nested: `response-property-…`).
    ResponseBody,
    /// A response header (`response-header-…`).
    ResponseHeader,
}

impl Place {
    pub fn is_request(self) -> bool {
        matches!(
            self,
            Place::RequestBody | Place::Parameter | Place::HeaderParameter
        )
    }

    /// The id prefix for a change at the schema's top (`top`) or inside it.
    pub fn scope(self, top: bool) -> &'static str {
        match (self, top) {
            (Place::RequestBody, true) => "request-body",
            (Place::RequestBody, false) => "request-property",
            (Place::Parameter | Place::HeaderParameter, true) => "request-parameter",
            (Place::Parameter, false) => "request-parameter-property",
            (Place::HeaderParameter, false) => "request-header-property",
            (Place::ResponseBody, true) => "response-body",
            (Place::ResponseBody, false) => "response-property",
            (Place::ResponseHeader, true) => "response-header",
            (Place::ResponseHeader, false) => "response-header-property",
        }
    }
}

/// (request, response) verdicts of a keyword change.
fn verdicts(suffix: &str) -> (Level, Level) {
    match suffix {
        "all-of-added" => (E, I),
        "all-of-removed" => (W, I),
        "any-of-removed" | "one-of-removed" => (E, I),
        "one-of-added" => (I, E),
        "became-enum" | "became-not-nullable" | "became-required" => (E, I),
        "became-nullable" | "became-optional" => (I, E),
        "deprecated-became-optional" => (I, I),
        // Required with a default: old requests work if the server applies the default,
        // fail if it enforces `required`; the description does not say which (oasdiff
        // keeps it a warning for that reason).
        "became-required-with-default" => (W, I),
        "const-added" => (E, I),
        "const-changed" | "content-encoding-changed" | "content-media-type-changed" => (E, E),
        "const-removed" => (I, E),
        "contains-added"
        | "content-schema-added"
        | "dependent-required-added"
        | "dependent-schema-added"
        | "else-added"
        | "if-added"
        | "then-added"
        | "pattern-property-added"
        | "property-names-added"
        | "unevaluated-items-added"
        | "unevaluated-properties-added"
        | "additional-properties-closed" => (E, I),
        "contains-removed"
        | "content-schema-removed"
        | "dependent-required-removed"
        | "dependent-schema-removed"
        | "else-removed"
        | "if-removed"
        | "then-removed"
        | "pattern-property-removed"
        | "property-names-removed"
        | "unevaluated-items-removed"
        | "unevaluated-properties-removed" => (I, E),
        "dependent-required-changed" => (E, E),
        // A value added to a response enum is information unless `[api]
        // closed-response-enums` says clients treat the enums as closed (see A401's
        // document): API guidelines tell clients to expect new values.
        "enum-value-added" => (I, I),
        // `null` added to the enum of a schema that was already nullable (see compare/schema/keywords.rs).
        "enum-null-listed" => (I, I),
        // A property old clients still send: accepted and ignored, or rejected.
        "removed" => (W, I),
        // Under `not`, a change inverts its meaning; which way is not decided here.
        "not-added" => (E, I),
        "not-removed" => (I, E),
        "not-changed" => (W, W),
        "enum-value-removed" | "x-extensible-enum-value-removed" => (E, I),
        "prefix-items-added" => (I, E),
        "prefix-items-removed" => (E, I),
        "list-of-types-narrowed" => (E, I),
        "list-of-types-widened" => (I, E),
        "type-changed" | "wrapped-in-one-of" => (E, E),
        // A response that became `anyOf: [old, …]` may carry the new alternatives (Stripe's
        // expandable fields only do on request): possibly breaking, as oasdiff rates an
        // added enum value; oasdiff itself rates an added `anyOf` branch info.
        "wrapped-in-any-of" => (I, W),
        // A `oneOf` keeping the old schema as an alternative the others exclude: old
        // requests still match exactly one; responses may hold the new alternatives,
        // as with an added `oneOf` alternative.
        "wrapped-in-one-of-kept" => (I, E),
        "unwrapped-from-any-of" | "unwrapped-from-one-of" => (E, I),
        "type-generalized" => (I, E),
        "type-specialized" => (E, I),
        "pattern-added" => (E, I),
        "pattern-changed" => (W, I),
        "deprecated-sunset-missing"
        | "deprecated-sunset-invalid"
        | "sunset-date-too-small"
        | "stability-decreased" => (E, E),
        s if s.starts_with("max") || s.starts_with("exclusive-max") => {
            if s.ends_with("-decreased") {
                (E, I)
            } else if s.ends_with("-increased") || s.ends_with("-unset") {
                (I, E)
            } else if s.ends_with("-set") {
                (W, I)
            } else {
                (I, I)
            }
        }
        s if s.starts_with("min") || s.starts_with("exclusive-min") => {
            if s.ends_with("-increased") {
                (E, I)
            } else if s.ends_with("-decreased") || s.ends_with("-unset") {
                (I, E)
            } else if s.ends_with("-set") {
                (W, I)
            } else {
                (I, I)
            }
        }
        _ => (I, I),
    }
}

/// A bound (`maximum`, `maxLength`, `minItems`, …) set on a request where none was
/// documented.
pub fn is_bound_set(place: Place, suffix: &str) -> bool {
    place.is_request()
        && suffix.ends_with("-set")
        && (suffix.starts_with("max")
            || suffix.starts_with("min")
            || suffix.starts_with("exclusive-"))
}

/// The level of a keyword change at a place, with the scopes where oasdiff differs from
/// the general table.
pub fn level(place: Place, top: bool, suffix: &str) -> Level {
    match (place, top, suffix) {
        // A parameter's default documents what the server assumes when the client sends
        // nothing; the description changing it says nothing of whether the server did
        // (oasdiff rates these INFO, effect "none", since its 2026 rule table). On the
        // judged release pairs all ten were corrections of the description only.
        (Place::Parameter | Place::HeaderParameter, true, s) if s.starts_with("default-value") => I,
        // A bound set on a request where the description documented none: oasdiff warns,
        // but the server always had a limit (a column's size, a validator), and the
        // description cannot tell a new limit from one newly written down. On the judged
        // release pairs all nine were the latter (vikunja 2.4's swag annotations for the
        // `valid:"runelength(1|250)"` tags it already had, keto's page_size). A documented
        // bound tightened (`-decreased`, `-increased`) is still an error.
        (p, _, s) if is_bound_set(p, s) => I,
        // Query strings are text: a nested parameter property that changes type may
        // still parse.
        (Place::Parameter | Place::HeaderParameter, false, "type-changed") => W,
        (_, _, "pattern-added" | "pattern-changed" | "pattern-removed" | "pattern-generalized")
            if !place.is_request() =>
        {
            I
        }
        _ => {
            let (req, resp) = verdicts(suffix);
            if place.is_request() { req } else { resp }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_change_has_opposite_verdicts() {
        assert_eq!(level(Place::RequestBody, false, "enum-value-removed"), E);
        assert_eq!(level(Place::ResponseBody, false, "enum-value-removed"), I);
        assert_eq!(level(Place::ResponseBody, false, "enum-value-added"), I);
        assert_eq!(level(Place::RequestBody, true, "max-length-decreased"), E);
        assert_eq!(level(Place::ResponseBody, true, "max-length-increased"), E);
        assert_eq!(level(Place::RequestBody, true, "max-length-set"), I);
        assert_eq!(level(Place::Parameter, true, "max-set"), I);
        assert_eq!(level(Place::Parameter, true, "default-value-changed"), I);
        assert_eq!(level(Place::RequestBody, false, "default-value-changed"), I);
        assert_eq!(level(Place::ResponseBody, false, "became-nullable"), E);
        assert_eq!(level(Place::ResponseBody, false, "min-items-unset"), E);
    }
}
