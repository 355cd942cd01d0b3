//! Finds the `{fill_in: <code>}` markers `cargo xtask import` leaves where a Python config
//! built a value in code. They are never valid, and in a free-form place (a JSON body, a
//! parameter) they would otherwise be sent as data, so every one is reported before parsing.

use serde_yaml::Value;

use super::yaml_path::YamlPath;

/// The key of the importer's marker.
pub const KEY: &str = "fill_in";

/// Every marker in `document`, in document order: where it is, and the code it stands for.
pub fn markers(document: &Value) -> Vec<(YamlPath, String)> {
    let mut found = Vec::new();
    walk(document, &YamlPath::root(), &mut found);
    found
}

fn walk(value: &Value, at: &YamlPath, found: &mut Vec<(YamlPath, String)>) {
    match value {
        Value::Mapping(map) => {
            if let Some(code) = map.get(KEY) {
                let code = match code {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                found.push((at.clone(), code));
                return;
            }
            for (key, child) in map {
                if let Value::String(key) = key {
                    walk(child, &at.key(key), found);
                }
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &at.index(i), found);
            }
        }
        Value::Tagged(tagged) => walk(&tagged.value, at, found),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_marker_with_its_path_and_code() {
        let document: Value = serde_yaml::from_str(
            "client:\n  auth: {fill_in: 'BearerTokenAuth(x)'}\nresources:\n  - name: a\n    \
             endpoint:\n      json: {since: {fill_in: today()}}\n",
        )
        .unwrap_or(Value::Null);
        let found: Vec<(String, String)> = markers(&document)
            .into_iter()
            .map(|(path, code)| (path.to_string(), code))
            .collect();
        assert_eq!(
            found,
            [
                ("client.auth".to_string(), "BearerTokenAuth(x)".to_string()),
                (
                    "resources[0].endpoint.json.since".to_string(),
                    "today()".to_string()
                ),
            ]
        );
    }
}
