//! An RFC 8288 `Link` header as Airbyte's templates see `headers["link"]`: requests'
//! `response.links`, a map from each relation to `{url, rel, <other params>}`.

use serde_json::{Map, Value};

/// The links of a `Link` header value, by relation. A `rel` holding several relations
/// (`rel="next last"`) is listed under each.
pub fn parse(header: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for link in crate::paginate::split_links(header) {
        let link = link.trim();
        let Some(end) = link.find('>') else {
            continue;
        };
        let Some(url) = link.strip_prefix('<').and_then(|l| l.get(..end - 1)) else {
            continue;
        };
        let mut entry = Map::new();
        entry.insert("url".into(), Value::String(url.to_string()));
        for param in link[end + 1..].split(';') {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim().trim_matches(['"', '\'']).to_string();
            entry.insert(key, Value::String(value));
        }
        let rels: Vec<String> = match entry.get("rel").and_then(Value::as_str) {
            Some(rel) => rel.split_ascii_whitespace().map(str::to_string).collect(),
            None => vec![url.to_string()],
        };
        for rel in rels {
            out.insert(rel, Value::Object(entry.clone()));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn links_by_relation_with_their_params() {
        let links = parse(
            r#"<https://x/a?cursor=1>; rel="previous"; results="false", <https://x/a?c=2,3>; rel="next"; results="true"; cursor="2""#,
        );
        assert_eq!(links["next"]["url"], "https://x/a?c=2,3");
        assert_eq!(links["next"]["results"], "true");
        assert_eq!(links["previous"]["results"], "false");
        let both = parse("<https://x/b>; rel=\"next last\"");
        assert_eq!(both["last"]["url"], "https://x/b");
        assert_eq!(both["next"]["url"], "https://x/b");
        assert!(parse("garbage").is_empty());
    }
}
