"""Drives `rollsafe server` over JSON-RPC on a workspace and measures (nothing is asserted):

- startup: initialize → the first check done (a request is answered after it);
- cross-file keystroke: one character of an unsaved ConfigMap buffer changes, which adds or
  removes S101 on a Deployment in another buffer: time from didChange to that file's
  publishDiagnostics (debounce included; see --debounce-ms);
- plain keystroke: one character typed in a comment of the largest manifest of the
  workspace: time from didChange to the answer of a hover sent right after it (the server
  checks pending edits before answering, so this is the re-check);
- memory: the server's resident set (VmRSS, peak VmHWM) against the bytes of the files it
  holds (printed by the server with ROLLSAFE_TIMING=1).

    python3 bench/server.py BINARY WORKSPACE [--keystrokes N] [--debounce-ms MS]
"""
import argparse, json, os, statistics, subprocess, sys, time, pathlib, re

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("workspace")
ap.add_argument("--keystrokes", type=int, default=60)
ap.add_argument("--debounce-ms", type=int, default=10)
a = ap.parse_args()
root = pathlib.Path(a.workspace).resolve()
err = open("/tmp/rollsafe-bench-server.err", "w+")
env = dict(os.environ, ROLLSAFE_TIMING="1")
p = subprocess.Popen([a.binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env, cwd=root)
next_id = 0


def send(o):
    b = json.dumps(o).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
    p.stdin.flush()


def read():
    n = None
    while True:
        line = p.stdout.readline()
        if not line:
            sys.exit("server exited; stderr in /tmp/rollsafe-bench-server.err")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    return json.loads(p.stdout.read(n))


def note(method, params):
    send({"jsonrpc": "2.0", "method": method, "params": params})


def request(method, params):
    global next_id
    next_id += 1
    send({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params})
    while True:
        m = read()
        if m.get("id") == next_id and "method" not in m:
            return m


def wait_publish(uri):
    while True:
        m = read()
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
            return m["params"]


def rss():
    s = open(f"/proc/{p.pid}/status").read()
    get = lambda k: int(re.search(rf"{k}:\s+(\d+) kB", s).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")


def uri(path):
    return (root / path).as_uri()


t0 = time.perf_counter()
request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {},
                       "initializationOptions": {"debounceMs": a.debounce_ms}})
note("initialized", {})
probe = uri("zz-rollsafe-bench/none.yaml")
request("textDocument/hover", {"textDocument": {"uri": probe}, "position": {"line": 0, "character": 0}})
startup = time.perf_counter() - t0
rss_start = rss()

# Cross-file: two new, unsaved buffers in a folder of their own.
cm = uri("zz-rollsafe-bench/config.yaml")
app = uri("zz-rollsafe-bench/app.yaml")
cm_text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-config\ndata:\n  A: b\n"
app_text = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: bench
spec:
  replicas: 2
  selector:
    matchLabels: {app: bench}
  template:
    metadata:
      labels: {app: bench}
    spec:
      containers:
        - name: bench
          image: registry.example.com/bench:1.0.0
          envFrom:
            - configMapRef: {name: bench-config}
"""
note("textDocument/didOpen", {"textDocument": {"uri": cm, "languageId": "yaml", "version": 1, "text": cm_text}})
note("textDocument/didOpen", {"textDocument": {"uri": app, "languageId": "yaml", "version": 1, "text": app_text}})
request("textDocument/hover", {"textDocument": {"uri": app}, "position": {"line": 0, "character": 0}})
cross = []
for i in range(a.keystrokes):
    name = "bench-configx" if i % 2 == 0 else "bench-config"
    text = cm_text.replace("bench-config", name)
    t = time.perf_counter()
    note("textDocument/didChange", {"textDocument": {"uri": cm, "version": i + 2}, "contentChanges": [{"text": text}]})
    got = wait_publish(app)
    cross.append((time.perf_counter() - t) * 1000)
    want = 1 if i % 2 == 0 else 0
    assert len(got["diagnostics"]) == want, got

# Plain keystrokes in the largest manifest of the workspace (an open buffer).
cands = [f for f in root.rglob("*.yaml") if f.is_file() and "apiVersion" in f.read_text(errors="ignore")[:2000]
         and "CustomResourceDefinition" not in f.read_text(errors="ignore")]
big = max(cands, key=lambda f: f.stat().st_size)
big_uri = big.as_uri()
text = big.read_text()
note("textDocument/didOpen", {"textDocument": {"uri": big_uri, "languageId": "yaml", "version": 1, "text": text}})
request("textDocument/hover", {"textDocument": {"uri": big_uri}, "position": {"line": 0, "character": 0}})
plain = []
typed = "\n# "
for i in range(a.keystrokes):
    typed += "x"
    t = time.perf_counter()
    note("textDocument/didChange", {"textDocument": {"uri": big_uri, "version": i + 2}, "contentChanges": [{"text": text + typed}]})
    request("textDocument/hover", {"textDocument": {"uri": big_uri}, "position": {"line": 0, "character": 0}})
    plain.append((time.perf_counter() - t) * 1000)
rss_end = rss()
request("shutdown", None)
note("exit", None)
p.wait(timeout=30)
err.seek(0)
lines = err.read().splitlines()
held = [l for l in lines if "holding" in l]
m = re.search(r"holding (\d+) files, (\d+) bytes", held[-1]) if held else None
files, held_bytes = (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def q(xs, f):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(f * len(xs)))]


print(f"workspace: {root} ({files} files held, {held_bytes / 1e6:.1f} MB)")
print(f"startup (initialize to first check done): {startup:.2f} s")
print(f"cross-file keystroke to publish (debounce {a.debounce_ms} ms): median {statistics.median(cross):.1f} ms, p90 {q(cross, 0.9):.1f} ms, n={len(cross)}")
print(f"plain keystroke re-check ({big.relative_to(root)}, {big.stat().st_size} bytes): median {statistics.median(plain):.1f} ms, p90 {q(plain, 0.9):.1f} ms, n={len(plain)}")
print(f"memory: RSS {rss_start[0]:.0f} MB after startup, {rss_end[0]:.0f} MB at the end, peak {rss_end[1]:.0f} MB; "
      f"{rss_end[0] / (held_bytes / 1048576):.1f}x the files held (peak {rss_end[1] / (held_bytes / 1048576):.1f}x)" if held_bytes else "")
checks = [l for l in lines if "checked in" in l]
print("server's own timings (last 3):", *checks[-3:], sep="\n  ")
