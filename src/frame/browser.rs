//! Small web-platform helpers (storage, clock, `Intl`, theme). No Bitrix24 here — that is `frame::bx24`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function cc_fmt_money(n, cur, loc) {
  try {
    return new Intl.NumberFormat(loc, { style: 'currency', currency: cur,
      maximumFractionDigits: Number.isInteger(n) ? 0 : 2 }).format(n);
  } catch (e) { return null; }
}
export function cc_fmt_time(ms, loc) {
  try {
    return new Intl.DateTimeFormat(loc, { day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
  } catch (e) { return null; }
}
export function cc_fmt_rel(n, unit, loc) {
  try { return new Intl.RelativeTimeFormat(loc, { numeric: 'auto' }).format(n, unit); } catch (e) { return null; }
}
export function cc_fmt_clock(ms, loc) {
  try { return new Intl.DateTimeFormat(loc, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms)); } catch (e) { return null; }
}
export function cc_load_build(file) {
  var url = new URL(file, document.baseURI).href;
  import(url).then(function (m) { return m.default(); }).catch(function (e) {
    console.error(file + ' could not start: ' + (e && e.message || e));
    var t = document.getElementById('cc-boot-text');
    if (t) { t.textContent = 'The call card could not start. Reload the tab. / Не удалось запустить карточку. Перезагрузите вкладку.'; t.parentNode.setAttribute('data-testid', 'boot-failed'); }
  });
}
export function cc_prefers_dark() {
  try { return window.matchMedia('(prefers-color-scheme: dark)').matches; } catch (e) { return false; }
}
"#)]
extern "C" {
    fn cc_fmt_money(n: f64, cur: &str, loc: &str) -> Option<String>;
    fn cc_prefers_dark() -> bool;
    fn cc_load_build(file: &str);
    fn cc_fmt_time(ms: f64, loc: &str) -> Option<String>;
    fn cc_fmt_rel(n: f64, unit: &str, loc: &str) -> Option<String>;
    fn cc_fmt_clock(ms: f64, loc: &str) -> Option<String>;
}

/// "3 hours ago", "yesterday", "tomorrow" (`Intl.RelativeTimeFormat`, `numeric: auto`) in the
/// operator's locale; `unit` is one of `second` … `year`.
pub fn format_relative(n: i64, unit: &str, locale: &str) -> Option<String> {
    cc_fmt_rel(n as f64, unit, locale)
}

/// The time of day of a moment (`10:00`, `10:00 AM`) in the operator's locale and zone.
pub fn format_clock(ms: i64, locale: &str) -> Option<String> {
    cc_fmt_clock(ms as f64, locale)
}

/// The operator's time zone offset at a moment, as `Date.getTimezoneOffset` gives it (minutes
/// behind UTC: -180 for Moscow).
pub fn timezone_offset_min(ms: i64) -> f64 {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).get_timezone_offset()
}

/// Money in the operator's locale (`125 000 ₽`, `$4,800`); falls back to `amount CODE`.
pub fn format_money(amount: f64, currency: &str, locale: &str) -> String {
    cc_fmt_money(amount, currency, locale).unwrap_or_else(|| {
        let n = serde_json::Number::from_f64(amount)
            .map(|n| n.to_string())
            .unwrap_or_default();
        format!("{n} {currency}")
    })
}

/// A moment (Unix ms) as date and time in the operator's locale and time zone.
pub fn format_time(ms: i64, locale: &str) -> Option<String> {
    cc_fmt_time(ms as f64, locale)
}

/// The builds the Bitrix24 build hands over to; each is loaded only when it is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// The card on the demo portal with its panel, outside Bitrix24 (`callcard_demo.js`).
    Demo,
    /// The app's settings page (placement `DEFAULT`, an administrator's), `callcard_settings.js`.
    Settings,
}

/// Loads and starts another build (next to the page); it mounts itself.
pub fn load_build(build: Build) {
    cc_load_build(match build {
        Build::Demo => "callcard_demo.js",
        Build::Settings => "callcard_settings.js",
    });
}

/// Whether the system prefers a dark theme.
pub fn prefers_dark() -> bool {
    cc_prefers_dark()
}

/// A monotonic clock in ms (`performance.now()`), for measuring.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Where a kept value lives: across reloads of every frame (`localStorage`) or of this tab only
/// (`sessionStorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    Local,
    Session,
}

fn storage(area: Area) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    // In a cross-site frame the getter itself may throw `SecurityError` (third-party cookies
    // blocked): web-sys turns that into `Err`, which means "no storage", never a panic.
    match area {
        Area::Local => w.local_storage().ok().flatten(),
        Area::Session => w.session_storage().ok().flatten(),
    }
}

thread_local! {
    /// What could not be stored: the frame still works with it until it is reloaded. A handful
    /// of keys at most, so a list (a `HashMap` here linked SipHash and its table: ~2 KB of wasm).
    static MEMORY: std::cell::RefCell<Vec<(Area, String, String)>> = Default::default();
}

/// Whether values put in `area` survive a reload of the frame (false when the browser refuses
/// the storage, or a write to it failed).
pub fn storage_works(area: Area) -> bool {
    let Some(s) = storage(area) else { return false };
    let probe = "callcard/probe";
    let ok = s.set_item(probe, "1").is_ok();
    let _ = s.remove_item(probe);
    ok
}

/// A kept value: from the browser's storage, else from this frame's memory.
pub fn kept_get(area: Area, key: &str) -> Option<String> {
    storage(area)
        .and_then(|s| s.get_item(key).ok().flatten())
        .or_else(|| {
            MEMORY.with(|m| {
                let m = m.borrow();
                m.iter()
                    .find(|(a, k, _)| *a == area && k == key)
                    .map(|(_, _, v)| v.clone())
            })
        })
}

/// Keeps a value: in the browser's storage, or (refused, full) in this frame's memory.
pub fn kept_set(area: Area, key: &str, value: &str) {
    let stored = storage(area).is_some_and(|s| s.set_item(key, value).is_ok());
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.retain(|(a, k, _)| !(*a == area && k == key));
        if !stored {
            m.push((area, key.to_string(), value.to_string()));
        }
    });
}

/// The portal named by the frame's `window.name` (`DOMAIN|PROTOCOL|APP_SID`), if any.
pub fn frame_portal() -> Option<String> {
    let name = web_sys::window()?.name().ok()?;
    callcard_core::storage::portal_of_frame_name(&name).map(str::to_string)
}

/// Sets a class on `<body>` (theme, language) once at start.
pub fn body_class(class: &str, on: bool) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let list = body.class_list();
        let _ = if on {
            list.add_1(class)
        } else {
            list.remove_1(class)
        };
    }
}

/// Sets `<html lang>` for screen readers and hyphenation.
pub fn set_document_lang(code: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", code);
    }
}

/// `log` to the browser console. Never a token, never a whole payload (see the callers).
pub struct ConsoleLog;

pub static CONSOLE: ConsoleLog = ConsoleLog;

impl log::Log for ConsoleLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let msg = JsValue::from_str(&format!("[callcard] {}", record.args()));
        match record.level() {
            log::Level::Error => web_sys::console::error_1(&msg),
            log::Level::Warn => web_sys::console::warn_1(&msg),
            _ => web_sys::console::log_1(&msg),
        }
    }
    fn flush(&self) {}
}

/// The browser's clock for the REST client: `Date.now()`, `setTimeout`, `Math.random()`.
pub struct BrowserClock;

impl callcard_core::rest::client::Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn sleep(&self, ms: u64) -> callcard_core::portal::Fut<'static, ()> {
        // `setTimeout` takes a signed 32-bit delay: a longer one wraps to 0 and would spin.
        let ms = ms.min(i32::MAX as u64) as u32;
        Box::pin(gloo_timers::future::TimeoutFuture::new(ms))
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

/// Removes index.html's boot placeholder ("Loading the call card…").
pub fn remove_boot_placeholder() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("cc-boot"))
    {
        el.remove();
    }
}
