//! `/staff/posts`: admins create staff posts and set each post's backup (岗位AB角) and away status.
//! A center admin manages window staff of their own center; the district admin manages every post. Both
//! disable and re-enable accounts (every session ends at once) and reset a password to a one-time
//! temporary one, shown once; each is audited.

use crate::api::{self, ApiError};
use crate::components::{async_view, guarded, tx, Field};
use crate::i18n::use_title;
use crate::i18n::{msgs, role_label, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use tongban_shared::account::{Me, Role};
use tongban_shared::application::CaseStep;
use tongban_shared::authz::ADMINS;
use tongban_shared::staff::{login_name, NewStaff, StaffPost, StaffSettings};
use tongban_shared::{password, Text};

crate::i18n::page_msgs! {
    duties_each_step_of_a: "岗位职责（同一办件的各环节须由不同人员办理）" / "Duties (each step of a case is done by a different person)",
    disabled: "已停用" / "Disabled",
    disable_account: "停用账号" / "Disable account",
    enable_account: "启用账号" / "Enable account",
    reset_confirm: "重置密码：再次输入登录名确认" / "Reset password: type the login again",
    reset_password: "重置密码" / "Reset password",
    temporary_password: "临时密码（仅显示这一次，登录后须修改）：" / "Temporary password (shown once; to be changed at sign-in): ",
}

/// `mine`: the signed-in admin's own post, which they cannot disable or reset (the edge refuses it too).
fn post_row(post: StaffPost, all: Vec<StaffPost>, reload: Callback<()>, mine: bool) -> impl IntoView {
    let backup = RwSignal::new(post.backup_id.clone().unwrap_or_default());
    let away = RwSignal::new(post.away);
    let status = RwSignal::new(None::<Text>);
    let id = post.id.clone();
    let (post_id, post_login, active) = (post.id.clone(), post.login.clone(), post.active);
    let peers: Vec<StaffPost> = all.into_iter().filter(|p| p.id != post.id && p.center_id == post.center_id && p.dept_id == post.dept_id).collect();
    let save = move |_| {
        let id = id.clone();
        let s = StaffSettings { backup_id: Some(backup.get_untracked()).filter(|b| !b.is_empty()), away: away.get_untracked() };
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::update_staff(&id, &s, l).await {
                Ok(_) => {
                    status.set(Some(Text::new(msgs(tongban_shared::Lang::Zh).saved, msgs(tongban_shared::Lang::En).saved)));
                    reload.run(());
                }
                Err(e) => status.set(Some(e.text())),
            }
        });
    };
    let sel_id = format!("backup-{}", post.login);
    let away_id = format!("away-{}", post.login);
    let role = post.role;
    view! {
        <li class="card post">
            <p class="card-title">{post.name.clone()}" · "{post.login.clone()}</p>
            <p class="meta">{move || role_label(lang(), role)}" "{post.center_id.clone().or(post.dept_id.clone()).unwrap_or_default()}" · "
                <a href=format!("/staff/appraisal/{}", post.id)>{tr(|m| m.appraisal_title)}</a></p>
            {(!post.duties.is_empty()).then(|| {
                let duties = post.duties.clone();
                view! { <p class="meta duties-held">{move || duties.iter().map(|d| d.label().get(lang()).to_string()).collect::<Vec<_>>().join(" · ")}</p> }
            })}
            <label for=sel_id.clone()>{tr(|m| m.f_backup)}</label>
            <select id=sel_id on:change=move |ev| backup.set(event_target_value(&ev))>
                <option value="" selected=move || backup.get().is_empty()>{tr(|m| m.none)}</option>
                {peers.into_iter().map(|p| {
                    let pid = p.id.clone();
                    view! { <option value=p.id.clone() selected=move || backup.get() == pid>{p.name}" · "{p.login}</option> }
                }).collect_view()}
            </select>
            <div class="check">
                <input type="checkbox" id=away_id.clone() prop:checked=move || away.get() on:change=move |ev| away.set(event_target_checked(&ev))/>
                <label for=away_id>{tr(|m| m.away)}</label>
            </div>
            <button type="button" class="button" on:click=save>{tr(|m| m.save)}</button>
            <span class="meta" role="status">{move || status.get().map(|t| tx(&t))}</span>
            {(!mine).then(|| lifecycle(post_id, post_login, active, reload))}
        </li>
    }
}

/// Disable / enable, and the password reset with the login typed again; the temporary password is shown
/// here once and never again.
fn lifecycle(id: String, login: String, active: bool, reload: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<Text>);
    let temporary = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(String::new());
    let (id2, confirm_id) = (id.clone(), format!("reset-confirm-{login}"));
    let toggle = move |_| {
        let (id, l) = (id.clone(), lang());
        leptos::task::spawn_local(async move {
            match api::set_staff_status(&id, !active, l).await {
                Ok(_) => reload.run(()),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let reset = move |_| {
        let (id, l, typed) = (id2.clone(), lang(), confirm.get_untracked());
        leptos::task::spawn_local(async move {
            match api::reset_staff_password(&id, &typed, l).await {
                Ok(t) => {
                    error.set(None);
                    confirm.set(String::new());
                    temporary.set(Some(t.password));
                }
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <div class="lifecycle">
            {(!active).then(|| view! { <p class="badge" id=format!("disabled-{login}")>{pt(|m| m.disabled)}</p> })}
            <button type="button" class=if active { "button danger" } else { "button" } id=format!("toggle-{login}") on:click=toggle>
                {if active { pt(|m| m.disable_account) } else { pt(|m| m.enable_account) }}
            </button>
            <label for=confirm_id.clone()>{pt(|m| m.reset_confirm)}</label>
            <input id=confirm_id autocomplete="off" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
            <button type="button" class="button" id=format!("reset-{login}") on:click=reset>{pt(|m| m.reset_password)}</button>
            {move || temporary.get().map(|t| view! {
                <p class="notice" role="status">{pt(|m| m.temporary_password)}<strong class="code-inline" id=format!("temp-password-{login}")>{t}</strong></p>
            })}
            <p class="error-line" role="alert">{move || error.get().map(|e| tx(&e))}</p>
        </div>
    }
}

fn create_form(me: Me, reload: Callback<()>) -> impl IntoView {
    let [login, name, pw] = [(); 3].map(|_| RwSignal::new(String::new()));
    let [login_e, name_e, pw_e] = [(); 3].map(|_| RwSignal::new(None::<Text>));
    let district = me.role == Role::DistrictAdmin;
    let own_center = me.center_id.clone();
    let role = RwSignal::new(Role::WindowStaff);
    let scope = RwSignal::new(String::new());
    // An approver's duties in the department's chains; each step of a case needs a different person.
    let all_duties = [CaseStep::Handle, CaseStep::Review, CaseStep::Decide];
    let duties = RwSignal::new(all_duties.to_vec());
    let error = RwSignal::new(None::<Text>);
    let p = prefs();
    let centers = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::centers(l).await }
    });
    let depts = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::departments(l).await }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let r = role.get_untracked();
        let sc = Some(scope.get_untracked()).filter(|s| !s.is_empty());
        // A center admin creates window staff at their own center; the edge checks it again.
        let (center_id, dept_id) = match r {
            _ if !district => (own_center.clone(), None),
            Role::WindowStaff | Role::CenterAdmin => (sc, None),
            Role::Approver => (None, sc),
            _ => (None, None),
        };
        let req = NewStaff {
            login: login.get_untracked(),
            name: name.get_untracked(),
            role: Some(r),
            center_id,
            dept_id,
            password: pw.get_untracked(),
            backup_id: None,
            duties: (r == Role::Approver).then(|| duties.get_untracked()),
        };
        if let Err(fe) = req.validate() {
            let slot = match fe.field {
                Some("login") => login_e,
                Some("name") => name_e,
                Some("password") => pw_e,
                _ => error,
            };
            slot.set(Some(fe.code.text()));
            return;
        }
        // Contexts are read here: the spawned task runs outside the reactive owner.
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::create_staff(&req, l).await {
                Ok(_) => {
                    login.set(String::new());
                    name.set(String::new());
                    pw.set(String::new());
                    reload.run(());
                }
                Err(ApiError::Server { code: Some(c), field: Some(f), .. }) if f == "login" => login_e.set(Some(c.text())),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>{tr(|m| m.create_post)}</h2>
            <Field id="new-login" label=|m| m.f_login_name value=login error=login_e check=|v| login_name(v).err()/>
            <Field id="new-name" label=|m| m.f_name value=name error=name_e/>
            <Field id="new-password" label=|m| m.f_password value=pw error=pw_e input_type="password" autocomplete="new-password" check=|v| password::check(v).err()/>
            {district.then(|| view! {
                <label for="new-role">{tr(|m| m.f_post)}</label>
                <select id="new-role" on:change=move |ev| {
                    role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::WindowStaff));
                    scope.set(String::new());
                }>
                    {[Role::WindowStaff, Role::Approver, Role::CenterAdmin, Role::DistrictAdmin].into_iter().map(|r| view! {
                        <option value=r.as_str()>{move || role_label(lang(), r)}</option>
                    }).collect_view()}
                </select>
                {move || match role.get() {
                    Role::WindowStaff | Role::CenterAdmin => view! {
                        <label for="new-scope">{tr(|m| m.f_center)}</label>
                        <select id="new-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || centers.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| view! { <option value=c.id.clone()>{tx(&c.name)}</option> }).collect_view()}
                        </select>
                    }.into_any(),
                    Role::Approver => view! {
                        <label for="new-scope">{tr(|m| m.f_dept)}</label>
                        <select id="new-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || depts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|d| view! { <option value=d.id.clone()>{tx(&d.name)}</option> }).collect_view()}
                        </select>
                        <fieldset class="duties" id="new-duties">
                            <legend>{pt(|m| m.duties_each_step_of_a)}</legend>
                            {all_duties.into_iter().map(|d| view! {
                                <label class="check"><input type="checkbox" value=d.as_str() prop:checked=move || duties.get().contains(&d) on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    duties.update(|v| { v.retain(|x| *x != d); if on { v.push(d); } });
                                }/>" "{move || tx(&d.label())}</label>
                            }).collect_view()}
                        </fieldset>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            })}
            <p class="error-line" role="alert">{move || error.get().map(|t| tx(&t))}</p>
            <button type="submit" class="button primary">{tr(|m| m.create_post)}</button>
        </form>
    }
}

#[component]
pub fn PostsPage() -> impl IntoView {
    use_title(|l| msgs(l).posts.to_string());
    let p = prefs();
    view! {
        <h1>{tr(|m| m.posts)}</h1>
        {guarded(Some(ADMINS), move |me| {
            let posts = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::staff_posts(l).await }
            });
            let reload = Callback::new(move |_| posts.refetch());
            let my_id = me.id.clone();
            view! {
                {async_view(posts, move |list| {
                    let all = list.clone();
                    let my_id = my_id.clone();
                    view! { <ul class="cards posts">{list.into_iter().map(|p| { let mine = p.id == my_id; post_row(p, all.clone(), reload, mine) }).collect_view()}</ul> }
                })}
                {create_form(me, reload)}
            }
        })}
    }
}
