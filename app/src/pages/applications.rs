//! `/applications`, `/applications/:id`, `/licences`: my applications with one case per item, each with its
//! department's status and the whole timeline; withdraw before acceptance; answer a correction request
//! by editing only the fields asked; my e-licence library, where the results of decided cases appear.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::pages::apply::t;
use crate::pages::review::when;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tongban_shared::application::{AppState, Correction};
use tongban_shared::form::Values;
use tongban_shared::{Lang, Text};

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    use_title(|l| if l == Lang::Zh { "我的办件".into() } else { "My applications".into() });
    let p = prefs();
    view! {
        <h1>{t("我的办件", "My applications")}</h1>
        <p><A href="/licences">{t("我的电子证照", "My e-licences")}</A></p>
        {guarded(None, move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::my_applications(l).await }
            });
            view! {
                {async_view(list, move |apps| if apps.is_empty() {
                    view! { <p>{t("还没有办件。可从“一件事”页面开始一表申请。", "No applications yet. Start one from a bundle's page.")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="cards" id="applications">
                            {apps.into_iter().map(|a| view! {
                                <li class="card">
                                    <A href=format!("/applications/{}", a.id) attr:class="card-link"><span class="card-title">{tx(&a.bundle)}" · "{a.number.clone()}</span></A>
                                    <p class="meta">{tx(&a.state.label())}" · "{move || match lang() { Lang::Zh => format!("{}/{} 个事项已办结", a.decided, a.cases), Lang::En => format!("{} of {} decided", a.decided, a.cases) }}</p>
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
    use_title(|l| if l == Lang::Zh { "办件详情".into() } else { "Application".into() });
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    view! {
        <p><A href="/applications">{t("我的办件", "My applications")}</A></p>
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
                            <div><dt>{t("办件编号", "Application number")}</dt><dd id="app-number">{a.number.clone()}</dd></div>
                            <div><dt>{t("状态", "State")}</dt><dd id="app-state">{tx(&state.label())}</dd></div>
                        </dl>
                        {(state == AppState::Ready).then(|| view! { <p class="notice" role="status" id="ready-note">{t("全部事项已办结：电子证照已放入您的证照库，纸质结果请到窗口领取。", "Every part is decided: the e-licences are in your library; collect paper results at the window.")}" "<A href="/licences">{t("查看电子证照", "See my e-licences")}</A></p> })}
                        {a.note.clone().map(|n| view! { <p class="notice" role="status">{t("不予受理的理由：", "Reason: ")}{n}</p> })}
                        <h2>{t("各部门办理情况", "Each department's part")}</h2>
                        <ul class="cards" id="app-cases">
                            {a.cases.iter().map(|c| view! {
                                <li class="card">
                                    <p class="card-title">{tx(&c.item)}</p>
                                    <p class="meta">{tx(&c.department)}" · "{c.number.clone()}</p>
                                    {c.state.decided().then(|| view! { <p><A href=format!("/review?case={}", c.id) attr:class="button">{t("评价办理服务（一事一评）", "Review this service")}</A></p> })}
                                    <p><strong class="case-state">{tx(&c.state.label())}</strong>{c.step.map(|s| view! { " · "{tx(&s.label())} })}{c.due.clone().map(|d| view! { " · "{t("办理期限", "Due")}" "{d}{c.overdue.then(|| view! { " · "<strong class="badge overdue">{t("已超期", "Overdue")}</strong> })} })}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                        {(!asked.is_empty()).then(|| view! {
                            <section class="card" aria-labelledby="h-correction">
                                <h2 id="h-correction">{t("请补正以下内容", "Please correct")}</h2>
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
                                    <button type="submit" class="button primary" id="send-correction">{t("提交补正", "Send the corrections")}</button>
                                </form>
                            </section>
                        })}
                        {state.withdrawable().then(|| view! { <button type="button" class="button danger" id="withdraw" on:click=withdraw>{t("撤回申请", "Withdraw")}</button> })}
                        <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
                        <h2>{t("办理进程", "Timeline")}</h2>
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
    use_title(|l| if l == Lang::Zh { "电子证照".into() } else { "E-licences".into() });
    let p = prefs();
    view! {
        <h1>{t("我的电子证照", "My e-licences")}</h1>
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
                                <p class="meta">{l.number.clone()}" · "{tx(&l.issuer)}" · "{l.issued_on.clone()}{l.from_case.is_some().then(|| view! { " · "{t("本次办件签发", "Issued by an application")} })}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            }
        })}
    }
}
