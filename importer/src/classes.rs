//! dlt's own auth, paginator and incremental classes, which a config may use instead of
//! dicts: each maps to the dict form dlt builds the same object from (`type` plus the
//! constructor's arguments), with the positional parameters in dlt 1.31's order.

/// One dlt class.
#[derive(Debug, Clone, Copy)]
pub struct Class {
    /// The class name as written (the last name of the callee).
    pub name: &'static str,
    /// What kind of object it is, in words.
    pub what: &'static str,
    /// The dict's `type`, or none (an incremental block has no type).
    pub type_name: Option<&'static str>,
    /// The constructor's positional parameters, in order.
    pub positional: &'static [&'static str],
}

const CLASSES: &[Class] = &[
    Class {
        name: "BearerTokenAuth",
        what: "bearer auth",
        type_name: Some("bearer"),
        positional: &["token"],
    },
    Class {
        name: "APIKeyAuth",
        what: "API key auth",
        type_name: Some("api_key"),
        positional: &["name", "api_key", "location"],
    },
    Class {
        name: "HttpBasicAuth",
        what: "HTTP basic auth",
        type_name: Some("http_basic"),
        positional: &["username", "password"],
    },
    Class {
        name: "OAuth2ClientCredentials",
        what: "OAuth2 client credentials auth",
        type_name: Some("oauth2_client_credentials"),
        positional: &[
            "access_token_url",
            "client_id",
            "client_secret",
            "access_token_request_data",
            "default_token_expiration",
        ],
    },
    Class {
        name: "SinglePagePaginator",
        what: "single page paginator",
        type_name: Some("single_page"),
        positional: &[],
    },
    Class {
        name: "JSONLinkPaginator",
        what: "JSON link paginator",
        type_name: Some("json_link"),
        positional: &["next_url_path"],
    },
    Class {
        name: "JSONResponsePaginator",
        what: "JSON link paginator (deprecated name)",
        type_name: Some("json_link"),
        positional: &["next_url_path"],
    },
    Class {
        name: "HeaderLinkPaginator",
        what: "header link paginator",
        type_name: Some("header_link"),
        positional: &["links_next_key"],
    },
    Class {
        name: "HeaderCursorPaginator",
        what: "header cursor paginator",
        type_name: Some("header_cursor"),
        positional: &["cursor_key", "cursor_param"],
    },
    Class {
        name: "JSONResponseCursorPaginator",
        what: "cursor paginator",
        type_name: Some("cursor"),
        positional: &["cursor_path", "cursor_param", "cursor_body_path"],
    },
    Class {
        name: "OffsetPaginator",
        what: "offset paginator",
        type_name: Some("offset"),
        positional: &[
            "limit",
            "offset",
            "offset_param",
            "limit_param",
            "total_path",
            "maximum_offset",
            "stop_after_empty_page",
        ],
    },
    Class {
        name: "PageNumberPaginator",
        what: "page number paginator",
        type_name: Some("page_number"),
        positional: &[
            "base_page",
            "page",
            "page_param",
            "total_path",
            "maximum_page",
            "stop_after_empty_page",
        ],
    },
    Class {
        name: "incremental",
        what: "incremental",
        type_name: None,
        positional: &[
            "cursor_path",
            "initial_value",
            "last_value_func",
            "primary_key",
            "end_value",
            "row_order",
            "allow_external_schedulers",
            "on_cursor_value_missing",
            "lag",
            "range_start",
            "range_end",
        ],
    },
];

/// The dlt class called `name`, if it is one.
pub fn find(name: &str) -> Option<&'static Class> {
    CLASSES
        .iter()
        .find(|c| c.name == name || (c.name == "incremental" && name == "Incremental"))
}
