//! Property tests of the call's decoders (issue 9): placement options, `getStatus` and the
//! `CallCard::*` events.
//!
//! The generators and the properties are described in `common/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

use callcard_core::call::{
    CallEvent, CallState, CallStatus, Direction, EntityChange, OtherItem, PhoneNumber,
    decode_call_status, decode_entity_changed, decode_placement_options_text, decode_state_changed,
};
use callcard_core::model::value::{opt_text, opt_u64};
use callcard_core::model::{EntityKind, EntityRef};

use common::*;

// ---------------------------------------------------------------------------------------------
// The call status: intended meaning → Bitrix spelling
// ---------------------------------------------------------------------------------------------

impl Dice {
    fn binding_entry(&mut self, strings: bool) -> (Entry, Value) {
        match self.pick(10) {
            0..=4 => {
                let k = self.known_kind();
                let id = self.id();
                let v = json!({"ENTITY_TYPE": self.spell_kind(k, strings), "ENTITY_ID": self.spell_u64(id, strings)});
                (Entry::Known(EntityRef::new(k, id)), v)
            }
            5 | 6 => {
                let t = self.other_type();
                let id = self.id();
                let v = json!({"ENTITY_TYPE": self.spell_text(&t), "ENTITY_ID": self.spell_u64(id, strings)});
                (Entry::Other(OtherItem::new(&t, id)), v)
            }
            7 => {
                let k = self.known_kind();
                let mut o = Map::new();
                o.insert("ENTITY_TYPE".into(), self.spell_kind(k, strings));
                let id = if self.chance(50) {
                    Some(self.spell_u64(0, strings))
                } else {
                    None
                };
                self.put(&mut o, "ENTITY_ID", id);
                (Entry::Nothing, Value::Object(o))
            }
            _ => (Entry::Garbage, self.garbage_entry(strings)),
        }
    }
    /// An entry that can never be read, whatever the spelling.
    fn garbage_entry(&mut self, strings: bool) -> Value {
        let bad_id = || -> Vec<Value> {
            vec![
                json!("abc"),
                json!("12abc"),
                json!([1]),
                json!({"x": 1}),
                json!("-5"),
                json!("1.5"),
            ]
        };
        match self.pick(if strings { 4 } else { 7 }) {
            0 => Value::String(self.any_string()),
            1 => Value::Array(vec![]),
            2 => {
                let id = self.one(&bad_id()).clone();
                json!({"ENTITY_TYPE": "DEAL", "ENTITY_ID": id})
            }
            3 => json!({"ENTITY_ID": self.spell_new_id(strings)}),
            4 => self.any_number(),
            5 => json!({"ENTITY_TYPE": [self.garbage(1)], "ENTITY_ID": 5}),
            _ => Value::Null,
        }
    }
    /// A status's intended meaning and a `getStatus` (or, with `strings`, a `PLACEMENT_OPTIONS`)
    /// payload that says it.
    fn status(&mut self, strings: bool) -> (CallStatus, Value) {
        let mut o = Map::new();
        let mut s = CallStatus::default();
        self.extra_keys(&mut o);
        if self.chance(80) {
            let t = self.meaningful_text(&[]);
            s.call_id = Some(t.clone());
            o.insert("CALL_ID".into(), self.spell_text(&t));
        } else {
            self.put(&mut o, "CALL_ID", None);
        }
        match self.pick(4) {
            0 => {
                let t = self.meaningful_text(&["hidden", "unknown"]);
                s.phone = PhoneNumber::Known(t.clone());
                o.insert("PHONE_NUMBER".into(), self.spell_text(&t));
            }
            1 => {
                s.phone = PhoneNumber::Hidden;
                let w = self.random_case("hidden");
                o.insert("PHONE_NUMBER".into(), json!(w));
            }
            2 => {
                let w = self.random_case("unknown");
                o.insert("PHONE_NUMBER".into(), json!(w));
            }
            _ => self.put(&mut o, "PHONE_NUMBER", None),
        }
        for (key, slot) in [("LINE_NUMBER", 0), ("LINE_NAME", 1)] {
            if self.chance(60) {
                let t = self.meaningful_text(&[]);
                o.insert(key.into(), self.spell_text(&t));
                if slot == 0 {
                    s.line_number = Some(t);
                } else {
                    s.line_name = Some(t);
                }
            } else {
                self.put(&mut o, key, None);
            }
        }
        // The primary item: known, unknown type, id 0, or nothing.
        let mut primary_other = None;
        match self.pick(5) {
            0 | 1 => {
                let k = self.known_kind();
                let id = self.id();
                s.entity = Some(EntityRef::new(k, id));
                o.insert("CRM_ENTITY_TYPE".into(), self.spell_kind(k, strings));
                o.insert("CRM_ENTITY_ID".into(), self.spell_u64(id, strings));
            }
            2 => {
                let t = self.other_type();
                let id = self.id();
                primary_other = Some(OtherItem::new(&t, id));
                o.insert("CRM_ENTITY_TYPE".into(), self.spell_text(&t));
                o.insert("CRM_ENTITY_ID".into(), self.spell_u64(id, strings));
            }
            3 => {
                let k = self.known_kind();
                o.insert("CRM_ENTITY_TYPE".into(), self.spell_kind(k, strings));
                let zero = self.spell_u64(0, strings);
                let v = if self.chance(50) { Some(zero) } else { None };
                self.put(&mut o, "CRM_ENTITY_ID", v);
            }
            _ => {
                self.put(&mut o, "CRM_ENTITY_TYPE", None);
                self.put(&mut o, "CRM_ENTITY_ID", None);
            }
        }
        s.other_items.extend(primary_other);
        match self.pick(3) {
            0 => {
                let a = self.id();
                s.activity_id = Some(a);
                o.insert("CRM_ACTIVITY_ID".into(), self.spell_u64(a, strings));
            }
            1 => {
                let v = self.spell_u64(0, strings);
                o.insert("CRM_ACTIVITY_ID".into(), v);
            }
            _ => self.put(&mut o, "CRM_ACTIVITY_ID", None),
        }
        // The bindings, in one of the portal's spellings of a list.
        let mut entries = Vec::new();
        for _ in 0..self.pick(7) {
            let (meaning, v) = self.binding_entry(strings);
            match meaning {
                Entry::Known(e) if !s.bindings.contains(&e) => s.bindings.push(e),
                Entry::Other(item) if !s.other_items.contains(&item) => s.other_items.push(item),
                Entry::Garbage => s.unreadable_bindings += 1,
                _ => {}
            }
            entries.push(v);
        }
        let list = match self.pick(if entries.is_empty() { 5 } else { 3 }) {
            0 => Some(Value::Array(entries)),
            1 => Some(Value::String(Value::Array(entries).to_string())),
            2 => Some(Value::Object(
                entries
                    .into_iter()
                    .enumerate()
                    // Zero-padded: the map keeps its keys sorted, and the order must hold.
                    .map(|(i, v)| (format!("{:04}", i * 3), v))
                    .collect(),
            )),
            3 => Some(json!({})),
            _ => None,
        };
        self.put(&mut o, "CRM_BINDINGS", list);
        // Direction, state, mode.
        if self.chance(75) {
            let d = *self.one(&[
                Direction::Incoming,
                Direction::Outgoing,
                Direction::Callback,
                Direction::IncomingTransfer,
            ]);
            s.direction = d;
            let w = self.random_case(d.as_str());
            o.insert("CALL_DIRECTION".into(), Value::String(self.pad(&w)));
        } else {
            self.put(&mut o, "CALL_DIRECTION", None);
        }
        match self.pick(4) {
            0 | 1 => {
                let st = *self.one(&[CallState::Idle, CallState::Connecting, CallState::Connected]);
                s.state = st;
                let w = self.random_case(st.as_str());
                o.insert("CALL_STATE".into(), Value::String(self.pad(&w)));
            }
            2 => {
                s.state = CallState::Unknown;
                let v = self.state_garbage(strings);
                o.insert("CALL_STATE".into(), v);
            }
            _ => self.put(&mut o, "CALL_STATE", None),
        }
        if self.chance(60) {
            let b = self.chance(50);
            s.call_list_mode = b;
            o.insert("CALL_LIST_MODE".into(), self.spell_bool(b, strings));
        } else {
            self.put(&mut o, "CALL_LIST_MODE", None);
        }
        (s, Value::Object(o))
    }

    /// A `CALL_STATE` that is neither a known word nor "no value".
    fn state_garbage(&mut self, strings: bool) -> Value {
        let words = ["ringing", "onhold", "transferring", "CONNECTED!", "0", "3"];
        if strings || self.chance(50) {
            let w = if self.chance(50) {
                self.one(&words).to_string()
            } else {
                self.meaningful_text(&["idle", "connecting", "connected"])
            };
            return Value::String(w);
        }
        loop {
            let g = self.garbage(3);
            if !g.is_string() && !g.is_null() {
                return g;
            }
        }
    }
}

fn strategy_status(strings: bool) -> impl Strategy<Value = (CallStatus, Value)> {
    dice().prop_map(move |mut d| d.status(strings))
}

/// The fields of a status other than the bindings and the state.
fn rest_of(s: &CallStatus) -> impl PartialEq + std::fmt::Debug {
    (
        s.call_id.clone(),
        s.phone.clone(),
        s.line_number.clone(),
        s.line_name.clone(),
        s.entity,
        s.activity_id,
        s.direction,
        s.call_list_mode,
    )
}

#[test]
fn get_status_decodes_to_the_intended_meaning() {
    check(
        "get_status_intended",
        300,
        strategy_status(false),
        |(want, v)| {
            let got = decode_call_status(&v).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want);
            // … and re-encodes to the same meaning.
            prop_assert_eq!(decode_call_status(&got.to_status_json()), Ok(got));
            Ok(())
        },
    );
}

#[test]
fn placement_options_text_decodes_to_the_intended_meaning() {
    check(
        "placement_options_intended",
        200,
        strategy_status(true),
        |(want, v)| {
            let text = v.to_string();
            let got = decode_placement_options_text(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(got, want);
            Ok(())
        },
    );
}

/// Issue 9: whatever `CRM_BINDINGS` and `CALL_STATE` hold, the status stays readable and every
/// other field decodes as it would without them.
#[test]
fn no_bindings_or_state_garbage_makes_the_status_unreadable() {
    let s = (dice(), any::<bool>());
    check(
        "status_garbage_bindings_state",
        300,
        s,
        |(mut d, strings)| {
            let (want, mut v) = d.status(strings);
            let o = v.as_object_mut().unwrap();
            for key in ["CRM_BINDINGS", "CALL_STATE"] {
                if d.chance(80) {
                    let g = if d.chance(20) {
                        // JSON text of garbage, as the string-typed options would carry it.
                        Value::String(d.garbage(4).to_string())
                    } else {
                        d.garbage(4)
                    };
                    o.insert(key.into(), g);
                }
            }
            let got = decode_call_status(&v).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(rest_of(&got), rest_of(&want));
            if let Some(first) = want
                .other_items
                .first()
                .filter(|_| v.get("CRM_ENTITY_TYPE").is_some())
            {
                // An unknown primary item comes first among the other items.
                if want.entity.is_none()
                    && EntityKind::from_value(&v["CRM_ENTITY_TYPE"]).is_none()
                    && opt_u64(v.as_object().unwrap(), "CRM_ENTITY_ID") == Ok(Some(first.id))
                {
                    prop_assert_eq!(got.other_items.first(), Some(first));
                }
            }
            prop_assert_eq!(decode_call_status(&got.to_status_json()), Ok(got));
            Ok(())
        },
    );
}

/// Any object at all: no panic, it always decodes (issue 9: no payload the portal can send makes
/// the whole status unreadable), and what decodes re-encodes to itself.
#[test]
fn any_status_object_never_panics_and_round_trips() {
    check("status_any_object", 250, dice(), |mut d| {
        let mut o = Map::new();
        for _ in 0..d.pick(12) {
            let k = d.one(&KEYS[..11]).to_string();
            let v = d.garbage(3);
            o.insert(k, v);
        }
        let v = Value::Object(o);
        let s = decode_call_status(&v)
            .map_err(|e| TestCaseError::fail(format!("an object gave {e}")))?;
        prop_assert_eq!(decode_call_status(&s.to_status_json()), Ok(s));
        Ok(())
    });
}

/// Issue 9: any one field of a good status replaced by garbage costs that field only: every
/// other field decodes as it would without it.
#[test]
fn one_garbage_field_costs_that_field_only() {
    check("status_one_garbage_field", 300, dice(), |mut d| {
        let (want, mut v) = d.status(false);
        let key = *d.one(&KEYS[..11]);
        let g = d.garbage(3);
        v.as_object_mut().unwrap().insert(key.into(), g);
        let got = decode_call_status(&v).map_err(|e| TestCaseError::fail(format!("{key}: {e}")))?;
        let same =
            |k: &str| k != key && !(key.starts_with("CRM_ENTITY") && k.starts_with("CRM_ENTITY"));
        if same("CALL_ID") {
            prop_assert_eq!(&got.call_id, &want.call_id);
        }
        if same("PHONE_NUMBER") {
            prop_assert_eq!(&got.phone, &want.phone);
        }
        if same("LINE_NAME") && same("LINE_NUMBER") {
            prop_assert_eq!(got.line(), want.line());
        }
        if same("CRM_ENTITY_TYPE") {
            prop_assert_eq!(got.entity, want.entity);
        }
        if same("CRM_ACTIVITY_ID") {
            prop_assert_eq!(got.activity_id, want.activity_id);
        }
        if same("CRM_BINDINGS") {
            prop_assert_eq!(&got.bindings, &want.bindings);
        }
        if same("CALL_DIRECTION") {
            prop_assert_eq!(got.direction, want.direction);
        }
        if same("CALL_STATE") {
            prop_assert_eq!(got.state, want.state);
        }
        if same("CALL_LIST_MODE") {
            prop_assert_eq!(got.call_list_mode, want.call_list_mode);
        }
        prop_assert_eq!(decode_call_status(&got.to_status_json()), Ok(got));
        Ok(())
    });
}

/// Any text as `PLACEMENT_OPTIONS`: no panic, and the same answer as the value decoder.
#[test]
fn any_placement_text_never_panics() {
    check("placement_any_text", 300, dice(), |mut d| {
        let (_, v) = d.status(true);
        let full = v.to_string();
        let text = match d.pick(5) {
            0 => full
                .chars()
                .take(d.pick(full.chars().count() + 1))
                .collect(),
            1 => format!("{}{}", "[".repeat(d.pick(20000)), "]".repeat(d.pick(3))),
            2 => format!("{{\"CRM_BINDINGS\":\"{}\"}}", "[".repeat(d.pick(5000))),
            3 => d.garbage(4).to_string(),
            _ => d.any_string(),
        };
        let got = decode_placement_options_text(&text);
        if let Ok(parsed) = serde_json::from_str::<Value>(&text) {
            prop_assert_eq!(got, decode_call_status(&parsed));
        } else {
            prop_assert!(got.is_err());
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

#[test]
fn state_events_decode_every_word() {
    check("event_state_changed", 400, dice(), |mut d| {
        let word = match d.pick(3) {
            0 => {
                let w = *d.one(&["idle", "connecting", "connected"]);
                let w = d.random_case(w);
                d.pad(&w)
            }
            _ => d.any_string(),
        };
        let want_state = CallState::parse(&word).unwrap_or(CallState::Unknown);
        let code = d.chance(50).then(|| d.meaningful_text(&[]));
        let second = match &code {
            Some(c) => Some(json!({"failedCode": d.spell_text(c)})),
            None if d.chance(50) => Some(d.garbage(2)),
            None => None,
        };
        let want_code = match (&code, &second) {
            (Some(c), _) => Some(c.clone()),
            // Garbage may still hold a readable failedCode: read it the decoder's way.
            (None, Some(Value::Object(o))) => opt_text(o, "failedCode").ok().flatten(),
            _ => None,
        };
        let want = CallEvent::StateChanged {
            state: want_state,
            failed_code: want_code,
        };
        let plain = decode_state_changed(&Value::String(word.clone()), second.as_ref());
        prop_assert_eq!(plain.as_ref(), Ok(&want));
        // The wrapped form some bridges use.
        let mut wrapped = Map::new();
        wrapped.insert("callState".into(), Value::String(word));
        if let Some(s) = &second {
            wrapped.insert("additionalParams".into(), s.clone());
        }
        prop_assert_eq!(
            decode_state_changed(&Value::Object(wrapped), None),
            Ok(want)
        );
        // Anything at all: no panic; a non-word first argument is an error, never a state.
        let first = d.garbage(3);
        let r = decode_state_changed(&first, second.as_ref());
        let wordish = first.is_string()
            || first.as_object().is_some_and(|o| {
                o.get("callState")
                    .or_else(|| o.get("CALL_STATE"))
                    .is_some_and(Value::is_string)
            });
        prop_assert_eq!(r.is_ok(), wordish);
        Ok(())
    });
}

#[test]
fn entity_events_decode_to_the_intended_meaning() {
    check(
        "event_entity_changed",
        400,
        (dice(), any::<bool>()),
        |(mut d, strings)| {
            let (status, v) = d.status(strings);
            // The event carries the phone and the primary item only.
            let mut o = Map::new();
            for k in ["PHONE_NUMBER", "CRM_ENTITY_TYPE", "CRM_ENTITY_ID"] {
                if let Some(x) = v.get(k) {
                    o.insert(k.into(), x.clone());
                }
            }
            d.extra_keys(&mut o);
            let primary_other = status.other_items.first().cloned().filter(|_| {
                status.entity.is_none()
                    && v.get("CRM_ENTITY_TYPE")
                        .is_some_and(|t| EntityKind::from_value(t).is_none() && !t.is_null())
                    && opt_u64(v.as_object().unwrap(), "CRM_ENTITY_ID")
                        .ok()
                        .flatten()
                        .is_some_and(|id| id > 0)
            });
            let want = EntityChange {
                phone: status.phone.clone(),
                entity: status.entity,
                other: primary_other,
            };
            let got = decode_entity_changed(&Value::Object(o));
            prop_assert_eq!(&got, &Ok(CallEvent::EntityChanged(want.clone())));
            // Applied to any status: the new client, its bindings unknown until `getStatus`.
            let after = status.with_entity_change(&want);
            prop_assert_eq!(after.bindings, want.entity.into_iter().collect::<Vec<_>>());
            prop_assert_eq!(
                after.other_items,
                want.other.into_iter().collect::<Vec<_>>()
            );
            prop_assert_eq!(after.unreadable_bindings, 0);
            // Garbage: no panic.
            let _ = decode_entity_changed(&d.garbage(4));
            Ok(())
        },
    );
}
