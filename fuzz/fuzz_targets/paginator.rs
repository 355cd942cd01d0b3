//! Any paginator over any sequence of responses: built from fuzzer bytes (kind, numbers at
//! any size, names, selectors made of the paginators' keys), then driven as the drivers
//! drive it. It must never panic.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use restgen_runtime::descriptor::{
    CursorConfig, CursorSource, OffsetConfig, PageNumberConfig, PageSize, PaginatorConfig, Target,
};
use restgen_runtime::paginate::{PageView, Paginator, RequestState};
use restgen_runtime::selector::{Selector, Step, detect_data_selector, select_records};
use serde_json::value::RawValue;

const KEYS: &[&str] = &[
    "next", "id", "data", "items", "has_more", "total", "cursor", "meta",
];

#[derive(Debug, Arbitrary)]
struct Input {
    kind: u8,
    numbers: [u64; 4],
    flags: u8,
    paths: [Vec<(u8, i8)>; 3],
    name: String,
    pages: Vec<(Vec<(u8, String)>, Option<String>)>,
}

fn selector(steps: &[(u8, i8)]) -> Selector {
    let steps = steps
        .iter()
        .take(4)
        .map(|(k, i)| match k % 4 {
            0 | 1 => Step::Field(Cow::Borrowed(KEYS[usize::from(*k) % KEYS.len()])),
            2 => Step::Index(i64::from(*i)),
            _ => Step::Wildcard,
        })
        .collect();
    Selector {
        steps: Cow::Owned(steps),
    }
}

fn config(input: &Input) -> PaginatorConfig {
    let [a, b, c, d] = input.numbers;
    let flag = |n: u8| input.flags & (1 << n) != 0;
    let target = if flag(0) {
        Target::Body(Cow::Owned(vec![Cow::Owned(input.name.clone())]))
    } else {
        Target::Query(Cow::Owned(input.name.clone()))
    };
    let [p0, p1, p2] = &input.paths;
    match input.kind % 8 {
        0 => PaginatorConfig::SinglePage,
        1 => PaginatorConfig::Auto,
        2 => PaginatorConfig::JsonLink {
            next_url_path: selector(p0),
        },
        3 => PaginatorConfig::HeaderLink {
            links_next_key: Cow::Owned(input.name.clone()),
        },
        4 => PaginatorConfig::HeaderCursor {
            cursor_key: Cow::Borrowed("x-cursor"),
            cursor_param: Cow::Owned(input.name.clone()),
        },
        5 => PaginatorConfig::Cursor(CursorConfig {
            source: if flag(1) {
                CursorSource::LastRecord(selector(p0))
            } else {
                CursorSource::Path(selector(p0))
            },
            target,
            stop_condition: None,
            stop_after_empty_page: flag(2),
            has_more_path: flag(3).then(|| selector(p1)),
            page_size: flag(4).then(|| PageSize {
                target: Target::Query(Cow::Borrowed("limit")),
                value: d,
            }),
        }),
        6 => PaginatorConfig::Offset(OffsetConfig {
            limit: a,
            offset: b,
            offset_target: target,
            limit_target: Target::Query(Cow::Borrowed("limit")),
            total_path: flag(1).then(|| selector(p1)),
            maximum_offset: flag(2).then_some(c),
            stop_after_empty_page: flag(3),
            has_more_path: flag(4).then(|| selector(p2)),
            stop_on_short_page: flag(5),
        }),
        _ => PaginatorConfig::PageNumber(PageNumberConfig {
            base_page: a as i64,
            page: b as i64,
            page_target: target,
            total_path: flag(1).then(|| selector(p1)),
            maximum_page: flag(2).then_some(c as i64),
            stop_after_empty_page: flag(3),
            has_more_path: flag(4).then(|| selector(p2)),
            page_size: flag(6).then(|| PageSize {
                target: Target::Query(Cow::Borrowed("limit")),
                value: d,
            }),
            stop_on_short_page: flag(5),
        }),
    }
}

fuzz_target!(|input: Input| {
    let Ok(mut paginator) = Paginator::new(&config(&input)) else {
        return;
    };
    let Ok(url) = url::Url::parse("https://api.example.com/v1/items") else {
        return;
    };
    let mut request = RequestState::new(url, Vec::new(), None);
    paginator.init_request(&mut request);
    for (headers, body) in input.pages.iter().take(16) {
        let mut map = http::HeaderMap::new();
        for (name, value) in headers {
            let name = ["link", "x-cursor", "next"][usize::from(*name) % 3];
            if let Ok(value) = http::HeaderValue::from_str(value) {
                map.append(name, value);
            }
        }
        let body = body
            .as_ref()
            .and_then(|b| RawValue::from_string(b.clone()).ok());
        let records = body
            .as_deref()
            .map(|raw| select_records(&detect_data_selector(raw), raw).items)
            .unwrap_or_default();
        let page = PageView {
            headers: &map,
            body: body.as_deref(),
            records: &records,
        };
        match paginator.on_page(&page, &mut request) {
            Ok(true) => {
                let _ = request.full_url();
            }
            Ok(false) | Err(_) => return,
        }
    }
});
