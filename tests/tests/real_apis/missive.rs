//! Missive (seed D, spec `shared_inbox`), as its REST docs and the Airbyte manifest show it:
//! `Bearer` auth; lists are `{<resource>: [...]}` with no total, paged by `offset` and `limit`
//! (default 50, at most 200), ending on a short or empty page. Contacts and contact groups
//! exist only inside a contact book (`contact_book` is required, and groups need `kind` =
//! `group` | `organization`). Conversations need a mailbox filter (`all=true`), come newest
//! activity first, at most 50 (default 25), and page with `until` = the `last_activity_at` of
//! the oldest conversation of the previous page: a page ends with every conversation sharing
//! its oldest timestamp, so it may hold more than `limit`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{self, RETRY_CAP, TIMEOUT};
use crate::data::{keys, records, uuid};
use crate::server::{Api, Emulator, Req, Resp, bad_request, window};

const KEY: &str = "missive_pat-Tq1xZ0v8";

/// (resource, fixture, records)
const LISTS: &[(&str, &str, usize)] = &[
    (
        "contact_books",
        include_str!("fixtures/missive/contact_book.json"),
        110,
    ),
    ("users", include_str!("fixtures/missive/user.json"), 60),
    ("teams", include_str!("fixtures/missive/team.json"), 55),
    (
        "shared_labels",
        include_str!("fixtures/missive/shared_label.json"),
        120,
    ),
    (
        "organizations",
        include_str!("fixtures/missive/organization.json"),
        51,
    ),
];

/// The data behind one emulated Missive organization.
pub struct Missive {
    lists: BTreeMap<&'static str, Vec<Value>>,
    /// Per contact book: its contacts.
    contacts: BTreeMap<String, Vec<Value>>,
    /// Per contact book: its groups, of both kinds.
    groups: BTreeMap<String, Vec<Value>>,
    /// Newest activity first.
    conversations: Vec<Value>,
}

/// How many contacts book `i` holds: one book spans three pages, one fills a page exactly.
fn contacts_in(i: usize) -> usize {
    match i {
        0 => 120,
        1 => 50,
        2 => 1,
        _ if i % 10 == 5 => 2,
        _ => 0,
    }
}

/// How many groups (kind `group`, then kind `organization`) book `i` holds.
fn groups_in(i: usize) -> (usize, usize) {
    match i {
        0 => (60, 5),
        3 => (1, 1),
        _ if i % 20 == 7 => (0, 2),
        _ => (0, 0),
    }
}

impl Missive {
    pub fn new() -> Self {
        let mut lists = BTreeMap::new();
        for (ns, (name, fixture, n)) in LISTS.iter().enumerate() {
            let list = records(fixture, *n, |i, r| {
                r.insert("id".into(), json!(uuid(0x3155_0000 + ns as u32, i)));
                for field in ["name", "name_with_parent_names"] {
                    if r.contains_key(field) {
                        r.insert(field.into(), json!(format!("{name} {i}")));
                    }
                }
                if r.contains_key("email") {
                    r.insert("email".into(), json!(format!("agent{i}@example.org")));
                }
            });
            lists.insert(*name, list);
        }
        let (mut contacts, mut groups) = (BTreeMap::new(), BTreeMap::new());
        for (b, book) in lists["contact_books"].iter().enumerate() {
            let id = book["id"].as_str().unwrap().to_string();
            let list = records(
                include_str!("fixtures/missive/contact.json"),
                contacts_in(b),
                |i, r| {
                    r.insert("id".into(), json!(uuid(0x3156_0000 + b as u32, i)));
                    r.insert("contact_book".into(), json!(id));
                    r.insert("modified_at".into(), json!(1_714_000_000 + i));
                },
            );
            contacts.insert(id.clone(), list);
            let (group, organization) = groups_in(b);
            let list = records(
                include_str!("fixtures/missive/contact_group.json"),
                group + organization,
                |i, r| {
                    r.insert("id".into(), json!(uuid(0x3157_0000 + b as u32, i)));
                    r.insert("name".into(), json!(format!("group {b}.{i}")));
                    // not a field of the record: which `kind` lists it
                    r.insert(
                        "kind".into(),
                        json!(if i < group { "group" } else { "organization" }),
                    );
                },
            );
            groups.insert(id, list);
        }
        // every three conversations share a `last_activity_at`, so pages overrun the limit
        let conversations = records(
            include_str!("fixtures/missive/conversation.json"),
            130,
            |i, r| {
                r.insert("id".into(), json!(uuid(0x3158_0000, i)));
                r.insert(
                    "last_activity_at".into(),
                    json!(1_714_003_000 - (i / 3) as i64 * 60),
                );
                r.insert("created_at".into(), json!(1_713_900_000 - i as i64 * 60));
            },
        );
        Missive {
            lists,
            contacts,
            groups,
            conversations,
        }
    }

    /// The keys each resource must return.
    pub fn expected(&self, resource: &str) -> Vec<String> {
        let nested = |by_book: &BTreeMap<String, Vec<Value>>, kind: Option<&str>| {
            by_book
                .iter()
                .flat_map(|(book, list)| {
                    list.iter()
                        .filter(|r| kind.is_none_or(|k| r["kind"] == k))
                        .map(move |r| format!("{book}/{}", r["id"].as_str().unwrap()))
                })
                .collect()
        };
        match resource {
            "contacts" => nested(&self.contacts, None),
            "contact_groups" => nested(&self.groups, Some("group")),
            "conversations" => keys(&self.conversations, "id"),
            name => keys(&self.lists[name], "id"),
        }
    }
}

fn named(resource: &str, data: Vec<Value>) -> Resp {
    Resp::json(200, &json!({ resource: data }))
}

impl Missive {
    fn conversations(&self, req: &Req) -> Resp {
        const MAILBOXES: &[&str] = &[
            "inbox", "all", "assigned", "closed", "snoozed", "flagged", "trashed", "junked",
            "drafts",
        ];
        if !MAILBOXES.iter().any(|m| req.q(m) == Some("true")) {
            return bad_request("A mailbox filter is required (e.g. all=true)");
        }
        let limit = match req.q_usize("limit", 25) {
            Ok(l) if (1..=50).contains(&l) => l,
            _ => return bad_request("limit must be between 1 and 50"),
        };
        let until = match req.q("until").map(str::parse::<i64>) {
            None => i64::MAX,
            Some(Ok(t)) => t,
            Some(Err(_)) => return bad_request("until must be a Unix timestamp"),
        };
        let older: Vec<&Value> = self
            .conversations
            .iter()
            .filter(|c| c["last_activity_at"].as_i64().unwrap() < until)
            .collect();
        let mut page: Vec<Value> = older.iter().take(limit).map(|c| (*c).clone()).collect();
        if let Some(oldest) = page.last().map(|c| c["last_activity_at"].clone()) {
            // the rest of the oldest timestamp's conversations, past the limit
            page.extend(
                older[page.len()..]
                    .iter()
                    .take_while(|c| c["last_activity_at"] == oldest)
                    .map(|c| (*c).clone()),
            );
        }
        named("conversations", page)
    }
}

impl Api for Missive {
    fn route(&self, req: &Req) -> Option<&'static str> {
        let rest = req.path.strip_prefix("/v1/")?;
        ["contacts", "contact_groups", "conversations"]
            .into_iter()
            .chain(LISTS.iter().map(|l| l.0))
            .find(|n| *n == rest)
    }

    fn authorize(&self, req: &Req, _: &str) -> Result<(), Resp> {
        if req.has_only("authorization", &format!("Bearer {KEY}")) {
            Ok(())
        } else {
            Err(Resp::json(401, &json!({"error": "Unauthorized"})))
        }
    }

    fn serve(&self, req: &Req, resource: &str, _: &str) -> Resp {
        if resource == "conversations" {
            return self.conversations(req);
        }
        let (offset, limit) = match (req.q_usize("offset", 0), req.q_usize("limit", 50)) {
            (Ok(o), Ok(l)) if (1..=200).contains(&l) => (o, l),
            _ => return bad_request("offset and limit must be integers, limit at most 200"),
        };
        let in_book = |by_book: &BTreeMap<String, Vec<Value>>| match req.q("contact_book") {
            None => Err(bad_request("contact_book is required")),
            Some(book) => by_book
                .get(book)
                .cloned()
                .ok_or_else(|| Resp::json(404, &json!({"error": "Contact book not found"}))),
        };
        let list = match resource {
            "contacts" => match in_book(&self.contacts) {
                Ok(list) => list,
                Err(resp) => return resp,
            },
            "contact_groups" => {
                let kind = match req.q("kind") {
                    Some(k @ ("group" | "organization")) => k,
                    _ => return bad_request("kind must be group or organization"),
                };
                match in_book(&self.groups) {
                    Ok(list) => list
                        .into_iter()
                        .filter(|g| g["kind"] == kind)
                        .map(|mut g| {
                            g.as_object_mut().unwrap().remove("kind");
                            g
                        })
                        .collect(),
                    Err(resp) => return resp,
                }
            }
            name => self.lists[name].clone(),
        };
        named(resource, window(&list, offset, limit))
    }
}

fn setup(resource: &str) -> (Emulator, Vec<String>) {
    let api = Missive::new();
    let want = api.expected(resource);
    (Emulator::start(api), want)
}

fn client(emu: &Emulator) -> shared_inbox::blocking::Client {
    client_with(emu, KEY)
}

fn client_with(emu: &Emulator, key: &str) -> shared_inbox::blocking::Client {
    shared_inbox::blocking::Client::builder()
        .api_key(key)
        .base_url(emu.origin())
        .max_retry_delay(RETRY_CAP)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

crate::resource_tests! {
    clean,
    faults: contact_books => |emu| check::records(client(emu).contact_books().iter(), "id");
    clean,
    faults: contacts => |emu| check::children(client(emu).contacts_all().iter(), "_contact_books_id", "id");
    clean,
    faults: contact_groups => |emu| check::children(client(emu).contact_groups_all().iter(), "_contact_books_id", "id");
    clean,
    faults: users => |emu| check::records(client(emu).users().iter(), "id");
    clean,
    faults: teams => |emu| check::records(client(emu).teams().iter(), "id");
    clean,
    faults: shared_labels => |emu| check::records(client(emu).shared_labels().iter(), "id");
    clean,
    faults: organizations => |emu| check::records(client(emu).organizations().iter(), "id");
    clean,
    faults: conversations => |emu| check::records(client(emu).conversations().iter(), "id");
}

/// A wrong key is refused with 401 at the first request, not retried.
#[test]
fn wrong_key_is_a_401_without_retry() {
    let emu = Emulator::start(Missive::new());
    let run = check::records(client_with(&emu, "missive_pat-wrong").users().iter(), "id");
    check::refused(&emu, &run, "missive_pat-wrong");
}
