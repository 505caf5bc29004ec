//! `/register`: resident registration. Each field is checked as the user leaves it and all of them on
//! submit, by the same `tongban-shared` rules the edge applies; the edge's answer lands on its field.

use crate::api::{self, ApiError};
use crate::components::{tx, Field};
use crate::i18n::{msgs, tr};
use crate::state::{lang, session, use_title};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tongban_shared::account::{self, RegisterResident};
use tongban_shared::{ids, password, Text};

#[component]
pub fn RegisterPage() -> impl IntoView {
    use_title(|l| msgs(l).register_title.to_string());
    let v = [(); 4].map(|_| RwSignal::new(String::new()));
    let e = [(); 4].map(|_| RwSignal::new(None::<Text>));
    let [name, id_number, mobile, pw] = v;
    let [name_e, id_e, mobile_e, pw_e] = e;
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let s = session();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let req = RegisterResident { name: name.get_untracked(), id_number: id_number.get_untracked(), mobile: mobile.get_untracked(), password: pw.get_untracked() };
        if let Err(errs) = req.validate() {
            for fe in errs {
                let slot = match fe.field {
                    Some("name") => name_e,
                    Some("id_number") => id_e,
                    Some("mobile") => mobile_e,
                    _ => pw_e,
                };
                slot.set(Some(fe.code.text()));
            }
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::register(&req, l).await {
                Ok(me) => {
                    s.set(Some(me));
                    navigate("/me", Default::default());
                }
                Err(ApiError::Server { code: Some(code), field: Some(f), .. }) => {
                    let slot = match f.as_str() {
                        "name" => name_e,
                        "id_number" => id_e,
                        "mobile" => mobile_e,
                        _ => pw_e,
                    };
                    slot.set(Some(code.text()));
                }
                Err(other) => error.set(Some(other.text())),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{tr(|m| m.register_title)}</h1>
        <p class="hint">{tr(|m| m.register_hint)}</p>
        <form class="form" on:submit=submit novalidate>
            <Field id="name" label=|m| m.f_name value=name error=name_e autocomplete="name" check=|v| account::name(v).err()/>
            <Field id="id_number" label=|m| m.f_id_number value=id_number error=id_e autocomplete="off" check=|v| ids::resident_id(v).err()/>
            <Field id="mobile" label=|m| m.f_mobile value=mobile error=mobile_e input_type="tel" inputmode="numeric" autocomplete="tel" check=|v| ids::mobile(v).err()/>
            <Field id="password" label=|m| m.f_password value=pw error=pw_e input_type="password" autocomplete="new-password" hint=|m| m.f_password_hint check=|v| password::check(v).err()/>
            <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
            <button type="submit" class="button primary" disabled=move || busy.get()>{tr(|m| m.register)}</button>
        </form>
        <p>{tr(|m| m.have_account)}" "<A href="/login">{tr(|m| m.sign_in)}</A></p>
        <p><A href="/register/business">{tr(|m| m.register_as_business)}</A></p>
    }
}
