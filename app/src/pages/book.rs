//! `/book/:item`: the booking journey on a phone — a center that handles the item, a day with seats
//! left, a time slot, confirm — then the booking code to show on arrival.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs, use_title};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::authz::RESIDENTS;
use tongban_shared::booking::{Booking, NewBooking};
use tongban_shared::Text;

/// A fresh idempotency key per confirmation screen: a double click or a retry sends the same key.
fn new_key() -> String {
    (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32)).collect()
}

#[component]
pub fn BookPage() -> impl IntoView {
    use_title(|l| msgs(l).book.to_string());
    let p = prefs();
    let params = use_params_map();
    let item = Memo::new(move |_| params.get().get("item").unwrap_or_default());
    let detail = LocalResource::new(move || {
        let (id, l) = (item.get(), p.lang.get());
        async move { api::item(&id, None, l).await }
    });
    let center = RwSignal::new(None::<String>);
    let date = RwSignal::new(None::<String>);
    let start = RwSignal::new(None::<String>);
    let key = RwSignal::new(new_key());
    let error = RwSignal::new(None::<Text>);
    let booked = RwSignal::new(None::<Booking>);
    let busy = RwSignal::new(false);

    let days = LocalResource::new(move || {
        let (c, i, l) = (center.get(), item.get(), p.lang.get());
        async move {
            match c {
                Some(c) => api::availability(&c, &i, None, l).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let slots = LocalResource::new(move || {
        let (c, d, i, l) = (center.get(), date.get(), item.get(), p.lang.get());
        async move {
            match (c, d) {
                (Some(c), Some(d)) => api::availability(&c, &i, Some(&d), l).await.map(Some),
                _ => Ok(None),
            }
        }
    });
    let confirm = move |_| {
        let (Some(c), Some(d), Some(s)) = (center.get_untracked(), date.get_untracked(), start.get_untracked()) else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = NewBooking { center_id: c, item_id: item.get_untracked(), date: d, start: s, hold: false };
        let (k, l) = (key.get_untracked(), lang());
        leptos::task::spawn_local(async move {
            match api::book(&req, &k, l).await {
                Ok(b) => booked.set(Some(b)),
                Err(e) => {
                    error.set(Some(e.text()));
                    // A refused booking may be retried with another slot: that is a new attempt.
                    key.set(new_key());
                    slots.refetch();
                }
            }
            busy.set(false);
        });
    };

    // One boxed callback type for every choice button keeps the wasm small (one instantiation).
    let choose = move |label: String, pressed: Signal<bool>, disabled: bool, on: Box<dyn Fn() + Send + Sync>| {
        view! {
            <li><button type="button" class="chip slot" aria-pressed=move || pressed.get().to_string() disabled=disabled on:click=move |_| on()>{label}</button></li>
        }
    };

    view! {
        <h1>{tr(|m| m.book)}</h1>
        {guarded(Some(RESIDENTS), move |_| view! {
            {move || match booked.get() {
                Some(b) => view! {
                    <section class="booked" aria-labelledby="h-booked">
                        <h2 id="h-booked">{tr(|m| m.booked_title)}</h2>
                        <p>{tx(&b.item_name)}</p>
                        <p>{tx(&b.center_name)}" · "{b.date.clone()}" "{b.start.clone()}</p>
                        <p class="meta">{tr(|m| m.booking_code)}</p>
                        <p class="code" id="booking-code">{b.code.clone()}</p>
                        <p class="hint">{tr(|m| m.booking_code_hint)}</p>
                        <A href="/bookings" attr:class="button">{tr(|m| m.my_bookings)}</A>
                    </section>
                }.into_any(),
                None => view! {
                    {async_view(detail, move |d| view! {
                        <p class="meta">{tx(&d.item.name)}</p>
                        <h2>{tr(|m| m.choose_center)}</h2>
                        <ul class="quick">
                            {d.centers.into_iter().map(|c| {
                                let id = c.id.clone();
                                let label = c.name.get(lang()).to_string();
                                let me = c.id.clone();
                                let pressed = Signal::derive(move || center.get().as_deref() == Some(me.as_str()));
                                choose(label, pressed, false, Box::new(move || { center.set(Some(id.clone())); date.set(None); start.set(None); }))
                            }).collect_view()}
                        </ul>
                    })}
                    {move || days.get().and_then(Result::ok).flatten().map(|a| view! {
                        <h2>{tr(|m| m.choose_date)}</h2>
                        <ul class="quick" id="days">
                            {a.days.into_iter().map(|d| {
                                let id = d.date.clone();
                                let left = d.remaining;
                                let label = format!("{} · {} {left}", d.date, msgs(lang()).seats_left);
                                let me = id.clone();
                                let pressed = Signal::derive(move || date.get().as_deref() == Some(me.as_str()));
                                choose(label, pressed, left == 0, Box::new(move || { date.set(Some(id.clone())); start.set(None); }))
                            }).collect_view()}
                        </ul>
                    })}
                    {move || slots.get().and_then(Result::ok).flatten().map(|a| view! {
                        <h2>{tr(|m| m.choose_slot)}</h2>
                        <ul class="quick" id="slots">
                            {a.slots.into_iter().map(|s| {
                                let id = s.start.clone();
                                let label = if s.remaining == 0 { format!("{} · {}", s.start, msgs(lang()).full) } else { format!("{} · {} {}", s.start, msgs(lang()).seats_left, s.remaining) };
                                let me = id.clone();
                                let pressed = Signal::derive(move || start.get().as_deref() == Some(me.as_str()));
                                choose(label, pressed, s.remaining == 0, Box::new(move || start.set(Some(id.clone()))))
                            }).collect_view()}
                        </ul>
                    })}
                    <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                    <button type="button" class="button primary" disabled=move || start.get().is_none() || busy.get() on:click=confirm>{tr(|m| m.confirm_booking)}</button>
                }.into_any(),
            }}
        })}
    }
}
