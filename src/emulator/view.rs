//! A stored resource as GET returns it: the live `provisioningState`, secrets left out, policies
//! in the requested format and (like APIM) reformatted.

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::builder::Config;
use super::incoming::Incoming;
use super::kinds::Kind;
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
            Kind::ApimPolicy | Kind::ApimPolicyFragment => {
                let format = if rawxml { "rawxml" } else { "xml" };
                properties.insert("format".into(), json!(format));
                if config.reformat_policies
                    && let Some(value) = properties.get("value").and_then(Value::as_str)
                {
                    let reformatted = reformat(value);
                    properties.insert("value".into(), json!(reformatted));
                }
            }
            _ => {}
        }
    }
    rep
}

/// An approximation of how APIM stores policy XML: CRLF line ends and a space before `/>`.
pub(crate) fn reformat(xml: &str) -> String {
    static SELF_CLOSING: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let crlf = xml.replace("\r\n", "\n").replace('\n', "\r\n");
    match SELF_CLOSING.get_or_init(|| regex::Regex::new(r"([^\s/])/>").ok()) {
        Some(regex) => regex.replace_all(&crlf, "$1 />").into_owned(),
        None => crlf,
    }
}

#[cfg(test)]
mod tests {
    use super::reformat;

    #[test]
    fn reformats_like_apim() {
        assert_eq!(
            reformat("<policies>\n\t<base/>\r\n\t<x a=\"1\" />\n</policies>"),
            "<policies>\r\n\t<base />\r\n\t<x a=\"1\" />\r\n</policies>"
        );
    }
}
