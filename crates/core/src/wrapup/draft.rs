//! The draft kept as the operator types: its encoding in session storage, lenient decoding.

use serde_json::{Map, Value};

use super::MAX_NOTE;
use super::callback::Callback;
use super::results::clean_id;
use super::save::id_in;

/// What the operator typed for one call, kept as it is typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub call_id: String,
    pub note: String,
    pub result: Option<String>,
    pub callback: Callback,
    /// When the call took place (Unix seconds), for the comment's first line.
    pub call_at_secs: i64,
    /// Parts saved already (a partial failure keeps them from being sent again).
    pub saved_note: Option<u64>,
    pub saved_todo: Option<u64>,
    /// A save was sent and its outcome is unknown: read back before sending anything again.
    pub unsure: bool,
}

impl Draft {
    pub fn new(call_id: &str, call_at_secs: i64) -> Draft {
        Draft {
            call_id: call_id.to_string(),
            call_at_secs,
            ..Draft::default()
        }
    }

    /// Whether there is anything typed or chosen that is not saved yet.
    pub fn has_content(&self) -> bool {
        (self.saved_note.is_none() && (!self.note.trim().is_empty() || self.result.is_some()))
            || (self.saved_todo.is_none() && !self.callback.is_none())
    }
}

/// The draft as kept (JSON text).
pub fn encode_draft(d: &Draft) -> String {
    let mut m = Map::new();
    m.insert("v".into(), 1.into());
    m.insert("call".into(), d.call_id.clone().into());
    m.insert(
        "note".into(),
        d.note.chars().take(MAX_NOTE).collect::<String>().into(),
    );
    if let Some(r) = &d.result {
        m.insert("result".into(), r.clone().into());
    }
    m.insert("cb".into(), d.callback.code().into());
    if let Callback::At(at) = &d.callback {
        m.insert("cbAt".into(), at.clone().into());
    }
    m.insert("at".into(), d.call_at_secs.into());
    if let Some(n) = d.saved_note {
        m.insert("savedNote".into(), n.into());
    }
    if let Some(t) = d.saved_todo {
        m.insert("savedTodo".into(), t.into());
    }
    if d.unsure {
        m.insert("unsure".into(), true.into());
    }
    Value::Object(m).to_string()
}

/// A kept draft for `call_id`: lenient (unknown keys ignored, a wrong type is a default) but
/// never another call's draft, and nothing from unreadable text.
pub fn decode_draft(text: &str, call_id: &str) -> Option<Draft> {
    let v: Value = serde_json::from_str(text).ok()?;
    let m = v.as_object()?;
    let call = m.get("call").and_then(Value::as_str)?;
    if call != call_id || call.is_empty() {
        return None;
    }
    let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    let n = |k: &str| m.get(k).and_then(id_in);
    Some(Draft {
        call_id: call.to_string(),
        note: s("note").chars().take(MAX_NOTE).collect(),
        result: m
            .get("result")
            .and_then(Value::as_str)
            .map(clean_id)
            .filter(|r| !r.is_empty()),
        callback: Callback::from_code(s("cb"), s("cbAt")),
        call_at_secs: m.get("at").and_then(Value::as_i64).unwrap_or(0).max(0),
        saved_note: n("savedNote"),
        saved_todo: n("savedTodo"),
        unsure: m.get("unsure").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The session-storage name of a call's draft.
pub fn draft_name(call_id: &str) -> String {
    format!("wrapup.{call_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapup::fixtures::*;
    use crate::wrapup::*;

    #[test]
    fn drafts_round_trip_and_decode_leniently() {
        let mut d = Draft::new("externalCall.abc.1", NOW);
        assert!(!d.has_content());
        d.note = "Wants <b>prices</b>".into();
        d.result = Some("reached".into());
        d.callback = Callback::At("2026-12-03T10:30".into());
        d.saved_todo = Some(5);
        d.unsure = true;
        assert!(d.has_content());
        let text = encode_draft(&d);
        assert_eq!(decode_draft(&text, "externalCall.abc.1"), Some(d.clone()));
        assert_eq!(
            decode_draft(&text, "another.call"),
            None,
            "never another call's draft"
        );
        assert_eq!(decode_draft("{broken", "externalCall.abc.1"), None);
        assert_eq!(decode_draft("[1,2]", "x"), None);
        assert_eq!(decode_draft(r#"{"note":"x"}"#, ""), None);
        // Wrong types become defaults; unknown keys are ignored; junk result ids are cleaned.
        let odd = decode_draft(r#"{"call":"c","note":5,"result":"<x>","cb":"weekly","at":"soon","savedNote":"17","unsure":"yes","extra":1}"#, "c").unwrap();
        assert_eq!(
            odd,
            Draft {
                call_id: "c".into(),
                note: String::new(),
                result: Some("x".into()),
                callback: Callback::None,
                call_at_secs: 0,
                saved_note: Some(17),
                saved_todo: None,
                unsure: false
            }
        );
        // A note longer than the panel takes is cut, not refused.
        let mut big = Draft::new("c", 1);
        big.note = "я".repeat(MAX_NOTE + 50);
        assert_eq!(
            decode_draft(&encode_draft(&big), "c")
                .unwrap()
                .note
                .chars()
                .count(),
            MAX_NOTE
        );
        // Saved parts are not content any more.
        let mut saved = Draft::new("c", 1);
        saved.note = "x".into();
        saved.saved_note = Some(3);
        assert!(!saved.has_content());
        saved.callback = Callback::InHour;
        assert!(saved.has_content());
        for cb in [
            Callback::None,
            Callback::InHour,
            Callback::TomorrowMorning,
            Callback::InThreeDays,
            Callback::At("2026-12-03T10:30".into()),
        ] {
            let at = if let Callback::At(a) = &cb {
                a.clone()
            } else {
                String::new()
            };
            assert_eq!(Callback::from_code(cb.code(), &at), cb);
        }
        assert_eq!(draft_name("c1"), "wrapup.c1");
    }
}
