//! Unions: a schema wrapped in or unwrapped from a `oneOf`/`anyOf`, and enumerations
//! written as unions of single values. Each decides how the two schemas pair up before
//! the walk in `mod.rs` compares them.

use super::*;

impl<'a> Cmp<'a, '_> {
    /// An enumeration written as a union of single values on either side (`oneOf:
    /// [{enum: [Memory], description: …}, {enum: [Mmap], …}]`, what schemars writes for a
    /// documented Rust enum; qdrant's `VectorStorageType`), compared as the enum it is:
    /// a member added is a value added (information in a response, as for `enum`), not a
    /// `oneOf` branch that breaks clients.
    pub(super) fn enum_union(&self, b: &Val<'a>, h: &Val<'a>, out: &mut Out) -> bool {
        let (bu, hu) = (union_values(self.base, b), union_values(self.head, h));
        if bu.is_none() && hu.is_none() {
            return false;
        }
        let plain = |v: &Val<'a>| v.get("enum").map(|e| scalars(Some(e)));
        let (Some(bs), Some(hs)) = (bu.or_else(|| plain(b)), hu.or_else(|| plain(h))) else {
            return false;
        };
        let at = |v: &Val<'a>| {
            v.get("oneOf")
                .or_else(|| v.get("anyOf"))
                .or_else(|| v.get("enum"))
                .map(|x| x.loc())
        };
        let removed: Vec<String> = bs
            .iter()
            .filter(|(k, _)| k != "null" && !hs.iter().any(|(x, _)| x == k))
            .map(|(k, _)| k.clone())
            .collect();
        let added: Vec<String> = hs
            .iter()
            .filter(|(k, _)| k != "null" && !bs.iter().any(|(x, _)| x == k))
            .map(|(k, _)| k.clone())
            .collect();
        let head_at = at(h).unwrap_or(h.loc());
        if !removed.is_empty() {
            out.kw(
                "enum-value-removed",
                format!("enum {} removed", values_text(&removed)),
                head_at.clone(),
                at(b),
            );
        }
        if !added.is_empty() {
            out.kw(
                "enum-value-added",
                format!("enum {} added", values_text(&added)),
                head_at,
                None,
            );
        }
        true
    }

    /// A schema that became a `oneOf` one of whose alternatives has the old schema's
    /// type, properties and required ones, while every other alternative requires a
    /// property the old schema does not have: whatever old clients send still matches
    /// exactly one alternative (request: info), but responses may now carry the other
    /// shapes (response: error, as an added `oneOf` alternative). The kept alternative
    /// is compared with the old schema.
    pub(super) fn one_of_keeping_old(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        raws: &mut Vec<Raw>,
        depth: usize,
        top: bool,
    ) -> bool {
        let Some(list) = became_one_of(&b, &h) else {
            return false;
        };
        let old = self.base.resolve(b);
        let (props, required) = (listed(&old, "properties"), listed(&old, "required"));
        let ty = old.get("type").map(|t| t.show());
        let branches: Vec<(usize, Val<'a>)> = list.items().enumerate().collect();
        let kept = if props.is_empty() {
            // A scalar or array kept as the one alternative of its type, the others of
            // other types (resend's `to`: an array of addresses, now `oneOf: [string,
            // array]`): old values match exactly that alternative.
            self.kept_by_type(&old, &branches)
        } else {
            let kept = branches.iter().find(|(_, br)| {
                let r = self.head.resolve(*br);
                r.get("type").map(|t| t.show()) == ty
                    && listed(&r, "properties") == props
                    && listed(&r, "required") == required
            });
            kept.copied().filter(|&(i, _)| {
                branches.iter().filter(|(j, _)| *j != i).all(|(_, br)| {
                    listed(&self.head.resolve(*br), "required")
                        .iter()
                        .any(|n| !props.contains(n))
                })
            })
        };
        let Some((i, branch)) = kept else {
            return false;
        };
        let mut out = Out { v: raws, cx, top };
        let (head, base) = at(&b, &h, "oneOf");
        out.kw(
            "wrapped-in-one-of-kept",
            "wrapped in `oneOf` with new alternatives (the old schema is kept as one of them)"
                .into(),
            head,
            base.or(Some(b.loc())),
        );
        self.child(b, branch, cx, None, &["oneOf", &i.to_string()], raws, depth);
        true
    }

    /// A response schema that became a `oneOf` every alternative of which old clients read
    /// as they read the old schema (compared one by one, none breaks anything: each
    /// keeps the properties, types and bounds they rely on). Whatever the server sends
    /// matches one of them, so old clients get what they read: information. typebot
    /// 3.18's error bodies, now `oneOf` a defined and an undefined error, each with the
    /// old `message` and `code`.
    pub(super) fn one_of_all_readable(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        raws: &mut Vec<Raw>,
        depth: usize,
        top: bool,
    ) -> bool {
        if cx.place.is_request() {
            return false;
        }
        let Some(list) = became_one_of(&b, &h) else {
            return false;
        };
        let branches: Vec<Val<'a>> = list.items().collect();
        if branches.is_empty() {
            return false;
        }
        // What each alternative changes is information, kept for the changelog.
        let mut trials = Vec::new();
        for (i, br) in branches.iter().enumerate() {
            let mut trial = Vec::new();
            self.child(
                b,
                *br,
                cx,
                None,
                &["oneOf", &i.to_string()],
                &mut trial,
                depth,
            );
            let breaks = trial.iter().any(|r| {
                let level = match &r.id {
                    RawId::Kw(s) => self.kw_level(cx.place, r.props_rev.is_empty() && top, s),
                    RawId::Full(_, l) => *l,
                };
                level != Level::Info
            });
            if breaks {
                return false;
            }
            trials.extend(trial);
        }
        let (head, base) = at(&b, &h, "oneOf");
        Out { v: raws, cx, top }.full(
            format!("{}-wrapped-in-one-of-readable", cx.place.scope(top)),
            Level::Info,
            "wrapped in `oneOf`, every alternative of which old clients read as before".into(),
            head,
            base.or(Some(b.loc())),
        );
        raws.extend(trials);
        true
    }

    /// The one `oneOf` branch of the old schema's single, non-object type when every other
    /// branch has other types only.
    pub(super) fn kept_by_type(
        &self,
        old: &Val<'a>,
        branches: &[(usize, Val<'a>)],
    ) -> Option<(usize, Val<'a>)> {
        let (t, _) = types(old);
        if t.len() != 1 || t[0] == "object" {
            return None;
        }
        let of = |br: &Val<'a>| types(&self.head.resolve(*br)).0;
        let mut same = branches.iter().filter(|(_, br)| of(br) == t);
        let (i, branch) = *same.next()?;
        if same.next().is_some() {
            return None;
        }
        branches
            .iter()
            .filter(|(j, _)| *j != i)
            .all(|(_, br)| {
                let other = of(br);
                !other.is_empty() && other.iter().all(|x| !t.contains(x))
            })
            .then_some((i, branch))
    }

    /// A schema that became `oneOf: [old, …]`: reported once, not as a cascade.
    pub(super) fn composition_wrap(&mut self, b: &Val<'a>, h: &Val<'a>, out: &mut Out) -> bool {
        if b.get("oneOf").is_none() && h.get("oneOf").is_some() && shaped(b) && !shaped(h) {
            let (head, base) = at(b, h, "oneOf");
            out.kw(
                "wrapped-in-one-of",
                "wrapped in `oneOf`".into(),
                head,
                base.or(Some(b.loc())),
            );
            return true;
        }
        false
    }

    /// A schema that became `anyOf: [similar, …]` (generators add alternatives such as
    /// an empty-string form), or the reverse: compared with the most similar branch, so
    /// its properties are not reported as removed.
    pub(super) fn any_of_wrap(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        raws: &mut Vec<Raw>,
        depth: usize,
        top: bool,
    ) -> bool {
        let composed = |v: &Val| v.get("anyOf").is_some() || v.get("oneOf").is_some();
        let (wrapped, plain, list, kw) = if shaped(&b) && !composed(&b) && !shaped(&h) {
            match h.get("anyOf") {
                Some(l) => (true, b, l, "anyOf"),
                None => return false,
            }
        } else if shaped(&h) && !composed(&h) && !shaped(&b) {
            match b
                .get("anyOf")
                .map(|l| (l, "anyOf"))
                .or_else(|| b.get("oneOf").map(|l| (l, "oneOf")))
            {
                Some((l, kw)) => (false, h, l, kw),
                None => return false,
            }
        } else {
            return false;
        };
        let (branch_docs, plain_docs) = if wrapped {
            (self.head, self.base)
        } else {
            (self.base, self.head)
        };
        let pr = plain_docs.resolve(plain);
        let (pn, pt) = (listed(&pr, "properties"), pr.get("type").map(|t| t.show()));
        let best = list
            .items()
            .enumerate()
            .map(|(i, br)| {
                let r = branch_docs.resolve(br);
                let shared = listed(&r, "properties")
                    .iter()
                    .filter(|n| pn.contains(*n))
                    .count();
                let same_type = (r.get("type").map(|t| t.show()) == pt && pt.is_some()) as usize;
                (shared * 2 + same_type, i, br)
            })
            .max_by_key(|(score, i, _)| (*score, std::cmp::Reverse(*i)));
        let Some((score, i, branch)) = best else {
            return false;
        };
        let single = list.items().count() == 1;
        // `anyOf: [X, {type: "null"}]` is OpenAPI 3.1's spelling of 3.0's `X` with
        // `nullable: true` (typebot 3.18's generator switch): only nullability can
        // differ.
        let null_only = !single
            && list
                .items()
                .enumerate()
                .all(|(j, br)| j == i || is_null_schema(&branch_docs.resolve(br)));
        if score == 0 && !single && !null_only {
            return false;
        }
        let mut out = Out { v: raws, cx, top };
        if null_only {
            let plain_nullable = accepts_null(&pr);
            match (wrapped, plain_nullable) {
                (true, false) => {
                    let (head, base) = at(&b, &h, kw);
                    out.kw("became-nullable", "became nullable".into(), head, base);
                }
                (false, false) => {
                    let (head, base) = at(&b, &h, "type");
                    out.kw(
                        "became-not-nullable",
                        "became not nullable".into(),
                        head,
                        base.or(Some(b.loc())),
                    );
                }
                _ => {}
            }
        } else if single {
            // `anyOf: [X]` is X (generators write it to attach `nullable` or a
            // description to a `$ref`): only nullability can differ.
            let nullable = |v: &Val| v.get("nullable").is_some_and(|n| n.is_true());
            match (nullable(&b), nullable(&h)) {
                (false, true) => {
                    let (head, base) = at(&b, &h, "nullable");
                    out.kw("became-nullable", "became nullable".into(), head, base);
                }
                (true, false) => {
                    let (head, base) = at(&b, &h, "nullable");
                    out.kw(
                        "became-not-nullable",
                        "became not nullable".into(),
                        head,
                        base,
                    );
                }
                _ => {}
            }
        } else if wrapped {
            let (head, base) = at(&b, &h, kw);
            out.kw(
                "wrapped-in-any-of",
                "wrapped in `anyOf` with other alternatives".into(),
                head,
                base.or(Some(b.loc())),
            );
        } else {
            let (head, base) = at(&b, &h, "type");
            out.kw(
                if kw == "anyOf" {
                    "unwrapped-from-any-of"
                } else {
                    "unwrapped-from-one-of"
                },
                format!("no longer a `{kw}`: only one of its alternatives is left"),
                head,
                base.or(Some(b.loc())),
            );
        }
        let mut sub = Vec::new();
        if wrapped {
            self.child(b, branch, cx, None, &[kw, &i.to_string()], &mut sub, depth);
        } else {
            self.child(branch, h, cx, None, &[], &mut sub, depth);
        }
        // The null alternative carries the nullability, already judged above.
        if null_only {
            sub.retain(|r| {
                !(r.props_rev.is_empty()
                    && matches!(r.id, RawId::Kw("became-nullable" | "became-not-nullable")))
            });
        }
        raws.extend(sub);
        true
    }
}
