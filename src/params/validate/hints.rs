//! Examples in help texts, written in the syntax of the file being checked: a `.bicepparam`
//! user reads `add param environment = 'acc'`, a JSON user `add "environment": { "value": "acc" }`.

use serde_json::Value as Json;

use crate::params::ParamFormat;

/// Written as `...` (not as a string) in an example.
pub const MORE: &str = "...";

#[derive(Clone, Copy, Debug)]
pub struct Hints(pub ParamFormat);

impl Hints {
    /// A whole parameter: `param name = value`, or the `parameters` entry in JSON.
    pub fn param(self, name: &str, value: &Json) -> String {
        match self.0 {
            ParamFormat::Bicepparam => format!("param {name} = {}", self.value(value)),
            ParamFormat::Json => {
                format!("\"{name}\": {{ \"value\": {} }}", self.value(value))
            }
        }
    }

    /// "add ..." for a missing parameter.
    pub fn add_param(self, name: &str, value: &Json) -> String {
        match self.0 {
            ParamFormat::Bicepparam => format!("add `{}`", self.param(name, value)),
            ParamFormat::Json => format!("add `{}` to `parameters`", self.param(name, value)),
        }
    }

    /// One property of an object: `name: value`, or `"name": value` in JSON.
    pub fn field(self, name: &str, value: &Json) -> String {
        match self.0 {
            ParamFormat::Bicepparam => format!("{name}: {}", self.value(value)),
            ParamFormat::Json => format!("\"{name}\": {}", self.value(value)),
        }
    }

    /// A string literal: `'text'`, or `"text"` in JSON.
    pub fn string(self, text: &str) -> String {
        self.value(&Json::String(text.to_string()))
    }

    /// Any example value; the string [`MORE`] stands for "more of the same" and is written bare.
    pub fn value(self, value: &Json) -> String {
        match value {
            Json::String(s) if s == MORE => MORE.to_string(),
            Json::String(s) => match self.0 {
                ParamFormat::Bicepparam => {
                    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
                }
                ParamFormat::Json => Json::String(s.clone()).to_string(),
            },
            Json::Array(items) if items.is_empty() => "[]".to_string(),
            Json::Array(items) => {
                let items: Vec<String> = items.iter().map(|v| self.value(v)).collect();
                format!("[ {} ]", items.join(", "))
            }
            Json::Object(fields) if fields.is_empty() => "{}".to_string(),
            Json::Object(fields) => {
                let fields: Vec<String> = fields.iter().map(|(k, v)| self.field(k, v)).collect();
                format!("{{ {} }}", fields.join(", "))
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BICEP: Hints = Hints(ParamFormat::Bicepparam);
    const JSON: Hints = Hints(ParamFormat::Json);

    #[test]
    fn examples_follow_the_file_format() {
        let region =
            json!([{ "name": "westeurope", "abbreviation": "weu", "deployments": [MORE] }]);
        assert_eq!(
            BICEP.add_param("openAILocations", &region),
            "add `param openAILocations = [ { name: 'westeurope', abbreviation: 'weu', deployments: [ ... ] } ]`"
        );
        assert_eq!(
            JSON.add_param("openAILocations", &region),
            "add `\"openAILocations\": { \"value\": [ { \"name\": \"westeurope\", \"abbreviation\": \"weu\", \"deployments\": [ ... ] } ] }` to `parameters`"
        );
        assert_eq!(BICEP.field("skuCapacity", &json!(10)), "skuCapacity: 10");
        assert_eq!(JSON.field("skuCapacity", &json!(10)), "\"skuCapacity\": 10");
        assert_eq!(BICEP.string("it's"), r"'it\'s'");
        assert_eq!(JSON.string("a\"b"), r#""a\"b""#);
    }
}
