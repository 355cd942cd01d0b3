//! Scenario files (`xtask/conformance/*.yaml`): a `rest_api_source` config, the server's
//! behaviour, and what both sides (or, for a deliberate deviation, each side) must show.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;

use super::server::Origin;

/// Placeholder in configs, replies and expectations for the scenario server's origin.
pub const SERVER: &str = "$SERVER";
/// Placeholder for a second server: another origin (a different port), for cross-origin cases.
pub const OTHER: &str = "$OTHER";

/// One scenario as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The file stem; set when loading.
    #[serde(skip)]
    pub name: String,
    /// What the scenario shows, in a line.
    pub about: String,
    /// The `rest_api_source` config, given as-is to dlt and read by restgen as its spec.
    pub source: serde_yaml::Value,
    /// The resources to extract, in order; every resource of `source` when absent.
    #[serde(default)]
    pub resources: Option<Vec<String>>,
    /// How many times the resources are extracted; incremental state carries over.
    #[serde(default = "one")]
    pub runs: u32,
    /// The server's routes, tried in order; the first that matches answers.
    pub routes: Vec<Route>,
    /// What both sides must show (aspects left out are only compared between the sides).
    #[serde(default)]
    pub expect: Option<Expectation>,
    /// A documented deviation (a row of docs/deviations.md) this scenario asserts.
    #[serde(default)]
    pub deviation: Option<Deviation>,
    /// Extra secret strings to redact in the output (auth values are found by themselves).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The settings the config reads (`{config: start_date}`, dlt's
    /// `dlt.config["start_date"]`): dlt finds them in the environment, restgen's client is
    /// given them on its builder.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// restgen extensions (mapping keys such as `error_handler`) taken out of the config dlt
    /// runs, wherever they are: dlt would refuse the config, and the scenario compares what
    /// the extension means with dlt's behaviour without it.
    #[serde(default)]
    pub dlt_drops: Vec<String>,
}

fn one() -> u32 {
    1
}

/// A route: which requests it answers and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// `main` (`$SERVER`, the default) or `other` (`$OTHER`): which server serves it.
    #[serde(default)]
    pub server: Origin,
    /// The method, any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// The exact path.
    pub path: String,
    /// Query parameters that must be present with these values (a list for a repeated key);
    /// `null` means the parameter must be absent. Others may be present.
    #[serde(default)]
    pub query: BTreeMap<String, serde_yaml::Value>,
    /// The JSON body the request must carry, exactly.
    #[serde(default)]
    pub body: Option<Value>,
    /// The reply, written inline (when `sequence` is absent).
    #[serde(flatten)]
    pub reply: Reply,
    /// Replies given in turn to successive matching requests; the last one repeats.
    #[serde(default)]
    pub sequence: Option<Vec<SequenceReply>>,
    /// The replies, in turn: `sequence`, or the one inline reply. Set when loading.
    #[serde(skip)]
    pub replies: Vec<Reply>,
}

/// One reply of a `sequence`: a [`Reply`] whose unknown keys are errors. (Flattened into a
/// route, `Reply` cannot deny them itself; the route does.)
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceReply {
    #[serde(flatten)]
    reply: Reply,
}

/// One response.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct Reply {
    /// The status, 200 when absent.
    #[serde(default)]
    pub status: Option<u16>,
    /// Response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (sent with `content-type: application/json`).
    #[serde(default)]
    pub json: Option<Value>,
    /// A raw text body.
    #[serde(default)]
    pub text: Option<String>,
}

/// What a side must show. Absent aspects are not checked against a value.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Every request, rendered as the output shows it (`GET /items?offset=0&limit=10`).
    #[serde(default)]
    pub requests: Option<Vec<String>>,
    /// The number of records over every run and resource, or one count per run and resource.
    #[serde(default)]
    pub records: Option<Counts>,
    /// `null` or `false`: no resource fails; `true`: one fails; a string: the first failure's
    /// message contains it.
    #[serde(default, deserialize_with = "present")]
    pub error: Option<Option<Failure>>,
}

/// An expected failure.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Failure {
    /// `true`: some failure; `false`: none.
    Any(bool),
    /// A failure whose message contains this text.
    Containing(String),
}

impl Expectation {
    /// The expected failure: `None` when not checked, `Some(None)` for no failure, else the
    /// text the message contains (empty for any message).
    pub fn failure(&self) -> Option<Option<&str>> {
        self.error.as_ref().map(|e| match e {
            None | Some(Failure::Any(false)) => None,
            Some(Failure::Any(true)) => Some(""),
            Some(Failure::Containing(text)) => Some(text.as_str()),
        })
    }
}

/// Record counts: a total, or one per run and resource in order.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Counts {
    /// Over every run and resource.
    Total(usize),
    /// Per run and resource.
    Each(Vec<usize>),
}

/// A deliberate deviation: the documented row and what each side shows where they differ.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// The row number in docs/deviations.md.
    pub number: u32,
    /// dlt's side.
    pub dlt: Expectation,
    /// restgen's side.
    pub restgen: Expectation,
}

/// Deserializes a present field, so that `null` is `Some(None)` and absence `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Loads every `*.yaml` of `dir`, sorted by name.
pub fn load_all(dir: &Path) -> Result<Vec<Scenario>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// Loads and checks one scenario file.
pub fn load(path: &Path) -> Result<Scenario> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut scenario: Scenario =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    scenario.name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    for route in &mut scenario.routes {
        let inline = std::mem::take(&mut route.reply);
        route.replies = match route.sequence.take() {
            Some(_) if !inline.is_empty() => bail!(
                "{}: route {} has both `sequence` and a reply",
                path.display(),
                route.path
            ),
            Some(replies) if replies.is_empty() => {
                bail!(
                    "{}: route {} has an empty `sequence`",
                    path.display(),
                    route.path
                )
            }
            Some(replies) => replies.into_iter().map(|r| r.reply).collect(),
            None => vec![inline],
        };
        if route
            .replies
            .iter()
            .any(|r| r.json.is_some() && r.text.is_some())
        {
            bail!(
                "{}: route {} has both `json` and `text`",
                path.display(),
                route.path
            );
        }
    }
    if scenario.runs == 0 {
        bail!("{}: `runs` must be at least 1", path.display());
    }
    Ok(scenario)
}

impl Reply {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.headers.is_empty()
            && self.json.is_none()
            && self.text.is_none()
    }
}

impl Scenario {
    /// The resources to extract: as listed, or every resource of the config.
    pub fn resource_names(&self) -> Vec<String> {
        if let Some(names) = &self.resources {
            return names.clone();
        }
        let listed = self
            .source
            .get("resources")
            .and_then(serde_yaml::Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        listed
            .iter()
            .filter_map(|r| match r {
                serde_yaml::Value::String(name) => Some(name.clone()),
                other => other.get("name")?.as_str().map(str::to_string),
            })
            .collect()
    }

    /// The config with the servers' origins filled in.
    pub fn config_for(&self, main: &str, other: &str) -> serde_yaml::Value {
        let mut config = self.source.clone();
        substitute_yaml(&mut config, main, other);
        config
    }

    /// The config dlt runs: [`Scenario::config_for`] without the `dlt_drops` keys.
    pub fn dlt_config_for(&self, main: &str, other: &str) -> serde_yaml::Value {
        let mut config = self.config_for(main, other);
        if !self.dlt_drops.is_empty() {
            drop_keys(&mut config, &self.dlt_drops);
        }
        config
    }

    /// Every secret to redact: the config's credential values, the tokens the server hands
    /// out, the basic-auth encodings of user and password, and the listed extras.
    pub fn secrets(&self) -> Vec<String> {
        let mut found = self.secrets.clone();
        collect_yaml_secrets(&self.source, &mut found);
        for route in &self.routes {
            for reply in &route.replies {
                if let Some(json) = &reply.json {
                    collect_json_secrets(json, &mut found);
                }
            }
        }
        found.retain(|s| s.len() >= 3);
        found.sort_by_key(|s| std::cmp::Reverse(s.len()));
        found.dedup();
        found
    }
}

/// Removes every mapping entry whose key is one of `keys`, at any depth.
fn drop_keys(value: &mut serde_yaml::Value, keys: &[String]) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            map.retain(|key, _| !key.as_str().is_some_and(|k| keys.iter().any(|d| d == k)));
            for (_, item) in map.iter_mut() {
                drop_keys(item, keys);
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                drop_keys(item, keys);
            }
        }
        _ => {}
    }
}

/// Fills `$SERVER` / `$OTHER` into a text.
pub fn substitute(text: &str, main: &str, other: &str) -> String {
    text.replace(SERVER, main).replace(OTHER, other)
}

fn substitute_yaml(value: &mut serde_yaml::Value, main: &str, other: &str) {
    match value {
        serde_yaml::Value::String(s) => *s = substitute(s, main, other),
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                substitute_yaml(item, main, other);
            }
        }
        serde_yaml::Value::Mapping(map) => {
            for (_, item) in map.iter_mut() {
                substitute_yaml(item, main, other);
            }
        }
        serde_yaml::Value::Tagged(tagged) => substitute_yaml(&mut tagged.value, main, other),
        _ => {}
    }
}

/// Fills `$SERVER` / `$OTHER` into every string of a JSON value.
pub fn substitute_json(value: &mut Value, main: &str, other: &str) {
    map_strings(value, &|s| substitute(s, main, other));
}

/// The reverse of [`substitute`]: each side has its own servers, so the origins in what a
/// side returns are put back to `$SERVER` / `$OTHER` before the sides are compared.
pub fn unsubstitute(text: &str, main: &str, other: &str) -> String {
    text.replace(main, SERVER).replace(other, OTHER)
}

/// [`unsubstitute`] for every string (not keys) of a JSON value.
pub fn unsubstitute_json(value: &mut Value, main: &str, other: &str) {
    map_strings(value, &|s| unsubstitute(s, main, other));
}

fn map_strings(value: &mut Value, f: &dyn Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = f(s),
        Value::Array(items) => {
            for item in items {
                map_strings(item, f);
            }
        }
        Value::Object(map) => {
            for (_, item) in map.iter_mut() {
                map_strings(item, f);
            }
        }
        _ => {}
    }
}

/// The config keys whose values are credentials.
const SECRET_KEYS: &[&str] = &[
    "token",
    "api_key",
    "password",
    "client_secret",
    "client_id",
    "access_token",
];

fn collect_yaml_secrets(value: &serde_yaml::Value, found: &mut Vec<String>) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            let text = |key: &str| map.get(key).and_then(serde_yaml::Value::as_str);
            if let (Some(user), Some(password)) = (text("username"), text("password")) {
                use base64::Engine;
                found.push(
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
                );
            }
            for (key, item) in map {
                match (key.as_str(), item.as_str()) {
                    (Some(k), Some(v)) if SECRET_KEYS.contains(&k) => found.push(v.to_string()),
                    _ => collect_yaml_secrets(item, found),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                collect_yaml_secrets(item, found);
            }
        }
        _ => {}
    }
}

fn collect_json_secrets(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::String(v) if SECRET_KEYS.contains(&key.as_str()) => {
                        found.push(v.clone());
                    }
                    other => collect_json_secrets(other, found),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_json_secrets(item, found);
            }
        }
        _ => {}
    }
}
