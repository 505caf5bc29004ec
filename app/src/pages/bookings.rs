//! `/bookings`: my bookings, newest first — the code and its QR, cancel and reschedule while allowed,
//! a seat offered from a waiting list to confirm before its hold runs out — and my waiting lists.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{booking_state, msgs, tr};
use crate::pages::book::{clock, qr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use tongban_shared::authz::RESIDENTS;
use tongban_shared::booking::BookingState;
use tongban_shared::time::day_and_clock;
use tongban_shared::Text;

#[component]
pub fn BookingsPage() -> impl IntoView {
    use_title(|l| msgs(l).my_bookings.to_string());
    let p = prefs();
    view! {
        <h1>{tr(|m| m.my_bookings)}</h1>
        {guarded(Some(RESIDENTS), move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::my_bookings(l).await }
            });
            let waits = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::my_waitlist(l).await }
            });
            let error = RwSignal::new(None::<Text>);
            let bump = crate::state::inbox_tick().0;
            // One handler shape for every button on a card (cancel, confirm an offer, leave a list).
            let act = move |kind: &'static str, id: String| {
                let l = lang();
                leptos::task::spawn_local(async move {
                    let r = match kind {
                        "cancel" => api::cancel_booking(&id, l).await.map(|_| ()),
                        "confirm" => api::confirm_booking(&id, l).await.map(|_| ()),
                        _ => api::leave_waitlist(&id, l).await,
                    };
                    match r {
                        Ok(()) => {
                            error.set(None);
                            bump.update(|n| *n += 1);
                            list.refetch();
                            waits.refetch();
                        }
                        Err(e) => error.set(Some(e.text())),
                    }
                });
            };
            view! {
                <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                {async_view(list, move |bs| if bs.is_empty() {
                    view! { <p>{tr(|m| m.no_bookings)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="cards" id="bookings">
                            {bs.into_iter().map(|b| {
                                let (id1, id2, id3) = (b.id.clone(), b.id.clone(), b.id.clone());
                                let state = b.state;
                                // The core decides what may be done with it; the edge enforces the same.
                                let now = (js_sys::Date::now() / 1000.0) as i64;
                                let (may_cancel, may_move) = (b.may_cancel(now), b.may_reschedule(now));
                                let show_qr = RwSignal::new(false);
                                let move_href = format!("/book/{}?reschedule={}&center={}", b.item_id, b.id, b.center_id);
                                view! {
                                    <li class="card booking">
                                        <p class="card-title">{tx(&b.item_name)}</p>
                                        <p class="meta">{tx(&b.center_name)}" · "{b.date.clone()}" "{b.start.clone()}</p>
                                        <p>{tr(|m| m.booking_code)}" "<strong class="code-inline">{b.code.clone()}</strong>" · "{move || booking_state(lang(), state)}</p>
                                        {b.cancel_reason.clone().map(|r| view! { <p class="meta">{tr(|m| m.cancelled_by_center)}" "{r}</p> })}
                                        {(state == BookingState::Held).then(|| view! {
                                            <p role="status">{tr(|m| m.offer_confirm)}" "{b.hold_until.map(clock).unwrap_or_default()}</p>
                                            <button type="button" class="button primary" on:click=move |_| act("confirm", id1.clone())>{tr(|m| m.confirm_booking)}</button>
                                        })}
                                        {(state == BookingState::Confirmed).then(|| view! {
                                            <div class="actions">
                                                <button type="button" class="button" aria-expanded=move || show_qr.get().to_string() on:click=move |_| show_qr.update(|v| *v = !*v)>{tr(|m| m.show_qr)}</button>
                                                {may_move.then(|| view! { <A href=move_href attr:class="button">{tr(|m| m.reschedule)}</A> })}
                                            </div>
                                            {move || show_qr.get().then(|| qr(&id3))}
                                        })}
                                        {match (may_cancel, b.cancel_until) {
                                            (true, Some(until)) => view! {
                                                <p class="meta">{tr(|m| m.change_until)}" "{day_and_clock(until)}</p>
                                                <button type="button" class="button danger" on:click=move |_| act("cancel", id2.clone())>{tr(|m| m.cancel)}</button>
                                            }.into_any(),
                                            _ if state == BookingState::Confirmed => view! { <p class="meta">{tr(|m| m.too_late_to_change)}</p> }.into_any(),
                                            _ => ().into_any(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
                {async_view(waits, move |ws| (!ws.is_empty()).then(|| view! {
                    <h2>{tr(|m| m.my_waitlist)}</h2>
                    <ul class="cards" id="waitlist">
                        {ws.into_iter().map(|w| {
                            let id = w.id.clone();
                            view! {
                                <li class="card">
                                    <p class="card-title">{tx(&w.item_name)}</p>
                                    <p class="meta">{tx(&w.center_name)}" · "{w.date.clone()}" "{w.start.clone()}</p>
                                    <p>{tr(|m| m.position)}" "{w.position + 1}</p>
                                    <button type="button" class="button" on:click=move |_| act("leave", id.clone())>{tr(|m| m.leave_waitlist)}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }))}
            }
        })}
    }
}
