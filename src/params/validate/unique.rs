//! Checks across regions and deployments: what must be unique, and what one pool's members must
//! agree on.
//!
//! Azure compares resource names without case ("Resource names are case-insensitive unless noted",
//! Microsoft Learn, "Naming rules and restrictions for Azure resources":
//! https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules), and
//! API Management ids the same way. Two names that differ only in case are one resource: the
//! second write replaces the first. So every uniqueness check here folds case, and a clash names
//! both places. Each check is one pass with a hash map: linear in the number of entries.

use std::collections::{HashMap, HashSet};

use super::regions::{RawDeployment, RawRegion};
use super::{Validator, join};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming;

/// APIM allows at most 30 members per pool, and every region adds two.
const MAX_POOL_MEMBERS: usize = 30;

/// Case-folded form of a name, for comparisons the way Azure makes them.
fn folded(name: &str) -> String {
    name.to_lowercase()
}

/// The deployments of one pool (one deployment name, any case), in `openAILocations` order.
struct Pool<'r> {
    members: Vec<(&'r RawRegion, &'r RawDeployment)>,
}

impl Validator<'_> {
    pub(super) fn cross_region_checks(&mut self, regions: &[RawRegion]) {
        self.unique_regions(regions);
        let pools = self.unique_deployments(regions);
        for pool in &pools {
            self.pool_consistency(pool);
        }
        self.unique_apim_ids(regions);
    }

    /// Region names and abbreviations are unique.
    fn unique_regions(&mut self, regions: &[RawRegion]) {
        let mut names: HashMap<String, &RawRegion> = HashMap::new();
        let mut abbreviations: HashMap<String, &RawRegion> = HashMap::new();
        for region in regions {
            if let Some(name) = &region.name {
                match names.get(&folded(&name.value)) {
                    Some(first) => {
                        let mut diagnostic = Diagnostic::new(
                            "duplicate-region",
                            format!(
                                "region `{}` is listed twice (also {})",
                                shown(&name.value),
                                first.path
                            ),
                        )
                        .path(join(&region.path, "name"))
                        .at(name.span)
                        .help("each region appears once; put all of its deployments in one entry");
                        if let Some(first) = &first.name {
                            diagnostic = diagnostic.also(first.span, "first");
                        }
                        self.report(diagnostic);
                    }
                    None => {
                        names.insert(folded(&name.value), region);
                    }
                }
            }
            if let Some(abbr) = &region.abbreviation {
                match abbreviations.get(&folded(&abbr.value)) {
                    Some(first) => {
                        let mut diagnostic = Diagnostic::new(
                            "duplicate-abbreviation",
                            format!(
                                "abbreviation `{}` is already used by {}",
                                shown(&abbr.value),
                                first.path
                            ),
                        )
                        .path(join(&region.path, "abbreviation"))
                        .at(abbr.span)
                        .help("abbreviations become part of resource names and must be unique");
                        if let Some(first) = &first.abbreviation {
                            diagnostic = diagnostic.also(first.span, "first");
                        }
                        self.report(diagnostic);
                    }
                    None => {
                        abbreviations.insert(folded(&abbr.value), region);
                    }
                }
            }
        }
    }

    /// A deployment name appears once per region (ignoring case: a model deployment is an Azure
    /// resource under the region's account); across regions, one name is one pool and must be
    /// spelt the same everywhere. Returns the pools in order of first appearance.
    fn unique_deployments<'r>(&mut self, regions: &'r [RawRegion]) -> Vec<Pool<'r>> {
        let mut pools: Vec<Pool<'r>> = Vec::new();
        let mut pool_of: HashMap<String, usize> = HashMap::new();
        for region in regions {
            let mut in_region: HashMap<String, &RawDeployment> = HashMap::new();
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                let key = folded(&name.value);
                if let Some(first) = in_region.get(&key) {
                    self.duplicate_in_region(deployment, first);
                    continue;
                }
                in_region.insert(key.clone(), deployment);
                match pool_of.get(&key) {
                    Some(&index) => {
                        let (first_region, first) = pools[index].members[0];
                        self.same_spelling(region, deployment, first_region, first);
                        pools[index].members.push((region, deployment));
                    }
                    None => {
                        pool_of.insert(key, pools.len());
                        pools.push(Pool {
                            members: vec![(region, deployment)],
                        });
                    }
                }
            }
        }
        pools
    }

    fn duplicate_in_region(&mut self, deployment: &RawDeployment, first: &RawDeployment) {
        let (Some(name), Some(first_name)) = (&deployment.name, &first.name) else {
            return;
        };
        let message = if name.value == first_name.value {
            format!(
                "deployment `{}` appears twice in this region",
                shown(&name.value)
            )
        } else {
            format!(
                "deployment `{}` differs from `{}` only in case; Azure names ignore case, so one would overwrite the other in this region",
                shown(&name.value),
                shown(&first_name.value)
            )
        };
        self.report(
            Diagnostic::new("duplicate-deployment", message)
                .path(join(&deployment.path, "deploymentName"))
                .at(name.span)
                .also(first_name.span, "first")
                .help("give each deployment in a region its own name"),
        );
    }

    /// Members of one pool spell the deployment name the same way.
    fn same_spelling(
        &mut self,
        region: &RawRegion,
        deployment: &RawDeployment,
        first_region: &RawRegion,
        first: &RawDeployment,
    ) {
        let (Some(name), Some(first_name)) = (&deployment.name, &first.name) else {
            return;
        };
        if name.value == first_name.value {
            return;
        }
        self.report(
            Diagnostic::new(
                "deployment-name-case",
                format!(
                    "deployment `{}` in {} and `{}` in {} differ only in case; API Management ids ignore case, so `{}` and `{}` would be one pool and one region would drop out of routing",
                    shown(&name.value),
                    region_label(region),
                    shown(&first_name.value),
                    region_label(first_region),
                    shown(&naming::pool_id(&name.value)),
                    shown(&naming::pool_id(&first_name.value)),
                ),
            )
            .path(join(&deployment.path, "deploymentName"))
            .at(name.span)
            .also(first_name.span, "the other")
            .help(format!(
                "spell the deployment name the same way in every region: '{}'",
                shown(&first_name.value)
            )),
        );
    }

    /// Per pool: one model, distinct priorities, at most 30 members.
    fn pool_consistency(&mut self, pool: &Pool<'_>) {
        let (first_region, first) = pool.members[0];
        let name = first.name.as_ref().map_or("", |n| n.value.as_str());
        for (_, deployment) in &pool.members[1..] {
            for (field, mine, theirs) in [
                ("modelName", &deployment.model_name, &first.model_name),
                (
                    "modelVersion",
                    &deployment.model_version,
                    &first.model_version,
                ),
            ] {
                if let (Some(mine), Some(theirs)) = (mine, theirs)
                    && mine.value != theirs.value
                {
                    self.report(
                        Diagnostic::new(
                            "pool-model-mismatch",
                            format!(
                                "deployment `{}` uses {field} `{}` here but `{}` in {}",
                                shown(name),
                                shown(&mine.value),
                                shown(&theirs.value),
                                region_label(first_region),
                            ),
                        )
                        .path(join(&deployment.path, field))
                        .at(mine.span)
                        .also(theirs.span, "the other")
                        .help(format!(
                            "one pool serves every region of `{}`, so all must run the same model; \
                             use the same {field}, or give this deployment another deploymentName",
                            shown(name)
                        )),
                    );
                }
            }
        }
        let mut priorities: HashMap<i64, (&RawRegion, crate::source::Span)> = HashMap::new();
        for (region, deployment) in &pool.members {
            let Some(priority) = &deployment.priority else {
                continue;
            };
            match priorities.get(&priority.value) {
                Some((other_region, other_span)) => {
                    self.report(
                        Diagnostic::new(
                            "duplicate-priority",
                            format!(
                                "deployment `{}` has priority {} here and in {}",
                                shown(name),
                                priority.value,
                                region_label(other_region)
                            ),
                        )
                        .path(deployment.priority_path.clone())
                        .at(priority.span)
                        .also(*other_span, "the other")
                        .help("pools route strictly by priority (1 → 2 → 3); give each region of this deployment its own priority"),
                    );
                }
                None => {
                    priorities.insert(priority.value, (region, priority.span));
                }
            }
        }
        if pool.members.len() * 2 > MAX_POOL_MEMBERS {
            let (_, extra) = pool.members[MAX_POOL_MEMBERS / 2];
            let mut diagnostic = Diagnostic::new(
                "pool-too-large",
                format!(
                    "deployment `{}` is in {} regions; its pool would have {} members, API Management allows {MAX_POOL_MEMBERS}",
                    shown(name),
                    pool.members.len(),
                    pool.members.len() * 2
                ),
            )
            .path(join(&extra.path, "deploymentName"))
            .help(format!(
                "serve `{}` from at most {} regions",
                shown(name),
                MAX_POOL_MEMBERS / 2
            ));
            if let Some(name) = &extra.name {
                diagnostic = diagnostic.at(name.span);
            }
            self.report(diagnostic);
        }
    }

    /// Different deployments must not end up with the same APIM id: `a.b` and `a-dot-b` give the
    /// same pool, and deployment/abbreviation splits such as `x-a`+`b` and `x`+`a-b` the same
    /// backend. One would overwrite the other on every run. Names that clash only by case, or
    /// are repeated, were reported above and are not reported again here.
    fn unique_apim_ids(&mut self, regions: &[RawRegion]) {
        // Folded id → (folded deployment name, its spelling, region index).
        let mut owners: HashMap<String, (String, &str, usize)> = HashMap::new();
        let mut reported: HashSet<(String, String)> = HashSet::new();
        let mut abbreviations: HashSet<String> = HashSet::new();
        for (index, region) in regions.iter().enumerate() {
            let (Some(abbr), Some(region_name)) = (&region.abbreviation, &region.name) else {
                continue;
            };
            // A repeated abbreviation is reported as such; its ids clash for that reason alone.
            if !abbreviations.insert(folded(&abbr.value)) {
                continue;
            }
            let mut in_region: HashSet<String> = HashSet::new();
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                let name_key = folded(&name.value);
                if !in_region.insert(name_key.clone()) {
                    continue;
                }
                let ids = [
                    naming::pool_id(&name.value),
                    naming::aoai_backend_id(&name.value, &abbr.value),
                    naming::oaiv1_backend_id(&name.value, &abbr.value),
                ];
                for id in ids {
                    let id_key = folded(&id);
                    let clash = match owners.get(&id_key) {
                        // One pool per deployment name, shared by its regions.
                        Some((other_name, _, other_region)) => {
                            *other_name != name_key
                                || (*other_region != index && !id.starts_with("pool-"))
                        }
                        None => false,
                    };
                    if !clash {
                        owners
                            .entry(id_key)
                            .or_insert((name_key.clone(), &name.value, index));
                        continue;
                    }
                    let Some((_, other_spelling, other_region)) = owners.get(&id_key) else {
                        continue;
                    };
                    if reported.insert((folded(other_spelling), name_key.clone())) {
                        let other_name = regions[*other_region]
                            .name
                            .as_ref()
                            .map_or("", |n| n.value.as_str());
                        let message = format!(
                            "deployment `{}` in {} and `{}` in {} both become the API Management id `{}`",
                            shown(&name.value),
                            shown(&region_name.value),
                            shown(other_spelling),
                            shown(other_name),
                            shown(&id)
                        );
                        self.report(
                            Diagnostic::new("derived-name-collision", message)
                                .path(join(&deployment.path, "deploymentName"))
                                .at(name.span)
                                .help("rename one deployment (a '.' becomes '-dot-') or change a region abbreviation"),
                        );
                    }
                    break;
                }
            }
        }
    }
}

/// A region as messages name it: its name, or its path when the name is missing.
fn region_label(region: &RawRegion) -> String {
    region
        .name
        .as_ref()
        .map_or(region.path.clone(), |n| shown(&n.value))
}
