//! `/me`: "my information", the saved profile later forms are pre-filled from — masked, since nobody needs
//! to read their own ID number back in full on a phone in a waiting hall.

use crate::api;
use crate::components::guarded;
use crate::i18n::{msgs, role_label, tr};
use crate::state::{lang, session, use_title};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn MePage() -> impl IntoView {
    use_title(|l| msgs(l).my_info.to_string());
    let s = session();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            let _ = api::logout(l).await;
            s.set(None);
            navigate("/", Default::default());
        });
    };
    view! {
        <h1>{tr(|m| m.my_info)}</h1>
        {guarded(None, move |me| {
            let sign_out = sign_out.clone();
            view! {
                <p class="hint">{tr(|m| m.my_info_hint)}</p>
                <dl class="facts profile">
                    <div><dt>{tr(|m| m.f_name)}</dt><dd id="me-name">{me.name.clone()}</dd></div>
                    <div><dt>{tr(|m| m.f_id_number)}</dt><dd id="me-id">{me.id_number.clone()}</dd></div>
                    <div><dt>{tr(|m| m.f_mobile)}</dt><dd id="me-mobile">{me.mobile.clone()}</dd></div>
                    <div><dt>{tr(|m| m.role)}</dt><dd>{move || role_label(lang(), me.role)}</dd></div>
                </dl>
                <button type="button" class="button" on:click=sign_out>{tr(|m| m.sign_out)}</button>
            }
        })}
    }
}
