//! `/staff/window`: a window's "call next" (叫号) for staff of the center.

use crate::api;
use crate::components::{guarded, tx, Field};
use crate::i18n::{msgs, tr};
use crate::state::{lang, use_title};
use leptos::prelude::*;
use tongban_shared::authz::FRONT_DESK;
use tongban_shared::queue::Call;
use tongban_shared::Text;

#[component]
pub fn WindowPage() -> impl IntoView {
    use_title(|l| msgs(l).window_console.to_string());
    let number = RwSignal::new(String::from("1"));
    let number_e = RwSignal::new(None::<Text>);
    let last = RwSignal::new(None::<Option<Call>>);
    view! {
        <h1>{tr(|m| m.window_console)}</h1>
        {guarded(Some(FRONT_DESK), move |me| {
            let center = me.center_id.clone().unwrap_or_default();
            let call = move |_| {
                let Ok(w) = number.get_untracked().trim().parse::<u32>() else {
                    return number_e.set(Some(tongban_shared::ErrorCode::BadId.text()));
                };
                let (c, l) = (center.clone(), lang());
                leptos::task::spawn_local(async move {
                    match api::call_next(&c, w, l).await {
                        Ok(called) => last.set(Some(called.ticket)),
                        Err(e) => number_e.set(Some(e.text())),
                    }
                });
            };
            view! {
                <Field id="window-number" label=|m| m.f_window value=number error=number_e inputmode="numeric"/>
                <button type="button" class="button primary kiosk-button" on:click=call>{tr(|m| m.call_next)}</button>
                <p role="status" id="called">{move || last.get().map(|c| match c {
                    Some(c) => view! { <span class="code">{c.number.clone()}</span>" "{tx(&c.announcement)} }.into_any(),
                    None => view! { <span>{tr(|m| m.queue_empty)}</span> }.into_any(),
                })}</p>
            }
        })}
    }
}
