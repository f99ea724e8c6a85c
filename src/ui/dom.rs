//! A tiny DOM builder for lists that are rebuilt whole whenever their data changes (history
//! rows, campaign bars). Each call is one plain function, not a generic view type: the
//! framework's view machinery costs the operator's download kilobytes per distinct row shape.
//! Text is always set as text (`textContent`), never parsed as HTML.

/// `<tag class=…>` (an empty class is left out).
pub fn el(tag: &str, class: &str) -> web_sys::Element {
    let e = crate::frame::dom::create_element(tag);
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// `<tag class=…>text</tag>`.
pub fn text_el(tag: &str, class: &str, text: &str) -> web_sys::Element {
    let e = el(tag, class);
    e.set_text_content(Some(text));
    e
}

/// Sets an attribute (errors are ignored: the attribute names are ours and valid).
pub fn attr(e: &web_sys::Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Appends `child` to `parent`.
pub fn add(parent: &web_sys::Element, child: &web_sys::Element) {
    let _ = parent.append_child(child);
}

/// Replaces all children of `parent` with `child`.
pub fn replace(parent: &web_sys::Element, child: Option<&web_sys::Element>) {
    parent.set_text_content(None);
    if let Some(c) = child {
        add(parent, c);
    }
}
