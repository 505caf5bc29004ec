//! `/staff/audit`: who saw whose personal data, when and why. Read-only.

use crate::api;
use crate::components::{async_view, guarded};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::prefs;
use leptos::prelude::*;
use tongban_shared::authz::ADMINS;

/// `YYYY-MM-DD HH:MM` in Beijing time, from epoch seconds.
pub use tongban_shared::time::stamp as beijing_time;

#[component]
pub fn AuditPage() -> impl IntoView {
    use_title(|l| msgs(l).audit.to_string());
    let p = prefs();
    view! {
        <h1>{tr(|m| m.audit)}</h1>
        {guarded(Some(ADMINS), move |_| {
            let log = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::audit(l).await }
            });
            view! {
                <p class="hint">{tr(|m| m.audit_hint)}</p>
                {async_view(log, |entries| view! {
                    <div class="table-wrap">
                        <table class="audit">
                            <thead><tr>
                                <th scope="col">{tr(|m| m.when)}</th>
                                <th scope="col">{tr(|m| m.who)}</th>
                                <th scope="col">{tr(|m| m.whom)}</th>
                                <th scope="col">{tr(|m| m.why)}</th>
                            </tr></thead>
                            <tbody>
                                {entries.into_iter().map(|e| view! {
                                    <tr><td>{beijing_time(e.at)}</td><td>{e.actor_login}</td><td>{e.subject}</td><td>{e.reason}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::beijing_time;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn formats_beijing_time() {
        assert_eq!(beijing_time(0), "1970-01-01 08:00");
        assert_eq!(beijing_time(1_764_057_600), "2025-11-25 16:00");
        assert_eq!(beijing_time(951_782_400 - 8 * 3600), "2000-02-29 00:00");
    }
}
