//! The REST client on a virtual clock against the demo simulation: retries, rate limits,
//! token refresh and coalescing, with the portal's behaviour (latency, `Query error!` on a 5xx,
//! a stalled request ending at the timeout). Lives with the simulation, which depends on the core.

/// A virtual clock and a tiny executor for host tests: sleeping advances nothing by itself;
/// [`VirtualTime::run`] polls every task and, when all wait, jumps to the earliest deadline.
mod virtual_time {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    use callcard_core::portal::Fut;
    use callcard_core::rest::client::Clock;

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

mod tests {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use serde_json::{Value, json};

    use crate::virtual_time::{Task, VirtualTime};
    use callcard_core::call::CallStatus;
    use callcard_core::portal::{EventSink, Placement, PortalError};
    use callcard_core::portal::{Fut, Portal};
    use callcard_core::rest::batch::{Batch, BatchAnswer};
    use callcard_core::rest::client::*;
    use callcard_core::rest::coalesce::{Coalescer, WhenToSend};
    use callcard_core::rest::limiter::{LimiterConfig, Priority};
    use callcard_core::rest::{ErrorClass, RestAnswer, RestError};
    use callcard_sim::DemoConfig;
    use callcard_sim::sim::{Outcome, Sim};

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
                callcard_core::call::decode_call_status(&self.sim.borrow().status())
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
            callcard_core::call::decode_call_status(&portal.sim.borrow().status()).expect("status");
        callcard_core::refresh::plan(&status, &Default::default()).batch
    }

    fn client_title(answer: &BatchAnswer) -> String {
        let item = &answer
            .get(callcard_core::refresh::key::CLIENT)
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
        client.record_operating(
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
            let status = callcard_core::call::decode_call_status(&portal.sim.borrow().status())
                .expect("status");
            let batch = callcard_core::refresh::plan(&status, &Default::default()).batch;
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
                        WhenToSend::Now => {
                            running.set(true);
                            in_flight = Some(Box::pin(refresh()));
                        }
                        WhenToSend::Later(ms) => pending_timer.set(Some(now + ms as f64)),
                        WhenToSend::Merged => {}
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
                        WhenToSend::Now => {
                            running.set(true);
                            in_flight = Some(Box::pin(refresh()));
                        }
                        WhenToSend::Later(ms) => pending_timer.set(Some(time.now() + ms as f64)),
                        WhenToSend::Merged => {}
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
        let expected = callcard_core::call::decode_call_status(&status).unwrap();
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
            callcard_core::portal::PortalError::Library("Error: POST ?auth=SECRETTOKEN123".into()),
            callcard_core::portal::PortalError::Timeout(3),
        ] {
            let line = e.describe_for_log();
            assert!(!line.contains("SECRETTOKEN123"), "{line}");
        }
        let err = RestError::Api {
            status: 401,
            code: "expired_token".into(),
            description: "auth=SECRETTOKEN123 expired".into(),
        };
        let line = callcard_core::rest::retry::describe_for_log(&err);
        assert!(!line.contains("SECRETTOKEN123"), "{line}");
        let lib = RestError::Library("Query error! auth=SECRETTOKEN123".into());
        assert!(!callcard_core::rest::retry::describe_for_log(&lib).contains("SECRETTOKEN123"));
    }
}
