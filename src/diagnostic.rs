//! Problems found in an input file, with their position, and their rendering.
//!
//! Every check in `params` and `policy` produces [`Diagnostic`]s into one [`Diagnostics`] list so a
//! user sees every problem of a file in one run. Rendering is miette's graphical report (the
//! source line with the offending span underlined, rustc-style); CI renderers use
//! [`Diagnostic::location`] for annotations instead.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::source::{LineCol, SourceFile, Span};

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

    /// One line: `path: message` (the path only when known).
    pub fn headline(&self) -> String {
        match &self.path {
            Some(path) => format!("{path}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// All problems found in one file, in file order.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub file: Arc<SourceFile>,
    pub items: Vec<Diagnostic>,
}

/// A diagnostic with its resolved position, for renderers that do not show source text.
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

    pub fn len(&self) -> usize {
        self.items.len()
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

    pub fn located(&self) -> Vec<LocatedDiagnostic> {
        self.items
            .iter()
            .map(|d| {
                let at = self.location(d);
                LocatedDiagnostic {
                    code: d.code,
                    file: self.file.name().to_string(),
                    line: at.map(|a| a.line),
                    column: at.map(|a| a.column),
                    path: d.path.clone(),
                    message: d.message.clone(),
                    help: d.help.clone(),
                }
            })
            .collect()
    }

    /// rustc-style rendering of every problem with its source line, then a count.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(110)
            .with_links(false);
        let mut out = String::new();
        for item in &self.items {
            let report = Rendered {
                file: &self.file,
                diagnostic: item,
            };
            if handler.render_report(&mut out, &report).is_err() {
                // Rendering into a String cannot fail in practice; fall back to the plain line.
                out.push_str(&item.headline());
            }
            out.push('\n');
        }
        out
    }
}

/// Adapter that lets miette draw one [`Diagnostic`] with its file.
struct Rendered<'a> {
    file: &'a SourceFile,
    diagnostic: &'a Diagnostic,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.headline())
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.headline())
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.diagnostic.span?;
        let source_span = SourceSpan::new(span.start.into(), span.len());
        let label = LabeledSpan::new_with_span(self.diagnostic.label.clone(), source_span);
        Some(Box::new(std::iter::once(label)))
    }
}

impl miette::SourceCode for Rendered<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        // A named span puts the file name and line:column in the report header.
        let contents =
            self.file
                .text()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.name().to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}
