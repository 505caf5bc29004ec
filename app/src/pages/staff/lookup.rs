//! `/staff/lookup`: identity check at the counter. Full data only with a reason; the edge audits it.
//! It also shows the person's no-shows and booking suspension, which staff can lift (reason reused,
//! audited too).

use crate::api;
use crate::components::{guarded, tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::lang;
use leptos::prelude::*;
use tongban_shared::authz::FRONT_DESK;
use tongban_shared::staff::{PersonLookup, PersonRecord};
use tongban_shared::{ids, Text};

#[component]
pub fn LookupPage() -> impl IntoView {
    use_title(|l| msgs(l).lookup.to_string());
    let (id_number, reason) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (id_e, reason_e) = (RwSignal::new(None::<Text>), RwSignal::new(None::<Text>));
    let error = RwSignal::new(None::<Text>);
    let found = RwSignal::new(None::<PersonRecord>);
    let lift = move |_| {
        let req = PersonLookup { id_number: id_number.get_untracked(), reason: reason.get_untracked() };
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::lift_ban(&req, l).await {
                Ok(b) => found.update(|p| {
                    if let Some(p) = p {
                        p.ban = b
                    }
                }),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        found.set(None);
        error.set(None);
        let req = PersonLookup { id_number: id_number.get_untracked(), reason: reason.get_untracked() };
        if let Err(fe) = req.validate() {
            (if fe.field == Some("reason") { reason_e } else { id_e }).set(Some(fe.code.text()));
            return;
        }
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::lookup_person(&req, l).await {
                Ok(p) => found.set(Some(p)),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <h1>{tr(|m| m.lookup)}</h1>
        {guarded(Some(FRONT_DESK), move |_| view! {
            <p class="hint">{tr(|m| m.lookup_hint)}</p>
            <form class="form" on:submit=submit novalidate>
                <Field id="lookup-id" label=|m| m.f_id_number value=id_number error=id_e check=|v| ids::resident_id(v).err()/>
                <Field id="lookup-reason" label=|m| m.f_reason value=reason error=reason_e/>
                <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                <button type="submit" class="button primary">{tr(|m| m.view)}</button>
            </form>
            {move || found.get().map(|p| view! {
                <dl class="facts profile" id="person">
                    <div><dt>{tr(|m| m.f_name)}</dt><dd>{p.name}</dd></div>
                    <div><dt>{tr(|m| m.f_id_number)}</dt><dd>{p.id_number}</dd></div>
                    <div><dt>{tr(|m| m.f_mobile)}</dt><dd>{p.mobile}</dd></div>
                    <div><dt>{tr(|m| m.no_shows)}</dt><dd id="no-shows">{if p.ban.no_shows.is_empty() { "–".to_string() } else { p.ban.no_shows.join(", ") }}</dd></div>
                </dl>
                {p.ban.banned_until.clone().map(|until| view! {
                    <p role="status" id="banned-until">{tr(|m| m.banned_until)}" "{until}</p>
                    <button type="button" class="button" on:click=lift>{tr(|m| m.lift_ban)}</button>
                })}
            })}
        })}
    }
}
