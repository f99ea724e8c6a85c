//! The messages between the app and the demo simulation, which runs in a Web Worker (its own
//! wasm, loaded only in demo mode, so a real portal never downloads it). Messages are JSON
//! text; [`handle`] is the whole worker, pure and host-tested.

use serde_json::{Value, json};

use super::{DemoConfig, Sim, SimEvent};

/// Encodes the simulation's events for the wire.
pub fn events_to_json(events: Vec<SimEvent>) -> Value {
    Value::Array(
        events
            .into_iter()
            .map(|e| match e {
                SimEvent::StateChanged { state, failed_code } => {
                    json!({"state": state, "failedCode": failed_code})
                }
                SimEvent::EntityChanged(v) => json!({"entity": v}),
            })
            .collect(),
    )
}

/// Decodes [`events_to_json`]'s output back into events (unknown entries are skipped).
pub fn events_from_json(v: &Value) -> Vec<SimEvent> {
    v.as_array()
        .map(|a| a.as_slice())
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| {
            if let Some(s) = e.get("state").and_then(|s| s.as_str()) {
                let failed_code = e
                    .get("failedCode")
                    .and_then(|c| c.as_str())
                    .map(str::to_string);
                Some(SimEvent::StateChanged {
                    state: s.to_string(),
                    failed_code,
                })
            } else {
                e.get("entity").cloned().map(SimEvent::EntityChanged)
            }
        })
        .collect()
}

/// The worker's state: nothing until `init`, then one simulation.
#[derive(Default)]
pub struct Worker {
    sim: Option<Sim>,
}

fn snapshot(sim: &Sim) -> Value {
    json!({"placement": sim.placement(), "options": sim.placement_options(), "status": sim.status(),
           "requests": sim.request_count()})
}

impl Worker {
    /// Answers one message. `now_ms` is the worker's clock.
    ///
    /// In: `{"op":"init","query":"?…"}`, `{"op":"rest","id":n,"method":m,"params":{…}}`,
    /// `{"op":"status","id":n}`, `{"op":"step","id":n,"action":"answer|hangup|redial|switch"}`.
    /// Out: `{"op":"ready",…snapshot}` or `{"op":"reply","id":n,…}` with `ok`/`err` (REST),
    /// `status`, `events`, `requests`.
    pub fn handle(&mut self, message: &str, now_ms: f64) -> Value {
        let msg: Value = serde_json::from_str(message).unwrap_or(Value::Null);
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let op = msg.get("op").and_then(|o| o.as_str()).unwrap_or("");
        if op == "init" {
            let query = msg.get("query").and_then(|q| q.as_str()).unwrap_or("");
            let mut sim = Sim::new(&DemoConfig::from_query(query));
            sim.set_now_ms(now_ms);
            let mut out = snapshot(&sim);
            out["op"] = json!("ready");
            self.sim = Some(sim);
            return out;
        }
        let Some(sim) = self.sim.as_mut() else {
            return json!({"op": "reply", "id": id, "err": [503, {"error": "DEMO_NOT_READY", "error_description": "init first"}]});
        };
        sim.set_now_ms(now_ms);
        let mut out = match op {
            "rest" => {
                let method = msg.get("method").and_then(|m| m.as_str()).unwrap_or("");
                let params = msg.get("params").cloned().unwrap_or_else(|| json!({}));
                match sim.rest(method, &params) {
                    Ok(body) => json!({"ok": body}),
                    Err((status, body)) => json!({"err": [status, body]}),
                }
            }
            "status" => json!({"status": sim.status()}),
            "step" => {
                let events = match msg.get("action").and_then(|a| a.as_str()).unwrap_or("") {
                    "answer" => sim.answer(),
                    "hangup" => sim.hangup(),
                    "redial" => sim.redial(),
                    "switch" => sim.switch_client(),
                    _ => Vec::new(),
                };
                json!({"events": events_to_json(events), "status": sim.status()})
            }
            _ => {
                json!({"err": [400, {"error": "DEMO_UNKNOWN_OP", "error_description": "unknown op"}]})
            }
        };
        out["op"] = json!("reply");
        out["id"] = id;
        out["requests"] = json!(sim.request_count());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_then_rest_then_steps() {
        let mut w = Worker::default();
        let early = w.handle(r#"{"op":"rest","id":1,"method":"user.current"}"#, 0.0);
        assert_eq!(early["err"][1]["error"], "DEMO_NOT_READY");
        let ready = w.handle(
            r#"{"op":"init","query":"?scenario=incoming&lang=ru"}"#,
            1.0e12,
        );
        assert_eq!(ready["op"], "ready");
        assert_eq!(ready["placement"], "CALL_CARD");
        assert_eq!(ready["status"]["CALL_DIRECTION"], "incoming");
        assert!(
            ready["options"]["CRM_ENTITY_ID"].is_string(),
            "options are the string-typed snapshot"
        );

        let r = w.handle(
            r#"{"op":"rest","id":7,"method":"crm.status.list","params":{}}"#,
            1.0e12,
        );
        assert_eq!(
            (r["op"].as_str(), r["id"].as_u64(), r["requests"].as_u64()),
            (Some("reply"), Some(7), Some(1))
        );
        assert!(r["ok"]["result"].is_array());
        let e = w.handle(r#"{"op":"rest","id":8,"method":"no.such"}"#, 1.0e12);
        assert_eq!(e["err"][0], 404);

        let s = w.handle(r#"{"op":"step","id":9,"action":"answer"}"#, 1.0e12);
        let events = events_from_json(&s["events"]);
        assert_eq!(
            events,
            vec![SimEvent::StateChanged {
                state: "connected".into(),
                failed_code: None
            }]
        );
        assert_eq!(s["status"]["CALL_STATE"], "connected");
        let s = w.handle(r#"{"op":"step","id":10,"action":"switch"}"#, 1.0e12);
        assert!(matches!(
            events_from_json(&s["events"])[..],
            [SimEvent::EntityChanged(_)]
        ));
    }

    #[test]
    fn garbage_messages_get_an_answer_not_a_panic() {
        let mut w = Worker::default();
        for m in [
            "",
            "{",
            "null",
            "[]",
            r#"{"op":5}"#,
            r#"{"op":"init","query":7}"#,
            r#"{"op":"step","id":1,"action":"fly"}"#,
        ] {
            let _ = w.handle(m, 0.0);
        }
        let r = w.handle(r#"{"op":"fly","id":2}"#, 0.0);
        assert_eq!(r["err"][1]["error"], "DEMO_UNKNOWN_OP");
    }

    #[test]
    fn events_round_trip() {
        let ev = vec![
            SimEvent::StateChanged {
                state: "idle".into(),
                failed_code: Some("486".into()),
            },
            SimEvent::EntityChanged(json!({"CRM_ENTITY_ID": 3})),
        ];
        assert_eq!(events_from_json(&events_to_json(ev.clone())), ev);
    }
}
