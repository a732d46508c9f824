//! M113: revoking privileges on tables that existed before this release. If the previous
//! release connects as that role (or relies on PUBLIC), its queries fail with
//! `permission denied` from the moment the migration commits.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M113 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, Part, ops::Op};

pub struct RevokePrivilege;

/// Whether `granted` gives back `privilege`.
fn covers(granted: &[String], privilege: &str) -> bool {
    granted.iter().any(|g| g == "ALL" || g == privilege)
}

impl Rule for RevokePrivilege {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::Privileges {
            grant: false,
            privileges,
            tables,
            schemas,
            grantees,
        } = cx.op
        else {
            return;
        };
        if cx.part != Part::Up {
            return;
        }
        // The tables the previous release already had: named ones that are not new in
        // this release, and the ones the model knows in a named schema.
        let mut affected: Vec<(String, Option<&str>)> = tables
            .iter()
            .filter(|t| !cx.is_new_table(t) && !cx.is_new_name(t))
            .map(|t| (t.clone(), None))
            .collect();
        for s in schemas {
            for t in cx.schema.tables_in_schema(s) {
                if !cx.is_new_table(&t) && !cx.is_new_name(&t) {
                    affected.push((t, Some(s.as_str())));
                }
            }
        }
        if affected.is_empty() {
            return;
        }
        let later: Vec<&Op> = cx
            .migration
            .up_statements()
            .filter(|(_, s)| s.start > cx.stmt.start)
            .flat_map(|(_, s)| s.ops.iter())
            .collect();
        // A role this migration creates is used by no running version yet.
        let created_here = |g: &str| {
            cx.migration.up_statements().any(|(_, s)| {
                (s.normalised.starts_with("create role ")
                    || s.normalised.starts_with("create user "))
                    && s.normalised
                        .split([' ', ';', '\'', '"', '@'])
                        .any(|w| w == g)
            })
        };
        // PUBLIC holds no table privileges unless granted them (PostgreSQL's defaults
        // grant tables nothing): a REVOKE FROM PUBLIC is hardening, and only takes away
        // what an earlier migration of the set granted to PUBLIC.
        let granted_to_public_before = |t: &str, s: Option<&str>| {
            cx.set
                .migrations
                .iter()
                .take(cx.index)
                .flat_map(|m| m.up_statements())
                .flat_map(|(_, st)| st.ops.iter())
                .any(|o| match o {
                    Op::Privileges {
                        grant: true,
                        tables: gt,
                        schemas: gs,
                        grantees: gg,
                        ..
                    } => {
                        gg.iter().any(|g| g == "public")
                            && (gt.iter().any(|x| x == t)
                                || s.is_some_and(|s| gs.iter().any(|x| x == s)))
                    }
                    _ => false,
                })
        };
        for grantee in grantees {
            if created_here(grantee) {
                continue;
            }
            // What a later GRANT of this migration gives back to the same grantee on the
            // same table (or on all tables of its schema).
            let lost: Vec<&(String, Option<&str>)> = affected
                .iter()
                .filter(|(t, s)| grantee != "public" || granted_to_public_before(t, *s))
                .filter(|(t, s)| {
                    let regranted: Vec<String> = later
                        .iter()
                        .filter_map(|o| match o {
                            Op::Privileges {
                                grant: true,
                                privileges: p,
                                tables: gt,
                                schemas: gs,
                                grantees: gg,
                            } if gg.contains(grantee)
                                && (gt.contains(t)
                                    || s.is_some_and(|s| gs.iter().any(|x| x == s))) =>
                            {
                                Some(p.clone())
                            }
                            _ => None,
                        })
                        .flatten()
                        .collect();
                    // `REVOKE ALL` followed by a GRANT to the same grantee re-scopes its
                    // privileges on purpose; otherwise each revoked one must come back.
                    let rescoped = privileges.iter().any(|p| p == "ALL") && !regranted.is_empty();
                    !rescoped && !privileges.iter().all(|p| covers(&regranted, p))
                })
                .collect();
            let Some((first, via)) = lost.first() else {
                continue;
            };
            let what = privileges.join(", ");
            let on = match (lost.len(), via) {
                (1, None) => format!("`{first}`"),
                (1, Some(s)) => format!("`{first}` (in schema `{s}`)"),
                (n, _) => format!("`{first}` and {} other table(s)", n - 1),
            };
            let denied = if cx.dialect() == Dialect::Mysql {
                "`… command denied to user` (error 1142)"
            } else {
                "`permission denied` (SQLSTATE 42501)"
            };
            let (who, connects) = if grantee == "public" {
                (
                    "PUBLIC".to_string(),
                    "relies on what an earlier migration granted to PUBLIC".to_string(),
                )
            } else {
                (format!("`{grantee}`"), format!("connects as `{grantee}`"))
            };
            out.push(cx.diag(
                &META,
                cx.span_of(&["REVOKE"]),
                format!(
                    "revoking {what} on {on} from {who}: if the previous release {connects}, its queries on that table fail with {denied} from the moment this migration commits, during the rollout and after a rollback"
                ),
                "revoke privileges in a release after the one that stops needing them, or check that no running version connects as this role",
                &format!("{grantee}:{first}:{what}"),
            ));
        }
    }
}
