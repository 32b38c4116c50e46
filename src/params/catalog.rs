//! The parameters aigw reads, with their documentation (the README's parameter table is checked
//! against this list by a test).

pub struct ParamDoc {
    pub name: &'static str,
    pub kind: &'static str,
    /// `None` when required.
    pub default: Option<&'static str>,
    pub description: &'static str,
}

pub const TOP_LEVEL: &[ParamDoc] = &[
    ParamDoc {
        name: "environment",
        kind: "string",
        default: None,
        description: "Environment code used in every name, e.g. `acc`, `prd` (lower-case letters, digits, inner hyphens).",
    },
    ParamDoc {
        name: "suffix",
        kind: "string",
        default: None,
        description: "Uniqueness suffix used in every name, e.g. `x7k` (lower-case letters, digits, inner hyphens). APIM and account names are global.",
    },
    ParamDoc {
        name: "location",
        kind: "string",
        default: Some("`westeurope`"),
        description: "Region of the resource group and every shared resource (identity, monitoring, APIM).",
    },
    ParamDoc {
        name: "resourceGroupName",
        kind: "string",
        default: Some("`rg-aigw-{environment}-{suffix}`"),
        description: "Resource group that holds the whole stack.",
    },
    ParamDoc {
        name: "openAILocations",
        kind: "array",
        default: None,
        description: "The AI Foundry regions in priority order; see the table below.",
    },
    ParamDoc {
        name: "apimPublisherEmail",
        kind: "string",
        default: None,
        description: "API Management publisher email (receives service notifications).",
    },
    ParamDoc {
        name: "apimPublisherName",
        kind: "string",
        default: None,
        description: "API Management publisher (organisation) name.",
    },
    ParamDoc {
        name: "tags",
        kind: "object",
        default: Some("`{}`"),
        description: "Tags (string values) put on every resource that takes tags.",
    },
    ParamDoc {
        name: "tripOnServerErrors",
        kind: "bool",
        default: Some("`true`"),
        description: "A pool member's circuit breaker trips on a 500–599 answer as well as on a 429, and the policies fail over on both; `false` trips and fails over on 429 only (see the gateway section).",
    },
    ParamDoc {
        name: "apimName",
        kind: "string",
        default: Some("`apim-aigw-{environment}-{suffix}`"),
        description: "Override of the API Management service name (globally unique).",
    },
    ParamDoc {
        name: "identityName",
        kind: "string",
        default: Some("`id-aigw-{environment}-{suffix}`"),
        description: "Override of the user-assigned managed identity name.",
    },
    ParamDoc {
        name: "logAnalyticsWorkspaceName",
        kind: "string",
        default: Some("`log-aigw-{environment}-{suffix}`"),
        description: "Override of the Log Analytics workspace name.",
    },
    ParamDoc {
        name: "dataCollectionEndpointName",
        kind: "string",
        default: Some("`dce-aigw-{environment}-{suffix}`"),
        description: "Override of the data collection endpoint name.",
    },
    ParamDoc {
        name: "dataCollectionRuleName",
        kind: "string",
        default: Some("`dcr-aigw-{environment}-{suffix}`"),
        description: "Override of the data collection rule name.",
    },
];

pub const REGION: &[ParamDoc] = &[
    ParamDoc {
        name: "name",
        kind: "string",
        default: None,
        description: "Azure region of the account and its project, e.g. `swedencentral`.",
    },
    ParamDoc {
        name: "abbreviation",
        kind: "string",
        default: None,
        description: "Short unique code used in names, e.g. `sec`.",
    },
    ParamDoc {
        name: "priority",
        kind: "int",
        default: Some("position in `openAILocations` (1, 2, 3 …)"),
        description: "Default pool priority (0–100, lower is tried first) for this region's deployments.",
    },
    ParamDoc {
        name: "deployments",
        kind: "array",
        default: None,
        description: "Model deployments in this region (at least one); see the table below.",
    },
];

pub const DEPLOYMENT: &[ParamDoc] = &[
    ParamDoc {
        name: "deploymentName",
        kind: "string",
        default: None,
        description: "Deployment name callers use; one pool per distinct name, e.g. `gpt-5.4-mini`.",
    },
    ParamDoc {
        name: "modelName",
        kind: "string",
        default: None,
        description: "Model, e.g. `gpt-5.4-mini` (same in every region that has this deployment).",
    },
    ParamDoc {
        name: "modelVersion",
        kind: "string",
        default: None,
        description: "Model version, e.g. `2026-03-17` (same in every region that has this deployment).",
    },
    ParamDoc {
        name: "skuName",
        kind: "string",
        default: None,
        description: "Deployment type: `Standard`, `GlobalStandard`, `DataZoneStandard`, `ProvisionedManaged`, `GlobalProvisionedManaged`, `DataZoneProvisionedManaged`, `GlobalBatch`, `DataZoneBatch` or `Developer`.",
    },
    ParamDoc {
        name: "skuCapacity",
        kind: "int",
        default: None,
        description: "Capacity in the SKU's unit (thousands of tokens per minute for Standard types, PTUs for provisioned).",
    },
    ParamDoc {
        name: "priority",
        kind: "int",
        default: Some("the region's priority"),
        description: "Pool priority of this region for this deployment (0–100, distinct per deployment name).",
    },
];

/// Deployment SKU names Azure accepts (Microsoft Learn, "Deployment types": "SKU name in code").
pub const DEPLOYMENT_SKUS: &[&str] = &[
    "Standard",
    "GlobalStandard",
    "DataZoneStandard",
    "ProvisionedManaged",
    "GlobalProvisionedManaged",
    "DataZoneProvisionedManaged",
    "GlobalBatch",
    "DataZoneBatch",
    "Developer",
];

/// Whether aigw reads a top-level parameter of this name.
pub fn is_top_level(name: &str) -> bool {
    TOP_LEVEL.iter().any(|d| d.name == name)
}

pub fn names(docs: &[ParamDoc]) -> Vec<&'static str> {
    docs.iter().map(|d| d.name).collect()
}

/// A markdown table of parameters, as the README shows it.
pub fn markdown_table(docs: &[ParamDoc]) -> String {
    let mut out = String::from("| name | type | default | meaning |\n|---|---|---|---|\n");
    for doc in docs {
        let default = doc.default.unwrap_or("required");
        out.push_str(&format!(
            "| `{}` | {} | {default} | {} |\n",
            doc.name, doc.kind, doc.description
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README documents every parameter exactly as the code reads it.
    #[test]
    fn readme_parameter_tables_match_the_code() {
        let readme = include_str!("../../README.md");
        for (docs, what) in [
            (TOP_LEVEL, "top-level"),
            (REGION, "region"),
            (DEPLOYMENT, "deployment"),
        ] {
            let table = markdown_table(docs);
            assert!(
                readme.contains(&table),
                "README is missing the {what} parameter table:\n{table}"
            );
        }
    }
}
