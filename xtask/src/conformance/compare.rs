//! Comparing the two sides of a scenario: the request sequences (rendered one line each), the
//! record multisets and the failures, then the verdict, including whether a marked deviation
//! is exactly the documented difference.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::scenario::{Counts, Expectation, Scenario, unsubstitute, unsubstitute_json};
use super::server::{Origin, Recorded};

/// Headers every HTTP client sets its own way; they say nothing about the config.
const TRANSPORT_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "host",
    "transfer-encoding",
    "user-agent",
];

/// What one side did in a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Every request the servers received, in order.
    pub requests: Vec<Recorded>,
    /// One result per run and resource, in order.
    pub results: Vec<ResourceResult>,
}

/// The records one resource yielded in one run, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceResult {
    /// The resource.
    pub resource: String,
    /// The records, in order, up to the failure if any.
    pub records: Vec<Value>,
    /// The failure, if the resource failed.
    pub error: Option<String>,
}

impl Outcome {
    /// The outcome with this side's server origins put back to `$SERVER` / `$OTHER` in
    /// records, failures and request headers, so the two sides compare.
    pub fn normalized(mut self, main: &str, other: &str) -> Outcome {
        for result in &mut self.results {
            for record in &mut result.records {
                unsubstitute_json(record, main, other);
            }
            if let Some(error) = &mut result.error {
                *error = unsubstitute(error, main, other);
            }
        }
        for request in &mut self.requests {
            for (_, value) in &mut request.headers {
                *value = unsubstitute(value, main, other);
            }
            if request.query.is_some() {
                let pairs = request.query_pairs();
                let mut query = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &pairs {
                    query.append_pair(k, &unsubstitute(v, main, other));
                }
                request.query = Some(query.finish());
            }
        }
        self
    }

    /// Every request rendered as one line.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests.iter().map(render_request).collect()
    }

    fn record_count(&self) -> usize {
        self.results.iter().map(|r| r.records.len()).sum()
    }

    fn first_error(&self) -> Option<&str> {
        self.results.iter().find_map(|r| r.error.as_deref())
    }
}

/// One request as a line: `GET /items?a=1&b=2 [authorization: Bearer x] {"q":1}`. The query
/// is shown decoded, headers other than transport ones sorted by name, a JSON body with its
/// keys sorted; a request to `$OTHER` shows its path as `other:/path`.
pub fn render_request(request: &Recorded) -> String {
    let mut line = format!("{} ", request.method);
    if request.origin == Origin::Other {
        line.push_str("other:");
    }
    line.push_str(&request.path);
    let pairs = request.query_pairs();
    if !pairs.is_empty() {
        line.push('?');
        let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        line.push_str(&pairs.join("&"));
    }
    let mut headers: Vec<&(String, String)> = request
        .headers
        .iter()
        .filter(|(k, _)| !TRANSPORT_HEADERS.contains(&k.as_str()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        line.push_str(&format!(" [{name}: {value}]"));
    }
    if !request.body.is_empty() {
        line.push(' ');
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(json) => line.push_str(&canonical(&json)),
            Err(_) => line.push_str(&String::from_utf8_lossy(&request.body)),
        }
    }
    line
}

/// JSON text with object keys sorted at every level, so equal values render equally.
pub fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// How two request sequences compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequence {
    /// The same lines in the same order.
    Same,
    /// The same lines, and the same order among the requests to each path; only the
    /// interleaving of different paths differs. dlt's pipe iterator may fetch the next parent
    /// page before the children of the previous one, and does not promise an order across
    /// parents, so this is agreement.
    Interleaved,
    /// Anything else.
    Different,
}

impl Sequence {
    /// Compares two sequences of rendered request lines.
    pub fn of(a: &[String], b: &[String]) -> Sequence {
        if a == b {
            return Sequence::Same;
        }
        if by_path(a) == by_path(b) {
            Sequence::Interleaved
        } else {
            Sequence::Different
        }
    }

    /// Whether the sequences agree.
    pub fn agrees(self) -> bool {
        self != Sequence::Different
    }
}

/// Request lines grouped by method and path, each group in order.
fn by_path(lines: &[String]) -> BTreeMap<&str, Vec<&str>> {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in lines {
        groups.entry(path_key(line)).or_default().push(line);
    }
    groups
}

/// A rendered request's method and path (with the `other:` origin mark): what comes before
/// the query, headers and body.
fn path_key(line: &str) -> &str {
    let after_method = line.find(' ').map_or(line.len(), |i| i + 1);
    let end = line[after_method..]
        .find(['?', ' '])
        .map_or(line.len(), |i| after_method + i);
    &line[..end]
}

/// How the two sides compare on each aspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// How the request sequences compare.
    pub sequence: Sequence,
    /// The request sequences agree (see [`Sequence`]).
    pub requests: bool,
    /// Same records per run and resource, as multisets.
    pub records: bool,
    /// The same resources failed.
    pub errors: bool,
}

impl Agreement {
    /// Compares two outcomes.
    pub fn of(dlt: &Outcome, ours: &Outcome) -> Agreement {
        let records = dlt.results.len() == ours.results.len()
            && dlt.results.iter().zip(&ours.results).all(|(a, b)| {
                a.resource == b.resource && multiset(&a.records) == multiset(&b.records)
            });
        let errors = dlt.results.len() == ours.results.len()
            && dlt
                .results
                .iter()
                .zip(&ours.results)
                .all(|(a, b)| a.error.is_some() == b.error.is_some());
        let sequence = Sequence::of(&dlt.request_lines(), &ours.request_lines());
        Agreement {
            sequence,
            requests: sequence.agrees(),
            records,
            errors,
        }
    }

    fn all(self) -> bool {
        self.requests && self.records && self.errors
    }
}

/// Records as sorted canonical texts: the set comparison, duplicates counted.
pub fn multiset(records: &[Value]) -> Vec<String> {
    let mut texts: Vec<String> = records.iter().map(canonical).collect();
    texts.sort();
    texts
}

/// The verdict on a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Both sides agree (and meet `expect`).
    Agree,
    /// The sides differ exactly as the documented deviation says.
    Deviation(u32),
    /// Anything else, with the reasons.
    Fail(Vec<String>),
}

/// Judges a scenario's two outcomes. `documented` holds the rows of docs/deviations.md.
pub fn judge(
    scenario: &Scenario,
    dlt: &Outcome,
    ours: &Outcome,
    documented: &BTreeSet<u32>,
) -> Verdict {
    let agreement = Agreement::of(dlt, ours);
    let mut reasons = Vec::new();
    if let Some(expect) = &scenario.expect {
        reasons.extend(unmet(expect, dlt, "dlt"));
        reasons.extend(unmet(expect, ours, "restgen"));
    }
    let Some(deviation) = &scenario.deviation else {
        if !agreement.requests {
            reasons.push("the request sequences differ".into());
        }
        if !agreement.records {
            reasons.push("the records differ".into());
        }
        if !agreement.errors {
            reasons.push("one side fails where the other does not".into());
        }
        let expects_error = scenario
            .expect
            .as_ref()
            .is_some_and(|e| matches!(e.failure(), Some(Some(_))));
        if agreement.all() && dlt.first_error().is_some() && !expects_error {
            reasons.push(
                "both sides fail, and `expect.error` does not say so: the scenario is broken"
                    .into(),
            );
        }
        return if reasons.is_empty() {
            Verdict::Agree
        } else {
            Verdict::Fail(reasons)
        };
    };
    let number = deviation.number;
    if !documented.contains(&number) {
        reasons.push(format!(
            "deviation {number} is not a row of docs/deviations.md"
        ));
    }
    reasons.extend(unmet(&deviation.dlt, dlt, "dlt"));
    reasons.extend(unmet(&deviation.restgen, ours, "restgen"));
    let listed = |f: fn(&Expectation) -> bool| f(&deviation.dlt) || f(&deviation.restgen);
    if !listed(|e| e.requests.is_some()) && !agreement.requests {
        reasons.push(format!(
            "the request sequences differ, which deviation {number} does not describe"
        ));
    }
    if !listed(|e| e.records.is_some()) && !agreement.records {
        reasons.push(format!(
            "the records differ, which deviation {number} does not describe"
        ));
    }
    if !listed(|e| e.error.is_some()) && !agreement.errors {
        reasons.push(format!(
            "the failures differ, which deviation {number} does not describe"
        ));
    }
    if agreement.all() {
        reasons.push(format!(
            "the sides agree: deviation {number} is not shown by this scenario"
        ));
    }
    if reasons.is_empty() {
        Verdict::Deviation(number)
    } else {
        Verdict::Fail(reasons)
    }
}

/// What an outcome fails to meet of an expectation, one reason per aspect.
fn unmet(expect: &Expectation, outcome: &Outcome, side: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(requests) = &expect.requests
        && !Sequence::of(requests, &outcome.request_lines()).agrees()
    {
        reasons.push(format!("{side}: the requests are not the expected ones"));
    }
    match &expect.records {
        Some(Counts::Total(n)) if *n != outcome.record_count() => reasons.push(format!(
            "{side}: {} records, expected {n}",
            outcome.record_count()
        )),
        Some(Counts::Each(counts)) => {
            let found: Vec<usize> = outcome.results.iter().map(|r| r.records.len()).collect();
            if *counts != found {
                reasons.push(format!(
                    "{side}: records per run and resource {found:?}, expected {counts:?}"
                ));
            }
        }
        _ => {}
    }
    match (expect.failure(), outcome.first_error()) {
        (Some(None), Some(found)) => reasons.push(format!("{side}: fails: {found}")),
        (Some(Some(wanted)), None) => {
            reasons.push(format!("{side}: does not fail, expected `{wanted}`"));
        }
        (Some(Some(wanted)), Some(found)) if !found.contains(wanted) => {
            reasons.push(format!("{side}: fails with `{found}`, expected `{wanted}`"));
        }
        _ => {}
    }
    reasons
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(path: &str, query: Option<&str>, headers: &[(&str, &str)]) -> Recorded {
        Recorded {
            origin: Origin::Main,
            method: "GET".into(),
            path: path.into(),
            query: query.map(str::to_string),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }

    fn outcome(requests: Vec<Recorded>, records: Vec<Value>, error: Option<&str>) -> Outcome {
        Outcome {
            requests,
            results: vec![ResourceResult {
                resource: "items".into(),
                records,
                error: error.map(str::to_string),
            }],
        }
    }

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "about: test\nsource: {{client: {{base_url: $SERVER}}, resources: [items]}}\nroutes: []\n{extra}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    fn documented() -> BTreeSet<u32> {
        [1, 9].into_iter().collect()
    }

    #[test]
    fn a_request_renders_decoded_with_relevant_headers_sorted() {
        let mut r = request(
            "/items",
            Some("q=a%3Ab&n=1"),
            &[
                ("user-agent", "dlt/1.31.0"),
                ("x-b", "2"),
                ("authorization", "Bearer t"),
            ],
        );
        r.body = br#"{"b":1,"a":{"d":2,"c":3}}"#.to_vec();
        assert_eq!(
            render_request(&r),
            r#"GET /items?q=a:b&n=1 [authorization: Bearer t] [x-b: 2] {"a":{"c":3,"d":2},"b":1}"#
        );
    }

    #[test]
    fn requests_to_different_paths_may_interleave_but_not_reorder_within_a_path() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let dlt = lines(&["GET /p?o=0", "GET /p?o=2", "GET /p/1", "GET /p/2"]);
        let ours = lines(&["GET /p?o=0", "GET /p/1", "GET /p/2", "GET /p?o=2"]);
        assert_eq!(Sequence::of(&dlt, &ours), Sequence::Interleaved);
        let swapped = lines(&["GET /p?o=2", "GET /p?o=0", "GET /p/1", "GET /p/2"]);
        assert_eq!(Sequence::of(&dlt, &swapped), Sequence::Different);
        assert_eq!(path_key("POST other:/t [a: b] {}"), "POST other:/t");
        assert_eq!(path_key("GET /x?a=1 [a: b]"), "GET /x");
    }

    #[test]
    fn records_compare_as_multisets_and_key_order_does_not_matter() {
        let a = outcome(vec![], vec![json!({"a":1,"b":2}), json!({"a":3})], None);
        let b = outcome(vec![], vec![json!({"a":3}), json!({"b":2,"a":1})], None);
        assert!(Agreement::of(&a, &b).records);
        let c = outcome(vec![], vec![json!({"a":3}), json!({"a":3})], None);
        assert!(!Agreement::of(&a, &c).records);
    }

    #[test]
    fn agreeing_sides_pass_and_a_different_request_fails() {
        let s = scenario("");
        let a = outcome(
            vec![request("/items", Some("page=1"), &[])],
            vec![json!(1)],
            None,
        );
        assert_eq!(judge(&s, &a, &a.clone(), &documented()), Verdict::Agree);
        let b = outcome(
            vec![request("/items", Some("page=0"), &[])],
            vec![json!(1)],
            None,
        );
        assert!(matches!(judge(&s, &a, &b, &documented()), Verdict::Fail(_)));
    }

    #[test]
    fn both_sides_failing_unexpectedly_is_a_broken_scenario() {
        let s = scenario("");
        let a = outcome(vec![], vec![], Some("404"));
        assert!(matches!(
            judge(&s, &a, &a.clone(), &documented()),
            Verdict::Fail(_)
        ));
        let s = scenario("expect: {error: '404'}");
        assert_eq!(judge(&s, &a, &a.clone(), &documented()), Verdict::Agree);
        let s = scenario("expect: {error: true}");
        assert_eq!(judge(&s, &a, &a.clone(), &documented()), Verdict::Agree);
        let s = scenario("expect: {error: false}");
        assert!(matches!(
            judge(&s, &a, &a.clone(), &documented()),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn a_deviation_passes_only_when_it_is_exactly_the_documented_difference() {
        let s = scenario(
            "deviation:\n  number: 1\n  dlt: {records: 0, error: 'Total'}\n  restgen: {records: 2, error: null}\n",
        );
        let requests = vec![request("/items", Some("offset=0&limit=2"), &[])];
        let dlt = outcome(
            requests.clone(),
            vec![],
            Some("ValueError: Total `items` not found"),
        );
        let ours = outcome(requests.clone(), vec![json!(1), json!(2)], None);
        assert_eq!(judge(&s, &dlt, &ours, &documented()), Verdict::Deviation(1));

        // the two agree: the deviation is not shown
        assert!(matches!(
            judge(&s, &ours, &ours.clone(), &documented()),
            Verdict::Fail(_)
        ));
        // they differ in another way too: the requests, which the deviation does not list
        let more = outcome(
            vec![
                requests[0].clone(),
                request("/items", Some("offset=2"), &[]),
            ],
            vec![json!(1), json!(2)],
            None,
        );
        assert!(matches!(
            judge(&s, &dlt, &more, &documented()),
            Verdict::Fail(_)
        ));
        // a number that is not documented
        let s = scenario(
            "deviation:\n  number: 77\n  dlt: {records: 0, error: 'Total'}\n  restgen: {records: 2, error: null}\n",
        );
        assert!(matches!(
            judge(&s, &dlt, &ours, &documented()),
            Verdict::Fail(_)
        ));
    }
}
