//! Settles the Rust name of everything the spec names, once, and checks that each becomes a
//! distinct Rust name in the generated crate: resource methods and statics, fan-out methods,
//! arguments, typed setters, and the builder setters of secrets and settings. Without this,
//! two spellings of one name (`a-b`, `a_b`) would generate a crate that does not compile, and
//! a name with no letters would generate one that does not parse. Where the generated crate
//! can tell two names apart without the user's help (two arguments of one method, two
//! setters of one trait, two traits) the later one is numbered; resources and secrets, which
//! users call by name, are reported instead.

use std::collections::BTreeMap;

use restgen_runtime::ValueSpec;
use restgen_runtime::descriptor::{AuthChoice, AuthConfig, ValueRef};

use super::ResourceIr;
use super::issue::Issue;
use super::rust_names::{
    BUILDER_METHODS, CLIENT_METHODS, CustomNames, REQUEST_METHODS, ResourceNames, ValueNames,
    shouty, snake, snake_text,
};

/// `base`, or `base_2`, `base_3`.. (`sep` between), the first that `taken` does not hold;
/// recorded in `taken`. Numbering in spec order keeps a name stable when later ones change.
fn unique(base: String, sep: &str, taken: &mut Vec<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{sep}{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The start of a resource's setter trait name: the name in UpperCamelCase, ASCII letters
/// and digits only, with `R` before a digit (`7-eleven` is `R7ElevenParams`).
fn trait_name(resource: &str) -> String {
    let camel: String = heck::ToUpperCamelCase::to_upper_camel_case(resource)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_alphabetic()) {
        camel
    } else {
        format!("R{camel}")
    }
}

/// Gives every resource, argument and typed setter its Rust names: the one place they are
/// computed. Clashes between resources are left for [`check_resources`] to report.
pub fn settle_resources(resources: &mut [ResourceIr]) {
    let mut traits: Vec<String> = Vec::new();
    for r in resources {
        let params_trait = (!r.settable_params.is_empty()).then(|| {
            // `ab1` and `ab_1` would both be `Ab1Params`: number the later one
            let base = trait_name(&r.name);
            let mut name = format!("{base}Params");
            let mut n = 2;
            while traits.contains(&name) {
                name = format!("{base}{n}Params");
                n += 1;
            }
            traits.push(name.clone());
            name
        });
        r.names = ResourceNames {
            method: snake(&r.name, CLIENT_METHODS).to_string(),
            all_method: snake(&format!("{}_all", r.name), CLIENT_METHODS).to_string(),
            statics: shouty(&r.name).to_string(),
            params_trait,
        };
        // `type` and `type_` would both be the parameter `type_`: number the later one
        let mut args = Vec::new();
        for a in &mut r.args {
            a.rust = unique(snake(&a.name, &[]).to_string(), "_", &mut args);
        }
        // `per-page` and `per_page` would both be the setter `per_page`: number the later one
        let mut setters = Vec::new();
        for p in &mut r.settable_params {
            p.setter = unique(
                snake(&p.name, REQUEST_METHODS).to_string(),
                "_",
                &mut setters,
            );
        }
    }
}

/// Whether an OAuth2 auth of the API has a literal token URL, which a builder can override
/// with its `token_url` setter (a reserved builder name then).
pub fn literal_token_url(client: Option<&AuthConfig>, resources: &[ResourceIr]) -> bool {
    let endpoint_auths = resources.iter().filter_map(|r| match &r.descriptor.auth {
        AuthChoice::Endpoint(auth) => Some(auth),
        _ => None,
    });
    client
        .into_iter()
        .chain(endpoint_auths)
        .any(|auth| match auth {
            AuthConfig::OAuth2ClientCredentials {
                access_token_url: url,
                ..
            }
            | AuthConfig::OAuth2RefreshToken { token_url: url, .. } => {
                matches!(url, ValueRef::Literal(_))
            }
            _ => false,
        })
}

/// The custom auths and the custom paginators the spec names, each sorted by name, with
/// their builder setters.
pub fn settle_customs(
    client: Option<&AuthConfig>,
    resources: &[ResourceIr],
) -> (Vec<CustomNames>, Vec<CustomNames>) {
    let mut auths = std::collections::BTreeSet::new();
    let mut paginators = std::collections::BTreeSet::new();
    if let Some(AuthConfig::Custom { name }) = client {
        auths.insert(name.to_string());
    }
    for r in resources {
        if let AuthChoice::Endpoint(AuthConfig::Custom { name }) = &r.descriptor.auth {
            auths.insert(name.to_string());
        }
        if let restgen_runtime::descriptor::PaginatorConfig::Custom { name } =
            &r.descriptor.paginator
        {
            paginators.insert(name.to_string());
        }
    }
    let named = |kind: &str, names: std::collections::BTreeSet<String>| {
        let one = names.len() == 1;
        // `a-b` and `a_b` would both be `custom_auth_a_b`: number the later one
        let mut taken = Vec::new();
        names
            .into_iter()
            .map(|name| {
                let setter = if one {
                    format!("custom_{kind}")
                } else {
                    format!("custom_{kind}_{}", snake_text(&name, "n_"))
                };
                let setter = unique(setter, "_", &mut taken);
                CustomNames { name, setter }
            })
            .collect()
    };
    (named("auth", auths), named("paginator", paginators))
}

/// The builder setter and environment variable of every secret and setting of API `api`.
pub fn settle_values(api: &str, values: &[ValueSpec], token_url_setter: bool) -> Vec<ValueNames> {
    let mut reserved = BUILDER_METHODS.to_vec();
    if token_url_setter {
        reserved.push("token_url");
    }
    values
        .iter()
        .map(|v| ValueNames {
            name: v.name.to_string(),
            setter: snake(&v.name, &reserved).to_string(),
            env_var: restgen_runtime::client::env_var(api, &v.name),
        })
        .collect()
}

/// An unusable or clashing resource name: the resource's position, the issue relative to
/// its entry, and the position of the resource it clashes with.
pub type ResourceClash = (usize, Issue, Option<usize>);

/// Every resource name that is unusable or clashes with an earlier one.
pub fn check_resources(resources: &[ResourceIr]) -> Vec<ResourceClash> {
    let mut issues = Vec::new();
    // generated name -> the resource that took it
    let mut methods: BTreeMap<String, usize> = BTreeMap::new();
    let mut statics: BTreeMap<String, usize> = BTreeMap::new();
    for (k, r) in resources.iter().enumerate() {
        if !r.name.chars().any(|c| c.is_ascii_alphanumeric()) {
            issues.push((
                k,
                Issue::new("the name has no ASCII letter or digit to make a method name of")
                    .at_key("name")
                    .label("not usable as a Rust name")
                    .help("name resources like `contacts` or `contact_books`"),
                None,
            ));
            continue;
        }
        let mut own = vec![r.names.method.clone()];
        if r.parent().is_some() || r.partitions.is_some() || r.windowed() {
            own.push(r.names.all_method.clone());
        }
        for method in own {
            if let Some(&other) = methods.get(&method) {
                let what = format!("the client method `{method}`");
                issues.push((k, clash(&resources[other].name, &what), Some(other)));
            } else {
                methods.insert(method, k);
            }
        }
        let name = r.names.statics.clone();
        if let Some(&other) = statics.get(&name) {
            if !issues.iter().any(|(i, _, _)| *i == k) {
                let what = format!("the static `{name}`");
                issues.push((k, clash(&resources[other].name, &what), Some(other)));
            }
        } else {
            statics.insert(name, k);
        }
    }
    issues
}

fn clash(other: &str, what: &str) -> Issue {
    Issue::new(format!(
        "this resource would generate {what}, as resource `{other}` does"
    ))
    .at_key("name")
    .label(format!("becomes {what}"))
    .help("rename one of them; names differing only in case or punctuation become one Rust name")
}

/// Every secret or setting whose builder setter is unusable or clashes: the name, what is
/// wrong with it, and the name it clashes with.
pub fn check_values(values: &[ValueNames]) -> Vec<(String, String, Option<String>)> {
    let mut problems = Vec::new();
    let mut setters: BTreeMap<String, String> = BTreeMap::new();
    for v in values {
        if !v.name.chars().any(|c| c.is_ascii_alphanumeric()) {
            problems.push((
                v.name.to_string(),
                format!(
                    "`{}` has no ASCII letter or digit to make a builder setter of",
                    v.name
                ),
                None,
            ));
            continue;
        }
        let setter = v.setter.clone();
        if let Some(other) = setters.get(&setter) {
            problems.push((
                v.name.to_string(),
                format!(
                    "`{}` and `{other}` would both be the builder setter `.{setter}(..)`",
                    v.name
                ),
                Some(other.clone()),
            ));
        } else {
            setters.insert(setter, v.name.to_string());
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::trait_name;

    #[test]
    fn odd_resource_names_make_valid_trait_names() {
        // the start of the name; `settle_resources` adds `Params` (and a number when two
        // resources clean to the same name)
        assert_eq!(trait_name("7$=v/D"), "R7VD");
        assert_eq!(trait_name("$"), "R");
        assert_eq!(trait_name("contact_books"), "ContactBooks");
    }
}
