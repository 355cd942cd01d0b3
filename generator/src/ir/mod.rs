//! The resolved model of a spec: defaults merged, shorthands expanded, paginator, auth and
//! retry resolved per resource, templates and selectors compiled, placeholders bound and
//! secrets listed. It is built from the runtime's own descriptor types, so what is emitted
//! is exactly what the runtime executes.

mod actions;
mod auth;
mod budget;
mod headers;
mod incremental;
pub mod issue;
pub mod jsonpath;
mod locate;
mod merge;
mod names;
mod paginator;
mod parents;
pub mod partitions;
pub(crate) mod placeholder;
pub mod request;
mod resource;
pub mod rust_names;
mod steps;
pub mod template;
mod values;
mod windows;

pub use values::auth_values;
use values::{base_url_settings, collect_values};

use std::borrow::Cow;

use restgen_runtime::ClientSpec;
use restgen_runtime::descriptor::{ResourceDescriptor, ValueRef};
use restgen_runtime::selector::Selector;

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
    /// The client's secrets and settings (in `client.values` order) with their Rust names.
    pub value_names: Vec<rust_names::ValueNames>,
    /// Whether an OAuth2 auth of the API has a literal token URL, which the builder's
    /// `token_url` setter overrides.
    pub token_url_setter: bool,
    /// The custom auths the spec names, sorted, with their builder setters.
    pub custom_auths: Vec<rust_names::CustomNames>,
    /// The custom paginators the spec names, sorted, with their builder setters.
    pub custom_paginators: Vec<rust_names::CustomNames>,
    /// Warnings found while resolving.
    pub warnings: Vec<Diagnostic>,
}

/// One resolved resource.
#[derive(Debug, Clone)]
pub struct ResourceIr {
    /// The name in the spec.
    pub name: String,
    /// Its Rust names, settled once (`names::settle_resources`).
    pub names: rust_names::ResourceNames,
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
    /// `parallelized: true`: its fan-out walks several parents at once by default.
    pub parallelized: bool,
    /// Declared parameters the caller may override with a typed setter.
    pub settable_params: Vec<request::SettableParam>,
    /// Secrets and settings its parameters, headers or body send.
    pub values: Vec<ValueRef>,
    /// How it is fetched once per record of its parent, when its arguments all come from one
    /// parent that can be walked (`parents::wire`); generated code, `cargo xtask run` and
    /// the conformance runner all start a fan-out from this one value.
    pub fan_out: Option<restgen_runtime::FanOutDescriptor>,
    /// Its list partitions: one walk per value (`<resource>_all()`).
    pub partitions: Option<partitions::Partitions>,
}

impl ResourceIr {
    /// Whether its `incremental` block has date windows: `<resource>_all()` walks them.
    pub fn windowed(&self) -> bool {
        self.descriptor
            .incremental
            .as_ref()
            .is_some_and(|c| c.window.is_some())
    }

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
    /// The placeholder name, as the descriptor's template and the runtime's `arg` take it.
    pub name: String,
    /// The Rust parameter name of the resource methods (`type_` for `type`), settled once.
    pub rust: String,
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
    /// Whether it is written in the key at `at` (a JSON body's key) rather than its value.
    pub on_key: bool,
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
    let mut client_bound = request::BoundRequest::default();
    let (client_headers, header_issues) =
        headers::client_headers(spec.config.client.headers.as_ref(), &mut client_bound);
    for issue in header_issues {
        issues.push(locator.at(root.key("client"), issue));
    }
    let client_budget = match &spec.config.client.api_budget {
        Some(b) => budget::resolve(b)
            .map_err(|e| issues.push(locator.at(root.key("client").key("api_budget"), e)))
            .ok(),
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
        match resource::resolve(&name, resource, client_paginator.as_ref(), spec) {
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

    names::settle_resources(&mut resources);
    parents::wire(&mut resources);
    for (position, issue, other) in names::check_resources(&resources) {
        let name = resources[position].name.clone();
        let mut located = locator.in_resource(positions[position], &name, issue);
        if let Some(other) = other {
            let at = locator.resource_path(positions[other]).key("name");
            located.extra.push((at, None, "the first".into()));
        }
        issues.push(located);
    }
    // `{subdomain}` in the base URL: a setting of the client, as `{config.subdomain}`
    let base_url = base_url_settings(&spec.config.client.base_url, &mut client_bound.values);
    let values = collect_values(client_auth.as_ref(), &client_bound.values, &resources);
    let token_url_setter = names::literal_token_url(client_auth.as_ref(), &resources);
    let value_names = names::settle_values(&spec.api, &values, token_url_setter);
    let (custom_auths, custom_paginators) = names::settle_customs(client_auth.as_ref(), &resources);
    for (value, problem, other) in names::check_values(&value_names) {
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
            base_url: Cow::Owned(base_url),
            auth: client_auth,
            values: Cow::Owned(values),
            headers: Cow::Owned(client_headers),
            budget: client_budget,
        },
        resources,
        value_names,
        token_url_setter,
        custom_auths,
        custom_paginators,
        warnings,
    })
}

fn spec_dir(config_file: &str) -> String {
    config_file
        .strip_suffix("/source.yaml")
        .unwrap_or(config_file)
        .to_string()
}
