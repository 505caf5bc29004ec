//! `/items/:id` (and `?v=N` for an earlier published version): the office guide (办事指南) — what to
//! bring, how long it takes, what it costs, where to go.

use crate::api;
use crate::components::{async_view, kind_label, tx, FlagBadges};
use crate::i18n::use_title;
use crate::i18n::{days, msgs, tr};
use crate::pages::not_found::NotFound;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use tongban_shared::catalogue::{ItemDetail, Material};
use tongban_shared::Text;

#[component]
pub fn Item() -> impl IntoView {
    let p = prefs();
    let params = use_params_map();
    let qm = use_query_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let version = Memo::new(move |_| qm.get().get("v").and_then(|v| v.parse::<u32>().ok()));
    let detail = LocalResource::new(move || {
        let (id, v, l) = (id.get(), version.get(), p.lang.get());
        async move { api::item(&id, v, l).await }
    });
    use_title(move |l| match detail.get() {
        Some(Ok(d)) => d.item.name.get(l).to_string(),
        _ => msgs(l).nav_search.to_string(),
    });
    move || match detail.get() {
        Some(Err(e)) if e.is_not_found() => view! { <NotFound/> }.into_any(),
        _ => async_view(detail, guide_view).into_any(),
    }
}

fn section(title: fn(&'static crate::i18n::Msgs) -> &'static str, id: &'static str, body: impl IntoView) -> impl IntoView {
    view! {
        <section class="guide-section" aria-labelledby=id>
            <h2 id=id>{move || title(msgs(lang()))}</h2>
            {body}
        </section>
    }
}

fn text_list(items: Vec<Text>, ordered: bool) -> impl IntoView {
    let lis = items.into_iter().map(|t| view! { <li>{tx(&t)}</li> }).collect_view();
    if ordered {
        view! { <ol class="steps">{lis}</ol> }.into_any()
    } else {
        view! { <ul class="plain">{lis}</ul> }.into_any()
    }
}

fn material_row(i: usize, mat: Material) -> impl IntoView {
    let id = format!("mat-{i}");
    let count = mat.count;
    let required = mat.required;
    view! {
        <li class="material">
            <input type="checkbox" id=id.clone()/>
            <label for=id>
                <span class="mat-name">{tx(&mat.name)}</span>
                <span class="meta">
                    {tx(&mat.form.label())}
                    {move || format!(" · {count} {} · ", msgs(lang()).copies)}
                    {move || if required { msgs(lang()).required } else { msgs(lang()).optional }}
                </span>
                {mat.e_licence.then(|| view! { <span class="badge e-licence">{tr(|m| m.e_licence)}</span> })}
                {(!mat.note.is_empty()).then(|| view! { <span class="note">{tx(&mat.note)}</span> })}
            </label>
            {(mat.template_url.is_some() || mat.sample_url.is_some()).then(|| view! {
                <span class="mat-links">
                    {mat.template_url.clone().map(|u| view! { <a href=u target="_blank" rel="noopener">{tr(|m| m.template)}</a> })}
                    {mat.sample_url.clone().map(|u| view! { <a href=u target="_blank" rel="noopener">{tr(|m| m.sample)}</a> })}
                </span>
            })}
        </li>
    }
}

fn guide_view(d: ItemDetail) -> impl IntoView {
    let ItemDetail { item, guide, versions, centers, bundles, .. } = d;
    let current = item.current_version;
    let shown = guide.version;
    let item_id = item.id.clone();
    let kind = item.kind;
    let promised = guide.promised_days;
    let statutory = guide.statutory_days;
    view! {
        <article class="guide">
            <header class="guide-head">
                <p class="meta">{tx(&item.department.name)}" · "{move || kind_label(kind, lang())}</p>
                <h1>{tx(&item.name)}</h1>
                <FlagBadges flags=item.flags/>
                <A href=format!("/book/{}", item.id) attr:class="button primary book">{tr(|m| m.book)}</A>
            </header>
            {(shown != current).then(|| {
                let href = format!("/items/{item_id}");
                view! {
                    <p class="banner" role="note">
                        {move || format!("{} v{shown}。", msgs(lang()).old_version)}
                        <A href=href>{tr(|m| m.view_current)}</A>
                    </p>
                }
            })}
            <dl class="facts">
                {promised.map(|d| view! { <div><dt>{tr(|m| m.promised)}</dt><dd>{move || days(lang(), d)}</dd></div> })}
                {statutory.map(|d| view! { <div><dt>{tr(|m| m.statutory)}</dt><dd>{move || days(lang(), d)}</dd></div> })}
                <div><dt>{tr(|m| m.fees)}</dt><dd>{tx(&guide.fees)}</dd></div>
            </dl>
            {section(|m| m.summary, "s-summary", view! { <p>{tx(&guide.summary)}</p> })}
            {section(|m| m.materials, "s-materials", view! {
                <p class="hint">{tr(|m| m.materials_hint)}</p>
                <ul class="materials">{guide.materials.into_iter().enumerate().map(|(i, m)| material_row(i, m)).collect_view()}</ul>
            })}
            {section(|m| m.conditions, "s-conditions", text_list(guide.conditions, false))}
            {(!guide.process.is_empty()).then(|| section(|m| m.process, "s-process", text_list(guide.process, true)))}
            {section(|m| m.where_to_go, "s-where", view! {
                {(!guide.where_note.is_empty()).then(|| view! { <p>{tx(&guide.where_note)}</p> })}
                <ul class="plain links">
                    {centers.into_iter().map(|c| {
                        let href = format!("/centers/{}", c.id);
                        view! { <li><A href=href>{tx(&c.name)}</A></li> }
                    }).collect_view()}
                </ul>
            })}
            {section(|m| m.legal_basis, "s-legal", text_list(guide.legal_basis, false))}
            {(!guide.faq.is_empty()).then(|| section(|m| m.faq, "s-faq", view! {
                <div class="faq">
                    {guide.faq.into_iter().map(|f| view! {
                        <details><summary>{tx(&f.q)}</summary><p>{tx(&f.a)}</p></details>
                    }).collect_view()}
                </div>
            }))}
            {(!bundles.is_empty()).then(|| section(|m| m.part_of_bundles, "s-bundles", view! {
                <ul class="plain links">
                    {bundles.into_iter().map(|b| {
                        let href = format!("/bundles/{}", b.id);
                        view! { <li><A href=href>{tx(&b.name)}</A></li> }
                    }).collect_view()}
                </ul>
            }))}
            {section(|m| m.versions, "s-versions", view! {
                <ol class="versions">
                    {versions.into_iter().rev().map(|v| {
                        let href = if v.version == current { format!("/items/{}", item.id) } else { format!("/items/{}?v={}", item.id, v.version) };
                        let n = v.version;
                        let is_shown = n == shown;
                        view! {
                            <li>
                                <A href=href attr:aria-current=is_shown.then_some("page")>
                                    {move || format!("{} {n}", msgs(lang()).version)}
                                    {(n == current).then(|| view! { <span class="badge">{tr(|m| m.current)}</span> })}
                                </A>
                                " "<span class="meta">{v.published_at.clone()}</span>
                                {(!v.change_note.is_empty()).then(|| view! { <p class="meta">{tx(&v.change_note)}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            })}
        </article>
    }
}
