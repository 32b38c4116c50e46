//! A policy document's comparable form: two documents with the same form are the same policy.
//!
//! APIM stores policies in its own layout: it changes line ends and indentation, writes `<base/>`
//! as `<base />`, may quote attributes differently and drops comments, so a policy read back never
//! equals the file byte for byte (Azure/azure-rest-api-specs#21835 and #25306 show the stored form:
//! CRLF line ends, tab indentation). The comparable form ignores exactly what cannot change what
//! the gateway does:
//!
//! - layout between elements (whitespace-only text), comments, line ends (CRLF, CR, LF);
//! - XML spelling: entity references, quote characters, attribute order, `<x/>` vs `<x></x>`;
//! - in C# policy expressions, whitespace and comments between tokens (C# does not see them).
//!
//! Everything else compares verbatim: string literals in expressions (regular, verbatim `@"..."`,
//! interpolated `$"..."` with their holes), attribute values and element text that are not
//! expressions. A separator changed from `" "` to `"  "` is a change and gets deployed.
//!
//! Boundaries come from the same readers the checks use: [`super::expr::scan`] finds expressions,
//! [`super::csharp`] tokenizes them, [`super::xml::parse`] reads the masked document. A document
//! those cannot read (broken XML or an unbalanced expression) is compared by its text with line
//! ends unified: nothing is ignored that could matter.

use roxmltree::{Node, NodeType};

use super::csharp::{Token, TokenKind, tokenize};
use super::expr::{Expression, NamedValueRef, Scan, scan};
use super::xml::MAX_DEPTH;
use crate::source::{SourceFile, Span};

/// The comparable form of a policy document (see the module comment).
pub fn normalize_xml(xml: &str) -> String {
    let text = unify_line_ends(xml);
    let file = SourceFile::new("policy.xml", text.as_str());
    let scanned = scan(&file);
    if !scanned.problems.is_empty() {
        return text;
    }
    let Ok(document) = super::xml::parse(&scanned.masked) else {
        return text;
    };
    let writer = Writer {
        text: &text,
        scan: &scanned,
    };
    let mut out = String::with_capacity(text.len());
    match writer.element(document.root_element(), 0, &mut out) {
        Ok(()) => out,
        Err(TooDeep) => text,
    }
}

/// Nesting beyond [`MAX_DEPTH`]: the document is compared by its text (recursion bound).
struct TooDeep;

/// CRLF and lone CR become LF, as an XML parser reads them (XML 1.0 §2.11).
fn unify_line_ends(xml: &str) -> String {
    xml.replace("\r\n", "\n").replace('\r', "\n")
}

struct Writer<'a> {
    /// The policy text (line ends unified); node positions of the masked document index into it.
    text: &'a str,
    scan: &'a Scan,
}

impl Writer<'_> {
    fn element(&self, node: Node, depth: usize, out: &mut String) -> Result<(), TooDeep> {
        if depth > MAX_DEPTH {
            return Err(TooDeep);
        }
        out.push('<');
        out.push_str(node.tag_name().name());
        // Attribute order means nothing in XML; APIM may write them in its own order.
        let mut attributes: Vec<(&str, String)> = node
            .attributes()
            .map(|a| {
                let range = a.range_value();
                let value = match self.expression_in(range.start, range.end) {
                    Some(expression) => self.expression(expression),
                    None => escape(a.value(), true),
                };
                (a.name(), value)
            })
            .collect();
        attributes.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in attributes {
            out.push_str(&format!(" {name}=\"{value}\""));
        }
        let mut content = String::new();
        let mut text_run = String::new();
        for child in node.children() {
            match child.node_type() {
                NodeType::Element => {
                    flush_text(&mut text_run, &mut content);
                    self.element(child, depth + 1, &mut content)?;
                }
                NodeType::Text => text_run.push_str(&self.text_node(child)),
                // Comments and processing instructions: dropped; text around them is one run.
                _ => {}
            }
        }
        flush_text(&mut text_run, &mut content);
        if content.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            out.push_str(&content);
            out.push_str(&format!("</{}>", node.tag_name().name()));
        }
        Ok(())
    }

    /// Element text: an expression in its comparable form, else the decoded text verbatim.
    fn text_node(&self, node: Node) -> String {
        let range = node.range();
        match self.expression_in(range.start, range.end) {
            Some(expression) => self.expression(expression),
            None => escape(node.text().unwrap_or(""), false),
        }
    }

    /// The expression that starts inside `[start, end)` of the text, if any (an expression is a
    /// whole attribute value or text, so there is at most one).
    fn expression_in(&self, start: usize, end: usize) -> Option<&Expression> {
        let expressions = &self.scan.expressions;
        let first = expressions.partition_point(|e| e.span.start < start);
        expressions.get(first).filter(|e| e.span.start < end)
    }

    /// `@(...)`/`@{...}` as tokens: literals verbatim, the space between tokens only where it
    /// keeps two tokens apart.
    fn expression(&self, expression: &Expression) -> String {
        let span = expression.span;
        let raw = self.text.get(span.start..span.end).unwrap_or("");
        let Ok(tokens) = tokenize(self.text, span.start + 1, span.end) else {
            return raw.to_string();
        };
        let named: Vec<&NamedValueRef> = self
            .scan
            .named_values
            .iter()
            .filter(|n| n.span.start >= span.start && n.span.end <= span.end)
            .collect();
        let mut out = String::from("@");
        let mut previous: Option<Piece> = None;
        for piece in pieces(&tokens, &named) {
            if let Some(before) = &previous {
                let gap = before.span.end < piece.span.start;
                if needs_space(self.text, before, &piece, gap) {
                    out.push(' ');
                }
            }
            out.push_str(
                self.text
                    .get(piece.span.start..piece.span.end)
                    .unwrap_or(""),
            );
            previous = Some(piece);
        }
        out
    }
}

/// Adds a run of element text to `content` unless it is layout (whitespace only).
fn flush_text(run: &mut String, content: &mut String) {
    if !run.trim().is_empty() {
        content.push_str(run);
    }
    run.clear();
}

/// What an expression is compared by: C# tokens, and `{{name}}` references outside literals
/// (APIM substitutes those as text before compiling, so the space around them matters).
struct Piece {
    span: Span,
    kind: PieceKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PieceKind {
    Token(TokenKind),
    NamedValue,
}

fn pieces(tokens: &[Token], named: &[&NamedValueRef]) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(tokens.len());
    let mut skip_until = 0;
    for token in tokens {
        if token.span.start < skip_until {
            continue;
        }
        // A reference is a piece of its own unless a literal holds it (then it is literal text).
        if let Some(reference) = named.iter().find(|n| n.span.start == token.span.start) {
            out.push(Piece {
                span: reference.span,
                kind: PieceKind::NamedValue,
            });
            skip_until = reference.span.end;
            continue;
        }
        out.push(Piece {
            span: token.span,
            kind: PieceKind::Token(token.kind),
        });
    }
    out
}

/// Characters that form C# operators together (`>` `>` is a shift, `/` `/` a comment): two
/// punctuation tokens made of them keep the space between them if they had one.
const OPERATOR_CHARS: &str = "<>=!+-*/%&|^?.:";

fn needs_space(text: &str, before: &Piece, after: &Piece, gap: bool) -> bool {
    use PieceKind::{NamedValue, Token};
    let word = |kind: PieceKind| matches!(kind, Token(TokenKind::Ident | TokenKind::Number));
    match (before.kind, after.kind) {
        (NamedValue, _) | (_, NamedValue) => gap,
        (b, a) if word(b) && word(a) => true,
        (Token(TokenKind::Punct), Token(TokenKind::Punct)) => {
            let last = text
                .get(before.span.start..before.span.end)
                .and_then(|t| t.chars().last());
            let first = text
                .get(after.span.start..after.span.end)
                .and_then(|t| t.chars().next());
            gap && last.is_some_and(|c| OPERATOR_CHARS.contains(c))
                && first.is_some_and(|c| OPERATOR_CHARS.contains(c))
        }
        _ => false,
    }
}

/// XML escaping of decoded text, so that the comparable form stays unambiguous.
fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' if attribute => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::normalize_xml;

    fn same(a: &str, b: &str) -> bool {
        normalize_xml(a) == normalize_xml(b)
    }

    #[test]
    fn layout_and_comments_do_not_count() {
        let file = "<policies>\n    <!-- why -->\n    <inbound>\n        <base />\n        <set-variable name=\"a\" value=\"@(1 + 2)\" />\n    </inbound>\n</policies>\n";
        let stored = "<policies>\r\n\t<inbound>\r\n\t\t<base></base>\r\n\t\t<set-variable value='@(1+2)' name=\"a\"/>\r\n\t</inbound>\r\n</policies>";
        assert_eq!(normalize_xml(file), normalize_xml(stored));
    }

    #[test]
    fn content_changes_count() {
        let a = "<policies><inbound><set-variable name=\"a\" value=\"@(1 + 2)\" /></inbound></policies>";
        assert!(!same(a, &a.replace("1 + 2", "1 + 3")));
        assert!(!same(a, &a.replace("name=\"a\"", "name=\"b\"")));
        assert!(!same(a, &a.replace("<inbound>", "<inbound><base />")));
    }

    #[test]
    fn whitespace_inside_string_literals_counts() {
        let text = "<policies><inbound><set-header name=\"x\"><value>@(string.Join(\" \", parts))</value></set-header></inbound></policies>";
        assert!(!same(text, &text.replace("\" \"", "\"  \"")));
        let attribute = "<fragment><set-variable name=\"a\" value='@(x + \" \" + y)' /></fragment>";
        assert!(!same(attribute, &attribute.replace("\" \"", "\"  \"")));
        let verbatim = "<fragment><set-variable name=\"a\" value='@(@\"a b\" + x)' /></fragment>";
        assert!(!same(verbatim, &verbatim.replace("a b", "a  b")));
        let multi_line = "<fragment><set-body>@{ return @\"a\nb\"; }</set-body></fragment>";
        assert!(!same(multi_line, &multi_line.replace("a\nb", "a\n b")));
        let interpolated =
            "<fragment><set-variable name=\"a\" value='@($\"{x} {y}\")' /></fragment>";
        assert!(!same(interpolated, &interpolated.replace("} {", "}  {")));
        // Holes are part of the literal and compare verbatim too.
        assert!(!same(interpolated, &interpolated.replace("{x}", "{ x }")));
        let char_literal = "<fragment><set-body>@(s.Split(' '))</set-body></fragment>";
        assert!(!same(char_literal, &char_literal.replace("' '", "'\t'")));
    }

    #[test]
    fn whitespace_in_plain_attribute_values_and_text_counts() {
        let a = "<fragment><set-header name=\"x\"><value>a b</value></set-header><set-variable name=\"v\" value=\"c d\" /></fragment>";
        assert!(!same(a, &a.replace("a b", "a  b")));
        assert!(!same(a, &a.replace("c d", "c  d")));
        assert!(!same(a, &a.replace("<value>a b", "<value> a b")));
        // Text beside a comment is one text: the comment goes, the text stays.
        let commented = "<fragment><value>a<!-- x --> b</value></fragment>";
        assert!(same(commented, "<fragment><value>a b</value></fragment>"));
        assert!(!same(commented, "<fragment><value>ab</value></fragment>"));
    }

    #[test]
    fn spacing_and_comments_in_csharp_code_do_not_count() {
        let a = "<fragment><set-variable name=\"a\" value=\"@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;) + 1)\" /><set-body>@{\n    var parts = new [] { \"a\", \"b\" };\n    return string.Join(\" \", parts);\n}</set-body></fragment>";
        let b = "<fragment>\r\n\t<set-variable name=\"a\" value=\"@( context.Request.Headers.GetValueOrDefault( &quot;x&quot;,&quot;&quot; )+1 )\" />\r\n\t<set-body>@{ var parts = new[]{\"a\",\"b\"}; /* why */ return string.Join(\" \", parts); // done\n}</set-body>\r\n</fragment>";
        assert_eq!(normalize_xml(a), normalize_xml(b));
    }

    #[test]
    fn spacing_that_changes_the_tokens_counts() {
        let a = "<fragment><set-body>@(a - -b)</set-body></fragment>";
        assert!(!same(
            a,
            "<fragment><set-body>@(a --b)</set-body></fragment>"
        ));
        let shift = "<fragment><set-body>@(a > > b)</set-body></fragment>";
        assert!(!same(
            shift,
            "<fragment><set-body>@(a >> b)</set-body></fragment>"
        ));
        assert!(!same(
            "<fragment><set-body>@(int x)</set-body></fragment>",
            "<fragment><set-body>@(intx)</set-body></fragment>"
        ));
        // A named value outside a literal is substituted as text before C# reads it.
        assert!(!same(
            "<fragment><set-body>@(a{{n}})</set-body></fragment>",
            "<fragment><set-body>@(a {{n}})</set-body></fragment>"
        ));
    }

    #[test]
    fn unreadable_documents_compare_by_text() {
        let broken = "<fragment><set-body>@(a(</set-body></fragment>";
        assert_eq!(normalize_xml(broken), broken);
        assert!(!same(
            broken,
            "<fragment><set-body>@(a()</set-body></fragment>"
        ));
        assert_eq!(normalize_xml("<a>\r\n<b>"), "<a>\n<b>");
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        assert_eq!(normalize_xml(&deep), deep);
    }

    #[test]
    fn the_shipped_policies_equal_their_apim_layout() {
        for file in crate::policy::embedded() {
            // APIM's layout: elements indented with tabs, CRLF line ends, `<x />`.
            let stored = file
                .text
                .lines()
                .map(|line| {
                    let trimmed = line.trim_start();
                    if trimmed.starts_with('<') {
                        let depth = (line.len() - trimmed.len()) / 4;
                        format!("{}{}", "\t".repeat(depth), trimmed.replace("/>", " />"))
                    } else {
                        line.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\r\n");
            let normalized = normalize_xml(&file.text);
            assert!(!normalized.contains("<!--"), "{}", file.path);
            assert_eq!(normalized, normalize_xml(&stored), "{}", file.path);
        }
    }

    /// Whitespace runs to put between elements; indentation APIM may change.
    fn layout() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just(' '), Just('\t'), Just('\n')], 0..4)
            .prop_map(|chars| chars.into_iter().collect::<String>())
    }

    proptest! {
        #[test]
        fn layout_never_counts_and_literal_spacing_always_does(
            before in layout(),
            between in layout(),
            after in layout(),
            literal in "[a-z]{0,3}",
            extra in "[ \t]{1,3}",
        ) {
            let policy = |inner: &str| format!(
                "<fragment>{before}<set-variable name=\"a\" value='@(x + \"{inner}\")' />{between}<set-body>@{{ return \"{inner}\"; }}</set-body>{after}</fragment>"
            );
            let plain = policy(&literal);
            let crlf = plain.replace('\n', "\r\n");
            prop_assert_eq!(normalize_xml(&plain), normalize_xml(&crlf));
            prop_assert_eq!(
                normalize_xml(&plain),
                normalize_xml(&policy(&literal).replace("<fragment>", "<fragment>\n  "))
            );
            let spaced = policy(&format!("{literal}{extra}"));
            prop_assert_ne!(normalize_xml(&plain), normalize_xml(&spaced));
        }
    }
}
