//! Compares what aigw wants with what ARM has, looking only at the fields aigw sets.
//!
//! Server-added fields and read-only properties are ignored (they are absent from the desired
//! body); fields a GET does not return as written (write instructions, secrets) are never
//! compared ([`super::write_only`]). ARM ids and locations compare ignoring case (ARM returns `resourcegroups` in some ids
//! and may echo a location differently); object keys that are ARM ids (e.g.
//! `userAssignedIdentities`) match ignoring case too.

use serde_json::{Map, Value};

use crate::plan::DeferredRef;

/// A change is part of the run's result, so the report owns the type.
pub use crate::report::FieldChange;

/// Policy resources: APIM stores policy XML in its own layout (line ends, spacing, self-closing
/// tags, comments dropped), so their `properties.value` is compared after normalising both sides.
const POLICY_TYPES: &[&str] = &[
    "Microsoft.ApiManagement/service/apis/policies",
    "Microsoft.ApiManagement/service/policyFragments",
];

/// Extra query parameters for reading a resource of this type back as aigw wrote it: policies are
/// exported as `rawxml` (the format aigw sends; the default export escapes expressions).
pub fn read_query(resource_type: &str) -> &'static [(&'static str, &'static str)] {
    if POLICY_TYPES.contains(&resource_type) {
        &[("format", "rawxml")]
    } else {
        &[]
    }
}

/// [`changes`], with the comparison rules of the resource type: write-only fields left out,
/// policy XML compared in its comparable form.
pub fn changes_for(resource_type: &str, desired: &Value, actual: &Value) -> Vec<FieldChange> {
    let desired = super::write_only::comparable(resource_type, desired);
    if !POLICY_TYPES.contains(&resource_type) {
        return changes(&desired, actual);
    }
    let normalized = |body: &Value| {
        let mut body = body.clone();
        if let Some(Value::String(xml)) = body.pointer_mut("/properties/value") {
            *xml = crate::policy::normalize_xml(xml);
        }
        body
    };
    changes(&normalized(&desired), &normalized(actual))
}

/// Every field of `desired` that `actual` does not match.
pub fn changes(desired: &Value, actual: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(desired, Some(actual), "", "", &mut out);
    out
}

fn walk(
    desired: &Value,
    actual: Option<&Value>,
    path: &str,
    key: &str,
    out: &mut Vec<FieldChange>,
) {
    if DeferredRef::from_placeholder(desired).is_some() {
        // Not known yet (live plan before the producing resource exists).
        out.push(FieldChange {
            path: path.to_string(),
            from: actual.cloned(),
            to: None,
        });
        return;
    }
    match (desired, actual) {
        (Value::Object(want), Some(Value::Object(have))) => {
            for (k, v) in want {
                walk(v, lookup(have, k), &join(path, k), k, out);
            }
        }
        (Value::Array(want), Some(Value::Array(have))) if want.len() == have.len() => {
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                walk(w, Some(h), &format!("{path}[{i}]"), key, out);
            }
        }
        (want, Some(have)) if scalar_equal(want, have, key) => {}
        (want, have) => {
            out.push(FieldChange {
                path: path.to_string(),
                from: have.cloned(),
                to: Some(want.clone()),
            });
        }
    }
}

/// Exact key, else a key equal ignoring case (ARM ids as keys come back re-cased).
fn lookup<'a>(have: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    have.get(key).or_else(|| {
        have.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Keys whose values are names or enum members: ARM treats them case-insensitively and some
/// providers echo them in another case (Log Analytics returns `sku.name` as `pergb2018`).
/// Comparing them exactly would report an update on every run.
const CASE_INSENSITIVE_KEYS: &[&str] = &[
    "name",
    "kind",
    "type",
    "tier",
    "format",
    "method",
    "protocol",
    "plan",
    "publicNetworkAccess",
    "principalType",
    "versionUpgradeOption",
    "defaultAction",
];

fn scalar_equal(want: &Value, have: &Value, key: &str) -> bool {
    match (want, have) {
        (Value::String(w), Value::String(h)) => {
            w == h
                || ((looks_like_arm_id(w) || CASE_INSENSITIVE_KEYS.contains(&key))
                    && w.eq_ignore_ascii_case(h))
                || (key == "location" && normalize_location(w) == normalize_location(h))
        }
        (Value::Number(w), Value::Number(h)) => w.as_f64() == h.as_f64(),
        _ => want == have,
    }
}

fn looks_like_arm_id(s: &str) -> bool {
    s.starts_with("/subscriptions/") || s.starts_with("/providers/")
}

/// `West Europe` and `westeurope` are the same location.
fn normalize_location(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_fields_aigw_sets_are_compared() {
        let desired =
            json!({"location": "westeurope", "sku": {"name": "S0"}, "properties": {"a": 1}});
        let actual = json!({"id": "/x", "location": "West Europe", "sku": {"name": "S0", "tier": "Standard"},
            "properties": {"a": 1.0, "provisioningState": "Succeeded", "endpoint": "https://x"}, "systemData": {}});
        assert_eq!(changes(&desired, &actual), vec![]);
    }

    #[test]
    fn a_changed_value_is_reported_with_both_sides() {
        let desired = json!({"sku": {"name": "GlobalStandard", "capacity": 80}});
        let actual = json!({"sku": {"name": "GlobalStandard", "capacity": 50}});
        assert_eq!(
            changes(&desired, &actual),
            vec![FieldChange {
                path: "sku.capacity".into(),
                from: Some(json!(50)),
                to: Some(json!(80))
            }]
        );
    }

    #[test]
    fn arm_ids_compare_ignoring_case_in_values_and_keys() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id";
        let desired =
            json!({"identity": {"userAssignedIdentities": {id: {}}}, "properties": {"ref": id}});
        let actual = json!({"identity": {"userAssignedIdentities": {id.to_lowercase(): {"principalId": "p"}}},
            "properties": {"ref": id.replace("resourceGroups", "resourcegroups")}});
        assert_eq!(changes(&desired, &actual), vec![]);
        // Ordinary strings stay case-sensitive.
        assert_eq!(
            changes(&json!({"a": "Enabled"}), &json!({"a": "enabled"})).len(),
            1
        );
    }

    #[test]
    fn arrays_compare_by_position_and_length() {
        let desired = json!({"members": [{"id": "a", "priority": 1}, {"id": "b", "priority": 2}]});
        let reordered = json!({"members": [{"id": "a", "priority": 1}, {"id": "b", "priority": 3, "weight": 1}]});
        assert_eq!(changes(&desired, &reordered)[0].path, "members[1].priority");
        let shorter = json!({"members": [{"id": "a", "priority": 1}]});
        assert_eq!(changes(&desired, &shorter)[0].path, "members");
    }

    #[test]
    fn a_policy_read_back_as_apim_stores_it_is_unchanged() {
        let fragment = "Microsoft.ApiManagement/service/policyFragments";
        let desired = json!({"properties": {"format": "rawxml", "value": "<fragment>\n    <base/>\n    <set-variable name=\"a\" value=\"@(1 + 2)\" />\n</fragment>\n", "description": "managed by aigw"}});
        // `?format=rawxml`: no `format`, APIM's layout.
        let actual = json!({"properties": {"value": "<fragment>\r\n\t<base />\r\n\t<set-variable name=\"a\" value=\"@(1 + 2)\" />\r\n</fragment>", "description": "managed by aigw"}});
        assert_eq!(changes_for(fragment, &desired, &actual), vec![]);
        let edited = json!({"properties": {"value": "<fragment><base /><set-variable name=\"a\" value=\"@(1 + 3)\" /></fragment>"}});
        assert_eq!(
            changes_for(fragment, &desired, &edited)
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>(),
            ["properties.value", "properties.description"]
        );
    }

    #[test]
    fn missing_values_and_unknown_deferred_values_are_changes() {
        let desired =
            json!({"properties": {"value": {"$deferred": "identity.clientId"}, "secret": false}});
        let actual = json!({"properties": {}});
        let got = changes(&desired, &actual);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].to, None);
        assert_eq!(
            got[1],
            FieldChange {
                path: "properties.secret".into(),
                from: None,
                to: Some(json!(false))
            }
        );
    }
}

/// Top-level fields of a GET representation that a PUT body never carries.
const SERVER_FIELDS: &[&str] = &["id", "name", "type", "systemData", "etag"];

/// The body of an update: the current resource with aigw's fields written over it. A PUT replaces
/// the whole resource, so sending only aigw's fields would drop what others set (tags, custom
/// hostnames, extra identities, network rules). ARM requires a GET representation to be accepted
/// back as a PUT body, read-only values included (they are ignored).
pub fn update_body(current: &Value, desired: &Value) -> Value {
    let mut base = current.clone();
    if let Some(map) = base.as_object_mut() {
        for field in SERVER_FIELDS {
            map.remove(*field);
        }
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            properties.remove("provisioningState");
        }
    }
    merge(base, desired)
}

/// `desired` over `base`: objects merge key by key (keys that differ only in case, such as ARM
/// ids, are the same key), anything else is replaced.
fn merge(base: Value, desired: &Value) -> Value {
    match (base, desired) {
        (Value::Object(mut have), Value::Object(want)) => {
            for (key, value) in want {
                let existing = have.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned();
                let merged = match existing.and_then(|k| have.remove(&k)) {
                    Some(old) => merge(old, value),
                    None => value.clone(),
                };
                have.insert(key.clone(), merged);
            }
            Value::Object(have)
        }
        (_, other) => other.clone(),
    }
}

#[cfg(test)]
mod update_tests {
    use serde_json::json;

    use super::update_body;

    #[test]
    fn others_settings_survive_and_aigws_fields_win() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id";
        let current = json!({
            "id": "/x", "name": "apim", "type": "Microsoft.ApiManagement/service", "systemData": {}, "etag": "e",
            "location": "westeurope", "tags": {"owner": "team-a", "costCenter": "1"},
            "sku": {"name": "StandardV2", "capacity": 2},
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {id.to_lowercase(): {"principalId": "p"}, "/other": {}}},
            "properties": {"provisioningState": "Succeeded", "publisherEmail": "old@x.com", "hostnameConfigurations": [{"hostName": "api.contoso.com"}]}
        });
        let desired = json!({
            "location": "westeurope", "tags": {"costCenter": "2"},
            "sku": {"name": "StandardV2", "capacity": 1},
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {id: {}}},
            "properties": {"publisherEmail": "new@x.com"}
        });
        let body = update_body(&current, &desired);
        assert_eq!(body.get("id"), None);
        assert_eq!(body.get("etag"), None);
        assert_eq!(body["tags"], json!({"owner": "team-a", "costCenter": "2"}));
        assert_eq!(body["sku"]["capacity"], 1);
        assert_eq!(body["properties"]["publisherEmail"], "new@x.com");
        assert_eq!(
            body["properties"]["hostnameConfigurations"][0]["hostName"],
            "api.contoso.com"
        );
        assert_eq!(body["properties"].get("provisioningState"), None);
        let identities = body["identity"]["userAssignedIdentities"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            identities.len(),
            2,
            "one entry per identity whatever the casing: {identities:?}"
        );
        assert!(identities.contains_key(id) && identities.contains_key("/other"));
    }
}
