//! ARM failures with everything a user needs to act: the request, ARM's code and message, the
//! request ids support asks for, and a remedy for the codes aigw knows.

use std::fmt;

/// `{ "error": { code, message, details, additionalInfo } }` as ARM returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorBody>,
}

impl ErrorBody {
    /// Reads an ARM error document; `None` when the body is not one.
    pub fn from_json(body: &serde_json::Value) -> Option<ErrorBody> {
        let error = body.get("error").unwrap_or(body);
        let parsed: ErrorBody = serde_json::from_value(error.clone()).ok()?;
        (!parsed.code.is_empty() || !parsed.message.is_empty()).then_some(parsed)
    }

    /// Message with the details' messages appended (APIM puts the useful part there).
    pub fn full_message(&self) -> String {
        let mut out = self.message.clone();
        for detail in &self.details {
            let target = detail
                .target
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default();
            out.push_str(&format!(
                "\n  - {}{target}: {}",
                detail.code, detail.message
            ));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ArmErrorKind {
    /// ARM answered with an error status.
    #[serde(rename_all = "camelCase")]
    Status {
        status: u16,
        error: Box<ErrorBody>,
        request_id: Option<String>,
        correlation_id: Option<String>,
    },
    /// A long-running operation ended Failed or Canceled.
    #[serde(rename_all = "camelCase")]
    OperationFailed {
        status: String,
        error: Box<ErrorBody>,
        /// `x-ms-correlation-request-id` of the write that started the operation: the activity
        /// log and Azure support find the operation by it.
        #[serde(skip_serializing_if = "Option::is_none")]
        correlation_id: Option<String>,
    },
    /// The connection failed or timed out, after the retries.
    Transport { message: String },
    /// A long-running operation did not finish within the allowed time.
    #[serde(rename_all = "camelCase")]
    Timeout {
        waited_secs: u64,
        /// As for `OperationFailed`.
        #[serde(skip_serializing_if = "Option::is_none")]
        correlation_id: Option<String>,
    },
    /// ARM's answer could not be understood.
    InvalidResponse { message: String },
    /// A polling URL pointed away from the ARM endpoint (the token is never sent elsewhere).
    UntrustedUrl { url: String },
    /// No access token could be obtained (expired federation, revoked secret, CLI logged out).
    Credential { message: String },
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmError {
    pub method: String,
    /// Path and api-version, never credentials.
    pub url: String,
    #[serde(flatten)]
    pub kind: ArmErrorKind,
}

impl ArmError {
    /// Records which write started the operation that failed or timed out (the answers that
    /// end an operation come from polls, whose ids do not lead back to it).
    pub fn started_by(mut self, write: &super::ResponseHeaders) -> Self {
        if let ArmErrorKind::OperationFailed { correlation_id, .. }
        | ArmErrorKind::Timeout { correlation_id, .. } = &mut self.kind
            && correlation_id.is_none()
        {
            correlation_id.clone_from(&write.correlation_id);
        }
        self
    }

    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ArmErrorKind::Status { error, .. } | ArmErrorKind::OperationFailed { error, .. } => {
                Some(&error.code)
            }
            _ => None,
        }
    }

    /// The token was missing or refused: exit code 3, not a deployment failure.
    pub fn is_authentication(&self) -> bool {
        matches!(self.kind, ArmErrorKind::Credential { .. }) || self.status() == Some(401)
    }

    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            ArmErrorKind::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What to do about it, for the codes aigw knows.
    pub fn remedy(&self) -> Option<String> {
        if let ArmErrorKind::Timeout { .. } = self.kind {
            return Some(
                "Azure may still finish the operation; raise --resource-timeout or run deploy again later to converge".into(),
            );
        }
        if let ArmErrorKind::Credential { .. } = self.kind {
            return Some("the credential stopped producing tokens: check the federated credential, secret or CLI login, then run deploy again".into());
        }
        if let ArmErrorKind::Transport { .. } = self.kind {
            return Some("check the network path to Azure Resource Manager (--arm-endpoint) and run deploy again".into());
        }
        let code = self.code()?;
        Some(
            match code {
                "RequestConflict" | "Conflict" | "AnotherOperationInProgress" => {
                    "another operation was running on this resource or its parent; wait for it to finish and run deploy again"
                }
                "PrincipalNotFound" => {
                    "the new managed identity has not replicated in Microsoft Entra ID yet; run deploy again in a few minutes"
                }
                "RoleAssignmentExists" => "the role is already assigned; this is not an error and a rerun treats it as unchanged",
                "ServiceAlreadyExistsInSoftDeletedState" => {
                    "an API Management service with this name was deleted in the last 48 h: purge it (rerun with --purge-soft-deleted, or `az apim deletedservice purge`) or choose another apimName"
                }
                "FlagMustBeSetForRestore" => {
                    "an AI Foundry account with this name is soft-deleted: purge it (rerun with --purge-soft-deleted, or `az cognitiveservices account purge`) or change suffix"
                }
                "InsufficientQuota" | "QuotaExceeded" => {
                    "the subscription lacks model quota in this region: lower skuCapacity, pick another region or SKU, or request more quota"
                }
                "InvalidApiVersionParameter" | "NoRegisteredProviderFound" => {
                    "this cloud or region does not offer the api-version aigw uses; check --arm-endpoint and the region"
                }
                "AuthorizationFailed" | "LinkedAuthorizationFailed" => {
                    "the deploying identity lacks permission: grant it Owner, or Contributor plus User Access Administrator (for role assignments), on the subscription or resource group"
                }
                "InvalidAuthenticationToken" | "AuthenticationFailed" | "ExpiredAuthenticationToken" => {
                    "the access token was rejected: check the tenant, the credentials and the subscription"
                }
                "SubscriptionNotFound" => "check --subscription-id and that the identity can see the subscription",
                "MissingSubscriptionRegistration" => {
                    "register the resource provider: az provider register --namespace <namespace> (aigw registers providers it needs when allowed)"
                }
                "LocationNotAvailableForResourceType" | "SkuNotAvailable" => {
                    "this region does not offer the resource or SKU; choose another region in the parameter file"
                }
                "CustomDomainInUse" | "ServiceNameNotAvailable" | "NameNotAvailable" => {
                    "the name is globally taken: change suffix (or the name override)"
                }
                "DeploymentModelNotSupported" | "InvalidResourceProperties" | "ModelNotAvailable" => {
                    "the model, version or SKU is not available in this region: check the model availability table and the parameter file"
                }
                _ => return None,
            }
            .to_string(),
        )
    }

    /// One line: what failed and ARM's code.
    pub fn short(&self) -> String {
        match &self.kind {
            ArmErrorKind::Status { status, error, .. } => {
                format!(
                    "{} {} → {status} {}: {}",
                    self.method,
                    self.url,
                    error.code,
                    first_line(&error.message)
                )
            }
            ArmErrorKind::OperationFailed { status, error, .. } => {
                format!(
                    "{} {}: operation {status}: {} {}",
                    self.method,
                    self.url,
                    error.code,
                    first_line(&error.message)
                )
            }
            ArmErrorKind::Transport { message } => {
                format!("{} {}: {message}", self.method, self.url)
            }
            ArmErrorKind::Timeout { waited_secs, .. } => {
                format!(
                    "{} {}: not finished after {}",
                    self.method,
                    self.url,
                    human_secs(*waited_secs)
                )
            }
            ArmErrorKind::InvalidResponse { message } => {
                format!("{} {}: unexpected answer: {message}", self.method, self.url)
            }
            ArmErrorKind::Credential { message } => {
                format!("{} {}: no access token: {message}", self.method, self.url)
            }
            ArmErrorKind::UntrustedUrl { url } => {
                format!(
                    "{} {}: refused to follow polling URL {url} (not the ARM endpoint)",
                    self.method, self.url
                )
            }
        }
    }
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())?;
        let (error, request_id, correlation_id) = match &self.kind {
            ArmErrorKind::Status {
                error,
                request_id,
                correlation_id,
                ..
            } => (Some(error), request_id, correlation_id),
            ArmErrorKind::OperationFailed {
                error,
                correlation_id,
                ..
            } => (Some(error), &None, correlation_id),
            ArmErrorKind::Timeout { correlation_id, .. } => (None, &None, correlation_id),
            _ => (None, &None, &None),
        };
        // The first line already holds the message; the details follow it.
        if let Some(error) = error.filter(|e| !e.details.is_empty()) {
            write!(
                f,
                "{}",
                error
                    .full_message()
                    .trim_start_matches(error.message.as_str())
            )?;
        }
        if let Some(id) = request_id {
            write!(f, "\n  x-ms-request-id: {id}")?;
        }
        if let Some(id) = correlation_id {
            write!(f, "\n  x-ms-correlation-request-id: {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ArmError {}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// `secs` for people, the one way aigw writes durations ([`crate::duration::human`]).
pub fn human_secs(secs: u64) -> String {
    crate::duration::human(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arm_error_documents_with_details() {
        let body = serde_json::json!({"error": {"code": "ValidationError", "message": "One or more fields contain incorrect values:",
            "details": [{"code": "ValidationError", "target": "representation", "message": "Cannot find a property 'x'"}]}});
        let error = ErrorBody::from_json(&body).unwrap_or_default();
        assert_eq!(error.code, "ValidationError");
        assert!(
            error
                .full_message()
                .contains("[representation]: Cannot find a property 'x'")
        );
        assert_eq!(ErrorBody::from_json(&serde_json::json!({"value": 1})), None);
    }

    #[test]
    fn known_codes_have_remedies_and_the_rendering_keeps_request_ids() {
        let error = ArmError {
            method: "PUT".into(),
            url: "/subscriptions/s/x?api-version=1".into(),
            kind: ArmErrorKind::Status {
                status: 409,
                error: Box::new(ErrorBody {
                    code: "ServiceAlreadyExistsInSoftDeletedState".into(),
                    message: "gone".into(),
                    ..Default::default()
                }),
                request_id: Some("rid".into()),
                correlation_id: Some("cid".into()),
            },
        };
        assert!(
            error
                .remedy()
                .unwrap_or_default()
                .contains("--purge-soft-deleted")
        );
        let text = error.to_string();
        assert!(
            text.contains("409 ServiceAlreadyExistsInSoftDeletedState: gone"),
            "{text}"
        );
        assert!(
            text.contains("x-ms-request-id: rid")
                && text.contains("x-ms-correlation-request-id: cid"),
            "{text}"
        );
    }
}
