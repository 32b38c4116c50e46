//! Stages 3, 4 and 6: AI Foundry accounts and projects per region, the identity's role
//! assignments, and the model deployments.

use serde_json::json;

use super::{Context, DeferredRef, Operation};
use crate::kind::ResourceKind;
use crate::roles::{self, Role};

pub(super) fn accounts_and_projects(ctx: &Context<'_>) -> Vec<Operation> {
    let names = &ctx.spec.names;
    let mut operations = Vec::new();
    for region in &ctx.spec.regions {
        let account = names.account(&region.abbreviation);
        operations.push(
            Operation::new(
                ctx.ids.account(&region.abbreviation),
                ResourceKind::FoundryAccount,
                &account,
                ctx.with_tags(json!({
                    "location": region.name,
                    "kind": "AIServices",
                    "sku": { "name": "S0" },
                    // Projects need the account's own identity (every Microsoft sample sets it).
                    "identity": { "type": "SystemAssigned" },
                    "properties": {
                        // Entra ID authentication needs a custom subdomain; it is also the
                        // host name the backends call (https://{account}.openai.azure.com).
                        "customSubDomainName": account,
                        "allowProjectManagement": true,
                        "disableLocalAuth": true,
                        "publicNetworkAccess": "Enabled"
                    }
                })),
            )
            .located(&region.name)
            .provides([DeferredRef::AccountEndpoint(region.abbreviation.clone())])
            .setting("kind", "AIServices, sku S0")
            .setting("custom subdomain", account.clone())
            .setting("local auth", "disabled (Entra ID only)"),
        );
        operations.push(
            Operation::new(
                ctx.ids.project(&region.abbreviation),
                ResourceKind::FoundryProject,
                names.project(&region.abbreviation),
                ctx.with_tags(json!({
                    "location": region.name,
                    "identity": { "type": "SystemAssigned" },
                    "properties": {}
                })),
            )
            .located(&region.name)
            .provides([DeferredRef::ProjectEndpoint(region.abbreviation.clone())])
            .setting("account", account),
        );
    }
    operations
}

pub(super) fn role_assignments(ctx: &Context<'_>) -> Vec<Operation> {
    let names = &ctx.spec.names;
    let mut operations = Vec::new();
    for region in &ctx.spec.regions {
        let project = ctx.ids.project(&region.abbreviation);
        let account = ctx.ids.account(&region.abbreviation);
        // As planned: two roles at project scope. Inference calls go to the account endpoint,
        // so only account-scope grants decide whether a forwarded call is allowed: the OpenAI
        // User role there too, and Foundry User, whose data actions cover every operation the
        // gateway forwards (README, "Role assignments beyond the plan").
        operations.push(assignment(
            ctx,
            &project,
            &names.project(&region.abbreviation),
            &roles::COGNITIVE_SERVICES_OPENAI_USER,
        ));
        operations.push(assignment(
            ctx,
            &project,
            &names.project(&region.abbreviation),
            &roles::AZURE_AI_DEVELOPER,
        ));
        operations.push(assignment(
            ctx,
            &account,
            &names.account(&region.abbreviation),
            &roles::COGNITIVE_SERVICES_OPENAI_USER,
        ));
        operations.push(assignment(
            ctx,
            &account,
            &names.account(&region.abbreviation),
            &roles::FOUNDRY_USER,
        ));
    }
    // As planned on the DCE; the Logs Ingestion API checks the permission on the DCR.
    operations.push(assignment(
        ctx,
        &ctx.ids.data_collection_endpoint(),
        &names.data_collection_endpoint(),
        &roles::MONITORING_METRICS_PUBLISHER,
    ));
    operations.push(assignment(
        ctx,
        &ctx.ids.data_collection_rule(),
        &names.data_collection_rule(),
        &roles::MONITORING_METRICS_PUBLISHER,
    ));
    operations
}

fn assignment(ctx: &Context<'_>, scope: &str, scope_name: &str, role: &Role) -> Operation {
    let (id, name) = ctx.ids.role_assignment(scope, role);
    Operation::new(
        id,
        ResourceKind::RoleAssignment,
        name,
        json!({
            "properties": {
                "roleDefinitionId": ctx.ids.role_definition(role),
                "principalId": DeferredRef::IdentityPrincipalId.placeholder(),
                // Without it ARM looks the principal up in Graph first and fails with
                // PrincipalNotFound while a new identity is still replicating.
                "principalType": "ServicePrincipal"
            }
        }),
    )
    .titled(format!(
        "{} for {} on {scope_name}",
        role.name,
        ctx.spec.names.identity()
    ))
    .setting("role", role.name)
    .setting("scope", scope_name)
    .setting("principal", ctx.spec.names.identity())
}

pub(super) fn model_deployments(ctx: &Context<'_>) -> Vec<Operation> {
    let mut operations = Vec::new();
    for region in &ctx.spec.regions {
        for deployment in &region.deployments {
            operations.push(
                Operation::new(
                    ctx.ids
                        .model_deployment(&region.abbreviation, &deployment.name),
                    ResourceKind::ModelDeployment,
                    &deployment.name,
                    json!({
                        "sku": { "name": deployment.sku_name, "capacity": deployment.sku_capacity },
                        "properties": {
                            "model": {
                                "format": "OpenAI",
                                "name": deployment.model_name,
                                "version": deployment.model_version
                            },
                            // Azure's default (OnceNewDefaultVersionAvailable) would move the
                            // pinned modelVersion, and the next run would move it back. Upgrade
                            // only when the pinned version is retired.
                            "versionUpgradeOption": "OnceCurrentVersionExpired"
                        }
                    }),
                )
                .titled(format!("{} in {}", deployment.name, region.name))
                .setting("account", ctx.spec.names.account(&region.abbreviation))
                .setting(
                    "model",
                    format!("{} {}", deployment.model_name, deployment.model_version),
                )
                .setting(
                    "sku",
                    format!("{} × {}", deployment.sku_name, deployment.sku_capacity),
                ),
            );
        }
    }
    operations
}
