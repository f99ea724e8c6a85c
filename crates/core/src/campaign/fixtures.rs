//! Test fixtures the campaign's test modules share: a contact, a list, an item, the statuses.

use serde_json::json;

use super::*;
use crate::model::entity::{EntityKind, EntityRef};

pub(crate) fn contact(id: u64) -> EntityRef {
    EntityRef::new(EntityKind::Contact, id)
}

pub(crate) fn list(id: u64, type_id: u64) -> CallList {
    CallList {
        id,
        entity_type_id: type_id,
        entity_type: None,
        created: String::new(),
        created_by: Some(1),
        webform_id: None,
    }
}

pub(crate) fn item(id: u64, status: &str) -> ListItem {
    ListItem {
        entity_id: id,
        status: status.into(),
        entity_type_id: 3,
    }
}

pub(crate) fn statuses() -> Vec<ListStatus> {
    decode_statuses(&json!([
        {"ID": 61, "NAME": "In Progress", "SORT": 10, "STATUS_ID": "IN_WORK"},
        {"ID": "65", "NAME": "Call back later", "SORT": "50", "STATUS_ID": "CALLBACK"},
        {"ID": 62, "NAME": "Successful", "SORT": 20, "STATUS_ID": "SUCCESS"},
        {"ID": 63, "NAME": "Wrong Number", "SORT": 30, "STATUS_ID": "WRONG_NUMBER"},
        {"ID": 64, "NAME": "Do Not Call Again", "SORT": 40, "STATUS_ID": "STOP_CALLING"},
        {"ID": 66, "NAME": "no code"},
        "garbage"
    ]))
}

pub(crate) fn members(n: u64) -> Vec<(u64, &'static str)> {
    (0..n).map(|i| (100 + i, IN_WORK)).collect()
}
