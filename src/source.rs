//! A loaded input file and byte spans into it.
//!
//! Owns line/column arithmetic so every diagnostic, CI annotation and test agrees on positions.
//! Lines and columns are 1-based; columns count characters (not bytes), like rustc and editors.
//! Every lookup costs O(log n) plus a bounded scan, whatever the file looks like (a 4 MB file on
//! one line included), so locating thousands of problems stays linear.

use std::fmt;
use std::sync::Arc;

/// The byte-order mark some editors put at the start of UTF-8 files; not part of the text.
pub const BOM: char = '\u{feff}';

/// A column checkpoint is recorded every this many bytes, which bounds the scan of one lookup.
const CHECKPOINT_BYTES: usize = 4096;

/// A half-open byte range `[start, end)` into a [`SourceFile`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The text of one input file together with the name it is shown under.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// `(byte offset, column there)` at character boundaries about every [`CHECKPOINT_BYTES`]
    /// inside long lines, so a column is never counted from further away than that.
    checkpoints: Vec<(usize, usize)>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let checkpoints = column_checkpoints(&text, &line_starts);
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
            checkpoints,
        })
    }

    /// The path as the user gave it (used in every message).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Line and column of a byte offset; offsets past the end map to the end. A byte-order mark
    /// at the start of the file does not count as a column (editors do not show it).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line_index = self.line_index(offset);
        let line_start = self.line_starts[line_index];
        // The nearest checkpoint at or before `offset` on the same line, else the line start.
        let (from, column_there) = match self.checkpoints.partition_point(|(at, _)| *at <= offset) {
            0 => (line_start, 0),
            i => match self.checkpoints[i - 1] {
                (at, column) if at >= line_start => (at, column),
                _ => (line_start, 0),
            },
        };
        let mut column = column_there + self.text[from..offset].chars().count() + 1;
        if line_index == 0 && offset > 0 && self.text.starts_with(BOM) {
            column -= 1;
        }
        LineCol {
            line: line_index + 1,
            column,
        }
    }

    /// The 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        self.line_starts.partition_point(|start| *start <= offset) - 1
    }

    /// The text of the 0-based line `index` without its line break (and without a BOM on the
    /// first line), with the byte offset where that text starts; `None` past the last line.
    pub fn line(&self, index: usize) -> Option<(usize, &str)> {
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let mut line = &self.text[start..end];
        line = line.strip_suffix('\r').unwrap_or(line);
        if index == 0
            && let Some(rest) = line.strip_prefix(BOM)
        {
            return Some((start + BOM.len_utf8(), rest));
        }
        Some((start, line))
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of `span`, or "" when the span does not fall on character boundaries.
    pub fn slice(&self, span: Span) -> &str {
        let len = self.text.len();
        self.text
            .get(span.start.min(len)..span.end.min(len))
            .unwrap_or("")
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

fn column_checkpoints(text: &str, line_starts: &[usize]) -> Vec<(usize, usize)> {
    let mut checkpoints = Vec::new();
    for (i, &start) in line_starts.iter().enumerate() {
        let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
        if end - start <= CHECKPOINT_BYTES {
            continue;
        }
        let mut next = start + CHECKPOINT_BYTES;
        for (column, (at, _)) in text[start..end].char_indices().enumerate() {
            let at = start + at;
            if at >= next {
                checkpoints.push((at, column));
                next = at + CHECKPOINT_BYTES;
            }
        }
    }
    checkpoints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("f", "ab\ncé d\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // 'é' is two bytes; the space after it is column 3.
        assert_eq!(file.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(file.line_col(999), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        let file = SourceFile::new("f", "é");
        assert_eq!(file.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(file.slice(Span::new(1, 2)), "");
    }

    #[test]
    fn columns_on_very_long_lines_match_a_plain_count() {
        let text = format!("x\n{}\n{}", "é".repeat(10_000), "a".repeat(9_000));
        let file = SourceFile::new("f", text.clone());
        for offset in [
            2,
            3,
            4,
            4098,
            8196,
            12_000,
            20_001,
            20_003,
            25_000,
            text.len(),
        ] {
            let offset = file.clamp(offset);
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[line_start..offset].chars().count() + 1;
            assert_eq!(file.line_col(offset).column, expected, "offset {offset}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let file = SourceFile::new("f", "\u{feff}param x\n");
        assert_eq!(file.line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(9), LineCol { line: 1, column: 7 });
        assert_eq!(file.line(0), Some((3, "param x")));
    }

    #[test]
    fn lines_without_their_breaks() {
        let file = SourceFile::new("f", "a\r\nb\n");
        assert_eq!(file.line(0), Some((0, "a")));
        assert_eq!(file.line(1), Some((3, "b")));
        assert_eq!(file.line(2), Some((5, "")));
        assert_eq!(file.line(3), None);
        assert_eq!(file.line_index(4), 1);
    }
}
