//! A fake GitHub REST API (wiremock) with the fields octocrab's models require.

use serde_json::{Value, json};
use wiremock::MockServer;

pub fn user() -> Value {
    user_named("github-actions[bot]")
}

pub fn user_named(login: &str) -> Value {
    let u = "https://api.github.com/users/someone";
    json!({
        "login": login, "id": 1, "node_id": "U_1", "avatar_url": "https://avatars.example/u/1", "gravatar_id": "",
        "url": u, "html_url": "https://github.com/aigw-bot", "followers_url": u, "following_url": u, "gists_url": u,
        "starred_url": u, "subscriptions_url": u, "organizations_url": u, "repos_url": u, "events_url": u,
        "received_events_url": u, "type": "Bot", "site_admin": false
    })
}

pub fn comment(id: u64, body: &str) -> Value {
    comment_by(id, body, user())
}

pub fn comment_by(id: u64, body: &str, user: Value) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"),
        "url": format!("https://api.github.com/repos/acme/infra/issues/comments/{id}"),
        "html_url": format!("https://github.com/acme/infra/pull/7#issuecomment-{id}"),
        "body": body, "user": user, "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z"
    })
}

pub fn deployment(id: u64) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/acme/infra/deployments/{id}"), "id": id, "node_id": format!("DE_{id}"),
        "sha": "0123456789abcdef0123456789abcdef01234567", "ref": "0123456789abcdef0123456789abcdef01234567",
        "task": "deploy", "payload": {}, "environment": "acc", "description": "aigw", "creator": user(),
        "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z",
        "statuses_url": format!("https://api.github.com/repos/acme/infra/deployments/{id}/statuses"),
        "repository_url": "https://api.github.com/repos/acme/infra"
    })
}

pub fn deployment_status(id: u64, state: &str) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/acme/infra/deployments/42/statuses/{id}"), "id": id, "node_id": format!("DES_{id}"),
        "state": state, "creator": user(), "description": "", "environment": "acc",
        "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z",
        "deployment_url": "https://api.github.com/repos/acme/infra/deployments/42",
        "repository_url": "https://api.github.com/repos/acme/infra"
    })
}

/// Bodies of the requests the fake received at `path` with `method`, as JSON.
pub async fn bodies(server: &MockServer, method: &str, path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == method && r.url.path() == path)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}
