//! Property tests of the REST layer's decoders (issue 9): batch answers, and the value readers
//! every decoder is built on.
//!
//! The generators and the properties are described in `common/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

use callcard_core::model::value::{opt_bool, opt_f64, opt_text, opt_u64};
use callcard_core::rest::batch::decode_answer;
use callcard_core::rest::{RestAnswer, RestError};

use common::*;

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
// The value readers every decoder is built on
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
