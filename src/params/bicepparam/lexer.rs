//! Tokens of the `.bicepparam` subset aigw reads.
//!
//! The lexer never fails outright: a lexical problem becomes a diagnostic plus an `Error` token,
//! so the parser can recover and the user sees every problem in one run. The one exception is
//! brackets nested deeper than the parser accepts: lexing stops there, so 4 MB of `[` do not
//! become millions of tokens first.

use super::parser::MAX_DEPTH;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    /// Decimal digits as written; the parser converts (and reports overflow).
    Int(String),
    /// A single-quoted string, split at `${...}` interpolations.
    Str(Vec<StrPart>),
    /// A `'''` multi-line string (no escapes, no interpolation, as in Bicep).
    MultiStr(String),
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Colon,
    Equals,
    Dot,
    Question,
    Minus,
    At,
    /// Any other operator (`==`, `&&`, `!`, `+`, `??`, ...): never valid in the supported subset.
    Operator(String),
    Newline,
    /// Text the lexer already reported.
    Error,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Literal(String),
    /// The byte span of the expression between `${` and `}`.
    Interpolation(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Lexes `text[range]`; spans are absolute offsets into `text`.
pub fn lex(text: &str, start: usize, end: usize, problems: &mut Vec<Diagnostic>) -> Vec<Token> {
    let mut lexer = Lexer {
        text,
        pos: start,
        end,
        tokens: Vec::new(),
        problems,
        depth: 0,
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a, 'p> {
    text: &'a str,
    pos: usize,
    end: usize,
    tokens: Vec<Token>,
    problems: &'p mut Vec<Diagnostic>,
    /// Open `{`, `[` and `(` (see the module comment).
    depth: usize,
}

impl Lexer<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..self.end].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.text[self.pos..self.end].chars().nth(n)
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..self.end]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token {
            tok,
            span: Span::new(start, self.pos),
        });
    }

    fn problem(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                '\n' => {
                    self.bump();
                    self.push(Tok::Newline, start);
                }
                ' ' | '\t' | '\r' | '\u{feff}' => {
                    self.bump();
                }
                '/' if self.peek_at(1) == Some('/') => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                '/' if self.peek_at(1) == Some('*') => self.block_comment(start),
                '\'' if self.rest().starts_with("'''") => self.multiline_string(start),
                '\'' => self.string(start),
                '"' => self.double_quoted(start),
                '0'..='9' => {
                    while matches!(self.peek(), Some('0'..='9')) {
                        self.bump();
                    }
                    if matches!(self.peek(), Some('.'))
                        && matches!(self.peek_at(1), Some('0'..='9'))
                    {
                        while matches!(self.peek(), Some('0'..='9' | '.')) {
                            self.bump();
                        }
                        self.problem(
                            Diagnostic::new(
                                "unsupported-number",
                                "decimal numbers are not supported",
                            )
                            .at(Span::new(start, self.pos))
                            .help("parameters take whole numbers; write an integer or a string"),
                        );
                        self.push(Tok::Error, start);
                    } else {
                        let digits = self.text[start..self.pos].to_string();
                        self.push(Tok::Int(digits), start);
                    }
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
                        self.bump();
                    }
                    let word = self.text[start..self.pos].to_string();
                    self.push(Tok::Ident(word), start);
                }
                _ => {
                    self.punctuation(start, c);
                    if self.too_deep(start) {
                        break;
                    }
                }
            }
        }
        let end = self.end;
        self.tokens.push(Token {
            tok: Tok::Eof,
            span: Span::new(end, end),
        });
    }

    /// Counts brackets after a punctuation token; true (and reported) past [`MAX_DEPTH`].
    fn too_deep(&mut self, start: usize) -> bool {
        match self.tokens.last().map(|t| &t.tok) {
            Some(Tok::LBrace | Tok::LBracket | Tok::LParen) => self.depth += 1,
            Some(Tok::RBrace | Tok::RBracket | Tok::RParen) => {
                self.depth = self.depth.saturating_sub(1)
            }
            _ => {}
        }
        if self.depth <= MAX_DEPTH {
            return false;
        }
        self.problem(
            Diagnostic::new(
                "too-deep",
                format!("values nested deeper than {MAX_DEPTH} levels are not supported"),
            )
            .at(Span::new(start, start + 1))
            .help("the rest of the file is not read; flatten the value"),
        );
        true
    }

    fn punctuation(&mut self, start: usize, c: char) {
        const OPERATORS: [&str; 17] = [
            "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "??", "=>", "::", "?.", "!", "<", ">",
            "+", "*",
        ];
        let simple = match c {
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            ':' if self.peek_at(1) != Some(':') => Some(Tok::Colon),
            '.' => Some(Tok::Dot),
            '-' => Some(Tok::Minus),
            '@' => Some(Tok::At),
            _ => None,
        };
        if let Some(tok) = simple {
            self.bump();
            self.push(tok, start);
            return;
        }
        if let Some(op) = OPERATORS.iter().find(|op| self.rest().starts_with(**op)) {
            self.pos += op.len();
            self.push(Tok::Operator(op.to_string()), start);
            return;
        }
        match c {
            '=' => {
                self.bump();
                self.push(Tok::Equals, start);
            }
            '?' => {
                self.bump();
                self.push(Tok::Question, start);
            }
            '/' | '%' => {
                self.bump();
                self.push(Tok::Operator(c.to_string()), start);
            }
            _ => {
                self.bump();
                self.problem(
                    Diagnostic::new(
                        "unexpected-character",
                        format!("unexpected character `{}`", c.escape_debug()),
                    )
                    .at(Span::new(start, self.pos))
                    .help("a .bicepparam file holds `using '...'` and `param name = value` lines"),
                );
                self.push(Tok::Error, start);
            }
        }
    }

    fn block_comment(&mut self, start: usize) {
        self.pos += 2;
        match self.rest().find("*/") {
            Some(i) => self.pos += i + 2,
            None => {
                self.pos = self.end;
                self.problem(
                    Diagnostic::new("unterminated-comment", "this `/*` comment is never closed")
                        .at(Span::new(start, start + 2))
                        .help("close the comment with `*/`"),
                );
            }
        }
    }

    fn multiline_string(&mut self, start: usize) {
        self.pos += 3;
        match self.rest().find("'''") {
            Some(i) => {
                let mut body = &self.text[self.pos..self.pos + i];
                // As in Bicep, a line break right after the opening quotes is not part of the value.
                body = body
                    .strip_prefix("\r\n")
                    .or_else(|| body.strip_prefix('\n'))
                    .unwrap_or(body);
                let value = body.to_string();
                self.pos += i + 3;
                self.push(Tok::MultiStr(value), start);
            }
            None => {
                self.pos = self.end;
                self.problem(
                    Diagnostic::new("unterminated-string", "this `'''` string is never closed")
                        .at(Span::new(start, start + 3))
                        .help("end the multi-line string with `'''`"),
                );
                self.push(Tok::Error, start);
            }
        }
    }

    fn double_quoted(&mut self, start: usize) {
        self.bump();
        while let Some(c) = self.peek() {
            if c == '"' || c == '\n' {
                break;
            }
            self.bump();
        }
        if self.peek() == Some('"') {
            self.bump();
        }
        self.problem(
            Diagnostic::new("double-quoted-string", "Bicep strings use single quotes")
                .at(Span::new(start, self.pos))
                .label("double quotes")
                .help("write 'text' instead of \"text\""),
        );
        self.push(Tok::Error, start);
    }

    fn string(&mut self, start: usize) {
        self.bump();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut ok = true;
        loop {
            let Some(c) = self.peek() else {
                self.unterminated(start);
                return;
            };
            match c {
                '\'' => {
                    self.bump();
                    break;
                }
                '\n' => {
                    self.unterminated(start);
                    return;
                }
                '\\' => {
                    let escape_start = self.pos;
                    self.bump();
                    match self.escape() {
                        Some(ch) => literal.push(ch),
                        None => {
                            ok = false;
                            self.problem(
                                Diagnostic::new(
                                    "invalid-escape",
                                    "invalid escape sequence in string",
                                )
                                .at(Span::new(escape_start, self.pos))
                                .help(
                                    r"the escapes Bicep knows are \\ \' \n \r \t \$ and \u{XXXX}",
                                ),
                            );
                        }
                    }
                }
                '$' if self.peek_at(1) == Some('{') => {
                    let interp_start = self.pos;
                    self.pos += 2;
                    match self.interpolation_end() {
                        Some(close) => {
                            if !literal.is_empty() {
                                parts.push(StrPart::Literal(std::mem::take(&mut literal)));
                            }
                            parts.push(StrPart::Interpolation(Span::new(interp_start + 2, close)));
                            self.pos = close + 1;
                        }
                        None => {
                            self.pos = self.end;
                            self.problem(
                                Diagnostic::new(
                                    "unterminated-interpolation",
                                    "this `${` is never closed",
                                )
                                .at(Span::new(interp_start, interp_start + 2))
                                .help("close the interpolation with `}` before the string ends"),
                            );
                            self.push(Tok::Error, start);
                            return;
                        }
                    }
                }
                _ => {
                    self.bump();
                    literal.push(c);
                }
            }
        }
        if !literal.is_empty() || parts.is_empty() {
            parts.push(StrPart::Literal(literal));
        }
        self.push(if ok { Tok::Str(parts) } else { Tok::Error }, start);
    }

    fn unterminated(&mut self, start: usize) {
        self.problem(
            Diagnostic::new("unterminated-string", "this string is never closed")
                .at(Span::new(start, self.pos))
                .help("end the string with `'` on the same line, or use a ''' multi-line string"),
        );
        self.push(Tok::Error, start);
    }

    /// After a backslash: the escaped character, or `None` (position left after the bad escape).
    fn escape(&mut self) -> Option<char> {
        let c = self.bump()?;
        match c {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '$' => Some('$'),
            'u' if self.peek() == Some('{') => {
                self.bump();
                let digits_start = self.pos;
                while matches!(self.peek(), Some(c) if c.is_ascii_hexdigit()) {
                    self.bump();
                }
                let digits = &self.text[digits_start..self.pos];
                if self.peek() != Some('}') {
                    return None;
                }
                self.bump();
                u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ => None,
        }
    }

    /// Finds the `}` closing an interpolation that starts at `self.pos`, skipping nested braces
    /// and quoted strings. Returns its offset.
    fn interpolation_end(&self) -> Option<usize> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut chars = self.text[self.pos..self.end].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\n' if in_string => return None,
                '\\' if in_string => {
                    chars.next();
                }
                '\'' => in_string = !in_string,
                '{' if !in_string => depth += 1,
                '}' if !in_string => {
                    if depth == 0 {
                        return Some(self.pos + i);
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> (Vec<Tok>, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let tokens = lex(text, 0, text.len(), &mut problems);
        (tokens.into_iter().map(|t| t.tok).collect(), problems)
    }

    #[test]
    fn escapes_and_interpolation() {
        let (tokens, problems) = toks(r"'a\'b\n\u{41}${x}c'");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            tokens[0],
            Tok::Str(vec![
                StrPart::Literal("a'b\nA".into()),
                StrPart::Interpolation(Span::new(15, 16)),
                StrPart::Literal("c".into()),
            ])
        );
    }

    #[test]
    fn multiline_string_drops_first_newline_and_keeps_backslashes() {
        let (tokens, _) = toks("'''\nline1\\n\nline2'''");
        assert_eq!(tokens[0], Tok::MultiStr("line1\\n\nline2".into()));
    }

    #[test]
    fn comments_are_skipped() {
        let (tokens, problems) = toks("// c\nparam /* x */ a");
        assert!(problems.is_empty());
        assert_eq!(
            tokens,
            vec![
                Tok::Newline,
                Tok::Ident("param".into()),
                Tok::Ident("a".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn lexical_problems_are_reported_and_lexing_continues() {
        let (tokens, problems) = toks("'a\\q' \"x\" 1.5 #");
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "invalid-escape",
                "double-quoted-string",
                "unsupported-number",
                "unexpected-character"
            ]
        );
        assert_eq!(tokens.last(), Some(&Tok::Eof));
    }

    #[test]
    fn unterminated_constructs() {
        for text in ["'abc", "'''abc", "/* abc", "'${abc'"] {
            let (_, problems) = toks(text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        }
    }
}
