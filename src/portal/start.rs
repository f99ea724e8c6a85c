//! Choosing the portal at start: the real one inside a Bitrix24 frame, the demo otherwise.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use super::Portal;
use super::bx24::{self, Bx24Portal, CallFail};
use super::demo::DemoConfig;
use super::demo_portal::DemoPortal;

/// The portal the app runs on, and the demo handle when it is the demo.
#[derive(Clone)]
pub struct Chosen {
    pub portal: Rc<dyn Portal>,
    pub demo: Option<Rc<DemoPortal>>,
}

/// How long to wait for the library script once `window.name` says we are in a frame.
const LIBRARY_WAIT_MS: u32 = 3_000;

/// Inside a Bitrix24 frame (`window.name` = `DOMAIN|PROTOCOL|APP_SID`) waits for `BX24` and its
/// `init`; anything missing or silent falls back to the demo portal quickly, with the reason.
pub async fn choose() -> Chosen {
    let window = web_sys::window();
    let name = window
        .as_ref()
        .and_then(|w| w.name().ok())
        .unwrap_or_default();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let demo = |reason: Option<String>| {
        let d = DemoPortal::new(DemoConfig::from_query(&query), reason);
        Chosen {
            portal: d.clone(),
            demo: Some(d),
        }
    };
    if !bx24::frame_name_looks_like_bitrix(&name) {
        return demo(None);
    }
    let mut waited = 0;
    while !bx24::library_present() && waited < LIBRARY_WAIT_MS {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    if !bx24::library_present() {
        return demo(Some("the BX24 library did not load".into()));
    }
    match bx24::init(bx24::Timeouts::default().init_ms).await {
        Ok(()) => {
            let p = Rc::new(Bx24Portal::new());
            Chosen {
                portal: p,
                demo: None,
            }
        }
        Err(CallFail::Timeout(ms)) => {
            demo(Some(format!("BX24.init did not answer within {ms} ms")))
        }
        Err(CallFail::Threw(e)) => demo(Some(format!("BX24.init failed: {e}"))),
    }
}
