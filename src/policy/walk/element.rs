//! One element against its definition in `elements`: required and literal-only attributes,
//! text or child elements as its content allows (`choose` with its `when`/`otherwise`, ordered
//! children), walked into depth first.

use roxmltree::Node;

use super::{RunsIn, Walker, is_blank};
use crate::diagnostic::Diagnostic;
use crate::policy::elements::{self, Content, ElementDef};
use crate::policy::xml::{attribute_value_span, name_span};
use crate::source::Span;

impl Walker<'_> {
    pub(super) fn element(
        &mut self,
        node: Node,
        def: &ElementDef,
        runs_in: &[RunsIn],
        depth: usize,
    ) {
        if self.deep(node, depth) {
            return;
        }
        let name = def.name;
        for attribute in def.required {
            if node.attribute(*attribute).is_none() {
                self.push(
                    node,
                    Diagnostic::new(
                        "policy-missing-attribute",
                        format!("`{name}` needs the attribute `{attribute}`"),
                    )
                    .at(name_span(node))
                    .label(format!("no {attribute}"))
                    .help(format!("add {attribute}=\"...\"; see {}", doc_url_of(name))),
                );
            }
        }
        for attribute in def.literal_only {
            let Some(value) = attribute_value_span(node, attribute) else {
                continue;
            };
            if self.scan.expression_at(value.start).is_some() {
                self.push(
                    node,
                    Diagnostic::new(
                        "policy-expression-not-allowed",
                        format!("`{attribute}` of `{name}` does not accept policy expressions"),
                    )
                    .at(value)
                    .label("expression")
                    .help(format!(
                        "write a literal value (a {{{{named-value}}}} is substituted when the policy is saved); see {}",
                        doc_url_of(name)
                    )),
                );
            }
        }
        for (attribute, min, max) in def.ranges {
            let Some(value) = attribute_value_span(node, attribute) else {
                continue;
            };
            if self.scan.expression_at(value.start).is_some() {
                continue; // an expression's value is known only at run time
            }
            let text = node.attribute(*attribute).unwrap_or_default().trim();
            // A {{named-value}} is substituted when the policy is saved: unknown here.
            if text.contains("{{") {
                continue;
            }
            if !text
                .parse::<i64>()
                .is_ok_and(|n| (*min..=*max).contains(&n))
            {
                self.push(
                    node,
                    Diagnostic::new(
                        "policy-attribute-range",
                        format!(
                            "`{attribute}` of `{name}` is `{text}`; APIM accepts a whole number from {min} to {max}"
                        ),
                    )
                    .at(value)
                    .label(format!("not in {min}..={max}"))
                    .help(format!("see {}", doc_url_of(name))),
                );
            }
        }
        for child in node.children().filter(Node::is_element) {
            let child_name = child.tag_name().name();
            if def.excluded.contains(&child_name) {
                self.child_not_allowed(child, name, format!("see {}", doc_url_of(name)));
            }
        }
        match def.content {
            Content::Opaque => {}
            Content::Empty | Content::Text => {
                for child in node.children() {
                    if child.is_element() {
                        let child_name = child.tag_name().name();
                        self.push(
                            child,
                            Diagnostic::new(
                                "policy-unknown-child",
                                format!(
                                    "`{name}` has no child elements, but contains `{child_name}`"
                                ),
                            )
                            .at(name_span(child))
                            .label("unexpected element")
                            .help(format!("see {}", doc_url_of(name))),
                        );
                    } else if def.content == Content::Empty
                        && child.is_text()
                        && !child.text().is_none_or(is_blank)
                    {
                        self.unexpected_text(node, child);
                    }
                }
            }
            Content::Statements => self.statements(node, runs_in, depth, false),
            Content::StatementsOf(allowed) => {
                for child in node.children().filter(Node::is_element) {
                    let child_name = child.tag_name().name();
                    if !allowed.contains(&child_name) {
                        let help = format!("`{name}` may contain only: {}", allowed.join(", "));
                        self.child_not_allowed(child, name, help);
                    }
                }
                self.statements(node, runs_in, depth, false);
            }
            Content::Choose => self.choose(node, runs_in, depth),
            Content::Children(allowed) => self.children(node, name, allowed, runs_in, depth),
        }
    }

    fn child_not_allowed(&mut self, child: Node, parent: &str, help: String) {
        let child_name = child.tag_name().name();
        self.push(
            child,
            Diagnostic::new(
                "policy-unknown-child",
                format!("`{parent}` cannot contain `{child_name}`"),
            )
            .at(name_span(child))
            .label("not allowed here")
            .help(help),
        );
    }

    fn choose(&mut self, node: Node, runs_in: &[RunsIn], depth: usize) {
        let mut whens = 0;
        let mut otherwise: Option<Span> = None;
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
            let child_name = child.tag_name().name();
            let span = name_span(child);
            let (Some(def), false) = (
                elements::lookup(child_name),
                child.tag_name().namespace().is_some(),
            ) else {
                self.choose_child(child, child_name, span);
                continue;
            };
            match child_name {
                "when" => {
                    if otherwise.is_some() {
                        self.push(
                            child,
                            Diagnostic::new("policy-child-order", "`when` after `otherwise`")
                                .at(span)
                                .label("unreachable order")
                                .help("`otherwise` must be the last child of `choose`"),
                        );
                    }
                    whens += 1;
                }
                "otherwise" => {
                    if otherwise.is_some() {
                        self.push(
                            child,
                            Diagnostic::new(
                                "policy-child-order",
                                "`choose` has more than one `otherwise`",
                            )
                            .at(span)
                            .label("second otherwise")
                            .help("keep one `otherwise`, after every `when`"),
                        );
                    }
                    otherwise = Some(span);
                }
                _ => {
                    self.choose_child(child, child_name, span);
                    continue;
                }
            }
            self.element(child, def, runs_in, depth + 1);
        }
        if whens == 0 {
            self.push(
                node,
                Diagnostic::new("policy-missing-child", "`choose` has no `when`")
                    .at(name_span(node))
                    .label("empty choose")
                    .help("add <when condition=\"@(...)\"> ... </when> (https://learn.microsoft.com/azure/api-management/choose-policy)"),
            );
        }
    }

    fn choose_child(&mut self, child: Node, child_name: &str, span: Span) {
        self.push(
            child,
            Diagnostic::new(
                "policy-unknown-child",
                format!("`choose` can only contain `when` and `otherwise`, not `{child_name}`"),
            )
            .at(span)
            .label("not allowed here")
            .help("wrap the statement in <when condition=\"@(...)\"> or <otherwise>"),
        );
    }

    fn children(
        &mut self,
        node: Node,
        name: &str,
        allowed: &[&str],
        runs_in: &[RunsIn],
        depth: usize,
    ) {
        let mut last = 0;
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
            let child_name = child.tag_name().name();
            let span = name_span(child);
            let position = allowed.iter().position(|a| *a == child_name);
            let (Some(index), Some(def), false) = (
                position,
                elements::lookup(child_name),
                child.tag_name().namespace().is_some(),
            ) else {
                self.push(
                    child,
                    Diagnostic::new(
                        "policy-unknown-child",
                        format!("`{name}` cannot contain `{}`", self.file.slice(span)),
                    )
                    .at(span)
                    .label("not allowed here")
                    .help(format!("`{name}` may contain: {}", allowed.join(", "))),
                );
                continue;
            };
            if index < last {
                self.push(
                    child,
                    Diagnostic::new(
                        "policy-child-order",
                        format!(
                            "`{child_name}` must come before `{}` in `{name}`",
                            allowed[last]
                        ),
                    )
                    .at(span)
                    .label("out of order")
                    .help(format!(
                        "APIM expects the children of `{name}` in this order: {} ({})",
                        allowed.join(", "),
                        doc_url_of(name)
                    )),
                );
            }
            last = last.max(index);
            self.element(child, def, runs_in, depth + 1);
        }
    }
}

fn doc_url_of(name: &str) -> String {
    match name {
        "when" | "otherwise" => elements::doc_url("choose"),
        "value" | "set-url" => {
            "https://learn.microsoft.com/azure/api-management/api-management-policies".to_string()
        }
        _ => elements::doc_url(name),
    }
}
