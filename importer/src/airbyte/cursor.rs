//! The pieces of Airbyte's datetime cursor the importer reads into restgen's `incremental`
//! extension: formats, ISO 8601 durations, an end that is "now", and the start and end time
//! options that become the window's `{start_time}` / `{end_time}` placeholders.

use restgen_runtime::incremental::windows::{
    IsoDuration, is_format as runtime_format, read_instant,
};

use crate::tree::{Entry, Node, Value};
use crate::yaml;

/// Whether an end datetime means "now": Airbyte's `now_utc()` (with any `strftime`), `now`,
/// or `today_utc()`, which is where a run without an end value ends anyway.
pub(super) fn is_now(text: &str) -> bool {
    let inner = text.trim();
    if inner.eq_ignore_ascii_case("now") {
        return true;
    }
    let Some(expr) = inner
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(str::trim)
    else {
        return false;
    };
    ["now_utc()", "today_utc()"].iter().any(|call| {
        expr.strip_prefix(call).is_some_and(|rest| {
            let rest = rest.trim();
            rest.is_empty() || (rest.starts_with(".strftime(") && rest.ends_with(')'))
        })
    })
}

/// Whether `text` is a datetime format restgen writes and reads.
pub(super) fn is_format(text: &str) -> bool {
    runtime_format(text)
}

/// Whether `value` is a list of such formats.
pub(super) fn formats(value: &Node) -> bool {
    matches!(&value.value, Value::List(items) if !items.is_empty()
        && items.iter().all(|f| f.as_str().is_some_and(is_format)))
}

/// Whether `text` is an ISO 8601 duration (`P1D`, `PT1S`, `P1M`).
pub(super) fn is_duration(text: &str) -> bool {
    IsoDuration::parse(text).is_some()
}

/// Whether a start or end value reads as a datetime in the block's declared formats. A
/// setting's value is read, and checked, when a run starts.
pub(super) fn readable(value: &Node, block: &Node) -> bool {
    if matches!(value.value, crate::tree::Value::Config(_)) {
        return true;
    }
    let declared: Vec<&str> = block
        .get("cursor_datetime_formats")
        .map(|f| f.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let mut formats = declared;
    formats.extend(block.get("datetime_format").and_then(Node::as_str));
    if formats.is_empty() {
        return true;
    }
    read_instant(&value.to_json(), &formats).is_some()
}

/// The window bounds Airbyte's templates name (`{{ stream_slice.start_time }}`), which the
/// Jinja translation makes the arguments `{start_time}` / `{end_time}`.
const BOUND_REFS: &[&str] = &[
    "stream_slice.start_time",
    "stream_slice.end_time",
    "stream_slice['start_time']",
    "stream_slice['end_time']",
    "stream_slice[\"start_time\"]",
    "stream_slice[\"end_time\"]",
    "{start_time}",
    "{end_time}",
];

/// Whether the endpoint's request already carries a window bound.
pub(super) fn binds_window(endpoint: &Node) -> bool {
    let text = yaml::flow(endpoint);
    BOUND_REFS.iter().any(|r| text.contains(r))
}

/// Whether a window walk can run the endpoint: its only arguments can be the bounds (no
/// parent, no partition, no other argument).
pub(super) fn walkable(endpoint: &Node) -> bool {
    let text = yaml::flow(endpoint);
    let mut slices = text.match_indices("stream_slice").map(|(i, _)| &text[i..]);
    let other_slice = slices.any(|rest| !BOUND_REFS.iter().any(|r| rest.starts_with(r)));
    let path = endpoint.get("path").and_then(Node::as_str).unwrap_or("");
    // a path placeholder other than a setting is an argument the walk cannot bind
    let path_args = placeholders(path).any(|p| !p.contains("config"));
    !(other_slice
        || path_args
        || text.contains("stream_partition")
        || text.contains("{resources.")
        || endpoint.get("partition_router").is_some())
}

/// The insides of the `{..}` and `{{ .. }}` placeholders of `text`.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let open = rest.find('{')?;
        let after = rest[open..].trim_start_matches('{');
        let close = after.find('}')?;
        let inside = &after[..close];
        rest = after[close..].trim_start_matches('}');
        Some(inside)
    })
}

/// Writes a start or end time option as the window bound's placeholder where the request
/// sends it; `None` (nothing written) when it cannot be.
pub(super) fn inject(endpoint: &mut Node, option: &Entry) -> Option<String> {
    let value = &option.value;
    let bound = if option.key.starts_with("start") {
        "start_time"
    } else {
        "end_time"
    };
    let (name, inject) = match &value.value {
        Value::Str(name) => (name.clone(), None),
        _ => (
            value.get("field_name").and_then(Node::as_str)?.to_string(),
            value.get("inject_into").and_then(Node::as_str),
        ),
    };
    if name.contains("{{") || name.is_empty() {
        return None;
    }
    let target = match inject {
        None | Some("request_parameter" | "query") => "params",
        Some("header") => "headers",
        Some("body_json") => "json",
        _ => return None,
    };
    let at = value.at;
    if endpoint.get(target).is_none() {
        endpoint.set(target, Node::new(Value::Dict(Vec::new()), at));
    }
    let map = endpoint.get_mut(target)?;
    if !matches!(map.value, Value::Dict(_)) {
        return None;
    }
    map.set(&name, Node::new(Value::Str(format!("{{{bound}}}")), at));
    let place = match target {
        "params" => "query parameter",
        "headers" => "header",
        _ => "JSON body field",
    };
    Some(format!(
        "`{}` as the {place} `{name}: '{{{bound}}}'`",
        option.key
    ))
}

/// The setting a start or end template reads whole (`{{ config['start_date'] }}`,
/// `{{ config.start_date }}`): Airbyte's way of writing dlt's `dlt.config["start_date"]`.
pub(super) fn setting_template(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let name = inner.strip_prefix("config.").or_else(|| {
        let quoted = inner.strip_prefix("config[")?.strip_suffix(']')?;
        ['\'', '"']
            .iter()
            .find_map(|q| quoted.strip_prefix(*q)?.strip_suffix(*q))
    })?;
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_end_of_now_in_any_strftime() {
        for now in [
            "now",
            "{{ now_utc() }}",
            "{{ now_utc().strftime('%Y-%m-%dT%H:%M:%SZ') }}",
            "{{now_utc().strftime(\"%s\")}}",
            "{{ today_utc() }}",
        ] {
            assert!(is_now(now), "{now}");
        }
        for not_now in [
            "{{ config['end_date'] }}",
            "{{ now_utc() - duration('P1D') }}",
            "2024-01-01",
            "{{ day_delta(-1) }}",
        ] {
            assert!(!is_now(not_now), "{not_now}");
        }
    }

    #[test]
    fn path_placeholders() {
        let found: Vec<&str> = placeholders("/a/{{ config['x'] }}/{id}/{config.y}").collect();
        assert_eq!(found, [" config['x'] ", "id", "config.y"]);
    }

    #[test]
    fn formats_and_durations() {
        assert!(is_format("%Y-%m-%dT%H:%M:%SZ"));
        assert!(is_format("%s"));
        assert!(is_format("%ms"));
        assert!(!is_format("YYYY-MM-DD"));
        assert!(is_duration("P1D"));
        assert!(is_duration("PT0.5S"));
        assert!(!is_duration("{{ config['step'] }}"));
        assert!(!is_duration("1 day"));
    }

    #[test]
    fn a_template_that_reads_a_setting_whole_names_it() {
        for text in [
            "{{ config['start_date'] }}",
            "{{config[\"start_date\"]}}",
            "{{ config.start_date }}",
        ] {
            assert_eq!(super::setting_template(text), Some("start_date"), "{text}");
        }
        for text in [
            "{{ config['start_date'] or '2024-01-01' }}",
            "{{ config['a b'] }}",
            "{{ config[] }}",
            "config['start_date']",
            "{{ now_utc() }}",
        ] {
            assert_eq!(super::setting_template(text), None, "{text}");
        }
    }
}
