//! Cases 12–14 and 16: next links in the body or the `Link` header, and header cursors.

use serde_json::json;

use super::*;

fn json_link(path: &str) -> PaginatorConfig {
    PaginatorConfig::JsonLink {
        next_url_path: sel(path),
    }
}

fn header_link(rel: &str) -> PaginatorConfig {
    PaginatorConfig::HeaderLink {
        links_next_key: Cow::Owned(rel.to_string()),
    }
}

fn header_cursor(key: &str, param: &str) -> PaginatorConfig {
    PaginatorConfig::HeaderCursor {
        cursor_key: Cow::Owned(key.to_string()),
        cursor_param: Cow::Owned(param.to_string()),
    }
}

// ---- case 12: where the next link is --------------------------------------------------------

#[test]
fn case_12_json_link_locations() {
    // T:TestJSONLinkPaginator.test_update_state
    let next = "https://api.example.com/v1/posts?page=2";
    let cases = [
        (sel("next"), json!({ "next": next })),
        (sel("next_page"), json!({ "next_page": next })),
        (
            sel("next_page.url"),
            json!({ "next_page": { "url": next } }),
        ),
        // `['@odata.nextLink']`: one field whose name holds a dot
        (
            Selector::fields(["@odata.nextLink"]),
            json!({ "@odata.nextLink": next }),
        ),
        (
            sel("paging.next"),
            json!({ "paging": { "next": next, "prev": null } }),
        ),
    ];
    for (path, mut first) in cases {
        first["data"] = items(2);
        let run = drive_posts(
            &PaginatorConfig::JsonLink {
                next_url_path: path.clone(),
            },
            &[],
            &[reply(first), reply(json!({ "data": items(1) }))],
        );
        run.ok();
        assert_eq!(run.urls(), [POSTS, next], "{path}");
        assert_eq!(run.records(), 3);
    }
}

#[test]
fn case_12_json_link_missing_stops() {
    let run = drive_posts(
        &json_link("next"),
        &[],
        &[reply(json!({ "data": items(2), "previous": "x" }))],
    );
    run.ok();
    assert_eq!(run.urls(), [POSTS]);
    assert_eq!(run.records(), 2);
}

// ---- case 13: relative next links ----------------------------------------------------------

fn follow(start: RequestState, next: &str) -> Vec<String> {
    let run = drive(
        &json_link("next"),
        &sel("data"),
        start,
        &[
            reply(json!({ "data": [], "next": next })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    run.urls
}

#[test]
fn case_13_relative_next_link_resolution() {
    // T:TestJSONLinkPaginator.test_update_request
    assert_eq!(
        follow(
            request("http://example.com/api/resource", &[]),
            "/api/resource?page=2"
        )[1],
        "http://example.com/api/resource?page=2"
    );
    assert_eq!(
        follow(
            request("http://example.com:8080/api/resource", &[]),
            "/api/resource?page=2"
        )[1],
        "http://example.com:8080/api/resource?page=2"
    );
    assert_eq!(
        follow(
            request("http://example.com/api/resource?page=1", &[]),
            "/api/resource?sort=asc"
        ),
        [
            "http://example.com/api/resource?page=1",
            "http://example.com/api/resource?sort=asc"
        ]
    );
    // directory-relative
    assert_eq!(
        follow(request(POSTS, &[]), "x?p=2")[1],
        "https://api.example.com/v1/x?p=2"
    );
}

#[test]
fn case_13_next_link_drops_original_params() {
    // V: params {per_page: 2} + next `/v1/posts?cursor=xyz`: only cursor=xyz is sent
    let urls = follow(request(POSTS, &[("per_page", "2")]), "/v1/posts?cursor=xyz");
    assert_eq!(urls, [posts("per_page=2"), posts("cursor=xyz")]);
}

#[test]
fn case_13_next_link_keeps_the_json_body() {
    let mut start = request(POSTS, &[]);
    start.json = Some(json!({ "q": "x" }));
    let run = drive(
        &json_link("next"),
        &sel("data"),
        start,
        &[
            reply(json!({ "data": [], "next": "/v1/posts?page=2" })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(
        run.bodies,
        [Some(json!({ "q": "x" })), Some(json!({ "q": "x" }))]
    );
}

// ---- case 14: empty, null and non-string next links ---------------------------------------

#[test]
fn case_14_empty_next_link_errors() {
    // V: `"next": ""` makes the second request fail with "Invalid URL ''"
    for params in [&[][..], &[("per_page", "2")][..]] {
        let run = drive_posts(
            &json_link("next"),
            params,
            &[reply(json!({ "data": items(2), "next": "" }))],
        );
        assert_eq!(run.urls().len(), 1);
        assert!(
            matches!(run.err(), PaginationError::BadLink { link, .. } if link.is_empty()),
            "{:?}",
            run.error
        );
    }
}

#[test]
fn case_14_null_or_missing_next_link_stops() {
    for body in [
        json!({ "data": items(2), "next": null }),
        json!({ "data": items(2) }),
    ] {
        let run = drive_posts(&json_link("next"), &[], &[reply(body)]);
        run.ok();
        assert_eq!(run.urls(), [POSTS]);
        assert_eq!(run.records(), 2);
    }
}

#[test]
fn case_14_non_string_next_link_errors() {
    // dlt: `urlparse(5)` raises; a number, bool or object is no URL
    for next in [json!(5), json!(true), json!(false), json!({ "href": "/x" })] {
        let run = drive_posts(
            &json_link("next"),
            &[],
            &[reply(json!({ "data": items(2), "next": next }))],
        );
        assert!(
            matches!(run.err(), PaginationError::NotALink { .. }),
            "{next}: {:?}",
            run.error
        );
    }
}

// ---- case 16: header cursor and header link ------------------------------------------------

#[test]
fn case_16_header_cursor_default_param() {
    // T:TestHeaderCursorPaginator: the header value becomes the `cursor` param
    let run = drive_posts(
        &header_cursor("next", "cursor"),
        &[],
        &[
            reply_with(&[("next", "cursor-2")], json!({ "data": items(1) })),
            reply(json!({ "data": items(1) })),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("cursor=cursor-2")]);
}

#[test]
fn case_16_header_cursor_key_is_case_insensitive_and_params_are_kept() {
    // V: cursor_key "X-Next" matches `x-next`; `?q=1` becomes `?q=1&after=abc`
    let run = drive_posts(
        &header_cursor("X-Next", "after"),
        &[("q", "1")],
        &[
            reply_with(&[("x-next", "abc")], json!({ "data": items(1) })),
            reply_with(&[("X-NEXT", "def")], json!({ "data": items(1) })),
            reply(json!({ "data": [] })),
        ],
    );
    run.ok();
    assert_eq!(
        run.urls(),
        [posts("q=1"), posts("q=1&after=abc"), posts("q=1&after=def")]
    );
}

#[test]
fn case_16_header_link_follows_next() {
    // T:TestHeaderLinkPaginator
    let link = r#"<https://api.example.com/v1/posts?page=2>; rel="next", <https://api.example.com/v1/posts?page=9>; rel="last""#;
    let run = drive(
        &header_link("next"),
        &Selector::ROOT,
        request(POSTS, &[("q", "1")]),
        &[
            reply_with(&[("link", link)], items(2)),
            reply_with(
                &[(
                    "link",
                    r#"<https://api.example.com/v1/posts?page=1>; rel="prev""#,
                )],
                items(1),
            ),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("q=1"), posts("page=2")]);
    assert_eq!(run.records(), 3);
}

#[test]
fn case_16_header_link_custom_rel_drops_params() {
    // V: links_next_key "nextpage" follows the Link URL and drops `q`
    let run = drive(
        &header_link("nextpage"),
        &Selector::ROOT,
        request(POSTS, &[("q", "1")]),
        &[
            reply_with(
                &[(
                    "Link",
                    "</v1/posts?p=2>; rel=\"nextpage\", </v1/posts?p=0>; rel=\"next\"",
                )],
                items(1),
            ),
            reply(items(1)),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts("q=1"), posts("p=2")]);
}

#[test]
fn case_16_header_link_across_several_link_headers() {
    let run = drive(
        &header_link("next"),
        &Selector::ROOT,
        request(POSTS, &[]),
        &[
            Reply {
                headers: vec![
                    ("link", "</v1/posts?page=1>; rel=\"first\"".into()),
                    ("link", "</v1/posts?page=2>; rel=\"next\"".into()),
                ],
                body: Some("[1]".into()),
            },
            reply(items(1)),
        ],
    );
    run.ok();
    assert_eq!(run.urls(), [posts(""), posts("page=2")]);
}
