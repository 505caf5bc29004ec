//! `/register`: resident registration. Each field is checked as the user leaves it and all of them on
//! submit, by the same `tongban-shared` rules the edge applies; the edge's answer lands on its field.
//! [`finish_registration`] is shared with the business registration page.

use crate::api::{self, ApiError};
use crate::components::{tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use std::future::Future;
use tongban_shared::account::{self, Me, RegisterResident};
use tongban_shared::{ids, password, FieldError, Text};

/// Puts each validation error next to its field (`fields[i]` ↔ `errs[i]`; unknown fields on the last).
pub fn show_errors(fields: &[&str], errs: &[RwSignal<Option<Text>>], found: Vec<FieldError>) {
    for fe in found {
        let i = fe.field.and_then(|f| fields.iter().position(|x| *x == f)).unwrap_or(errs.len() - 1);
        errs[i].set(Some(fe.code.text()));
    }
}

/// Sends a registration. Success keeps the new session and opens "my info"; a field error from the edge
/// lands on its field; anything else on the form. `busy` guards against a double submit.
pub fn finish_registration(
    request: impl Future<Output = Result<Me, ApiError>> + 'static,
    fields: &'static [&'static str],
    errs: Vec<RwSignal<Option<Text>>>,
    error: RwSignal<Option<Text>>,
    busy: RwSignal<bool>,
    navigate: impl Fn(&str, NavigateOptions) + 'static,
) {
    let s = session();
    busy.set(true);
    leptos::task::spawn_local(async move {
        match request.await {
            Ok(me) => {
                s.set(Some(me));
                navigate("/me", Default::default());
            }
            Err(ApiError::Server { code: Some(code), field: Some(f), .. }) if fields.contains(&f.as_str()) => {
                show_errors(fields, &errs, vec![FieldError { code, field: fields.iter().find(|x| **x == f).copied() }]);
            }
            Err(other) => error.set(Some(other.text())),
        }
        busy.set(false);
    });
}

const FIELDS: &[&str] = &["name", "id_number", "mobile", "password"];

#[component]
pub fn RegisterPage() -> impl IntoView {
    use_title(|l| msgs(l).register_title.to_string());
    let [name, id_number, mobile, pw] = [(); 4].map(|_| RwSignal::new(String::new()));
    let errs = [(); 4].map(|_| RwSignal::new(None::<Text>));
    let [name_e, id_e, mobile_e, pw_e] = errs;
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let req =
            RegisterResident { name: name.get_untracked(), id_number: id_number.get_untracked(), mobile: mobile.get_untracked(), password: pw.get_untracked() };
        match req.validate() {
            Err(found) => show_errors(FIELDS, &errs, found),
            // The language is read here: the request runs outside the reactive owner.
            Ok(_) => {
                let l = lang();
                finish_registration(async move { api::register(&req, l).await }, FIELDS, errs.to_vec(), error, busy, navigate.clone());
            }
        }
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
