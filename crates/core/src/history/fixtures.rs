//! Test fixtures the history's test modules share: a contact, documented rows, pages.

use serde_json::{Value, json};

use super::*;
use crate::model::entity::{EntityKind, EntityRef};

pub(crate) fn contact() -> EntityRef {
    EntityRef::new(EntityKind::Contact, 797)
}

pub(crate) fn row(id: u64, start: &str) -> Value {
    json!({"ID": id.to_string(), "TYPE_ID": "2", "DIRECTION": "1", "START_TIME": start,
           "SUBJECT": format!("Incoming call {id}"), "RESPONSIBLE_ID": "1", "COMPLETED": "Y"})
}

/// A page of `n` call rows with ids `top, top-1, …`, one minute apart.
pub(crate) fn page(top: u64, n: usize) -> ActivityPage {
    let rows: Vec<Value> = (0..n as u64)
        .map(|k| {
            let id = top - k;
            let (h, m) = (id / 60 % 24, id % 60);
            row(id, &format!("2024-04-12T{h:02}:{m:02}:00+03:00"))
        })
        .collect();
    decode_activities(&Value::Array(rows)).unwrap()
}

pub(crate) fn comment(id: u64, created: &str, text: &str, author: &str) -> Value {
    json!({"ID": id.to_string(), "ENTITY_ID": "797", "ENTITY_TYPE": "contact", "CREATED": created,
           "COMMENT": text, "AUTHOR_ID": author, "FILES": {}})
}
