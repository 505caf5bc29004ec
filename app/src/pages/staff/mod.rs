//! `/staff…`: the staff console. What each role sees follows `tongban_shared::authz`; the edge enforces it.

pub mod appraisal;
pub mod audit;
pub mod center;
pub mod desk;
pub mod lookup;
pub mod posts;
pub mod work_orders;

use crate::components::guarded;
use crate::i18n::use_title;
use crate::i18n::{msgs, role_label, tr};
use crate::state::lang;
use leptos::prelude::*;
use leptos_router::components::A;
use tongban_shared::authz::{ADMINS, FRONT_DESK, STAFF};

crate::i18n::page_msgs! {
    front_desk_applications: "综合受理（一表申请）" / "Front desk: applications",
    my_department_s_cases: "部门办件" / "My department's cases",
}

#[component]
pub fn StaffHome() -> impl IntoView {
    use_title(|l| msgs(l).staff_console.to_string());
    view! {
        <h1>{tr(|m| m.staff_console)}</h1>
        {guarded(Some(STAFF), |me| view! {
            <p class="meta">{me.name.clone()}" · "{move || role_label(lang(), me.role)}</p>
            <ul class="cards">
                {matches!(me.role, tongban_shared::account::Role::Approver | tongban_shared::account::Role::CenterAdmin | tongban_shared::account::Role::DistrictAdmin).then(|| view! {
                    <li class="card"><A href="/staff/work-orders" attr:class="card-link"><span class="card-title">{tr(|m| m.work_orders)}</span></A><p class="meta">{tr(|m| m.work_orders_hint)}</p></li>
                })}
                <li class="card"><A href=format!("/staff/appraisal/{}", me.id) attr:class="card-link"><span class="card-title">{tr(|m| m.my_appraisal)}</span></A></li>
                <li class="card"><A href="/dashboard" attr:class="card-link"><span class="card-title">{tr(|m| m.dashboard_link)}</span></A></li>
                {FRONT_DESK.contains(&me.role).then(|| view! {
                    <li class="card"><A href="/staff/desk" attr:class="card-link"><span class="card-title">{pt(|m| m.front_desk_applications)}</span></A></li>
                })}
                {(me.role == tongban_shared::account::Role::Approver).then(|| view! {
                    <li class="card"><A href="/staff/cases" attr:class="card-link"><span class="card-title">{pt(|m| m.my_department_s_cases)}</span></A></li>
                })}
                {FRONT_DESK.contains(&me.role).then(|| view! {
                    <li class="card"><A href="/staff/window" attr:class="card-link"><span class="card-title">{tr(|m| m.window_console)}</span></A></li>
                    <li class="card"><A href="/staff/lookup" attr:class="card-link"><span class="card-title">{tr(|m| m.lookup)}</span></A><p class="meta">{tr(|m| m.lookup_hint)}</p></li>
                })}
                {ADMINS.contains(&me.role).then(|| view! {
                    <li class="card"><A href="/staff/posts" attr:class="card-link"><span class="card-title">{tr(|m| m.posts)}</span></A></li>
                    <li class="card"><A href="/staff/center" attr:class="card-link"><span class="card-title">{tr(|m| m.center_config)}</span></A><p class="meta">{tr(|m| m.config_hint)}</p></li>
                    <li class="card"><A href="/staff/audit" attr:class="card-link"><span class="card-title">{tr(|m| m.audit)}</span></A><p class="meta">{tr(|m| m.audit_hint)}</p></li>
                })}
            </ul>
        })}
    }
}
