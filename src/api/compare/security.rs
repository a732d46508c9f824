//! Security requirements (global and per operation), their scopes, and the security
//! schemes of the components. oasdiff rates all of these informational.

use super::{Cmp, OpCx};
use crate::api::change::{Group, Level};
use crate::api::doc::{Docs, Loc, Val, Version};

/// Requirements as (scheme names joined with `+`, scopes per scheme).
/// One security requirement: its schemes (joined with `+`) and each scheme's scopes.
type Requirement = (String, Vec<(String, Vec<String>)>);

fn requirements(v: &Val) -> Vec<Requirement> {
    v.items()
        .map(|req| {
            let mut schemes: Vec<(String, Vec<String>)> = req
                .entries()
                .map(|(name, scopes)| {
                    let s = scopes
                        .items()
                        .filter_map(|x| x.str().map(String::from))
                        .collect();
                    (name.to_string(), s)
                })
                .collect();
            schemes.sort();
            let key = schemes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join("+");
            (key, schemes)
        })
        .collect()
}

fn compare_requirements(
    c: &mut Cmp,
    b: Option<Val>,
    h: Option<Val>,
    parent: Val,
    op: Option<&OpCx>,
    prefix: &str,
    pointer: String,
) {
    let br = b.map(|v| requirements(&v)).unwrap_or_default();
    let hr = h.map(|v| requirements(&v)).unwrap_or_default();
    let at = h.unwrap_or(parent).loc();
    for (key, schemes) in &br {
        match hr.iter().find(|(k, _)| k == key) {
            None => c.push(
                format!("{prefix}-removed"),
                Level::Info,
                Group::Security,
                op,
                pointer.clone(),
                format!("security requirement `{key}` removed"),
                at.clone(),
                b.map(|v| v.loc()),
            ),
            Some((_, hs)) => {
                for (name, scopes) in schemes {
                    let hscopes = hs
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default();
                    for s in scopes.iter().filter(|s| !hscopes.contains(s)) {
                        c.push(
                            format!("{prefix}-scope-removed"),
                            Level::Info,
                            Group::Security,
                            op,
                            pointer.clone(),
                            format!("scope `{s}` of security scheme `{name}` removed"),
                            at.clone(),
                            None,
                        );
                    }
                    for s in hscopes.iter().filter(|s| !scopes.contains(s)) {
                        c.push(
                            format!("{prefix}-scope-added"),
                            Level::Info,
                            Group::Security,
                            op,
                            pointer.clone(),
                            format!("scope `{s}` of security scheme `{name}` added"),
                            at.clone(),
                            None,
                        );
                        // Tokens issued without the scope are refused, unless another
                        // requirement still lets them in. Only OAuth2 and OpenID Connect
                        // scopes are granted in-band; for other schemes the list is
                        // documentation (OpenAPI 3.0: "MUST be empty"; 3.1: roles "not
                        // otherwise defined or exchanged in-band"), so the description
                        // cannot tell an enforced requirement from a documented one.
                        if br.len() == 1
                            && hr.len() == 1
                            && grants_scopes(c.head, name)
                            && !refines_held_scope(s, scopes)
                        {
                            c.mark_locks_out();
                        }
                    }
                }
            }
        }
    }
    // Requirements are alternatives: adding one locks clients out only where none was
    // needed before (no requirement, or the empty one that allows anonymous calls) and
    // the new list does not allow anonymous calls. A previous description that defined
    // no security scheme could not state a requirement at all: its silence is auth left
    // undocumented, not an operation declared open (devtron's hand-written specs gained
    // `bearerAuth` in 1.8.2 for endpoints that always checked the token).
    let open_before =
        (br.is_empty() && documents_security(c.base)) || br.iter().any(|(k, _)| k.is_empty());
    let open_after = hr.is_empty() || hr.iter().any(|(k, _)| k.is_empty());
    for (key, _) in &hr {
        if !br.iter().any(|(k, _)| k == key) {
            c.push(
                format!("{prefix}-added"),
                Level::Info,
                Group::Security,
                op,
                pointer.clone(),
                format!("security requirement `{key}` added"),
                at.clone(),
                None,
            );
            if open_before && !open_after && !key.is_empty() {
                c.mark_locks_out();
            }
        }
    }
}

/// Whether `wanted` is a `:`-separated refinement of a scope the old requirement
/// asked for (`admin` → `admin:write:accounts`): old clients hold the parent, and
/// servers with hierarchical scopes grant every child to it (GoToSocial's
/// `Scope.Permits`, Mastodon's `read` → `read:*`), so narrowing the documented
/// scope locks no one out.
fn refines_held_scope(wanted: &str, held: &[String]) -> bool {
    held.iter().any(|p| {
        wanted
            .strip_prefix(p.as_str())
            .is_some_and(|rest| rest.starts_with(':'))
    })
}

pub(crate) fn operation(c: &mut Cmp, b: &Val, h: &Val, op: &OpCx) {
    // An operation without `security` inherits the global requirements: only explicit
    // ones are compared here; the global ones are compared once.
    if b.get("security").is_none() && h.get("security").is_none() {
        return;
    }
    let bs = b
        .get("security")
        .or_else(|| c.base.root_val().get("security"));
    let hs = h
        .get("security")
        .or_else(|| c.head.root_val().get("security"));
    compare_requirements(
        c,
        bs,
        hs,
        *h,
        Some(op),
        "api-security",
        format!("{}/security", op.pointer),
    );
}

/// Whether scheme `name` hands out scopes in-band (OAuth2, OpenID Connect). A scheme
/// that cannot be found is assumed to, so the warning is kept where nothing says otherwise.
fn grants_scopes(d: &Docs, name: &str) -> bool {
    let Some(scheme) = schemes(d).and_then(|s| s.get(name)) else {
        return true;
    };
    match d.resolve(scheme).get("type").and_then(|t| t.str()) {
        Some(t) => matches!(t, "oauth2" | "openIdConnect"),
        None => true,
    }
}

/// Whether the description defines at least one security scheme, so that an operation
/// without a requirement is open by its word rather than undocumented.
fn documents_security(d: &Docs) -> bool {
    schemes(d).is_some_and(|s| s.entries().next().is_some())
}

fn schemes<'a>(d: &Docs<'a>) -> Option<Val<'a>> {
    let r = d.root_val();
    if d.version == Version::Swagger2 {
        r.get("securityDefinitions")
    } else {
        r.get("components").and_then(|c| c.get("securitySchemes"))
    }
}

/// OAuth scopes of a scheme, with their flow (3.x) or directly (2.0).
fn oauth_scopes(v: &Val) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = v.get("scopes") {
        out.extend(s.entries().map(|(k, _)| k.to_string()));
    }
    if let Some(flows) = v.get("flows") {
        for (flow, f) in flows.entries() {
            if let Some(s) = f.get("scopes") {
                out.extend(s.entries().map(|(k, _)| format!("{flow}:{k}")));
            }
        }
    }
    out
}

fn urls(v: &Val, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v
        .get(key)
        .and_then(|u| u.str())
        .map(String::from)
        .into_iter()
        .collect();
    if let Some(flows) = v.get("flows") {
        for (flow, f) in flows.entries() {
            if let Some(u) = f.get(key).and_then(|u| u.str()) {
                out.push(format!("{flow}:{u}"));
            }
        }
    }
    out
}

pub(crate) fn global(c: &mut Cmp) {
    let root = c.head.root_val();
    compare_requirements(
        c,
        c.base.root_val().get("security"),
        root.get("security"),
        root,
        None,
        "api-global-security",
        "/security".into(),
    );
    let (bs, hs) = (schemes(c.base), schemes(c.head));
    let pointer = if c.head.version == Version::Swagger2 {
        "/securityDefinitions"
    } else {
        "/components/securitySchemes"
    };
    // Every security-scheme change is informational: one shape for all of them.
    let note = |c: &mut Cmp, id: &str, text: String, head: Loc, base: Option<Loc>| {
        let id = format!("api-security-component-{id}");
        c.push(
            id,
            Level::Info,
            Group::Security,
            None,
            pointer.into(),
            text,
            head,
            base,
        );
    };
    let at = hs.unwrap_or(root);
    for (name, b) in bs.iter().flat_map(|bs| bs.entries()) {
        let Some(h) = hs.and_then(|hs| hs.get(name)) else {
            let text = format!("security scheme `{name}` removed");
            note(c, "removed", text, at.loc(), Some(b.loc()));
            continue;
        };
        let (b, h) = (
            c.base.resolve(b),
            Val {
                key: h.key,
                ..c.head.resolve(h)
            },
        );
        let ty = |v: &Val| v.get("type").and_then(|t| t.str()).map(String::from);
        if ty(&b) != ty(&h) {
            let text = format!("security scheme `{name}` type changed");
            note(
                c,
                "type-changed",
                text,
                h.get("type").unwrap_or(h).loc(),
                Some(b.loc()),
            );
        }
        let (bsc, hsc) = (oauth_scopes(&b), oauth_scopes(&h));
        for s in bsc.iter().filter(|s| !hsc.contains(s)) {
            let text = format!("OAuth scope `{s}` of security scheme `{name}` removed");
            note(c, "oauth-scope-removed", text, h.loc(), Some(b.loc()));
        }
        for s in hsc.iter().filter(|s| !bsc.contains(s)) {
            let text = format!("OAuth scope `{s}` of security scheme `{name}` added");
            note(c, "oauth-scope-added", text, h.loc(), None);
        }
        for (key, id, what) in [
            ("tokenUrl", "oauth-token-url-changed", "token URL"),
            ("authorizationUrl", "oauth-url-changed", "authorization URL"),
        ] {
            if urls(&b, key) != urls(&h, key) {
                let text = format!("{what} of security scheme `{name}` changed");
                note(c, id, text, h.loc(), Some(b.loc()));
            }
        }
    }
    for (name, v) in hs.iter().flat_map(|hs| hs.entries()) {
        if bs.and_then(|bs| bs.get(name)).is_none() {
            note(
                c,
                "added",
                format!("security scheme `{name}` added"),
                v.loc(),
                None,
            );
        }
    }
}
