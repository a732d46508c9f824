//! `rollsafe server`: a language server over stdio (JSON-RPC, on `lsp-server` and
//! `lsp-types`). It keeps the project of the workspace folder in memory, takes the open
//! buffers as the files' contents, and after each change (debounced) publishes the
//! findings of every file whose findings changed — the edited file and the others it
//! affects.
//!
//! Shaped after ruff's server: [`session`] holds the state, [`convert`] turns findings
//! into LSP diagnostics, [`actions`] answers hover and code actions.

pub mod actions;
pub mod convert;
pub mod session;

use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;

use session::Session;

/// How long the server waits after a change for the next one before it checks. Short:
/// it only has to merge machine-made bursts (a paste, a multi-cursor edit, an editor's
/// format-on-type), since keystrokes come 100 ms or more apart and a re-check of the
/// 3,500-file corpus takes about 30 ms.
const DEFAULT_DEBOUNCE_MS: u64 = 10;

/// Runs the server on stdin/stdout until the client exits; returns the exit status.
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let status = match serve(&conn) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("rollsafe server: {e}");
            1
        }
    };
    drop(conn);
    let _ = io.join();
    status
}

fn send_notification<N: lsp::notification::Notification>(conn: &Connection, params: N::Params) {
    let _ = conn.sender.send(Message::Notification(Notification::new(
        N::METHOD.into(),
        params,
    )));
}

fn show(conn: &Connection, typ: lsp::MessageType, message: String) {
    send_notification::<lsp::notification::ShowMessage>(
        conn,
        lsp::ShowMessageParams { typ, message },
    );
}

fn capabilities(encoding: convert::Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![actions::OPEN_DOCUMENT.into()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The folder the client opened: the first workspace folder, else the root URI, else the
/// working directory.
fn workspace_dir(init: &lsp::InitializeParams) -> std::path::PathBuf {
    #[allow(deprecated)]
    let root_uri = init.root_uri.as_ref();
    init.workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(root_uri)
        .and_then(|u| u.to_file_path().ok())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

fn serve(conn: &Connection) -> Result<(), String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let init: lsp::InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("initialize: {e}"))?;
    let encoding = convert::Encoding::negotiate(
        init.capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let debounce = Duration::from_millis(
        init.initialization_options
            .as_ref()
            .and_then(|o| o.get("debounceMs"))
            .and_then(|v| v.as_u64())
            .unwrap_or(DEFAULT_DEBOUNCE_MS),
    );
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "rollsafe".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    conn.initialize_finish(id, serde_json::to_value(result).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if watch {
        register_watchers(conn);
    }

    let mut session = Session::new(&workspace_dir(&init), encoding);
    let mut told = None;
    publish(conn, &mut session, &mut told);
    let mut due: Option<Instant> = None;
    loop {
        let msg = match due {
            Some(at) => match conn
                .receiver
                .recv_timeout(at.saturating_duration_since(Instant::now()))
            {
                Ok(m) => Some(m),
                Err(e) if e.is_timeout() => None,
                Err(_) => return Ok(()),
            },
            None => match conn.receiver.recv() {
                Ok(m) => Some(m),
                Err(_) => return Ok(()),
            },
        };
        let Some(msg) = msg else {
            // Nothing arrived for the debounce time: check.
            due = None;
            publish(conn, &mut session, &mut told);
            continue;
        };
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                // Answers reflect every edit received before the request.
                if session.needs_check() {
                    due = None;
                    publish(conn, &mut session, &mut told);
                }
                let resp = request(conn, &session, req);
                let _ = conn.sender.send(Message::Response(resp));
            }
            Message::Notification(n) => {
                if notification(&mut session, n) {
                    due = Some(Instant::now() + debounce);
                }
            }
            Message::Response(_) => {}
        }
    }
}

/// Checks and sends what changed; tells the user once about a configuration or base
/// that cannot be used.
fn publish(conn: &Connection, session: &mut Session, told: &mut Option<String>) {
    let t = Instant::now();
    let (pubs, parsed) = session.check();
    let n = pubs.len();
    for p in pubs {
        send_notification::<lsp::notification::PublishDiagnostics>(conn, p);
    }
    if std::env::var_os("ROLLSAFE_TIMING").is_some() {
        let (files, bytes) = session.held();
        eprintln!(
            "rollsafe server: checked in {:?} ({parsed} files parsed, {n} files published; holding {files} files, {bytes} bytes)",
            t.elapsed()
        );
    }
    if session.problem != *told {
        if let Some(p) = &session.problem {
            show(conn, lsp::MessageType::WARNING, format!("rollsafe: {p}"));
        }
        told.clone_from(&session.problem);
    }
}

fn register_watchers(conn: &Connection) {
    let options = lsp::DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String("**/*".into()),
            kind: None,
        }],
    };
    let params = lsp::RegistrationParams {
        registrations: vec![lsp::Registration {
            id: "rollsafe-watch".into(),
            method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    let _ = conn.sender.send(Message::Request(Request::new(
        lsp_server::RequestId::from("rollsafe-register-watchers".to_string()),
        lsp::request::RegisterCapability::METHOD.into(),
        params,
    )));
}

/// Applies a notification; `true` when the project changed and must be checked again.
fn notification(s: &mut Session, n: Notification) -> bool {
    use lsp::notification as N;
    fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
        serde_json::from_value(n.params).ok()
    }
    match n.method.as_str() {
        N::DidOpenTextDocument::METHOD => {
            let Some(p) = params::<lsp::DidOpenTextDocumentParams>(n) else {
                return false;
            };
            let d = p.text_document;
            s.set_text(&d.uri, d.version, d.text);
        }
        N::DidChangeTextDocument::METHOD => {
            let Some(p) = params::<lsp::DidChangeTextDocumentParams>(n) else {
                return false;
            };
            // Full synchronisation: the last change holds the whole text.
            let Some(text) = p.content_changes.into_iter().last().map(|c| c.text) else {
                return false;
            };
            s.set_text(&p.text_document.uri, p.text_document.version, text);
        }
        N::DidSaveTextDocument::METHOD => {
            let Some(p) = params::<lsp::DidSaveTextDocumentParams>(n) else {
                return false;
            };
            s.changed_on_disk(&p.text_document.uri);
        }
        N::DidCloseTextDocument::METHOD => {
            let Some(p) = params::<lsp::DidCloseTextDocumentParams>(n) else {
                return false;
            };
            s.close(&p.text_document.uri);
        }
        N::DidChangeWatchedFiles::METHOD => {
            let Some(p) = params::<lsp::DidChangeWatchedFilesParams>(n) else {
                return false;
            };
            for c in p.changes {
                s.changed_on_disk(&c.uri);
            }
        }
        _ => return false,
    }
    s.needs_check()
}

fn request(conn: &Connection, s: &Session, req: Request) -> Response {
    use lsp::request as R;
    let id = req.id.clone();
    let ok = |v: serde_json::Value| Response::new_ok(id.clone(), v);
    let bad = |e: serde_json::Error| {
        Response::new_err(
            id.clone(),
            lsp_server::ErrorCode::InvalidParams as i32,
            e.to_string(),
        )
    };
    match req.method.as_str() {
        R::HoverRequest::METHOD => match serde_json::from_value::<lsp::HoverParams>(req.params) {
            Ok(p) => ok(serde_json::to_value(actions::hover(s, &p)).unwrap_or_default()),
            Err(e) => bad(e),
        },
        R::CodeActionRequest::METHOD => {
            match serde_json::from_value::<lsp::CodeActionParams>(req.params) {
                Ok(p) => ok(serde_json::to_value(actions::code_actions(s, &p)).unwrap_or_default()),
                Err(e) => bad(e),
            }
        }
        R::ExecuteCommand::METHOD => {
            match serde_json::from_value::<lsp::ExecuteCommandParams>(req.params) {
                Ok(p) => {
                    if p.command == actions::OPEN_DOCUMENT
                        && let Some(url) = p
                            .arguments
                            .first()
                            .and_then(|a| a.as_str())
                            .and_then(|u| lsp::Url::parse(u).ok())
                    {
                        let params = lsp::ShowDocumentParams {
                            uri: url,
                            external: Some(true),
                            take_focus: Some(true),
                            selection: None,
                        };
                        let _ = conn.sender.send(Message::Request(Request::new(
                            lsp_server::RequestId::from("rollsafe-show-document".to_string()),
                            lsp::request::ShowDocument::METHOD.into(),
                            params,
                        )));
                    }
                    ok(serde_json::Value::Null)
                }
                Err(e) => bad(e),
            }
        }
        _ => Response::new_err(
            id.clone(),
            lsp_server::ErrorCode::MethodNotFound as i32,
            format!("rollsafe server does not handle {}", req.method),
        ),
    }
}
