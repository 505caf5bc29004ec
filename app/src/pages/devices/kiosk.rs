//! `/kiosk/:center`: take a walk-in ticket or check in with a booking code, no sign-in. Large targets;
//! the result stays for a short while and then the screen is ready for the next person.

use super::CheckInForm;
use crate::api;
use crate::components::tx;
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::lang;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tongban_shared::queue::Ticket;
use tongban_shared::Text;

#[component]
pub fn KioskPage() -> impl IntoView {
    use_title(|l| msgs(l).kiosk.to_string());
    let params = use_params_map();
    let center = Memo::new(move |_| params.get().get("center").unwrap_or_default());
    let issued = RwSignal::new(None::<Ticket>);
    let error = RwSignal::new(None::<Text>);
    let late = RwSignal::new(false);
    let enrolled = crate::device::enroll_kiosk_from_fragment();
    let lines = LocalResource::new(move || {
        let (c, l) = (center.get(), lang());
        async move { api::classes(&c, l).await }
    });
    let take = move |class: Option<String>| {
        let (c, l) = (center.get_untracked(), lang());
        late.set(false);
        leptos::task::spawn_local(async move {
            match api::take_ticket(&c, class.as_deref(), l).await {
                Ok(t) => issued.set(Some(t)),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    // Past the check-in window the booking joins as a walk-in: the ticket says so.
    let checked_in = Callback::new(move |t: Ticket| {
        late.set(t.origin == tongban_shared::queue::Origin::WalkIn);
        issued.set(Some(t));
    });
    // Kiosks are shared: the last ticket disappears after 30 seconds.
    Effect::new(move |_| {
        if issued.get().is_some() {
            set_timeout(move || issued.set(None), std::time::Duration::from_secs(30));
        }
    });
    view! {
        <h1>{tr(|m| m.kiosk)}</h1>
        {enrolled.then(|| view! { <p class="meta" id="kiosk-enrolled">{tr(|m| m.kiosk_enrolled)}</p> })}
        {move || match issued.get() {
            Some(t) => view! {
                <section class="ticket">
                    <p class="code" id="issued-number">{t.number.clone()}</p>
                    {t.review_code.clone().map(|c| view! { <p class="meta">{tr(|m| m.review_code_is)}" "<strong class="code-inline" id="issued-review-code">{c}</strong>" · "{tr(|m| m.not_finished_yet)}</p> })}
                    {move || late.get().then(|| view! { <p class="hint" role="alert" id="late-note">{tr(|m| m.late_walk_in)}</p> })}
                    <p>{tr(|m| m.follow_on_phone)}": "<a id="ticket-link" href=format!("/tickets/{}", t.id) rel="external">{format!("/tickets/{}", t.id)}</a></p>
                </section>
            }.into_any(),
            None => view! {
                {move || match lines.get().and_then(Result::ok) {
                    // One button per line (综合 A, 分领域 B…), with how many wait in it.
                    Some(ls) if ls.len() > 1 => ls.into_iter().map(|k| {
                        let id = k.id.clone();
                        view! {
                            <button type="button" class="button primary kiosk-button" on:click=move |_| take(Some(id.clone()))>
                                {tr(|m| m.take_ticket)}" · "{k.prefix.clone()}" "{tx(&k.name)}" ("{k.waiting}")"
                            </button>
                        }
                    }).collect_view().into_any(),
                    _ => view! { <button type="button" class="button primary kiosk-button" on:click=move |_| take(None)>{tr(|m| m.take_ticket)}</button> }.into_any(),
                }}
                <CheckInForm id="kiosk-code" large=true on_done=checked_in/>
                <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
            }.into_any(),
        }}
    }
}
