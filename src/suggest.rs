//! "Did you mean" suggestions for misspelt names.

/// Inputs longer than this are not typos of a name (and comparing a 4 MB value with every
/// candidate would cost time for nothing).
const MAX_INPUT_CHARS: usize = 256;

/// The candidate closest to `input` when it is close enough to be a plausible typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if input.len() > MAX_INPUT_CHARS {
        return None;
    }
    let input_lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&input_lower, &candidate.to_ascii_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_misses_only() {
        let names = ["suffix", "environment", "openAILocations"];
        assert_eq!(closest("sufix", names), Some("suffix"));
        assert_eq!(closest("openAiLocation", names), Some("openAILocations"));
        assert_eq!(closest("zzz", names), None);
    }
}
