//! `/staff/desk…` and `/staff/cases…`: 前台综合受理 and 后台分类办理. The front desk checks a submitted
//! application's answers and accepts it (the cases go to their departments), asks for corrections per
//! field, rejects it with the legal reason, or hands out the results; a department works its own cases
//! through the item's chain, seeing only its part of the answers. Every look at the answers is audited.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::pages::review::when;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;
use tongban_shared::account::Role;
use tongban_shared::api::ep;
use tongban_shared::application::{AppState, CaseAction, CaseState, CaseStep, DeskAction};
use tongban_shared::authz::FRONT_DESK;
use tongban_shared::Text;

crate::i18n::page_msgs! {
    acting_for: "（代 {post}，岗位AB角）" / " (for {post}, as backup)",
    application: "受理办件" / "Application",
    case: "办件" / "Case",
    download: "下载材料" / "Download",
    front_desk_applications: "综合受理" / "Front desk: applications",
    enter_an_application_for_someone: "代办录入（申请人在窗口）" / "Enter an application for someone at the window",
    applicant_s_id_number: "申请人身份证号" / "Applicant's ID number",
    bundle: "一件事" / "Bundle",
    start: "开始录入" / "Start",
    front_desk: "综合受理" / "Front desk",
    answers_this_view_is_recorded: "申请内容（查看已记录审计日志）" / "Answers (this view is recorded in the audit log)",
    decide: "受理" / "Decide",
    accept_and_send_to_the: "受理，分送各部门" / "Accept and send to the departments",
    field_to_correct: "需补正的项目" / "Field to correct",
    note_what_to_correct_or: "说明（补正要求或不予受理的法定理由）" / "Note (what to correct, or the legal reason for rejecting)",
    ask_for_a_correction: "要求补正" / "Ask for a correction",
    reject: "不予受理" / "Reject",
    hand_out_the_results: "出件（已领取）" / "Hand out the results",
    my_department_s_cases: "部门办件" / "My department's cases",
    due: "期限" / "Due",
    cases: "部门办件" / "Cases",
    the_answers_this_department_needs: "本部门所需的申请内容" / "The answers this department needs",
    e_licences_the_applicant_shared: "申请人授权共享的电子证照" / "E-licences the applicant shared",
    steps_done: "办理环节" / "Steps done",
    you: "（本人）" / " (you)",
    another_colleague_of_the_department: "：下一环节须由本部门其他人员办理。" / ": another colleague of the department takes the next step.",
    act: "办理" / "Act",
    note: "意见" / "Note",
    done_pass_on: "办理完毕，转下一环节" / "Done: pass on",
    approve: "准予许可" / "Approve",
    refuse: "不予许可" / "Refuse",
    send_back: "退回上一环节" / "Send back",
}

const APPROVERS: &[Role] = &[Role::Approver];

/// An answer as staff see it: an uploaded material is a download link (opening it is audited).
fn value(key: &str, v: &str) -> AnyView {
    if key.starts_with("f_") {
        view! { <a href={crate::api::path::<ep::GetUpload>(&[v])} rel="external" download="">{pt(|m| m.download)}</a> }.into_any()
    } else {
        v.to_string().into_any()
    }
}

#[component]
pub fn DeskPage() -> impl IntoView {
    use_title(|l| page(l).front_desk.to_string());
    let p = prefs();
    view! {
        <h1>{pt(|m| m.front_desk_applications)}</h1>
        {guarded(Some(FRONT_DESK), move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::desk_queue(l).await }
            });
            let id_number = RwSignal::new(String::new());
            let bundle = RwSignal::new(String::from("retirement"));
            let navigate = leptos_router::hooks::use_navigate();
            let proxy = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                navigate(&format!("/apply/{}?for={}", bundle.get_untracked(), api::encode(id_number.get_untracked().trim())), Default::default());
            };
            view! {
                <form class="stack card" on:submit=proxy aria-labelledby="h-proxy">
                    <h2 id="h-proxy">{pt(|m| m.enter_an_application_for_someone)}</h2>
                    <div class="field">
                        <label for="proxy-id">{pt(|m| m.applicant_s_id_number)}</label>
                        <input id="proxy-id" autocomplete="off" prop:value=move || id_number.get() on:input=move |ev| id_number.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="proxy-bundle">{pt(|m| m.bundle)}</label>
                        <select id="proxy-bundle" on:change=move |ev| bundle.set(event_target_value(&ev))>
                            {[("retirement", "退休"), ("newborn", "新生儿出生"), ("disability", "残疾人服务"), ("open-restaurant", "开办餐饮店"), ("company-setup", "企业开办")].into_iter().map(|(v, n)| view! { <option value=v>{n}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button" id="proxy-start">{pt(|m| m.start)}</button>
                </form>
                {async_view(list, move |apps| view! {
                    <ul class="cards" id="desk-queue">
                        {apps.into_iter().map(|a| view! {
                            <li class="card">
                                <A href=format!("/staff/desk/{}", a.id) attr:class="card-link"><span class="card-title">{a.number.clone()}" · "{tx(&a.bundle)}</span></A>
                                <p class="meta">{tx(&a.state.label())}" · "{when(a.created_at)}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            }
        })}
    }
}

#[component]
pub fn DeskApplicationPage() -> impl IntoView {
    use_title(|l| page(l).application.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    view! {
        <p><A href="/staff/desk">{pt(|m| m.front_desk)}</A></p>
        {guarded(Some(FRONT_DESK), move |_| {
            let app = LocalResource::new(move || {
                let (id, l) = (id.get(), p.lang.get());
                tick.track();
                async move { api::application(&id, l).await }
            });
            let error = RwSignal::new(None::<Text>);
            let note = RwSignal::new(String::new());
            let field = RwSignal::new(String::new());
            let act = move |a: DeskAction| {
                let (id, l) = (id.get_untracked(), lang());
                leptos::task::spawn_local(async move {
                    match api::desk_act(&id, &a, l).await {
                        Ok(_) => {
                            error.set(None);
                            tick.update(|t| *t += 1);
                        }
                        Err(e) => error.set(Some(e.text())),
                    }
                });
            };
            view! {
                {async_view(app, move |a| {
                    let state = a.state;
                    let keys: Vec<String> = a.values.keys().cloned().collect();
                    view! {
                        <h1>{a.number.clone()}" · "{tx(&a.bundle)}</h1>
                        <p id="desk-state"><strong>{tx(&state.label())}</strong></p>
                        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="answers-caption">
                            <table class="data">
                                <caption id="answers-caption">{pt(|m| m.answers_this_view_is_recorded)}</caption>
                                <tbody>{a.values.iter().map(|(k, v)| view! { <tr><th scope="row">{k.clone()}</th><td>{value(k, v)}</td></tr> }).collect_view()}</tbody>
                            </table>
                        </div>
                        <ul class="cards">
                            {a.cases.iter().map(|c| view! { <li class="card"><p class="card-title">{tx(&c.item)}</p><p class="meta">{tx(&c.department)}" · "{tx(&c.state.label())}</p></li> }).collect_view()}
                        </ul>
                        {(state == AppState::Submitted).then(|| view! {
                            <section class="stack" aria-labelledby="h-desk">
                                <h2 id="h-desk">{pt(|m| m.decide)}</h2>
                                <button type="button" class="button primary" id="accept" on:click=move |_| act(DeskAction::Accept)>{pt(|m| m.accept_and_send_to_the)}</button>
                                <div class="field">
                                    <label for="correct-field">{pt(|m| m.field_to_correct)}</label>
                                    <select id="correct-field" on:change=move |ev| field.set(event_target_value(&ev))>
                                        <option value="">"—"</option>
                                        {keys.iter().map(|k| view! { <option value=k.clone()>{k.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="desk-note">{pt(|m| m.note_what_to_correct_or)}</label>
                                    <textarea id="desk-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                </div>
                                <div class="actions">
                                    <button type="button" class="button" id="ask-correction" on:click=move |_| act(DeskAction::Correct { fields: BTreeMap::from([(field.get_untracked(), note.get_untracked())]) })>{pt(|m| m.ask_for_a_correction)}</button>
                                    <button type="button" class="button danger" id="reject" on:click=move |_| act(DeskAction::Reject { reason: note.get_untracked() })>{pt(|m| m.reject)}</button>
                                </div>
                            </section>
                        })}
                        {(state == AppState::Ready).then(|| view! { <button type="button" class="button primary" id="collect" on:click=move |_| act(DeskAction::Collect)>{pt(|m| m.hand_out_the_results)}</button> })}
                        <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
                    }
                })}
            }
        })}
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    use_title(|l| page(l).cases.to_string());
    let p = prefs();
    view! {
        <h1>{pt(|m| m.my_department_s_cases)}</h1>
        {guarded(Some(APPROVERS), move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::cases(l).await }
            });
            view! {
                {async_view(list, move |cs| view! {
                    <ul class="cards" id="cases">
                        {cs.into_iter().map(|c| view! {
                            <li class=if c.overdue { "card order overdue" } else { "card" }>
                                <A href=format!("/staff/cases/{}", c.id) attr:class="card-link"><span class="card-title">{c.number.clone()}" · "{tx(&c.item)}</span></A>
                                <p class="meta">{tx(&c.state.label())}{c.step.map(|s| view! { " · "{tx(&s.label())} })}{c.due.clone().map(|d| view! { " · "{pt(|m| m.due)}" "{d} })}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            }
        })}
    }
}

#[component]
pub fn CasePage() -> impl IntoView {
    use_title(|l| page(l).case.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    let tick = RwSignal::new(0u32);
    view! {
        <p><A href="/staff/cases">{pt(|m| m.cases)}</A></p>
        {guarded(Some(APPROVERS), move |_| {
            let task = LocalResource::new(move || {
                let (id, l) = (id.get(), p.lang.get());
                tick.track();
                async move { api::case(&id, l).await }
            });
            let note = RwSignal::new(String::new());
            let error = RwSignal::new(None::<Text>);
            let act = move |a: CaseAction| {
                let (id, l) = (id.get_untracked(), lang());
                leptos::task::spawn_local(async move {
                    match api::case_act(&id, &a, l).await {
                        Ok(_) => {
                            error.set(None);
                            note.set(String::new());
                            tick.update(|t| *t += 1);
                        }
                        Err(e) => error.set(Some(e.text())),
                    }
                });
            };
            view! {
                {async_view(task, move |k| {
                    let c = k.case.clone();
                    let handling = c.state == CaseState::Handling;
                    let deciding = c.step == Some(CaseStep::Decide);
                    let can_return = handling && c.step.is_some_and(|s| s != CaseStep::Handle);
                    view! {
                        <h1>{tx(&c.item)}</h1>
                        <p class="meta">{k.application_number.clone()}" · "{tx(&k.bundle)}</p>
                        <p id="case-state"><strong>{tx(&c.state.label())}</strong>{c.step.map(|s| view! { " · "{tx(&s.label())} })}{c.due.clone().map(|d| view! { " · "{pt(|m| m.due)}" "{d} })}</p>
                        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="part-caption">
                            <table class="data">
                                <caption id="part-caption">{pt(|m| m.the_answers_this_department_needs)}</caption>
                                <tbody>{k.part.iter().map(|(key, v)| view! { <tr><th scope="row">{key.clone()}</th><td>{value(key, v)}</td></tr> }).collect_view()}</tbody>
                            </table>
                        </div>
                        {(!k.licences.is_empty()).then(|| view! {
                            <h2>{pt(|m| m.e_licences_the_applicant_shared)}</h2>
                            <ul class="cards">{k.licences.iter().map(|l| view! { <li class="card"><p class="card-title">{tx(&l.name)}" · "{l.number.clone()}</p><p class="meta">{tx(&l.issuer)}</p></li> }).collect_view()}</ul>
                        })}
                        // 一审一核 / 承办→审核→决定: who did each step, and whether this person may take the next one.
                        {(!k.steps_done.is_empty()).then(|| view! {
                            <h2>{pt(|m| m.steps_done)}</h2>
                            <ol class="steps-done" id="case-steps">{k.steps_done.iter().map(|d| view! {
                                <li>{tx(&d.step.label())}" · "{d.by.clone()}{d.me.then(|| pt(|m| m.you))}
                                    {d.for_whom.clone().map(|w| view! { <span class="meta">{move || crate::i18n::fill(page(lang()).acting_for, &[("post", &w)])}</span> })}</li>
                            }).collect_view()}</ol>
                        })}
                        {k.why_not.filter(|_| handling).map(|why| view! {
                            <p class="hint" role="status" id="case-why-not">{tx(&why.text())}{(why == tongban_shared::ErrorCode::SameOfficer).then(|| pt(|m| m.another_colleague_of_the_department))}</p>
                        })}
                        {(handling && k.may_act).then(|| view! {
                            <section class="stack" aria-labelledby="h-case-act">
                                <h2 id="h-case-act">{pt(|m| m.act)}</h2>
                                <div class="field">
                                    <label for="case-note">{pt(|m| m.note)}</label>
                                    <textarea id="case-note" rows="3" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                </div>
                                <div class="actions">
                                    {(!deciding).then(|| view! { <button type="button" class="button primary" id="case-pass" on:click=move |_| act(CaseAction::Pass { note: note.get_untracked() })>{pt(|m| m.done_pass_on)}</button> })}
                                    {deciding.then(|| view! {
                                        <button type="button" class="button primary" id="case-approve" on:click=move |_| act(CaseAction::Decide { approve: true, note: note.get_untracked() })>{pt(|m| m.approve)}</button>
                                        <button type="button" class="button danger" id="case-refuse" on:click=move |_| act(CaseAction::Decide { approve: false, note: note.get_untracked() })>{pt(|m| m.refuse)}</button>
                                    })}
                                    {can_return.then(|| view! { <button type="button" class="button" id="case-return" on:click=move |_| act(CaseAction::Return { note: note.get_untracked() })>{pt(|m| m.send_back)}</button> })}
                                </div>
                                <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
                            </section>
                        })}
                    }
                })}
            }
        })}
    }
}
