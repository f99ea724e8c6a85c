//! The live call: what `getStatus`, `PLACEMENT_OPTIONS` and the `CallCard::*` events say,
//! normalised into one typed [`CallStatus`].

use serde_json::Value;

use crate::model::entity::{EntityKind, EntityRef};
use crate::model::value::{
    DecodeError, as_object, is_none_like, kind_of, opt_bool, opt_text, opt_u64, value_u64,
};

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
    /// A state word the card does not know (a newer portal's, or garbage): shown neutrally,
    /// never as an error.
    Unknown,
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
    /// The state a `CALL_STATE` value means: none-like is idle, a word the card does not know
    /// (or a value that is no word at all) is [`CallState::Unknown`].
    pub fn from_value(v: &Value) -> CallState {
        if is_none_like(v) {
            return CallState::Idle;
        }
        match v {
            Value::String(s) => CallState::parse(s).unwrap_or(CallState::Unknown),
            _ => CallState::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::Connecting => "connecting",
            CallState::Connected => "connected",
            CallState::Unknown => "unknown",
        }
    }
}

/// Who called whom: the live call's direction, and the history's (activities and statistics
/// number it differently; [`Direction::from_activity`], [`Direction::from_call_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    Incoming,
    #[default]
    Outgoing,
    /// The portal calls the client back (e.g. from a web form).
    Callback,
    /// An incoming call transferred from a colleague (older portals).
    IncomingTransfer,
    /// A direction word the card does not know: shown neutrally ("Call").
    Unknown,
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
            Direction::Unknown => "unknown",
        }
    }
    pub fn is_incoming(self) -> bool {
        matches!(self, Direction::Incoming | Direction::IncomingTransfer)
    }

    /// The history's activity `DIRECTION`: 1 incoming, 2 outgoing (only those two, or
    /// [`Direction::Unknown`]).
    pub fn from_activity(code: Option<u64>) -> Direction {
        match code {
            Some(1) => Direction::Incoming,
            Some(2) => Direction::Outgoing,
            _ => Direction::Unknown,
        }
    }

    /// The statistics' `CALL_TYPE`, numbered the other way round: 1 outgoing, 2 incoming, 3 incoming redirected, 4 callback (an
    /// outgoing call the portal places). Only [`Direction::Incoming`], [`Direction::Outgoing`]
    /// or [`Direction::Unknown`], as the history shows them.
    pub fn from_call_type(code: Option<u64>) -> Direction {
        match code {
            Some(1 | 4) => Direction::Outgoing,
            Some(2 | 3) => Direction::Incoming,
            _ => Direction::Unknown,
        }
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

/// A CRM item of a type the card does not know (an order, a type a newer portal added): kept with
/// the type name the portal sent and its id, shown as such, never read through `crm.item.*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherItem {
    /// The portal's type name, trimmed and upper-cased (`ORDER`), at most 40 characters.
    pub type_name: String,
    pub id: u64,
}

impl OtherItem {
    /// The longest type name kept (a longer one is cut: it is shown, and it is portal text).
    pub const MAX_TYPE_NAME: usize = 40;

    pub fn new(type_name: &str, id: u64) -> OtherItem {
        OtherItem {
            type_name: type_name
                .trim()
                .chars()
                .take(Self::MAX_TYPE_NAME)
                .collect::<String>()
                .to_ascii_uppercase(),
            id,
        }
    }
    /// The same kind of key as [`EntityRef::key`] (`ORDER:12`).
    pub fn key(&self) -> String {
        format!("{}:{}", self.type_name, self.id)
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
    /// Bound items (or a primary item) of types the card does not know, in the portal's order.
    pub other_items: Vec<OtherItem>,
    /// `CRM_BINDINGS` entries that could not be read at all (skipped; the view says so).
    pub unreadable_bindings: usize,
    /// Fields whose value could not be read (a wrong type): taken as absent, named for the log.
    pub unreadable_fields: Vec<&'static str>,
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
        next.other_items = change.other.iter().cloned().collect();
        next.unreadable_bindings = 0;
        next
    }

    /// The status as `getStatus` would send it (real types, absent keys for `None`): what
    /// [`decode_call_status`] reads back to the same value.
    pub fn to_status_json(&self) -> Value {
        let mut o = serde_json::Map::new();
        let mut put = |k: &str, v: Value| {
            o.insert(k.to_string(), v);
        };
        if let Some(id) = &self.call_id {
            put("CALL_ID", Value::String(id.clone()));
        }
        match &self.phone {
            PhoneNumber::Known(n) => put("PHONE_NUMBER", Value::String(n.clone())),
            PhoneNumber::Hidden => put("PHONE_NUMBER", Value::String("hidden".into())),
            PhoneNumber::Unknown => {}
        }
        if let Some(n) = &self.line_number {
            put("LINE_NUMBER", Value::String(n.clone()));
        }
        if let Some(n) = &self.line_name {
            put("LINE_NAME", Value::String(n.clone()));
        }
        // An unknown primary item travels with the other items (the decoder puts it there).
        if let Some(e) = self.entity {
            put("CRM_ENTITY_TYPE", Value::String(e.kind.name()));
            put("CRM_ENTITY_ID", Value::from(e.id));
        }
        if let Some(a) = self.activity_id {
            put("CRM_ACTIVITY_ID", Value::from(a));
        }
        let mut list: Vec<Value> = self
            .bindings
            .iter()
            .map(|b| serde_json::json!({"ENTITY_TYPE": b.kind.name(), "ENTITY_ID": b.id}))
            .collect();
        list.extend(
            self.other_items
                .iter()
                .map(|b| serde_json::json!({"ENTITY_TYPE": b.type_name, "ENTITY_ID": b.id})),
        );
        list.extend((0..self.unreadable_bindings).map(|_| Value::Null));
        put("CRM_BINDINGS", Value::Array(list));
        put(
            "CALL_DIRECTION",
            Value::String(self.direction.as_str().into()),
        );
        put("CALL_STATE", Value::String(self.state.as_str().into()));
        put("CALL_LIST_MODE", Value::Bool(self.call_list_mode));
        // A field that did not read travels as a value that does not read either.
        for key in &self.unreadable_fields {
            put(key, serde_json::json!({"unreadable": true}));
        }
        Value::Object(o)
    }
}

/// What one `TYPE` + `ID` pair names: nothing, a known item, or an item of a type the card
/// does not know.
#[derive(Debug, Clone, PartialEq)]
enum Named {
    Nothing,
    Known(EntityRef),
    Other(OtherItem),
}

/// A type field (`CRM_ENTITY_TYPE`, `ENTITY_TYPE`): a known type by name or number (`3`, `3.0`,
/// `"CONTACT"`), else the text as the portal sent it; `Ok(None)` for no value.
fn type_of(o: &serde_json::Map<String, Value>, key: &str) -> Result<Option<TypeName>, DecodeError> {
    if let Some(kind) = o.get(key).and_then(EntityKind::from_value) {
        return Ok(Some(TypeName::Known(kind)));
    }
    Ok(match o.get(key) {
        // A whole number no type answers to: its integer spelling (`14`, not `14.0`).
        Some(v @ Value::Number(_)) => Some(TypeName::Other(match value_u64(v) {
            Ok(Some(n)) => n.to_string(),
            _ => opt_text(o, key)?.unwrap_or_default(),
        })),
        _ => opt_text(o, key)?.map(TypeName::Other),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum TypeName {
    Known(EntityKind),
    Other(String),
}

fn entity_of(kind: Option<TypeName>, id: Option<u64>) -> Named {
    match (kind, id) {
        (_, None) | (_, Some(0)) | (None, _) => Named::Nothing,
        (Some(TypeName::Known(kind)), Some(id)) => Named::Known(EntityRef::new(kind, id)),
        (Some(TypeName::Other(name)), Some(id)) => Named::Other(OtherItem::new(&name, id)),
    }
}

/// The primary CRM item named by `CRM_ENTITY_TYPE` + `CRM_ENTITY_ID` (status, options, events).
fn primary_entity(o: &serde_json::Map<String, Value>) -> Result<Named, DecodeError> {
    Ok(entity_of(
        type_of(o, "CRM_ENTITY_TYPE")?,
        opt_u64(o, "CRM_ENTITY_ID")?,
    ))
}

/// The entries of a `CRM_BINDINGS` value, whatever its spelling: an array; PHP's empty map `{}`;
/// a map of entries (PHP's array with gaps in its keys); one entry on its own; or all of these
/// as JSON text (the string-typed options). `Err(())`: the value is no list at all.
fn binding_entries(v: Option<&Value>) -> Result<Vec<Value>, ()> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if is_none_like(v) {
        return Ok(Vec::new());
    }
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::Object(m) if m.contains_key("ENTITY_TYPE") || m.contains_key("ENTITY_ID") => {
            Ok(vec![v.clone()])
        }
        Value::Object(m) => Ok(m.values().cloned().collect()),
        Value::String(s) => {
            let t = s.trim_start();
            if !(t.starts_with('[') || t.starts_with('{')) {
                return Err(());
            }
            let parsed = serde_json::from_str::<Value>(s).map_err(|_| ())?;
            if matches!(parsed, Value::String(_)) {
                return Err(());
            }
            binding_entries(Some(&parsed))
        }
        _ => Err(()),
    }
}

/// One `CRM_BINDINGS` entry; `None` when it cannot be read (not an object, a type or an id of
/// the wrong kind, an id without a type).
fn binding_entry(b: &Value) -> Option<Named> {
    let bo = b.as_object()?;
    let kind = type_of(bo, "ENTITY_TYPE").ok()?;
    let id = opt_u64(bo, "ENTITY_ID").ok()?;
    match (&kind, id) {
        (None, Some(id)) if id > 0 => None,
        _ => Some(entity_of(kind, id)),
    }
}

/// Decodes `getStatus`'s answer or the `PLACEMENT_OPTIONS` object (strings everywhere).
/// Missing keys take defaults; wrong types are errors — except the parts a portal may fill with
/// things the card does not know: a binding of an unknown type is kept as an [`OtherItem`], a
/// binding entry that cannot be read is skipped and counted, and an unknown `CALL_STATE` is
/// [`CallState::Unknown`]. Whatever `CRM_BINDINGS` and `CALL_STATE` hold, the rest decodes.
pub fn decode_call_status(v: &Value) -> Result<CallStatus, DecodeError> {
    let o = as_object(v)?;
    // Every field on its own: one that does not read is taken as absent and named, and the rest
    // of the status still decodes (a status is never lost for one odd field).
    let mut unreadable_fields: Vec<&'static str> = Vec::new();
    let mut field = |key: &'static str, ok: bool| {
        if !ok && !unreadable_fields.contains(&key) {
            unreadable_fields.push(key);
        }
    };
    let mut entity = None;
    let mut bindings = Vec::new();
    let mut other_items: Vec<OtherItem> = Vec::new();
    let kind = type_of(o, "CRM_ENTITY_TYPE");
    field("CRM_ENTITY_TYPE", kind.is_ok());
    let id = opt_u64(o, "CRM_ENTITY_ID");
    field("CRM_ENTITY_ID", id.is_ok());
    match entity_of(kind.unwrap_or(None), id.unwrap_or(None)) {
        Named::Nothing => {}
        Named::Known(e) => entity = Some(e),
        Named::Other(item) => other_items.push(item),
    }
    let mut unreadable_bindings = 0;
    match binding_entries(o.get("CRM_BINDINGS")) {
        Err(()) => unreadable_bindings += 1,
        Ok(entries) => {
            for b in &entries {
                match binding_entry(b) {
                    None => unreadable_bindings += 1,
                    Some(Named::Nothing) => {}
                    Some(Named::Known(e)) => {
                        if !bindings.contains(&e) {
                            bindings.push(e);
                        }
                    }
                    Some(Named::Other(item)) => {
                        if !other_items.contains(&item) {
                            other_items.push(item);
                        }
                    }
                }
            }
        }
    }
    let direction = match opt_text(o, "CALL_DIRECTION") {
        Ok(None) => Direction::default(),
        Ok(Some(d)) => Direction::parse(&d).unwrap_or(Direction::Unknown),
        Err(_) => {
            field("CALL_DIRECTION", false);
            Direction::Unknown
        }
    };
    let state = o
        .get("CALL_STATE")
        .map(CallState::from_value)
        .unwrap_or_default();
    let mut text = |key: &'static str| {
        let t = opt_text(o, key);
        field(key, t.is_ok());
        t.unwrap_or(None)
    };
    let call_id = text("CALL_ID");
    let phone = PhoneNumber::from_text(text("PHONE_NUMBER"));
    let line_number = text("LINE_NUMBER");
    let line_name = text("LINE_NAME");
    let activity_id = opt_u64(o, "CRM_ACTIVITY_ID");
    field("CRM_ACTIVITY_ID", activity_id.is_ok());
    let call_list_mode = opt_bool(o, "CALL_LIST_MODE");
    field("CALL_LIST_MODE", call_list_mode.is_ok());
    Ok(CallStatus {
        call_id,
        phone,
        line_number,
        line_name,
        entity,
        activity_id: activity_id.unwrap_or(None).filter(|id| *id > 0),
        bindings,
        other_items,
        unreadable_bindings,
        unreadable_fields,
        direction,
        state,
        call_list_mode: call_list_mode.unwrap_or(None).unwrap_or(false),
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
    /// The new primary item when its type is one the card does not know.
    pub other: Option<OtherItem>,
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
/// A word the card does not know is [`CallState::Unknown`]; a first argument that is no word
/// (nor the wrapped form) is an error (the event is ignored). A second argument that cannot be
/// read loses only the failure code.
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
                got: kind_of(other),
            });
        }
    };
    let state = CallState::parse(word).unwrap_or(CallState::Unknown);
    let failed_code = second
        .and_then(|v| v.as_object())
        .and_then(|o| opt_text(o, "failedCode").ok().flatten());
    Ok(CallEvent::StateChanged { state, failed_code })
}

/// Decodes `CallCard::EntityChanged`'s object.
pub fn decode_entity_changed(v: &Value) -> Result<CallEvent, DecodeError> {
    let o = as_object(v)?;
    let (entity, other) = match primary_entity(o)? {
        Named::Nothing => (None, None),
        Named::Known(e) => (Some(e), None),
        Named::Other(item) => (None, Some(item)),
    };
    Ok(CallEvent::EntityChanged(EntityChange {
        phone: PhoneNumber::from_text(opt_text(o, "PHONE_NUMBER")?),
        entity,
        other,
    }))
}

#[cfg(test)]
mod tests {
    /// Issue 9: one field of a type the card never saw, or a direction word it does not know,
    /// costs that field only; the rest of the status is on screen.
    #[test]
    fn an_odd_field_or_direction_leaves_the_rest_of_the_status() {
        let v = serde_json::json!({
            "CALL_ID": {"id": 1}, "PHONE_NUMBER": "+4930123456", "LINE_NAME": ["x"],
            "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": 797, "CRM_ACTIVITY_ID": {"a": 1},
            "CRM_BINDINGS": [{"ENTITY_TYPE": "DEAL", "ENTITY_ID": 4615}],
            "CALL_DIRECTION": "sideways", "CALL_STATE": "connected", "CALL_LIST_MODE": {"no": 1}
        });
        let s = decode_call_status(&v).expect("readable");
        assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Contact, 797)));
        assert_eq!(s.bindings, vec![EntityRef::new(EntityKind::Deal, 4615)]);
        assert_eq!(s.phone, PhoneNumber::Known("+4930123456".into()));
        assert_eq!(s.direction, Direction::Unknown);
        assert_eq!(s.state, CallState::Connected);
        assert_eq!(s.call_id, None);
        assert_eq!(s.activity_id, None);
        assert!(!s.call_list_mode);
        assert_eq!(
            s.unreadable_fields,
            vec!["CALL_ID", "LINE_NAME", "CRM_ACTIVITY_ID", "CALL_LIST_MODE"]
        );
        assert_eq!(decode_call_status(&s.to_status_json()), Ok(s));
        let d = decode_call_status(&serde_json::json!({"CALL_DIRECTION": {"x": 7}})).unwrap();
        assert_eq!(d.direction, Direction::Unknown);
        assert_eq!(d.unreadable_fields, vec!["CALL_DIRECTION"]);
    }

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

    /// The `CallCard::EntityChanged` variant whose activity id is an integer (not a string).
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
    fn wrong_types_cost_their_field_and_a_non_object_is_an_error() {
        for v in [json!("a string"), json!([1, 2]), json!(null)] {
            assert!(decode_call_status(&v).is_err(), "{v}");
        }
        for (v, field) in [
            (json!({"CRM_ENTITY_ID": {"x": 1}}), "CRM_ENTITY_ID"),
            (
                json!({"CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "abc"}),
                "CRM_ENTITY_ID",
            ),
            (json!({"CALL_LIST_MODE": "maybe"}), "CALL_LIST_MODE"),
            (json!({"CALL_ID": {"x": 1}}), "CALL_ID"),
        ] {
            let s = decode_call_status(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(s.unreadable_fields, vec![field], "{v}");
            assert_eq!(s.entity, None, "{v}");
        }
        let s = decode_call_status(&json!({"CALL_DIRECTION": "sideways"})).unwrap();
        assert_eq!(s.direction, Direction::Unknown);
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
        // A word the card does not know is a neutral state, not an ignored event.
        for word in ["exploded", "", "onhold"] {
            assert_eq!(
                decode_state_changed(&json!(word), None).unwrap(),
                CallEvent::StateChanged {
                    state: CallState::Unknown,
                    failed_code: None
                }
            );
        }
        // A failure code of the wrong type loses only the code.
        assert_eq!(
            decode_state_changed(&json!("idle"), Some(&json!({"failedCode": [1]}))).unwrap(),
            CallEvent::StateChanged {
                state: CallState::Idle,
                failed_code: None
            }
        );
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
                entity: Some(EntityRef::new(EntityKind::Lead, 42)),
                other: None,
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
            other: None,
        };
        let n = s.with_entity_change(&change);
        assert_eq!(n.entity, change.entity);
        assert_eq!(n.bindings, vec![EntityRef::new(EntityKind::Company, 9)]);
    }

    /// Issue 9: an order and an unknown smart-process spelling among the bindings leave the
    /// known bindings and every other field readable.
    #[test]
    fn unknown_binding_types_are_other_items() {
        let v = json!({"CALL_ID":"c1","PHONE_NUMBER":"+100","CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":797,
            "CRM_BINDINGS":[{"ENTITY_TYPE":"ORDER","ENTITY_ID":12},{"ENTITY_TYPE":"DEAL","ENTITY_ID":4615},
                {"ENTITY_TYPE":"DYNAMIC_128","ENTITY_ID":"3"},{"ENTITY_TYPE":"dynamic_5","ENTITY_ID":"7"},
                {"ENTITY_TYPE":"ORDER","ENTITY_ID":"12"}],
            "CALL_DIRECTION":"incoming","CALL_STATE":"connected"});
        let s = decode_call_status(&v).unwrap();
        assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Contact, 797)));
        assert_eq!(
            s.bindings,
            vec![
                EntityRef::new(EntityKind::Deal, 4615),
                EntityRef::new(EntityKind::Dynamic(128), 3)
            ]
        );
        assert_eq!(
            s.other_items,
            vec![OtherItem::new("ORDER", 12), OtherItem::new("DYNAMIC_5", 7)]
        );
        assert_eq!(s.other_items[0].key(), "ORDER:12");
        assert_eq!(s.unreadable_bindings, 0);
        assert_eq!(s.state, CallState::Connected);
        assert_eq!(s.direction, Direction::Incoming);
        assert_eq!(s.call_id.as_deref(), Some("c1"));
    }

    #[test]
    fn an_unknown_primary_type_is_an_other_item() {
        let s = decode_call_status(&json!({"CRM_ENTITY_TYPE":"ORDER","CRM_ENTITY_ID":"9",
            "CRM_BINDINGS":[{"ENTITY_TYPE":"ORDER","ENTITY_ID":9},{"ENTITY_TYPE":"DEAL","ENTITY_ID":2}]}))
        .unwrap();
        assert_eq!(s.entity, None);
        assert_eq!(s.other_items, vec![OtherItem::new("ORDER", 9)]);
        assert_eq!(s.bindings, vec![EntityRef::new(EntityKind::Deal, 2)]);
        let e = decode_entity_changed(&json!({"CRM_ENTITY_TYPE":"SPACESHIP","CRM_ENTITY_ID":5}))
            .unwrap();
        let CallEvent::EntityChanged(change) = e else {
            panic!("{e:?}")
        };
        assert_eq!(change.entity, None);
        assert_eq!(change.other, Some(OtherItem::new("SPACESHIP", 5)));
        let after = s.with_entity_change(&change);
        assert_eq!(after.other_items, vec![OtherItem::new("SPACESHIP", 5)]);
        assert!(after.bindings.is_empty());
    }

    /// Entries that are garbage are skipped and counted; the known ones around them stay.
    #[test]
    fn garbage_binding_entries_are_skipped_not_fatal() {
        let s = decode_call_status(&json!({"CALL_ID":"c2","CRM_BINDINGS":[1, "x", null, [],
            {"ENTITY_TYPE":{"a":1},"ENTITY_ID":3}, {"ENTITY_TYPE":"DEAL","ENTITY_ID":"abc"},
            {"ENTITY_ID":5}, {"ENTITY_TYPE":"DEAL","ENTITY_ID":-1},
            {"ENTITY_TYPE":"DEAL","ENTITY_ID":"0"}, {"ENTITY_TYPE":"COMPANY","ENTITY_ID":8}]}))
        .unwrap();
        assert_eq!(s.bindings, vec![EntityRef::new(EntityKind::Company, 8)]);
        assert_eq!(s.unreadable_bindings, 8);
        assert_eq!(s.call_id.as_deref(), Some("c2"));
    }

    #[test]
    fn bindings_in_every_spelling() {
        let deal = vec![EntityRef::new(EntityKind::Deal, 5)];
        for v in [
            json!([{"ENTITY_TYPE":"DEAL","ENTITY_ID":5}]),
            json!({"0": {"ENTITY_TYPE":"DEAL","ENTITY_ID":5}}),
            json!({"ENTITY_TYPE":"DEAL","ENTITY_ID":"5"}),
            json!("{\"3\":{\"ENTITY_TYPE\":\"DEAL\",\"ENTITY_ID\":\"5\"}}"),
        ] {
            let s = decode_call_status(&json!({ "CRM_BINDINGS": v })).unwrap();
            assert_eq!(s.bindings, deal, "{v}");
            assert_eq!(s.unreadable_bindings, 0, "{v}");
        }
        for garbage in [
            json!(7),
            json!(true),
            json!("[not json"),
            json!("DEAL:5"),
            json!("\"[\""),
            json!(format!("{}{}", "[".repeat(5000), "]".repeat(5000))),
        ] {
            let s = decode_call_status(&json!({"CRM_BINDINGS": garbage, "CALL_ID": "c"})).unwrap();
            assert!(s.bindings.is_empty());
            assert_eq!(s.unreadable_bindings, 1);
            assert_eq!(s.call_id.as_deref(), Some("c"));
        }
    }

    #[test]
    fn an_unknown_call_state_is_neutral() {
        for v in [
            json!("ringing"),
            json!(3),
            json!([]),
            json!({"a": 1}),
            json!(true),
        ] {
            let s = decode_call_status(&json!({"CALL_STATE": v, "CALL_ID": "c"})).unwrap();
            assert_eq!(s.state, CallState::Unknown, "{v}");
            assert_eq!(s.call_id.as_deref(), Some("c"));
        }
        for v in [json!(""), json!(null), json!("undefined")] {
            let s = decode_call_status(&json!({ "CALL_STATE": v })).unwrap();
            assert_eq!(s.state, CallState::Idle, "{v}");
        }
    }

    /// Regression (found by crates/core/tests/props_*.rs): a type id written as a whole float (`128.0`) was
    /// read as the text "128.0", an unknown type.
    #[test]
    fn type_ids_written_as_floats() {
        let s = decode_call_status(&json!({"CRM_ENTITY_TYPE": 3.0, "CRM_ENTITY_ID": 5,
            "CRM_BINDINGS": [{"ENTITY_TYPE": 128.0, "ENTITY_ID": 1.0}, {"ENTITY_TYPE": 14.0, "ENTITY_ID": 2}]}))
        .unwrap();
        assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Contact, 5)));
        assert_eq!(
            s.bindings,
            vec![EntityRef::new(EntityKind::Dynamic(128), 1)]
        );
        assert_eq!(s.other_items, vec![OtherItem::new("14", 2)]);
    }

    #[test]
    fn a_status_re_encodes_to_itself() {
        let v = json!({"CALL_ID":"c","PHONE_NUMBER":"hidden","LINE_NAME":"L","CRM_ENTITY_TYPE":"ORDER",
            "CRM_ENTITY_ID":4,"CRM_ACTIVITY_ID":"9","CRM_BINDINGS":[{"ENTITY_TYPE":"DEAL","ENTITY_ID":"1"},7],
            "CALL_DIRECTION":"callback","CALL_STATE":"hold","CALL_LIST_MODE":"Y"});
        let s = decode_call_status(&v).unwrap();
        assert_eq!(decode_call_status(&s.to_status_json()).unwrap(), s);
    }
}
