//! dlt's `resource_defaults` merge: resource keys shallowly over the defaults; endpoint keys
//! shallowly too, except `params` and `json`, merged one level deep; an explicit `null` in a
//! resource overrides the default.

use serde_yaml::{Mapping, Value};

use crate::spec::model::{Endpoint, EndpointEntry, ResourceBase, ResourceEntry, SourceConfig};

/// A resource with its defaults merged in.
#[derive(Debug, Clone, Default)]
pub struct MergedResource {
    /// The name (missing only in an invalid spec).
    pub name: Option<String>,
    /// Primary key hint.
    pub primary_key: Option<Value>,
    /// Parent fields copied into child records.
    pub include_from_parent: Vec<String>,
    /// `parallelized: true`: its fan-out walks several parents at once.
    pub parallelized: bool,
    /// The merged endpoint.
    pub endpoint: Endpoint,
    /// Processing steps: the resource's, else the defaults' (taken whole, as dlt does).
    pub processing_steps: Option<Vec<Value>>,
}

/// Every resource of the config, merged with `resource_defaults`.
pub fn merge_resources(config: &SourceConfig) -> Vec<MergedResource> {
    let defaults = config.resource_defaults.clone().unwrap_or_default();
    config
        .resources
        .iter()
        .map(|entry| {
            let resource = match entry {
                ResourceEntry::Name(name) => ResourceBase {
                    name: Some(name.clone()),
                    endpoint: Some(EndpointEntry::Path(name.clone())),
                    ..ResourceBase::default()
                },
                ResourceEntry::Full(r) => (**r).clone(),
            };
            merge(&defaults, resource)
        })
        .collect()
}

fn endpoint_of(entry: Option<EndpointEntry>) -> Endpoint {
    match entry {
        None => Endpoint::default(),
        Some(EndpointEntry::Path(path)) => Endpoint {
            path: Some(path),
            ..Endpoint::default()
        },
        Some(EndpointEntry::Full(e)) => *e,
    }
}

fn merge(defaults: &ResourceBase, resource: ResourceBase) -> MergedResource {
    let d = endpoint_of(defaults.endpoint.clone());
    let r = endpoint_of(resource.endpoint);
    let endpoint = Endpoint {
        path: r.path.or(d.path),
        method: r.method.or(d.method),
        params: merge_mapping(d.params, r.params),
        json: match (d.json, r.json) {
            (Some(Value::Mapping(d)), Some(Value::Mapping(r))) => {
                merge_mapping(Some(d), Some(r)).map(Value::Mapping)
            }
            (d, r) => r.or(d),
        },
        data: r.data.or(d.data),
        headers: r.headers.or(d.headers),
        paginator: r.paginator.or(d.paginator),
        data_selector: r.data_selector.or(d.data_selector),
        response_actions: r.response_actions.or(d.response_actions),
        incremental: r.incremental.or(d.incremental),
        auth: r.auth.or(d.auth),
        error_handler: r.error_handler.or(d.error_handler),
        partitions: r.partitions.or(d.partitions),
    };
    MergedResource {
        name: resource.name,
        primary_key: resource
            .primary_key
            .or_else(|| defaults.primary_key.clone()),
        include_from_parent: resource
            .include_from_parent
            .or_else(|| defaults.include_from_parent.clone())
            .unwrap_or_default(),
        parallelized: resource
            .parallelized
            .or(defaults.parallelized)
            .unwrap_or(false),
        endpoint,
        processing_steps: resource
            .processing_steps
            .or_else(|| defaults.processing_steps.clone()),
    }
}

/// `{**defaults, **resource}`: default keys keep their position, resource keys win.
fn merge_mapping(defaults: Option<Mapping>, resource: Option<Mapping>) -> Option<Mapping> {
    match (defaults, resource) {
        (None, r) => r,
        (d, None) => d,
        (Some(mut d), Some(r)) => {
            for (k, v) in r {
                d.insert(k, v);
            }
            Some(d)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> SourceConfig {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn params_merge_one_level_and_resource_wins() {
        let c = config(
            "client: {base_url: 'http://x'}\nresource_defaults: {endpoint: {params: {per_page: 10, a: 1}}}\nresources: [{name: r, endpoint: {params: {a: 2}}}]",
        );
        let m = &merge_resources(&c)[0];
        let params = m.endpoint.params.as_ref().unwrap();
        let shown: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", k.as_str().unwrap(), v.as_u64().unwrap()))
            .collect();
        assert_eq!(shown, ["per_page=10", "a=2"]);
    }

    #[test]
    fn explicit_null_paginator_overrides_default() {
        let c = config(
            "client: {base_url: 'http://x'}\nresource_defaults: {endpoint: {paginator: single_page}}\nresources: [{name: r, endpoint: {paginator: null}}, s]",
        );
        let merged = merge_resources(&c);
        assert_eq!(merged[0].endpoint.paginator, Some(None));
        assert!(matches!(merged[1].endpoint.paginator, Some(Some(_))));
        assert_eq!(merged[1].endpoint.path.as_deref(), Some("s"));
    }
}
