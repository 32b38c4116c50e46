//! Parameter files: reading `.bicepparam` or ARM JSON into one value tree, then validating it into
//! a [`StackSpec`]. Every problem in the file is collected and returned together.

pub mod bicepparam;
pub mod catalog;
pub mod json;
pub mod validate;
pub mod value;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::SourceFile;
use crate::spec::StackSpec;
pub use validate::ValidateOptions;

/// Parameter files larger than this are refused (real ones are a few kilobytes).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamFormat {
    Bicepparam,
    Json,
}

impl ParamFormat {
    /// By extension; otherwise a file whose first non-blank character is `{` is JSON.
    pub fn detect(path: &Path, text: &str) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("bicepparam") => ParamFormat::Bicepparam,
            Some("json" | "jsonc") => ParamFormat::Json,
            _ if text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{') =>
            {
                ParamFormat::Json
            }
            _ => ParamFormat::Bicepparam,
        }
    }
}

/// What validation needs besides the file.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Environment variables visible to `readEnvironmentVariable` (a snapshot, read once at start).
    pub env: BTreeMap<String, String>,
    pub validate: ValidateOptions,
    /// Policy files to attach instead of the ones built into aigw (`--policies DIR`).
    pub policies_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read parameter file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("parameter file {path} is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge { path: String },
    #[error("parameter file {path} is not UTF-8 text")]
    NotUtf8 { path: String },
    #[error("{} problem(s) in {}", .0.len(), .0.file.name())]
    Invalid(Diagnostics),
}

/// Reads, parses and validates a parameter file.
pub fn load(path: &Path, options: &LoadOptions) -> Result<StackSpec, LoadError> {
    let shown = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: shown.clone(),
        source,
    })?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown });
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: shown.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 {
        path: shown.clone(),
    })?;
    let format = ParamFormat::detect(path, &text);
    load_text(SourceFile::new(shown, text), format, options).map_err(LoadError::Invalid)
}

/// Parses and validates parameter text already in memory.
pub fn load_text(
    file: Arc<SourceFile>,
    format: ParamFormat,
    options: &LoadOptions,
) -> Result<StackSpec, Diagnostics> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let params = match format {
        ParamFormat::Bicepparam => bicepparam::parse(file.text(), &options.env, &mut problems),
        ParamFormat::Json => json::parse(file.text(), &mut problems),
    };
    let spec = validate::validate(&params, &options.validate);
    let mut diagnostics = Diagnostics::new(file);
    diagnostics.items = problems;
    match spec {
        Ok(spec) if diagnostics.is_empty() => Ok(spec),
        Ok(_) => {
            diagnostics.sort();
            Err(diagnostics)
        }
        Err(validation) => {
            // A parameter whose value failed to parse is absent from `params`; reporting it as
            // "missing" too would be noise next to the parse error that explains it.
            let parse_failed = !diagnostics.is_empty();
            let text = diagnostics.file.text().to_string();
            diagnostics.items.extend(validation.into_iter().filter(|d| {
                let written = d
                    .path
                    .as_ref()
                    .is_some_and(|name| text.contains(name.as_str()));
                !(parse_failed && d.code == "missing-field" && d.span.is_none() && written)
            }));
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

#[cfg(test)]
mod robustness_tests;
