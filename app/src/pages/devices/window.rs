//! `/staff/window`: a window's console — call next (叫号), then recall, skip (过号), start, finish
//! (当场办结 or to the back office) or transfer to another line; the window's day so far; and check-in
//! of a booking code shown at the counter. The current ticket and figures refresh every 10 s.

use super::CheckInForm;
use crate::api;
use crate::components::{guarded, tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use tongban_shared::authz::FRONT_DESK;
use tongban_shared::queue::{Call, Outcome, QueueClass, TicketState, WindowAction, WindowState};
use tongban_shared::Text;

#[component]
pub fn WindowPage() -> impl IntoView {
    use_title(|l| msgs(l).window_console.to_string());
    let number = RwSignal::new(String::from("1"));
    let number_e = RwSignal::new(None::<Text>);
    let last = RwSignal::new(None::<Option<Call>>);
    let state = RwSignal::new(None::<WindowState>);
    let classes = RwSignal::new(Vec::<QueueClass>::new());
    let checked = RwSignal::new(None::<String>);
    let items = RwSignal::new(Vec::<(String, Text)>::new());
    let item = RwSignal::new(String::new());
    view! {
        <h1>{tr(|m| m.window_console)}</h1>
        {guarded(Some(FRONT_DESK), move |me| {
            let center = me.center_id.clone().unwrap_or_default();
            // The interval and async blocks run without a reactive owner: read the language through
            // the signal itself, never through the context.
            let lang_sig = prefs().lang;
            let window = move || number.get_untracked().trim().parse::<u32>().ok();
            let c0 = center.clone();
            // `background`: the 10-second refresh, which must not keep the clerk's session alive by itself.
            let refresh = move |background: bool| {
                let (Some(w), c, l) = (window(), c0.clone(), lang_sig.get_untracked()) else { return };
                leptos::task::spawn_local(async move {
                    match api::window_state(&c, w, l, background).await {
                        Ok(s) => {
                            number_e.set(None);
                            state.set(Some(s));
                        }
                        Err(e) => number_e.set(Some(e.text())),
                    }
                });
            };
            let (c1, l1) = (center.clone(), lang());
            leptos::task::spawn_local(async move {
                if let Ok(v) = api::classes(&c1, l1).await {
                    classes.set(v);
                }
                // The center's items, for recording what a walk-in came for.
                let q = tongban_shared::query::ItemQuery { center: Some(c1.clone()), per_page: 50, ..Default::default() };
                if let Ok(p) = api::items(&q, l1).await {
                    items.set(p.items.into_iter().map(|i| (i.id, i.name)).collect());
                }
            });
            let r0 = refresh.clone();
            // Re-read whenever the window number changes.
            Effect::new(move |_| {
                number.track();
                r0(false);
            });
            let r1 = refresh.clone();
            if let Ok(h) = set_interval_with_handle(move || r1(true), std::time::Duration::from_secs(10)) {
                on_cleanup(move || h.clear());
            }
            let c2 = center.clone();
            let r2 = refresh.clone();
            let call = move |_| {
                let Some(w) = window() else {
                    return number_e.set(Some(tongban_shared::ErrorCode::BadId.text()));
                };
                let (c, l, r) = (c2.clone(), lang(), r2.clone());
                leptos::task::spawn_local(async move {
                    match api::call_next(&c, w, l).await {
                        Ok(called) => {
                            last.set(Some(called.ticket));
                            r(false);
                        }
                        Err(e) => number_e.set(Some(e.text())),
                    }
                });
            };
            let c3 = center.clone();
            let act = move |a: WindowAction| {
                let Some(w) = window() else { return };
                let a = match a {
                    WindowAction::Finish { outcome, .. } => {
                        let i = item.get_untracked();
                        item.set(String::new());
                        WindowAction::Finish { outcome, item: (!i.is_empty()).then_some(i) }
                    }
                    a => a,
                };
                let (c, l) = (c3.clone(), lang());
                leptos::task::spawn_local(async move {
                    match api::window_action(&c, w, &a, l).await {
                        Ok(s) => {
                            number_e.set(None);
                            state.set(Some(s));
                        }
                        Err(e) => number_e.set(Some(e.text())),
                    }
                });
            };
            view! {
                <Field id="window-number" label=|m| m.f_window value=number error=number_e inputmode="numeric"/>
                {move || state.get().map(|s| view! {
                    <p class="meta" id="window-class">{tx(&s.class_name)}" · "{tr(|m| m.waiting_in_line)}" "<strong id="line-waiting">{s.waiting}</strong></p>
                })}
                <button type="button" class="button primary kiosk-button" on:click=call>{tr(|m| m.call_next)}</button>
                <p role="status" id="called">{move || last.get().map(|c| match c {
                    Some(c) => view! { <span class="code">{c.number.clone()}</span>" "{tx(&c.announcement)} }.into_any(),
                    None => view! { <span>{tr(|m| m.queue_empty)}</span> }.into_any(),
                })}</p>
                {move || state.get().and_then(|s| s.current).map(|t| {
                    let (a1, a2, a3, a4, a5, a6) = (act.clone(), act.clone(), act.clone(), act.clone(), act.clone(), act.clone());
                    let called = t.state == TicketState::Called;
                    let others: Vec<QueueClass> = classes.get().into_iter().filter(|k| Some(&k.id) != state.get_untracked().map(|s| s.class_id).as_ref()).collect();
                    view! {
                        <section class="card" aria-labelledby="h-current">
                            <h2 id="h-current">{tr(|m| m.current_ticket)}" "<span class="code-inline" id="current-number">{t.number.clone()}</span></h2>
                            <div class="actions">
                                {called.then(|| view! {
                                    <button type="button" class="button" on:click=move |_| a1(WindowAction::Recall)>{tr(|m| m.recall)}</button>
                                    <button type="button" class="button" on:click=move |_| a2(WindowAction::Skip)>{tr(|m| m.skip_ticket)}</button>
                                    <button type="button" class="button primary" on:click=move |_| a3(WindowAction::Start)>{tr(|m| m.start_service)}</button>
                                })}
                                {(!called).then(|| view! {
                                    <div class="field">
                                        <label for="finish-item">{tr(|m| m.f_item_handled)}</label>
                                        <select id="finish-item" on:change=move |ev| item.set(event_target_value(&ev))>
                                            <option value="">"—"</option>
                                            {move || items.get().into_iter().map(|(id, name)| view! { <option value=id>{tx(&name)}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <button type="button" class="button primary" on:click=move |_| a4(WindowAction::Finish { outcome: Outcome::OnTheSpot, item: None })>{tr(|m| m.finish_spot)}</button>
                                    <button type="button" class="button" on:click=move |_| a5(WindowAction::Finish { outcome: Outcome::BackOffice, item: None })>{tr(|m| m.finish_back)}</button>
                                })}
                            </div>
                            {called.then(|| view! {
                                <div class="actions">
                                    {others.into_iter().map(|k| {
                                        let a = a6.clone();
                                        let id = k.id.clone();
                                        view! { <button type="button" class="button" on:click=move |_| a(WindowAction::Transfer { class_id: id.clone() })>{tr(|m| m.transfer_to)}" "{tx(&k.name)}</button> }
                                    }).collect_view()}
                                </div>
                            })}
                        </section>
                    }
                })}
                {move || state.get().map(|s| {
                    let f = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
                    view! {
                        <dl class="facts" id="window-stats">
                            <div><dt>{tr(|m| m.served_today)}</dt><dd id="served-today">{s.stats.served}</dd></div>
                            <div><dt>{tr(|m| m.finish_spot)}</dt><dd>{s.stats.on_the_spot}</dd></div>
                            <div><dt>{tr(|m| m.avg_wait)}</dt><dd>{f(s.stats.avg_wait_minutes)}</dd></div>
                            <div><dt>{tr(|m| m.avg_handle)}</dt><dd>{f(s.stats.avg_handle_minutes)}</dd></div>
                        </dl>
                    }
                })}
                <CheckInForm id="window-code" on_done=Callback::new(move |t: tongban_shared::queue::Ticket| checked.set(Some(t.number)))/>
                <p role="status">{move || checked.get()}</p>
            }
        })}
    }
}
