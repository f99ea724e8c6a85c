//! Property tests of every decoder the card feeds with portal data (issue 9): placement options,
//! `getStatus`, the `CallCard::*` events, batch answers, `crm.item.*`, users and stages, the
//! history's activities and statistics, call-list answers and the values the card stores.
//!
//! The generators speak Bitrix24: ids as numbers, strings, padded strings and floats; "no value"
//! as a missing key, `null`, `""`, `"undefined"` or `"null"`; PHP's `[]` for an empty map and
//! maps for lists with gaps; extra keys; garbage of every JSON type at every place, deep
//! nesting, huge and negative numbers and Unicode. The properties: nothing panics; a payload
//! built from an intended meaning decodes to exactly that meaning; and what decodes re-encodes
//! to the same meaning (decode → encode → decode gives the same value).
//!
//! Each property runs its own case count (small, so the host suite stays fast); the
//! `PROPTEST_CASES` environment variable replaces every count (`scripts/fuzz.sh`). Each
//! property prints `props-cases <name> <n>` (visible with `--nocapture`): the cases it ran and
//! passed, which the fuzz script adds up.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::Cell;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestCaseResult, TestRunner};
use serde_json::{Map, Number, Value, json};

use callcard_core::call::{
    CallEvent, CallState, CallStatus, Direction, EntityChange, OtherItem, PhoneNumber,
    decode_call_status, decode_entity_changed, decode_placement_options_text, decode_state_changed,
};
use callcard_core::campaign::{
    self, CallList, ListItem, ListStatus, decode_added, decode_choice, decode_items, decode_lists,
    decode_open_activity_lists, decode_statuses, encode_choice,
};
use callcard_core::client::{
    CrmItem, Money, Person, Phone, StageBook, decode_item, decode_item_get, decode_item_list,
    decode_users,
};
use callcard_core::history::{self, ActivityKind, CallOutcome, StatsAccess};
use callcard_core::model::value::{opt_bool, opt_f64, opt_text, opt_u64};
use callcard_core::model::{EntityKind, EntityRef};
use callcard_core::refresh::{STAGE_CACHE_TTL_MS, stage_cache_read, stage_cache_value};
use callcard_core::rest::batch::decode_answer;
use callcard_core::rest::{RestAnswer, RestError};

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

/// Runs `test` on `cases` values of `strategy` (or `PROPTEST_CASES` of them), and reports the
/// count of cases that ran and passed. A failing or panicking case fails the test with the
/// (shrunk) input.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> TestCaseResult,
) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(cases);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let passed = Cell::new(0u64);
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&strategy, |v| {
        let r = test(v);
        if r.is_ok() {
            passed.set(passed.get() + 1);
        }
        r
    });
    match outcome {
        Ok(()) => println!("props-cases {name} {}", passed.get()),
        Err(e) => {
            println!("props-failed {name}");
            panic!("{name}: {e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dice: one generated stream of choices, spent by imperative generators
// ---------------------------------------------------------------------------------------------

/// Random choices and random Unicode texts, handed out in order. The generators below read
/// like the portal's habits. The choices come from a seed through SplitMix64: proptest draws
/// (and on failure shrinks) the seed and the texts; generating a seed is far cheaper than
/// hundreds of separately drawn bytes, which keeps the suite fast.
#[derive(Debug, Clone)]
struct Dice {
    /// The seed at first, then the stream's position.
    state: u64,
    texts: Vec<String>,
    t: usize,
}

fn dice() -> impl Strategy<Value = Dice> {
    (any::<u64>(), vec("\\PC{0,24}", 1..4)).prop_map(|(seed, texts)| Dice {
        state: seed,
        texts,
        t: 0,
    })
}

/// Strings the portal (or a broken proxy) is known to send, and a few that look like JSON,
/// markup or state words.
const SPECIAL: &[&str] = &[
    "",
    " ",
    "undefined",
    "null",
    "NULL",
    "0",
    "-1",
    "1.5",
    "1e999",
    "18446744073709551616",
    "99999999999999999999999",
    "Y",
    "N",
    "true",
    "false",
    "hidden",
    "unknown",
    "[",
    "[{",
    "{}",
    "[]",
    "{\"a\":",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "ORDER",
    "DEAL",
    "DYNAMIC_5",
    "DYNAMIC_",
    "connected",
    "idle",
    "ringing",
    "Звонок «идёт»",
    "🙂👍🏽",
    "\u{202e}evil",
    "\u{0}",
    "a\u{301}",
];

/// Keys the status and the CRM answers use, so garbage objects hit real keys.
const KEYS: &[&str] = &[
    "CALL_ID",
    "PHONE_NUMBER",
    "LINE_NUMBER",
    "LINE_NAME",
    "CRM_ENTITY_TYPE",
    "CRM_ENTITY_ID",
    "CRM_ACTIVITY_ID",
    "CRM_BINDINGS",
    "CALL_DIRECTION",
    "CALL_STATE",
    "CALL_LIST_MODE",
    "ENTITY_TYPE",
    "ENTITY_ID",
    "ID",
    "id",
    "item",
    "items",
    "result",
    "result_error",
    "result_next",
    "result_total",
    "error",
    "callState",
    "failedCode",
    "fm",
    "typeId",
    "value",
    "STATUS",
    "STATUS_ID",
    "NAME",
    "SORT",
];

impl Dice {
    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u8) -> bool {
        self.pick(100) < percent as usize
    }
    fn one<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[self.pick(of.len())]
    }
    fn raw_u64(&mut self) -> u64 {
        self.next()
    }
    /// A positive id, mostly small, sometimes up to `u64::MAX`.
    fn id(&mut self) -> u64 {
        match self.pick(6) {
            0..=2 => 1 + self.pick(5000) as u64,
            3 => 1 + self.raw_u64() % 1_000_000_000,
            4 => 1 + self.raw_u64() % (1 << 53),
            _ => self.raw_u64().max(1),
        }
    }
    /// A generated Unicode text.
    fn random_text(&mut self) -> String {
        let s = self.texts[self.t % self.texts.len()].clone();
        self.t += 1;
        s
    }
    /// Any string, special or random.
    fn any_string(&mut self) -> String {
        if self.chance(40) {
            self.one(SPECIAL).to_string()
        } else {
            self.random_text()
        }
    }
    /// A text that carries a value: trimmed, not empty, not a "no value" spelling. With
    /// `avoid`, also none of these words (case-insensitive).
    fn meaningful_text(&mut self, avoid: &[&str]) -> String {
        for _ in 0..4 {
            let s = self.any_string().trim().to_string();
            if !s.is_empty()
                && s != "undefined"
                && s != "null"
                && !avoid.iter().any(|a| s.eq_ignore_ascii_case(a))
            {
                return s;
            }
        }
        format!("Текст {}", self.pick(1000))
    }
    /// Surrounding whitespace the readers must trim.
    fn pad(&mut self, s: &str) -> String {
        match self.pick(6) {
            0 => format!(" {s}"),
            1 => format!("{s}\t"),
            2 => format!("\u{a0}{s} "),
            _ => s.to_string(),
        }
    }

    // --- spellings -----------------------------------------------------------------------

    /// A "no value" spelling; `None` is a missing key.
    fn none(&mut self) -> Option<Value> {
        match self.pick(6) {
            0 => None,
            1 => Some(Value::Null),
            2 => Some(json!("")),
            3 => Some(json!("undefined")),
            4 => Some(json!("null")),
            _ => Some(json!("  ")),
        }
    }
    /// An unsigned number the way the portal writes it (`strings`: as the options do).
    fn spell_u64(&mut self, n: u64, strings: bool) -> Value {
        match self.pick(if strings { 2 } else { 4 }) {
            0 => json!(n.to_string()),
            1 => Value::String(self.pad(&n.to_string())),
            2 => json!(n),
            // A whole float (`797.0`). Only below 10^15: serde_json (without `float_roundtrip`)
            // may read a longer float back from JSON text one unit off, and no portal writes
            // ids that long as floats.
            _ if n < 1_000_000_000_000_000 => Value::Number(Number::from_f64(n as f64).unwrap()),
            _ => json!(n),
        }
    }
    /// [`Dice::spell_u64`], strings or not.
    fn spell_u64_any(&mut self, n: u64) -> Value {
        let strings = self.chance(50);
        self.spell_u64(n, strings)
    }
    fn spell_bool_any(&mut self, b: bool) -> Value {
        let strings = self.chance(50);
        self.spell_bool(b, strings)
    }
    fn spell_text(&mut self, t: &str) -> Value {
        Value::String(self.pad(t))
    }
    fn spell_bool(&mut self, b: bool, strings: bool) -> Value {
        let words: &[&str] = if b {
            &["Y", "y", "true", "TRUE", "1", "yes"]
        } else {
            &["N", "n", "false", "False", "0", "no"]
        };
        if !strings && self.chance(40) {
            return if self.chance(50) {
                json!(b)
            } else {
                json!(b as u8)
            };
        }
        let w = self.one(words).to_string();
        Value::String(self.pad(&w))
    }
    fn random_case(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| {
                if self.chance(50) {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect()
    }
    /// Puts `v` under `key`, or, for `None`, a "no value" spelling (or nothing).
    fn put(&mut self, o: &mut Map<String, Value>, key: &str, v: Option<Value>) {
        match v.or_else(|| self.none()) {
            Some(v) => {
                o.insert(key.to_string(), v);
            }
            None => {
                o.remove(key);
            }
        }
    }
    /// Keys the decoder does not know, with garbage in them.
    fn extra_keys(&mut self, o: &mut Map<String, Value>) {
        for _ in 0..self.pick(3) {
            let k = format!("X_{}", self.random_text());
            let v = self.garbage(2);
            o.entry(k).or_insert(v);
        }
    }

    // --- garbage -------------------------------------------------------------------------

    /// A number of any size and sign.
    fn any_number(&mut self) -> Value {
        match self.pick(7) {
            0 => json!(self.raw_u64()),
            1 => json!(self.raw_u64() as i64),
            2 => json!(-(self.pick(1000) as i64) - 1),
            3 => json!(self.pick(10)),
            4 => {
                Value::Number(Number::from_f64(f64::from_bits(self.raw_u64())).unwrap_or(0.into()))
            }
            5 => json!(1.5),
            _ => json!(f64::MAX),
        }
    }
    fn leaf(&mut self) -> Value {
        match self.pick(6) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => self.any_number(),
            3 => json!(self.raw_u64().to_string()),
            _ => Value::String(self.any_string()),
        }
    }
    /// Any JSON value, up to `depth` levels of arrays and objects.
    fn garbage(&mut self, depth: u32) -> Value {
        if depth == 0 || self.chance(45) {
            return self.leaf();
        }
        match self.pick(4) {
            0 => Value::Array((0..self.pick(5)).map(|_| self.garbage(depth - 1)).collect()),
            1 => Value::Object(Map::new()),
            2 => self.deep(),
            _ => {
                let mut o = Map::new();
                for _ in 0..self.pick(5) {
                    let k = if self.chance(70) {
                        self.one(KEYS).to_string()
                    } else {
                        self.any_string()
                    };
                    let v = self.garbage(depth - 1);
                    o.insert(k, v);
                }
                Value::Object(o)
            }
        }
    }
    /// A leaf inside up to 100 levels of arrays and objects.
    fn deep(&mut self) -> Value {
        let mut v = self.leaf();
        for _ in 0..self.pick(100) {
            v = if self.chance(50) {
                Value::Array(vec![v])
            } else {
                let k = self.one(KEYS).to_string();
                json!({ k: v })
            };
        }
        v
    }
}

// ---------------------------------------------------------------------------------------------
// The call status: intended meaning → Bitrix spelling
// ---------------------------------------------------------------------------------------------

const KNOWN_KINDS: &[EntityKind] = &[
    EntityKind::Lead,
    EntityKind::Deal,
    EntityKind::Contact,
    EntityKind::Company,
    EntityKind::Invoice,
    EntityKind::Quote,
    EntityKind::SmartInvoice,
];

/// Type names no [`EntityKind`] answers to (orders, requisites, documents, typos).
const OTHER_TYPES: &[&str] = &[
    "ORDER",
    "REQUISITE",
    "SMART_DOCUMENT",
    "SMART_B2E_DOC",
    "DYNAMIC_5",
    "DYNAMIC_3",
    "DYNAMIC_127",
    "DYNAMIC_",
    "DYNAMIC_X",
    "14",
    "8",
    "6",
    "SPACESHIP",
    "ЗАКАЗ",
];

impl Dice {
    fn known_kind(&mut self) -> EntityKind {
        if self.chance(15) {
            EntityKind::Dynamic(128 + self.pick(2000) as u32)
        } else {
            *self.one(KNOWN_KINDS)
        }
    }
    /// A known type, by name in any case or by number (`strings`: the number as text).
    fn spell_kind(&mut self, k: EntityKind, strings: bool) -> Value {
        match self.pick(4) {
            0 => self.spell_u64(k.type_id() as u64, strings),
            1 => {
                let n = self.random_case(&k.name());
                Value::String(self.pad(&n))
            }
            _ => json!(k.name()),
        }
    }
    /// An unknown type name and the item it means.
    fn other_type(&mut self) -> String {
        if self.chance(80) {
            self.one(OTHER_TYPES).to_string()
        } else {
            let t = self.meaningful_text(&[]);
            if EntityKind::from_name(&t).is_some() {
                "ORDER".into()
            } else {
                t
            }
        }
    }
}

/// One `CRM_BINDINGS` entry's meaning.
#[derive(Debug, Clone)]
enum Entry {
    Known(EntityRef),
    Other(OtherItem),
    /// Names nothing (id 0 or none): skipped silently.
    Nothing,
    /// Cannot be read: skipped and counted.
    Garbage,
}

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
    fn spell_new_id(&mut self, strings: bool) -> Value {
        let id = self.id();
        self.spell_u64(id, strings)
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

// ---------------------------------------------------------------------------------------------
// Batch answers
// ---------------------------------------------------------------------------------------------

/// One key's intended answer.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Ok {
        result: Value,
        next: Option<u64>,
        total: Option<u64>,
    },
    Err {
        code: String,
        description: String,
    },
}

impl Dice {
    fn batch(&mut self) -> (Vec<(String, Answer)>, Value) {
        let n = self.pick(8);
        // PHP sends a map with keys 0..n as a list.
        let as_list = self.chance(30);
        let mut keys: Vec<String> = Vec::new();
        for i in 0..n {
            let k = if as_list {
                i.to_string()
            } else {
                format!("k{}_{}", i, self.pick(1000))
            };
            keys.push(k);
        }
        let mut want = Vec::new();
        let (mut results, mut errors, mut nexts, mut totals) =
            (Map::new(), Map::new(), Map::new(), Map::new());
        let mut result_list = Vec::new();
        for k in &keys {
            if !as_list && self.chance(30) {
                let code = self.meaningful_text(&[]);
                let description = if self.chance(50) {
                    self.any_string()
                } else {
                    String::new()
                };
                let e = if description.is_empty() && self.chance(50) {
                    json!(code.clone())
                } else {
                    json!({"error": code.clone(), "error_description": description.clone()})
                };
                errors.insert(k.clone(), e);
                want.push((k.clone(), Answer::Err { code, description }));
            } else {
                let result = self.garbage(3);
                let next = self.chance(30).then(|| self.id());
                let total = self.chance(30).then(|| self.id());
                if let Some(x) = next {
                    nexts.insert(k.clone(), self.spell_u64(x, false));
                }
                if let Some(x) = total {
                    totals.insert(k.clone(), self.spell_u64(x, false));
                }
                results.insert(k.clone(), result.clone());
                result_list.push(result.clone());
                want.push((
                    k.clone(),
                    Answer::Ok {
                        result,
                        next,
                        total,
                    },
                ));
            }
        }
        let php_map = |m: Map<String, Value>, d: &mut Dice| {
            if m.is_empty() && d.chance(50) {
                json!([])
            } else {
                Value::Object(m)
            }
        };
        let mut body = Map::new();
        body.insert(
            "result".into(),
            if as_list && !result_list.is_empty() {
                Value::Array(result_list)
            } else {
                php_map(results, self)
            },
        );
        body.insert("result_error".into(), php_map(errors, self));
        body.insert("result_next".into(), php_map(nexts, self));
        body.insert("result_total".into(), php_map(totals, self));
        body.insert("result_time".into(), json!({}));
        self.extra_keys(&mut body);
        (want, Value::Object(body))
    }
}

fn encode_batch(a: &callcard_core::rest::BatchAnswer) -> Value {
    let mut results = Map::new();
    let mut nexts = Map::new();
    let mut totals = Map::new();
    for (k, r) in &a.results {
        results.insert(k.clone(), r.result.clone());
        if let Some(n) = r.next {
            nexts.insert(k.clone(), json!(n));
        }
        if let Some(t) = r.total {
            totals.insert(k.clone(), json!(t));
        }
    }
    let mut errors = Map::new();
    for (k, e) in &a.errors {
        if let RestError::Api {
            code, description, ..
        } = e
        {
            errors.insert(
                k.clone(),
                json!({"error": code, "error_description": description}),
            );
        }
    }
    json!({"result": results, "result_error": errors, "result_next": nexts, "result_total": totals})
}

/// A batch answer in key order, without timings: what two decodings must agree on.
type SortedBatch = (Vec<(String, RestAnswer)>, Vec<(String, String)>);

fn sorted_batch(a: &callcard_core::rest::BatchAnswer) -> SortedBatch {
    let mut r: Vec<(String, RestAnswer)> = a
        .results
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                RestAnswer {
                    time: None,
                    ..v.clone()
                },
            )
        })
        .collect();
    r.sort_by(|x, y| x.0.cmp(&y.0));
    let mut e: Vec<(String, String)> = a
        .errors
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    e.sort();
    (r, e)
}

#[test]
fn batch_answers_decode_to_the_intended_meaning() {
    check("batch_intended", 300, dice(), |mut d| {
        let (want, v) = d.batch();
        let a = decode_answer(&v).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        for (k, w) in &want {
            match (w, a.get(k)) {
                (
                    Answer::Ok {
                        result,
                        next,
                        total,
                    },
                    Ok(got),
                ) => {
                    prop_assert_eq!(&got.result, result);
                    prop_assert_eq!(got.next, *next);
                    prop_assert_eq!(got.total, *total);
                }
                (
                    Answer::Err { code, description },
                    Err(RestError::Api {
                        status,
                        code: c,
                        description: dsc,
                    }),
                ) => {
                    prop_assert_eq!(status, 400);
                    prop_assert_eq!(&c, code);
                    prop_assert_eq!(&dsc, description);
                }
                (w, got) => {
                    return Err(TestCaseError::fail(format!(
                        "{k}: wanted {w:?}, got {got:?}"
                    )));
                }
            }
        }
        prop_assert_eq!(a.results.len() + a.errors.len(), want.len());
        prop_assert!(a.get("no such key").is_err());
        // Decode → encode → decode: the same answer.
        let again = decode_answer(&encode_batch(&a)).unwrap();
        prop_assert_eq!(sorted_batch(&again), sorted_batch(&a));
        Ok(())
    });
}

#[test]
fn any_batch_answer_never_panics_and_round_trips() {
    check("batch_any", 250, dice(), |mut d| {
        let mut o = Map::new();
        for k in [
            "result",
            "result_error",
            "result_next",
            "result_total",
            "result_time",
        ] {
            if d.chance(70) {
                let g = d.garbage(3);
                o.insert(k.into(), g);
            }
        }
        let v = if d.chance(90) {
            Value::Object(o)
        } else {
            d.garbage(3)
        };
        if let Ok(a) = decode_answer(&v) {
            let again = decode_answer(&encode_batch(&a)).unwrap();
            prop_assert_eq!(sorted_batch(&again), sorted_batch(&a));
            for (k, _) in &a.errors {
                prop_assert!(a.get(k).is_err());
            }
        } else {
            prop_assert!(!v.is_object());
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// crm.item.*, user.get, crm.status.list, the stage cache
// ---------------------------------------------------------------------------------------------

fn amount_kind(k: EntityKind) -> bool {
    matches!(
        k,
        EntityKind::Deal
            | EntityKind::Lead
            | EntityKind::Quote
            | EntityKind::SmartInvoice
            | EntityKind::Dynamic(_)
    )
}

impl Dice {
    /// An item of `kind` as `crm.item.*` sends it, and what it means.
    fn item(&mut self, kind: EntityKind) -> (CrmItem, Value) {
        let mut o = Map::new();
        self.extra_keys(&mut o);
        let id = self.id();
        o.insert("id".into(), self.spell_u64(id, false));
        let text = |d: &mut Dice, o: &mut Map<String, Value>, key: &str| -> Option<String> {
            if d.chance(60) {
                let t = d.meaningful_text(&[]);
                o.insert(key.into(), d.spell_text(&t));
                Some(t)
            } else {
                d.put(o, key, None);
                None
            }
        };
        let parts: Vec<String> = ["name", "secondName", "lastName"]
            .iter()
            .filter_map(|k| text(self, &mut o, k))
            .collect();
        let title = text(self, &mut o, "title");
        let post = text(self, &mut o, "post");
        let company_title = text(self, &mut o, "companyTitle");
        let stage_id = text(self, &mut o, "stageId");
        let num = |d: &mut Dice, o: &mut Map<String, Value>, key: &str, zero_is_none: bool| match d
            .pick(3)
        {
            0 => {
                let n = d.id();
                o.insert(key.into(), d.spell_u64(n, false));
                Some(n)
            }
            1 => {
                o.insert(key.into(), d.spell_u64(0, false));
                (!zero_is_none).then_some(0)
            }
            _ => {
                d.put(o, key, None);
                None
            }
        };
        let company_id = num(self, &mut o, "companyId", true);
        let assigned_by = num(self, &mut o, "assignedById", true);
        let category_id = num(self, &mut o, "categoryId", false);
        // Phones in `fm`, among e-mails and entries that are no phone at all.
        let mut phones = Vec::new();
        let mut fm = Vec::new();
        for _ in 0..self.pick(4) {
            match self.pick(4) {
                0 | 1 => {
                    let value = self.meaningful_text(&[]);
                    let kind = self.chance(70).then(|| self.meaningful_text(&[]));
                    let mut e = json!({"typeId": "PHONE", "value": self.spell_text(&value), "id": self.spell_new_id(false)});
                    if let Some(k) = &kind {
                        e["valueType"] = json!(k);
                    }
                    phones.push(Phone { value, kind });
                    fm.push(e);
                }
                2 => fm.push(json!({"typeId": "EMAIL", "value": "a@b.c", "valueType": "WORK"})),
                _ => fm.push(match self.pick(3) {
                    0 => self.leaf(),
                    1 => json!({"typeId": ["PHONE"], "value": "+1"}),
                    _ => json!({"typeId": "PHONE", "value": {"x": 1}}),
                }),
            }
        }
        if !fm.is_empty() || self.chance(50) {
            o.insert("fm".into(), Value::Array(fm));
        } else if self.chance(50) {
            o.insert("fm".into(), json!({}));
        }
        // An amount: cents, spelled as a number, a decimal text or a comma decimal.
        let mut amount = None;
        if self.chance(50) {
            let cents = self.raw_u64() % 100_000_000_000;
            let value = cents as f64 / 100.0;
            let currency = self.meaningful_text(&[]);
            let spelled = match self.pick(3) {
                0 => Value::Number(Number::from_f64(value).unwrap()),
                1 => json!(format!("{}.{:02}", cents / 100, cents % 100)),
                _ => json!(format!("{},{:02}", cents / 100, cents % 100)),
            };
            o.insert("opportunity".into(), spelled);
            o.insert("currencyId".into(), self.spell_text(&currency));
            if amount_kind(kind) {
                amount = Some(Money {
                    amount: value,
                    currency,
                });
            }
        }
        let item = CrmItem {
            entity: EntityRef::new(kind, id),
            person_name: (!parts.is_empty()).then(|| parts.join(" ")),
            title,
            post,
            company_id,
            company_title,
            assigned_by,
            phones,
            stage_id,
            category_id,
            amount,
        };
        (item, Value::Object(o))
    }

    /// An item row no list may keep: not an object, or without a readable id.
    fn garbage_item(&mut self) -> Value {
        match self.pick(5) {
            0 => self.leaf(),
            1 => json!({"title": "no id"}),
            2 => json!({"id": "abc", "title": "bad id"}),
            3 => json!({"id": 0}),
            _ => json!({"id": -4}),
        }
    }
}

/// What [`decode_item`] reads back to `item` (camelCase, one name field, phones in `fm`).
fn encode_item(item: &CrmItem) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(item.entity.id));
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    };
    put("name", &item.person_name);
    put("title", &item.title);
    put("post", &item.post);
    put("companyTitle", &item.company_title);
    put("stageId", &item.stage_id);
    if let Some(m) = &item.amount {
        o.insert("opportunity".into(), json!(m.amount));
        o.insert("currencyId".into(), json!(m.currency));
    }
    for (k, v) in [
        ("companyId", item.company_id),
        ("assignedById", item.assigned_by),
        ("categoryId", item.category_id),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    }
    let fm: Vec<Value> = item
        .phones
        .iter()
        .map(|p| json!({"typeId": "PHONE", "value": p.value, "valueType": p.kind}))
        .collect();
    o.insert("fm".into(), Value::Array(fm));
    Value::Object(o)
}

#[test]
fn crm_items_decode_to_the_intended_meaning() {
    check("crm_item_intended", 300, dice(), |mut d| {
        let kind = d.known_kind();
        let (want, v) = d.item(kind);
        let got = decode_item_get(kind, &json!({ "item": v }))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(decode_item(kind, &encode_item(&got)), Ok(got));
        // A list: the readable items, in order; garbage rows skipped.
        let mut rows = Vec::new();
        let mut wanted = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(70) {
                let (i, v) = d.item(kind);
                wanted.push(i);
                rows.push(v);
            } else {
                rows.push(d.garbage_item());
            }
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({"items": {}})
        } else {
            json!({ "items": rows, "total": rows.len() })
        };
        prop_assert_eq!(decode_item_list(kind, &result), Ok(wanted));
        Ok(())
    });
}

#[test]
fn any_crm_item_never_panics_and_round_trips() {
    check("crm_item_any", 200, dice(), |mut d| {
        let kind = d.known_kind();
        let mut o = Map::new();
        for k in [
            "id",
            "name",
            "secondName",
            "lastName",
            "title",
            "post",
            "companyId",
            "companyTitle",
            "assignedById",
            "fm",
            "phone",
            "stageId",
            "categoryId",
            "opportunity",
            "currencyId",
        ] {
            if d.chance(40) {
                let g = d.garbage(3);
                o.insert(k.into(), g);
            }
        }
        if d.chance(50) {
            o.insert("id".into(), json!(d.id()));
        }
        if let Ok(item) = decode_item(kind, &Value::Object(o)) {
            prop_assert_eq!(decode_item(kind, &encode_item(&item)), Ok(item));
        }
        let _ = decode_item_get(kind, &d.garbage(3));
        let _ = decode_item_list(kind, &d.garbage(3));
        let _ = decode_users(&d.garbage(3));
        let _ = StageBook::decode(&d.garbage(3));
        Ok(())
    });
}

#[test]
fn users_decode_to_the_intended_meaning() {
    check("users_intended", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(25) {
                rows.push(match d.pick(5) {
                    0 => d.leaf(),
                    1 => json!({"NAME": "no id"}),
                    2 => json!({"ID": "abc", "NAME": "bad id"}),
                    3 => json!({"ID": 5, "NAME": ["not", "text"]}),
                    _ => json!({"ID": ""}),
                });
                continue;
            }
            let id = d.id();
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64(id, true));
            let mut parts = Vec::new();
            for k in ["NAME", "LAST_NAME"] {
                if d.chance(60) {
                    let t = d.meaningful_text(&[]);
                    o.insert(k.into(), d.spell_text(&t));
                    parts.push(t);
                } else {
                    d.put(&mut o, k, None);
                }
            }
            let email = d.chance(50).then(|| d.meaningful_text(&[]));
            if let Some(e) = &email {
                o.insert("EMAIL".into(), json!(e));
            }
            let position = d.chance(50).then(|| d.meaningful_text(&[]));
            match &position {
                Some(p) => {
                    o.insert("WORK_POSITION".into(), d.spell_text(p));
                }
                None => d.put(&mut o, "WORK_POSITION", None),
            }
            let name = if parts.is_empty() {
                email.unwrap_or_else(|| format!("#{id}"))
            } else {
                parts.join(" ")
            };
            want.push(Person { id, name, position });
            rows.push(Value::Object(o));
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        prop_assert_eq!(decode_users(&result), Ok(want));
        Ok(())
    });
}

#[test]
fn stages_decode_and_their_cache_round_trips() {
    check("stages_and_cache", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want: Vec<(String, String, String, &str)> = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(20) {
                rows.push(match d.pick(5) {
                    0 => d.leaf(),
                    1 => json!({"STATUS_ID": "NEW"}),
                    2 => json!({"ENTITY_ID": {"a": 1}, "STATUS_ID": "NEW"}),
                    3 => json!({"ENTITY_ID": "STATUS", "STATUS_ID": "NEW", "NAME": [1]}),
                    _ => json!({"ENTITY_ID": "STATUS", "STATUS_ID": ""}),
                });
                continue;
            }
            let dir = d
                .one(&[
                    "STATUS",
                    "DEAL_STAGE",
                    "DEAL_STAGE_3",
                    "QUOTE_STATUS",
                    "DYNAMIC_128_STAGE_0",
                ])
                .to_string();
            let code = d.meaningful_text(&[]);
            let name = d.chance(80).then(|| d.meaningful_text(&[]));
            let (sem_word, sem) = *d.one(&[
                ("S", "success"),
                ("success", "success"),
                ("F", "failure"),
                ("FAILURE", "failure"),
                ("P", "process"),
                ("", "process"),
                ("whatever", "process"),
            ]);
            let mut o = json!({"ENTITY_ID": d.spell_text(&dir), "STATUS_ID": d.spell_text(&code)});
            if let Some(n) = &name {
                o["NAME"] = json!(n);
            }
            if !sem_word.is_empty() {
                if d.chance(50) {
                    o["EXTRA"] = json!({"SEMANTICS": sem_word, "COLOR": "#fff"});
                } else {
                    o["SEMANTICS"] = json!(sem_word);
                }
            }
            rows.push(o);
            let name = name.unwrap_or_else(|| code.clone());
            // A later row with the same directory and code replaces the earlier one.
            want.retain(|(dd, c, _, _)| !(dd == &dir && c == &code));
            want.push((dir, code, name, sem));
        }
        let book = StageBook::decode(&Value::Array(rows))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(book.len(), want.len());
        for (dir, code, name, sem) in &want {
            let s = book.get(dir, code);
            prop_assert!(s.is_some(), "{dir} {code}");
            let s = s.unwrap();
            prop_assert_eq!(&s.name, name);
            prop_assert_eq!(s.semantic.as_str(), *sem);
        }
        // The stored form reads back to the same book, while it is fresh.
        prop_assert_eq!(&StageBook::from_cache(&book.to_cache()), &book);
        let at = (d.raw_u64() % (1u64 << 45)) as f64;
        let age = (d.raw_u64() % (STAGE_CACHE_TTL_MS as u64)) as f64;
        let stored = stage_cache_value(&book, at);
        let stored = serde_json::from_str::<Value>(&stored.to_string()).unwrap();
        prop_assert_eq!(&stage_cache_read(&stored, at + age), &book);
        prop_assert!(stage_cache_read(&stored, at + STAGE_CACHE_TTL_MS + 1.0).is_empty());
        prop_assert!(stage_cache_read(&stored, at - 1.0).is_empty());
        // Stored garbage: an empty book or a partial one, never a panic.
        let _ = stage_cache_read(&d.garbage(4), at);
        let _ = StageBook::from_cache(&d.garbage(4));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// History: crm.activity.list, voximplant.statistic.get
// ---------------------------------------------------------------------------------------------

#[test]
fn activities_decode_to_the_intended_meaning() {
    check("history_activities", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(25) {
                rows.push(match d.pick(4) {
                    0 => d.leaf(),
                    1 => json!({"SUBJECT": "no id"}),
                    2 => json!({"ID": "0"}),
                    _ => json!({"ID": "x1"}),
                });
                continue;
            }
            let id = d.id();
            let type_id = d.pick(6) as u64;
            let call_provider = d.chance(20);
            let direction = d.pick(4) as u64;
            let subject = d.chance(70).then(|| d.meaningful_text(&[]));
            let completed = d.chance(50);
            let responsible = d.chance(70).then(|| d.id());
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64_any(id));
            o.insert("TYPE_ID".into(), d.spell_u64(type_id, true));
            if call_provider {
                o.insert("PROVIDER_ID".into(), json!("VOXIMPLANT_CALL"));
            }
            o.insert("DIRECTION".into(), d.spell_u64(direction, true));
            match &subject {
                Some(s) => {
                    o.insert("SUBJECT".into(), d.spell_text(s));
                }
                None => d.put(&mut o, "SUBJECT", None),
            }
            o.insert("COMPLETED".into(), json!(if completed { "Y" } else { "N" }));
            match responsible {
                Some(r) => {
                    o.insert("RESPONSIBLE_ID".into(), d.spell_u64(r, true));
                }
                None => d.put(&mut o, "RESPONSIBLE_ID", None),
            }
            o.insert("START_TIME".into(), json!("2024-04-12T10:00:00+03:00"));
            d.extra_keys(&mut o);
            rows.push(Value::Object(o));
            let kind = if call_provider {
                ActivityKind::Call
            } else {
                match type_id {
                    1 => ActivityKind::Meeting,
                    2 => ActivityKind::Call,
                    3 => ActivityKind::Task,
                    4 => ActivityKind::Email,
                    _ => ActivityKind::Other,
                }
            };
            let dir = match direction {
                1 => callcard_core::call::Direction::Incoming,
                2 => callcard_core::call::Direction::Outgoing,
                _ => callcard_core::call::Direction::Unknown,
            };
            want.push((
                id,
                kind,
                dir,
                subject.unwrap_or_default(),
                completed,
                responsible,
            ));
        }
        let n = rows.len();
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        let page =
            history::decode_activities(&result).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(page.rows, n);
        let got: Vec<_> = page
            .items
            .iter()
            .map(|i| {
                (
                    i.id,
                    i.kind,
                    i.direction,
                    i.subject.clone(),
                    i.completed,
                    i.responsible_id,
                )
            })
            .collect();
        prop_assert_eq!(got, want);
        for i in &page.items {
            prop_assert_eq!(i.start_ms, Some(1_712_905_200_000));
        }
        // Anything at all: no panic; a list always decodes.
        let g = d.garbage(4);
        let r = history::decode_activities(&g);
        prop_assert_eq!(
            r.is_ok(),
            g.is_array() || g.as_object().is_some_and(Map::is_empty)
        );
        Ok(())
    });
}

#[test]
fn statistics_decode_to_the_intended_meaning() {
    check("history_statistics", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(20) {
                rows.push(d.leaf());
                continue;
            }
            let activity = d.chance(80).then(|| d.id());
            let duration = d.chance(80).then(|| d.pick(100_000) as u64);
            let code = *d.one(&["200", "304", "603", "603-S", "603-s", "486", "OTHER", ""]);
            let url = *d.one(&[
                "https://rec.example/1.mp3",
                "HTTPS://Rec.example/3.mp3",
                "HTTP://rec.example/2.mp3",
                "https://user@rec.example/4.mp3",
                "javascript:alert(1)",
                "ftp://x/y",
                "",
            ]);
            let call_type = d.pick(6) as u64;
            let mut o = Map::new();
            match activity {
                Some(a) => {
                    o.insert("CRM_ACTIVITY_ID".into(), d.spell_u64(a, false));
                }
                None => d.put(&mut o, "CRM_ACTIVITY_ID", None),
            }
            match duration {
                Some(s) => {
                    o.insert("CALL_DURATION".into(), d.spell_u64(s, false));
                }
                None => d.put(&mut o, "CALL_DURATION", None),
            }
            o.insert("CALL_FAILED_CODE".into(), json!(code));
            o.insert("CALL_RECORD_URL".into(), json!(url));
            o.insert("CALL_TYPE".into(), d.spell_u64(call_type, true));
            d.extra_keys(&mut o);
            rows.push(Value::Object(o));
            let outcome = match code {
                "" => None,
                "200" => Some(CallOutcome::Answered),
                "304" => Some(CallOutcome::Missed),
                "603" => Some(CallOutcome::Declined),
                "603-S" | "603-s" => Some(CallOutcome::Cancelled),
                c => Some(CallOutcome::Failed(c.into())),
            };
            // Only plain https links are kept (no user info, no odd characters).
            let record = (url.to_ascii_lowercase().starts_with("https://") && !url.contains('@'))
                .then(|| url.to_string());
            let dir = match call_type {
                1 | 4 => callcard_core::call::Direction::Outgoing,
                2 | 3 => callcard_core::call::Direction::Incoming,
                _ => callcard_core::call::Direction::Unknown,
            };
            want.push((activity, duration, outcome, record, dir));
        }
        let rows = Value::Array(rows);
        let got =
            history::decode_statistics(&rows).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let got: Vec<_> = got
            .into_iter()
            .map(|r| {
                (
                    r.activity_id,
                    r.facts.duration_s,
                    r.facts.outcome,
                    r.facts.record_url,
                    r.direction,
                )
            })
            .collect();
        prop_assert_eq!(got, want);
        // Through a batch answer: allowed rows, denied, or unknown — never a panic.
        let answer = RestAnswer {
            result: d.garbage(3),
            ..RestAnswer::default()
        };
        let _ = StatsAccess::from_answer(Ok(&answer));
        let ok = RestAnswer {
            result: rows,
            ..RestAnswer::default()
        };
        prop_assert!(matches!(
            StatsAccess::from_answer(Ok(&ok)),
            StatsAccess::Allowed(_)
        ));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Call lists (`campaign.rs` decoders) and the stored choice
// ---------------------------------------------------------------------------------------------

#[test]
fn call_list_answers_decode_to_the_intended_meaning() {
    check("calllist_answers", 300, dice(), |mut d| {
        // crm.calllist.list
        let mut rows = Vec::new();
        let mut lists = Vec::new();
        for _ in 0..d.pick(6) {
            if d.chance(25) {
                rows.push(match d.pick(4) {
                    0 => d.leaf(),
                    1 => json!({"ENTITY_TYPE_ID": 3}),
                    2 => json!({"ID": "0", "ENTITY_TYPE_ID": 3}),
                    _ => json!({"ID": 5, "ENTITY_TYPE_ID": "x"}),
                });
                continue;
            }
            let id = d.id();
            let type_id = *d.one(&[1u64, 2, 3, 4, 5, 7]);
            let entity_type = d.chance(50).then(|| d.meaningful_text(&[]));
            let created = if d.chance(80) {
                d.meaningful_text(&[])
            } else {
                String::new()
            };
            let created_by = d.chance(70).then(|| d.id());
            let webform = d.chance(30).then(|| d.id());
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64(id, true));
            o.insert("ENTITY_TYPE_ID".into(), d.spell_u64_any(type_id));
            if let Some(t) = &entity_type {
                o.insert("ENTITY_TYPE".into(), d.spell_text(t));
            }
            if created.is_empty() {
                d.put(&mut o, "DATE_CREATE", None);
            } else {
                o.insert("DATE_CREATE".into(), json!(created));
            }
            for (k, v) in [("CREATED_BY_ID", created_by), ("WEBFORM_ID", webform)] {
                match v {
                    Some(n) => {
                        o.insert(k.into(), d.spell_u64(n, true));
                    }
                    None => {
                        let zero = d.chance(50).then(|| json!("0"));
                        d.put(&mut o, k, zero);
                    }
                }
            }
            d.extra_keys(&mut o);
            rows.push(Value::Object(o));
            lists.push(CallList {
                id,
                entity_type_id: type_id,
                entity_type,
                created,
                created_by,
                webform_id: webform,
            });
        }
        prop_assert_eq!(decode_lists(&Value::Array(rows)), lists);
        // crm.calllist.items.get
        let mut rows = Vec::new();
        let mut items = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(25) {
                rows.push(match d.pick(3) {
                    0 => d.leaf(),
                    1 => json!({"ID": 5}),
                    _ => json!({"STATUS": "IN_WORK"}),
                });
                continue;
            }
            let id = d.id();
            let status = d.meaningful_text(&[]);
            let t = d.chance(70).then(|| *d.one(&[3u64, 4, 2]));
            let mut o = json!({"ID": d.spell_u64(id, true), "STATUS": d.spell_text(&status)});
            if let Some(t) = t {
                o["ENTITY_TYPE"] = d.spell_u64(t, true);
            }
            rows.push(o);
            items.push(ListItem {
                entity_id: id,
                status,
                entity_type_id: t.unwrap_or(0),
            });
        }
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        prop_assert_eq!(decode_items(&result), items);
        // crm.calllist.statuslist: in SORT order, ties in the portal's order.
        let mut rows = Vec::new();
        let mut statuses: Vec<ListStatus> = Vec::new();
        for _ in 0..d.pick(6) {
            let status_id = d.meaningful_text(&[]);
            let name = d.any_string().trim().to_string();
            let sort = d.chance(90).then(|| (d.pick(5) * 10) as u64);
            let mut o = json!({"STATUS_ID": status_id, "NAME": name});
            if let Some(s) = sort {
                o["SORT"] = d.spell_u64(s, true);
            }
            rows.push(o);
            let name = if name == "undefined" || name == "null" {
                String::new()
            } else {
                name
            };
            statuses.push(ListStatus {
                status_id,
                name,
                sort: sort.unwrap_or(u64::MAX),
            });
        }
        statuses.sort_by_key(|s| s.sort); // stable
        prop_assert_eq!(decode_statuses(&Value::Array(rows)), statuses);
        // crm.calllist.add
        let id = d.id();
        let spelled = d.spell_u64_any(id);
        prop_assert_eq!(decode_added(&spelled), Some(id));
        prop_assert_eq!(decode_added(&json!(0)), None);
        // Garbage everywhere: no panic.
        for _ in 0..3 {
            let g = d.garbage(4);
            let _ = decode_lists(&g);
            let _ = decode_items(&g);
            let _ = decode_statuses(&g);
            let _ = decode_open_activity_lists(&g);
            let _ = decode_added(&g);
            let _ = campaign::decode_list(&g);
        }
        Ok(())
    });
}

#[test]
fn open_call_list_activities_decode_to_the_intended_lists() {
    check("calllist_open_activities", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want: Vec<u64> = Vec::new();
        for _ in 0..d.pick(8) {
            let id = d.pick(20) as u64 + 1;
            let provider = *d.one(&[Some("CALL_LIST"), None, Some("VOXIMPLANT_CALL")]);
            let completed = *d.one(&[Some("Y"), Some("N"), None]);
            let by_owner = d.chance(30);
            let mut o = Map::new();
            if let Some(p) = provider {
                o.insert("PROVIDER_ID".into(), json!(p));
            }
            if let Some(c) = completed {
                o.insert("COMPLETED".into(), json!(c));
            }
            if by_owner {
                o.insert("OWNER_TYPE_ID".into(), d.spell_u64(12, true));
                o.insert("OWNER_ID".into(), d.spell_u64(id, true));
            } else {
                o.insert("ASSOCIATED_ENTITY_ID".into(), d.spell_u64(id, true));
            }
            rows.push(Value::Object(o));
            if provider != Some("VOXIMPLANT_CALL") && completed != Some("Y") && !want.contains(&id)
            {
                want.push(id);
            }
        }
        prop_assert_eq!(decode_open_activity_lists(&Value::Array(rows)), want);
        Ok(())
    });
}

#[test]
fn the_stored_list_choice_round_trips() {
    let s = (1u64..u64::MAX, "[A-Za-z0-9._:-]{0,40}", dice());
    check("calllist_choice", 400, s, |(id, call, mut d)| {
        let c =
            decode_choice(&encode_choice(id, &call)).ok_or_else(|| TestCaseError::fail("none"))?;
        prop_assert_eq!(c.list_id, id);
        prop_assert_eq!(c.call_id, call);
        prop_assert_eq!(decode_choice(&id.to_string()).map(|c| c.list_id), Some(id));
        // Stored garbage: `None` or a list id, never a panic.
        let g = d.any_string();
        if let Some(c) = decode_choice(&g) {
            prop_assert!(c.list_id > 0);
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// The value readers everything above is built on
// ---------------------------------------------------------------------------------------------

#[test]
fn value_readers_read_every_spelling() {
    check("value_readers", 500, dice(), |mut d| {
        let n = if d.chance(10) { 0 } else { d.id() };
        let t = d.meaningful_text(&[]);
        let b = d.chance(50);
        let mut o = Map::new();
        o.insert("n".into(), d.spell_u64_any(n));
        o.insert("t".into(), d.spell_text(&t));
        o.insert("b".into(), d.spell_bool_any(b));
        d.put(&mut o, "none", None);
        let cents = d.raw_u64() % 10_000_000_000;
        o.insert(
            "f".into(),
            json!(format!("{}.{:02}", cents / 100, cents % 100)),
        );
        prop_assert_eq!(opt_u64(&o, "n"), Ok(Some(n)));
        prop_assert_eq!(opt_text(&o, "t"), Ok(Some(t)));
        prop_assert_eq!(opt_bool(&o, "b"), Ok(Some(b)));
        prop_assert_eq!(opt_u64(&o, "none"), Ok(None));
        prop_assert_eq!(opt_text(&o, "none"), Ok(None));
        prop_assert_eq!(opt_bool(&o, "none"), Ok(None));
        prop_assert_eq!(opt_f64(&o, "none"), Ok(None));
        prop_assert_eq!(opt_f64(&o, "f"), Ok(Some(cents as f64 / 100.0)));
        // Anything: a value or an error, never a panic; errors stay short.
        let mut g = Map::new();
        g.insert("g".into(), d.garbage(3));
        for e in [
            opt_u64(&g, "g").err(),
            opt_text(&g, "g").err(),
            opt_bool(&g, "g").err(),
            opt_f64(&g, "g").err(),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(e.to_string().chars().count() < 120, "{e}");
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Issue 11: timeline comments, crm.duplicate.findbycomm
// ---------------------------------------------------------------------------------------------

#[test]
fn comments_decode_to_the_intended_meaning() {
    check("history_comments", 300, dice(), |mut d| {
        let mut rows = Vec::new();
        let mut want = Vec::new();
        for _ in 0..d.pick(8) {
            if d.chance(25) {
                rows.push(match d.pick(4) {
                    0 => d.leaf(),
                    1 => json!({"COMMENT": "no id"}),
                    2 => json!({"ID": "0"}),
                    _ => json!({"ID": "x1"}),
                });
                continue;
            }
            let id = d.id();
            // Text without brackets: BB-code removal is its own unit test.
            let text = d
                .chance(80)
                .then(|| d.meaningful_text(&[]).replace(['[', ']'], "|"));
            let author = d.chance(70).then(|| d.id());
            let dated = d.chance(70);
            let mut o = Map::new();
            o.insert("ID".into(), d.spell_u64_any(id));
            match &text {
                Some(t) => {
                    o.insert("COMMENT".into(), d.spell_text(t));
                }
                None => d.put(&mut o, "COMMENT", None),
            }
            match author {
                Some(a) => {
                    o.insert("AUTHOR_ID".into(), d.spell_u64_any(a));
                }
                None => d.put(&mut o, "AUTHOR_ID", None),
            }
            if dated {
                o.insert("CREATED".into(), json!("2024-04-12T10:00:00+03:00"));
            } else {
                let v = d.none();
                d.put(&mut o, "CREATED", v);
            }
            if d.chance(50) {
                o.insert("FILES".into(), d.garbage(2));
            }
            d.extra_keys(&mut o);
            rows.push(Value::Object(o));
            want.push((
                id,
                text.map(|t| t.trim().to_string()).unwrap_or_default(),
                author,
                dated.then_some(1_712_905_200_000i64),
            ));
        }
        let n = rows.len();
        let result = if rows.is_empty() && d.chance(50) {
            json!({})
        } else {
            Value::Array(rows)
        };
        let page =
            history::decode_comments(&result).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(page.rows, n);
        let got: Vec<_> = page
            .items
            .iter()
            .map(|c| (c.id, c.text.clone(), c.author_id, c.created_ms))
            .collect();
        prop_assert_eq!(got, want);
        // Merged into a timeline: each id once, newest first.
        let mut t = history::Timeline::new();
        t.take_comments(Some(page));
        let keys: Vec<(Option<i64>, u64)> =
            t.comments().iter().map(|c| (c.created_ms, c.id)).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] > w[1]), "{:?}", keys);
        // Anything at all: no panic; a list always decodes.
        let g = d.garbage(4);
        let r = history::decode_comments(&g);
        prop_assert_eq!(
            r.is_ok(),
            g.is_array() || g.as_object().is_some_and(Map::is_empty)
        );
        Ok(())
    });
}

#[test]
fn findbycomm_decodes_to_the_intended_meaning() {
    use callcard_core::refresh::decode_findbycomm;
    check("findbycomm", 300, dice(), |mut d| {
        let kinds = [EntityKind::Contact, EntityKind::Company, EntityKind::Lead];
        let mut map = Map::new();
        let mut want: Vec<EntityRef> = Vec::new();
        let mut per_kind: Vec<(EntityKind, Vec<u64>)> = Vec::new();
        for k in kinds {
            if d.chance(40) {
                continue;
            }
            let mut ids = Vec::new();
            let mut spelled = Vec::new();
            for _ in 0..1 + d.pick(5) {
                if d.chance(15) {
                    spelled.push(match d.pick(3) {
                        0 => json!(0),
                        1 => d.none().unwrap_or(Value::Null),
                        _ => json!("x"),
                    });
                    continue;
                }
                // Repeats come back once.
                let id = if !ids.is_empty() && d.chance(15) {
                    ids[0]
                } else {
                    d.id()
                };
                spelled.push(d.spell_u64_any(id));
                ids.push(id);
            }
            let name = if d.chance(20) {
                k.name().to_ascii_lowercase()
            } else {
                k.name()
            };
            // A PHP map with numeric keys now and then.
            let list = if d.chance(20) {
                Value::Object(
                    spelled
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                )
            } else {
                Value::Array(spelled)
            };
            map.insert(name, list);
            per_kind.push((k, ids));
        }
        if d.chance(30) {
            map.insert("DEAL".into(), json!([1, 2]));
        }
        for (k, ids) in per_kind {
            for id in ids {
                let e = EntityRef::new(k, id);
                if !want.contains(&e) {
                    want.push(e);
                }
            }
        }
        let value = if map.is_empty() && d.chance(50) {
            json!([])
        } else {
            Value::Object(map)
        };
        let got = decode_findbycomm(&value).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(got, want);
        // Anything at all: no panic; a map (or PHP's empty-map list) always decodes.
        let g = d.garbage(4);
        let r = decode_findbycomm(&g);
        prop_assert_eq!(r.is_ok(), g.is_array() || g.is_object());
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// The call-list page cache (issue 12): what a refresh re-reads, and when the cache is dropped
// ---------------------------------------------------------------------------------------------

/// A list's pages as the portal sends them: 50 members from `start`, those in `hidden` left out
/// after the cut, `None` for an empty page (`ACCESS_ERROR`), until two empty pages in a row.
fn list_pages(members: &[(u64, &'static str)], hidden: &[u64]) -> Vec<(u64, Option<Value>)> {
    let mut out = Vec::new();
    let (mut start, mut empties) = (0usize, 0);
    while empties < campaign::END_PROBE {
        let rows: Vec<Value> = members
            .iter()
            .skip(start)
            .take(campaign::CALL_LIST_PAGE_ROWS)
            .filter(|(id, _)| !hidden.contains(id))
            .map(|(id, st)| json!({"ID": id, "STATUS": st, "ENTITY_TYPE": "3"}))
            .collect();
        empties = if rows.is_empty() { empties + 1 } else { 0 };
        out.push((
            start as u64,
            (!rows.is_empty()).then_some(Value::Array(rows)),
        ));
        start += campaign::CALL_LIST_PAGE_ROWS;
    }
    out
}

fn pager_of(pages: &[(u64, Option<Value>)]) -> campaign::ItemPages {
    let mut p = campaign::ItemPages::new();
    for (start, v) in pages {
        match v {
            Some(v) => {
                p.feed(*start, v);
            }
            None if *start == 0 => p.no_access(),
            None => {
                p.feed_error(*start, "ACCESS_ERROR");
            }
        }
    }
    p
}

#[test]
fn the_page_cache_takes_statuses_and_never_keeps_another_composition() {
    const ST: [&str; 4] = ["IN_WORK", "SUCCESS", "CALLBACK", "WRONG_NUMBER"];
    check("calllist_cache", 200, dice(), |mut d| {
        let n = d.pick(400) + 1;
        let members: Vec<(u64, &'static str)> =
            (0..n).map(|i| (1_000 + i as u64, *d.one(&ST))).collect();
        let hidden: Vec<u64> = (0..d.pick(4)).map(|_| 1_000 + d.pick(n) as u64).collect();
        let cache = pager_of(&list_pages(&members, &hidden));
        let len = cache.items().len();
        let at = |d: &mut Dice| (len > 0 && d.chance(80)).then(|| d.pick(len));
        let (previous, current) = (at(&mut d), at(&mut d));
        let room = d.pick(20);
        let tick = d.pick(100);
        let Some(starts) = cache.recheck_starts(previous, current, tick, room) else {
            // Only an uncut read is a cache, and only room for the pages that can have changed.
            prop_assert!(!cache.cacheable() || room < 4);
            return Ok(());
        };
        prop_assert!(cache.cacheable());
        prop_assert!(starts.len() <= room);
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), starts.len(), "no page twice");
        prop_assert!(
            starts
                .iter()
                .all(|s| s % campaign::CALL_LIST_PAGE_ROWS as u64 == 0)
        );
        // The portal now: the called client's status set, maybe another change.
        let mut now = members.clone();
        let ids: Vec<u64> = cache.items().iter().map(|i| i.entity_id).collect();
        if let Some(p) = previous {
            let who = ids[p];
            if let Some(m) = now.iter_mut().find(|(id, _)| *id == who) {
                m.1 = "SUCCESS";
            }
        }
        let change = d.pick(5);
        match change {
            0 | 1 => {}
            2 => now.push((9_999, "IN_WORK")),
            3 => {
                let i = d.pick(now.len());
                now.remove(i);
            }
            _ => {
                let i = d.pick(now.len() + 1);
                now.insert(i, (9_998, "IN_WORK"));
            }
        }
        let fresh_pages = list_pages(&now, &hidden);
        let answers: Vec<(u64, campaign::PageAnswer)> = starts
            .iter()
            .map(|s| {
                let a = match fresh_pages.iter().find(|(st, _)| st == s) {
                    Some((_, Some(v))) => campaign::PageAnswer::Rows(v),
                    _ => campaign::PageAnswer::Empty,
                };
                (*s, a)
            })
            .collect();
        let merged = cache.clone().recheck(&answers);
        let fresh = pager_of(&fresh_pages);
        let f: Vec<u64> = fresh.items().iter().map(|i| i.entity_id).collect();
        if f != ids {
            // Members added, removed or inserted: the end moves, the cache is dropped.
            prop_assert!(merged.is_none(), "composition changed, cache kept");
            return Ok(());
        }
        let Some(merged) = merged else {
            // Kept members, another layout (a hidden one removed): dropping is the safe side.
            prop_assert!(change == 3, "statuses only, yet the cache was dropped");
            return Ok(());
        };
        let m: Vec<u64> = merged.items().iter().map(|i| i.entity_id).collect();
        prop_assert_eq!(m, f);
        // Every item on a re-read page has the portal's status now: the called client's too.
        for (i, item) in merged.items().iter().enumerate() {
            let on_reread = starts.iter().any(|s| {
                let (lo, hi) = (*s as usize, *s as usize + campaign::CALL_LIST_PAGE_ROWS);
                // Positions in the portal's order: the item's member index.
                let pos = now
                    .iter()
                    .position(|(id, _)| *id == item.entity_id)
                    .unwrap();
                (lo..hi).contains(&pos)
            });
            if on_reread || previous == Some(i) {
                prop_assert_eq!(&item.status, &fresh.items()[i].status);
            }
        }
        Ok(())
    });
}
