//! Values the server adds to a resource: read-only properties (principal ids, endpoints,
//! immutable ids) that stay the same across updates, and defaults a client never sent
//! (`systemData`, `networkAcls`, backend `tls`, table retention) so a client that compares only
//! the fields it owns is exercised.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::armpath::ArmPath;
use super::builder::Config;
use super::kinds::Kind;
use super::state::State;
use super::timefmt;

pub(crate) struct Ctx<'a> {
    pub state: &'a State,
    pub config: &'a Config,
    pub path: &'a ArmPath,
    pub id: &'a str,
    pub name: &'a str,
    /// The resource's location, or its nearest ancestor's.
    pub location: Option<&'a str>,
}

type Obj = Map<String, Value>;

fn guid(stable: &mut Obj, key: &str) -> String {
    stable
        .entry(key)
        .or_insert_with(|| json!(uuid::Uuid::new_v4().to_string()))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn random_chars(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

fn stable_random(stable: &mut Obj, key: &str, len: usize, alphabet: &[u8]) -> String {
    stable
        .entry(key)
        .or_insert_with(|| json!(random_chars(len, alphabet)))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn stable_time(stable: &mut Obj, key: &str) -> String {
    stable
        .entry(key)
        .or_insert_with(|| json!(timefmt::now()))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The object under `key`, created (or replacing a non-object value).
fn object<'m>(map: &'m mut Obj, key: &str) -> &'m mut Obj {
    let slot = map.entry(key).or_insert(Value::Null);
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(inner) => inner,
        _ => unreachable!("the slot was made an object above"),
    }
}

fn default(map: &mut Obj, key: &str, value: Value) {
    map.entry(key).or_insert(value);
}

/// Adds computed and default values to a resource representation in place.
pub(crate) fn decorate(kind: Kind, ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    match kind {
        Kind::ResourceGroup => {
            object(rep, "properties");
        }
        Kind::Identity => identity(ctx, rep, stable),
        Kind::Workspace => workspace(rep, stable),
        Kind::Table => table(rep),
        Kind::DataCollectionEndpoint => dce(ctx, rep, stable),
        Kind::DataCollectionRule => {
            let immutable = format!("dcr-{}", stable_random(stable, "immutableId", 32, HEX));
            object(rep, "properties").insert("immutableId".into(), json!(immutable));
        }
        Kind::Account => account(ctx, rep, stable),
        Kind::Project => project(ctx, rep, stable),
        Kind::Deployment => deployment(rep),
        Kind::ApimService => apim_service(ctx, rep, stable),
        Kind::ApimApi => apim_api(rep),
        Kind::ApimOperation => {
            let properties = object(rep, "properties");
            default(properties, "templateParameters", json!([]));
            default(properties, "responses", json!([]));
            default(properties, "policies", Value::Null);
        }
        Kind::ApimBackend => {
            let properties = object(rep, "properties");
            let pool = properties.get("type").and_then(Value::as_str) == Some("Pool");
            if !pool {
                default(
                    properties,
                    "tls",
                    json!({ "validateCertificateChain": true, "validateCertificateName": true }),
                );
            }
        }
        Kind::ApimNamedValue => {
            let properties = object(rep, "properties");
            default(properties, "secret", json!(false));
            default(properties, "tags", json!([]));
        }
        Kind::ApimPolicyFragment | Kind::ApimPolicy | Kind::RoleAssignment | Kind::Other => {}
    }
    if kind.has_provisioning_state() {
        object(rep, "properties");
    }
    system_identity(ctx, rep, stable);
    if matches!(
        kind,
        Kind::Identity
            | Kind::Workspace
            | Kind::DataCollectionEndpoint
            | Kind::DataCollectionRule
            | Kind::Account
            | Kind::Project
            | Kind::Deployment
            | Kind::ApimService
    ) {
        system_data(rep, stable);
    }
}

fn system_data(rep: &mut Obj, stable: &mut Obj) {
    let created = stable_time(stable, "createdAt");
    rep.insert(
        "systemData".into(),
        json!({
            "createdBy": "aigw-emulator",
            "createdByType": "Application",
            "createdAt": created,
            "lastModifiedBy": "aigw-emulator",
            "lastModifiedByType": "Application",
            "lastModifiedAt": timefmt::now()
        }),
    );
}

/// `identity.type` with SystemAssigned gets `principalId`/`tenantId`; user-assigned identity
/// keys come back with `resourcegroups` in lower case (ARM does this: compare ids ignoring case)
/// and their `principalId`/`clientId` filled in.
fn system_identity(ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    let Some(identity) = rep.get_mut("identity").and_then(Value::as_object_mut) else {
        return;
    };
    let kind = identity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind.contains("systemassigned") {
        identity.insert(
            "principalId".into(),
            json!(guid(stable, "systemPrincipalId")),
        );
        identity.insert("tenantId".into(), json!(ctx.config.tenant_id));
    }
    let Some(assigned) = identity
        .get("userAssignedIdentities")
        .and_then(Value::as_object)
    else {
        return;
    };
    let mut rewritten = Map::new();
    for key in assigned.keys() {
        let found = ctx.state.resources.get(&super::armpath::key(key));
        let principal = found
            .and_then(|r| r.body.pointer("/properties/principalId"))
            .cloned()
            .unwrap_or(Value::Null);
        let client = found
            .and_then(|r| r.body.pointer("/properties/clientId"))
            .cloned()
            .unwrap_or(Value::Null);
        rewritten.insert(
            lower_resource_groups(key),
            json!({ "principalId": principal, "clientId": client }),
        );
    }
    identity.insert("userAssignedIdentities".into(), Value::Object(rewritten));
}

/// `/resourceGroups/` → `/resourcegroups/`, the casing ARM uses in identity keys.
fn lower_resource_groups(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    match lower.find("/resourcegroups/") {
        Some(at) => format!("{}/resourcegroups/{}", &id[..at], &id[at + 16..]),
        None => id.to_string(),
    }
}

fn identity(ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    let principal = guid(stable, "principalId");
    let client = guid(stable, "clientId");
    let properties = object(rep, "properties");
    properties.insert("tenantId".into(), json!(ctx.config.tenant_id));
    properties.insert("principalId".into(), json!(principal));
    properties.insert("clientId".into(), json!(client));
    default(properties, "isolationScope", json!("None"));
}

fn workspace(rep: &mut Obj, stable: &mut Obj) {
    let customer = guid(stable, "customerId");
    let created = stable_time(stable, "createdDate");
    let properties = object(rep, "properties");
    properties.insert("customerId".into(), json!(customer));
    properties.insert("createdDate".into(), json!(created));
    properties.insert("modifiedDate".into(), json!(timefmt::now()));
    default(properties, "retentionInDays", json!(30));
    default(
        properties,
        "features",
        json!({ "legacy": 0, "searchVersion": 1, "enableLogAccessUsingOnlyResourcePermissions": true }),
    );
    default(
        properties,
        "workspaceCapping",
        json!({ "dailyQuotaGb": -1.0, "dataIngestionStatus": "RespectQuota" }),
    );
    default(
        properties,
        "publicNetworkAccessForIngestion",
        json!("Enabled"),
    );
    default(properties, "publicNetworkAccessForQuery", json!("Enabled"));
    if let Some(sku) = properties.get_mut("sku").and_then(Value::as_object_mut) {
        sku.insert("lastSkuUpdate".into(), json!(created));
    }
}

/// Log Analytics adds retention defaults, the table type and per-column flags.
fn table(rep: &mut Obj) {
    let properties = object(rep, "properties");
    default(properties, "plan", json!("Analytics"));
    let retention = properties
        .get("retentionInDays")
        .cloned()
        .unwrap_or(json!(30));
    properties.insert(
        "retentionInDaysAsDefault".into(),
        json!(!properties.contains_key("retentionInDays")),
    );
    properties.insert(
        "totalRetentionInDaysAsDefault".into(),
        json!(!properties.contains_key("totalRetentionInDays")),
    );
    default(properties, "retentionInDays", retention.clone());
    default(properties, "totalRetentionInDays", retention);
    default(properties, "archiveRetentionInDays", json!(0));
    let schema = object(properties, "schema");
    default(schema, "tableType", json!("CustomLog"));
    default(schema, "tableSubType", json!("DataCollectionRuleBased"));
    default(schema, "solutions", json!(["LogManagement"]));
    default(
        schema,
        "standardColumns",
        json!([{ "name": "TenantId", "type": "guid", "isDefaultDisplay": false, "isHidden": false }]),
    );
    if let Some(columns) = schema.get_mut("columns").and_then(Value::as_array_mut) {
        for column in columns.iter_mut().filter_map(Value::as_object_mut) {
            default(column, "isDefaultDisplay", json!(false));
            default(column, "isHidden", json!(false));
        }
    }
}

fn dce(ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    let suffix = stable_random(stable, "hostSuffix", 4, ALNUM);
    let immutable = format!("dce-{}", stable_random(stable, "immutableId", 32, HEX));
    let region = ctx.location.map(normalize_location).unwrap_or_default();
    let host = format!("{}-{suffix}.{region}-1", ctx.name.to_lowercase());
    let properties = object(rep, "properties");
    properties.insert("immutableId".into(), json!(immutable));
    properties.insert(
        "logsIngestion".into(),
        json!({ "endpoint": format!("https://{host}.ingest.monitor.azure.com") }),
    );
    properties.insert(
        "configurationAccess".into(),
        json!({ "endpoint": format!("https://{host}.handler.control.monitor.azure.com") }),
    );
    properties.insert(
        "metricsIngestion".into(),
        json!({ "endpoint": format!("https://{host}.metrics.ingest.monitor.azure.com") }),
    );
    default(
        properties,
        "networkAcls",
        json!({ "publicNetworkAccess": "Enabled" }),
    );
}

/// `westeurope` from `West Europe`.
pub(crate) fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

fn subdomain(body: &Obj) -> Option<String> {
    body.get("properties")
        .and_then(|p| p.get("customSubDomainName"))
        .and_then(Value::as_str)
        .map(str::to_lowercase)
}

fn account(ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    let internal = stable_random(stable, "internalId", 32, HEX);
    let created = stable_time(stable, "dateCreated");
    let region = ctx.location.map(normalize_location).unwrap_or_default();
    let sub = subdomain(rep);
    let projects = project_names(ctx);
    let properties = object(rep, "properties");
    properties.remove("restore");
    let endpoint = match &sub {
        Some(sub) => format!("https://{sub}.cognitiveservices.azure.com/"),
        None => format!("https://{region}.api.cognitive.microsoft.com/"),
    };
    properties.insert("endpoint".into(), json!(endpoint));
    let mut endpoints = Map::new();
    if let Some(sub) = &sub {
        let openai = format!("https://{sub}.openai.azure.com/");
        let services = format!("https://{sub}.services.ai.azure.com/");
        endpoints.insert("AI Foundry API".into(), json!(services));
        endpoints.insert("Azure AI Model Inference API".into(), json!(services));
        endpoints.insert("OpenAI Language Model Instance API".into(), json!(openai));
        endpoints.insert("OpenAI Dall-E API".into(), json!(openai));
        endpoints.insert("Content Safety".into(), json!(endpoint));
    }
    properties.insert("endpoints".into(), Value::Object(endpoints));
    properties.insert("internalId".into(), json!(internal));
    properties.insert("dateCreated".into(), json!(created));
    properties.insert("isMigrated".into(), json!(false));
    properties.insert(
        "capabilities".into(),
        json!([{ "name": "VirtualNetworks" }, { "name": "CustomerManagedKey" }]),
    );
    default(
        properties,
        "networkAcls",
        json!({ "defaultAction": "Allow", "virtualNetworkRules": [], "ipRules": [] }),
    );
    if !projects.is_empty() {
        properties.insert("associatedProjects".into(), json!(projects));
        default(properties, "defaultProject", json!(projects[0]));
    }
}

/// Names of the projects that exist under the account being written.
fn project_names(ctx: &Ctx<'_>) -> Vec<String> {
    let prefix = format!("{}/projects/", super::armpath::key(ctx.id));
    ctx.state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k[prefix.len()..].contains('/'))
        .filter_map(|(_, r)| r.body.get("name").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

fn project(ctx: &Ctx<'_>, rep: &mut Obj, _stable: &mut Obj) {
    let account = ctx
        .path
        .parent()
        .and_then(|p| ctx.state.resources.get(&p.key()));
    let sub = account
        .and_then(|a| a.body.as_object())
        .and_then(subdomain)
        .unwrap_or_else(|| {
            ctx.path
                .parent()
                .and_then(|p| p.name().map(str::to_lowercase))
                .unwrap_or_default()
        });
    let is_default = account
        .and_then(|a| a.body.pointer("/properties/defaultProject"))
        .and_then(Value::as_str)
        .is_none_or(|d| d.eq_ignore_ascii_case(ctx.name));
    let properties = object(rep, "properties");
    properties.insert(
        "endpoints".into(),
        json!({
            "AI Foundry API": format!("https://{sub}.services.ai.azure.com/api/projects/{}", ctx.name),
        }),
    );
    properties.insert("isDefault".into(), json!(is_default));
}

fn deployment(rep: &mut Obj) {
    let capacity = rep
        .get("sku")
        .and_then(|s| s.get("capacity"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let properties = object(rep, "properties");
    properties.insert("currentCapacity".into(), json!(capacity));
    default(
        properties,
        "versionUpgradeOption",
        json!("OnceNewDefaultVersionAvailable"),
    );
    default(properties, "raiPolicyName", json!("Microsoft.DefaultV2"));
    properties.insert(
        "capabilities".into(),
        json!({ "chatCompletion": "true", "assistants": "true", "responses": "true" }),
    );
    properties.insert(
        "rateLimits".into(),
        json!([
            { "key": "request", "renewalPeriod": 10, "count": capacity.saturating_mul(10) },
            { "key": "token", "renewalPeriod": 60, "count": capacity.saturating_mul(1000) }
        ]),
    );
}

fn apim_service(ctx: &Ctx<'_>, rep: &mut Obj, stable: &mut Obj) {
    let created = stable_time(stable, "createdAtUtc");
    let host = format!("{}.azure-api.net", ctx.name.to_lowercase());
    let properties = object(rep, "properties");
    properties.remove("restore");
    properties.insert("gatewayUrl".into(), json!(format!("https://{host}")));
    properties.insert(
        "developerPortalUrl".into(),
        json!(format!(
            "https://{}.developer.azure-api.net",
            ctx.name.to_lowercase()
        )),
    );
    properties.insert("createdAtUtc".into(), json!(created));
    default(
        properties,
        "hostnameConfigurations",
        json!([{
            "type": "Proxy", "hostName": host, "negotiateClientCertificate": false,
            "defaultSslBinding": true, "certificateSource": "BuiltIn"
        }]),
    );
    default(properties, "virtualNetworkType", json!("None"));
    default(properties, "publicNetworkAccess", json!("Enabled"));
    default(properties, "disableGateway", json!(false));
    default(properties, "natGatewayState", json!("Disabled"));
    default(properties, "developerPortalStatus", json!("Enabled"));
    default(
        properties,
        "notificationSenderEmail",
        json!("apimgmt-noreply@mail.windowsazure.com"),
    );
    default(properties, "customProperties", json!({}));
    rep.insert(
        "etag".into(),
        json!(format!("AAAAAA{}=", random_chars(6, ALNUM))),
    );
}

fn apim_api(rep: &mut Obj) {
    let properties = object(rep, "properties");
    properties.insert("isCurrent".into(), json!(true));
    default(properties, "apiRevision", json!("1"));
    default(properties, "subscriptionRequired", json!(true));
    default(
        properties,
        "subscriptionKeyParameterNames",
        json!({ "header": "Ocp-Apim-Subscription-Key", "query": "subscription-key" }),
    );
    default(
        properties,
        "authenticationSettings",
        json!({ "oAuth2AuthenticationSettings": [], "openidAuthenticationSettings": [] }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keys_use_lower_case_resourcegroups() {
        assert_eq!(
            lower_resource_groups(
                "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Id"
            ),
            "/subscriptions/S/resourcegroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Id"
        );
        assert_eq!(normalize_location("West Europe"), "westeurope");
    }
}
