//! The demo banner: says it is a demo, drives the scenario, counts REST requests.

use std::rc::Rc;

use leptos::prelude::*;

use crate::frame::demo_portal::DemoPortal;
use crate::ui::use_store;
use callcard_core::i18n::{Text, tr};
use callcard_sim::Scenario;
use callcard_sim::config::{FAULT_PRESETS, with_faults};

/// The banner and the scenario controls.
#[component]
pub fn DemoControls(
    /// The demo portal to drive.
    demo: Rc<DemoPortal>,
) -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let requests = demo.requests;
    let list_sizes = demo.list_sizes;
    let held = demo.autoclose_held;
    let closed = demo.card_closed;
    // The portal's auto-close countdown: ask the simulation when it is due.
    let ticker = demo.clone();
    Effect::new(move |_| {
        if let Some(at) = ticker.closes_at.get() {
            let wait = (at - crate::frame::browser::now_ms()).max(0.0) as u32 + 30;
            let d = ticker.clone();
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(wait).await;
                d.tick();
            });
        }
    });
    // A closed card: the portal would remove the tab; the demo blanks it.
    Effect::new(move |_| {
        let c = closed.get();
        crate::frame::browser::body_class("cc-demo-card-closed", c);
        if c {
            crate::ui::announce(tr(lang, Text::DemoCardClosed));
        }
    });
    let state = move || store.status.with(|s| s.state);
    let now = move || store.status.with_untracked(|s| s.state);
    let scenario = demo.config.scenario;
    let reason = demo.fallback_reason.clone();
    let (for_answer, for_hangup, for_redial, for_switch, for_next) = (
        demo.clone(),
        demo.clone(),
        demo.clone(),
        demo.clone(),
        demo.clone(),
    );
    let campaign = scenario == Scenario::Campaign;
    use callcard_core::call::CallState::*;
    let scenario_links = Scenario::all()
        .iter()
        .map(|s| {
            let href = format!("?scenario={}&lang={}", s.as_str(), demo.config.lang);
            let current = *s == scenario;
            view! { <a class="cc-demo__scenario" class:cc-demo__scenario--current=current aria-current=current.then_some("page") href=href>{s.as_str()}</a> }
        })
        .collect_view();
    // Fault presets: each is a link to the same demo with other `fail`/`stall`/`expire` keys.
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let current_faults = !demo.config.faults.is_empty();
    let fault_links = FAULT_PRESETS
        .iter()
        .map(|(id, q)| {
            let label = tr(lang, fault_text(id));
            let href = with_faults(&search, q);
            let current = if q.is_empty() { !current_faults } else { search.contains(q) };
            view! { <a class="cc-demo__scenario" class:cc-demo__scenario--current=current data-testid=format!("demo-fault-{id}") href=href>{label}</a> }
        })
        .collect_view();
    view! {
        <aside class="cc-demo" data-testid="demo-banner" aria-label=tr(lang, Text::DemoPanel)>
            <div class="cc-demo__title">
                <span class="cc-demo__tag">"DEMO"</span>
                <span>{tr(lang, Text::DemoBanner)}</span>
            </div>
            {reason.map(|r| view! { <div class="cc-demo__reason" data-testid="demo-fallback">{tr(lang, Text::DemoFallback)}" ("{r}")"</div> }.into_any())}
            <div class="cc-demo__controls">
                // aria-disabled, not `disabled`: a button keeps the keyboard focus when the call
                // moves on and it no longer applies (pressing it then does nothing).
                <button type="button" class="cc-button cc-button--success" data-testid="demo-answer"
                    aria-disabled=move || (state() != Connecting).to_string()
                    on:click=move |_| if now() == Connecting { for_answer.step("answer") }>{tr(lang, Text::DemoAnswer)}</button>
                <button type="button" class="cc-button cc-button--danger" data-testid="demo-hangup"
                    aria-disabled=move || (state() == Idle).to_string()
                    on:click=move |_| if now() != Idle { for_hangup.step("hangup") }>{tr(lang, Text::DemoHangup)}</button>
                <button type="button" class="cc-button" data-testid="demo-redial"
                    aria-disabled=move || (state() != Idle).to_string()
                    on:click=move |_| if now() == Idle { for_redial.step("redial") }>{tr(lang, Text::DemoRedial)}</button>
                {campaign.then(|| view! {
                    <button type="button" class="cc-button cc-button--primary" data-testid="demo-next"
                        aria-disabled=move || (state() == Connected).to_string()
                        on:click=move |_| if now() != Connected { for_next.step("next") }>{tr(lang, Text::DemoNext)}</button>
                })}
                <button type="button" class="cc-button" data-testid="demo-switch-client" on:click=move |_| for_switch.step("switch")>
                    {tr(lang, Text::DemoSwitch)}
                </button>
                <span class="cc-demo__counter" title=tr(lang, Text::DemoRequests)>
                    {tr(lang, Text::DemoRequests)}": "
                    <b data-testid="demo-request-count">{move || requests.get()}</b>
                </span>
                <span class="cc-demo__counter" data-testid="demo-autoclose" data-state=move || if held.get() { "held" } else { "free" }>
                    {tr(lang, Text::DemoAutoClose)}": "
                    <b>{move || tr(lang, if held.get() { Text::DemoHeld } else { Text::DemoFree })}</b>
                </span>
            </div>
            <div class="cc-demo__closed" data-testid="demo-card-closed" hidden=move || !closed.get()>
                {tr(lang, Text::DemoCardClosed)}
            </div>
            <div class="cc-demo__sizes" hidden=move || list_sizes.with(|v| v.is_empty())>
                <span class="cc-muted">{tr(lang, Text::ListSizes)}": "</span>
                {move || list_sizes.get().into_iter().map(|(id, size)| view! {
                    <span class="cc-demo__size" data-testid="demo-list-size" data-list=id.to_string() data-size=size.to_string()>
                        "#"{id}": "{size}" "
                    </span>
                }).collect_view()}
            </div>
            <nav class="cc-demo__scenarios" aria-label=tr(lang, Text::DemoScenario)>
                <span class="cc-muted">{tr(lang, Text::DemoScenario)}": "</span>
                {scenario_links}
            </nav>
            <nav class="cc-demo__faults" aria-label=tr(lang, Text::DemoFaults)>
                <span class="cc-muted">{tr(lang, Text::DemoFaults)}": "</span>
                {fault_links}
            </nav>
        </aside>
    }
}

/// The key of the demo panel's name for a fault preset (the texts are in `callcard_core::i18n`).
fn fault_text(id: &str) -> Text {
    match id {
        "storm" => Text::FaultStorm,
        "expired" => Text::FaultExpired,
        "stall" => Text::FaultStall,
        "denied" => Text::FaultDenied,
        "operating" => Text::FaultOperating,
        _ => Text::FaultNone,
    }
}
