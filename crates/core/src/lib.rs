//! callcard's pure core: everything the card decides without a browser. The domain, the REST
//! policy and encoding, refresh planning, each feature's rules, and every text. It builds and
//! is tested on the host. It cannot depend on `wasm-bindgen`, `web-sys`, `js-sys` or `leptos`
//! (`scripts/test.sh` checks it with `cargo tree`).

pub mod call;
pub mod campaign;
pub mod client;
pub mod generation;
pub mod history;
pub mod i18n;
pub mod install;
pub mod model;
pub mod portal;
pub mod refresh;
pub mod rest;
pub mod storage;
pub mod view_model;
pub mod wrapup;
