//! The frame's one REST client: every call the card makes goes through [`RestClient`].
//!
//! In order, for each request: wait while the method's operating window is nearly spent
//! ([`OperatingTracker`]), wait for a slot in the leaky bucket ([`LeakyBucket`]; interactive
//! requests first, background ones yield while an interactive one waits), send, and on failure
//! ask [`retry::decide_for`] what to do: retry after a jittered backoff, wait until the method's
//! window resets, refresh the token once (one refresh for every request that hit the expired
//! token), or give up. A write whose outcome is unknown (timeout, server error) is never sent
//! again here: the caller gets the error and reads back whether it took effect.
//!
//! Time, sleeping and jitter come from a [`Clock`], so the whole client runs on a virtual clock
//! in host tests (`crates/sim/tests/rest_client.rs`, against the demo simulation).

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::batch::{Batch, BatchAnswer, decode_answer};
use super::error::{ErrorClass, RestAnswer, RestError};
use super::limiter::{LeakyBucket, LimiterConfig, Priority};
use super::operating::{DEFAULT_LIMIT_MS, OperatingTracker};
use super::retry::{self, Decision, RetryContext};
use super::transport::{Fut, Transport};

/// How often a sleeping retry asks whether its answer is still wanted.
pub const WANTED_CHECK_MS: u64 = 100;

/// Time for the client: Unix milliseconds, sleeping, and a jitter source in `[0, 1)`.
pub trait Clock {
    fn now_ms(&self) -> f64;
    fn sleep(&self, ms: u64) -> Fut<'static, ()>;
    fn random(&self) -> f64;
}

/// What the operator should know while the client waits on the portal's behalf.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Notice {
    /// A request failed with `class`; the next attempt goes out at `until_ms` (Unix ms).
    Retrying { class: ErrorClass, until_ms: f64 },
}

/// Where notices go (the store turns them into the banner). `None` clears the notice.
pub type NoticeSink = Rc<dyn Fn(Option<Notice>)>;

/// Sends at most this many times in all for one request (the first send included).
pub const MAX_ATTEMPTS: u32 = 6;
/// Attempts in all for a request the portal keeps rate-limiting (503 `QUERY_LIMIT_EXCEEDED`).
pub const MAX_RATE_LIMITED_ATTEMPTS: u32 = 12;
/// A wait before sending longer than this is announced to the operator.
const ANNOUNCE_WAIT_MS: u64 = 1_500;

struct State {
    bucket: LeakyBucket,
    operating: OperatingTracker,
    /// Interactive requests waiting for a slot: background ones let them go first.
    interactive_waiting: u32,
    /// Bumped by every successful token refresh.
    auth_epoch: u64,
    refreshing: bool,
    /// Requests sent (each retry is one more).
    sent: u64,
    /// The portal's UTC offset (minutes), from the newest answer's `time.date_start`.
    portal_offset_min: Option<i32>,
}

/// The per-frame REST client.
pub struct RestClient {
    transport: Rc<dyn Transport>,
    clock: Rc<dyn Clock>,
    state: RefCell<State>,
    notices: RefCell<Option<NoticeSink>>,
}

impl RestClient {
    pub fn new(
        transport: Rc<dyn Transport>,
        clock: Rc<dyn Clock>,
        limits: LimiterConfig,
    ) -> RestClient {
        RestClient {
            transport,
            clock,
            state: RefCell::new(State {
                bucket: LeakyBucket::new(limits),
                operating: OperatingTracker::new(DEFAULT_LIMIT_MS),
                interactive_waiting: 0,
                auth_epoch: 0,
                refreshing: false,
                sent: 0,
                portal_offset_min: None,
            }),
            notices: RefCell::new(None),
        }
    }

    /// Sends notices of interactive requests to `sink`.
    pub fn on_notice(&self, sink: NoticeSink) {
        *self.notices.borrow_mut() = Some(sink);
    }

    /// REST requests sent so far, retries included.
    /// Records a method's operating time as the client does from each answer's `time`; public
    /// for tests that start from a window already nearly spent.
    pub fn record_operating(&self, method: &str, time: &Value, now_ms: f64) {
        self.state
            .borrow_mut()
            .operating
            .record(method, time, now_ms);
    }

    pub fn sent(&self) -> u64 {
        self.state.borrow().sent
    }

    /// The portal's time zone as a UTC offset in minutes, learned from the `time.date_start`
    /// of the newest answer (the server writes it in the portal's zone); `None` before any.
    pub fn portal_offset_min(&self) -> Option<i32> {
        self.state.borrow().portal_offset_min
    }

    /// One method call. (The client's futures are boxed: every caller shares one copy of the
    /// retry machinery instead of inlining it into its own state machine.)
    pub fn call<'a>(
        &'a self,
        method: &'a str,
        params: &'a Value,
        priority: Priority,
    ) -> Fut<'a, Result<RestAnswer, RestError>> {
        Box::pin(async move {
            let idempotent = retry::is_idempotent(method);
            self.send(
                method,
                params,
                priority,
                idempotent,
                &[(method, method)],
                &|| true,
            )
            .await
        })
    }

    /// A batch: one request per chunk of 50 commands, per-key results merged. The batch is
    /// retried as a whole; it counts as a write if any command is one.
    pub fn batch<'a>(
        &'a self,
        batch: &'a Batch,
        priority: Priority,
    ) -> Fut<'a, Result<BatchAnswer, RestError>> {
        self.batch_while(batch, priority, &|| true)
    }

    /// [`batch`](Self::batch) for as long as `wanted()` says the answer is still wanted: once
    /// it is not (the operator moved on), no further attempt is made and the result is
    /// [`RestError::Superseded`]. A busy portal is not asked again for data nobody will see.
    pub fn batch_while<'a>(
        &'a self,
        batch: &'a Batch,
        priority: Priority,
        wanted: &'a dyn Fn() -> bool,
    ) -> Fut<'a, Result<BatchAnswer, RestError>> {
        Box::pin(self.batch_inner(batch, priority, wanted))
    }

    async fn batch_inner(
        &self,
        batch: &Batch,
        priority: Priority,
        wanted: &dyn Fn() -> bool,
    ) -> Result<BatchAnswer, RestError> {
        let idempotent = retry::batch_is_idempotent(batch);
        let subs: Vec<(&str, &str)> = batch
            .commands
            .iter()
            .map(|c| (c.key.as_str(), c.method.as_str()))
            .collect();
        let mut out = BatchAnswer::default();
        for params in batch.to_params() {
            let answer = self
                .send("batch", &params, priority, idempotent, &subs, wanted)
                .await?;
            out.merge(decode_answer(&answer.result)?);
        }
        Ok(out)
    }

    fn notify(&self, priority: Priority, notice: Option<Notice>) {
        if priority != Priority::Interactive {
            return;
        }
        let sink = self.notices.borrow().clone();
        if let Some(sink) = sink {
            sink(notice);
        }
    }

    /// `subs` are the `(key, method)` pairs whose operating time the answer reports: the
    /// method itself for a plain call, the commands for a batch (the portal counts those).
    async fn send(
        &self,
        method: &str,
        params: &Value,
        priority: Priority,
        idempotent: bool,
        subs: &[(&str, &str)],
        wanted: &dyn Fn() -> bool,
    ) -> Result<RestAnswer, RestError> {
        let methods: Vec<&str> = subs.iter().map(|(_, m)| *m).collect();
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            self.wait_turn(&methods, priority).await;
            if !wanted() {
                self.notify(priority, None);
                return Err(RestError::Superseded);
            }
            let epoch = {
                let mut st = self.state.borrow_mut();
                st.sent += 1;
                st.auth_epoch
            };
            let result = self.transport.send(method, params).await;
            let now = self.clock.now_ms();
            let err = match result {
                Ok(answer) => {
                    let mut st = self.state.borrow_mut();
                    st.bucket.on_success(now);
                    if let Some(off) = answer
                        .time
                        .as_ref()
                        .and_then(|t| t.get("date_start"))
                        .and_then(Value::as_str)
                        .and_then(crate::model::time::utc_offset_min)
                    {
                        st.portal_offset_min = Some(off);
                    }
                    if method == "batch" {
                        if let Some(t) = answer.result.get("result_time") {
                            st.operating.record_batch(t, subs, now);
                        }
                    } else if let Some(t) = &answer.time {
                        st.operating.record(method, t, now);
                    }
                    st.operating.prune(now);
                    drop(st);
                    self.notify(priority, None);
                    return Ok(answer);
                }
                Err(e) => e,
            };
            log::warn!("{method}: {}", retry::describe_for_log(&err));
            let class = err.class();
            let ctx = {
                let mut st = self.state.borrow_mut();
                // Behind the classic library a 503 QUERY_LIMIT_EXCEEDED looks like any other 5xx
                // (`Query error!`, no code), so every such failure counts as a possible limit.
                let query_error =
                    matches!(&err, RestError::Library(m) if m.starts_with("Query error"));
                if class == ErrorClass::RateLimited || query_error {
                    st.bucket.on_rate_limited(now);
                }
                RetryContext {
                    drain_per_sec: st.bucket.drain_per_sec(),
                    // A rate limit is ridden out longer: its retries are short and paced by
                    // the bucket; other failures give up sooner.
                    max_attempts: if class == ErrorClass::RateLimited {
                        MAX_RATE_LIMITED_ATTEMPTS
                    } else {
                        MAX_ATTEMPTS
                    },
                    operating_reset_at_ms: methods
                        .iter()
                        .filter_map(|m| st.operating.reset_at_ms(m, now))
                        .reduce(f64::max),
                    refreshed_already: refreshed,
                    now_unix_ms: now,
                }
            };
            let wait_ms =
                match retry::decide_for(&err, attempt, idempotent, self.clock.random(), &ctx) {
                    Decision::Retry { after_ms } => after_ms,
                    Decision::WaitUntil { unix_ms } => (unix_ms - now).max(0.0).ceil() as u64,
                    Decision::RefreshAuthThenRetry => {
                        if !self.refresh_auth(epoch).await {
                            self.notify(priority, None);
                            return Err(err);
                        }
                        refreshed = true;
                        0
                    }
                    Decision::VerifyBeforeRetry { .. } | Decision::GiveUp => {
                        self.notify(priority, None);
                        return Err(err);
                    }
                };
            if wait_ms > 0 {
                self.notify(
                    priority,
                    Some(Notice::Retrying {
                        class,
                        until_ms: now + wait_ms as f64,
                    }),
                );
                // The back-off is slept in slices: a request that a newer event made unwanted
                // stops at once instead of holding its turn (and the newest client) for seconds.
                if !self.sleep_while_wanted(wait_ms, wanted).await {
                    self.notify(priority, None);
                    return Err(RestError::Superseded);
                }
            }
            attempt += 1;
        }
    }

    /// Sleeps `ms` unless `wanted()` turns false first (checked every [`WANTED_CHECK_MS`]).
    /// True when the whole time was slept and the answer is still wanted.
    async fn sleep_while_wanted(&self, ms: u64, wanted: &dyn Fn() -> bool) -> bool {
        let until = self.clock.now_ms() + ms as f64;
        loop {
            if !wanted() {
                return false;
            }
            let left = until - self.clock.now_ms();
            if left <= 0.0 {
                return true;
            }
            self.clock
                .sleep((left.ceil() as u64).clamp(1, WANTED_CHECK_MS))
                .await;
        }
    }

    /// Waits until `methods` may run (operating window) and the bucket has a slot.
    async fn wait_turn(&self, methods: &[&str], priority: Priority) {
        let interactive = priority == Priority::Interactive;
        loop {
            let now = self.clock.now_ms();
            let (wait, busy) = {
                let mut st = self.state.borrow_mut();
                if let Some(d) = st.operating.delay_before_batch(methods, now) {
                    (Some(d.ceil() as u64), true)
                } else if !interactive && st.interactive_waiting > 0 {
                    (Some(50), false)
                } else {
                    (st.bucket.acquire_for(now, priority).err(), false)
                }
            };
            let Some(ms) = wait else { return };
            if busy || ms >= ANNOUNCE_WAIT_MS {
                self.notify(
                    priority,
                    Some(Notice::Retrying {
                        class: if busy {
                            ErrorClass::OperationLimit
                        } else {
                            ErrorClass::RateLimited
                        },
                        until_ms: now + ms as f64,
                    }),
                );
            }
            if interactive {
                self.state.borrow_mut().interactive_waiting += 1;
            }
            self.clock.sleep(ms.max(1)).await;
            if interactive {
                self.state.borrow_mut().interactive_waiting -= 1;
            }
        }
    }

    /// Refreshes the token once for every request that saw it expire: a request whose token
    /// was already replaced since it was sent just goes again. False when the refresh failed.
    async fn refresh_auth(&self, epoch_at_send: u64) -> bool {
        loop {
            {
                let st = self.state.borrow();
                if st.auth_epoch != epoch_at_send {
                    return true;
                }
                if !st.refreshing {
                    break;
                }
            }
            self.clock.sleep(50).await;
        }
        self.state.borrow_mut().refreshing = true;
        let ok = match self.transport.renew_token().await {
            Ok(()) => true,
            Err(line) => {
                log::warn!("token refresh failed: {line}");
                false
            }
        };
        let mut st = self.state.borrow_mut();
        st.refreshing = false;
        if ok {
            st.auth_epoch += 1;
        }
        ok
    }
}
