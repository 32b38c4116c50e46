//! Operation polling URLs. `operationStatuses/{id}` is an `Azure-AsyncOperation` URL: always 200
//! with a status document. `operationResults/{id}` is a `Location` URL: 202 while running, then
//! 200 with the resource (204 for a purge), or the operation's error as a 400.

use serde_json::json;

use crate::emulator::incoming::Incoming;
use crate::emulator::ops::{OpStatus, OpTarget};
use crate::emulator::reply::{Outcome, Reply};
use crate::emulator::state::Shared;
use crate::emulator::view;

fn not_found(op: &str) -> Reply {
    Reply::error(
        404,
        "OperationNotFound",
        format!("The operation '{op}' could not be found."),
    )
}

pub(super) fn status(shared: &Shared, _incoming: &Incoming, op_id: &str) -> Outcome {
    let config = &shared.config;
    let mut state = shared.state();
    state.refresh_op(op_id, true, shared.now());
    let op = state.ops.get(op_id).ok_or_else(|| not_found(op_id))?;
    let mut reply = Reply::json(200, op.status_document());
    if op.running() {
        reply = reply.header("Retry-After", config.retry_after_secs.to_string());
    }
    Ok(reply)
}

pub(super) fn result(shared: &Shared, incoming: &Incoming, op_id: &str) -> Outcome {
    let config = &shared.config;
    let mut state = shared.state();
    state.refresh_op(op_id, true, shared.now());
    let op = state.ops.get(op_id).ok_or_else(|| not_found(op_id))?;
    match op.status {
        OpStatus::InProgress => Ok(Reply::empty(202)
            .header("Location", op.result_url(&incoming.base))
            .header("Retry-After", config.retry_after_secs.to_string())),
        OpStatus::Failed | OpStatus::Canceled => {
            let (code, message) = op.failure.clone().unwrap_or_else(|| {
                (
                    "OperationCanceled".to_string(),
                    "The operation was canceled.".to_string(),
                )
            });
            Err(Reply::json(
                400,
                json!({ "error": { "code": code, "message": message } }),
            ))
        }
        OpStatus::Succeeded => match &op.target {
            OpTarget::Resource(key) => Ok(match state.resources.get(key) {
                Some(resource) => Reply::json(
                    200,
                    view::representation(resource, config, view::wants_rawxml(incoming)),
                ),
                None => Reply::empty(204),
            }),
            OpTarget::PurgeApim(_) | OpTarget::PurgeAccount(_) => Ok(Reply::empty(204)),
        },
    }
}
