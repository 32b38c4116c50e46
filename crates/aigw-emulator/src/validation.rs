//! PUT body validation. With specification files: [`crate::openapi::SpecSet::validate_put_as_arm`],
//! every violation reported at once. Two types have no spec copy and get a small built-in
//! check (resource groups, APIM policy fragments); without specs, structural checks only.
//!
//! Error shapes: 400 `InvalidRequestContent` (400 `InvalidResourceName` when only the name is
//! wrong), or for API Management 400 `ValidationError` with `details: [{code, target, message}]`.

use serde_json::Value;

use super::builder::Config;
use super::kinds::Kind;
use super::reply::{Detail, Outcome, Reply};
use crate::openapi::Violation;

pub(crate) fn validate(
    config: &Config,
    kind: Kind,
    resource_type: &str,
    path: &str,
    api_version: &str,
    body: &Value,
) -> Outcome<()> {
    let violations = violations(config, kind, path, api_version, body);
    if violations.is_empty() {
        return Ok(());
    }
    Err(to_reply(resource_type, path, violations))
}

fn violations(
    config: &Config,
    kind: Kind,
    path: &str,
    api_version: &str,
    body: &Value,
) -> Vec<Violation> {
    if !body.is_object() {
        return vec![violation("", "the body must be a JSON object")];
    }
    if kind == Kind::ResourceGroup {
        return resource_group(body);
    }
    let operation = config
        .specs
        .as_ref()
        .and_then(|specs| Some((specs, specs.put_operation(path, api_version)?)));
    match operation {
        Some((specs, operation)) => specs.validate_put_as_arm(&operation, path, body),
        None if kind == Kind::ApimPolicyFragment => policy_fragment(body),
        None => structural(kind, body),
    }
}

fn violation(path: &str, message: &str) -> Violation {
    Violation {
        path: path.to_string(),
        message: message.to_string(),
    }
}

fn to_reply(resource_type: &str, path: &str, violations: Vec<Violation>) -> Reply {
    let apim = resource_type
        .to_ascii_lowercase()
        .starts_with("microsoft.apimanagement/");
    if apim {
        return Reply::apim_validation(
            violations
                .into_iter()
                .map(|v| Detail::new("ValidationError", &v.path, v.message))
                .collect(),
        );
    }
    let name_only = violations.iter().all(|v| v.path.starts_with('{'));
    let listed: Vec<String> = violations
        .iter()
        .map(|v| {
            if v.path.is_empty() {
                v.message.clone()
            } else {
                format!("{}: {}", v.path, v.message)
            }
        })
        .collect();
    let code = if name_only {
        "InvalidResourceName"
    } else {
        "InvalidRequestContent"
    };
    let details = violations
        .iter()
        .map(|v| Detail::new(code, &v.path, v.message.clone()))
        .collect();
    if name_only {
        let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        return Reply::error_with_details(
            400,
            "InvalidResourceName",
            format!("Resource name '{name}' is invalid: {}", listed.join("; ")),
            details,
        );
    }
    Reply::error_with_details(
        400,
        "InvalidRequestContent",
        format!("The request content was invalid: {}", listed.join("; ")),
        details,
    )
}

/// `Microsoft.Resources/resourceGroups`: `location` required; tags are strings (50 at most,
/// names ≤ 512 and values ≤ 256 characters).
fn resource_group(body: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    match body.get("location") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(_) => out.push(violation("location", "must be a non-empty string")),
        None => out.push(violation("location", "is required")),
    }
    tags(body, &mut out);
    out
}

fn tags(body: &Value, out: &mut Vec<Violation>) {
    let Some(tags) = body.get("tags") else {
        return;
    };
    let Some(tags) = tags.as_object() else {
        out.push(violation("tags", "must be an object of strings"));
        return;
    };
    if tags.len() > 50 {
        out.push(violation("tags", "at most 50 tags are allowed"));
    }
    for (name, value) in tags {
        let at = format!("tags.{name}");
        match value.as_str() {
            Some(v) if v.chars().count() > 256 => {
                out.push(violation(&at, "is longer than 256 characters"));
            }
            Some(_) => {}
            None => out.push(violation(&at, "must be a string")),
        }
        if name.chars().count() > 512 {
            out.push(violation(&at, "tag name is longer than 512 characters"));
        }
    }
}

/// `Microsoft.ApiManagement/service/policyFragments` (PolicyFragmentContract, definitions.json):
/// `properties.value` required, `format` xml|rawxml, `description` ≤ 1000 characters.
fn policy_fragment(body: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(map) = body.as_object() {
        for key in map.keys().filter(|k| *k != "properties") {
            out.push(violation(key, "is not a known property"));
        }
    }
    let Some(properties) = body.get("properties").and_then(Value::as_object) else {
        out.push(violation("properties", "is required"));
        return out;
    };
    for (key, value) in properties {
        let at = format!("properties.{key}");
        match key.as_str() {
            "value" if !value.is_string() => out.push(violation(&at, "must be a string")),
            "format" if !matches!(value.as_str(), Some("xml" | "rawxml")) => {
                out.push(violation(&at, "must be one of \"xml\", \"rawxml\""));
            }
            "description" if value.as_str().is_none_or(|d| d.chars().count() > 1000) => {
                out.push(violation(
                    &at,
                    "must be a string of at most 1000 characters",
                ));
            }
            "value" | "format" | "description" => {}
            "provisioningState" => out.push(violation(&at, "is read-only and must not be sent")),
            _ => out.push(violation(&at, "is not a known property")),
        }
    }
    if !properties.contains_key("value") {
        out.push(violation("properties.value", "is required"));
    }
    out
}

/// Without specification files: the shape every ARM resource body has.
fn structural(kind: Kind, body: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    if kind.is_tracked() {
        match body.get("location") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => out.push(violation("location", "is required")),
        }
    }
    if body.get("properties").is_some_and(|p| !p.is_object()) {
        out.push(violation("properties", "must be an object"));
    }
    tags(body, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn built_in_schemas() {
        assert!(
            resource_group(&json!({ "location": "westeurope", "tags": { "a": "b" } })).is_empty()
        );
        let paths: Vec<String> = resource_group(&json!({ "tags": { "a": 1 } }))
            .into_iter()
            .map(|v| v.path)
            .collect();
        assert_eq!(paths, ["location", "tags.a"]);
        assert!(
            policy_fragment(
                &json!({ "properties": { "format": "rawxml", "value": "<fragment/>" } })
            )
            .is_empty()
        );
        let paths: Vec<String> =
            policy_fragment(&json!({ "properties": { "format": "json", "extra": 1 } }))
                .into_iter()
                .map(|v| v.path)
                .collect();
        assert_eq!(
            paths,
            ["properties.format", "properties.extra", "properties.value"]
        );
        assert_eq!(structural(Kind::Account, &json!({})).len(), 1);
    }
}
