//! signNow (seed B, spec `document_signing`), as the Airbyte manifest, the official SDK's mock
//! bodies and the docs show it: no authenticator object but an `Authorization: Bearer
//! <api_key_id>` header on every stream, except `Authorization: Basic <auth_token>` (the
//! application's base64 client credentials) on signing links. `/user` is one object at the top
//! level, `/user/documentsv2` a top-level array, both unpaged. The v2 lists page with `page`
//! (from 1) and `per_page`, in `{data, meta: {pagination: {total, count, per_page,
//! current_page, total_pages, links}}}`, where `links` is `{next}` or, on the last page, `[]`.
//! Flags and epochs come as strings (`"verified": "1"`, `"created": "1533906338"`), except
//! where the SDK's document bodies send epochs as numbers.

use serde_json::{Value, json};

use crate::check::{self, RETRY_CAP, TIMEOUT};
use crate::data::{hex_id, keys, records};
use crate::server::{Api, Emulator, Req, Resp, window};

const API_KEY_ID: &str = "sn-7f3c1e0b9a8d";
const AUTH_TOKEN: &str = "Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=";

/// The data behind one emulated signNow account.
pub struct SignNow {
    user: Value,
    documents: Vec<Value>,
    crm_contacts: Vec<Value>,
    signing_links: Vec<Value>,
}

impl SignNow {
    pub fn new() -> Self {
        let documents = records(
            include_str!("fixtures/signnow/document.json"),
            12,
            |i, r| {
                r.insert("id".into(), json!(hex_id("", 0x5d0c, i)));
                if i == 7 {
                    // as the SDK's `GET /document/{id}` and `/user/folder` bodies: epochs as numbers
                    r.insert("created".into(), json!(1_711_000_000 + i));
                    r.insert("updated".into(), json!(1_711_003_600 + i));
                } else {
                    r.insert("created".into(), json!(format!("{}", 1_711_000_000 + i)));
                    r.insert("updated".into(), json!(format!("{}", 1_711_003_600 + i)));
                }
            },
        );
        let crm_contacts = records(
            include_str!("fixtures/signnow/crm_contact.json"),
            55,
            |i, r| {
                r.insert("id".into(), json!(hex_id("", 0xc0a7, i)));
                r.insert("email".into(), json!(format!("contact{i}@example.com")));
                r["meta"]["updated_at"] = json!(1_712_000_000 + i);
            },
        );
        let signing_links = records(
            include_str!("fixtures/signnow/signing_link.json"),
            45,
            |i, r| {
                r.insert("id".into(), json!(hex_id("", 0x5111, i)));
                r.insert("count".into(), json!(i % 5));
            },
        );
        SignNow {
            user: serde_json::from_str(include_str!("fixtures/signnow/user.json")).unwrap(),
            documents,
            crm_contacts,
            signing_links,
        }
    }

    /// The same account, whose `/user` says `"verified": true`, as the Airbyte stream schema
    /// (inferred from real responses) has it, where the SDK's body has `"1"`.
    pub fn with_boolean_verified() -> Self {
        let mut api = SignNow::new();
        api.user["verified"] = json!(true);
        api
    }

    /// The keys each resource must return.
    pub fn expected(&self, resource: &str) -> Vec<String> {
        match resource {
            "user" => keys(std::slice::from_ref(&self.user), "id"),
            "user_modified_documents" => keys(&self.documents, "id"),
            "crm_contacts" => keys(&self.crm_contacts, "id"),
            "signing_links" => keys(&self.signing_links, "id"),
            other => panic!("no resource {other}"),
        }
    }
}

fn error(status: u16, code: u32, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"errors": [{"code": code, "message": message}]}),
    )
}

/// A v2 page: `page` from 1, `per_page` (default 15, at most 100).
fn v2_page(req: &Req, list: &[Value], base: &str) -> Resp {
    let (page, per_page) = match (req.q_usize("page", 1), req.q_usize("per_page", 15)) {
        (Ok(p), Ok(n)) if p >= 1 && (1..=100).contains(&n) => (p, n),
        _ => return error(400, 65582, "page and per_page must be positive integers"),
    };
    let data = window(list, (page - 1) * per_page, per_page);
    let total_pages = list.len().div_ceil(per_page);
    let links = if page < total_pages {
        json!({"next": format!("{base}{}?page={}&per_page={per_page}", req.path, page + 1)})
    } else {
        json!([])
    };
    Resp::json(
        200,
        &json!({
            "data": data,
            "meta": {"pagination": {
                "total": list.len(),
                "count": data.len(),
                "per_page": per_page,
                "current_page": page,
                "total_pages": total_pages,
                "links": links,
            }}
        }),
    )
}

impl Api for SignNow {
    fn route(&self, req: &Req) -> Option<&'static str> {
        match req.path.as_str() {
            "/user" => Some("user"),
            "/user/documentsv2" => Some("user_modified_documents"),
            "/v2/crm/contacts" => Some("crm_contacts"),
            "/v2/application/signing-links" => Some("signing_links"),
            _ => None,
        }
    }

    fn authorize(&self, req: &Req, resource: &str) -> Result<(), Resp> {
        let want = match resource {
            "signing_links" => format!("Basic {AUTH_TOKEN}"),
            _ => format!("Bearer {API_KEY_ID}"),
        };
        if req.has_only("authorization", &want) {
            Ok(())
        } else {
            Err(error(401, 1537, "invalid_token"))
        }
    }

    fn serve(&self, req: &Req, resource: &str, base: &str) -> Resp {
        match resource {
            "user" => Resp::json(200, &self.user),
            "user_modified_documents" => Resp::json(200, &Value::from(self.documents.clone())),
            "crm_contacts" => v2_page(req, &self.crm_contacts, base),
            _ => v2_page(req, &self.signing_links, base),
        }
    }

    fn rate_limited(&self) -> Resp {
        error(429, 1429, "Too Many Requests")
    }
}

fn setup(resource: &str) -> (Emulator, Vec<String>) {
    let api = SignNow::new();
    let want = api.expected(resource);
    (Emulator::start(api), want)
}

fn client(emu: &Emulator) -> document_signing::blocking::Client {
    client_with(emu, API_KEY_ID)
}

fn client_with(emu: &Emulator, key: &str) -> document_signing::blocking::Client {
    document_signing::blocking::Client::builder()
        .api_key_id(key)
        .auth_token(AUTH_TOKEN)
        .base_url(emu.origin())
        .max_retry_delay(RETRY_CAP)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

crate::resource_tests! {
    clean, faults: user => |emu| check::records(client(emu).user().iter(), "id");
    clean,
    faults: user_modified_documents => |emu| check::records(client(emu).user_modified_documents().iter(), "id");
    clean, faults: crm_contacts => |emu| check::records(client(emu).crm_contacts().iter(), "id");
    clean, faults: signing_links => |emu| check::records(client(emu).signing_links().iter(), "id");
}

/// `/user` with `"verified": true` where the schema says string: the one record is kept.
#[test]
fn user_with_a_boolean_verified_is_kept() {
    let api = SignNow::with_boolean_verified();
    let want = api.expected("user");
    let emu = Emulator::start(api);
    check::clean(&emu, "user", &want, || {
        check::records(client(&emu).user().iter(), "id")
    });
}

/// A wrong `api_key_id` is refused with 401 at the first request, not retried.
#[test]
fn wrong_key_is_a_401_without_retry() {
    let emu = Emulator::start(SignNow::new());
    let run = check::records(client_with(&emu, "sn-wrong").crm_contacts().iter(), "id");
    check::refused(&emu, &run, "sn-wrong");
}

/// Signing links take the Basic client credentials, not the Bearer key: with the wrong
/// `auth_token` they are refused even though the Bearer key is right.
#[test]
fn signing_links_need_the_basic_client_credentials() {
    let emu = Emulator::start(SignNow::new());
    let client = document_signing::blocking::Client::builder()
        .api_key_id(API_KEY_ID)
        .auth_token("d3Jvbmc6d3Jvbmc=")
        .base_url(emu.origin())
        .max_retry_delay(RETRY_CAP)
        .build()
        .unwrap();
    let run = check::records(client.signing_links().iter(), "id");
    check::refused(&emu, &run, "d3Jvbmc6d3Jvbmc=");
}
