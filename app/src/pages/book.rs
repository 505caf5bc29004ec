//! `/book/:item`: the booking journey on a phone — a center that handles the item, a day with seats
//! left, a time slot; the seat is held while the resident checks and confirms; then the booking code
//! and its QR code to show on arrival. A full slot offers its waiting list. With `?reschedule=<id>`
//! the same screens move an existing booking (atomically: it stays put if the new slot is gone).

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use tongban_shared::api::ep;
use tongban_shared::authz::RESIDENTS;
use tongban_shared::booking::{Booking, NewBooking, Reschedule, WaitlistEntry};
use tongban_shared::Text;

/// A fresh idempotency key per confirmation screen: a double click or a retry sends the same key.
fn new_key() -> String {
    (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32)).collect()
}

/// `HH:MM` in Beijing time, whatever the device's zone.
pub use tongban_shared::time::clock;

/// 周四 / Thu for a `YYYY-MM-DD` date: people pick days by weekday. The browser's Date does the
/// calendar (chrono's parser would add ~10 KB to the phone bundle).
fn weekday(date: &str, l: tongban_shared::Lang) -> &'static str {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!("{date}T12:00:00")));
    // getDay: 0 is Sunday; ISO: 7 is Sunday.
    l.weekday(if d.get_day() == 0 { 7 } else { d.get_day() as u8 })
}

/// The booking code's QR image (drawn by the edge, so no encoder ships in the app).
pub fn qr(id: &str) -> impl IntoView {
    view! { <img class="qr" width="200" height="200" src={crate::api::path::<ep::BookingQr>(&[id])} alt=move || tr(|m| m.qr_alt)/> }
}

#[component]
pub fn BookPage() -> impl IntoView {
    use_title(|l| msgs(l).book.to_string());
    let p = prefs();
    let params = use_params_map();
    let item = Memo::new(move |_| params.get().get("item").unwrap_or_default());
    let query = use_query_map();
    let moving = Memo::new(move |_| query.get().get("reschedule").filter(|s| s.len() == 32));
    let detail = LocalResource::new(move || {
        let (id, l) = (item.get(), p.lang.get());
        async move { api::item(&id, None, l).await }
    });
    let center = RwSignal::new(query.get_untracked().get("center"));
    let held = RwSignal::new(None::<Booking>);
    let waiting = RwSignal::new(None::<WaitlistEntry>);
    let full = RwSignal::new(false);
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
    let bump = crate::state::inbox_tick().0;
    let fail = move |e: api::ApiError| {
        error.set(Some(e.text()));
        // A refused booking may be retried with another slot: that is a new attempt.
        key.set(new_key());
        slots.refetch();
        busy.set(false);
    };
    // Step 1: hold the seat (or, for a reschedule, move the booking; for a full slot, join its list).
    let hold = move |_| {
        let (Some(c), Some(d), Some(s)) = (center.get_untracked(), date.get_untracked(), start.get_untracked()) else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let l = lang();
        let req = NewBooking { center_id: c, item_id: item.get_untracked(), date: d.clone(), start: s.clone(), hold: true };
        let (k, is_full, mv) = (key.get_untracked(), full.get_untracked(), moving.get_untracked());
        leptos::task::spawn_local(async move {
            match (mv, is_full) {
                (Some(id), _) => match api::reschedule(&id, &Reschedule { date: d, start: s }, l).await {
                    Ok(b) => {
                        booked.set(Some(b));
                        bump.update(|n| *n += 1);
                    }
                    Err(e) => return fail(e),
                },
                (None, true) => match api::join_waitlist(&req, l).await {
                    Ok(w) => waiting.set(Some(w)),
                    Err(e) => return fail(e),
                },
                (None, false) => match api::book(&req, &k, l).await {
                    Ok(b) => held.set(Some(b)),
                    Err(e) => return fail(e),
                },
            }
            busy.set(false);
        });
    };
    // Step 2: confirm the held seat; a double click confirms once.
    let confirm = move |_| {
        let Some(h) = held.get_untracked() else { return };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::confirm_booking(&h.id, l).await {
                Ok(b) => {
                    booked.set(Some(b));
                    bump.update(|n| *n += 1);
                }
                Err(e) => {
                    held.set(None);
                    return fail(e);
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
            {move || match (booked.get(), held.get(), waiting.get()) {
                (Some(b), _, _) => view! {
                    <section class="booked" aria-labelledby="h-booked">
                        <h2 id="h-booked">{move || if moving.get().is_some() { tr(|m| m.rescheduled) } else { tr(|m| m.booked_title) }}</h2>
                        <p>{tx(&b.item_name)}</p>
                        <p>{tx(&b.center_name)}" · "{b.date.clone()}" "{b.start.clone()}</p>
                        <p class="meta">{tr(|m| m.booking_code)}</p>
                        <p class="code" id="booking-code">{b.code.clone()}</p>
                        {qr(&b.id)}
                        <p class="hint">{tr(|m| m.booking_code_hint)}</p>
                        <A href="/bookings" attr:class="button">{tr(|m| m.my_bookings)}</A>
                    </section>
                }.into_any(),
                (None, Some(h), _) => view! {
                    <section class="booked" aria-labelledby="h-confirm">
                        <h2 id="h-confirm">{tr(|m| m.confirm_title)}</h2>
                        <p>{tx(&h.item_name)}</p>
                        <p>{tx(&h.center_name)}" · "{h.date.clone()}" "{h.start.clone()}</p>
                        <p role="status" id="held-until">{tr(|m| m.held_until)}" "{h.hold_until.map(clock).unwrap_or_default()}</p>
                        <p class="hint">{tr(|m| m.hold_hint)}</p>
                        <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                        <button type="button" class="button primary" disabled=move || busy.get() on:click=confirm>{tr(|m| m.confirm_booking)}</button>
                    </section>
                }.into_any(),
                (None, None, Some(w)) => view! {
                    <section class="booked" aria-labelledby="h-wait">
                        <h2 id="h-wait">{tr(|m| m.my_waitlist)}</h2>
                        <p>{tx(&w.item_name)}</p>
                        <p>{tx(&w.center_name)}" · "{w.date.clone()}" "{w.start.clone()}</p>
                        <p role="status" id="waitlisted">{tr(|m| m.waitlisted)}" "{w.position}</p>
                        <A href="/bookings" attr:class="button">{tr(|m| m.my_bookings)}</A>
                    </section>
                }.into_any(),
                (None, None, None) => view! {
                    {move || moving.get().map(|_| view! { <p class="hint" role="note">{tr(|m| m.rescheduling)}</p> })}
                    {async_view(detail, move |d| view! {
                        <p class="meta">{tx(&d.item.name)}</p>
                        <h2>{tr(|m| m.choose_center)}</h2>
                        <ul class="quick">
                            {d.centers.into_iter().map(|c| {
                                let id = c.id.clone();
                                let label = c.name.get(lang()).to_string();
                                let me = c.id.clone();
                                let pressed = Signal::derive(move || center.get().as_deref() == Some(me.as_str()));
                                choose(label, pressed, false, Box::new(move || { center.set(Some(id.clone())); date.set(None); start.set(None); full.set(false); }))
                            }).collect_view()}
                        </ul>
                    })}
                    {move || days.get().and_then(Result::ok).flatten().map(|a| view! {
                        <h2>{tr(|m| m.choose_date)}</h2>
                        <ul class="quick" id="days">
                            {a.days.into_iter().map(|d| {
                                let id = d.date.clone();
                                let left = d.remaining;
                                let label = format!("{} {} · {} {left}", d.date, weekday(&d.date, lang()), msgs(lang()).seats_left);
                                let me = id.clone();
                                let pressed = Signal::derive(move || date.get().as_deref() == Some(me.as_str()));
                                choose(label, pressed, false, Box::new(move || { date.set(Some(id.clone())); start.set(None); full.set(false); }))
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
                                // A full slot stays selectable: it offers its waiting list (not for a reschedule).
                                let is_full = s.remaining == 0;
                                choose(label, pressed, is_full && moving.get_untracked().is_some(), Box::new(move || { start.set(Some(id.clone())); full.set(is_full); }))
                            }).collect_view()}
                        </ul>
                    })}
                    <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                    <button type="button" class="button primary" disabled=move || start.get().is_none() || busy.get() on:click=hold>
                        {move || if moving.get().is_some() { tr(|m| m.reschedule) } else if full.get() { tr(|m| m.join_waitlist) } else { tr(|m| m.hold_slot) }}
                    </button>
                }.into_any(),
            }}
        })}
    }
}
