//! Generated models survive real APIs: unknown enum values and unknown fields never fail a
//! record, nullable fields accept null and absence, and values round-trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use esign::types::{SignatureRequest, SignatureRequestStatus};

#[test]
fn unknown_enum_value_is_kept_and_round_trips() {
    let json =
        r#"{"id": "sr_1", "status": "brand_new_state", "created_at": "2024-05-01T10:00:00+00:00"}"#;
    let record: SignatureRequest = serde_json::from_str(json).unwrap();
    assert_eq!(
        record.status,
        Some(SignatureRequestStatus::Unknown("brand_new_state".into()))
    );
    let back = serde_json::to_value(&record).unwrap();
    assert_eq!(back["status"], "brand_new_state");
}

#[test]
fn known_enum_value_is_typed() {
    let record: SignatureRequest =
        serde_json::from_str(r#"{"id": "sr_1", "status": "done"}"#).unwrap();
    assert_eq!(record.status, Some(SignatureRequestStatus::Done));
    assert_eq!(SignatureRequestStatus::Done.as_str(), "done");
    assert_eq!(
        "ongoing".parse::<SignatureRequestStatus>().unwrap(),
        SignatureRequestStatus::Ongoing
    );
}

#[test]
fn unknown_fields_are_tolerated() {
    let record: SignatureRequest = serde_json::from_str(
        r#"{"id": "sr_1", "a_field_added_next_year": {"nested": [1, 2]}, "status": null}"#,
    )
    .unwrap();
    assert_eq!(record.id.as_deref(), Some("sr_1"));
    assert_eq!(record.status, None);
}
