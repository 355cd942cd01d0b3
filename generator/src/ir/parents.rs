//! Checks the parent links between resources, as dlt's dependency graph does: one parent
//! per child, the parent exists, no cycles, and `include_from_parent` only with a parent.
//! Each finding points at the placeholder (or `resolve` parameter) that makes the link.
//! Then [`wire`] gives each child that can be walked its fan-out wiring, the runtime's
//! `FanOutDescriptor`.

use std::borrow::Cow;
use std::collections::BTreeSet;

use restgen_runtime::{FanOutDescriptor, ParentBinding};

use super::issue::Issue;
use super::{ResourceIr, Site};
use crate::spec::span::Seg;

/// A finding about resource `resource` (its position among `resources`), with other
/// resources' sites that explain it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The resource the issue is reported on.
    pub resource: usize,
    /// The issue, relative to that resource's entry.
    pub issue: Issue,
    /// Other places: a resource's position, the site in it, and the label.
    pub others: Vec<(usize, Site, String)>,
}

/// The issue's path for a site (sites are relative to the endpoint).
pub fn site_issue(site: &Site, message: String) -> Issue {
    let mut issue = Issue::new(message);
    issue.at = std::iter::once(Seg::Key("endpoint".into()))
        .chain(site.at.iter().cloned())
        .collect();
    issue.column = site.column;
    issue.on_key = site.on_key;
    issue
}

/// Every finding; `broken` names resources that exist but did not parse.
pub fn check(resources: &[ResourceIr], broken: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let position = |name: &str| resources.iter().position(|r| r.name == name);
    for (k, r) in resources.iter().enumerate() {
        let linked: Vec<_> = r
            .args
            .iter()
            .filter_map(|a| a.parent.as_ref().map(|p| (p, &a.site)))
            .collect();
        let parents: BTreeSet<&str> = linked.iter().map(|(p, _)| p.resource.as_str()).collect();
        let Some((first, first_site)) = linked.first() else {
            if !r.include_from_parent.is_empty() {
                let mut issue = Issue::new(
                    "`include_from_parent` needs a parent resource: a \
                     `{resources.<parent>.<field>}` placeholder or a `resolve` parameter",
                )
                .label("but nothing links this resource to a parent");
                issue.at = vec![Seg::Key("include_from_parent".into())];
                findings.push(Finding {
                    resource: k,
                    issue: issue.key(),
                    others: Vec::new(),
                });
            }
            continue;
        };
        if parents.len() > 1 {
            if let Some((second, site)) = linked.iter().find(|(p, _)| p.resource != first.resource)
            {
                findings.push(Finding {
                    resource: k,
                    issue: site_issue(
                        site,
                        format!(
                            "more than one parent resource: `{}` and `{}`",
                            first.resource, second.resource
                        ),
                    )
                    .label(format!("a second parent, `{}`", second.resource))
                    .note("dlt runs a child once per record of a single parent"),
                    others: vec![(
                        k,
                        (*first_site).clone(),
                        format!("the first parent, `{}`", first.resource),
                    )],
                });
            }
            continue;
        }
        let parent = first.resource.as_str();
        if position(parent).is_none() {
            if broken.iter().any(|b| b == parent) {
                // its own errors are reported; linking to it is not another one
                continue;
            }
            let names: Vec<&str> = resources
                .iter()
                .map(|p| p.name.as_str())
                .chain(broken.iter().map(String::as_str))
                .collect();
            findings.push(Finding {
                resource: k,
                issue: site_issue(first_site, format!("unknown parent resource `{parent}`"))
                    .label(format!("no resource is named `{parent}`"))
                    .maybe_help(crate::spec::diagnostic::did_you_mean(parent, &names)),
                others: Vec::new(),
            });
        }
    }
    findings.extend(cycles(resources));
    findings
}

/// The parent of each resource (by position), when it has a known one.
fn parent_positions(resources: &[ResourceIr]) -> Vec<Option<(usize, Site)>> {
    resources
        .iter()
        .map(|r| {
            let arg = r.args.iter().find(|a| a.parent.is_some())?;
            let parent = arg.parent.as_ref()?;
            let p = resources.iter().position(|x| x.name == parent.resource)?;
            Some((p, arg.site.clone()))
        })
        .collect()
}

/// One finding per cycle, on the cycle's first resource in spec order, with the other
/// links of the cycle marked.
fn cycles(resources: &[ResourceIr]) -> Vec<Finding> {
    let parents = parent_positions(resources);
    let mut seen_cycles: Vec<Vec<usize>> = Vec::new();
    let mut findings = Vec::new();
    for start in 0..resources.len() {
        let mut path = vec![start];
        let mut current = start;
        while let Some((next, _)) = &parents[current] {
            if let Some(at) = path.iter().position(|p| p == next) {
                let mut cycle = path[at..].to_vec();
                let lowest = cycle.iter().copied().min().unwrap_or(start);
                while cycle.first() != Some(&lowest) {
                    cycle.rotate_left(1);
                }
                if !seen_cycles.contains(&cycle) {
                    seen_cycles.push(cycle.clone());
                    findings.push(cycle_finding(resources, &parents, &cycle));
                }
                break;
            }
            path.push(*next);
            current = *next;
        }
    }
    findings
}

fn cycle_finding(
    resources: &[ResourceIr],
    parents: &[Option<(usize, Site)>],
    cycle: &[usize],
) -> Finding {
    let name = |k: usize| resources[k].name.as_str();
    let shown: Vec<&str> = cycle
        .iter()
        .copied()
        .chain(cycle.first().copied())
        .map(name)
        .collect();
    let first = cycle[0];
    let site_of = |k: usize| {
        parents[k]
            .as_ref()
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let parent_of = |k: usize| parents[k].as_ref().map_or(k, |(p, _)| *p);
    let issue = if cycle.len() == 1 {
        site_issue(
            &site_of(first),
            "a resource cannot be its own parent".to_string(),
        )
        .label(format!("`{}` needs `{}` here", name(first), name(first)))
    } else {
        site_issue(
            &site_of(first),
            format!("parent resources form a cycle: {}", shown.join(" -> ")),
        )
        .label(format!(
            "`{}` needs `{}`",
            name(first),
            name(parent_of(first))
        ))
        .note("dlt orders resources so that parents run first; a cycle has no first")
    };
    let others = cycle
        .iter()
        .skip(1)
        .map(|&k| {
            (
                k,
                site_of(k),
                format!("`{}` needs `{}`", name(k), name(parent_of(k))),
            )
        })
        .collect();
    Finding {
        resource: first,
        issue,
        others,
    }
}

/// The parent a fan-out of `resources[k]` walks: one whose fields supply every argument of
/// the child and which either takes no arguments itself or can be walked in turn (a chain
/// that ends at a resource without arguments: grandchildren and deeper).
fn fan_out_parent(resources: &[ResourceIr], k: usize) -> Option<usize> {
    let find = |name: &str| resources.iter().position(|p| p.name == name);
    let mut chain = vec![resources[k].name.as_str()];
    let mut at = &resources[k];
    loop {
        let name = at.parent()?;
        // a cycle is reported by `check`; it has no fan-out
        if chain.contains(&name) {
            return None;
        }
        chain.push(name);
        let parent = &resources[find(name)?];
        if parent.args.is_empty() {
            break;
        }
        at = parent;
    }
    find(resources[k].parent()?)
}

/// Gives every resource that can be fetched once per parent record its fan-out wiring.
pub fn wire(resources: &mut [ResourceIr]) {
    let wirings: Vec<Option<FanOutDescriptor>> = (0..resources.len())
        .map(|k| {
            let parent = &resources[fan_out_parent(resources, k)?];
            let r = &resources[k];
            let bindings: Vec<ParentBinding> = r
                .args
                .iter()
                .filter_map(|a| {
                    let link = a.parent.as_ref()?;
                    Some(ParentBinding {
                        arg: Cow::Owned(a.name.clone()),
                        field: link.selector.clone(),
                        field_name: Cow::Owned(link.field.clone()),
                    })
                })
                .collect();
            Some(FanOutDescriptor {
                parent: Cow::Owned(parent.name.clone()),
                bindings: Cow::Owned(bindings),
                include_from_parent: r
                    .include_from_parent
                    .iter()
                    .map(|f| Cow::Owned(f.clone()))
                    .collect(),
                parallelized: r.parallelized,
            })
        })
        .collect();
    for (r, wiring) in resources.iter_mut().zip(wirings) {
        r.fan_out = wiring;
    }
}
