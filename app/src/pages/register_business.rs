//! `/register/business`: a business registers by its legal representative (法人注册).

use crate::api;
use crate::components::{tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::pages::register::{finish_registration, show_errors};
use crate::state::lang;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tongban_shared::account::{self, RegisterBusiness};
use tongban_shared::{ids, password, Text};

const FIELDS: [&str; 6] = ["uscc", "company_name", "legal_rep_name", "legal_rep_id_number", "mobile", "password"];

#[component]
pub fn RegisterBusinessPage() -> impl IntoView {
    use_title(|l| msgs(l).register_business.to_string());
    let v = [(); 6].map(|_| RwSignal::new(String::new()));
    let errs = [(); 6].map(|_| RwSignal::new(None::<Text>));
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let [uscc, company_name, legal_rep_name, legal_rep_id_number, mobile, password] = v.map(|x| x.get_untracked());
        let req = RegisterBusiness { uscc, company_name, legal_rep_name, legal_rep_id_number, mobile, password };
        match req.validate() {
            Err(found) => show_errors(&FIELDS, &errs, found),
            Ok(_) => {
                let l = lang();
                finish_registration(async move { api::register_business(&req, l).await }, &FIELDS, errs.to_vec(), error, busy, navigate.clone());
            }
        }
    };
    let [uscc, company, rep, rep_id, mobile, pw] = v;
    let [uscc_e, company_e, rep_e, rep_id_e, mobile_e, pw_e] = errs;
    view! {
        <h1>{tr(|m| m.register_business)}</h1>
        <p class="hint">{tr(|m| m.register_business_hint)}</p>
        <form class="form" on:submit=submit novalidate>
            <Field id="uscc" label=|m| m.f_uscc value=uscc error=uscc_e check=|v| ids::uscc(v).err()/>
            <Field id="company_name" label=|m| m.f_company value=company error=company_e autocomplete="organization" check=|v| account::company_name(v).err()/>
            <Field id="legal_rep_name" label=|m| m.f_rep_name value=rep error=rep_e autocomplete="name" check=|v| account::name(v).err()/>
            <Field id="legal_rep_id_number" label=|m| m.f_rep_id value=rep_id error=rep_id_e check=|v| ids::resident_id(v).err()/>
            <Field id="mobile" label=|m| m.f_contact_mobile value=mobile error=mobile_e input_type="tel" inputmode="numeric" autocomplete="tel" check=|v| ids::mobile(v).err()/>
            <Field id="password" label=|m| m.f_password value=pw error=pw_e input_type="password" autocomplete="new-password" hint=|m| m.f_password_hint check=|v| password::check(v).err()/>
            <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
            <button type="submit" class="button primary" disabled=move || busy.get()>{tr(|m| m.register)}</button>
        </form>
        <p>{tr(|m| m.have_account)}" "<A href="/login">{tr(|m| m.sign_in)}</A></p>
    }
}
