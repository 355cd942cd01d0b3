//! The request a paginator edits between pages: URL, query pairs and JSON body.

use serde_json::Value;

use crate::descriptor::Target;

/// The next request of a paginated sequence. Paginators edit it in place, as dlt's do with
/// its single mutable `Request`, so parameters they set persist across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestState {
    /// Absolute URL, possibly with a query of its own (a followed next link).
    pub url: url::Url,
    /// Query pairs appended to `url`, in order; a repeated key is a list.
    pub query: Vec<(String, String)>,
    /// The JSON body, if any.
    pub json: Option<Value>,
}

impl RequestState {
    /// A request for `url` with the given query and body.
    pub fn new(url: url::Url, query: Vec<(String, String)>, json: Option<Value>) -> Self {
        RequestState { url, query, json }
    }

    /// Sets query parameter `name` to `value`, replacing every earlier value of it.
    pub fn set_query(&mut self, name: &str, value: String) {
        if let Some(pos) = self.query.iter().position(|(k, _)| k == name) {
            self.query[pos].1 = value;
            let mut index = 0;
            self.query.retain(|(k, _)| {
                index += 1;
                index - 1 <= pos || k != name
            });
        } else {
            self.query.push((name.to_string(), value));
        }
    }

    /// Writes `value` at `target`: a query parameter, or a dot path in the JSON body with
    /// intermediate objects created as needed.
    pub fn set(&mut self, target: &Target, value: Value) {
        match target {
            Target::Query(name) => self.set_query(name, wire_form(&value)),
            Target::Body(path) => {
                let mut node = self
                    .json
                    .get_or_insert_with(|| Value::Object(Default::default()));
                for (i, key) in path.iter().enumerate() {
                    if !node.is_object() {
                        *node = Value::Object(Default::default());
                    }
                    let Value::Object(map) = node else { return };
                    if i + 1 == path.len() {
                        map.insert(key.to_string(), value);
                        return;
                    }
                    node = map
                        .entry(key.to_string())
                        .or_insert_with(|| Value::Object(Default::default()));
                }
            }
        }
    }

    /// Follows a link: the URL becomes `next` (resolved against the current URL when relative)
    /// and every query parameter is dropped, as dlt does; body and headers are kept.
    pub fn follow_link(&mut self, next: &str) -> Result<(), url::ParseError> {
        self.url = self.url.join(next)?;
        self.query.clear();
        Ok(())
    }

    /// The full URL to send: `url` with the query pairs appended.
    pub fn full_url(&self) -> url::Url {
        let mut url = self.url.clone();
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        url
    }
}

/// How Python's `requests` renders a parameter value: strings as they are, `True`/`False`,
/// numbers in their JSON form, `None` as `None`.
pub fn wire_form(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Null => "None".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn req() -> RequestState {
        RequestState::new(
            url::Url::parse("http://example.com/api/resource").unwrap(),
            vec![("sort".into(), "asc".into())],
            None,
        )
    }

    #[test]
    fn set_query_replaces_and_appends() {
        let mut r = req();
        r.set_query("after", "A1".into());
        r.set_query("after", "A2".into());
        assert_eq!(
            r.full_url().as_str(),
            "http://example.com/api/resource?sort=asc&after=A2"
        );
    }

    #[test]
    fn body_path_creates_objects() {
        let mut r = req();
        r.json = Some(serde_json::json!({"q": "x"}));
        let target = Target::Body(Cow::Owned(vec!["page".into(), "token".into()]));
        r.set(&target, Value::String("t2".into()));
        assert_eq!(
            r.json,
            Some(serde_json::json!({"q":"x","page":{"token":"t2"}}))
        );
    }

    #[test]
    fn relative_link_resolution() {
        let mut r = req();
        r.follow_link("/api/resource?page=2").unwrap();
        assert_eq!(
            r.full_url().as_str(),
            "http://example.com/api/resource?page=2"
        );
        let mut r = RequestState::new(
            url::Url::parse("http://example.com:8080/api/resource?page=1").unwrap(),
            vec![],
            None,
        );
        r.follow_link("/api/resource?sort=asc").unwrap();
        assert_eq!(
            r.full_url().as_str(),
            "http://example.com:8080/api/resource?sort=asc"
        );
    }
}
