//! The wrap-up: a bar with "Wrap-up" and "Keep open", and the panel (result chips, note,
//! callback, Save). The nodes are built once and updated in place, so focus survives a save;
//! keyboard: Tab in order, Ctrl+Enter saves, Esc closes the panel (the draft stays).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{kind_label, use_store};
use crate::i18n::{Lang, T, tr};
use crate::refresh::ClientSlot;
use crate::rest::error::ErrorClass;
use crate::wrapup::{self, Callback};
use crate::wrapup_state::{Said, Wrapup};

fn said_text(lang: Lang, said: &Said, offset: i32) -> String {
    let t = |x| tr(lang, x);
    let reason = |c: ErrorClass| {
        t(crate::components::error_banner::error_text(
            &crate::state::CardError::Rest(c),
        ))
    };
    match said {
        Said::Saving => t(T::SaidSaving).into(),
        Said::Checking => t(T::SaidChecking).into(),
        Said::Saved { note, todo_at } => {
            let mut parts = Vec::new();
            if *note {
                parts.push(t(T::SaidSavedNote).to_string());
            }
            if let Some(at) = todo_at {
                parts.push(format!(
                    "{} {}.",
                    t(T::SaidSavedTodo),
                    wrapup::date_time_text(lang, *at, offset)
                ));
            }
            parts.join(" ")
        }
        Said::DraftKept => t(T::SaidDraftKept).into(),
        Said::Failed {
            class,
            note_saved,
            todo_saved,
        } => {
            let head = if *note_saved {
                format!("{} ", t(T::SaidNoteOnly))
            } else if *todo_saved {
                format!("{} ", t(T::SaidTodoOnly))
            } else {
                String::new()
            };
            format!(
                "{head}{} {} {}",
                t(T::SaidFailed),
                reason(*class),
                t(T::SaidTextKept)
            )
        }
        Said::Lost => format!("{} {}", t(T::SaidLost), t(T::SaidTextKept)),
        Said::Unsure => t(T::SaidUnsure).into(),
        Said::Nothing => t(T::SaidNothing).into(),
        Said::BadDate => t(T::SaidBadDate).into(),
        Said::PastDate => t(T::SaidPastDate).into(),
        Said::Discarded => t(T::SaidDiscarded).into(),
        Said::Restored => t(T::SaidRestored).into(),
    }
}

const PRESETS: [(&str, T); 5] = [
    ("none", T::CallbackNone),
    ("1h", T::CallbackHour),
    ("tomorrow", T::CallbackTomorrow),
    ("3d", T::CallbackThreeDays),
    ("at", T::CallbackCustom),
];

/// The bar and the panel.
#[component]
pub fn WrapupPanel() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let w: Wrapup = store.wrapup;
    let target = move || store.status.with(Wrapup::target);
    let no_target = move || target().is_none();
    let where_to = move || {
        let status = store.status.get();
        let Some(t) = Wrapup::target(&status) else {
            return String::new();
        };
        let name = store.data.with(|d| match d.as_ref().map(|x| &x.client) {
            Some(ClientSlot::Loaded(c)) if c.entity == t => Some(c.name.clone()),
            _ => None,
        });
        let kind = kind_label(&store, t.kind);
        match name {
            Some(n) => format!("{} {} · {n}", tr(lang, T::WrapupGoesTo), kind),
            None => format!("{} {} #{}", tr(lang, T::WrapupGoesTo), kind, t.id),
        }
    };
    let none_text = move || {
        if store.status.with(|s| s.entity.is_some()) {
            tr(lang, T::WrapupNoTimeline)
        } else {
            tr(lang, T::WrapupNoClient)
        }
    };
    let note_ref = NodeRef::<leptos::html::Textarea>::new();
    let open_ref = NodeRef::<leptos::html::Button>::new();

    let close = move || {
        w.open.set(false);
        if let Some(b) = open_ref.get_untracked() {
            let _ = b.focus();
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        } else if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            if !no_target() {
                w.save(store);
            }
        }
    };
    let open_panel = move |_| {
        let now = !w.open.get_untracked();
        w.open.set(now);
        if now {
            request_animation_frame(move || {
                if let Some(n) = note_ref.get_untracked() {
                    let _ = n.focus();
                }
            });
        }
    };

    let chips = move || {
        w.results
            .get()
            .into_iter()
            .map(|r| {
                let id = r.id.clone();
                let id2 = r.id.clone();
                let pressed = move || w.draft.with(|d| d.result.as_deref() == Some(id.as_str()));
                view! {
                    <button type="button" class="cc-wchip" data-testid="wrapup-result" data-result=r.id.clone()
                        aria-pressed=move || if pressed() { "true" } else { "false" }
                        on:click=move |_| {
                            let id = id2.clone();
                            w.edit(store, move |d| {
                                d.result = if d.result.as_deref() == Some(id.as_str()) { None } else { Some(id) };
                            });
                        }>{r.label}</button>
                }
            })
            .collect_view()
    };
    let presets = PRESETS
        .iter()
        .map(|(code, label)| {
            let code = *code;
            let pressed = move || w.draft.with(|d| d.callback.code() == code);
            view! {
                <button type="button" class="cc-wchip" data-callback=code
                    aria-pressed=move || if pressed() { "true" } else { "false" }
                    on:click=move |_| {
                        let offset = Wrapup::offset_min(&store);
                        w.edit(store, move |d| {
                            d.callback = if code == "at" {
                                // Custom: starts from tomorrow morning, to be changed.
                                let base = wrapup::deadline(&Callback::TomorrowMorning, (crate::browser::now_ms() / 1000.0) as i64, offset)
                                    .ok().flatten().unwrap_or(0);
                                match &d.callback { Callback::At(a) => Callback::At(a.clone()), _ => Callback::At(wrapup::local_input_of(base, offset)) }
                            } else {
                                Callback::from_code(code, "")
                            };
                        });
                    }>{tr(lang, *label)}</button>
            }
        })
        .collect_view();
    let custom = move || w.draft.with(|d| matches!(d.callback, Callback::At(_)));
    let custom_value = move || {
        w.draft.with(|d| match &d.callback {
            Callback::At(a) => a.clone(),
            _ => String::new(),
        })
    };
    let when = move || {
        let offset = Wrapup::offset_min(&store);
        w.draft.with(|d| {
            match wrapup::deadline(
                &d.callback,
                (crate::browser::now_ms() / 1000.0) as i64,
                offset,
            ) {
                Ok(Some(at)) => format!("→ {}", wrapup::date_time_text(lang, at, offset)),
                _ => String::new(),
            }
        })
    };
    let said = move || {
        let offset = Wrapup::offset_min(&store);
        w.said.with(|s| {
            s.as_ref()
                .map(|s| said_text(lang, s, offset))
                .unwrap_or_default()
        })
    };
    let said_state = move || w.said.with(|s| s.as_ref().map_or("none", Said::state));
    let retry = move || w.said.with(|s| s.as_ref().is_some_and(Said::offers_retry));

    view! {
        <div class="cc-wrapup-bar">
            <button type="button" class="cc-button cc-button--small" data-testid="wrapup-open" node_ref=open_ref
                aria-expanded=move || if w.open.get() { "true" } else { "false" } aria-controls="cc-wrapup"
                on:click=open_panel>{tr(lang, T::WrapupOpen)}</button>
            <button type="button" class="cc-button cc-button--small cc-toggle" data-testid="keep-open"
                aria-pressed=move || if w.keep_open.get() { "true" } else { "false" }
                on:click=move |_| w.set_keep_open(store, !w.keep_open.get_untracked())>{tr(lang, T::KeepOpen)}</button>
            <span class="cc-wrapup-bar__held" hidden=move || !w.held.get()>"●"</span>
        </div>
        <section id="cc-wrapup" class="cc-wrapup" data-testid="wrapup" hidden=move || !w.open.get()
            aria-label=tr(lang, T::WrapupTitle) on:keydown=on_key>
            <h2 class="cc-wrapup__title">{tr(lang, T::WrapupTitle)}
                <span class="cc-wrapup__to cc-muted">{where_to}</span>
            </h2>
            <p class="cc-wrapup__none" hidden=move || !no_target()>{none_text}</p>
            <div class="cc-wrapup__body" hidden=no_target>
                <div class="cc-wrapup__row" role="group" aria-label=tr(lang, T::WrapupResult)>{chips}</div>
                <label class="cc-wrapup__label" for="cc-wrapup-note">{tr(lang, T::WrapupNote)}</label>
                <textarea id="cc-wrapup-note" class="cc-wrapup__note" data-testid="wrapup-note" node_ref=note_ref rows="4"
                    maxlength=wrapup::MAX_NOTE.to_string() placeholder=tr(lang, T::WrapupNoteHint)
                    prop:value=move || w.draft.with(|d| d.note.clone())
                    on:input=move |ev| {
                        let v = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()).map(|t| t.value()).unwrap_or_default();
                        w.edit(store, move |d| d.note = v);
                    }></textarea>
                <fieldset class="cc-wrapup__callback" data-testid="wrapup-callback" data-callback=move || w.draft.with(|d| d.callback.code().to_string())>
                    <legend class="cc-wrapup__label">{tr(lang, T::WrapupCallback)}</legend>
                    <div class="cc-wrapup__row">{presets}</div>
                    <input type="datetime-local" class="cc-wrapup__at" hidden=move || !custom() aria-label=tr(lang, T::CallbackCustom)
                        prop:value=custom_value
                        on:input=move |ev| {
                            let v = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|t| t.value()).unwrap_or_default();
                            w.edit(store, move |d| d.callback = Callback::At(v));
                        }/>
                    <span class="cc-wrapup__when cc-muted">{when}</span>
                </fieldset>
            </div>
            <div class="cc-wrapup__actions">
                <button type="button" class="cc-button cc-button--primary" data-testid="wrapup-save" hidden=no_target
                    disabled=move || w.busy.get() data-retry=move || if retry() { "yes" } else { "no" }
                    on:click=move |_| w.save(store)>
                    {move || tr(lang, if retry() { T::WrapupRetry } else { T::WrapupSave })}
                </button>
                <button type="button" class="cc-button" data-testid="wrapup-discard" hidden=no_target
                    disabled=move || w.busy.get() on:click=move |_| w.discard(store)>{tr(lang, T::WrapupDiscard)}</button>
                <button type="button" class="cc-button" on:click=move |_| close()>{tr(lang, T::WrapupClose)}</button>
            </div>
            <p class="cc-wrapup__status" data-testid="wrapup-status" role="status" aria-live="polite" data-state=said_state>{said}</p>
        </section>
    }
}
