//! `/centers/:id`: address, phone, weekly hours, windows, and the items handled here.

use crate::api;
use crate::components::{async_view, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr, window_label};
use crate::pages::not_found::NotFound;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::catalogue::CenterDetail;

#[component]
pub fn CenterPage() -> impl IntoView {
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let detail = LocalResource::new(move || {
        let (id, l) = (id.get(), p.lang.get());
        async move { api::center(&id, l).await }
    });
    use_title(move |l| match detail.get() {
        Some(Ok(d)) => d.center.name.get(l).to_string(),
        _ => msgs(l).centers.to_string(),
    });
    move || match detail.get() {
        Some(Err(e)) if e.is_not_found() => view! { <NotFound/> }.into_any(),
        _ => async_view(detail, center_view).into_any(),
    }
}

fn center_view(d: CenterDetail) -> impl IntoView {
    let CenterDetail { center, windows, item_count } = d;
    let tel = format!("tel:{}", center.phone.replace(['-', ' '], ""));
    let items_href = format!("/search?center={}", center.id);
    let mut hours = center.hours.clone();
    hours.sort_by_key(|h| h.weekday);
    view! {
        <article>
            <h1>{tx(&center.name)}</h1>
            <dl class="facts">
                <div><dt>{tr(|m| m.address)}</dt><dd>{tx(&center.address)}</dd></div>
                <div><dt>{tr(|m| m.phone)}</dt><dd><a href=tel>{center.phone.clone()}</a></dd></div>
            </dl>
            <section aria-labelledby="h-hours">
                <h2 id="h-hours">{tr(|m| m.hours)}</h2>
                <table class="hours">
                    <tbody>
                        {(1u8..=7).map(|d| {
                            let h = hours.iter().find(|h| h.weekday == d).cloned();
                            view! {
                                <tr>
                                    <th scope="row">{move || lang().weekday(d)}</th>
                                    <td>{move || match &h { Some(h) => format!("{}–{}", h.open, h.close), None => msgs(lang()).closed.to_string() }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {(!center.hours_note.is_empty()).then(|| view! { <p class="hint">{tx(&center.hours_note)}</p> })}
            </section>
            <section aria-labelledby="h-items">
                <h2 id="h-items">{tr(|m| m.items_here)}</h2>
                <A href=items_href attr:class="button primary">{move || format!("{} ({item_count})", msgs(lang()).items_here)}</A>
            </section>
            <section aria-labelledby="h-windows">
                <h2 id="h-windows">{tr(|m| m.windows)}</h2>
                <ul class="windows">
                    {windows.into_iter().map(|w| {
                        let n = w.number;
                        view! { <li><strong>{move || window_label(lang(), n)}</strong>" "{tx(&w.label)}</li> }
                    }).collect_view()}
                </ul>
            </section>
        </article>
    }
}
