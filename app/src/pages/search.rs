//! `/search?q=&dept=&flag=&page=`: results with filters. The URL is the state, so a search can be
//! shared, bookmarked and reloaded.

use crate::api::{self, query_string};
use crate::components::{async_view, tx, ItemCard, SearchForm};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use tongban_shared::catalogue::Flag;
use tongban_shared::query::ItemQuery;

#[component]
pub fn Search() -> impl IntoView {
    let p = prefs();
    let qm = use_query_map();
    // An invalid URL (hand-edited) falls back to the parts that parse; the edge would refuse it anyway.
    let query = Memo::new(move |_| {
        let map = qm.get();
        let pairs: Vec<(String, String)> = map.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        ItemQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap_or_default()
    });
    use_title(move |l| {
        let q = query.get().q;
        if q.is_empty() {
            msgs(l).nav_search.to_string()
        } else {
            format!("{q} - {}", msgs(l).results_for)
        }
    });
    let results = LocalResource::new(move || {
        let q = query.get();
        let l = p.lang.get();
        async move { api::items(&q, l).await }
    });
    let depts = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::departments(l).await }
    });
    let navigate = use_navigate();
    let go = move |q: ItemQuery| navigate(&format!("/search{}", query_string(&q.to_pairs())), Default::default());

    let go_dept = go.clone();
    // Toggle buttons, not links: each flag is a pressed/unpressed state of this search (aria-pressed).
    let flag_chips = move || {
        let cur = query.get();
        Flag::ALL
            .into_iter()
            .map(|f| {
                let on = cur.flags.contains(&f);
                let go = go.clone();
                view! {
                    <li>
                        <button type="button" class="chip" aria-pressed=on.to_string() on:click=move |_| {
                            let mut next = query.get_untracked();
                            next.page = 1;
                            if on { next.flags.retain(|x| *x != f) } else { next.flags.push(f) }
                            go(next);
                        }>{tx(&f.label())}</button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <h1 class="visually-hidden">{tr(|m| m.nav_search)}</h1>
        {move || view! { <SearchForm initial=query.get().q/> }}
        <section class="filters" aria-label=tr(|m| m.filters)>
            <ul class="quick">{flag_chips}</ul>
            <label for="dept-filter" class="inline-label">{tr(|m| m.department)}</label>
            <select id="dept-filter" on:change=move |ev| {
                let v = event_target_value(&ev);
                let mut q = query.get_untracked();
                q.dept = if v.is_empty() { None } else { Some(v) };
                q.page = 1;
                go_dept(q);
            }>
                <option value="" selected=move || query.get().dept.is_none()>{tr(|m| m.all_departments)}</option>
                {move || depts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|d| {
                    let id = d.id.clone();
                    let selected = move || query.get().dept.as_deref() == Some(id.as_str());
                    view! { <option value=d.id.clone() selected=selected>{tx(&d.name)}</option> }
                }).collect_view()}
            </select>
        </section>
        {async_view(results, move |page| {
            let cur = query.get_untracked();
            let pages = page.total.div_ceil(page.per_page).max(1);
            let link = move |n: u32| {
                let mut q = cur.clone();
                q.page = n;
                format!("/search{}", query_string(&q.to_pairs()))
            };
            let (prev, next) = (link(page.page.saturating_sub(1).max(1)), link(page.page + 1));
            let (has_prev, has_next) = (page.page > 1, page.page < pages);
            let total = page.total;
            view! {
                <p class="count" role="status" id="result-count">
                    {move || format!("{} {total} {}", msgs(lang()).results_for, msgs(lang()).results_count)}
                </p>
                {if page.items.is_empty() {
                    view! {
                        <div class="empty">
                            <p><strong>{tr(|m| m.no_results)}</strong></p>
                            <p>{tr(|m| m.no_results_hint)}</p>
                        </div>
                    }.into_any()
                } else {
                    view! { <ul class="cards">{page.items.into_iter().map(|i| view! { <ItemCard item=i/> }).collect_view()}</ul> }.into_any()
                }}
                {(pages > 1).then(|| view! {
                    <nav class="pager" aria-label=tr(|m| m.page)>
                        {has_prev.then(|| view! { <A href=prev.clone() attr:class="button">{tr(|m| m.prev)}</A> })}
                        <span>{format!("{} / {pages}", page.page)}</span>
                        {has_next.then(|| view! { <A href=next.clone() attr:class="button">{tr(|m| m.next)}</A> })}
                    </nav>
                })}
            }
        })}
    }
}
