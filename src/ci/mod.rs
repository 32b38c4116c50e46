//! CI integration: which platform runs aigw, and each platform's own protocols (GitHub Actions
//! step outputs, job summary and workflow commands; Azure DevOps logging commands). Everything
//! here renders values decided elsewhere; only `main` chooses what to call.

pub mod azure_devops;
pub mod github;
pub mod outputs;
pub mod publish;

use crate::env::Env;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    GitHub,
    AzureDevOps,
    None,
}

impl Platform {
    /// `forced` (from `--ci`) wins; otherwise the runners' own variables: `GITHUB_ACTIONS=true`
    /// (also under `act`, which sets it with `ACT=true`) or `TF_BUILD=True`.
    pub fn detect(env: &Env, forced: Option<Platform>) -> Platform {
        if let Some(platform) = forced {
            return platform;
        }
        if env.is_true("GITHUB_ACTIONS") || env.is_true("ACT") {
            Platform::GitHub
        } else if env.is_true("TF_BUILD") {
            Platform::AzureDevOps
        } else {
            Platform::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_follows_the_runner_variables_and_can_be_forced() {
        assert_eq!(
            Platform::detect(&Env::from_pairs([("GITHUB_ACTIONS", "true")]), None),
            Platform::GitHub
        );
        assert_eq!(
            Platform::detect(&Env::from_pairs([("ACT", "true")]), None),
            Platform::GitHub
        );
        assert_eq!(
            Platform::detect(&Env::from_pairs([("TF_BUILD", "True")]), None),
            Platform::AzureDevOps
        );
        assert_eq!(Platform::detect(&Env::default(), None), Platform::None);
        assert_eq!(
            Platform::detect(
                &Env::from_pairs([("TF_BUILD", "True")]),
                Some(Platform::None)
            ),
            Platform::None
        );
    }
}
