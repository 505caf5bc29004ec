//! `/`: search first (most people arrive knowing what they need), then popular items, the "一件事"
//! bundles, and the way to the centers.

use crate::api;
use crate::components::{async_view, tx, ItemCard, SearchForm};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use tongban_shared::catalogue::Flag;
use tongban_shared::query::ItemQuery;

#[component]
pub fn Home() -> impl IntoView {
    use_title(|_| String::new());
    let p = prefs();
    let popular = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::items(&ItemQuery { per_page: 8, ..Default::default() }, l).await }
    });
    let bundles = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::bundles(l).await }
    });
    view! {
        <section class="hero">
            <h1>{tr(|m| m.tagline)}</h1>
            <SearchForm/>
            <ul class="quick">
                {[Flag::Online, Flag::ZeroTrip, Flag::OnTheSpot].into_iter().map(|f| {
                    let href = format!("/search?flag={}", f.as_str());
                    view! { <li><A href=href attr:class="chip">{tx(&f.label())}</A></li> }
                }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="popular-h">
            <h2 id="popular-h">{tr(|m| m.popular)}</h2>
            <div class="reserve reserve-popular">
            {async_view(popular, |page| view! {
                <ul class="cards">{page.items.into_iter().map(|i| view! { <ItemCard item=i/> }).collect_view()}</ul>
            })}
            </div>
        </section>
        <section aria-labelledby="bundles-h">
            <h2 id="bundles-h">{tr(|m| m.bundles)}</h2>
            <p class="hint">{tr(|m| m.bundles_hint)}</p>
            <div class="reserve reserve-bundles">
            {async_view(bundles, |list| view! {
                <ul class="cards bundles">
                    {list.into_iter().map(|b| {
                        let href = format!("/bundles/{}", b.id);
                        let n = b.items.len();
                        view! {
                            <li class="card">
                                <A href=href attr:class="card-link"><span class="card-title">{tx(&b.name)}</span></A>
                                <p class="meta">{tx(&b.summary)}</p>
                                <p class="meta count">{move || format!("{} {n}", msgs(lang()).items_in_bundle)}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            </div>
        </section>
        <section aria-labelledby="centers-h">
            <h2 id="centers-h">{tr(|m| m.centers)}</h2>
            <p class="hint">{tr(|m| m.centers_hint)}</p>
            <A href="/centers" attr:class="button">{tr(|m| m.all_centers)}</A>
        </section>
    }
}
