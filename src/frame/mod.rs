//! The boundary to the page: the only place where `JsValue`, `js_sys` and `JsCast` live (besides
//! the bin entry points). The Bitrix24 library's bindings (`bx24`), the browser helpers
//! (`browser`), the start-up choice of portal (`start`), the demo worker's link (`demo_link`) and
//! the demo portal over it (`demo_portal`).

pub mod browser;
pub mod bx24;
pub mod demo_link;
#[cfg(feature = "demo")]
pub mod demo_portal;
pub mod start;
