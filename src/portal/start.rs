//! Choosing the portal at start: the real one inside a Bitrix24 frame, the demo otherwise.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;

use super::Portal;
use super::bx24::{self, Bx24Portal, CallFail};
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
/// Err only when even the demo cannot start (the caller shows the reason).
pub async fn choose() -> Result<Chosen, String> {
    let window = web_sys::window();
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
        Ok(()) => Ok(Chosen {
            portal: Rc::new(Bx24Portal::new()),
            demo: None,
        }),
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

async fn demo(query: &str, reason: Option<String>) -> Result<Chosen, String> {
    let d = DemoPortal::start(query, reason).await?;
    Ok(Chosen {
        portal: d.clone(),
        demo: Some(d),
    })
}
