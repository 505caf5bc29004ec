//! `/review?ticket=…&code=…&ch=…`: 好差评 of one finished service. Reached from the ticket page, the
//! inbox invitation, "my reviews", or the QR / code on a paper ticket (anyone holding the code may
//! review, e.g. a walk-in without an account). The form is checked by the same `NewReview::validate`
//! the edge runs; a bad review needs a reason and a text, and opens a work order.

use crate::api;
use crate::components::tx;
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs, session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tongban_shared::review::{is_bad, level_label, Channel, Indicator, NewReview, Reason, ReviewCreated, ReviewTarget, Scores};
use tongban_shared::Text;

/// Date and time (`YYYY-MM-DD HH:MM`) of an epoch second in Beijing time, whatever the device's zone:
/// a hall's times are Beijing times.
pub use tongban_shared::time::stamp as when;

fn channel(ch: Option<&str>) -> Channel {
    match ch {
        Some("qr") => Channel::WindowQr,
        Some("kiosk") => Channel::Kiosk,
        _ if window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 768.0) => Channel::Mobile,
        _ => Channel::Web,
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    use_title(|l| msgs(l).review_title.to_string());
    let p = prefs();
    let q = use_query_map();
    let initial = q.get_untracked();
    let ticket = initial.get("ticket").filter(|t| !t.is_empty());
    let case = initial.get("case").filter(|t| !t.is_empty());
    let ch = channel(initial.get("ch").as_deref());
    let code = RwSignal::new(initial.get("code").unwrap_or_default());
    // The code looked up: the one in the link, or what the person typed and submitted.
    let looked_up = RwSignal::new(initial.get("code").filter(|c| !c.is_empty()));
    let t2 = ticket.clone();
    let k2 = case.clone();
    let target = LocalResource::new(move || {
        let (t, c, k, l) = (t2.clone(), looked_up.get(), k2.clone(), p.lang.get());
        async move {
            if let Some(k) = k {
                return Some(api::review_case_target(&k, l).await);
            }
            if t.is_none() && c.is_none() {
                return None;
            }
            Some(api::review_target(t.as_deref(), c.as_deref(), l).await)
        }
    });
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        looked_up.set(Some(code.get_untracked().trim().to_string()));
    };
    view! {
        <h1>{tr(|m| m.review_title)}</h1>
        <p class="lead">{tr(|m| m.review_intro)}</p>
        {move || match target.get() {
            None => view! { <crate::components::Loading/> }.into_any(),
            Some(None) => view! {
                <form class="stack" on:submit=find>
                    <div class="field">
                        <label for="review-code">{tr(|m| m.review_code_label)}</label>
                        <input id="review-code" name="code" autocomplete="off" autocapitalize="characters" maxlength="12" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                    </div>
                    <button type="submit" class="button primary">{tr(|m| m.find_service)}</button>
                </form>
            }.into_any(),
            Some(Some(Err(e))) => view! {
                <crate::components::ErrorBox error=e retry=None/>
                <button type="button" class="button" on:click=move |_| looked_up.set(None)>{tr(|m| m.review_code_label)}</button>
            }.into_any(),
            Some(Some(Ok(t))) => {
                let c = looked_up.get_untracked();
                view! { <ReviewForm target=t code=c channel=ch/> }.into_any()
            }
        }}
    }
}

/// One 1–5 choice as a row of large radio buttons (a fieldset, so screen readers announce the group).
fn scale(name: &'static str, legend: Text, value: RwSignal<Option<u8>>, labels: bool) -> impl IntoView {
    view! {
        <fieldset class="scale" id=format!("f-{name}")>
            <legend>{tx(&legend)}</legend>
            <div class="scale-options">
                {(1u8..=5).rev().map(|n| {
                    let id = format!("{name}-{n}");
                    let for_id = id.clone();
                    view! {
                        <label for=for_id class="scale-option">
                            <input type="radio" id=id name=name value=n.to_string() prop:checked=move || value.get() == Some(n) on:change=move |_| value.set(Some(n))/>
                            <span>{if labels { tx(&level_label(n)).into_any() } else { n.to_string().into_any() }}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn ReviewForm(target: ReviewTarget, code: Option<String>, channel: Channel) -> impl IntoView {
    // The session may still be loading when the form appears: follow it rather than read it once.
    let s = session();
    let signed_in = move || s.me().is_some_and(|m| !m.role.is_staff());
    if target.reviewed {
        return view! { <p class="notice" role="status" id="already-reviewed">{tr(|m| m.already_reviewed)}</p> }.into_any();
    }
    let summary = view! {
        <section class="card">
            <p class="card-title">{target.number.clone()}" · "{tx(&target.center)}{target.window_no.map(|w| view! { " · "{move || crate::i18n::window_label(lang(), w)} })}</p>
            {target.item.clone().map(|i| view! { <p class="meta">{tx(&i)}</p> })}
            {target.finished_at.map(|f| view! { <p class="meta">{tr(|m| m.finished_label)}" "{when(f)}</p> })}
            {target.closes_at.map(|c| view! { <p class="meta">{tr(|m| m.review_open_until)}" "{when(c)}</p> })}
        </section>
    };
    if target.finished_at.is_none() {
        return view! { {summary}<p class="notice" role="status">{tr(|m| m.not_finished_yet)}</p> }.into_any();
    }
    let level = RwSignal::new(None::<u8>);
    // A case (一事一评) is an online service: the online indicators; a window visit the offline ones.
    let online = target.kind == tongban_shared::review::EventKind::Case;
    let asked = Indicator::asked(online);
    let scores: Vec<(Indicator, RwSignal<Option<u8>>)> = asked.iter().map(|i| (*i, RwSignal::new(None))).collect();
    let reason = RwSignal::new(None::<Reason>);
    let text = RwSignal::new(String::new());
    // Without an account the edge records the review as anonymous whatever this says.
    let anonymous = RwSignal::new(false);
    let error = RwSignal::new(None::<(Text, Option<String>)>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<ReviewCreated>);
    let ticket = target.id.clone();
    let sc = scores.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut s = Scores::default();
        for (i, v) in &sc {
            s.set(*i, v.get_untracked());
        }
        let r = NewReview {
            ticket: if code.is_some() || online { None } else { Some(ticket.clone()) },
            code: if online { None } else { code.clone() },
            case: online.then(|| ticket.clone()),
            level: level.get_untracked().unwrap_or(0),
            scores: s,
            reason: reason.get_untracked(),
            text: text.get_untracked(),
            channel,
            anonymous: anonymous.get_untracked(),
        };
        if let Err(e) = r.validate(online) {
            error.set(Some((e.code.text(), e.field.map(str::to_string))));
            return;
        }
        error.set(None);
        busy.set(true);
        let l = lang();
        leptos::task::spawn_local(async move {
            match api::create_review(&r, l).await {
                Ok(c) => done.set(Some(c)),
                Err(e) => {
                    let field = match &e {
                        api::ApiError::Server { field, .. } => field.clone(),
                        _ => None,
                    };
                    error.set(Some((e.text(), field)));
                }
            }
            busy.set(false);
        });
    };
    let field_error = move |f: &'static str| move || error.get().filter(|(_, ff)| ff.as_deref() == Some(f)).map(|(t, _)| tx(&t));
    view! {
        {summary}
        {move || match done.get() {
            Some(c) => view! {
                <section class="notice" role="status" id="review-done">
                    <p><strong>{tr(|m| m.review_thanks)}</strong></p>
                    {c.work_order.is_some().then(|| view! { <p>{tr(|m| m.review_thanks_bad)}</p> })}
                    {signed_in().then(|| view! { <A href="/reviews" attr:class="button">{tr(|m| m.my_reviews)}</A> })}
                </section>
            }.into_any(),
            None => {
                let submit = submit.clone();
                let scores = scores.clone();
                view! {
                    <form class="stack review-form" on:submit=submit novalidate=true>
                        {scale("level", Text::new("总体评价", "Overall rating"), level, true)}
                        <p class="field-error" aria-live="polite">{field_error("level")}</p>
                        <fieldset class="scores">
                            <legend>{tr(|m| m.scores_legend)}</legend>
                            {scores.into_iter().map(|(i, v)| view! {
                                {scale(i.as_str(), i.label(), v, false)}
                                <p class="field-error" aria-live="polite">{field_error(i.as_str())}</p>
                            }).collect_view()}
                        </fieldset>
                        {move || level.get().is_some_and(is_bad).then(|| view! {
                            <div class="field">
                                <label for="review-reason">{tr(|m| m.reason_label)}</label>
                                <select id="review-reason" name="reason" aria-describedby="reason-error" on:change=move |ev| reason.set(Reason::parse(&event_target_value(&ev)))>
                                    <option value="">{tr(|m| m.choose)}</option>
                                    {Reason::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=move || reason.get() == Some(r)>{tx(&r.label())}</option> }).collect_view()}
                                </select>
                                <p class="field-error" id="reason-error" aria-live="polite">{field_error("reason")}</p>
                            </div>
                        })}
                        <div class="field">
                            <label for="review-text">{tr(|m| m.review_text_label)}</label>
                            <p class="hint" id="review-text-hint">{tr(|m| m.review_text_hint)}</p>
                            <textarea id="review-text" name="text" rows="4" maxlength="500" aria-describedby="review-text-hint review-text-error"
                                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="field-error" id="review-text-error" aria-live="polite">{field_error("text")}</p>
                        </div>
                        {move || if signed_in() {
                            view! {
                                <label class="check"><input type="checkbox" id="review-anonymous" prop:checked=move || anonymous.get() on:change=move |ev| anonymous.set(event_target_checked(&ev))/>" "{tr(|m| m.anonymous_label)}</label>
                            }.into_any()
                        } else {
                            view! { <p class="hint">{tr(|m| m.anonymous_note)}</p> }.into_any()
                        }}
                        <p class="error-line" role="alert">{move || error.get().filter(|(_, f)| f.is_none() || f.as_deref() == Some("ticket") || f.as_deref() == Some("code")).map(|(t, _)| tx(&t))}</p>
                        <button type="submit" class="button primary" id="submit-review" disabled=move || busy.get()>{tr(|m| m.submit_review)}</button>
                    </form>
                }.into_any()
            }
        }}
    }
    .into_any()
}
