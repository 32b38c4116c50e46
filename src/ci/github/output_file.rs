//! `$GITHUB_OUTPUT`: appended `name<<DELIM\nvalue\nDELIM` entries, as `@actions/core` writes
//! them (packages/core/src/file-command.ts), and a parser that follows the runner's own
//! (actions/runner FileCommandManager.cs, `EnvFileKeyValuePairs`) so tests read back what GitHub
//! will read.

use std::io::Write;
use std::path::Path;

/// One `name<<delimiter` entry. The delimiter is `ghadelimiter_<uuid>`, drawn again if it occurs
/// in the name or on a line of the value (so the value cannot end the entry early).
pub fn entry(name: &str, value: &str) -> Result<String, String> {
    if name.is_empty() || name.contains(['\n', '\r', '=']) || name.contains("<<") {
        return Err(format!("invalid output name `{name}`"));
    }
    for _ in 0..8 {
        let delimiter = format!("ghadelimiter_{}", uuid::Uuid::new_v4());
        if !value.contains(&delimiter) && !name.contains(&delimiter) {
            // The runner splits lines on "\n" only on Linux and macOS; values keep their own "\r".
            return Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        }
    }
    Err(format!("could not find a delimiter for output `{name}`"))
}

/// Appends every output to the file at `path` (created if missing), in one write.
pub fn append(path: &Path, outputs: &[(&str, &str)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&entry(name, value).map_err(std::io::Error::other)?);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Parses an output file the way the runner does: `NAME=VALUE` or `NAME<<DELIM` (whichever of
/// `=` and `<<` comes first), empty lines skipped, the last entry of a name wins.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        let (name, value) = match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                (line[..e].to_string(), line[e + 1..].to_string())
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!(
                        "invalid format '{line}': name and delimiter must not be empty"
                    ));
                }
                let mut value_lines = Vec::new();
                loop {
                    match lines.next() {
                        Some(l) if l == delimiter => break,
                        Some(l) => value_lines.push(l),
                        None => return Err(format!("matching delimiter not found '{delimiter}'")),
                    }
                }
                (name.to_string(), value_lines.join("\n"))
            }
            _ => return Err(format!("invalid format '{line}'")),
        };
        out.retain(|(n, _)| *n != name);
        out.push((name, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("out");
        std::fs::write(&path, "existing=1\n").expect("test file written");
        append(&path, pairs).expect("output file appended");
        parse(&std::fs::read_to_string(&path).unwrap_or_default()).expect("output file parses")
    }

    #[test]
    fn values_survive_newlines_equals_heredoc_markers_and_would_be_delimiters() {
        let tricky = [
            ("multiline", "line 1\nline 2\n\nline 4"),
            ("equals", "a=b=c"),
            ("heredoc-marker", "x<<EOF"),
            (
                "would-be-delimiter",
                "ghadelimiter_00000000-0000-0000-0000-000000000000\nEOF",
            ),
            (
                "json",
                r#"{"westeurope":"https://x/api/projects/p","k":"a<<b"}"#,
            ),
            ("empty", ""),
            ("crlf", "a\r\nb"),
        ];
        let parsed = round_trip(&tricky);
        assert_eq!(parsed[0], ("existing".to_string(), "1".to_string()));
        for (name, value) in tricky {
            assert!(
                parsed.contains(&(name.to_string(), value.to_string())),
                "{name}: {parsed:?}"
            );
        }
    }

    #[test]
    fn the_parser_follows_the_runner() {
        assert_eq!(parse("a=b<<X\n"), Ok(vec![("a".into(), "b<<X".into())]));
        assert_eq!(
            parse("a<<X=1\nv\nX=1\n"),
            Ok(vec![("a".into(), "v".into())])
        );
        assert_eq!(parse("a=1\na=2\n"), Ok(vec![("a".into(), "2".into())]));
        assert!(parse("a<<X\nv\n").is_err());
        assert!(parse("novalue\n").is_err());
    }

    #[test]
    fn names_that_would_break_the_file_are_refused() {
        assert!(entry("", "v").is_err());
        assert!(entry("a=b", "v").is_err());
        assert!(entry("a\nb", "v").is_err());
    }
}
