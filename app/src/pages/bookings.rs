//! `/bookings`: my bookings, newest first, with cancel while it is still allowed.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::{booking_state, msgs, tr};
use crate::state::{lang, prefs, use_title};
use leptos::prelude::*;
use tongban_shared::authz::RESIDENTS;
use tongban_shared::booking::BookingState;
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
            let error = RwSignal::new(None::<Text>);
            view! {
                <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                {async_view(list, move |bs| if bs.is_empty() {
                    view! { <p>{tr(|m| m.no_bookings)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="cards" id="bookings">
                            {bs.into_iter().map(|b| {
                                let id = b.id.clone();
                                let state = b.state;
                                let cancel = move |_| {
                                    let (id, l) = (id.clone(), lang());
                                    leptos::task::spawn_local(async move {
                                        match api::cancel_booking(&id, l).await {
                                            Ok(_) => list.refetch(),
                                            Err(e) => error.set(Some(e.text())),
                                        }
                                    });
                                };
                                view! {
                                    <li class="card booking">
                                        <p class="card-title">{tx(&b.item_name)}</p>
                                        <p class="meta">{tx(&b.center_name)}" · "{b.date.clone()}" "{b.start.clone()}</p>
                                        <p>{tr(|m| m.booking_code)}" "<strong class="code-inline">{b.code.clone()}</strong>" · "{move || booking_state(lang(), state)}</p>
                                        {matches!(state, BookingState::Confirmed | BookingState::Held).then(|| view! {
                                            <button type="button" class="button danger" on:click=cancel>{tr(|m| m.cancel)}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            }
        })}
    }
}
