//! Built-in Azure role definitions aigw assigns to the gateway's identity.
//!
//! GUIDs from Microsoft Learn "Azure built-in roles".

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Role {
    pub name: &'static str,
    pub id: &'static str,
}

/// Inference with Entra ID, at account or project scope. Its data actions are an enumerated list
/// of Azure OpenAI operations (Learn, "Azure built-in roles for AI + machine learning"), which is
/// why the account also gets [`FOUNDRY_USER`].
pub const COGNITIVE_SERVICES_OPENAI_USER: Role = Role {
    name: "Cognitive Services OpenAI User",
    id: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
};

/// Every data action of an AI Foundry account (`dataActions: ["Microsoft.CognitiveServices/*"]`),
/// so every call the gateway forwards is allowed, the v1 Responses API and operations newer than
/// the enumerated list of Cognitive Services OpenAI User included. Named "Azure AI User" until
/// 2026; the id did not change. Role definition: Microsoft Learn, "Role-based access control for
/// Microsoft Foundry" (https://learn.microsoft.com/azure/foundry/concepts/rbac-foundry).
pub const FOUNDRY_USER: Role = Role {
    name: "Foundry User",
    id: "53ca6127-db72-4b80-b1b0-d745d6d5456d",
};

/// Project-level developer access, as the original plan asks for.
pub const AZURE_AI_DEVELOPER: Role = Role {
    name: "Azure AI Developer",
    id: "64702f94-c441-49e6-a78b-ef80e0188fee",
};

/// Sending rows through the Logs Ingestion API (checked on the DCR; granted on the DCE as planned).
pub const MONITORING_METRICS_PUBLISHER: Role = Role {
    name: "Monitoring Metrics Publisher",
    id: "3913510d-42f4-4e42-8a64-420c390055eb",
};

impl Role {
    /// The subscription-scoped role definition id ARM expects in `roleDefinitionId`.
    pub fn definition_id(&self, subscription_id: &str) -> String {
        format!(
            "/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{}",
            self.id
        )
    }
}
