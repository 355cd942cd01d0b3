//! Secrets the client is not given: a missing one is named by the environment variable
//! `from_env` reads (dlt's names), and one an endpoint alone needs fails its request, not the
//! client's build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use common::*;
use restgen_runtime::descriptor::{AuthChoice, AuthConfig, ResourceDescriptor};
use restgen_runtime::{ClientSpec, Error, serde_json};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn a_missing_secret_names_its_environment_variable() {
    let s = ClientSpec {
        source: Cow::Borrowed("my_source"),
        ..spec(
            "https://api.example.com",
            Some(AuthConfig::Bearer {
                token: secret("api_token"),
            }),
            vec![secret_value("api_token", true)],
        )
    };
    let err = builder(&[]).build(&s).unwrap_err();
    match &err {
        Error::MissingSecret { name, env_var } => {
            assert_eq!(name, "api_token");
            assert_eq!(env_var, "SOURCES__MY_SOURCE__API_TOKEN");
        }
        other => panic!("expected MissingSecret, got {other:?}"),
    }
    assert!(format!("{err}").contains("SOURCES__MY_SOURCE__API_TOKEN"));
    // Given on the builder, it builds.
    assert!(builder(&[("api_token", "x")]).build(&s).is_ok());
}

#[tokio::test]
async fn an_endpoint_secret_that_is_missing_fails_the_request_not_the_build() {
    let server = MockServer::start().await;
    let core = client(
        &spec(
            &server.uri(),
            None,
            vec![secret_value("other_token", false)],
        ),
        &[],
    );
    let descriptor = ResourceDescriptor {
        auth: AuthChoice::Endpoint(AuthConfig::Bearer {
            token: secret("other_token"),
        }),
        ..resource("r", "/r")
    };
    let err = records(request(&core, descriptor)).await.unwrap_err();
    assert!(
        matches!(&err, Error::MissingSecret { env_var, .. } if env_var == "SOURCES__TEST__OTHER_TOKEN"),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}

/// Set in the child process that checks `from_env`.
const CHILD: &str = "RESTGEN_RUNTIME_TEST_FROM_ENV_CHILD";
const CHILD_VAR: &str = "SOURCES__FROM_ENV_PROBE_7F3A__API_TOKEN";

fn from_env_spec(base: &str) -> ClientSpec {
    ClientSpec {
        source: Cow::Borrowed("from_env_probe_7f3a"),
        ..spec(
            base,
            Some(AuthConfig::Bearer {
                token: secret("api_token"),
            }),
            vec![secret_value("api_token", true)],
        )
    }
}

/// `std::env::set_var` is `unsafe` in Rust 2024 and the workspace forbids unsafe code, so
/// the test runs itself again as a child process with the variable set in its environment.
#[tokio::test]
async fn from_env_reads_dlt_variable_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    if std::env::var_os(CHILD).is_some() {
        // Child: the variable is set.
        let s = from_env_spec(&server.uri());
        let from_env = restgen_runtime::ClientBuilder::default()
            .from_env(&s)
            .build(&s)
            .unwrap();
        records(request(&from_env, resource("r", "/r")))
            .await
            .unwrap();
        // A value set on the builder wins over the environment.
        let explicit = builder(&[("api_token", "from-builder")])
            .from_env(&s)
            .build(&s)
            .unwrap();
        records(request(&explicit, resource("r", "/r")))
            .await
            .unwrap();
        let sent = received(&server).await;
        assert_header(&sent[0], "authorization", "Bearer from-the-environment");
        assert_header(&sent[1], "authorization", "Bearer from-builder");
        println!("child checked from_env");
        return;
    }
    // Parent: without the variable, from_env finds nothing and build names the variable.
    assert!(std::env::var_os(CHILD_VAR).is_none());
    let s = from_env_spec(&server.uri());
    let err = restgen_runtime::ClientBuilder::default()
        .from_env(&s)
        .build(&s)
        .unwrap_err();
    assert!(matches!(&err, Error::MissingSecret { env_var, .. } if env_var == CHILD_VAR));
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "from_env_reads_dlt_variable_names",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env(CHILD_VAR, "from-the-environment")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("child checked from_env"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
