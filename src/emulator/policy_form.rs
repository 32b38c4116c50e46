//! How API Management hands a stored policy or policy fragment back on GET.
//!
//! Evidence (PUT bodies and the GET answers a client saw, Azure/azure-rest-api-specs#21835 and
//! #25306, both `Microsoft.ApiManagement/service/policyFragments`):
//!
//! - `properties.format` is a write instruction, not stored state: "`.properties.format = rawxml`:
//!   not returned from response" (#25306). A GET asking `?format=rawxml` gets no `format`; a plain
//!   GET gets the spec's default, `xml` (`PolicyContractProperties.format`, `"default": "xml"` in
//!   apimanagement 2024-05-01 definitions.json).
//! - APIM stores the document in its own layout: CRLF line ends and elements indented with one tab
//!   per level; text inside expressions keeps its own indentation (#25306: `\t<set-body>@{\n    var
//!   userId = ...`).
//! - The plain (`xml`) export escapes policy expressions as XML: in attribute values `"` becomes
//!   `&quot;` and a line break `&#xA;`; in element text `<` becomes `&lt;`, `>` `&gt;` and `&`
//!   `&amp;` (#25306: `GetValueOrDefault&lt;string&gt;`, #21835: `(666 &amp; 0xFF) &lt;&lt; 8`).
//!   `?format=rawxml` returns expressions unescaped, as they were sent.
//!
//! Only the layout rules above are modelled; where APIM's serializer differs in detail (quote
//! characters, attribute order, comments) the emulator keeps what the client sent.

use roxmltree::{Document, Node};

use crate::policy::{Place, scan};
use crate::source::SourceFile;

/// The value as a GET returns it: unless `rawxml`, the expressions escaped as XML; when
/// `reformat`, in APIM's layout.
pub(crate) fn stored_value(value: &str, rawxml: bool, reformat: bool) -> String {
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let laid_out = if reformat { indented(&text) } else { text };
    // Escaped before line ends become CRLF: a line break inside an attribute is `&#xA;` (#25306).
    let exported = if rawxml {
        laid_out
    } else {
        escape_expressions(&laid_out)
    };
    if reformat {
        exported.replace('\n', "\r\n")
    } else {
        exported
    }
}

/// One tab per nesting level before tags that start a line, and `<x />`. Text that cannot be
/// read as a policy (broken XML, unbalanced expressions) is left as it is.
fn indented(text: &str) -> String {
    let scanned = scan(&SourceFile::new("policy.xml", text));
    let edits = match Document::parse(&scanned.masked) {
        Ok(document) if scanned.problems.is_empty() => layout_edits(&document, &scanned.masked),
        _ => Vec::new(),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0;
    for (start, end, replacement) in edits {
        if let Some(kept) = text.get(at..start) {
            out.push_str(kept);
        }
        out.push_str(&replacement);
        at = end;
    }
    if let Some(rest) = text.get(at..) {
        out.push_str(rest);
    }
    out
}

/// `(start, end, replacement)` edits in text order: indentation before each start and end tag
/// that begins a line, and a space before each `/>` (positions from the masked text, so nothing
/// inside an expression is touched).
fn layout_edits(document: &Document, masked: &str) -> Vec<(usize, usize, String)> {
    let mut edits = Vec::new();
    for node in document.descendants().filter(Node::is_element) {
        let depth = node.ancestors().filter(Node::is_element).count() - 1;
        let range = node.range();
        if let Some(edit) = indent_before(masked, range.start, depth) {
            edits.push(edit);
        }
        let whole = masked.get(range.start..range.end).unwrap_or("");
        if whole.ends_with("/>") {
            let slash = range.end - 2;
            if !masked[..slash].ends_with(' ') {
                edits.push((slash, slash, " ".to_string()));
            }
        } else if let Some(end_tag) = whole.rfind("</")
            && let Some(edit) = indent_before(masked, range.start + end_tag, depth)
        {
            edits.push(edit);
        }
    }
    edits.sort_by_key(|(start, _, _)| *start);
    edits
}

/// Replaces the whitespace between the start of the line and `tag` with `depth` tabs, when only
/// whitespace precedes the tag on its line.
fn indent_before(masked: &str, tag: usize, depth: usize) -> Option<(usize, usize, String)> {
    let before = masked.get(..tag)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent = &before[line_start..];
    (line_start > 0 && indent.chars().all(|c| c == ' ' || c == '\t'))
        .then(|| (line_start, tag, "\t".repeat(depth)))
}

/// The `xml` export: every expression escaped for its place.
fn escape_expressions(xml: &str) -> String {
    let scanned = scan(&SourceFile::new("policy.xml", xml));
    let mut out = String::with_capacity(xml.len());
    let mut at = 0;
    for expression in &scanned.expressions {
        let span = expression.span;
        if let Some(kept) = xml.get(at..span.start) {
            out.push_str(kept);
        }
        for c in xml.get(span.start..span.end).unwrap_or("").chars() {
            match (c, expression.place) {
                ('&', _) => out.push_str("&amp;"),
                ('<', _) => out.push_str("&lt;"),
                ('>', _) => out.push_str("&gt;"),
                ('"', Place::Attribute) => out.push_str("&quot;"),
                ('\n', Place::Attribute) => out.push_str("&#xA;"),
                ('\r', Place::Attribute) => out.push_str("&#xD;"),
                ('\t', Place::Attribute) => out.push_str("&#x9;"),
                (c, _) => out.push(c),
            }
        }
        at = span.end;
    }
    if let Some(rest) = xml.get(at..) {
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apim_layout(xml: &str) -> String {
        stored_value(xml, true, true)
    }

    #[test]
    fn layout_like_apim() {
        assert_eq!(
            apim_layout(
                "<policies>\n    <inbound>\n  <base/>\r\n\t<x a=\"1\" />\n    </inbound>\n</policies>"
            ),
            "<policies>\r\n\t<inbound>\r\n\t\t<base />\r\n\t\t<x a=\"1\" />\r\n\t</inbound>\r\n</policies>"
        );
    }

    #[test]
    fn expressions_keep_their_text_and_are_escaped_in_the_xml_export() {
        // The fragment of Azure/azure-rest-api-specs#25306, as sent and as returned.
        let sent = "<fragment>\n  <set-variable name=\"UserId\" value=\"@{\n    return ((Jwt)context.Variables[\"jwt\"]).Claims.GetValueOrDefault(\"sub\", new string[1]).First();\n  }\" />\n  <set-body>@{\n    var userId = context.Variables.GetValueOrDefault<string>(\"UserId\", \"\");\n    return userId;\n  }</set-body>\n</fragment>";
        let exported = stored_value(sent, false, true);
        assert_eq!(
            exported,
            "<fragment>\r\n\t<set-variable name=\"UserId\" value=\"@{&#xA;    return ((Jwt)context.Variables[&quot;jwt&quot;]).Claims.GetValueOrDefault(&quot;sub&quot;, new string[1]).First();&#xA;  }\" />\r\n\t<set-body>@{\r\n    var userId = context.Variables.GetValueOrDefault&lt;string&gt;(\"UserId\", \"\");\r\n    return userId;\r\n  }</set-body>\r\n</fragment>"
        );
        let raw = stored_value(sent, true, true);
        assert!(
            raw.contains("GetValueOrDefault<string>(\"UserId\""),
            "{raw}"
        );
        assert!(raw.contains("value=\"@{\r\n    return ((Jwt)context.Variables[\"jwt\"])"));
        // The same policy, whatever layout APIM gives it.
        assert_eq!(
            crate::policy::normalize_xml(&raw),
            crate::policy::normalize_xml(sent)
        );
    }

    #[test]
    fn unreadable_text_only_gets_crlf() {
        assert_eq!(apim_layout("<a>\n  <b>"), "<a>\r\n  <b>");
    }
}
