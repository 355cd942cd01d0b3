//! Checks that every name the spec gives becomes a distinct Rust name in the generated
//! crate: resource methods and statics, fan-out methods, and the builder setters of secrets
//! and settings. Without this, two spellings of one name (`a-b`, `a_b`) would generate a
//! crate that does not compile, and a name with no letters would generate one that does
//! not parse.

use std::collections::BTreeMap;

use restgen_runtime::ValueSpec;

use super::ResourceIr;
use super::issue::Issue;
use super::rust_names::{BUILDER_METHODS, CLIENT_METHODS, shouty, snake};

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
        let mut own = vec![snake(&r.name, CLIENT_METHODS).to_string()];
        if r.parent().is_some() {
            own.push(snake(&format!("{}_all", r.name), CLIENT_METHODS).to_string());
        }
        for method in own {
            if let Some(&other) = methods.get(&method) {
                let what = format!("the client method `{method}`");
                issues.push((k, clash(&resources[other].name, &what), Some(other)));
            } else {
                methods.insert(method, k);
            }
        }
        let name = shouty(&r.name).to_string();
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
pub fn check_values(values: &[ValueSpec]) -> Vec<(String, String, Option<String>)> {
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
        let setter = snake(&v.name, BUILDER_METHODS).to_string();
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
