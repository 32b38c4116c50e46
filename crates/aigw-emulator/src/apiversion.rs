//! The `api-version` rule: required on every request, and one the type supports (the spec files'
//! versions for the path plus the built-in list of the type).

use super::builder::Config;
use super::incoming::Incoming;
use super::kinds::Kind;
use super::reply::{Outcome, Reply};

/// The versions of a resource path: built-ins of its kind and every spec version defining a PUT.
pub(crate) fn for_resource(config: &Config, kind: Kind, path: &str) -> Vec<String> {
    let mut versions: Vec<String> = kind
        .builtin_api_versions()
        .iter()
        .map(|v| (*v).to_string())
        .collect();
    if let Some(specs) = &config.specs {
        versions.extend(specs.api_versions_for(path));
    }
    versions.sort();
    versions.dedup();
    versions
}

pub(crate) fn from_list(list: &[&str]) -> Vec<String> {
    list.iter().map(|v| (*v).to_string()).collect()
}

/// The request's api-version when it is present and supported.
pub(crate) fn require(incoming: &Incoming, supported: &[String]) -> Outcome<String> {
    let Some(version) = incoming.api_version() else {
        return Err(Reply::error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    if supported.iter().any(|s| s.eq_ignore_ascii_case(version)) {
        return Ok(version.to_string());
    }
    Err(Reply::error(
        400,
        "InvalidApiVersionParameter",
        format!(
            "The api-version '{version}' is invalid. The supported versions are '{}'.",
            supported.join(",")
        ),
    ))
}

/// The answer for a resource type nothing here knows.
pub(crate) fn unknown_type(resource_type: &str, incoming: &Incoming) -> Reply {
    let (namespace, rest) = resource_type.split_once('/').unwrap_or((resource_type, ""));
    Reply::error(
        400,
        "InvalidResourceType",
        format!(
            "The resource type '{rest}' could not be found in the namespace '{namespace}' for api \
             version '{}'.",
            incoming.api_version().unwrap_or("")
        ),
    )
}
