//! A stored resource as GET returns it: the live `provisioningState`, secrets left out, policies
//! as APIM returns them (`policy_form`).

use serde_json::{Value, json};

use super::builder::Config;
use super::incoming::Incoming;
use super::kinds::Kind;
use super::policy_form;
use super::state::{Phase, Resource};

/// `GET ...?format=rawxml` (policies and fragments).
pub(crate) fn wants_rawxml(incoming: &Incoming) -> bool {
    incoming
        .param("format")
        .is_some_and(|f| f.eq_ignore_ascii_case("rawxml"))
}

pub(crate) fn phase_label(phase: &Phase) -> &'static str {
    match phase {
        Phase::Succeeded => "Succeeded",
        Phase::Failed => "Failed",
        Phase::Canceled => "Canceled",
        Phase::Running { state, .. } => state,
    }
}

pub(crate) fn representation(resource: &Resource, config: &Config, rawxml: bool) -> Value {
    let mut rep = resource.body.clone();
    let label = phase_label(&resource.phase);
    if resource.kind.has_provisioning_state()
        && let Some(properties) = rep.get_mut("properties").and_then(Value::as_object_mut)
    {
        properties.insert("provisioningState".into(), json!(label));
        if resource.kind == Kind::ApimService {
            let target = match resource.phase {
                Phase::Running { state, .. } => state,
                _ => "",
            };
            properties.insert("targetProvisioningState".into(), json!(target));
        }
    }
    if let Some(properties) = rep.get_mut("properties").and_then(Value::as_object_mut) {
        match resource.kind {
            // APIM never returns a secret named value's value.
            Kind::ApimNamedValue if properties.get("secret") == Some(&json!(true)) => {
                properties.remove("value");
            }
            // `format` is a write instruction APIM does not store; the value comes back in
            // APIM's layout, escaped unless the GET asks for rawxml (see `policy_form`).
            Kind::ApimPolicy | Kind::ApimPolicyFragment => {
                properties.remove("format");
                if !rawxml {
                    properties.insert("format".into(), json!("xml"));
                }
                if let Some(value) = properties.get("value").and_then(Value::as_str) {
                    let shown = policy_form::stored_value(value, rawxml, config.reformat_policies);
                    properties.insert("value".into(), json!(shown));
                }
            }
            _ => {}
        }
    }
    rep
}
