//! What a built client shows and where it points: `Debug` without literal credentials, and
//! settings in the base URL encoded as one URL component.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::AuthConfig;
use restgen_runtime::{ClientCore, ValueSpec};

#[test]
fn client_core_debug_shows_no_credential() {
    let mut s = spec(
        "https://user:basic-pass-42@api.example.com/v1",
        Some(AuthConfig::HttpBasic {
            username: literal("literal-user-77"),
            password: literal("literal-pass-99"),
        }),
        vec![secret_value("tok", false)],
    );
    s.headers = Cow::Owned(vec![param("X-Api-Key", "header-literal-55")]);
    let core = client(&s, &[("tok", "given-secret-11")]);

    let shown = format!("{core:?} {core:#?}");

    for secret in [
        "basic-pass-42",
        "literal-user-77",
        "literal-pass-99",
        "header-literal-55",
        "given-secret-11",
    ] {
        assert!(!shown.contains(secret), "`{secret}` in Debug: {shown}");
    }
    assert!(
        shown.contains("http_basic") && shown.contains("X-Api-Key"),
        "{shown}"
    );
}

fn with_setting(base_url: &str, value: &str) -> ClientCore {
    let mut s = spec(base_url, None, vec![]);
    s.values = Cow::Owned(vec![ValueSpec {
        name: Cow::Borrowed("tenant"),
        secret: false,
        required: false,
    }]);
    client(&s, &[("tenant", value)])
}

#[test]
fn a_setting_in_the_base_url_cannot_change_its_path_or_query() {
    let core = with_setting("https://api.example.com/{config.tenant}/v1", "a/b?x=1#f");
    let url = url::Url::parse(core.base_url()).unwrap();
    assert_eq!(url.path(), "/a%2Fb%3Fx%3D1%23f/v1");
    assert_eq!((url.query(), url.fragment()), (None, None));
    assert_eq!(url.host_str(), Some("api.example.com"));
}

#[test]
fn a_setting_in_the_base_url_host_cannot_move_the_host() {
    let core = with_setting("https://{config.tenant}.example.com/", "eu");
    assert_eq!(core.base_url(), "https://eu.example.com/");
    let mut s = spec("https://{config.tenant}.example.com/", None, vec![]);
    s.values = Cow::Owned(vec![ValueSpec {
        name: Cow::Borrowed("tenant"),
        secret: false,
        required: false,
    }]);
    let moved = builder(&[("tenant", "evil.com/x?")]).build(&s);
    assert!(moved.is_err(), "{moved:?}");
}

#[test]
fn a_base_url_that_is_not_http_is_refused() {
    let built = builder(&[]).build(&spec("file:///etc/", None, vec![]));
    assert!(
        matches!(&built, Err(restgen_runtime::Error::Invalid(m)) if m.contains("http or https")),
        "{built:?}"
    );
}
