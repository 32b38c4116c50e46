//! Fields aigw may write that a GET does not return as written: write instructions and secrets.
//! They are never compared (a GET that lacks them is not a difference), only sent.
//!
//! One entry per resource type and field, each with its evidence. How the list was made: every
//! resource type aigw writes (`crate::plan`, api-versions in `plan::api_versions`) was checked in
//! its Azure REST specification for properties without `read` in `x-ms-mutability` and for
//! `x-ms-secret`, and in public issue reports for properties a GET leaves out
//! (Azure/azure-rest-api-specs `ROUNDTRIP_MISSING_PROPERTY` reports). Everything else aigw sets
//! is returned by a GET; the diff's own rules cover how it comes back (case, ids, locations,
//! policy layout).

use std::borrow::Cow;

use serde_json::Value;

/// A field that a GET does not echo.
#[derive(Clone, Copy, Debug)]
pub struct WriteOnly {
    pub resource_type: &'static str,
    /// JSON pointer into the resource body.
    pub pointer: &'static str,
    pub when: When,
}

#[derive(Clone, Copy, Debug)]
pub enum When {
    Always,
    /// Only when this boolean of the desired body is `true`.
    DesiredIsTrue(&'static str),
}

pub const WRITE_ONLY: &[WriteOnly] = &[
    // `format` says how `value` is written; APIM does not store it. A GET with `format=rawxml`
    // has no `format` ("`.properties.format = rawxml`: not returned from response",
    // Azure/azure-rest-api-specs#25306); a GET without it says `xml` (the spec's default).
    WriteOnly {
        resource_type: "Microsoft.ApiManagement/service/apis/policies",
        pointer: "/properties/format",
        when: When::Always,
    },
    WriteOnly {
        resource_type: "Microsoft.ApiManagement/service/policyFragments",
        pointer: "/properties/format",
        when: When::Always,
    },
    // A secret named value's value is never returned: "This property will not be filled on
    // 'GET' operations! Use '/listSecrets' POST request to get the value." (apimanagement
    // 2024-05-01 definitions.json, NamedValueContractProperties.value); APIM returns it "in case
    // 'isSecret' property == false" (APIM team, Azure/azure-rest-api-specs#8341). aigw's named
    // values are not secret, so their values are compared.
    WriteOnly {
        resource_type: "Microsoft.ApiManagement/service/namedValues",
        pointer: "/properties/value",
        when: When::DesiredIsTrue("/properties/secret"),
    },
    // `restore` asks to bring back a soft-deleted account: `x-ms-mutability: ["create",
    // "update"]`, no `read` (cognitiveservices 2025-06-01, AccountProperties.restore).
    WriteOnly {
        resource_type: "Microsoft.CognitiveServices/accounts",
        pointer: "/properties/restore",
        when: When::Always,
    },
];

/// `desired` without the fields of `resource_type` that a GET does not return.
pub fn comparable<'a>(resource_type: &str, desired: &'a Value) -> Cow<'a, Value> {
    let mut out = Cow::Borrowed(desired);
    for entry in WRITE_ONLY {
        if !entry.resource_type.eq_ignore_ascii_case(resource_type) || !applies(entry, desired) {
            continue;
        }
        if desired.pointer(entry.pointer).is_some() {
            remove(out.to_mut(), entry.pointer);
        }
    }
    out
}

fn applies(entry: &WriteOnly, desired: &Value) -> bool {
    match entry.when {
        When::Always => true,
        When::DesiredIsTrue(flag) => desired.pointer(flag) == Some(&Value::Bool(true)),
    }
}

fn remove(body: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(map)) = body.pointer_mut(parent) {
        // Keeps the order of the other fields (a plain `remove` swaps the last one in).
        map.shift_remove(key);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn write_instructions_and_secrets_are_left_out() {
        let policy = json!({"properties": {"format": "rawxml", "value": "<policies/>"}});
        assert_eq!(
            *comparable("Microsoft.ApiManagement/service/policyFragments", &policy),
            json!({"properties": {"value": "<policies/>"}})
        );
        let secret = json!({"properties": {"displayName": "k", "value": "s3cr3t", "secret": true}});
        assert_eq!(
            *comparable("Microsoft.ApiManagement/service/namedValues", &secret),
            json!({"properties": {"displayName": "k", "secret": true}})
        );
        // A plain named value is returned by a GET, so its value is compared.
        let plain = json!({"properties": {"displayName": "k", "value": "v", "secret": false}});
        assert_eq!(
            *comparable("Microsoft.ApiManagement/service/namedValues", &plain),
            plain
        );
        // Other types keep their `format` (a model deployment's model format is stored).
        let model = json!({"properties": {"model": {"format": "OpenAI"}, "format": "x"}});
        assert_eq!(
            *comparable("Microsoft.CognitiveServices/accounts/deployments", &model),
            model
        );
    }

    #[test]
    fn every_entry_is_a_type_aigw_writes() {
        let spec = crate::params::load_text(
            crate::source::SourceFile::new(
                "example.bicepparam",
                include_str!("../../examples/main.acc.parameters.bicepparam"),
            ),
            crate::params::ParamFormat::Bicepparam,
            &crate::params::LoadOptions::default(),
        )
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let plan = crate::plan::build(
            &spec,
            "11111111-2222-3333-4444-555555555555",
            &crate::policy::embedded(),
        );
        for entry in WRITE_ONLY {
            assert!(
                plan.operations()
                    .any(|(_, op)| op.resource_type == entry.resource_type),
                "{entry:?}"
            );
            assert!(entry.pointer.starts_with("/properties/"), "{entry:?}");
        }
    }
}
