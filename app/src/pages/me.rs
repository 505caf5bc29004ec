//! `/me`: "my information", the saved profile later forms are pre-filled from — masked, since nobody needs
//! to read their own ID number back in full on a phone in a waiting hall. Residents also see the
//! businesses they act for, download their data and can delete the account; businesses manage agents.

use crate::api;
use crate::components::{async_view, guarded, tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, role_label, tr, Msgs};
use crate::state::{lang, prefs, session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tongban_shared::account::{AddAgent, ChangePassword, DeleteAccount, Me, Role};
use tongban_shared::api::ep;
use tongban_shared::{ids, password, Text};

crate::i18n::page_msgs! {
    invitations_to_act_for_a: "经办人邀请" / "Invitations to act for a business",
    accept: "接受" / "Accept",
    decline: "拒绝" / "Decline",
    they_become_an_agent_only: "对方在“我的信息”中确认后才成为经办人；未注册的号码在对方注册后也能看到邀请。" / "They become an agent only once they accept under My information; a number not yet registered sees the invitation after registering.",
    an_administrator_reset_your_password: "管理员已为您重置密码：请先在下方修改临时密码，之后才能办理其他业务。" / "An administrator reset your password: change the temporary password below before anything else.",
}

/// `changed` ticks when an invitation is accepted, so the list shows the new business at once.
fn my_businesses(changed: RwSignal<u32>) -> impl IntoView {
    let p = prefs();
    let list = LocalResource::new(move || {
        let l = p.lang.get();
        changed.track();
        async move { api::my_businesses(l).await }
    });
    view! {
        <section class="guide-section" aria-labelledby="h-biz">
            <h2 id="h-biz">{tr(|m| m.my_businesses)}</h2>
            <p class="hint">{tr(|m| m.my_businesses_hint)}</p>
            {async_view(list, |bs| if bs.is_empty() {
                view! { <p>{tr(|m| m.none_yet)}</p> }.into_any()
            } else {
                view! { <ul class="plain" id="my-businesses">{bs.into_iter().map(|b| view! { <li>{b.company_name}" · "{b.uscc}</li> }).collect_view()}</ul> }.into_any()
            })}
        </section>
    }
}

/// Invitations to act as a business's agent, waiting for this resident: accept or decline.
fn invitations(changed: RwSignal<u32>) -> impl IntoView {
    let p = prefs();
    let list = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::agent_invitations(l).await }
    });
    let error = RwSignal::new(None::<Text>);
    let answer = move |id: String, accept: bool| {
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::answer_invitation(&id, accept, l).await {
                Ok(_) => {
                    list.refetch();
                    changed.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        {async_view(list, move |inv| (!inv.is_empty()).then(|| view! {
            <section class="guide-section" aria-labelledby="h-invitations" id="invitations">
                <h2 id="h-invitations">{pt(|m| m.invitations_to_act_for_a)}</h2>
                <ul class="plain" id="invitation-list">
                    {inv.into_iter().map(|i| {
                        let (a, d) = (i.id.clone(), i.id.clone());
                        let who = i.business.map(|b| format!("{} ({})", b.company_name, b.uscc)).unwrap_or_default();
                        view! {
                            <li>{who}" "
                                <button type="button" class="button primary" on:click=move |_| answer(a.clone(), true)>{pt(|m| m.accept)}</button>" "
                                <button type="button" class="button" on:click=move |_| answer(d.clone(), false)>{pt(|m| m.decline)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
            </section>
        }))}
    }
}

fn agents() -> impl IntoView {
    let p = prefs();
    let list = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::agents(l).await }
    });
    let sent = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::agent_invitations(l).await }
    });
    let id_number = RwSignal::new(String::new());
    let id_e = RwSignal::new(None::<Text>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = AddAgent { id_number: id_number.get_untracked() };
        if let Err(c) = ids::resident_id(&req.id_number) {
            id_e.set(Some(c.text()));
            return;
        }
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::add_agent(&req, l).await {
                Ok(_) => {
                    id_number.set(String::new());
                    sent.refetch();
                }
                Err(e) => id_e.set(Some(e.text())),
            }
        });
    };
    view! {
        <section class="guide-section" aria-labelledby="h-agents">
            <h2 id="h-agents">{tr(|m| m.agents)}</h2>
            <p class="hint">{tr(|m| m.agents_hint)}</p>
            {async_view(list, move |ags| view! {
                <ul class="plain" id="agents">
                    {ags.into_iter().map(|a| {
                        let id = a.id.clone();
                        let remove = move |_| {
                            let id = id.clone();
                            let l = lang();
                            leptos::task::spawn_local(async move {
                                if api::remove_agent(&id, l).await.is_ok() {
                                    list.refetch();
                                }
                            });
                        };
                        view! { <li>{a.name}" · "{a.id_number}" "<button type="button" class="button" on:click=remove>{tr(|m| m.remove)}</button></li> }
                    }).collect_view()}
                </ul>
            })}
            <form class="form" on:submit=add novalidate>
                <Field id="agent-id" label=|m| m.f_id_number value=id_number error=id_e check=|v| ids::resident_id(v).err()/>
                <p class="hint">{pt(|m| m.they_become_an_agent_only)}</p>
                <button type="submit" class="button">{tr(|m| m.add_agent)}</button>
            </form>
            {async_view(sent, move |inv| view! {
                <ul class="plain" id="agent-invitations">
                    {inv.into_iter().map(|i| view! { <li>{i.id_number}" · "{move || tx(&i.state.label())}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

fn change_password() -> impl IntoView {
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (current_e, new_e) = (RwSignal::new(None::<Text>), RwSignal::new(None::<Text>));
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let req = ChangePassword { current_password: current.get_untracked(), new_password: new.get_untracked() };
        if let Err(c) = password::check(&req.new_password) {
            new_e.set(Some(c.text()));
            return;
        }
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::change_password(&req, l).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    done.set(true);
                    let s = crate::state::session();
                    if let Some(mut me) = s.me().filter(|m| m.must_change_password) {
                        me.must_change_password = false;
                        s.set(Some(me));
                    }
                }
                Err(crate::api::ApiError::Server { code: Some(c), field: Some(f), .. }) if f == "new_password" => new_e.set(Some(c.text())),
                Err(e) => current_e.set(Some(e.text())),
            }
        });
    };
    view! {
        <section class="guide-section" aria-labelledby="h-pw">
            <h2 id="h-pw">{tr(|m| m.change_password)}</h2>
            <form class="form" on:submit=submit novalidate>
                <Field id="current-password" label=|m| m.f_current_password value=current error=current_e input_type="password" autocomplete="current-password"/>
                <Field id="new-password" label=|m| m.f_new_password value=new error=new_e input_type="password" autocomplete="new-password" hint=|m| m.f_password_hint check=|v| password::check(v).err()/>
                <p role="status">{move || done.get().then(|| tr(|m| m.password_changed))}</p>
                <button type="submit" class="button">{tr(|m| m.change_password)}</button>
            </form>
        </section>
    }
}

fn resident_data() -> impl IntoView {
    let s = session();
    let navigate = use_navigate();
    let pw = RwSignal::new(String::new());
    let pw_e = RwSignal::new(None::<Text>);
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = DeleteAccount { password: pw.get_untracked() };
        let navigate = navigate.clone();
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::delete_account(&req, l).await {
                Ok(()) => {
                    s.set(None);
                    navigate("/", Default::default());
                }
                Err(e) => pw_e.set(Some(e.text())),
            }
        });
    };
    view! {
        <section class="guide-section" aria-labelledby="h-data">
            <h2 id="h-data">{tr(|m| m.export)}</h2>
            <p class="hint">{tr(|m| m.export_hint)}</p>
            <a class="button" href={crate::api::path::<ep::ExportMyData>(&[])} download="tongban-my-data.json" rel="external">{tr(|m| m.export)}</a>
        </section>
        <section class="guide-section danger" aria-labelledby="h-delete">
            <h2 id="h-delete">{tr(|m| m.delete_account)}</h2>
            <p class="hint">{tr(|m| m.delete_hint)}</p>
            {data_fates()}
            <form class="form" on:submit=delete novalidate>
                <Field id="delete-password" label=|m| m.f_confirm_password value=pw error=pw_e input_type="password" autocomplete="current-password"/>
                <button type="submit" class="button danger">{tr(|m| m.delete_account)}</button>
            </form>
        </section>
    }
}

/// What deleting does with each category of data, from the core's one list (`shared::privacy`): the
/// same list the export follows and the deletion carries out.
fn data_fates() -> impl IntoView {
    use tongban_shared::privacy::{Fate, PERSONAL_DATA};
    let group = |fate: Fate, title: fn(&'static Msgs) -> &'static str| {
        view! {
            <h3 class="fate-title">{tr(title)}</h3>
            <ul class="fates">
                {PERSONAL_DATA.iter().filter(|c| c.fate == fate).map(|c| {
                    let (name, why) = (c.name(), c.why());
                    view! { <li><strong>{move || name.get(lang()).to_string()}</strong>" — "{move || why.get(lang()).to_string()}</li> }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <div class="data-fates">
            {group(Fate::Erased, |m| m.delete_erased)}
            {group(Fate::Ended, |m| m.delete_ended)}
            {group(Fate::Kept, |m| m.delete_kept)}
        </div>
    }
}

fn profile(me: Me) -> impl IntoView {
    let role = me.role;
    view! {
        <p class="hint">{tr(|m| m.my_info_hint)}</p>
        <dl class="facts profile">
            <div><dt>{move || if role == Role::Business { msgs(lang()).f_company } else { msgs(lang()).f_name }}</dt><dd id="me-name">{me.name.clone()}</dd></div>
            <div><dt>{move || if role == Role::Business { msgs(lang()).f_uscc } else { msgs(lang()).f_id_number }}</dt><dd id="me-id">{me.id_number.clone()}</dd></div>
            {(!me.mobile.is_empty()).then(|| view! { <div><dt>{tr(|m| m.f_mobile)}</dt><dd id="me-mobile">{me.mobile.clone()}</dd></div> })}
            <div><dt>{tr(|m| m.role)}</dt><dd>{move || role_label(lang(), role)}</dd></div>
        </dl>
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    use_title(|l| msgs(l).my_info.to_string());
    let s = session();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        let l = lang();
        leptos::task::spawn_local(async move {
            let _ = api::logout(l).await;
            s.set(None);
            navigate("/", Default::default());
        });
    };
    view! {
        <h1>{tr(|m| m.my_info)}</h1>
        {guarded(None, move |me| {
            let sign_out = sign_out.clone();
            let role = me.role;
            let must_change = me.must_change_password;
            let businesses_changed = RwSignal::new(0u32);
            view! {
                {must_change.then(|| view! {
                    <p class="notice" role="alert" id="must-change-password">{pt(|m| m.an_administrator_reset_your_password)}</p>
                })}
                {profile(me)}
                <button type="button" class="button" on:click=sign_out>{tr(|m| m.sign_out)}</button>
                {(role == Role::Resident).then(|| view! { <p class="actions"><A href="/bookings" attr:class="button">{tr(|m| m.my_bookings)}</A><A href="/reviews" attr:class="button" attr:id="my-reviews-link">{tr(|m| m.my_reviews)}</A><A href="/applications" attr:class="button">{tr(|m| m.my_applications)}</A></p> })}
                {(role == Role::Business).then(|| view! { <p class="actions"><A href="/applications" attr:class="button" attr:id="my-applications-link">{tr(|m| m.my_applications)}</A></p> })}
                {(role == Role::Resident).then(|| invitations(businesses_changed))}
                {(role == Role::Resident).then(|| my_businesses(businesses_changed))}
                {(role == Role::Business).then(agents)}
                {change_password()}
                {(role == Role::Resident).then(resident_data)}
            }
        })}
    }
}
