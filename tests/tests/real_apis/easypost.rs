//! EasyPost v2 (seed E, spec `shipping`), as its docs, published response examples and the
//! Airbyte manifest show it: HTTP Basic with the API key as username and an empty password;
//! lists are `{<plural>: [...], has_more}`, newest first, paged with `before_id` = the id of the
//! last (oldest) record and `page_size` (default 20, at most 100). Webhooks come all at once
//! with no `has_more`; carrier metadata is `{carriers}`; carrier accounts are a top-level
//! array; `/api_keys` is one object (the user, its keys and its children's). Errors are
//! `{error: {code, message, errors}}`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{self, RETRY_CAP, TIMEOUT};
use crate::data::{base64, hex_id, keys, offset_time, records, zulu_time};
use crate::server::{Api, Emulator, Req, Resp};

const KEY: &str = "EZAK9f2c4b1e0d8a7c6b5a4f3e2d1c0b9a8";
/// A test-mode key of the same account: valid everywhere but `/api_keys`.
const TEST_KEY: &str = "EZTK0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5";

/// (resource, path, envelope, fixture, records, id prefix, `+00:00` timestamps)
const LISTS: &[(&str, &str, &str, &str, usize, &str, bool)] = &[
    (
        "batches",
        "/v2/batches",
        "batches",
        include_str!("fixtures/easypost/batch.json"),
        25,
        "batch_",
        false,
    ),
    (
        "addresses",
        "/v2/addresses",
        "addresses",
        include_str!("fixtures/easypost/address.json"),
        35,
        "adr_",
        true,
    ),
    (
        "trackers",
        "/v2/trackers",
        "trackers",
        include_str!("fixtures/easypost/tracker.json"),
        23,
        "trk_",
        false,
    ),
    (
        "end_shippers",
        "/v2/end_shippers",
        "end_shippers",
        include_str!("fixtures/easypost/end_shipper.json"),
        21,
        "es_",
        true,
    ),
    (
        "users_children",
        "/v2/users/children",
        "children",
        include_str!("fixtures/easypost/child.json"),
        30,
        "user_",
        false,
    ),
    (
        "webhooks",
        "/v2/webhooks",
        "webhooks",
        include_str!("fixtures/easypost/webhook.json"),
        6,
        "hook_",
        false,
    ),
    (
        "carrier_accounts",
        "/v2/carrier_accounts",
        "",
        include_str!("fixtures/easypost/carrier_account.json"),
        7,
        "ca_",
        false,
    ),
];

/// The data behind one emulated EasyPost account.
pub struct EasyPost {
    /// Newest first.
    lists: BTreeMap<&'static str, Vec<Value>>,
    carriers: Value,
    api_keys: Value,
}

impl EasyPost {
    pub fn new() -> Self {
        let mut lists = BTreeMap::new();
        for (ns, &(name, _, _, fixture, n, prefix, offset)) in LISTS.iter().enumerate() {
            let list = records(fixture, n, |i, r| {
                // newest first: record 0 is the latest
                let at = n - i;
                let time = if offset {
                    offset_time(at)
                } else {
                    zulu_time(at)
                };
                r.insert(
                    "id".into(),
                    json!(hex_id(prefix, 0xea50_0000 + ns as u32, i)),
                );
                for field in ["created_at", "updated_at"] {
                    if r.contains_key(field) {
                        r.insert(field.into(), json!(time));
                    }
                }
                if r.contains_key("tracking_code") {
                    r.insert("tracking_code".into(), json!(format!("1Z999AA1{i:010}")));
                }
                for field in ["name", "description"] {
                    if r.get(field) == Some(&json!("set-per-record")) {
                        r.insert(field.into(), json!(format!("{name} {i}")));
                    }
                }
                if name == "batches" && i % 5 == 4 {
                    // a batch still being created: no postage yet, no update stamp
                    r.insert("state".into(), json!("creating"));
                    r.remove("updated_at");
                }
            });
            lists.insert(name, list);
        }
        EasyPost {
            lists,
            carriers: serde_json::from_str(include_str!("fixtures/easypost/carriers.json"))
                .unwrap(),
            api_keys: serde_json::from_str(include_str!("fixtures/easypost/api_keys.json"))
                .unwrap(),
        }
    }

    /// The keys each resource must return.
    pub fn expected(&self, resource: &str) -> Vec<String> {
        match resource {
            "metadata_carriers" => keys(self.carriers["carriers"].as_array().unwrap(), "name"),
            "api_keys" => keys(std::slice::from_ref(&self.api_keys), "id"),
            name => keys(&self.lists[name], "id"),
        }
    }
}

fn error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message, "errors": []}}),
    )
}

impl Api for EasyPost {
    fn route(&self, req: &Req) -> Option<&'static str> {
        match req.path.as_str() {
            "/v2/metadata/carriers" => Some("metadata_carriers"),
            "/v2/api_keys" => Some("api_keys"),
            path => LISTS.iter().find(|l| l.1 == path).map(|l| l.0),
        }
    }

    fn authorize(&self, req: &Req, resource: &str) -> Result<(), Resp> {
        let basic = |key: &str| format!("Basic {}", base64(format!("{key}:").as_bytes()));
        if req.has_only("authorization", &basic(KEY)) {
            Ok(())
        } else if req.has_only("authorization", &basic(TEST_KEY)) {
            match resource {
                "api_keys" => Err(error(
                    403,
                    "FORBIDDEN",
                    "You do not have permission to access this resource with a test API key.",
                )),
                _ => Ok(()),
            }
        } else {
            Err(error(
                401,
                "APIKEY.INACTIVE",
                "This api key is no longer active. Please use a different api key or reactivate this key.",
            ))
        }
    }

    fn serve(&self, req: &Req, resource: &str, _: &str) -> Resp {
        match resource {
            "metadata_carriers" => return Resp::json(200, &self.carriers),
            "api_keys" => return Resp::json(200, &self.api_keys),
            "carrier_accounts" => {
                return Resp::json(200, &Value::from(self.lists[resource].clone()));
            }
            _ => {}
        }
        let &(_, _, envelope, ..) = LISTS.iter().find(|l| l.0 == resource).unwrap();
        let list = &self.lists[resource];
        if resource == "webhooks" {
            // not paged: every webhook, and no `has_more`
            return Resp::json(200, &json!({ envelope: list }));
        }
        let page_size = match req.q_usize("page_size", 20) {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return error(
                    422,
                    "PARAMETER.INVALID",
                    "page_size must be between 1 and 100",
                );
            }
        };
        let start = match req.q("before_id") {
            None => 0,
            Some(id) => match list.iter().position(|r| r["id"] == id) {
                Some(at) => at + 1,
                None => {
                    return error(
                        404,
                        "NOT_FOUND",
                        "The requested resource could not be found.",
                    );
                }
            },
        };
        let data: Vec<Value> = list.iter().skip(start).take(page_size).cloned().collect();
        let has_more = start + data.len() < list.len();
        Resp::json(200, &json!({ envelope: data, "has_more": has_more }))
    }

    fn rate_limited(&self) -> Resp {
        error(
            429,
            "RATE_LIMITED",
            "You have exceeded the rate limit. Please slow down your requests.",
        )
    }
}

fn setup(resource: &str) -> (Emulator, Vec<String>) {
    let api = EasyPost::new();
    let want = api.expected(resource);
    (Emulator::start(api), want)
}

fn client(emu: &Emulator) -> shipping::blocking::Client {
    client_with(emu, KEY)
}

fn client_with(emu: &Emulator, key: &str) -> shipping::blocking::Client {
    shipping::blocking::Client::builder()
        .username(key)
        .base_url(format!("{}/v2/", emu.origin()))
        .max_retry_delay(RETRY_CAP)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

crate::resource_tests! {
    clean,
    faults: batches => |emu| check::records(client(emu).batches().iter(), "id");
    clean,
    faults: addresses => |emu| check::records(client(emu).addresses().iter(), "id");
    clean,
    faults: trackers => |emu| check::records(client(emu).trackers().iter(), "id");
    clean,
    faults: metadata_carriers => |emu| check::records(client(emu).metadata_carriers().iter(), "name");
    clean,
    faults: end_shippers => |emu| check::records(client(emu).end_shippers().iter(), "id");
    clean,
    faults: webhooks => |emu| check::records(client(emu).webhooks().iter(), "id");
    clean,
    faults: users_children => |emu| check::records(client(emu).users_children().iter(), "id");
    clean,
    faults: carrier_accounts => |emu| check::records(client(emu).carrier_accounts().iter(), "id");
    clean,
    faults: api_keys => |emu| check::records(client(emu).api_keys().iter(), "id");
}

/// A wrong key is refused with 401 at the first request, not retried.
#[test]
fn wrong_key_is_a_401_without_retry() {
    let emu = Emulator::start(EasyPost::new());
    let run = check::records(client_with(&emu, "EZAKwrong").addresses().iter(), "id");
    check::refused(&emu, &run, "EZAKwrong");
}

/// `/api_keys` with a test-mode key is a `403` ("Need Production API key" in the Airbyte
/// manifest): a typed error at once, not retried.
#[test]
fn api_keys_with_a_test_key_is_a_403_without_retry() {
    let emu = Emulator::start(EasyPost::new());
    let run = check::records(client_with(&emu, TEST_KEY).api_keys().iter(), "id");
    assert!(run.keys.is_empty());
    let error = run.error.expect("a 403 is an error");
    assert_eq!(error.status(), Some(403), "{error}");
    assert!(!error.to_string().contains(TEST_KEY), "{error}");
    let statuses: Vec<u16> = emu.log().iter().map(|l| l.status).collect();
    assert_eq!(statuses, [403], "one request, not retried");
}
