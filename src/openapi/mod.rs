//! Azure REST API specifications (OpenAPI 2.0 files from Azure/azure-rest-api-specs) as a request
//! validator: path templates, path-parameter rules and body schemas.
//!
//! Used by the ARM emulator and by tests that check planned bodies against the official
//! definitions. Never used on a production path. The spec files are read from a directory at run
//! time (`AIGW_AZURE_SPECS`); they are not part of this repository.

mod path;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use schema::Violation;

/// Environment variable naming the directory that holds the specification files.
pub const SPECS_DIR_VAR: &str = "AIGW_AZURE_SPECS";

/// Where the specification files are looked for when `AIGW_AZURE_SPECS` is not set.
pub fn default_dirs() -> Vec<PathBuf> {
    vec![
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/azure-specs"),
        PathBuf::from("/work/shared/azure-specs"),
    ]
}

/// The specification directory: `AIGW_AZURE_SPECS`, else the first default that exists.
pub fn find_dir(env_value: Option<&str>) -> Option<PathBuf> {
    if let Some(dir) = env_value.filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    default_dirs().into_iter().find(|d| d.is_dir())
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read specification directory {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("specification file {file} is not valid JSON: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
    #[error("no specification files (*.json with `paths`) under {dir}")]
    Empty { dir: String },
}

/// All loaded specification documents.
pub struct SpecSet {
    /// Canonical file path → document.
    documents: BTreeMap<PathBuf, Value>,
}

/// The request-side description of one PUT operation.
pub struct PutOperation<'a> {
    file: &'a Path,
    /// Path template, e.g. `/subscriptions/{subscriptionId}/.../accounts/{accountName}`.
    pub template: &'a str,
    operation: &'a Value,
    path_item: &'a Value,
}

impl SpecSet {
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let mut documents = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(current) = stack.pop() {
            let entries = std::fs::read_dir(&current).map_err(|source| LoadError::Io {
                dir: current.display().to_string(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| LoadError::Io {
                    dir: current.display().to_string(),
                    source,
                })?;
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                        dir: path.display().to_string(),
                        source,
                    })?;
                    let document: Value =
                        serde_json::from_str(&text).map_err(|source| LoadError::Json {
                            file: path.display().to_string(),
                            source,
                        })?;
                    let canonical = path.canonicalize().unwrap_or(path);
                    documents.insert(canonical, document);
                }
            }
        }
        if !documents.values().any(|d| d.get("paths").is_some()) {
            return Err(LoadError::Empty {
                dir: dir.display().to_string(),
            });
        }
        Ok(SpecSet { documents })
    }

    /// Api-versions that define a PUT matching `path` (for "unknown api-version" answers).
    pub fn api_versions_for(&self, path: &str) -> Vec<String> {
        let mut versions: Vec<String> = self
            .documents
            .values()
            .filter(|d| {
                paths(d).any(|(template, item)| {
                    item.get("put").is_some() && path::matches(template, path).is_some()
                })
            })
            .filter_map(|d| {
                d.pointer("/info/version")
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }

    /// The PUT operation for a concrete resource path at one api-version.
    pub fn put_operation(&self, path: &str, api_version: &str) -> Option<PutOperation<'_>> {
        // The most specific template wins: fewest path parameters, then longest literal text.
        let mut best: Option<(usize, PutOperation<'_>)> = None;
        for (file, document) in &self.documents {
            if document.pointer("/info/version").and_then(Value::as_str) != Some(api_version) {
                continue;
            }
            for (template, item) in paths(document) {
                let Some(put) = item.get("put") else { continue };
                if path::matches(template, path).is_none() {
                    continue;
                }
                let parameters = template.matches('{').count();
                if best.as_ref().is_none_or(|(p, _)| parameters < *p) {
                    best = Some((
                        parameters,
                        PutOperation {
                            file,
                            template,
                            operation: put,
                            path_item: item,
                        },
                    ));
                }
            }
        }
        best.map(|(_, op)| op)
    }

    /// Checks a PUT request: path parameters and body. Empty when valid.
    pub fn validate_put(
        &self,
        operation: &PutOperation<'_>,
        path: &str,
        body: &Value,
    ) -> Vec<Violation> {
        self.validate_put_with(operation, path, body, false)
    }

    /// [`validate_put`](Self::validate_put) as ARM applies it: read-only values and nulls in the
    /// body are ignored (a GET response is a valid PUT body). The emulator's rule.
    pub fn validate_put_as_arm(
        &self,
        operation: &PutOperation<'_>,
        path: &str,
        body: &Value,
    ) -> Vec<Violation> {
        self.validate_put_with(operation, path, body, true)
    }

    fn validate_put_with(
        &self,
        operation: &PutOperation<'_>,
        path: &str,
        body: &Value,
        as_arm: bool,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        let resolver = schema::Resolver {
            specs: self,
            as_arm,
        };
        let values = path::matches(operation.template, path).unwrap_or_default();
        for parameter in self.parameters(operation) {
            let (file, parameter) = parameter;
            let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                continue;
            };
            match parameter.get("in").and_then(Value::as_str) {
                Some("path") => {
                    if let Some(value) = values.get(name) {
                        schema::check_path_parameter(name, value, parameter, &mut violations);
                    }
                }
                Some("body") => {
                    if let Some(body_schema) = parameter.get("schema") {
                        resolver.validate(file, body_schema, body, "", &mut violations);
                    }
                }
                _ => {}
            }
        }
        violations
    }

    /// Validates `body` against one definition of a loaded file, for resource types whose
    /// operations file is not among the copies (API Management policy fragments). `None` when the
    /// file or definition is not loaded.
    pub fn validate_definition(
        &self,
        file_suffix: &str,
        definition: &str,
        body: &Value,
    ) -> Option<Vec<Violation>> {
        let (file, _) = self
            .documents
            .iter()
            .find(|(path, _)| path.ends_with(file_suffix))?;
        let (file, schema) = self.resolve(file, &format!("#/definitions/{definition}"))?;
        let mut violations = Vec::new();
        schema::Resolver {
            specs: self,
            as_arm: false,
        }
        .validate(file, schema, body, "", &mut violations);
        Some(violations)
    }

    /// Whether the PUT is long-running (`x-ms-long-running-operation`), and its final-state rule.
    pub fn long_running(&self, operation: &PutOperation<'_>) -> Option<String> {
        if operation
            .operation
            .get("x-ms-long-running-operation")
            .and_then(Value::as_bool)
            != Some(true)
        {
            return None;
        }
        Some(
            operation
                .operation
                .pointer("/x-ms-long-running-operation-options/final-state-via")
                .and_then(Value::as_str)
                .unwrap_or("original-uri")
                .to_string(),
        )
    }

    /// Path-item and operation parameters, `$ref`s resolved, with the file each came from.
    fn parameters<'a>(&'a self, operation: &PutOperation<'a>) -> Vec<(&'a Path, &'a Value)> {
        let mut out = Vec::new();
        for list in [
            operation.path_item.get("parameters"),
            operation.operation.get("parameters"),
        ] {
            for parameter in list.and_then(Value::as_array).into_iter().flatten() {
                match parameter.get("$ref").and_then(Value::as_str) {
                    Some(reference) => {
                        if let Some((file, resolved)) = self.resolve(operation.file, reference) {
                            out.push((file, resolved));
                        }
                    }
                    None => out.push((operation.file, parameter)),
                }
            }
        }
        out
    }

    /// Resolves `[relative-file]#/json/pointer` from `from`. `None` when the target file is not
    /// loaded (e.g. the global common-types, which are not copied).
    fn resolve<'a>(&'a self, from: &'a Path, reference: &str) -> Option<(&'a Path, &'a Value)> {
        let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let (file, document) = if file_part.is_empty() {
            (from, self.documents.get(from)?)
        } else {
            let target = from.parent()?.join(file_part);
            let canonical = target.canonicalize().ok()?;
            let (key, document) = self.documents.get_key_value(&canonical)?;
            (key.as_path(), document)
        };
        Some((
            file,
            if pointer.is_empty() {
                document
            } else {
                document.pointer(pointer)?
            },
        ))
    }
}

fn paths(document: &Value) -> impl Iterator<Item = (&str, &Value)> {
    ["paths", "x-ms-paths"]
        .into_iter()
        .filter_map(|key| document.get(key).and_then(Value::as_object))
        .flat_map(|map| map.iter().map(|(k, v)| (k.as_str(), v)))
}

#[cfg(test)]
pub(crate) mod tests;
