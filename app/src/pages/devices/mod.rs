//! Center devices, in the console bundle: the self-service kiosk (取号 and 签到), the hall display that
//! shows and speaks the calls, and a window's "call next".

pub mod display;
pub mod kiosk;
pub mod window;

use crate::api;
use crate::components::Field;
use crate::i18n::tr;
use crate::state::lang;
use leptos::prelude::*;
use tongban_shared::queue::Ticket;

/// Checking in a booking code — typed, or read by a QR scanner acting as a keyboard — at the kiosk and
/// at a window. The code is checked in the browser by the same rule as at the edge.
#[component]
pub fn CheckInForm(id: &'static str, #[prop(optional)] large: bool, on_done: Callback<Ticket>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let code_e = RwSignal::new(None::<tongban_shared::Text>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = match tongban_shared::booking::normalise_code(&code.get_untracked()) {
            Ok(c) => c,
            Err(e) => return code_e.set(Some(e.text())),
        };
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::check_in(&c, l).await {
                Ok(t) => {
                    code.set(String::new());
                    code_e.set(None);
                    on_done.run(t);
                }
                Err(e) => code_e.set(Some(e.text())),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>{tr(|m| m.check_in)}</h2>
            <Field id=id label=|m| m.f_code value=code error=code_e/>
            <button type="submit" class=if large { "button kiosk-button" } else { "button" }>{tr(|m| m.check_in)}</button>
        </form>
    }
}
