// Compiles the rule documents under lints/ into the binary for `rollsafe explain`.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=lints");
    // Read when the script runs, not when it was compiled: a build script reused from a
    // copied target folder (another checkout's) must still read this checkout's lints.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let dir = std::path::Path::new(&manifest_dir).join("lints");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("pub static DOCS: &[(&str, &str)] = &[\n");
    for p in names {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        writeln!(
            out,
            "    ({stem:?}, include_str!({:?})),",
            p.display().to_string()
        )
        .unwrap();
        println!("cargo:rerun-if-changed={}", p.display());
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("lints.rs");
    std::fs::write(dest, out).unwrap();
}
