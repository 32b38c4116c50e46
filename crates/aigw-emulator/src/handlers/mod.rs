//! Request handlers, one file per endpoint family. Each is synchronous: it takes the state lock,
//! does its work and returns a reply plus the latency to wait before answering (never awaiting
//! with the lock held).

mod poll;
mod put;
mod read;
mod role;
mod softdelete;
mod subscription;

use std::time::Duration;

use super::fault::MatchInput;
use super::incoming::Incoming;
use super::reply::Reply;
use super::route::Route;
use super::state::Shared;

pub(crate) type Handled = (Reply, Option<Duration>);

pub(crate) fn handle(
    shared: &Shared,
    incoming: &Incoming,
    route: &Route,
    input: &MatchInput<'_>,
) -> Handled {
    if let Some(path) = route.arm_path()
        && let Some(only) = &shared.config.subscription_id
        && !only.eq_ignore_ascii_case(&path.subscription)
    {
        return (
            Reply::error(
                404,
                "SubscriptionNotFound",
                format!(
                    "The subscription '{}' could not be found.",
                    path.subscription
                ),
            ),
            None,
        );
    }
    let method = incoming.method.as_str();
    let reply = match (route, method) {
        (Route::Subscription(path), "GET") => subscription::subscription(shared, incoming, path),
        (Route::Provider(path), "GET") => subscription::provider(shared, incoming, path),
        (Route::ProviderRegister(path), "POST") => subscription::register(shared, incoming, path),
        (Route::OperationStatus { op, .. }, "GET") => poll::status(shared, incoming, op),
        (Route::OperationResult { op, .. }, "GET") => poll::result(shared, incoming, op),
        (Route::DeletedServices(path), "GET") => softdelete::list_services(shared, incoming, path),
        (
            Route::DeletedService {
                path,
                location,
                name,
            },
            "GET" | "DELETE",
        ) => softdelete::service(shared, incoming, path, location, name),
        (Route::DeletedAccounts(path), "GET") => softdelete::list_accounts(shared, incoming, path),
        (
            Route::DeletedAccount {
                path,
                location,
                resource_group,
                name,
            },
            "GET" | "DELETE",
        ) => softdelete::account(shared, incoming, path, location, resource_group, name),
        (Route::RoleAssignments { scope }, "GET") => role::list(shared, incoming, scope),
        (Route::Resource(path), "PUT") => return put::put(shared, incoming, path, input),
        (Route::Resource(path), "GET" | "HEAD") => read::get(shared, incoming, path),
        (Route::Resource(path), "DELETE") => read::delete(shared, incoming, path),
        (Route::Unknown, _) => Err(Reply::error(
            404,
            "InvalidRequestUri",
            format!(
                "The request URI '{}' is not served by the aigw ARM emulator.",
                incoming.raw_path
            ),
        )),
        _ => Err(Reply::error(
            405,
            "MethodNotAllowed",
            format!("The requested resource does not support http method '{method}'."),
        )),
    };
    (reply.unwrap_or_else(|failure| failure), None)
}
