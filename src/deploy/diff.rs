//! Compares what aigw wants with what ARM has, looking only at the fields aigw sets, by the
//! comparison rules of the resource's kind ([`ResourceKind::comparison`]).
//!
//! Server-added fields and read-only properties are ignored (they are absent from the desired
//! body); fields a GET does not return as written (write instructions, secrets) are never
//! compared. ARM ids compare ignoring case wherever they appear (ARM returns `resourcegroups` in
//! some ids), the top-level `location` ignoring case and spaces, the fields the kind names
//! ignoring case, everything else exactly; object keys match ignoring case (ids as keys come back
//! re-cased; tag names are case-insensitive, tag values are not).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::kind::{Comparison, FieldPattern, ResourceKind, Step, When};
use crate::plan::DeferredRef;

/// A change is part of the run's result, so the report owns the type.
pub use crate::report::FieldChange;

/// Every field of `desired` that `actual` does not match, by the rules of `kind`.
pub fn changes_for(kind: ResourceKind, desired: &Value, actual: &Value) -> Vec<FieldChange> {
    let rules = kind.comparison();
    let desired = comparable(&rules, desired);
    let (desired, actual) = match rules.policy_xml {
        Some(field) => (
            normalized_policy(&desired, field),
            normalized_policy(actual, field),
        ),
        None => (desired, Cow::Borrowed(actual)),
    };
    walk(&rules, &desired, &actual)
}

/// `desired` without the write-only fields of its kind.
fn comparable<'a>(rules: &Comparison, desired: &'a Value) -> Cow<'a, Value> {
    let mut out = Cow::Borrowed(desired);
    for entry in rules.write_only {
        let applies = match entry.when {
            When::Always => true,
            When::DesiredIsTrue(flag) => flag
                .pointer()
                .is_some_and(|p| desired.pointer(&p) == Some(&Value::Bool(true))),
        };
        if applies
            && let Some(pointer) = entry.field.pointer()
            && desired.pointer(&pointer).is_some()
        {
            remove(out.to_mut(), &pointer);
        }
    }
    out
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

/// The body with its policy XML in the comparable form of [`crate::policy::normalize_xml`].
fn normalized_policy<'a>(body: &'a Value, field: FieldPattern) -> Cow<'a, Value> {
    let Some(pointer) = field.pointer() else {
        return Cow::Borrowed(body);
    };
    match body.pointer(&pointer) {
        Some(Value::String(xml)) => {
            let normalized = crate::policy::normalize_xml(xml);
            let mut body = body.clone();
            if let Some(slot) = body.pointer_mut(&pointer) {
                *slot = Value::String(normalized);
            }
            Cow::Owned(body)
        }
        _ => Cow::Borrowed(body),
    }
}

fn walk(rules: &Comparison, desired: &Value, actual: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    Walk {
        rules,
        out: &mut out,
    }
    .walk(desired, Some(actual), &mut Vec::new());
    out
}

struct Walk<'r> {
    rules: &'r Comparison,
    out: &'r mut Vec<FieldChange>,
}

impl Walk<'_> {
    fn walk<'v>(&mut self, desired: &'v Value, actual: Option<&Value>, path: &mut Vec<Step<'v>>) {
        if DeferredRef::from_placeholder(desired).is_some() {
            // Not known yet (live plan before the producing resource exists).
            self.out.push(FieldChange {
                path: shown(path),
                from: actual.cloned(),
                to: None,
            });
            return;
        }
        match (desired, actual) {
            (Value::Object(want), Some(Value::Object(have))) => {
                for (k, v) in want {
                    path.push(Step::Key(k));
                    self.walk(v, lookup(have, k), path);
                    path.pop();
                }
            }
            (Value::Array(want), Some(Value::Array(have))) if want.len() == have.len() => {
                for (i, (w, h)) in want.iter().zip(have).enumerate() {
                    path.push(Step::Index(i));
                    self.walk(w, Some(h), path);
                    path.pop();
                }
            }
            (want, Some(have)) if self.scalar_equal(want, have, path) => {}
            (want, have) => {
                self.out.push(FieldChange {
                    path: shown(path),
                    from: have.cloned(),
                    to: Some(want.clone()),
                });
            }
        }
    }

    fn scalar_equal(&self, want: &Value, have: &Value, path: &[Step<'_>]) -> bool {
        match (want, have) {
            (Value::String(w), Value::String(h)) => {
                w == h
                    || ((looks_like_arm_id(w)
                        || self.rules.ignore_case.iter().any(|f| f.matches(path)))
                        && w.eq_ignore_ascii_case(h))
                    || (LOCATION.matches(path) && normalize_location(w) == normalize_location(h))
            }
            (Value::Number(w), Value::Number(h)) => w.as_f64() == h.as_f64(),
            _ => want == have,
        }
    }
}

/// A tracked resource's own location (not a field called `location` elsewhere, such as a tag).
const LOCATION: FieldPattern = FieldPattern("location");

/// `sku.capacity`, `properties.pool.services[2].priority`.
fn shown(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Exact key, else a key equal ignoring case (ARM ids as keys come back re-cased).
fn lookup<'a>(have: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    have.get(key).or_else(|| {
        have.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The rules every kind shares (ids, the top-level location), without a kind's own.
    fn changes(desired: &Value, actual: &Value) -> Vec<FieldChange> {
        const NO_RULES: Comparison = Comparison {
            ignore_case: &[],
            write_only: &[],
            policy_xml: None,
        };
        walk(&NO_RULES, desired, actual)
    }

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
    fn a_tag_called_name_or_location_compares_exactly() {
        // Tag values are case-sensitive; the kind's case rules hold for paths, not key names.
        let desired = json!({"location": "westeurope", "tags": {"name": "Gateway", "location": "West Europe"}});
        let actual = json!({"location": "West Europe", "tags": {"name": "gateway", "location": "westeurope"}});
        let paths: Vec<String> = changes_for(ResourceKind::ApiManagement, &desired, &actual)
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(paths, ["tags.name", "tags.location"]);
        // Tag names are case-insensitive: a re-cased name with the same value is unchanged.
        let renamed = json!({"location": "westeurope", "tags": {"Name": "Gateway", "LOCATION": "West Europe"}});
        assert_eq!(
            changes_for(ResourceKind::ApiManagement, &desired, &renamed),
            vec![]
        );
    }

    #[test]
    fn names_and_enum_members_ignore_case_only_where_the_kind_says() {
        let desired = json!({"properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 30}});
        let echoed = json!({"properties": {"sku": {"name": "pergb2018"}, "retentionInDays": 30}});
        assert_eq!(
            changes_for(ResourceKind::LogAnalyticsWorkspace, &desired, &echoed),
            vec![]
        );
        // The same path means nothing special for another kind.
        assert_eq!(
            changes_for(ResourceKind::ManagedIdentity, &desired, &echoed).len(),
            1
        );
        let desired = json!({"properties": {"schema": {"name": "T_CL", "columns": [{"name": "TimeGenerated", "type": "dateTime"}]}}});
        let echoed = json!({"properties": {"schema": {"name": "T_CL", "columns": [{"name": "TimeGenerated", "type": "datetime"}]}}});
        assert_eq!(
            changes_for(ResourceKind::CustomTable, &desired, &echoed),
            vec![]
        );
    }

    #[test]
    fn write_instructions_and_secrets_are_never_compared() {
        let policy = json!({"properties": {"format": "rawxml", "value": "<policies/>"}});
        let stored = json!({"properties": {"value": "<policies />"}});
        assert_eq!(
            changes_for(ResourceKind::ApiPolicy, &policy, &stored),
            vec![]
        );
        let secret = json!({"properties": {"displayName": "k", "value": "s3cr3t", "secret": true}});
        let read = json!({"properties": {"displayName": "k", "secret": true}});
        assert_eq!(
            changes_for(ResourceKind::NamedValue, &secret, &read),
            vec![]
        );
        // A plain named value is returned by a GET, so its value is compared.
        let plain = json!({"properties": {"displayName": "k", "value": "v", "secret": false}});
        let other = json!({"properties": {"displayName": "k", "value": "w", "secret": false}});
        assert_eq!(
            changes_for(ResourceKind::NamedValue, &plain, &other)[0].path,
            "properties.value"
        );
        // Other kinds keep their `format` (a model deployment's model format is stored).
        let model = json!({"properties": {"model": {"format": "OpenAI"}, "format": "x"}});
        let without = json!({"properties": {"model": {"format": "OpenAI"}}});
        assert_eq!(
            changes_for(ResourceKind::ModelDeployment, &model, &without)[0].path,
            "properties.format"
        );
    }

    #[test]
    fn a_policy_read_back_as_apim_stores_it_is_unchanged() {
        let fragment = ResourceKind::PolicyFragment;
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
