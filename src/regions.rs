//! The Azure public-cloud regions aigw accepts without `--allow-region` (one list, one place).
//!
//! Names are ARM's programmatic location names (`az account list-locations --query [].name`).
//! A region newer than this list is accepted with `--allow-region NAME`.

pub const KNOWN_REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// Whether `name` is a known region or one the user explicitly allowed.
pub fn is_known(name: &str, allowed: &[String]) -> bool {
    KNOWN_REGIONS.contains(&name) || allowed.iter().any(|a| a == name)
}

/// The programmatic name for a display name such as "West Europe", if it is one.
pub fn programmatic_name(display: &str) -> Option<&'static str> {
    let squashed: String = display
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    KNOWN_REGIONS.iter().copied().find(|r| *r == squashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_map_to_programmatic_names() {
        assert_eq!(programmatic_name("West Europe"), Some("westeurope"));
        assert_eq!(programmatic_name("Sweden Central"), Some("swedencentral"));
        assert_eq!(programmatic_name("Atlantis"), None);
    }

    #[test]
    fn allowed_regions_extend_the_list() {
        assert!(!is_known("marsnorth", &[]));
        assert!(is_known("marsnorth", &["marsnorth".to_string()]));
    }

    #[test]
    fn list_is_sorted_and_unique() {
        let mut sorted = KNOWN_REGIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, KNOWN_REGIONS);
    }
}
