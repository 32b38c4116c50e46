//! Embeds the vendored Azure REST API specifications into the binary (read by
//! `src/openapi/embedded.rs`). `specs/azure/manifest.txt` decides which files: each is parsed, so
//! a broken file fails the build naming it, and written without the whitespace between tokens,
//! which the validator does not need (a third of the text: 1.18 MB → 0.80 MB).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SPECS: &str = "specs/azure";

fn main() {
    if let Err(message) = embed_specs() {
        eprintln!("error: embedding the Azure specifications: {message}");
        std::process::exit(1);
    }
}

fn embed_specs() -> Result<(), String> {
    let manifest = Path::new(SPECS).join("manifest.txt");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);

    let mut generated = String::from(
        "/// `(path in Azure/azure-rest-api-specs, JSON text)` of every file in specs/azure/manifest.txt.\n\
         pub(super) static FILES: &[(&str, &str)] = &[\n",
    );
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // `<commit> <path>`; scripts/refresh-specs checks the format, here only the path matters.
        let path = match line.split_whitespace().collect::<Vec<_>>()[..] {
            [_commit, path] if !path.contains("..") => path,
            _ => {
                return Err(format!(
                    "{}:{}: expected `<commit> <path>`, got `{line}`",
                    manifest.display(),
                    index + 1
                ));
            }
        };
        let source = Path::new(SPECS).join(path);
        println!("cargo::rerun-if-changed={}", source.display());
        let json = std::fs::read_to_string(&source).map_err(|e| {
            format!(
                "cannot read {} (listed in {}; run scripts/refresh-specs): {e}",
                source.display(),
                manifest.display()
            )
        })?;
        let document: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| format!("{} is not valid JSON: {e}", source.display()))?;
        let compact = out_dir.join("azure-specs").join(path);
        if let Some(parent) = compact.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // Key order is kept (serde_json's preserve_order): the validator's choice among equally
        // specific path templates follows document order.
        std::fs::write(&compact, document.to_string())
            .map_err(|e| format!("cannot write {}: {e}", compact.display()))?;
        let _ = writeln!(
            generated,
            "    ({path:?}, include_str!({:?})),",
            compact.display().to_string()
        );
    }
    generated.push_str("];\n");
    let target = out_dir.join("azure_specs.rs");
    std::fs::write(&target, generated)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))
}
