//! GitHub workflow commands on stdout (`::name props::data`), escaped as actions/toolkit does
//! (packages/core/src/command.ts): data escapes `%`, `\r`, `\n`; properties also `:` and `,`.

/// Escapes command data.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=F,line=L,col=C,title=T::message` (properties left out when absent).
pub fn annotation(
    level: &str,
    file: Option<&str>,
    line: Option<usize>,
    column: Option<usize>,
    title: Option<&str>,
    message: &str,
) -> String {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = line {
        properties.push(format!("line={line}"));
    }
    if let Some(column) = column {
        properties.push(format!("col={column}"));
    }
    if let Some(title) = title {
        properties.push(format!("title={}", escape_property(title)));
    }
    let props = if properties.is_empty() {
        String::new()
    } else {
        format!(" {}", properties.join(","))
    };
    format!("::{level}{props}::{}", escape_data(message))
}

pub fn group(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

pub fn end_group() -> &'static str {
    "::endgroup::"
}

/// Registers a secret with the runner so it is masked in the log from here on.
pub fn add_mask(secret: &str) -> Option<String> {
    // The runner refuses empty masks; multi-line values are masked line by line.
    let lines: Vec<String> = secret
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("::add-mask::{}", escape_data(l)))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Text that must not be interpreted as workflow commands (ARM error messages, resource values),
/// between `::stop-commands::TOKEN` and `::TOKEN::`, with a random token per use.
pub fn untrusted(text: &str) -> String {
    let token = format!("aigw-{}", uuid::Uuid::new_v4().simple());
    format!("::stop-commands::{token}\n{text}\n::{token}::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn annotations_carry_position_and_title() {
        assert_eq!(
            annotation(
                "error",
                Some("p.bicepparam"),
                Some(3),
                Some(21),
                Some("aigw: invalid-name-part"),
                "environment: bad\nfix it"
            ),
            "::error file=p.bicepparam,line=3,col=21,title=aigw%3A invalid-name-part::environment: bad%0Afix it"
        );
        assert_eq!(
            annotation("warning", None, None, None, None, "w"),
            "::warning::w"
        );
    }

    #[test]
    fn untrusted_text_is_fenced_by_a_fresh_token() {
        let a = untrusted("::error::injected");
        let b = untrusted("x");
        let token = a
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("::stop-commands::"))
            .unwrap_or_default()
            .to_string();
        assert!(token.len() > 20);
        assert!(a.ends_with(&format!("::{token}::")));
        assert_ne!(a.lines().next(), b.lines().next());
    }

    #[test]
    fn masks_skip_empty_lines() {
        assert_eq!(add_mask(""), None);
        assert_eq!(
            add_mask("a\nb").as_deref(),
            Some("::add-mask::a\n::add-mask::b")
        );
    }
}
