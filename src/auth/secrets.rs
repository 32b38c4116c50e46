//! Every credential aigw handles, known in one place.
//!
//! A credential is registered the moment aigw has it: the secret environment variables at
//! start-up, each ARM token, each OIDC assertion before it is sent. Registering masks it with the
//! CI runner (through the [`Masker`] `main` installs) in every encoding aigw sends it in, and from
//! then on [`Secrets::scrub`] removes it, in any of those encodings, from text a server sends
//! back. Scrubbing happens where server text enters the program (the ARM client, the credential
//! wrappers, the GitHub API client), so no renderer can forget it.
//!
//! Server text is also stripped of credentials aigw never saw (another system's token echoed
//! back): bearer and basic authorization values, JWTs and the credential fields of OAuth forms
//! and JSON. Those generic shapes are applied to error text only ([`Secrets::scrub`]); resource
//! bodies, which aigw compares and writes back, lose only the registered values
//! ([`Secrets::scrub_known`]).
//!
//! The registry is process-wide ([`global`]) because credentials appear deep inside callbacks
//! (azure_identity asks for an assertion when it needs one), the way the runners' own maskers
//! are per process (`core.setSecret` in actions/toolkit).

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, RwLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use regex::Regex;
use serde_json::Value;

use super::Masker;
use crate::env::{Env, SECRET_VARIABLES};

/// What a removed credential is replaced with (the runners print `***` too).
pub const REDACTED: &str = "***";

/// Shorter forms are not scrubbed from text: they would match ordinary words and ids. Real
/// credentials are far longer (tokens and assertions hundreds of characters, client secrets 40).
const MIN_SCRUB_LEN: usize = 8;

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded
/// (`Uri.EscapeDataString`, `encodeURIComponent` without its extra exceptions).
const URI_DATA: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Default)]
pub struct Secrets {
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets").finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Inner {
    /// Raw values registered so far (each is masked once).
    values: HashSet<String>,
    /// Every form to remove, longest first so a longer encoding is not cut by a shorter one.
    forms: Vec<String>,
    masker: Option<Masker>,
}

impl Secrets {
    pub fn new() -> Self {
        Secrets::default()
    }

    /// From now on every registered value is also masked with `masker`; values registered
    /// before are masked at once.
    pub fn set_masker(&self, masker: Masker) {
        let earlier: Vec<String> = {
            let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
            inner.masker = Some(masker.clone());
            inner.values.iter().cloned().collect()
        };
        for value in earlier {
            mask_all(&masker, &value);
        }
    }

    /// Makes `secret` known: masked with the runner in every encoding (before the caller sends
    /// it anywhere), scrubbed from server text from now on. Registering again does nothing.
    pub fn register(&self, secret: &str) {
        if secret.trim().is_empty() {
            return;
        }
        let masker = {
            let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
            if !inner.values.insert(secret.to_string()) {
                return;
            }
            for form in encodings(secret) {
                if form.len() >= MIN_SCRUB_LEN && !inner.forms.contains(&form) {
                    inner.forms.push(form);
                }
            }
            inner
                .forms
                .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            inner.masker.clone()
        };
        // Outside the lock: the masker writes to the log.
        if let Some(masker) = masker {
            mask_all(&masker, secret);
        }
    }

    /// Registers the values of the secret environment variables ([`SECRET_VARIABLES`]).
    pub fn register_env(&self, env: &Env) {
        for name in SECRET_VARIABLES {
            if let Some(value) = env.non_empty(name) {
                self.register(value);
            }
        }
    }

    /// Text from a server, fit to show: registered credentials in any encoding and anything
    /// shaped like a credential are replaced with `***`.
    pub fn scrub(&self, text: &str) -> String {
        scrub_shapes(&self.scrub_known(text))
    }

    /// Only the registered credentials removed (for resource bodies: see the module comment).
    pub fn scrub_known(&self, text: &str) -> String {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for form in &inner.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), REDACTED);
            }
        }
        out
    }

    /// [`Secrets::scrub_known`] on every string (and key) of a JSON document.
    pub fn scrub_known_json(&self, value: &mut Value) {
        walk_strings(value, &|s| self.scrub_known(s));
    }

    /// [`Secrets::scrub`] on every string (and key) of a JSON document.
    pub fn scrub_json(&self, value: &mut Value) {
        walk_strings(value, &|s| self.scrub(s));
    }
}

/// The process-wide registry.
pub fn global() -> Arc<Secrets> {
    static GLOBAL: LazyLock<Arc<Secrets>> = LazyLock::new(|| Arc::new(Secrets::new()));
    GLOBAL.clone()
}

fn mask_all(masker: &Masker, secret: &str) {
    // The raw value is masked whatever its length; encodings only when long enough to be
    // told apart from ordinary text (the runner would mask every occurrence of a short one).
    masker(secret);
    for form in encodings(secret) {
        if form != secret && form.len() >= MIN_SCRUB_LEN {
            masker(&form);
        }
    }
}

/// The forms in which aigw sends or a server may echo `secret`:
/// - raw (headers, JSON values after parsing);
/// - `application/x-www-form-urlencoded`, as token requests carry client secrets and
///   assertions (azure_identity builds them with `form_urlencoded::Serializer`): space as `+`,
///   which neither runner masks by itself;
/// - RFC 3986 percent-encoding (query strings; what the runners' `UriDataEscape` masks);
/// - JSON string escaping (a body quoted inside another message);
/// - base64 and base64url at the three byte alignments, trailing padding and the last
///   character trimmed, the way the GitHub runner registers them (actions/runner
///   `docs/adrs/0297-base64-masking-trailing-characters.md`): a value encoded together with a
///   prefix (`user:secret`) still matches.
pub fn encodings(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        utf8_percent_encode(secret, URI_DATA).to_string(),
    ];
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    let bytes = secret.as_bytes();
    for offset in 0..3.min(bytes.len()) {
        for engine in [&STANDARD, &URL_SAFE] {
            let encoded = engine.encode(&bytes[offset..]);
            let trimmed = encoded.trim_end_matches('=');
            // With padding, the last character also depends on what followed the value.
            let stable = if trimmed.len() < encoded.len() {
                &trimmed[..trimmed.len().saturating_sub(1)]
            } else {
                trimmed
            };
            forms.push(stable.to_string());
        }
    }
    let mut unique = Vec::new();
    for form in forms {
        if !form.is_empty() && !unique.contains(&form) {
            unique.push(form);
        }
    }
    unique
}

/// Credential shapes removed from server text whoever they belong to.
static SHAPES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rules: [(&str, &str); 3] = [
        // A JWT (JWS compact form): base64url header that starts `{"` (`eyJ`), payload,
        // signature. OIDC assertions and Entra ID access tokens have this shape.
        (
            r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
            REDACTED,
        ),
        // An Authorization header value, raw or URL-encoded (`Bearer+...`, `Bearer%20...`).
        // Sixteen characters at least, so prose such as "Bearer token" stays readable.
        (
            r"(?i)\b(bearer|basic)(\s+|\+|%20)[A-Za-z0-9\-._~+/%]{16,}=*",
            "${1}${2}***",
        ),
        // The credential fields of an OAuth form or JSON body (RFC 6749, RFC 7521: client
        // secret, client assertion, tokens), and Azure DevOps' `oidcToken`.
        (
            r#"(?i)\b(client_secret|client_assertion|assertion|access_token|refresh_token|id_token|oidcToken)(=|\\?"\s*:\s*\\?")[^&\s"\\]+"#,
            "${1}${2}***",
        ),
    ];
    rules
        .into_iter()
        .filter_map(|(pattern, replacement)| Some((Regex::new(pattern).ok()?, replacement)))
        .collect()
});

fn scrub_shapes(text: &str) -> String {
    let mut out = text.to_string();
    for (pattern, replacement) in SHAPES.iter() {
        if pattern.is_match(&out) {
            out = pattern.replace_all(&out, *replacement).into_owned();
        }
    }
    out
}

fn walk_strings(value: &mut Value, scrub: &dyn Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = scrub(s),
        Value::Array(items) => items.iter_mut().for_each(|v| walk_strings(v, scrub)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                walk_strings(&mut item, scrub);
                map.insert(scrub(&key), item);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    const SECRET: &str = "s3cr3t+/=&value with space~\"q\"";

    fn recording() -> (Masker, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let masker: Masker = Arc::new(move |value: &str| {
            sink.lock().map(|mut s| s.push(value.to_string())).ok();
        });
        (masker, seen)
    }

    #[test]
    fn every_encoding_of_a_registered_secret_is_scrubbed() {
        let secrets = Secrets::new();
        secrets.register(SECRET);
        let form = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect::<String>();
        assert_eq!(form, "s3cr3t%2B%2F%3D%26value+with+space%7E%22q%22");
        let json = serde_json::to_string(SECRET).unwrap_or_default();
        let b64 = STANDARD.encode(format!("user:{SECRET}"));
        for text in [
            format!("raw {SECRET} end"),
            format!("grant_type=client_credentials&client_secret={form}&scope=x"),
            format!("q={}", utf8_percent_encode(SECRET, URI_DATA)),
            format!("{{\"echo\":{json}}}"),
            format!("Authorization: Basic {b64}"),
        ] {
            let scrubbed = secrets.scrub_known(&text);
            assert!(!scrubbed.contains("s3cr3t"), "{text} → {scrubbed}");
            assert!(!scrubbed.contains("value"), "{text} → {scrubbed}");
            assert!(scrubbed.contains(REDACTED), "{text} → {scrubbed}");
        }
        // The prefix-aligned base64 loses the secret's bytes, not the readable prefix.
        let b64 = STANDARD.encode(format!("user:{SECRET}"));
        let scrubbed = secrets.scrub_known(&b64);
        assert!(scrubbed.len() < b64.len() / 2, "{scrubbed}");
    }

    #[test]
    fn credential_shapes_are_scrubbed_from_error_text_only() {
        let secrets = Secrets::new();
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUifQ.c2lnbmF0dXJlLXZhbHVl";
        let text = format!(
            "The client with header Authorization: Bearer opaque-token-0123456789 failed; \
             body client_assertion={jwt}&client_secret=abc%2Bdef&grant_type=x; \
             {{\"access_token\":\"at-value\"}} and a Bearer token is required; {jwt}"
        );
        let scrubbed = secrets.scrub(&text);
        for leaked in [jwt, "opaque-token-0123456789", "abc%2Bdef", "at-value"] {
            assert!(!scrubbed.contains(leaked), "{leaked} in {scrubbed}");
        }
        assert!(scrubbed.contains("Authorization: Bearer ***"), "{scrubbed}");
        assert!(scrubbed.contains("grant_type=x"), "{scrubbed}");
        assert!(
            scrubbed.contains("a Bearer token is required"),
            "prose stays: {scrubbed}"
        );
        assert_eq!(secrets.scrub_known(&text), text, "no registered secret");
    }

    #[test]
    fn registering_masks_each_encoding_once_and_replays_for_a_late_masker() {
        let secrets = Secrets::new();
        secrets.register("early-secret-value");
        let (masker, seen) = recording();
        secrets.set_masker(masker);
        secrets.register(SECRET);
        secrets.register(SECRET);
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen.iter().filter(|s| *s == SECRET).count(), 1);
        assert!(seen.contains(&"early-secret-value".to_string()));
        assert!(seen.contains(&"s3cr3t%2B%2F%3D%26value+with+space%7E%22q%22".to_string()));
        assert!(seen.contains(&"s3cr3t%2B%2F%3D%26value%20with%20space~%22q%22".to_string()));
        assert!(seen.contains(&"s3cr3t+/=&value with space~\\\"q\\\"".to_string()));
    }

    #[test]
    fn short_values_are_masked_but_not_scrubbed_from_words() {
        let secrets = Secrets::new();
        let (masker, seen) = recording();
        secrets.set_masker(masker);
        secrets.register("abc");
        assert_eq!(secrets.scrub_known("abc abcdef"), "abc abcdef");
        assert_eq!(seen.lock().map(|s| s.clone()).unwrap_or_default(), ["abc"]);
    }

    #[test]
    fn json_documents_are_scrubbed_in_values_and_keys() {
        let secrets = Secrets::new();
        secrets.register("token-0123456789");
        let mut doc = serde_json::json!({
            "error": {"code": "AuthorizationFailed", "message": "Bearer token-0123456789 denied"},
            "token-0123456789": [1, "x token-0123456789"]
        });
        secrets.scrub_known_json(&mut doc);
        let text = doc.to_string();
        assert!(!text.contains("token-0123456789"), "{text}");
        assert_eq!(doc["error"]["code"], "AuthorizationFailed");
    }
}
