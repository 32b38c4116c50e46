//! XML reading of a policy after its expressions are set aside: parse errors as diagnostics, and
//! the spans and paths of elements for messages. Owns nothing about policy rules.

use roxmltree::{Document, Node, ParsingOptions};

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Elements nested deeper than this are reported instead of walked (recursion bound).
pub const MAX_DEPTH: usize = 128;

/// Parses masked policy text (DTDs refused, as APIM does not need them).
pub fn parse(masked: &str) -> Result<Document<'_>, Box<Diagnostic>> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(masked, options).map_err(|e| Box::new(xml_error(masked, &e)))
}

fn xml_error(text: &str, error: &roxmltree::Error) -> Diagnostic {
    use roxmltree::Error as E;
    let pos = error.pos();
    let message = error
        .to_string()
        .replace(&format!(" at {pos}"), "")
        .replace(&format!(" {pos}"), "");
    let at_end = matches!(error, E::UnclosedRootNode | E::UnexpectedEndOfStream);
    let offset = if at_end {
        text.len()
    } else {
        offset_of(text, pos.row as usize, pos.col as usize)
    };
    let end = text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8());
    let help = match error {
        E::UnexpectedCloseTag(..) | E::UnclosedRootNode | E::UnexpectedEndOfStream => {
            "every start tag needs its end tag (or write an empty element as <name />)"
        }
        E::InvalidAttributeValue(_) | E::MalformedEntityReference(_) => {
            "outside a policy expression, write < as &lt; and & as &amp;; an expression must start \
             the attribute value or text with @( or @{"
        }
        E::DtdDetected => "remove the DOCTYPE: policies do not use DTDs",
        _ => {
            "the policy must be well-formed XML once its @(...) and @{...} expressions are set aside"
        }
    };
    Diagnostic::new("policy-xml", format!("not well-formed XML: {message}"))
        .at(Span::new(offset, end))
        .help(help)
}

/// Byte offset of a 1-based row and character column.
fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..row {
        match text.get(line_start..).and_then(|rest| rest.find('\n')) {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line = text.get(line_start..).unwrap_or("");
    line.char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i)
}

/// The span of an element's (qualified) name in its start tag.
pub fn name_span(node: Node) -> Span {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let rest = text.get(start..).unwrap_or("");
    let len = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    Span::new(start, start + len)
}

/// `policies/inbound/choose/when`.
pub fn path_of(node: Node) -> String {
    let mut names: Vec<&str> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    names.reverse();
    names.join("/")
}

/// The span of an attribute's value (inside the quotes).
pub fn attribute_value_span(node: Node, name: &str) -> Option<Span> {
    node.attribute_node(name).map(|a| {
        let r = a.range_value();
        Span::new(r.start, r.end)
    })
}
