//! Input generators for the runtime's property tests: paginator configs of every kind,
//! responses (headers and bodies, JSON or not), selectors, templates and targets.

use std::borrow::Cow;

use proptest::prelude::*;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig, Target,
};
use restgen_runtime::expr::{CmpOp, Expr, Literal, Var};
use restgen_runtime::selector::{Selector, Step};

/// One scripted response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Response headers.
    pub headers: http::HeaderMap,
    /// The body, if any (not always JSON).
    pub body: Option<String>,
}

impl Reply {
    /// A JSON body and no headers.
    pub fn json(body: serde_json::Value) -> Reply {
        Reply {
            headers: http::HeaderMap::new(),
            body: Some(body.to_string()),
        }
    }
}

/// The keys paginators and selectors look for, and a few others.
const KEYS: &[&str] = &[
    "next", "id", "data", "items", "has_more", "total", "meta", "paging", "cursor", "k",
];

/// JSON text (and now and then text that is not JSON) with those keys.
pub fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(Into::into),
        any::<u64>().prop_map(Into::into),
        any::<f64>().prop_map(|f| {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        }),
        "[ -~]{0,10}".prop_map(serde_json::Value::String),
        proptest::sample::select(
            &[
                "https://api.example.com/v1/items?page=2",
                "/relative?x=1",
                "http://[::1",
                "",
                "true",
                "yes",
                "12",
            ][..]
        )
        .prop_map(|s| serde_json::Value::String(s.to_string())),
    ];
    let document = leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..5).prop_map(
                |pairs| {
                    serde_json::Value::Object(
                        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    )
                }
            ),
        ]
    });
    prop_oneof![
        10 => document.prop_map(|d| d.to_string()),
        1 => "[ -~]{0,20}",
        1 => Just("{\"items\": [1, 2".to_string()),
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,30}",
        Just("<https://api.example.com/v1/items?page=2>; rel=\"next\"".to_string()),
        Just(
            "<https://api.example.com/v1/items?page=2>; rel=\"next last\", <x>; rel=prev"
                .to_string()
        ),
        Just("<>; rel=next".to_string()),
        Just(">; rel=next <".to_string()),
        Just("<http://[::1>; rel=\"next\"".to_string()),
    ]
}

/// Response headers, with the names paginators and retries read.
pub fn headers() -> impl Strategy<Value = http::HeaderMap> {
    let name = proptest::sample::select(&["link", "x-cursor", "next", "x-total", "x-k"][..]);
    proptest::collection::vec((name, header_value()), 0..4).prop_map(|pairs| {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                map.append(name, value);
            }
        }
        map
    })
}

/// The headers a retry reads for its wait, with any values.
pub fn wait_headers() -> impl Strategy<Value = http::HeaderMap> {
    let name = proptest::sample::select(&["retry-after", "retry-after-ms", "x-wait"][..]);
    let value = prop_oneof![
        "[ -~]{0,20}",
        any::<f64>().prop_map(|f| f.to_string()),
        proptest::sample::select(
            &[
                "inf",
                "-inf",
                "NaN",
                "1e308",
                "1e400",
                "-5",
                "0",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ][..]
        )
        .prop_map(str::to_string),
    ];
    proptest::collection::vec((name, value), 0..3).prop_map(|pairs| {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                map.append(name, value);
            }
        }
        map
    })
}

/// A response: any headers, and a JSON body, a body that is not JSON, or none.
pub fn reply() -> impl Strategy<Value = Reply> {
    (headers(), proptest::option::weighted(0.9, json_text()))
        .prop_map(|(headers, body)| Reply { headers, body })
}

fn text(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_string())
}

/// A JSONPath, compiled.
pub fn selector() -> impl Strategy<Value = Selector> {
    let step = prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(|k| Step::Field(text(k))),
        1 => prop_oneof![Just(0i64), Just(-1), Just(i64::MIN), Just(i64::MAX), -3i64..3]
            .prop_map(Step::Index),
        1 => Just(Step::Wildcard),
        1 => proptest::sample::select(KEYS).prop_map(|k| Step::Descendant(text(k))),
    ];
    proptest::collection::vec(step, 0..4).prop_map(|steps| Selector {
        steps: Cow::Owned(steps),
    })
}

/// Where a paginator writes: a query parameter or a body path.
pub fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        "[a-z_]{0,6}".prop_map(|n| Target::Query(text(&n))),
        proptest::collection::vec("[a-z]{0,4}", 0..3)
            .prop_map(|path| { Target::Body(Cow::Owned(path.iter().map(|p| text(p)).collect())) }),
    ]
}

/// A template expression.
pub fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        proptest::sample::select(
            &[
                Var::Response,
                Var::Headers,
                Var::LastRecord,
                Var::LastPageSize
            ][..]
        )
        .prop_map(Expr::Var),
        prop_oneof![
            Just(Literal::None),
            any::<bool>().prop_map(Literal::Bool),
            prop_oneof![Just(i64::MIN), Just(i64::MAX), -5i64..100].prop_map(Literal::Int),
            proptest::sample::select(KEYS).prop_map(|k| Literal::Str(text(k))),
            Just(Literal::EmptyObject),
            Just(Literal::EmptyList),
        ]
        .prop_map(Expr::Lit),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = proptest::sample::select(
            &[
                CmpOp::Eq,
                CmpOp::Ne,
                CmpOp::Lt,
                CmpOp::Le,
                CmpOp::Gt,
                CmpOp::Ge,
            ][..],
        );
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| Expr::Get(Cow::Owned(v))),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| Expr::Not(Cow::Owned(v))),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| Expr::And(Cow::Owned(v))),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(|v| Expr::Or(Cow::Owned(v))),
            (op, proptest::collection::vec(inner, 0..3))
                .prop_map(|(op, v)| Expr::Cmp(op, Cow::Owned(v))),
        ]
    })
}

fn page_size() -> impl Strategy<Value = Option<PageSize>> {
    proptest::option::of(
        (target(), any::<u64>()).prop_map(|(target, value)| PageSize { target, value }),
    )
}

/// Numbers at the edges of their types, where counters overflow.
fn edge_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(u64::MAX),
        Just(i64::MAX as u64),
        0u64..100
    ]
}

fn edge_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(1),
        Just(i64::MAX),
        Just(i64::MIN),
        -3i64..100
    ]
}

/// A paginator config of any kind (some of which `Paginator::new` refuses).
pub fn paginator_config() -> impl Strategy<Value = PaginatorConfig> {
    let source = prop_oneof![
        selector().prop_map(CursorSource::Path),
        expr().prop_map(CursorSource::Template),
        selector().prop_map(CursorSource::LastRecord),
    ];
    let cursor = (
        source,
        target(),
        proptest::option::of(expr()),
        any::<bool>(),
        proptest::option::of(selector()),
        page_size(),
    )
        .prop_map(
            |(source, target, stop_condition, empty, has_more, page_size)| {
                PaginatorConfig::Cursor(CursorConfig {
                    source,
                    target,
                    stop_condition,
                    stop_after_empty_page: empty,
                    has_more_path: has_more,
                    page_size,
                })
            },
        );
    let offset = (
        (edge_u64(), edge_u64(), target(), target()),
        (
            proptest::option::of(selector()),
            proptest::option::of(edge_u64()),
            any::<bool>(),
            proptest::option::of(selector()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((limit, offset, offset_target, limit_target), (total, max, empty, more, short))| {
                PaginatorConfig::Offset(OffsetConfig {
                    limit,
                    offset,
                    offset_target,
                    limit_target,
                    total_path: total,
                    maximum_offset: max,
                    stop_after_empty_page: empty,
                    has_more_path: more,
                    stop_on_short_page: short,
                })
            },
        );
    let page_number = (
        (edge_i64(), edge_i64(), target(), any::<bool>()),
        (
            proptest::option::of(selector()),
            proptest::option::of(edge_i64()),
            any::<bool>(),
            proptest::option::of(selector()),
            page_size(),
        ),
    )
        .prop_map(
            |((base, page, page_target, short), (total, max, empty, more, size))| {
                PaginatorConfig::PageNumber(PageNumberConfig {
                    base_page: base,
                    page,
                    page_target,
                    total_path: total,
                    maximum_page: max,
                    stop_after_empty_page: empty,
                    has_more_path: more,
                    page_size: size,
                    stop_on_short_page: short,
                })
            },
        );
    prop_oneof![
        Just(PaginatorConfig::SinglePage),
        Just(PaginatorConfig::Auto),
        selector().prop_map(|s| PaginatorConfig::JsonLink { next_url_path: s }),
        "[a-z]{0,5}".prop_map(|k| PaginatorConfig::HeaderLink {
            links_next_key: text(&k)
        }),
        ("[a-z-]{1,8}", "[a-z]{0,5}").prop_map(|(k, p)| PaginatorConfig::HeaderCursor {
            cursor_key: text(&k),
            cursor_param: text(&p),
        }),
        cursor,
        offset,
        page_number,
    ]
}
