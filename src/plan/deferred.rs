//! Values only known after a resource exists (principal ids, endpoints, immutable ids).
//!
//! In a plan body a deferred value is the JSON object `{"$deferred": "<key>"}`; the engine
//! replaces it with the value read from the producing resource before the write.

use std::fmt;

use serde_json::{Map, Value, json};

/// The JSON key that marks a deferred value in a planned body.
pub const MARKER: &str = "$deferred";

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeferredRef {
    IdentityPrincipalId,
    IdentityClientId,
    DceLogsIngestionEndpoint,
    DcrImmutableId,
    /// The AI Foundry account endpoint of one region (by abbreviation).
    AccountEndpoint(String),
    /// The AI Foundry project endpoint of one region (by abbreviation).
    ProjectEndpoint(String),
    GatewayUrl,
    /// The attached policy of one API (by API id): its resource id.
    PolicyAttached(String),
}

impl DeferredRef {
    /// Stable key used in plan JSON, e.g. `identity.principalId`, `account.weu.endpoint`.
    pub fn key(&self) -> String {
        match self {
            DeferredRef::IdentityPrincipalId => "identity.principalId".into(),
            DeferredRef::IdentityClientId => "identity.clientId".into(),
            DeferredRef::DceLogsIngestionEndpoint => "dce.logsIngestionEndpoint".into(),
            DeferredRef::DcrImmutableId => "dcr.immutableId".into(),
            DeferredRef::AccountEndpoint(abbr) => format!("account.{abbr}.endpoint"),
            DeferredRef::ProjectEndpoint(abbr) => format!("project.{abbr}.endpoint"),
            DeferredRef::GatewayUrl => "apim.gatewayUrl".into(),
            DeferredRef::PolicyAttached(api) => format!("policy.{api}.id"),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Some(match key {
            "identity.principalId" => DeferredRef::IdentityPrincipalId,
            "identity.clientId" => DeferredRef::IdentityClientId,
            "dce.logsIngestionEndpoint" => DeferredRef::DceLogsIngestionEndpoint,
            "dcr.immutableId" => DeferredRef::DcrImmutableId,
            "apim.gatewayUrl" => DeferredRef::GatewayUrl,
            _ => {
                let (kind, rest) = key.split_once('.')?;
                let (name, property) = rest.rsplit_once('.')?;
                if name.is_empty() || name.contains('.') {
                    return None;
                }
                match (kind, property) {
                    ("account", "endpoint") => DeferredRef::AccountEndpoint(name.to_string()),
                    ("project", "endpoint") => DeferredRef::ProjectEndpoint(name.to_string()),
                    ("policy", "id") => DeferredRef::PolicyAttached(name.to_string()),
                    _ => return None,
                }
            }
        })
    }

    /// Where the value sits in the producing resource's GET/PUT response (RFC 6901 pointer).
    pub fn json_pointer(&self) -> &'static str {
        match self {
            DeferredRef::IdentityPrincipalId => "/properties/principalId",
            DeferredRef::IdentityClientId => "/properties/clientId",
            DeferredRef::DceLogsIngestionEndpoint => "/properties/logsIngestion/endpoint",
            DeferredRef::DcrImmutableId => "/properties/immutableId",
            DeferredRef::AccountEndpoint(_) => "/properties/endpoint",
            // The project endpoint map is keyed by API name; "AI Foundry API" is the project URL.
            DeferredRef::ProjectEndpoint(_) => "/properties/endpoints/AI Foundry API",
            DeferredRef::GatewayUrl => "/properties/gatewayUrl",
            DeferredRef::PolicyAttached(_) => "/id",
        }
    }

    /// The placeholder put into planned bodies.
    pub fn placeholder(&self) -> Value {
        json!({ MARKER: self.key() })
    }

    /// The reference a JSON value stands for, if it is a placeholder.
    pub fn from_placeholder(value: &Value) -> Option<Result<Self, String>> {
        let object = value.as_object()?;
        if object.len() != 1 {
            return None;
        }
        let key = object.get(MARKER)?.as_str()?;
        Some(DeferredRef::parse(key).ok_or_else(|| key.to_string()))
    }
}

impl fmt::Display for DeferredRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl serde::Serialize for DeferredRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

/// Every deferred reference inside `value`, in document order.
pub fn references(value: &Value) -> Vec<DeferredRef> {
    let mut out = Vec::new();
    collect(value, &mut out);
    out
}

fn collect(value: &Value, out: &mut Vec<DeferredRef>) {
    if let Some(Ok(reference)) = DeferredRef::from_placeholder(value) {
        out.push(reference);
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

/// Replaces every placeholder using `lookup`; the first reference it cannot resolve is returned.
pub fn resolve(
    value: &Value,
    lookup: &dyn Fn(&DeferredRef) -> Option<Value>,
) -> Result<Value, DeferredRef> {
    if let Some(Ok(reference)) = DeferredRef::from_placeholder(value) {
        return lookup(&reference).ok_or(reference);
    }
    Ok(match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(v, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), resolve(v, lookup)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for r in [
            DeferredRef::IdentityPrincipalId,
            DeferredRef::IdentityClientId,
            DeferredRef::DceLogsIngestionEndpoint,
            DeferredRef::DcrImmutableId,
            DeferredRef::AccountEndpoint("weu".into()),
            DeferredRef::ProjectEndpoint("sec-2".into()),
            DeferredRef::GatewayUrl,
            DeferredRef::PolicyAttached("openai".into()),
        ] {
            assert_eq!(DeferredRef::parse(&r.key()), Some(r.clone()));
            assert_eq!(DeferredRef::from_placeholder(&r.placeholder()), Some(Ok(r)));
        }
        assert_eq!(DeferredRef::parse("account..endpoint"), None);
        assert_eq!(DeferredRef::parse("nope"), None);
    }

    #[test]
    fn resolve_replaces_placeholders_and_reports_the_missing_one() {
        let body = json!({"a": [DeferredRef::IdentityClientId.placeholder()], "b": {"c": DeferredRef::GatewayUrl.placeholder()}});
        assert_eq!(
            references(&body),
            vec![DeferredRef::IdentityClientId, DeferredRef::GatewayUrl]
        );
        let resolved = resolve(&body, &|r| match r {
            DeferredRef::IdentityClientId => Some(json!("cid")),
            DeferredRef::GatewayUrl => Some(json!("https://g")),
            _ => None,
        });
        assert_eq!(resolved, Ok(json!({"a": ["cid"], "b": {"c": "https://g"}})));
        let missing = resolve(&body, &|r| {
            (r == &DeferredRef::IdentityClientId).then(|| json!("cid"))
        });
        assert_eq!(missing, Err(DeferredRef::GatewayUrl));
    }
}
