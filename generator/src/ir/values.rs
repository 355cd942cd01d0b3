//! The secrets and settings a spec names: where each is used, whether a client needs it to
//! build, and the settings in the base URL.

use std::borrow::Cow;

use restgen_runtime::ValueSpec;
use restgen_runtime::descriptor::{AuthChoice, AuthConfig, ValueRef};

use super::{ResourceIr, auth};

/// The names of the secrets and settings an auth config uses, optional ones included.
pub fn auth_values(auth: &AuthConfig) -> Vec<&str> {
    auth::value_refs(auth)
        .into_iter()
        .chain(auth::optional_value_refs(auth))
        .filter_map(|v| match v {
            ValueRef::Secret(name) | ValueRef::Config(name) => Some(name.as_ref()),
            ValueRef::Literal(_) => None,
        })
        .collect()
}

/// The base URL with each `{name}` (or `{config.name}`) as the setting `{config.name}`,
/// noting the settings it names. Converted configs write the API's subdomain or account this
/// way; dlt would send the braces.
pub(super) fn base_url_settings(base_url: &str, values: &mut Vec<ValueRef>) -> String {
    let mut out = String::new();
    let mut rest = base_url;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 1..start + len];
        let name = inner.strip_prefix("config.").unwrap_or(inner);
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            let named = ValueRef::Config(Cow::Owned(name.to_string()));
            if !values.contains(&named) {
                values.push(named);
            }
            out.push_str(&format!("{{config.{name}}}"));
        } else {
            out.push_str(&rest[start..=start + len]);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Every secret and setting the spec names, in first-use order; the client's own auth makes
/// its values required.
pub(super) fn collect_values(
    client_auth: Option<&AuthConfig>,
    client_headers: &[ValueRef],
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
        for v in auth::optional_value_refs(auth) {
            add(v, false);
        }
    }
    // sent on requests (client headers, parameters, bodies): a request cannot go without them
    for v in client_headers
        .iter()
        .chain(resources.iter().flat_map(|r| &r.values))
    {
        add(v, true);
    }
    for r in resources {
        if let AuthChoice::Endpoint(auth) = &r.descriptor.auth {
            for v in auth::value_refs(auth)
                .into_iter()
                .chain(auth::optional_value_refs(auth))
            {
                add(v, false);
            }
        }
        // an expression's `config['name']` (paginator templates, processing steps, response
        // rules): nothing fails without it
        for name in r.descriptor.settings() {
            add(&ValueRef::Config(Cow::Owned(name.to_string())), false);
        }
        // the setting a partition walk reads its values from: only `_all()` needs it, and
        // fails at once without it
        if let Some(super::partitions::Partitions {
            values: restgen_runtime::PartitionValues::Setting(name),
            ..
        }) = &r.partitions
        {
            add(&ValueRef::Config(name.clone()), false);
        }
    }
    values
}
