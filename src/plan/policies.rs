//! Stage 10: the policy fragments, then the two API policies, attached by aigw (no manual step).
//! Both are `rawxml`: C# policy expressions stay unescaped, as in the files.

use serde_json::json;

use super::{Context, DeferredRef, Operation};
use crate::kind::ResourceKind;
use crate::policy::{PolicyFile, PolicyKind, deploy_order};

pub(super) fn policies(ctx: &Context<'_>, files: &[PolicyFile]) -> Vec<Operation> {
    deploy_order(files)
        .into_iter()
        .map(|file| match &file.kind {
            PolicyKind::Fragment { id } => Operation::new(
                ctx.ids.policy_fragment(id),
                ResourceKind::PolicyFragment,
                id,
                json!({
                    "properties": {
                        "format": "rawxml",
                        "value": file.text,
                        "description": "managed by aigw"
                    }
                }),
            )
            .with_source_file(&file.path)
            .setting("file", file.path.clone()),
            PolicyKind::Api { api_id } => Operation::new(
                ctx.ids.api_policy(api_id),
                ResourceKind::ApiPolicy,
                format!("{api_id}/policy"),
                json!({ "properties": { "format": "rawxml", "value": file.text } }),
            )
            .with_source_file(&file.path)
            .provides([DeferredRef::PolicyAttached(api_id.clone())])
            .setting("api", api_id.clone())
            .setting("file", file.path.clone()),
        })
        .collect()
}
