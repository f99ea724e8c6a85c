//! The real portal: typed async wrappers over `window.BX24`, the part of the page boundary
//! (`src/frame/`) that talks to the Bitrix24 library.
//!
//! Faithful to the classic library's behaviour (mirrored by `tests/support/fake-bx24.js`): an
//! unknown placement command and an HTTP 5xx answer never call back, so every call here has a
//! timeout; events arrive with their first argument only; `bindEvent` has no unbind, so each
//! event is bound once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::frame::convert::{describe, to_js, to_json};
use callcard_core::call::{CallEvent, CallStatus};
use callcard_core::call::{decode_call_status, decode_entity_changed, decode_state_changed};
use callcard_core::portal::{EventSink, Fut, Placement, Portal, PortalError};
use callcard_core::rest::{RestAnswer, RestError};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = init)]
    fn bx_init(cb: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "placement"], js_name = info)]
    fn bx_placement_info() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "placement"], js_name = call)]
    fn bx_placement_call(cmd: &str, params: &JsValue, cb: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "placement"], js_name = bindEvent)]
    fn bx_bind_event(event: &str, cb: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = callMethod)]
    fn bx_call_method(method: &str, params: &JsValue, cb: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = callBatch)]
    fn bx_call_batch(calls: &JsValue, cb: &JsValue, halt: bool) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = refreshAuth)]
    fn bx_refresh_auth(cb: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = fitWindow)]
    fn bx_fit_window() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = getLang)]
    fn bx_get_lang() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = openPath)]
    fn bx_open_path(path: &str, cb: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = installFinish)]
    fn bx_install_finish() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = BX24, js_name = isAdmin)]
    fn bx_is_admin() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "userOption"], js_name = get)]
    fn bx_user_option_get(name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "userOption"], js_name = set)]
    fn bx_user_option_set(name: &str, value: &str, cb: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "appOption"], js_name = get)]
    fn bx_app_option_get(name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["BX24", "appOption"], js_name = set)]
    fn bx_app_option_set(name: &str, value: &str, cb: &JsValue) -> Result<JsValue, JsValue>;
}

/// How long each kind of call may take before it counts as unanswered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    /// `BX24.init`: the parent answers `getInitData` at once when we are in a frame.
    pub init_ms: u32,
    /// Placement commands (`getStatus`, auto-close): answered by the card itself, locally.
    pub placement_ms: u32,
    /// REST calls: the server cuts a request at 60 s; the operator should not wait that long.
    /// A request that gets a 5xx or loses its connection is failed at once (index.html watches
    /// the library's XHRs, see [`Bx24Portal::new`]), so this only catches requests that get no
    /// answer at all.
    pub rest_ms: u32,
    /// `BX24.refreshAuth`: goes through the parent window and may never answer.
    pub refresh_ms: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            init_ms: 4_000,
            placement_ms: 3_000,
            rest_ms: 15_000,
            refresh_ms: 10_000,
        }
    }
}

/// Why a callback-style call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallFail {
    /// The callback was not called in time.
    Timeout(u32),
    /// The library threw at once (missing, `BX24 = null`, bad arguments).
    Threw(String),
    /// The library threw `Query error!` from its XHR handler while this call was in flight: an
    /// HTTP 5xx or a dropped connection. Its callback will never come.
    QueryError,
}

/// The rejection reason [`Bx24Portal`] uses for calls ended by a `Query error!` seen by message
/// (same-origin library only). Calls ended by the XHR watcher are rejected with
/// `query-error|<status>|<code>`.
const QUERY_ERROR: &str = "query-error";

/// The event index.html's XHR watcher sends for a REST request that ended with HTTP 5xx or no
/// connection: `detail = {method, status, code}` (`code` from the JSON body, or empty).
pub const REST_FAILURE_EVENT: &str = "callcard:rest-failure";

/// How a wait for a callback ended without one.
#[derive(Debug, Clone, PartialEq)]
enum Ended {
    Fail(CallFail),
    /// The XHR watcher saw this call's request end: HTTP `status` (0 = no connection) and the
    /// error code of the body, when it had one.
    Http {
        status: u16,
        code: String,
    },
}

/// Reads a rejection reason of the XHR watcher: `query-error|503|QUERY_LIMIT_EXCEEDED`.
fn parse_http_reason(reason: &str) -> Option<(u16, String)> {
    let rest = reason.strip_prefix(QUERY_ERROR)?.strip_prefix('|')?;
    let (status, code) = rest.split_once('|')?;
    Some((status.parse().ok()?, code.to_string()))
}

/// Starts a callback-style call and waits for its first callback, or `timeout_ms`.
/// `start` receives the JS callback to hand to the library.
pub async fn callback_with_timeout(
    timeout_ms: u32,
    start: impl FnOnce(&JsValue) -> Result<(), JsValue>,
) -> Result<JsValue, CallFail> {
    callback_with_abort(timeout_ms, start, |_| ())
        .await
        .map_err(|e| match e {
            Ended::Fail(f) => f,
            Ended::Http { .. } => CallFail::QueryError,
        })
}

/// [`callback_with_timeout`], also handing the promise's reject function to `abort`: calling
/// it with [`QUERY_ERROR`] (or `query-error|status|code`) ends the wait early.
async fn callback_with_abort(
    timeout_ms: u32,
    start: impl FnOnce(&JsValue) -> Result<(), JsValue>,
    abort: impl FnOnce(Function),
) -> Result<JsValue, Ended> {
    let mut abort = Some(abort);
    let started: Rc<Cell<Option<JsValue>>> = Rc::new(Cell::new(None));
    let mut start = Some(start);
    let started_in = started.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let resolve_cb = resolve.clone();
        if let Some(a) = abort.take() {
            a(reject.clone());
        }
        // The library may call back more than once (the classic one never forgets a callback);
        // only the first call settles the promise, later ones are ignored by the promise itself.
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
            let _ = resolve_cb.call1(&JsValue::NULL, &v);
        });
        let timer = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("timeout"));
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                timer.unchecked_ref(),
                timeout_ms as i32,
            );
        }
        if let Some(f) = start.take()
            && let Err(e) = f(cb.as_ref())
        {
            started_in.set(Some(e));
            let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        }
        // The callback must outlive this frame; it is small and calls are few.
        cb.forget();
    });
    let result = JsFuture::from(promise).await;
    if let Some(e) = started.take() {
        return Err(Ended::Fail(CallFail::Threw(describe(&e))));
    }
    result.map_err(|e| {
        let reason = e.as_string().unwrap_or_default();
        if reason == QUERY_ERROR {
            Ended::Fail(CallFail::QueryError)
        } else if let Some((status, code)) = parse_http_reason(&reason) {
            Ended::Http { status, code }
        } else {
            Ended::Fail(CallFail::Timeout(timeout_ms))
        }
    })
}

fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    // Codes are text, or whole numbers (`100`); no float formatting here (it costs 10 KB of wasm).
    v.as_string().or_else(|| {
        v.as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() < 1e15)
            .map(|n| (n as i64).to_string())
    })
}

fn call0(obj: &JsValue, name: &str) -> Option<JsValue> {
    let f = Reflect::get(obj, &JsValue::from_str(name)).ok()?;
    let f = f.dyn_ref::<Function>()?;
    f.call0(obj).ok()
}

/// Reads a classic `ajaxResult` through its methods: `error()`, `data()`, `more()`, `total()`.
pub fn read_ajax_result(res: &JsValue) -> Result<RestAnswer, RestError> {
    if let Some(err) =
        call0(res, "error").filter(|e| !e.is_undefined() && !e.is_null() && !e.is_falsy())
    {
        let status = Reflect::get(&err, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0) as u16;
        // `ex` is the answer `{error, error_description, ex: <this ajaxError>}`: a cycle, so only
        // the two fields are read, never the whole object.
        let ex = call0(&err, "getError")
            .or_else(|| Reflect::get(&err, &"ex".into()).ok())
            .unwrap_or(JsValue::NULL);
        let code = get_string(&ex, "error").unwrap_or_else(|| format!("HTTP_{status}"));
        let description = get_string(&ex, "error_description").unwrap_or_default();
        return Err(RestError::Api {
            status,
            code,
            description,
        });
    }
    let result = call0(res, "data")
        .ok_or_else(|| RestError::Library("result object without data()".into()))?;
    let result = to_json(&result).map_err(RestError::Library)?;
    // Of the raw answer only `next` and `time` are read (its `result` is `data()`, read above).
    let answer = Reflect::get(res, &"answer".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |key: &str| {
        Reflect::get(&answer, &key.into())
            .ok()
            .filter(|v| !v.is_undefined())
            .and_then(|v| to_json(&v).ok())
    };
    let more = call0(res, "more").map(|m| m.is_truthy()).unwrap_or(false);
    let total = call0(res, "total")
        .and_then(|t| t.as_f64())
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map(|t| t as u64);
    let next = if more {
        field("next").and_then(|n| callcard_core::model::value::value_u64(&n).ok().flatten())
    } else {
        None
    };
    Ok(RestAnswer {
        result,
        next,
        total,
        time: field("time"),
    })
}

/// Whether `window.name` is what the portal sets on an app frame: `DOMAIN|PROTOCOL|APP_SID`.
pub fn frame_name_looks_like_bitrix(name: &str) -> bool {
    let parts: Vec<&str> = name.split('|').collect();
    parts.len() >= 3
        && !parts[0].is_empty()
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && !parts[2].is_empty()
}

/// Whether `window.BX24` is an object (the library sets it to `null` when it cannot start).
pub fn library_present() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"BX24".into()).ok())
        .map(|v| v.is_object())
        .unwrap_or(false)
}

/// Runs `BX24.init` and waits for it, at most `timeout_ms`.
pub async fn init(timeout_ms: u32) -> Result<(), CallFail> {
    callback_with_timeout(timeout_ms, |cb| {
        if super::early::take_init(cb) {
            Ok(())
        } else {
            bx_init(cb)
        }
    })
    .await
    .map(|_| ())
}

/// A REST call waiting for its callback: `(id, method, reject)`.
type InFlight = (u32, String, Function);

/// The real portal, after a successful [`init`].
pub struct Bx24Portal {
    timeouts: Timeouts,
    subscribed: Cell<bool>,
    sink: Rc<RefCell<Option<EventSink>>>,
    /// REST calls in flight: `(id, method, reject)`, ended early by a failed request.
    in_flight: Rc<RefCell<Vec<InFlight>>>,
    next_id: Cell<u32>,
}

impl Bx24Portal {
    pub fn new() -> Bx24Portal {
        Bx24Portal::with_timeouts(Timeouts::default())
    }

    pub fn with_timeouts(timeouts: Timeouts) -> Bx24Portal {
        let in_flight: Rc<RefCell<Vec<InFlight>>> = Rc::default();
        if let Some(w) = web_sys::window() {
            // 1. index.html's XHR watcher: the library creates its XMLHttpRequest in our window,
            //    so an HTTP 5xx or a dropped connection is seen on `loadend` with the request's
            //    method and status, whatever origin the library came from. The calls of that
            //    method still waiting are failed at once with that status (several calls of one
            //    method cannot be told apart: all are failed; reads are retried, writes read back).
            let pending = in_flight.clone();
            let watcher = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                let detail = Reflect::get(&ev, &"detail".into()).unwrap_or_default();
                let Some(method) = get_string(&detail, "method") else {
                    return;
                };
                let status = Reflect::get(&detail, &"status".into())
                    .ok()
                    .and_then(|s| s.as_f64())
                    .filter(|s| (0.0..1000.0).contains(s))
                    .unwrap_or(0.0) as u16;
                let code: String = get_string(&detail, "code")
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '-')
                    .take(64)
                    .collect();
                let reason = JsValue::from_str(&format!("{QUERY_ERROR}|{status}|{code}"));
                pending.borrow_mut().retain(|(_, m, reject)| {
                    if *m == method {
                        let _ = reject.call1(&JsValue::NULL, &reason);
                        false
                    } else {
                        true
                    }
                });
            });
            let _ = w.add_event_listener_with_callback(
                REST_FAILURE_EVENT,
                watcher.as_ref().unchecked_ref(),
            );
            watcher.forget();

            // 2. The library's own throw: `Query error!` from its XHR handler. It reaches
            //    the window with its message only when the library is same-origin (tests); from
            //    api.bitrix24.com it is a bare "Script error." and only the watcher above helps.
            //    The calls in flight now are failed on the next turn, after the watcher has had
            //    its say (the throw comes first, in the same XHR task), or at once when there is
            //    no watcher (a fake library that simulates the network in-page).
            let pending = in_flight.clone();
            let listener = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                let message = Reflect::get(&ev, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_default();
                if !message.contains("Query error") {
                    return;
                }
                let ids: Vec<u32> = pending.borrow().iter().map(|(id, _, _)| *id).collect();
                let later = pending.clone();
                let fail = Closure::once_into_js(move || {
                    later.borrow_mut().retain(|(id, _, reject)| {
                        if ids.contains(id) {
                            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(QUERY_ERROR));
                            false
                        } else {
                            true
                        }
                    });
                });
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        fail.unchecked_ref(),
                        0,
                    );
                }
            });
            let _ = w.add_event_listener_with_callback("error", listener.as_ref().unchecked_ref());
            listener.forget();
        }
        Bx24Portal {
            timeouts,
            subscribed: Cell::new(false),
            sink: Rc::new(RefCell::new(None)),
            in_flight,
            next_id: Cell::new(0),
        }
    }

    /// Runs one callback-style REST call of `method`, ended early when its request fails.
    async fn rest_call(
        &self,
        method: &str,
        start: impl FnOnce(&JsValue) -> Result<(), JsValue>,
    ) -> Result<JsValue, RestError> {
        let id = self.next_id.get().wrapping_add(1);
        self.next_id.set(id);
        let res = callback_with_abort(self.timeouts.rest_ms, start, |reject| {
            self.in_flight
                .borrow_mut()
                .push((id, method.to_string(), reject))
        })
        .await;
        self.in_flight.borrow_mut().retain(|(i, _, _)| *i != id);
        res.map_err(|e| ended_to_rest(method, e))
    }

    /// `BX24.placement.call(cmd, params, cb)` with a timeout.
    pub async fn placement_call(&self, cmd: &str, params: &Value) -> Result<Value, PortalError> {
        let params = to_js(params);
        let v = callback_with_timeout(self.timeouts.placement_ms, |cb| {
            // The first `getStatus` takes the early start's answer when it has a fresh one.
            if cmd == "getStatus" && super::early::take_status(cb) {
                Ok(())
            } else {
                bx_placement_call(cmd, &params, cb)
            }
        })
        .await
        .map_err(PortalError::from)?;
        placement_answer(&v)
    }

    /// `BX24.callBatch(calls, cb, halt)`: the library's own batch. Each key's `ajaxResult` is
    /// read like a single call's. (The card builds its batches itself through `callMethod('batch')`
    /// so that it controls chunking and references; this wrapper exists for parity.)
    pub async fn call_batch(
        &self,
        calls: &Value,
        halt: bool,
    ) -> Result<Vec<(String, Result<RestAnswer, RestError>)>, RestError> {
        let calls = to_js(calls);
        let v = self
            .rest_call("batch", |cb| bx_call_batch(&calls, cb, halt).map(|_| ()))
            .await?;
        let keys = js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>());
        Ok(keys
            .iter()
            .filter_map(|k| {
                let name = k.as_string()?;
                let res = Reflect::get(&v, &k).ok()?;
                Some((name, read_ajax_result(&res)))
            })
            .collect())
    }
}

/// A placement command's answer; errors come back in the same callback:
/// `[{"result":"error","errorCode":"Call card is undefined"}]`.
fn placement_answer(v: &JsValue) -> Result<Value, PortalError> {
    let v = to_json(v).map_err(PortalError::Library)?;
    if let Some(code) = v
        .as_array()
        .and_then(|a| a.first())
        .filter(|f| f.get("result").and_then(|r| r.as_str()) == Some("error"))
        .and_then(|f| f.get("errorCode"))
    {
        return Err(PortalError::Refused(
            code.as_str().unwrap_or("error").chars().take(80).collect(),
        ));
    }
    Ok(v)
}

impl Default for Bx24Portal {
    fn default() -> Self {
        Bx24Portal::new()
    }
}

/// A REST call that ended without a callback, as the REST client's error. A request the watcher
/// saw fail keeps its HTTP status: with the portal's error code (a 503 `QUERY_LIMIT_EXCEEDED` is
/// a rate limit, and the bucket hears of it) it is an API error; a bare 5xx page or a dropped
/// connection says nothing about the server, so it stays a `Query error!` (outcome unknown,
/// counted as a possible limit by the client).
fn ended_to_rest(method: &str, e: Ended) -> RestError {
    match e {
        Ended::Fail(f) => fail_to_rest(method, f),
        Ended::Http { status, code } if status >= 500 && !code.is_empty() => RestError::Api {
            status,
            code,
            description: String::new(),
        },
        Ended::Http { status: 0, .. } => RestError::Library("Query error! (no connection)".into()),
        Ended::Http { status, .. } => RestError::Library(format!("Query error! (HTTP {status})")),
    }
}

fn fail_to_rest(method: &str, f: CallFail) -> RestError {
    match f {
        CallFail::Timeout(ms) => RestError::Timeout {
            method: method.to_string(),
            after_ms: ms,
        },
        CallFail::Threw(s) => RestError::Library(s),
        CallFail::QueryError => {
            RestError::Library("Query error! (HTTP 5xx or no connection)".into())
        }
    }
}

impl From<CallFail> for PortalError {
    fn from(f: CallFail) -> Self {
        match f {
            CallFail::Timeout(ms) => PortalError::Timeout(ms),
            CallFail::Threw(s) => PortalError::Library(s),
            CallFail::QueryError => PortalError::Library("Query error!".into()),
        }
    }
}

fn deliver(
    sink: &Rc<RefCell<Option<EventSink>>>,
    ev: Result<CallEvent, callcard_core::model::DecodeError>,
) {
    match ev {
        Ok(ev) => {
            let s = sink.borrow().clone();
            if let Some(s) = s {
                s(ev);
            }
        }
        Err(e) => log::warn!("ignored a call-card event that could not be read: {e}"),
    }
}

impl Portal for Bx24Portal {
    fn placement(&self) -> Placement {
        match bx_placement_info() {
            Ok(info) => {
                let name = Reflect::get(&info, &"placement".into())
                    .ok()
                    .and_then(|p| p.as_string())
                    .unwrap_or_else(|| "DEFAULT".into());
                let options = Reflect::get(&info, &"options".into())
                    .ok()
                    .map(|o| to_json(&o).unwrap_or(Value::Null))
                    .unwrap_or(Value::Null);
                Placement { name, options }
            }
            Err(_) => Placement {
                name: "DEFAULT".into(),
                options: Value::Null,
            },
        }
    }

    fn lang(&self) -> String {
        bx_get_lang()
            .ok()
            .and_then(|l| l.as_string())
            .unwrap_or_else(|| "en".into())
    }

    fn is_admin(&self) -> bool {
        bx_is_admin().map(|v| v.is_truthy()).unwrap_or(false)
    }

    fn get_status(&self) -> Fut<'_, Result<CallStatus, PortalError>> {
        Box::pin(async move {
            let v = self
                .placement_call("getStatus", &serde_json::json!({}))
                .await?;
            decode_call_status(&v).map_err(PortalError::Decode)
        })
    }

    fn subscribe(&self, sink: EventSink) {
        *self.sink.borrow_mut() = Some(sink);
        if self.subscribed.replace(true) {
            return; // bindEvent has no unbind: binding again would double every event.
        }
        let s = self.sink.clone();
        let state = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |a: JsValue, b: JsValue| {
            let first = to_json(&a).unwrap_or(Value::Null);
            let second = if b.is_undefined() {
                None
            } else {
                to_json(&b).ok()
            };
            deliver(&s, decode_state_changed(&first, second.as_ref()));
        });
        let s = self.sink.clone();
        let entity = Closure::<dyn FnMut(JsValue)>::new(move |a: JsValue| {
            deliver(
                &s,
                to_json(&a)
                    .map_err(|_| callcard_core::model::DecodeError::Shape {
                        expected: "object",
                        got: "non-JSON",
                    })
                    .and_then(|v| decode_entity_changed(&v)),
            );
        });
        let s = self.sink.clone();
        let close = Closure::<dyn FnMut(JsValue)>::new(move |_a: JsValue| {
            deliver(&s, Ok(CallEvent::BeforeClose))
        });
        // Bound by the early start already: it hands them over, and binding again would double them.
        if !super::early::take_events(state.as_ref(), entity.as_ref(), close.as_ref()) {
            for (name, cb) in [
                ("CallCard::CallStateChanged", state.as_ref().clone()),
                ("CallCard::EntityChanged", entity.as_ref().clone()),
                ("CallCard::BeforeClose", close.as_ref().clone()),
            ] {
                if let Err(e) = bx_bind_event(name, &cb) {
                    log::warn!("bindEvent {name} failed: {}", describe(&e));
                }
            }
        }
        state.forget();
        entity.forget();
        close.forget();
    }

    fn call(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>> {
        let method = method.to_string();
        let params = to_js(params);
        Box::pin(async move {
            let res = self
                .rest_call(&method, |cb| {
                    bx_call_method(&method, &params, cb).map(|_| ())
                })
                .await?;
            read_ajax_result(&res)
        })
    }

    fn refresh_auth(&self) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async move {
            // The callback gets the new auth object: it is not read, so no token passes here.
            callback_with_timeout(self.timeouts.refresh_ms, |cb| {
                bx_refresh_auth(cb).map(|_| ())
            })
            .await
            .map(|_| ())
            .map_err(PortalError::from)
        })
    }

    fn set_auto_close(&self, enabled: bool) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async move {
            let cmd = if enabled {
                "enableAutoClose"
            } else {
                "disableAutoClose"
            };
            self.placement_call(cmd, &serde_json::json!({}))
                .await
                .map(|_| ())
        })
    }

    fn fit_window(&self) {
        let _ = bx_fit_window();
    }

    fn open_path(&self, path: &str) {
        let _ = bx_open_path(path, &JsValue::UNDEFINED);
    }

    fn install_finish(&self) {
        let _ = bx_install_finish();
    }

    fn user_option(&self, name: &str) -> Option<String> {
        bx_user_option_get(name)
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    }

    fn set_user_option(&self, name: &str, value: &str) {
        let _ = bx_user_option_set(name, value, &JsValue::UNDEFINED);
    }

    fn app_option(&self, name: &str) -> Option<String> {
        bx_app_option_get(name)
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    }

    fn set_app_option(&self, name: &str, value: &str) -> Fut<'_, Result<(), PortalError>> {
        let (name, value) = (name.to_string(), value.to_string());
        Box::pin(async move {
            callback_with_timeout(self.timeouts.placement_ms, |cb| {
                bx_app_option_set(&name, &value, cb).map(|_| ())
            })
            .await
            .map(|_| ())
            .map_err(PortalError::from)
        })
    }
}
