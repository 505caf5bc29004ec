//! Anything the router does not know, and items or centers that do not exist.

use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    // The resident bundle has no console routes: a link there (the dashboard, 好差评, a staff desk)
    // lands here and loads the page's own URL, for which the boot script picks the console bundle.
    // Not `reload()`: the router renders the new route before it pushes the URL into the history, so a
    // reload would load the page we came from.
    #[cfg(not(feature = "console"))]
    {
        let loc = leptos_router::hooks::use_location();
        let path = loc.pathname.get_untracked();
        if tongban_shared::bundles::is_console_path(&path) {
            let search = loc.search.get_untracked();
            let _ = window().location().set_href(&if search.is_empty() { path } else { format!("{path}?{search}") });
            return view! { <crate::components::Loading/> }.into_any();
        }
    }
    use_title(|l| msgs(l).not_found.to_string());
    view! {
        <section class="empty">
            <h1>{tr(|m| m.not_found)}</h1>
            <p>{tr(|m| m.not_found_hint)}</p>
            <A href="/" attr:class="button primary">{tr(|m| m.back_home)}</A>
        </section>
    }
    .into_any()
}
