//! The message link to the demo simulation's Web Worker — both ends. Only JSON text crosses it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use callcard_sim::protocol;

/// Where Trunk puts the worker's loader (`data-type="worker"`, `data-loader-shim`).
const WORKER_URL: &str = "./demo_worker_loader.js";

/// The app's end: sends requests, resolves each answer by its id.
pub struct WorkerLink {
    worker: web_sys::Worker,
    pending: Rc<RefCell<Vec<(u64, Function)>>>,
    next_id: Cell<u64>,
    /// The `ready` message, resolved once.
    ready: RefCell<Option<Promise>>,
}

fn parse(v: &JsValue) -> Value {
    v.as_string()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}

impl WorkerLink {
    /// Starts the worker and sends `init` with the demo's URL query. Fails when workers are
    /// unavailable or the script is missing (the caller shows why).
    pub fn start(query: &str) -> Result<WorkerLink, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(WORKER_URL, &options)
            .map_err(|_| "the demo worker could not start".to_string())?;
        let pending: Rc<RefCell<Vec<(u64, Function)>>> = Rc::default();
        let ready_resolve: Rc<RefCell<Option<Function>>> = Rc::default();
        let ready = Promise::new(&mut |resolve, _| *ready_resolve.borrow_mut() = Some(resolve));
        let (p, r) = (pending.clone(), ready_resolve.clone());
        let query = query.to_string();
        let sender = worker.clone();
        let onmessage =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                let msg = parse(&data);
                match msg.get("op").and_then(|o| o.as_str()) {
                    // The worker's wasm is loaded: now it can take `init` (earlier messages are lost).
                    Some("loaded") => {
                        let init = serde_json::json!({"op": "init", "query": query}).to_string();
                        let _ = sender.post_message(&JsValue::from_str(&init));
                    }
                    Some("ready") => {
                        if let Some(resolve) = r.borrow_mut().take() {
                            let _ = resolve.call1(&JsValue::NULL, &data);
                        }
                    }
                    _ => {
                        let id = msg.get("id").and_then(|i| i.as_u64());
                        let found = id.and_then(|id| {
                            let mut p = p.borrow_mut();
                            let at = p.iter().position(|(k, _)| *k == id)?;
                            Some(p.swap_remove(at).1)
                        });
                        if let Some(resolve) = found {
                            let _ = resolve.call1(&JsValue::NULL, &data);
                        }
                    }
                }
            });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget(); // the worker lives as long as the page
        Ok(WorkerLink {
            worker,
            pending,
            next_id: Cell::new(1),
            ready: RefCell::new(Some(ready)),
        })
    }

    /// Waits for the simulation's first snapshot (at most `timeout_ms`).
    pub async fn ready(&self, timeout_ms: u32) -> Result<Value, String> {
        let ready = self.ready.borrow_mut().take().ok_or("already started")?;
        let timeout = Promise::new(&mut |_, reject| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &reject,
                    timeout_ms as i32,
                );
            }
        });
        let race = Promise::race(&js_sys::Array::of2(&ready, &timeout));
        JsFuture::from(race)
            .await
            .map(|v| parse(&v))
            .map_err(|_| "the demo worker did not answer".to_string())
    }

    /// Sends `msg` (an object without `id`) and waits for its reply.
    pub async fn request(&self, mut msg: Value) -> Value {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        msg["id"] = Value::from(id);
        let pending = self.pending.clone();
        let promise = Promise::new(&mut |resolve, _| {
            pending.borrow_mut().push((id, resolve));
        });
        if self
            .worker
            .post_message(&JsValue::from_str(&msg.to_string()))
            .is_err()
        {
            self.pending.borrow_mut().retain(|(k, _)| *k != id);
            return Value::Null;
        }
        JsFuture::from(promise)
            .await
            .map(|v| parse(&v))
            .unwrap_or(Value::Null)
    }
}

/// The worker's end: runs the simulation and answers every message (`src/bin/demo_worker.rs`).
pub fn run_worker() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(protocol::Worker::default()));
    let out = scope.clone();
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            let reply = state.borrow_mut().handle(&text, js_sys::Date::now());
            let _ = out.post_message(&JsValue::from_str(&reply.to_string()));
        });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(r#"{"op":"loaded"}"#));
}
