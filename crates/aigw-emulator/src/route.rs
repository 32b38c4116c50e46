//! Which endpoint a path addresses: subscription, provider, operation polling, soft-deleted
//! services and accounts, role-assignment lists, or a resource.

use super::armpath::ArmPath;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Subscription(ArmPath),
    Provider(ArmPath),
    ProviderRegister(ArmPath),
    OperationStatus {
        path: ArmPath,
        op: String,
    },
    OperationResult {
        path: ArmPath,
        op: String,
    },
    DeletedServices(ArmPath),
    DeletedService {
        path: ArmPath,
        location: String,
        name: String,
    },
    DeletedAccounts(ArmPath),
    DeletedAccount {
        path: ArmPath,
        location: String,
        resource_group: String,
        name: String,
    },
    /// `GET {scope}/providers/Microsoft.Authorization/roleAssignments`.
    RoleAssignments {
        scope: ArmPath,
    },
    Resource(ArmPath),
    Unknown,
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let Some(arm) = ArmPath::parse(path) else {
            return Route::Unknown;
        };
        if arm.is_subscription() {
            return Route::Subscription(arm);
        }
        let types = arm.lower_types();
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        if arm.namespace_is("Microsoft.Authorization")
            && types == ["roleassignments"]
            && arm.trailing.is_some()
            && let Some(scope) = arm.parent()
        {
            return Route::RoleAssignments { scope };
        }
        if arm.resource_group.is_none() && arm.blocks.len() == 1 {
            let name = |t: &str| arm.name_of(t).map(str::to_string).unwrap_or_default();
            let location = name("locations");
            let apim = arm.namespace_is("Microsoft.ApiManagement");
            let cognitive = arm.namespace_is("Microsoft.CognitiveServices");
            match types.as_slice() {
                [] => return Route::Provider(arm),
                ["register"] => return Route::ProviderRegister(arm),
                ["locations", "operationstatuses"] => {
                    let op = name("operationStatuses");
                    return Route::OperationStatus { path: arm, op };
                }
                ["locations", "operationresults"] => {
                    let op = name("operationResults");
                    return Route::OperationResult { path: arm, op };
                }
                ["deletedservices"] if apim && arm.trailing.is_some() => {
                    return Route::DeletedServices(arm);
                }
                ["locations", "deletedservices"] if apim => {
                    let name = name("deletedservices");
                    return Route::DeletedService {
                        path: arm,
                        location,
                        name,
                    };
                }
                ["deletedaccounts"] if cognitive && arm.trailing.is_some() => {
                    return Route::DeletedAccounts(arm);
                }
                ["locations", "resourcegroups", "deletedaccounts"] if cognitive => {
                    let resource_group = name("resourceGroups");
                    let name = name("deletedAccounts");
                    return Route::DeletedAccount {
                        path: arm,
                        location,
                        resource_group,
                        name,
                    };
                }
                _ => {}
            }
        }
        if arm.is_resource() {
            Route::Resource(arm)
        } else {
            Route::Unknown
        }
    }

    /// The parsed path, when there is one.
    pub fn arm_path(&self) -> Option<&ArmPath> {
        match self {
            Route::Subscription(p)
            | Route::Provider(p)
            | Route::ProviderRegister(p)
            | Route::DeletedServices(p)
            | Route::DeletedAccounts(p)
            | Route::Resource(p)
            | Route::RoleAssignments { scope: p } => Some(p),
            Route::OperationStatus { path, .. }
            | Route::OperationResult { path, .. }
            | Route::DeletedService { path, .. }
            | Route::DeletedAccount { path, .. } => Some(path),
            Route::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_special_paths_before_resources() {
        let sub = "/subscriptions/s";
        assert!(matches!(Route::parse(sub), Route::Subscription(_)));
        assert!(matches!(
            Route::parse(&format!("{sub}/providers/Microsoft.Foo")),
            Route::Provider(_)
        ));
        assert!(matches!(
            Route::parse(&format!("{sub}/providers/Microsoft.Foo/register")),
            Route::ProviderRegister(_)
        ));
        assert_eq!(
            Route::parse(&format!(
                "{sub}/providers/Microsoft.X/locations/weu/operationStatuses/abc"
            ))
            .arm_path()
            .map(|p| p.subscription.as_str()),
            Some("s")
        );
        assert!(matches!(
            Route::parse(&format!(
                "{sub}/providers/Microsoft.ApiManagement/deletedservices"
            )),
            Route::DeletedServices(_)
        ));
        assert!(matches!(
            Route::parse(&format!(
                "{sub}/providers/Microsoft.ApiManagement/locations/westeurope/deletedservices/apim"
            )),
            Route::DeletedService { ref name, .. } if name == "apim"
        ));
        assert!(matches!(
            Route::parse(&format!(
                "{sub}/providers/Microsoft.CognitiveServices/locations/l/resourceGroups/rg/deletedAccounts/a"
            )),
            Route::DeletedAccount { ref resource_group, .. } if resource_group == "rg"
        ));
        assert!(matches!(
            Route::parse(&format!(
                "{sub}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments"
            )),
            Route::RoleAssignments { .. }
        ));
        assert!(matches!(
            Route::parse(&format!(
                "{sub}/providers/Microsoft.Authorization/roleAssignments/g"
            )),
            Route::Resource(_)
        ));
        assert!(matches!(
            Route::parse(&format!("{sub}/resourcegroups/rg")),
            Route::Resource(_)
        ));
        assert!(matches!(Route::parse("/"), Route::Unknown));
    }
}
