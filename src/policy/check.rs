//! Static checks over a set of policy files, the cross-file ones included: every expression
//! balanced, well-formed XML once expressions are set aside, API policy and fragment shape,
//! elements in the sections where APIM allows them (a fragment's elements against every section
//! that includes it), `<base />` placement, one `forward-request` per effective policy, fragment
//! ids that exist and are valid, fragment size, and named values that the stack creates.
//! Produces one [`Diagnostics`] per file that has problems; never panics.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use roxmltree::Document;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::naming::{NameKind, NamedValue};
use crate::source::{SourceFile, Span};
use crate::suggest::closest;

use super::csharp::{TokenKind, tokenize};
use super::elements::Section;
use super::expr::{Scan, scan};
use super::files::{PolicyFile, PolicyKind};
use super::fit;
use super::walk::{Include, RunsIn, Walker};
use super::xml::{name_span, parse, path_of};

/// APIM's limit on the size of a policy fragment
/// (<https://learn.microsoft.com/azure/api-management/policy-fragments>).
pub const MAX_FRAGMENT_BYTES: usize = 32 * 1024;

struct Prepared<'f> {
    policy: &'f PolicyFile,
    file: Arc<SourceFile>,
    scan: Scan,
    problems: Vec<Diagnostic>,
}

/// Checks `files` together.
pub fn check(files: &[PolicyFile]) -> Vec<Diagnostics> {
    let named_values = NamedValue::ALL.map(NamedValue::id);
    let mut prepared: Vec<Prepared> = files
        .iter()
        .map(|policy| {
            let file = SourceFile::new(policy.path.clone(), policy.text.clone());
            let scan = scan(&file);
            let problems = scan.problems.clone();
            Prepared {
                policy,
                file,
                scan,
                problems,
            }
        })
        .collect();

    let fragment_ids: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.fragment_id().map(str::to_string))
        .collect();
    duplicates(&mut prepared);
    for p in &mut prepared {
        named_value_problems(p, &named_values);
        expression_shape_problems(p);
        if let Some(id) = p.policy.fragment_id() {
            fragment_file_problems(p, id);
        }
    }

    // Fragments with a forward-request, for the one-per-policy rule.
    let mut fragment_forwards: BTreeMap<String, usize> = BTreeMap::new();
    for p in &prepared {
        if let (Some(id), Ok(doc)) = (p.policy.fragment_id(), parse(&p.scan.masked)) {
            let count = doc
                .descendants()
                .filter(|n| n.is_element() && n.tag_name().name() == "forward-request")
                .count();
            fragment_forwards.insert(id.to_string(), count);
        }
    }

    // API policies first: they say where each fragment runs.
    let mut sites: BTreeMap<String, Vec<RunsIn>> = BTreeMap::new();
    for p in prepared.iter_mut().filter(|p| p.policy.api_id().is_some()) {
        let includes = check_document(p, &fragment_ids, &[], &fragment_forwards);
        for include in includes {
            let at = p.file.line_col(include.span.start);
            let entry = sites.entry(include.fragment.clone()).or_default();
            if entry.iter().all(|s| s.section != include.section) {
                entry.push(RunsIn {
                    section: include.section,
                    via: Some(format!(
                        "{} is included at {}:{at}",
                        include.fragment,
                        p.file.name()
                    )),
                });
            }
        }
    }
    for p in prepared.iter_mut() {
        if let Some(id) = p.policy.fragment_id() {
            let runs_in = sites.get(id).cloned().unwrap_or_default();
            check_document(p, &fragment_ids, &runs_in, &fragment_forwards);
        }
    }

    // The usage row of a file that posts to the Logs Ingestion API, once the file is sound.
    for p in prepared.iter_mut().filter(|p| p.problems.is_empty()) {
        let dce_endpoint = NamedValue::DceEndpoint.id();
        if p.scan.named_values.iter().any(|n| n.name == dce_endpoint) {
            p.problems.extend(fit::usage_row_problems(p.policy));
        }
    }

    prepared
        .into_iter()
        .filter(|p| !p.problems.is_empty())
        .map(|p| {
            let mut diagnostics = Diagnostics::new(p.file);
            diagnostics.items = p.problems;
            diagnostics.sort();
            diagnostics
        })
        .collect()
}

/// Parses and walks one file; returns the includes of an API policy.
fn check_document(
    p: &mut Prepared,
    fragment_ids: &BTreeSet<String>,
    runs_in: &[RunsIn],
    fragment_forwards: &BTreeMap<String, usize>,
) -> Vec<Include> {
    let doc = match parse(&p.scan.masked) {
        Ok(doc) => doc,
        Err(problem) => {
            // With a broken expression the XML error is most likely its echo.
            if p.scan.problems.is_empty() {
                p.problems.push(*problem);
            }
            return Vec::new();
        }
    };
    let in_fragment = p.policy.fragment_id().is_some();
    let mut walker = Walker::new(&p.file, &p.scan, fragment_ids, in_fragment);
    match &p.policy.kind {
        PolicyKind::Api { .. } => api_policy(&doc, &mut walker, fragment_forwards),
        PolicyKind::Fragment { .. } => fragment(&doc, &mut walker, runs_in),
    }
    p.problems.append(&mut walker.out);
    walker.includes
}

fn wrong_root(doc: &Document, expected: &str, kind: &str) -> Option<Diagnostic> {
    let root = doc.root_element();
    (root.tag_name().name() != expected || root.tag_name().namespace().is_some()).then(|| {
        Diagnostic::new(
            "policy-root",
            format!(
                "the root element of {kind} must be `<{expected}>`, not `<{}>`",
                root.tag_name().name()
            ),
        )
        .at(name_span(root))
        .label("wrong root")
        .help(format!(
            "{kind} is <{expected}> ... </{expected}> (https://learn.microsoft.com/azure/api-management/{})",
            if expected == "fragment" {
                "policy-fragments"
            } else {
                "api-management-howto-policies"
            }
        ))
    })
}

fn api_policy(doc: &Document, walker: &mut Walker, fragment_forwards: &BTreeMap<String, usize>) {
    if let Some(problem) = wrong_root(doc, "policies", "an API policy") {
        walker.out.push(problem);
        return;
    }
    let root = doc.root_element();
    let mut last: Option<Section> = None;
    let mut seen: BTreeSet<Section> = BTreeSet::new();
    for child in root.children() {
        if child.is_text() {
            if child.text().is_some_and(|t| !t.trim().is_empty()) {
                let r = child.range();
                let text = doc.input_text().get(r.clone()).unwrap_or("");
                let lead = text.len() - text.trim_start().len();
                walker.out.push(
                    Diagnostic::new("policy-unexpected-text", "`policies` cannot contain text")
                        .path("policies")
                        .at(Span::new(r.start + lead, r.start + text.trim_end().len()))
                        .help(
                            "<policies> holds the sections inbound, backend, outbound and on-error",
                        ),
                );
            }
            continue;
        }
        if !child.is_element() {
            continue;
        }
        let name = child.tag_name().name();
        let span = name_span(child);
        let Some(section) =
            Section::from_name(name).filter(|_| child.tag_name().namespace().is_none())
        else {
            let suggestion = closest(name, Section::ALL.iter().map(|s| s.name()));
            walker.out.push(
                Diagnostic::new(
                    "policy-section-unknown",
                    format!("`<{name}>` is not a policy section"),
                )
                .path(path_of(child))
                .at(span)
                .label("unknown section")
                .help(match suggestion {
                    Some(s) => format!("did you mean `<{s}>`? The sections are inbound, backend, outbound and on-error"),
                    None => "the sections are inbound, backend, outbound and on-error; policies go inside them".to_string(),
                }),
            );
            continue;
        };
        if seen.contains(&section) {
            walker.out.push(
                Diagnostic::new(
                    "policy-section-duplicate",
                    format!("the {section} section appears more than once"),
                )
                .path(path_of(child))
                .at(span)
                .label("second one")
                .help("merge the two sections into one"),
            );
        } else if let Some(previous) = last.filter(|l| *l > section) {
            walker.out.push(
                Diagnostic::new(
                    "policy-section-order",
                    format!("the {section} section must come before the {previous} section"),
                )
                .path(path_of(child))
                .at(span)
                .label("out of order")
                .help("write the sections in the order inbound, backend, outbound, on-error"),
            );
        }
        seen.insert(section);
        last = last.max(Some(section));
        let runs_in = [RunsIn { section, via: None }];
        walker.statements(child, &runs_in, 1, true);
    }
    one_forward_request(walker, fragment_forwards);
}

/// APIM allows one `forward-request` per policy document, fragments included.
fn one_forward_request(walker: &mut Walker, fragment_forwards: &BTreeMap<String, usize>) {
    let mut occurrences: Vec<(Span, Option<String>)> =
        walker.forward_requests.iter().map(|s| (*s, None)).collect();
    let mut counted: BTreeSet<(usize, String)> = BTreeSet::new();
    for include in &walker.includes {
        // One include listed once per section it runs in; count the element once.
        if !counted.insert((include.span.start, include.fragment.clone())) {
            continue;
        }
        let n = fragment_forwards
            .get(&include.fragment)
            .copied()
            .unwrap_or(0);
        for _ in 0..n {
            occurrences.push((include.span, Some(include.fragment.clone())));
        }
    }
    occurrences.sort_by_key(|(span, _)| span.start);
    if let Some((span, via)) = occurrences.get(1) {
        let message = match via {
            Some(fragment) => format!(
                "a second `forward-request` comes from fragment `{fragment}`; APIM allows one per policy"
            ),
            None => "`forward-request` appears more than once in this policy".to_string(),
        };
        walker.out.push(
            Diagnostic::new("policy-forward-request-duplicate", message)
                .at(*span)
                .label("second forward-request")
                .help("keep one forward-request (wrap it in <retry> to try again): https://learn.microsoft.com/azure/api-management/forward-request-policy"),
        );
    }
}

fn fragment(doc: &Document, walker: &mut Walker, runs_in: &[RunsIn]) {
    if let Some(problem) = wrong_root(doc, "fragment", "a policy fragment") {
        walker.out.push(problem);
        return;
    }
    walker.statements(doc.root_element(), runs_in, 1, false);
}

/// Two files for one API or one fragment id: the later one is reported.
fn duplicates(prepared: &mut [Prepared]) {
    let mut seen: BTreeMap<PolicyKind, String> = BTreeMap::new();
    for p in prepared.iter_mut() {
        if let Some(first) = seen.get(&p.policy.kind) {
            let what = match &p.policy.kind {
                PolicyKind::Api { api_id } => format!("the policy of API `{api_id}`"),
                PolicyKind::Fragment { id } => format!("policy fragment `{id}`"),
            };
            p.problems.push(
                Diagnostic::new(
                    "policy-duplicate-file",
                    format!("{what} is also defined by {first}"),
                )
                .help("keep one file per API policy and per fragment id"),
            );
        } else {
            seen.insert(p.policy.kind.clone(), p.policy.path.clone());
        }
    }
}

fn named_value_problems(p: &mut Prepared, known: &[&str]) {
    for reference in &p.scan.named_values {
        if known.contains(&reference.name.as_str()) {
            continue;
        }
        let suggestion = closest(&reference.name, known.iter().copied());
        let listed = format!("the stack creates: {}", known.join(", "));
        let help = match suggestion {
            Some(s) => format!("did you mean `{{{{{s}}}}}`? {listed}"),
            None => format!(
                "{listed}; a named value the stack does not create makes saving the policy fail"
            ),
        };
        p.problems.push(
            Diagnostic::new(
                "policy-named-value-unknown",
                format!(
                    "named value `{{{{{}}}}}` is not one the stack creates",
                    reference.name
                ),
            )
            .at(reference.span)
            .label("unknown named value")
            .help(help),
        );
    }
}

/// `@()` is empty, and every path of `@{...}` must end in `return`: a block without any `return`
/// cannot compile (<https://learn.microsoft.com/azure/api-management/api-management-policy-expressions>).
fn expression_shape_problems(p: &mut Prepared) {
    let text = p.file.text();
    for expression in p.scan.expressions.iter().filter(|e| e.balanced) {
        let inner = expression.inner();
        let Ok(tokens) = tokenize(text, inner.start, inner.end) else {
            continue;
        };
        let opening = Span::new(expression.span.start, expression.span.start + 2);
        if tokens.is_empty() {
            p.problems.push(
                Diagnostic::new("policy-expression-empty", "empty policy expression")
                    .at(expression.span)
                    .label("nothing to evaluate")
                    .help("write a C# expression inside @( ), or a literal value without @"),
            );
        } else if expression.block
            && !tokens
                .iter()
                .any(|t| t.kind == TokenKind::Ident && t.text(text) == "return")
        {
            p.problems.push(
                Diagnostic::new(
                    "policy-expression-no-return",
                    "multi-statement expression `@{...}` never returns a value",
                )
                .at(opening)
                .label("no return")
                .help("every code path of @{ ... } must end with `return value;`; for a single expression use @( ... )"),
            );
        }
    }
}

fn fragment_file_problems(p: &mut Prepared, id: &str) {
    let problems = NameKind::ApiManagementEntity.problems(id);
    if let Some(first) = problems.first() {
        p.problems.push(
            Diagnostic::new(
                "policy-fragment-id",
                format!("fragment id `{id}` (the file name without .xml) {first}"),
            )
            .help("rename the file: a fragment id is 1 to 80 letters, digits and hyphens, starting with a letter and ending with a letter or digit"),
        );
    }
    if p.policy.text.len() > MAX_FRAGMENT_BYTES {
        let end = p.policy.text.len();
        p.problems.push(
            Diagnostic::new(
                "policy-fragment-too-large",
                format!(
                    "policy fragment is {} bytes; APIM accepts at most {MAX_FRAGMENT_BYTES}",
                    end
                ),
            )
            .at(Span::new(0, 0))
            .help("split it into two fragments, or shorten its comments"),
        );
    }
}
