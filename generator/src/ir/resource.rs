//! Resolves one resource: its endpoint's request (path, params, headers, JSON body), paginator,
//! selector, auth, incremental, retry and response actions. Every independent part is
//! checked, so all of a resource's issues are reported in one run.

use std::borrow::Cow;

use restgen_runtime::descriptor::{
    AuthChoice, Method, PaginatorConfig, ResourceDescriptor, ResponseAction, RetryPolicy,
};
use restgen_runtime::selector::Selector;

use super::issue::Issue;
use super::{
    ResourceIr, actions, auth, headers, incremental, jsonpath, merge, paginator, request, steps,
};
use crate::spec::LoadedSpec;
use crate::spec::model::{DataSelector, ErrorHandler, HttpMethod};

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

/// The endpoint's incremental: its `incremental` block, or dlt's incremental parameter, not
/// both. Issues are relative to the endpoint.
fn resolve_incremental(
    block: Option<&serde_yaml::Value>,
    param: Option<&incremental::ParamBlock>,
    primary_key: &Option<serde_yaml::Value>,
) -> Result<Option<restgen_runtime::incremental::IncrementalConfig>, Issue> {
    match (block, param) {
        (Some(_), Some(param)) => Err(Issue::new(
            "an endpoint has at most one incremental: an `incremental` block or an incremental \
             parameter, not both",
        )
        .at_key("params")
        .at_key(&param.name)
        .key()
        .label("an incremental parameter")
        .also("incremental", "and an `incremental` block")
        .help("keep the block and use `{incremental.start_value}` in the parameter")),
        (Some(block), None) => incremental::resolve(block, primary_key)
            .map(Some)
            .map_err(|e| e.under("incremental")),
        (None, Some(param)) => incremental::resolve(&param.block, primary_key)
            .map(Some)
            .map_err(|e| e.under(&param.name).under("params")),
        (None, None) => Ok(None),
    }
}

/// One resource; every independent part is checked, so all its issues are reported.
/// Issues are relative to the resource's entry.
pub fn resolve(
    name: &str,
    resource: &merge::MergedResource,
    client_paginator: Option<&PaginatorConfig>,
    spec: &LoadedSpec,
) -> Result<ResourceIr, Vec<Issue>> {
    let mut issues = Vec::new();
    let endpoint = &resource.endpoint;
    let in_endpoint = |e: Issue| e.under("endpoint");
    let path = endpoint.path.clone().unwrap_or_else(|| name.to_string());
    let block = endpoint.incremental.clone().flatten();
    let (params, param_block) = incremental::split_param(endpoint.params.as_ref());
    let param_block = take(
        &mut issues,
        param_block.map_err(|e| e.under("params").under("endpoint")),
    )
    .flatten();
    // `{incremental.*}` placeholders need the block, as in dlt; the parameter form has none.
    let mut bound = take(
        &mut issues,
        request::bind(&path, params.as_ref(), block.is_some()).map_err(in_endpoint),
    )
    .unwrap_or_default();
    let headers = take(
        &mut issues,
        headers::bind_headers(endpoint.headers.as_ref(), &mut bound).map_err(in_endpoint),
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
        resolve_incremental(block.as_ref(), param_block.as_ref(), &resource.primary_key)
            .map_err(in_endpoint),
    )
    .flatten();
    let mut response_actions = take(
        &mut issues,
        actions::resolve(endpoint.response_actions.as_deref().unwrap_or(&[]))
            .map_err(|e| e.under("response_actions").under("endpoint")),
    )
    .unwrap_or_default();
    // `error_handler.ignore_status_codes` is the seed dialect's spelling of ignore actions
    let ignored = endpoint
        .error_handler
        .iter()
        .flat_map(|h| h.ignore_status_codes.iter().flatten());
    for &status in ignored {
        response_actions.push(ResponseAction {
            status_code: Some(status),
            ..ResponseAction::DEFAULT
        });
    }
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
            .map(|j| {
                let bound_json = request::bind_json(j, &mut bound).map_err(in_endpoint)?;
                serde_json::to_string(&bound_json)
                    .map(Cow::Owned)
                    .map_err(|e| {
                        Issue::new(format!("the JSON body cannot be written as JSON: {e}"))
                            .at_key("json")
                            .label("not JSON")
                            .under("endpoint")
                    })
            })
            .transpose(),
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
    let processing_steps = take(
        &mut issues,
        steps::resolve(resource.processing_steps.as_deref().unwrap_or(&[]))
            .map_err(|e| e.under("processing_steps")),
    )
    .unwrap_or_default();
    let partitions = take(
        &mut issues,
        endpoint
            .partitions
            .as_ref()
            .map(|p| super::partitions::resolve(p, &bound.args))
            .transpose()
            .map_err(|e| e.under("partitions").under("endpoint")),
    )
    .flatten();
    if incremental.as_ref().is_some_and(|c| c.window.is_some()) {
        take(
            &mut issues,
            super::windows::check_resource(&bound.args, endpoint.partitions.is_some())
                .map_err(in_endpoint),
        );
    }
    let (Some(paginator), Some(auth), true) = (paginator, auth, issues.is_empty()) else {
        return Err(issues);
    };
    // the paginator sets its own parameters on every page; a setter for one would be
    // overwritten, or worse, make the page size disagree with the paginator's step
    let settable_params = bound
        .settable
        .into_iter()
        .filter(|p| !paginator.query_params().contains(&p.name.as_str()))
        .collect();
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
        processing_steps: Cow::Owned(processing_steps),
        incremental,
        computed: Cow::Owned(bound.computed),
    };
    // the record type has the fields the processing steps leave
    let schema = spec
        .schemas
        .get(name)
        .map(|s| steps::reshape(s.schema.clone(), &descriptor.processing_steps));
    Ok(ResourceIr {
        name: name.to_string(),
        names: Default::default(),
        fan_out: None,
        descriptor,
        values: bound.values,
        args: bound.args,
        settable_params,
        schema,
        include_from_parent: resource.include_from_parent.clone(),
        parallelized: resource.parallelized,
        partitions,
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
///
/// As Airbyte's DefaultErrorHandler (where the key comes from) reads it, the listed codes add
/// to the transient ones: 408 (Airbyte's default mapping) joins the 429 and 5xx every policy
/// retries. `fail_on_status_codes` is the explicit way to fail a status at once.
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
    let listed = handler.retry_on_status_codes.as_deref().unwrap_or_default();
    let failed = handler.fail_on_status_codes.as_deref().unwrap_or_default();
    let ignored = handler.ignore_status_codes.as_deref().unwrap_or_default();
    check_codes("retry_on_status_codes", listed, 100..=599)?;
    check_codes("fail_on_status_codes", failed, 400..=599)?;
    for (i, code) in failed.iter().enumerate() {
        let other = if listed.contains(code) {
            "retry_on_status_codes"
        } else if ignored.contains(code) {
            "ignore_status_codes"
        } else {
            continue;
        };
        return Err(Issue::new(format!(
            "status {code} is in both `fail_on_status_codes` and `{other}`"
        ))
        .label("failed here")
        .under_index(i)
        .under("fail_on_status_codes")
        .also(other, format!("{code} is listed here too"))
        .help("a status either fails at once, is retried, or is ignored: keep it in one list"));
    }
    let mut retry_statuses: Vec<u16> = std::iter::once(REQUEST_TIMEOUT)
        .chain(listed.iter().copied())
        .collect();
    retry_statuses.sort_unstable();
    retry_statuses.dedup();
    let mut fail_statuses = failed.to_vec();
    fail_statuses.sort_unstable();
    fail_statuses.dedup();
    Ok(RetryPolicy {
        max_attempts: handler
            .max_retries
            .map_or(default.max_attempts, |r| r.saturating_add(1)),
        retry_statuses: Cow::Owned(retry_statuses),
        fail_statuses: Cow::Owned(fail_statuses),
        backoff_factor: handler.backoff_factor.unwrap_or(default.backoff_factor),
        max_delay: default.max_delay,
        wait_header: handler.wait_from_header.clone().map(Cow::Owned),
    })
}

/// 408 Request Timeout: transient in Airbyte's default error mapping, so an `error_handler`
/// retries it (dlt's own defaults do not).
const REQUEST_TIMEOUT: u16 = 408;

/// Every code of the list `key` is an HTTP status in `range`.
fn check_codes(
    key: &str,
    codes: &[u16],
    range: std::ops::RangeInclusive<u16>,
) -> Result<(), Issue> {
    match codes.iter().position(|code| !range.contains(code)) {
        None => Ok(()),
        Some(i) => Err(Issue::new(format!(
            "`{key}` lists {}, which is not an HTTP {} status ({} to {})",
            codes[i],
            if *range.start() >= 400 {
                "error"
            } else {
                "response"
            },
            range.start(),
            range.end()
        ))
        .label("not a status this list can hold")
        .under_index(i)
        .under(key)
        .help(if *range.start() >= 400 {
            "only an error status can fail: a success is never failed, and a response to \
             drop is ignored with `ignore_status_codes`"
        } else {
            "status codes run from 100 to 599"
        })),
    }
}
