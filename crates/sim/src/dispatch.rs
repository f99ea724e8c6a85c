//! One REST request on the demo portal: faults first, then the method (or a `batch` of them,
//! with `$result[…]` references), wrapped in the portal's envelope (`result`, `time`,
//! `total`/`next`) and charged to the method's `operating` time.

use serde_json::{Map, Value, json};

use crate::answer::*;
use crate::calllist;
use crate::calllist_rest;
use crate::crm_rest;
use crate::dates::iso;
use crate::faults::batch_methods;
use crate::matching;
use crate::placements::{self, Binding};
use crate::sim::{Injected, Outcome, Sim};
use crate::timeline;
use callcard_core::rest::batch::MAX_COMMANDS;
use callcard_core::rest::query;

/// Time the portal spends before and after a method's own work (routing, auth, encoding):
/// `duration` is always a little longer than `processing`, as on a real portal.
const BOOTSTRAP_SECS: f64 = 0.021;

/// Width of the window `operating` is summed over; `operating_reset_at` is this far ahead.
const OPERATING_WINDOW_SECS: i64 = 600;

/// Rounds to microseconds, the precision the portal reports.
fn micros(secs: f64) -> f64 {
    (secs * 1e6).round() / 1e6
}

/// How long a method "works" on the server, in seconds. Fixed per method, so answers are
/// reproducible and list calls visibly cost more than lookups.
fn processing_secs(method: &str) -> f64 {
    match method {
        "crm.item.list" => 0.0342,
        "crm.item.get" => 0.0187,
        "user.get" => 0.0094,
        "crm.status.list" => 0.0061,
        "user.current" => 0.0031,
        "app.info" => 0.0022,
        "batch" => 0.0008,
        _ => 0.0045,
    }
}

/// The `time` object. `operating` (with its reset time) is left out where the portal leaves it
/// out: in the per-command `result_time` of a batch.
fn time_object(start: f64, processing: f64, operating: Option<f64>) -> Value {
    let finish = start + processing + BOOTSTRAP_SECS;
    let mut t = object(json!({
        "start": micros(start),
        "finish": micros(finish),
        "duration": micros(finish - start),
        "processing": micros(processing),
        "date_start": iso(start.floor() as i64),
        "date_finish": iso(finish.floor() as i64),
    }));
    if let Some(operating) = operating {
        t.insert(
            "operating_reset_at".into(),
            json!(start.floor() as i64 + OPERATING_WINDOW_SECS),
        );
        t.insert("operating".into(), json!(micros(operating)));
    }
    Value::Object(t)
}

/// Replaces every `$result[key][field]…` string with that value of an earlier command's result
/// (any depth); a path that leads nowhere becomes `""`, as on the portal.
fn resolve_references(v: &mut Value, done: &Map<String, Value>) {
    match v {
        Value::String(s) if s.starts_with("$result[") => {
            *v = reference_target(&s["$result".len()..], done)
                .unwrap_or_else(|| Value::String(String::new()));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| resolve_references(x, done)),
        Value::Object(m) => m.values_mut().for_each(|x| resolve_references(x, done)),
        _ => {}
    }
}

fn reference_target(path: &str, done: &Map<String, Value>) -> Option<Value> {
    let inner = path.strip_prefix('[')?.strip_suffix(']')?;
    let mut segments = inner.split("][");
    let mut at = done.get(segments.next()?)?;
    for seg in segments {
        at = match at {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!at.is_null()).then(|| at.clone())
}

impl Sim {
    /// Answers one REST request like the portal: `Ok(body)` with `result`, `time` and, for
    /// lists, `total`/`next`; or `Err((http_status, {error, error_description}))`.
    /// Every call is one request — a `batch` too, however many commands it carries — and so is
    /// a failed one. [`Sim::rest_outcome`] tells a request that never answers apart; here it is
    /// `Err((504, DEMO_NEVER_ANSWERS))`.
    pub fn rest(&mut self, method: &str, params: &Value) -> Result<Value, (u16, Value)> {
        match self.rest_outcome(method, params) {
            Outcome::Answer(body) => Ok(body),
            Outcome::Error(status, body) => Err((status, body)),
            Outcome::NeverAnswers => Err((
                504,
                json!({"error": "DEMO_NEVER_ANSWERS",
                       "error_description": "The demo portal never answers this request (stall=)"}),
            )),
        }
    }

    /// Answers one REST request with the faults of the config applied, in this order:
    /// an expired token (`expire=N`: 401 `expired_token` once more than N requests were made
    /// since the token was issued or [refreshed](Sim::refresh_token)); a stalled method
    /// (`stall=`: [`Outcome::NeverAnswers`]; a batch stalls when any of its commands does);
    /// then each `fail=` rule in order, firing with its ratio.
    ///
    /// A rule without a method applies to every request as a whole. A rule for a method applies
    /// to that method's requests, and to a batch's commands of that method: a 5xx, 429 or 401
    /// fails the batch as a whole (drawn once per such command), any other code becomes that
    /// command's `result_error` while the rest of the batch runs, as on the real portal.
    /// The draws come from a PRNG seeded by the config's seed, so the same seed and requests
    /// give the same faults.
    pub fn rest_outcome(&mut self, method: &str, params: &Value) -> Outcome {
        let method = method.trim().to_ascii_lowercase();
        self.request_log.push(method.clone());
        self.since_refresh += 1;
        if self.faults.expire.is_some_and(|n| self.since_refresh > n) {
            return self.inject(method, "expired_token");
        }
        let stalled = self.faults.stalls(&method)
            || (method == "batch" && batch_methods(params).iter().any(|m| self.faults.stalls(m)));
        if stalled {
            self.fault_log.push((method, Injected::NeverAnswers));
            return Outcome::NeverAnswers;
        }
        if let Some(code) = self.draw_failure(&method, params) {
            return self.inject(method, &code);
        }
        match self.portal_answer(&method, params) {
            Ok(body) => Outcome::Answer(body),
            Err((status, body)) => Outcome::Error(status, body),
        }
    }

    /// The portal's own answer to a request, faults aside.
    fn portal_answer(&mut self, method: &str, params: &Value) -> Result<Value, (u16, Value)> {
        let start = self.now_ms / 1000.0;
        let (outcome, processing) = if method == "batch" {
            self.batch(params, start)
        } else {
            (self.dispatch(method, params), processing_secs(method))
        };
        let reply = outcome.map_err(|f| (f.status, f.body()))?;
        // The outer batch is not charged: its commands are, each to its own method.
        let operating = if method == "batch" {
            0.0
        } else {
            self.charge(method, processing)
        };
        let mut body = object(
            json!({"result": reply.result, "time": time_object(start, processing, Some(operating))}),
        );
        if let Some(total) = reply.total {
            body.insert("total".into(), total.into());
        }
        if let Some(next) = reply.next {
            body.insert("next".into(), next.into());
        }
        Ok(Value::Object(body))
    }

    /// Adds a call's processing time to its method's `operating` and returns the new sum.
    fn charge(&mut self, method: &str, processing: f64) -> f64 {
        let total = self.operating.entry(method.to_string()).or_insert(0.0);
        *total += processing;
        *total
    }

    fn dispatch(&mut self, method: &str, params: &Value) -> Result<Reply, Fault> {
        match method {
            "crm.item.get" => crm_rest::item_get(&self.crm, params),
            "crm.item.list" => crm_rest::item_list(&self.crm, params),
            "crm.duplicate.findbycomm" => matching::find_by_comm(&self.crm, params),
            "crm.status.list" => Ok(crm_rest::status_list(self.lang, params)),
            "user.get" => Ok(crm_rest::user_get(&self.crm, params)),
            "user.current" => Ok(Reply::plain(
                self.crm.users.first().cloned().unwrap_or(Value::Null),
            )),
            "app.info" => Ok(Reply::plain(placements::app_info(
                self.lang,
                &self.lang_code,
            ))),
            "placement.get" => Ok(Reply::plain(Value::Array(
                self.bindings.iter().map(Binding::to_json).collect(),
            ))),
            "placement.bind" => placements::bind(&mut self.bindings, params),
            "placement.unbind" => placements::unbind(&mut self.bindings, params),
            m if m.starts_with("crm.calllist.") => {
                let crm = &self.crm;
                let ids_of = |kind| crm.of_kind(kind).map(|r| r.entity.id).collect();
                let now = (self.now_ms / 1000.0).floor() as i64;
                self.calllists.dispatch(m, params, &ids_of, now)
            }
            "crm.activity.list" if calllist_rest::is_call_list_query(params) => {
                Ok(self.calllists.activity_list(params))
            }
            "crm.activity.list" => self.history.activity_list(&self.crm, self.now_ms, params),
            "voximplant.statistic.get" => {
                self.history.statistic_get(&self.crm, self.now_ms, params)
            }
            "crm.timeline.comment.add" => {
                self.timeline
                    .comment_add(&self.crm, self.now_ms, calllist::ME, params)
            }
            "crm.timeline.comment.list" => {
                self.timeline.comment_list(&self.crm, self.now_ms, params)
            }
            "crm.activity.todo.add" => {
                let todo = timeline::todo_params(&self.crm, calllist::ME, params)?;
                let id = self.next_activity_id;
                self.next_activity_id += 1;
                self.history.add_todo(&self.crm, self.now_ms, id, todo);
                Ok(Reply::plain(json!({ "id": id })))
            }
            _ => Err(Fault::method_not_found()),
        }
    }

    /// `batch`: commands run in the order the `cmd` object iterates — the order the app's own
    /// encoder sends them in — so a reference to a key that comes later resolves to `""` here
    /// exactly as on the portal. Returns the outcome and the server time spent.
    fn batch(&mut self, params: &Value, start: f64) -> (Result<Reply, Fault>, f64) {
        let overhead = processing_secs("batch");
        let halt = arg(params, "halt").is_some_and(truthy);
        let commands: Vec<(String, &Value)> = match arg(params, "cmd") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Some(_) => return (Err(Fault::missing("cmd")), overhead),
        };
        let mut results = Vec::new();
        let mut errors = Vec::new();
        let mut totals = Vec::new();
        let mut nexts = Vec::new();
        let mut times = Vec::new();
        let mut done = Map::new();
        let mut clock = start + overhead;
        for (key, line) in commands.iter().take(MAX_COMMANDS) {
            let (method, outcome) = self.command(key, line, &done);
            match outcome {
                Ok(reply) => {
                    let processing = processing_secs(&method);
                    self.charge(&method, processing);
                    times.push((key.clone(), time_object(clock, processing, None)));
                    clock += processing;
                    if let Some(total) = reply.total {
                        totals.push((key.clone(), total.into()));
                    }
                    if let Some(next) = reply.next {
                        nexts.push((key.clone(), next.into()));
                    }
                    done.insert(key.clone(), reply.result.clone());
                    results.push((key.clone(), reply.result));
                }
                Err(f) => {
                    errors.push((key.clone(), f.body()));
                    if halt {
                        break;
                    }
                }
            }
        }
        // The length is checked before anything runs, so `halt` does not hide these.
        for (key, _) in commands.iter().skip(MAX_COMMANDS) {
            let description = format!("Max batch length exceeded ({MAX_COMMANDS})");
            let f = Fault {
                status: 400,
                code: "ERROR_BATCH_LENGTH_EXCEEDED".into(),
                description,
                argument: None,
            };
            errors.push((key.clone(), f.body()));
        }
        let result = json!({
            "result": php_map(results),
            "result_error": php_map(errors),
            "result_total": php_map(totals),
            "result_next": php_map(nexts),
            "result_time": php_map(times),
        });
        (Ok(Reply::plain(result)), clock - start)
    }

    /// Runs one batch command line (`method?query`) with its references resolved against the
    /// results so far; returns the method name and the outcome.
    fn command(
        &mut self,
        key: &str,
        line: &Value,
        done: &Map<String, Value>,
    ) -> (String, Result<Reply, Fault>) {
        let Some(line) = line.as_str() else {
            return (String::new(), Err(Fault::missing("cmd")));
        };
        let (method, query) = line.split_once('?').unwrap_or((line, ""));
        let method = method.trim().to_ascii_lowercase();
        let mut params = query::decode(query);
        resolve_references(&mut params, done);
        let outcome = if method == "batch" {
            let description = "Method is not allowed for batch usage".into();
            Err(Fault {
                status: 405,
                code: "ERROR_BATCH_METHOD_NOT_ALLOWED".into(),
                description,
                argument: None,
            })
        } else if let Some(fault) = self.draw_command_failure(key, &method) {
            Err(fault)
        } else {
            self.dispatch(&method, &params)
        };
        (method, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_tables::*;
    use crate::testing::*;

    use callcard_core::model::entity::EntityKind;
    use callcard_core::rest::batch::{Batch, decode_answer};
    use serde_json::{Value, json};

    #[test]
    fn batch_with_references_answers_like_the_portal() {
        let mut s = sim("");
        let status = decoded(&s);
        let contact = status.entity.unwrap();
        let deal_ids: Vec<u64> = status
            .bindings
            .iter()
            .filter(|b| b.kind == EntityKind::Deal)
            .map(|b| b.id)
            .collect();
        let mut b = Batch::new();
        b.add(
            "client",
            "crm.item.get",
            json!({"entityTypeId": 3, "id": contact.id}),
        );
        b.add(
            "company",
            "crm.item.get",
            json!({"entityTypeId": 4, "id": Batch::reference("client", &["item", "companyId"])}),
        );
        b.add(
            "responsible",
            "user.get",
            json!({"ID": Batch::reference("client", &["item", "assignedById"])}),
        );
        b.add("deals", "crm.item.list", json!({"entityTypeId": 2, "select": ["id", "title", "stageId"], "filter": {"@id": deal_ids}}));
        b.add(
            "ghost",
            "crm.item.get",
            json!({"entityTypeId": 2, "id": 999_999}),
        );
        let params = b.to_params().remove(0);

        let before = s.request_count();
        let body = ok(&mut s, "batch", params);
        assert_eq!(s.request_count(), before + 1, "a batch is one request");
        assert_eq!(s.request_log(), ["batch"]);

        let answer = decode_answer(&body["result"]).expect("batch answer decodes");
        let client = &answer.get("client").unwrap().result["item"];
        assert_eq!(client["id"], json!(contact.id));
        let company = &answer.get("company").unwrap().result["item"];
        assert_eq!(company["id"], client["companyId"]);
        assert!(company["title"].as_str().is_some_and(|t| !t.is_empty()));
        let users = &answer.get("responsible").unwrap().result;
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["ID"], json!(client["assignedById"].to_string()));

        let deals = answer.get("deals").unwrap();
        assert_eq!(deals.total, Some(2));
        assert_eq!(deals.next, None);
        let items = deals.result["items"].as_array().unwrap();
        let mut got: Vec<u64> = items.iter().filter_map(|i| i["id"].as_u64()).collect();
        got.sort();
        assert_eq!(got, deal_ids);
        for i in items {
            let mut keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(
                keys,
                ["id", "stageId", "title"],
                "select restricts the fields"
            );
        }
        assert_eq!(answer.get("ghost").unwrap_err().code(), Some("NOT_FOUND"));
        assert!(
            answer
                .get("deals")
                .unwrap()
                .time
                .as_ref()
                .is_some_and(|t| t["start"].is_f64() && t.get("operating").is_none())
        );

        // PHP's empty map is `[]`; a filled one is an object.
        let raw = &body["result"];
        assert_eq!(raw["result_next"], json!([]));
        assert_eq!(raw["result_error"]["ghost"]["error"], "NOT_FOUND");
        assert_eq!(raw["result_total"]["deals"], 2);
        assert!(raw["result_time"]["client"].is_object());
        assert!(raw["result_time"].get("ghost").is_none());
    }

    #[test]
    fn batch_edge_cases() {
        let mut s = sim("");
        let empty = ok(&mut s, "batch", json!({"halt": 0, "cmd": {}}));
        for key in [
            "result",
            "result_error",
            "result_total",
            "result_next",
            "result_time",
        ] {
            assert_eq!(empty["result"][key], json!([]), "{key}");
        }

        // halt=1 stops at the first error; halt=0 goes on.
        let cmd = json!({"a": "crm.item.get?entityTypeId=3&id=999999", "b": "user.current"});
        let halted = ok(&mut s, "batch", json!({"halt": 1, "cmd": cmd}));
        assert!(halted["result"]["result_error"].get("a").is_some());
        assert_eq!(halted["result"]["result"], json!([]));
        let went_on = ok(&mut s, "batch", json!({"halt": "0", "cmd": cmd}));
        assert_eq!(went_on["result"]["result"]["b"]["ID"], "1");

        // Nested batches and unknown methods fail per key.
        let nested = ok(
            &mut s,
            "batch",
            json!({"cmd": {"inner": "batch?cmd[x]=user.current", "x": "no.such.method"}}),
        );
        assert_eq!(
            nested["result"]["result_error"]["inner"]["error"],
            "ERROR_BATCH_METHOD_NOT_ALLOWED"
        );
        assert_eq!(
            nested["result"]["result_error"]["x"]["error"],
            "ERROR_METHOD_NOT_FOUND"
        );

        // A reference to a key that has not run yet (commands run in key order) or to a path
        // that does not exist becomes "": user.get with an empty ID finds nobody.
        let later = ok(
            &mut s,
            "batch",
            json!({"cmd": {"a": "user.get?ID=$result[z][item][assignedById]", "b": "user.get?ID=$result[z][nope][0]",
                "z": "crm.item.get?entityTypeId=3&id=12"}}),
        );
        assert_eq!(later["result"]["result"]["a"], json!([]));
        assert_eq!(later["result"]["result"]["b"], json!([]));
        assert_eq!(later["result"]["result"]["z"]["item"]["id"], 12);

        // Deep references into arrays work.
        let deep = ok(
            &mut s,
            "batch",
            json!({"cmd": {"a": "crm.item.list?entityTypeId=3&order[id]=desc", "b": "crm.item.get?entityTypeId=3&id=$result[a][items][0][id]"}}),
        );
        assert_eq!(
            deep["result"]["result"]["b"]["item"]["id"],
            json!(CONTACT_FIRST_ID + CONTACTS.len() as u64 - 1)
        );

        // A `cmd` list comes back as lists, as PHP encodes them.
        let listed = ok(
            &mut s,
            "batch",
            json!({"cmd": ["user.current", "app.info"]}),
        );
        assert_eq!(listed["result"]["result"][1]["CODE"], "local.callcard");
        let decoded_list = decode_answer(&listed["result"]).unwrap();
        assert_eq!(decoded_list.get("0").unwrap().result["ID"], "1");

        assert_eq!(s.request_count(), 7);
        assert!(
            s.request_log().iter().all(|m| m == "batch"),
            "nested commands are not requests"
        );
    }

    #[test]
    fn batch_of_more_than_fifty_commands() {
        let mut s = sim("");
        let cmd: Map<String, Value> = (0..60)
            .map(|i| {
                (
                    format!("k{i:02}"),
                    json!(format!("user.get?ID={}", i % 5 + 1)),
                )
            })
            .collect();
        let body = ok(&mut s, "batch", json!({"halt": 1, "cmd": cmd}));
        let answer = decode_answer(&body["result"]).unwrap();
        assert_eq!(answer.results.len(), 50);
        assert_eq!(answer.errors.len(), 10);
        // The commands past the limit must not run at all, not merely be reported as failed.
        assert_eq!(body["result"]["result"].as_object().map(Map::len), Some(50));
        assert_eq!(
            body["result"]["result_time"].as_object().map(Map::len),
            Some(50)
        );
        for i in 50..60 {
            assert_eq!(
                answer.get(&format!("k{i:02}")).unwrap_err().code(),
                Some("ERROR_BATCH_LENGTH_EXCEEDED")
            );
        }
        assert_eq!(s.request_count(), 1);
    }

    #[test]
    fn every_answer_carries_a_time_object() {
        let mut s = sim("");
        let body = ok(&mut s, "user.current", json!({}));
        let t = &body["time"];
        for key in ["start", "finish", "duration", "processing", "operating"] {
            assert!(t[key].is_f64(), "{key}: {t}");
        }
        assert_eq!(t["date_start"], "2026-11-23T10:00:00+00:00");
        assert!(t["date_finish"].as_str().unwrap().ends_with("+00:00"));
        assert_eq!(t["operating_reset_at"], json!(1_795_428_000 + 600));
        let (start, finish, duration, processing) = (
            t["start"].as_f64().unwrap(),
            t["finish"].as_f64().unwrap(),
            t["duration"].as_f64().unwrap(),
            t["processing"].as_f64().unwrap(),
        );
        assert!((finish - start - duration).abs() < 1e-5 && duration > processing);

        // `operating` adds up per method.
        let second = ok(&mut s, "user.current", json!({}));
        assert!(second["time"]["operating"].as_f64().unwrap() > t["operating"].as_f64().unwrap());
        let other = ok(&mut s, "app.info", json!({}));
        assert!(
            other["time"]["operating"].as_f64().unwrap()
                < second["time"]["operating"].as_f64().unwrap()
        );

        s.set_now_ms(1_800_000_000_500.0);
        let later = ok(&mut s, "app.info", json!({}));
        assert_eq!(later["time"]["start"], 1_800_000_000.5);
        s.set_now_ms(f64::NAN);
        assert_eq!(
            ok(&mut s, "app.info", json!({}))["time"]["start"],
            1_800_000_000.5
        );
        s.answer();
        s.hangup();
        s.redial();
        assert!(
            decoded(&s).call_id.unwrap().ends_with(".1800000000"),
            "a new call is stamped with the clock"
        );
    }

    #[test]
    fn garbage_params_never_panic() {
        let methods = [
            "batch",
            "crm.item.get",
            "crm.item.list",
            "crm.status.list",
            "user.get",
            "user.current",
            "app.info",
            "placement.get",
            "placement.bind",
            "placement.unbind",
            "no.such.method",
            "",
            " BATCH ",
        ];
        let garbage = [
            json!(null),
            json!(1),
            json!("x"),
            json!([]),
            json!([1, {"a": 2}]),
            json!({}),
            json!({"entityTypeId": [3], "id": {"x": 1}, "filter": "x", "select": 5, "order": [1], "start": "abc"}),
            json!({"entityTypeId": "3", "id": -1, "filter": {"@id": "x", ">id": [1], "%title": null, "!@": 1, "": 2},
                "order": {"title": 5, "nope": "desc"}, "start": "99999999999999999999999"}),
            json!({"entityTypeId": 1e300, "id": 1.5, "start": -99_999_999_999_i64, "select": [null, 1, "*"]}),
            json!({"ID": {"a": [null]}, "FILTER": [1], "filter": {"ENTITY_ID": ["x", null]}}),
            json!({"PLACEMENT": [], "HANDLER": {}, "LANG_ALL": "x", "TITLE": null}),
            json!({"PLACEMENT": "CALL_CARD", "HANDLER": 5, "LANG_ALL": {"en": 1, "ru": {"TITLE": [1]}}}),
            json!({"halt": "yes", "cmd": "x"}),
            json!({"cmd": {"a": 5, "b": "?", "c": "crm.item.list?filter[@id]=$result[a][x]&start=-9", "d": "$result[",
                "e": "crm.item.get?entityTypeId=3&id=$result[c][items][0][id]", "f": "user.get?ID=$result[e][item][][", "g": "%%%?%"}}),
            json!({"cmd": [null, [], {"x": 1}, "batch", "crm.item.get?entityTypeId=$result[9]"]}),
        ];
        let mut s = sim("");
        for method in methods {
            for params in &garbage {
                match s.rest(method, params) {
                    Ok(body) => assert!(
                        body.get("result").is_some() && body["time"].is_object(),
                        "{method} {params}: {body}"
                    ),
                    Err((status, body)) => {
                        assert!((400..500).contains(&status), "{method} {params}: {status}");
                        assert!(
                            body["error"].is_string() && body["error_description"].is_string(),
                            "{body}"
                        );
                    }
                }
            }
        }
        assert_eq!(s.request_count(), (methods.len() * garbage.len()) as u64);
    }
}
