//! Field checks: the rules of single values that are not regions or deployments — name parts
//! (`environment`, `suffix`, abbreviations), region names, name overrides, the publisher's email
//! and name, and tags.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::{At, Validator, name_diagnostic};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::NameKind;
use crate::params::value::{Entry, Node, Value};
use crate::regions;

/// ARM allows 50 tags per resource; names up to 512 characters, values up to 256.
const MAX_TAGS: usize = 50;

impl Validator<'_> {
    /// `environment` or `suffix`: pieces every name is built from.
    pub(super) fn name_part(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let value = self.string(node, path)?;
        self.component(value, path)
    }

    /// A piece of names (`environment`, `suffix`, a region's abbreviation): lower-case letters and
    /// digits joined by single hyphens.
    pub(super) fn component(&mut self, value: At<String>, path: &str) -> Option<At<String>> {
        let s = &value.value;
        let valid_chars = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let valid_shape = !s.starts_with('-') && !s.ends_with('-') && !s.contains("--");
        if valid_chars && valid_shape {
            return Some(value);
        }
        let fixed: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let fixed = fixed.trim_matches('-').to_string();
        let help = if fixed.is_empty() || fixed == *s {
            "use lower-case letters and digits, optionally joined by single hyphens".to_string()
        } else {
            format!(
                "use lower-case letters and digits, optionally joined by single hyphens, e.g. {}",
                self.hints.string(&shown(&fixed))
            )
        };
        self.report(
            Diagnostic::new(
                "invalid-name-part",
                format!("`{}` cannot be part of Azure resource names", shown(s)),
            )
            .path(path)
            .at(value.span)
            .label("used in every resource name")
            .help(help),
        );
        None
    }

    pub(super) fn region_name(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let value = self.text(node, path)?;
        if regions::is_known(&value.value, &self.options.allowed_regions) {
            return Some(value);
        }
        let name = shown(&value.value);
        let help = match regions::programmatic_name(&value.value) {
            Some(known) if known != value.value => {
                format!("write the ARM location name {}", self.hints.string(known))
            }
            _ => {
                match crate::suggest::closest(&value.value, regions::KNOWN_REGIONS.iter().copied())
                {
                    Some(candidate) => format!(
                        "did you mean {}? If `{name}` is a new Azure region, pass --allow-region {name}",
                        self.hints.string(candidate)
                    ),
                    None => format!(
                        "use an ARM location name such as {}; if `{name}` is a new Azure region, pass --allow-region {name}",
                        self.hints.string("westeurope")
                    ),
                }
            }
        };
        self.report(
            Diagnostic::new(
                "unknown-region",
                format!("`{name}` is not a known Azure region"),
            )
            .path(path)
            .at(value.span)
            .help(help),
        );
        None
    }

    pub(super) fn override_name(
        &mut self,
        node: Option<&Node>,
        path: &str,
        kind: NameKind,
    ) -> Option<String> {
        let value = self.text(node?, path)?;
        let problems = kind.problems(&value.value);
        if problems.is_empty() {
            return Some(value.value);
        }
        self.report(
            name_diagnostic(kind, &value.value, &problems)
                .path(path)
                .at(value.span),
        );
        None
    }

    pub(super) fn email(&mut self, node: &Node, path: &str) -> Option<String> {
        let value = self.text(node, path)?;
        let s = &value.value;
        let well_formed = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !s
                        .chars()
                        .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
            }
            None => false,
        };
        if !well_formed {
            self.report(
                Diagnostic::new(
                    "invalid-email",
                    format!("`{}` is not an email address", shown(s)),
                )
                .path(path)
                .at(value.span)
                .help(format!(
                    "write one address such as {}",
                    self.hints.string("platform@example.com")
                )),
            );
            return None;
        }
        // publisherEmail maxLength 100 (ApiManagementServiceProperties, 2024-05-01).
        if s.chars().count() > 100 {
            self.report(
                Diagnostic::new("too-long", "is longer than 100 characters")
                    .path(path)
                    .at(value.span)
                    .help("API Management accepts publisher emails of up to 100 characters"),
            );
            return None;
        }
        Some(value.value)
    }

    pub(super) fn publisher_name(&mut self, node: &Node) -> Option<String> {
        let value = self.text(node, "apimPublisherName")?;
        if value.value.chars().count() > 100 {
            self.report(
                Diagnostic::new("too-long", "is longer than 100 characters")
                    .path("apimPublisherName")
                    .at(value.span)
                    .help("API Management accepts publisher names of up to 100 characters"),
            );
            return None;
        }
        Some(value.value)
    }

    pub(super) fn tags(&mut self, node: &Node) -> Option<BTreeMap<String, String>> {
        let Value::Object(entries) = &node.value else {
            let example = self.hints.value(&json!({ "costCenter": "1234" }));
            self.type_error(node, "tags", "an object", &example);
            return None;
        };
        let mut tags = BTreeMap::new();
        let mut ok = true;
        if entries.len() > MAX_TAGS {
            self.report(
                Diagnostic::new(
                    "too-many-tags",
                    format!(
                        "has {} tags; Azure allows at most {MAX_TAGS}",
                        entries.len()
                    ),
                )
                .path("tags")
                .at(node.span)
                .help("remove tags"),
            );
            ok = false;
        }
        // "Tag names are case-insensitive for operations" (Microsoft Learn, "Use tags to organize
        // your Azure resources": https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources):
        // `Owner` and `owner` are one tag, and one value would silently replace the other.
        let mut seen: HashMap<String, &Entry> = HashMap::new();
        for entry in entries {
            let path = format!("tags.{}", entry.key);
            let name = At {
                value: entry.key.clone(),
                span: entry.key_span,
            };
            if entry.key.is_empty()
                || entry.key.chars().count() > 512
                || entry.key.contains(['<', '>', '%', '&', '\\', '?', '/'])
            {
                self.report(
                    Diagnostic::new(
                        "invalid-tag-name",
                        format!("`{}` is not a valid tag name", shown(&entry.key)),
                    )
                    .path(path.clone())
                    .at(entry.key_span)
                    .help("tag names are 1-512 characters without < > % & \\ ? /"),
                );
                ok = false;
            } else if !self.no_control_characters(&name, &path) {
                ok = false;
            }
            match seen.get(&entry.key.to_lowercase()) {
                Some(first) => {
                    self.report(
                        Diagnostic::new(
                            "duplicate-tag",
                            format!(
                                "tag `{}` differs from `{}` only in case; Azure tag names ignore case, so one would replace the other",
                                shown(&entry.key),
                                shown(&first.key)
                            ),
                        )
                        .path(path.clone())
                        .at(entry.key_span)
                        .also(first.key_span, "the other")
                        .help("keep one of the two"),
                    );
                    ok = false;
                }
                None => {
                    seen.insert(entry.key.to_lowercase(), entry);
                }
            }
            match &entry.value.value {
                Value::String(s) if s.chars().count() <= 256 => {
                    let value = At {
                        value: s.clone(),
                        span: entry.value.span,
                    };
                    if self.no_control_characters(&value, &path) {
                        tags.insert(entry.key.clone(), value.value);
                    } else {
                        ok = false;
                    }
                }
                Value::String(_) => {
                    self.report(
                        Diagnostic::new("too-long", "tag values are at most 256 characters")
                            .path(path)
                            .at(entry.value.span)
                            .help("shorten the value"),
                    );
                    ok = false;
                }
                _ => {
                    self.type_error(&entry.value, &path, "a string", "a quoted string");
                    ok = false;
                }
            }
        }
        ok.then_some(tags)
    }
}
