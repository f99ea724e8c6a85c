//! The boundary to the page: the only place where `JsValue`, `js_sys`, `JsCast` and
//! `wasm_bindgen` live (besides the bin entry points; `scripts/check_boundary.sh` checks). The
//! app's start, panic hook and fatal message (`boot`), the Bitrix24 library's bindings (`bx24`),
//! the JS ⇄ JSON conversions (`convert`), the browser helpers (`browser`), the typed DOM helpers
//! views call (`dom`), the early start's hand-over (`early`), the start-up choice of portal
//! (`start`), the demo worker's link (`demo_link`) and the demo portal over it (`demo_portal`).

pub mod boot;
pub mod browser;
pub mod bx24;
pub mod convert;
pub mod demo_link;
#[cfg(feature = "demo")]
pub mod demo_portal;
pub mod dom;
pub mod early;
pub mod start;
