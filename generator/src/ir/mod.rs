//! The resolved model of a spec: defaults merged, shorthands expanded, paginator, auth and
//! retry resolved per resource, templates and selectors compiled, placeholders bound and
//! secrets listed. It is built from the runtime's own descriptor types, so what is emitted
//! is exactly what the runtime executes.

mod auth;
mod incremental;
pub mod jsonpath;
mod merge;
mod paginator;
pub mod request;
pub mod template;
mod values;

pub use values::auth_values;
use values::{base_url_settings, collect_values};

use std::borrow::Cow;
use std::collections::BTreeSet;

use restgen_runtime::ClientSpec;
use restgen_runtime::descriptor::{
    AuthChoice, Method, PaginatorConfig, ResourceDescriptor, ResponseAction, RetryPolicy, Target,
    ValueRef,
};
use restgen_runtime::selector::Selector;

use crate::spec::model::{DataSelector, ErrorHandler, HttpMethod};
use crate::spec::{Diagnostic, Diagnostics, LoadedSpec, Severity, locate};

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
    /// Declared parameters the caller may override with a typed setter.
    pub settable_params: Vec<request::SettableParam>,
    /// Secrets and settings its parameters, headers or body send.
    pub values: Vec<ValueRef>,
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

/// Resolves a loaded spec, collecting every error with its location.
pub fn resolve(spec: &LoadedSpec) -> Result<ApiIr, Diagnostics> {
    let file = &spec.config_file;
    let text = &spec.config_text;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let at = |needle: &str, message: String| {
        let (line, column) = locate(text, needle);
        Diagnostic::error(file, text, line, column, message)
    };

    let client_auth = match &spec.config.client.auth {
        Some(a) => match auth::resolve(a) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.push(at("auth:", format!("client.auth: {e}")));
                None
            }
        },
        None => None,
    };
    let client_paginator = match &spec.config.client.paginator {
        Some(p) => paginator::resolve(p)
            .map_err(|e| errors.push(at("paginator:", format!("client.paginator: {e}"))))
            .ok(),
        None => None,
    };

    let merged = merge::merge_resources(&spec.config);
    let mut names = BTreeSet::new();
    let mut resources = Vec::new();
    for (index, resource) in merged.iter().enumerate() {
        let Some(name) = resource.name.clone() else {
            errors.push(Diagnostic::unlocated(
                file,
                format!("resources[{index}]: missing field `name`"),
            ));
            continue;
        };
        // Point at the key the message is about (`paginator: ...`), inside this resource's
        // entry when it is written there, else at the resource's name. Only on an error: the
        // search runs over the whole spec, which per resource would make generation
        // quadratic in the number of resources.
        let fail = |message: String| {
            let anchor = format!("name: {name}");
            let anchor = if text.contains(&anchor) {
                anchor
            } else {
                name.clone()
            };
            let start = text.find(&anchor).unwrap_or(0);
            let end = text[start + anchor.len()..]
                .find("\n  - ")
                .map_or(text.len(), |e| start + anchor.len() + e);
            let key = message
                .split_once(':')
                .map(|(k, _)| format!("{}:", k.split('[').next().unwrap_or(k)));
            let (line, column) = key
                .and_then(|k| crate::spec::locate_after(&text[..end], &k, start))
                .unwrap_or_else(|| locate(text, &anchor));
            Diagnostic::error(
                file,
                text,
                line,
                column,
                format!("resource `{name}`: {message}"),
            )
        };
        if !names.insert(name.clone()) {
            errors.push(fail("duplicate resource name".into()));
            continue;
        }
        match resolve_resource(&name, resource, client_paginator.as_ref(), spec) {
            Ok(r) => resources.push(r),
            Err(e) => errors.push(fail(e)),
        }
    }
    check_parents(&resources, &mut |name, message| {
        errors.push(at(
            &format!("name: {name}"),
            format!("resource `{name}`: {message}"),
        ));
    });

    for (stem, schema) in &spec.schemas {
        if !names.contains(stem) {
            warnings.push(Diagnostic {
                severity: Severity::Warning,
                ..Diagnostic::unlocated(
                    &schema.file,
                    format!("no resource named `{stem}` uses this schema"),
                )
            });
        }
    }
    for r in &resources {
        if r.schema.is_none() {
            warnings.push(Diagnostic {
                severity: Severity::Warning,
                ..Diagnostic::unlocated(
                    file,
                    format!("resource `{}` has no schema ({}/schemas/{}.json): its records are untyped JSON", r.name, spec_dir(file), r.name),
                )
            });
        }
    }

    let mut client_bound = request::BoundRequest::default();
    let client_headers =
        request::bind_headers(spec.config.client.headers.as_ref(), &mut client_bound)
            .unwrap_or_else(|e| {
                errors.push(at("headers:", format!("client.headers: {e}")));
                Vec::new()
            });
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    // `{subdomain}` in the base URL: a setting of the client, as `{config.subdomain}`
    let base_url = base_url_settings(&spec.config.client.base_url, &mut client_bound.values);
    let values = collect_values(client_auth.as_ref(), &client_bound.values, &resources);
    Ok(ApiIr {
        api: spec.api.clone(),
        client: ClientSpec {
            source: Cow::Owned(spec.api.clone()),
            base_url: Cow::Owned(base_url),
            auth: client_auth,
            values: Cow::Owned(values),
            headers: Cow::Owned(client_headers),
        },
        resources,
        warnings,
    })
}

fn spec_dir(config_file: &str) -> String {
    config_file
        .strip_suffix("/source.yaml")
        .unwrap_or(config_file)
        .to_string()
}

/// The query parameters a paginator sets itself, over any the spec declares.
pub fn paginator_params(paginator: &PaginatorConfig) -> Vec<&str> {
    fn query(t: &Target) -> Option<&str> {
        match t {
            Target::Query(name) => Some(name),
            Target::Body(_) => None,
        }
    }
    fn size(s: &Option<restgen_runtime::descriptor::PageSize>) -> Option<&str> {
        s.as_ref().and_then(|s| query(&s.target))
    }
    match paginator {
        PaginatorConfig::HeaderCursor { cursor_param, .. } => vec![&**cursor_param],
        PaginatorConfig::Cursor(c) => [query(&c.target), size(&c.page_size)]
            .into_iter()
            .flatten()
            .collect(),
        PaginatorConfig::Offset(o) => [query(&o.offset_target), query(&o.limit_target)]
            .into_iter()
            .flatten()
            .collect(),
        PaginatorConfig::PageNumber(p) => [query(&p.page_target), size(&p.page_size)]
            .into_iter()
            .flatten()
            .collect(),
        PaginatorConfig::SinglePage
        | PaginatorConfig::Auto
        | PaginatorConfig::JsonLink { .. }
        | PaginatorConfig::HeaderLink { .. } => Vec::new(),
    }
}

fn resolve_resource(
    name: &str,
    resource: &merge::MergedResource,
    client_paginator: Option<&PaginatorConfig>,
    spec: &LoadedSpec,
) -> Result<ResourceIr, String> {
    let endpoint = &resource.endpoint;
    let path = endpoint.path.clone().unwrap_or_else(|| name.to_string());
    let block = endpoint.incremental.clone().flatten();
    let (params, param_block) =
        incremental::split_param(endpoint.params.as_ref()).map_err(|e| format!("params: {e}"))?;
    if block.is_some() && param_block.is_some() {
        return Err(
            "an endpoint has at most one incremental: an `incremental` block or an incremental \
             parameter, not both"
                .into(),
        );
    }
    // `{incremental.*}` placeholders need the block, as in dlt; the parameter form has none.
    let mut bound = request::bind(&path, params.as_ref(), block.is_some())?;
    let headers = request::bind_headers(endpoint.headers.as_ref(), &mut bound)?;
    if endpoint.data.is_some() {
        return Err("form bodies (`data`) are not supported yet; use `json`".into());
    }
    let incremental = block
        .or(param_block)
        .map(|block| incremental::resolve(&block, &resource.primary_key))
        .transpose()
        .map_err(|e| format!("incremental: {e}"))?;
    let mut response_actions =
        response_actions(endpoint.response_actions.as_deref().unwrap_or(&[]))?;
    // `error_handler.ignore_status_codes` is the seed dialect's spelling of ignore actions
    let ignored = endpoint
        .error_handler
        .iter()
        .flat_map(|h| h.ignore_status_codes.iter().flatten());
    for &status in ignored {
        response_actions.push(ResponseAction {
            status_code: Some(status),
            content: None,
        });
    }
    let single_entity = restgen_runtime::paginate::single_entity_path(&path);
    let paginator = match endpoint.paginator.clone().flatten() {
        Some(p) => paginator::resolve(&p).map_err(|e| format!("paginator: {e}"))?,
        None if single_entity => PaginatorConfig::SinglePage,
        None => client_paginator.cloned().unwrap_or(PaginatorConfig::Auto),
    };
    let data_selector = match endpoint.data_selector.clone().flatten() {
        Some(DataSelector::Path(p)) => {
            Some(jsonpath::compile(&p).map_err(|e| format!("data_selector: {e}"))?)
        }
        Some(DataSelector::Fields(fields)) => Some(Selector::fields(fields)),
        None if single_entity => Some(Selector::ROOT),
        None => None,
    };
    let auth = match &endpoint.auth {
        None => AuthChoice::Client,
        Some(None) => AuthChoice::None,
        Some(Some(a)) => AuthChoice::Endpoint(auth::resolve(a).map_err(|e| format!("auth: {e}"))?),
    };
    let json_body = endpoint
        .json
        .as_ref()
        .map(|j| {
            let bound_json = request::bind_json(j, &mut bound)?;
            serde_json::to_string(&bound_json)
                .map(Cow::Owned)
                .map_err(|e| format!("json: {e}"))
        })
        .transpose()?;
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
        retry: endpoint.error_handler.as_ref().map(retry_policy),
        response_actions: Cow::Owned(response_actions),
        incremental,
    };
    // the paginator sets its own parameters on every page; a setter for one would be
    // overwritten, or worse, make the page size disagree with the paginator's step
    let settable_params = bound
        .settable
        .into_iter()
        .filter(|p| !paginator_params(&descriptor.paginator).contains(&p.name.as_str()))
        .collect();
    Ok(ResourceIr {
        name: name.to_string(),
        descriptor,
        values: bound.values,
        args: bound.args,
        // the paginator sets its own parameters on every page; a setter for one would be
        // overwritten, or worse, make the page size disagree with the paginator's step
        settable_params,
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

/// `response_actions` as written: maps with `status_code` and/or `content`, and
/// `action: ignore` (dlt's only declarative action; callables cannot be written in a spec).
fn response_actions(actions: &[serde_yaml::Value]) -> Result<Vec<ResponseAction>, String> {
    let mut out = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let at = format!("response_actions[{i}]");
        let serde_yaml::Value::Mapping(map) = action else {
            return Err(format!(
                "{at}: expected a map with `status_code`, `content` and `action`"
            ));
        };
        let mut entry = ResponseAction {
            status_code: None,
            content: None,
        };
        let mut ignore = false;
        for (key, value) in map {
            match (key.as_str(), value) {
                (Some("status_code"), serde_yaml::Value::Number(n)) => {
                    let code = n.as_u64().and_then(|c| u16::try_from(c).ok());
                    entry.status_code = Some(
                        code.ok_or_else(|| format!("{at}: `status_code` {n} is not a status"))?,
                    );
                }
                (Some("status_code"), other) => {
                    return Err(format!(
                        "{at}: `status_code` must be an integer (dlt compares with `==`, so \
                         the string `{}` would never match)",
                        request::scalar_text(other)
                    ));
                }
                (Some("content"), serde_yaml::Value::String(text)) => {
                    entry.content = Some(Cow::Owned(text.clone()));
                }
                (Some("action"), serde_yaml::Value::String(a)) if a == "ignore" => ignore = true,
                (Some("action"), other) => {
                    return Err(format!(
                        "{at}: action `{}` is not supported; restgen supports `ignore` (callable \
                         actions cannot be written in a spec)",
                        request::scalar_text(other)
                    ));
                }
                (Some(other), _) => {
                    return Err(format!(
                        "{at}: unknown key `{other}`; expected `status_code`, `content`, `action`"
                    ));
                }
                (None, _) => return Err(format!("{at}: keys must be strings")),
            }
        }
        if !ignore {
            return Err(format!("{at}: needs `action: ignore`"));
        }
        if entry.status_code.is_none() && entry.content.is_none() {
            return Err(format!(
                "{at}: needs `status_code` or `content`; an unconditional ignore would drop every response"
            ));
        }
        out.push(entry);
    }
    Ok(out)
}

fn retry_policy(handler: &ErrorHandler) -> RetryPolicy {
    let default = RetryPolicy::DLT_DEFAULT;
    RetryPolicy {
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
    }
}

fn check_parents(resources: &[ResourceIr], report: &mut dyn FnMut(&str, String)) {
    let parent_of = |r: &ResourceIr| -> Option<String> {
        r.args
            .iter()
            .find_map(|a| a.parent.as_ref().map(|p| p.resource.clone()))
    };
    for r in resources {
        let parents: BTreeSet<_> = r
            .args
            .iter()
            .filter_map(|a| a.parent.as_ref().map(|p| p.resource.as_str()))
            .collect();
        if parents.len() > 1 {
            report(
                &r.name,
                format!("more than one parent resource: {parents:?}"),
            );
            continue;
        }
        let Some(parent) = parent_of(r) else {
            if !r.include_from_parent.is_empty() {
                report(
                    &r.name,
                    "`include_from_parent` needs a parent resource (a `{resources.<parent>.<field>}` \
                     placeholder or a `resolve` parameter)"
                        .into(),
                );
            }
            continue;
        };
        if !resources.iter().any(|p| p.name == parent) {
            let names: Vec<&str> = resources.iter().map(|p| p.name.as_str()).collect();
            let hint = crate::spec::diagnostic::closest(&parent, &names)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            report(&r.name, format!("unknown parent resource `{parent}`{hint}"));
            continue;
        }
        let mut seen = vec![r.name.clone()];
        let mut current = Some(parent);
        while let Some(name) = current {
            if seen.contains(&name) {
                seen.push(name);
                report(
                    &r.name,
                    format!("parent resources form a cycle: {}", seen.join(" -> ")),
                );
                break;
            }
            seen.push(name.clone());
            current = resources
                .iter()
                .find(|p| p.name == name)
                .and_then(parent_of);
        }
    }
}
