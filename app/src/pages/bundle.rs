//! `/bundles/:id`: a "一件事" and the items it bundles across departments.

use crate::api;
use crate::components::{async_view, tx, ItemCard};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::pages::not_found::NotFound;
use crate::state::prefs;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BundlePage() -> impl IntoView {
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let bundle = LocalResource::new(move || {
        let (id, l) = (id.get(), p.lang.get());
        async move { api::bundle(&id, l).await }
    });
    use_title(move |l| match bundle.get() {
        Some(Ok(b)) => b.name.get(l).to_string(),
        _ => msgs(l).bundles.to_string(),
    });
    move || {
        match bundle.get() {
        Some(Err(e)) if e.is_not_found() => view! { <NotFound/> }.into_any(),
        _ => async_view(bundle, |b| view! {
            <h1>{tx(&b.name)}</h1>
            <p>{tx(&b.summary)}</p>
            <p><leptos_router::components::A href=format!("/apply/{}", b.id) attr:class="button primary" attr:id="apply-link">{tr(|m| m.apply_one_form)}</leptos_router::components::A></p>
            <h2>{tr(|m| m.items_in_bundle)}</h2>
            <ul class="cards">{b.items.into_iter().map(|i| view! { <ItemCard item=i/> }).collect_view()}</ul>
        }).into_any(),
    }
    }
}
