//! Problems found in an input file, with their position, and their rendering.
//!
//! Every check in `params` and `policy` produces [`Diagnostic`]s into one [`Diagnostics`] list so a
//! user sees every problem of a file in one run. Rendering is miette's graphical report (the
//! source line with the offending span underlined, rustc-style); CI renderers use
//! [`Diagnostics::located`] for annotations instead.
//!
//! Input files are untrusted, so every view of a diagnostic is made safe here, once:
//! - text taken from the file (values in messages, paths, source lines) is shown with control,
//!   line-break and bidirectional characters escaped ([`printable`]), so it can neither start a
//!   line of its own (a CI runner would execute `::warning ...` there) nor drive a terminal;
//! - long values and source lines are cut with an ellipsis, so one diagnostic stays small;
//! - at most [`MAX_SHOWN`] problems are shown, followed by how many more there are;
//! - the snippet is read around the problem only, so rendering costs the same in any file.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::source::{LineCol, SourceFile, Span};

/// Problems shown per file; the rest are counted (a file with thousands of problems is usually
/// one mistake repeated, and CI logs and annotations have limits of their own).
pub const MAX_SHOWN: usize = 100;
/// Characters of a value echoed in a message before it is cut with `…`.
pub const MAX_VALUE_CHARS: usize = 80;
/// Characters of a whole message, help or label (after escaping) before it is cut with `…`.
const MAX_MESSAGE_CHARS: usize = 1000;
/// Characters of a source line shown in a snippet; longer lines show a window around the problem.
const MAX_LINE_CHARS: usize = 100;
/// Characters shown before the underlined text when a long line is windowed.
const WINDOW_LEAD_CHARS: usize = 40;

/// One problem at one place in a file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `unknown-parameter`.
    pub code: &'static str,
    /// The parameter path the problem is about, e.g. `openAILocations[1].deployments[0].skuCapacity`.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Where in the file; `None` when the problem is about something missing from the file.
    pub span: Option<Span>,
    /// Text under the underline (short).
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The other place a problem involves (the first of two clashing entries), named in the
    /// message with its line and column.
    pub related: Option<Related>,
}

/// A second position a diagnostic refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    /// What is there, e.g. `first set` gives "(first set at line 3, column 5)".
    pub what: &'static str,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            path: None,
            message: message.into(),
            span: None,
            label: None,
            help: None,
            related: None,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Names a second position in the message, e.g. `.also(first, "first set")`.
    pub fn also(mut self, span: Span, what: &'static str) -> Self {
        self.related = Some(Related { span, what });
        self
    }

    /// One line: `path: message` (the path only when known), as written by the check.
    pub fn headline(&self) -> String {
        match &self.path {
            Some(path) => format!("{path}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// `s` with every character that could act on a terminal or a CI log shown as an escape
/// (`\n`, `\u{1b}`, ...): control characters (C0, DEL, C1), line and paragraph separators,
/// bidirectional controls (they reorder what is shown, "Trojan Source", CVE-2021-42574) and
/// the byte-order mark. Tabs and everything else are kept.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    push_printable(&mut out, s, false);
    Cow::Owned(out)
}

/// A value from the input as a message shows it: [`printable`], and cut after
/// [`MAX_VALUE_CHARS`] characters with `…`.
pub fn shown(value: &str) -> String {
    escaped_prefix(value, MAX_VALUE_CHARS, false)
}

/// Whether [`printable`] escapes `c`.
pub fn is_escaped(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

fn push_printable(out: &mut String, s: &str, escape_tabs: bool) {
    for c in s.chars() {
        push_char(out, c, escape_tabs);
    }
}

fn push_char(out: &mut String, c: char, escape_tabs: bool) {
    if is_escaped(c) || (escape_tabs && c == '\t') {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// `s` escaped like [`printable`] (tabs too when asked) and cut after `max` characters of the
/// result with `…`; reads no more of `s` than it shows.
fn escaped_prefix(s: &str, max: usize, escape_tabs: bool) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in s.chars() {
        if count >= max {
            out.push('…');
            break;
        }
        let before = out.len();
        push_char(&mut out, c, escape_tabs);
        count += out[before..].chars().count();
    }
    out
}

/// Text from a check, made safe to show: escaped (tabs too) and cut to a sane length.
fn safe(s: &str) -> String {
    escaped_prefix(s, MAX_MESSAGE_CHARS, true)
}

/// All problems found in one file, in file order.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub file: Arc<SourceFile>,
    pub items: Vec<Diagnostic>,
}

/// A diagnostic with its resolved position, for renderers that do not show source text. Its
/// texts are already safe to show.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LocatedDiagnostic {
    pub code: &'static str,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub path: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostics {
    pub fn new(file: Arc<SourceFile>) -> Self {
        Diagnostics {
            file,
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every problem, shown or not.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The problems every view shows: the first [`MAX_SHOWN`].
    pub fn shown(&self) -> &[Diagnostic] {
        &self.items[..self.items.len().min(MAX_SHOWN)]
    }

    /// How many problems the views leave out.
    pub fn omitted(&self) -> usize {
        self.items.len() - self.shown().len()
    }

    /// Sorts by position (problems without a position last) and drops exact repeats.
    pub fn sort(&mut self) {
        self.items
            .sort_by_key(|d| d.span.map_or((usize::MAX, 0), |s| (s.start, s.end)));
        self.items
            .dedup_by(|a, b| a.span == b.span && a.message == b.message && a.path == b.path);
    }

    pub fn location(&self, diagnostic: &Diagnostic) -> Option<LineCol> {
        diagnostic.span.map(|span| self.file.line_col(span.start))
    }

    /// The message with the related position, if any, made safe to show.
    fn message(&self, diagnostic: &Diagnostic) -> String {
        match &diagnostic.related {
            Some(related) => {
                let at = self.file.line_col(related.span.start);
                safe(&format!(
                    "{} ({} at line {}, column {})",
                    diagnostic.message, related.what, at.line, at.column
                ))
            }
            None => safe(&diagnostic.message),
        }
    }

    /// The shown problems with their positions (see [`Diagnostics::shown`]).
    pub fn located(&self) -> Vec<LocatedDiagnostic> {
        self.shown()
            .iter()
            .map(|d| {
                let at = self.location(d);
                LocatedDiagnostic {
                    code: d.code,
                    file: self.file.name().to_string(),
                    line: at.map(|a| a.line),
                    column: at.map(|a| a.column),
                    path: d.path.as_deref().map(safe),
                    message: self.message(d),
                    help: d.help.as_deref().map(safe),
                }
            })
            .collect()
    }

    /// rustc-style rendering of the shown problems with their source lines, then how many more
    /// there are.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_context_lines(1)
            // A wrapped line starts with whatever word of a value falls there, `::warning ...`
            // included; unwrapped, every line starts with miette's own gutter or marker.
            .with_wrap_lines(false);
        let mut out = String::new();
        for item in self.shown() {
            let report = Rendered {
                file_name: safe(self.file.name()),
                code: item.code,
                headline: match &item.path {
                    Some(path) => format!("{}: {}", safe(path), self.message(item)),
                    None => self.message(item),
                },
                help: item.help.as_deref().map(safe),
                label: item.label.as_deref().map(safe),
                snippet: item.span.map(|span| Snippet::around(&self.file, span)),
            };
            if handler.render_report(&mut out, &report).is_err() {
                // Rendering into a String cannot fail in practice; fall back to the plain line.
                out.push_str(&report.headline);
            }
            out.push('\n');
        }
        let omitted = self.omitted();
        if omitted > 0 {
            out.push_str(&format!(
                "… and {omitted} more problem{} in {} not shown (the first {MAX_SHOWN} are above)\n\n",
                if omitted == 1 { "" } else { "s" },
                safe(self.file.name()),
            ));
        }
        out
    }
}

/// The few source lines around one problem, made safe and short, with the underlined range.
/// Built per diagnostic from the file's line index, so its cost does not depend on the file.
struct Snippet {
    /// The shown lines, joined by `\n`.
    text: String,
    /// 0-based line number of the first shown line.
    first_line: usize,
    line_count: usize,
    /// The underlined range inside `text` (the problem's first line only).
    label: (usize, usize),
    /// Where the problem starts in the file.
    at: LineCol,
}

impl Snippet {
    fn around(file: &SourceFile, span: Span) -> Snippet {
        let line = file.line_index(span.start);
        let first_line = line.saturating_sub(1);
        let last_line = (line + 1).min(file.line_count().saturating_sub(1));
        let mut text = String::new();
        let mut label = (0, 0);
        let mut line_count = 0;
        for index in first_line..=last_line {
            let Some((line_start, line_text)) = file.line(index) else {
                break;
            };
            if index > first_line {
                text.push('\n');
            }
            line_count += 1;
            if index != line {
                push_line_start(&mut text, line_text);
                continue;
            }
            let start = boundary(line_text, span.start.saturating_sub(line_start));
            let end = boundary(line_text, span.end.saturating_sub(line_start)).max(start);
            let (window_start, window_end) = window(line_text, start);
            if window_start > 0 {
                text.push('…');
            }
            push_printable(&mut text, &line_text[window_start..start], false);
            let label_start = text.len();
            push_printable(&mut text, &line_text[start..end.min(window_end)], false);
            label = (label_start, text.len());
            push_printable(
                &mut text,
                &line_text[end.min(window_end)..window_end],
                false,
            );
            if window_end < line_text.len() {
                text.push('…');
            }
        }
        Snippet {
            text,
            first_line,
            line_count,
            label,
            at: file.line_col(span.start),
        }
    }
}

/// The start of `line` as a context line shows it.
fn push_line_start(out: &mut String, line: &str) {
    out.push_str(&escaped_prefix(line, MAX_LINE_CHARS, false));
}

/// The byte range of `line` to show so that the text at `start` is visible: the whole line
/// when it is short, otherwise [`MAX_LINE_CHARS`] characters starting a little before `start`.
fn window(line: &str, start: usize) -> (usize, usize) {
    if line.len() <= MAX_LINE_CHARS {
        return (0, line.len());
    }
    let window_start = line[..start]
        .char_indices()
        .rev()
        .nth(WINDOW_LEAD_CHARS - 1)
        .map_or(0, |(at, _)| at);
    let window_end = line[window_start..]
        .char_indices()
        .nth(MAX_LINE_CHARS)
        .map_or(line.len(), |(at, _)| window_start + at);
    (window_start, window_end)
}

/// `offset` clamped into `text` and moved back to a character boundary.
fn boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// What miette draws for one diagnostic: texts already made safe, and its own small snippet.
struct Rendered {
    file_name: String,
    code: &'static str,
    headline: String,
    help: Option<String>,
    label: Option<String>,
    snippet: Option<Snippet>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.snippet.as_ref()?;
        let (start, end) = snippet.label;
        let label = LabeledSpan::new_with_span(
            self.label.clone(),
            SourceSpan::new(start.into(), end - start),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

impl miette::SourceCode for Rendered {
    /// miette asks for the label with context lines to draw the snippet, and for the label alone
    /// (no context) to put `file:line:column` in the header: the snippet answers both, with the
    /// real line numbers of the file.
    fn read_span<'b>(
        &'b self,
        _span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let snippet = self
            .snippet
            .as_ref()
            .ok_or(miette::MietteError::OutOfBounds)?;
        let contents = if context_lines_before == 0 && context_lines_after == 0 {
            let (start, end) = snippet.label;
            miette::MietteSpanContents::new_named(
                self.file_name.clone(),
                &snippet.text.as_bytes()[start..end],
                SourceSpan::new(start.into(), end - start),
                snippet.at.line - 1,
                snippet.at.column - 1,
                1,
            )
        } else {
            miette::MietteSpanContents::new_named(
                self.file_name.clone(),
                snippet.text.as_bytes(),
                SourceSpan::new(0.into(), snippet.text.len()),
                snippet.first_line,
                0,
                snippet.line_count,
            )
        };
        Ok(Box::new(contents))
    }
}

#[cfg(test)]
mod tests;
