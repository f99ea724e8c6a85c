//! The early start (index.html): inside a Bitrix24 frame, the page's own script runs `BX24.init`
//! the moment the library has run, and in the call card binds the three events and asks
//! `getStatus`, while the WebAssembly still downloads and compiles. The card takes each of them
//! over once, here, and does itself whatever the early start did not do (no page script, a
//! library that threw, a Retry).
//!
//! What the early start keeps in `window.__ccEarly` (and hands over through its `takeInit`,
//! `takeStatus`, `takeEvents`):
//! - `init`: a promise of `BX24.init`'s answer;
//! - `bound`: the events are bound; until the card gives its handlers (`sink`), they wait in
//!   `events` as `[index, first, second]`, index 0 `CallStateChanged`, 1 `EntityChanged`,
//!   2 `BeforeClose`;
//! - `status`: a promise of `getStatus`'s answer, and `later`: how many events came after it.
//!   An answer with events after it is stale: the card asks again, as it would have.
//!
//! Measured (issue 12, `scripts/bench_startup.mjs`): init, the binding and `getStatus` were
//! ~80 ms (warm) of the card's start after the WebAssembly was ready; now they are done by then.

use wasm_bindgen::prelude::*;

// The hand-over's functions are the page's own (index.html), not a wasm-bindgen snippet: a
// snippet is one more file to fetch before the WebAssembly can start. Outside such a page
// (`__ccEarly` undefined) a call throws, which reads as "nothing to take".
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = __ccEarly, js_name = takeInit)]
    fn cc_early_init(cb: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = __ccEarly, js_name = takeStatus)]
    fn cc_early_status(cb: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = __ccEarly, js_name = takeEvents)]
    fn cc_early_events(state: &JsValue, entity: &JsValue, close: &JsValue)
    -> Result<bool, JsValue>;
}

/// Hands `cb` to the early `BX24.init`'s answer; false when there is none to take (the card
/// calls `BX24.init` itself).
pub fn take_init(cb: &JsValue) -> bool {
    cc_early_init(cb).unwrap_or(false)
}

/// Hands `cb` to the early `getStatus`'s answer; false when there is none to take, or when an
/// event came after it (the answer is stale: the caller asks again). Once taken, an event can
/// no longer come between the answer and `cb`: both run in the same task.
pub fn take_status(cb: &JsValue) -> bool {
    cc_early_status(cb).unwrap_or(false)
}

/// Gives the early-bound events their handlers, and the events that came meanwhile, in order;
/// false when the early start bound none (the card binds them itself).
pub fn take_events(state: &JsValue, entity: &JsValue, close: &JsValue) -> bool {
    cc_early_events(state, entity, close).unwrap_or(false)
}
