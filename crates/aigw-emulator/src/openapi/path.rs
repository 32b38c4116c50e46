//! Matching concrete ARM paths against OpenAPI path templates.

use std::collections::BTreeMap;

/// Template parameters that stand for several segments (an ARM scope such as a resource id).
const MULTI_SEGMENT: &[&str] = &["scope", "resourceUri", "resourceId"];

/// The parameter values when `path` matches `template` (literal segments compare ignoring case,
/// as ARM does).
pub fn matches(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path
        .split('?')
        .next()
        .unwrap_or("")
        .trim_matches('/')
        .split('/')
        .collect();
    let mut values = BTreeMap::new();
    matches_from(&template, &path, &mut values).then_some(values)
}

fn matches_from(template: &[&str], path: &[&str], values: &mut BTreeMap<String, String>) -> bool {
    let Some((head, rest)) = template.split_first() else {
        return path.is_empty();
    };
    if let Some(name) = head.strip_prefix('{').and_then(|h| h.strip_suffix('}')) {
        if MULTI_SEGMENT.contains(&name) {
            // Greedy with backtracking: a scope is one or more segments.
            for take in (1..=path.len()).rev() {
                let mut attempt = values.clone();
                attempt.insert(name.to_string(), path[..take].join("/"));
                if matches_from(rest, &path[take..], &mut attempt) {
                    *values = attempt;
                    return true;
                }
            }
            return false;
        }
        let Some((segment, path_rest)) = path.split_first() else {
            return false;
        };
        if segment.is_empty() {
            return false;
        }
        values.insert(name.to_string(), segment.to_string());
        return matches_from(rest, path_rest, values);
    }
    match path.split_first() {
        Some((segment, path_rest)) if segment.eq_ignore_ascii_case(head) => {
            matches_from(rest, path_rest, values)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn single_and_multi_segment_parameters() {
        let values = matches(
            "/subscriptions/{s}/resourceGroups/{rg}/providers/X/a/{n}",
            "/subscriptions/1/resourcegroups/g/providers/X/a/b",
        );
        assert_eq!(values.map(|v| v["n"].clone()), Some("b".to_string()));
        let values = matches(
            "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
            "/subscriptions/1/resourceGroups/g/providers/Microsoft.Insights/dataCollectionRules/d/providers/Microsoft.Authorization/roleAssignments/abc",
        );
        let values = values.unwrap_or_default();
        assert_eq!(
            values["scope"],
            "subscriptions/1/resourceGroups/g/providers/Microsoft.Insights/dataCollectionRules/d"
        );
        assert_eq!(values["roleAssignmentName"], "abc");
        assert!(matches("/a/{b}", "/a/b/c").is_none());
        assert!(matches("/a/{b}", "/a").is_none());
    }
}
