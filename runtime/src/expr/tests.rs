//! The templates' evaluation over a page: lookups and defaults, comparisons, membership,
//! truthiness, filters and arithmetic, settings bound when a request starts, and values
//! too deep to parse.

use super::*;

fn b(e: Expr) -> List<Expr> {
    Cow::Owned(vec![e])
}
fn get(target: Expr, key: &'static str, default: Option<Expr>) -> Expr {
    let mut ops = vec![target, Expr::Lit(Literal::Str(key.into()))];
    ops.extend(default);
    Expr::Get(Cow::Owned(ops))
}

fn scope<'a>(body: &'a RawValue, headers: &'a http::HeaderMap) -> Scope<'a> {
    Scope {
        response: Some(body),
        headers,
        last_record: None,
        last_page_size: 0,
        record: None,
    }
}

#[test]
fn paging_next_template() {
    // response.get("paging", {}).get("next", {})
    let e = get(
        get(
            Expr::Var(Var::Response),
            "paging",
            Some(Expr::Lit(Literal::EmptyObject)),
        ),
        "next",
        Some(Expr::Lit(Literal::EmptyObject)),
    );
    let headers = http::HeaderMap::new();
    let body: &RawValue =
        serde_json::from_str(r#"{"paging":{"next":"https://x/y?offset=2"}}"#).unwrap();
    assert_eq!(
        e.eval(&scope(body, &headers)).into_cursor().as_deref(),
        Some("https://x/y?offset=2")
    );
    let end: &RawValue = serde_json::from_str(r#"{"paging":{"first":"a"}}"#).unwrap();
    assert_eq!(e.eval(&scope(end, &headers)).into_cursor(), None);
    let not = Expr::Not(b(e));
    assert!(not.eval(&scope(end, &headers)).truthy());
}

#[test]
fn has_more_missing_is_falsy() {
    let e = Expr::Not(b(get(
        Expr::Var(Var::Response),
        "has_more",
        Some(Expr::Lit(Literal::EmptyObject)),
    )));
    let headers = http::HeaderMap::new();
    let more: &RawValue = serde_json::from_str(r#"{"has_more":true}"#).unwrap();
    let done: &RawValue = serde_json::from_str(r#"{"has_more":false}"#).unwrap();
    let missing: &RawValue = serde_json::from_str(r#"{}"#).unwrap();
    assert!(!e.eval(&scope(more, &headers)).truthy());
    assert!(e.eval(&scope(done, &headers)).truthy());
    assert!(e.eval(&scope(missing, &headers)).truthy());
}

#[test]
fn into_json_keeps_types_and_drops_falsy() {
    let headers = http::HeaderMap::new();
    let body: &RawValue =
        serde_json::from_str(r#"{"n":42,"s":"t","f":1.5,"o":{"a":1},"z":0,"e":""}"#).unwrap();
    let s = scope(body, &headers);
    let at = |k: &'static str| get(Expr::Var(Var::Response), k, None).eval(&s).into_json();
    assert_eq!(at("n"), Some(serde_json::json!(42)));
    assert_eq!(at("s"), Some(serde_json::json!("t")));
    assert_eq!(at("f"), Some(serde_json::json!(1.5)));
    assert_eq!(at("o"), Some(serde_json::json!({"a": 1})));
    assert_eq!(at("z"), None);
    assert_eq!(at("e"), None);
    assert_eq!(at("missing"), None);
}

#[test]
fn comparisons_and_headers() {
    let mut headers = http::HeaderMap::new();
    headers.insert("X-Next", http::HeaderValue::from_static("abc"));
    let body: &RawValue = serde_json::from_str(r#"{"n":3}"#).unwrap();
    let s = scope(body, &headers);
    let lt = Expr::Cmp(
        CmpOp::Lt,
        Cow::Owned(vec![
            get(Expr::Var(Var::Response), "n", None),
            Expr::Lit(Literal::Int(5)),
        ]),
    );
    assert!(lt.eval(&s).truthy());
    let h = get(Expr::Var(Var::Headers), "x-next", None);
    assert_eq!(h.eval(&s).into_cursor().as_deref(), Some("abc"));
}

fn eval_text<'a>(e: &'a Expr, body: &'a RawValue, headers: &'a http::HeaderMap) -> Value<'a> {
    e.eval(&scope(body, headers))
}

fn ops(items: Vec<Expr>) -> List<Expr> {
    Cow::Owned(items)
}

fn s(text: &'static str) -> Expr {
    Expr::Lit(Literal::Str(text.into()))
}

#[test]
fn membership_in_objects_lists_strings_and_headers() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::LINK,
        http::HeaderValue::from_static(r#"<https://x/a?c=2>; rel="next"; results="true""#),
    );
    let body: &RawValue =
        serde_json::from_str(r#"{"meta":{"next":null},"tags":["a","b"],"s":"xnexty"}"#).unwrap();
    let within = |needle: Expr, at: Expr| Expr::In(ops(vec![needle, at]));
    // a key that is there with a null value is in the object
    let meta = get(Expr::Var(Var::Response), "meta", None);
    assert!(eval_text(&within(s("next"), meta.clone()), body, &headers).truthy());
    assert!(!eval_text(&within(s("prev"), meta), body, &headers).truthy());
    let tags = get(Expr::Var(Var::Response), "tags", None);
    assert!(eval_text(&within(s("b"), tags), body, &headers).truthy());
    let text = get(Expr::Var(Var::Response), "s", None);
    assert!(eval_text(&within(s("next"), text), body, &headers).truthy());
    // `headers['link']` is the parsed Link header, by relation
    let link = get(Expr::Var(Var::Headers), "link", None);
    assert!(eval_text(&within(s("next"), link.clone()), body, &headers).truthy());
    let results = get(get(link, "next", None), "results", None);
    assert_eq!(
        eval_text(&results, body, &headers).into_cursor().as_deref(),
        Some("true")
    );
    // any other spelling is the raw header
    let raw = get(Expr::Var(Var::Headers), "Link", None);
    assert!(
        eval_text(&raw, body, &headers)
            .into_cursor()
            .is_some_and(|v| v.starts_with("<https://x/a?c=2>"))
    );
    let no_headers = http::HeaderMap::new();
    let link = get(Expr::Var(Var::Headers), "link", None);
    assert!(!eval_text(&within(s("next"), link), body, &no_headers).truthy());
}

#[test]
fn defined_tells_a_null_from_a_missing_key() {
    let headers = http::HeaderMap::new();
    let body: &RawValue = serde_json::from_str(r#"{"a":null}"#).unwrap();
    let defined = |key| Expr::Defined(ops(vec![get(Expr::Var(Var::Response), key, None)]));
    assert!(eval_text(&defined("a"), body, &headers).truthy());
    assert!(!eval_text(&defined("b"), body, &headers).truthy());
}

#[test]
fn filters_and_arithmetic() {
    let headers = http::HeaderMap::new();
    let body: &RawValue =
        serde_json::from_str(r#"{"data":[1,2,3],"n":41,"next_offset":["x",7],"p":"3"}"#).unwrap();
    let call = |func, items| Expr::Call(func, ops(items));
    let data = get(Expr::Var(Var::Response), "data", None);
    let len = call(Func::Length, vec![data]);
    assert_eq!(
        eval_text(&len, body, &headers).into_cursor().as_deref(),
        Some("3")
    );
    let plus = call(
        Func::Add,
        vec![
            get(Expr::Var(Var::Response), "n", None),
            Expr::Lit(Literal::Int(1)),
        ],
    );
    assert_eq!(
        eval_text(&plus, body, &headers).into_cursor().as_deref(),
        Some("42")
    );
    // settings are text: arithmetic reads a number in it
    let minus = call(
        Func::Sub,
        vec![
            get(Expr::Var(Var::Response), "p", None),
            Expr::Lit(Literal::Int(1)),
        ],
    );
    assert_eq!(
        eval_text(&minus, body, &headers).into_cursor().as_deref(),
        Some("2")
    );
    let json = call(
        Func::ToJson,
        vec![get(Expr::Var(Var::Response), "next_offset", None)],
    );
    assert_eq!(
        eval_text(&json, body, &headers).into_cursor().as_deref(),
        Some(r#"["x",7]"#)
    );
    let missing = call(
        Func::ToJson,
        vec![get(Expr::Var(Var::Response), "gone", None)],
    );
    assert_eq!(
        eval_text(&missing, body, &headers).into_cursor().as_deref(),
        Some("null")
    );
}

#[test]
fn settings_are_bound_when_a_request_starts() {
    let headers = http::HeaderMap::new();
    let body: &RawValue = serde_json::from_str(r#"{"page":4}"#).unwrap();
    // response.page > config['pages'] - 1
    let e = Expr::Cmp(
        CmpOp::Gt,
        ops(vec![
            get(Expr::Var(Var::Response), "page", None),
            Expr::Call(
                Func::Sub,
                ops(vec![
                    Expr::Config("pages".into()),
                    Expr::Lit(Literal::Int(1)),
                ]),
            ),
        ]),
    );
    assert_eq!(e.settings(), vec!["pages"]);
    let five = e.with_config(&|name| (name == "pages").then(|| "5".to_string()));
    assert!(!eval_text(&five, body, &headers).truthy());
    let four = e.with_config(&|_| Some("4".to_string()));
    assert!(eval_text(&four, body, &headers).truthy());
    // unbound, a setting is None, and `None - 1` is None: nothing compares greater
    assert!(!eval_text(&e, body, &headers).truthy());
}

#[test]
fn values_too_deep_to_parse_are_equal_to_nothing() {
    let deep = |leaf: &str| format!("{}{leaf}{}", "[".repeat(200), "]".repeat(200));
    let text = format!(r#"{{"a":{},"b":{}}}"#, deep("1"), deep("2"));
    let body: &RawValue = serde_json::from_str(&text).unwrap();
    let headers = http::HeaderMap::new();
    let a = get(Expr::Var(Var::Response), "a", None);
    let b = get(Expr::Var(Var::Response), "b", None);
    let eq = Expr::Cmp(CmpOp::Eq, ops(vec![a, b]));
    assert!(!eval_text(&eq, body, &headers).truthy());
}
