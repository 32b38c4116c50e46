//! A small C# lexer for APIM policy expressions.
//!
//! Owns the literal rules of C# that decide where an expression ends: regular strings with
//! escapes, verbatim strings (`@"..."` with `""`), interpolated strings (`$"..."`, `$@"..."`,
//! `@$"..."`) with their `{...}` holes, character literals and comments. It turns text into
//! tokens with byte spans into the policy file; it does not parse C# (callers match token shapes)
//! and never panics: every problem is a [`LexError`].

use crate::source::Span;

/// Interpolated strings nested deeper than this are reported instead of lexed (recursion bound).
const MAX_INTERPOLATION_DEPTH: usize = 32;

/// Two-character operators kept together, so that `??`, `?.` and `==` are not read as `?` or `=`.
const TWO_CHAR_PUNCT: &[&[u8; 2]] = &[
    b"??", b"?.", b"==", b"!=", b">=", b"<=", b"&&", b"||", b"=>", b"++", b"--", b"+=", b"-=",
    b"*=", b"/=", b"->", b"::",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Number,
    /// A string literal of any form; `value` is set unless it is interpolated.
    Str,
    Char,
    Punct,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// The decoded value of a regular or verbatim string literal.
    pub value: Option<String>,
}

impl Token {
    /// The token's source text (for identifiers without a leading `@`).
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        let text = source.get(self.span.start..self.span.end).unwrap_or("");
        match self.kind {
            TokenKind::Ident => text.strip_prefix('@').unwrap_or(text),
            _ => text,
        }
    }

    pub fn is_punct(&self, source: &str, punct: &str) -> bool {
        self.kind == TokenKind::Punct && self.text(source) == punct
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexError {
    /// A string literal without its closing quote; `at` is the opening quote.
    UnclosedString { at: Span },
    /// A character literal without its closing `'`.
    UnclosedChar { at: Span },
    /// A `/*` comment without `*/`.
    UnclosedComment { at: Span },
    /// A bracket inside an interpolation hole that closes the wrong opener (or none).
    Mismatch { open: Option<Span>, close: Span },
    /// An interpolation hole `{` without its `}`.
    UnclosedHole { at: Span },
    /// Interpolated strings nested beyond [`MAX_INTERPOLATION_DEPTH`].
    TooDeep { at: Span },
}

/// Lexes `text[start..end]`; positions are byte offsets into the whole `text`.
pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    depth: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The closing bracket for an opening one.
pub fn closer_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str, start: usize, end: usize) -> Self {
        let mut end = end.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut start = start.min(end);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: start,
            end,
            depth: 0,
        }
    }

    /// The byte offset of the next unread character.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        let at = self.pos + ahead;
        if at < self.end {
            Some(self.bytes[at])
        } else {
            None
        }
    }

    /// Length in bytes of the character at `pos` (1 past the end, so loops always advance).
    fn char_len(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn char_at(&self, pos: usize) -> char {
        self.text
            .get(pos..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or('\u{fffd}')
    }

    /// All remaining tokens (until `end`).
    pub fn tokens(mut self) -> Result<Vec<Token>, LexError> {
        let mut out = Vec::new();
        while let Some(token) = self.next_token()? {
            out.push(token);
        }
        Ok(out)
    }

    pub fn next_token(&mut self) -> Result<Option<Token>, LexError> {
        loop {
            while self.pos < self.end && self.bytes[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            let Some(b) = self.peek(0) else {
                return Ok(None);
            };
            let start = self.pos;
            let token = match (b, self.peek(1), self.peek(2)) {
                (b'/', Some(b'/'), _) => {
                    while self.pos < self.end && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                    continue;
                }
                (b'/', Some(b'*'), _) => {
                    self.block_comment(start)?;
                    continue;
                }
                (b'"', _, _) => self.regular_string(start, 1, false)?,
                (b'@', Some(b'"'), _) => self.verbatim_string(start, 2, false)?,
                (b'$', Some(b'"'), _) => self.regular_string(start, 2, true)?,
                (b'$', Some(b'@'), Some(b'"')) | (b'@', Some(b'$'), Some(b'"')) => {
                    self.verbatim_string(start, 3, true)?
                }
                (b'\'', _, _) => self.char_literal(start)?,
                (b'@', Some(next), _) if is_ident_start(next) => {
                    self.pos += 1;
                    self.identifier(start)
                }
                (b, _, _) if is_ident_start(b) => self.identifier(start),
                (b, _, _) if b.is_ascii_digit() => self.number(start),
                (a, Some(c), _) if TWO_CHAR_PUNCT.iter().any(|p| p[0] == a && p[1] == c) => {
                    self.pos += 2;
                    self.simple(TokenKind::Punct, start)
                }
                _ => {
                    self.pos += 1;
                    self.simple(TokenKind::Punct, start)
                }
            };
            return Ok(Some(token));
        }
    }

    fn simple(&self, kind: TokenKind, start: usize) -> Token {
        Token {
            kind,
            span: Span::new(start, self.pos),
            value: None,
        }
    }

    fn identifier(&mut self, start: usize) -> Token {
        while self.pos < self.end && is_ident_char(self.bytes[self.pos]) {
            self.pos += self.char_len(self.pos);
        }
        self.pos = self.pos.min(self.end);
        self.simple(TokenKind::Ident, start)
    }

    fn number(&mut self, start: usize) -> Token {
        loop {
            while self.pos < self.end && is_ident_char(self.bytes[self.pos]) {
                self.pos += 1;
            }
            match (self.peek(0), self.peek(1)) {
                (Some(b'.'), Some(d)) if d.is_ascii_digit() => self.pos += 1,
                _ => break,
            }
        }
        self.simple(TokenKind::Number, start)
    }

    fn block_comment(&mut self, start: usize) -> Result<(), LexError> {
        self.pos += 2;
        while self.pos < self.end {
            if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                self.pos += 2;
                return Ok(());
            }
            self.pos += 1;
        }
        Err(LexError::UnclosedComment {
            at: Span::new(start, start + 2),
        })
    }

    /// `"..."` or `$"..."`; `prefix` is the length up to and including the opening quote.
    fn regular_string(
        &mut self,
        start: usize,
        prefix: usize,
        interpolated: bool,
    ) -> Result<Token, LexError> {
        let at = Span::new(start, start + prefix);
        self.pos = start + prefix;
        let mut value = String::new();
        loop {
            let Some(b) = self.peek(0) else {
                return Err(LexError::UnclosedString { at });
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\n' | b'\r' => return Err(LexError::UnclosedString { at }),
                b'\\' => {
                    if self.peek(1).is_none() {
                        return Err(LexError::UnclosedString { at });
                    }
                    self.pos += 1;
                    value.push(self.escape());
                }
                _ => self.string_content(&mut value, interpolated)?,
            }
        }
        Ok(Token {
            kind: TokenKind::Str,
            span: Span::new(start, self.pos),
            value: (!interpolated).then_some(value),
        })
    }

    /// What regular and verbatim strings share: `{{`/`}}` and `{hole}` when interpolated, else
    /// one character of the value.
    fn string_content(&mut self, value: &mut String, interpolated: bool) -> Result<(), LexError> {
        match self.peek(0) {
            Some(b'{') if interpolated => {
                if self.peek(1) == Some(b'{') {
                    value.push('{');
                    self.pos += 2;
                } else {
                    self.hole()?;
                }
            }
            Some(b'}') if interpolated && self.peek(1) == Some(b'}') => {
                value.push('}');
                self.pos += 2;
            }
            _ => {
                value.push(self.char_at(self.pos));
                self.pos += self.char_len(self.pos);
            }
        }
        Ok(())
    }

    /// `@"..."` or `$@"..."`; `""` is a quote.
    fn verbatim_string(
        &mut self,
        start: usize,
        prefix: usize,
        interpolated: bool,
    ) -> Result<Token, LexError> {
        let at = Span::new(start, start + prefix);
        self.pos = start + prefix;
        let mut value = String::new();
        loop {
            let Some(b) = self.peek(0) else {
                return Err(LexError::UnclosedString { at });
            };
            match b {
                b'"' if self.peek(1) == Some(b'"') => {
                    value.push('"');
                    self.pos += 2;
                }
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.string_content(&mut value, interpolated)?,
            }
        }
        Ok(Token {
            kind: TokenKind::Str,
            span: Span::new(start, self.pos),
            value: (!interpolated).then_some(value),
        })
    }

    /// Decodes the escape after a backslash (`pos` is on the character after `\`).
    fn escape(&mut self) -> char {
        let c = self.char_at(self.pos);
        self.pos += self.char_len(self.pos);
        let hex = |lexer: &mut Self, max: usize| -> char {
            let mut code = 0u32;
            let mut taken = 0;
            while taken < max {
                match lexer.peek(0).and_then(|b| (b as char).to_digit(16)) {
                    Some(d) => {
                        code = code * 16 + d;
                        lexer.pos += 1;
                        taken += 1;
                    }
                    None => break,
                }
            }
            char::from_u32(code).unwrap_or('\u{fffd}')
        };
        match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            'u' => hex(self, 4),
            'U' => hex(self, 8),
            'x' => hex(self, 4),
            other => other,
        }
    }

    /// An interpolation hole; `pos` is on its `{`.
    fn hole(&mut self) -> Result<(), LexError> {
        let open = Span::new(self.pos, self.pos + 1);
        if self.depth >= MAX_INTERPOLATION_DEPTH {
            return Err(LexError::TooDeep { at: open });
        }
        self.pos += 1;
        self.depth += 1;
        let mut stack: Vec<(u8, Span)> = Vec::new();
        let result = loop {
            let token = match self.next_token() {
                Ok(Some(token)) => token,
                Ok(None) => break Err(LexError::UnclosedHole { at: open }),
                Err(e) => break Err(e),
            };
            if token.kind != TokenKind::Punct || token.span.len() != 1 {
                continue;
            }
            let b = self.bytes[token.span.start];
            match b {
                b'(' | b'[' | b'{' => stack.push((b, token.span)),
                b')' | b']' | b'}' => match stack.pop() {
                    None if b == b'}' => break Ok(()),
                    None => {
                        break Err(LexError::Mismatch {
                            open: Some(open),
                            close: token.span,
                        });
                    }
                    Some((o, o_span)) if closer_of(o) != b => {
                        break Err(LexError::Mismatch {
                            open: Some(o_span),
                            close: token.span,
                        });
                    }
                    Some(_) => {}
                },
                b':' if stack.is_empty() => {
                    // Format specifier: raw text up to the hole's `}`.
                    while self.pos < self.end && self.bytes[self.pos] != b'}' {
                        self.pos += 1;
                    }
                    if self.pos >= self.end {
                        break Err(LexError::UnclosedHole { at: open });
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

    fn char_literal(&mut self, start: usize) -> Result<Token, LexError> {
        let at = Span::new(start, start + 1);
        self.pos = start + 1;
        match self.peek(0) {
            None | Some(b'\'') | Some(b'\n') | Some(b'\r') => {
                return Err(LexError::UnclosedChar { at });
            }
            Some(b'\\') => {
                self.pos += 1;
                if self.peek(0).is_none() {
                    return Err(LexError::UnclosedChar { at });
                }
                self.escape();
            }
            Some(_) => self.pos += self.char_len(self.pos),
        }
        if self.peek(0) == Some(b'\'') {
            self.pos += 1;
            Ok(self.simple(TokenKind::Char, start))
        } else {
            Err(LexError::UnclosedChar { at })
        }
    }
}

/// Tokens of `text[start..end]`.
pub fn tokenize(text: &str, start: usize, end: usize) -> Result<Vec<Token>, LexError> {
    Lexer::new(text, start, end).tokens()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        tokenize(text, 0, text.len())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .iter()
            .map(|t| (t.kind, t.text(text).to_string()))
            .collect()
    }

    #[test]
    fn literals_hide_brackets_and_quotes() {
        let text = r#"f("(", @"a""b)", $"{x["k"]:N2} }}", '\'', ')') // )"#;
        let tokens = kinds(text);
        let brackets: Vec<&str> = tokens
            .iter()
            .filter(|(k, _)| *k == TokenKind::Punct)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(brackets, ["(", ",", ",", ",", ",", ")"]);
    }

    #[test]
    fn string_values_are_decoded() {
        let text = r#""a\"b\\z" @"c""d" "\u0041""#;
        let values: Vec<Option<String>> = tokenize(text, 0, text.len())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .into_iter()
            .map(|t| t.value)
            .collect();
        assert_eq!(
            values,
            [
                Some("a\"b\\z".to_string()),
                Some("c\"d".to_string()),
                Some("A".to_string())
            ]
        );
    }

    #[test]
    fn unclosed_literals_are_errors() {
        assert!(matches!(
            tokenize("\"abc\nx\"", 0, 7),
            Err(LexError::UnclosedString { at }) if at == Span::new(0, 1)
        ));
        assert!(matches!(
            tokenize("x 'ab'", 0, 6),
            Err(LexError::UnclosedChar { .. })
        ));
        assert!(matches!(
            tokenize("/* x", 0, 4),
            Err(LexError::UnclosedComment { .. })
        ));
        assert!(matches!(
            tokenize("$\"{x(}\"", 0, 7),
            Err(LexError::Mismatch { .. })
        ));
    }

    #[test]
    fn deep_interpolation_is_bounded() {
        let mut text = String::new();
        for _ in 0..200 {
            text.push_str("$\"{");
        }
        assert!(matches!(
            tokenize(&text, 0, text.len()),
            Err(LexError::TooDeep { .. })
        ));
    }
}
