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
//! in host tests (see the tests at the end and `tests/rest_client.rs`).

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::batch::{Batch, BatchAnswer, decode_answer};
use super::error::{ErrorClass, RestAnswer, RestError};
use super::limiter::{LeakyBucket, LimiterConfig, Priority};
use super::operating::{DEFAULT_LIMIT_MS, OperatingTracker};
use super::retry::{self, Decision, RetryContext};
use crate::portal::{Fut, Portal};

/// How often a sleeping retry asks whether its answer is still wanted.
const WANTED_CHECK_MS: u64 = 100;

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
    portal: Rc<dyn Portal>,
    clock: Rc<dyn Clock>,
    state: RefCell<State>,
    notices: RefCell<Option<NoticeSink>>,
}

impl RestClient {
    pub fn new(portal: Rc<dyn Portal>, clock: Rc<dyn Clock>, limits: LimiterConfig) -> RestClient {
        RestClient {
            portal,
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
            let result = self.portal.call(method, params).await;
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
                        .and_then(crate::wrapup::utc_offset_min)
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
        let ok = match self.portal.refresh_auth().await {
            Ok(()) => true,
            Err(e) => {
                log::warn!("token refresh failed: {}", e.describe_for_log());
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

/// A virtual clock and a tiny executor for host tests: sleeping advances nothing by itself;
/// [`VirtualTime::run`] polls every task and, when all wait, jumps to the earliest deadline.
#[cfg(test)]
pub(crate) mod virtual_time {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    use super::Clock;
    use crate::portal::Fut;

    #[derive(Default)]
    pub struct Inner {
        pub now: Cell<f64>,
        deadlines: RefCell<Vec<f64>>,
        seed: Cell<u64>,
    }

    /// Cheap to clone; every clone is the same clock.
    #[derive(Clone, Default)]
    pub struct VirtualTime(pub Rc<Inner>);

    struct Sleep {
        inner: Rc<Inner>,
        until: f64,
    }

    impl Future for Sleep {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if self.inner.now.get() >= self.until {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    impl Clock for VirtualTime {
        fn now_ms(&self) -> f64 {
            self.0.now.get()
        }
        fn sleep(&self, ms: u64) -> Fut<'static, ()> {
            let until = self.0.now.get() + ms as f64;
            self.0.deadlines.borrow_mut().push(until);
            Box::pin(Sleep {
                inner: self.0.clone(),
                until,
            })
        }
        fn random(&self) -> f64 {
            // xorshift: deterministic jitter
            let mut x = self.0.seed.get() ^ 0x9E37_79B9_7F4A_7C15;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0.seed.set(x);
            (x >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    pub type Task<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

    impl VirtualTime {
        pub fn starting_at(unix_ms: f64) -> VirtualTime {
            let t = VirtualTime::default();
            t.0.now.set(unix_ms);
            t
        }

        pub fn now(&self) -> f64 {
            self.0.now.get()
        }

        /// Runs the tasks to completion on virtual time. Panics on a task that waits for
        /// something other than time (it would never finish).
        pub fn run(&self, mut tasks: Vec<Task<'_>>) {
            let mut cx = Context::from_waker(Waker::noop());
            loop {
                tasks.retain_mut(|t| t.as_mut().poll(&mut cx).is_pending());
                if tasks.is_empty() {
                    return;
                }
                let now = self.0.now.get();
                let next = {
                    let mut d = self.0.deadlines.borrow_mut();
                    d.retain(|t| *t > now);
                    d.iter().copied().reduce(f64::min)
                };
                match next {
                    Some(t) => self.0.now.set(t),
                    None => panic!("{} task(s) wait for something other than time", tasks.len()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use serde_json::{Value, json};

    use super::virtual_time::{Task, VirtualTime};
    use super::*;
    use crate::model::CallStatus;
    use crate::portal::demo::DemoConfig;
    use crate::portal::demo::sim::{Outcome, Sim};
    use crate::portal::{EventSink, Placement, PortalError};
    use crate::rest::coalesce::{Coalescer, Go};

    /// The demo simulation behind the same behaviour as the real boundary: latency, a 5xx
    /// fails at once with the library's `Query error!`, a stalled request ends at the timeout.
    struct SimPortal {
        sim: RefCell<Sim>,
        time: VirtualTime,
        latency_ms: u64,
        refreshes: Cell<u32>,
        /// Every request's time, for rate checks.
        sent_at: RefCell<Vec<f64>>,
    }

    const TIMEOUT_MS: u64 = 15_000;

    impl SimPortal {
        fn new(query: &str, time: &VirtualTime) -> Rc<SimPortal> {
            Rc::new(SimPortal {
                sim: RefCell::new(Sim::new(&DemoConfig::from_query(query))),
                time: time.clone(),
                latency_ms: 120,
                refreshes: Cell::new(0),
                sent_at: RefCell::new(Vec::new()),
            })
        }
    }

    impl Portal for SimPortal {
        fn placement(&self) -> Placement {
            Placement {
                name: "CALL_CARD".into(),
                options: self.sim.borrow().placement_options(),
            }
        }
        fn lang(&self) -> String {
            "en".into()
        }
        fn is_admin(&self) -> bool {
            false
        }
        fn get_status(&self) -> Fut<'_, Result<CallStatus, PortalError>> {
            Box::pin(async move {
                crate::model::call::decode_call_status(&self.sim.borrow().status())
                    .map_err(PortalError::Decode)
            })
        }
        fn subscribe(&self, _sink: EventSink) {}
        fn call(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>> {
            let method = method.to_string();
            let params = params.clone();
            Box::pin(async move {
                self.sent_at.borrow_mut().push(self.time.now());
                self.time.sleep(self.latency_ms / 2).await;
                let outcome = {
                    let mut sim = self.sim.borrow_mut();
                    sim.set_now_ms(self.time.now());
                    sim.rest_outcome(&method, &params)
                };
                self.time.sleep(self.latency_ms / 2).await;
                match outcome {
                    Outcome::Answer(body) => Ok(RestAnswer::from_body(&body)),
                    Outcome::Error(status, _) if status >= 500 => {
                        Err(RestError::Library("Query error!".into()))
                    }
                    Outcome::Error(status, body) => Err(RestError::from_body(status, &body)),
                    Outcome::NeverAnswers => {
                        self.time.sleep(TIMEOUT_MS).await;
                        Err(RestError::Timeout {
                            method,
                            after_ms: TIMEOUT_MS as u32,
                        })
                    }
                }
            })
        }
        fn refresh_auth(&self) -> Fut<'_, Result<(), PortalError>> {
            Box::pin(async move {
                self.time.sleep(80).await;
                self.refreshes.set(self.refreshes.get() + 1);
                self.sim.borrow_mut().refresh_token();
                Ok(())
            })
        }
        fn set_auto_close(&self, _: bool) -> Fut<'_, Result<(), PortalError>> {
            Box::pin(async { Ok(()) })
        }
        fn fit_window(&self) {}
        fn open_path(&self, _: &str) {}
        fn install_finish(&self) {}
        fn user_option(&self, _: &str) -> Option<String> {
            None
        }
        fn set_user_option(&self, _: &str, _: &str) {}
    }

    const T0: f64 = 1_780_000_000_000.0;

    fn setup(query: &str) -> (VirtualTime, Rc<SimPortal>, Rc<RestClient>) {
        let time = VirtualTime::starting_at(T0);
        let portal = SimPortal::new(query, &time);
        let client = Rc::new(RestClient::new(
            portal.clone(),
            Rc::new(time.clone()),
            LimiterConfig::standard(),
        ));
        (time, portal, client)
    }

    /// The card's refresh batch for the sim's current call.
    fn refresh_batch(portal: &SimPortal) -> Batch {
        let status =
            crate::model::call::decode_call_status(&portal.sim.borrow().status()).expect("status");
        crate::refresh::plan(&status, &Default::default()).batch
    }

    fn client_title(answer: &BatchAnswer) -> String {
        let item = &answer
            .get(crate::refresh::key::CLIENT)
            .expect("client")
            .result["item"];
        format!(
            "{} {}",
            item["name"].as_str().unwrap_or(""),
            item["lastName"].as_str().unwrap_or("")
        )
    }

    #[test]
    fn a_refresh_is_one_request() {
        let (time, portal, client) = setup("scenario=incoming&seed=1");
        let batch = refresh_batch(&portal);
        let got = RefCell::new(None);
        time.run(vec![Box::pin(async {
            *got.borrow_mut() = Some(client.batch(&batch, Priority::Interactive).await);
        })]);
        let answer = got.into_inner().unwrap().expect("answer");
        assert!(!client_title(&answer).trim().is_empty());
        assert_eq!(client.sent(), 1);
        assert_eq!(portal.sim.borrow().request_count(), 1);
    }

    /// The portal's zone comes from the answer's `time.date_start` (the demo portal is UTC).
    #[test]
    fn the_portal_offset_is_learned_from_answers() {
        let (time, portal, client) = setup("scenario=incoming&seed=1");
        assert_eq!(client.portal_offset_min(), None);
        let batch = refresh_batch(&portal);
        time.run(vec![Box::pin(async {
            let _ = client.batch(&batch, Priority::Interactive).await;
        })]);
        assert_eq!(client.portal_offset_min(), Some(0));
    }

    /// Under a 50 % storm of 503s (seen as `Query error!`) every refresh still converges, and
    /// the sustained rate stays under the bucket's 2 requests per second.
    #[test]
    fn a_503_storm_converges_and_stays_under_two_per_second() {
        for seed in 1..=8 {
            let query = format!("scenario=incoming&seed={seed}&fail=QUERY_LIMIT_EXCEEDED:0.5");
            let (time, portal, client) = setup(&query);
            let batch = refresh_batch(&portal);
            let results = RefCell::new(Vec::new());
            // 40 refreshes asked back to back: the bucket has to hold them.
            let tasks: Vec<Task> = (0..40)
                .map(|_| {
                    let task: Task = Box::pin(async {
                        let r = client.batch(&batch, Priority::Interactive).await;
                        results.borrow_mut().push(r.is_ok());
                    });
                    task
                })
                .collect();
            time.run(tasks);
            let ok = results.borrow().iter().filter(|r| **r).count();
            // Six attempts at 50 %: a refresh fails only on six losses in a row (1.6 %).
            assert!(ok >= 36, "seed {seed}: {ok} of 40 converged");
            let sent = portal.sent_at.borrow();
            assert!(sent.len() > 40, "the storm must have cost retries");
            // The bucket's promise: in any window of W seconds at most 50 + 2·W requests.
            for (i, w) in sent.iter().enumerate() {
                for end in &sent[i..] {
                    let n = sent.iter().filter(|t| **t >= *w && **t <= *end).count() as f64;
                    assert!(n <= 50.0 + 2.0 * (end - w) / 1000.0 + 1.0, "seed {seed}");
                }
            }
            // And after the first 50, the sustained rate is at most 2 per second.
            if sent.len() > 60 {
                let after = &sent[50..];
                let span_s = (after[after.len() - 1] - after[0]) / 1000.0;
                let rate = (after.len() - 1) as f64 / span_s;
                assert!(rate <= 2.05, "seed {seed}: {rate} requests/s");
            }
        }
    }

    #[test]
    fn an_expired_token_is_refreshed_once_for_all_waiting_requests() {
        let (time, portal, client) = setup("scenario=incoming&seed=1&expire=3");
        let batch = refresh_batch(&portal);
        let results = RefCell::new(Vec::new());
        let tasks: Vec<Task> = (0..5)
            .map(|_| {
                let task: Task = Box::pin(async {
                    let r = client.batch(&batch, Priority::Interactive).await;
                    results.borrow_mut().push(r.is_ok());
                });
                task
            })
            .collect();
        time.run(tasks);
        assert_eq!(*results.borrow(), vec![true; 5]);
        // Two requests hit the expired token together; one refresh served both.
        assert_eq!(portal.refreshes.get(), 1);
    }

    #[test]
    fn a_write_that_timed_out_is_not_sent_again() {
        let (time, portal, client) = setup("scenario=incoming&stall=crm.calllist.add");
        let got = RefCell::new(None);
        time.run(vec![Box::pin(async {
            let r = client
                .call(
                    "crm.calllist.add",
                    &json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [1]}),
                    Priority::Interactive,
                )
                .await;
            *got.borrow_mut() = Some(r);
        })]);
        assert!(matches!(
            got.into_inner(),
            Some(Err(RestError::Timeout { .. }))
        ));
        assert_eq!(portal.sent_at.borrow().len(), 1);
        // A read in the same situation is retried.
        let (time, portal, client) = setup("scenario=incoming&stall=crm.item.get");
        time.run(vec![Box::pin(async {
            let _ = client
                .call(
                    "crm.item.get",
                    &json!({"entityTypeId": 3, "id": 1}),
                    Priority::Interactive,
                )
                .await;
        })]);
        assert_eq!(portal.sent_at.borrow().len(), MAX_ATTEMPTS as usize);
    }

    #[test]
    fn access_errors_are_not_retried() {
        let (time, portal, client) = setup("scenario=incoming&fail=ACCESS_DENIED:1:user.get");
        let got = RefCell::new(None);
        time.run(vec![Box::pin(async {
            *got.borrow_mut() = Some(
                client
                    .call("user.get", &json!({"ID": 1}), Priority::Interactive)
                    .await,
            );
        })]);
        let err = got.into_inner().unwrap().expect_err("denied");
        assert_eq!(err.class(), ErrorClass::AccessDenied);
        assert_eq!(portal.sent_at.borrow().len(), 1);
    }

    #[test]
    fn the_operator_is_told_when_the_next_attempt_goes_out() {
        let (time, portal, client) =
            setup("scenario=incoming&seed=3&fail=QUERY_LIMIT_EXCEEDED:0.5");
        let batch = refresh_batch(&portal);
        let seen: Rc<RefCell<Vec<Option<Notice>>>> = Rc::default();
        let sink = seen.clone();
        client.on_notice(Rc::new(move |n| sink.borrow_mut().push(n)));
        time.run(vec![Box::pin(async {
            for _ in 0..6 {
                let _ = client.batch(&batch, Priority::Interactive).await;
            }
        })]);
        let seen = seen.borrow();
        assert!(
            seen.iter()
                .any(|n| matches!(n, Some(Notice::Retrying { until_ms, .. }) if *until_ms > T0)),
            "{seen:?}"
        );
        // Each success clears the notice; the run ends cleared.
        assert_eq!(seen.last(), Some(&None));
    }

    #[test]
    fn background_requests_wait_while_an_interactive_one_waits() {
        let time = VirtualTime::starting_at(T0);
        let portal = SimPortal::new("scenario=incoming", &time);
        let client = Rc::new(RestClient::new(
            portal.clone(),
            Rc::new(time.clone()),
            LimiterConfig {
                burst: 2.0,
                drain_per_sec: 1.0,
            },
        ));
        let order = RefCell::new(Vec::new());
        let params = json!({});
        let tasks: Vec<Task> = vec![
            Box::pin(async {
                for i in 0..3 {
                    let _ = client
                        .call("user.current", &params, Priority::Background)
                        .await;
                    order.borrow_mut().push(format!("bg{i}"));
                }
            }),
            Box::pin(async {
                time.sleep(10).await;
                let _ = client
                    .call("user.current", &params, Priority::Interactive)
                    .await;
                order.borrow_mut().push("click".to_string());
            }),
        ];
        time.run(tasks);
        let order = order.into_inner();
        let click = order.iter().position(|s| s == "click").unwrap();
        assert!(
            click <= 1,
            "the click waited behind background work: {order:?}"
        );
    }

    #[test]
    fn a_method_near_its_operating_limit_waits_for_the_reset() {
        let (time, _portal, client) = setup("scenario=incoming");
        // As if the portal said crm.item.get used 479 of its 480 s, resetting in 60 s.
        client.state.borrow_mut().operating.record(
            "crm.item.get",
            &json!({"operating": 479, "operating_reset_at": (T0 / 1000.0) as u64 + 60}),
            T0,
        );
        let sent_at = Rc::new(Cell::new(0.0));
        let at = sent_at.clone();
        let clock = time.clone();
        time.run(vec![Box::pin(async move {
            let _ = client
                .call(
                    "crm.item.get",
                    &json!({"entityTypeId": 3, "id": 1}),
                    Priority::Interactive,
                )
                .await;
            at.set(clock.now());
        })]);
        assert!(
            sent_at.get() >= T0 + 60_000.0,
            "sent {} ms after start",
            sent_at.get() - T0
        );
    }

    /// Ten client switches in one second through the coalescer and the client: two requests.
    #[test]
    fn a_burst_of_ten_switches_costs_two_requests_and_ends_on_the_last_client() {
        let (time, portal, client) = setup("scenario=incoming&seed=2");
        let coalescer = RefCell::new(Coalescer::new(1000.0));
        let last_shown = RefCell::new(None);
        // One refresh: read the status the sim has *now*, then one batch.
        let refresh = || async {
            let status = crate::model::call::decode_call_status(&portal.sim.borrow().status())
                .expect("status");
            let batch = crate::refresh::plan(&status, &Default::default()).batch;
            if batch.is_empty() || client.batch(&batch, Priority::Interactive).await.is_ok() {
                *last_shown.borrow_mut() = Some(status.entity);
            }
        };
        // Drive it by hand: events every 100 ms; refreshes as the coalescer says.
        let pending_timer: Cell<Option<f64>> = Cell::new(None);
        let running = Cell::new(false);
        let driver: Task = Box::pin(async {
            let mut in_flight: Option<Task> = None;
            let mut events = 0;
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            loop {
                let now = time.now();
                if events < 10 && now >= T0 + events as f64 * 100.0 {
                    portal.sim.borrow_mut().switch_client();
                    events += 1;
                    match coalescer.borrow_mut().ask(now) {
                        Go::Now => {
                            running.set(true);
                            in_flight = Some(Box::pin(refresh()));
                        }
                        Go::Later(ms) => pending_timer.set(Some(now + ms as f64)),
                        Go::Merged => {}
                    }
                }
                if let Some(t) = pending_timer.get()
                    && now >= t
                {
                    pending_timer.set(None);
                    if coalescer.borrow_mut().fire(now) {
                        running.set(true);
                        in_flight = Some(Box::pin(refresh()));
                    }
                }
                if let Some(f) = in_flight.as_mut()
                    && f.as_mut().poll(&mut cx).is_ready()
                {
                    in_flight = None;
                    running.set(false);
                    match coalescer.borrow_mut().finish(time.now()) {
                        Go::Now => {
                            running.set(true);
                            in_flight = Some(Box::pin(refresh()));
                        }
                        Go::Later(ms) => pending_timer.set(Some(time.now() + ms as f64)),
                        Go::Merged => {}
                    }
                }
                if events == 10 && in_flight.is_none() && pending_timer.get().is_none() {
                    return;
                }
                time.sleep(10).await;
            }
        });
        time.run(vec![driver]);
        assert_eq!(portal.sim.borrow().request_count(), 2);
        let status = portal.sim.borrow().status();
        let expected = crate::model::call::decode_call_status(&status).unwrap();
        assert_eq!(*last_shown.borrow(), Some(expected.entity));
    }

    #[test]
    fn a_request_nobody_wants_any_more_is_not_retried() {
        let (time, portal, client) = setup("scenario=incoming&fail=QUERY_LIMIT_EXCEEDED:1");
        let batch = refresh_batch(&portal);
        let wanted = Cell::new(true);
        let got = RefCell::new(None);
        time.run(vec![
            Box::pin(async {
                *got.borrow_mut() = Some(
                    client
                        .batch_while(&batch, Priority::Interactive, &|| wanted.get())
                        .await,
                );
            }),
            Box::pin(async {
                // The operator moves on while the first attempt is failing.
                time.sleep(60).await;
                wanted.set(false);
            }),
        ]);
        assert!(matches!(got.into_inner(), Some(Err(RestError::Superseded))));
        assert_eq!(portal.sent_at.borrow().len(), 1);
    }

    /// Regression: a superseded request slept its whole back-off (up to seconds) before it
    /// noticed, and the newest client's refresh waited behind it.
    #[test]
    fn a_superseded_request_stops_during_its_back_off() {
        let (time, portal, client) = setup("scenario=incoming&fail=QUERY_LIMIT_EXCEEDED:1");
        let batch = refresh_batch(&portal);
        let wanted = Cell::new(true);
        let ended_at = Cell::new(0.0);
        let dropped_at = Cell::new(0.0);
        time.run(vec![
            Box::pin(async {
                let r = client
                    .batch_while(&batch, Priority::Interactive, &|| wanted.get())
                    .await;
                assert!(matches!(r, Err(RestError::Superseded)), "{r:?}");
                ended_at.set(time.now());
            }),
            Box::pin(async {
                // Past the first failure, inside the back-off before the second attempt.
                while portal.sent_at.borrow().is_empty() {
                    time.sleep(5).await;
                }
                time.sleep(300).await;
                dropped_at.set(time.now());
                wanted.set(false);
            }),
        ]);
        assert_eq!(portal.sent_at.borrow().len(), 1, "no second attempt");
        let late = ended_at.get() - dropped_at.get();
        assert!(
            (0.0..=WANTED_CHECK_MS as f64 + 1.0).contains(&late),
            "stopped {late} ms after it was dropped"
        );
    }

    /// Log lines carry codes and classes, never the description (which may echo `auth=…`).
    #[test]
    fn no_token_reaches_a_log_line() {
        for e in [
            crate::portal::PortalError::Library("Error: POST ?auth=SECRETTOKEN123".into()),
            crate::portal::PortalError::Timeout(3),
        ] {
            let line = e.describe_for_log();
            assert!(!line.contains("SECRETTOKEN123"), "{line}");
        }
        let err = RestError::Api {
            status: 401,
            code: "expired_token".into(),
            description: "auth=SECRETTOKEN123 expired".into(),
        };
        let line = retry::describe_for_log(&err);
        assert!(!line.contains("SECRETTOKEN123"), "{line}");
        let lib = RestError::Library("Query error! auth=SECRETTOKEN123".into());
        assert!(!retry::describe_for_log(&lib).contains("SECRETTOKEN123"));
    }
}
