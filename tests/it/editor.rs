//! Editors (issue 14): `rollsafe check - --stdin-filename PATH` and `rollsafe server`.

use crate::common;

use assert_cmd::Command;
use common::project;

fn rollsafe() -> Command {
    let mut c = Command::cargo_bin("rollsafe").unwrap();
    c.env_remove("NO_COLOR");
    c
}

/// `check - --stdin-filename NAME --format json` in `dir` with `input` on stdin:
/// exit status and (code, path, line, column) of each finding.
fn stdin_check(
    dir: &std::path::Path,
    name: &str,
    input: &str,
) -> (i32, Vec<(String, String, u64, u64)>) {
    let out = rollsafe()
        .args(["check", "-", "--stdin-filename", name, "--format", "json"])
        .current_dir(dir)
        .write_stdin(input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), found)
}

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: info
";

/// A Deployment whose pods read the ConfigMap `cm`.
fn deployment(cm: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
          envFrom:
            - configMapRef: {{name: {cm}}}
"
    )
}

fn editor_project() -> tempfile::TempDir {
    project(&[
        ("rollsafe.toml", ""),
        ("deploy/config.yaml", CONFIGMAP),
        ("deploy/app.yaml", &deployment("app-config")),
    ])
}

#[test]
fn stdin_is_judged_against_the_project_on_disk() {
    let p = editor_project();
    // A new file, not on disk: the ConfigMap it reads is defined on disk.
    let (code, found) = stdin_check(p.path(), "deploy/worker.yaml", &deployment("app-config"));
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");
    // The same file reading a ConfigMap nothing defines: reported at the stdin file. (A
    // Deployment of its own: one named like `app.yaml`'s would make the file an
    // alternative to it, a unit of its own that ships no ConfigMap.)
    let worker = deployment("other").replacen("name: app\n", "name: worker\n", 1);
    let (code, found) = stdin_check(p.path(), "deploy/worker.yaml", &worker);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![("S101".into(), "deploy/worker.yaml".into(), 17, 36)],
        "{found:?}"
    );
}

#[test]
fn stdin_replaces_the_file_on_disk_and_only_it_is_reported() {
    let p = editor_project();
    // On disk, deploy/app.yaml is fine; stdin's version of the ConfigMap renames it, so
    // the Deployment on disk breaks, but only the stdin file is reported.
    let renamed = CONFIGMAP.replace("app-config", "app-config-v2");
    let (code, found) = stdin_check(p.path(), "deploy/config.yaml", &renamed);
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");
    // stdin's version of the Deployment reads the missing name: its line, not the disk's.
    let (_, found) = stdin_check(
        p.path(),
        "deploy/app.yaml",
        &format!("# edited\n{}", deployment("gone")),
    );
    assert_eq!(
        found,
        vec![("S101".into(), "deploy/app.yaml".into(), 18, 36)],
        "{found:?}"
    );
}

#[test]
fn rendered_multi_document_yaml_on_stdin() {
    let p = project(&[("rollsafe.toml", ""), ("chart/Chart.yaml", "name: app\n")]);
    // What `helm template` prints: several documents with `# Source:` comments.
    let rendered = format!(
        "---\n# Source: app/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {{app: nothing-matches}}
  ports:
    - port: 80
      targetPort: 8080
---\n# Source: app/templates/deployment.yaml
{}",
        deployment("app-config")
    );
    let (code, found) = stdin_check(p.path(), "chart/rendered.yaml", &rendered);
    assert_eq!(code, 1, "{found:?}");
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(codes.contains(&"K201"), "{found:?}");
    assert!(codes.contains(&"S101"), "{found:?}");
    assert!(
        found.iter().all(|f| f.1 == "chart/rendered.yaml"),
        "{found:?}"
    );
}

#[test]
fn stdin_usage_errors() {
    let p = editor_project();
    for args in [
        vec!["check", "-"],
        vec!["check", "--stdin-filename", "deploy/app.yaml"],
        vec![
            "check",
            "-",
            "deploy",
            "--stdin-filename",
            "deploy/app.yaml",
        ],
    ] {
        let out = rollsafe()
            .args(&args)
            .current_dir(p.path())
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("stdin"), "{args:?}: {err}");
    }
}

/// A language client over the server's stdin/stdout: requests wait for their answer;
/// notifications from the server are kept in arrival order.
struct Client {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    from_server: std::sync::mpsc::Receiver<serde_json::Value>,
    notifications: Vec<serde_json::Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &std::path::Path) -> Client {
        use std::io::{BufRead, Read};
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rollsafe"))
            .arg("server")
            .current_dir(root)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            from_server: rx,
            notifications: Vec::new(),
            next_id: 0,
        };
        let uri = uri(root, "");
        c.request(
            "initialize",
            serde_json::json!({
                "processId": null,
                "rootUri": uri,
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
                "initializationOptions": {"debounceMs": 5},
            }),
        );
        c.notify("initialized", serde_json::json!({}));
        c
    }

    fn send(&mut self, v: serde_json::Value) {
        use std::io::Write;
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.send(serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> serde_json::Value {
        self.from_server
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server answers within a minute")
    }

    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        loop {
            let m = self.recv();
            if m["id"] == id && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{m}");
                return m["result"].clone();
            }
            if m.get("method").is_some() && m.get("id").is_none() {
                self.notifications.push(m);
            }
        }
    }

    /// The next diagnostics published for `uri` (kept notifications first).
    fn published(&mut self, uri: &str) -> serde_json::Value {
        if let Some(i) = self.notifications.iter().position(|n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
        }) {
            return self.notifications.remove(i)["params"].clone();
        }
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"].clone();
            }
            if m.get("id").is_none() {
                self.notifications.push(m);
            }
        }
    }
}

fn uri(root: &std::path::Path, rel: &str) -> String {
    let root = root.canonicalize().unwrap();
    let p = if rel.is_empty() { root } else { root.join(rel) };
    format!("file://{}", p.display())
}

fn codes(published: &serde_json::Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn server_publishes_cross_file_findings_hovers_and_suppresses() {
    let p = editor_project();
    let mut c = Client::start(p.path());
    let config = uri(p.path(), "deploy/config.yaml");
    let app = uri(p.path(), "deploy/app.yaml");
    c.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": config, "languageId": "yaml", "version": 1, "text": CONFIGMAP}}),
    );
    // Renaming the ConfigMap in the buffer (unsaved) breaks the Deployment on disk.
    c.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": config, "version": 2},
            "contentChanges": [{"text": CONFIGMAP.replace("app-config", "app-config-v2")}]}),
    );
    let got = c.published(&app);
    assert_eq!(codes(&got), vec!["S101"], "{got}");
    let d = &got["diagnostics"][0];
    // `app-config` in `- configMapRef: {name: app-config}`, line 17, 0-based 16.
    assert_eq!(
        d["range"],
        serde_json::json!({"start": {"line": 16, "character": 35}, "end": {"line": 16, "character": 45}})
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "rollsafe");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/lints/S101-missing-config-object.md"),
        "{d}"
    );
    assert!(got["version"].is_null(), "app.yaml is not open: {got}");

    // Hover on the finding: the rule's explanation and safe alternative.
    let hover = c.request(
        "textDocument/hover",
        serde_json::json!({"textDocument": {"uri": app}, "position": {"line": 16, "character": 40}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("S101") && text.contains("Safe alternative"),
        "{text}"
    );
    assert!(text.contains("Why it breaks"), "{text}");
    let nothing = c.request(
        "textDocument/hover",
        serde_json::json!({"textDocument": {"uri": app}, "position": {"line": 0, "character": 0}}),
    );
    assert!(nothing.is_null(), "{nothing}");

    // Code actions: an inline suppression with a reason to write, and the document.
    let actions = c.request(
        "textDocument/codeAction",
        serde_json::json!({"textDocument": {"uri": app}, "range": d["range"],
            "context": {"diagnostics": [d]}}),
    );
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix");
    let edit = &fix["edit"]["changes"][&app][0];
    assert_eq!(
        edit["range"],
        serde_json::json!({"start": {"line": 16, "character": 0}, "end": {"line": 16, "character": 0}})
    );
    assert_eq!(
        edit["newText"],
        "            # rollsafe: ignore[S101] TODO: why this is safe\n"
    );
    let open = actions
        .iter()
        .find(|a| a["command"]["command"] == "rollsafe.openRuleDocument")
        .expect("an action opening the rule's document");
    assert_eq!(
        open["command"]["arguments"][0],
        d["codeDescription"]["href"]
    );

    // The suppression, applied in the Deployment's buffer, hides the finding.
    let suppressed = deployment("app-config").replace(
        "          envFrom:\n",
        "          envFrom:\n            # rollsafe: ignore[S101] TODO: why this is safe\n",
    );
    c.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": app, "languageId": "yaml", "version": 1, "text": suppressed}}),
    );
    let got = c.published(&app);
    assert_eq!(codes(&got), Vec::<String>::new(), "{got}");
    assert_eq!(got["version"], 1);

    // Saving publishes the document's findings again, even unchanged.
    c.notify(
        "textDocument/didSave",
        serde_json::json!({"textDocument": {"uri": app}}),
    );
    assert_eq!(c.published(&app)["version"], 1);

    // Closing the Deployment's buffer: the file on disk counts again.
    c.notify(
        "textDocument/didClose",
        serde_json::json!({"textDocument": {"uri": app}}),
    );
    assert_eq!(codes(&c.published(&app)), vec!["S101"]);

    // Fixing the ConfigMap's name clears the Deployment's finding.
    c.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": config, "version": 3},
            "contentChanges": [{"text": CONFIGMAP}]}),
    );
    assert_eq!(codes(&c.published(&app)), Vec::<String>::new());

    // rollsafe.toml reloaded when it changes on disk.
    c.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": config, "version": 4},
            "contentChanges": [{"text": CONFIGMAP.replace("app-config", "renamed")}]}),
    );
    assert_eq!(codes(&c.published(&app)), vec!["S101"]);
    std::fs::write(
        p.path().join("rollsafe.toml"),
        "[rules]\nignore = [\"S101\"]\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        serde_json::json!({"changes": [{"uri": uri(p.path(), "rollsafe.toml"), "type": 2}]}),
    );
    assert_eq!(codes(&c.published(&app)), Vec::<String>::new());

    // Related locations name their file: an autoscaler in a new buffer makes the
    // Deployment's spec.replicas a finding that points at it.
    let hpa = uri(p.path(), "deploy/hpa.yaml");
    let hpa_text = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  minReplicas: 2
  maxReplicas: 5
";
    c.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": hpa, "languageId": "yaml", "version": 1, "text": hpa_text}}),
    );
    let got = c.published(&app);
    let k303 = got["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "K303")
        .unwrap_or_else(|| panic!("{got}"));
    // `replicas` of the Deployment, line 6.
    assert_eq!(
        k303["range"]["start"],
        serde_json::json!({"line": 5, "character": 2})
    );
    let related = &k303["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], hpa, "{k303}");
    // The autoscaler's name.
    assert_eq!(
        related["location"]["range"],
        serde_json::json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 11}})
    );
    assert_eq!(related["message"], "the autoscaler");

    c.notify(
        "textDocument/didClose",
        serde_json::json!({"textDocument": {"uri": config}}),
    );
    let shutdown = c.request("shutdown", serde_json::Value::Null);
    assert!(shutdown.is_null());
    c.notify("exit", serde_json::Value::Null);
    let status = c.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// Neovim's built-in LSP client (headless, Debian's `neovim`) on a fixture project: the
/// diagnostics it received for a file it never opened, after an unsaved edit in another.
#[test]
fn neovim_receives_cross_file_diagnostics() {
    if !common::gitrepo::have("nvim") {
        return;
    }
    let p = editor_project();
    let root = p.path().canonicalize().unwrap();
    let out = root.join("nvim-result.json");
    let script = root.join("client.lua");
    // Written for Neovim 0.7 (Debian 12), whose client has no `vim.lsp.start` yet.
    let lua = r#"
local root, out, bin = ROOT, OUT, BIN
local client = vim.lsp.start_client({ name = 'rollsafe', cmd = { bin, 'server' }, root_dir = root })
vim.cmd('edit ' .. root .. '/deploy/config.yaml')
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client)
local app = vim.uri_to_bufnr(vim.uri_from_fname(root .. '/deploy/app.yaml'))
local function found()
  local r = {}
  for _, d in ipairs(vim.diagnostic.get(app)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(r, { code = code, lnum = d.lnum, col = d.col, end_col = d.end_col,
      severity = d.severity, source = d.source })
  end
  return r
end
-- Rename the ConfigMap in the buffer, without saving.
vim.api.nvim_buf_set_lines(buf, 3, 4, false, { '  name: app-config-v2' })
local published = vim.wait(30000, function() return #found() > 0 end, 20)
local first = found()
-- Put the name back: the Deployment's finding is cleared.
vim.api.nvim_buf_set_lines(buf, 3, 4, false, { '  name: app-config' })
local cleared = vim.wait(30000, function() return #found() == 0 end, 20)
local f = io.open(out, 'w')
f:write(vim.fn.json_encode({ published = published, found = first, cleared = cleared }))
f:close()
vim.lsp.stop_client(client)
vim.cmd('qa!')
"#
    .replace("ROOT", &format!("{:?}", root.display().to_string()))
    .replace("OUT", &format!("{:?}", out.display().to_string()))
    .replace(
        "BIN",
        &format!(
            "{:?}",
            assert_cmd::cargo::cargo_bin("rollsafe")
                .display()
                .to_string()
        ),
    );
    std::fs::write(&script, lua).unwrap();
    let run = std::process::Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{e}: nvim wrote no result: {} {}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["published"], true, "{v}");
    assert_eq!(
        v["found"],
        serde_json::json!([{"code": "S101", "lnum": 16, "col": 35, "end_col": 45,
            "severity": 1, "source": "rollsafe"}]),
        "{v}"
    );
    assert_eq!(v["cleared"], true, "{v}");
}

/// What a release's findings are, compared exactly.
fn judged(
    head: &rollsafe::project::Project,
    config: &rollsafe::config::Config,
    root: &std::path::Path,
) -> Vec<String> {
    let opts = rollsafe::check::Options {
        root: Some(root.to_path_buf()),
        cwd: Some(root.to_path_buf()),
        ..Default::default()
    };
    let rules = rollsafe::check::selected(config, &opts);
    rollsafe::check::judge(head, None, None, config, &opts, false, (root, root), &rules)
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {} {}",
                d.code,
                d.location.path,
                d.location.line,
                d.location.column,
                d.message,
                d.fingerprint
            )
        })
        .collect()
}

/// The server re-parses only the files that changed: after any one file is edited (and
/// after it is put back), the findings are exactly those of the release loaded afresh.
#[test]
fn incremental_reload_finds_what_a_fresh_load_finds() {
    use rollsafe::project::Live;
    use rollsafe::project::discover::{Filter, RawFile, walk_all};
    let mut roots: Vec<std::path::PathBuf> = Vec::new();
    let mut stack = vec![common::repo().join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.file_name() == "rollsafe.toml" {
                roots.push(d.clone());
            }
        }
    }
    roots.sort();
    assert!(roots.len() > 20, "{roots:?}");
    let mut edits = 0;
    for root in &roots {
        let opts = rollsafe::check::Options::default();
        let config = rollsafe::check::load_config(&opts, root, root).unwrap();
        let filter = Filter::new(&config.include, &config.exclude);
        let read = || walk_all(root, &filter, 1 << 23);
        let (files, others) = read();
        let mut live = Live::new(files, others.clone(), &config);
        let original = judged(live.project(), &config, root);
        // As `check` loads it.
        let mut loaded = rollsafe::project::load(read().0, &config);
        loaded.paths.extend(others.clone());
        assert_eq!(
            original,
            judged(&loaded, &config, root),
            "{}",
            root.display()
        );
        let paths: Vec<String> = live.files().iter().map(|f| f.path.clone()).collect();
        for path in paths {
            let (files, _) = read();
            let old = files.iter().find(|f| f.path == path).unwrap();
            let comment = if path.ends_with(".sql") { "--" } else { "#" };
            let mut bytes = old.bytes.clone();
            if path.ends_with(".json") {
                continue;
            }
            // An edit that moves every line below the top, and one that renames.
            bytes.splice(0..0, format!("{comment} edited\n").bytes());
            let edited = String::from_utf8_lossy(&bytes).replace("name: ", "name: x");
            let size = edited.len() as u64;
            live.update(
                vec![RawFile::read(
                    path.clone(),
                    edited.clone().into_bytes(),
                    size,
                )],
                &[],
                &config,
            );
            let mut fresh_files: Vec<RawFile> = read().0;
            for f in &mut fresh_files {
                if f.path == path {
                    *f = RawFile::read(path.clone(), edited.clone().into_bytes(), size);
                }
            }
            let fresh = Live::new(fresh_files, others.clone(), &config);
            assert_eq!(
                judged(live.project(), &config, root),
                judged(fresh.project(), &config, root),
                "{} after editing {path}",
                root.display()
            );
            live.update(
                vec![RawFile::read(path.clone(), old.bytes.clone(), old.size)],
                &[],
                &config,
            );
            assert_eq!(
                judged(live.project(), &config, root),
                original,
                "{} after putting {path} back",
                root.display()
            );
            edits += 1;
        }
        // A file added, then removed.
        let added = "apiVersion: v1\nkind: Service\nmetadata:\n  name: added\nspec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n";
        live.update(
            vec![RawFile::read(
                "added/svc.yaml".into(),
                added.into(),
                added.len() as u64,
            )],
            &[],
            &config,
        );
        let mut with_added = read().0;
        with_added.push(RawFile::read(
            "added/svc.yaml".into(),
            added.into(),
            added.len() as u64,
        ));
        assert_eq!(
            judged(live.project(), &config, root),
            judged(
                Live::new(with_added, others.clone(), &config).project(),
                &config,
                root
            ),
            "{}",
            root.display()
        );
        live.update(Vec::new(), &["added/svc.yaml".to_string()], &config);
        assert_eq!(
            judged(live.project(), &config, root),
            original,
            "{}",
            root.display()
        );
    }
    assert!(edits > 100, "{edits}");
}

/// `base` from rollsafe.toml: resolved to the merge base once, and again when HEAD moves.
#[test]
fn server_follows_the_base_when_head_moves() {
    use common::gitrepo::{git, have};
    if !have("git") {
        return;
    }
    let p = project(&[
        ("rollsafe.toml", "base = \"main\"\n"),
        (
            "db/migrations/000001_init.up.sql",
            "CREATE TABLE users (id int PRIMARY KEY, fax text);\n",
        ),
        ("db/migrations/000001_init.down.sql", "DROP TABLE users;\n"),
    ]);
    let dir = p.path();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "init"]);
    git(dir, &["checkout", "-qb", "feature"]);
    let mut c = Client::start(dir);
    // A new migration, not yet saved: new in this release, so judged.
    let drop = uri(dir, "db/migrations/000002_drop.up.sql");
    let text = "ALTER TABLE users DROP COLUMN fax;\n";
    c.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": drop, "languageId": "sql", "version": 1, "text": text}}),
    );
    let got = c.published(&drop);
    assert!(codes(&got).contains(&"M101".to_string()), "{got}");
    // The migration is committed and `main` moves to it: the merge base now holds it,
    // so it shipped with the base and is not reported any more.
    std::fs::write(dir.join("db/migrations/000002_drop.up.sql"), text).unwrap();
    std::fs::write(
        dir.join("db/migrations/000002_drop.down.sql"),
        "-- nothing\n",
    )
    .unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "drop"]);
    git(dir, &["branch", "-f", "main", "HEAD"]);
    // HEAD is looked at no more than once a second.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    c.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": drop, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let got = c.published(&drop);
    assert_eq!(codes(&got), Vec::<String>::new(), "{got}");
    c.request("shutdown", serde_json::Value::Null);
    c.notify("exit", serde_json::Value::Null);
    assert!(c.child.wait().unwrap().success());
}

/// Without a base, the server takes the previous release from the tags as `check` does:
/// a migration added since the tag is judged though it is not the newest of its folder
/// (judging only the newest, as without tags, would pass it over).
#[test]
fn server_without_a_base_judges_what_the_previous_tag_lacks() {
    use common::gitrepo::{git, have};
    if !have("git") {
        return;
    }
    let p = project(&[
        (
            "db/migrations/000001_init.up.sql",
            "CREATE TABLE users (id int PRIMARY KEY, fax text, pager text);\n",
        ),
        (
            "db/migrations/000002_drop_fax.up.sql",
            "ALTER TABLE users DROP COLUMN fax;\n",
        ),
    ]);
    let dir = p.path();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "v1"]);
    git(dir, &["tag", "v1.0.0"]);
    std::fs::write(
        dir.join("db/migrations/000003_drop_pager.up.sql"),
        "ALTER TABLE users DROP COLUMN pager;\n",
    )
    .unwrap();
    std::fs::write(dir.join("db/migrations/000004_noop.up.sql"), "SELECT 1;\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "next"]);
    let mut c = Client::start(dir);
    // 000003 is not the newest migration, but the tag lacks it: judged.
    let pager = uri(dir, "db/migrations/000003_drop_pager.up.sql");
    c.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": pager, "languageId": "sql", "version": 1, "text": "ALTER TABLE users DROP COLUMN pager;\n"}}),
    );
    let got = c.published(&pager);
    assert!(codes(&got).contains(&"M101".to_string()), "{got}");
    c.request("shutdown", serde_json::Value::Null);
    c.notify("exit", serde_json::Value::Null);
    assert!(c.child.wait().unwrap().success());
}
