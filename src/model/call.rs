//! The live call: what `getStatus`, `PLACEMENT_OPTIONS` and the `CallCard::*` events say,
//! normalised into one typed [`CallStatus`].

use serde_json::Value;

use super::entity::{EntityKind, EntityRef};
use super::value::{DecodeError, as_object, opt_array, opt_bool, opt_text, opt_u64};

/// The call's state as the card reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallState {
    /// Not started yet, or over.
    #[default]
    Idle,
    /// Ringing / dialling.
    Connecting,
    /// Talking.
    Connected,
}

impl CallState {
    /// Parses the card's state word; anything else is `None`.
    pub fn parse(s: &str) -> Option<CallState> {
        match s.trim().to_ascii_lowercase().as_str() {
            "idle" => Some(CallState::Idle),
            "connecting" => Some(CallState::Connecting),
            "connected" => Some(CallState::Connected),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::Connecting => "connecting",
            CallState::Connected => "connected",
        }
    }
}

/// Who called whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    Incoming,
    #[default]
    Outgoing,
    /// The portal calls the client back (e.g. from a web form).
    Callback,
    /// An incoming call transferred from a colleague (older portals).
    IncomingTransfer,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "incoming" => Some(Direction::Incoming),
            "outgoing" => Some(Direction::Outgoing),
            "callback" => Some(Direction::Callback),
            "incomingtransfer" => Some(Direction::IncomingTransfer),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
            Direction::Callback => "callback",
            Direction::IncomingTransfer => "incomingTransfer",
        }
    }
    pub fn is_incoming(self) -> bool {
        matches!(self, Direction::Incoming | Direction::IncomingTransfer)
    }
}

/// The client's number as far as the card knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PhoneNumber {
    Known(String),
    /// The caller hid the number.
    Hidden,
    /// The portal does not know it (the key is absent, or `"unknown"` in events).
    #[default]
    Unknown,
}

impl PhoneNumber {
    fn from_text(t: Option<String>) -> PhoneNumber {
        match t {
            None => PhoneNumber::Unknown,
            Some(s) if s.eq_ignore_ascii_case("hidden") => PhoneNumber::Hidden,
            Some(s) if s.eq_ignore_ascii_case("unknown") => PhoneNumber::Unknown,
            Some(s) => PhoneNumber::Known(s),
        }
    }
}

/// Everything the card knows about the current call, from either source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallStatus {
    pub call_id: Option<String>,
    pub phone: PhoneNumber,
    pub line_number: Option<String>,
    pub line_name: Option<String>,
    /// The primary CRM item the card shows (`None` when the number is not in the CRM).
    pub entity: Option<EntityRef>,
    pub activity_id: Option<u64>,
    /// Every item the call is bound to (may include the primary one).
    pub bindings: Vec<EntityRef>,
    pub direction: Direction,
    pub state: CallState,
    pub call_list_mode: bool,
}

impl CallStatus {
    /// The line to show: its name, or its number when the name is empty.
    pub fn line(&self) -> Option<&str> {
        self.line_name.as_deref().or(self.line_number.as_deref())
    }

    /// Bindings other than the primary entity, in the portal's order, without repeats.
    pub fn other_bindings(&self) -> Vec<EntityRef> {
        let mut out: Vec<EntityRef> = Vec::new();
        for b in &self.bindings {
            if Some(*b) != self.entity && !out.contains(b) {
                out.push(*b);
            }
        }
        out
    }

    /// Applies `CallCard::EntityChanged`: a new client; bindings are unknown until `getStatus`.
    pub fn with_entity_change(&self, change: &EntityChange) -> CallStatus {
        let mut next = self.clone();
        next.entity = change.entity;
        next.phone = change.phone.clone();
        next.bindings = change.entity.into_iter().collect();
        next
    }
}

fn entity_of(
    kind: Option<String>,
    id: Option<u64>,
    field: &str,
) -> Result<Option<EntityRef>, DecodeError> {
    match (kind, id) {
        (_, None) | (_, Some(0)) | (None, _) => Ok(None),
        (Some(k), Some(id)) => match EntityKind::from_name(&k) {
            Some(kind) => Ok(Some(EntityRef::new(kind, id))),
            None => Err(DecodeError::Field {
                field: field.to_string(),
                expected: "CRM entity type",
                got: super::value::quoted(&k),
            }),
        },
    }
}

/// The primary CRM item named by `CRM_ENTITY_TYPE` + `CRM_ENTITY_ID` (status, options, events).
fn primary_entity(o: &serde_json::Map<String, Value>) -> Result<Option<EntityRef>, DecodeError> {
    entity_of(
        opt_text(o, "CRM_ENTITY_TYPE")?,
        opt_u64(o, "CRM_ENTITY_ID")?,
        "CRM_ENTITY_TYPE",
    )
}

/// Decodes `getStatus`'s answer or the `PLACEMENT_OPTIONS` object (strings everywhere).
/// Missing keys take defaults; wrong types are errors.
pub fn decode_call_status(v: &Value) -> Result<CallStatus, DecodeError> {
    let o = as_object(v)?;
    let entity = primary_entity(o)?;
    let mut bindings = Vec::new();
    // `CRM_BINDINGS` arrives as an array, or as a JSON string inside the string-typed options.
    let parsed;
    let raw_bindings = match o.get("CRM_BINDINGS") {
        Some(Value::String(s)) if s.trim_start().starts_with('[') => {
            parsed = serde_json::from_str::<Value>(s).map_err(|_| DecodeError::Field {
                field: "CRM_BINDINGS".into(),
                expected: "array",
                got: "malformed JSON text".into(),
            })?;
            parsed.as_array().map(|a| a.as_slice()).unwrap_or(&[])
        }
        _ => opt_array(o, "CRM_BINDINGS")?,
    };
    for b in raw_bindings {
        let bo = as_object(b).map_err(|_| DecodeError::Field {
            field: "CRM_BINDINGS[]".into(),
            expected: "object",
            got: super::value::kind_of(b).into(),
        })?;
        if let Some(e) = entity_of(
            opt_text(bo, "ENTITY_TYPE")?,
            opt_u64(bo, "ENTITY_ID")?,
            "CRM_BINDINGS[].ENTITY_TYPE",
        )? && !bindings.contains(&e)
        {
            bindings.push(e);
        }
    }
    let direction = match opt_text(o, "CALL_DIRECTION")? {
        None => Direction::default(),
        Some(d) => Direction::parse(&d).ok_or_else(|| DecodeError::Field {
            field: "CALL_DIRECTION".into(),
            expected: "incoming|outgoing|callback",
            got: super::value::quoted(&d),
        })?,
    };
    let state = match opt_text(o, "CALL_STATE")? {
        None => CallState::default(),
        Some(s) => CallState::parse(&s).ok_or_else(|| DecodeError::Field {
            field: "CALL_STATE".into(),
            expected: "idle|connecting|connected",
            got: super::value::quoted(&s),
        })?,
    };
    Ok(CallStatus {
        call_id: opt_text(o, "CALL_ID")?,
        phone: PhoneNumber::from_text(opt_text(o, "PHONE_NUMBER")?),
        line_number: opt_text(o, "LINE_NUMBER")?,
        line_name: opt_text(o, "LINE_NAME")?,
        entity,
        activity_id: opt_u64(o, "CRM_ACTIVITY_ID")?.filter(|id| *id > 0),
        bindings,
        direction,
        state,
        call_list_mode: opt_bool(o, "CALL_LIST_MODE")?.unwrap_or(false),
    })
}

/// Decodes `PLACEMENT_OPTIONS` when it still is the JSON *text* the handler was POSTed.
pub fn decode_placement_options_text(text: &str) -> Result<CallStatus, DecodeError> {
    let v: Value = serde_json::from_str(text).map_err(|_| DecodeError::Shape {
        expected: "JSON object text",
        got: "malformed text",
    })?;
    decode_call_status(&v)
}

/// What `CallCard::EntityChanged` carries.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityChange {
    pub phone: PhoneNumber,
    pub entity: Option<EntityRef>,
}

/// A `CallCard::*` event, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum CallEvent {
    /// The state changed. `failed_code` is the SIP code of an unsuccessful end, when the bridge
    /// passes the second argument at all (it usually does not).
    StateChanged {
        state: CallState,
        failed_code: Option<String>,
    },
    EntityChanged(EntityChange),
    BeforeClose,
}

/// Decodes `CallCard::CallStateChanged`'s arguments: a state word, maybe an object with `failedCode`.
pub fn decode_state_changed(
    first: &Value,
    second: Option<&Value>,
) -> Result<CallEvent, DecodeError> {
    let word = match first {
        Value::String(s) => s.as_str(),
        // Some bridges wrap the arguments: {"callState": "...", "additionalParams": {...}}
        Value::Object(o) => {
            if let Some(Value::String(s)) = o.get("callState").or_else(|| o.get("CALL_STATE")) {
                let extra = o.get("additionalParams");
                return decode_state_changed(&Value::String(s.clone()), extra.or(second));
            }
            return Err(DecodeError::Shape {
                expected: "state word",
                got: "object",
            });
        }
        other => {
            return Err(DecodeError::Shape {
                expected: "state word",
                got: super::value::kind_of(other),
            });
        }
    };
    let state = CallState::parse(word).ok_or_else(|| DecodeError::Field {
        field: "callState".into(),
        expected: "idle|connecting|connected",
        got: super::value::quoted(word),
    })?;
    let failed_code = match second.and_then(|v| v.as_object()) {
        Some(o) => opt_text(o, "failedCode")?,
        None => None,
    };
    Ok(CallEvent::StateChanged { state, failed_code })
}

/// Decodes `CallCard::EntityChanged`'s object.
pub fn decode_entity_changed(v: &Value) -> Result<CallEvent, DecodeError> {
    let o = as_object(v)?;
    let entity = primary_entity(o)?;
    Ok(CallEvent::EntityChanged(EntityChange {
        phone: PhoneNumber::from_text(opt_text(o, "PHONE_NUMBER")?),
        entity,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The documented `getStatus` sample (seed 004): ints, bools, an empty activity id.
    #[test]
    fn documented_get_status_sample() {
        let v = json!({"CALL_ID":"E45D40253D1C2D2F.1774588815.822533","PHONE_NUMBER":"+19999999666","LINE_NUMBER":"reg151083","LINE_NAME":"",
            "CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":797,"CRM_ACTIVITY_ID":"",
            "CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":4615},{"ENTITY_TYPE":"COMPANY","ENTITY_ID":643}],
            "CALL_DIRECTION":"outgoing","CALL_STATE":"idle","CALL_LIST_MODE":false});
        let s = decode_call_status(&v).unwrap();
        assert_eq!(
            s.call_id.as_deref(),
            Some("E45D40253D1C2D2F.1774588815.822533")
        );
        assert_eq!(s.phone, PhoneNumber::Known("+19999999666".into()));
        assert_eq!(s.line(), Some("reg151083"));
        assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Contact, 797)));
        assert_eq!(s.activity_id, None);
        assert_eq!(
            s.bindings,
            vec![
                EntityRef::new(EntityKind::Deal, 4615),
                EntityRef::new(EntityKind::Company, 643)
            ]
        );
        assert_eq!(s.direction, Direction::Outgoing);
        assert_eq!(s.state, CallState::Idle);
        assert!(!s.call_list_mode);
    }

    /// The reference §2.3 variant with an integer activity id.
    #[test]
    fn reference_get_status_sample_with_activity() {
        let v = json!({"CALL_ID":"E45D40253D1C2D2F.1774588815.822533","PHONE_NUMBER":"+19999999666","LINE_NUMBER":"reg151083","LINE_NAME":"",
            "CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":797,"CRM_ACTIVITY_ID":12043,
            "CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":4615},{"ENTITY_TYPE":"COMPANY","ENTITY_ID":643}],
            "CALL_DIRECTION":"outgoing","CALL_STATE":"idle","CALL_LIST_MODE":false});
        assert_eq!(decode_call_status(&v).unwrap().activity_id, Some(12043));
    }

    /// The documented `PLACEMENT_OPTIONS` sample: every value a string, `"undefined"` for none.
    #[test]
    fn documented_placement_options_sample() {
        let text = r#"{"CALL_ID":"externalCall.c3ee1723556778","PHONE_NUMBER":"+4930123456","LINE_NUMBER":"+49 30 000-00-00","LINE_NAME":"+49 30 000-00-00","CRM_ENTITY_TYPE":"COMPANY","CRM_ENTITY_ID":"17","CRM_ACTIVITY_ID":"undefined","CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":"25"},{"ENTITY_TYPE":"COMPANY","ENTITY_ID":"17"}],"CALL_DIRECTION":"incoming","CALL_STATE":"connected","CALL_LIST_MODE":"false","URI":"/crm/company/details/17/"}"#;
        let s = decode_placement_options_text(text).unwrap();
        assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Company, 17)));
        assert_eq!(s.activity_id, None);
        assert_eq!(s.direction, Direction::Incoming);
        assert_eq!(s.state, CallState::Connected);
        assert!(!s.call_list_mode);
        assert_eq!(
            s.other_bindings(),
            vec![EntityRef::new(EntityKind::Deal, 25)]
        );
    }

    #[test]
    fn missing_keys_take_defaults() {
        let s = decode_call_status(&json!({})).unwrap();
        assert_eq!(s, CallStatus::default());
        assert_eq!(s.phone, PhoneNumber::Unknown);
        let s = decode_call_status(&json!({"CALL_LIST_MODE": "true", "PHONE_NUMBER": "hidden"}))
            .unwrap();
        assert!(s.call_list_mode);
        assert_eq!(s.phone, PhoneNumber::Hidden);
    }

    #[test]
    fn none_spellings_are_none() {
        for none in [
            json!(""),
            json!("undefined"),
            json!(null),
            json!("0"),
            json!(0),
        ] {
            let s =
                decode_call_status(&json!({"CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": none}))
                    .unwrap();
            assert_eq!(s.entity, None);
        }
        let s = decode_call_status(
            &json!({"CRM_ENTITY_TYPE": "", "CRM_ENTITY_ID": "0", "CRM_BINDINGS": "undefined"}),
        )
        .unwrap();
        assert_eq!(s.entity, None);
        assert!(s.bindings.is_empty());
    }

    #[test]
    fn bindings_as_json_text_inside_string_options() {
        let s = decode_call_status(
            &json!({"CRM_BINDINGS": "[{\"ENTITY_TYPE\":\"DEAL\",\"ENTITY_ID\":\"5\"}]"}),
        )
        .unwrap();
        assert_eq!(s.bindings, vec![EntityRef::new(EntityKind::Deal, 5)]);
    }

    #[test]
    fn wrong_types_are_error_values() {
        let bad = [
            json!("a string"),
            json!([1, 2]),
            json!(null),
            json!({"CRM_ENTITY_ID": {"x": 1}}),
            json!({"CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "abc"}),
            json!({"CRM_ENTITY_TYPE": "SPACESHIP", "CRM_ENTITY_ID": 5}),
            json!({"CALL_STATE": "ringing"}),
            json!({"CALL_STATE": 3}),
            json!({"CALL_DIRECTION": "sideways"}),
            json!({"CALL_LIST_MODE": "maybe"}),
            json!({"CRM_BINDINGS": [1, 2]}),
            json!({"CRM_BINDINGS": {"a": 1}}),
            json!({"CRM_BINDINGS": "[not json"}),
        ];
        for v in bad {
            assert!(decode_call_status(&v).is_err(), "{v}");
        }
    }

    #[test]
    fn state_event_with_and_without_second_argument() {
        assert_eq!(
            decode_state_changed(&json!("connected"), None).unwrap(),
            CallEvent::StateChanged {
                state: CallState::Connected,
                failed_code: None
            }
        );
        assert_eq!(
            decode_state_changed(&json!("idle"), Some(&json!({"failedCode": "486"}))).unwrap(),
            CallEvent::StateChanged {
                state: CallState::Idle,
                failed_code: Some("486".into())
            }
        );
        assert_eq!(
            decode_state_changed(&json!("idle"), Some(&json!({"failedCode": 480}))).unwrap(),
            CallEvent::StateChanged {
                state: CallState::Idle,
                failed_code: Some("480".into())
            }
        );
        assert!(decode_state_changed(&json!(5), None).is_err());
        assert!(decode_state_changed(&json!("exploded"), None).is_err());
    }

    #[test]
    fn entity_changed_event() {
        let e = decode_entity_changed(
            &json!({"PHONE_NUMBER":"unknown","CRM_ENTITY_TYPE":"LEAD","CRM_ENTITY_ID":42}),
        )
        .unwrap();
        assert_eq!(
            e,
            CallEvent::EntityChanged(EntityChange {
                phone: PhoneNumber::Unknown,
                entity: Some(EntityRef::new(EntityKind::Lead, 42))
            })
        );
        assert!(decode_entity_changed(&json!("x")).is_err());
    }

    #[test]
    fn entity_change_resets_bindings_until_get_status() {
        let s = decode_call_status(&json!({"CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":1,
            "CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":2}]}))
        .unwrap();
        let change = EntityChange {
            phone: PhoneNumber::Known("+7".into()),
            entity: Some(EntityRef::new(EntityKind::Company, 9)),
        };
        let n = s.with_entity_change(&change);
        assert_eq!(n.entity, change.entity);
        assert_eq!(n.bindings, vec![EntityRef::new(EntityKind::Company, 9)]);
    }
}
