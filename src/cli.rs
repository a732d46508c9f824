//! Command-line interface (clap derive) and the dispatch of each command.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, Options};
use crate::diagnostic::Severity;
use crate::report::{self, Format};
use crate::{lints, rules};

#[derive(Debug, Parser)]
#[command(
    name = "rollsafe",
    version,
    about = "Catches the changes that break production during a release."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a repository (PATHS only filter what is reported; the whole root is read).
    Check(Box<CheckArgs>),
    /// List the rules (all, or those a code, prefix or name selects: `rollsafe rules M2`).
    Rules {
        /// A code (M201), prefix (M2, K) or name (drop-column); several comma-separated.
        #[arg(value_delimiter = ',')]
        select: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule code (M101) or name (drop-column).
        rule: String,
    },
    /// Compare two API descriptions (OpenAPI 3.x or Swagger 2.0) directly, without git.
    Diff(Box<DiffArgs>),
    /// Write a commented rollsafe.toml: every option at its default, and the migration
    /// convention, dialect and manifest layout found in the working directory.
    Init {
        /// Overwrite an existing rollsafe.toml.
        #[arg(long)]
        force: bool,
    },
    /// Run the language server on stdin/stdout (for editors).
    Server,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to report on (default: the whole project).
    pub paths: Vec<PathBuf>,
    /// Project root (default: nearest rollsafe.toml, else the git top level).
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Previous release: a directory holding its checkout (taken as is), or a git
    /// revision, compared at its merge base with HEAD (as `git diff REV...HEAD`).
    #[arg(long)]
    pub base: Option<String>,
    /// Like --base, but a git revision is compared at its own commit, not at the merge base.
    #[arg(long, value_name = "REV", conflicts_with = "base")]
    pub base_exact: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Configuration file (default: rollsafe.toml at the root).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Only these rules (codes, prefixes or names; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes, prefixes or names; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Hide the findings recorded in this baseline file.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Record the current findings' fingerprints in this file.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// With --base, report every finding, not only the new ones.
    #[arg(long)]
    pub all: bool,
    /// Ignore inline `rollsafe: ignore[...]` comments and annotations.
    #[arg(long)]
    pub no_inline_ignores: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print the resolved settings, and where each comes from, and exit without checking.
    #[arg(long)]
    pub show_settings: bool,
    /// Check the commit being made: the files staged in the git index against HEAD
    /// (a pre-commit hook; untracked files and unstaged edits are left out).
    #[arg(long)]
    pub staged: bool,
    /// With `-` as the PATH: the path, in the project, of the file read from stdin. The
    /// rest of the project is read from disk; only that file is reported.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The previous description.
    pub old: PathBuf,
    /// The new description.
    pub new: PathBuf,
    /// Also list the changes that break nobody (as info findings, A900).
    #[arg(long)]
    pub changelog: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Configuration file (default: rollsafe.toml in the working directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// How findings are written and judged, shared by `check` and `diff`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output format; repeat together with --output to write several reports.
    #[arg(long, value_enum)]
    pub format: Vec<Format>,
    /// Write the report of the matching --format to this file.
    #[arg(long)]
    pub output: Vec<PathBuf>,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Exit with status 0 even when there are findings (as --fail-on never).
    #[arg(long, conflicts_with = "fail_on")]
    pub exit_zero: bool,
    /// Never use colour (default: on a terminal, unless NO_COLOR; FORCE_COLOR or
    /// CLICOLOR_FORCE force it).
    #[arg(long)]
    pub no_color: bool,
    /// Print nothing but the findings (no summary).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs a parsed command line and returns the exit status.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Diff(args) => run_diff(*args),
        Command::Rules { select, format } => {
            if let Some(bad) = select.iter().find(|s| !rules::is_known_selector(s)) {
                eprintln!("rollsafe: no rule matches `{bad}` (see `rollsafe rules`)");
                return 2;
            }
            print!("{}", rules_listing(format, &select));
            0
        }
        Command::Explain { rule } => match rules::find(&rule).and_then(|m| lints::doc(m.code)) {
            Some(doc) => {
                print!("{}", lints::body(doc));
                0
            }
            None => {
                eprintln!("rollsafe: no rule `{rule}` (see `rollsafe rules`)");
                2
            }
        },
        Command::Init { force } => crate::init::run(force),
        Command::Server => crate::server::run(),
    }
}

/// The rules `select` picks (every rule when empty), as text or JSON.
pub fn rules_listing(format: ListFormat, select: &[String]) -> String {
    let metas: Vec<&rules::RuleMeta> = rules::ALL
        .iter()
        .map(|r| r.meta())
        .filter(|m| select.is_empty() || select.iter().any(|s| rules::selects(s, m.code)))
        .collect();
    match format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&metas).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Text => {
            let width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
            let levels = metas
                .iter()
                .map(|m| m.severity_range().len())
                .max()
                .unwrap_or(0);
            metas
                .iter()
                .map(|m| {
                    format!(
                        "{:<5} {:<width$} {:<levels$} {:<11} {}\n",
                        m.code,
                        m.name,
                        m.severity_range(),
                        m.domain.as_str(),
                        m.summary
                    )
                })
                .collect()
        }
    }
}

fn run_check(args: CheckArgs) -> i32 {
    if !args.report.outputs_match() {
        return 2;
    }
    let (paths, overlay) = match stdin_input(&args.paths, args.stdin_filename.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("rollsafe: {e}");
            return 2;
        }
    };
    let opts = Options {
        paths,
        root: args.root,
        base: args.base.or(args.base_exact.clone()),
        base_exact: args.base_exact.is_some(),
        config: args.config,
        select: args.select,
        ignore: args.ignore,
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        all: args.all,
        no_inline_ignores: args.no_inline_ignores,
        cwd: None,
        skip: Vec::new(),
        staged: args.staged,
        overlay,
        since_previous_tag: true,
    };
    if args.show_settings {
        return crate::show_settings::show(&opts, &args.report);
    }
    let writes_baseline = opts.write_baseline.is_some();
    let status = emit(
        crate::workspace::check(&opts),
        args.report,
        args.statistics,
        true,
    );
    // Writing a baseline accepts the findings it records: that run succeeded.
    if writes_baseline && status == 1 {
        0
    } else {
        status
    }
}

/// `check - --stdin-filename PATH`: the file read from stdin stands at PATH, and is the
/// only PATH reported on.
fn stdin_input(
    paths: &[PathBuf],
    stdin_filename: Option<&std::path::Path>,
) -> Result<(Vec<PathBuf>, crate::overlay::Overlay), String> {
    let dash = paths.iter().any(|p| p.as_os_str() == "-");
    let mut overlay = crate::overlay::Overlay::default();
    match (dash, stdin_filename) {
        (false, None) => Ok((paths.to_vec(), overlay)),
        (false, Some(_)) => Err("--stdin-filename names the file read from stdin: pass `-` as the PATH".into()),
        (true, None) => Err("`-` reads the file from stdin: say where it stands in the project with --stdin-filename PATH".into()),
        (true, Some(_)) if paths.len() > 1 => {
            Err("`-` (stdin) is checked on its own: pass no other PATH with it".into())
        }
        (true, Some(name)) => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            let abs = std::env::current_dir()
                .map_err(|e| format!("cannot read the working directory: {e}"))?
                .join(name);
            overlay.insert(&abs, bytes);
            Ok((vec![name.to_path_buf()], overlay))
        }
    }
}

fn run_diff(args: DiffArgs) -> i32 {
    if !args.report.outputs_match() {
        return 2;
    }
    let opts = crate::diff::DiffOptions {
        old: args.old,
        new: args.new,
        changelog: args.changelog,
        config: args.config,
    };
    emit(crate::diff::diff(&opts), args.report, false, false)
}

impl ReportArgs {
    /// Usage errors of --format/--output, printed; `false` when there is one.
    fn outputs_match(&self) -> bool {
        match self.output_error() {
            Some(e) => {
                eprintln!("rollsafe: {e}");
                false
            }
            None => true,
        }
    }

    fn output_error(&self) -> Option<String> {
        if self.output.len() > self.format.len().max(1) {
            return Some("each --output needs its own --format".into());
        }
        // The formats after the last --output all go to stdout: two documents there are
        // not one valid document any tool can read.
        if self.format.len() > self.output.len() + 1 {
            return Some(format!(
                "{} formats would be written one after the other to stdout: give every --format but one its own --output FILE",
                self.format.len() - self.output.len()
            ));
        }
        // Two reports written to one file: the second would silently replace the first.
        let mut seen: Vec<PathBuf> = Vec::new();
        for p in &self.output {
            let key = output_identity(p);
            if seen.contains(&key) {
                return Some(format!(
                    "--output {} is given twice: each report needs its own file",
                    p.display()
                ));
            }
            seen.push(key);
        }
        None
    }
}

/// A path that two spellings of one output file share (`out.json`, `./out.json`).
fn output_identity(p: &std::path::Path) -> PathBuf {
    let abs = std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf());
    if let Ok(c) = abs.canonicalize() {
        return c;
    }
    // Not written yet: resolve its folder (if it exists) and keep the name.
    let (Some(dir), Some(name)) = (abs.parent(), abs.file_name()) else {
        return abs;
    };
    dir.canonicalize()
        .map(|d| d.join(name))
        .unwrap_or_else(|_| abs.components().collect())
}

/// Writes one report file, creating its folder first (`--output reports/x.sarif` in a
/// fresh CI checkout).
fn write_report(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Whether the report on stdout is coloured, and why: never with --no-color or NO_COLOR
/// (which wins over the variables that force colour, as the CLICOLOR convention says);
/// always with FORCE_COLOR or CLICOLOR_FORCE; never with CLICOLOR=0; else on a terminal.
pub fn colour(
    tty: bool,
    no_color_flag: bool,
    env: impl Fn(&str) -> Option<String>,
) -> (bool, &'static str) {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    if no_color_flag {
        return (false, "--no-color");
    }
    if set("NO_COLOR") {
        return (false, "NO_COLOR");
    }
    if set("FORCE_COLOR") {
        return (true, "FORCE_COLOR");
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return (true, "CLICOLOR_FORCE");
    }
    if env("CLICOLOR").as_deref() == Some("0") {
        return (false, "CLICOLOR=0");
    }
    if tty {
        (true, "stdout is a terminal")
    } else {
        (false, "stdout is not a terminal")
    }
}

/// Writes the reports of a run and returns the exit status. With `from_cwd`, the text
/// formats name files from the working directory, so an editor started there opens
/// them; the machine formats keep the names their consumers resolve (the repository's
/// top).
fn emit(
    outcome: Result<check::Outcome, check::Failure>,
    args: ReportArgs,
    statistics: bool,
    from_cwd: bool,
) -> i32 {
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rollsafe: {}", e.0);
            return 2;
        }
    };
    let for_people = from_cwd
        .then(std::env::current_dir)
        .and_then(Result::ok)
        .map(|cwd| crate::relocate::canonical(&cwd))
        .filter(|cwd| *cwd != crate::relocate::canonical(&outcome.root))
        .map(|cwd| crate::relocate::relocated(outcome.clone(), &cwd));
    let outcome_for = |format: Format| match (&for_people, format) {
        (Some(o), Format::Human | Format::Compact) => o,
        _ => &outcome,
    };
    let formats = if args.format.is_empty() {
        vec![Format::Human]
    } else {
        args.format
    };
    let (color, _) = colour(std::io::stdout().is_terminal(), args.no_color, |k| {
        std::env::var(k).ok()
    });
    for (i, format) in formats.iter().enumerate() {
        match args.output.get(i) {
            Some(path) => {
                let text = report::render(*format, outcome_for(*format), false);
                if let Err(e) = write_report(path, &text) {
                    eprintln!("rollsafe: cannot write {}: {e}", path.display());
                    return 2;
                }
            }
            None => {
                let mut text = if statistics {
                    report::statistics::render(*format, outcome_for(*format))
                } else {
                    report::render(*format, outcome_for(*format), color)
                };
                if args.quiet && *format == Format::Human && !statistics {
                    // Drop the summary line.
                    if let Some(i) = text.trim_end_matches('\n').rfind('\n') {
                        text.truncate(i + 1);
                    } else {
                        text.clear();
                    }
                }
                let mut out = std::io::stdout().lock();
                if out.write_all(text.as_bytes()).is_err() {
                    return 2;
                }
            }
        }
    }
    let fail_on = match if args.exit_zero {
        FailOn::Never
    } else {
        args.fail_on
    } {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    i32::from(check::fails(&outcome.diagnostics, fail_on))
}
