//! `/tickets/:id`: a ticket's live place in line on the holder's phone — refreshed every 5 seconds,
//! and a clear "your turn: window N" when called.

use crate::api;
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::queue::TicketState;

crate::i18n::page_msgs! {
    go_to_window: "请到 {n} 号窗口" / "Please go to window {n}",
}

#[component]
pub fn TicketPage() -> impl IntoView {
    use_title(|l| msgs(l).ticket.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let t = LocalResource::new(move || {
        let (id, l) = (id.get(), p.lang.get());
        async move { api::ticket(&id, l).await }
    });
    // Poll while the page is open; the handle is dropped with the page.
    if let Ok(h) = set_interval_with_handle(move || t.refetch(), std::time::Duration::from_secs(5)) {
        on_cleanup(move || h.clear());
    }
    view! {
        <h1>{tr(|m| m.ticket)}</h1>
        {move || t.get().map(|r| match r {
            Err(e) => view! { <crate::components::ErrorBox error=e retry=None/> }.into_any(),
            Ok(t) => {
                let turn = matches!(t.state, TicketState::Called | TicketState::Serving);
                view! {
                    <section class=if turn { "ticket turn" } else { "ticket" } aria-live="polite">
                        <p class="code" id="ticket-number">{t.number.clone()}</p>
                        {if turn {
                            let w = t.window_no.unwrap_or(0);
                            view! {
                                <p class="turn-title" role="alert">{tr(|m| m.your_turn)}</p>
                                <p class="turn-window" id="turn-window">{move || crate::i18n::fill(page(lang()).go_to_window, &[("n", &w)])}</p>
                            }.into_any()
                        } else {
                            let (ahead, wait) = (t.ahead, t.estimated_wait_minutes);
                            view! {
                                <dl class="facts">
                                    <div><dt>{tr(|m| m.ahead)}</dt><dd id="ticket-ahead">{move || format!("{ahead} {}", msgs(lang()).people)}</dd></div>
                                    <div><dt>{tr(|m| m.est_wait)}</dt><dd>{move || format!("{wait} {}", msgs(lang()).minutes)}</dd></div>
                                </dl>
                            }.into_any()
                        }}
                        {(t.state == TicketState::Skipped).then(|| view! { <p class="hint" role="alert" id="skipped-note">{tr(|m| m.skipped_note)}</p> })}
                        {t.review_code.clone().map(|c| {
                            let href = format!("/review?ticket={}&code={c}", t.id);
                            let finished = t.state == TicketState::Done;
                            view! {
                                <p class="meta">{tr(|m| m.review_code_is)}" "<strong class="code-inline" id="review-code">{c}</strong></p>
                                {(finished && !t.reviewed).then(|| view! {
                                    <p>{tr(|m| m.review_invite)}</p>
                                    <A href=href attr:class="button primary" attr:id="review-link">{tr(|m| m.review_title)}</A>
                                })}
                                {(finished && t.reviewed).then(|| view! { <p role="status">{tr(|m| m.already_reviewed)}</p> })}
                            }
                        })}
                        // A booked visit has no code to show: its owner reviews it signed in (the review page asks
                        // for the session), so nobody who only saw the ticket can.
                        {(t.review_code.is_none() && t.origin == tongban_shared::queue::Origin::Booking && t.state == TicketState::Done && !t.reviewed).then(|| view! {
                            <p>{tr(|m| m.review_invite)}</p>
                            <A href=format!("/review?ticket={}", t.id) attr:class="button primary" attr:id="review-link">{tr(|m| m.review_title)}</A>
                        })}
                        <p class="hint">{tr(|m| m.refreshing)}</p>
                    </section>
                }.into_any()
            }
        })}
    }
}
