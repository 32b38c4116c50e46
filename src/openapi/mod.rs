//! Azure REST API specifications (OpenAPI 2.0 files from Azure/azure-rest-api-specs) as a request
//! validator: path templates, path-parameter rules and body schemas.
//!
//! Used by the ARM emulator and by tests that check planned bodies against the official
//! definitions. Never used on a production path. The files are vendored in `specs/azure` (listed
//! in its `manifest.txt`) and built into the binary ([`SpecSet::embedded`]): every build validates
//! against the same files and nothing is read from disk.

mod embedded;
mod path;
mod schema;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use schema::Violation;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("specification file {file} is not valid JSON: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
    #[error("no specification file defines any path")]
    Empty,
}

/// Loaded specification documents, keyed by their path in Azure/azure-rest-api-specs
/// (`specification/...`), so that `$ref`s between files resolve as they do upstream.
pub struct SpecSet {
    documents: BTreeMap<String, Value>,
}

/// The request-side description of one PUT operation.
pub struct PutOperation<'a> {
    file: &'a str,
    /// Path template, e.g. `/subscriptions/{subscriptionId}/.../accounts/{accountName}`.
    pub template: &'a str,
    operation: &'a Value,
    path_item: &'a Value,
}

impl SpecSet {
    /// The specifications built into aigw (`specs/azure`), parsed once per process.
    pub fn embedded() -> Result<Arc<SpecSet>, LoadError> {
        static EMBEDDED: OnceLock<Arc<SpecSet>> = OnceLock::new();
        if let Some(specs) = EMBEDDED.get() {
            return Ok(specs.clone());
        }
        let specs = Arc::new(SpecSet::from_files(embedded::FILES.iter().copied())?);
        Ok(EMBEDDED.get_or_init(|| specs).clone())
    }

    /// A set of `(path, JSON text)` files; relative `$ref`s between them resolve by these paths.
    pub fn from_files<'t>(
        files: impl IntoIterator<Item = (&'t str, &'t str)>,
    ) -> Result<Self, LoadError> {
        let mut documents = BTreeMap::new();
        for (file, text) in files {
            let document: Value = serde_json::from_str(text).map_err(|source| LoadError::Json {
                file: file.to_string(),
                source,
            })?;
            documents.insert(file.to_string(), document);
        }
        if !documents.values().any(|d| d.get("paths").is_some()) {
            return Err(LoadError::Empty);
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

    /// Validates `body` against one definition of a loaded file (its path, `specification/...`),
    /// for resource types whose operations file is not among the copies (API Management policy
    /// fragments). `None` when the file or definition is not loaded.
    pub fn validate_definition(
        &self,
        file: &str,
        definition: &str,
        body: &Value,
    ) -> Option<Vec<Violation>> {
        let (file, _) = self.documents.get_key_value(file)?;
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
    fn parameters<'a>(&'a self, operation: &PutOperation<'a>) -> Vec<(&'a str, &'a Value)> {
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
    /// loaded (e.g. the global common-types, which are not vendored).
    fn resolve<'a>(&'a self, from: &'a str, reference: &str) -> Option<(&'a str, &'a Value)> {
        let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let (file, document) = if file_part.is_empty() {
            (from, self.documents.get(from)?)
        } else {
            let (key, document) = self.documents.get_key_value(&join(from, file_part)?)?;
            (key.as_str(), document)
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

/// The path of `relative` seen from the file `from` (`.` and `..` applied, `/`-separated as in
/// the specifications); `None` when it climbs above the root.
fn join(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

fn paths(document: &Value) -> impl Iterator<Item = (&str, &Value)> {
    ["paths", "x-ms-paths"]
        .into_iter()
        .filter_map(|key| document.get(key).and_then(Value::as_object))
        .flat_map(|map| map.iter().map(|(k, v)| (k.as_str(), v)))
}

#[cfg(test)]
pub(crate) mod tests;
