//! The policies aigw ships pass every check.

use std::collections::BTreeSet;
use std::path::Path;

use super::super::*;
use super::render;
use crate::naming::NamedValue;

#[test]
fn every_shipped_policy_passes_the_static_checks() {
    let files = embedded();
    assert_eq!(files.len(), 9);
    let problems = check(&files);
    assert!(problems.is_empty(), "{}", render(&problems));
}

#[test]
fn every_shipped_expression_balances_and_the_rest_is_xml() {
    let mut total = 0;
    for policy in embedded() {
        let file = crate::source::SourceFile::new(policy.path.clone(), policy.text.clone());
        let scanned = scan(&file);
        assert!(
            scanned.problems.is_empty(),
            "{}: {:?}",
            policy.path,
            scanned.problems
        );
        assert!(
            scanned.expressions.iter().all(|e| e.balanced),
            "{}",
            policy.path
        );
        assert_eq!(scanned.masked.len(), policy.text.len());
        assert_eq!(
            scanned.masked.lines().count(),
            policy.text.lines().count(),
            "{}",
            policy.path
        );
        assert!(
            roxmltree::Document::parse(&scanned.masked).is_ok(),
            "{} is not XML once its expressions are set aside",
            policy.path
        );
        total += scanned.expressions.len();
    }
    // 50 expressions across the nine files when this test was written; most are attributes.
    assert!(total >= 50, "only {total} expressions found");
}

#[test]
fn the_policies_use_exactly_the_named_values_the_stack_creates() {
    let used = named_values_used(&embedded());
    let created: BTreeSet<String> = NamedValue::ALL.map(|v| v.id().to_string()).into();
    assert_eq!(used, created);
}

#[test]
fn embedded_files_are_the_policies_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let loaded = load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let embedded = embedded();
    let shape = |files: &[PolicyFile]| -> Vec<(PolicyKind, String)> {
        files
            .iter()
            .map(|f| (f.kind.clone(), f.text.clone()))
            .collect()
    };
    assert_eq!(
        shape(&loaded),
        shape(&embedded),
        "a file in policies/ is not embedded (files.rs) or differs"
    );
    for (l, e) in loaded.iter().zip(&embedded) {
        assert!(l.path.ends_with(&e.path), "{} / {}", l.path, e.path);
    }
}

#[test]
fn fragments_deploy_before_the_api_policies() {
    let files = embedded();
    let order: Vec<&PolicyKind> = deploy_order(&files).into_iter().map(|f| &f.kind).collect();
    let first_api = order
        .iter()
        .position(|k| matches!(k, PolicyKind::Api { .. }))
        .unwrap_or(order.len());
    assert_eq!(first_api, 7, "{order:?}");
    assert!(
        order[first_api..]
            .iter()
            .all(|k| matches!(k, PolicyKind::Api { .. }))
    );
    assert_eq!(
        order[first_api..],
        [
            &PolicyKind::Api {
                api_id: "openai".into()
            },
            &PolicyKind::Api {
                api_id: "v1".into()
            }
        ]
    );
}

#[test]
fn every_fragment_is_included_and_fits_the_fragment_size_limit() {
    let files = embedded();
    let api_text: String = files
        .iter()
        .filter(|f| f.api_id().is_some())
        .map(|f| f.text.as_str())
        .collect();
    for file in files.iter().filter(|f| f.fragment_id().is_some()) {
        let id = file.fragment_id().unwrap_or_default();
        assert!(
            api_text.contains(&format!("fragment-id=\"{id}\"")),
            "{id} is never included"
        );
        assert!(file.text.len() <= MAX_FRAGMENT_BYTES, "{id}");
    }
}

#[test]
fn load_dir_reports_a_missing_api_policy() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    match load_dir(dir.path()) {
        Err(LoadError::MissingApiPolicy { file, .. }) => assert_eq!(file, "aoai-policy.xml"),
        other => panic!("{other:?}"),
    }
}
