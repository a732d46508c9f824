#!/usr/bin/env python3
"""Seeds every fuzz target's corpus from ../shared/corpus and fixtures/ (copied at run time
into OUT/TARGET, outside the repository) plus the small seeds in fuzz/seeds/TARGET.

usage: seed.py OUT [TARGET...]
"""
import hashlib, os, sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, "..", "shared", "corpus")
MAX = 48 * 1024
PER_TARGET = 600


def walk(*roots):
    for root in roots:
        if not os.path.isdir(root):
            continue
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(d, f)
                if os.path.isfile(p) and not os.path.islink(p) and os.path.getsize(p) <= MAX:
                    yield p


def read(p):
    with open(p, "rb") as f:
        return f.read()


def is_env(name):
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def bundle(root, paths, prefix):
    """One project input: `#>> path` lines, then each file's text."""
    out = b""
    for p in paths:
        rel = os.path.relpath(p, root)
        out += b"#>> " + (prefix + rel).encode() + b"\n" + read(p)
        if not out.endswith(b"\n"):
            out += b"\n"
        if len(out) > MAX:
            break
    return out


def seeds(target):
    fixtures = os.path.join(REPO, "fixtures")
    both = (SHARED, fixtures)
    yml = lambda n: n.endswith((".yaml", ".yml"))
    if target == "yaml":
        for p in walk(*both):
            if yml(p) or p.endswith(".json"):
                yield read(p)
    elif target == "sql":
        for p in walk(*both):
            if p.endswith(".sql"):
                yield read(p)
    elif target == "env":
        for p in walk(*both):
            if is_env(os.path.basename(p)):
                yield read(p)
    elif target == "compose_vars":
        for p in walk(*both):
            n = os.path.basename(p)
            if "compose" in n and yml(n) or is_env(n):
                yield read(p)
    elif target == "config":
        for p in walk(*both):
            if p.endswith(".toml"):
                yield read(p)
    elif target == "openapi":
        for p in walk(os.path.join(SHARED, "openapi")):
            if yml(p) or p.endswith(".json"):
                yield read(p)
        # Whole API folders of the fixtures: descriptions with their $ref fragments.
        for d, dirs, files in os.walk(fixtures):
            if any(f.startswith(("openapi", "swagger")) for f in files):
                paths = [p for p in walk(d) if yml(p) or p.endswith(".json")][:12]
                yield bundle(d, paths, "api/")
    elif target == "kustomize":
        for d, dirs, files in os.walk(SHARED):
            dirs.sort()
            if "kustomization.yaml" in files or "kustomization.yml" in files:
                top = os.path.dirname(d)
                paths = [p for p in walk(top) if yml(p)][:12]
                yield bundle(top, paths, "k/")
        for d, dirs, files in os.walk(fixtures):
            dirs.sort()
            if os.path.basename(d) == "head" and any(
                "kustomization.yaml" in fs for _, _, fs in os.walk(d)
            ):
                paths = [p for p in walk(d) if yml(p)][:12]
                yield bundle(d, paths, "k/")
    elif target == "render":
        kinds = []
        for p in walk(*both):
            n = os.path.basename(p)
            if n.endswith(".sql"):
                kinds.append((0, p))
            elif "compose" in n and yml(n):
                kinds.append((2, p))
            elif is_env(n):
                kinds.append((3, p))
            elif yml(n):
                text = read(p)
                kinds.append((4 if b"openapi:" in text or b"swagger:" in text else 1, p))
        for i, (k, p) in enumerate(kinds):
            yield bytes([k, i % 4, (i * 7) % 11]) + read(p)


def main():
    out, targets = sys.argv[1], sys.argv[2:]
    for t in targets:
        d = os.path.join(out, t)
        os.makedirs(d, exist_ok=True)
        all_seeds = [s for s in seeds(t) if s]
        # A spread over the whole corpus when it holds more than PER_TARGET files.
        step = max(1, len(all_seeds) // PER_TARGET)
        n = 0
        own = [read(p) for p in walk(os.path.join(REPO, "fuzz", "seeds", t))]
        for s in all_seeds[::step] + own:
            name = hashlib.sha1(s).hexdigest()
            with open(os.path.join(d, name), "wb") as f:
                f.write(s)
            n += 1
        print(f"{t}: {n} seeds in {d}")


main()
