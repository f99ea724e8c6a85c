//! The demo portal in the browser: the pure [`Sim`] plus latency, events and a request counter.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use serde_json::Value;

use super::demo::{DemoConfig, Sim, SimEvent};
use super::{EventSink, Fut, Placement, Portal, PortalError};
use crate::model::CallStatus;
use crate::model::call::{decode_call_status, decode_entity_changed, decode_state_changed};
use crate::rest::{RestAnswer, RestError};

/// A simulated portal with state; what `trunk serve` shows and what the tests drive.
pub struct DemoPortal {
    pub config: DemoConfig,
    /// Why the demo is shown instead of a real portal that seemed to be there.
    pub fallback_reason: Option<String>,
    sim: RefCell<Sim>,
    sink: RefCell<Option<EventSink>>,
    /// REST requests the card has made (a batch is one), shown live in the demo banner.
    pub requests: RwSignal<u64>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl DemoPortal {
    pub fn new(config: DemoConfig, fallback_reason: Option<String>) -> Rc<DemoPortal> {
        let mut sim = Sim::new(&config);
        sim.set_now_ms(now_ms());
        Rc::new(DemoPortal {
            config,
            fallback_reason,
            sim: RefCell::new(sim),
            sink: RefCell::new(None),
            requests: RwSignal::new(0),
        })
    }

    async fn latency(&self) {
        if self.config.latency_ms > 0 {
            TimeoutFuture::new(self.config.latency_ms).await;
        }
    }

    /// Drives the scenario: the events go through the same decoders as the real portal's.
    fn emit(&self, events: Vec<SimEvent>) {
        let sink = self.sink.borrow().clone();
        let Some(sink) = sink else { return };
        for ev in events {
            let decoded = match ev {
                SimEvent::StateChanged { state, failed_code } => {
                    let extra = failed_code.map(|c| serde_json::json!({ "failedCode": c }));
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

    fn step(&self, f: impl FnOnce(&mut Sim) -> Vec<SimEvent>) {
        let events = {
            let mut sim = self.sim.borrow_mut();
            sim.set_now_ms(now_ms());
            f(&mut sim)
        };
        self.emit(events);
    }

    pub fn answer(&self) {
        self.step(Sim::answer);
    }
    pub fn hangup(&self) {
        self.step(Sim::hangup);
    }
    pub fn redial(&self) {
        self.step(Sim::redial);
    }
    pub fn switch_client(&self) {
        self.step(Sim::switch_client);
    }
    /// The current call state word, for the demo controls.
    pub fn state_word(&self) -> String {
        self.sim
            .borrow()
            .status()
            .get("CALL_STATE")
            .and_then(|s| s.as_str())
            .unwrap_or("idle")
            .to_string()
    }
}

impl Portal for DemoPortal {
    fn placement(&self) -> Placement {
        let sim = self.sim.borrow();
        Placement {
            name: sim.placement().to_string(),
            options: sim.placement_options(),
        }
    }

    fn lang(&self) -> String {
        self.config.lang.clone()
    }

    fn is_admin(&self) -> bool {
        true
    }

    fn get_status(&self) -> Fut<'_, Result<CallStatus, PortalError>> {
        Box::pin(async move {
            self.latency().await;
            let v = self.sim.borrow().status();
            decode_call_status(&v).map_err(PortalError::Decode)
        })
    }

    fn subscribe(&self, sink: EventSink) {
        *self.sink.borrow_mut() = Some(sink);
    }

    fn call(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>> {
        let method = method.to_string();
        let params = params.clone();
        Box::pin(async move {
            let answer = {
                let mut sim = self.sim.borrow_mut();
                sim.set_now_ms(now_ms());
                let a = sim.rest(&method, &params);
                self.requests.set(sim.request_count());
                a
            };
            self.latency().await;
            match answer {
                Ok(body) => Ok(RestAnswer::from_body(&body)),
                Err((status, body)) => Err(RestError::from_body(status, &body)),
            }
        })
    }

    fn set_auto_close(&self, _enabled: bool) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async move {
            self.latency().await;
            Ok(())
        })
    }

    fn fit_window(&self) {}

    fn open_path(&self, path: &str) {
        log::info!("demo: the portal would open {path} in a slider");
    }

    fn install_finish(&self) {}

    fn user_option(&self, name: &str) -> Option<String> {
        crate::browser::local_get(&format!("callcard.demo.opt.{name}"))
    }

    fn set_user_option(&self, name: &str, value: &str) {
        crate::browser::local_set(&format!("callcard.demo.opt.{name}"), value);
    }
}
