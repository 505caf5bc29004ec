//! `/staff/center`: a center admin's configuration — opening hours, booking rules, window classes
//! (open windows, handling minutes, items, windows) — plus one slot's seats, the district calendar
//! (district admin), and the bookings a change leaves outside, each cancelled only by a person with a
//! reason the resident is told.

use crate::api;
use crate::components::{guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr, Msgs};
use crate::state::lang;
use leptos::prelude::*;
use tongban_shared::account::Role;
use tongban_shared::authz::ADMINS;
use tongban_shared::catalogue::OpeningHours;
use tongban_shared::config::{AffectedReason, CalendarDay, CenterConfig, DayKind, SlotOverride};
use tongban_shared::Text;

crate::i18n::page_msgs! {
    rule_slot_minutes: "时段长度（分钟）" / "Slot length (min)",
    rule_horizon_days: "可预约工作日数" / "Bookable working days ahead",
    rule_max_active_per_person: "每人进行中预约上限" / "Active bookings per person",
    rule_cancel_before_minutes: "最晚取消（开始前分钟）" / "Cancel until (min before)",
    rule_hold_minutes: "保留确认时间（分钟）" / "Hold while confirming (min)",
    rule_checkin_early_minutes: "最早签到（开始前分钟）" / "Check-in from (min before)",
    rule_checkin_late_minutes: "最晚签到（开始后分钟）" / "Check-in until (min after)",
    rule_no_show_limit: "爽约次数" / "No-shows",
    rule_no_show_window_days: "统计天数" / "Within days",
    rule_no_show_ban_days: "暂停预约天数" / "Suspension days",
}

type RuleLabel = fn(&'static PageMsgs) -> &'static str;
type RuleGet = fn(&CenterConfig) -> u32;
type RuleSet = fn(&mut CenterConfig, u32);

/// The rules an admin may tune, with their labels (field names match the edge's `field` in errors).
const RULES: &[(&str, RuleLabel, RuleGet, RuleSet)] = &[
    ("rules.slot_minutes", |m| m.rule_slot_minutes, |c| c.rules.slot_minutes, |c, v| c.rules.slot_minutes = v),
    ("rules.horizon_days", |m| m.rule_horizon_days, |c| c.rules.horizon_days, |c, v| c.rules.horizon_days = v),
    ("rules.max_active_per_person", |m| m.rule_max_active_per_person, |c| c.rules.max_active_per_person, |c, v| c.rules.max_active_per_person = v),
    ("rules.cancel_before_minutes", |m| m.rule_cancel_before_minutes, |c| c.rules.cancel_before_minutes, |c, v| c.rules.cancel_before_minutes = v),
    ("rules.hold_minutes", |m| m.rule_hold_minutes, |c| c.rules.hold_minutes, |c, v| c.rules.hold_minutes = v),
    ("rules.checkin_early_minutes", |m| m.rule_checkin_early_minutes, |c| c.rules.checkin_early_minutes, |c, v| c.rules.checkin_early_minutes = v),
    ("rules.checkin_late_minutes", |m| m.rule_checkin_late_minutes, |c| c.rules.checkin_late_minutes, |c, v| c.rules.checkin_late_minutes = v),
    ("rules.no_show_limit", |m| m.rule_no_show_limit, |c| c.rules.no_show_limit, |c, v| c.rules.no_show_limit = v),
    ("rules.no_show_window_days", |m| m.rule_no_show_window_days, |c| c.rules.no_show_window_days, |c, v| c.rules.no_show_window_days = v),
    ("rules.no_show_ban_days", |m| m.rule_no_show_ban_days, |c| c.rules.no_show_ban_days, |c, v| c.rules.no_show_ban_days = v),
];

fn csv(s: &str) -> Vec<String> {
    s.split([',', '，', ' ']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

fn reason_text(m: &Msgs, r: AffectedReason) -> &'static str {
    match r {
        AffectedReason::ClosedDay => m.r_closed_day,
        AffectedReason::OutsideHours => m.r_outside_hours,
        AffectedReason::OverCapacity => m.r_over_capacity,
    }
}

#[component]
pub fn CenterConfigPage() -> impl IntoView {
    use_title(|l| msgs(l).center_config.to_string());
    view! {
        <h1>{tr(|m| m.center_config)}</h1>
        {guarded(Some(ADMINS), move |me| {
            let district = me.role == Role::DistrictAdmin;
            let center = RwSignal::new(me.center_id.clone().unwrap_or_else(|| "putuo-district".into()));
            let cfg = RwSignal::new(None::<CenterConfig>);
            let status = RwSignal::new(None::<Text>);
            let error = RwSignal::new(None::<(Text, Option<String>)>);
            let affected = LocalResource::new(move || {
                let (c, l) = (center.get(), lang());
                async move { api::affected_bookings(&c, l).await }
            });
            let load = move || {
                let (c, l) = (center.get_untracked(), lang());
                leptos::task::spawn_local(async move {
                    match api::center_config(&c, l).await {
                        Ok(x) => cfg.set(Some(x)),
                        Err(e) => error.set(Some((e.text(), None))),
                    }
                });
            };
            Effect::new(move |_| {
                center.track();
                load();
            });
            let save = move |_| {
                let Some(c) = cfg.get_untracked() else { return };
                let l = lang();
                status.set(None);
                leptos::task::spawn_local(async move {
                    match api::save_center_config(&c, l).await {
                        Ok(x) => {
                            cfg.set(Some(x));
                            error.set(None);
                            status.set(Some(Text::new(msgs(tongban_shared::Lang::Zh).saved, msgs(tongban_shared::Lang::En).saved)));
                            affected.refetch();
                        }
                        Err(e) => {
                            let field = match &e {
                                api::ApiError::Server { field, .. } => field.clone(),
                                _ => None,
                            };
                            error.set(Some((e.text(), field)));
                        }
                    }
                });
            };
            view! {
                {district.then(|| view! {
                    <label class="field"><span>{tr(|m| m.center_config)}</span>
                        <input id="cfg-center" prop:value=move || center.get() on:change=move |ev| center.set(event_target_value(&ev))/>
                    </label>
                })}
                {move || cfg.get().map(|c| {
                    let hours = (1u8..=7).map(|wd| {
                        let h = c.hours.iter().find(|h| h.weekday == wd).cloned();
                        let set = move |open: bool, v: String| cfg.update(|c| if let Some(c) = c {
                            let idx = c.hours.iter().position(|h| h.weekday == wd);
                            match (idx, v.is_empty()) {
                                (Some(i), true) => { c.hours.remove(i); }
                                (Some(i), false) => if open { c.hours[i].open = v } else { c.hours[i].close = v },
                                (None, false) => c.hours.push(OpeningHours { weekday: wd, open: if open { v.clone() } else { "09:00".into() }, close: if open { "17:00".into() } else { v } }),
                                (None, true) => {}
                            }
                        });
                        let (o, cl) = (h.as_ref().map(|h| h.open.clone()).unwrap_or_default(), h.map(|h| h.close).unwrap_or_default());
                        let name = move || lang().weekday(wd);
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td><input type="time" aria-label=move || format!("{} {}", name(), msgs(lang()).hours_cfg) value=o on:change=move |ev| set(true, event_target_value(&ev))/></td>
                                <td><input type="time" aria-label=move || format!("{} –", name()) value=cl on:change=move |ev| set(false, event_target_value(&ev))/></td>
                            </tr>
                        }
                    }).collect_view();
                    let rules = RULES.iter().map(|(field, label, get, set)| {
                        let (field, set) = (*field, *set);
                        let id = format!("cfg-{}", field.replace('.', "-"));
                        let for_id = id.clone();
                        view! {
                            <label class="field" for=for_id><span>{pt(*label)}</span>
                                <input id=id type="number" inputmode="numeric" min="0" value=get(&c).to_string()
                                    aria-invalid=move || (error.get().and_then(|e| e.1).as_deref() == Some(field)).to_string()
                                    on:change=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(0); cfg.update(|c| if let Some(c) = c { set(c, v) }); }/>
                            </label>
                        }
                    }).collect_view();
                    let classes = c.classes.iter().enumerate().map(|(i, k)| {
                        let wins = k.windows.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(",");
                        let upd = move |f: fn(&mut tongban_shared::config::ClassConfig, String), v: String| cfg.update(|c| if let Some(c) = c { if let Some(k) = c.classes.get_mut(i) { f(k, v) } });
                        view! {
                            <fieldset class="card" id=format!("class-{}", k.prefix)>
                                <legend>{k.prefix.clone()}" · "{tx(&k.name)}</legend>
                                <label class="field"><span>{tr(|m| m.open_windows)}</span>
                                    <input type="number" min="0" value=k.open_windows.to_string() on:change=move |ev| upd(|k, v| k.open_windows = v.parse().unwrap_or(0), event_target_value(&ev))/></label>
                                <label class="field"><span>{tr(|m| m.avg_minutes)}</span>
                                    <input type="number" min="1" value=k.avg_minutes.to_string() on:change=move |ev| upd(|k, v| k.avg_minutes = v.parse().unwrap_or(0), event_target_value(&ev))/></label>
                                <label class="field"><span>{tr(|m| m.class_windows)}</span>
                                    <input value=wins on:change=move |ev| upd(|k, v| k.windows = csv(&v).iter().filter_map(|w| w.parse().ok()).collect(), event_target_value(&ev))/></label>
                                {(k.kind == tongban_shared::config::ClassKind::Domain).then(|| view! {
                                    <label class="field"><span>{tr(|m| m.class_items)}</span>
                                        <input value=k.items.join(",") on:change=move |ev| upd(|k, v| k.items = csv(&v), event_target_value(&ev))/></label>
                                })}
                            </fieldset>
                        }
                    }).collect_view();
                    view! {
                        <h2>{tr(|m| m.hours_cfg)}</h2>
                        <table class="table"><tbody>{hours}</tbody></table>
                        <h2>{tr(|m| m.rules)}</h2>
                        {rules}
                        <h2>{tr(|m| m.classes)}</h2>
                        {classes}
                    }
                })}
                <p class="error-line" role="alert" id="cfg-error">{move || error.get().map(|(t, f)| format!("{}{}", t.get(lang()), f.map(|f| format!(" ({f})")).unwrap_or_default()))}</p>
                <p role="status" id="cfg-status">{move || status.get().map(|t| tx(&t))}</p>
                <button type="button" class="button primary" on:click=save>{tr(|m| m.save)}</button>
                <SlotOverrideForm center=center cfg=cfg on_done=Callback::new(move |_| affected.refetch())/>
                <KioskPanel center=center/>
                {district.then(|| view! { <CalendarForm on_done=Callback::new(move |_| affected.refetch())/> })}
                <h2>{tr(|m| m.affected)}</h2>
                {move || affected.get().map(|r| match r {
                    Err(e) => view! { <p class="error-line">{tx(&e.text())}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p id="affected-none">{tr(|m| m.affected_none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" id="affected">
                            {list.into_iter().map(|a| {
                                let id = a.booking.id.clone();
                                let reason = RwSignal::new(String::new());
                                let err = RwSignal::new(None::<Text>);
                                let cancel = move |_| {
                                    let (id, r, l) = (id.clone(), reason.get_untracked(), lang());
                                    leptos::task::spawn_local(async move {
                                        match api::center_cancel(&id, &r, l).await {
                                            Ok(_) => affected.refetch(),
                                            Err(e) => err.set(Some(e.text())),
                                        }
                                    });
                                };
                                view! {
                                    <li class="card">
                                        <p class="card-title">{tx(&a.booking.item_name)}</p>
                                        <p class="meta">{a.booking.date.clone()}" "{a.booking.start.clone()}" · "{a.booking.code.clone()}" · "{move || reason_text(msgs(lang()), a.reason)}</p>
                                        <label class="field"><span>{tr(|m| m.f_staff_reason)}</span>
                                            <input prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                                        <p class="error-line" role="alert">{move || err.get().map(|t| tx(&t))}</p>
                                        <button type="button" class="button danger" on:click=cancel>{tr(|m| m.cancel_for_center)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            }
        })}
    }
}

/// The hall's registered kiosks: register one (its enrolment link shown once) or revoke it.
#[component]
fn KioskPanel(center: RwSignal<String>) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let issued = RwSignal::new(None::<String>);
    let err = RwSignal::new(None::<Text>);
    let list = LocalResource::new(move || {
        let (c, l) = (center.get(), lang());
        async move { api::kiosks(&c, l).await }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, name, l) = (center.get_untracked(), label.get_untracked(), lang());
        leptos::task::spawn_local(async move {
            match api::register_kiosk(&c, &name, l).await {
                Ok(k) => {
                    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                    issued.set(Some(format!("{origin}{}", k.enroll_path)));
                    err.set(None);
                    label.set(String::new());
                    list.refetch();
                }
                Err(e) => err.set(Some(e.text())),
            }
        });
    };
    view! {
        <section aria-labelledby="h-kiosks">
            <h2 id="h-kiosks">{tr(|m| m.kiosks)}</h2>
            <p class="hint">{tr(|m| m.kiosks_hint)}</p>
            <form class="form" on:submit=submit novalidate>
                <label class="field"><span>{tr(|m| m.kiosk_label)}</span>
                    <input id="kiosk-label" maxlength="40" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/></label>
                <p class="error-line" role="alert" id="kiosk-error">{move || err.get().map(|t| tx(&t))}</p>
                <button type="submit" class="button">{tr(|m| m.kiosk_register)}</button>
            </form>
            {move || issued.get().map(|link| view! {
                <p role="status" class="notice" id="kiosk-link">{tr(|m| m.kiosk_key_once)}" "<code class="wrap-anywhere">{link}</code></p>
            })}
            {move || list.get().map(|r| match r {
                Err(e) => view! { <p class="error-line">{tx(&e.text())}</p> }.into_any(),
                Ok(ks) => view! {
                    <ul class="cards" id="kiosks">
                        {ks.into_iter().map(|k| {
                            let (c, id) = (center.get_untracked(), k.id.clone());
                            let revoke = move |_| {
                                let (c, id, l) = (c.clone(), id.clone(), lang());
                                leptos::task::spawn_local(async move {
                                    match api::revoke_kiosk(&c, &id, l).await {
                                        Ok(()) => list.refetch(),
                                        Err(e) => err.set(Some(e.text())),
                                    }
                                });
                            };
                            view! {
                                <li class="card">
                                    <p class="card-title">{k.label.clone()}</p>
                                    {if k.revoked {
                                        view! { <p class="meta">{tr(|m| m.kiosk_revoked)}</p> }.into_any()
                                    } else {
                                        view! { <button type="button" class="button danger" on:click=revoke>{tr(|m| m.kiosk_revoke)}</button> }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

#[component]
fn SlotOverrideForm(center: RwSignal<String>, cfg: RwSignal<Option<CenterConfig>>, on_done: Callback<()>) -> impl IntoView {
    let class = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let start = RwSignal::new(String::from("09:00"));
    let cap = RwSignal::new(String::new());
    let out = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let class_id = if class.get_untracked().is_empty() {
            cfg.get_untracked().and_then(|c| c.classes.first().map(|k| k.id.clone())).unwrap_or_default()
        } else {
            class.get_untracked()
        };
        let o = SlotOverride { class_id, date: date.get_untracked(), start: start.get_untracked(), capacity: cap.get_untracked().trim().parse().ok() };
        let (c, l) = (center.get_untracked(), lang());
        leptos::task::spawn_local(async move {
            match api::override_slot(&c, &o, l).await {
                Ok(s) => {
                    out.set(Some(format!("{} · {}/{}", s.start, s.remaining, s.capacity)));
                    on_done.run(());
                }
                Err(e) => out.set(Some(e.text().get(l).to_string())),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>{tr(|m| m.slot_override)}</h2>
            <label class="field"><span>{tr(|m| m.classes)}</span>
                <select on:change=move |ev| class.set(event_target_value(&ev))>
                    {move || cfg.get().map(|c| c.classes.into_iter().map(|k| view! { <option value=k.id.clone()>{k.prefix.clone()}" · "{tx(&k.name)}</option> }).collect_view())}
                </select></label>
            <label class="field"><span>{tr(|m| m.date)}</span><input type="date" on:change=move |ev| date.set(event_target_value(&ev))/></label>
            <label class="field"><span>{tr(|m| m.time)}</span><input type="time" prop:value=move || start.get() on:change=move |ev| start.set(event_target_value(&ev))/></label>
            <label class="field"><span>{tr(|m| m.capacity)}</span><input type="number" min="0" on:change=move |ev| cap.set(event_target_value(&ev))/></label>
            <button type="submit" class="button">{tr(|m| m.save)}</button>
            <p role="status">{move || out.get()}</p>
        </form>
    }
}

#[component]
fn CalendarForm(on_done: Callback<()>) -> impl IntoView {
    let date = RwSignal::new(String::new());
    let kind = RwSignal::new(String::from("holiday"));
    let out = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let k = match kind.get_untracked().as_str() {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        };
        let d = CalendarDay { date: date.get_untracked(), kind: k };
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::set_calendar_day(&d, l).await {
                Ok(d) => {
                    out.set(Some(format!("{} ✓", d.date)));
                    on_done.run(());
                }
                Err(e) => out.set(Some(e.text().get(l).to_string())),
            }
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>{tr(|m| m.calendar)}</h2>
            <label class="field"><span>{tr(|m| m.date)}</span><input id="cal-date" type="date" on:change=move |ev| date.set(event_target_value(&ev))/></label>
            <label class="field"><span>{tr(|m| m.calendar)}</span>
                <select id="cal-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="holiday">{tr(|m| m.holiday)}</option>
                    <option value="workday">{tr(|m| m.workday)}</option>
                    <option value="clear">{tr(|m| m.clear_day)}</option>
                </select></label>
            <button type="submit" class="button">{tr(|m| m.save)}</button>
            <p role="status" id="cal-status">{move || out.get()}</p>
        </form>
    }
}
