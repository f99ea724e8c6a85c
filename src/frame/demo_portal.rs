//! The demo portal in the browser: talks to the simulation (in a Web Worker in the app, or on
//! this thread in tests), adds latency, delivers events through the real decoders and counts
//! REST requests.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

use super::demo_link::WorkerLink;
use callcard_core::call::CallStatus;
use callcard_core::call::{decode_call_status, decode_entity_changed, decode_state_changed};
use callcard_core::portal::{EventSink, Fut, Placement, Portal, PortalError};
use callcard_core::rest::{RestAnswer, RestError};
use callcard_sim::protocol::{self, events_from_json};
use callcard_sim::{DemoConfig, SimEvent};

/// How messages reach the simulation. A trait object, so that the app binary (which only ever
/// builds the worker transport) does not carry the simulation itself.
trait Transport {
    fn exchange(&self, msg: Value) -> Fut<'_, Value>;
}

impl Transport for WorkerLink {
    fn exchange(&self, msg: Value) -> Fut<'_, Value> {
        Box::pin(self.request(msg))
    }
}

/// The simulation on this thread (tests).
struct Inline(RefCell<protocol::Worker>);

impl Transport for Inline {
    fn exchange(&self, msg: Value) -> Fut<'_, Value> {
        let reply = self
            .0
            .borrow_mut()
            .handle(&msg.to_string(), js_sys::Date::now());
        Box::pin(async move { reply })
    }
}

/// A simulated portal with state; what `trunk serve` shows and what the tests drive.
pub struct DemoPortal {
    pub config: DemoConfig,
    /// Why the demo is shown instead of a real portal that seemed to be there.
    pub fallback_reason: Option<String>,
    transport: Box<dyn Transport>,
    placement: Placement,
    sink: RefCell<Option<EventSink>>,
    /// REST requests the card has made (a batch is one), shown live in the demo banner.
    pub requests: RwSignal<u64>,
    /// Each call list's true size `(id, members)`, hidden members included, for the banner.
    pub list_sizes: RwSignal<Vec<(u64, u64)>>,
    /// The app holds the card open (`disableAutoClose`), as the portal sees it.
    pub autoclose_held: RwSignal<bool>,
    /// The portal closed the card after the call (the demo blanks the tab).
    pub card_closed: RwSignal<bool>,
    /// When the portal's auto-close countdown ends (Unix ms), if it runs.
    pub closes_at: RwSignal<Option<f64>>,
}

/// How long the worker may take to load and answer `init`.
const WORKER_START_MS: u32 = 10_000;

impl DemoPortal {
    fn from_ready(
        config: DemoConfig,
        reason: Option<String>,
        transport: Box<dyn Transport>,
        ready: &Value,
    ) -> Rc<DemoPortal> {
        let placement = Placement {
            name: ready
                .get("placement")
                .and_then(|p| p.as_str())
                .unwrap_or("CALL_CARD")
                .to_string(),
            options: ready.get("options").cloned().unwrap_or(Value::Null),
        };
        Rc::new(DemoPortal {
            config,
            fallback_reason: reason,
            transport,
            placement,
            sink: RefCell::new(None),
            requests: RwSignal::new(0),
            list_sizes: RwSignal::new(Vec::new()),
            autoclose_held: RwSignal::new(false),
            card_closed: RwSignal::new(false),
            closes_at: RwSignal::new(None),
        })
    }

    /// The app's demo: the simulation runs in its Web Worker.
    pub async fn start(query: &str, reason: Option<String>) -> Result<Rc<DemoPortal>, String> {
        let link = WorkerLink::start(query)?;
        let ready = link.ready(WORKER_START_MS).await?;
        Ok(Self::from_ready(
            DemoConfig::from_query(query),
            reason,
            Box::new(link),
            &ready,
        ))
    }

    /// The simulation on this thread, for tests.
    pub fn inline(query: &str) -> Rc<DemoPortal> {
        let mut worker = protocol::Worker::default();
        let ready = worker.handle(
            &json!({"op": "init", "query": query}).to_string(),
            js_sys::Date::now(),
        );
        Self::from_ready(
            DemoConfig::from_query(query),
            None,
            Box::new(Inline(RefCell::new(worker))),
            &ready,
        )
    }

    /// Waits out the REST timeout the real boundary would, and reports it.
    async fn silent(&self, method: String) -> RestError {
        let after_ms = crate::frame::bx24::Timeouts::default().rest_ms;
        TimeoutFuture::new(after_ms).await;
        RestError::Timeout { method, after_ms }
    }

    async fn latency(&self) {
        if self.config.latency_ms > 0 {
            TimeoutFuture::new(self.config.latency_ms).await;
        }
    }

    /// Where the portal's auto-close stands (every worker reply says).
    fn note_autoclose(&self, reply: &Value) {
        let Some(a) = reply.get("autoclose") else {
            return;
        };
        let flag = |k: &str| a.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
        if self.autoclose_held.get_untracked() != flag("held") {
            self.autoclose_held.try_set(flag("held"));
        }
        if self.card_closed.get_untracked() != flag("closed") {
            self.card_closed.try_set(flag("closed"));
        }
        let at = a.get("closesAt").and_then(|v| v.as_f64());
        if self.closes_at.get_untracked() != at {
            self.closes_at.try_set(at);
        }
    }

    /// Runs the portal's auto-close countdown to now (the demo panel calls it when it is due).
    pub fn tick(self: &Rc<Self>) {
        let this = self.clone();
        spawn_local(async move {
            let reply = this.transport.exchange(json!({"op": "tick"})).await;
            this.note_autoclose(&reply);
            this.emit(events_from_json(&reply["events"]));
        });
    }

    /// Delivers events through the same decoders as the real portal's.
    fn emit(&self, events: Vec<SimEvent>) {
        let sink = self.sink.borrow().clone();
        let Some(sink) = sink else { return };
        for ev in events {
            let decoded = match ev {
                SimEvent::BeforeClose => Ok(callcard_core::call::CallEvent::BeforeClose),
                // No event reaches an app whose frame the portal removed.
                SimEvent::Closed => continue,
                SimEvent::StateChanged { state, failed_code } => {
                    let extra = failed_code.map(|c| json!({ "failedCode": c }));
                    decode_state_changed(&Value::String(state), extra.as_ref())
                }
                SimEvent::EntityChanged(v) => decode_entity_changed(&v),
            };
            match decoded {
                Ok(ev) => sink(ev),
                Err(e) => log::error!("demo event could not be read: {e}"),
            }
        }
    }

    /// Drives the scenario (the banner's buttons): `answer`, `hangup`, `redial`, `switch`.
    pub fn step(self: &Rc<Self>, action: &'static str) {
        let this = self.clone();
        spawn_local(async move {
            let reply = this
                .transport
                .exchange(json!({"op": "step", "action": action}))
                .await;
            this.note_autoclose(&reply);
            this.emit(events_from_json(&reply["events"]));
        });
    }
}

impl Portal for DemoPortal {
    fn placement(&self) -> Placement {
        self.placement.clone()
    }

    fn lang(&self) -> String {
        self.config.lang.clone()
    }

    fn is_admin(&self) -> bool {
        // A user with members hidden from them (`calllist_hidden`) has restricted CRM rights.
        self.config.calllist_hidden == 0
    }

    fn get_status(&self) -> Fut<'_, Result<CallStatus, PortalError>> {
        Box::pin(async move {
            self.latency().await;
            let reply = self.transport.exchange(json!({"op": "status"})).await;
            decode_call_status(&reply["status"]).map_err(PortalError::Decode)
        })
    }

    fn subscribe(&self, sink: EventSink) {
        *self.sink.borrow_mut() = Some(sink);
    }

    fn call(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>> {
        let msg = json!({"op": "rest", "method": method, "params": params});
        let method = method.to_string();
        Box::pin(async move {
            let reply = self.transport.exchange(msg).await;
            self.note_autoclose(&reply);
            if let Some(n) = reply.get("requests").and_then(|n| n.as_u64()) {
                self.requests.try_set(n);
            }
            if let Some(sizes) = reply.get("list_sizes").and_then(|v| v.as_array()) {
                let sizes: Vec<(u64, u64)> = sizes
                    .iter()
                    .filter_map(|p| Some((p.get(0)?.as_u64()?, p.get(1)?.as_u64()?)))
                    .collect();
                if self.list_sizes.with_untracked(|v| *v != sizes) {
                    self.list_sizes.try_set(sizes);
                }
            }
            self.latency().await;
            if let Some(body) = reply.get("ok") {
                return Ok(RestAnswer::from_body(body));
            }
            let err = match reply
                .get("err")
                .and_then(|e| e.as_array())
                .map(|e| e.as_slice())
            {
                Some([status, body]) => Some((status.as_u64().unwrap_or(500) as u16, body)),
                _ => None,
            };
            match err {
                // The classic library throws `Query error!` on HTTP 5xx and never calls back; the
                // real boundary notices the throw and fails the call at once (bx24.rs). A request
                // that never answers is silent: only the card's own timeout ends it.
                Some((status, _)) if status >= 500 => Err(RestError::Library(
                    "Query error! (HTTP 5xx or no connection)".into(),
                )),
                None if reply.get("stalled") == Some(&Value::Bool(true)) => {
                    Err(self.silent(method).await)
                }
                Some((status, body)) => Err(RestError::from_body(status, body)),
                None => Err(RestError::Library("the demo worker gave no answer".into())),
            }
        })
    }

    fn refresh_auth(&self) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async move {
            self.latency().await;
            let reply = self.transport.exchange(json!({"op": "refresh"})).await;
            if reply.get("ok") == Some(&Value::Bool(true)) {
                Ok(())
            } else {
                Err(PortalError::Library(
                    "the demo could not refresh the token".into(),
                ))
            }
        })
    }

    fn set_auto_close(&self, enabled: bool) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async move {
            let reply = self
                .transport
                .exchange(json!({"op": "autoclose", "enabled": enabled}))
                .await;
            self.note_autoclose(&reply);
            self.emit(events_from_json(&reply["events"]));
            Ok(())
        })
    }

    fn fit_window(&self) {}

    fn open_path(&self, path: &str) {
        log::info!("demo: the portal would open {path} in a slider");
    }

    fn install_finish(&self) {}

    fn is_demo(&self) -> bool {
        true
    }

    // The portal keeps user options on its side; the demo keeps them in the demo's namespace.
    fn user_option(&self, name: &str) -> Option<String> {
        let key = format!("callcard-demo/options/{name}");
        crate::frame::browser::kept_get(crate::frame::browser::Area::Local, &key)
    }

    fn set_user_option(&self, name: &str, value: &str) {
        let key = format!("callcard-demo/options/{name}");
        crate::frame::browser::kept_set(crate::frame::browser::Area::Local, &key, value);
    }

    // The app's options (the administrator's settings), in the demo's namespace too.
    fn app_option(&self, name: &str) -> Option<String> {
        let key = format!("callcard-demo/app/{name}");
        crate::frame::browser::kept_get(crate::frame::browser::Area::Local, &key)
            .filter(|v| !v.is_empty())
    }

    fn set_app_option(&self, name: &str, value: &str) -> Fut<'_, Result<(), PortalError>> {
        let key = format!("callcard-demo/app/{name}");
        let value = value.to_string();
        Box::pin(async move {
            self.latency().await;
            crate::frame::browser::kept_set(crate::frame::browser::Area::Local, &key, &value);
            Ok(())
        })
    }
}
