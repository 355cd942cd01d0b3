//! Airbyte's Jinja in a request value that restgen computes at run time: a template of its
//! date macros (`{{ now_utc().strftime('%Y-%m-%dT%H:%M:%SZ') }}`, `{{ day_delta(-30,
//! format='%Y-%m-%d') }}`) or of settings becomes `{expr: "<template>"}`, text around it
//! joined with `+` and `str()` as Jinja renders it. A template over Airbyte's sync state
//! (`stream_interval`, `stream_state`, `stream_slice`, `next_page_token`) has no value in a
//! spec: only its fallback (`stream_interval.get('start_time') or format_datetime(..)`) is
//! kept, with what is lost said.

use restgen::ir::template;

/// Airbyte's run state, which a spec's template cannot read.
const STATE: &[&str] = &[
    "stream_interval",
    "stream_state",
    "stream_slice",
    "stream_partition",
    "next_page_token",
];

/// A request value's Jinja as restgen's template, and what its translation lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// The template for `{expr: ..}`.
    pub expr: String,
    /// The parts of Airbyte's sync state it read and left out, when it read any.
    pub lost: Option<String>,
}

/// The template `text` (a string holding `{{ .. }}` spans) computes, when restgen's
/// expressions read every span and one of them is more than a placeholder (`placeholder`
/// tells: `config['x']` is better sent as the setting `{config.x}`); `None` otherwise.
pub fn translate(text: &str, placeholder: impl Fn(&str) -> bool) -> Option<Translated> {
    let mut parts: Vec<String> = Vec::new();
    let mut lost: Vec<String> = Vec::new();
    let mut rest = text;
    let mut spans = 0;
    let mut computed = false;
    while let Some(start) = rest.find("{{") {
        let len = rest[start + 2..].find("}}")?;
        if start > 0 {
            parts.push(quoted(&rest[..start]));
        }
        let inner = rest[start + 2..start + 2 + len].trim();
        computed |= !placeholder(inner);
        let (inner, dropped) = without_state_fallback(inner)?;
        lost.extend(dropped);
        if !reads_only_settings_and_time(inner) {
            return None;
        }
        parts.push(format!("({inner})"));
        spans += 1;
        rest = &rest[start + 2 + len + 2..];
    }
    if spans == 0 || !computed {
        return None;
    }
    if !rest.is_empty() {
        parts.push(quoted(rest));
    }
    let expr = match parts.as_slice() {
        [one] => one
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .unwrap_or(one)
            .to_string(),
        // Jinja writes each value with `str()` between the text
        _ => parts
            .iter()
            .map(|p| {
                if p.starts_with('(') {
                    format!("str{p}")
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" + "),
    };
    let lost = (!lost.is_empty()).then(|| lost.join(", "));
    Some(Translated { expr, lost })
}

/// `A or B` where `A` reads the sync state and `B` does not: `B`, and `A` as what is lost.
/// A span that reads no state is itself; one that reads it otherwise is `None`.
fn without_state_fallback(inner: &str) -> Option<(&str, Option<String>)> {
    let reads = |t: &str| STATE.iter().any(|s| t.contains(s));
    if !reads(inner) {
        return Some((inner, None));
    }
    let (state, fallback) = inner.split_once(" or ")?;
    let fallback = fallback.trim();
    (!reads(fallback)).then(|| (fallback, Some(format!("`{}`", state.trim()))))
}

/// Whether `inner` compiles as a request template: settings, literals and the date
/// functions, nothing of a response.
fn reads_only_settings_and_time(inner: &str) -> bool {
    template::compile(inner).is_ok_and(|expr| template::reads_response(&expr).is_none())
}

/// `text` as a single-quoted template string.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(inner: &str) -> bool {
        inner == "config['plain']"
    }

    fn expr(text: &str) -> Option<String> {
        translate(text, plain).map(|t| t.expr)
    }

    #[test]
    fn date_macros_become_templates() {
        assert_eq!(
            expr("{{ now_utc().strftime('%Y-%m-%dT%H:%M:%SZ') }}").as_deref(),
            Some("now_utc().strftime('%Y-%m-%dT%H:%M:%SZ')")
        );
        assert_eq!(
            expr("updated>{{ day_delta(-30, format='%Y-%m-%d') }}!").as_deref(),
            Some("'updated>' + str(day_delta(-30, format='%Y-%m-%d')) + '!'")
        );
        assert_eq!(
            expr("{{ config['start'] }}..{{ today_utc() }}").as_deref(),
            Some("str(config['start']) + '..' + str(today_utc())")
        );
    }

    #[test]
    fn sync_state_keeps_its_fallback_and_says_what_is_lost() {
        let t = translate(
            "{{ stream_interval.get('start_time', {}) or format_datetime(config['start_date'], '%s') }}",
            plain,
        )
        .unwrap();
        assert_eq!(t.expr, "format_datetime(config['start_date'], '%s')");
        assert_eq!(
            t.lost.as_deref(),
            Some("`stream_interval.get('start_time', {})`")
        );
    }

    #[test]
    fn what_restgen_cannot_compute_stays_as_it_was() {
        for text in [
            "{{ stream_interval['start_time'] }}",
            "{{ stream_partition.id }} {{ now_utc() }}",
            "{{ response.next }}",
            "{{ today_with_timezone('Europe/Paris') }}",
            "{{ now_utc() ",
            "plain text",
            "{{ config['plain'] }}/x",
        ] {
            assert_eq!(translate(text, plain), None, "{text}");
        }
    }
}
