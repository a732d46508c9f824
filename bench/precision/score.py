#!/usr/bin/env python3
"""Scores a precision run against the judged table.

    python3 bench/precision/score.py [--only REPO,REPO] [findings.tsv] [JUDGED.tsv]

Every error and warning of the run (run.sh's findings.tsv) is looked up in the judged
table by (repo, base, head, mode, code, location); the script prints true / noise /
false shares overall, per mode and per repository, and lists the findings no verdict
covers yet (judge them, then add them to JUDGED.tsv). A verdict that records the message
it judged (the optional `message` column) is listed as stale when the finding at that
place now says something else: read it again."""
import collections, csv, os, sys

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
only = None  # --only: score a subset of repositories (e.g. the ones judged before tuning)
if len(args) >= 2 and args[0] == "--only":
    only = set(args[1].split(","))
    args = args[2:]
sys.argv = [sys.argv[0]] + args
findings = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PRECISION_OUT", "/work/precision-out") + "/findings.tsv"
judged = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "JUDGED.tsv")

def key(r, loc):
    return (r["repo"], r["base"], r["head"], r["mode"], r["code"], r[loc])

with open(judged) as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
verdicts = {key(r, "location"): r["verdict"] for r in rows}
judged_message = {key(r, "location"): r.get("message") for r in rows if r.get("message")}
total, by_mode, by_repo, missing, stale = collections.Counter(), {}, {}, [], []
with open(findings) as f:
    for r in csv.DictReader(f, delimiter="\t"):
        if only is not None and r["repo"] not in only:
            continue
        k = key(r, "file:line")
        if r["mode"] == "tag" and k not in verdicts:
            # A first run that took the base from its tag (run-tag.sh) says what the run
            # with that base says about the same migration: its verdict holds.
            k = next((k[:3] + (m,) + k[4:] for m in ("base", "nobase") if k[:3] + (m,) + k[4:] in verdicts), k)
        v = verdicts.get(k)
        if v is None:
            missing.append(r)
            continue
        said = judged_message.get(k) if r["mode"] != "tag" else None
        if said is not None and said != r["message"]:
            stale.append(r)
        total[v] += 1
        by_mode.setdefault(r["mode"], collections.Counter())[v] += 1
        by_repo.setdefault(r["repo"], collections.Counter())[v] += 1

def line(name, c):
    n = sum(c.values()) or 1
    return f"{name:38} {sum(c.values()):5}  true {c['true']:4} ({100*c['true']/n:5.1f}%)  noise {c['noise']:4} ({100*c['noise']/n:5.1f}%)  false {c['false']:4} ({100*c['false']/n:5.1f}%)"

print(line("all errors and warnings", total))
for m, c in sorted(by_mode.items()):
    print(line(f"mode {m}", c))
for repo, c in sorted(by_repo.items()):
    print(line(repo, c))
print(f"unjudged: {len(missing)}")
for r in missing:
    print("\t".join([r["repo"], r["base"], r["head"], r["mode"], r["code"], r["severity"], r["file:line"], r["message"][:160]]))
print(f"judged against another message: {len(stale)}")
for r in stale:
    print("\t".join([r["repo"], r["base"], r["head"], r["mode"], r["code"], r["severity"], r["file:line"], r["message"][:160]]))
