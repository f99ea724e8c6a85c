//! What the unit tests share: a portal from a demo query and its answers.

use crate::{DemoConfig, Sim, SimEvent};
use callcard_core::call::{CallStatus, decode_call_status};
use callcard_core::model::entity::EntityKind;
use serde_json::{Value, json};

pub(crate) fn sim(query: &str) -> Sim {
    Sim::new(&DemoConfig::from_query(query))
}

pub(crate) fn ok(s: &mut Sim, method: &str, params: Value) -> Value {
    s.rest(method, &params)
        .unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
}

pub(crate) fn item(s: &mut Sim, kind: EntityKind, id: u64) -> Value {
    ok(
        s,
        "crm.item.get",
        json!({"entityTypeId": kind.type_id(), "id": id}),
    )["result"]["item"]
        .clone()
}

pub(crate) fn decoded(s: &Sim) -> CallStatus {
    decode_call_status(&s.status()).expect("status decodes")
}

pub(crate) fn state_event(state: &str, failed_code: Option<&str>) -> Vec<SimEvent> {
    vec![SimEvent::StateChanged {
        state: state.into(),
        failed_code: failed_code.map(str::to_string),
    }]
}

pub(crate) fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}
