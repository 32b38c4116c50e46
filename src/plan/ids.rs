//! ARM resource ids of every resource in the stack, and deterministic role-assignment names.

use uuid::Uuid;

use crate::naming::{self, Names};

/// Subscription placeholder for offline plans (no subscription given).
pub const OFFLINE_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// Namespace for name-based (v5) role assignment GUIDs. Changing it would rename every
/// assignment on the next run, so it is fixed forever.
const ROLE_ASSIGNMENT_NAMESPACE: Uuid = Uuid::from_u128(0x6b0f_4d3e_9a51_4c7e_8f1d_2a9c_3e5b_7d10);

pub struct Ids<'a> {
    subscription_id: &'a str,
    names: &'a Names,
}

impl<'a> Ids<'a> {
    pub fn new(subscription_id: &'a str, names: &'a Names) -> Self {
        Ids {
            subscription_id,
            names,
        }
    }

    pub fn subscription(&self) -> String {
        format!("/subscriptions/{}", self.subscription_id)
    }

    pub fn resource_group(&self) -> String {
        format!(
            "{}/resourceGroups/{}",
            self.subscription(),
            self.names.resource_group()
        )
    }

    fn provider(&self, namespace_and_type: &str, name: &str) -> String {
        format!(
            "{}/providers/{namespace_and_type}/{name}",
            self.resource_group()
        )
    }

    pub fn identity(&self) -> String {
        self.provider(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &self.names.identity(),
        )
    }

    pub fn workspace(&self) -> String {
        self.provider(
            "Microsoft.OperationalInsights/workspaces",
            &self.names.log_analytics_workspace(),
        )
    }

    pub fn usage_table(&self) -> String {
        format!("{}/tables/{}", self.workspace(), naming::USAGE_TABLE)
    }

    pub fn data_collection_endpoint(&self) -> String {
        self.provider(
            "Microsoft.Insights/dataCollectionEndpoints",
            &self.names.data_collection_endpoint(),
        )
    }

    pub fn data_collection_rule(&self) -> String {
        self.provider(
            "Microsoft.Insights/dataCollectionRules",
            &self.names.data_collection_rule(),
        )
    }

    pub fn account(&self, abbreviation: &str) -> String {
        self.provider(
            "Microsoft.CognitiveServices/accounts",
            &self.names.account(abbreviation),
        )
    }

    pub fn project(&self, abbreviation: &str) -> String {
        format!(
            "{}/projects/{}",
            self.account(abbreviation),
            self.names.project(abbreviation)
        )
    }

    pub fn model_deployment(&self, abbreviation: &str, deployment_name: &str) -> String {
        format!(
            "{}/deployments/{deployment_name}",
            self.account(abbreviation)
        )
    }

    pub fn api_management(&self) -> String {
        self.provider(
            "Microsoft.ApiManagement/service",
            &self.names.api_management(),
        )
    }

    pub fn api(&self, api_id: &str) -> String {
        format!("{}/apis/{api_id}", self.api_management())
    }

    pub fn api_operation(&self, api_id: &str, operation_id: &str) -> String {
        format!("{}/operations/{operation_id}", self.api(api_id))
    }

    pub fn api_policy(&self, api_id: &str) -> String {
        format!("{}/policies/policy", self.api(api_id))
    }

    pub fn backend(&self, backend_id: &str) -> String {
        format!("{}/backends/{backend_id}", self.api_management())
    }

    pub fn named_value(&self, id: &str) -> String {
        format!("{}/namedValues/{id}", self.api_management())
    }

    pub fn policy_fragment(&self, id: &str) -> String {
        format!("{}/policyFragments/{id}", self.api_management())
    }

    pub fn role_definition(&self, role: &crate::roles::Role) -> String {
        role.definition_id(self.subscription_id)
    }

    /// The assignment of `role` to the stack identity at `scope`: a name-based GUID of scope,
    /// role and principal (the identity's resource id, known before it exists), so a rerun
    /// addresses the same assignment.
    pub fn role_assignment(&self, scope: &str, role: &crate::roles::Role) -> (String, String) {
        let key = format!(
            "{}|{}|{}",
            scope.to_ascii_lowercase(),
            role.id,
            self.identity().to_ascii_lowercase()
        );
        let name = Uuid::new_v5(&ROLE_ASSIGNMENT_NAMESPACE, key.as_bytes()).to_string();
        (
            format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            name,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::NameOverrides;
    use crate::roles;

    #[test]
    fn role_assignment_names_are_stable_and_distinct() {
        let names = Names::new("acc", "x7k", NameOverrides::default());
        let ids = Ids::new("sub", &names);
        let scope = ids.project("weu");
        let (id1, name1) = ids.role_assignment(&scope, &roles::COGNITIVE_SERVICES_OPENAI_USER);
        let (_, name2) = ids.role_assignment(&scope, &roles::COGNITIVE_SERVICES_OPENAI_USER);
        let (_, other_role) = ids.role_assignment(&scope, &roles::AZURE_AI_DEVELOPER);
        let (_, other_scope) =
            ids.role_assignment(&ids.account("weu"), &roles::COGNITIVE_SERVICES_OPENAI_USER);
        assert_eq!(name1, name2);
        assert_ne!(name1, other_role);
        assert_ne!(name1, other_scope);
        assert!(id1.ends_with(&format!(
            "/providers/Microsoft.Authorization/roleAssignments/{name1}"
        )));
        assert_eq!(Uuid::parse_str(&name1).map(|u| u.get_version_num()), Ok(5));
    }

    #[test]
    fn ids_nest_under_their_parents() {
        let names = Names::new("acc", "x7k", NameOverrides::default());
        let ids = Ids::new("sub", &names);
        assert_eq!(
            ids.resource_group(),
            "/subscriptions/sub/resourceGroups/rg-aigw-acc-x7k"
        );
        assert_eq!(
            ids.project("weu"),
            "/subscriptions/sub/resourceGroups/rg-aigw-acc-x7k/providers/Microsoft.CognitiveServices/accounts/cog-aifoundry-acc-x7k-weu/projects/proj-aifoundry-acc-x7k-weu"
        );
        assert!(
            ids.api_operation("openai", "op")
                .ends_with("/service/apim-aigw-acc-x7k/apis/openai/operations/op")
        );
    }
}
