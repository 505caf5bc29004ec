//! `/apply/:bundle`: the one form (一表申请) of a "一件事" bundle. Shared questions are asked once, in
//! steps; basic information comes pre-filled from the saved profile (WCAG 2.2 SC 3.3.7); government-issued
//! materials are picked from the e-licence library after the person sees exactly which fields go to which
//! department and consents; other materials are uploaded. Every field is checked as it is left, by the
//! same `shared::form` rules the edge applies on submit; the draft saves itself and resumes anywhere;
//! a double-clicked submit makes one application (one idempotency key per page).

use crate::api;
use crate::components::{guarded, tx};
use crate::i18n::use_title;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::{BTreeMap, BTreeSet};
use tongban_shared::application::{Draft, ELicence, NewApplication};
use tongban_shared::form::{check_value, visible, FieldKind, MergedField, MergedForm, Step, Values};
use tongban_shared::{ErrorCode, Lang, Text};

crate::i18n::page_msgs! {
    one_form_for: "一张表办完 {items} 个事项：共 {asked} 项，分别填写需 {sum} 项。基本信息已按您保存的资料预填，请核对。" / "One form for {items} items: {asked} questions instead of {sum}. Basic information is pre-filled from your saved details; please check it.",
    asked_once: "{n} 个事项共用，只需填写一次" / "Used by {n} items; asked once",
    uploading: "正在上传 {p}%" / "Uploading {p}%",
    one_form_application: "一表申请" / "One-form application",
    entering_at_the_window_for: "代办录入：为窗口前的申请人填写，" / "Entering at the window for the applicant ",
    draft_saved_you_can_continue: "草稿已自动保存，可在其他设备继续填写。" / "Draft saved; you can continue on another device.",
    the_applicant_agreed_in_person: "申请人已当面同意由工作人员代为录入，并共享所选电子证照" / "The applicant agreed in person that staff enter this and share the chosen e-licences",
    keep_the_basic_information_i: "保存本次确认的基本信息，下次自动填写（一次收齐、反复使用）" / "Keep the basic information I confirmed for next time",
    submit: "提交申请" / "Submit",
    choose: "请选择" / "Choose",
    no_such_licence_in_your: "电子证照库中没有此类证照；如由本次“一件事”中的事项签发，将由部门直接调用。" / "No such licence in your library; if this bundle issues it, the department fetches it.",
    before_you_share_which_departments: "共享前预览：哪些部门将读取哪些信息" / "Before you share: which departments read what",
    i_agree_to_share_these: "我同意向上述部门共享此证照的以上信息" / "I agree to share these fields of this licence with those departments",
    upload_progress: "上传进度" / "Upload progress",
    upload_again: "重新上传" / "Upload again",
}

fn random_key() -> String {
    (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_295.0) as u32)).collect()
}

struct Loaded {
    form: MergedForm,
    values: Values,
    licences: Vec<ELicence>,
    draft_at: Option<i64>,
    /// Item id → (item name, department name): who receives what.
    who: BTreeMap<String, (Text, Text)>,
}

async fn load(bundle: String, for_id: Option<String>, l: Lang) -> Result<Loaded, api::ApiError> {
    let form = api::bundle_form(&bundle, l).await?;
    let b = api::bundle(&bundle, l).await?;
    let who = b.items.into_iter().map(|i| (i.id, (i.name, i.department.name))).collect();
    // 代办 at the window: the resident's licences, no staff profile or draft.
    let (profile, licences, draft) = match &for_id {
        Some(id) => (Default::default(), api::desk_licences(id, l).await?, Draft::default()),
        None => (api::profile(l).await?, api::licences(l).await?, api::draft(&bundle, l).await.unwrap_or_default()),
    };
    // Pre-fill from the profile, then the draft on top: what the person typed last wins.
    let mut values = Values::new();
    for f in &form.fields {
        if let Some(v) = f.field.profile.as_ref().and_then(|k| profile.values.get(k)) {
            values.insert(f.field.key.clone(), v.clone());
        }
    }
    values.extend(draft.values);
    Ok(Loaded { form, values, licences, draft_at: draft.updated_at, who })
}

#[component]
pub fn ApplyPage() -> impl IntoView {
    use_title(|l| page(l).one_form_application.to_string());
    let p = prefs();
    let params = use_params_map();
    let bundle = Memo::new(move |_| params.get().get("bundle").unwrap_or_default());
    let q = use_query_map().get_untracked();
    let for_id = q.get("for").filter(|c| !c.is_empty());
    let center0 = q.get("center").filter(|c| !c.is_empty());
    use tongban_shared::account::Role;
    const APPLICANTS: &[Role] = &[Role::Resident, Role::Business];
    const DESK: &[Role] = &[Role::WindowStaff, Role::CenterAdmin, Role::DistrictAdmin];
    view! {
        <h1>{pt(|m| m.one_form_application)}</h1>
        {for_id.clone().map(|id| view! { <p class="notice" role="status" id="proxy-note">{pt(|m| m.entering_at_the_window_for)}{tongban_shared::ids::mask_id(&id)}</p> })}
        {guarded(Some(if for_id.is_some() { DESK } else { APPLICANTS }), move |me| {
            // The front desk enters at its own center; an applicant defaults to the district center.
            let center = center0.clone().or(me.center_id.clone()).unwrap_or_else(|| "putuo-district".into());
            let for_id = for_id.clone();
            let f2 = for_id.clone();
            let data = LocalResource::new(move || {
                let (b, l, f) = (bundle.get(), p.lang.get(), f2.clone());
                async move { load(b, f, l).await.map(std::sync::Arc::new) }
            });
            view! {
                {move || match data.get() {
                    None => view! { <crate::components::Loading/> }.into_any(),
                    Some(Err(e)) => view! { <crate::components::ErrorBox error=e retry=None/> }.into_any(),
                    Some(Ok(d)) => view! { <Form data=d bundle=bundle.get_untracked() center=center.clone() for_id=for_id.clone()/> }.into_any(),
                }}
            }
        })}
    }
}

#[component]
fn Form(data: std::sync::Arc<Loaded>, bundle: String, center: String, for_id: Option<String>) -> impl IntoView {
    let proxy = for_id.is_some();
    let proxy_consent = RwSignal::new(false);
    let values = RwSignal::new(data.values.clone());
    let errors = RwSignal::new(BTreeMap::<String, ErrorCode>::new());
    let consent = RwSignal::new(BTreeSet::<String>::new());
    let file_names = RwSignal::new(BTreeMap::<String, String>::new());
    let save_profile = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let saved_at = RwSignal::new(data.draft_at);
    let dirty = RwSignal::new(false);
    let top_error = RwSignal::new(None::<Text>);
    let key = random_key();
    let lang_sig = prefs().lang;
    let form = data.form.clone();
    let navigate = use_navigate();

    // The draft saves itself every 5 seconds while something changed (no context reads in the callback).
    let b2 = bundle.clone();
    if let Ok(h) = set_interval_with_handle(
        move || {
            if proxy || !dirty.get_untracked() || busy.get_untracked() {
                return;
            }
            dirty.set(false);
            let (b, v, l) = (b2.clone(), values.get_untracked(), lang_sig.get_untracked());
            leptos::task::spawn_local(async move {
                if let Ok(d) = api::save_draft(&b, &Draft { values: v, updated_at: None }, l).await {
                    saved_at.set(d.updated_at);
                }
            });
        },
        std::time::Duration::from_secs(5),
    ) {
        on_cleanup(move || h.clear());
    }

    let set = move |k: String, v: String| {
        values.update(|m| {
            if v.is_empty() {
                m.remove(&k);
            } else {
                m.insert(k.clone(), v);
            }
        });
        errors.update(|e| {
            e.remove(&k);
        });
        dirty.set(true);
    };

    let f_submit = form.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let v = values.get_untracked();
        let problems = f_submit.validate(&v);
        if !problems.is_empty() {
            errors.set(problems.iter().map(|p| (p.key.clone(), p.code)).collect());
            top_error.set(Some(Text::new(
                format!("有 {} 项需要修改，已在下方标出", problems.len()),
                format!("{} fields need attention; they are marked below", problems.len()),
            )));
            if let Some(el) = document().get_element_by_id(&format!("f-{}", problems[0].key)) {
                use wasm_bindgen::JsCast;
                if let Ok(h) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = h.focus();
                }
            }
            return;
        }
        top_error.set(None);
        busy.set(true);
        let a = NewApplication {
            bundle_id: f_submit.bundle_id.clone(),
            center_id: center.clone(),
            values: v,
            consent: consent.get_untracked().into_iter().collect(),
            save_profile: save_profile.get_untracked() && for_id.is_none(),
            on_behalf: for_id.clone().map(|id| tongban_shared::application::OnBehalf { id_number: id, consent: proxy_consent.get_untracked() }),
        };
        let (key, l, nav) = (key.clone(), lang(), navigate.clone());
        leptos::task::spawn_local(async move {
            match api::submit_application(&a, &key, l).await {
                Ok(Ok(app)) => {
                    nav(&if a.on_behalf.is_some() { format!("/staff/desk/{}", app.id) } else { format!("/applications/{}", app.id) }, Default::default())
                }
                Ok(Err(problems)) => {
                    errors.set(problems.iter().map(|p| (p.key.clone(), p.code)).collect());
                    top_error.set(Some(ErrorCode::InvalidForm.text()));
                }
                Err(e) => top_error.set(Some(e.text())),
            }
            busy.set(false);
        });
    };

    let steps: Vec<(Step, Vec<MergedField>)> =
        Step::ALL.iter().map(|s| (*s, form.fields.iter().filter(|f| f.field.step == *s).cloned().collect::<Vec<_>>())).filter(|(_, f)| !f.is_empty()).collect();
    let (asked, sum) = (form.asked, form.sum_of_items);
    let licences = data.licences.clone();
    let who = std::sync::Arc::new(data.who.clone());
    view! {
        <p class="lead" id="form-saving">{move || crate::i18n::fill(page(lang()).one_form_for, &[("items", &form.items.len()), ("asked", &asked), ("sum", &sum)])}</p>
        <p class="meta" role="status" id="draft-status">{move || saved_at.get().map(|_| pt(|m| m.draft_saved_you_can_continue)())}</p>
        <form class="stack apply-form" on:submit=submit novalidate=true>
            {steps.into_iter().map(|(step, fields)| {
                let licences = licences.clone();
                let who = who.clone();
                view! {
                    <fieldset class="step">
                        <legend><h2>{tx(&step.label())}</h2></legend>
                        {fields.into_iter().map(|m| field_view(m, values, errors, consent, file_names, licences.clone(), who.clone(), set)).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
            {if proxy {
                view! { <label class="check"><input type="checkbox" id="proxy-consent" prop:checked=move || proxy_consent.get() on:change=move |ev| proxy_consent.set(event_target_checked(&ev))/>" "{pt(|m| m.the_applicant_agreed_in_person)}</label> }.into_any()
            } else {
                view! { <label class="check"><input type="checkbox" id="save-profile" prop:checked=move || save_profile.get() on:change=move |ev| save_profile.set(event_target_checked(&ev))/>" "{pt(|m| m.keep_the_basic_information_i)}</label> }.into_any()
            }}
            <p class="error-line" role="alert" id="form-error">{move || top_error.get().map(|e| tx(&e))}</p>
            <button type="submit" class="button primary" id="submit-application" disabled=move || busy.get()>{pt(|m| m.submit)}</button>
        </form>
    }
}

#[allow(clippy::too_many_arguments)]
fn field_view(
    m: MergedField,
    values: RwSignal<Values>,
    errors: RwSignal<BTreeMap<String, ErrorCode>>,
    consent: RwSignal<BTreeSet<String>>,
    file_names: RwSignal<BTreeMap<String, String>>,
    licences: Vec<ELicence>,
    who: std::sync::Arc<BTreeMap<String, (Text, Text)>>,
    set: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let f = m.field.clone();
    let key = f.key.clone();
    let id = format!("f-{key}");
    let err_id = format!("e-{key}");
    let shared = m.items.len();
    let f_vis = f.clone();
    let k_err = key.clone();
    let error = move || errors.get().get(&k_err).map(|c| tx(&c.text()));
    let label = f.label.clone();
    let required = f.required;
    let head = {
        let id = id.clone();
        view! {
            <label for=id>{tx(&label)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
            {(!f.hint.zh.is_empty()).then(|| view! { <p class="hint">{tx(&f.hint)}</p> })}
            {(shared > 1).then(|| view! { <p class="hint shared-note">{move || crate::i18n::fill(page(lang()).asked_once, &[("n", &shared)])}</p> })}
        }
    };
    let k = key.clone();
    let current = move || values.get().get(&k).cloned().unwrap_or_default();
    let k_blur = key.clone();
    let kind_blur = f.kind.clone();
    let on_blur = move |_| {
        let v = values.get_untracked().get(&k_blur).cloned().unwrap_or_default();
        if !v.trim().is_empty() {
            if let Err(c) = check_value(&kind_blur, &v) {
                errors.update(|e| {
                    e.insert(k_blur.clone(), c);
                });
            }
        }
    };
    let k_in = key.clone();
    let on_input = move |ev: leptos::ev::Event| set(k_in.clone(), event_target_value(&ev));
    let control = match &f.kind {
        FieldKind::Choice { options } => {
            let options = options.clone();
            let c2 = current.clone();
            view! {
                <select id=id.clone() aria-describedby=err_id.clone() aria-required=required.to_string() on:change=on_input>
                    <option value="">{pt(|m| m.choose)}</option>
                    {options.into_iter().map(|o| { let v = o.value.clone(); let c = c2.clone(); view! { <option value=o.value.clone() selected=move || c() == v>{tx(&o.label)}</option> } }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldKind::ELicence { licence, .. } => {
            let mine: Vec<ELicence> = licences.iter().filter(|l| &l.licence == licence).cloned().collect();
            let receivers: Vec<(Text, Text)> = m.items.iter().filter_map(|i| who.get(i).cloned()).collect();
            let k = key.clone();
            if mine.is_empty() {
                view! { <p class="hint" id=id.clone() tabindex="-1">{pt(|m| m.no_such_licence_in_your)}</p> }.into_any()
            } else {
                view! {
                    <div class="licences" id=id.clone() tabindex="-1">
                        {mine.into_iter().map(|l| {
                            let (lid, lid2, lid3) = (l.id.clone(), l.id.clone(), l.id.clone());
                            let k2 = k.clone();
                            let cur = current.clone();
                            let receivers = receivers.clone();
                            view! {
                                <div class="licence card">
                                    <label class="check"><input type="radio" name=k.clone() value=lid.clone() prop:checked=move || cur() == lid2 on:change=move |_| set(k2.clone(), lid3.clone())/>" "<strong>{tx(&l.name)}</strong>" · "{l.number.clone()}</label>
                                    <p class="meta">{tx(&l.issuer)}" · "{l.issued_on.clone()}</p>
                                    <details class="share-preview" open=true>
                                        <summary>{pt(|m| m.before_you_share_which_departments)}</summary>
                                        <ul class="receivers">{receivers.iter().map(|(item, dept)| view! { <li>{tx(dept)}" ("{tx(item)}")"</li> }).collect_view()}</ul>
                                        <dl class="facts">{l.fields.iter().map(|(fk, fv)| view! { <div><dt>{fk.clone()}</dt><dd>{fv.clone()}</dd></div> }).collect_view()}</dl>
                                    </details>
                                    <label class="check"><input type="checkbox" class="consent" prop:checked={ let l = lid.clone(); move || consent.get().contains(&l) } on:change={ let l = lid.clone(); move |ev| { let on = event_target_checked(&ev); consent.update(|c| { if on { c.insert(l.clone()); } else { c.remove(&l); } }); } }/>" "{pt(|m| m.i_agree_to_share_these)}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
                .into_any()
            }
        }
        FieldKind::File { .. } => {
            let (k, k2) = (key.clone(), key.clone());
            let lang_sig = prefs().lang;
            // Percent sent while an upload is under way; the last file chosen, so a failed upload can be
            // sent again without choosing it anew.
            let sending = RwSignal::new(None::<u32>);
            let last = StoredValue::new_local(None::<web_sys::File>);
            let k_fail = key.clone();
            let failed = move || errors.get().contains_key(&k_fail) && last.with_value(|f| f.is_some()) && sending.get().is_none();
            let start = move |file: web_sys::File, k: String| {
                last.set_value(Some(file.clone()));
                errors.update(|e| {
                    e.remove(&k);
                });
                sending.set(Some(0));
                let l = lang_sig.get_untracked();
                leptos::task::spawn_local(async move {
                    let result = api::upload(&file, l, move |p| sending.set(Some(p))).await;
                    sending.set(None);
                    match result {
                        Ok(u) => {
                            file_names.update(|n| {
                                n.insert(k.clone(), u.name.clone());
                            });
                            set(k, u.id);
                        }
                        Err(api::ApiError::Server { code: Some(c), .. }) => errors.update(|e| {
                            e.insert(k, c);
                        }),
                        Err(_) => errors.update(|e| {
                            e.insert(k, ErrorCode::Unavailable);
                        }),
                    }
                });
            };
            let k_retry = key.clone();
            view! {
                <input type="file" id=id.clone() accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" aria-describedby=err_id.clone()
                    aria-busy=move || sending.get().is_some().to_string() disabled=move || sending.get().is_some() on:change=move |ev| {
                    use wasm_bindgen::JsCast;
                    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
                    if let Some(file) = input.files().and_then(|fl| fl.get(0)) {
                        start(file, k.clone());
                    }
                }/>
                {move || sending.get().map(|p| view! {
                    <div class="upload-progress" role="status">
                        <progress max="100" value=p.to_string() aria-label=pt(|m| m.upload_progress)></progress>
                        " "{move || crate::i18n::fill(page(lang()).uploading, &[("p", &p)])}
                    </div>
                })}
                {move || failed().then(|| {
                    let k = k_retry.clone();
                    view! { <button type="button" class="button retry-upload" on:click=move |_| if let Some(f) = last.get_value() { start(f, k.clone()) }>{pt(|m| m.upload_again)}</button> }
                })}
                <p class="meta">{move || file_names.get().get(&k2).map(|n| format!("✓ {n}"))}</p>
            }
            .into_any()
        }
        kind => {
            let (ty, mode) = match kind {
                FieldKind::Number { .. } => ("text", Some("numeric")),
                FieldKind::Date => ("date", None),
                FieldKind::Mobile => ("tel", Some("tel")),
                _ => ("text", None),
            };
            let auto = match f.profile.as_deref() {
                Some("name") => "name",
                Some("mobile") => "tel",
                Some("address") => "street-address",
                Some("company_name") => "organization",
                _ => "off",
            };
            view! {
                <input id=id.clone() type=ty inputmode=mode autocomplete=auto aria-describedby=err_id.clone() aria-required=required.to_string()
                    aria-invalid=move || errors.get().contains_key(&key).to_string() prop:value=current on:input=on_input on:blur=on_blur/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" style:display=move || if visible(&f_vis, &values.get()) { "" } else { "none" }>
            {head}
            {control}
            <p class="field-error" id=err_id aria-live="polite">{error}</p>
        </div>
    }
}
