//! Choosing the portal at start: the real one inside a Bitrix24 frame, the demo otherwise.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use super::Portal;
use super::bx24::{self, Bx24Portal, CallFail};
#[cfg(feature = "demo")]
use super::demo_portal::DemoPortal;

/// The portal the app runs on, and the demo handle when it is the demo.
#[derive(Clone)]
pub struct Chosen {
    pub portal: Rc<dyn Portal>,
    #[cfg(feature = "demo")]
    pub demo: Option<Rc<DemoPortal>>,
}

/// Where the Bitrix24 build leaves the reason it handed over to the demo build.
const HANDOFF_REASON: &str = "__ccDemoReason";

/// How long to wait for the library script once `window.name` says we are in a frame.
const LIBRARY_WAIT_MS: u32 = 3_000;

/// Inside a Bitrix24 frame (`window.name` = `DOMAIN|PROTOCOL|APP_SID`) waits for `BX24` and its
/// `init`; anything missing or silent falls back to the demo portal quickly, with the reason.
/// Err only when even the demo cannot start (the caller shows the reason).
/// `Ok(None)`: the Bitrix24 build has handed over to the demo build, which mounts itself.
pub async fn choose() -> Result<Option<Chosen>, String> {
    let window = web_sys::window();
    // The demo build, loaded by the Bitrix24 build: straight to the demo, with its reason.
    #[cfg(feature = "demo")]
    if let Some(w) = &window {
        let r = js_sys::Reflect::get(w, &HANDOFF_REASON.into()).unwrap_or_default();
        if !r.is_undefined() {
            let query = w.location().search().unwrap_or_default();
            return demo(&query, r.as_string().filter(|s| !s.is_empty())).await;
        }
    }
    let name = window
        .as_ref()
        .and_then(|w| w.name().ok())
        .unwrap_or_default();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if !bx24::frame_name_looks_like_bitrix(&name) {
        return demo(&query, None).await;
    }
    let mut waited = 0;
    while !bx24::library_present() && waited < LIBRARY_WAIT_MS {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    if !bx24::library_present() {
        return demo(&query, Some("the BX24 library did not load".into())).await;
    }
    match bx24::init(bx24::Timeouts::default().init_ms).await {
        Ok(()) => Ok(Some(Chosen {
            portal: Rc::new(Bx24Portal::new()),
            #[cfg(feature = "demo")]
            demo: None,
        })),
        Err(CallFail::Timeout(ms)) => {
            demo(
                &query,
                Some(format!("BX24.init did not answer within {ms} ms")),
            )
            .await
        }
        Err(CallFail::Threw(e)) => demo(&query, Some(format!("BX24.init failed: {e}"))).await,
        Err(CallFail::QueryError) => {
            demo(&query, Some("BX24.init failed: Query error!".into())).await
        }
    }
}

#[cfg(feature = "demo")]
async fn demo(query: &str, reason: Option<String>) -> Result<Option<Chosen>, String> {
    let d = DemoPortal::start(query, reason).await?;
    Ok(Some(Chosen {
        portal: d.clone(),
        demo: Some(d),
    }))
}

/// The Bitrix24 build does not carry the demo: it loads the demo build (`callcard_demo.js`,
/// next to the page) and hands over, leaving the reason where the demo build finds it.
#[cfg(not(feature = "demo"))]
async fn demo(_query: &str, reason: Option<String>) -> Result<Option<Chosen>, String> {
    let w = web_sys::window().ok_or("no window")?;
    let _ = js_sys::Reflect::set(
        &w,
        &HANDOFF_REASON.into(),
        &reason.unwrap_or_default().into(),
    );
    crate::browser::load_demo_build();
    Ok(None)
}
