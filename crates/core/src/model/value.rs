//! Lenient readers for Bitrix24 payload values.
//!
//! The portal sends the same field as `123`, `"123"`, `""`, `"undefined"`, `null` or not at all,
//! depending on whether it came from `PLACEMENT_OPTIONS` (all strings) or `getStatus` (real types).
//! These readers fold those spellings into `Option`s and turn anything else into a
//! [`DecodeError`] value — never a panic.

use serde_json::{Map, Value};
use thiserror::Error;

/// Why a payload could not be read. Field names are the portal's keys, so a log line says where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The payload as a whole had the wrong shape (e.g. a string where an object was expected).
    #[error("expected {expected}, got {got}")]
    Shape {
        expected: &'static str,
        got: &'static str,
    },
    /// One field had a type or value that cannot mean anything sensible.
    #[error("field {field}: expected {expected}, got {got}")]
    Field {
        field: String,
        expected: &'static str,
        got: String,
    },
}

/// A short name of a JSON value's type, for error messages (never the value itself: it may be private).
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short quotation of a value for an error message: at most 24 characters, in plain quotes.
/// (Not `{:?}`: Debug escaping pulls Unicode tables into the WebAssembly.)
pub fn quoted(s: &str) -> String {
    let short: String = s.chars().take(24).collect();
    format!("\"{short}\"")
}

/// A decimal number written as text (`"1500.00"`, `" 12 "`), read with serde_json's number parser
/// so that the build carries one float parser, not two.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    serde_json::from_str::<f64>(t)
        .ok()
        .filter(|f| f.is_finite())
}

/// True for the spellings Bitrix24 uses for "no value".
pub fn is_none_like(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => {
            let s = s.trim();
            s.is_empty() || s == "undefined" || s == "null"
        }
        _ => false,
    }
}

/// The payload as an object, or a shape error.
pub fn as_object(v: &Value) -> Result<&Map<String, Value>, DecodeError> {
    v.as_object().ok_or(DecodeError::Shape {
        expected: "object",
        got: kind_of(v),
    })
}

fn field_err(field: &str, expected: &'static str, v: &Value) -> DecodeError {
    // The value is shortened: payloads carry personal data and are never logged whole.
    let mut got = kind_of(v).to_string();
    if let Value::String(s) = v {
        got = format!("string {}", quoted(s));
    }
    DecodeError::Field {
        field: field.to_string(),
        expected,
        got,
    }
}

/// A text field: strings and numbers are accepted; none-like spellings are `None`.
pub fn opt_text(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, DecodeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) if is_none_like(v) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(field_err(key, "text", v)),
    }
}

/// An unsigned id or count: `123`, `"123"`, `123.0`; none-like spellings are `None`.
pub fn opt_u64(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, DecodeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => value_u64(v).map_err(|_| field_err(key, "unsigned number", v)),
    }
}

/// A value that should have been an unsigned number and was not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// The largest float below which every whole number is exact: 2^53.
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// [`opt_u64`] for a bare value.
pub fn value_u64(v: &Value) -> Result<Option<u64>, NotANumber> {
    if is_none_like(v) {
        return Ok(None);
    }
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u))
            } else if let Some(f) = n
                .as_f64()
                // Every whole float up to 2^53 is exact (was `< 9.0e15`, which turned down
                // exact ids just below 2^53; found by crates/core/tests/props_*.rs).
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= MAX_EXACT_FLOAT)
            {
                Ok(Some(f as u64))
            } else {
                Err(NotANumber)
            }
        }
        Value::String(s) => s.trim().parse::<u64>().map(Some).map_err(|_| NotANumber),
        _ => Err(NotANumber),
    }
}

/// A decimal amount: `1500`, `"1500.00"`, `1500.5`.
pub fn opt_f64(obj: &Map<String, Value>, key: &str) -> Result<Option<f64>, DecodeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) if is_none_like(v) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => parse_decimal(&s.replace(',', "."))
            .map(Some)
            .ok_or_else(|| field_err(key, "decimal number", &Value::String(s.clone()))),
        Some(v) => Err(field_err(key, "decimal number", v)),
    }
}

/// A flag: `true`, `"true"`, `"Y"`, `1`, `"1"` (and their opposites); none-like is `None`.
pub fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, DecodeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) if is_none_like(v) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "y" | "1" | "yes" => Ok(Some(true)),
            "false" | "n" | "0" | "no" => Ok(Some(false)),
            _ => Err(field_err(key, "flag", &Value::String(s.clone()))),
        },
        Some(v) => Err(field_err(key, "flag", v)),
    }
}

/// A list result: an array, or PHP's empty map `{}` for an empty one.
pub fn as_list<'a>(v: &'a Value, expected: &'static str) -> Result<&'a [Value], DecodeError> {
    match v {
        Value::Array(a) => Ok(a.as_slice()),
        Value::Object(m) if m.is_empty() => Ok(&[]),
        other => Err(DecodeError::Shape {
            expected,
            got: kind_of(other),
        }),
    }
}

/// An array field: absent/none-like is empty; an empty object `{}` (PHP's empty map) is empty too.
pub fn opt_array<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], DecodeError> {
    match obj.get(key) {
        None => Ok(&[]),
        Some(v) if is_none_like(v) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(Value::Object(o)) if o.is_empty() => Ok(&[]),
        Some(v) => Err(field_err(key, "array", v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn o(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn ids_accept_numbers_and_numeric_strings() {
        let m = o(json!({"a": 797, "b": "797", "c": "", "d": "undefined", "e": null, "f": 12.0}));
        assert_eq!(opt_u64(&m, "a"), Ok(Some(797)));
        assert_eq!(opt_u64(&m, "b"), Ok(Some(797)));
        assert_eq!(opt_u64(&m, "c"), Ok(None));
        assert_eq!(opt_u64(&m, "d"), Ok(None));
        assert_eq!(opt_u64(&m, "e"), Ok(None));
        assert_eq!(opt_u64(&m, "f"), Ok(Some(12)));
        assert_eq!(opt_u64(&m, "missing"), Ok(None));
    }

    #[test]
    fn whole_floats_up_to_two_to_the_53rd() {
        let m = o(
            json!({"a": 9_007_199_254_740_000.0_f64, "b": 9_007_199_254_740_992.0_f64, "c": 1.0e16}),
        );
        assert_eq!(opt_u64(&m, "a"), Ok(Some(9_007_199_254_740_000)));
        assert_eq!(opt_u64(&m, "b"), Ok(Some(9_007_199_254_740_992)));
        assert!(opt_u64(&m, "c").is_err());
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        let m = o(json!({"a": "12abc", "b": [1], "c": -3, "d": {"x": 1}, "e": 1.5}));
        for k in ["a", "b", "c", "d", "e"] {
            assert!(
                matches!(opt_u64(&m, k), Err(DecodeError::Field { .. })),
                "{k}"
            );
        }
        assert!(opt_text(&m, "b").is_err());
        assert!(opt_bool(&m, "a").is_err());
    }

    #[test]
    fn flags_in_every_spelling() {
        let m = o(
            json!({"a": true, "b": "false", "c": "Y", "d": "N", "e": 1, "f": "0", "g": "undefined"}),
        );
        assert_eq!(opt_bool(&m, "a"), Ok(Some(true)));
        assert_eq!(opt_bool(&m, "b"), Ok(Some(false)));
        assert_eq!(opt_bool(&m, "c"), Ok(Some(true)));
        assert_eq!(opt_bool(&m, "d"), Ok(Some(false)));
        assert_eq!(opt_bool(&m, "e"), Ok(Some(true)));
        assert_eq!(opt_bool(&m, "f"), Ok(Some(false)));
        assert_eq!(opt_bool(&m, "g"), Ok(None));
    }

    #[test]
    fn error_text_never_carries_a_long_value() {
        let m = o(json!({"a": "x".repeat(500)}));
        let e = opt_u64(&m, "a").unwrap_err().to_string();
        assert!(e.len() < 120, "{e}");
    }

    #[test]
    fn decimals_from_text() {
        assert_eq!(parse_decimal("1500.00"), Some(1500.0));
        assert_eq!(parse_decimal(" 12 "), Some(12.0));
        assert_eq!(parse_decimal("+3.5"), Some(3.5));
        assert_eq!(parse_decimal("-0.25"), Some(-0.25));
        for bad in ["", "abc", "1,5", "0x10", "1.2.3", "NaN", "inf", "1e999"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        let m = o(json!({"a": "125000,50"}));
        assert_eq!(opt_f64(&m, "a"), Ok(Some(125000.5)));
    }

    #[test]
    fn quotations_are_short_and_plain() {
        assert_eq!(quoted("ringing"), "\"ringing\"");
        assert_eq!(quoted(&"я".repeat(100)).chars().count(), 26);
    }

    #[test]
    fn php_empty_map_is_an_empty_array() {
        let m = o(json!({"a": {}, "b": [], "c": "x"}));
        assert!(opt_array(&m, "a").unwrap().is_empty());
        assert!(opt_array(&m, "b").unwrap().is_empty());
        assert!(opt_array(&m, "c").is_err());
    }
}
