//! `/inbox`: my notifications, newest first, each opening the booking or ticket it is about (and
//! marked read on the way); "mark all read".

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn InboxPage() -> impl IntoView {
    use_title(|l| msgs(l).inbox.to_string());
    let p = prefs();
    view! {
        <h1>{tr(|m| m.inbox)}</h1>
        {guarded(None, move |_| {
            let list = LocalResource::new(move || {
                let l = p.lang.get();
                async move { api::inbox(l).await }
            });
            let navigate = use_navigate();
            let bump = crate::state::inbox_tick().0;
            let all_read = move |_| {
                let l = lang();
                leptos::task::spawn_local(async move {
                    let _ = api::mark_all_read(l).await;
                    bump.update(|n| *n += 1);
                    list.refetch();
                });
            };
            let push_state = RwSignal::new(None::<String>);
            let enable = move |_| {
                let l = lang();
                leptos::task::spawn_local(async move {
                    let m = msgs(l);
                    push_state.set(Some(match crate::push::enable(l).await {
                        Ok(()) => m.push_on.to_string(),
                        Err(e) if e == "permission" => m.push_denied.to_string(),
                        Err(e) => format!("{} ({e})", m.push_failed),
                    }));
                });
            };
            view! {
                {crate::push::supported().then(|| view! {
                    <p class="hint">{tr(|m| m.push_hint)}</p>
                    <button type="button" class="button primary" id="enable-push" on:click=enable>{tr(|m| m.enable_push)}</button>
                    <p role="status" id="push-state">{move || push_state.get()}</p>
                })}
                <PrefsForm/>
                <button type="button" class="button" on:click=all_read>{tr(|m| m.mark_all_read)}</button>
                {async_view(list, move |inbox| if inbox.items.is_empty() {
                    view! { <p>{tr(|m| m.no_messages)}</p> }.into_any()
                } else {
                    let navigate = navigate.clone();
                    view! {
                        <ul class="cards" id="inbox">
                            {inbox.items.into_iter().map(|i| {
                                let (id, url, nav) = (i.id.clone(), i.message.url.clone(), navigate.clone());
                                let href = url.clone();
                                // Opening marks it read first, then follows the deep link.
                                let open = move |ev: leptos::ev::MouseEvent| {
                                    ev.prevent_default();
                                    let (id, url, nav, l) = (id.clone(), url.clone(), nav.clone(), lang());
                                    leptos::task::spawn_local(async move {
                                        let _ = api::mark_read(&id, l).await;
                                        nav(&url, Default::default());
                                    });
                                };
                                view! {
                                    <li class=if i.read { "card message" } else { "card message unread" }>
                                        <a class="card-link" href=href on:click=open>
                                            <span class="card-title">{tx(&i.message.title)}</span>
                                        </a>
                                        <p>{tx(&i.message.body)}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            }
        })}
    }
}

/// Which kinds may be pushed, and the quiet hours. The inbox always gets everything.
#[component]
fn PrefsForm() -> impl IntoView {
    use tongban_shared::notify::{Kind, NotifyPrefs};
    let prefs = RwSignal::new(None::<NotifyPrefs>);
    let saved = RwSignal::new(None::<String>);
    let l0 = lang();
    leptos::task::spawn_local(async move {
        if let Ok(p) = api::notify_prefs(l0).await {
            prefs.set(Some(p));
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(p), l) = (prefs.get_untracked(), lang()) else { return };
        leptos::task::spawn_local(async move {
            saved.set(Some(match api::save_notify_prefs(&p, l).await {
                Ok(_) => msgs(l).saved.to_string(),
                Err(e) => e.text().get(l).to_string(),
            }));
        });
    };
    move || {
        prefs.get().map(|p| view! {
        <details class="card">
            <summary>{tr(|m| m.push_prefs)}</summary>
            <form class="form" on:submit=save novalidate>
                <fieldset>
                    <legend>{tr(|m| m.push_kinds)}</legend>
                    {Kind::ALL.into_iter().map(|k| {
                        let id = format!("push-{}", k.as_str());
                        let on = p.push.contains(&k);
                        let for_id = id.clone();
                        view! {
                            <label class="check" for=for_id>
                                <input type="checkbox" id=id checked=on on:change=move |ev| {
                                    let c = event_target_checked(&ev);
                                    prefs.update(|p| if let Some(p) = p { if c { p.push.insert(k); } else { p.push.remove(&k); } });
                                }/>
                                " "{tx(&k.label())}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label class="field"><span>{tr(|m| m.quiet_from)}</span>
                    <input type="time" value=p.quiet_from.clone() on:change=move |ev| { let v = event_target_value(&ev); prefs.update(|p| if let Some(p) = p { p.quiet_from = v }) }/></label>
                <label class="field"><span>{tr(|m| m.quiet_until)}</span>
                    <input type="time" value=p.quiet_until.clone() on:change=move |ev| { let v = event_target_value(&ev); prefs.update(|p| if let Some(p) = p { p.quiet_until = v }) }/></label>
                <button type="submit" class="button">{tr(|m| m.save)}</button>
                <p role="status">{move || saved.get()}</p>
            </form>
        </details>
    })
    }
}
