//! The `rollsafe` binary: argument parsing and exit codes only (0 clean, 1 findings at or
//! above --fail-on, 2 usage, configuration or internal error).

use clap::Parser;

// Parsing YAML allocates millions of small nodes from two threads; glibc's allocator
// spent a quarter of a run in malloc, free and page faults.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match rollsafe::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    // A panic is a bug: report it as an internal error with exit status 2, never as a
    // finding (exit 1) or success.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("rollsafe: internal error: {info}");
        eprintln!("rollsafe: this is a bug; please report it with the input that caused it");
    }));
    let code = std::panic::catch_unwind(|| rollsafe::cli::run(cli)).unwrap_or(2);
    std::process::exit(code);
}
