//! Every resource of every spec, paged through its generated client (async `Client` and
//! `blocking::Client`) against the spec-driven mock API: all records arrive exactly once and
//! typed, and every request carries the right credential, fixed parameters and page parameters.
//! [`faults`]: the same under each injected fault. [`scenarios`]: what spans resources
//! (wrong credentials, fan-out, incremental runs, the mock's own checks). [`oauth`]: OAuth2
//! client credentials, on a fixture spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod faults;
mod harness;
mod oauth;
mod scenarios;

use std::collections::BTreeSet;
use std::time::Duration;

use faults::*;
use harness::*;
use restgen_mock::MockApi;

/// Generates, for every resource of the listing, an async and a blocking test of a clean run
/// (`async_client`, `blocking_client`), and of a run under each fault (`async_faults`,
/// `blocking_faults`).
macro_rules! resource_tests {
    ($(
        $krate:ident {
            values: { $($setter:ident: $value:expr),* $(,)? },
            auth: $auth:expr,
            resources: { $( $(#[$attr:meta])* $resource:ident $(($arg:ident))? $(= $count:expr)? ),* $(,)? }
        }
    )*) => {
        /// The APIs listed here, to compare with `specs/`.
        const LISTED_APIS: &[&str] = &[$(stringify!($krate)),*];

        $(
        mod $krate {
            use super::*;

            const API: &str = stringify!($krate);
            const VALUES: &[(&str, &str)] = &[$((stringify!($setter), $value)),*];
            const AUTH: AuthOf = $auth;
            const SECRETS: &[&str] = &[$($value),*];

            fn async_client(mock: &MockApi, timeout: Duration) -> ::$krate::Client {
                ::$krate::Client::builder()
                    $(.$setter($value))*
                    .base_url(mock.base_url())
                    .max_retry_delay(RETRY_CAP)
                    .timeout(timeout)
                    .build()
                    .unwrap()
            }

            fn blocking_client(mock: &MockApi, timeout: Duration) -> ::$krate::blocking::Client {
                ::$krate::blocking::Client::builder()
                    $(.$setter($value))*
                    .base_url(mock.base_url())
                    .max_retry_delay(RETRY_CAP)
                    .timeout(timeout)
                    .build()
                    .unwrap()
            }

            async fn start(resource: &str, count: Option<usize>) -> Case {
                Case::start(API, resource, VALUES, AUTH, count).await
            }

            /// The mock runs on the returned runtime's workers; the test's thread stays
            /// outside it, so the blocking client may block there.
            fn start_blocking(resource: &str, count: Option<usize>) -> (tokio::runtime::Runtime, Case) {
                let runtime = tokio::runtime::Runtime::new().unwrap();
                let case = runtime.block_on(start(resource, count));
                (runtime, case)
            }

            #[test]
            fn every_resource_of_the_spec_is_listed() {
                let listed: BTreeSet<&str> = [$(stringify!($resource)),*].into_iter().collect();
                let spec: BTreeSet<&str> =
                    api(API).resources.iter().map(|r| r.name.as_str()).collect();
                assert_eq!(listed, spec);
            }

            mod async_client {
                use super::*;
                $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $resource() {
                    let case = start(stringify!($resource), None $(.or(Some($count)))?).await;
                    let request = async_client(&case.mock, PATIENT_TIMEOUT).$resource($(case.arg(stringify!($arg)))?);
                    let pages = async_pages(request).await;
                    case.check(&pages);
                }
                )*
            }

            mod blocking_client {
                use super::*;
                $(
                $(#[$attr])*
                #[test]
                fn $resource() {
                    let (_runtime, case) = start_blocking(stringify!($resource), None $(.or(Some($count)))?);
                    let request = blocking_client(&case.mock, PATIENT_TIMEOUT).$resource($(case.arg(stringify!($arg)))?);
                    let pages = blocking_pages(request);
                    case.check(&pages);
                }
                )*
            }

            mod async_faults {
                use super::*;
                $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $resource() {
                    let case = start(stringify!($resource), None $(.or(Some($count)))?).await;
                    // building a client costs more than a run: one per timeout
                    let patient = async_client(&case.mock, PATIENT_TIMEOUT);
                    let hasty = async_client(&case.mock, SHORT_TIMEOUT);
                    for (kind, times) in faults() {
                        let at = case.arm(&kind, times);
                        let client = if timeout_for(&kind) == SHORT_TIMEOUT { &hasty } else { &patient };
                        let request = client.$resource($(case.arg(stringify!($arg)))?);
                        let outcome = async_outcome(request).await;
                        case.check_fault(&kind, at, &outcome, SECRETS);
                    }
                }
                )*
            }

            mod blocking_faults {
                use super::*;
                $(
                $(#[$attr])*
                #[test]
                fn $resource() {
                    let (_runtime, case) = start_blocking(stringify!($resource), None $(.or(Some($count)))?);
                    let patient = blocking_client(&case.mock, PATIENT_TIMEOUT);
                    let hasty = blocking_client(&case.mock, SHORT_TIMEOUT);
                    for (kind, times) in faults() {
                        let at = case.arm(&kind, times);
                        let client = if timeout_for(&kind) == SHORT_TIMEOUT { &hasty } else { &patient };
                        let request = client.$resource($(case.arg(stringify!($arg)))?);
                        let outcome = blocking_outcome(request);
                        case.check_fault(&kind, at, &outcome, SECRETS);
                    }
                }
                )*
            }
        }
        )*
    };
}

harness::every_spec!(resource_tests);

#[test]
fn every_spec_is_listed() {
    let listed: BTreeSet<&str> = LISTED_APIS.iter().copied().collect();
    let specs: BTreeSet<&str> = APIS.keys().map(String::as_str).collect();
    assert_eq!(listed, specs);
}
