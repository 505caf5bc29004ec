//! `/staff/appraisal/:id`: one staff member's 好差评 results by month (人员考核 uses them). Visible to
//! the staff member and to admins of their scope; the edge decides.

use crate::api;
use crate::components::{async_view, guarded, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::prefs;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tongban_shared::authz::STAFF;

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v}%"))
}

#[component]
pub fn AppraisalPage() -> impl IntoView {
    use_title(|l| msgs(l).appraisal_title.to_string());
    let p = prefs();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").unwrap_or_default());
    view! {
        <h1>{tr(|m| m.appraisal_title)}</h1>
        {guarded(Some(STAFF), move |_| {
            let a = LocalResource::new(move || {
                let (id, l) = (id.get(), p.lang.get());
                async move { api::staff_appraisal(&id, l).await }
            });
            view! {
                {async_view(a, move |a| {
                    let t = a.total.clone();
                    view! {
                        <p class="lead" id="appraisal-name">{a.name.clone()}</p>
                        <dl class="facts">
                            <div><dt>{tr(|m| m.services)}</dt><dd>{t.tally.services}</dd></div>
                            <div><dt>{tr(|m| m.reviews_n)}</dt><dd id="appraisal-reviews">{t.tally.reviews}</dd></div>
                            <div><dt>{tr(|m| m.good_rate)}</dt><dd>{pct(t.good_rate)}</dd></div>
                            <div><dt>{tr(|m| m.bad_n)}</dt><dd>{t.tally.bad}</dd></div>
                        </dl>
                        <ul class="badges">
                            {t.satisfaction.iter().map(|s| view! { <li class="badge">{tx(&s.indicator.label())}" "{format!("{:.2}", s.avg)}</li> }).collect_view()}
                        </ul>
                        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="appraisal-caption">
                            <table class="data">
                                <caption id="appraisal-caption">{tr(|m| m.appraisal_title)}</caption>
                                <thead><tr>
                                    <th scope="col">{tr(|m| m.month)}</th>
                                    <th scope="col">{tr(|m| m.services)}</th>
                                    <th scope="col">{tr(|m| m.reviews_n)}</th>
                                    <th scope="col">{tr(|m| m.evaluation_rate)}</th>
                                    <th scope="col">{tr(|m| m.good_rate)}</th>
                                    <th scope="col">{tr(|m| m.bad_n)}</th>
                                </tr></thead>
                                <tbody>
                                    {a.months.iter().rev().map(|m| view! {
                                        <tr>
                                            <th scope="row">{m.month.clone()}</th>
                                            <td>{m.figures.tally.services}</td>
                                            <td>{m.figures.tally.reviews}</td>
                                            <td>{pct(m.figures.evaluation_rate)}</td>
                                            <td>{pct(m.figures.good_rate)}</td>
                                            <td>{m.figures.tally.bad}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
            }
        })}
    }
}
