//! What both browser suites share (`tests/boundary.rs`, `tests/components.rs`): waiting for the
//! page, and a mounted app's `data-testid` lookups.
// Each suite is its own crate and uses only part of this module.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;

/// Polls `f` every 10 ms for up to 3 s; panics naming `what` when it never holds.
pub async fn until(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..300 {
        if f() {
            return;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// A mounted app. Mounts are kept for the whole run (like the real frame, which never unmounts).
pub struct Mounted {
    pub root: web_sys::Element,
}

impl Mounted {
    pub fn find(&self, testid: &str) -> Option<web_sys::Element> {
        self.root
            .query_selector(&format!("[data-testid={testid}]"))
            .ok()
            .flatten()
    }
    pub fn text(&self, testid: &str) -> String {
        self.find(testid)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }
    pub fn count(&self, testid: &str) -> u32 {
        self.root
            .query_selector_all(&format!("[data-testid={testid}]"))
            .map(|l| l.length())
            .unwrap_or(0)
    }
    pub fn click(&self, testid: &str) {
        self.find(testid)
            .expect(testid)
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
    }
}
