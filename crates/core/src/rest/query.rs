//! PHP-style query strings (`filter[@id][0]=5&select[0]=id`), the form `batch` commands use.
//!
//! `encode` writes what the BX24 library's `prepareData` writes; `decode` reads it back the way
//! PHP's `parse_str` does (the demo portal uses it to answer batches exactly like the server).

use serde_json::{Map, Value};

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` and `+` (as PHP does); invalid escapes are kept as they are.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if *b { "1".into() } else { "0".into() }),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn encode_into(out: &mut Vec<String>, prefix: &str, v: &Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = if prefix.is_empty() {
                    encode_component(k)
                } else {
                    format!("{prefix}[{}]", encode_component(k))
                };
                encode_into(out, &key, child);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                encode_into(out, &format!("{prefix}[{i}]"), child);
            }
        }
        other => {
            if let Some(s) = scalar(other) {
                out.push(format!("{prefix}={}", encode_component(&s)));
            }
        }
    }
}

/// Encodes an object of parameters. Nulls are left out; booleans become `1`/`0`.
pub fn encode(params: &Value) -> String {
    let mut parts = Vec::new();
    if let Value::Object(_) = params {
        encode_into(&mut parts, "", params);
    }
    parts.join("&")
}

fn insert_path(root: &mut Map<String, Value>, path: &[String], value: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        root.insert(first.clone(), Value::String(value));
        return;
    }
    let slot = root
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(m) = slot {
        // `a[]=x` appends, as in PHP.
        if rest[0].is_empty() {
            let idx = m.len().to_string();
            let mut p = rest.to_vec();
            p[0] = idx;
            insert_path(m, &p, value);
        } else {
            insert_path(m, rest, value);
        }
    }
}

/// Turns objects whose keys are exactly 0..n into arrays (PHP arrays become JSON arrays).
fn listify(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let is_list = !m.is_empty() && (0..m.len()).all(|i| m.contains_key(&i.to_string()));
            if is_list {
                let mut m = m;
                Value::Array(
                    (0..m.len())
                        .map(|i| listify(m.remove(&i.to_string()).unwrap_or(Value::Null)))
                        .collect(),
                )
            } else {
                Value::Object(m.into_iter().map(|(k, v)| (k, listify(v))).collect())
            }
        }
        other => other,
    }
}

/// Decodes a query string into nested values. Every leaf is a string, as in PHP.
pub fn decode(query: &str) -> Value {
    let mut root = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_component(k);
        let value = decode_component(v);
        // name[a][b] → ["name", "a", "b"]
        let (head, tail) = match key.find('[') {
            Some(i) if key.ends_with(']') => (&key[..i], &key[i..]),
            _ => (key.as_str(), ""),
        };
        let mut path = vec![head.to_string()];
        if !tail.is_empty() {
            for seg in tail[1..tail.len() - 1].split("][") {
                path.push(seg.to_string());
            }
        }
        insert_path(&mut root, &path, value);
    }
    listify(Value::Object(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_nested_params_like_the_library() {
        let q = encode(
            &json!({"entityTypeId": 3, "filter": {"@id": [5, 7]}, "select": ["id", "title"]}),
        );
        assert_eq!(
            q,
            "entityTypeId=3&filter[%40id][0]=5&filter[%40id][1]=7&select[0]=id&select[1]=title"
        );
    }

    #[test]
    fn round_trips_through_decode() {
        let p = json!({"entityTypeId": "3", "filter": {"@id": ["5", "7"], "name": "Анна & Co"}, "select": ["id"]});
        assert_eq!(decode(&encode(&p)), p);
    }

    #[test]
    fn references_survive_encoding() {
        let q = encode(&json!({"ID": "$result[client][item][assignedById]"}));
        assert_eq!(
            decode(&q),
            json!({"ID": "$result[client][item][assignedById]"})
        );
    }

    #[test]
    fn booleans_and_nulls() {
        assert_eq!(
            encode(&json!({"a": true, "b": false, "c": null})),
            "a=1&b=0"
        );
    }

    #[test]
    fn decode_is_total_on_garbage() {
        for s in [
            "",
            "&&&",
            "=",
            "a[=1",
            "a]=2",
            "%",
            "%zz=1",
            "a[b][]=1&a[b][]=2",
        ] {
            let _ = decode(s);
        }
        assert_eq!(decode("a[b][]=1&a[b][]=2"), json!({"a": {"b": ["1", "2"]}}));
        assert_eq!(decode("x=%zz"), json!({"x": "%zz"}));
    }
}
