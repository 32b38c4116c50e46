//! Validation of a JSON value against an OpenAPI 2.0 schema as Azure specs use it: `$ref`
//! across files, `allOf`, `required`, types, enums, read-only properties, unknown properties,
//! string and number limits.
//!
//! Stricter than ARM in two ways, on purpose, because it checks what aigw itself sends: enum
//! values must be listed even when `x-ms-enum.modelAsString` would let others through (except
//! custom DCR stream names), and a property the schema does not define is an error unless
//! `additionalProperties` allows it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::SpecSet;

/// One problem with a request, at a dotted path into the body (empty for the root).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

pub(super) struct Resolver<'a> {
    pub specs: &'a SpecSet,
    /// ARM's own rule for PUT bodies: a GET response must be accepted back as a PUT body, so
    /// read-only values and nulls are ignored. Off when checking what aigw plans to send.
    pub as_arm: bool,
}

/// A schema with `$ref` and `allOf` flattened.
#[derive(Default)]
struct Flat<'a> {
    /// An unresolvable reference: accept anything.
    any: bool,
    kind: Option<&'a str>,
    enumeration: Option<&'a Vec<Value>>,
    /// `x-ms-enum.modelAsString`: the list names the known values of an open set. The one
    /// documented extension aigw uses is custom DCR streams (`Custom-<table>`), accepted here.
    extensible: bool,
    properties: BTreeMap<&'a str, (&'a str, &'a Value)>,
    required: Vec<&'a str>,
    additional: Option<(&'a str, &'a Value)>,
    items: Option<(&'a str, &'a Value)>,
    read_only: bool,
    format: Option<&'a str>,
    pattern: Option<&'a str>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
}

/// Stand-ins for the global common-types definitions, which are referenced but not copied.
fn common_type(name: &str) -> Option<&'static Value> {
    use std::sync::OnceLock;
    static TYPES: OnceLock<BTreeMap<&'static str, Value>> = OnceLock::new();
    let types = TYPES.get_or_init(|| {
        let read_only = json!({ "type": "string", "readOnly": true });
        let system_data = json!({ "type": "object", "readOnly": true });
        let resource = json!({
            "type": "object",
            "properties": { "id": read_only, "name": read_only, "type": read_only, "systemData": system_data }
        });
        let mut tracked = resource.clone();
        tracked["properties"]["tags"] = json!({ "type": "object", "additionalProperties": { "type": "string" } });
        tracked["properties"]["location"] = json!({ "type": "string" });
        tracked["required"] = json!(["location"]);
        let mut entity = resource.clone();
        entity["properties"]["etag"] = read_only.clone();
        let identity = json!({
            "type": "object",
            "properties": {
                "principalId": read_only, "tenantId": read_only,
                "type": { "type": "string", "enum": ["None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"] },
                "userAssignedIdentities": { "type": "object", "additionalProperties": {
                    "type": "object", "properties": { "principalId": read_only, "clientId": read_only } } }
            },
            "required": ["type"]
        });
        BTreeMap::from([
            ("Resource", resource.clone()),
            ("ProxyResource", resource.clone()),
            ("TrackedResource", tracked),
            ("AzureEntityResource", entity),
            ("systemData", system_data),
            ("ManagedServiceIdentity", identity),
        ])
    });
    types.get(name)
}

impl<'a> Resolver<'a> {
    pub fn validate(
        &self,
        file: &'a str,
        schema: &'a Value,
        value: &Value,
        at: &str,
        out: &mut Vec<Violation>,
    ) {
        let flat = self.flatten(file, schema, 0);
        if flat.any {
            return;
        }
        let mut report = |message: String| {
            out.push(Violation {
                path: at.to_string(),
                message,
            })
        };
        if flat.read_only {
            if !self.as_arm {
                report("is read-only and must not be sent".into());
            }
            return;
        }
        if value.is_null() && self.as_arm {
            return;
        }
        if value.is_null() {
            // Azure specs mark nullability with x-nullable, inconsistently; null is never sent by
            // aigw, so reject it outright.
            report("must not be null".into());
            return;
        }
        if let Some(values) = flat.enumeration
            && !values.contains(value)
            && !(flat.extensible && value.as_str().is_some_and(|v| v.starts_with("Custom-")))
        {
            let listed: Vec<String> = values.iter().map(Value::to_string).collect();
            report(format!("{value} is not one of {}", listed.join(", ")));
        }
        let kind = flat
            .kind
            .or(if flat.properties.is_empty() && flat.additional.is_none() {
                None
            } else {
                Some("object")
            });
        match kind {
            Some("object") => self.object(&flat, value, at, out),
            Some("array") => self.array(&flat, value, at, out),
            Some("string") => string(&flat, value, at, out),
            Some("integer") => number(&flat, value, at, out, true),
            Some("number") => number(&flat, value, at, out, false),
            Some("boolean") if !value.is_boolean() => {
                out.push(Violation {
                    path: at.into(),
                    message: format!("expected a boolean, found {value}"),
                });
            }
            _ => {}
        }
    }

    fn object(&self, flat: &Flat<'a>, value: &Value, at: &str, out: &mut Vec<Violation>) {
        let Some(map) = value.as_object() else {
            out.push(Violation {
                path: at.into(),
                message: format!("expected an object, found {value}"),
            });
            return;
        };
        for required in &flat.required {
            if !map.contains_key(*required) {
                out.push(Violation {
                    path: join(at, required),
                    message: "is required".into(),
                });
            }
        }
        for (key, item) in map {
            let here = join(at, key);
            match (flat.properties.get(key.as_str()), flat.additional) {
                (Some((file, schema)), _) => self.validate(file, schema, item, &here, out),
                (None, Some((file, schema))) => match schema {
                    Value::Bool(true) => {}
                    Value::Bool(false) => out.push(Violation {
                        path: here,
                        message: "is not a known property".into(),
                    }),
                    schema => self.validate(file, schema, item, &here, out),
                },
                (None, None) => out.push(Violation {
                    path: here,
                    message: "is not a known property".into(),
                }),
            }
        }
    }

    fn array(&self, flat: &Flat<'a>, value: &Value, at: &str, out: &mut Vec<Violation>) {
        let Some(items) = value.as_array() else {
            out.push(Violation {
                path: at.into(),
                message: format!("expected an array, found {value}"),
            });
            return;
        };
        let len = items.len() as u64;
        if flat.min_items.is_some_and(|m| len < m) || flat.max_items.is_some_and(|m| len > m) {
            out.push(Violation {
                path: at.into(),
                message: format!(
                    "has {len} items; allowed {}..{}",
                    fmt_opt(flat.min_items),
                    fmt_opt(flat.max_items)
                ),
            });
        }
        if let Some((file, schema)) = flat.items {
            for (i, item) in items.iter().enumerate() {
                self.validate(file, schema, item, &format!("{at}[{i}]"), out);
            }
        }
    }

    /// Resolves `$ref` and merges `allOf` (depth-limited against reference cycles).
    fn flatten(&self, file: &'a str, schema: &'a Value, depth: usize) -> Flat<'a> {
        let mut flat = Flat::default();
        if depth > 32 {
            flat.any = true;
            return flat;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = self.specs.resolve(file, reference).or_else(|| {
                let name = reference.rsplit('/').next()?;
                common_type(name).map(|v| (file, v))
            });
            return match target {
                Some((target_file, target)) => self.flatten(target_file, target, depth + 1),
                None => {
                    flat.any = true;
                    flat
                }
            };
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let inner = self.flatten(file, part, depth + 1);
            if inner.any {
                flat.any = true;
            }
            flat.properties.extend(inner.properties);
            flat.required.extend(inner.required);
            flat.kind = flat.kind.or(inner.kind);
            flat.additional = flat.additional.or(inner.additional);
        }
        flat.kind = schema.get("type").and_then(Value::as_str).or(flat.kind);
        flat.enumeration = schema.get("enum").and_then(Value::as_array);
        flat.extensible = schema
            .pointer("/x-ms-enum/modelAsString")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                flat.properties.insert(name, (file, property));
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            flat.required
                .extend(required.iter().filter_map(Value::as_str));
        }
        if let Some(additional) = schema.get("additionalProperties") {
            flat.additional = Some((file, additional));
        }
        flat.items = schema.get("items").map(|i| (file, i));
        flat.read_only = schema
            .get("readOnly")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        flat.format = schema.get("format").and_then(Value::as_str);
        flat.pattern = schema.get("pattern").and_then(Value::as_str);
        flat.min_length = schema.get("minLength").and_then(Value::as_u64);
        flat.max_length = schema.get("maxLength").and_then(Value::as_u64);
        flat.minimum = schema.get("minimum").and_then(Value::as_f64);
        flat.maximum = schema.get("maximum").and_then(Value::as_f64);
        flat.min_items = schema.get("minItems").and_then(Value::as_u64);
        flat.max_items = schema.get("maxItems").and_then(Value::as_u64);
        flat
    }
}

fn string(flat: &Flat<'_>, value: &Value, at: &str, out: &mut Vec<Violation>) {
    let Some(s) = value.as_str() else {
        out.push(Violation {
            path: at.into(),
            message: format!("expected a string, found {value}"),
        });
        return;
    };
    check_string(
        s,
        flat.min_length,
        flat.max_length,
        flat.pattern,
        flat.format,
        at,
        out,
    );
}

fn check_string(
    s: &str,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<&str>,
    format: Option<&str>,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let len = s.chars().count() as u64;
    if min_length.is_some_and(|m| len < m) || max_length.is_some_and(|m| len > m) {
        out.push(Violation {
            path: at.into(),
            message: format!(
                "is {len} characters; allowed {}..{}",
                fmt_opt(min_length),
                fmt_opt(max_length)
            ),
        });
    }
    // Spec patterns are .NET regexes; the ones that do not compile in Rust are skipped.
    if let Some(pattern) = pattern
        && let Ok(regex) = regex::Regex::new(pattern)
        && !regex.is_match(s)
    {
        out.push(Violation {
            path: at.into(),
            message: format!("`{s}` does not match {pattern}"),
        });
    }
    let format_ok = match format {
        Some("arm-id") => s.starts_with("/subscriptions/") || s.starts_with("/providers/"),
        Some("duration") => s.starts_with('P') && s.len() > 1,
        Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
        _ => true,
    };
    if !format_ok {
        out.push(Violation {
            path: at.into(),
            message: format!("`{s}` is not a valid {}", format.unwrap_or("")),
        });
    }
}

fn number(flat: &Flat<'_>, value: &Value, at: &str, out: &mut Vec<Violation>, integer: bool) {
    let Some(n) = value.as_f64() else {
        out.push(Violation {
            path: at.into(),
            message: format!("expected a number, found {value}"),
        });
        return;
    };
    if integer && !(value.is_i64() || value.is_u64()) {
        out.push(Violation {
            path: at.into(),
            message: format!("expected an integer, found {value}"),
        });
        return;
    }
    if integer
        && flat.format == Some("int32")
        && (n < f64::from(i32::MIN) || n > f64::from(i32::MAX))
    {
        out.push(Violation {
            path: at.into(),
            message: format!("{value} does not fit int32"),
        });
    }
    if flat.minimum.is_some_and(|m| n < m) || flat.maximum.is_some_and(|m| n > m) {
        out.push(Violation {
            path: at.into(),
            message: format!(
                "{value} is outside {}..{}",
                fmt_opt(flat.minimum),
                fmt_opt(flat.maximum)
            ),
        });
    }
}

/// Checks a path segment against its `in: path` parameter's rules.
pub(super) fn check_path_parameter(
    name: &str,
    value: &str,
    parameter: &Value,
    out: &mut Vec<Violation>,
) {
    check_string(
        value,
        parameter.get("minLength").and_then(Value::as_u64),
        parameter.get("maxLength").and_then(Value::as_u64),
        parameter.get("pattern").and_then(Value::as_str),
        None,
        &format!("{{{name}}}"),
        out,
    );
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn fmt_opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
