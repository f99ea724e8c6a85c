//! What every property suite shares (`crates/core/tests/props_*.rs`): the runner that counts
//! cases (`props-cases <name> <n>`, which `scripts/fuzz.sh` adds up), and [`Dice`], the
//! generator of Bitrix24's spellings every suite builds its payloads from.
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
// Each suite is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::cell::Cell;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseResult, TestRunner};
use serde_json::{Map, Number, Value, json};

use callcard_core::call::OtherItem;
use callcard_core::model::{EntityKind, EntityRef};

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

/// Runs `test` on `cases` values of `strategy` (or `PROPTEST_CASES` of them), and reports the
/// count of cases that ran and passed. A failing or panicking case fails the test with the
/// (shrunk) input.
pub fn check<S: Strategy>(
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
pub struct Dice {
    /// The seed at first, then the stream's position.
    pub state: u64,
    pub texts: Vec<String>,
    pub t: usize,
}

pub fn dice() -> impl Strategy<Value = Dice> {
    (any::<u64>(), vec("\\PC{0,24}", 1..4)).prop_map(|(seed, texts)| Dice {
        state: seed,
        texts,
        t: 0,
    })
}

/// Strings the portal (or a broken proxy) is known to send, and a few that look like JSON,
/// markup or state words.
pub const SPECIAL: &[&str] = &[
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
pub const KEYS: &[&str] = &[
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
    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn pick(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u8) -> bool {
        self.pick(100) < percent as usize
    }
    pub fn one<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[self.pick(of.len())]
    }
    pub fn raw_u64(&mut self) -> u64 {
        self.next()
    }
    /// A positive id, mostly small, sometimes up to `u64::MAX`.
    pub fn id(&mut self) -> u64 {
        match self.pick(6) {
            0..=2 => 1 + self.pick(5000) as u64,
            3 => 1 + self.raw_u64() % 1_000_000_000,
            4 => 1 + self.raw_u64() % (1 << 53),
            _ => self.raw_u64().max(1),
        }
    }
    /// A generated Unicode text.
    pub fn random_text(&mut self) -> String {
        let s = self.texts[self.t % self.texts.len()].clone();
        self.t += 1;
        s
    }
    /// Any string, special or random.
    pub fn any_string(&mut self) -> String {
        if self.chance(40) {
            self.one(SPECIAL).to_string()
        } else {
            self.random_text()
        }
    }
    /// A text that carries a value: trimmed, not empty, not a "no value" spelling. With
    /// `avoid`, also none of these words (case-insensitive).
    pub fn meaningful_text(&mut self, avoid: &[&str]) -> String {
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
    pub fn pad(&mut self, s: &str) -> String {
        match self.pick(6) {
            0 => format!(" {s}"),
            1 => format!("{s}\t"),
            2 => format!("\u{a0}{s} "),
            _ => s.to_string(),
        }
    }

    // --- spellings -----------------------------------------------------------------------

    /// A "no value" spelling; `None` is a missing key.
    pub fn none(&mut self) -> Option<Value> {
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
    pub fn spell_u64(&mut self, n: u64, strings: bool) -> Value {
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
    pub fn spell_u64_any(&mut self, n: u64) -> Value {
        let strings = self.chance(50);
        self.spell_u64(n, strings)
    }
    pub fn spell_bool_any(&mut self, b: bool) -> Value {
        let strings = self.chance(50);
        self.spell_bool(b, strings)
    }
    pub fn spell_text(&mut self, t: &str) -> Value {
        Value::String(self.pad(t))
    }
    pub fn spell_bool(&mut self, b: bool, strings: bool) -> Value {
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
    pub fn random_case(&mut self, s: &str) -> String {
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
    pub fn put(&mut self, o: &mut Map<String, Value>, key: &str, v: Option<Value>) {
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
    pub fn extra_keys(&mut self, o: &mut Map<String, Value>) {
        for _ in 0..self.pick(3) {
            let k = format!("X_{}", self.random_text());
            let v = self.garbage(2);
            o.entry(k).or_insert(v);
        }
    }

    // --- garbage -------------------------------------------------------------------------

    /// A number of any size and sign.
    pub fn any_number(&mut self) -> Value {
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
    pub fn leaf(&mut self) -> Value {
        match self.pick(6) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 => self.any_number(),
            3 => json!(self.raw_u64().to_string()),
            _ => Value::String(self.any_string()),
        }
    }
    /// Any JSON value, up to `depth` levels of arrays and objects.
    pub fn garbage(&mut self, depth: u32) -> Value {
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
    pub fn deep(&mut self) -> Value {
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

pub const KNOWN_KINDS: &[EntityKind] = &[
    EntityKind::Lead,
    EntityKind::Deal,
    EntityKind::Contact,
    EntityKind::Company,
    EntityKind::Invoice,
    EntityKind::Quote,
    EntityKind::SmartInvoice,
];

/// Type names no [`EntityKind`] answers to (orders, requisites, documents, typos).
pub const OTHER_TYPES: &[&str] = &[
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
    pub fn known_kind(&mut self) -> EntityKind {
        if self.chance(15) {
            EntityKind::Dynamic(128 + self.pick(2000) as u32)
        } else {
            *self.one(KNOWN_KINDS)
        }
    }
    /// A known type, by name in any case or by number (`strings`: the number as text).
    pub fn spell_kind(&mut self, k: EntityKind, strings: bool) -> Value {
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
    pub fn other_type(&mut self) -> String {
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
pub enum Entry {
    Known(EntityRef),
    Other(OtherItem),
    /// Names nothing (id 0 or none): skipped silently.
    Nothing,
    /// Cannot be read: skipped and counted.
    Garbage,
}

impl Dice {
    /// A fresh id, spelled as the portal may (with `strings`, as `PLACEMENT_OPTIONS` spells it).
    pub fn spell_new_id(&mut self, strings: bool) -> Value {
        let id = self.id();
        self.spell_u64(id, strings)
    }
}
