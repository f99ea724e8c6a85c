//! What the demo URL asks the portal to get wrong (`fail=`, `stall=`, `expire=`): drawn per
//! request from a seeded generator and logged.

use serde_json::Value;

use crate::answer::{Fault, arg};
use crate::sim::{Injected, Outcome, Sim};
use callcard_core::rest::batch::MAX_COMMANDS;

/// Errors that fail a whole HTTP request — a batch included — rather than one command in it:
/// server errors, limits and authorisation.
pub(crate) fn fails_whole_request(status: u16) -> bool {
    status >= 500 || status == 429 || status == 401
}

/// The lower-case methods of a batch's commands (at most [`MAX_COMMANDS`]), without running them.
pub(crate) fn batch_methods(params: &Value) -> Vec<String> {
    let lines: Vec<&Value> = match arg(params, "cmd") {
        Some(Value::Object(m)) => m.values().collect(),
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    };
    lines
        .into_iter()
        .take(MAX_COMMANDS)
        .filter_map(|line| line.as_str())
        .map(|line| {
            let method = line.split_once('?').map_or(line, |(m, _)| m);
            method.trim().to_ascii_lowercase()
        })
        .collect()
}

impl Sim {
    /// The app refreshed its access token (what `BX24.refreshAuth` does): `expire=N` counts
    /// N requests again from here.
    pub fn refresh_token(&mut self) {
        self.since_refresh = 0;
    }

    /// Every fault injected so far, in order, with the method it hit (a batch command's own
    /// method for [`Injected::InBatch`]).
    pub fn fault_log(&self) -> &[(String, Injected)] {
        &self.fault_log
    }

    /// Fails a whole request with an injected code.
    pub(crate) fn inject(&mut self, method: String, code: &str) -> Outcome {
        let fault = Fault::injected(code);
        self.fault_log.push((
            method,
            Injected::Error {
                status: fault.status,
                code: code.to_string(),
            },
        ));
        Outcome::Error(fault.status, fault.body())
    }

    /// The code of the first `fail=` rule that fires for a whole request, if any.
    pub(crate) fn draw_failure(&mut self, method: &str, params: &Value) -> Option<String> {
        let commands = if method == "batch" {
            batch_methods(params)
        } else {
            Vec::new()
        };
        for rule in &self.faults.fail {
            let draws = if rule.applies_to(method) {
                1
            } else if rule.method.is_some() && fails_whole_request(rule.status()) {
                commands.iter().filter(|m| rule.applies_to(m)).count()
            } else {
                0
            };
            for _ in 0..draws {
                if self.fault_rng.chance(rule.ratio) {
                    return Some(rule.code.clone());
                }
            }
        }
        None
    }

    /// The business error a `fail=CODE:ratio:method` rule injects into one batch command.
    pub(crate) fn draw_command_failure(&mut self, key: &str, method: &str) -> Option<Fault> {
        for rule in &self.faults.fail {
            if rule.method.as_deref() == Some(method)
                && !fails_whole_request(rule.status())
                && self.fault_rng.chance(rule.ratio)
            {
                let fault = Fault::injected(&rule.code);
                let injected = Injected::InBatch {
                    key: key.to_string(),
                    status: fault.status,
                    code: rule.code.clone(),
                };
                self.fault_log.push((method.to_string(), injected));
                return Some(fault);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::Sim;
    use crate::crm_tables::*;
    use crate::sim::*;
    use crate::testing::*;

    use callcard_core::rest::batch::decode_answer;
    use serde_json::json;

    /// The outcome of `n` identical `user.current` requests, as letters: `A`nswer, `E`rror,
    /// `N`ever answers.
    fn outcomes(s: &mut Sim, method: &str, n: usize) -> String {
        (0..n)
            .map(|_| match s.rest_outcome(method, &json!({})) {
                Outcome::Answer(_) => 'A',
                Outcome::Error(..) => 'E',
                Outcome::NeverAnswers => 'N',
            })
            .collect()
    }

    #[test]
    fn no_faults_by_default() {
        let mut s = sim("");
        assert_eq!(outcomes(&mut s, "user.current", 200), "A".repeat(200));
        assert!(s.fault_log().is_empty());
    }

    #[test]
    fn faults_are_deterministic_per_seed() {
        let q = "fail=QUERY_LIMIT_EXCEEDED:0.3&fail=ACCESS_DENIED:0.2:user.current";
        let run = |seed: u64| outcomes(&mut sim(&format!("{q}&seed={seed}")), "user.current", 200);
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8), "another seed, other faults");
        let mut a = sim(&format!("{q}&seed=7"));
        let mut b = sim(&format!("{q}&seed=7"));
        outcomes(&mut a, "user.current", 50);
        outcomes(&mut b, "user.current", 50);
        assert_eq!(a.fault_log(), b.fault_log());
        assert!(!a.fault_log().is_empty());
        // Faults do not change the generated portal or its call ids.
        assert_eq!(sim(&format!("{q}&seed=7")).status(), sim("seed=7").status());
    }

    #[test]
    fn ratio_is_roughly_honoured() {
        for (ratio, lo, hi) in [
            (0.5, 400, 600),
            (0.1, 50, 150),
            (0.0, 0, 0),
            (1.0, 1000, 1000),
        ] {
            for seed in [1, 2, 3] {
                let mut s = sim(&format!("fail=QUERY_LIMIT_EXCEEDED:{ratio}&seed={seed}"));
                let errors = outcomes(&mut s, "user.current", 1000)
                    .chars()
                    .filter(|&c| c == 'E')
                    .count();
                assert!((lo..=hi).contains(&errors), "{ratio} seed {seed}: {errors}");
                assert_eq!(s.fault_log().len(), errors);
                assert_eq!(s.request_count(), 1000, "failed requests count too");
            }
        }
        let mut s = sim("fail=QUERY_LIMIT_EXCEEDED:1");
        assert_eq!(
            s.rest_outcome("user.current", &json!({})),
            Outcome::Error(
                503,
                json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
            )
        );
        assert_eq!(
            s.fault_log(),
            [(
                "user.current".to_string(),
                Injected::Error {
                    status: 503,
                    code: "QUERY_LIMIT_EXCEEDED".into()
                }
            )]
        );
    }

    #[test]
    fn per_method_rule_spares_other_methods() {
        let mut s =
            sim("fail=OPERATION_TIME_LIMIT:1:crm.status.list&fail=SOMETHING_ODD:1:app.info");
        let (status, body) = s.rest("crm.status.list", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (429, Some("OPERATION_TIME_LIMIT"))
        );
        let (status, body) = s.rest("APP.INFO", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("SOMETHING_ODD"))
        );
        assert!(body["error_description"].is_string());
        ok(&mut s, "user.current", json!({}));
        ok(&mut s, "placement.get", json!({}));
    }

    #[test]
    fn expired_token_until_refreshed() {
        let mut s = sim("expire=3");
        assert_eq!(outcomes(&mut s, "user.current", 5), "AAAEE");
        let (status, body) = s.rest("app.info", &json!({})).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("expired_token"))
        );
        assert_eq!(s.request_count(), 6);
        s.refresh_token();
        assert_eq!(
            outcomes(&mut s, "user.current", 4),
            "AAAE",
            "a new token lasts N again"
        );
        s.refresh_token();
        ok(&mut s, "app.info", json!({}));
        // Expiry comes before a stall or a failure, and fails a batch as a whole.
        let mut s = sim("expire=1&stall=*&fail=ACCESS_DENIED:1");
        assert_eq!(outcomes(&mut s, "user.current", 1), "N");
        let batch = json!({"cmd": {"a": "user.current"}});
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(401, _)
        ));
        assert_eq!(
            s.fault_log().last().unwrap().1,
            Injected::Error {
                status: 401,
                code: "expired_token".into()
            }
        );
    }

    #[test]
    fn a_stalled_method_leaves_others_working() {
        let mut s = sim("stall=crm.item.get");
        let get = json!({"entityTypeId": 3, "id": CONTACT_FIRST_ID});
        assert_eq!(s.rest_outcome("crm.item.get", &get), Outcome::NeverAnswers);
        assert_eq!(s.rest("crm.item.get", &get).unwrap_err().0, 504);
        ok(&mut s, "user.current", json!({}));
        ok(&mut s, "crm.item.list", json!({"entityTypeId": 3}));
        // A batch cannot answer before its slowest command.
        let batch = json!({"cmd": {"me": "user.current", "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}")}});
        assert_eq!(s.rest_outcome("batch", &batch), Outcome::NeverAnswers);
        let other = json!({"cmd": {"me": "user.current"}});
        assert!(matches!(
            s.rest_outcome("batch", &other),
            Outcome::Answer(_)
        ));
        assert_eq!(s.request_count(), 6, "a stalled request was still sent");
        assert_eq!(
            s.fault_log()
                .iter()
                .filter(|(_, f)| *f == Injected::NeverAnswers)
                .count(),
            3
        );
        let mut s = sim("stall=*");
        assert_eq!(outcomes(&mut s, "app.info", 3), "NNN");
    }

    #[test]
    fn a_business_error_fails_one_batch_command() {
        let mut s = sim("fail=ACCESS_DENIED:1:crm.item.get");
        let batch = json!({"cmd": {
            "me": "user.current",
            "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}"),
            "l": "crm.item.list?entityTypeId=3",
        }});
        let body = ok(&mut s, "batch", batch.clone());
        let r = &body["result"];
        assert_eq!(r["result_error"]["c"]["error"], "ACCESS_DENIED");
        assert!(r["result"].get("c").is_none());
        assert_eq!(r["result"]["me"]["ID"], "1");
        assert!(r["result"]["l"]["items"].is_array());
        assert!(r["result_error"].get("me").is_none() && r["result_error"].get("l").is_none());
        assert_eq!(
            s.fault_log(),
            [(
                "crm.item.get".to_string(),
                Injected::InBatch {
                    key: "c".into(),
                    status: 403,
                    code: "ACCESS_DENIED".into()
                }
            )]
        );
        // The app's own decoder sees exactly that key fail.
        let answer = decode_answer(&body["result"]).expect("decodes");
        assert_eq!(answer.get("c").unwrap_err().code(), Some("ACCESS_DENIED"));
        assert!(answer.get("me").is_ok());
        // `halt` stops at it, as at any failing command.
        let mut halted = batch.clone();
        halted["halt"] = json!(1);
        let body = ok(&mut s, "batch", halted);
        assert!(body["result"]["result"].get("l").is_none());
        // Called on its own, the method fails as a whole.
        let (status, _) = s
            .rest(
                "crm.item.get",
                &json!({"entityTypeId": 3, "id": CONTACT_FIRST_ID}),
            )
            .unwrap_err();
        assert_eq!(status, 403);
        assert_eq!(s.request_count(), 3, "a batch is one request");
    }

    #[test]
    fn a_server_error_fails_a_batch_whole() {
        let batch = json!({"cmd": {
            "me": "user.current",
            "c": format!("crm.item.get?entityTypeId=3&id={CONTACT_FIRST_ID}"),
        }});
        // Aimed at a command inside the batch…
        let mut s = sim("fail=QUERY_LIMIT_EXCEEDED:1:crm.item.get");
        let (status, body) = s.rest("batch", &batch).unwrap_err();
        assert_eq!(
            (status, body["error"].as_str()),
            (503, Some("QUERY_LIMIT_EXCEEDED"))
        );
        assert_eq!(s.fault_log()[0].0, "batch");
        ok(&mut s, "batch", json!({"cmd": {"me": "user.current"}}));
        // …or at every request.
        let mut s = sim("fail=INTERNAL_SERVER_ERROR:1");
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(500, _)
        ));
        let mut s = sim("fail=invalid_token:1:user.current");
        assert!(matches!(
            s.rest_outcome("batch", &batch),
            Outcome::Error(401, _)
        ));
        assert_eq!(s.request_count(), 1);
        assert_eq!(s.request_log(), ["batch"]);
    }
}
