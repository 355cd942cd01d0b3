use super::*;

fn yaml(text: &str) -> Vec<Value> {
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn a_step_with_filter_and_map_filters_first() {
    let steps = resolve(&yaml(
        "- {map: {remove: [a]}, filter: \"status == 'active'\"}\n- filter: '{{ record.n > 1.5 }}'",
    ))
    .unwrap();
    assert!(matches!(steps[0], ProcessingStep::Filter(_)));
    assert!(matches!(steps[1], ProcessingStep::Map(_)));
    assert!(matches!(steps[2], ProcessingStep::Filter(_)));
}

#[test]
fn yield_map_and_unknown_keys_are_located() {
    let e = resolve(&yaml("- {filter: 'true'}\n- {yield_map: x}")).unwrap_err();
    assert!(e.message.contains("yield_map"), "{}", e.message);
    assert_eq!(e.at.len(), 2, "{:?}", e.at);
    let e = resolve(&yaml("- {fliter: x}")).unwrap_err();
    assert!(e.help.iter().any(|h| h.contains("filter")), "{:?}", e.help);
    let e = resolve(&yaml("- {filter: \"record['a'] ==\"}")).unwrap_err();
    assert!(e.column.is_some());
}

#[test]
fn the_schema_follows_the_maps() {
    let steps = resolve(&yaml(
        "- map:\n    remove: [secret]\n    rename: {n: count}\n    add: {source: api, double: '{{ n * 2 }}', meta: {a: 1}}",
    ))
    .unwrap();
    let schema = serde_json::json!({
        "type": "object",
        "required": ["n", "secret"],
        "properties": {"n": {"type": "integer"}, "secret": {"type": "string"}, "id": {"type": "integer"}}
    });
    let out = reshape(schema, &steps);
    assert_eq!(
        out,
        serde_json::json!({
            "type": "object",
            "required": ["count", "source", "meta"],
            "properties": {
                "id": {"type": "integer"},
                "count": {"type": "integer"},
                "source": {"type": "string"},
                "double": {},
                "meta": {"type": "object"}
            }
        })
    );
}
