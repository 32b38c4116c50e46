//! ARM paths as values: subscription, resource group, provider blocks of (type, name) pairs, and
//! an optional trailing collection or action segment. Literal segments compare ignoring case.
//!
//! `/subscriptions/s/resourceGroups/rg/providers/NS/a/x/b/y/providers/Microsoft.Authorization/roleAssignments/g`
//! has two blocks; the last one names the resource, the ones before are its scope.

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub namespace: String,
    pub pairs: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArmPath {
    pub subscription: String,
    pub resource_group: Option<String>,
    pub blocks: Vec<Block>,
    /// A type without a name at the end: a collection (`roleAssignments`) or action (`register`).
    pub trailing: Option<String>,
}

const RESOURCE_GROUPS: &str = "Microsoft.Resources/resourceGroups";

impl ArmPath {
    /// Parses a decoded path (query string already removed). `None` when it is not an ARM path
    /// under `/subscriptions/{id}`.
    pub fn parse(path: &str) -> Option<ArmPath> {
        let trimmed = path.trim_matches('/');
        let segments: Vec<&str> = trimmed.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) || segments.len() < 2 {
            return None;
        }
        if !segments[0].eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        let mut parsed = ArmPath {
            subscription: segments[1].to_string(),
            resource_group: None,
            blocks: Vec::new(),
            trailing: None,
        };
        let mut i = 2;
        if let Some(segment) = segments.get(i)
            && segment.eq_ignore_ascii_case("resourceGroups")
        {
            match segments.get(i + 1) {
                Some(rg) => parsed.resource_group = Some((*rg).to_string()),
                None => parsed.trailing = Some((*segment).to_string()),
            }
            i += 2;
        }
        while i < segments.len() {
            if !segments[i].eq_ignore_ascii_case("providers") {
                return None;
            }
            let Some(namespace) = segments.get(i + 1) else {
                parsed.trailing = Some(segments[i].to_string());
                break;
            };
            let mut block = Block {
                namespace: (*namespace).to_string(),
                pairs: Vec::new(),
            };
            i += 2;
            while i < segments.len() && !segments[i].eq_ignore_ascii_case("providers") {
                match segments.get(i + 1) {
                    Some(name) => block
                        .pairs
                        .push((segments[i].to_string(), (*name).to_string())),
                    None => parsed.trailing = Some(segments[i].to_string()),
                }
                i += 2;
            }
            parsed.blocks.push(block);
        }
        Some(parsed)
    }

    /// A subscription, resource group or named resource (no trailing collection/action).
    pub fn is_subscription(&self) -> bool {
        self.resource_group.is_none() && self.blocks.is_empty() && self.trailing.is_none()
    }

    /// Names a resource: a resource group, or a last block with at least one (type, name) pair.
    pub fn is_resource(&self) -> bool {
        self.trailing.is_none()
            && match self.blocks.last() {
                Some(block) => !block.pairs.is_empty(),
                None => self.resource_group.is_some(),
            }
    }

    /// The full type of the addressed resource, e.g. `Microsoft.CognitiveServices/accounts/deployments`,
    /// including a trailing collection segment (`.../roleAssignments` for a list).
    pub fn resource_type(&self) -> Option<String> {
        match self.blocks.last() {
            Some(block) => {
                let mut parts = vec![block.namespace.as_str()];
                parts.extend(block.pairs.iter().map(|(t, _)| t.as_str()));
                parts.extend(self.trailing.as_deref());
                Some(parts.join("/"))
            }
            None if self.resource_group.is_some() || self.trailing.is_some() => {
                Some(RESOURCE_GROUPS.to_string())
            }
            None => None,
        }
    }

    /// The last name (resource group name for a resource group).
    pub fn name(&self) -> Option<&str> {
        match self.blocks.last() {
            Some(block) => block.pairs.last().map(|(_, n)| n.as_str()),
            None => self.resource_group.as_deref(),
        }
    }

    /// The containing resource: the previous pair, the scope of an extension resource, the
    /// resource group, or the subscription (an `ArmPath` with `is_subscription()`).
    pub fn parent(&self) -> Option<ArmPath> {
        let mut parent = self.clone();
        parent.trailing = None;
        if self.trailing.is_some() {
            // `{scope}/providers/NS/collection`: the scope, without the empty provider block.
            if parent.blocks.last().is_some_and(|b| b.pairs.is_empty()) {
                parent.blocks.pop();
            }
            return Some(parent);
        }
        match parent.blocks.last_mut() {
            Some(block) if block.pairs.len() > 1 => {
                block.pairs.pop();
            }
            Some(_) => {
                parent.blocks.pop();
            }
            None if parent.resource_group.is_some() => parent.resource_group = None,
            None => return None,
        }
        Some(parent)
    }

    /// Whether this is a nested (child) resource inside its provider block.
    pub fn is_child(&self) -> bool {
        self.blocks.last().is_some_and(|b| b.pairs.len() > 1)
    }

    pub fn id(&self) -> String {
        let mut id = format!("/subscriptions/{}", self.subscription);
        if let Some(rg) = &self.resource_group {
            id.push_str("/resourceGroups/");
            id.push_str(rg);
        }
        for block in &self.blocks {
            id.push_str("/providers/");
            id.push_str(&block.namespace);
            for (t, n) in &block.pairs {
                id.push('/');
                id.push_str(t);
                id.push('/');
                id.push_str(n);
            }
        }
        if let Some(trailing) = &self.trailing {
            id.push('/');
            id.push_str(trailing);
        }
        id
    }

    /// The lookup key: the id in lower case (ARM ids and names ignore case).
    pub fn key(&self) -> String {
        key(&self.id())
    }

    /// Rewrites the namespace and types of the last block in their canonical casing (`canonical`
    /// is the full type, e.g. `Microsoft.CognitiveServices/accounts/deployments`).
    pub fn with_canonical_type(mut self, canonical: &str) -> Self {
        let mut parts = canonical.split('/');
        if let Some(block) = self.blocks.last_mut() {
            let types: Vec<&str> = parts.clone().skip(1).collect();
            if types.len() == block.pairs.len() {
                if let Some(namespace) = parts.next() {
                    block.namespace = namespace.to_string();
                }
                for ((t, _), canonical_type) in block.pairs.iter_mut().zip(types) {
                    *t = canonical_type.to_string();
                }
            }
        }
        self
    }

    /// The id segment(s) this resource adds to its parent's id.
    pub fn own_suffix(&self) -> String {
        match self.blocks.last() {
            Some(block) => match block.pairs.last() {
                Some((t, n)) if block.pairs.len() > 1 => format!("/{t}/{n}"),
                Some((t, n)) => format!("/providers/{}/{t}/{n}", block.namespace),
                None => String::new(),
            },
            None => match &self.resource_group {
                Some(rg) => format!("/resourceGroups/{rg}"),
                None => String::new(),
            },
        }
    }

    /// The resource group path of this path (`None` at subscription level).
    pub fn resource_group_path(&self) -> Option<ArmPath> {
        self.resource_group.as_ref().map(|rg| ArmPath {
            subscription: self.subscription.clone(),
            resource_group: Some(rg.clone()),
            blocks: Vec::new(),
            trailing: None,
        })
    }

    /// The types of the last block in lower case, after the namespace (for routing).
    pub fn lower_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .blocks
            .last()
            .map(|b| {
                b.pairs
                    .iter()
                    .map(|(t, _)| t.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        types.extend(self.trailing.iter().map(|t| t.to_ascii_lowercase()));
        types
    }

    pub fn namespace_is(&self, namespace: &str) -> bool {
        self.blocks
            .last()
            .is_some_and(|b| b.namespace.eq_ignore_ascii_case(namespace))
    }

    /// The name paired with a type in the last block (first match, ignoring case).
    pub fn name_of(&self, resource_type: &str) -> Option<&str> {
        self.blocks.last().and_then(|b| {
            b.pairs
                .iter()
                .find(|(t, _)| t.eq_ignore_ascii_case(resource_type))
                .map(|(_, n)| n.as_str())
        })
    }
}

/// The lookup key for an id.
pub(crate) fn key(id: &str) -> String {
    id.trim_end_matches('/').to_lowercase()
}

/// Percent-decodes a path; invalid escapes are kept as they are.
pub(crate) fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            // Both digits are < 16, so the value fits a byte.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "/subscriptions/s/resourcegroups/RG/providers/Microsoft.CognitiveServices/accounts/a/deployments/d";

    #[test]
    fn parses_resources_children_and_extensions() {
        let path = ArmPath::parse(DEPLOYMENT).unwrap_or_else(|| panic!("no parse"));
        assert!(path.is_resource() && path.is_child());
        assert_eq!(
            path.resource_type().as_deref(),
            Some("Microsoft.CognitiveServices/accounts/deployments")
        );
        assert_eq!(path.name(), Some("d"));
        let account = path.parent().unwrap_or_else(|| panic!("no parent"));
        assert_eq!(account.name(), Some("a"));
        let rg = account.parent().unwrap_or_else(|| panic!("no rg"));
        assert_eq!(rg.id(), "/subscriptions/s/resourceGroups/RG");
        assert_eq!(rg.resource_type().as_deref(), Some(RESOURCE_GROUPS));
        assert!(rg.parent().is_some_and(|s| s.is_subscription()));

        let role = format!("{DEPLOYMENT}/providers/Microsoft.Authorization/roleAssignments/g");
        let role = ArmPath::parse(&role).unwrap_or_else(|| panic!("no parse"));
        assert_eq!(
            role.resource_type().as_deref(),
            Some("Microsoft.Authorization/roleAssignments")
        );
        assert_eq!(role.parent().map(|p| p.key()), Some(key(DEPLOYMENT)));
        assert_eq!(
            role.own_suffix(),
            "/providers/Microsoft.Authorization/roleAssignments/g"
        );
    }

    #[test]
    fn collections_actions_and_rejections() {
        let list =
            ArmPath::parse("/subscriptions/s/providers/Microsoft.Authorization/roleAssignments")
                .unwrap_or_else(|| panic!("no parse"));
        assert!(!list.is_resource());
        assert_eq!(list.trailing.as_deref(), Some("roleAssignments"));
        assert!(list.parent().is_some_and(|p| p.is_subscription()));
        let register = ArmPath::parse("/subscriptions/s/providers/Microsoft.Foo/register")
            .unwrap_or_else(|| panic!("no parse"));
        assert_eq!(register.lower_types(), ["register"]);
        assert!(ArmPath::parse("/subscriptions/s").is_some_and(|p| p.is_subscription()));
        assert!(ArmPath::parse("/subscriptions").is_none());
        assert!(ArmPath::parse("/tenants/x").is_none());
        assert!(ArmPath::parse("/subscriptions/s/other/x").is_none());
        assert!(ArmPath::parse("/subscriptions//resourceGroups/x").is_none());
    }

    #[test]
    fn canonical_casing_and_decoding() {
        let path = ArmPath::parse(
            "/subscriptions/s/resourceGroups/rg/providers/microsoft.cognitiveservices/ACCOUNTS/a",
        )
        .unwrap_or_else(|| panic!("no parse"))
        .with_canonical_type("Microsoft.CognitiveServices/accounts");
        assert_eq!(
            path.id(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a"
        );
        assert_eq!(decode("/a%20b/%zz/%41"), "/a b/%zz/A");
    }
}
