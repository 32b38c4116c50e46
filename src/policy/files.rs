//! The policy files aigw attaches: the two API policies and the policy fragments they include.
//!
//! Owns where they come from (embedded in the binary, or a `--policies DIR` with the same layout:
//! `DIR/aoai-policy.xml`, `DIR/oaiv1-policy.xml`, `DIR/fragments/*.xml`) and the order in which
//! they must be created. It does not check their content (see `check`).

use std::path::Path;

use crate::input_file::{self, ReadError};
use crate::naming::{API_OPENAI, API_V1};

/// A policy file larger than this is refused (APIM's own limits are far smaller: 32 KB for a
/// fragment).
pub const MAX_POLICY_BYTES: u64 = 1 << 20;

/// What a policy file is attached to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// The policy of an API (`openai` or `v1`).
    Api { api_id: String },
    /// A policy fragment; `id` is the file name without `.xml`.
    Fragment { id: String },
}

/// One policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    /// Shown in every message, e.g. `policies/aoai-policy.xml`.
    pub path: String,
    pub kind: PolicyKind,
    pub text: String,
}

impl PolicyFile {
    pub fn fragment_id(&self) -> Option<&str> {
        match &self.kind {
            PolicyKind::Fragment { id } => Some(id),
            PolicyKind::Api { .. } => None,
        }
    }

    pub fn api_id(&self) -> Option<&str> {
        match &self.kind {
            PolicyKind::Api { api_id } => Some(api_id),
            PolicyKind::Fragment { .. } => None,
        }
    }
}

/// The API policy files, by API id.
pub const API_POLICY_FILES: [(&str, &str); 2] = [
    (API_OPENAI, "aoai-policy.xml"),
    (API_V1, "oaiv1-policy.xml"),
];

macro_rules! fragment {
    ($id:literal) => {
        (
            $id,
            include_str!(concat!("../../policies/fragments/", $id, ".xml")),
        )
    };
}

const EMBEDDED_FRAGMENTS: [(&str, &str); 7] = [
    fragment!("aigw-backend-auth"),
    fragment!("aigw-error-classify"),
    fragment!("aigw-error-response"),
    fragment!("aigw-request-context"),
    fragment!("aigw-route"),
    fragment!("aigw-upstream-status"),
    fragment!("aigw-usage-row"),
];

const EMBEDDED_APIS: [(&str, &str); 2] = [
    (API_OPENAI, include_str!("../../policies/aoai-policy.xml")),
    (API_V1, include_str!("../../policies/oaiv1-policy.xml")),
];

/// The policies shipped in the binary, fragments first (in [`deploy_order`]).
pub fn embedded() -> Vec<PolicyFile> {
    let fragments = EMBEDDED_FRAGMENTS.iter().map(|(id, text)| PolicyFile {
        path: format!("policies/fragments/{id}.xml"),
        kind: PolicyKind::Fragment { id: id.to_string() },
        text: text.to_string(),
    });
    let apis = EMBEDDED_APIS.iter().filter_map(|(api_id, text)| {
        let file = API_POLICY_FILES.iter().find(|(id, _)| id == api_id)?.1;
        Some(PolicyFile {
            path: format!("policies/{file}"),
            kind: PolicyKind::Api {
                api_id: api_id.to_string(),
            },
            text: text.to_string(),
        })
    });
    fragments.chain(apis).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read policy file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("policy directory {dir} has no {file} (the policy of API {api_id})")]
    MissingApiPolicy {
        dir: String,
        file: &'static str,
        api_id: &'static str,
    },
    #[error(
        "policy file {path} is {kind}, not a regular file; aigw reads policy files from disk (replace it with the file itself)"
    )]
    NotAFile { path: String, kind: &'static str },
    #[error("policy file {path} has {size} bytes; aigw reads policy files of up to {limit} bytes")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("policy file {path} is not UTF-8 text")]
    NotUtf8 { path: String },
    #[error("policy fragment file {path} has a name that is not UTF-8")]
    BadFileName { path: String },
}

/// Reads `dir/aoai-policy.xml`, `dir/oaiv1-policy.xml` and every `dir/fragments/*.xml` (a missing
/// `fragments` directory means no fragments). Fragments come first, sorted by id. Every file is
/// read like the parameter file ([`input_file::read`]): regular files only, bounded in size, so
/// a named pipe or a device among them is refused by name instead of blocking or never ending.
pub fn load_dir(dir: &Path) -> Result<Vec<PolicyFile>, LoadError> {
    let mut files = Vec::new();
    let fragments_dir = dir.join("fragments");
    if fragments_dir.is_dir() {
        let entries = std::fs::read_dir(&fragments_dir).map_err(|source| LoadError::Io {
            path: fragments_dir.display().to_string(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| LoadError::Io {
                path: fragments_dir.display().to_string(),
                source,
            })?;
            let path = entry.path();
            // Whatever its kind: a `.xml` entry that is not a regular file is a mistake to name,
            // not a fragment to leave out silently.
            if path.extension().and_then(|e| e.to_str()) != Some("xml") {
                continue;
            }
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| LoadError::BadFileName {
                    path: path.display().to_string(),
                })?
                .to_string();
            files.push(PolicyFile {
                path: path.display().to_string(),
                text: read_text(&path)?,
                kind: PolicyKind::Fragment { id },
            });
        }
    }
    files.sort_by(|a, b| a.kind.cmp(&b.kind));
    for (api_id, file) in API_POLICY_FILES {
        let path = dir.join(file);
        // Only a file that is not there is missing; anything else there is read (and refused by
        // the reader if it is not a regular file).
        if matches!(std::fs::metadata(&path), Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
            return Err(LoadError::MissingApiPolicy {
                dir: dir.display().to_string(),
                file,
                api_id,
            });
        }
        files.push(PolicyFile {
            path: path.display().to_string(),
            text: read_text(&path)?,
            kind: PolicyKind::Api {
                api_id: api_id.to_string(),
            },
        });
    }
    Ok(files)
}

fn read_text(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let bytes = input_file::read(path, MAX_POLICY_BYTES).map_err(|error| match error {
        ReadError::Io(source) => LoadError::Io {
            path: shown.clone(),
            source,
        },
        ReadError::NotAFile { kind } => LoadError::NotAFile {
            path: shown.clone(),
            kind,
        },
        ReadError::TooLarge { size, limit } => LoadError::TooLarge {
            path: shown.clone(),
            size,
            limit,
        },
    })?;
    String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 { path: shown })
}

/// The order in which the files must be created: every fragment before any API policy (a policy
/// that includes a fragment cannot be saved before the fragment exists). Fragments cannot
/// include fragments, so their own order does not matter; they are sorted by id.
pub fn deploy_order(files: &[PolicyFile]) -> Vec<&PolicyFile> {
    let mut ordered: Vec<&PolicyFile> = files.iter().collect();
    ordered.sort_by(|a, b| match (&a.kind, &b.kind) {
        (PolicyKind::Fragment { id: x }, PolicyKind::Fragment { id: y }) => x.cmp(y),
        (PolicyKind::Fragment { .. }, PolicyKind::Api { .. }) => std::cmp::Ordering::Less,
        (PolicyKind::Api { .. }, PolicyKind::Fragment { .. }) => std::cmp::Ordering::Greater,
        (PolicyKind::Api { api_id: x }, PolicyKind::Api { api_id: y }) => {
            let rank = |id: &str| API_POLICY_FILES.iter().position(|(a, _)| *a == id);
            rank(x).cmp(&rank(y)).then_with(|| x.cmp(y))
        }
    });
    ordered
}
