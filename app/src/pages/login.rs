//! `/login`: one sign-in for residents (ID number), businesses (credit code) and staff (login name).

use crate::api;
use crate::components::{tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tongban_shared::account::Login;
use tongban_shared::Text;

#[component]
pub fn LoginPage() -> impl IntoView {
    use_title(|l| msgs(l).sign_in.to_string());
    let (login, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (login_err, password_err) = (RwSignal::new(None::<Text>), RwSignal::new(None::<Text>));
    let remember = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let s = session();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return; // a double click signs in once
        }
        busy.set(true);
        error.set(None);
        let req = Login { login: login.get_untracked(), password: password.get_untracked(), remember: remember.get_untracked() };
        let navigate = navigate.clone();
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::login(&req, l).await {
                Ok(me) => {
                    // A temporary password (an admin's reset) is changed first: /me has the form.
                    let to = if me.must_change_password || !me.role.is_staff() { "/me" } else { "/staff" };
                    s.set(Some(me));
                    navigate(to, Default::default());
                }
                Err(e) => error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{tr(|m| m.sign_in)}</h1>
        <form class="form" on:submit=submit novalidate>
            <Field id="login" label=|m| m.f_login value=login error=login_err autocomplete="username"/>
            <Field id="password" label=|m| m.f_password value=password error=password_err input_type="password" autocomplete="current-password"/>
            <div class="check">
                <input type="checkbox" id="remember" prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev))/>
                <label for="remember">{tr(|m| m.f_remember)}</label>
            </div>
            <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
            <button type="submit" class="button primary" disabled=move || busy.get()>{tr(|m| m.sign_in)}</button>
        </form>
        <p>{tr(|m| m.no_account)}" "<A href="/register">{tr(|m| m.register)}</A></p>
    }
}
