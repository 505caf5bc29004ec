//! `/reviews`: my finished services still open for review, and my reviews with the progress of the
//! work order a bad one opened — where I rate the fix (回访) or appeal an "invalid" ruling once.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::pages::review::when;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use tongban_shared::review::{level_label, ActionKind, OrderAction, OrderDetail};
use tongban_shared::Text;

#[component]
pub fn ReviewsPage() -> impl IntoView {
    use_title(|l| msgs(l).my_reviews.to_string());
    let p = prefs();
    view! {
        <h1>{tr(|m| m.my_reviews)}</h1>
        {guarded(None, move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::my_reviews(l).await }
            });
            view! {
                {async_view(list, move |mine| view! {
                    {(!mine.pending.is_empty()).then(|| view! {
                        <h2>{tr(|m| m.to_review)}</h2>
                        <ul class="cards" id="pending-reviews">
                            {mine.pending.iter().map(|t| {
                                let href = if t.kind == tongban_shared::review::EventKind::Case { format!("/review?case={}", t.id) } else { format!("/review?ticket={}", t.id) };
                                view! {
                                    <li class="card">
                                        <p class="card-title">{t.number.clone()}" · "{tx(&t.center)}</p>
                                        {t.item.clone().map(|i| view! { <p class="meta">{tx(&i)}</p> })}
                                        {t.finished_at.map(|f| view! { <p class="meta">{tr(|m| m.finished_label)}" "{when(f)}</p> })}
                                        <A href=href attr:class="button primary">{tr(|m| m.go_review)}</A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    <h2>{tr(|m| m.my_reviews)}</h2>
                    {if mine.reviews.is_empty() {
                        view! { <p>{tr(|m| m.no_reviews)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="cards" id="my-reviews">
                                {mine.reviews.into_iter().map(|r| view! {
                                    <li class="card review">
                                        <p class="card-title">{tx(&level_label(r.review.level))}" · "{r.service.number.clone()}" · "{tx(&r.service.center)}</p>
                                        <p class="meta">{when(r.review.created_at)}{r.review.anonymous.then(|| view! { " · "{tr(|m| m.anonymous)} })}</p>
                                        {(!r.review.text.is_empty()).then(|| view! { <p class="review-text">{r.review.text.clone()}</p> })}
                                        {r.order.map(|o| view! { <OrderProgress order=o on_change=Callback::new(move |_| list.refetch())/> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                })}
            }
        })}
    }
}

/// A work order as its reviewer follows it: state, deadline, what was done, and my two possible steps.
#[component]
fn OrderProgress(order: OrderDetail, on_change: Callback<()>) -> impl IntoView {
    let id = order.summary.id.clone();
    let state = order.summary.state;
    let outcome = order.summary.outcome;
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let act = move |a: OrderAction| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (id, l) = (id.clone(), lang());
        leptos::task::spawn_local(async move {
            match api::work_order_action(&id, &a, l).await {
                Ok(_) => {
                    error.set(None);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };
    let can = |k: ActionKind| order.actions.contains(&k);
    let (a1, a2, a3) = (act.clone(), act.clone(), act);
    view! {
        <div class="order-progress" data-state=state.as_str()>
            <p><strong>{tx(&state.label())}</strong>{outcome.map(|o| view! { " · "{tx(&o.label())} })}</p>
            <p class="meta">{tr(|m| m.deadline)}" "{order.summary.deadline.clone()}</p>
            {order.rectification.clone().map(|r| view! { <p><span class="meta">{tr(|m| m.rectification_label)}": "</span>{r}</p> })}
            {can(ActionKind::Callback).then(|| view! {
                <p>{tr(|m| m.callback_q)}</p>
                <div class="actions">
                    <button type="button" class="button primary" id="callback-yes" disabled=move || busy.get() on:click=move |_| a1(OrderAction::Callback { satisfied: true, note: String::new() })>{tr(|m| m.satisfied)}</button>
                    <button type="button" class="button" id="callback-no" disabled=move || busy.get() on:click=move |_| a2(OrderAction::Callback { satisfied: false, note: String::new() })>{tr(|m| m.not_satisfied)}</button>
                </div>
            })}
            {can(ActionKind::Appeal).then(|| view! {
                <div class="field">
                    <label for="appeal-note">{tr(|m| m.note_label)}</label>
                    <textarea id="appeal-note" rows="2" maxlength="500" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <button type="button" class="button" id="appeal" disabled=move || busy.get() on:click=move |_| a3(OrderAction::Appeal { note: note.get_untracked() })>{move || tx(&ActionKind::Appeal.label())}</button>
            })}
            <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
        </div>
    }
}
