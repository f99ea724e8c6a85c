//! The messages between the app and the demo simulation, which runs in a Web Worker (its own
//! wasm, loaded only in demo mode, so a real portal never downloads it). Messages are JSON
//! text; [`handle`] is the whole worker, pure and host-tested.

use serde_json::{Value, json};

use crate::sim::Outcome;
use crate::{DemoConfig, Sim, SimEvent};

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
                SimEvent::BeforeClose => json!({"card": "beforeClose"}),
                SimEvent::Closed => json!({"card": "closed"}),
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
            } else if let Some(c) = e.get("card").and_then(|c| c.as_str()) {
                match c {
                    "beforeClose" => Some(SimEvent::BeforeClose),
                    "closed" => Some(SimEvent::Closed),
                    _ => None,
                }
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
    /// `{"op":"status","id":n}`, `{"op":"step","id":n,"action":"answer|hangup|redial|switch|next"}` (`next`: the campaign's
    /// "Next", [`Sim::next_in_campaign`]),
    /// `{"op":"refresh","id":n}` (the app refreshed its token, as `BX24.refreshAuth` would).
    /// Out: `{"op":"ready",…snapshot}` or `{"op":"reply","id":n,…}` with, for `rest`, either
    /// `ok` (the body), `err` (`[status, body]` — 5xx included: emulating BX24.js, which throws
    /// and never calls back on a 5xx, is the caller's job) or `stalled: true` (the request never
    /// answers: the caller should leave it pending); `ok: true` for `refresh`; `status`, `events`;
    /// and on every reply `requests` (REST requests so far), `faults` (faults injected so far) and
    /// `list_sizes` (`[[list id, true size], …]`, for the demo panel).
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
                match sim.rest_outcome(method, &params) {
                    Outcome::Answer(body) => json!({"ok": body}),
                    Outcome::Error(status, body) => json!({"err": [status, body]}),
                    Outcome::NeverAnswers => json!({"stalled": true}),
                }
            }
            "refresh" => {
                sim.refresh_token();
                json!({"ok": true})
            }
            "status" => json!({"status": sim.status()}),
            // `disableAutoClose` / `enableAutoClose`, and the countdown's clock.
            "autoclose" => {
                let enabled = msg.get("enabled").and_then(|e| e.as_bool()).unwrap_or(true);
                json!({"events": events_to_json(sim.auto_close(enabled))})
            }
            "tick" => json!({"events": events_to_json(sim.tick())}),
            "step" => {
                let events = match msg.get("action").and_then(|a| a.as_str()).unwrap_or("") {
                    "answer" => sim.answer(),
                    "hangup" => sim.hangup(),
                    "redial" => sim.redial(),
                    "switch" => sim.switch_client(),
                    "next" => sim.next_in_campaign(),
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
        out["faults"] = json!(sim.fault_log().len());
        out["list_sizes"] = json!(sim.call_list_sizes());
        out["autoclose"] = sim.auto_close_state();
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
    fn auto_close_runs_on_the_workers_clock_and_every_reply_says_where_it_stands() {
        let mut w = Worker::default();
        w.handle(r#"{"op":"init","query":"?autoclose=10"}"#, 1.0e12);
        w.handle(r#"{"op":"step","id":1,"action":"answer"}"#, 1.0e12);
        let end = w.handle(r#"{"op":"step","id":2,"action":"hangup"}"#, 1.0e12);
        assert_eq!(
            end["autoclose"],
            json!({"held": false, "closed": false, "closesAt": 1.0e12 + 10_000.0})
        );
        let held = w.handle(
            r#"{"op":"autoclose","id":3,"enabled":false}"#,
            1.0e12 + 1_000.0,
        );
        assert_eq!(held["autoclose"]["held"], true);
        let early = w.handle(r#"{"op":"tick","id":4}"#, 1.0e12 + 11_000.0);
        assert_eq!(
            events_from_json(&early["events"]),
            vec![],
            "a hold lasts 65 s, not N"
        );
        let t = w.handle(r#"{"op":"tick","id":4}"#, 1.0e12 + 66_000.0);
        assert_eq!(
            events_from_json(&t["events"]),
            vec![SimEvent::BeforeClose],
            "blocked"
        );
        assert_eq!(t["autoclose"]["closed"], false);
        let rel = w.handle(
            r#"{"op":"autoclose","id":5,"enabled":true}"#,
            1.0e12 + 12_000.0,
        );
        assert_eq!(
            events_from_json(&rel["events"]),
            vec![SimEvent::BeforeClose, SimEvent::Closed]
        );
        assert_eq!(
            rel["autoclose"],
            json!({"held": false, "closed": true, "closesAt": null})
        );
        let again = w.handle(
            r#"{"op":"step","id":6,"action":"redial"}"#,
            1.0e12 + 13_000.0,
        );
        assert_eq!(
            again["autoclose"]["closed"], false,
            "a new call opens the card"
        );
    }

    #[test]
    fn next_steps_through_the_campaign() {
        let mut w = Worker::default();
        w.handle(r#"{"op":"init","query":"?scenario=campaign"}"#, 1.0e12);
        let before = w.handle(r#"{"op":"status","id":1}"#, 1.0e12)["status"].clone();
        let s = w.handle(r#"{"op":"step","id":2,"action":"next"}"#, 1.0e12);
        let events = events_from_json(&s["events"]);
        assert!(matches!(
            &events[..],
            [SimEvent::EntityChanged(_), SimEvent::StateChanged { .. }]
        ));
        assert_ne!(s["status"]["CRM_ENTITY_ID"], before["CRM_ENTITY_ID"]);
        assert_ne!(s["status"]["CALL_ID"], before["CALL_ID"]);
        assert_eq!(s["status"]["CALL_STATE"], "connecting");
        // Outside a campaign "next" does nothing.
        let mut w = Worker::default();
        w.handle(r#"{"op":"init","query":"?scenario=incoming"}"#, 1.0e12);
        let s = w.handle(r#"{"op":"step","id":2,"action":"next"}"#, 1.0e12);
        assert_eq!(s["events"], json!([]));
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
    fn faults_reach_the_wire() {
        let mut w = Worker::default();
        let ready = w.handle(
            r#"{"op":"init","query":"?expire=2&stall=user.get&fail=ACCESS_DENIED:1:app.info"}"#,
            0.0,
        );
        assert_eq!(ready["op"], "ready");
        let rest = |w: &mut Worker, id: u64, method: &str| {
            let m = json!({"op": "rest", "id": id, "method": method, "params": {}});
            w.handle(&m.to_string(), 0.0)
        };
        let r = rest(&mut w, 1, "user.get");
        assert_eq!(r["stalled"], true);
        assert!(r.get("ok").is_none() && r.get("err").is_none());
        assert_eq!(
            (r["id"].as_u64(), r["requests"].as_u64()),
            (Some(1), Some(1))
        );
        let r = rest(&mut w, 2, "app.info");
        assert_eq!(r["err"][0], 403);
        assert_eq!(r["err"][1]["error"], "ACCESS_DENIED");
        let r = rest(&mut w, 3, "user.current");
        assert_eq!(
            (r["err"][0].as_u64(), r["err"][1]["error"].as_str()),
            (Some(401), Some("expired_token"))
        );
        assert_eq!(r["faults"], 3);
        let r = w.handle(r#"{"op":"refresh","id":4}"#, 0.0);
        assert_eq!((r["ok"].as_bool(), r["id"].as_u64()), (Some(true), Some(4)));
        assert_eq!(r["requests"], 3, "a refresh is not a REST request");
        let r = rest(&mut w, 5, "user.current");
        assert_eq!(r["ok"]["result"]["ID"], "1");
        assert_eq!(r["faults"], 3);
        // A 5xx is reported with its body; the caller emulates BX24.js's throw.
        let mut w = Worker::default();
        w.handle(
            r#"{"op":"init","query":"fail=QUERY_LIMIT_EXCEEDED:1"}"#,
            0.0,
        );
        let r = rest(&mut w, 1, "batch");
        assert_eq!(r["err"][0], 503);
        assert_eq!(r["err"][1]["error"], "QUERY_LIMIT_EXCEEDED");
        // Before init a refresh is refused like everything else.
        let r = Worker::default().handle(r#"{"op":"refresh","id":1}"#, 0.0);
        assert_eq!(r["err"][1]["error"], "DEMO_NOT_READY");
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
