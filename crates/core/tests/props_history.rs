//! Property tests of the history's decoders (issues 9, 11): `crm.activity.list`,
//! `voximplant.statistic.get` and the timeline comments.
//!
//! The generators and the properties are described in `common/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

use callcard_core::history::{self, ActivityKind, CallOutcome, StatsAccess};
use callcard_core::rest::RestAnswer;

use common::*;

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
// Issue 11: timeline comments
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
