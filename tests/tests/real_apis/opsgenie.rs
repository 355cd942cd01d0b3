//! Opsgenie (seed C, spec `incident_alerts`), as its docs, OAS and the Airbyte manifest show it:
//! `Authorization: GenieKey <key>`; lists are `{data, took, requestId}` (users add
//! `totalCount`), paged by `offset`/`limit` (default 20, at most 100) with `sort`/`order`,
//! and `paging.{next, prev, first, last}` are absolute URLs carrying all of them, also sent as
//! `X-Paging-*` headers; the last page has no `next`. Teams and integrations are not paged and
//! carry no `paging` at all. Alerts default to `order=desc`. Listing incidents requires a
//! non-empty `query` (the OAS marks it required, the official Go SDK refuses an empty one);
//! this emulation understands the status filters `status:<s>` joined by ` OR `, and its
//! links carry the query on. A 429 carries `X-RateLimit-State: THROTTLED` and
//! `X-RateLimit-Period-In-Sec`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{self, RETRY_CAP, TIMEOUT};
use crate::data::{keys, records, uuid, zulu_time};
use crate::server::{Api, Emulator, Req, Resp, window};

const KEY: &str = "eb2c8f4e-6a1d-4f3b-9c7e-0d5a2b8f1e63";

/// (resource, path, fixture, records, paged)
const RESOURCES: &[(&str, &str, &str, usize, bool)] = &[
    (
        "users",
        "/v2/users",
        include_str!("fixtures/opsgenie/user.json"),
        230,
        true,
    ),
    (
        "teams",
        "/v2/teams",
        include_str!("fixtures/opsgenie/team.json"),
        14,
        false,
    ),
    (
        "services",
        "/v1/services",
        include_str!("fixtures/opsgenie/service.json"),
        150,
        true,
    ),
    (
        "integrations",
        "/v2/integrations",
        include_str!("fixtures/opsgenie/integration.json"),
        9,
        false,
    ),
    (
        "incidents",
        "/v1/incidents",
        include_str!("fixtures/opsgenie/incident.json"),
        120,
        true,
    ),
    (
        "alerts",
        "/v2/alerts",
        include_str!("fixtures/opsgenie/alert.json"),
        230,
        true,
    ),
];

/// The data behind one emulated Opsgenie account.
pub struct Opsgenie {
    lists: BTreeMap<&'static str, Vec<Value>>,
}

impl Opsgenie {
    pub fn new() -> Self {
        let mut lists = BTreeMap::new();
        for (ns, (name, _, fixture, n, _)) in RESOURCES.iter().enumerate() {
            let list = records(fixture, *n, |i, r| {
                r.insert("id".into(), json!(uuid(0x0950_0000 + ns as u32, i)));
                for (field, value) in [
                    ("tinyId", json!(format!("{}", 1800 + i))),
                    ("alias", json!(format!("event_{i}"))),
                    ("username", json!(format!("oncall{i}@example.com"))),
                    ("name", json!(format!("{name}-{i}"))),
                    ("createdAt", json!(zulu_time(i))),
                    ("updatedAt", json!(zulu_time(i + 7))),
                    ("lastOccurredAt", json!(zulu_time(i + 3))),
                ] {
                    if r.contains_key(field) {
                        r.insert(field.into(), value);
                    }
                }
                if *name == "alerts" && i % 4 == 1 {
                    r.insert("status".into(), json!("closed"));
                    r.insert("acknowledged".into(), json!(true));
                    r.insert("count".into(), json!(i % 9 + 1));
                    r.insert(
                        "report".into(),
                        json!({"ackTime": 15702 + i, "closeTime": 60503 + i,
                               "acknowledgedBy": "oncall1@example.com", "closedBy": "System"}),
                    );
                }
                if *name == "alerts" && i % 4 == 2 {
                    r.insert("snoozed".into(), json!(true));
                    r.insert("snoozedUntil".into(), json!(zulu_time(i + 60)));
                }
                if *name == "users" && i % 3 == 0 {
                    r.insert("tags".into(), json!(["emea", "tier2"]));
                }
                if *name == "incidents" {
                    r.insert(
                        "status".into(),
                        json!(["open", "resolved", "closed"][i % 3]),
                    );
                }
                if *name == "integrations" && i % 2 == 0 {
                    r.insert(
                        "teamId".into(),
                        json!("05adb3fc-4f63-4127-9a23-bef7be506564"),
                    );
                }
            });
            lists.insert(*name, list);
        }
        Opsgenie { lists }
    }

    /// The keys each resource must return.
    pub fn expected(&self, resource: &str) -> Vec<String> {
        keys(&self.lists[resource], "id")
    }
}

fn message(status: u16, text: &str) -> Resp {
    Resp::json(
        status,
        &json!({"message": text, "took": 0.002, "requestId": uuid(0xe770, 1)}),
    )
}

/// The statuses a query of `status:<s>` terms joined by ` OR ` asks for; `None` for an empty
/// query or one this emulation does not understand.
fn statuses(query: &str) -> Option<Vec<String>> {
    query
        .split(" OR ")
        .map(|term| {
            let status = term.trim().strip_prefix("status:")?.trim();
            (!status.is_empty()).then(|| status.to_string())
        })
        .collect()
}

impl Api for Opsgenie {
    fn route(&self, req: &Req) -> Option<&'static str> {
        RESOURCES.iter().find(|r| r.1 == req.path).map(|r| r.0)
    }

    fn authorize(&self, req: &Req, _: &str) -> Result<(), Resp> {
        if req.has_only("authorization", &format!("GenieKey {KEY}")) {
            Ok(())
        } else {
            Err(message(401, "Could not authenticate"))
        }
    }

    fn serve(&self, req: &Req, resource: &str, base: &str) -> Resp {
        let &(_, path, _, _, paged) = RESOURCES.iter().find(|r| r.0 == resource).unwrap();
        let mut list = self.lists[resource].clone();
        if !paged {
            return Resp::json(
                200,
                &json!({"data": list, "took": 0.012, "requestId": uuid(0xe771, 2)}),
            );
        }
        let (offset, limit) = match (req.q_usize("offset", 0), req.q_usize("limit", 20)) {
            (Ok(o), Ok(l)) if (1..=100).contains(&l) => (o, l),
            _ => {
                return message(
                    422,
                    "Offset and limit must be valid integers; limit at most 100",
                );
            }
        };
        let order = match req.q("order").unwrap_or("desc") {
            o @ ("asc" | "desc") => o,
            _ => return message(422, "Order must be asc or desc"),
        };
        let sort = req.q("sort").unwrap_or("createdAt");
        let mut query = String::new();
        if resource == "incidents" {
            let Some(statuses) = req.q("query").and_then(statuses) else {
                return message(
                    422,
                    "Query field cannot be empty; use status filters such as status:open",
                );
            };
            list.retain(|r| statuses.iter().any(|s| r["status"] == s.as_str()));
            query = format!(
                "&query={}",
                url::form_urlencoded::byte_serialize(req.q("query").unwrap().as_bytes())
                    .collect::<String>()
            );
        }
        if order == "desc" {
            list.reverse();
        }
        let data = window(&list, offset, limit);
        let link = |o: usize| {
            format!("{base}{path}?limit={limit}&sort={sort}&offset={o}&order={order}{query}")
        };
        let last = list.len().saturating_sub(1) / limit * limit;
        let mut paging = serde_json::Map::new();
        if offset + limit < list.len() {
            paging.insert("next".into(), json!(link(offset + limit)));
        }
        if offset > 0 {
            paging.insert("prev".into(), json!(link(offset.saturating_sub(limit))));
        }
        paging.insert("first".into(), json!(link(0)));
        paging.insert("last".into(), json!(link(last)));
        let mut body = json!({"data": data, "took": 0.081, "requestId": uuid(0xe772, offset), "paging": paging});
        if resource == "users" {
            body["totalCount"] = json!(list.len());
        }
        let mut resp = Resp::json(200, &body);
        for (key, header) in [
            ("next", "X-Paging-Next"),
            ("first", "X-Paging-First"),
            ("last", "X-Paging-Last"),
        ] {
            if let Some(url) = paging.get(key).and_then(Value::as_str) {
                resp = resp.header(header, url);
            }
        }
        resp
    }

    fn rate_limited(&self) -> Resp {
        message(
            429,
            "You are making too many requests! To avoid errors, we recommend you limit requests.",
        )
        .header("X-RateLimit-State", "THROTTLED")
        .header("X-RateLimit-Period-In-Sec", "60")
    }
}

fn setup(resource: &str) -> (Emulator, Vec<String>) {
    let api = Opsgenie::new();
    let want = api.expected(resource);
    (Emulator::start(api), want)
}

fn client(emu: &Emulator) -> incident_alerts::blocking::Client {
    client_with(emu, KEY)
}

fn client_with(emu: &Emulator, key: &str) -> incident_alerts::blocking::Client {
    incident_alerts::blocking::Client::builder()
        .api_token(key)
        .base_url(emu.origin())
        .max_retry_delay(RETRY_CAP)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

crate::resource_tests! {
    clean, faults: users => |emu| check::records(client(emu).users().iter(), "id");
    clean, faults: teams => |emu| check::records(client(emu).teams().iter(), "id");
    clean, faults: services => |emu| check::records(client(emu).services().iter(), "id");
    clean, faults: integrations => |emu| check::records(client(emu).integrations().iter(), "id");
    clean, faults: incidents => |emu| check::records(client(emu).incidents().iter(), "id");
    clean, faults: alerts => |emu| check::records(client(emu).alerts().iter(), "id");
}

/// A wrong key is refused with 401 at the first request, not retried.
#[test]
fn wrong_key_is_a_401_without_retry() {
    let emu = Emulator::start(Opsgenie::new());
    let run = check::records(client_with(&emu, "0000-wrong").users().iter(), "id");
    check::refused(&emu, &run, "0000-wrong");
}

/// The absolute `paging.next` link is followed as it is: every query parameter appears once,
/// so the server never sees two `offset`s or `limit`s to choose between.
#[test]
fn next_links_are_followed_without_repeating_parameters() {
    let (emu, want) = setup("alerts");
    let run = check::records(client(&emu).alerts().iter(), "id");
    check::exactly_once("alerts", &run, &want);
    let requests = emu.requests("alerts");
    assert!(requests.len() >= 3, "{} requests", requests.len());
    for logged in requests {
        for (name, _) in &logged.req.query {
            assert_eq!(
                logged.req.q_all(name).len(),
                1,
                "`{name}` repeated in {:?}",
                logged.req.raw_query
            );
        }
        assert_eq!(
            logged.req.q("order"),
            Some("asc"),
            "{:?}",
            logged.req.raw_query
        );
    }
}
