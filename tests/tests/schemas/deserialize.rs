//! The generated `tricky` crate (from `tests/fixtures/tricky`) compiles, and realistic JSON
//! deserializes into it: one group of tests per case of `schemas.rs`, then a whole page
//! through the generated client.

use serde_json::{Value, json};
use tricky::types::{
    ArchivedContacts, Comment, Contact, ContactBook, ContactBook2Owner, ContactStatus, Date,
    Document, DocumentEnum, Event, Folder, FolderVisibility, Invoice, Order, Payment, PaymentFee,
    PaymentMethod, PaymentPayer, PaymentReference, PaymentSource, Session, Task, TaskChannel,
    TaskPriority, TaskStatus, TaskWatchersRoleItem, Timestamp,
};

/// `serde_json::from_value`, panicking with the error.
macro_rules! from {
    ($json:expr) => {
        match serde_json::from_value($json) {
            Ok(record) => record,
            Err(e) => panic!("does not deserialize: {e}"),
        }
    };
}

/// A parsed timestamp, shown as RFC 3339 in UTC.
fn utc(t: &Timestamp) -> String {
    assert!(t.parsed().is_some(), "{t:?} did not parse");
    t.to_string()
}

// nullable

#[test]
fn required_but_nullable_fields_may_be_absent() {
    let invoice: Invoice = from!(json!({
        "id": "in_1Nv2", "number": "INV-0001", "total": 12000
    }));
    assert_eq!(invoice.paid_at, None);
    assert_eq!(invoice.memo, None);
    assert_eq!(invoice.line_items, None);
    // Absent stays absent on the way back.
    let back = serde_json::to_value(&invoice).unwrap();
    assert_eq!(
        back,
        json!({"id": "in_1Nv2", "number": "INV-0001", "total": 12000})
    );
}

#[test]
fn nullable_fields_accept_null_in_both_styles() {
    let invoice: Invoice = from!(json!({
        "id": "in_1Nv2", "number": "INV-0001", "total": 12000,
        "paid_at": null, "memo": null, "discount": null, "customer_note": null,
        "voided": null, "due_date": null, "tags": null, "billing_address": null,
        "line_items": [{"description": "Seat", "amount": 1200, "quantity": null}]
    }));
    assert_eq!(invoice.paid_at, None);
    assert_eq!(invoice.memo, None);
    assert_eq!(invoice.billing_address, None);
    let items = invoice.line_items.unwrap();
    assert_eq!(items[0].quantity, None);
    assert_eq!(items[0].amount, Some(1200));
}

#[test]
fn nullable_fields_hold_values_and_validation_is_not_enforced() {
    let invoice: Invoice = from!(json!({
        "id": "in_1Nv2", "number": "INV-0001", "total": 12000,
        "paid_at": "2024-03-01T10:00:00Z",
        "memo": "Thank you for your business.",
        "discount": 0.1,
        "voided": false,
        "due_date": "2024-03-31",
        "tags": ["q1", "annual"],
        // `country` breaks its pattern and length: still decodes.
        "billing_address": {"line1": "1 Rue de Rivoli", "line2": null, "country": "fra"},
        "line_items": [{"description": "Seat", "amount": 1200, "quantity": 10}]
    }));
    assert_eq!(
        utc(invoice.paid_at.as_ref().unwrap()),
        "2024-03-01T10:00:00Z"
    );
    assert_eq!(
        invoice.memo.as_deref(),
        Some("Thank you for your business.")
    );
    let due = invoice.due_date.unwrap();
    assert!(matches!(due, Date::Parsed(_)));
    assert_eq!(due.to_string(), "2024-03-31");
    let address = invoice.billing_address.unwrap();
    assert_eq!(address.country.as_deref(), Some("fra"));
    assert_eq!(address.line2, None);
}

// enums

#[test]
fn unknown_enum_values_are_kept_and_round_trip() {
    let raw = json!({
        "id": "tsk_1",
        "object": "task_v2",
        "status": "waiting_on_customer",
        "priority": "critical",
        "channel": "carrier pigeon",
        "watchers_role": ["owner", "approver"],
        "severity": 4,
        "progress": "75%"
    });
    let task: Task = from!(raw.clone());
    assert_eq!(
        task.status,
        Some(TaskStatus::Unknown("waiting_on_customer".into()))
    );
    assert_eq!(
        task.priority,
        Some(TaskPriority::Unknown("critical".into()))
    );
    // `unknown` is a documented value, so the catch-all is `UnknownValue`.
    assert_eq!(
        task.channel,
        Some(TaskChannel::UnknownValue("carrier pigeon".into()))
    );
    assert_eq!(
        task.watchers_role,
        [
            TaskWatchersRoleItem::Owner,
            TaskWatchersRoleItem::Unknown("approver".into())
        ]
    );
    // An integer enum is a plain integer: a new level is not an error.
    assert_eq!(task.severity, Some(4));
    assert_eq!(serde_json::to_value(&task).unwrap(), raw);
}

#[test]
fn known_enum_values_are_typed() {
    let task: Task = from!(json!({
        "id": "tsk_1", "object": "task", "status": "in_progress", "priority": null,
        "channel": "unknown", "progress": "50%"
    }));
    assert_eq!(task.status, Some(TaskStatus::InProgress));
    assert_eq!(task.priority, None);
    assert_eq!(task.channel, Some(TaskChannel::Unknown));
    assert_eq!(task.status.as_ref().unwrap().as_str(), "in_progress");
    assert_eq!("done".parse::<TaskStatus>().unwrap(), TaskStatus::Done);
}

// nested objects and arrays of objects

#[test]
fn nested_objects_and_arrays_of_objects() {
    let order: Order = from!(json!({
        "id": "ord_1001",
        "customer": {
            "id": "cus_9",
            "name": "Ada",
            "address": {"street": "12 Main St", "city": "Springfield",
                        "geo": {"lat": 39.78, "lng": -89.65, "accuracy_m": 5}}
        },
        "lines": [
            {"sku": "TSHIRT-M", "quantity": 2,
             "product": {"name": "T-shirt", "images": [{"url": "https://cdn.example.com/t.png", "width": 640}]},
             "discounts": [{"code": "SPRING", "percent_off": 10.0}]},
            {"sku": "MUG", "quantity": 1}
        ],
        "package_dimensions": [[30.0, 20.0, 5.5], [10, 10, 10]],
        "shipments": [{"carrier": "ups", "events": [
            {"status": "label_created"},
            {"status": "in_transit", "location": {"city": "Louisville", "country": "US"}}
        ]}]
    }));
    let geo = order.customer.unwrap().address.unwrap().geo.unwrap();
    assert_eq!(geo.lat, Some(39.78));
    assert_eq!(geo.extra["accuracy_m"], 5);
    let product = order.lines[0].product.as_ref().unwrap();
    assert_eq!(product.images[0].width, Some(640));
    assert_eq!(order.lines[0].discounts[0].code.as_deref(), Some("SPRING"));
    assert!(order.lines[1].discounts.is_empty());
    assert_eq!(order.package_dimensions[1], [10.0, 10.0, 10.0]);
    let location = order.shipments[0].events[1].location.as_ref().unwrap();
    assert_eq!(location.city.as_deref(), Some("Louisville"));
}

// additionalProperties

#[test]
fn unknown_fields_are_tolerated_and_kept_in_extra() {
    let raw = json!({
        "id": "evt_1",
        "name": "ticket.created",
        "request_id": "req_77",
        "metadata": {"source": "zapier", "attempt": 2, "tags": ["a"]},
        "labels": {"team": "billing", "region": "eu"},
        "counters": {"opens": 3, "clicks": 1, "bounces": 2},
        "context": {"ip": "203.0.113.7", "user_agent": "curl/8.5", "referer": "https://example.com"},
        "actor": {"id": "usr_1", "kind": "agent", "display_name": "Grace"},
        "changes": {"status": {"from": "open", "to": "closed"}, "priority": {"from": 1, "to": 2}},
        "payload": [1, "two", {"three": 3}],
        "coordinates": [2.35, 48.85],
        "headers": {"x-request-id": "abc", "x-retries": 2},
        "attributes": {"plan": "pro"}
    });
    let event: Event = from!(raw.clone());
    // The root says `additionalProperties: false`; the API added a field anyway.
    assert_eq!(event.extra["request_id"], "req_77");
    // `additionalProperties: true`, a schema, and `false` again, nested.
    assert_eq!(event.metadata["attempt"], 2);
    assert_eq!(event.labels["region"], "eu");
    let counters = event.counters.as_ref().unwrap();
    assert_eq!(counters.opens, Some(3));
    assert_eq!(counters.extra["bounces"], 2);
    assert_eq!(
        event.context.as_ref().unwrap().extra["referer"],
        "https://example.com"
    );
    assert_eq!(event.actor.as_ref().unwrap().extra["display_name"], "Grace");
    assert_eq!(event.changes["priority"].to, Some(json!(2)));
    assert_eq!(event.payload, Some(json!([1, "two", {"three": 3}])));
    assert_eq!(event.attributes["plan"], "pro");
    // A tuple is a list of JSON values; pattern properties are a JSON map.
    assert_eq!(event.coordinates, [json!(2.35), json!(48.85)]);
    assert_eq!(event.headers["x-retries"], 2);
    // Unknown fields are written back too.
    assert_eq!(serde_json::to_value(&event).unwrap(), raw);
}

// allOf, oneOf, anyOf

#[test]
fn all_of_is_merged_into_one_struct() {
    let payment: Payment = from!(json!({
        "id": "pay_1", "created_at": "2024-05-01T12:00:00+02:00",
        "amount": {"value": 1999, "currency": "EUR", "precision": 2}
    }));
    let amount = payment.amount.as_ref().unwrap();
    assert_eq!(amount.value, Some(1999));
    assert_eq!(amount.precision, Some(2));
    assert_eq!(
        utc(payment.created_at.as_ref().unwrap()),
        "2024-05-01T10:00:00Z"
    );
}

#[test]
fn one_of_picks_the_shape_whose_tag_matches_and_keeps_unknown_ones() {
    let payment = |method: Value| -> Payment {
        from!(json!({
            "id": "pay_1", "created_at": "2024-05-01T10:00:00Z",
            "amount": {"value": 1999, "currency": "EUR"}, "method": method
        }))
    };
    match payment(json!({"type": "card", "last4": "4242", "brand": "visa"})).method {
        Some(PaymentMethod::Card { last4, brand, .. }) => {
            assert_eq!((last4.as_str(), brand.as_deref()), ("4242", Some("visa")));
        }
        other => panic!("not a card: {other:?}"),
    }
    match payment(json!({"type": "bank_transfer", "iban": "FR7630006000011234567890189"})).method {
        Some(PaymentMethod::BankTransfer { iban, .. }) => assert!(iban.starts_with("FR76")),
        other => panic!("not a bank transfer: {other:?}"),
    }
    // A payment method added after the schema was written.
    let wallet = json!({"type": "wallet", "provider": "apple_pay"});
    assert_eq!(
        payment(wallet.clone()).method,
        Some(PaymentMethod::Other(wallet))
    );
}

#[test]
fn one_of_references_pick_the_shape_whose_tag_matches() {
    let source = |source: Value| -> Option<PaymentSource> {
        let payment: Payment = from!(json!({
            "id": "pay_1", "created_at": "2024-05-01T10:00:00Z",
            "amount": {"value": 1999, "currency": "EUR"}, "source": source
        }));
        payment.source
    };
    // Both shapes have only one other field, so only the tag tells them apart.
    match source(json!({"kind": "invoice", "invoice_id": "in_1", "session_id": "cs_9"})) {
        Some(PaymentSource::InvoiceSource(invoice)) => {
            assert_eq!(invoice.invoice_id, "in_1");
            assert_eq!(invoice.extra["session_id"], "cs_9");
        }
        other => panic!("not an invoice: {other:?}"),
    }
    assert!(matches!(
        source(json!({"kind": "checkout", "session_id": "cs_9"})),
        Some(PaymentSource::CheckoutSource(_))
    ));
    let link = json!({"kind": "payment_link", "link_id": "pl_1"});
    assert_eq!(source(link.clone()), Some(PaymentSource::Other(link)));
}

#[test]
fn one_of_and_any_of_of_primitives_and_objects() {
    let payment = |fields: Value| -> Payment {
        let mut record = json!({
            "id": "pay_1", "created_at": "2024-05-01T10:00:00Z",
            "amount": {"value": 1999, "currency": "EUR"}
        });
        record
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        from!(record)
    };
    let p = payment(
        json!({"reference": "ch_3Ox", "fee": "0.30", "payer": {"email": "ada@example.com"}}),
    );
    assert_eq!(p.reference, Some(PaymentReference::String("ch_3Ox".into())));
    assert_eq!(p.fee, Some(PaymentFee::String("0.30".into())));
    assert!(
        matches!(p.payer, Some(PaymentPayer::Variant0 { ref email, .. }) if email == "ada@example.com")
    );

    let p = payment(
        json!({"reference": 42, "fee": 0.3, "payer": {"company_id": "cmp_1", "vat": "FR123"}}),
    );
    assert_eq!(p.reference, Some(PaymentReference::Integer(42)));
    assert_eq!(p.fee, Some(PaymentFee::Number(0.3)));
    assert!(
        matches!(p.payer, Some(PaymentPayer::Variant1 { ref company_id, .. }) if company_id == "cmp_1")
    );

    // A float reference, a null fee and a payer of neither shape still decode.
    let p = payment(json!({"reference": 4.5, "fee": null, "payer": {"device_id": "dev_1"}}));
    assert_eq!(p.reference, Some(PaymentReference::Other(json!(4.5))));
    assert_eq!(p.fee, None);
    assert_eq!(
        p.payer,
        Some(PaymentPayer::Other(json!({"device_id": "dev_1"})))
    );
}

// recursion

#[test]
fn recursive_records() {
    let comment: Comment = from!(json!({
        "id": "c3", "body": "Agreed.",
        "in_reply_to": {"id": "c2", "body": "Ship it?", "in_reply_to": {"id": "c1", "body": "Draft is up."}},
        "replies": [{"id": "c4", "body": "Done.", "replies": [{"id": "c5", "body": "Thanks!"}]}]
    }));
    let parent = comment.in_reply_to.as_ref().unwrap();
    assert_eq!(
        parent.in_reply_to.as_ref().unwrap().id.as_deref(),
        Some("c1")
    );
    assert_eq!(
        comment.replies[0].replies[0].body.as_deref(),
        Some("Thanks!")
    );
    // `allOf: [{"$ref": "#"}, {..}]`: a comment; the other member's field is in its `extra`.
    let quoting: Comment = from!(json!({
        "id": "c6", "body": "As Ada said:",
        "quoted": {"id": "c1", "body": "Draft is up.", "quoted_at": "2024-05-02T09:00:00Z"}
    }));
    let quoted = quoting.quoted.unwrap();
    assert_eq!(quoted.body.as_deref(), Some("Draft is up."));
    assert_eq!(quoted.extra["quoted_at"], "2024-05-02T09:00:00Z");

    let folder: Folder = from!(json!({
        "id": "fld_1",
        "created_by": {"id": "usr_1", "email": "ada@example.com"},
        "visibility": "shared_with_link",
        "tree": {"name": "Guides", "visibility": "public", "children": [
            {"name": "Billing", "owner": {"id": "usr_2"}, "children": [{"name": "Refunds"}]},
            {"name": "Shipping"}
        ]}
    }));
    let tree = folder.tree.as_ref().unwrap();
    assert_eq!(
        tree.children[0].children[0].name.as_deref(),
        Some("Refunds")
    );
    // An enum in the schema's definitions is open like any other.
    assert_eq!(tree.visibility, Some(FolderVisibility::Public));
    assert_eq!(
        folder.visibility,
        Some(FolderVisibility::Unknown("shared_with_link".into()))
    );
    assert_eq!(
        tree.children[0].owner.as_ref().unwrap().id.as_deref(),
        Some("usr_2")
    );
}

// reserved words and odd names

#[test]
fn keywords_and_odd_names_are_renamed_fields() {
    let raw = json!({
        "@odata.id": "https://api.example.com/v2/documents(42)",
        "@odata.etag": "W/\"3\"",
        "type": "contract",
        "self": "https://api.example.com/v2/documents/42",
        "Self": "https://legacy.example.com/docs/42",
        "ref": "DOC-42",
        "async": true,
        "match": 0.93,
        "crate": "box-7",
        "a-b": "dash",
        "1st": "first",
        "first name": "Ada",
        "$count": 3,
        "_links": {"self": {"href": "/documents/42"}, "next": {"href": "/documents/43"}},
        "createdAt": "2024-05-01",
        "created_at": "2024-05-01T00:00:00Z",
        "enum": "b",
        "é": "accent",
        "meta": {"version": 3, "extra": "a field called extra", "locked": true}
    });
    let doc: Document = from!(raw.clone());
    assert_eq!(
        doc.odata_id.as_deref(),
        Some("https://api.example.com/v2/documents(42)")
    );
    assert_eq!(doc.type_.as_deref(), Some("contract"));
    assert_eq!(
        doc.self_.as_deref(),
        Some("https://api.example.com/v2/documents/42")
    );
    assert_eq!(doc.ref_.as_deref(), Some("DOC-42"));
    assert_eq!(doc.async_, Some(true));
    assert_eq!(doc.match_, Some(0.93));
    assert_eq!(doc.crate_.as_deref(), Some("box-7"));
    assert_eq!(doc.a_b.as_deref(), Some("dash"));
    assert_eq!(doc.x1st.as_deref(), Some("first"));
    assert_eq!(doc.first_name.as_deref(), Some("Ada"));
    assert_eq!(doc.count, Some(3));
    assert_eq!(
        doc.links
            .as_ref()
            .unwrap()
            .self_
            .as_ref()
            .unwrap()
            .href
            .as_deref(),
        Some("/documents/42")
    );
    assert_eq!(doc.enum_, Some(DocumentEnum::B));
    // `createdAt` and `created_at` are both `created_at` in Rust: the first one is the
    // field, the second is kept in `extra`; the same for `self` and `Self`.
    assert_eq!(doc.created_at.as_deref(), Some("2024-05-01"));
    assert_eq!(doc.extra["created_at"], "2024-05-01T00:00:00Z");
    assert_eq!(doc.extra["Self"], "https://legacy.example.com/docs/42");
    // A property called `extra` is a plain field; that object keeps no unknown fields.
    let meta = doc.meta.as_ref().unwrap();
    assert_eq!(meta.extra.as_deref(), Some("a field called extra"));
    assert_eq!(meta.version, Some(3));
    let mut back = serde_json::to_value(&doc).unwrap();
    assert_eq!(back["meta"].as_object_mut().unwrap().remove("locked"), None);
    back["meta"]["locked"] = json!(true);
    assert_eq!(back, raw);
}

// colliding names

#[test]
fn colliding_names_are_distinct_types() {
    let contact: Contact = from!(json!({
        "id": "ct_1", "name": "Ada", "status": "active",
        "book": {"id": "bk_1", "owner": "team"},
        "tags": [{"label": "vip"}],
        "tags_item": {"label": "vip", "pinned": true}
    }));
    // `Contact.book` would be `ContactBook`, the name of the contact_books record.
    let book = contact.book.unwrap();
    assert_eq!(book.owner, Some(ContactBook2Owner::Team));
    assert_eq!(contact.status, Some(ContactStatus::Active));
    assert_eq!(contact.tags[0].label.as_deref(), Some("vip"));
    assert_eq!(contact.tags_item.unwrap().pinned, Some(true));

    let record: ContactBook = from!(json!({
        "id": "bk_1", "name": "Customers", "owner": {"id": "usr_1", "email": "ada@example.com"}
    }));
    assert_eq!(
        record.owner.unwrap().email.as_deref(),
        Some("ada@example.com")
    );

    // Same title as `contacts`: named after its resource instead.
    let archived: ArchivedContacts = from!(json!({
        "id": "ct_2", "archived_at": "2024-01-31T23:59:59Z", "status": "purged"
    }));
    assert_eq!(archived.id.as_deref(), Some("ct_2"));
}

// formats

#[test]
fn formats_parse_leniently() {
    let session: Session = from!(json!({
        "id": "sess_01HV3",
        "user_id": "6f1c2b0e-3d4a-4c8e-9a57-1b2c3d4e5f60",
        "started_at": "2024-05-01T10:00:00.123+02:00",
        "ended_at": "2024-05-01 11:30:00+0000",
        "last_seen_at": null,
        "day": "2024-05-01",
        "email": "not-an-email",
        "homepage": "example.com",
        "ip": "10.0.0.300",
        "clicks": 17,
        "bytes_sent": 9_007_199_254_740_993_i64,
        "pages": 4,
        "score": 0.5,
        "ratio": 0.25,
        "amount": 12.5,
        "duration": "PT1H30M",
        "local_time": "10:00:00",
        "logins": ["2024-04-30T08:00:00Z", "yesterday"]
    }));
    assert_eq!(
        utc(session.started_at.as_ref().unwrap()),
        "2024-05-01T08:00:00.123Z"
    );
    assert_eq!(
        utc(session.ended_at.as_ref().unwrap()),
        "2024-05-01T11:30:00Z"
    );
    assert_eq!(session.last_seen_at, None);
    let day = session.day.as_ref().unwrap();
    assert!(day.parsed().is_some());
    assert_eq!(day.to_string(), "2024-05-01");
    // uuid and ip formats are strings: an id that is not a UUID is not an error.
    assert_eq!(session.id.as_deref(), Some("sess_01HV3"));
    assert_eq!(session.ip.as_deref(), Some("10.0.0.300"));
    assert_eq!(session.clicks, Some(17_i32));
    assert_eq!(session.bytes_sent, Some(9_007_199_254_740_993_i64));
    assert_eq!(session.ratio, Some(0.25_f32));
    assert_eq!(session.logins[1], Timestamp::Unparsed("yesterday".into()));
}

#[test]
fn a_timestamp_that_does_not_parse_keeps_the_record() {
    let raw = json!({
        "id": "sess_1", "user_id": "usr_1",
        "started_at": "31/12/2023 23:59",
        "day": "2024-02-30"
    });
    let session: Session = from!(raw.clone());
    let started_at = session.started_at.as_ref().unwrap();
    assert_eq!(started_at, &Timestamp::Unparsed("31/12/2023 23:59".into()));
    assert_eq!(started_at.parsed(), None);
    assert_eq!(started_at.unparsed(), Some("31/12/2023 23:59"));
    assert_eq!(session.day, Some(Date::Unparsed("2024-02-30".into())));
    // The text goes back exactly as it came.
    assert_eq!(serde_json::to_value(&session).unwrap(), raw);
    // A parsed one is written back in RFC 3339, `Z` for UTC.
    let t: Timestamp = "2024-05-01T12:00:00+02:00".parse().unwrap();
    assert_eq!(t.to_string(), "2024-05-01T10:00:00Z");
}

// a whole page through the generated client

#[tokio::test]
async fn a_page_of_surprising_records_decodes_completely() {
    use tricky::futures::TryStreamExt;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/tasks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "tsk_1", "status": "open"},
                {"id": "tsk_2", "status": "snoozed", "sla": {"due_in": 3600}},
                {"id": "tsk_3", "status": "done", "priority": null, "severity": 9}
            ],
            "meta": {"next_cursor": null}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = tricky::Client::builder()
        .api_token("tk_test")
        .base_url(server.uri() + "/v2/")
        .build()
        .unwrap();
    let tasks: Vec<Task> = client.tasks().stream().try_collect().await.unwrap();
    assert_eq!(tasks.len(), 3);
    assert_eq!(tasks[1].status, Some(TaskStatus::Unknown("snoozed".into())));
    assert_eq!(tasks[1].extra["sla"], json!({"due_in": 3600}));
    assert_eq!(tasks[2].severity, Some(9));
}
