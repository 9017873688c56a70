//! The config file's known keys (one table, [`ROOT`], that validation reads
//! too), OpenClaw's dotted paths for them ([`canonical_key`]), and the known
//! key a misspelt one may be ([`suggest`]).

/// What a known key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A value: a string, number, boolean, or a list of those.
    Value,
    /// An object with these members.
    Object(&'static [Field]),
    /// A list of objects with these members.
    List(&'static [Field]),
}

/// One known member of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    /// Its name in the file.
    pub name: &'static str,
    /// What it holds.
    pub shape: Shape,
}

const fn value(name: &'static str) -> Field {
    Field {
        name,
        shape: Shape::Value,
    }
}

const fn object(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        shape: Shape::Object(fields),
    }
}

const fn list(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        shape: Shape::List(fields),
    }
}

/// The top level of the config file (DESIGN.md, "Config file").
pub(crate) const ROOT: &[Field] = &[
    value("region"),
    value("model"),
    object("discovery", DISCOVERY),
    object("guardrail", GUARDRAIL),
    list("models", MODEL),
    object("embeddings", EMBEDDINGS),
    object("endpoints", ENDPOINTS),
    object("gateway", GATEWAY),
];

/// `discovery`.
pub(crate) const DISCOVERY: &[Field] = &[
    value("enabled"),
    value("region"),
    value("providerFilter"),
    value("refreshInterval"),
    value("defaultContextWindow"),
    value("defaultMaxTokens"),
    value("includeInferenceProfiles"),
];

/// `guardrail`.
pub(crate) const GUARDRAIL: &[Field] = &[
    value("guardrailIdentifier"),
    value("guardrailVersion"),
    value("streamProcessingMode"),
    value("trace"),
];

/// `models[]`.
pub(crate) const MODEL: &[Field] = &[
    value("id"),
    value("name"),
    value("reasoning"),
    value("input"),
    value("contextWindow"),
    value("maxTokens"),
    object("cost", COST),
];

/// `models[].cost`.
pub(crate) const COST: &[Field] = &[
    value("input"),
    value("output"),
    value("cacheRead"),
    value("cacheWrite"),
];

/// `embeddings`.
pub(crate) const EMBEDDINGS: &[Field] = &[value("model"), value("dimensions")];

/// `endpoints`.
pub(crate) const ENDPOINTS: &[Field] = &[value("runtime"), value("control")];

/// `gateway`.
pub(crate) const GATEWAY: &[Field] = &[
    value("maxConcurrent"),
    list("keys", GATEWAY_KEY),
    value("promptCaching"),
    value("keepaliveSeconds"),
    value("idleTimeoutSeconds"),
    value("listen"),
];

/// `gateway.keys[]`.
pub(crate) const GATEWAY_KEY: &[Field] = &[
    value("name"),
    value("sha256"),
    value("models"),
    value("rpm"),
    value("tpm"),
];

/// OpenClaw's dotted paths and the keys they stand for: the path itself, or a
/// key under it, maps to the same key under ours.
const OPENCLAW_ALIASES: &[(&str, &str)] = &[
    (
        "plugins.entries.amazon-bedrock.config.discovery",
        "discovery",
    ),
    ("models.bedrockDiscovery", "discovery"),
    (
        "plugins.entries.amazon-bedrock.config.guardrail",
        "guardrail",
    ),
    ("agents.defaults.model.primary", "model"),
    ("agents.defaults.memorySearch.model", "embeddings.model"),
];

/// Our key for one of OpenClaw's dotted paths; `None` when `key` is not one.
///
/// ```
/// use bedrock_lite::config::canonical_key;
/// assert_eq!(
///     canonical_key("plugins.entries.amazon-bedrock.config.discovery.enabled").as_deref(),
///     Some("discovery.enabled"),
/// );
/// assert_eq!(canonical_key("models.bedrockDiscovery.providerFilter[0]").as_deref(),
///     Some("discovery.providerFilter[0]"));
/// assert_eq!(canonical_key("agents.defaults.model.primary").as_deref(), Some("model"));
/// assert_eq!(canonical_key("discovery.enabled"), None);
/// ```
pub fn canonical_key(key: &str) -> Option<String> {
    OPENCLAW_ALIASES.iter().find_map(|(alias, ours)| {
        let rest = key.strip_prefix(alias)?;
        (rest.is_empty() || rest.starts_with(['.', '['])).then(|| format!("{ours}{rest}"))
    })
}

/// Whether `prefix` is one of OpenClaw's aliased paths or lies above one
/// (`plugins`, `agents.defaults`, ...).
pub(crate) fn leads_to_alias(prefix: &str) -> bool {
    OPENCLAW_ALIASES.iter().any(|(alias, _)| {
        alias
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// One step of a dotted key, as written.
struct Segment<'k> {
    /// The name before any `[n]` (a plain number is an index).
    name: &'k str,
    /// `[n]...` after the name, kept as written.
    indexes: &'k str,
}

fn segments(key: &str) -> impl Iterator<Item = Segment<'_>> {
    key.split('.').map(|part| {
        let (name, indexes) = part.split_at(part.find('[').unwrap_or(part.len()));
        Segment { name, indexes }
    })
}

/// What a known key holds; `None` when `key` is not a known key. Indexes
/// (`models[0]`, `models.0`) step into lists.
pub(crate) fn shape_of(key: &str) -> Option<Shape> {
    let mut shape = Shape::Object(ROOT);
    for segment in segments(key) {
        shape = step(shape, segment.name)?;
        for _ in segment.indexes.split('[').skip(1) {
            shape = index_into(shape)?;
        }
    }
    Some(shape)
}

/// The shape one named step below `shape`.
fn step(shape: Shape, name: &str) -> Option<Shape> {
    if name.parse::<usize>().is_ok() {
        return index_into(shape);
    }
    match shape {
        Shape::Object(fields) => fields.iter().find(|f| f.name == name).map(|f| f.shape),
        _ => None,
    }
}

/// The shape of an item of `shape`, when it is a list.
fn index_into(shape: Shape) -> Option<Shape> {
    match shape {
        Shape::List(fields) => Some(Shape::Object(fields)),
        // A list of plain values, like `discovery.providerFilter`.
        Shape::Value => Some(Shape::Value),
        Shape::Object(_) => None,
    }
}

/// The known key that `key` may be a misspelling of: each unknown name is
/// replaced by the closest known one at its level (a small edit distance,
/// case and swapped letters included). `None` when `key` is known or nothing
/// is close.
///
/// ```
/// use bedrock_lite::config::suggest;
/// assert_eq!(suggest("discovery.refreshIntervl").as_deref(), Some("discovery.refreshInterval"));
/// assert_eq!(suggest("gaurdrail.trace").as_deref(), Some("guardrail.trace"));
/// assert_eq!(suggest("models[0].maxTokns").as_deref(), Some("models[0].maxTokens"));
/// assert_eq!(suggest("discovery.region"), None);
/// assert_eq!(suggest("colour"), None);
/// ```
pub fn suggest(key: &str) -> Option<String> {
    let mut shape = Shape::Object(ROOT);
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for segment in segments(key) {
        let name = match step(shape, segment.name) {
            Some(next) => {
                shape = next;
                segment.name
            }
            None => {
                let Shape::Object(fields) = shape else {
                    return None;
                };
                let field = closest(segment.name, fields)?;
                changed = true;
                shape = field.shape;
                field.name
            }
        };
        for _ in segment.indexes.split('[').skip(1) {
            shape = index_into(shape)?;
        }
        out.push(format!("{name}{}", segment.indexes));
    }
    changed.then(|| out.join("."))
}

/// The field whose name is closest to `name`, if close enough to be a typo:
/// at most two edits, and at most one for every three letters.
fn closest(name: &str, fields: &[Field]) -> Option<Field> {
    let wanted: Vec<char> = name.to_lowercase().chars().collect();
    fields
        .iter()
        .filter_map(|field| {
            let known: Vec<char> = field.name.to_lowercase().chars().collect();
            let distance = edit_distance(&wanted, &known, 2)?;
            (distance * 3 <= known.len()).then_some((distance, *field))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, field)| field)
}

/// The optimal string alignment distance (insertions, deletions,
/// substitutions and swaps of neighbours) between `a` and `b`, when it is at
/// most `limit`.
fn edit_distance(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // rows[i][j]: the distance between a[..i] and b[..j]; three rows suffice.
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn distance(a: &str, b: &str) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b, 3)
    }

    #[test]
    fn distances() {
        assert_eq!(distance("trace", "trace"), Some(0));
        assert_eq!(distance("trcae", "trace"), Some(1));
        assert_eq!(distance("trac", "trace"), Some(1));
        assert_eq!(distance("tracex", "trace"), Some(1));
        assert_eq!(distance("tarce", "trace"), Some(1));
        assert_eq!(distance("ecart", "trace"), None);
        assert_eq!(distance("", "abc"), Some(3));
        assert_eq!(distance("", "abcd"), None);
    }

    #[test]
    fn every_known_key_is_known_and_needs_no_suggestion() {
        fn walk(prefix: &str, fields: &[Field], keys: &mut Vec<String>) {
            for field in fields {
                let key = if prefix.is_empty() {
                    field.name.to_owned()
                } else {
                    format!("{prefix}.{}", field.name)
                };
                match field.shape {
                    Shape::Value => {}
                    Shape::Object(inner) => walk(&key, inner, keys),
                    Shape::List(inner) => walk(&format!("{key}[0]"), inner, keys),
                }
                keys.push(key);
            }
        }
        let mut keys = Vec::new();
        walk("", ROOT, &mut keys);
        assert!(keys.len() > 30, "{keys:?}");
        for key in &keys {
            assert!(shape_of(key).is_some(), "{key}");
            assert_eq!(suggest(key), None, "{key}");
        }
        assert!(keys.contains(&"gateway.keys[0].sha256".to_owned()));
        assert!(keys.contains(&"endpoints.control".to_owned()));
    }

    #[test]
    fn shapes() {
        assert_eq!(shape_of("discovery"), Some(Shape::Object(DISCOVERY)));
        assert_eq!(shape_of("models"), Some(Shape::List(MODEL)));
        assert_eq!(shape_of("models.2"), Some(Shape::Object(MODEL)));
        assert_eq!(shape_of("models[2].cost.cacheRead"), Some(Shape::Value));
        assert_eq!(shape_of("discovery.providerFilter[1]"), Some(Shape::Value));
        assert_eq!(shape_of("discovery[0]"), None);
        assert_eq!(shape_of("discovery.nothing"), None);
        assert_eq!(shape_of("region.deeper"), None);
        assert_eq!(shape_of(""), None);
    }

    #[test]
    fn misspellings() {
        for (typo, known) in [
            ("discovery.refreshIntervl", "discovery.refreshInterval"),
            ("gaurdrail.trace", "guardrail.trace"),
            ("Region", "region"),
            ("modle", "model"),
            ("discovery.providerfilter", "discovery.providerFilter"),
            ("gateway.keys[1].sha265", "gateway.keys[1].sha256"),
            ("gatway.maxConcurent", "gateway.maxConcurrent"),
            ("endpoint.runtime", "endpoints.runtime"),
            ("embedings.model", "embeddings.model"),
        ] {
            assert_eq!(suggest(typo).as_deref(), Some(known), "{typo}");
        }
        for far in [
            "colour",
            "discovery.x",
            "models[0].id.x",
            "region.x",
            "a..b",
            "",
            "guardrail.trace.deeper",
        ] {
            assert_eq!(suggest(far), None, "{far}");
        }
    }

    #[test]
    fn aliases() {
        for (alias, ours) in [
            (
                "plugins.entries.amazon-bedrock.config.discovery.enabled",
                "discovery.enabled",
            ),
            (
                "plugins.entries.amazon-bedrock.config.discovery",
                "discovery",
            ),
            ("models.bedrockDiscovery.region", "discovery.region"),
            (
                "plugins.entries.amazon-bedrock.config.guardrail.trace",
                "guardrail.trace",
            ),
            ("agents.defaults.model.primary", "model"),
            ("agents.defaults.memorySearch.model", "embeddings.model"),
        ] {
            assert_eq!(canonical_key(alias).as_deref(), Some(ours), "{alias}");
            assert!(shape_of(ours).is_some(), "{ours}");
        }
        for not_alias in [
            "models.bedrockDiscoveryX",
            "agents.defaults.model",
            "plugins.entries.amazon-bedrock.config",
            "discovery.enabled",
        ] {
            assert_eq!(canonical_key(not_alias), None, "{not_alias}");
        }
        assert!(leads_to_alias("plugins"));
        assert!(leads_to_alias("agents.defaults"));
        assert!(leads_to_alias("models.bedrockDiscovery"));
        assert!(!leads_to_alias("agents.defaults.mod"));
        assert!(!leads_to_alias("channels"));
    }

    proptest! {
        #[test]
        fn suggestions_are_known_keys_and_never_panic(key in "[a-zA-Z0-9.\\[\\]]{0,40}") {
            if let Some(known) = suggest(&key) {
                prop_assert!(shape_of(&known).is_some(), "{} -> {}", key, known);
                prop_assert!(shape_of(&key).is_none());
            }
            let _ = canonical_key(&key);
        }

        #[test]
        fn distance_is_symmetric_and_bounded(a in "[a-d]{0,8}", b in "[a-d]{0,8}") {
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            prop_assert_eq!(edit_distance(&x, &y, 16), edit_distance(&y, &x, 16));
            let d = edit_distance(&x, &y, 16).unwrap_or(usize::MAX);
            prop_assert!(d <= x.len().max(y.len()));
            prop_assert_eq!(d == 0, a == b);
        }
    }
}
