//! Built-in Azure role definitions aigw assigns to the gateway's identity.
//!
//! GUIDs from Microsoft Learn "Azure built-in roles".

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Role {
    pub name: &'static str,
    pub id: &'static str,
}

/// Inference (chat completions, embeddings) with Entra ID, at account or project scope.
pub const COGNITIVE_SERVICES_OPENAI_USER: Role = Role {
    name: "Cognitive Services OpenAI User",
    id: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
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
