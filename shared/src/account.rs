//! Accounts and who is asking: registration and sign-in requests, their validation (run in the browser
//! as the user types and again at the edge), roles, and what a user may see of their own data.

use crate::error::{ErrorCode, FieldError};
use crate::{ids, password};
use serde::{Deserialize, Serialize};

/// Staff sessions end after 30 idle minutes (shared desks); residents stay signed in for 7 days with
/// "remember me", else for the browser session's 12 hours at most.
pub const STAFF_IDLE_SECS: i64 = 30 * 60;
/// A staff session ends 12 hours after sign-in however active it was (a shift), and the idle timer is
/// renewed only by the person's own requests: a page's timer (the inbox count, the window console's
/// refresh) sends [`BACKGROUND_HEADER`] and renews nothing, so a desk left open still signs out.
pub const STAFF_ABSOLUTE_SECS: i64 = 12 * 3600;
pub const BACKGROUND_HEADER: &str = "X-Background";
/// The idle timer moves at most once a minute: a read does not cost a D1 write each time.
pub const RENEW_EVERY_SECS: i64 = 60;
pub const RESIDENT_REMEMBER_SECS: i64 = 7 * 24 * 3600;
pub const RESIDENT_SESSION_SECS: i64 = 12 * 3600;

pub use crate::throttle::{MAX_FAILS_PER_ACCOUNT, MAX_FAILS_PER_CLIENT, PACE_MAX_WAIT_SECS, PACE_MS, THROTTLE_WINDOW_SECS};

/// The key a client's attempts are counted under: an IPv4 address as it is, an IPv6 address by its /64.
/// One subscriber line or phone is given a whole /64, so counting single IPv6 addresses would let one
/// client rotate through 2^64 of them. Anything that does not parse is its own key.
pub fn client_key(addr: &str) -> String {
    let addr = addr.trim();
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => addr.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 个人
    Resident,
    /// 法人 (the business account itself)
    Business,
    /// 综合窗口人员, bound to a center
    WindowStaff,
    /// 部门审批人员, bound to a department
    Approver,
    CenterAdmin,
    /// 区政府办公室
    DistrictAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Business => "business",
            Role::WindowStaff => "window_staff",
            Role::Approver => "approver",
            Role::CenterAdmin => "center_admin",
            Role::DistrictAdmin => "district_admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Resident, Role::Business, Role::WindowStaff, Role::Approver, Role::CenterAdmin, Role::DistrictAdmin].into_iter().find(|r| r.as_str() == s)
    }
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Resident | Role::Business)
    }
    pub fn session_secs(self, remember: bool) -> i64 {
        match (self.is_staff(), remember) {
            (true, _) => STAFF_IDLE_SECS,
            (false, true) => RESIDENT_REMEMBER_SECS,
            (false, false) => RESIDENT_SESSION_SECS,
        }
    }
}

/// Whether a session is still alive at `now`: before its expiry, and for a staff session (it has an
/// idle timer) within `absolute_secs` of its start.
pub fn session_alive(now: i64, created_at: i64, expires_at: i64, idle_secs: i64, absolute_secs: i64) -> bool {
    expires_at > now && (idle_secs == 0 || created_at + absolute_secs > now)
}

/// The new expiry of a staff session after a request, if it should be written: only for the person's own
/// request (not a background one), and only once the timer would move by at least [`RENEW_EVERY_SECS`].
/// Never past the absolute end.
pub fn renewed_expiry(now: i64, created_at: i64, expires_at: i64, idle_secs: i64, absolute_secs: i64, own_action: bool) -> Option<i64> {
    if idle_secs == 0 || !own_action {
        return None;
    }
    let next = (now + idle_secs).min(created_at + absolute_secs);
    (next - expires_at >= RENEW_EVERY_SECS).then_some(next)
}

/// 个人注册.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegisterResident {
    /// Real name as on the ID card.
    pub name: String,
    /// 18-character resident ID number.
    pub id_number: String,
    /// 11-digit mainland mobile number.
    pub mobile: String,
    pub password: String,
}

/// A registration after validation: normalised values, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidResident {
    pub name: String,
    pub id_number: String,
    pub mobile: String,
}

/// A real name: 2–30 characters, letters (any script), the middle dot of minority and foreign names
/// (·), spaces and hyphens; no digits or symbols.
pub fn name(input: &str) -> Result<String, ErrorCode> {
    let s = input.trim();
    let n = s.chars().count();
    let ok = (2..=30).contains(&n) && s.chars().all(|c| c.is_alphabetic() || matches!(c, '·' | '•' | ' ' | '-' | '.'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(ErrorCode::InvalidName)
    }
}

impl RegisterResident {
    /// Every field's problem at once, so the form can show them all next to their fields.
    pub fn validate(&self) -> Result<ValidResident, Vec<FieldError>> {
        let mut errs = Vec::new();
        let name = name(&self.name).map_err(|c| errs.push(FieldError::new(c, "name"))).ok();
        let id = ids::resident_id(&self.id_number).map_err(|c| errs.push(FieldError::new(c, "id_number"))).ok();
        let mobile = ids::mobile(&self.mobile).map_err(|c| errs.push(FieldError::new(c, "mobile"))).ok();
        if let Err(c) = password::check(&self.password) {
            errs.push(FieldError::new(c, "password"));
        }
        match (name, id, mobile) {
            (Some(name), Some(id_number), Some(mobile)) if errs.is_empty() => Ok(ValidResident { name, id_number, mobile }),
            _ => Err(errs),
        }
    }
}

/// 法人注册: the business account, registered by its legal representative.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RegisterBusiness {
    /// 18-character unified social credit code.
    pub uscc: String,
    pub company_name: String,
    pub legal_rep_name: String,
    pub legal_rep_id_number: String,
    /// Contact mobile.
    pub mobile: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidBusiness {
    pub uscc: String,
    pub company_name: String,
    pub legal_rep_name: String,
    pub legal_rep_id_number: String,
    pub mobile: String,
}

/// A company name as on the licence: 2–100 characters, no control characters or markup brackets.
pub fn company_name(input: &str) -> Result<String, ErrorCode> {
    let s = input.trim();
    let ok = (2..=100).contains(&s.chars().count()) && !s.chars().any(|c| c.is_control() || matches!(c, '<' | '>'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(ErrorCode::InvalidCompany)
    }
}

impl RegisterBusiness {
    pub fn validate(&self) -> Result<ValidBusiness, Vec<FieldError>> {
        let mut errs = Vec::new();
        let uscc = ids::uscc(&self.uscc).map_err(|c| errs.push(FieldError::new(c, "uscc"))).ok();
        let company = company_name(&self.company_name).map_err(|c| errs.push(FieldError::new(c, "company_name"))).ok();
        let rep = name(&self.legal_rep_name).map_err(|c| errs.push(FieldError::new(c, "legal_rep_name"))).ok();
        let rep_id = ids::resident_id(&self.legal_rep_id_number).map_err(|c| errs.push(FieldError::new(c, "legal_rep_id_number"))).ok();
        let mobile = ids::mobile(&self.mobile).map_err(|c| errs.push(FieldError::new(c, "mobile"))).ok();
        if let Err(c) = password::check(&self.password) {
            errs.push(FieldError::new(c, "password"));
        }
        match (uscc, company, rep, rep_id, mobile) {
            (Some(uscc), Some(company_name), Some(legal_rep_name), Some(legal_rep_id_number), Some(mobile)) if errs.is_empty() => {
                Ok(ValidBusiness { uscc, company_name, legal_rep_name, legal_rep_id_number, mobile })
            }
            _ => Err(errs),
        }
    }
}

/// An agent (经办人) of a business, as the business sees them: masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub id_number: String,
    pub added_at: i64,
}

pub use crate::throttle::{INVITES_PER_WINDOW, INVITE_WINDOW_SECS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Pending,
    Accepted,
    Declined,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "pending",
            InvitationState::Accepted => "accepted",
            InvitationState::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<InvitationState> {
        [InvitationState::Pending, InvitationState::Accepted, InvitationState::Declined].into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> crate::Text {
        match self {
            InvitationState::Pending => crate::Text::new("待对方确认", "Waiting for them"),
            InvitationState::Accepted => crate::Text::new("已接受", "Accepted"),
            InvitationState::Declined => crate::Text::new("已拒绝", "Declined"),
        }
    }
}

/// An invitation to act as a business's agent (经办人). The business sees the masked number and the state,
/// never whether the number belongs to an account; the resident sees the business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentInvitation {
    pub id: String,
    /// Masked, e.g. `1101**********002X`.
    pub id_number: String,
    pub state: InvitationState,
    pub created_at: i64,
    /// For the invited resident: who is asking.
    #[serde(default)]
    pub business: Option<BusinessRef>,
}

/// A resident's answer to an invitation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvitationAnswer {
    pub accept: bool,
}

/// Adding an agent: the resident's ID number. It sends an invitation; they become an agent only by
/// accepting it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddAgent {
    pub id_number: String,
}

/// A business an agent may act for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BusinessRef {
    pub id: String,
    pub uscc: String,
    pub company_name: String,
}

/// Changing the password ends every other session of the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Deleting an account needs the password again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteAccount {
    pub password: String,
}

/// Who looked at my full personal data, when and why (from the audit log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccessRecord {
    pub at: i64,
    /// The staff member's login (a post, not a person's private data).
    pub by: String,
    pub center_id: Option<String>,
    pub reason: String,
}

/// 登录: by ID number (residents, staff) or credit code (businesses), with a password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Login {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub remember: bool,
}

impl Login {
    /// The normalised login: an ID number, a credit code, or a staff login name as typed (trimmed).
    pub fn normalised(&self) -> String {
        let t = self.login.trim();
        ids::resident_id(t).or_else(|_| ids::uscc(t)).unwrap_or_else(|_| t.to_string())
    }
}

/// Stable account id of a seeded (demo) account, from its login: the seed stays idempotent and tests can
/// name the demo accounts. Real accounts get random ids.
pub fn seed_account_id(login: &str) -> String {
    use crate::etag::fnv1a64;
    format!("{:016x}{:016x}", fnv1a64(login.as_bytes()), fnv1a64(format!("{login}#").as_bytes()))
}

/// What a signed-in user sees of themselves: masked wherever the full value is not needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Me {
    pub id: String,
    pub role: Role,
    /// Masked, e.g. `张**`.
    pub name: String,
    /// Masked, e.g. `3401**********001X`.
    pub id_number: String,
    /// Masked, e.g. `138****5678`.
    pub mobile: String,
    /// For staff: the center or department of their post.
    #[serde(default)]
    pub center_id: Option<String>,
    #[serde(default)]
    pub dept_id: Option<String>,
    /// Signed in with a temporary password an admin set: it must be changed before anything else.
    #[serde(default)]
    pub must_change_password: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn client_keys_group_ipv6_by_64() {
        assert_eq!(client_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:ffff:ffff:ffff:fffe"), client_key("2001:0db8:0001:0002::9"));
        assert_ne!(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:3::1"));
        assert_eq!(client_key("::ffff:198.51.100.4"), "198.51.100.4");
        assert_eq!(client_key("local"), "local");
    }

    #[test]
    fn staff_sessions_end_by_inactivity_and_by_the_clock_and_background_reads_renew_nothing() {
        let (start, idle, abs) = (1_000_000, STAFF_IDLE_SECS, STAFF_ABSOLUTE_SECS);
        assert!(session_alive(start + 10, start, start + idle, idle, abs));
        assert!(!session_alive(start + idle + 1, start, start + idle, idle, abs), "idle for 30 minutes");
        assert!(!session_alive(start + abs + 1, start, start + abs + 600, idle, abs), "12 hours after sign-in, however active");
        assert!(session_alive(start + abs + 1, start, start + abs + 600, 0, abs), "residents have no idle timer and no shift limit");
        // Own action five minutes in: renewed; a background read: not.
        assert_eq!(renewed_expiry(start + 300, start, start + idle, idle, abs, true), Some(start + 300 + idle));
        assert_eq!(renewed_expiry(start + 300, start, start + idle, idle, abs, false), None);
        // Within a minute of the last renewal: no write.
        assert_eq!(renewed_expiry(start + 30, start, start + idle, idle, abs, true), None);
        // Never past the absolute end.
        assert_eq!(renewed_expiry(start + abs - 100, start, start + abs - 900, idle, abs, true), Some(start + abs));
        assert_eq!(renewed_expiry(start + 300, start, start + 300, 0, abs, true), None, "residents' sessions do not slide");
    }

    use super::*;

    fn good() -> RegisterResident {
        RegisterResident {
            name: "张三".into(),
            id_number: "34052419800101001x".into(),
            mobile: "138 1234 5678".into(),
            password: "普陀区一网通办很方便".into(),
        }
    }

    #[test]
    fn valid_registration_is_normalised() {
        let v = good().validate().unwrap();
        assert_eq!(v.id_number, "34052419800101001X");
        assert_eq!(v.mobile, "13812345678");
    }

    #[test]
    fn every_bad_field_is_reported_with_its_name() {
        let r = RegisterResident { name: "1".into(), id_number: "340524198001010013".into(), mobile: "123".into(), password: "password".into() };
        let errs = r.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field.unwrap(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("name", ErrorCode::InvalidName),
                ("id_number", ErrorCode::InvalidIdNumber),
                ("mobile", ErrorCode::InvalidMobile),
                ("password", ErrorCode::PasswordCommon)
            ]
        );
    }

    #[test]
    fn business_registration() {
        let b = RegisterBusiness {
            uscc: "91440101ma5cjq4n59".into(),
            company_name: "上海普陀示例餐饮有限公司".into(),
            legal_rep_name: "李娜".into(),
            legal_rep_id_number: "34052419800101001X".into(),
            mobile: "13900139000".into(),
            password: "one merged form for everything".into(),
        };
        let v = b.validate().unwrap();
        assert_eq!(v.uscc, "91440101MA5CJQ4N59");
        let bad = RegisterBusiness { uscc: "91440101MA5CJQ4N58".into(), company_name: "<x>".into(), ..b };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field.unwrap()).collect();
        assert_eq!(fields, vec!["uscc", "company_name"]);
    }

    #[test]
    fn names() {
        for ok in ["张三", "阿依古丽·买买提", "Mary Smith", "欧阳娜娜"] {
            assert!(name(ok).is_ok(), "{ok}");
        }
        for bad in ["张", "张3", "<script>", "", &"张".repeat(31)] {
            assert_eq!(name(bad), Err(ErrorCode::InvalidName), "{bad}");
        }
    }

    #[test]
    fn login_normalises_ids_and_codes() {
        let l = |s: &str| Login { login: s.into(), ..Default::default() }.normalised();
        assert_eq!(l(" 34052419800101001x"), "34052419800101001X");
        assert_eq!(l("91440101ma5cjq4n59"), "91440101MA5CJQ4N59");
        assert_eq!(l("staff.li"), "staff.li");
    }

    #[test]
    fn session_lengths_by_role() {
        assert_eq!(Role::WindowStaff.session_secs(true), STAFF_IDLE_SECS, "remember me does not extend staff sessions");
        assert_eq!(Role::Resident.session_secs(true), RESIDENT_REMEMBER_SECS);
        assert!(Role::Resident.session_secs(false) < RESIDENT_REMEMBER_SECS);
        for r in ["resident", "business", "window_staff", "approver", "center_admin", "district_admin"] {
            assert_eq!(Role::parse(r).unwrap().as_str(), r);
        }
    }
}
