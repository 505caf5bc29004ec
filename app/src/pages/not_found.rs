//! Anything the router does not know, and items or centers that do not exist.

use crate::i18n::{msgs, tr};
use crate::state::use_title;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    use_title(|l| msgs(l).not_found.to_string());
    view! {
        <section class="empty">
            <h1>{tr(|m| m.not_found)}</h1>
            <p>{tr(|m| m.not_found_hint)}</p>
            <A href="/" attr:class="button primary">{tr(|m| m.back_home)}</A>
        </section>
    }
}
