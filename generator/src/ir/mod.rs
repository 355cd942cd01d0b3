//! The resolved model of a spec: defaults merged, shorthands expanded, paginator, auth and
//! retry resolved per resource, templates and selectors compiled, placeholders bound and
//! secrets listed. It is built from the runtime's own descriptor types, so what is emitted
//! is exactly what the runtime executes.

mod actions;
mod auth;
mod incremental;
pub mod issue;
pub mod jsonpath;
mod locate;
mod merge;
mod names;
mod paginator;
mod parents;
pub mod request;
pub mod template;

use std::borrow::Cow;

use restgen_runtime::descriptor::{
    AuthChoice, Method, PaginatorConfig, Param, ResourceDescriptor, RetryPolicy, ValueRef,
};
use restgen_runtime::selector::Selector;
use restgen_runtime::{ClientSpec, ValueSpec};

use crate::spec::model::{DataSelector, ErrorHandler, HttpMethod};
use crate::spec::span::{Seg, YamlPath};
use crate::spec::{Diagnostic, Diagnostics, LoadedSpec};
use issue::Issue;
use locate::{Located, Locator};

/// A resolved API: the client section and every resource.
#[derive(Debug, Clone)]
pub struct ApiIr {
    /// The API (and crate) name.
    pub api: String,
    /// The client section as the runtime takes it.
    pub client: ClientSpec,
    /// The resources in spec order.
    pub resources: Vec<ResourceIr>,
    /// Warnings found while resolving.
    pub warnings: Vec<Diagnostic>,
}

/// One resolved resource.
#[derive(Debug, Clone)]
pub struct ResourceIr {
    /// The name in the spec.
    pub name: String,
    /// What the runtime executes.
    pub descriptor: ResourceDescriptor,
    /// Arguments the caller or the parent supplies, in path then parameter order.
    pub args: Vec<PathArg>,
    /// The record's JSON Schema, if the spec has one.
    pub schema: Option<serde_json::Value>,
    /// Primary key columns (documentation).
    pub primary_key: Vec<String>,
    /// Parent fields copied into each child record by the fan-out.
    pub include_from_parent: Vec<String>,
}

impl ResourceIr {
    /// The parent resource, when every argument is bound from the same parent's fields.
    pub fn parent(&self) -> Option<&str> {
        let first = self.args.first()?.parent.as_ref()?.resource.as_str();
        self.args
            .iter()
            .all(|a| a.parent.as_ref().is_some_and(|p| p.resource == first))
            .then_some(first)
    }
}

/// An argument of a resource method.
#[derive(Debug, Clone, PartialEq)]
pub struct PathArg {
    /// The placeholder and Rust argument name.
    pub name: String,
    /// The parent field that supplies it, when the spec links one.
    pub parent: Option<ParentLink>,
    /// Where the placeholder or parameter that makes it is written.
    pub site: Site,
}

/// Where in an endpoint something is written: a path relative to the endpoint, and a
/// character offset inside the scalar there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// The path from the endpoint (`path`, or `params`, `<name>`).
    pub at: Vec<Seg>,
    /// The character offset inside the scalar.
    pub column: Option<usize>,
}

/// A link to a field of a parent resource's records.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentLink {
    /// The parent resource.
    pub resource: String,
    /// The field as written (a JSONPath).
    pub field: String,
    /// The compiled field path.
    pub selector: Selector,
}

impl ParentLink {
    fn default_arg_name(&self) -> String {
        format!("{}_{}", self.resource, self.field)
    }
}

/// Resolves a loaded spec, collecting every error with its location. On failure the
/// diagnostics hold the warnings too.
pub fn resolve(spec: &LoadedSpec) -> Result<ApiIr, Diagnostics> {
    let locator = Locator::new(spec);
    let file = &spec.config_file;
    let root = YamlPath::root();
    let mut issues: Vec<Located> = Vec::new();
    let mut warnings = Vec::new();

    let client_auth = match &spec.config.client.auth {
        Some(a) => match auth::resolve(a) {
            Ok(a) => Some(a),
            Err(e) => {
                issues.push(locator.at(root.key("client").key("auth"), e));
                None
            }
        },
        None => None,
    };
    let client_paginator = match &spec.config.client.paginator {
        Some(p) => paginator::resolve(p)
            .map_err(|e| issues.push(locator.at(root.key("client").key("paginator"), e)))
            .ok(),
        None => None,
    };
    if let Some(defaults) = &spec.config.resource_defaults
        && defaults.name.is_some()
    {
        let issue = Issue::new("`resource_defaults` cannot have a `name`")
            .at_key("name")
            .key()
            .label("a name belongs to one resource")
            .help("move it to the resource it names");
        issues.push(locator.at(root.key("resource_defaults"), issue));
    }

    let merged = merge::merge_resources(&spec.config);
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut resources = Vec::new();
    let mut positions = Vec::new();
    for (k, resource) in merged.iter().enumerate() {
        let Some(name) = resource.name.clone() else {
            let issue = Issue::new("a resource needs a `name`")
                .key()
                .label("this resource has no `name`")
                .help("add `name: <resource>`; it names the client's method and the schema file");
            issues.push(locator.at(locator.resource_path(k), issue));
            continue;
        };
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            let issue = Issue::new(format!("duplicate resource name `{name}`"))
                .at_key("name")
                .label("the name again")
                .note("each resource becomes a client method and a type, so names are unique");
            let mut located = locator.at(locator.resource_path(k), issue);
            located.extra.push((
                locator.resource_path(*first).key("name"),
                None,
                "first used here".into(),
            ));
            issues.push(located);
            continue;
        }
        names.push((name.clone(), k));
        match resolve_resource(&name, resource, client_paginator.as_ref(), spec) {
            Ok(r) => {
                resources.push(r);
                positions.push(k);
            }
            Err(found) => {
                for issue in found {
                    issues.push(locator.in_resource(k, &name, issue));
                }
            }
        }
    }
    for finding in parents::check(&resources, &spec.broken_resources) {
        let k = positions[finding.resource];
        let name = resources[finding.resource].name.clone();
        let mut located = locator.in_resource(k, &name, finding.issue);
        for (other, site, label) in finding.others {
            let other_k = positions[other];
            let other_name = &resources[other].name;
            let at = locator.in_resource(
                other_k,
                other_name,
                parents::site_issue(&site, String::new()),
            );
            located
                .extra
                .push((at.base.join(&at.issue.at), site.column, label));
        }
        issues.push(located);
    }

    for (position, issue, other) in names::check_resources(&resources) {
        let name = resources[position].name.clone();
        let mut located = locator.in_resource(positions[position], &name, issue);
        if let Some(other) = other {
            let at = locator.resource_path(positions[other]).key("name");
            located.extra.push((at, None, "the first".into()));
        }
        issues.push(located);
    }
    let values = collect_values(client_auth.as_ref(), &resources);
    for (value, problem, other) in names::check_values(&values) {
        let issue = Issue::new(problem)
            .label("the name of a secret or setting")
            .help("secret and setting names become builder setters: use letters, digits and `_`");
        let mut located = locator.at(locator.reference(&value), issue);
        if let Some(other) = other {
            located
                .extra
                .push((locator.reference(&other), None, "the first".into()));
        }
        issues.push(located);
    }
    // a resource with errors: whether it has a schema is beside the point
    let failed: Vec<&str> = issues
        .iter()
        .filter_map(|i| i.resource.as_deref())
        .collect();

    let all_names: Vec<&str> = names
        .iter()
        .map(|(n, _)| n.as_str())
        .chain(spec.broken_resources.iter().map(String::as_str))
        .collect();
    // with a nameless resource, which schema it meant is unknown
    let nameless = merged.iter().any(|r| r.name.is_none());
    for (stem, schema) in spec.schemas.iter().filter(|_| !nameless) {
        if !all_names.contains(&stem.as_str()) {
            let first_line = schema.text.find('\n').unwrap_or(schema.text.len());
            warnings.push(
                Diagnostic::warning(
                    &schema.file,
                    format!("no resource named `{stem}` uses this schema"),
                )
                .in_source(schema.text.clone())
                .at(0..first_line, "not used")
                .maybe_help(
                    crate::spec::diagnostic::did_you_mean(stem, &all_names)
                        .map(|h| format!("{h} a schema file is named after its resource")),
                ),
            );
        }
    }
    for (r, &k) in resources.iter().zip(&positions) {
        if r.schema.is_none()
            && !spec.broken_schemas.contains(&r.name)
            && !failed.contains(&r.name.as_str())
        {
            let at = locator
                .point(&locator.resource_path(k).key("name"), false)
                .or_else(|| locator.point(&locator.resource_path(k), false));
            warnings.push(
                Diagnostic::warning(
                    file,
                    format!(
                        "resource `{}` has no schema: its records are untyped JSON",
                        r.name
                    ),
                )
                .in_source(spec.source.clone())
                .at(at.unwrap_or(0..0), "no schema for this resource")
                .help(format!(
                    "add {}/schemas/{}.json, a JSON Schema of one record",
                    spec_dir(file),
                    r.name
                )),
            );
        }
    }

    if !issues.is_empty() {
        let mut all = locator.diagnostics(issues);
        all.extend(warnings);
        return Err(Diagnostics(all));
    }
    Ok(ApiIr {
        api: spec.api.clone(),
        client: ClientSpec {
            source: Cow::Owned(spec.api.clone()),
            base_url: Cow::Owned(spec.config.client.base_url.clone()),
            auth: client_auth,
            values: Cow::Owned(values),
            headers: Cow::Owned(client_headers(spec.config.client.headers.as_ref())),
        },
        resources,
        warnings,
    })
}

/// Client headers are static in dlt (no placeholders): each value is sent as written.
fn client_headers(headers: Option<&serde_yaml::Mapping>) -> Vec<Param> {
    headers
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| Param {
            name: Cow::Owned(request::scalar_text(k)),
            // the runtime fills `{name}` placeholders; a literal brace is doubled
            value: Cow::Owned(
                request::scalar_text(v)
                    .replace('{', "{{")
                    .replace('}', "}}"),
            ),
        })
        .collect()
}

fn spec_dir(config_file: &str) -> String {
    config_file
        .strip_suffix("/source.yaml")
        .unwrap_or(config_file)
        .to_string()
}

/// Keeps a part's value, or its issue (seen from the endpoint) for the list.
fn take<T>(issues: &mut Vec<Issue>, result: Result<T, Issue>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(issue) => {
            issues.push(issue);
            None
        }
    }
}

/// One resource; every independent part is checked, so all its issues are reported.
/// Issues are relative to the resource's entry.
fn resolve_resource(
    name: &str,
    resource: &merge::MergedResource,
    client_paginator: Option<&PaginatorConfig>,
    spec: &LoadedSpec,
) -> Result<ResourceIr, Vec<Issue>> {
    let mut issues = Vec::new();
    let endpoint = &resource.endpoint;
    let in_endpoint = |e: Issue| e.under("endpoint");
    let path = endpoint.path.clone().unwrap_or_else(|| name.to_string());
    let has_incremental = endpoint.incremental.clone().flatten().is_some();
    let mut bound = take(
        &mut issues,
        request::bind(&path, endpoint.params.as_ref(), has_incremental).map_err(in_endpoint),
    )
    .unwrap_or_default();
    let headers = take(
        &mut issues,
        request::bind_headers(endpoint.headers.as_ref(), &mut bound).map_err(in_endpoint),
    )
    .unwrap_or_default();
    if endpoint.data.is_some() {
        issues.push(
            Issue::new("form bodies (`data`) are not supported yet")
                .at_key("data")
                .key()
                .label("a form body")
                .help("send a JSON body with `json` instead")
                .under("endpoint"),
        );
    }
    let incremental = take(
        &mut issues,
        endpoint
            .incremental
            .clone()
            .flatten()
            .map(|block| incremental::resolve(&block, &resource.primary_key))
            .transpose()
            .map_err(|e| e.under("incremental").under("endpoint")),
    )
    .flatten();
    let response_actions = take(
        &mut issues,
        actions::resolve(endpoint.response_actions.as_deref().unwrap_or(&[]))
            .map_err(|e| e.under("response_actions").under("endpoint")),
    )
    .unwrap_or_default();
    let single_entity = restgen_runtime::paginate::single_entity_path(&path);
    let paginator = take(
        &mut issues,
        match endpoint.paginator.clone().flatten() {
            Some(p) => paginator::resolve(&p).map_err(|e| e.under("paginator").under("endpoint")),
            None if single_entity => Ok(PaginatorConfig::SinglePage),
            None => Ok(client_paginator.cloned().unwrap_or(PaginatorConfig::Auto)),
        },
    );
    let data_selector = take(
        &mut issues,
        match endpoint.data_selector.clone().flatten() {
            Some(DataSelector::Path(p)) => jsonpath::compile(&p)
                .map(Some)
                .map_err(|e| Issue::from(e).under("data_selector").under("endpoint")),
            Some(DataSelector::Fields(fields)) => Ok(Some(Selector::fields(fields))),
            None if single_entity => Ok(Some(Selector::ROOT)),
            None => Ok(None),
        },
    )
    .flatten();
    let auth = take(
        &mut issues,
        match &endpoint.auth {
            None => Ok(AuthChoice::Client),
            Some(None) => Ok(AuthChoice::None),
            Some(Some(a)) => auth::resolve(a)
                .map(AuthChoice::Endpoint)
                .map_err(|e| e.under("auth").under("endpoint")),
        },
    );
    let json_body = take(
        &mut issues,
        endpoint
            .json
            .as_ref()
            .map(|j| serde_json::to_string(j).map(Cow::Owned))
            .transpose()
            .map_err(|e| {
                Issue::new(format!("the JSON body cannot be written as JSON: {e}"))
                    .at_key("json")
                    .label("not JSON")
                    .under("endpoint")
            }),
    )
    .flatten();
    let retry = take(
        &mut issues,
        endpoint
            .error_handler
            .as_ref()
            .map(retry_policy)
            .transpose()
            .map_err(|e| e.under("error_handler").under("endpoint")),
    )
    .flatten();
    let (Some(paginator), Some(auth), true) = (paginator, auth, issues.is_empty()) else {
        return Err(issues);
    };
    let descriptor = ResourceDescriptor {
        name: Cow::Owned(name.to_string()),
        method: match endpoint.method {
            Some(HttpMethod::Post) => Method::Post,
            _ => Method::Get,
        },
        path: Cow::Owned(bound.path),
        params: Cow::Owned(bound.params),
        headers: Cow::Owned(headers),
        json_body,
        paginator,
        data_selector,
        auth,
        retry,
        response_actions: Cow::Owned(response_actions),
        incremental,
    };
    Ok(ResourceIr {
        name: name.to_string(),
        descriptor,
        args: bound.args,
        schema: spec.schemas.get(name).map(|s| s.schema.clone()),
        include_from_parent: resource.include_from_parent.clone(),
        primary_key: match &resource.primary_key {
            Some(serde_yaml::Value::String(s)) => vec![s.clone()],
            Some(serde_yaml::Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        },
    })
}

/// A per-endpoint retry policy; an issue is located relative to the `error_handler`.
fn retry_policy(handler: &ErrorHandler) -> Result<RetryPolicy, Issue> {
    let default = RetryPolicy::DLT_DEFAULT;
    if let Some(factor) = handler.backoff_factor
        && !(factor.is_finite() && factor >= 0.0)
    {
        return Err(Issue::new(format!(
            "`backoff_factor` must be a finite number of seconds, 0 or more, not {factor}"
        ))
        .at_key("backoff_factor")
        .label("waits are `backoff_factor * 2^(retry - 1)` seconds")
        .help("`backoff_factor: 1` waits 1, 2, 4, .. seconds"));
    }
    Ok(RetryPolicy {
        max_attempts: handler
            .max_retries
            .map_or(default.max_attempts, |r| r.saturating_add(1)),
        retry_statuses: handler
            .retry_on_status_codes
            .clone()
            .map_or(default.retry_statuses, Cow::Owned),
        backoff_factor: handler.backoff_factor.unwrap_or(default.backoff_factor),
        max_delay_secs: default.max_delay_secs,
        wait_header: handler.wait_from_header.clone().map(Cow::Owned),
    })
}

/// Every secret and setting the spec names, in first-use order; the client's own auth makes
/// its values required.
fn collect_values(
    client_auth: Option<&restgen_runtime::descriptor::AuthConfig>,
    resources: &[ResourceIr],
) -> Vec<ValueSpec> {
    let mut values: Vec<ValueSpec> = Vec::new();
    let mut add = |value: &ValueRef, required: bool| {
        let (name, secret) = match value {
            ValueRef::Literal(_) => return,
            ValueRef::Secret(n) => (n, true),
            ValueRef::Config(n) => (n, false),
        };
        if let Some(existing) = values.iter_mut().find(|v| v.name == *name) {
            existing.required |= required;
            existing.secret |= secret;
            return;
        }
        values.push(ValueSpec {
            name: name.clone(),
            secret,
            required,
        });
    };
    if let Some(auth) = client_auth {
        for v in auth::value_refs(auth) {
            add(v, true);
        }
    }
    for r in resources {
        if let AuthChoice::Endpoint(auth) = &r.descriptor.auth {
            for v in auth::value_refs(auth) {
                add(v, false);
            }
        }
    }
    values
}
