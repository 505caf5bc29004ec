//! `/staff/audit`: who saw whose personal data, when and why. Read-only.

use crate::api;
use crate::components::{async_view, guarded};
use crate::i18n::{msgs, tr};
use crate::state::{prefs, use_title};
use leptos::prelude::*;
use tongban_shared::authz::ADMINS;

/// `YYYY-MM-DD HH:MM` in Beijing time (UTC+8, no daylight saving), from epoch seconds.
pub fn beijing_time(epoch: i64) -> String {
    let t = epoch + 8 * 3600;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

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
