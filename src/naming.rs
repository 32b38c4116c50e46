//! Every Azure name aigw derives, and the rules each kind of name must satisfy.
//!
//! One place owns the naming convention so the plan, the policies' pool routing, validation and
//! the docs cannot drift apart. Rules come from Microsoft Learn "Naming rules and restrictions for
//! Azure resources" (resource-name-rules) and the `parameters` sections of the REST specifications;
//! where the two differ, the stricter one is used so a name that passes here is accepted by Azure.

use std::fmt;

/// The Log Analytics custom table that receives usage rows (custom tables must end in `_CL`).
pub const USAGE_TABLE: &str = "AIUsageLog_CL";
/// The DCR stream declared for that table (custom streams are `Custom-` + table).
pub const USAGE_STREAM: &str = "Custom-AIUsageLog_CL";
/// The DCR destination name of the workspace.
pub const WORKSPACE_DESTINATION: &str = "usage-workspace";
/// API Management API ids and paths.
pub const API_OPENAI: &str = "openai";
pub const API_V1: &str = "v1";
/// The named values the stack creates in API Management (stage 9 `config`), the only `{{name}}`
/// the policies may reference. This is the one list: the plan writes each (its value is a
/// `match` there, so a new one cannot be left without a value), the policy checks accept exactly
/// these, and tests hold the README and docs/policies.md to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedValue {
    /// The data collection endpoint's logs ingestion URL.
    DceEndpoint,
    /// The data collection rule's immutable id.
    DcrImmutableId,
    /// The DCR stream the usage rows are posted to.
    StreamName,
    /// The client id of the gateway's user-assigned identity.
    IdentityClientId,
    /// `true` or `false`: whether the policies fail over on 500–599 (`tripOnServerErrors`).
    TripOnServerErrors,
}

impl NamedValue {
    /// Every named value, in the order the stack creates them.
    pub const ALL: [NamedValue; 5] = [
        NamedValue::DceEndpoint,
        NamedValue::DcrImmutableId,
        NamedValue::StreamName,
        NamedValue::IdentityClientId,
        NamedValue::TripOnServerErrors,
    ];

    /// The named value's id (and display name), as policies write it between `{{` and `}}`.
    pub const fn id(self) -> &'static str {
        match self {
            NamedValue::DceEndpoint => "dce-endpoint",
            NamedValue::DcrImmutableId => "dcr-immutable-id",
            NamedValue::StreamName => "stream-name",
            NamedValue::IdentityClientId => "managed-identity-client-id",
            NamedValue::TripOnServerErrors => "trip-on-server-errors",
        }
    }
}

impl fmt::Display for NamedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Names of the resources that exist once per stack (may be overridden in the parameter file).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NameOverrides {
    pub resource_group: Option<String>,
    pub identity: Option<String>,
    pub log_analytics_workspace: Option<String>,
    pub data_collection_endpoint: Option<String>,
    pub data_collection_rule: Option<String>,
    pub api_management: Option<String>,
}

/// The naming convention of one stack: `{prefix}-{workload}-{environment}-{suffix}[-{region}]`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Names {
    environment: String,
    suffix: String,
    overrides: NameOverrides,
}

impl Names {
    pub fn new(
        environment: impl Into<String>,
        suffix: impl Into<String>,
        overrides: NameOverrides,
    ) -> Self {
        Names {
            environment: environment.into(),
            suffix: suffix.into(),
            overrides,
        }
    }

    fn stack(&self, prefix: &str) -> String {
        format!("{prefix}-aigw-{}-{}", self.environment, self.suffix)
    }

    pub fn resource_group(&self) -> String {
        self.overrides
            .resource_group
            .clone()
            .unwrap_or_else(|| self.stack("rg"))
    }

    pub fn identity(&self) -> String {
        self.overrides
            .identity
            .clone()
            .unwrap_or_else(|| self.stack("id"))
    }

    pub fn log_analytics_workspace(&self) -> String {
        self.overrides
            .log_analytics_workspace
            .clone()
            .unwrap_or_else(|| self.stack("log"))
    }

    pub fn data_collection_endpoint(&self) -> String {
        self.overrides
            .data_collection_endpoint
            .clone()
            .unwrap_or_else(|| self.stack("dce"))
    }

    pub fn data_collection_rule(&self) -> String {
        self.overrides
            .data_collection_rule
            .clone()
            .unwrap_or_else(|| self.stack("dcr"))
    }

    pub fn api_management(&self) -> String {
        self.overrides
            .api_management
            .clone()
            .unwrap_or_else(|| self.stack("apim"))
    }

    /// `cog-aifoundry-{environment}-{suffix}-{regionAbbr}`; also the account's custom subdomain.
    pub fn account(&self, region_abbreviation: &str) -> String {
        format!(
            "cog-aifoundry-{}-{}-{}",
            self.environment, self.suffix, region_abbreviation
        )
    }

    /// The AI Foundry project under each account.
    pub fn project(&self, region_abbreviation: &str) -> String {
        format!(
            "proj-aifoundry-{}-{}-{}",
            self.environment, self.suffix, region_abbreviation
        )
    }
}

/// A deployment name made safe for APIM ids: every `.` becomes `-dot-`.
pub fn deployment_slug(deployment_name: &str) -> String {
    deployment_name.replace('.', "-dot-")
}

/// The backend for the Azure OpenAI API shape of one deployment in one region.
pub fn aoai_backend_id(deployment_name: &str, region_abbreviation: &str) -> String {
    format!(
        "aoai-{}-{}",
        deployment_slug(deployment_name),
        region_abbreviation
    )
}

/// The backend for the OpenAI v1 API shape of one deployment in one region.
pub fn oaiv1_backend_id(deployment_name: &str, region_abbreviation: &str) -> String {
    format!(
        "oaiv1-{}-{}",
        deployment_slug(deployment_name),
        region_abbreviation
    )
}

/// The pool holding every regional backend of one deployment name.
pub fn pool_id(deployment_name: &str) -> String {
    format!("pool-{}", deployment_slug(deployment_name))
}

/// Base URL every pool member points at (see DESIGN.md "Both backend flavours share one base URL").
pub fn account_openai_base_url(account_name: &str) -> String {
    format!("https://{account_name}.openai.azure.com/openai")
}

/// Kinds of names with their own rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    ResourceGroup,
    ManagedIdentity,
    LogAnalyticsWorkspace,
    DataCollectionEndpoint,
    DataCollectionRule,
    CognitiveServicesAccount,
    FoundryProject,
    ModelDeployment,
    ApiManagementService,
    /// APIM backend, pool, API, operation and named-value ids.
    ApiManagementEntity,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::ResourceGroup => "resource group name",
            NameKind::ManagedIdentity => "managed identity name",
            NameKind::LogAnalyticsWorkspace => "Log Analytics workspace name",
            NameKind::DataCollectionEndpoint => "data collection endpoint name",
            NameKind::DataCollectionRule => "data collection rule name",
            NameKind::CognitiveServicesAccount => "AI Foundry account name (and custom subdomain)",
            NameKind::FoundryProject => "AI Foundry project name",
            NameKind::ModelDeployment => "model deployment name",
            NameKind::ApiManagementService => "API Management service name",
            NameKind::ApiManagementEntity => "API Management backend/pool id",
        })
    }
}

/// The rule for one kind of name.
pub struct NameRule {
    pub min: usize,
    pub max: usize,
    /// Allowed characters, in words for messages.
    pub allowed: &'static str,
    char_ok: fn(char) -> bool,
    first_ok: fn(char) -> bool,
    last_ok: fn(char) -> bool,
    /// What the first/last character must be, in words.
    pub edges: &'static str,
}

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
fn letter(c: char) -> bool {
    c.is_ascii_alphabetic()
}
fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}
fn any(_: char) -> bool {
    true
}

impl NameKind {
    pub fn rule(self) -> NameRule {
        match self {
            // 1-90; letters, digits, underscores, parentheses, hyphens, periods; not ending in a period.
            NameKind::ResourceGroup => NameRule {
                min: 1,
                max: 90,
                allowed: "letters, digits, '_', '(', ')', '-' and '.'",
                char_ok: |c| c.is_alphanumeric() || "_()-.".contains(c),
                first_ok: any,
                last_ok: |c| c != '.',
                edges: "must not end with '.'",
            },
            // 3-128; alphanumerics, hyphens, underscores; start with a letter or digit.
            NameKind::ManagedIdentity => NameRule {
                min: 3,
                max: 128,
                allowed: "letters, digits, '-' and '_'",
                char_ok: |c| alnum(c) || c == '-' || c == '_',
                first_ok: alnum,
                last_ok: any,
                edges: "must start with a letter or digit",
            },
            // 4-63; alphanumerics and hyphens; start and end alphanumeric.
            NameKind::LogAnalyticsWorkspace => NameRule {
                min: 4,
                max: 63,
                allowed: "letters, digits and '-'",
                char_ok: |c| alnum(c) || c == '-',
                first_ok: alnum,
                last_ok: alnum,
                edges: "must start and end with a letter or digit",
            },
            // The REST spec sets no rule; 44 is the limit ARM enforces in practice, and alphanumerics
            // with hyphens are always accepted.
            NameKind::DataCollectionEndpoint => NameRule {
                min: 3,
                max: 44,
                allowed: "letters, digits and '-'",
                char_ok: |c| alnum(c) || c == '-',
                first_ok: alnum,
                last_ok: alnum,
                edges: "must start and end with a letter or digit",
            },
            NameKind::DataCollectionRule => NameRule {
                min: 3,
                max: 64,
                allowed: "letters, digits and '-'",
                char_ok: |c| alnum(c) || c == '-',
                first_ok: alnum,
                last_ok: alnum,
                edges: "must start and end with a letter or digit",
            },
            // 2-64 for the account, but the name is also its custom subdomain: a DNS label, so at
            // most 63 characters, lower case, no '_' (ARM rejects '_' with CustomDomainInvalid).
            NameKind::CognitiveServicesAccount => NameRule {
                min: 2,
                max: 63,
                allowed: "lower-case letters, digits and '-'",
                char_ok: |c| lower_alnum(c) || c == '-',
                first_ok: lower_alnum,
                last_ok: lower_alnum,
                edges: "must start and end with a letter or digit",
            },
            // Spec pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$, 2-64.
            NameKind::FoundryProject | NameKind::ModelDeployment => NameRule {
                min: 2,
                max: 64,
                allowed: "letters, digits, '_', '.' and '-'",
                char_ok: |c| alnum(c) || "_.-".contains(c),
                first_ok: alnum,
                last_ok: any,
                edges: "must start with a letter or digit",
            },
            // 1-50; start with a letter, end alphanumeric; globally unique ({name}.azure-api.net).
            NameKind::ApiManagementService => NameRule {
                min: 1,
                max: 50,
                allowed: "letters, digits and '-'",
                char_ok: |c| alnum(c) || c == '-',
                first_ok: letter,
                last_ok: alnum,
                edges: "must start with a letter and end with a letter or digit",
            },
            // Naming page: 1-80 alphanumerics and hyphens, start with a letter, end alphanumeric
            // (stricter than the spec's BackendIdParameter, which sets only the length).
            NameKind::ApiManagementEntity => NameRule {
                min: 1,
                max: 80,
                allowed: "letters, digits and '-'",
                char_ok: |c| alnum(c) || c == '-',
                first_ok: letter,
                last_ok: alnum,
                edges: "must start with a letter and end with a letter or digit",
            },
        }
    }

    /// What is wrong with `name` for this kind (empty when valid).
    pub fn problems(self, name: &str) -> Vec<NameProblem> {
        let rule = self.rule();
        let mut problems = Vec::new();
        let length = name.chars().count();
        if length < rule.min || length > rule.max {
            problems.push(NameProblem::Length {
                length,
                min: rule.min,
                max: rule.max,
            });
        }
        // Each offending character once, in order of appearance.
        let mut seen = std::collections::HashSet::new();
        let bad: Vec<char> = name
            .chars()
            .filter(|c| !(rule.char_ok)(*c) && seen.insert(*c))
            .collect();
        if !bad.is_empty() {
            problems.push(NameProblem::Characters {
                bad,
                allowed: rule.allowed,
            });
        }
        let first_bad = name.chars().next().is_some_and(|c| !(rule.first_ok)(c));
        let last_bad = name.chars().last().is_some_and(|c| !(rule.last_ok)(c));
        if first_bad || last_bad {
            problems.push(NameProblem::Edges { rule: rule.edges });
        }
        problems
    }
}

/// Offending characters named in a message; the rest are counted.
const MAX_LISTED_CHARACTERS: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    Length {
        length: usize,
        min: usize,
        max: usize,
    },
    Characters {
        bad: Vec<char>,
        allowed: &'static str,
    },
    Edges {
        rule: &'static str,
    },
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Length { length, min, max } => {
                write!(f, "is {length} characters long; it must be {min} to {max}")
            }
            NameProblem::Characters { bad, allowed } => {
                let mut listed: Vec<String> = bad
                    .iter()
                    .take(MAX_LISTED_CHARACTERS)
                    .map(|c| format!("'{}'", c.escape_default()))
                    .collect();
                if bad.len() > MAX_LISTED_CHARACTERS {
                    listed.push(format!("and {} more", bad.len() - MAX_LISTED_CHARACTERS));
                }
                write!(
                    f,
                    "contains {}; only {allowed} are allowed",
                    listed.join(", ")
                )
            }
            NameProblem::Edges { rule } => write!(f, "{rule}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new("acc", "x7k", NameOverrides::default())
    }

    #[test]
    fn stack_resource_names_follow_the_convention() {
        let n = names();
        assert_eq!(n.resource_group(), "rg-aigw-acc-x7k");
        assert_eq!(n.identity(), "id-aigw-acc-x7k");
        assert_eq!(n.log_analytics_workspace(), "log-aigw-acc-x7k");
        assert_eq!(n.data_collection_endpoint(), "dce-aigw-acc-x7k");
        assert_eq!(n.data_collection_rule(), "dcr-aigw-acc-x7k");
        assert_eq!(n.api_management(), "apim-aigw-acc-x7k");
        assert_eq!(n.account("weu"), "cog-aifoundry-acc-x7k-weu");
        assert_eq!(n.project("sec"), "proj-aifoundry-acc-x7k-sec");
    }

    #[test]
    fn overrides_replace_derived_names() {
        let n = Names::new(
            "acc",
            "x7k",
            NameOverrides {
                api_management: Some("my-apim".into()),
                resource_group: Some("rg-x".into()),
                ..Default::default()
            },
        );
        assert_eq!(n.api_management(), "my-apim");
        assert_eq!(n.resource_group(), "rg-x");
        assert_eq!(n.identity(), "id-aigw-acc-x7k");
    }

    #[test]
    fn dots_become_dot_in_every_apim_id() {
        assert_eq!(deployment_slug("gpt-4o"), "gpt-4o");
        assert_eq!(
            deployment_slug("gpt-4o-mini-2024.07.18"),
            "gpt-4o-mini-2024-dot-07-dot-18"
        );
        assert_eq!(deployment_slug("a..b."), "a-dot--dot-b-dot-");
        assert_eq!(
            pool_id("gpt-4o-mini-2024.07.18"),
            "pool-gpt-4o-mini-2024-dot-07-dot-18"
        );
        assert_eq!(aoai_backend_id("gpt-4.1", "weu"), "aoai-gpt-4-dot-1-weu");
        assert_eq!(
            oaiv1_backend_id("o3.mini.x", "frc"),
            "oaiv1-o3-dot-mini-dot-x-frc"
        );
        assert_eq!(
            account_openai_base_url("cog-a"),
            "https://cog-a.openai.azure.com/openai"
        );
    }

    #[test]
    fn rules_check_length_characters_and_edges() {
        assert!(
            NameKind::ApiManagementService
                .problems("apim-aigw-acc-x7k")
                .is_empty()
        );
        assert_eq!(
            NameKind::ApiManagementService.problems(&"a".repeat(51)),
            vec![NameProblem::Length {
                length: 51,
                min: 1,
                max: 50
            }]
        );
        assert_eq!(
            NameKind::ApiManagementService.problems("1apim-"),
            vec![NameProblem::Edges {
                rule: "must start with a letter and end with a letter or digit"
            }]
        );
        let problems = NameKind::CognitiveServicesAccount.problems("Cog_x");
        assert!(
            matches!(&problems[0], NameProblem::Characters { bad, .. } if bad == &vec!['C', '_'])
        );
        assert!(NameKind::ResourceGroup.problems("rg.").len() == 1);
        // Each offending character is named once, at most ten of them, escaped.
        let problems = NameKind::ApiManagementService.problems("a_b_c\n!@#$%^&*()+=x");
        assert_eq!(
            problems[0].to_string(),
            r"contains '_', '\n', '!', '@', '#', '$', '%', '^', '&', '*', and 4 more; only letters, digits and '-' are allowed"
        );
        assert!(
            NameKind::ModelDeployment
                .problems("gpt-4o-mini-2024.07.18")
                .is_empty()
        );
        assert!(
            !NameKind::ApiManagementEntity
                .problems("aoai-my_model-weu")
                .is_empty()
        );
    }

    /// The code in backticks in `text`, in order.
    fn backticked(text: &str) -> Vec<&str> {
        text.split('`').skip(1).step_by(2).collect()
    }

    #[test]
    fn the_docs_name_exactly_the_named_values_the_stack_creates() {
        let ids = NamedValue::ALL.map(NamedValue::id);
        let readme = include_str!("../README.md");
        let stage = readme
            .lines()
            .find(|line| line.starts_with("| 9 config |"))
            .unwrap_or_else(|| panic!("the README has no row for stage 9 config"));
        assert_eq!(backticked(stage), ids, "README, stage 9: {stage}");
        let policies = include_str!("../docs/policies.md");
        let order = policies
            .split("\n\n")
            .find(|paragraph| paragraph.starts_with("Deployment order matters"))
            .unwrap_or_else(|| panic!("docs/policies.md no longer explains the deployment order"));
        assert_eq!(backticked(order), ids, "docs/policies.md: {order}");
    }

    #[test]
    fn fixed_names_are_valid() {
        let named_values = NamedValue::ALL.map(NamedValue::id);
        for id in [API_OPENAI, API_V1].iter().chain(&named_values) {
            assert!(
                NameKind::ApiManagementEntity.problems(id).is_empty(),
                "{id}"
            );
        }
        assert!(USAGE_TABLE.ends_with("_CL"));
        assert_eq!(USAGE_STREAM, format!("Custom-{USAGE_TABLE}"));
    }
}
