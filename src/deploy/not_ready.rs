//! "Azure is not ready yet": errors a write meets for a while after an earlier write, declared
//! per resource kind ([`crate::kind::ResourceKind::not_ready_yet`]): a role assignment for an
//! identity Microsoft Entra ID has not replicated yet, a data collection rule whose new table
//! Azure Monitor does not accept yet. Every PUT of the engine goes through [`put_and_wait`],
//! which writes again after a pause while such an error is answered, for at most
//! `--resource-timeout`, telling the progress it waits (not an error, not a warning); past that
//! it gives up naming what it waited for and what to do.

use std::time::Duration;

use serde_json::Value;

use super::events::{Event, Observer};
use super::output_table::{self, OutputTable};
use crate::arm::error::human_secs;
use crate::arm::{ArmClient, ArmError};
use crate::kind::NotReadyYet;
use crate::plan::Operation;

/// The longest pause between two writes; pauses double up to it from the reason's first.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// What the write ended with.
pub enum Outcome {
    Written {
        body: Value,
        /// How long aigw waited, for the report.
        note: Option<String>,
    },
    Failed(ArmError),
    /// Still not ready at `--resource-timeout`.
    GaveUp {
        code: &'static str,
        message: String,
        remedy: String,
    },
}

/// One not-ready-yet error, recognised in an answer.
enum Wait {
    Principal { principal: String },
    Table(OutputTable),
}

impl Wait {
    fn recognise(reason: NotReadyYet, error: &ArmError, body: &Value) -> Option<Wait> {
        match reason {
            NotReadyYet::PrincipalNotReplicated => (error.status() == Some(400)
                && error.code() == Some(reason.code()))
            .then(|| Wait::Principal {
                principal: body
                    .pointer("/properties/principalId")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
            }),
            NotReadyYet::OutputTableNotAccepted => {
                let tables = output_table::output_tables(body);
                output_table::unavailable(error, &tables)
                    .cloned()
                    .map(Wait::Table)
            }
        }
    }

    /// Whether waiting can help. The principal of aigw's role assignments is always the
    /// identity aigw just wrote or found (its `principalId` was read from it), so it exists.
    async fn worth_it(&self, client: &ArmClient) -> Result<bool, ArmError> {
        match self {
            Wait::Principal { .. } => Ok(true),
            Wait::Table(table) => output_table::exists(client, table).await,
        }
    }

    /// The table error is documented to last minutes; the principal's usually clears sooner
    /// (aigw sends `principalType`, which is meant to shorten it).
    fn first_pause(&self) -> Duration {
        match self {
            Wait::Principal { .. } => Duration::from_secs(10),
            Wait::Table(_) => Duration::from_secs(15),
        }
    }

    /// The progress line's text while waiting.
    fn waiting(&self, pause: Duration) -> String {
        let again = human_secs(pause.as_secs());
        match self {
            Wait::Principal { principal } => format!(
                "principal {principal} is not yet known to Azure role assignments \
                 (PrincipalNotFound, usual shortly after an identity is created, while \
                 Microsoft Entra ID replicates it); trying again in {again}"
            ),
            Wait::Table(table) => format!(
                "table {} is not yet accepted as an output (InvalidOutputTable, usual for a few \
                 minutes after a table is created); trying again in {again}",
                table.name
            ),
        }
    }

    fn note(&self, waited: Duration) -> String {
        let waited = human_secs(waited.as_secs());
        match self {
            Wait::Principal { .. } => {
                format!("waited {waited} for Microsoft Entra ID to replicate the new identity")
            }
            Wait::Table(_) => {
                format!("waited {waited} for Azure Monitor to accept the new table as an output")
            }
        }
    }

    fn gave_up(
        &self,
        operation: &Operation,
        waited: Duration,
        timeout: Duration,
        error: &ArmError,
    ) -> Outcome {
        let waited = human_secs(waited.as_secs());
        let timeout = human_secs(timeout.as_secs());
        match self {
            Wait::Principal { principal } => Outcome::GaveUp {
                code: NotReadyYet::PrincipalNotReplicated.code(),
                message: format!(
                    "Azure still does not know principal {principal} for {} `{}` after {waited} \
                     of waiting (--resource-timeout {timeout}); Microsoft Entra ID may still \
                     be replicating the identity created for this stack.\n{error}",
                    operation.kind, operation.title,
                ),
                remedy: "run deploy again in a few minutes (the identity exists; the rerun \
                         continues where this one stopped), or raise --resource-timeout"
                    .into(),
            },
            Wait::Table(table) => Outcome::GaveUp {
                code: NotReadyYet::OutputTableNotAccepted.code(),
                message: format!(
                    "Azure Monitor still does not accept table {} as the output of {} `{}` \
                     after {waited} of waiting (--resource-timeout {timeout}); a new custom \
                     table usually becomes usable within a few minutes.\n{error}",
                    table.name, operation.kind, operation.name,
                ),
                remedy: format!(
                    "run deploy again in a few minutes (table {} exists; the rerun continues \
                     where this one stopped), or raise --resource-timeout",
                    table.name
                ),
            },
        }
    }
}

/// PUTs `body` and waits for the resource; while Azure answers with one of the kind's
/// not-ready-yet errors, waits and writes again (within `timeout`).
pub async fn put_and_wait(
    client: &ArmClient,
    operation: &Operation,
    body: &Value,
    timeout: Duration,
    observer: &mut dyn Observer,
) -> Outcome {
    let deadline = client.clock().deadline(timeout);
    let mut last_wait: Option<Wait> = None;
    let mut pause = None;
    let mut waited = Duration::ZERO;
    let mut checked = false;
    loop {
        let error = match client
            .put_and_wait(&operation.id, operation.api_version(), body, timeout)
            .await
        {
            Ok(written) => {
                return Outcome::Written {
                    body: written,
                    note: last_wait.map(|wait| wait.note(waited)),
                };
            }
            Err(error) => error,
        };
        let Some(wait) = operation
            .kind
            .not_ready_yet()
            .iter()
            .find_map(|reason| Wait::recognise(*reason, &error, body))
        else {
            return Outcome::Failed(error);
        };
        if !checked {
            match wait.worth_it(client).await {
                Ok(true) => checked = true,
                Ok(false) => return Outcome::Failed(error),
                Err(read) => return Outcome::Failed(read),
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return wait.gave_up(operation, waited, timeout, &error);
        }
        let this_pause = pause.unwrap_or_else(|| wait.first_pause());
        observer.on(Event::Waiting {
            operation,
            message: &wait.waiting(this_pause),
        });
        client.clock().sleep(this_pause).await;
        waited += this_pause;
        pause = Some((this_pause * 2).min(MAX_PAUSE));
        client.count_retry();
        last_wait = Some(wait);
    }
}
