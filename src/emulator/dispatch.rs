//! One request from arrival to log entry: read it, let overrides answer, authenticate, inject
//! faults, hand it to a handler, wait out a synchronous write's latency, add ARM's headers.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::armpath::{self, ArmPath};
use super::conn::ConnHandle;
use super::fault::{Injected, MatchInput};
use super::handlers;
use super::incoming::{self, Incoming, MAX_BODY};
use super::log::{LoggedRequest, RequestKind};
use super::overrides::OverrideRequest;
use super::reply::Reply;
use super::route::Route;
use super::state::{Phase, Shared};

pub(crate) async fn entry(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    request: Request,
) -> Response {
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst);
    let started = shared.epoch.elapsed();
    let incoming = read(request, &shared).await;
    let (reply, kind, dropped) = match &incoming {
        Ok(incoming) => process(&shared, incoming).await,
        Err(reply) => (reply.clone(), RequestKind::Other, false),
    };
    let finished = shared.epoch.elapsed();
    if let Ok(incoming) = &incoming {
        shared.log().push(LoggedRequest {
            seq,
            method: incoming.method.clone(),
            path: incoming.raw_path.clone(),
            query: incoming.query.clone(),
            api_version: incoming.api_version().map(str::to_string),
            status: if dropped { 0 } else { reply.status },
            body: incoming.body.clone(),
            started,
            finished,
            kind,
            client_request_id: incoming
                .header("x-ms-client-request-id")
                .map(str::to_string),
        });
    }
    if dropped {
        // The connection now fails every write, so this response is never sent.
        conn.kill();
    }
    to_response(reply, incoming.as_ref().ok())
}

async fn read(request: Request, shared: &Shared) -> Result<Incoming, Reply> {
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_ascii_lowercase(),
                value.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let base = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map(|(_, host)| format!("http://{host}"))
        .unwrap_or_else(|| format!("http://{}", shared.addr));
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        Reply::error(
            413,
            "RequestEntityTooLarge",
            format!("The request body is larger than {MAX_BODY} bytes."),
        )
    })?;
    let body_text = (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned());
    let body = body_text
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    Ok(Incoming {
        method: parts.method.as_str().to_ascii_uppercase(),
        path: armpath::decode(&raw_path),
        raw_path,
        params: incoming::query_params(&query),
        query,
        headers,
        body_text,
        body,
        base,
    })
}

async fn process(shared: &Shared, incoming: &Incoming) -> (Reply, RequestKind, bool) {
    let method_kind = match incoming.method.as_str() {
        "PUT" | "POST" | "PATCH" | "DELETE" => RequestKind::Write,
        "GET" | "HEAD" => RequestKind::Read,
        _ => RequestKind::Other,
    };
    if let Some(reply) = overridden(shared, incoming) {
        return (reply, method_kind, false);
    }
    if let Err(reply) = authenticate(shared, incoming) {
        return (reply, method_kind, false);
    }
    // Operations finish by time: whatever this request looks at is current.
    shared.state().refresh_all(shared.now());
    let route = Route::parse(&incoming.path);
    let kind = classify(shared, &route, method_kind);
    let path = route.arm_path();
    let resource_type = path.and_then(ArmPath::resource_type);
    let input = MatchInput {
        method: &incoming.method,
        path: &incoming.path,
        resource_type: resource_type.as_deref(),
        name: path.and_then(ArmPath::name),
        kind,
    };
    let conflict_on = path
        .and_then(|p| {
            if p.is_child() {
                p.parent()
            } else {
                Some(p.clone())
            }
        })
        .map(|p| p.id())
        .unwrap_or_default();
    let injected = shared.state().faults.take(&input, &conflict_on);
    let lose_response = match injected {
        Some(Injected::Drop) => return (Reply::empty(500), kind, true),
        Some(Injected::Respond(reply)) => return (reply, kind, false),
        Some(Injected::LoseResponse) => true,
        None => false,
    };
    let (reply, delay) = handlers::handle(shared, incoming, &route, &input);
    // Under a manual clock time only moves when a test moves it: no real wait.
    if let Some(delay) = delay.filter(|d| !d.is_zero() && !shared.clock.is_manual()) {
        tokio::time::sleep(delay).await;
    }
    (reply, kind, lose_response)
}

fn overridden(shared: &Shared, incoming: &Incoming) -> Option<Reply> {
    if shared.config.overrides.is_empty() {
        return None;
    }
    let request = OverrideRequest {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        query: incoming.query.clone(),
        headers: incoming.headers.clone(),
        body: incoming.body.clone(),
    };
    shared.config.overrides.iter().find_map(|f| {
        f(&request).map(|r| Reply {
            status: r.status,
            headers: r.headers,
            body: r.body,
        })
    })
}

/// ARM's two 401s: no usable bearer token, or not the configured one.
fn authenticate(shared: &Shared, incoming: &Incoming) -> Result<(), Reply> {
    let challenge = format!(
        "Bearer authorization_uri=\"https://login.microsoftonline.com/{}\", \
         error=\"invalid_token\", error_description=\"The authentication failed because of \
         missing 'Authorization' header.\"",
        shared.config.tenant_id
    );
    let header = incoming.header("authorization");
    let token = header.and_then(|h| {
        let (scheme, token) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        let message = if header.is_some() {
            "Authentication failed. The 'Authorization' header is provided in an invalid format."
        } else {
            "Authentication failed. The 'Authorization' header is missing."
        };
        return Err(Reply::error(401, "AuthenticationFailed", message)
            .header("WWW-Authenticate", challenge));
    };
    if shared
        .config
        .token
        .as_deref()
        .is_some_and(|expected| expected != token)
    {
        return Err(Reply::error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )
        .header("WWW-Authenticate", challenge));
    }
    Ok(())
}

/// A GET of an operation URL, or of a resource whose operation runs, is a poll.
fn classify(shared: &Shared, route: &Route, method_kind: RequestKind) -> RequestKind {
    if method_kind != RequestKind::Read {
        return method_kind;
    }
    match route {
        Route::OperationStatus { .. } | Route::OperationResult { .. } => RequestKind::Poll,
        Route::Resource(path) => {
            let state = shared.state();
            match state.resources.get(&path.key()).map(|r| &r.phase) {
                Some(Phase::Running { .. }) => RequestKind::Poll,
                _ => RequestKind::Read,
            }
        }
        _ => RequestKind::Read,
    }
}

fn to_response(reply: Reply, incoming: Option<&Incoming>) -> Response {
    let head = incoming.is_some_and(|i| i.method == "HEAD");
    let bytes = match (&reply.body, head) {
        (Some(body), false) => serde_json::to_vec(body).unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    let mut add = |name: &str, value: &str| {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    add("x-ms-request-id", &request_id);
    let correlation = incoming
        .and_then(|i| i.header("x-ms-correlation-request-id"))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    add("x-ms-correlation-request-id", &correlation);
    if let Some(client) = incoming.and_then(|i| i.header("x-ms-client-request-id")) {
        add("x-ms-client-request-id", client);
    }
    let typed = reply
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if reply.body.is_some() && !typed {
        add("content-type", "application/json; charset=utf-8");
    }
    for (name, value) in &reply.headers {
        add(name, value);
    }
    response
}
