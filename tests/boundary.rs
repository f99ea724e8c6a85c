//! Browser tests of the page boundary (wasm-bindgen-test in headless Chromium): the BX24
//! bindings against a fake `window.BX24` that behaves like the real classic library
//! (tests/support/fake-bx24.js), the start-up inside a Bitrix24 frame, refused storage and the
//! fatal message. The components on the demo portal are in `tests/components.rs`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use callcard::frame::bx24::{self, Bx24Portal, CallFail, Timeouts};
use callcard::frame::start::Chosen;
use callcard_core::call::{CallEvent, CallState, PhoneNumber};
use callcard_core::model::{EntityKind, EntityRef};
use callcard_core::portal::{Portal, PortalError};
use callcard_core::rest::{Batch, RestError};
use gloo_timers::future::TimeoutFuture;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use common::{Mounted, until};

wasm_bindgen_test_configure!(run_in_browser);

const FAKE: &str = include_str!("support/fake-bx24.js");

/// Runs JS in the page (test set-up only).
fn js(code: &str) -> wasm_bindgen::JsValue {
    js_sys::eval(code).unwrap_or_else(|e| panic!("js failed: {code}: {e:?}"))
}

/// Installs a fresh fake library with `opts` (a JS object literal).
fn install_fake(opts: &str) {
    js(FAKE);
    js(&format!("globalThis.__fakeBx24Install({opts})"));
}

fn fast() -> Timeouts {
    Timeouts {
        init_ms: 400,
        placement_ms: 300,
        rest_ms: 400,
        refresh_ms: 400,
    }
}

// ---------- the boundary ----------

#[wasm_bindgen_test]
fn frame_name_detection() {
    assert!(bx24::frame_name_looks_like_bitrix(
        "portal.bitrix24.ru|1|abc123"
    ));
    assert!(bx24::frame_name_looks_like_bitrix(
        "portal.example.com:443|0|x"
    ));
    assert!(!bx24::frame_name_looks_like_bitrix(""));
    assert!(!bx24::frame_name_looks_like_bitrix("some-window"));
    assert!(!bx24::frame_name_looks_like_bitrix("a|b|c"));
    assert!(!bx24::frame_name_looks_like_bitrix("|1|sid"));
}

#[wasm_bindgen_test]
async fn init_answers_and_a_silent_init_times_out() {
    install_fake("{}");
    assert!(bx24::library_present());
    assert_eq!(bx24::init(400).await, Ok(()));
    install_fake("{neverInit: true}");
    assert_eq!(bx24::init(150).await, Err(CallFail::Timeout(150)));
}

#[wasm_bindgen_test]
async fn a_missing_library_is_an_error_not_a_panic() {
    js("globalThis.BX24 = null");
    assert!(!bx24::library_present());
    assert!(matches!(bx24::init(100).await, Err(CallFail::Threw(_))));
    let p = Bx24Portal::with_timeouts(fast());
    assert!(matches!(p.get_status().await, Err(PortalError::Library(_))));
    assert!(matches!(
        p.call("user.current", &json!({})).await,
        Err(RestError::Library(_))
    ));
    js("delete globalThis.BX24");
    assert!(matches!(
        p.call("user.current", &json!({})).await,
        Err(RestError::Library(_))
    ));
}

#[wasm_bindgen_test]
async fn get_status_is_decoded_from_real_types() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    let s = p.get_status().await.expect("status");
    assert_eq!(s.entity, Some(EntityRef::new(EntityKind::Contact, 797)));
    assert_eq!(s.phone, PhoneNumber::Known("+4930123456".into()));
    assert_eq!(s.state, CallState::Connecting);
    assert!(s.bindings.contains(&EntityRef::new(EntityKind::Deal, 4615)));
    assert_eq!(p.placement().name, "CALL_CARD");
}

#[wasm_bindgen_test]
async fn get_status_that_never_answers_times_out() {
    install_fake("{}");
    js("__fakeBx24.neverAnswer('getStatus')");
    let p = Bx24Portal::with_timeouts(fast());
    assert_eq!(p.get_status().await, Err(PortalError::Timeout(300)));
}

#[wasm_bindgen_test]
async fn placement_error_answer_is_refused() {
    install_fake("{}");
    js("__fakeBx24.errorAnswer('getStatus', 'Call card is undefined')");
    let p = Bx24Portal::with_timeouts(fast());
    assert_eq!(
        p.get_status().await,
        Err(PortalError::Refused("Call card is undefined".into()))
    );
}

/// Issue 9: odd values cost their own field only; the status still reads.
#[wasm_bindgen_test]
async fn garbage_fields_cost_their_field_only() {
    install_fake("{}");
    js("__fakeBx24.setStatus({CALL_STATE: 'exploded', CRM_ENTITY_ID: {x: 1}})");
    let p = Bx24Portal::with_timeouts(fast());
    let s = p.get_status().await.expect("readable");
    assert_eq!(s.state, CallState::Unknown);
    assert_eq!(s.unreadable_fields, vec!["CRM_ENTITY_ID"]);
    assert_eq!(s.entity, None);
    assert!(s.call_id.is_some(), "the rest of the status is there");
}

#[wasm_bindgen_test]
async fn call_method_reads_ajax_result_and_errors() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    let a = p
        .call("crm.item.get", &json!({"entityTypeId": 3, "id": 797}))
        .await
        .expect("item");
    assert_eq!(a.result["item"]["id"], 797);
    assert!(a.time.is_some());
    let e = p
        .call("crm.item.get", &json!({"entityTypeId": 3, "id": 999999}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NOT_FOUND"));
    let e = p.call("no.such.method", &json!({})).await.unwrap_err();
    assert!(matches!(e, RestError::Api { .. }));
}

#[wasm_bindgen_test]
async fn http_5xx_throws_inside_the_library_and_the_call_fails_at_once() {
    install_fake("{}");
    js("__fakeBx24.failNext('user.current', {status: 503, error: 'QUERY_LIMIT_EXCEEDED'})");
    // A long timeout: the call must end through the library's `Query error!`, not by waiting.
    let p = Bx24Portal::with_timeouts(Timeouts {
        rest_ms: 8_000,
        ..fast()
    });
    let started = js_sys::Date::now();
    let e = p.call("user.current", &json!({})).await.unwrap_err();
    assert!(
        matches!(&e, RestError::Library(m) if m.starts_with("Query error")),
        "{e:?}"
    );
    assert!(
        js_sys::Date::now() - started < 2_000.0,
        "waited for the timeout"
    );
    assert_eq!(e.class(), callcard_core::rest::ErrorClass::Unavailable);
    // The next call works again: nothing was left hanging.
    assert!(p.call("user.current", &json!({})).await.is_ok());
}

/// index.html's XHR watcher (the inline script that reports failed `…/rest/*.json` requests), run
/// in this page as the release page runs it.
fn install_watcher() {
    const INDEX: &str = include_str!("../index.html");
    let script = INDEX
        .split("<script>")
        .skip(1)
        .filter_map(|part| part.split("</script>").next())
        .find(|body| body.contains("callcard:rest-failure"))
        .expect("index.html has the XHR watcher");
    js(script);
}

/// Starts a REST call in the background; its result lands in the returned cell.
fn call_later(
    p: &Rc<Bx24Portal>,
    method: &'static str,
) -> Rc<RefCell<Option<Result<callcard_core::rest::RestAnswer, RestError>>>> {
    let out = Rc::new(RefCell::new(None));
    let (p, o) = (p.clone(), out.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let r = p.call(method, &json!({})).await;
        *o.borrow_mut() = Some(r);
    });
    out
}

#[wasm_bindgen_test]
async fn the_xhr_watchers_report_fails_that_methods_calls_at_once_with_the_status() {
    install_fake("{}");
    js(
        "__fakeBx24.neverAnswerMethod('user.current'); __fakeBx24.neverAnswerMethod('scope'); __fakeBx24.neverAnswerMethod('app.info')",
    );
    let p = Rc::new(Bx24Portal::with_timeouts(Timeouts {
        rest_ms: 8_000,
        ..fast()
    }));
    let started = js_sys::Date::now();
    let user = call_later(&p, "user.current");
    let scope = call_later(&p, "scope");
    let app = call_later(&p, "app.info");
    TimeoutFuture::new(30).await;
    let report = |method: &str, status: u16, code: &str| {
        js(&format!(
            "window.dispatchEvent(new CustomEvent('callcard:rest-failure', {{detail: {{method: '{method}', status: {status}, code: '{code}'}}}}))"
        ));
    };
    // A 503 with the portal's code: an API error with its status, classed as a rate limit.
    report("user.current", 503, "QUERY_LIMIT_EXCEEDED");
    until("user.current ended", || user.borrow().is_some()).await;
    assert!(
        scope.borrow().is_none(),
        "only the failed method's calls end"
    );
    let e = user.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(
        e,
        RestError::Api {
            status: 503,
            code: "QUERY_LIMIT_EXCEEDED".into(),
            description: String::new()
        }
    );
    assert_eq!(e.class(), callcard_core::rest::ErrorClass::RateLimited);
    // A dropped connection, and a bare 5xx page: nothing known about the server.
    report("scope", 0, "");
    report("app.info", 502, "");
    until("both ended", || {
        scope.borrow().is_some() && app.borrow().is_some()
    })
    .await;
    let e = scope.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(e, RestError::Library("Query error! (no connection)".into()));
    let e = app.borrow_mut().take().unwrap().unwrap_err();
    assert_eq!(e, RestError::Library("Query error! (HTTP 502)".into()));
    assert_eq!(e.class(), callcard_core::rest::ErrorClass::Unavailable);
    assert!(
        js_sys::Date::now() - started < 2_000.0,
        "waited for the timeout"
    );
}

/// The library from ANOTHER origin, as in a portal: scripts/xorigin_fixture.py on
/// `http://localhost:PORT` (scripts/test.sh starts it and sets `CALLCARD_XORIGIN_PORT` for the
/// build) serves fake-bx24.js and a REST host; this page is on 127.0.0.1. The library's throw
/// arrives as a bare "Script error." and the XHR watcher alone fails the call at once.
#[wasm_bindgen_test]
async fn cross_origin_library_a_5xx_arrives_as_script_error_and_the_watcher_fails_the_call() {
    let Some(port) = option_env!("CALLCARD_XORIGIN_PORT") else {
        web_sys::console::log_1(
            &"cross-origin library test not run: build with CALLCARD_XORIGIN_PORT (scripts/test.sh does)"
                .into(),
        );
        return;
    };
    install_watcher();
    let base = format!("http://localhost:{port}");
    let loaded = js(&format!(
        "new Promise((ok, bad) => {{ const s = document.createElement('script'); s.src = '{base}/fake-bx24.js?' + Math.random(); \
         s.onload = () => ok(true); s.onerror = () => bad('the fixture at {base} did not answer'); document.head.appendChild(s); }})"
    ));
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(loaded))
        .await
        .expect("fake-bx24.js from the other origin");
    js(
        "window.__errs = []; window.addEventListener('error', (e) => window.__errs.push([e.message, e.filename, !!e.error]))",
    );
    let p = Bx24Portal::with_timeouts(Timeouts {
        rest_ms: 8_000,
        ..fast()
    });
    for (path, want) in [
        (
            "status/503",
            RestError::Api {
                status: 503,
                code: "QUERY_LIMIT_EXCEEDED".into(),
                description: String::new(),
            },
        ),
        (
            "bare/502",
            RestError::Library("Query error! (HTTP 502)".into()),
        ),
        (
            "drop",
            RestError::Library("Query error! (no connection)".into()),
        ),
    ] {
        js(&format!(
            "globalThis.__fakeBx24Install({{transport: 'xhr', restBase: '{base}/{path}/rest/', latencyMs: 0}})"
        ));
        until("init", || js("__fakeBx24.inited").as_bool() == Some(true)).await;
        let started = js_sys::Date::now();
        let e = p.call("user.current", &json!({})).await.unwrap_err();
        assert_eq!(e, want, "{path}");
        assert!(
            js_sys::Date::now() - started < 2_000.0,
            "{path}: waited for the timeout"
        );
    }
    // Each throw reached the window muted: no message, no file, no error object.
    let errs = js("JSON.stringify(window.__errs)").as_string().unwrap();
    assert_eq!(
        errs,
        r#"[["Script error.","",false],["Script error.","",false],["Script error.","",false]]"#
    );
    // And a 200 from the other origin still reads as an answer.
    js(&format!(
        "globalThis.__fakeBx24Install({{transport: 'xhr', restBase: '{base}/status/200/rest/', latencyMs: 0}})"
    ));
    until("init", || js("__fakeBx24.inited").as_bool() == Some(true)).await;
    let ok = p.call("user.current", &json!({})).await.unwrap();
    assert_eq!(ok.result["method"], "user.current");
}

#[wasm_bindgen_test]
async fn a_request_that_never_answers_still_times_out() {
    install_fake("{}");
    js("__fakeBx24.neverAnswerMethod('user.current')");
    let p = Bx24Portal::with_timeouts(fast());
    let e = p.call("user.current", &json!({})).await.unwrap_err();
    assert!(
        matches!(e, RestError::Timeout { after_ms: 400, .. }),
        "{e:?}"
    );
}

#[wasm_bindgen_test]
async fn refresh_auth_goes_through_the_library() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    let before = js("__fakeBx24.authRefreshes").as_f64().unwrap_or(0.0);
    assert_eq!(p.refresh_auth().await, Ok(()));
    assert_eq!(js("__fakeBx24.authRefreshes").as_f64(), Some(before + 1.0));
}

#[wasm_bindgen_test]
async fn call_method_that_throws_synchronously() {
    install_fake("{}");
    js("__fakeBx24.throwOnCall('user.current')");
    let p = Bx24Portal::with_timeouts(fast());
    assert!(matches!(
        p.call("user.current", &json!({})).await,
        Err(RestError::Library(_))
    ));
}

#[wasm_bindgen_test]
async fn one_batch_with_references_is_one_request() {
    install_fake("{}");
    // Through the card's one REST client, as the card sends it.
    let client = callcard_core::rest::client::RestClient::new(
        Rc::new(Bx24Portal::with_timeouts(fast())),
        Rc::new(callcard::frame::browser::BrowserClock),
        callcard_core::rest::limiter::LimiterConfig::standard(),
    );
    let mut b = Batch::new();
    b.add(
        "client",
        "crm.item.get",
        json!({"entityTypeId": 3, "id": 797}),
    );
    b.add(
        "user",
        "user.get",
        json!({"ID": Batch::reference("client", &["item", "assignedById"])}),
    );
    b.add(
        "missing",
        "crm.item.get",
        json!({"entityTypeId": 2, "id": 1}),
    );
    let before = js("__fakeBx24.requests").as_f64().unwrap();
    let a = client
        .batch(&b, callcard_core::rest::limiter::Priority::Interactive)
        .await
        .expect("batch");
    assert_eq!(js("__fakeBx24.requests").as_f64().unwrap() - before, 1.0);
    assert_eq!(a.get("client").unwrap().result["item"]["id"], 797);
    assert!(
        a.get("user")
            .unwrap()
            .result
            .as_array()
            .is_some_and(|u| !u.is_empty())
    );
    assert_eq!(a.get("missing").unwrap_err().code(), Some("NOT_FOUND"));
}

#[wasm_bindgen_test]
async fn events_carry_the_first_argument_and_bind_once() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    let got: Rc<RefCell<Vec<CallEvent>>> = Rc::default();
    let g = got.clone();
    p.subscribe(Rc::new(move |e| g.borrow_mut().push(e)));
    let g = got.clone();
    p.subscribe(Rc::new(move |e| g.borrow_mut().push(e))); // again: must not double events
    TimeoutFuture::new(20).await;
    js("__fakeBx24.setCallState('idle', '486')");
    js(
        "__fakeBx24.switchClient({PHONE_NUMBER: '+15550100', CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: 643})",
    );
    until("two events", || got.borrow().len() >= 2).await;
    TimeoutFuture::new(30).await;
    let got = got.borrow();
    assert_eq!(got.len(), 2, "{got:?}");
    // The bridge drops the second argument: no failed code reaches the frame.
    assert_eq!(
        got[0],
        CallEvent::StateChanged {
            state: CallState::Idle,
            failed_code: None
        }
    );
    match &got[1] {
        CallEvent::EntityChanged(c) => {
            assert_eq!(c.entity, Some(EntityRef::new(EntityKind::Company, 643)))
        }
        other => panic!("{other:?}"),
    }
}

// ---------- the rest of the boundary's surface ----------

#[wasm_bindgen_test]
async fn call_batch_wrapper_reads_each_keyed_result() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    let before = js("__fakeBx24.requests").as_f64().unwrap();
    let out = p
        .call_batch(
            &json!({
                "client": ["crm.item.get", {"entityTypeId": 3, "id": 797}],
                "gone": {"method": "crm.item.get", "params": {"entityTypeId": 3, "id": 999999}}
            }),
            false,
        )
        .await
        .expect("callBatch answered");
    assert_eq!(
        js("__fakeBx24.requests").as_f64().unwrap() - before,
        1.0,
        "one request"
    );
    let get = |k: &str| out.iter().find(|(key, _)| key == k).map(|(_, r)| r.clone());
    assert_eq!(get("client").unwrap().unwrap().result["item"]["id"], 797);
    assert_eq!(get("gone").unwrap().unwrap_err().code(), Some("NOT_FOUND"));
}

#[wasm_bindgen_test]
async fn auto_close_commands_reach_the_card() {
    install_fake("{}");
    let p = Bx24Portal::with_timeouts(fast());
    assert_eq!(p.set_auto_close(false).await, Ok(()));
    assert_eq!(js("__fakeBx24.autoCloseDisabled").as_bool(), Some(true));
    assert_eq!(p.set_auto_close(true).await, Ok(()));
    assert_eq!(js("__fakeBx24.autoCloseDisabled").as_bool(), Some(false));
    let calls = js("__fakeBx24.calls.join(',')").as_string().unwrap();
    assert!(
        calls.contains("disableAutoClose") && calls.contains("enableAutoClose"),
        "{calls}"
    );
}

#[wasm_bindgen_test]
async fn user_options_lang_admin_and_slider() {
    install_fake("{lang: 'ua', isAdmin: false, userOptions: {callcard_list: '12'}}");
    assert_eq!(bx24::init(400).await, Ok(()));
    let p = Bx24Portal::with_timeouts(fast());
    assert_eq!(p.lang(), "ua");
    assert!(!p.is_admin());
    assert_eq!(p.user_option("callcard_list").as_deref(), Some("12"));
    assert_eq!(p.user_option("missing"), None);
    p.set_user_option("callcard_list", "14");
    assert_eq!(
        js("__fakeBx24.userOptions.callcard_list")
            .as_string()
            .as_deref(),
        Some("14")
    );
    p.open_path("/crm/deal/details/25/");
    assert_eq!(
        js("__fakeBx24.openedPaths.join(',')")
            .as_string()
            .as_deref(),
        Some("/crm/deal/details/25/")
    );
}

// ---------- storage refused (a cross-site frame with third-party cookies blocked) ----------

/// Makes `window.localStorage` / `sessionStorage` throw `SecurityError` as Chromium does in a
/// cross-site frame; `restore()` undoes it.
fn refuse_storage() {
    // Window attributes live on the window object itself: keep the real ones to put back.
    js("window.__ccRealStorage = ['localStorage', 'sessionStorage'].map((k) => [k, Object.getOwnPropertyDescriptor(window, k)]);
        for (const k of ['localStorage', 'sessionStorage']) {
          Object.defineProperty(window, k, { configurable: true,
            get() { throw new DOMException('The document is sandboxed', 'SecurityError'); } });
        }");
}

fn restore_storage() {
    js(
        "for (const [k, d] of window.__ccRealStorage) { delete window[k]; if (d) Object.defineProperty(window, k, d); }",
    );
}

#[wasm_bindgen_test]
fn refused_storage_keeps_values_in_memory_and_says_so() {
    use callcard::frame::browser::{Area, kept_get, kept_set, storage_works};
    assert!(
        storage_works(Area::Local),
        "a same-origin test page has storage"
    );
    refuse_storage();
    let refused = js(
        "(() => { try { window.localStorage; return false; } catch (e) { return e.name === 'SecurityError'; } })()",
    );
    assert_eq!(
        refused.as_bool(),
        Some(true),
        "the test bed refuses like Chromium"
    );
    assert!(!storage_works(Area::Local));
    assert!(!storage_works(Area::Session));
    kept_set(
        Area::Session,
        "callcard/test.portal/u5/connected.X",
        "1700000000000",
    );
    assert_eq!(
        kept_get(Area::Session, "callcard/test.portal/u5/connected.X").as_deref(),
        Some("1700000000000"),
        "the frame keeps working with what it could not store"
    );
    assert_eq!(
        kept_get(Area::Local, "callcard/test.portal/u5/connected.X"),
        None
    );
    restore_storage();
    assert!(storage_works(Area::Local));
}

// ---------- inside a Bitrix24 frame: waiting for the portal, never the demo (src/frame/start.rs) ----------

#[path = "boundary/frame_wait.rs"]
mod frame_wait;

#[path = "boundary/convert.rs"]
mod convert;

/// Issue 9, lenient to the end: an order among the bindings, a garbage entry and a state word
/// the card does not know. The known bindings load and draw, the order shows by type and id,
/// the badge is neutral, and no error banner shows.
#[wasm_bindgen_test]
async fn an_order_binding_and_an_unknown_state_leave_the_rest_on_screen() {
    install_fake(
        "{status: {CALL_ID: 'c9', PHONE_NUMBER: '+4930123456', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 797,
          CRM_BINDINGS: [{ENTITY_TYPE: 'ORDER', ENTITY_ID: 12}, {ENTITY_TYPE: 'DEAL', ENTITY_ID: 4615}, 'x',
                         {ENTITY_TYPE: 'COMPANY', ENTITY_ID: 643}],
          CALL_DIRECTION: 'incoming', CALL_STATE: 'onhold', CALL_LIST_MODE: false}}",
    );
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let portal: Rc<dyn Portal> = Rc::new(Bx24Portal::with_timeouts(Timeouts {
        rest_ms: 2000,
        refresh_ms: 2000,
        ..fast()
    }));
    let chosen = Chosen { portal, demo: None };
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        leptos::view! { <callcard::app::App chosen=chosen/> }
    });
    std::mem::forget(handle);
    let m = Mounted { root };
    until("the loaded deal", || m.find("binding-amount").is_some()).await;
    let order = m
        .root
        .query_selector("[data-testid=binding][data-entity='ORDER:12']")
        .unwrap()
        .expect("the order is drawn");
    assert_eq!(order.get_attribute("data-other").as_deref(), Some("true"));
    let text = order.text_content().unwrap_or_default();
    assert!(text.contains("Order") && text.contains("#12"), "{text}");
    for key in ["DEAL:4615", "COMPANY:643"] {
        assert!(
            m.root
                .query_selector(&format!("[data-testid=binding][data-entity='{key}']"))
                .unwrap()
                .is_some(),
            "{key}"
        );
    }
    assert_eq!(
        m.find("bindings-unreadable")
            .and_then(|e| e.get_attribute("data-count"))
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        m.find("call-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref(),
        Some("unknown")
    );
    assert!(m.find("error-banner").is_none());
}
