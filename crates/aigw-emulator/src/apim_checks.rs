//! API Management's save-time rules: a policy's root is `<policies>` (a fragment's is
//! `<fragment>`), every `{{name}}` is an existing named value, every `include-fragment` names an
//! existing fragment; pool backends reference existing single backends and carry no url; an
//! operation declares every template parameter of its URL template. Failures are 400
//! `ValidationError` listing each problem.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::armpath::ArmPath;
use super::kinds::Kind;
use super::reply::{Detail, Outcome, Reply};
use super::state::{Phase, State};

pub(crate) fn check(state: &State, kind: Kind, path: &ArmPath, body: &Value) -> Outcome<()> {
    let service = service_key(path);
    let details = match kind {
        Kind::ApimPolicy => policy(state, &service, body, "policies"),
        Kind::ApimPolicyFragment => policy(state, &service, body, "fragment"),
        Kind::ApimBackend => backend(state, &service, body),
        Kind::ApimOperation => operation(body),
        _ => Vec::new(),
    };
    if details.is_empty() {
        Ok(())
    } else {
        Err(Reply::apim_validation(details))
    }
}

/// The lower-case id of the APIM service a child path belongs to.
fn service_key(path: &ArmPath) -> String {
    let mut service = path.clone();
    service.trailing = None;
    if let Some(block) = service.blocks.last_mut() {
        block.pairs.truncate(1);
    }
    service.key()
}

fn regex(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

fn policy(state: &State, service: &str, body: &Value, root: &str) -> Vec<Detail> {
    let Some(xml) = body.pointer("/properties/value").and_then(Value::as_str) else {
        return Vec::new();
    };
    let format = body
        .pointer("/properties/format")
        .and_then(Value::as_str)
        .unwrap_or("xml");
    if format.ends_with("-link") {
        // The value is a URL APIM downloads; nothing to check here.
        return Vec::new();
    }
    let mut details = Vec::new();
    let found = root_element(xml);
    if found.as_deref() != Some(root) {
        details.push(Detail::new(
            "ValidationError",
            "representation",
            format!(
                "The root element must be '{root}', found '{}'.",
                found.unwrap_or_default()
            ),
        ));
    }
    static NAMED: OnceLock<Option<Regex>> = OnceLock::new();
    if let Some(named) = regex(&NAMED, r"\{\{([^{}]+)\}\}") {
        for capture in named.captures_iter(xml) {
            let name = capture.get(1).map_or("", |m| m.as_str()).trim();
            if !named_value_exists(state, service, name) {
                details.push(Detail::new(
                    "ValidationError",
                    "representation",
                    format!("Cannot find a property '{name}'"),
                ));
            }
        }
    }
    static INCLUDE: OnceLock<Option<Regex>> = OnceLock::new();
    if let Some(include) = regex(
        &INCLUDE,
        r#"<include-fragment\b[^>]*?\bfragment-id\s*=\s*["']([^"']*)["']"#,
    ) {
        let code = strip_comments(xml);
        for capture in include.captures_iter(&code) {
            let id = capture.get(1).map_or("", |m| m.as_str());
            let message = if root == "fragment" {
                "A policy fragment cannot include another policy fragment.".to_string()
            } else if fragment_exists(state, service, id) {
                continue;
            } else {
                format!("Policy fragment '{id}' was not found.")
            };
            details.push(Detail::new("ValidationError", "representation", message));
        }
    }
    details
}

fn succeeded_children<'s>(
    state: &'s State,
    service: &str,
    collection: &str,
) -> impl Iterator<Item = &'s super::state::Resource> {
    let prefix = format!("{service}/{collection}/");
    state
        .resources
        .range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r)
        .filter(|r| r.phase == Phase::Succeeded)
}

/// `{{name}}` refers to a named value's `displayName` (which aigw keeps equal to its id).
fn named_value_exists(state: &State, service: &str, name: &str) -> bool {
    succeeded_children(state, service, "namedvalues").any(|r| {
        let display = r
            .body
            .pointer("/properties/displayName")
            .and_then(Value::as_str);
        let id = r.body.get("name").and_then(Value::as_str);
        display.or(id).is_some_and(|d| d.eq_ignore_ascii_case(name))
    })
}

fn fragment_exists(state: &State, service: &str, id: &str) -> bool {
    succeeded_children(state, service, "policyfragments").any(|r| {
        r.body
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(id))
    })
}

/// The first element name, after an XML declaration and comments.
fn root_element(xml: &str) -> Option<String> {
    let mut rest = xml.trim_start_matches('\u{feff}').trim_start();
    loop {
        if rest.starts_with("<?") {
            rest = rest.get(rest.find("?>")? + 2..)?.trim_start();
        } else if rest.starts_with("<!--") {
            rest = rest.get(rest.find("-->")? + 3..)?.trim_start();
        } else {
            break;
        }
    }
    let rest = rest.strip_prefix('<')?;
    Some(
        rest.chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect(),
    )
}

fn strip_comments(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn backend(state: &State, service: &str, body: &Value) -> Vec<Detail> {
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    let pool = properties.get("type").and_then(Value::as_str) == Some("Pool");
    let mut details = Vec::new();
    if !pool {
        if properties.get("url").is_none() {
            details.push(Detail::new(
                "ValidationError",
                "url",
                "Url is required for a single backend.",
            ));
        }
        return details;
    }
    for (field, label) in [("url", "Url"), ("protocol", "Protocol")] {
        if properties.get(field).is_some() {
            details.push(Detail::new(
                "ValidationError",
                field,
                format!("{label} is not supported for backend pool."),
            ));
        }
    }
    let members = properties
        .pointer("/pool/services")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let prefix = format!("{service}/backends/");
    for member in members {
        let id = member.get("id").and_then(Value::as_str).unwrap_or("");
        let key = super::armpath::key(id);
        let name = id.rsplit('/').next().unwrap_or(id);
        match state
            .resources
            .get(&key)
            .filter(|_| key.starts_with(&prefix))
        {
            None => details.push(Detail::new(
                "ValidationError",
                "pool",
                format!("Backend Entity '{name}' not found."),
            )),
            Some(r)
                if r.body.pointer("/properties/type").and_then(Value::as_str) == Some("Pool") =>
            {
                details.push(Detail::new(
                    "ValidationError",
                    "pool",
                    format!("Backend '{name}' is a pool; a pool cannot contain another pool."),
                ));
            }
            Some(_) => {}
        }
    }
    details
}

/// Every `{param}` of `urlTemplate` must be listed in `templateParameters`.
fn operation(body: &Value) -> Vec<Detail> {
    static PARAM: OnceLock<Option<Regex>> = OnceLock::new();
    let template = body
        .pointer("/properties/urlTemplate")
        .and_then(Value::as_str)
        .unwrap_or("");
    let declared: Vec<&str> = body
        .pointer("/properties/templateParameters")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .collect();
    let Some(param) = regex(&PARAM, r"\{([^{}*]+)\}") else {
        return Vec::new();
    };
    let missing = param
        .captures_iter(template)
        .filter_map(|c| c.get(1))
        .any(|m| !declared.iter().any(|d| d.eq_ignore_ascii_case(m.as_str())));
    if missing {
        vec![Detail::new(
            "ValidationError",
            "templateParameters",
            "All template parameters used in the UriTemplate must be defined in the Operation",
        )]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_the_root_after_declarations_and_comments() {
        assert_eq!(
            root_element("\u{feff} <?xml version=\"1.0\"?>\n<!-- c --><policies>").as_deref(),
            Some("policies")
        );
        assert_eq!(root_element("<fragment/>").as_deref(), Some("fragment"));
        assert_eq!(root_element("text"), None);
        assert_eq!(strip_comments("a<!-- b -->c<!-- d"), "ac");
    }

    #[test]
    fn operations_declare_template_parameters() {
        let ok = json!({ "properties": { "urlTemplate": "/deployments/{deployment-id}/*",
            "templateParameters": [{ "name": "deployment-id" }] } });
        assert!(operation(&ok).is_empty());
        let missing = json!({ "properties": { "urlTemplate": "/deployments/{deployment-id}/*" } });
        assert_eq!(operation(&missing).len(), 1);
    }
}
