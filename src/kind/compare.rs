//! How a resource read from ARM is compared with what aigw wants, per kind: which fields compare
//! ignoring case, which are written but never returned, where policy XML sits, and the query a
//! read needs to get the resource back as aigw wrote it. `deploy::diff` applies these rules.
//!
//! Rules hold for a field at a path, never for a key name anywhere: a tag called `name` is the
//! user's value and compares exactly ("Tag values are case-sensitive",
//! https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources). Rules for
//! every kind, applied by `diff` itself: ARM ids compare ignoring case wherever they appear (ARM
//! returns `resourcegroups` in some ids), the top-level `location` ignoring case and spaces
//! (`West Europe` is `westeurope`), and object keys match ignoring case (ids used as keys come back
//! re-cased; "Tag names are case-insensitive for operations", same page).

use super::ResourceKind;

/// A field of a resource body: keys separated by `.`; `*` stands for any key, `[]` after a key
/// for every element of that array (`properties.schema.columns[].type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldPattern(pub &'static str);

/// One step of a path into a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A step of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatternStep {
    Key(&'static str),
    AnyKey,
    AnyIndex,
}

impl FieldPattern {
    fn steps(self) -> impl Iterator<Item = PatternStep> {
        self.0.split('.').flat_map(|segment| {
            let (key, array) = match segment.strip_suffix("[]") {
                Some(key) => (key, true),
                None => (segment, false),
            };
            let key = if key == "*" {
                PatternStep::AnyKey
            } else {
                PatternStep::Key(key)
            };
            std::iter::once(key).chain(array.then_some(PatternStep::AnyIndex))
        })
    }

    /// Whether `path` is exactly this field (keys compare ignoring case, as ARM's do).
    pub fn matches(self, path: &[Step<'_>]) -> bool {
        let mut path = path.iter();
        for step in self.steps() {
            let matched = match (step, path.next()) {
                (PatternStep::Key(want), Some(Step::Key(have))) => want.eq_ignore_ascii_case(have),
                (PatternStep::AnyKey, Some(Step::Key(_)))
                | (PatternStep::AnyIndex, Some(Step::Index(_))) => true,
                _ => false,
            };
            if !matched {
                return false;
            }
        }
        path.next().is_none()
    }

    /// The JSON pointer of a pattern without wildcards (`properties.secret` → `/properties/secret`).
    pub fn pointer(self) -> Option<String> {
        let mut out = String::new();
        for step in self.steps() {
            let PatternStep::Key(key) = step else {
                return None;
            };
            out.push('/');
            out.push_str(key);
        }
        Some(out)
    }
}

/// A field aigw may write that a GET does not return as written: a write instruction or a
/// secret. Never compared (a GET that lacks it is not a difference), only sent.
#[derive(Clone, Copy, Debug)]
pub struct WriteOnly {
    pub field: FieldPattern,
    pub when: When,
}

#[derive(Clone, Copy, Debug)]
pub enum When {
    Always,
    /// Only when this boolean of the desired body is `true`.
    DesiredIsTrue(FieldPattern),
}

/// The comparison rules of one kind.
#[derive(Clone, Copy, Debug)]
pub struct Comparison {
    /// Names and enum members Azure treats case-insensitively and may echo in another case
    /// (Log Analytics returns `sku.name` `PerGB2018` as `pergb2018`,
    /// hashicorp/terraform-provider-azurerm#18758): compared exactly, every run would update.
    pub ignore_case: &'static [FieldPattern],
    pub write_only: &'static [WriteOnly],
    /// Policy XML: API Management stores it in its own layout (line ends, spacing, self-closing
    /// tags, comments dropped), so both sides are normalised before comparing.
    pub policy_xml: Option<FieldPattern>,
}

const NOTHING_SPECIAL: Comparison = Comparison {
    ignore_case: &[],
    write_only: &[],
    policy_xml: None,
};

const fn ignoring_case(ignore_case: &'static [FieldPattern]) -> Comparison {
    Comparison {
        ignore_case,
        write_only: &[],
        policy_xml: None,
    }
}

/// `format` says how `value` is written; APIM does not store it. A GET with `format=rawxml` has no
/// `format` ("`.properties.format = rawxml`: not returned from response",
/// Azure/azure-rest-api-specs#25306); a GET without it says `xml` (the spec's default).
const POLICY: Comparison = Comparison {
    ignore_case: &[],
    write_only: &[WriteOnly {
        field: FieldPattern("properties.format"),
        when: When::Always,
    }],
    policy_xml: Some(FieldPattern("properties.value")),
};

/// Read policies back as aigw writes them: `rawxml` (the default export escapes expressions).
const RAW_XML: &[(&str, &str)] = &[("format", "rawxml")];

impl ResourceKind {
    /// How a read of this kind is compared with the desired body.
    ///
    /// How the write-only fields were found: every kind was checked in its Azure REST
    /// specification (api-versions in [`super::api_versions`]) for properties without `read` in
    /// `x-ms-mutability` and for `x-ms-secret`, and in public issue reports for properties a GET
    /// leaves out (Azure/azure-rest-api-specs `ROUNDTRIP_MISSING_PROPERTY` reports). Everything
    /// else aigw sets is returned by a GET.
    pub fn comparison(self) -> Comparison {
        match self {
            ResourceKind::ResourceGroup | ResourceKind::ManagedIdentity => NOTHING_SPECIAL,
            ResourceKind::LogAnalyticsWorkspace => {
                ignoring_case(&[FieldPattern("properties.sku.name")])
            }
            ResourceKind::CustomTable => ignoring_case(&[
                FieldPattern("properties.schema.name"),
                FieldPattern("properties.schema.columns[].name"),
                FieldPattern("properties.schema.columns[].type"),
                FieldPattern("properties.plan"),
            ]),
            ResourceKind::DataCollectionEndpoint => {
                ignoring_case(&[FieldPattern("properties.networkAcls.publicNetworkAccess")])
            }
            ResourceKind::DataCollectionRule => ignoring_case(&[
                FieldPattern("properties.streamDeclarations.*.columns[].name"),
                FieldPattern("properties.streamDeclarations.*.columns[].type"),
                FieldPattern("properties.destinations.logAnalytics[].name"),
            ]),
            // `restore` asks to bring back a soft-deleted account: `x-ms-mutability: ["create",
            // "update"]`, no `read` (cognitiveservices 2025-06-01, AccountProperties.restore).
            ResourceKind::FoundryAccount => Comparison {
                ignore_case: &[
                    FieldPattern("kind"),
                    FieldPattern("sku.name"),
                    FieldPattern("identity.type"),
                    FieldPattern("properties.publicNetworkAccess"),
                ],
                write_only: &[WriteOnly {
                    field: FieldPattern("properties.restore"),
                    when: When::Always,
                }],
                policy_xml: None,
            },
            ResourceKind::FoundryProject => ignoring_case(&[FieldPattern("identity.type")]),
            ResourceKind::ModelDeployment => ignoring_case(&[
                FieldPattern("sku.name"),
                FieldPattern("properties.model.format"),
                FieldPattern("properties.model.name"),
                FieldPattern("properties.versionUpgradeOption"),
            ]),
            // Found by role, principal and scope ([`super::MatchedBy::Grant`]), never diffed.
            ResourceKind::RoleAssignment => {
                ignoring_case(&[FieldPattern("properties.principalType")])
            }
            ResourceKind::ApiManagement => {
                ignoring_case(&[FieldPattern("sku.name"), FieldPattern("identity.type")])
            }
            ResourceKind::Api => ignoring_case(&[FieldPattern("properties.type")]),
            ResourceKind::ApiOperation => ignoring_case(&[
                FieldPattern("properties.method"),
                FieldPattern("properties.templateParameters[].name"),
                FieldPattern("properties.templateParameters[].type"),
            ]),
            ResourceKind::ApiPolicy | ResourceKind::PolicyFragment => POLICY,
            ResourceKind::Backend => ignoring_case(&[
                FieldPattern("properties.type"),
                FieldPattern("properties.protocol"),
                FieldPattern("properties.circuitBreaker.rules[].name"),
            ]),
            ResourceKind::BackendPool => ignoring_case(&[FieldPattern("properties.type")]),
            // A secret named value's value is never returned: "This property will not be filled
            // on 'GET' operations! Use '/listSecrets' POST request to get the value."
            // (apimanagement 2024-05-01 definitions.json, NamedValueContractProperties.value);
            // APIM returns it "in case 'isSecret' property == false" (APIM team,
            // Azure/azure-rest-api-specs#8341). aigw's named values are not secret, so their
            // values are compared.
            ResourceKind::NamedValue => Comparison {
                ignore_case: &[],
                write_only: &[WriteOnly {
                    field: FieldPattern("properties.value"),
                    when: When::DesiredIsTrue(FieldPattern("properties.secret")),
                }],
                policy_xml: None,
            },
        }
    }

    /// Extra query parameters for reading a resource of this kind back as aigw wrote it.
    pub fn read_query(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ResourceKind::ApiPolicy | ResourceKind::PolicyFragment => RAW_XML,
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::CustomTable
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment
            | ResourceKind::RoleAssignment
            | ResourceKind::ApiManagement
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => &[],
        }
    }
}
