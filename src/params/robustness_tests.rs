//! Property tests: no input, however malformed, makes parsing or validation panic or hang.

use proptest::prelude::*;

use super::{LoadOptions, ParamFormat, load_text};
use crate::source::SourceFile;

const EXAMPLE: &str = include_str!("../../examples/main.acc.parameters.bicepparam");
const EXAMPLE_JSON: &str = include_str!("../../examples/main.acc.parameters.json");

/// Fragments real parameter files are made of, recombined at random.
const BICEP_PIECES: &[&str] = &[
    "param ",
    "using ",
    "var ",
    "x",
    "suffix",
    "environment",
    "openAILocations",
    " = ",
    "'",
    "'a'",
    "'''",
    "${",
    "}",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ":",
    ",",
    "\n",
    "\r\n",
    " ",
    "//c\n",
    "/*",
    "*/",
    "\\",
    "\\u{",
    "-",
    "1",
    "99999999999999999999",
    "true",
    "null",
    "readEnvironmentVariable(",
    "az.getSecret(",
    "?",
    "==",
    ".",
    "@",
    "\"",
    "é",
    "\u{feff}",
    "name: 'westeurope'",
    "deployments: [",
    "skuCapacity: ",
];

fn run(text: &str, format: ParamFormat) {
    let file = SourceFile::new("fuzz", text);
    if let Err(diagnostics) = load_text(file, format, &LoadOptions::default()) {
        // Rendering must not panic either (spans may point anywhere).
        let _ = diagnostics.render(false);
        let _ = diagnostics.located();
    }
}

fn mutate(base: &str, edits: &[(usize, u8)]) -> String {
    let mut bytes = base.as_bytes().to_vec();
    for (position, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = position % bytes.len();
        bytes[i] = *byte;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        run(&text, ParamFormat::Bicepparam);
        run(&text, ParamFormat::Json);
    }

    #[test]
    fn bicepparam_shaped_input_never_panics(pieces in proptest::collection::vec(0..BICEP_PIECES.len(), 0..120)) {
        let text: String = pieces.iter().map(|i| BICEP_PIECES[*i]).collect();
        run(&text, ParamFormat::Bicepparam);
    }

    #[test]
    fn mutated_examples_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12)) {
        run(&mutate(EXAMPLE, &edits), ParamFormat::Bicepparam);
        run(&mutate(EXAMPLE_JSON, &edits), ParamFormat::Json);
    }

    #[test]
    fn json_values_of_any_shape_never_panic(value in json_value()) {
        let text = serde_json::json!({ "parameters": { "openAILocations": { "value": value.clone() }, "suffix": { "value": value } } }).to_string();
        run(&text, ParamFormat::Json);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
        prop_oneof![
            Just("westeurope"),
            Just("weu"),
            Just("GlobalStandard"),
            Just("gpt-4o")
        ]
        .prop_map(|s| serde_json::json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("abbreviation".to_string()),
                    Just("deployments".to_string()),
                    Just("deploymentName".to_string()),
                    Just("skuCapacity".to_string()),
                    Just("priority".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
