//! `/staff/work-orders` and `/staff/work-orders/:id`: the rectification work orders (差评工单) of my
//! department (approvers), my center (center admins: approvals of invalidations and extensions) or the
//! district (appeals, and everything overdue first). The buttons are the actions the edge says I may
//! take now (`OrderDetail::actions`, from the shared state machine); the edge enforces them again.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::pages::review::when;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::account::Role;
use tongban_shared::review::{level_label, ActionKind, Indicator, OrderAction, OrderState};
use tongban_shared::Text;

const HANDLERS: &[Role] = &[Role::Approver, Role::CenterAdmin, Role::DistrictAdmin];

#[component]
pub fn WorkOrdersPage() -> impl IntoView {
    use_title(|l| msgs(l).work_orders.to_string());
    let p = prefs();
    let state = RwSignal::new(String::new());
    view! {
        <h1>{tr(|m| m.work_orders)}</h1>
        <p class="lead">{tr(|m| m.work_orders_hint)}</p>
        {guarded(Some(HANDLERS), move |_| {
            let list = LocalResource::new(move || {
                let (s, l) = (state.get(), p.lang.get());
                async move { api::work_orders((!s.is_empty()).then_some(s.as_str()), l).await }
            });
            view! {
                <div class="field">
                    <label for="order-state">{tr(|m| m.state_label)}</label>
                    <select id="order-state" on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="">{tr(|m| m.all_states)}</option>
                        {OrderState::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{tx(&s.label())}</option> }).collect_view()}
                    </select>
                </div>
                {async_view(list, move |l| view! {
                    <p class="meta" id="order-counts">{tr(|m| m.overdue)}" "{l.overdue}" · "{tr(|m| m.awaiting_me)}" "{l.awaiting_me}</p>
                    {if l.orders.is_empty() {
                        view! { <p>{tr(|m| m.no_orders)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="cards" id="work-orders">
                                {l.orders.into_iter().map(|o| {
                                    let href = format!("/staff/work-orders/{}", o.id);
                                    view! {
                                        <li class=if o.overdue { "card order overdue" } else { "card order" }>
                                            <A href=href attr:class="card-link"><span class="card-title">{tx(&level_label(o.level))}" · "{tx(&o.center)}{o.window_no.map(|w| view! { " · "{move || crate::i18n::window_label(lang(), w)} })}</span></A>
                                            <p class="meta">{o.department.clone().map(|d| view! { {tx(&d)}" · " })}{tx(&o.state.label())}{o.outcome.map(|x| view! { " · "{tx(&x.label())} })}</p>
                                            {(!o.excerpt.is_empty()).then(|| view! { <p class="excerpt">{o.excerpt.clone()}</p> })}
                                            <p class="meta">{tr(|m| m.deadline)}" "{o.deadline.clone()}{o.overdue.then(|| view! { " · "<strong class="badge overdue">{tr(|m| m.overdue)}</strong> })}" · "{if o.real_name { tr(|m| m.real_name) } else { tr(|m| m.anonymous) }}</p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                })}
            }
        })}
    }
}

#[component]
pub fn WorkOrderPage() -> impl IntoView {
    use_title(|l| msgs(l).work_orders.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    view! {
        <p><A href="/staff/work-orders">{tr(|m| m.work_orders)}</A></p>
        {guarded(None, move |_| {
            let order = LocalResource::new(move || {
                let (id, l) = (id.get(), p.lang.get());
                tick.track();
                async move { api::work_order(&id, l).await }
            });
            let note = RwSignal::new(String::new());
            let days = RwSignal::new(String::from("5"));
            let error = RwSignal::new(None::<Text>);
            let busy = RwSignal::new(false);
            let act = move |k: ActionKind| {
                if busy.get_untracked() {
                    return;
                }
                let n = note.get_untracked();
                let a = match k {
                    ActionKind::Validate => OrderAction::Validate { note: n },
                    ActionKind::RequestInvalid => OrderAction::RequestInvalid { note: n },
                    ActionKind::ApproveInvalid => OrderAction::ApproveInvalid { note: n },
                    ActionKind::RejectInvalid => OrderAction::RejectInvalid { note: n },
                    ActionKind::Appeal => OrderAction::Appeal { note: n },
                    ActionKind::UpholdAppeal => OrderAction::UpholdAppeal { note: n },
                    ActionKind::DismissAppeal => OrderAction::DismissAppeal { note: n },
                    ActionKind::RequestExtension => OrderAction::RequestExtension { days: days.get_untracked().trim().parse().unwrap_or(0), note: n },
                    ActionKind::ApproveExtension => OrderAction::ApproveExtension { note: n },
                    ActionKind::RejectExtension => OrderAction::RejectExtension { note: n },
                    ActionKind::Rectify => OrderAction::Rectify { note: n },
                    ActionKind::Callback => OrderAction::Callback { satisfied: true, note: n },
                    ActionKind::CloseUnfixed => OrderAction::CloseUnfixed { note: n },
                };
                busy.set(true);
                let (id, l) = (id.get_untracked(), lang());
                leptos::task::spawn_local(async move {
                    match api::work_order_action(&id, &a, l).await {
                        Ok(_) => {
                            error.set(None);
                            note.set(String::new());
                            tick.update(|t| *t += 1);
                        }
                        Err(e) => error.set(Some(e.text())),
                    }
                    busy.set(false);
                });
            };
            view! {
                {async_view(order, move |o| {
                    let s = o.summary.clone();
                    let r = o.review.clone();
                    let actions = o.actions.clone();
                    let needs_days = actions.contains(&ActionKind::RequestExtension);
                    view! {
                        <h1>{tr(|m| m.work_orders)}" · "{tx(&s.state.label())}</h1>
                        <dl class="facts" id="order-facts">
                            <div><dt>{tr(|m| m.level_legend)}</dt><dd>{tx(&level_label(r.level))}</dd></div>
                            {r.reason.map(|x| view! { <div><dt>{tr(|m| m.reason_label)}</dt><dd>{tx(&x.label())}</dd></div> })}
                            <div><dt>{tr(|m| m.deadline)}</dt><dd>{s.deadline.clone()}{s.overdue.then(|| view! { " · "<strong class="badge overdue">{tr(|m| m.overdue)}</strong> })}</dd></div>
                            <div><dt>{tr(|m| m.reviewer_label)}</dt><dd>{o.reviewer.clone().unwrap_or_else(|| if s.real_name { String::new() } else { msgs(lang()).anonymous.to_string() })}</dd></div>
                            <div><dt>{tr(|m| m.finished_label)}</dt><dd>{o.service.number.clone()}" · "{tx(&o.service.center)}{o.service.finished_at.map(|f| format!(" · {}", when(f)))}</dd></div>
                        </dl>
                        {o.service.item.clone().map(|i| view! { <p class="meta">{tx(&i)}</p> })}
                        // The reviewer's words, as text: markup in them is shown, never rendered.
                        <blockquote class="review-text" id="order-review-text">{r.text.clone()}</blockquote>
                        <ul class="badges">
                            {Indicator::asked(false).iter().filter_map(|i| r.scores.get(*i).map(|v| view! { <li class="badge">{tx(&i.label())}" "{v}"/5"</li> })).collect_view()}
                        </ul>
                        {o.rectification.clone().map(|x| view! { <p><span class="meta">{tr(|m| m.rectification_label)}": "</span>{x}</p> })}
                        {(!actions.is_empty()).then(|| view! {
                            <section class="stack" aria-labelledby="order-act">
                                <h2 id="order-act">{tr(|m| m.awaiting_me)}</h2>
                                <div class="field">
                                    <label for="order-note">{tr(|m| m.note_label)}</label>
                                    <textarea id="order-note" rows="3" maxlength="500" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                </div>
                                {needs_days.then(|| view! {
                                    <div class="field">
                                        <label for="order-days">{tr(|m| m.extension_days_label)}</label>
                                        <input id="order-days" type="number" min="1" max="15" inputmode="numeric" prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                                    </div>
                                })}
                                <div class="actions">
                                    {actions.iter().map(|k| {
                                        let k = *k;
                                        let danger = matches!(k, ActionKind::RequestInvalid | ActionKind::ApproveInvalid | ActionKind::DismissAppeal | ActionKind::CloseUnfixed);
                                        view! {
                                            <button type="button" class=if danger { "button" } else { "button primary" } id=format!("act-{}", k.as_str()) disabled=move || busy.get() on:click=move |_| act(k)>{tx(&k.label())}</button>
                                        }
                                    }).collect_view()}
                                </div>
                                <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
                            </section>
                        })}
                        <h2>{tr(|m| m.history)}</h2>
                        <ol class="history" id="order-history">
                            {o.history.iter().map(|e| {
                                let label = ActionKind::parse(&e.action).map(|k| k.label()).unwrap_or_else(|| Text::new("生成工单", "Opened"));
                                view! { <li><span class="meta">{when(e.at)}</span>" "{tx(&label)}" → "{tx(&e.to.label())}{(!e.note.is_empty()).then(|| format!("：{}", e.note))}</li> }
                            }).collect_view()}
                        </ol>
                    }
                })}
            }
        })}
    }
}
