//! One difference between two API descriptions, named with oasdiff's check ids so its
//! catalogue and tests can be compared one to one.

use super::doc::Loc;

/// oasdiff's levels: ERR (breaks clients), WARN (may break them), INFO (changelog only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The part of the contract a change touches (each A rule reports one part; the
/// verdicts — which rule, which severity — are the rules', in `rules/api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Endpoints, webhooks and base paths removed.
    Endpoint,
    /// Deprecation, sunset dates and stability levels.
    Lifecycle,
    /// Request parameters.
    Parameter,
    /// Request bodies.
    RequestBody,
    /// Responses: status codes, media types, headers and bodies.
    Response,
    /// Security requirements and schemes.
    Security,
    /// Everything else (version, tags, operation ids, components).
    Other,
}

#[derive(Debug, Clone)]
pub struct Change {
    /// The oasdiff check id, or one of rollsafe's own in the same grammar.
    pub id: String,
    pub level: Level,
    pub group: Group,
    /// `GET /accounts/{id}`, or empty for changes outside operations.
    pub operation: String,
    /// JSON pointer of the element in the new description (through `$ref`s, as the
    /// operation sees it).
    pub pointer: String,
    /// What changed, one clause: "response property `data/email` removed".
    pub text: String,
    /// The element in the new description, or its nearest surviving parent.
    pub head: Loc,
    /// The element in the previous description, when it helps (removals, old values).
    pub base: Option<Loc>,
    /// A request property removed from a schema that stays open (no
    /// `additionalProperties: false`): old requests still validate, and a server that
    /// ignores unknown properties (the default of Go's encoding/json, grpc-gateway,
    /// Spring Boot's Jackson, pydantic) accepts them. oasdiff's level is kept for the
    /// changelog; the rule reports it as information.
    pub tolerated: bool,
    /// A security requirement or scope added where clients did not need it: oasdiff
    /// rates it informational, but clients without the credential are now refused.
    pub locks_out: bool,
    /// The root description the change was found in (`openapi.yaml`), which may differ
    /// from the file it is located in (`schemas/Pet.yaml`).
    pub root: String,
}

impl Change {
    /// One sentence naming the operation and the element.
    pub fn message(&self) -> String {
        if self.operation.is_empty() {
            format!("{} (at `{}`)", self.text, self.pointer)
        } else {
            format!(
                "`{}`: {} (at `{}`)",
                self.operation, self.text, self.pointer
            )
        }
    }
}
