//! The wrap-up: a bar with "Wrap-up" and "Keep open", and the panel (result chips, note,
//! callback, Save). The nodes are built once and updated in place, so focus survives a save;
//! keyboard: Tab in order, Ctrl+Enter saves, Esc closes the panel (the draft stays).
//!
//! The chips are built by hand (once; a click only changes their `aria-pressed`) and every
//! control's click goes to one delegated listener reading its `data-result`, `data-callback` or
//! `data-testid`, on purpose (measured): the chips as Leptos views (the results a `<For>` keyed
//! by id, `aria-pressed` from memos of the draft) with a typed `on:click` closure on every
//! control (commit 5e15ae1 on branch views-wrapup-leptos) made the operator's transfer 7.8 KiB
//! brotli larger (235,411 B against 227,379 B, `scripts/measure_size.py dist`); without the
//! `<For>` (the results a plain list of views, commit 710a393) still 4.3 KiB (231,757 B): both
//! over the 2 KiB a hand-built list must save.

use leptos::html;
use leptos::prelude::*;

use crate::frame::dom::{self, FieldValue};
use crate::ui::dom::{add, attr, el, replace};
use crate::ui::{announce, kind_label, use_store};
use crate::wrapup::state::{Said, Wrapup};
use callcard_core::i18n::{Lang, Text, tr};
use callcard_core::refresh::ClientSlot;
use callcard_core::rest::error::ErrorClass;
use callcard_core::wrapup::{self, Callback};

fn said_text(lang: Lang, said: &Said, offset: i32) -> String {
    let t = |x| tr(lang, x);
    let reason = |c: ErrorClass| {
        t(crate::ui::error_banner::error_text(
            &crate::store::CardError::Rest(c),
        ))
    };
    match said {
        Said::Saving => t(Text::SaidSaving).into(),
        Said::Checking => t(Text::SaidChecking).into(),
        Said::Saved { note, todo_at } => {
            let mut parts = Vec::new();
            if *note {
                parts.push(t(Text::SaidSavedNote).to_string());
            }
            if let Some(at) = todo_at {
                parts.push(format!(
                    "{} {}.",
                    t(Text::SaidSavedTodo),
                    wrapup::date_time_text(lang, *at, offset)
                ));
            }
            parts.join(" ")
        }
        Said::DraftKept => t(Text::SaidDraftKept).into(),
        Said::Failed {
            class,
            note_saved,
            todo_saved,
        } => {
            let head = if *note_saved {
                format!("{} ", t(Text::SaidNoteOnly))
            } else if *todo_saved {
                format!("{} ", t(Text::SaidTodoOnly))
            } else {
                String::new()
            };
            format!(
                "{head}{} {} {}",
                t(Text::SaidFailed),
                reason(*class),
                t(Text::SaidTextKept)
            )
        }
        Said::Lost => format!("{} {}", t(Text::SaidLost), t(Text::SaidTextKept)),
        Said::Unsure => t(Text::SaidUnsure).into(),
        Said::Nothing => t(Text::SaidNothing).into(),
        Said::BadDate => t(Text::SaidBadDate).into(),
        Said::PastDate => t(Text::SaidPastDate).into(),
        Said::Discarded => t(Text::SaidDiscarded).into(),
        Said::Restored => t(Text::SaidRestored).into(),
    }
}

const PRESETS: [(&str, Text); 5] = [
    ("none", Text::CallbackNone),
    ("1h", Text::CallbackHour),
    ("tomorrow", Text::CallbackTomorrow),
    ("3d", Text::CallbackThreeDays),
    ("at", Text::CallbackCustom),
];

/// Sets or clears a boolean attribute.
fn flag(e: &web_sys::Element, name: &str, on: bool) {
    let _ = e.toggle_attribute_with_force(name, on);
}

fn pressed(e: &web_sys::Element, on: bool) {
    attr(e, "aria-pressed", if on { "true" } else { "false" });
}

/// The chip buttons (results or callback presets): `(data key, value, label)`.
fn chip_row(key: &str, testid: Option<&str>, items: &[(String, String)]) -> web_sys::Element {
    let row = el("div", "cc-wrapup__row");
    for (value, label) in items {
        let b = el("button", "cc-wchip");
        attr(&b, "type", "button");
        attr(&b, key, value);
        if let Some(t) = testid {
            attr(&b, "data-testid", t);
        }
        pressed(&b, false);
        b.set_text_content(Some(label));
        add(&row, &b);
    }
    row
}

fn each(root: &web_sys::Element, selector: &str, mut f: impl FnMut(&web_sys::Element)) {
    if let Ok(list) = root.query_selector_all(selector) {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(dom::as_element) {
                f(&e);
            }
        }
    }
}

/// The bar and the panel. Its nodes are built once; one effect brings them up to date (one
/// closure instead of one per attribute keeps the operator's download small).
#[component]
pub fn WrapupPanel() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let w: Wrapup = expect_context::<Wrapup>();
    let section = NodeRef::<html::Section>::new();
    let bar = NodeRef::<html::Div>::new();
    let results_box = NodeRef::<html::Div>::new();
    let presets_box = NodeRef::<html::Div>::new();
    let note_ref = NodeRef::<html::Textarea>::new();
    let at_ref = NodeRef::<html::Input>::new();

    // The result chips, rebuilt when the list changes (rarely: once at start).
    Effect::new(move |_| {
        let items: Vec<(String, String)> = w
            .results
            .get()
            .into_iter()
            .map(|r| (r.id, r.label))
            .collect();
        if let Some(b) = results_box.get() {
            replace(
                &b,
                Some(&chip_row("data-result", Some("wrapup-result"), &items)),
            );
        }
    });
    Effect::new(move |_| {
        let items: Vec<(String, String)> = PRESETS
            .iter()
            .map(|(c, t)| (c.to_string(), tr(lang, *t).to_string()))
            .collect();
        if let Some(b) = presets_box.get() {
            replace(&b, Some(&chip_row("data-callback", None, &items)));
        }
    });

    // Everything else, in place.
    Effect::new(move |_| {
        let (Some(sec), Some(bar)) = (section.get(), bar.get()) else {
            return;
        };
        let sec: web_sys::Element = sec.into();
        let bar: web_sys::Element = bar.into();
        w.results.track();
        let status = store.status.get();
        let target = Wrapup::target(&status);
        let d = w.draft.get();
        let open = w.open.get();
        let offset = w.offset_min();
        let said = w.said.get();
        let busy = w.busy.get();
        let retry = said.as_ref().is_some_and(Said::offers_retry);
        let find = |root: &web_sys::Element, sel: &str| root.query_selector(sel).ok().flatten();
        if let Some(b) = find(&bar, "[data-testid=wrapup-open]") {
            attr(&b, "aria-expanded", if open { "true" } else { "false" });
        }
        if let Some(b) = find(&bar, "[data-testid=keep-open]") {
            pressed(&b, w.keep_open.get());
        }
        if let Some(b) = find(&bar, ".cc-wrapup-bar__held") {
            flag(&b, "hidden", !w.held.get());
        }
        flag(&sec, "hidden", !open);
        each(&sec, "[data-target]", |e| {
            flag(
                e,
                "hidden",
                (e.get_attribute("data-target").as_deref() == Some("yes")) != target.is_some(),
            );
        });
        if let Some(p) = find(&sec, ".cc-wrapup__none") {
            p.set_text_content(Some(tr(
                lang,
                if status.entity.is_some() {
                    Text::WrapupNoTimeline
                } else {
                    Text::WrapupNoClient
                },
            )));
        }
        if let Some(e) = find(&sec, ".cc-wrapup__to") {
            let text = target.map(|t| {
                let name = store
                    .data
                    .with(|data| match data.as_ref().map(|x| &x.client) {
                        Some(ClientSlot::Loaded(c)) if c.entity == t => Some(c.name.clone()),
                        _ => None,
                    });
                let kind = kind_label(&store, t.kind);
                match name {
                    Some(n) => format!("{} {kind} · {n}", tr(lang, Text::WrapupGoesTo)),
                    None => format!("{} {kind} #{}", tr(lang, Text::WrapupGoesTo), t.id),
                }
            });
            e.set_text_content(text.as_deref());
        }
        each(&sec, "[data-result]", |e| {
            pressed(e, e.get_attribute("data-result") == d.result);
        });
        each(&sec, "button[data-callback]", |e| {
            pressed(
                e,
                e.get_attribute("data-callback").as_deref() == Some(d.callback.code()),
            );
        });
        if let Some(f) = find(&sec, "[data-testid=wrapup-callback]") {
            attr(&f, "data-callback", d.callback.code());
        }
        if let Some(n) = note_ref.get()
            && n.value() != d.note
        {
            n.set_value(&d.note);
        }
        if let Some(a) = at_ref.get() {
            let custom = match &d.callback {
                Callback::At(v) => Some(v.clone()),
                _ => None,
            };
            flag(&a, "hidden", custom.is_none());
            if let Some(v) = custom.filter(|v| *v != a.value()) {
                a.set_value(&v);
            }
        }
        if let Some(e) = find(&sec, ".cc-wrapup__when") {
            let text = match wrapup::deadline(
                &d.callback,
                (crate::frame::browser::now_ms() / 1000.0) as i64,
                offset,
            ) {
                Ok(Some(at)) => format!("→ {}", wrapup::date_time_text(lang, at, offset)),
                _ => String::new(),
            };
            e.set_text_content(Some(&text));
        }
        // aria-disabled, not `disabled`: the button keeps the keyboard focus while it saves.
        if let Some(b) = find(&sec, "[data-testid=wrapup-save]") {
            attr(&b, "aria-disabled", if busy { "true" } else { "false" });
            attr(&b, "data-retry", if retry { "yes" } else { "no" });
            b.set_text_content(Some(tr(
                lang,
                if retry {
                    Text::WrapupRetry
                } else {
                    Text::WrapupSave
                },
            )));
        }
        if let Some(b) = find(&sec, "[data-testid=wrapup-discard]") {
            attr(&b, "aria-disabled", if busy { "true" } else { "false" });
        }
        if let Some(p) = find(&sec, "[data-testid=wrapup-status]") {
            attr(&p, "data-state", said.as_ref().map_or("none", Said::state));
            let text = said
                .as_ref()
                .map(|s| said_text(lang, s, offset))
                .unwrap_or_default();
            // A new message is also said once through the page's live region.
            if p.text_content().as_deref() != Some(text.as_str()) {
                p.set_text_content(Some(&text));
                if !text.is_empty() {
                    announce(&text);
                }
            }
        }
    });

    let focus_open = move || {
        if let Some(b) = bar
            .get_untracked()
            .and_then(|b| b.query_selector("[data-testid=wrapup-open]").ok().flatten())
        {
            dom::focus(&b);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            w.open.set(false);
            focus_open();
        } else if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            if store.status.with_untracked(Wrapup::target).is_some() {
                w.save();
            }
        }
    };
    // One listener for every button of the bar and the panel.
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(b) = dom::event_element(&ev).and_then(|t| t.closest("button").ok().flatten())
        else {
            return;
        };
        if let Some(id) = b.get_attribute("data-result") {
            w.edit(move |d| {
                d.result = if d.result.as_deref() == Some(id.as_str()) {
                    None
                } else {
                    Some(id)
                };
            });
        } else if let Some(code) = b.get_attribute("data-callback") {
            let offset = w.offset_min();
            w.edit(move |d| {
                d.callback = if code == "at" {
                    // Custom: starts from tomorrow morning, to be changed.
                    match &d.callback {
                        Callback::At(a) => Callback::At(a.clone()),
                        _ => {
                            let now = (crate::frame::browser::now_ms() / 1000.0) as i64;
                            let base = wrapup::deadline(&Callback::TomorrowMorning, now, offset)
                                .ok()
                                .flatten()
                                .unwrap_or(now);
                            Callback::At(wrapup::local_input_of(base, offset))
                        }
                    }
                } else {
                    Callback::from_code(&code, "")
                };
            });
        } else {
            match b.get_attribute("data-testid").as_deref() {
                Some("wrapup-open") => {
                    let now = !w.open.get_untracked();
                    w.open.set(now);
                    if now {
                        request_animation_frame(move || {
                            if let Some(n) = note_ref.get_untracked() {
                                let _ = n.focus();
                            }
                        });
                    }
                }
                Some("keep-open") => w.set_keep_open(!w.keep_open.get_untracked()),
                Some("wrapup-save") => w.save(),
                Some("wrapup-discard") if !w.busy.get_untracked() => w.discard(),
                Some("wrapup-close") => {
                    w.open.set(false);
                    focus_open();
                }
                _ => {}
            }
        }
    };
    let on_input = move |ev: web_sys::Event| match dom::event_field(&ev) {
        Some(FieldValue::TextArea(v)) => w.edit(move |d| d.note = v),
        Some(FieldValue::Input(v)) => w.edit(move |d| d.callback = Callback::At(v)),
        None => {}
    };

    view! {
        <div class="cc-wrapup-bar" node_ref=bar on:click=on_click>
            <button type="button" class="cc-button cc-button--small" data-testid="wrapup-open" aria-controls="cc-wrapup">{tr(lang, Text::WrapupOpen)}</button>
            <button type="button" class="cc-button cc-button--small cc-toggle" data-testid="keep-open">{tr(lang, Text::KeepOpen)}</button>
            <span class="cc-wrapup-bar__held" hidden>"●"</span>
        </div>
        <section id="cc-wrapup" class="cc-wrapup" data-testid="wrapup" hidden node_ref=section
            aria-label=tr(lang, Text::WrapupTitle) on:keydown=on_key on:click=on_click on:input=on_input>
            <h2 class="cc-wrapup__title">{tr(lang, Text::WrapupTitle)}
                <span class="cc-wrapup__to cc-muted"></span>
            </h2>
            <p class="cc-wrapup__none" data-target="no" hidden></p>
            <div class="cc-wrapup__body" data-target="yes">
                <div role="group" aria-label=tr(lang, Text::WrapupResult) node_ref=results_box></div>
                <label class="cc-wrapup__label" for="cc-wrapup-note">{tr(lang, Text::WrapupNote)}</label>
                <textarea id="cc-wrapup-note" class="cc-wrapup__note" data-testid="wrapup-note" node_ref=note_ref rows="4"
                    maxlength=wrapup::MAX_NOTE.to_string() placeholder=tr(lang, Text::WrapupNoteHint)></textarea>
                <fieldset class="cc-wrapup__callback" data-testid="wrapup-callback" data-callback="none">
                    <legend class="cc-wrapup__label">{tr(lang, Text::WrapupCallback)}</legend>
                    <div node_ref=presets_box></div>
                    <input type="datetime-local" class="cc-wrapup__at" hidden node_ref=at_ref aria-label=tr(lang, Text::CallbackCustom)/>
                    <span class="cc-wrapup__when cc-muted"></span>
                </fieldset>
            </div>
            <div class="cc-wrapup__actions">
                <button type="button" class="cc-button cc-button--primary" data-testid="wrapup-save" data-target="yes">{tr(lang, Text::WrapupSave)}</button>
                <button type="button" class="cc-button" data-testid="wrapup-discard" data-target="yes">{tr(lang, Text::WrapupDiscard)}</button>
                <button type="button" class="cc-button" data-testid="wrapup-close">{tr(lang, Text::WrapupClose)}</button>
            </div>
            <p class="cc-wrapup__status" data-testid="wrapup-status" data-state="none"></p>
        </section>
    }
}
