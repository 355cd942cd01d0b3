//! Yousign v3 (seed A, spec `esign`), as its docs and OAS describe it: `Bearer` auth; lists
//! are `{meta: {next_cursor}, data}`, the opaque cursor (base64, so with `+`, `/` and `=`)
//! goes back as `after`, `limit` is 1..100 (default 100). The cursor is null on the last page,
//! but a full page always carries one, so a list whose size is a multiple of the limit ends
//! with an empty page. Followers are `{data}` with no `meta` and no id (keyed by email), and a
//! signature request deleted after it was listed answers its followers with `404`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{self, RETRY_CAP, TIMEOUT};
use crate::data::{keys, offset_time, records, uuid};
use crate::server::{Api, Emulator, Req, Resp, window};

const KEY: &str = "ys_live_9Qh2+/kV";

/// The data behind one emulated Yousign account.
pub struct Yousign {
    lists: BTreeMap<&'static str, Vec<Value>>,
    followers: BTreeMap<String, Vec<Value>>,
    /// A signature request listed, then deleted: its followers answer 404.
    deleted: String,
}

const LISTS: &[(&str, &str, usize)] = &[
    // (resource, fixture, records): 3 pages of 100 at most, a list ending on a full page
    (
        "signature_requests",
        include_str!("fixtures/yousign/signature_request.json"),
        230,
    ),
    (
        "contacts",
        include_str!("fixtures/yousign/contact.json"),
        200,
    ),
    ("users", include_str!("fixtures/yousign/user.json"), 101),
    (
        "workspaces",
        include_str!("fixtures/yousign/workspace.json"),
        120,
    ),
    (
        "electronic_seal_images",
        include_str!("fixtures/yousign/electronic_seal_image.json"),
        150,
    ),
    (
        "templates",
        include_str!("fixtures/yousign/template.json"),
        210,
    ),
    ("labels", include_str!("fixtures/yousign/label.json"), 105),
];

impl Yousign {
    pub fn new() -> Self {
        let mut lists = BTreeMap::new();
        for (ns, (name, fixture, n)) in LISTS.iter().enumerate() {
            let list = records(fixture, *n, |i, r| {
                r.insert("id".into(), json!(uuid(0x5900_0000 + ns as u32, i)));
                r.insert("created_at".into(), json!(offset_time(i)));
                if r.contains_key("email") {
                    r.insert("email".into(), json!(format!("{name}.{i}@example.de")));
                }
                if *name == "signature_requests" && i % 3 == 0 {
                    // a done request: the optional timestamps are set, its sender known
                    r.insert("status".into(), json!("done"));
                    r.insert("activated_at".into(), json!(offset_time(i + 1)));
                    r.insert("completed_at".into(), json!(offset_time(i + 90)));
                    r.insert(
                        "sender".into(),
                        json!({"id": uuid(0x5901, i), "email": "owner@example.de"}),
                    );
                }
            });
            lists.insert(*name, list);
        }
        let follower = include_str!("fixtures/yousign/follower.json");
        let mut followers = BTreeMap::new();
        for (i, request) in lists["signature_requests"].iter().enumerate() {
            // 0 to 3 followers; the same people follow many requests
            let list = records(follower, i % 4, |j, r| {
                r.insert(
                    "email".into(),
                    json!(format!("follower{}@example.de", (i + j) % 7)),
                );
            });
            followers.insert(request["id"].as_str().unwrap().to_string(), list);
        }
        let deleted = lists["signature_requests"][5]["id"]
            .as_str()
            .unwrap()
            .to_string();
        Yousign {
            lists,
            followers,
            deleted,
        }
    }

    /// The keys each resource must return.
    pub fn expected(&self, resource: &str) -> Vec<String> {
        match resource {
            "signature_requests_followers" => self
                .followers
                .iter()
                .filter(|(id, _)| **id != self.deleted)
                .flat_map(|(id, list)| {
                    keys(list, "email")
                        .into_iter()
                        .map(move |e| format!("{id}/{e}"))
                })
                .collect(),
            name => keys(&self.lists[name], "id"),
        }
    }
}

fn cursor(offset: usize) -> String {
    format!("MTcx{offset:06}+/Yg==")
}

fn uncursor(after: &str) -> Option<usize> {
    after
        .strip_prefix("MTcx")?
        .strip_suffix("+/Yg==")?
        .parse()
        .ok()
}

fn problem(status: u16, detail: &str) -> Resp {
    Resp::json(
        status,
        &json!({"type": "about:blank", "status": status, "detail": detail}),
    )
}

impl Api for Yousign {
    fn route(&self, req: &Req) -> Option<&'static str> {
        let rest = req.path.strip_prefix("/v3/")?;
        if let Some(name) = LISTS.iter().map(|l| l.0).find(|n| *n == rest) {
            return Some(name);
        }
        let (id, tail) = rest.strip_prefix("signature_requests/")?.split_once('/')?;
        (tail == "followers" && !id.is_empty()).then_some("signature_requests_followers")
    }

    fn authorize(&self, req: &Req, _: &str) -> Result<(), Resp> {
        if req.has_only("authorization", &format!("Bearer {KEY}")) {
            Ok(())
        } else {
            Err(problem(
                401,
                "Unauthorized: the API key is missing or invalid.",
            ))
        }
    }

    fn serve(&self, req: &Req, resource: &str, _: &str) -> Resp {
        let limit = match req.q_usize("limit", 100) {
            Ok(l) if (1..=100).contains(&l) => l,
            _ => return problem(400, "limit: This value should be between 1 and 100."),
        };
        if resource == "signature_requests_followers" {
            let id = req.path.split('/').nth(3).unwrap_or_default();
            if id == self.deleted {
                return problem(404, "Signature request not found.");
            }
            return match self.followers.get(id) {
                Some(list) => Resp::json(200, &json!({ "data": list })),
                None => problem(404, "Signature request not found."),
            };
        }
        let offset = match req.q("after").map(uncursor) {
            None => 0,
            Some(Some(o)) => o,
            Some(None) => return problem(400, "after: invalid cursor."),
        };
        let list = &self.lists[resource];
        let data = window(list, offset, limit);
        // a full page carries a cursor even when nothing follows
        let next = (data.len() == limit).then(|| cursor(offset + limit));
        Resp::json(200, &json!({"meta": {"next_cursor": next}, "data": data}))
    }

    fn rate_limited(&self) -> Resp {
        problem(429, "Too many requests.")
    }
}

fn setup(resource: &str) -> (Emulator, Vec<String>) {
    let api = Yousign::new();
    let want = api.expected(resource);
    (Emulator::start(api), want)
}

fn client(emu: &Emulator) -> esign::blocking::Client {
    client_with(emu, KEY)
}

fn client_with(emu: &Emulator, key: &str) -> esign::blocking::Client {
    esign::blocking::Client::builder()
        .api_key(key)
        .base_url(format!("{}/v3/", emu.origin()))
        .max_retry_delay(RETRY_CAP)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

crate::resource_tests! {
    clean, faults: signature_requests => |emu| check::records(client(emu).signature_requests().iter(), "id");
    clean, faults: signature_requests_followers => |emu| check::children(
        client(emu).signature_requests_followers_all().iter(), "_signature_requests_id", "email");
    clean, faults: contacts => |emu| check::records(client(emu).contacts().iter(), "id");
    clean, faults: users => |emu| check::records(client(emu).users().iter(), "id");
    clean, faults: workspaces => |emu| check::records(client(emu).workspaces().iter(), "id");
    clean, faults: electronic_seal_images => |emu| check::records(client(emu).electronic_seal_images().iter(), "id");
    clean, faults: templates => |emu| check::records(client(emu).templates().iter(), "id");
    clean, faults: labels => |emu| check::records(client(emu).labels().iter(), "id");
}

/// A wrong key is refused with 401 at the first request: a typed error, no retry, and the
/// key it was given nowhere in the message.
#[test]
fn wrong_key_is_a_401_without_retry() {
    let emu = Emulator::start(Yousign::new());
    let run = check::records(client_with(&emu, "ys_wrong_key").contacts().iter(), "id");
    check::refused(&emu, &run, "ys_wrong_key");
}
