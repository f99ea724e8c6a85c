//! The boundary's conversions of JS values (`frame::convert`, wasm-bindgen-test in headless
//! Chromium): what they make of numbers, `undefined`, cycles and depth; and a micro-benchmark of
//! the JSON-text path they use against serde-wasm-bindgen (the measured alternative, a
//! dev-dependency only): a batch answer's `result.data()` of 50 items, 1,000 times each way. The
//! benchmark prints the times and checks that both paths give the same value; it is ignored by
//! default (it times, it does not test). Run it with the release profile:
//! `cargo test --release --target wasm32-unknown-unknown --features demo --test boundary convert:: -- --include-ignored --nocapture`
use std::fmt;

use callcard::frame::browser::perf_now;
use callcard::frame::convert::{to_js, to_json};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

const ROUNDS: u32 = 1_000;

fn js(code: &str) -> JsValue {
    js_sys::eval(code).unwrap_or_else(|e| panic!("js failed: {code}: {e:?}"))
}

#[wasm_bindgen_test]
fn numbers_read_as_the_decoders_expect() {
    let v = to_json(&js(
        "({a: 123, b: 123.5, c: -7, d: 1e16, e: -0, f: NaN, g: Infinity, h: '123', i: 5.0})",
    ))
    .unwrap();
    // Whole numbers are integers (the decoders' `as_u64` reads them), not `123.0`.
    assert_eq!(v["a"].as_u64(), Some(123));
    assert_eq!(v["a"].to_string(), "123");
    assert_eq!(v["b"].as_f64(), Some(123.5));
    assert_eq!(v["c"].as_i64(), Some(-7));
    assert_eq!(v["d"].as_u64(), Some(10_000_000_000_000_000));
    assert_eq!(v["e"].as_u64(), Some(0));
    assert_eq!(v["f"], Value::Null);
    assert_eq!(v["g"], Value::Null);
    assert_eq!(v["h"], Value::String("123".into()));
    assert_eq!(v["i"].as_u64(), Some(5));
}

#[wasm_bindgen_test]
fn undefined_is_null_and_an_undefined_member_is_left_out() {
    assert_eq!(to_json(&JsValue::UNDEFINED), Ok(Value::Null));
    assert_eq!(to_json(&JsValue::NULL), Ok(Value::Null));
    let v = to_json(&js(
        "({a: undefined, b: null, c: [undefined, 1], f: function () {}})",
    ))
    .unwrap();
    assert!(v.get("a").is_none());
    assert_eq!(v["b"], Value::Null);
    assert_eq!(v["c"], serde_json::json!([null, 1]));
    assert!(v.get("f").is_none());
}

#[wasm_bindgen_test]
fn a_cycle_or_a_too_deep_value_is_an_error_not_a_crash() {
    // The classic library's error answer: `{error, error_description, ex: <ajaxError pointing back>}`.
    let cyclic = js(
        "(function () { var a = {error: 'X', error_description: 'y'}; a.ex = {status: 400, ex: a}; return a; })()",
    );
    assert!(to_json(&cyclic).is_err());
    let deep =
        js("(function () { var v = 1; for (var i = 0; i < 200; i++) v = [v]; return v; })()");
    assert!(to_json(&deep).is_err());
    let fine =
        js("(function () { var v = 1; for (var i = 0; i < 100; i++) v = {a: v}; return v; })()");
    assert!(to_json(&fine).is_ok());
    assert!(to_json(&js("({n: 10n})")).is_err());
}

#[wasm_bindgen_test]
fn text_keeps_every_character() {
    let v = to_json(&js(r"({s: 'Иван \u00e9 \ud83d\ude00 <b>&amp;</b>'})")).unwrap();
    assert_eq!(v["s"], Value::String("Иван é 😀 <b>&amp;</b>".into()));
    let back = to_js(&v);
    assert_eq!(to_json(&back).unwrap(), v);
}

/// A `batch` answer's `result` as the library hands it over (parsed JSON): 30 activities with
/// their communications, 10 contacts with phones, 10 deals; ids as text and as numbers, dates,
/// nulls, an empty `result_error`, totals and times.
const ANSWER: &str = r#"
(function () {
  function activity(i) {
    return { ID: String(4100 + i), OWNER_ID: String(70 + i % 5), OWNER_TYPE_ID: '3', TYPE_ID: i % 3 === 0 ? '2' : '4',
      PROVIDER_ID: 'VOXIMPLANT_CALL', PROVIDER_TYPE_ID: 'CALL', SUBJECT: 'Outgoing call to +7 999 123-45-' + (10 + i),
      CREATED: '2026-11-' + (10 + i % 18) + 'T10:' + (10 + i) + ':00+03:00', DEADLINE: '2026-11-20T10:00:00+03:00',
      COMPLETED: i % 2 ? 'Y' : 'N', DIRECTION: i % 2 ? '2' : '1', RESPONSIBLE_ID: 12, DESCRIPTION: i % 4 ? null : 'Asked for the price list; call back on Monday.',
      SETTINGS: [], COMMUNICATIONS: [{ ID: 900 + i, TYPE: 'PHONE', VALUE: '+7999123450' + (i % 10), ENTITY_ID: String(70 + i % 5), ENTITY_TYPE_ID: 3 }] };
  }
  function contact(i) {
    return { ID: String(70 + i), NAME: 'Anna ' + i, LAST_NAME: 'Petrova', COMPANY_ID: i % 2 ? '15' : null, ASSIGNED_BY_ID: '12',
      PHONE: [{ ID: String(300 + i), VALUE_TYPE: 'WORK', VALUE: '+7 999 123-45-' + (60 + i), TYPE_ID: 'PHONE' }],
      DATE_MODIFY: '2026-11-28T09:30:00+03:00', OPENED: 'Y' };
  }
  function deal(i) {
    return { ID: String(500 + i), TITLE: 'Deal #' + (500 + i), STAGE_ID: 'C2:PREPARATION', OPPORTUNITY: (125000 + i * 1000.5).toFixed(2),
      CURRENCY_ID: 'RUB', CONTACT_ID: String(70 + i), CLOSED: 'N', CATEGORY_ID: 2, PROBABILITY: null, BEGINDATE: '2026-11-01T03:00:00+03:00' };
  }
  var acts = [], contacts = [], deals = [];
  for (var i = 0; i < 30; i++) acts.push(activity(i));
  for (var j = 0; j < 10; j++) { contacts.push(contact(j)); deals.push(deal(j)); }
  var t = { start: 1764580000.1, finish: 1764580000.2, duration: 0.1, processing: 0.05, date_start: '2026-12-01T14:00:00+03:00', date_finish: '2026-12-01T14:00:00+03:00' };
  return JSON.parse(JSON.stringify({
    result: { activities: acts, contacts: contacts, deals: deals },
    result_error: [], result_total: { activities: 30, contacts: 10, deals: 10 }, result_next: {},
    result_time: { activities: t, contacts: t, deals: t }
  }));
})()
"#;

/// serde-wasm-bindgen, JS → Rust (the measured alternative).
fn to_json_by_values(v: &JsValue) -> Value {
    Bounded(128)
        .deserialize(serde_wasm_bindgen::Deserializer::from(v.clone()))
        .unwrap()
}

/// serde-wasm-bindgen, Rust → JS (the measured alternative).
fn to_js_by_serializer(v: &Value) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

fn time(what: &str, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let t0 = perf_now();
    for _ in 0..ROUNDS {
        f();
    }
    let ms = perf_now() - t0;
    console_log!(
        "{what}: {ms:.1} ms for {ROUNDS} ({:.1} µs each)",
        ms * 1000.0 / ROUNDS as f64
    );
    ms
}

#[wasm_bindgen_test]
#[ignore]
fn conversions_of_a_batch_answer() {
    let js = js_sys::eval(ANSWER).unwrap();
    let by_text = to_json(&js).unwrap();
    assert_eq!(
        to_json_by_values(&js),
        by_text,
        "both paths read the same value"
    );
    assert_eq!(
        by_text["result"]["activities"].as_array().unwrap().len(),
        30
    );

    let mut keep = 0usize;
    time(
        "JS → Rust, JSON.stringify + serde_json (frame::convert::to_json)",
        || {
            keep += to_json(&js).unwrap().as_object().unwrap().len();
        },
    );
    time("JS → Rust, serde-wasm-bindgen into a Value", || {
        keep += to_json_by_values(&js).as_object().unwrap().len();
    });
    time(
        "Rust → JS, serde_json text + JSON.parse (frame::convert::to_js)",
        || {
            keep += to_js(&by_text).is_object() as usize;
        },
    );
    time("Rust → JS, serde-wasm-bindgen json_compatible", || {
        keep += to_js_by_serializer(&by_text).is_object() as usize;
    });
    assert_eq!(to_json(&to_js_by_serializer(&by_text)).unwrap(), by_text);
    assert!(keep > 0);
}

/// The largest whole float that is still a `u64`: 2^64, exclusive.
const U64_END: f64 = 18_446_744_073_709_551_616.0;
/// The smallest whole float that is still an `i64`: -2^63.
const I64_START: f64 = -9_223_372_036_854_775_808.0;

/// serde-wasm-bindgen's way: builds a `Value` from its deserializer, `0` levels of nesting left
/// meaning "too deep" (a cycle would otherwise overflow the stack).
struct Bounded(u16);

impl Bounded {
    fn inner<E: serde::de::Error>(&self) -> Result<Bounded, E> {
        match self.0.checked_sub(1) {
            Some(left) => Ok(Bounded(left)),
            None => Err(E::custom("nested too deeply (a cycle?)")),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Bounded {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("plain data")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    /// JS numbers are all floats: a whole one is an integer, as `JSON.parse` of its text gives
    /// it to serde_json (`1e16` is `10000000000000000`); NaN and infinities are `null`.
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(if v.fract() == 0.0 && (0.0..U64_END).contains(&v) {
            (v as u64).into()
        } else if v.fract() == 0.0 && (I64_START..0.0).contains(&v) {
            (v as i64).into()
        } else {
            Number::from_f64(v).map_or(Value::Null, Value::Number)
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(Bounded(inner.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Bounded(inner.0))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}
