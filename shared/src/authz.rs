//! The one place that decides who may do what. Each API route declares an [`Access`] rule in the edge's
//! route table and the dispatcher enforces it before any handler runs; finer, per-record rules (a
//! resident's own data, a staff member's own center) are the functions below, called by the handlers.
//! The app only hides what these already forbid.

use crate::account::Role;
use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};

/// Route-level rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the catalogue, registration, sign-in).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users with one of these roles.
    Roles(&'static [Role]),
}

pub const STAFF: &[Role] = &[Role::WindowStaff, Role::Approver, Role::CenterAdmin, Role::DistrictAdmin];
pub const ADMINS: &[Role] = &[Role::CenterAdmin, Role::DistrictAdmin];
pub const RESIDENTS: &[Role] = &[Role::Resident];
/// The two sides of an agent invitation.
pub const RESIDENTS_AND_BUSINESSES: &[Role] = &[Role::Resident, Role::Business];
/// Staff who meet people at a counter and may look a person up.
pub const FRONT_DESK: &[Role] = &[Role::WindowStaff, Role::CenterAdmin, Role::DistrictAdmin];

impl Access {
    /// `Unauthenticated` (401) when a sign-in is needed, `Forbidden` (403) when the role is wrong.
    pub fn check(self, role: Option<Role>) -> Result<(), ErrorCode> {
        match (self, role) {
            (Access::Public, _) => Ok(()),
            (_, None) => Err(ErrorCode::Unauthenticated),
            (Access::SignedIn, Some(_)) => Ok(()),
            (Access::Roles(allowed), Some(r)) if allowed.contains(&r) => Ok(()),
            (Access::Roles(_), Some(_)) => Err(ErrorCode::Forbidden),
        }
    }
}

/// Who is acting, with the scope a staff post gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Principal {
    pub account_id: String,
    pub role: Role,
    /// The center a window staff member or center admin works at.
    pub center_id: Option<String>,
    /// The department an approver works for.
    pub dept_id: Option<String>,
    /// Signed in with a temporary password: only changing it (and reading who one is, signing out) is allowed.
    #[serde(default)]
    pub must_change_password: bool,
}

/// Whether a staff member acts for `center`: their own center, or any as district admin.
pub fn works_at(p: &Principal, center: &str) -> bool {
    p.role == Role::DistrictAdmin || (p.role.is_staff() && p.center_id.as_deref() == Some(center))
}

/// [`works_at`] as the check every center-scoped handler makes: staff of another center are told
/// `wrong_center` (403), whatever the resource.
pub fn require_center(p: &Principal, center: &str) -> Result<(), crate::ErrorCode> {
    if works_at(p, center) {
        Ok(())
    } else {
        Err(crate::ErrorCode::WrongCenter)
    }
}

/// Which center's front-desk work a caller sees: every center for the district admin, their own for
/// other staff. A staff row without a center sees none (403), never every center.
pub fn desk_scope(p: &Principal) -> Result<Option<&str>, crate::ErrorCode> {
    match (p.role, p.center_id.as_deref()) {
        (Role::DistrictAdmin, _) => Ok(None),
        (r, Some(c)) if r.is_staff() => Ok(Some(c)),
        _ => Err(crate::ErrorCode::Forbidden),
    }
}

/// Whether `p` serves `center`'s front desk (window staff and admins who work there): who may open a
/// resident's application or its files at the counter, and enter one on a resident's behalf (代办).
pub fn at_front_desk_of(p: &Principal, center: &str) -> bool {
    FRONT_DESK.contains(&p.role) && works_at(p, center)
}

/// Whether `p` approves for `dept` (an approver of that department): who may open and act on its cases.
pub fn approves_for(p: &Principal, dept: &str) -> bool {
    p.role == Role::Approver && p.dept_id.as_deref() == Some(dept)
}

/// Whether `p` may open an uploaded file: its owner always (checked before), the front desk of a center one of
/// its applications went to, or an approver of a department with a case of one of them.
pub fn may_open_upload<'a>(p: &Principal, application_centers: impl IntoIterator<Item = &'a str>, case_in_own_department: bool) -> bool {
    (p.role == Role::Approver && case_in_own_department) || application_centers.into_iter().any(|c| at_front_desk_of(p, c))
}

/// Whether `p` may read the appraisal of the staff member `staff_id` working at `staff_center`: the person
/// themself, the district admin, and the admin of their center.
pub fn may_see_staff_appraisal(p: &Principal, staff_id: &str, staff_center: Option<&str>) -> bool {
    p.account_id == staff_id
        || p.role == Role::DistrictAdmin
        || (p.role == Role::CenterAdmin && staff_center.is_some() && p.center_id.as_deref() == staff_center)
}

/// Which rectification work orders (整改工单) a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderScope<'a> {
    /// An approver: their department's (none when the post has no department).
    Department(Option<&'a str>),
    /// A center admin: their center's.
    Center(Option<&'a str>),
    /// The district admin: all.
    All,
}

pub fn order_scope(p: &Principal) -> Result<OrderScope<'_>, crate::ErrorCode> {
    match p.role {
        Role::Approver => Ok(OrderScope::Department(p.dept_id.as_deref())),
        Role::CenterAdmin => Ok(OrderScope::Center(p.center_id.as_deref())),
        Role::DistrictAdmin => Ok(OrderScope::All),
        _ => Err(crate::ErrorCode::Forbidden),
    }
}

/// Whose staff posts and audit records an admin lists: `None` for every center (the district admin), else
/// their own center's (an admin row without a center lists nothing: `Some("")` matches no center).
pub fn admin_list_scope(p: &Principal) -> Option<&str> {
    match p.role {
        Role::DistrictAdmin => None,
        _ => Some(p.center_id.as_deref().unwrap_or("")),
    }
}

/// Whether `actor` may create or change a staff post of `role` at `center_id` / `dept_id`. District admins
/// manage every post; a center admin manages window staff of their own center only; nobody else any.
pub fn can_manage_post(actor: &Principal, role: Role, center_id: Option<&str>) -> bool {
    match actor.role {
        Role::DistrictAdmin => role.is_staff(),
        Role::CenterAdmin => role == Role::WindowStaff && center_id.is_some() && center_id == actor.center_id.as_deref(),
        _ => false,
    }
}

/// Whether `actor` may read audit records about staff of `center_id` (None: district-level staff).
pub fn can_read_audit(actor: &Principal, center_id: Option<&str>) -> bool {
    match actor.role {
        Role::DistrictAdmin => true,
        Role::CenterAdmin => center_id.is_some() && center_id == actor.center_id.as_deref(),
        _ => false,
    }
}

/// A staff post's scope must fit its role: window staff and center admins have a center, approvers a
/// department, district admins neither.
pub fn post_scope_ok(role: Role, center_id: Option<&str>, dept_id: Option<&str>) -> bool {
    match role {
        Role::WindowStaff | Role::CenterAdmin => center_id.is_some() && dept_id.is_none(),
        Role::Approver => dept_id.is_some() && center_id.is_none(),
        Role::DistrictAdmin => center_id.is_none() && dept_id.is_none(),
        Role::Resident | Role::Business => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, center: Option<&str>) -> Principal {
        Principal { account_id: "a".into(), role, center_id: center.map(Into::into), dept_id: None, must_change_password: false }
    }

    #[test]
    fn the_front_desk_sees_its_own_center_and_a_centerless_row_sees_nothing() {
        assert_eq!(desk_scope(&p(Role::DistrictAdmin, None)), Ok(None), "every center");
        assert_eq!(desk_scope(&p(Role::WindowStaff, Some("wanli"))), Ok(Some("wanli")));
        assert_eq!(desk_scope(&p(Role::CenterAdmin, Some("wanli"))), Ok(Some("wanli")));
        assert_eq!(desk_scope(&p(Role::WindowStaff, None)), Err(crate::ErrorCode::Forbidden), "never every center");
        assert_eq!(desk_scope(&p(Role::Resident, Some("wanli"))), Err(crate::ErrorCode::Forbidden));
    }

    #[test]
    fn the_front_desk_and_files() {
        let desk = p(Role::WindowStaff, Some("wanli"));
        assert!(at_front_desk_of(&desk, "wanli"));
        assert!(!at_front_desk_of(&desk, "changfeng"), "another center's desk");
        assert!(at_front_desk_of(&p(Role::DistrictAdmin, None), "changfeng"));
        assert!(!at_front_desk_of(&p(Role::Approver, Some("wanli")), "wanli"), "approvers are not at a counter");
        assert!(!at_front_desk_of(&p(Role::Resident, Some("wanli")), "wanli"));
        assert!(may_open_upload(&desk, ["changfeng", "wanli"], false));
        assert!(!may_open_upload(&desk, ["changfeng"], true), "a desk does not open files through a department's case");
        assert!(may_open_upload(&p(Role::Approver, None), [], true));
        assert!(!may_open_upload(&p(Role::Approver, None), ["wanli"], false));
        let approver = Principal { dept_id: Some("scjg".into()), ..p(Role::Approver, None) };
        assert!(approves_for(&approver, "scjg"));
        assert!(!approves_for(&approver, "rsj"), "another department's case");
        assert!(!approves_for(&Principal { dept_id: Some("scjg".into()), ..p(Role::CenterAdmin, Some("wanli")) }, "scjg"), "only approvers");
    }

    #[test]
    fn appraisal_orders_and_lists_by_scope() {
        let admin = p(Role::CenterAdmin, Some("wanli"));
        assert!(may_see_staff_appraisal(&admin, "s", Some("wanli")));
        assert!(!may_see_staff_appraisal(&admin, "s", Some("changfeng")));
        assert!(!may_see_staff_appraisal(&p(Role::CenterAdmin, None), "s", None), "no center matches no center");
        assert!(may_see_staff_appraisal(&p(Role::WindowStaff, Some("x")), "a", Some("wanli")), "one's own");
        assert!(!may_see_staff_appraisal(&p(Role::WindowStaff, Some("wanli")), "s", Some("wanli")), "a colleague's");
        assert!(may_see_staff_appraisal(&p(Role::DistrictAdmin, None), "s", Some("wanli")));
        assert_eq!(order_scope(&admin), Ok(OrderScope::Center(Some("wanli"))));
        assert_eq!(order_scope(&p(Role::DistrictAdmin, None)), Ok(OrderScope::All));
        assert_eq!(order_scope(&p(Role::WindowStaff, Some("wanli"))), Err(crate::ErrorCode::Forbidden));
        assert_eq!(admin_list_scope(&admin), Some("wanli"));
        assert_eq!(admin_list_scope(&p(Role::CenterAdmin, None)), Some(""));
        assert_eq!(admin_list_scope(&p(Role::DistrictAdmin, None)), None);
    }

    #[test]
    fn route_rules() {
        assert_eq!(Access::Public.check(None), Ok(()));
        assert_eq!(Access::SignedIn.check(None), Err(ErrorCode::Unauthenticated));
        assert_eq!(Access::SignedIn.check(Some(Role::Resident)), Ok(()));
        assert_eq!(Access::Roles(ADMINS).check(Some(Role::Resident)), Err(ErrorCode::Forbidden));
        assert_eq!(Access::Roles(ADMINS).check(Some(Role::WindowStaff)), Err(ErrorCode::Forbidden));
        assert_eq!(Access::Roles(ADMINS).check(Some(Role::CenterAdmin)), Ok(()));
        assert_eq!(Access::Roles(ADMINS).check(None), Err(ErrorCode::Unauthenticated));
    }

    #[test]
    fn center_admins_manage_only_their_own_window_staff() {
        let ca = p(Role::CenterAdmin, Some("wanli"));
        assert!(can_manage_post(&ca, Role::WindowStaff, Some("wanli")));
        assert!(!can_manage_post(&ca, Role::WindowStaff, Some("taopu")));
        assert!(!can_manage_post(&ca, Role::CenterAdmin, Some("wanli")), "no self-promotion of peers");
        assert!(!can_manage_post(&ca, Role::Approver, None));
        let da = p(Role::DistrictAdmin, None);
        assert!(can_manage_post(&da, Role::Approver, None) && can_manage_post(&da, Role::CenterAdmin, Some("taopu")));
        assert!(!can_manage_post(&da, Role::Resident, None));
        assert!(!can_manage_post(&p(Role::WindowStaff, Some("wanli")), Role::WindowStaff, Some("wanli")));
    }

    #[test]
    fn audit_visibility() {
        assert!(can_read_audit(&p(Role::DistrictAdmin, None), Some("x")));
        assert!(can_read_audit(&p(Role::CenterAdmin, Some("x")), Some("x")));
        assert!(!can_read_audit(&p(Role::CenterAdmin, Some("x")), Some("y")));
        assert!(!can_read_audit(&p(Role::CenterAdmin, Some("x")), None));
        assert!(!can_read_audit(&p(Role::WindowStaff, Some("x")), Some("x")));
    }

    #[test]
    fn scopes() {
        assert!(post_scope_ok(Role::WindowStaff, Some("c"), None));
        assert!(!post_scope_ok(Role::WindowStaff, None, None));
        assert!(post_scope_ok(Role::Approver, None, Some("scjg")));
        assert!(!post_scope_ok(Role::Approver, Some("c"), Some("scjg")));
        assert!(post_scope_ok(Role::DistrictAdmin, None, None));
        assert!(!post_scope_ok(Role::Resident, None, None));
    }
}
