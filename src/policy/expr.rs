//! Sets policy expressions aside so that a `rawxml` policy can be read as XML.
//!
//! APIM's `rawxml` format keeps C# expressions `@(...)` and `@{...}` unescaped in attribute values
//! and element text, so quotes, `<` and `&&` inside them break XML. This module finds every
//! expression (an attribute value or element text that starts with `@(` or `@{`), follows C#
//! literal rules to find where it ends, checks that its brackets balance and its literals are
//! closed, and replaces it with `_` characters of the same byte length (line breaks kept), so
//! byte offsets, lines and columns of the masked text equal those of the file. It also collects
//! named-value references `{{name}}` outside XML comments. It does not judge XML structure: the
//! XML parser does that on the masked text.

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

use super::csharp::{LexError, Lexer, TokenKind, closer_of};

/// Where an expression sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Attribute,
    Text,
}

/// One policy expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    /// From `@` to the closing `)` or `}` (to the end of the attribute value or text when broken).
    pub span: Span,
    /// `@{...}` (statements) rather than `@(...)`.
    pub block: bool,
    pub place: Place,
    /// Brackets balance and every literal is closed.
    pub balanced: bool,
}

impl Expression {
    /// The code between the outer brackets.
    pub fn inner(&self) -> Span {
        Span::new(self.span.start + 2, self.span.end.saturating_sub(1))
    }
}

/// A `{{name}}` reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedValueRef {
    pub name: String,
    /// The whole `{{name}}`.
    pub span: Span,
}

/// The result of [`scan`].
#[derive(Debug)]
pub struct Scan {
    /// The file text with every expression replaced by `_` (same byte length, line breaks kept).
    pub masked: String,
    pub expressions: Vec<Expression>,
    pub named_values: Vec<NamedValueRef>,
    /// Unbalanced or unterminated expressions.
    pub problems: Vec<Diagnostic>,
}

impl Scan {
    /// The expression that is exactly the attribute value or text starting at `offset`.
    pub fn expression_at(&self, offset: usize) -> Option<&Expression> {
        self.expressions
            .binary_search_by_key(&offset, |e| e.span.start)
            .ok()
            .and_then(|i| self.expressions.get(i))
    }
}

/// Finds expressions and named values in a policy file.
pub fn scan(file: &SourceFile) -> Scan {
    let text = file.text();
    let mut scanner = Scanner {
        file,
        text,
        bytes: text.as_bytes(),
        // Unbounded look-ahead for broken expressions costs at most this many bytes in total;
        // after that, expressions are bounded by their attribute or text (see `expression`).
        budget: text.len().saturating_mul(16).saturating_add(1 << 16),
        expressions: Vec::new(),
        named_values: Vec::new(),
        problems: Vec::new(),
        masks: Vec::new(),
    };
    scanner.run();
    let masked = mask(text, &scanner.masks);
    Scan {
        masked,
        expressions: scanner.expressions,
        named_values: scanner.named_values,
        problems: scanner.problems,
    }
}

/// Every named value referenced in `text` (outside XML comments), in order.
pub fn named_value_refs(text: &str, from: usize, to: usize, out: &mut Vec<NamedValueRef>) {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let mut i = from;
    while i + 1 < to {
        if bytes[i] == b'{' && bytes[i + 1] == b'{' {
            let name_start = i + 2;
            let mut j = name_start;
            while j < to && is_named_value_char(bytes[j]) {
                j += 1;
            }
            if j > name_start && j + 1 < to && bytes[j] == b'}' && bytes[j + 1] == b'}' {
                out.push(NamedValueRef {
                    name: text[name_start..j].to_string(),
                    span: Span::new(i, j + 2),
                });
                i = j + 2;
                continue;
            }
        }
        i += 1;
    }
}

/// Named-value names: letters, digits, `.`, `-` and `_`.
fn is_named_value_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'
}

fn mask(text: &str, masks: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut next = 0;
    for span in masks {
        let start = span.start.max(next).min(text.len());
        let end = span.end.min(text.len());
        if let Some(before) = text.get(next..start) {
            out.push_str(before);
        }
        if let Some(hidden) = text.get(start..end) {
            for c in hidden.chars() {
                if c == '\n' || c == '\r' {
                    out.push(c);
                } else {
                    out.extend(std::iter::repeat_n('_', c.len_utf8()));
                }
            }
        }
        next = end.max(next);
    }
    if let Some(rest) = text.get(next..) {
        out.push_str(rest);
    }
    out
}

struct Scanner<'a> {
    file: &'a SourceFile,
    text: &'a str,
    bytes: &'a [u8],
    budget: usize,
    expressions: Vec<Expression>,
    named_values: Vec<NamedValueRef>,
    problems: Vec<Diagnostic>,
    masks: Vec<Span>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_char(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-' || b == b'.'
}

/// How the lexer stopped on an expression.
enum Outcome {
    /// The outer bracket closed; the position after it.
    Closed(usize),
    /// Input (or the bound) ended with these brackets open (innermost last).
    Unclosed(Vec<(u8, Span)>),
    Lex(LexError),
}

impl Scanner<'_> {
    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn starts_with(&self, at: usize, s: &str) -> bool {
        self.bytes
            .get(at..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn find(&self, from: usize, s: &str) -> Option<usize> {
        let from = from.min(self.len());
        self.text
            .get(from..)
            .and_then(|rest| rest.find(s))
            .map(|i| i + from)
    }

    fn find_byte(&self, from: usize, b: u8) -> Option<usize> {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&x| x == b))
            .map(|i| i + from)
    }

    fn skip_ws(&self, mut at: usize) -> usize {
        while at < self.len() && self.bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    }

    fn run(&mut self) {
        let len = self.len();
        let mut i = 0;
        while i < len {
            if self.bytes[i] != b'<' {
                let next = self.find_byte(i, b'<').unwrap_or(len);
                i = self.text_region(i, next);
                continue;
            }
            i = if self.starts_with(i, "<!--") {
                self.find(i + 4, "-->").map_or(len, |j| j + 3)
            } else if self.starts_with(i, "<![CDATA[") {
                let end = self.find(i + 9, "]]>").unwrap_or(len);
                named_value_refs(self.text, i + 9, end, &mut self.named_values);
                (end + 3).min(len)
            } else if self.starts_with(i, "<?") {
                self.find(i + 2, "?>").map_or(len, |j| j + 2)
            } else if self.starts_with(i, "<!") || self.starts_with(i, "</") {
                self.find_byte(i + 2, b'>').map_or(len, |j| j + 1)
            } else if self.bytes.get(i + 1).is_some_and(|&b| is_name_start(b)) {
                self.tag(i + 1)
            } else {
                i + 1
            };
        }
    }

    /// Text from `start` up to the `<` at `next`; returns where scanning continues.
    fn text_region(&mut self, start: usize, next: usize) -> usize {
        let k = self.skip_ws(start);
        if self.expression_starts(k) {
            return self.expression(k, Place::Text, None);
        }
        named_value_refs(self.text, start, next, &mut self.named_values);
        next
    }

    fn expression_starts(&self, at: usize) -> bool {
        self.bytes.get(at) == Some(&b'@') && matches!(self.bytes.get(at + 1), Some(b'(' | b'{'))
    }

    /// A start tag; `at` is on the first character of its name.
    fn tag(&mut self, mut at: usize) -> usize {
        let len = self.len();
        while at < len && is_name_char(self.bytes[at]) {
            at += 1;
        }
        loop {
            at = self.skip_ws(at);
            let Some(&b) = self.bytes.get(at) else {
                return len;
            };
            match b {
                b'>' => return at + 1,
                b'/' if self.bytes.get(at + 1) == Some(&b'>') => return at + 2,
                b'<' => return at,
                b if is_name_start(b) => {
                    while at < len && is_name_char(self.bytes[at]) {
                        at += 1;
                    }
                    at = self.skip_ws(at);
                    if self.bytes.get(at) == Some(&b'=') {
                        at = self.skip_ws(at + 1);
                        if let Some(&q @ (b'"' | b'\'')) = self.bytes.get(at) {
                            at = self.attribute_value(at + 1, q);
                        }
                    }
                }
                _ => at += 1,
            }
        }
    }

    /// An attribute value after its opening quote `q`; returns the position after the closing one.
    fn attribute_value(&mut self, start: usize, q: u8) -> usize {
        let len = self.len();
        let end = if self.expression_starts(start) {
            self.expression(start, Place::Attribute, Some(q))
        } else {
            let end = self.find_byte(start, q).unwrap_or(len);
            named_value_refs(self.text, start, end, &mut self.named_values);
            end
        };
        if self.bytes.get(end) == Some(&q) {
            end + 1
        } else {
            end
        }
    }

    /// Where a broken expression is taken to end: the quote that closes its attribute value (a
    /// quote followed by a space, `/`, `>` or `?`), or the first `</` after element text.
    fn recovery_end(&self, at: usize, place: Place, delimiter: Option<u8>) -> usize {
        let len = self.len();
        match (place, delimiter) {
            (Place::Attribute, Some(q)) => {
                let mut j = at + 2;
                while j < len {
                    if self.bytes[j] == q
                        && self
                            .bytes
                            .get(j + 1)
                            .is_none_or(|&n| n.is_ascii_whitespace() || b"/>?".contains(&n))
                    {
                        return j;
                    }
                    j += 1;
                }
                self.find_byte(at + 2, q).unwrap_or(len)
            }
            _ => self.find(at + 2, "</").unwrap_or(len),
        }
    }

    /// Lexes the expression at `at` (on its `@`) up to `bound`.
    fn lex(&self, at: usize, bound: usize, place: Place) -> (Outcome, usize) {
        let mut lexer = Lexer::new(self.text, at + 1, bound);
        let mut stack: Vec<(u8, Span)> = Vec::new();
        loop {
            let token = match lexer.next_token() {
                Ok(Some(token)) => token,
                Ok(None) => return (Outcome::Unclosed(stack), lexer.position()),
                Err(e) => return (Outcome::Lex(e), lexer.position()),
            };
            if token.kind != TokenKind::Punct || token.span.len() != 1 {
                continue;
            }
            let b = self.bytes[token.span.start];
            match b {
                b'(' | b'[' | b'{' => stack.push((b, token.span)),
                b')' | b']' | b'}' => match stack.pop() {
                    Some((open, _)) if closer_of(open) == b => {
                        if stack.is_empty() {
                            return (Outcome::Closed(token.span.end), lexer.position());
                        }
                    }
                    open => {
                        let e = LexError::Mismatch {
                            open: open.map(|(_, span)| span),
                            close: token.span,
                        };
                        return (Outcome::Lex(e), lexer.position());
                    }
                },
                // C# has no `</` outside literals: in element text it is the closing tag.
                b'<' if place == Place::Text && self.bytes.get(token.span.end) == Some(&b'/') => {
                    return (Outcome::Unclosed(stack), lexer.position());
                }
                _ => {}
            }
        }
    }

    /// Is `end` a clean end for an expression: the attribute's closing quote, or only white space
    /// before the next tag?
    fn ends_cleanly(&self, end: usize, place: Place, delimiter: Option<u8>) -> bool {
        match (place, delimiter) {
            (Place::Attribute, Some(q)) => self.bytes.get(end) == Some(&q),
            _ => {
                let k = self.skip_ws(end);
                k >= self.len() || self.bytes[k] == b'<'
            }
        }
    }

    /// Handles one expression starting at `at`; returns where scanning continues.
    fn expression(&mut self, at: usize, place: Place, delimiter: Option<u8>) -> usize {
        let block = self.bytes.get(at + 1) == Some(&b'{');
        let unbounded = self.budget > 0;
        let bound = if unbounded {
            self.len()
        } else {
            self.recovery_end(at, place, delimiter)
        };
        let (outcome, reached) = self.lex(at, bound, place);
        self.budget = self.budget.saturating_sub(reached.saturating_sub(at));
        if let Outcome::Closed(end) = outcome
            && self.ends_cleanly(end, place, delimiter)
        {
            self.record(at, end, block, place, true);
            return end;
        }
        // Broken: bound it by its attribute value or text and say what is wrong inside.
        let stop = self.recovery_end(at, place, delimiter);
        let (outcome, _) = self.lex(at, stop, place);
        let problem = match outcome {
            Outcome::Closed(end) => self.trailing(at, end, stop, place),
            Outcome::Unclosed(stack) => self.unclosed(at, &stack, place),
            Outcome::Lex(e) => self.lex_problem(e),
        };
        self.problems.push(problem);
        self.record(at, stop, block, place, false);
        stop
    }

    fn record(&mut self, at: usize, end: usize, block: bool, place: Place, ok: bool) {
        self.expressions.push(Expression {
            span: Span::new(at, end),
            block,
            place,
            balanced: ok,
        });
        named_value_refs(self.text, at, end, &mut self.named_values);
        self.masks.push(Span::new(at, end));
    }

    fn where_is(&self, span: Span) -> String {
        self.file.line_col(span.start).to_string()
    }

    fn trailing(&self, at: usize, end: usize, stop: usize, place: Place) -> Diagnostic {
        let whole = match place {
            Place::Attribute => "attribute value",
            Place::Text => "element text",
        };
        Diagnostic::new(
            "policy-expression-trailing",
            format!("text follows the policy expression that starts at {}", self.where_is(Span::new(at, at + 1))),
        )
        // At least one character, but never past the end of the file (an expression that closes
        // at the very end of the text has nothing after it to point at).
        .at(Span::new(end, stop.max(end + 1).min(self.len()).max(end)))
        .label("after the expression")
        .help(format!(
            "an expression must be the whole {whole}: check the brackets of the expression, or write the text inside it"
        ))
    }

    fn unclosed(&self, at: usize, stack: &[(u8, Span)], place: Place) -> Diagnostic {
        let (open, span) = stack
            .last()
            .copied()
            .unwrap_or((b'(', Span::new(at + 1, at + 2)));
        let span = if span.start == at + 1 {
            Span::new(at, at + 2)
        } else {
            span
        };
        let close = closer_of(open) as char;
        let end = match place {
            Place::Attribute => "the attribute value's closing quote",
            Place::Text => "the closing tag",
        };
        Diagnostic::new(
            "policy-expression-unbalanced",
            format!(
                "`{}` is never closed in this policy expression",
                open as char
            ),
        )
        .at(span)
        .label(format!("needs a matching `{close}`"))
        .help(format!(
            "add the missing `{close}` before {end}; brackets inside string literals do not count"
        ))
    }

    fn lex_problem(&self, e: LexError) -> Diagnostic {
        match e {
            LexError::UnclosedString { at } => Diagnostic::new(
                "policy-expression-string",
                "string literal in a policy expression is not closed",
            )
            .at(at)
            .label("this string never ends")
            .help(
                "close it with `\"` on the same line; write a quote inside a regular string as \\\" \
                 and inside a verbatim string @\"...\" as \"\"",
            ),
            LexError::UnclosedChar { at } => Diagnostic::new(
                "policy-expression-char",
                "character literal in a policy expression is not closed",
            )
            .at(at)
            .label("expected one character and a closing `'`")
            .help("a C# character literal holds exactly one character, e.g. 'x' or '\\''; use \"...\" for text"),
            LexError::UnclosedComment { at } => Diagnostic::new(
                "policy-expression-comment",
                "comment in a policy expression is not closed",
            )
            .at(at)
            .label("`/*` without `*/`")
            .help("end the comment with `*/`"),
            LexError::Mismatch { open, close } => {
                let close_char = self.bytes.get(close.start).copied().unwrap_or(b')') as char;
                let message = match open {
                    Some(open) => format!(
                        "`{close_char}` does not close the `{}` at {}",
                        self.bytes.get(open.start).copied().unwrap_or(b'(') as char,
                        self.where_is(open)
                    ),
                    None => format!("`{close_char}` has no opening bracket"),
                };
                let help = match open.and_then(|o| self.bytes.get(o.start)) {
                    Some(&o) => format!(
                        "close the `{}` with `{}` first; brackets inside string literals do not count",
                        o as char,
                        closer_of(o) as char
                    ),
                    None => "remove it, or add the opening bracket it closes".to_string(),
                };
                Diagnostic::new("policy-expression-unbalanced", message)
                    .at(close)
                    .label("unexpected closing bracket")
                    .help(help)
            }
            LexError::UnclosedHole { at } => Diagnostic::new(
                "policy-expression-unbalanced",
                "interpolation hole `{` in an interpolated string is not closed",
            )
            .at(at)
            .label("needs a matching `}`")
            .help("close the hole with `}`; write a literal brace in an interpolated string as {{"),
            LexError::TooDeep { at } => Diagnostic::new(
                "policy-expression-nesting",
                "interpolated strings are nested too deeply",
            )
            .at(at)
            .help("build the text in steps with local variables"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(text: &str) -> Scan {
        scan(&SourceFile::new("t.xml", text))
    }

    #[test]
    fn masks_attribute_and_text_expressions_keeping_offsets() {
        let text = "<a v=\"@(x[\"k\"] < 1 && y)\" w='@{ return \"'\"; }'>\n @{ if (a<b) { return \"</a>\"; }\n return 1; } </a>";
        let scan = scanned(text);
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
        assert_eq!(scan.masked.len(), text.len());
        assert_eq!(scan.expressions.len(), 3);
        assert!(!scan.masked.contains("&&"));
        assert_eq!(scan.masked.matches('\n').count(), 2);
        assert!(
            roxmltree::Document::parse(&scan.masked).is_ok(),
            "{}",
            scan.masked
        );
    }

    #[test]
    fn collects_named_values_everywhere_but_comments() {
        let text = "<a u=\"{{x-1}}/p\"><!-- {{hidden}} -->{{y.z}}<b c=\"@(&quot;{{in_expr}}&quot;)\"/>{{ not }}</a>";
        let names: Vec<String> = scanned(text)
            .named_values
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["x-1", "y.z", "in_expr"]);
    }

    #[test]
    fn unbalanced_attribute_expression_is_reported_and_bounded() {
        let text = "<a v=\"@(f(\"x\")\" w=\"1\"/>";
        let scan = scanned(text);
        assert_eq!(scan.problems.len(), 1);
        assert_eq!(scan.problems[0].code, "policy-expression-unbalanced");
        assert_eq!(scan.problems[0].span, Some(Span::new(6, 8)));
        assert!(
            roxmltree::Document::parse(&scan.masked).is_ok(),
            "{}",
            scan.masked
        );
    }
}
