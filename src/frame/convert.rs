//! JS values ⇄ JSON values at the boundary. Only plain data is converted (placement info,
//! `getStatus`, event arguments, `result.data()` and the answer's `next` and `time`), never the
//! library's result object whole: its error points back at its answer, a cycle.
//!
//! Both ways go through JSON text (`JSON.stringify` + serde_json, serde_json + `JSON.parse`), not
//! `serde-wasm-bindgen`, which the design asked for: measured on a 50-item batch answer
//! (`tests/boundary/convert.rs`, release build, headless Chromium), serde-wasm-bindgen into a
//! `serde_json::Value` took 2.30 ms a conversion against 0.62 ms (JS → Rust) and 3.70 ms against
//! 0.70 ms (Rust → JS, `json_compatible`), and added 9,701 B brotli to the operator's download
//! (222,835 → 232,536 B, over the 218 KiB ceiling of `scripts/test.sh`). A value crosses the
//! boundary once as one string; value by value it crosses it several times per member.

use serde_json::Value;
use wasm_bindgen::JsValue;

/// A short, token-free description of a thrown JS value.
pub fn describe(e: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.name())
            + ": "
            + &String::from(err.message())
                .chars()
                .take(120)
                .collect::<String>();
    }
    e.as_string()
        .map(|s| s.chars().take(120).collect())
        .unwrap_or_else(|| "unknown error".into())
}

/// JS → JSON value, through `JSON.stringify`: a cycle (the classic library's error objects point
/// back at their answer) or anything else unserialisable becomes an error value, and serde_json's
/// depth limit (128) bounds the recursion — never a stack overflow or a panic. `undefined` is
/// `null`; an `undefined` or function member is left out, as `JSON.stringify` does.
pub fn to_json(v: &JsValue) -> Result<Value, String> {
    if v.is_undefined() {
        return Ok(Value::Null);
    }
    let text = js_sys::JSON::stringify(v).map_err(|e| describe(&e))?;
    let text = text
        .as_string()
        .ok_or_else(|| "not representable as JSON".to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string().chars().take(80).collect())
}

/// JSON value → plain JS object (through `JSON.parse`: one JSON codec in the build, not two).
pub fn to_js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap_or(JsValue::NULL)
}
