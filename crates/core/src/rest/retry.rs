//! What to do after a failed REST call: retry, refresh the token, wait for the method's
//! operating window, check before re-sending, or give up (by the REST error codes, as the
//! official PHP SDK does, and stricter about writes).
//!
//! Pure: the caller passes the attempt number, a jitter value in `[0, 1)` and what it knows
//! (drain rate, the method's `operating_reset_at`, whether it already refreshed the token).
//!
//! Beyond the official SDK: a write that timed out is never re-sent blindly. The classic
//! library turns every 5xx and dropped connection into a throw or silence, so "no
//! answer" says nothing about whether `crm.activity.add` took effect; re-sending it creates
//! duplicates. Such calls get [`Decision::VerifyBeforeRetry`].

use super::batch::Batch;
use super::error::{ErrorClass, RestError};

/// No single wait is longer than this.
pub const MAX_DELAY_MS: u64 = 30_000;
/// A 429 without a known reset waits at least this long (the server sends no `Retry-After`).
pub const MIN_OPERATION_LIMIT_WAIT_MS: u64 = 10_000;
/// How a rate-limited retry's wait grows from one drain interval.
pub const RATE_LIMIT_GROWTH: f64 = 1.2;
/// The longest wait before retrying a rate-limited request (before jitter).
pub const MAX_RATE_LIMIT_WAIT_MS: f64 = 1_000.0;
/// Slack added to `operating_reset_at`, so the request lands after the bucket dropped out.
pub const RESET_SLACK_MS: f64 = 1_000.0;

/// The next step after a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Send the same request again after this many ms.
    Retry { after_ms: u64 },
    /// Refresh the token (one coalesced refresh for all waiting calls), then send again.
    RefreshAuthThenRetry,
    /// The method is blocked until this Unix time (ms); other methods keep working.
    WaitUntil { unix_ms: f64 },
    /// A write may or may not have happened: read back whether it took effect before
    /// re-sending, after this many ms.
    VerifyBeforeRetry { after_ms: u64 },
    /// Do not retry; show the error.
    GiveUp,
}

/// What the caller knows when deciding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryContext {
    /// The limiter's current drain rate (requests per second).
    pub drain_per_sec: f64,
    /// Total sends allowed, the first one included (4 = the original and 3 retries).
    pub max_attempts: u32,
    /// When the method's operating window resets (Unix ms), from the last good answer.
    pub operating_reset_at_ms: Option<f64>,
    /// The token was already refreshed for this call: a second auth error is final.
    pub refreshed_already: bool,
    /// The current Unix time (ms), to tell a stale `operating_reset_at` from a future one.
    pub now_unix_ms: f64,
}

impl Default for RetryContext {
    fn default() -> RetryContext {
        RetryContext {
            drain_per_sec: 2.0,
            max_attempts: 4,
            operating_reset_at_ms: None,
            refreshed_already: false,
            now_unix_ms: 0.0,
        }
    }
}

/// Method-name endings that change data. Matching is case-insensitive.
const WRITE_SUFFIXES: [&str; 9] = [
    ".add",
    ".update",
    ".delete",
    ".set",
    ".bind",
    ".unbind",
    ".register",
    ".finish",
    ".attachrecord",
];

/// True when sending `method` twice is harmless. Writes (see `WRITE_SUFFIXES`) are not, and
/// neither is a bare `batch`, whose commands are unknown here (use [`batch_is_idempotent`]).
pub fn is_idempotent(method: &str) -> bool {
    let m = method.trim().to_ascii_lowercase();
    if m == "batch" {
        return false;
    }
    !WRITE_SUFFIXES.iter().any(|s| m.ends_with(s))
}

/// A batch is idempotent only if every command is.
pub fn batch_is_idempotent(batch: &Batch) -> bool {
    batch.commands.iter().all(|c| is_idempotent(&c.method))
}

/// Scales `base_ms` by ±10 % (`jitter` 0 → −10 %, 0.5 → ±0, → 1 → +10 %), capped at
/// [`MAX_DELAY_MS`]. Jitter spreads retries of several frames so they do not hit the bucket
/// together.
fn jittered(base_ms: f64, jitter: f64) -> u64 {
    let j = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let ms = base_ms * (1.0 + (j * 2.0 - 1.0) * 0.1);
    (ms.round().max(0.0) as u64).min(MAX_DELAY_MS)
}

/// True when the error says nothing about whether the server acted: no answer at all, or a
/// bare 5xx page from a proxy with no JSON body (its code was made up from the status).
/// Whether a failed request may still have taken effect (no answer, or a bare server error):
/// a write that failed so is read back before anything is sent again.
pub fn outcome_unknown(err: &RestError) -> bool {
    match err {
        RestError::Timeout { .. } | RestError::Library(_) => true,
        RestError::Api { status, code, .. } => {
            *status >= 500
                && code
                    .strip_prefix("HTTP_")
                    .is_some_and(|s| s.parse::<u16>().is_ok())
        }
        RestError::Decode(_) | RestError::Superseded => false,
    }
}

/// The decision for a failed call of `method`. `attempt` is 0 for the first failure.
pub fn decide(
    err: &RestError,
    attempt: u32,
    method: &str,
    jitter: f64,
    ctx: &RetryContext,
) -> Decision {
    decide_for(err, attempt, is_idempotent(method), jitter, ctx)
}

/// [`decide`] for a `batch` call: idempotent only if every command is.
pub fn decide_batch(
    err: &RestError,
    attempt: u32,
    batch: &Batch,
    jitter: f64,
    ctx: &RetryContext,
) -> Decision {
    decide_for(err, attempt, batch_is_idempotent(batch), jitter, ctx)
}

/// [`decide`] when the caller already knows whether the request is idempotent.
pub fn decide_for(
    err: &RestError,
    attempt: u32,
    idempotent: bool,
    jitter: f64,
    ctx: &RetryContext,
) -> Decision {
    // `attempt + 1` sends have been made; no more than `max_attempts` in all.
    if attempt.saturating_add(1) >= ctx.max_attempts {
        return Decision::GiveUp;
    }
    // An answer that arrived but could not be read will read the same next time.
    if let RestError::Decode(_) | RestError::Superseded = err {
        return Decision::GiveUp;
    }
    let exp = attempt.min(16) as i32;
    if !idempotent && outcome_unknown(err) {
        return Decision::VerifyBeforeRetry {
            after_ms: jittered(1000.0 * 2f64.powi(exp), jitter),
        };
    }
    match err.class() {
        ErrorClass::RateLimited => {
            let drain = if ctx.drain_per_sec > 0.0 && ctx.drain_per_sec.is_finite() {
                ctx.drain_per_sec
            } else {
                2.0
            };
            // The client's bucket is marked full on a rate limit, so this frame already sends no
            // faster than the drain; the retry itself waits one drain interval, growing gently
            // (×1.2) to a short cap. A 503 storm from other operators is ridden out in seconds,
            // not tens of seconds, while this frame adds at most `drain` requests a second.
            let base = (1000.0 / drain * RATE_LIMIT_GROWTH.powi(exp)).min(MAX_RATE_LIMIT_WAIT_MS);
            Decision::Retry {
                after_ms: jittered(base, jitter),
            }
        }
        ErrorClass::OperationLimit => match ctx.operating_reset_at_ms {
            Some(reset) if reset.is_finite() && reset > ctx.now_unix_ms => Decision::WaitUntil {
                // Never past the window (plus clock skew), whatever the portal said.
                unix_ms: reset.min(ctx.now_unix_ms + super::operating::MAX_RESET_AHEAD_MS)
                    + RESET_SLACK_MS,
            },
            _ => Decision::Retry {
                after_ms: MIN_OPERATION_LIMIT_WAIT_MS
                    .max(jittered(1000.0 * 2f64.powi(exp), jitter)),
            },
        },
        ErrorClass::Auth if !ctx.refreshed_already => Decision::RefreshAuthThenRetry,
        ErrorClass::Auth
        | ErrorClass::AccessDenied
        | ErrorClass::NotFound
        | ErrorClass::Argument => Decision::GiveUp,
        ErrorClass::Unavailable => Decision::Retry {
            after_ms: jittered(1000.0 * 2f64.powi(exp), jitter),
        },
    }
}

/// A log line for an error: code, status and class only. Descriptions are "not for end users"
/// and may echo request data (including `auth=…`); library messages may too. Codes are filtered
/// to identifier characters so a strange server can not smuggle text through them either.
pub fn describe_for_log(err: &RestError) -> String {
    let class = err.class();
    match err {
        RestError::Api { status, code, .. } => {
            let safe: String = code
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '-')
                .take(48)
                .collect();
            format!("{safe} (HTTP {status}, {})", class.as_str())
        }
        RestError::Timeout { after_ms, .. } => {
            format!("timeout after {after_ms} ms ({})", class.as_str())
        }
        RestError::Library(_) => format!("library failure ({})", class.as_str()),
        RestError::Decode(_) => format!("unreadable answer ({})", class.as_str()),
        RestError::Superseded => "superseded".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> RestError {
        RestError::Api {
            status,
            code: code.into(),
            description: String::new(),
        }
    }

    fn timeout() -> RestError {
        RestError::Timeout {
            method: "crm.activity.add".into(),
            after_ms: 30_000,
        }
    }

    fn ctx() -> RetryContext {
        RetryContext::default()
    }

    const MID: f64 = 0.5;

    #[test]
    fn rate_limited_waits_one_drain_interval_growing_gently_to_a_cap() {
        let e = api(503, "QUERY_LIMIT_EXCEEDED");
        let d: Vec<_> = (0..3)
            .map(|a| decide(&e, a, "crm.item.list", MID, &ctx()))
            .collect();
        assert_eq!(
            d,
            [
                Decision::Retry { after_ms: 500 },
                Decision::Retry { after_ms: 600 },
                Decision::Retry { after_ms: 720 },
            ]
        );
        let many = RetryContext {
            max_attempts: 40,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 30, "crm.item.list", MID, &many),
            Decision::Retry { after_ms: 1000 },
            "capped"
        );
        let enterprise = RetryContext {
            drain_per_sec: 5.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 0, "x.list", MID, &enterprise),
            Decision::Retry { after_ms: 200 }
        );
        let lowered = RetryContext {
            drain_per_sec: 1.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 0, "x.list", MID, &lowered),
            Decision::Retry { after_ms: 1000 }
        );
        let broken = RetryContext {
            drain_per_sec: 0.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 0, "x.list", MID, &broken),
            Decision::Retry { after_ms: 500 },
            "a zero drain must not become an infinite wait"
        );
    }

    #[test]
    fn rate_limited_write_with_an_answer_is_retried_normally() {
        // The server said no: nothing was written, so re-sending is safe.
        let e = api(503, "QUERY_LIMIT_EXCEEDED");
        assert_eq!(
            decide(&e, 0, "crm.activity.add", MID, &ctx()),
            Decision::Retry { after_ms: 500 }
        );
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let e = api(500, "INTERNAL_SERVER_ERROR");
        for (j, want) in [
            (0.0, 900),
            (0.25, 950),
            (0.999_999, 1100),
            (1.0, 1100),
            (-3.0, 900),
            (9.0, 1100),
        ] {
            assert_eq!(
                decide(&e, 0, "user.get", j, &ctx()),
                Decision::Retry { after_ms: want },
                "jitter {j}"
            );
        }
        assert_eq!(
            decide(&e, 0, "user.get", f64::NAN, &ctx()),
            Decision::Retry { after_ms: 1000 }
        );
    }

    #[test]
    fn unavailable_doubles_and_is_capped_at_thirty_seconds() {
        let e = timeout();
        let many = RetryContext {
            max_attempts: 100,
            ..ctx()
        };
        let got: Vec<_> = [0, 1, 2, 3, 4, 5, 40]
            .iter()
            .map(|&a| decide(&e, a, "crm.item.get", 1.0, &many))
            .collect();
        let want = [1100, 2200, 4400, 8800, 17600, 30000, 30000];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(*g, Decision::Retry { after_ms: w });
        }
        // A rate limit has its own, shorter cap (1 s, +10 % jitter).
        let e = api(503, "QUERY_LIMIT_EXCEEDED");
        assert_eq!(
            decide(&e, 30, "x.get", 1.0, &many),
            Decision::Retry { after_ms: 1_100 }
        );
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let e = timeout();
        assert!(matches!(
            decide(&e, 2, "user.get", MID, &ctx()),
            Decision::Retry { .. }
        ));
        assert_eq!(decide(&e, 3, "user.get", MID, &ctx()), Decision::GiveUp);
        let once = RetryContext {
            max_attempts: 1,
            ..ctx()
        };
        assert_eq!(decide(&e, 0, "user.get", MID, &once), Decision::GiveUp);
        assert_eq!(
            decide(&api(401, "expired_token"), 3, "user.get", MID, &ctx()),
            Decision::GiveUp
        );
    }

    #[test]
    fn operation_limit_waits_for_the_reset_plus_a_second() {
        let e = api(429, "OPERATION_TIME_LIMIT");
        let known = RetryContext {
            operating_reset_at_ms: Some(1_752_472_039_000.0),
            now_unix_ms: 1_752_472_000_000.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 0, "crm.activity.list", MID, &known),
            Decision::WaitUntil {
                unix_ms: 1_752_472_040_000.0
            }
        );
        assert_eq!(
            decide(&e, 0, "crm.activity.list", MID, &ctx()),
            Decision::Retry { after_ms: 10_000 }
        );
        let stale = RetryContext {
            operating_reset_at_ms: Some(1.0),
            now_unix_ms: 5_000.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 2, "crm.activity.list", 1.0, &stale),
            Decision::Retry { after_ms: 10_000 },
            "a reset in the past is not a reason to hammer"
        );
        // Regression: a reset years away was waited for whole (and overflowed the timer).
        let far = RetryContext {
            operating_reset_at_ms: Some(1e300),
            now_unix_ms: 1_752_472_000_000.0,
            ..ctx()
        };
        assert_eq!(
            decide(&e, 0, "crm.activity.list", MID, &far),
            Decision::WaitUntil {
                unix_ms: 1_752_472_000_000.0 + 1_200_000.0 + 1_000.0
            }
        );
        // Unknown code with status 429 is the same class.
        assert_eq!(
            decide(&api(429, "SOMETHING"), 0, "x.list", MID, &ctx()),
            Decision::Retry { after_ms: 10_000 }
        );
    }

    #[test]
    fn auth_refreshes_once_only() {
        for code in ["expired_token", "invalid_token"] {
            let e = api(401, code);
            assert_eq!(
                decide(&e, 0, "user.current", MID, &ctx()),
                Decision::RefreshAuthThenRetry
            );
            let again = RetryContext {
                refreshed_already: true,
                ..ctx()
            };
            assert_eq!(decide(&e, 1, "user.current", MID, &again), Decision::GiveUp);
        }
        // A write that failed auth was rejected, so refreshing and re-sending is safe.
        assert_eq!(
            decide(
                &api(401, "expired_token"),
                0,
                "crm.activity.add",
                MID,
                &ctx()
            ),
            Decision::RefreshAuthThenRetry
        );
    }

    #[test]
    fn client_errors_are_never_retried() {
        for e in [
            api(403, "ACCESS_DENIED"),
            api(403, "insufficient_scope"),
            api(401, "NO_AUTH_FOUND"),
            api(400, "NOT_FOUND"),
            api(400, "ERROR_ARGUMENT"),
            api(400, "ERROR_BATCH_LENGTH_EXCEEDED"),
            api(418, "WHATEVER"),
        ] {
            assert_eq!(
                decide(&e, 0, "crm.item.get", MID, &ctx()),
                Decision::GiveUp,
                "{e:?}"
            );
        }
    }

    #[test]
    fn unreadable_answer_is_not_retried() {
        let e = RestError::Decode(crate::model::value::DecodeError::Shape {
            expected: "object",
            got: "string",
        });
        assert_eq!(decide(&e, 0, "user.get", MID, &ctx()), Decision::GiveUp);
    }

    #[test]
    fn write_that_timed_out_is_verified_not_resent() {
        for m in [
            "crm.activity.add",
            "CRM.ITEM.UPDATE",
            "crm.item.delete",
            "crm.item.productrows.set",
            "placement.bind",
            "event.unbind",
            "telephony.externalcall.register",
            "telephony.externalCall.finish",
            "telephony.externalCall.attachRecord",
            "batch",
        ] {
            assert!(!is_idempotent(m), "{m}");
            assert_eq!(
                decide(&timeout(), 1, m, MID, &ctx()),
                Decision::VerifyBeforeRetry { after_ms: 2000 },
                "{m}"
            );
            assert_eq!(
                decide(
                    &RestError::Library("Query error!".into()),
                    0,
                    m,
                    MID,
                    &ctx()
                ),
                Decision::VerifyBeforeRetry { after_ms: 1000 }
            );
        }
        // A proxy's bare 502 says nothing either; an INTERNAL_SERVER_ERROR body is the server's "no".
        assert_eq!(
            decide(&api(502, "HTTP_502"), 0, "crm.activity.add", MID, &ctx()),
            Decision::VerifyBeforeRetry { after_ms: 1000 }
        );
        assert_eq!(
            decide(
                &api(500, "INTERNAL_SERVER_ERROR"),
                0,
                "crm.activity.add",
                MID,
                &ctx()
            ),
            Decision::Retry { after_ms: 1000 }
        );
        // Verification also stops at max attempts.
        assert_eq!(
            decide(&timeout(), 3, "crm.activity.add", MID, &ctx()),
            Decision::GiveUp
        );
    }

    #[test]
    fn reads_that_timed_out_are_retried() {
        for m in [
            "crm.item.list",
            "user.get",
            "crm.activity.fields",
            "crm.calllist.items.get",
            "crm.addresstype.list",
        ] {
            assert!(is_idempotent(m), "{m}");
        }
        assert!(!is_idempotent("crm.address.add"));
        assert_eq!(
            decide(&timeout(), 0, "crm.item.get", MID, &ctx()),
            Decision::Retry { after_ms: 1000 }
        );
    }

    #[test]
    fn batch_with_one_write_is_not_idempotent() {
        let mut reads = Batch::new();
        reads.add("a", "crm.item.get", serde_json::json!({"id": 1}));
        reads.add("b", "user.get", serde_json::json!({}));
        assert!(batch_is_idempotent(&reads));
        assert_eq!(
            decide_batch(&timeout(), 0, &reads, MID, &ctx()),
            Decision::Retry { after_ms: 1000 }
        );
        let mut mixed = reads.clone();
        mixed.add("c", "crm.timeline.comment.add", serde_json::json!({}));
        assert!(!batch_is_idempotent(&mixed));
        assert_eq!(
            decide_batch(&timeout(), 0, &mixed, MID, &ctx()),
            Decision::VerifyBeforeRetry { after_ms: 1000 }
        );
        assert_eq!(
            decide_batch(&api(503, "QUERY_LIMIT_EXCEEDED"), 0, &mixed, MID, &ctx()),
            Decision::Retry { after_ms: 500 }
        );
    }

    #[test]
    fn log_line_never_leaks_description_or_token() {
        let e = RestError::Api {
            status: 400,
            code: "ERROR_CORE".into(),
            description: "bad request auth=SECRET&x=1".into(),
        };
        let s = describe_for_log(&e);
        assert_eq!(s, "ERROR_CORE (HTTP 400, Argument)");
        let odd = RestError::Api {
            status: 400,
            code: "X auth=SECRET".into(),
            description: String::new(),
        };
        assert!(!describe_for_log(&odd).contains("auth="));
        let lib = RestError::Library("threw at auth=SECRET".into());
        assert_eq!(describe_for_log(&lib), "library failure (Unavailable)");
        let t = describe_for_log(&timeout());
        assert_eq!(t, "timeout after 30000 ms (Unavailable)");
        for s in [describe_for_log(&lib), t] {
            assert!(!s.contains("SECRET"));
        }
    }
}
