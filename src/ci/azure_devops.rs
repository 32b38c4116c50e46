//! Azure DevOps logging commands (`##vso[area.action props]data`), escaped as the agent decodes
//! them (azure-pipelines-agent CommandStringConvertor.cs, task-lib taskcommand.ts): `%` becomes
//! `%AZP25`, then `\r`, `\n`, `]` and `;` become `%0D`, `%0A`, `%5D`, `%3B` — in properties and,
//! because the agent decodes data the same way, in data too.

/// Escapes a property value or message.
pub fn escape(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
        .replace(';', "%3B")
}

fn command(area_action: &str, properties: &[(&str, String)], data: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape(v)))
        .collect();
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(";"))
    };
    format!("##vso[{area_action}{props}]{}", escape(data))
}

/// An output variable for later steps and jobs.
pub fn set_output(name: &str, value: &str) -> String {
    command(
        "task.setvariable",
        &[
            ("variable", name.to_string()),
            ("isoutput", "true".into()),
            ("issecret", "false".into()),
        ],
        value,
    )
}

pub fn set_secret(value: &str) -> Option<String> {
    (!value.trim().is_empty() && !value.contains(['\n', '\r']))
        .then(|| command("task.setsecret", &[], value))
}

pub fn log_issue(
    kind: &str,
    source: Option<&str>,
    line: Option<usize>,
    column: Option<usize>,
    code: Option<&str>,
    message: &str,
) -> String {
    let mut properties = vec![("type", kind.to_string())];
    if let Some(source) = source {
        properties.push(("sourcepath", source.to_string()));
    }
    if let Some(line) = line {
        properties.push(("linenumber", line.to_string()));
    }
    if let Some(column) = column {
        properties.push(("columnnumber", column.to_string()));
    }
    if let Some(code) = code {
        properties.push(("code", code.to_string()));
    }
    command("task.logissue", &properties, message)
}

pub fn upload_summary(path: &str) -> String {
    command("task.uploadsummary", &[], path)
}

/// `Succeeded`, `SucceededWithIssues` or `Failed`.
pub fn complete(result: &str, message: &str) -> String {
    command("task.complete", &[("result", result.to_string())], message)
}

pub fn group(title: &str) -> String {
    format!("##[group]{}", neutralize(title))
}

pub fn end_group() -> &'static str {
    "##[endgroup]"
}

/// Untrusted text printed to the log: the agent finds `##vso[` and `##[` anywhere in a line, so
/// they are defused the way the agent itself does it (`##vso` → `**vso`).
pub fn neutralize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("##") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if after.to_ascii_lowercase().starts_with("vso") || after.starts_with('[') {
            out.push_str("**");
        } else {
            out.push_str("##");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_agent() {
        assert_eq!(escape("a;b]c%d\r\ne"), "a%3Bb%5Dc%AZP25d%0D%0Ae");
        // Escaping % first keeps an escape sequence in the value literal.
        assert_eq!(escape("%3B"), "%AZP253B");
    }

    #[test]
    fn commands_are_shaped_as_documented() {
        assert_eq!(
            set_output("gatewayUrl", "https://x"),
            "##vso[task.setvariable variable=gatewayUrl;isoutput=true;issecret=false]https://x"
        );
        assert_eq!(
            log_issue(
                "error",
                Some("p.bicepparam"),
                Some(3),
                Some(5),
                Some("invalid-name-part"),
                "bad; very]bad"
            ),
            "##vso[task.logissue type=error;sourcepath=p.bicepparam;linenumber=3;columnnumber=5;code=invalid-name-part]bad%3B very%5Dbad"
        );
        assert_eq!(
            complete("Failed", "1 problem"),
            "##vso[task.complete result=Failed]1 problem"
        );
        assert_eq!(set_secret("a\nb"), None);
    }

    #[test]
    fn untrusted_text_cannot_issue_commands() {
        assert_eq!(
            neutralize("x ##vso[task.complete result=Failed]y ##[error]z ## ok"),
            "x **vso[task.complete result=Failed]y **[error]z ## ok"
        );
    }
}
