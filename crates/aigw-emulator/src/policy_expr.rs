//! Where the C# expressions of a stored policy are, so that a GET can hand the policy back the way
//! API Management does (`policy_form`).
//!
//! An expression is an attribute value or element text that starts with `@(` or `@{` and ends at
//! the bracket that closes that one ("API Management policy expressions",
//! https://learn.microsoft.com/azure/api-management/api-management-policy-expressions). In the
//! `rawxml` format expressions are not escaped, so C# literals and comments decide where one ends:
//! regular strings with `\` escapes, verbatim `@"..."` with `""`, interpolated `$"...{hole}..."`
//! (holes nest, `{{` is a brace, a `:` outside brackets starts the format), character literals,
//! `//` and `/* */` comments.
//!
//! This is the emulator's own reading, kept apart from aigw's policy checker on purpose: an
//! emulator that borrowed the reader of the program under test would agree with its mistakes
//! instead of exposing them. A broken expression (unbalanced, an unclosed literal, text after the
//! closing bracket) is taken to end where its attribute value or element text ends, and makes the
//! policy unreadable as XML for `policy_form`.

/// Interpolated strings nested deeper than this make the expression broken (recursion bound).
const MAX_INTERPOLATION_DEPTH: usize = 32;

/// Where an expression sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Attribute,
    Text,
}

/// One expression: bytes `start..end` of the policy, from `@` to just after its closing bracket
/// (to the end of its attribute value or text when broken).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expression {
    pub start: usize,
    pub end: usize,
    pub place: Place,
}

/// The expressions of one policy, in text order.
#[derive(Debug)]
pub(crate) struct Expressions {
    pub found: Vec<Expression>,
    /// At least one expression is broken.
    pub broken: bool,
}

impl Expressions {
    /// `text` with every expression replaced by `_` (same byte length, line breaks kept), so that
    /// an XML parser can read the rest and its offsets are those of `text`.
    pub fn masked(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut next = 0;
        for expression in &self.found {
            let start = expression.start.max(next).min(text.len());
            let end = expression.end.min(text.len());
            if let Some(before) = text.get(next..start) {
                out.push_str(before);
            }
            for c in text.get(start..end).unwrap_or("").chars() {
                if c == '\n' || c == '\r' {
                    out.push(c);
                } else {
                    out.extend(std::iter::repeat_n('_', c.len_utf8()));
                }
            }
            next = end.max(next);
        }
        if let Some(rest) = text.get(next..) {
            out.push_str(rest);
        }
        out
    }
}

/// Finds the expressions of a policy document.
pub(crate) fn find(text: &str) -> Expressions {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        // Lexing a broken expression to the end of the document costs at most this many bytes in
        // total; after that each expression is bounded by its attribute value or text, so a
        // document full of unclosed expressions is read in linear time.
        budget: text.len().saturating_mul(16).saturating_add(1 << 16),
        found: Vec::new(),
        broken: false,
    };
    scanner.document();
    Expressions {
        found: scanner.found,
        broken: scanner.broken,
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    budget: usize,
    found: Vec<Expression>,
    broken: bool,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_char(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-' || b == b'.'
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

    /// The XML around the expressions: markup that cannot hold one is skipped whole.
    fn document(&mut self) {
        let len = self.len();
        let mut i = 0;
        while i < len {
            if self.bytes[i] != b'<' {
                let next = self.find_byte(i, b'<').unwrap_or(len);
                let k = self.skip_ws(i);
                i = if self.expression_starts(k) {
                    self.expression(k, Place::Text, None)
                } else {
                    next
                };
                continue;
            }
            i = if self.starts_with(i, "<!--") {
                self.find(i + 4, "-->").map_or(len, |j| j + 3)
            } else if self.starts_with(i, "<![CDATA[") {
                self.find(i + 9, "]]>").map_or(len, |j| j + 3)
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

    fn expression_starts(&self, at: usize) -> bool {
        self.bytes.get(at) == Some(&b'@') && matches!(self.bytes.get(at + 1), Some(b'(' | b'{'))
    }

    /// A start tag; `at` is on the first character of its name. Returns the position after it.
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
        let end = if self.expression_starts(start) {
            self.expression(start, Place::Attribute, Some(q))
        } else {
            self.find_byte(start, q).unwrap_or(self.len())
        };
        if self.bytes.get(end) == Some(&q) {
            end + 1
        } else {
            end
        }
    }

    /// Where a broken expression is taken to end: the quote that closes its attribute value (a
    /// quote followed by white space, `/`, `>` or `?`), or the first `</` after element text.
    fn recovery_end(&self, at: usize, place: Place, delimiter: Option<u8>) -> usize {
        let len = self.len();
        match (place, delimiter) {
            (Place::Attribute, Some(q)) => (at + 2..len)
                .find(|&j| {
                    self.bytes[j] == q
                        && self
                            .bytes
                            .get(j + 1)
                            .is_none_or(|&n| n.is_ascii_whitespace() || b"/>?".contains(&n))
                })
                .or_else(|| self.find_byte(at + 2, q))
                .unwrap_or(len),
            _ => self.find(at + 2, "</").unwrap_or(len),
        }
    }

    /// Does the expression end cleanly at `end`: on its attribute value's closing quote, or with
    /// only white space before the next tag?
    fn ends_cleanly(&self, end: usize, place: Place, delimiter: Option<u8>) -> bool {
        match (place, delimiter) {
            (Place::Attribute, Some(q)) => self.bytes.get(end) == Some(&q),
            _ => {
                let k = self.skip_ws(end);
                k >= self.len() || self.bytes[k] == b'<'
            }
        }
    }

    /// The expression whose `@` is at `at`; returns where the document continues.
    fn expression(&mut self, at: usize, place: Place, delimiter: Option<u8>) -> usize {
        let bound = if self.budget > 0 {
            self.len()
        } else {
            self.recovery_end(at, place, delimiter)
        };
        let mut lexer = Lexer::new(self.bytes, at + 1, bound);
        let closed = lexer.outer(place == Place::Text);
        self.budget = self.budget.saturating_sub(lexer.pos.saturating_sub(at));
        let end = match closed {
            Some(end) if self.ends_cleanly(end, place, delimiter) => end,
            _ => {
                self.broken = true;
                self.recovery_end(at, place, delimiter)
            }
        };
        self.found.push(Expression {
            start: at,
            end,
            place,
        });
        end
    }
}

/// The closing bracket for an opening one.
fn closer_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// What the lexer hands the bracket matching: a character that matters, or anything else
/// (identifiers, numbers, operators, literals, all skipped whole).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Punct(u8),
    Other,
}

/// An unclosed literal or comment, unbalanced brackets in a hole, or nesting too deep.
struct Broken;

/// Reads C# from `pos` to `end` (byte offsets into the whole policy).
struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(bytes: &'a [u8], start: usize, end: usize) -> Self {
        let end = end.min(bytes.len());
        Lexer {
            bytes,
            pos: start.min(end),
            end,
            depth: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        let at = self.pos + ahead;
        (at < self.end).then(|| self.bytes[at])
    }

    /// From the expression's opening bracket: the position after the bracket that closes it, or
    /// `None` when it does not close. In element text a `</` outside literals is the closing tag.
    fn outer(&mut self, in_text: bool) -> Option<usize> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            let Ok(Some(token)) = self.next_token() else {
                return None;
            };
            match token {
                Token::Punct(b @ (b'(' | b'[' | b'{')) => open.push(b),
                Token::Punct(b @ (b')' | b']' | b'}')) => {
                    if open.pop().map(closer_of) != Some(b) {
                        return None;
                    }
                    if open.is_empty() {
                        return Some(self.pos);
                    }
                }
                Token::Punct(b'<') if in_text && self.peek(0) == Some(b'/') => return None,
                _ => {}
            }
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, Broken> {
        loop {
            let Some(b) = self.peek(0) else {
                return Ok(None);
            };
            match (b, self.peek(1), self.peek(2)) {
                (b'/', Some(b'/'), _) => {
                    while self.peek(0).is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                (b'/', Some(b'*'), _) => self.block_comment()?,
                (b'"', _, _) => return self.regular_string(1, false).map(Some),
                (b'@', Some(b'"'), _) => return self.verbatim_string(2, false).map(Some),
                (b'$', Some(b'"'), _) => return self.regular_string(2, true).map(Some),
                (b'$', Some(b'@'), Some(b'"')) | (b'@', Some(b'$'), Some(b'"')) => {
                    return self.verbatim_string(3, true).map(Some);
                }
                (b'\'', _, _) => return self.char_literal().map(Some),
                // `global::X`: not the colon that starts an interpolation format.
                (b':', Some(b':'), _) => {
                    self.pos += 2;
                    return Ok(Some(Token::Other));
                }
                (b'(' | b'[' | b'{' | b')' | b']' | b'}' | b':' | b'<', _, _) => {
                    self.pos += 1;
                    return Ok(Some(Token::Punct(b)));
                }
                _ => {
                    self.pos += 1;
                    if !b.is_ascii_whitespace() {
                        return Ok(Some(Token::Other));
                    }
                }
            }
        }
    }

    fn block_comment(&mut self) -> Result<(), Broken> {
        self.pos += 2;
        while self.pos < self.end {
            if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                self.pos += 2;
                return Ok(());
            }
            self.pos += 1;
        }
        Err(Broken)
    }

    /// `"..."` or `$"..."`; `prefix` is the length up to and including the opening quote. A
    /// regular string cannot span lines.
    fn regular_string(&mut self, prefix: usize, interpolated: bool) -> Result<Token, Broken> {
        self.pos += prefix;
        loop {
            match self.peek(0).ok_or(Broken)? {
                b'"' => {
                    self.pos += 1;
                    return Ok(Token::Other);
                }
                b'\n' | b'\r' => return Err(Broken),
                b'\\' => {
                    self.peek(1).ok_or(Broken)?;
                    self.pos += 2;
                }
                _ => self.string_content(interpolated)?,
            }
        }
    }

    /// `@"..."`, `$@"..."` or `@$"..."`; `""` is a quote.
    fn verbatim_string(&mut self, prefix: usize, interpolated: bool) -> Result<Token, Broken> {
        self.pos += prefix;
        loop {
            match self.peek(0).ok_or(Broken)? {
                b'"' if self.peek(1) == Some(b'"') => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Ok(Token::Other);
                }
                _ => self.string_content(interpolated)?,
            }
        }
    }

    /// One piece of a string's text: `{{`, `}}` or a `{hole}` when interpolated, else one byte.
    fn string_content(&mut self, interpolated: bool) -> Result<(), Broken> {
        match (self.peek(0), self.peek(1)) {
            (Some(b'{'), Some(b'{')) | (Some(b'}'), Some(b'}')) if interpolated => self.pos += 2,
            (Some(b'{'), _) if interpolated => self.hole()?,
            _ => self.pos += 1,
        }
        Ok(())
    }

    /// An interpolation hole; `pos` is on its `{`.
    fn hole(&mut self) -> Result<(), Broken> {
        if self.depth >= MAX_INTERPOLATION_DEPTH {
            return Err(Broken);
        }
        self.pos += 1;
        self.depth += 1;
        let mut open: Vec<u8> = Vec::new();
        let result = loop {
            let token = match self.next_token() {
                Ok(Some(token)) => token,
                Ok(None) | Err(Broken) => break Err(Broken),
            };
            match token {
                Token::Punct(b @ (b'(' | b'[' | b'{')) => open.push(b),
                Token::Punct(b @ (b')' | b']' | b'}')) => match open.pop() {
                    None if b == b'}' => break Ok(()),
                    Some(o) if closer_of(o) == b => {}
                    _ => break Err(Broken),
                },
                // The format (`{when:yyyy-MM-dd}`) is text up to the hole's `}`.
                Token::Punct(b':') if open.is_empty() => {
                    while self.peek(0).is_some_and(|b| b != b'}') {
                        self.pos += 1;
                    }
                    if self.peek(0).is_none() {
                        break Err(Broken);
                    }
                    self.pos += 1;
                    break Ok(());
                }
                _ => {}
            }
        };
        self.depth -= 1;
        result
    }

    /// The rest of a character whose first byte was just read (UTF-8 continuation bytes are
    /// `10xxxxxx`).
    fn skip_continuation_bytes(&mut self) {
        while self.peek(0).is_some_and(|b| b & 0xC0 == 0x80) {
            self.pos += 1;
        }
    }

    /// `'x'`, `'\''`, `'\n'`, `'\u0041'`: exactly one character or one escape.
    fn char_literal(&mut self) -> Result<Token, Broken> {
        self.pos += 1;
        match self.peek(0).ok_or(Broken)? {
            b'\'' | b'\n' | b'\r' => return Err(Broken),
            b'\\' => {
                let escape = self.peek(1).ok_or(Broken)?;
                self.pos += 2;
                self.skip_continuation_bytes();
                let digits = match escape {
                    b'u' | b'x' => 4,
                    b'U' => 8,
                    _ => 0,
                };
                for _ in 0..digits {
                    if !self.peek(0).is_some_and(|b| b.is_ascii_hexdigit()) {
                        break;
                    }
                    self.pos += 1;
                }
            }
            _ => {
                self.pos += 1;
                self.skip_continuation_bytes();
            }
        }
        if self.peek(0) == Some(b'\'') {
            self.pos += 1;
            Ok(Token::Other)
        } else {
            Err(Broken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        find(text)
            .found
            .iter()
            .map(|e| &text[e.start..e.end])
            .collect()
    }

    #[test]
    fn masks_attribute_and_text_expressions_keeping_offsets() {
        let text = "<a v=\"@(x[\"k\"] < 1 && y)\" w='@{ return \"'\"; }'>\n @{ if (a<b) { return \"</a>\"; }\n return 1; } </a>";
        let found = find(text);
        assert!(!found.broken);
        let places: Vec<Place> = found.found.iter().map(|e| e.place).collect();
        assert_eq!(places, [Place::Attribute, Place::Attribute, Place::Text]);
        let masked = found.masked(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("&&"));
        assert_eq!(masked.matches('\n').count(), 2);
        assert!(roxmltree::Document::parse(&masked).is_ok(), "{masked}");
    }

    #[test]
    fn literals_and_comments_hide_brackets_and_quotes() {
        let cases = [
            r#"@(@"a "")" + 'b')"#,
            r#"@($"{(x ? ")" : "(")}{{)}}")"#,
            r#"@($@"{y:yyyy-MM-dd}"" }")"#,
            r#"@(c == ')' || c == '\x29' || c == '\'')"#,
            "@{ /* ) */ return 1; // )\n }",
            r#"@(global::System.String.Empty)"#,
            r#"@("a\"b)")"#,
        ];
        for expression in cases {
            let text = format!("<x>{expression}</x>");
            assert_eq!(spans(&text), [expression], "{text}");
            assert!(!find(&text).broken, "{text}");
        }
    }

    #[test]
    fn a_broken_attribute_expression_ends_with_its_value() {
        let text = "<a v=\"@(f(\"x\")\" w=\"1\"/>";
        let found = find(text);
        assert!(found.broken);
        assert_eq!(spans(text), ["@(f(\"x\")"]);
        let masked = found.masked(text);
        assert!(roxmltree::Document::parse(&masked).is_ok(), "{masked}");
    }

    #[test]
    fn a_broken_text_expression_ends_at_the_closing_tag() {
        let text = "<a>@(f(x</a><b v=\"@(1)\"/>";
        let found = find(text);
        assert!(found.broken);
        assert_eq!(spans(text), ["@(f(x", "@(1)"]);
    }

    #[test]
    fn text_after_the_closing_bracket_breaks_the_expression() {
        for text in ["<a v=\"@(1) + 2\"/>", "<a>@(1) + 2</a>"] {
            let found = find(text);
            assert!(found.broken, "{text}");
            assert_eq!(spans(text), ["@(1) + 2"], "{text}");
        }
    }

    #[test]
    fn comments_cdata_and_plain_values_hold_no_expression() {
        let text = "<!-- @(x) --><a v=\"x @(y)\"><![CDATA[@(z)]]>text @(w)</a>";
        assert!(spans(text).is_empty());
    }

    #[test]
    fn many_unclosed_expressions_are_each_bounded_by_their_value() {
        let text = "<a v=\"@(x\"/>".repeat(5_000);
        let found = find(&text);
        assert!(found.broken);
        assert_eq!(found.found.len(), 5_000);
        assert!(found.found.iter().all(|e| e.end - e.start == 3));
    }

    #[test]
    fn nesting_beyond_the_bound_is_broken_not_a_stack_overflow() {
        let deep = format!("{}1{}", "$\"{".repeat(200), "}\"".repeat(200));
        let text = format!("<a>@({deep})</a>");
        assert!(find(&text).broken);
    }
}
