//! `batch`: up to 50 named commands in one HTTP request, with per-key results and errors.

use serde_json::{Map, Value, json};

use super::error::{RestAnswer, RestError};
use super::query;
use crate::model::value::{DecodeError, value_u64};

/// The most commands one `batch` may carry.
pub const MAX_COMMANDS: usize = 50;

/// One named command.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub key: String,
    pub method: String,
    pub params: Value,
}

/// A batch under construction. Keys are unique; adding a key again replaces the command.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    pub halt: bool,
    pub commands: Vec<Command>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Adds (or replaces) a command under `key`.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        method: impl Into<String>,
        params: Value,
    ) -> &mut Batch {
        let key = key.into();
        let cmd = Command {
            key: key.clone(),
            method: method.into(),
            params,
        };
        match self.commands.iter_mut().find(|c| c.key == key) {
            Some(slot) => *slot = cmd,
            None => self.commands.push(cmd),
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// A `$result[key][field]…` reference to an earlier command's answer, resolved by the server.
    pub fn reference(key: &str, path: &[&str]) -> String {
        let mut s = format!("$result[{key}]");
        for p in path {
            s.push_str(&format!("[{p}]"));
        }
        s
    }

    /// Checks that every `$result[key]` reference names a command that runs earlier. The `cmd`
    /// map is sent with its keys in sorted order (a JSON object here, a PHP array there), and the
    /// portal runs commands in that order: a reference to a later key silently resolves to "".
    pub fn check_references(&self) -> Result<(), String> {
        let mut keys: Vec<&str> = self.commands.iter().map(|c| c.key.as_str()).collect();
        keys.sort_unstable();
        for c in &self.commands {
            let text = c.params.to_string();
            for part in text.split("$result[").skip(1) {
                let target = part.split(']').next().unwrap_or("");
                let ok = keys
                    .iter()
                    .position(|k| *k == target)
                    .zip(keys.iter().position(|k| *k == c.key))
                    .is_some_and(|(t, me)| t < me);
                if !ok {
                    return Err(format!(
                        "{} refers to {target}, which does not run before it",
                        c.key
                    ));
                }
            }
        }
        Ok(())
    }

    /// The parameters of the `batch` call itself, split into chunks of at most 50 commands.
    /// (References only work within one chunk; callers that use them keep batches small.)
    pub fn to_params(&self) -> Vec<Value> {
        self.commands
            .chunks(MAX_COMMANDS)
            .map(|chunk| {
                let mut cmd = Map::new();
                for c in chunk {
                    let q = query::encode(&c.params);
                    let line = if q.is_empty() {
                        c.method.clone()
                    } else {
                        format!("{}?{}", c.method, q)
                    };
                    cmd.insert(c.key.clone(), Value::String(line));
                }
                json!({"halt": if self.halt { 1 } else { 0 }, "cmd": cmd})
            })
            .collect()
    }
}

/// What a batch answered, by key. (Small vectors, not maps: a batch has a handful of keys, and
/// every map instantiation costs the WebAssembly build several kilobytes.)
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchAnswer {
    pub results: Vec<(String, RestAnswer)>,
    pub errors: Vec<(String, RestError)>,
}

impl BatchAnswer {
    /// The result for `key`, or its error; a key the server did not answer is a decode error.
    pub fn get(&self, key: &str) -> Result<&RestAnswer, RestError> {
        if let Some((_, e)) = self.errors.iter().find(|(k, _)| k == key) {
            return Err(e.clone());
        }
        self.results
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| a)
            .ok_or_else(|| {
                RestError::Decode(DecodeError::Field {
                    field: format!("batch.{key}"),
                    expected: "a result",
                    got: "nothing".into(),
                })
            })
    }

    /// Merges a later chunk's answer.
    pub fn merge(&mut self, other: BatchAnswer) {
        self.results.extend(other.results);
        self.errors.extend(other.errors);
    }
}

/// PHP sends empty maps as `[]` and maps with keys 0..n as arrays; both become `(key, value)` pairs.
fn entries(v: Option<&Value>) -> Vec<(String, Value)> {
    match v {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// One key of a per-key map that PHP may have sent as an object or as a list.
fn entry<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    match v? {
        Value::Object(m) => m.get(key),
        Value::Array(a) => a.get(key.parse::<usize>().ok()?),
        _ => None,
    }
}

/// Decodes `batch`'s `result` (the inner object with `result`, `result_error`, …).
pub fn decode_answer(result: &Value) -> Result<BatchAnswer, DecodeError> {
    let Some(obj) = result.as_object() else {
        return Err(DecodeError::Shape {
            expected: "batch result object",
            got: crate::model::value::kind_of(result),
        });
    };
    let mut out = BatchAnswer::default();
    for (k, v) in entries(obj.get("result")) {
        out.results.push((
            k.clone(),
            RestAnswer {
                result: v,
                next: entry(obj.get("result_next"), &k).and_then(|n| value_u64(n).ok().flatten()),
                total: entry(obj.get("result_total"), &k).and_then(|n| value_u64(n).ok().flatten()),
                time: entry(obj.get("result_time"), &k).cloned(),
            },
        ));
    }
    for (k, e) in entries(obj.get("result_error")) {
        // A sub-call error has no HTTP status of its own; 400 is what the server would have sent.
        let err = match &e {
            Value::String(code) => RestError::Api {
                status: 400,
                code: code.clone(),
                description: String::new(),
            },
            other => RestError::from_body(400, other),
        };
        out.results.retain(|(rk, _)| *rk != k);
        out.errors.push((k, err));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_named_commands_with_references() {
        let mut b = Batch::new();
        b.add(
            "client",
            "crm.item.get",
            json!({"entityTypeId": 3, "id": 797}),
        );
        b.add(
            "user",
            "user.get",
            json!({"ID": Batch::reference("client", &["item", "assignedById"])}),
        );
        let p = b.to_params();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0]["halt"], 0);
        assert_eq!(p[0]["cmd"]["client"], "crm.item.get?entityTypeId=3&id=797");
        assert_eq!(
            p[0]["cmd"]["user"],
            "user.get?ID=%24result%5Bclient%5D%5Bitem%5D%5BassignedById%5D"
        );
    }

    #[test]
    fn references_must_point_backwards_in_key_order() {
        let mut b = Batch::new();
        b.add("client", "crm.item.get", json!({"id": 1}));
        b.add(
            "user",
            "user.get",
            json!({"ID": Batch::reference("client", &["item", "assignedById"])}),
        );
        assert_eq!(b.check_references(), Ok(()));
        b.add(
            "a_first",
            "user.get",
            json!({"ID": Batch::reference("client", &["x"])}),
        );
        assert!(b.check_references().is_err(), "a_first sorts before client");
        let mut b = Batch::new();
        b.add(
            "x",
            "user.get",
            json!({"ID": Batch::reference("nowhere", &[])}),
        );
        assert!(b.check_references().is_err());
    }

    #[test]
    fn same_key_replaces() {
        let mut b = Batch::new();
        b.add("a", "m1", json!({})).add("a", "m2", json!({}));
        assert_eq!(b.len(), 1);
        assert_eq!(b.to_params()[0]["cmd"]["a"], "m2");
    }

    #[test]
    fn more_than_fifty_commands_are_chunked() {
        let mut b = Batch::new();
        for i in 0..120 {
            b.add(format!("k{i}"), "user.get", json!({"ID": i}));
        }
        let p = b.to_params();
        assert_eq!(
            p.iter()
                .map(|c| c["cmd"].as_object().unwrap().len())
                .collect::<Vec<_>>(),
            vec![50, 50, 20]
        );
    }

    #[test]
    fn decodes_per_key_results_errors_and_empty_maps() {
        let r = json!({
            "result": {"a": {"item": {"id": 1}}, "b": null, "c": []},
            "result_error": {"d": {"error": "NOT_FOUND", "error_description": "Not found"}},
            "result_total": [],
            "result_next": {"c": 50},
            "result_time": {"a": {"start": 1.0}}
        });
        let a = decode_answer(&r).unwrap();
        assert_eq!(a.get("a").unwrap().result["item"]["id"], 1);
        assert_eq!(a.get("b").unwrap().result, Value::Null);
        assert_eq!(a.get("c").unwrap().next, Some(50));
        assert_eq!(a.get("d").unwrap_err().code(), Some("NOT_FOUND"));
        assert!(a.get("zzz").is_err());
    }

    #[test]
    fn all_empty_batch_answer() {
        let a = decode_answer(&json!({"result": [], "result_error": [], "result_total": [], "result_next": [], "result_time": []})).unwrap();
        assert!(a.results.is_empty() && a.errors.is_empty());
        assert!(decode_answer(&json!("nope")).is_err());
    }
}
