//! How the demo portal answers a method, before the envelope: results ([`Reply`]) and failures
//! ([`Fault`]), lenient parameters (names in any case, numbers as strings), filters, orders,
//! field selection and 50-row pages. Every method module builds on these.
use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use serde_json::{Map, Value, json};

use crate::config::Faults;
use callcard_core::model::value::{parse_decimal, value_u64};
use callcard_core::rest::paging::LIST_PAGE_ROWS;

/// A method's result before the envelope is added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) result: Value,
    pub(crate) total: Option<u64>,
    pub(crate) next: Option<u64>,
}

impl Reply {
    pub(crate) fn plain(result: Value) -> Reply {
        Reply {
            result,
            total: None,
            next: None,
        }
    }
}

/// A method's failure: the HTTP status and the Bitrix24 error body.
#[derive(Debug)]
pub(crate) struct Fault {
    pub(crate) status: u16,
    pub(crate) code: Cow<'static, str>,
    pub(crate) description: String,
    /// The parameter at fault, sent as `argument` with `ERROR_ARGUMENT`.
    pub(crate) argument: Option<&'static str>,
}

impl Fault {
    pub(crate) fn missing(argument: &'static str) -> Fault {
        Fault {
            status: 400,
            code: "ERROR_ARGUMENT".into(),
            description: format!("Argument '{argument}' is null or empty"),
            argument: Some(argument),
        }
    }

    pub(crate) fn not_found(description: &str) -> Fault {
        Fault {
            status: 400,
            code: "NOT_FOUND".into(),
            description: description.into(),
            argument: None,
        }
    }

    /// An error the demo's `fail=` rules inject.
    pub(crate) fn injected(code: &str) -> Fault {
        Fault {
            status: Faults::status_of(code),
            code: Cow::Owned(code.to_string()),
            description: Faults::description_of(code),
            argument: None,
        }
    }

    pub(crate) fn method_not_found() -> Fault {
        Fault {
            status: 404,
            code: "ERROR_METHOD_NOT_FOUND".into(),
            description: "Method not found!".into(),
            argument: None,
        }
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = object(json!({"error": self.code, "error_description": self.description}));
        if let Some(argument) = self.argument {
            body.insert("argument".into(), argument.into());
        }
        Value::Object(body)
    }
}

/// A parameter by name. Names are matched ignoring case, as the portal does for most methods.
pub(crate) fn arg<'a>(params: &'a Value, name: &str) -> Option<&'a Value> {
    let obj = params.as_object()?;
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A non-empty text parameter (numbers are accepted as text).
pub(crate) fn text_arg(params: &Value, name: &str) -> Option<String> {
    match arg(params, name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn to_u64(v: &Value) -> Option<u64> {
    value_u64(v).ok().flatten()
}

pub(crate) fn to_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `1`, `"1"`, `true`, `"true"`, `"Y"` — the spellings of "yes" a form-encoded flag arrives in.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "y" | "yes"
        ),
        _ => false,
    }
}

/// The values of a list parameter: an array, a PHP map with numeric keys, or one scalar.
pub(crate) fn values_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => m.values().collect(),
        other => vec![other],
    }
}

/// A field of a row, looked up ignoring case (filters and selects arrive as `ID` or `id`).
/// The rows as `select` asks (`select`, with `id_key` always): whole rows when nothing or `*`
/// is asked. `hidden` is a field the method cannot select.
pub(crate) fn select_fields(
    rows: Vec<&Map<String, Value>>,
    params: &Value,
    id_key: &str,
    hidden: &str,
) -> Vec<Value> {
    let select: Vec<&str> = arg(params, "select")
        .map(values_of)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .collect();
    if select.is_empty() || select.contains(&"*") {
        return rows.into_iter().map(|r| Value::Object(r.clone())).collect();
    }
    rows.into_iter()
        .map(|row| {
            let mut item = Map::new();
            for name in std::iter::once(id_key).chain(select.iter().copied()) {
                if let Some((key, value)) = field(row, name).filter(|(k, _)| *k != hidden) {
                    item.insert(key.clone(), value.clone());
                }
            }
            Value::Object(item)
        })
        .collect()
}

pub(crate) fn field<'a>(
    row: &'a Map<String, Value>,
    name: &str,
) -> Option<(&'a String, &'a Value)> {
    row.get_key_value(name)
        .or_else(|| row.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
}

/// A scalar as comparable text; numbers compare as numbers wherever both sides are numeric.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "Y".into() } else { "N".into() }),
        _ => None,
    }
}

pub(crate) fn compare(have: &Value, want: &Value) -> Option<Ordering> {
    let (a, b) = (scalar_text(have)?, scalar_text(want)?);
    let flag = |s: &str| match s.to_ascii_lowercase().as_str() {
        "y" | "true" => "Y".to_string(),
        "n" | "false" => "N".to_string(),
        _ => s.to_string(),
    };
    match (parse_decimal(&a), parse_decimal(&b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(flag(&a).cmp(&flag(&b))),
    }
}

/// Equality for filters: `"5"` equals `5`; an array field matches if any element does.
pub(crate) fn loose_eq(have: &Value, want: &Value) -> bool {
    match have {
        Value::Array(items) => items.iter().any(|h| loose_eq(h, want)),
        _ => compare(have, want) == Some(Ordering::Equal),
    }
}

/// Whether a row passes a `filter` object: every `[op]field: value` condition must hold.
/// Operators: none or `=` (equal, or one of a list), `!`/`!=`, `@`/`!@` (in / not in a list),
/// `>`, `>=`, `<`, `<=`, `%` (contains). A field the row does not have restricts nothing, so an
/// unsupported filter widens the answer rather than failing the demo.
pub(crate) fn passes(row: &Map<String, Value>, filter: &Map<String, Value>) -> bool {
    filter.iter().all(|(key, want)| {
        let (op, name) = ["!@", ">=", "<=", "!=", "@", "=", "!", ">", "<", "%"]
            .iter()
            .find_map(|op| key.strip_prefix(*op).map(|rest| (*op, rest)))
            .unwrap_or(("", key.as_str()));
        let Some((_, have)) = field(row, name) else {
            return true;
        };
        let any_equal = || values_of(want).into_iter().any(|w| loose_eq(have, w));
        match op {
            "" | "=" | "@" => any_equal(),
            "!" | "!=" | "!@" => !any_equal(),
            ">" => compare(have, want) == Some(Ordering::Greater),
            ">=" => matches!(
                compare(have, want),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            "<" => compare(have, want) == Some(Ordering::Less),
            "<=" => matches!(compare(have, want), Some(Ordering::Less | Ordering::Equal)),
            _ => match (scalar_text(have), scalar_text(want)) {
                // ASCII case folding only: Unicode case tables would cost the shipped build
                // more than this demo filter is worth.
                (Some(h), Some(w)) => h.to_ascii_lowercase().contains(&w.to_ascii_lowercase()),
                _ => false,
            },
        }
    })
}

/// Sorts rows by an `order` object (`{"id": "DESC"}`); rows keep their order otherwise.
pub(crate) fn sort_rows(rows: &mut [&Map<String, Value>], order: Option<&Value>) {
    let Some(Value::Object(order)) = order else {
        return;
    };
    rows.sort_by(|a, b| {
        for (name, dir) in order {
            let ord = match (field(a, name), field(b, name)) {
                (Some((_, x)), Some((_, y))) => compare(x, y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            let ord = if dir
                .as_str()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("desc"))
            {
                ord.reverse()
            } else {
                ord
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

/// One page of a list method.
#[derive(Debug, PartialEq)]
pub(crate) struct Page {
    pub(crate) range: Range<usize>,
    pub(crate) total: Option<u64>,
    pub(crate) next: Option<u64>,
}

/// 50 rows from `start`, with `next` when more follow. A negative `start` (`-1`) is the fast
/// mode: the first page without counting, so neither `total` nor `next`.
pub(crate) fn page(len: usize, start: i64) -> Page {
    if start < 0 {
        return Page {
            range: 0..len.min(LIST_PAGE_ROWS),
            total: None,
            next: None,
        };
    }
    let from = usize::try_from(start).unwrap_or(usize::MAX).min(len);
    let to = from.saturating_add(LIST_PAGE_ROWS).min(len);
    Page {
        range: from..to,
        total: Some(len as u64),
        next: (to < len).then_some(to as u64),
    }
}

pub(crate) fn paged(rows: Vec<Value>, params: &Value) -> Reply {
    let start = arg(params, "start").and_then(to_i64).unwrap_or(0);
    let page = page(rows.len(), start);
    let result = rows
        .get(page.range)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    Reply {
        result: Value::Array(result),
        total: page.total,
        next: page.next,
    }
}

pub(crate) fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A PHP array as `json_encode` writes it: `[]` when empty, a list when the keys are 0..n in
/// order, an object otherwise.
pub(crate) fn php_map(entries: Vec<(String, Value)>) -> Value {
    let is_list = entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| *k == i.to_string());
    if is_list {
        Value::Array(entries.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Object(entries.into_iter().collect())
    }
}
