//! Which schema a recorded body belongs to, and where its records are.
//!
//! A schema folder holds one `<resource>.json` per resource. When the folder beside it holds
//! Airbyte's `streams_summary.json` (as `corpus/airbyte/<api>/` does), or a restgen spec
//! (`source.yaml`, as `specs/<api>/` does), each resource also has its request path and its
//! record selector from there; otherwise records are found as dlt finds them. A body file is
//! matched in this order:
//!
//! 1. **By path.** File names are `METHOD_path__qualifier.json`: the method and everything
//!    from the first `__` are dropped, and what is left must be the resource's path with `/`
//!    written `_`, a `{{ .. }}` or `{name}` placeholder standing for one segment (an id), and an optional
//!    leading API version (`v1_`), which a base URL may hold instead of the path.
//! 2. **By name.** Otherwise the words of the file name (split at `_` and `-`, without a
//!    version word and without a trailing `list` or `retrieve`, each made singular) must be
//!    the words of the resource's name, in any order, or spell the same word once joined
//!    (`endshipper` is `end_shippers`).
//!
//! A body no schema matches is listed as such, never guessed at.

use std::path::Path;

use anyhow::{Context, Result};

/// A resource of a schema folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The schema file's stem.
    pub name: String,
    /// The request path, when a streams summary gives it.
    pub path: Option<String>,
    /// The record selector's fields (`[]` is the body itself), when a summary gives it.
    pub selector: Option<Vec<String>>,
}

/// The resources of a schema folder, with what a `streams_summary.json` beside it says.
pub fn resources(dir: &Path) -> Result<Vec<Resource>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    let summary = dir
        .parent()
        .map(|p| p.join("streams_summary.json"))
        .filter(|p| p.is_file())
        .map(|p| -> Result<Vec<serde_json::Value>> {
            let text = std::fs::read_to_string(&p)?;
            serde_json::from_str(&text).with_context(|| format!("reading {}", p.display()))
        })
        .transpose()?
        .unwrap_or_default();
    let summary = if summary.is_empty() {
        spec_streams(dir)?
    } else {
        summary
    };
    Ok(names
        .into_iter()
        .map(|name| {
            let stream = summary.iter().find(|s| s["name"] == name.as_str());
            Resource {
                path: stream.and_then(|s| s["path"].as_str()).map(str::to_string),
                selector: stream
                    .and_then(|s| s["record_selector_field_path"].as_array())
                    .map(|fields| {
                        fields
                            .iter()
                            .filter_map(|f| f.as_str().map(str::to_string))
                            .collect()
                    }),
                name,
            }
        })
        .collect())
}

/// The resources of a restgen spec beside `dir` (`../source.yaml`), in the streams summary's
/// form: name, path and record selector fields.
fn spec_streams(dir: &Path) -> Result<Vec<serde_json::Value>> {
    let Some(file) = dir
        .parent()
        .map(|p| p.join("source.yaml"))
        .filter(|p| p.is_file())
    else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(&file)?;
    let spec: serde_yaml::Value =
        serde_yaml::from_str(&text).with_context(|| format!("reading {}", file.display()))?;
    let defaults = &spec["resource_defaults"]["endpoint"]["data_selector"];
    let mut out = Vec::new();
    for resource in spec["resources"].as_sequence().into_iter().flatten() {
        let endpoint = &resource["endpoint"];
        let selector = match &endpoint["data_selector"] {
            serde_yaml::Value::Null => defaults,
            given => given,
        };
        let fields: Option<Vec<String>> = match selector {
            serde_yaml::Value::Sequence(items) if items.is_empty() => Some(Vec::new()),
            serde_yaml::Value::String(path) => {
                let path = path.trim_start_matches('$').trim_start_matches('.');
                Some(
                    path.split('.')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            }
            _ => None,
        };
        out.push(serde_json::json!({
            "name": resource["name"].as_str(),
            "path": endpoint["path"].as_str().or(endpoint.as_str()),
            "record_selector_field_path": fields,
        }));
    }
    Ok(out)
}

/// The resource a body file belongs to (see the module doc).
pub fn match_body<'a>(file_stem: &str, resources: &'a [Resource]) -> Option<&'a Resource> {
    let key = file_stem.split("__").next().unwrap_or(file_stem);
    let key = ["GET_", "POST_"]
        .iter()
        .find_map(|m| key.strip_prefix(m))
        .unwrap_or(key);
    resources
        .iter()
        .find(|r| r.path.as_deref().is_some_and(|p| path_matches(p, key)))
        .or_else(|| resources.iter().find(|r| names_match(key, &r.name)))
}

/// Whether `key` is `path` written with `_` (see the module doc).
fn path_matches(path: &str, key: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let without_version = strip_version(key);
    fits(&segments, key) || without_version.is_some_and(|k| fits(&segments, k))
}

fn strip_version(key: &str) -> Option<&str> {
    let (first, rest) = key.split_once('_')?;
    let digits = first.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// Whether `key` is the segments joined by `_`, a placeholder matching one id-like segment.
fn fits(segments: &[&str], key: &str) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return key.is_empty();
    };
    let after = |consumed: usize| -> bool {
        let tail = &key[consumed..];
        if rest.is_empty() {
            tail.is_empty()
        } else {
            tail.strip_prefix('_').is_some_and(|t| fits(rest, t))
        }
    };
    if first.starts_with('{') {
        // an id: one or more characters up to a `_`
        let end = key.find('_').unwrap_or(key.len());
        end > 0 && after(end)
    } else {
        key.starts_with(first) && after(first.len())
    }
}

fn singular(word: &str) -> String {
    if word == "children" {
        return "child".into();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "ches", "shes", "xes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.is_empty() => stem.to_string(),
        _ => word.to_string(),
    }
}

fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words
        .first()
        .is_some_and(|w| strip_version(&format!("{w}_")).is_some())
    {
        words.remove(0);
    }
    if words.last().is_some_and(|w| w == "list" || w == "retrieve") {
        words.pop();
    }
    words.iter().map(|w| singular(w)).collect()
}

fn names_match(key: &str, name: &str) -> bool {
    let (mut a, mut b) = (words(key), words(name));
    if a.is_empty() {
        return false;
    }
    let joined = |w: &[String]| singular(&w.concat());
    if joined(&a) == joined(&b) {
        return true;
    }
    a.sort();
    b.sort();
    a == b
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn resource(name: &str, path: Option<&str>) -> Resource {
        Resource {
            name: name.into(),
            path: path.map(str::to_string),
            selector: None,
        }
    }

    #[test]
    fn a_spec_beside_the_schemas_gives_paths_and_selectors() {
        let dir = std::env::temp_dir().join(format!("check-schemas-spec-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("schemas")).unwrap();
        std::fs::write(
            dir.join("source.yaml"),
            "resource_defaults:\n  endpoint:\n    data_selector: data\nresources:\n\
             - name: user\n  endpoint:\n    path: /user\n    data_selector: []\n\
             - name: followers\n  endpoint:\n    path: requests/{id}/followers\n",
        )
        .unwrap();
        for name in ["user", "followers"] {
            std::fs::write(dir.join(format!("schemas/{name}.json")), "{}").unwrap();
        }
        let found = resources(&dir.join("schemas")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found,
            [
                Resource {
                    name: "followers".into(),
                    path: Some("requests/{id}/followers".into()),
                    selector: Some(vec!["data".into()]),
                },
                Resource {
                    name: "user".into(),
                    path: Some("/user".into()),
                    selector: Some(vec![]),
                },
            ]
        );
        let matched = match_body("GET_requests_r1_followers", &found);
        assert_eq!(matched.map(|r| r.name.as_str()), Some("followers"));
    }

    #[test]
    fn bodies_match_by_path_then_by_name() {
        let resources = vec![
            resource(
                "alert_logs",
                Some("v2/alerts/{{ stream_partition.alert_id }}/logs"),
            ),
            resource("alerts", Some("v2/alerts")),
            resource("contact_books", Some("contact_books")),
            resource("crm_contacts", Some("/v2/crm/contacts")),
            resource("end_shippers", Some("end_shippers")),
            resource("folder", Some("/user/folder")),
            resource("metadata_carriers", Some("metadata/carriers")),
            resource("signing_links", Some("/v2/application/signing-links")),
            resource("users_children", Some("users/children")),
            resource("user", Some("/user")),
            resource("user_modified_documents", Some("/user/documentsv2")),
        ];
        for (file, want) in [
            ("GET_v2_alerts_70413a06-38d6_logs", Some("alert_logs")),
            ("GET_v2_alerts__page1", Some("alerts")),
            ("GET_v1_contact_books__offset0", Some("contact_books")),
            ("GET_v2_crm_contacts__page2__empty", Some("crm_contacts")),
            (
                "GET_v2_application_signing-links__basic_auth",
                Some("signing_links"),
            ),
            ("GET_user", Some("user")),
            (
                "GET_user_documentsv2__top_level_array",
                Some("user_modified_documents"),
            ),
            ("GET_folder", Some("folder")),
            ("endshipper-list", Some("end_shippers")),
            ("carrier-metadata-retrieve", Some("metadata_carriers")),
            ("child-users-list", Some("users_children")),
            ("events-list", None),
            ("GET_document_id", None),
            ("GET_v2_alerts_x_recipients", None),
        ] {
            assert_eq!(
                match_body(file, &resources).map(|r| r.name.as_str()),
                want,
                "{file}"
            );
        }
    }
}
