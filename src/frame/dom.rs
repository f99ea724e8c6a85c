//! Typed DOM helpers for the views: the casts between `web-sys` types (`JsCast`) live here, so a
//! view names only the element types it works with.

use wasm_bindgen::JsCast;

/// A new `<tag>` of the page's document. Without a document (never in a page) an empty object
/// stands in, so a builder's calls on it fail quietly instead of panicking.
pub fn create_element(tag: &str) -> web_sys::Element {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element(tag).ok())
        .unwrap_or_else(|| js_sys::Object::new().unchecked_into())
}

/// Moves the keyboard focus to `el` (an HTML element of ours: a button, a row, a heading) and
/// says whether it took it (a hidden or detached element does not).
pub fn focus(el: &web_sys::Element) -> bool {
    let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() else {
        return false;
    };
    let _ = h.focus();
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|a| a == *el)
}

/// Sets one CSS property of `el` through the CSSOM (the strict CSP, without `'unsafe-inline'`,
/// drops `style` attributes but not this).
pub fn set_style(el: &web_sys::Element, property: &str, value: &str) {
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.style().set_property(property, value);
    }
}

/// The value of a form control (`<select>`, `<input>`, `<textarea>`); `None` for anything else.
pub fn control_value(el: &web_sys::Element) -> Option<String> {
    if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        Some(s.value())
    } else if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        Some(i.value())
    } else {
        el.dyn_ref::<web_sys::HtmlTextAreaElement>()
            .map(|t| t.value())
    }
}

/// The element an event happened on (`None` when its target is no element, e.g. the window).
pub fn event_element(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into().ok()
}

/// A node as an element (`None` for text and comment nodes).
pub fn as_element(node: web_sys::Node) -> Option<web_sys::Element> {
    node.dyn_into().ok()
}

/// What a form field holds after an `input` event, by the kind of field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A `<textarea>`'s text.
    TextArea(String),
    /// An `<input>`'s value.
    Input(String),
}

/// The value of the field an event happened on (`None` when it is neither a `<textarea>` nor an
/// `<input>`).
pub fn event_field(ev: &web_sys::Event) -> Option<FieldValue> {
    let t = ev.target()?;
    if let Some(n) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        Some(FieldValue::TextArea(n.value()))
    } else {
        t.dyn_ref::<web_sys::HtmlInputElement>()
            .map(|i| FieldValue::Input(i.value()))
    }
}
