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
use crate::input_file::{self, ReadError};
use crate::source::{SourceFile, Span};
use crate::spec::StackSpec;
pub use validate::ValidateOptions;

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
    #[error(
        "parameter file {path} is {kind}, not a regular file; aigw reads parameter files from disk (write the content to a file and pass its path)"
    )]
    NotAFile { path: String, kind: &'static str },
    #[error(
        "parameter file {path} has {size} bytes; aigw reads parameter files of up to {limit} bytes (4 MiB, Azure's limit for parameter files)"
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{} problem(s) in {}", .0.len(), .0.file.name())]
    Invalid(Diagnostics),
}

/// Parameter files larger than this are refused: "The parameter file is also limited to 4 MB"
/// (Microsoft Learn, ARM template best practices, "Template limits":
/// https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads, parses and validates a parameter file.
pub fn load(path: &Path, options: &LoadOptions) -> Result<StackSpec, LoadError> {
    let bytes = read(path)?;
    let name = path.display().to_string();
    let text = decode(&name, bytes).map_err(LoadError::Invalid)?;
    let format = ParamFormat::detect(path, &text);
    load_text(SourceFile::new(name, text), format, options).map_err(LoadError::Invalid)
}

/// The bytes of the parameter file at `path`: a regular file of at most [`MAX_FILE_BYTES`].
fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    let path_shown = path.display().to_string();
    input_file::read(path, MAX_FILE_BYTES).map_err(|error| match error {
        ReadError::Io(source) => LoadError::Io {
            path: path_shown,
            source,
        },
        ReadError::NotAFile { kind } => LoadError::NotAFile {
            path: path_shown,
            kind,
        },
        ReadError::TooLarge { size, limit } => LoadError::TooLarge {
            path: path_shown,
            size,
            limit,
        },
    })
}

/// The text of a file shown as `name`, or the one problem of a file that is not UTF-8.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostics> {
    String::from_utf8(bytes).map_err(|error| not_utf8(name.to_string(), error))
}

/// The one problem of a file that is not UTF-8, at its first invalid byte.
fn not_utf8(name: String, error: std::string::FromUtf8Error) -> Diagnostics {
    let at = error.utf8_error().valid_up_to();
    let bytes = error.into_bytes();
    let bad = bytes.get(at).copied().unwrap_or_default();
    let help = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "the file is UTF-16 text; save it as UTF-8"
    } else {
        "save the file as UTF-8 (it looks like another encoding, such as Windows-1252 or Latin-1, or a binary file)"
    };
    // Invalid bytes become U+FFFD (3 bytes): the first one starts where the invalid byte was.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut diagnostics = Diagnostics::new(SourceFile::new(name, text));
    diagnostics.push(
        Diagnostic::new(
            "not-utf8",
            format!("the file is not UTF-8 text: byte 0x{bad:02X} at byte offset {at} is not valid UTF-8"),
        )
        .at(Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()))
        .help(help),
    );
    diagnostics
}

/// Parses and validates parameter text already in memory.
pub fn load_text(
    file: Arc<SourceFile>,
    format: ParamFormat,
    options: &LoadOptions,
) -> Result<StackSpec, Diagnostics> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let params = match format {
        ParamFormat::Bicepparam => bicepparam::parse(
            file.text(),
            &catalog::is_top_level,
            &options.env,
            &mut problems,
        ),
        ParamFormat::Json => json::parse(file.text(), &mut problems),
    };
    // `None`: the file as a whole could not be read; that one problem says everything.
    let spec = params.map(|params| validate::validate(&params, format, &options.validate));
    let mut diagnostics = Diagnostics::new(file);
    diagnostics.items = problems;
    match spec {
        Some(Ok(spec)) if diagnostics.is_empty() => return Ok(spec),
        Some(Err(validation)) => diagnostics.items.extend(validation),
        Some(Ok(_)) | None => {}
    }
    diagnostics.sort();
    Err(diagnostics)
}

#[cfg(test)]
mod robustness_tests;
