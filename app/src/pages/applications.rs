//! `/applications`, `/applications/:id`, `/licences`: my applications with one case per item, each with its
//! department's status and the whole timeline; withdraw before acceptance; answer a correction request
//! by editing only the fields asked; my e-licence library, where the results of decided cases appear.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::pages::review::when;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::application::{AppState, Correction};
use tongban_shared::form::Values;
use tongban_shared::Text;

crate::i18n::page_msgs! {
    application: "办件详情" / "Application",
    e_licences: "电子证照" / "E-licences",
    decided_of: "{decided}/{cases} 个事项已办结" / "{decided} of {cases} decided",
    my_applications: "我的办件" / "My applications",
    my_e_licences: "我的电子证照" / "My e-licences",
    no_applications_yet_start_one: "还没有办件。可从“一件事”页面开始一表申请。" / "No applications yet. Start one from a bundle's page.",
    application_number: "办件编号" / "Application number",
    state: "状态" / "State",
    every_part_is_decided_the: "全部事项已办结：电子证照已放入您的证照库，纸质结果请到窗口领取。" / "Every part is decided: the e-licences are in your library; collect paper results at the window.",
    see_my_e_licences: "查看电子证照" / "See my e-licences",
    reason: "不予受理的理由：" / "Reason: ",
    each_department_s_part: "各部门办理情况" / "Each department's part",
    review_this_service: "评价办理服务（一事一评）" / "Review this service",
    due: "办理期限" / "Due",
    overdue: "已超期" / "Overdue",
    please_correct: "请补正以下内容" / "Please correct",
    send_the_corrections: "提交补正" / "Send the corrections",
    withdraw: "撤回申请" / "Withdraw",
    timeline: "办理进程" / "Timeline",
    issued_by_an_application: "本次办件签发" / "Issued by an application",
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    use_title(|l| page(l).my_applications.to_string());
    let p = prefs();
    view! {
        <h1>{pt(|m| m.my_applications)}</h1>
        <p><A href="/licences">{pt(|m| m.my_e_licences)}</A></p>
        {guarded(None, move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::my_applications(l).await }
            });
            view! {
                {async_view(list, move |apps| if apps.is_empty() {
                    view! { <p>{pt(|m| m.no_applications_yet_start_one)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="cards" id="applications">
                            {apps.into_iter().map(|a| view! {
                                <li class="card">
                                    <A href=format!("/applications/{}", a.id) attr:class="card-link"><span class="card-title">{tx(&a.bundle)}" · "{a.number.clone()}</span></A>
                                    <p class="meta">{tx(&a.state.label())}" · "{move || crate::i18n::fill(page(lang()).decided_of, &[("decided", &a.decided), ("cases", &a.cases)])}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            }
        })}
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    use_title(|l| page(l).application.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    view! {
        <p><A href="/applications">{pt(|m| m.my_applications)}</A></p>
        {guarded(None, move |_| {
            let app = LocalResource::new(move || {
                let (id, l) = (id.get(), p.lang.get());
                tick.track();
                async move { api::application(&id, l).await }
            });
            let error = RwSignal::new(None::<Text>);
            let answers = RwSignal::new(Values::new());
            let withdraw = move |_| {
                let (id, l) = (id.get_untracked(), lang());
                leptos::task::spawn_local(async move {
                    match api::withdraw_application(&id, l).await {
                        Ok(_) => tick.update(|t| *t += 1),
                        Err(e) => error.set(Some(e.text())),
                    }
                });
            };
            let send_correction = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let (id, l, v) = (id.get_untracked(), lang(), answers.get_untracked());
                leptos::task::spawn_local(async move {
                    match api::correct_application(&id, &Correction { values: v }, l).await {
                        Ok(_) => tick.update(|t| *t += 1),
                        Err(e) => error.set(Some(e.text())),
                    }
                });
            };
            view! {
                {async_view(app, move |a| {
                    let state = a.state;
                    let asked = a.correction.clone();
                    let current = a.values.clone();
                    view! {
                        <h1>{tx(&a.bundle)}</h1>
                        <dl class="facts">
                            <div><dt>{pt(|m| m.application_number)}</dt><dd id="app-number">{a.number.clone()}</dd></div>
                            <div><dt>{pt(|m| m.state)}</dt><dd id="app-state">{tx(&state.label())}</dd></div>
                        </dl>
                        {(state == AppState::Ready).then(|| view! { <p class="notice" role="status" id="ready-note">{pt(|m| m.every_part_is_decided_the)}" "<A href="/licences">{pt(|m| m.see_my_e_licences)}</A></p> })}
                        {a.note.clone().map(|n| view! { <p class="notice" role="status">{pt(|m| m.reason)}{n}</p> })}
                        <h2>{pt(|m| m.each_department_s_part)}</h2>
                        <ul class="cards" id="app-cases">
                            {a.cases.iter().map(|c| view! {
                                <li class="card">
                                    <p class="card-title">{tx(&c.item)}</p>
                                    <p class="meta">{tx(&c.department)}" · "{c.number.clone()}</p>
                                    {c.state.decided().then(|| view! { <p><A href=format!("/review?case={}", c.id) attr:class="button">{pt(|m| m.review_this_service)}</A></p> })}
                                    <p><strong class="case-state">{tx(&c.state.label())}</strong>{c.step.map(|s| view! { " · "{tx(&s.label())} })}{c.due.clone().map(|d| view! { " · "{pt(|m| m.due)}" "{d}{c.overdue.then(|| view! { " · "<strong class="badge overdue">{pt(|m| m.overdue)}</strong> })} })}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                        {(!asked.is_empty()).then(|| view! {
                            <section class="card" aria-labelledby="h-correction">
                                <h2 id="h-correction">{pt(|m| m.please_correct)}</h2>
                                <form class="stack" on:submit=send_correction>
                                    {asked.iter().map(|(k, note)| {
                                        let (k1, k2) = (k.clone(), k.clone());
                                        let start = current.get(k).cloned().unwrap_or_default();
                                        answers.update(|v| { v.insert(k.clone(), start.clone()); });
                                        view! {
                                            <div class="field">
                                                <label for=format!("c-{k}")>{k.clone()}</label>
                                                <p class="hint">{note.clone()}</p>
                                                <input id=format!("c-{k}") prop:value=move || answers.get().get(&k1).cloned().unwrap_or_default() on:input=move |ev| answers.update(|v| { v.insert(k2.clone(), event_target_value(&ev)); })/>
                                            </div>
                                        }
                                    }).collect_view()}
                                    <button type="submit" class="button primary" id="send-correction">{pt(|m| m.send_the_corrections)}</button>
                                </form>
                            </section>
                        })}
                        {state.withdrawable().then(|| view! { <button type="button" class="button danger" id="withdraw" on:click=withdraw>{pt(|m| m.withdraw)}</button> })}
                        <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
                        <h2>{pt(|m| m.timeline)}</h2>
                        <ol class="history" id="app-timeline">
                            {a.timeline.iter().map(|e| view! { <li><span class="meta">{when(e.at)}</span>" "{e.action.clone()}{(!e.note.is_empty()).then(|| format!("：{}", e.note))}</li> }).collect_view()}
                        </ol>
                    }
                })}
            }
        })}
    }
}

#[component]
pub fn LicencesPage() -> impl IntoView {
    use_title(|l| page(l).e_licences.to_string());
    let p = prefs();
    view! {
        <h1>{pt(|m| m.my_e_licences)}</h1>
        {guarded(None, move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::licences(l).await }
            });
            view! {
                {async_view(list, move |ls| view! {
                    <ul class="cards" id="licences">
                        {ls.into_iter().map(|l| view! {
                            <li class="card licence">
                                <p class="card-title">{tx(&l.name)}</p>
                                <p class="meta">{l.number.clone()}" · "{tx(&l.issuer)}" · "{l.issued_on.clone()}{l.from_case.is_some().then(|| view! { " · "{pt(|m| m.issued_by_an_application)} })}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            }
        })}
    }
}
