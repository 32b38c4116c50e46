//! Which APIM policy elements exist, in which sections each may appear, and what each contains.
//!
//! One table, read from Microsoft's policy reference: the index
//! <https://learn.microsoft.com/azure/api-management/api-management-policies> lists the policies,
//! and each policy's page `https://learn.microsoft.com/azure/api-management/{name}-policy`
//! (Usage → "Policy sections", Policy statement → child elements and their order) gives the rest.
//! The rows for the policies aigw ships were checked against those pages; the others follow the
//! same pages as of 2025. The older list "Policies allowed in on-error" on
//! <https://learn.microsoft.com/azure/api-management/api-management-error-handling-policies> is
//! narrower than the per-policy pages (it omits include-fragment, which its own page allows in
//! on-error); the per-policy pages win. This module owns facts only, no checking.

use std::fmt;

/// A policy section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Inbound,
    Backend,
    Outbound,
    OnError,
}

impl Section {
    /// In the order a policy document must list them.
    pub const ALL: [Section; 4] = [
        Section::Inbound,
        Section::Backend,
        Section::Outbound,
        Section::OnError,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Inbound => "inbound",
            Section::Backend => "backend",
            Section::Outbound => "outbound",
            Section::OnError => "on-error",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    fn bit(self) -> u8 {
        match self {
            Section::Inbound => IN,
            Section::Backend => BE,
            Section::Outbound => OUT,
            Section::OnError => ERR,
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const IN: u8 = 1;
const BE: u8 = 2;
const OUT: u8 = 4;
const ERR: u8 = 8;
const ALL: u8 = IN | BE | OUT | ERR;

/// A set of sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections(u8);

impl Sections {
    pub fn contains(self, section: Section) -> bool {
        self.0 & section.bit() != 0
    }

    /// "inbound, backend" in document order.
    pub fn list(self) -> String {
        Section::ALL
            .into_iter()
            .filter(|s| self.contains(*s))
            .map(Section::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What an element may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// No child elements and no text.
    Empty,
    /// Text (often an expression), no child elements.
    Text,
    /// Policy statements of the same section (`retry`, `when`, `limit-concurrency`).
    Statements,
    /// Only these policy statements (`wait`).
    StatementsOf(&'static [&'static str]),
    /// `when` elements, then at most one `otherwise`.
    Choose,
    /// These child elements, in this order, each possibly repeated.
    Children(&'static [&'static str]),
    /// Not checked inside (complex or free-form content, e.g. `set-body` with a Liquid template).
    Opaque,
}

/// One element of the policy language.
#[derive(Debug)]
pub struct ElementDef {
    pub name: &'static str,
    /// Sections where it may be a policy statement; `None` for elements that only appear inside
    /// another element (`when`, `value`, `set-url`).
    pub sections: Option<Sections>,
    pub content: Content,
    /// Attributes that must be present.
    pub required: &'static [&'static str],
    /// Attributes whose reference says "Policy expressions aren't allowed".
    pub literal_only: &'static [&'static str],
    /// Integer attributes with a documented range (checked when written as a literal).
    pub ranges: &'static [(&'static str, i64, i64)],
    /// Policies the reference says may not appear inside this one.
    pub excluded: &'static [&'static str],
}

const fn policy(name: &'static str, sections: u8, content: Content) -> ElementDef {
    ElementDef {
        name,
        sections: Some(Sections(sections)),
        content,
        required: &[],
        literal_only: &[],
        ranges: &[],
        excluded: &[],
    }
}

const fn child(name: &'static str, content: Content) -> ElementDef {
    ElementDef {
        name,
        sections: None,
        content,
        required: &[],
        literal_only: &[],
        ranges: &[],
        excluded: &[],
    }
}

const fn req(mut def: ElementDef, required: &'static [&'static str]) -> ElementDef {
    def.required = required;
    def
}

const fn ranges(mut def: ElementDef, ranges: &'static [(&'static str, i64, i64)]) -> ElementDef {
    def.ranges = ranges;
    def
}

const fn excluding(mut def: ElementDef, excluded: &'static [&'static str]) -> ElementDef {
    def.excluded = excluded;
    def
}

const fn literal(mut def: ElementDef, literal_only: &'static [&'static str]) -> ElementDef {
    def.literal_only = literal_only;
    def
}

/// Children of `send-request`, in statement order. `authentication-managed-identity` inside it is
/// the documented example of authentication-managed-identity-policy.
const REQUEST_CHILDREN: &[&str] = &[
    "set-url",
    "set-method",
    "set-header",
    "set-body",
    "authentication-certificate",
    "authentication-managed-identity",
    "proxy",
];

/// Children of `send-one-way-request` (send-one-way-request-policy lists no managed identity
/// child: a token has to be acquired in inbound and set as a header).
const ONE_WAY_CHILDREN: &[&str] = &[
    "set-url",
    "set-method",
    "set-header",
    "set-body",
    "authentication-certificate",
    "proxy",
];

use Content::{Children, Choose, Empty, Opaque, Statements, StatementsOf, Text};

/// Every known element, sorted by name.
pub static ELEMENTS: &[ElementDef] = &[
    policy("authentication-basic", IN, Empty),
    policy("authentication-certificate", IN, Empty),
    literal(
        req(
            policy("authentication-managed-identity", IN, Empty),
            &["resource"],
        ),
        &["client-id", "output-token-variable-name"],
    ),
    policy("azure-openai-emit-token-metric", IN, Opaque),
    policy("azure-openai-semantic-cache-lookup", IN, Opaque),
    policy("azure-openai-semantic-cache-store", OUT, Empty),
    policy("azure-openai-token-limit", IN, Empty),
    policy("cache-lookup", IN, Opaque),
    policy("cache-lookup-value", ALL, Empty),
    policy("cache-remove-value", ALL, Empty),
    policy("cache-store", OUT, Empty),
    policy("cache-store-value", ALL, Empty),
    policy("check-header", IN, Children(&["value"])),
    policy("choose", ALL, Choose),
    policy("cors", IN, Opaque),
    policy("cross-domain", IN, Opaque),
    policy("emit-metric", ALL, Opaque),
    policy("find-and-replace", ALL, Empty),
    policy("forward-request", BE, Empty),
    policy("get-authorization-context", IN, Empty),
    literal(
        req(policy("include-fragment", ALL, Empty), &["fragment-id"]),
        &["fragment-id"],
    ),
    policy("invoke-dapr-binding", IN | OUT | ERR, Opaque),
    policy("ip-filter", IN, Opaque),
    policy("json-to-xml", IN | OUT | ERR, Empty),
    policy("jsonp", OUT, Empty),
    policy("limit-concurrency", ALL, Statements),
    policy("llm-content-safety", IN, Opaque),
    policy("llm-emit-token-metric", IN, Opaque),
    policy("llm-semantic-cache-lookup", IN, Opaque),
    policy("llm-semantic-cache-store", OUT, Empty),
    policy("llm-token-limit", IN, Empty),
    policy("log-to-eventhub", ALL, Text),
    policy("mock-response", IN | OUT | ERR, Empty),
    child("otherwise", Statements),
    policy("proxy", IN, Empty),
    policy("publish-to-dapr", IN | OUT | ERR, Opaque),
    policy("quota", IN, Opaque),
    policy("quota-by-key", IN, Empty),
    policy("rate-limit", IN, Opaque),
    policy("rate-limit-by-key", IN, Empty),
    policy("redirect-content-urls", IN | OUT, Empty),
    // https://learn.microsoft.com/azure/api-management/retry-policy: "count: a positive number
    // between 1 and 50"; "may contain any other policies as its child elements, except for wait".
    excluding(
        ranges(
            req(
                policy("retry", ALL, Statements),
                &["condition", "count", "interval"],
            ),
            &[("count", 1, 50)],
        ),
        &["wait"],
    ),
    literal(
        policy(
            "return-response",
            ALL,
            Children(&["set-status", "set-header", "set-body"]),
        ),
        &["response-variable-name"],
    ),
    req(policy("rewrite-uri", IN, Empty), &["template"]),
    policy("send-one-way-request", ALL, Children(ONE_WAY_CHILDREN)),
    policy("send-request", ALL, Children(REQUEST_CHILDREN)),
    policy("set-backend-service", IN | BE, Empty),
    policy("set-body", IN | BE | OUT, Opaque),
    req(policy("set-header", ALL, Children(&["value"])), &["name"]),
    policy("set-method", IN | ERR, Text),
    req(
        policy("set-query-parameter", IN | BE, Children(&["value"])),
        &["name"],
    ),
    req(policy("set-status", ALL, Empty), &["code"]),
    child("set-url", Text),
    literal(
        req(policy("set-variable", ALL, Empty), &["name", "value"]),
        &["name"],
    ),
    policy("trace", ALL, Opaque),
    policy("validate-azure-ad-token", IN, Opaque),
    policy("validate-client-certificate", IN, Opaque),
    policy("validate-content", IN | OUT | ERR, Opaque),
    policy("validate-graphql-request", IN, Opaque),
    policy("validate-headers", OUT | ERR, Opaque),
    policy("validate-jwt", IN, Opaque),
    policy("validate-odata-request", IN, Empty),
    policy("validate-parameters", IN, Opaque),
    policy("validate-status-code", OUT | ERR, Opaque),
    child("value", Text),
    policy(
        "wait",
        IN | BE | OUT,
        StatementsOf(&["send-request", "cache-lookup-value", "choose"]),
    ),
    req(child("when", Statements), &["condition"]),
    policy("xml-to-json", IN | OUT | ERR, Empty),
    policy("xsl-transform", IN | OUT, Opaque),
];

/// The element named `name`.
pub fn lookup(name: &str) -> Option<&'static ElementDef> {
    ELEMENTS
        .binary_search_by(|def| def.name.cmp(name))
        .ok()
        .and_then(|i| ELEMENTS.get(i))
}

/// Names of the policies that can be statements (for suggestions).
pub fn policy_names() -> impl Iterator<Item = &'static str> {
    ELEMENTS
        .iter()
        .filter(|def| def.sections.is_some())
        .map(|def| def.name)
}

/// The reference page of a policy.
pub fn doc_url(name: &str) -> String {
    format!("https://learn.microsoft.com/azure/api-management/{name}-policy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_so_lookup_works() {
        for pair in ELEMENTS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} / {}",
                pair[0].name,
                pair[1].name
            );
        }
        for def in ELEMENTS {
            assert!(lookup(def.name).is_some_and(|d| std::ptr::eq(d, def)));
        }
    }

    #[test]
    fn every_named_child_is_in_the_table() {
        for def in ELEMENTS {
            if let Content::Children(names) | Content::StatementsOf(names) = def.content {
                for name in names {
                    assert!(lookup(name).is_some(), "{} lists unknown {name}", def.name);
                }
            }
        }
    }

    #[test]
    fn sections_of_the_policies_aigw_uses_match_the_reference() {
        let allowed = |name: &str| lookup(name).and_then(|d| d.sections).map(Sections::list);
        assert_eq!(allowed("forward-request").as_deref(), Some("backend"));
        assert_eq!(allowed("rewrite-uri").as_deref(), Some("inbound"));
        assert_eq!(
            allowed("authentication-managed-identity").as_deref(),
            Some("inbound")
        );
        assert_eq!(
            allowed("set-backend-service").as_deref(),
            Some("inbound, backend")
        );
        assert_eq!(
            allowed("set-query-parameter").as_deref(),
            Some("inbound, backend")
        );
        for name in [
            "choose",
            "include-fragment",
            "retry",
            "return-response",
            "send-one-way-request",
            "set-header",
            "set-status",
            "set-variable",
        ] {
            assert_eq!(
                allowed(name).as_deref(),
                Some("inbound, backend, outbound, on-error"),
                "{name}"
            );
        }
    }
}
