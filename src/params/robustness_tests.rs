//! Robustness of parameter parsing and validation against any input.
//!
//! Property tests (a fixed number of cases) check that nothing panics. The fuzz test runs for a
//! time budget (`AIGW_FUZZ_SECONDS`, default 20 s; CI runs it through `scripts/test`): it mutates
//! the hostile corpus in `tests/fixtures/hostile/` and the examples, and checks that every answer
//! is safe (no panic; the rendering is bounded, holds no raw control character and no line a CI
//! runner would execute) and that a file that passes yields a spec without control characters.
//! A failing input is shrunk by proptest and printed: add it to the corpus with its expected
//! outcome.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::{LoadOptions, ParamFormat, decode, load_text};
use crate::diagnostic::{Diagnostics, MAX_SHOWN, is_escaped};
use crate::source::SourceFile;
use crate::spec::StackSpec;

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

/// What hostile files put into otherwise valid ones.
const HOSTILE_PIECES: &[&str] = &[
    "\n::warning title=x::pwned\n",
    "\\n::error::x",
    "##vso[task.complete result=Succeeded]",
    "\u{1b}[31m",
    "\\u{1b}",
    "\u{7}",
    "\u{0}",
    "\u{202e}",
    "\u{2066}",
    "\u{2028}",
    "\u{feff}",
    "\r",
    "\t",
    "${environment}",
    "${openAILocations}",
    "'${p}${p}'",
    "GPT-4o",
    "Environment",
    "4294967296",
    "\"abbreviation\": \"x\", ",
    "abbreviation: 'x'\n",
    "[[[[[[[[[[[[[[[[",
    "]]]]]]]]]]]]]]]]",
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

/// The seeds: every file of the hostile corpus, and the examples.
fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name();
            name != "expected.json" && !name.to_string_lossy().starts_with('.')
        })
        .filter_map(|entry| std::fs::read(entry.path()).ok())
        .collect();
    seeds.push(EXAMPLE.as_bytes().to_vec());
    seeds.push(EXAMPLE_JSON.as_bytes().to_vec());
    seeds
}

/// One change to a seed; positions and lengths wrap around the input.
#[derive(Clone, Debug)]
enum Mutation {
    SetByte(usize, u8),
    Insert(usize, &'static str),
    Delete(usize, usize),
    /// Repeats a slice: more regions, more deployments, more problems.
    Repeat(usize, usize, usize),
    /// Puts a slice of another seed in.
    Splice(usize, usize, usize, usize),
}

fn mutation(seeds: usize) -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        proptest::sample::select(BICEP_PIECES),
        proptest::sample::select(HOSTILE_PIECES),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte(at, byte)),
        (any::<usize>(), piece).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (any::<usize>(), 0..64usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 1..400usize, 1..50usize)
            .prop_map(|(at, len, times)| Mutation::Repeat(at, len, times)),
        (0..seeds, any::<usize>(), 1..400usize, any::<usize>())
            .prop_map(|(seed, from, len, at)| Mutation::Splice(seed, from, len, at)),
    ]
}

fn apply(seeds: &[Vec<u8>], seed: usize, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seeds[seed].clone();
    for m in mutations {
        let at = |i: usize, bytes: &[u8]| {
            if bytes.is_empty() {
                0
            } else {
                i % (bytes.len() + 1)
            }
        };
        match m {
            Mutation::SetByte(i, byte) => {
                if !bytes.is_empty() {
                    let i = i % bytes.len();
                    bytes[i] = *byte;
                }
            }
            Mutation::Insert(i, piece) => {
                let i = at(*i, &bytes);
                bytes.splice(i..i, piece.bytes());
            }
            Mutation::Delete(i, len) => {
                let i = at(*i, &bytes);
                let end = (i + len).min(bytes.len());
                bytes.drain(i..end);
            }
            Mutation::Repeat(i, len, times) => {
                let i = at(*i, &bytes);
                let end = (i + len).min(bytes.len());
                let slice = bytes[i..end].to_vec();
                for _ in 0..*times {
                    bytes.splice(end..end, slice.iter().copied());
                }
            }
            Mutation::Splice(other, from, len, i) => {
                let source = &seeds[*other];
                let from = at(*from, source);
                let slice = source[from..(from + len).min(source.len())].to_vec();
                let i = at(*i, &bytes);
                bytes.splice(i..i, slice);
            }
        }
    }
    bytes
}

/// Rendered output may be at most this big per shown problem (escaped message, help, label and
/// path of at most 1000 characters each, and a three-line snippet).
const MAX_RENDERED_BYTES_PER_PROBLEM: usize = 24 * 1024;

fn assert_safe(diagnostics: &Diagnostics) {
    for color in [false, true] {
        let rendered = diagnostics.render(color);
        for line in rendered.lines() {
            let trimmed = line.trim_start();
            assert!(
                !trimmed.starts_with("::") && !trimmed.starts_with("##"),
                "a rendered line could act as a CI command: {line:?}"
            );
        }
        if !color {
            let raw = rendered.chars().find(|c| *c != '\n' && is_escaped(*c));
            assert_eq!(raw, None, "raw control character in:\n{rendered}");
        }
        let shown = diagnostics.len().min(MAX_SHOWN);
        assert!(
            rendered.len() <= shown * MAX_RENDERED_BYTES_PER_PROBLEM + 1024,
            "{} bytes for {shown} problems",
            rendered.len()
        );
    }
    for d in diagnostics.located() {
        for text in [Some(&d.message), d.help.as_ref(), d.path.as_ref()]
            .into_iter()
            .flatten()
        {
            assert!(!text.chars().any(is_escaped), "{text:?}");
        }
    }
}

/// A file that passes must not carry control characters into Azure.
fn assert_clean_spec(spec: &StackSpec) {
    let mut texts: Vec<&str> = vec![
        &spec.environment,
        &spec.suffix,
        &spec.location,
        &spec.publisher.email,
        &spec.publisher.name,
    ];
    texts.extend(spec.tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]));
    for region in &spec.regions {
        texts.push(&region.name);
        texts.push(&region.abbreviation);
        for d in &region.deployments {
            texts.extend([
                d.name.as_str(),
                &d.model_name,
                &d.model_version,
                &d.sku_name,
            ]);
        }
    }
    for text in texts {
        assert!(
            !text.chars().any(|c| c.is_control() || is_escaped(c)),
            "accepted {text:?}"
        );
    }
}

fn check(bytes: Vec<u8>) {
    let text = match decode("fuzz", bytes) {
        Ok(text) => text,
        Err(diagnostics) => {
            assert_safe(&diagnostics);
            return;
        }
    };
    for format in [ParamFormat::Bicepparam, ParamFormat::Json] {
        match load_text(
            SourceFile::new("fuzz", text.clone()),
            format,
            &LoadOptions::default(),
        ) {
            Ok(spec) => assert_clean_spec(&spec),
            Err(diagnostics) => assert_safe(&diagnostics),
        }
    }
}

fn fuzz_budget() -> Duration {
    let seconds = std::env::var("AIGW_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(20);
    Duration::from_secs(seconds)
}

#[test]
fn fuzz_the_corpus_for_a_time_budget() {
    let seeds = corpus();
    let input = (
        0..seeds.len(),
        proptest::collection::vec(mutation(seeds.len()), 0..8),
    );
    let budget = fuzz_budget();
    let deadline = Instant::now() + budget;
    let mut inputs = 0u64;
    // Rounds of a few cases each, so the budget is kept; proptest shrinks a failure in its round.
    while Instant::now() < deadline {
        let mut runner = TestRunner::new(Config {
            cases: 16,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&input, |(seed, mutations)| {
            check(apply(&seeds, seed, &mutations));
            Ok(())
        });
        if let Err(failure) = result {
            panic!(
                "fuzzing found an input that fails; add it to tests/fixtures/hostile: {failure}"
            );
        }
        inputs += 16;
    }
    eprintln!("fuzzed {inputs} inputs in {budget:?}");
}
