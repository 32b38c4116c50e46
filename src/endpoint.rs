//! The URLs aigw talks to: which endpoints it accepts (https, plain http only to loopback) and
//! how a URL is shown in logs and errors (no credentials, no query but `api-version`). Used by
//! `arm`, `auth` and `ci`; depends on nothing else in aigw.

use url::Url;

/// Why an endpoint URL is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("`{0}` is not a URL")]
    NotUrl(String),
    #[error(
        "`{0}` uses plain http; only loopback addresses (the emulator) may, anything else must be https"
    )]
    PlainHttp(String),
    #[error("`{0}` must be an http(s) URL without credentials, query or fragment")]
    Unsupported(String),
}

/// Checks an endpoint (`--arm-endpoint`, `GITHUB_API_URL`, ...): https, or http to a loopback
/// host.
pub fn parse_endpoint(text: &str) -> Result<Url, EndpointError> {
    let url = Url::parse(text).map_err(|_| EndpointError::NotUrl(text.to_string()))?;
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(EndpointError::Unsupported(text.to_string()));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(EndpointError::PlainHttp(text.to_string())),
        _ => Err(EndpointError::Unsupported(text.to_string())),
    }
}

/// Whether the endpoint is on this machine (the emulator, a test fake).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The one query parameter a URL keeps when shown: it says which API was called and is no secret.
const SHOWN_QUERY_PARAMETER: &str = "api-version";

/// `url` as it may be shown: user name, password and fragment removed, and every query parameter
/// but `api-version` dropped (polling URLs Azure hands out can carry signatures, e.g. `sig=`).
/// Absolute URLs and relative references (`/subscriptions/...?api-version=...`) both work; text
/// the `url` crate cannot read is cut before its query.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            strip_secrets(&mut parsed);
            parsed.to_string()
        }
        Err(url::ParseError::RelativeUrlWithoutBase) => redact_relative(url),
        Err(_) => cut_query(url).to_string(),
    }
}

/// A relative reference, resolved against a placeholder base and shown without it.
fn redact_relative(reference: &str) -> String {
    let Some(mut parsed) = Url::parse("http://relative.invalid/")
        .ok()
        .and_then(|base| base.join(reference).ok())
    else {
        return cut_query(reference).to_string();
    };
    strip_secrets(&mut parsed);
    let path = parsed.path();
    let path = if reference.starts_with('/') {
        path
    } else {
        path.trim_start_matches('/')
    };
    match parsed.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    }
}

fn strip_secrets(url: &mut Url) {
    // Both only fail for URLs that cannot have credentials, which then have none to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| name == SHOWN_QUERY_PARAMETER)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

/// Everything before the query or fragment.
fn cut_query(text: &str) -> &str {
    text.split(['?', '#']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_unless_loopback() {
        assert!(parse_endpoint("https://management.azure.com").is_ok());
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("http://[::1]:8080").is_ok());
        assert!(parse_endpoint("http://localhost:1").is_ok());
        assert_eq!(
            parse_endpoint("http://management.azure.com"),
            Err(EndpointError::PlainHttp(
                "http://management.azure.com".into()
            ))
        );
        assert!(parse_endpoint("https://user:pw@x").is_err());
        assert!(parse_endpoint("https://x/?a=b").is_err());
        assert!(parse_endpoint("not a url").is_err());
    }

    #[test]
    fn redaction_keeps_only_the_api_version() {
        assert_eq!(
            redact("https://x/a?api-version=1&sig=s"),
            "https://x/a?api-version=1"
        );
        assert_eq!(redact("https://x/a?sig=s"), "https://x/a");
        assert_eq!(
            redact("https://x/a?sig=s&api-version=2024-05-01-preview&se=2030"),
            "https://x/a?api-version=2024-05-01-preview"
        );
        assert_eq!(redact("https://x/a/b"), "https://x/a/b");
    }

    #[test]
    fn redaction_drops_what_the_hand_written_one_kept() {
        // A fragment, credentials in the authority, a parameter that only starts like
        // `api-version`, and a signature after a `#`.
        assert_eq!(
            redact("https://user:secret@x/op?api-version=1#sig=s"),
            "https://x/op?api-version=1"
        );
        assert_eq!(
            redact("https://x/op?api-version=1&api-versionsig=s"),
            "https://x/op?api-version=1"
        );
        assert_eq!(redact("https://x/op#?api-version=1"), "https://x/op");
        // An encoded name is still the name.
        assert_eq!(
            redact("https://x/op?api%2Dversion=1&sig=s"),
            "https://x/op?api-version=1"
        );
    }

    #[test]
    fn relative_references_and_unreadable_text_are_redacted_too() {
        assert_eq!(
            redact("/subscriptions/s/resourceGroups/rg?api-version=2024-03-01&token=t"),
            "/subscriptions/s/resourceGroups/rg?api-version=2024-03-01"
        );
        assert_eq!(redact("/a/b?sig=s#f"), "/a/b");
        assert_eq!(redact("http://[not-a-host/x?sig=s"), "http://[not-a-host/x");
    }
}
