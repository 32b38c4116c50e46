//! Walks the statements of one policy document and checks each element against the table in
//! `elements`: known element, allowed in the section(s) it runs in, `<base />` placement,
//! required attributes, literal-only attributes, child elements and their order, and
//! `include-fragment` targets. Records includes and `forward-request`s for the cross-file checks
//! in `check`. Never panics; nesting deeper than [`MAX_DEPTH`] is reported, not walked. This file
//! walks statements and sections; `element` checks one element and walks into it.

mod element;

use std::collections::BTreeSet;

use roxmltree::Node;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::suggest::closest;

use super::elements::{self, Content, Section};
use super::expr::Scan;
use super::xml::{MAX_DEPTH, attribute_value_span, name_span, path_of};

/// A section the statements being walked run in, and for a fragment, where it is included.
#[derive(Clone, Debug)]
pub struct RunsIn {
    pub section: Section,
    /// `aigw-route is included there at policies/aoai-policy.xml:59:9`.
    pub via: Option<String>,
}

/// An `include-fragment` found in an API policy.
#[derive(Clone, Debug)]
pub struct Include {
    pub fragment: String,
    pub section: Section,
    pub span: Span,
}

pub struct Walker<'a> {
    pub file: &'a SourceFile,
    pub scan: &'a Scan,
    /// Ids of the fragments that exist.
    pub fragments: &'a BTreeSet<String>,
    pub in_fragment: bool,
    pub out: Vec<Diagnostic>,
    pub includes: Vec<Include>,
    pub forward_requests: Vec<Span>,
    too_deep: bool,
}

fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

fn node_span(node: Node) -> Span {
    let r = node.range();
    Span::new(r.start, r.end)
}

impl<'a> Walker<'a> {
    pub fn new(
        file: &'a SourceFile,
        scan: &'a Scan,
        fragments: &'a BTreeSet<String>,
        in_fragment: bool,
    ) -> Self {
        Walker {
            file,
            scan,
            fragments,
            in_fragment,
            out: Vec::new(),
            includes: Vec::new(),
            forward_requests: Vec::new(),
            too_deep: false,
        }
    }

    fn push(&mut self, node: Node, diagnostic: Diagnostic) {
        self.out.push(diagnostic.path(path_of(node)));
    }

    fn deep(&mut self, node: Node, depth: usize) -> bool {
        if depth <= MAX_DEPTH {
            return false;
        }
        if !self.too_deep {
            self.too_deep = true;
            self.push(
                node,
                Diagnostic::new(
                    "policy-nesting",
                    format!("elements are nested more than {MAX_DEPTH} levels deep"),
                )
                .at(name_span(node))
                .help("flatten the policy; nothing below this element was checked"),
            );
        }
        true
    }

    fn unexpected_text(&mut self, parent: Node, text: Node) {
        let name = parent.tag_name().name();
        let what = if self.scan.expression_at(trimmed_start(text)).is_some() {
            "a policy expression"
        } else {
            "text"
        };
        self.push(
            parent,
            Diagnostic::new(
                "policy-unexpected-text",
                format!("`{name}` cannot contain {what} here"),
            )
            .at(trimmed_span(text))
            .label("not a policy element")
            .help(format!(
                "`{name}` holds policy elements only; move the text into an element that takes it, or remove it"
            )),
        );
    }

    /// The statements inside `node`, running in `runs_in`. `section_level`: `node` is a section.
    pub fn statements(
        &mut self,
        node: Node,
        runs_in: &[RunsIn],
        depth: usize,
        section_level: bool,
    ) {
        if self.deep(node, depth) {
            return;
        }
        let mut base_seen = false;
        for child in node.children() {
            if child.is_text() {
                if !child.text().is_none_or(is_blank) {
                    self.unexpected_text(node, child);
                }
                continue;
            }
            if !child.is_element() {
                continue;
            }
            if section_level && child.tag_name().name() == "base" && !self.in_fragment {
                if base_seen {
                    let section = node.tag_name().name();
                    self.push(
                        child,
                        Diagnostic::new(
                            "policy-base-duplicate",
                            format!("`<base />` appears more than once in the {section} section"),
                        )
                        .at(name_span(child))
                        .label("second <base />")
                        .help("keep one <base />: it runs the parent scope's policies for this section once"),
                    );
                }
                base_seen = true;
                continue;
            }
            self.statement(child, runs_in, depth + 1);
        }
    }

    fn statement(&mut self, node: Node, runs_in: &[RunsIn], depth: usize) {
        let name = node.tag_name().name();
        let span = name_span(node);
        let qualified = node.tag_name().namespace().is_some();
        if !qualified {
            match name {
                "base" => return self.misplaced_base(node),
                "inbound" | "backend" | "outbound" | "on-error" | "policies" | "fragment" => {
                    return self.misplaced_section(node);
                }
                _ => {}
            }
        }
        let Some(def) = elements::lookup(name).filter(|_| !qualified) else {
            let shown = self.file.slice(span).to_string();
            let suggestion = closest(name, elements::policy_names());
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? The policy reference lists every element: https://learn.microsoft.com/azure/api-management/api-management-policies"),
                None => "the policy reference lists every element: https://learn.microsoft.com/azure/api-management/api-management-policies".to_string(),
            };
            return self.push(
                node,
                Diagnostic::new(
                    "policy-unknown-element",
                    format!("`{shown}` is not an API Management policy"),
                )
                .at(span)
                .label("unknown element")
                .help(help),
            );
        };
        let Some(allowed) = def.sections else {
            let parents = parents_of(name);
            return self.push(
                node,
                Diagnostic::new(
                    "policy-misplaced-element",
                    format!("`{name}` is not a policy statement"),
                )
                .at(span)
                .label("only valid inside another element")
                .help(format!("`{name}` belongs inside {parents}")),
            );
        };
        for place in runs_in {
            if allowed.contains(place.section) {
                continue;
            }
            let message = match &place.via {
                Some(via) => format!(
                    "`{name}` is not allowed in the {} section, where {via}",
                    place.section
                ),
                None => format!("`{name}` is not allowed in the {} section", place.section),
            };
            self.push(
                node,
                Diagnostic::new("policy-wrong-section", message)
                    .at(span)
                    .label(format!("not allowed in {}", place.section))
                    .help(format!(
                        "APIM allows `{name}` in: {} ({})",
                        allowed.list(),
                        elements::doc_url(name)
                    )),
            );
        }
        match name {
            "include-fragment" => self.include(node, runs_in),
            "forward-request" => self.forward_requests.push(span),
            _ => {}
        }
        self.element(node, def, runs_in, depth);
    }

    fn misplaced_base(&mut self, node: Node) {
        let diagnostic = if self.in_fragment {
            Diagnostic::new(
                "policy-fragment-forbidden",
                "a policy fragment cannot contain `<base />`",
            )
            .help("put <base /> in the API policy that includes the fragment (https://learn.microsoft.com/azure/api-management/policy-fragments)")
        } else {
            Diagnostic::new(
                "policy-base-misplaced",
                "`<base />` must be a direct child of a section",
            )
            .help("move <base /> directly under <inbound>, <backend>, <outbound> or <on-error>")
        };
        let span = name_span(node);
        self.push(node, diagnostic.at(span).label("here"));
    }

    fn misplaced_section(&mut self, node: Node) {
        let name = node.tag_name().name();
        let parent = node
            .parent_element()
            .map_or("the document", |p| p.tag_name().name());
        let diagnostic = if self.in_fragment {
            Diagnostic::new(
                "policy-fragment-forbidden",
                format!("a policy fragment cannot contain `<{name}>`"),
            )
            .help("a fragment holds policy statements only; the API policy that includes it decides the section")
        } else {
            Diagnostic::new(
                "policy-misplaced-element",
                format!("`<{name}>` cannot appear inside `<{parent}>`"),
            )
            .help("sections are direct children of <policies>")
        };
        let span = name_span(node);
        self.push(node, diagnostic.at(span).label("here"));
    }

    fn include(&mut self, node: Node, runs_in: &[RunsIn]) {
        let span = name_span(node);
        if self.in_fragment {
            return self.push(
                node,
                Diagnostic::new(
                    "policy-fragment-forbidden",
                    "a policy fragment cannot include another fragment",
                )
                .at(span)
                .label("nested include")
                .help("include both fragments from the API policy instead (https://learn.microsoft.com/azure/api-management/policy-fragments)"),
            );
        }
        let Some(id) = node.attribute("fragment-id") else {
            return; // reported as a missing required attribute
        };
        let id_span = attribute_value_span(node, "fragment-id").unwrap_or(span);
        if self.scan.expression_at(id_span.start).is_some() {
            return; // reported as an expression in a literal-only attribute
        }
        if !self.fragments.contains(id) {
            let suggestion = closest(id, self.fragments.iter().map(String::as_str));
            let known: Vec<&str> = self.fragments.iter().map(String::as_str).collect();
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if known.is_empty() => "there are no fragments".to_string(),
                None => format!("the fragments are: {}", known.join(", ")),
            };
            self.push(
                node,
                Diagnostic::new(
                    "policy-fragment-missing",
                    format!("there is no policy fragment `{id}`"),
                )
                .at(id_span)
                .label("unknown fragment id")
                .help(format!(
                    "{help}; a fragment's id is its file name in policies/fragments/ without .xml"
                )),
            );
            return;
        }
        for place in runs_in {
            self.includes.push(Include {
                fragment: id.to_string(),
                section: place.section,
                span: id_span,
            });
        }
    }
}

fn parents_of(name: &str) -> String {
    let parents: Vec<String> = elements::ELEMENTS
        .iter()
        .filter(|def| match def.content {
            Content::Children(children) => children.contains(&name),
            Content::Choose => name == "when" || name == "otherwise",
            _ => false,
        })
        .map(|def| format!("`{}`", def.name))
        .collect();
    if parents.is_empty() {
        "another element".to_string()
    } else {
        parents.join(", ")
    }
}

fn trimmed_start(text: Node) -> usize {
    trimmed_span(text).start
}

/// The span of a text node without its surrounding white space.
fn trimmed_span(text: Node) -> Span {
    let span = node_span(text);
    let raw = text.document().input_text();
    let slice = raw.get(span.start..span.end).unwrap_or("");
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    Span::new(
        span.start + lead,
        span.end.saturating_sub(trail).max(span.start + lead),
    )
}
