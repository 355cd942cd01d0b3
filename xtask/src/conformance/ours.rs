//! restgen's side of a scenario: the config read as a spec, resolved into the runtime's
//! descriptors (the path `cargo xtask run` takes, with no code generation) and run
//! in-process. A child resource runs as the generated `<child>_all` fan-out does.

use std::borrow::Cow;
use std::collections::BTreeMap;

use futures::{Stream, StreamExt};
use restgen::ir::{ApiIr, ResourceIr};
use restgen::{Severity, SpecFiles};
use restgen_runtime::{ClientBuilder, ClientCore, FanOut, Incremental, ResourceRequest};
use serde_json::Value;
use serde_json::value::RawValue;

use super::compare::ResourceResult;
use super::scenario::Scenario;

/// Runs every run and resource of a scenario against `config` (the servers filled in).
pub async fn run(scenario: &Scenario, config: &serde_yaml::Value) -> Vec<ResourceResult> {
    let names = scenario.resource_names();
    let api = match resolve(scenario, config) {
        Ok(api) => api,
        Err(error) => {
            return (0..scenario.runs)
                .flat_map(|_| failed(&names, &error))
                .collect();
        }
    };
    // One handle per resource and run; between runs each checkpoint is carried over the way a
    // caller persists it and resumes from it, as dlt keeps its state in the pipeline.
    let mut handles: BTreeMap<String, Incremental> = BTreeMap::new();
    let mut results = Vec::new();
    for _ in 0..scenario.runs {
        handles = handles
            .into_iter()
            .map(|(name, handle)| {
                let next = handle
                    .checkpoint()
                    .map_or_else(Incremental::new, Incremental::resume);
                (name, next)
            })
            .collect();
        // One client per run, as dlt builds the source anew for each run.
        // the scenario's settings, as a caller gives them to the generated builder
        let builder = scenario
            .settings
            .iter()
            .fold(ClientBuilder::default(), |b, (name, value)| {
                b.value(name, value.as_str())
            });
        let core = match builder.build(&api.client) {
            Ok(core) => core,
            Err(e) => {
                results.extend(failed(&names, &e.to_string()));
                continue;
            }
        };
        for name in &names {
            let (records, error) = match run_resource(&api, &core, name, &mut handles).await {
                Ok(records) => (records, None),
                Err((records, error)) => (records, Some(error)),
            };
            results.push(ResourceResult {
                resource: name.clone(),
                records,
                error,
            });
        }
    }
    results
}

/// Every resource failing with `error`, as when the config or the client is rejected.
fn failed<'a>(names: &'a [String], error: &'a str) -> impl Iterator<Item = ResourceResult> + 'a {
    names.iter().map(move |name| ResourceResult {
        resource: name.clone(),
        records: Vec::new(),
        error: Some(error.to_string()),
    })
}

/// The config as a spec: loaded from its YAML text and resolved, as `cargo xtask run` does.
/// A rejected config is every error found; warnings do not reject it.
fn resolve(scenario: &Scenario, config: &serde_yaml::Value) -> Result<ApiIr, String> {
    let text = serde_yaml::to_string(config).map_err(|e| e.to_string())?;
    let files = SpecFiles {
        api: "conformance".into(),
        shown_dir: format!("xtask/conformance/{}", scenario.name),
        config: Ok(text),
        schemas: Vec::new(),
        ignored: Vec::new(),
    };
    let (loaded, mut found) = restgen::spec::load(&files);
    let resolved = loaded.map(|loaded| restgen::ir::resolve(&loaded));
    if let Some(Err(more)) = &resolved {
        found.0.extend(more.0.iter().cloned());
    }
    found.0.retain(|d| d.severity == Severity::Error);
    match resolved {
        Some(Ok(api)) if found.0.is_empty() => Ok(api),
        _ if found.0.is_empty() => Err("the config could not be read".into()),
        _ => Err(found.to_string()),
    }
}

type Partial = (Vec<Value>, String);

async fn run_resource(
    api: &ApiIr,
    core: &ClientCore,
    name: &str,
    handles: &mut BTreeMap<String, Incremental>,
) -> Result<Vec<Value>, Partial> {
    let fail = |e: String| (Vec::new(), e);
    let find = |name: &str| -> Result<&ResourceIr, Partial> {
        api.resources
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| fail(format!("no resource `{name}`")))
    };
    let resource = find(name)?;
    let mut handle = |name: &str| handles.entry(name.to_string()).or_default().clone();
    let request = |r: &ResourceIr, handle: &Incremental| {
        ResourceRequest::<Value>::new(core.clone(), Cow::Owned(r.descriptor.clone()))
            .incremental(handle)
    };
    let Some(wiring) = &resource.fan_out else {
        if let Some(arg) = resource.args.first() {
            return Err(fail(format!(
                "`{name}` needs the argument `{}`, which no parent supplies",
                arg.name
            )));
        }
        return collect(request(resource, &handle(name)).stream(), |r| r).await;
    };
    let parent_name = wiring.parent.as_ref();
    let parent = find(parent_name)?;
    let parent_request: ResourceRequest<Box<RawValue>> =
        ResourceRequest::new(core.clone(), Cow::Owned(parent.descriptor.clone()))
            .incremental(&handle(parent_name));
    let included: Vec<String> = wiring
        .include_from_parent
        .iter()
        .map(|f| format!("_{parent_name}_{f}"))
        .collect();
    // the wiring the generated crate's `descriptors::fan_outs` static holds
    let fan_out = FanOut::wired(parent_request, request(resource, &handle(name)), wiring);
    // dlt merges only the `include_from_parent` fields into a child record; the fan-out also
    // carries the fields that bound the child's arguments, which a dlt record does not have.
    collect(fan_out.stream(), move |item| {
        let mut record = item.record;
        if let Value::Object(map) = &mut record {
            for (key, value) in item.parent {
                if included.contains(&key) {
                    map.insert(key, value);
                }
            }
        }
        record
    })
    .await
}

/// Drains a stream of records, keeping those before a failure.
async fn collect<S, T>(mut stream: S, to_value: impl Fn(T) -> Value) -> Result<Vec<Value>, Partial>
where
    S: Stream<Item = Result<T, restgen_runtime::Error>> + Unpin,
{
    let mut records = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(record) => records.push(to_value(record)),
            Err(e) => return Err((records, e.to_string())),
        }
    }
    Ok(records)
}
