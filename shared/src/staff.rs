//! Staff posts (created by admins; never self-registered), AB backups (岗位AB角), the audited look-up of
//! a person's full data at the front desk, and audit records.

use crate::account::{name, Role};
use crate::authz::post_scope_ok;
use crate::catalogue::is_valid_slug;
use crate::error::{ErrorCode, FieldError};
use crate::{ids, password};
use serde::{Deserialize, Serialize};

/// A staff login name: 3–32 of `a-z 0-9 . - _`, starting with a letter. Not personal data.
pub fn login_name(s: &str) -> Result<String, ErrorCode> {
    let s = s.trim();
    let ok = (3..=32).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(ErrorCode::InvalidLogin)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewStaff {
    pub login: String,
    pub name: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub center_id: Option<String>,
    #[serde(default)]
    pub dept_id: Option<String>,
    /// Initial password, to be changed at first sign-in.
    pub password: String,
    /// Account id of the backup (B角), if any.
    #[serde(default)]
    pub backup_id: Option<String>,
    /// An approver's duties in the department's chains (承办, 审核, 决定); none given is every duty.
    #[serde(default)]
    pub duties: Option<Vec<crate::application::CaseStep>>,
}

impl NewStaff {
    pub fn validate(&self) -> Result<(String, String, Role), FieldError> {
        let login = login_name(&self.login).map_err(|c| FieldError::new(c, "login"))?;
        let nm = name(&self.name).map_err(|c| FieldError::new(c, "name"))?;
        let role = self.role.filter(|r| r.is_staff()).ok_or(FieldError::new(ErrorCode::InvalidPost, "role"))?;
        let slug_ok = |v: &Option<String>| v.as_deref().is_none_or(is_valid_slug);
        if !slug_ok(&self.center_id) || !slug_ok(&self.dept_id) || !post_scope_ok(role, self.center_id.as_deref(), self.dept_id.as_deref()) {
            return Err(FieldError::new(ErrorCode::InvalidPost, "role"));
        }
        password::check(&self.password).map_err(|c| FieldError::new(c, "password"))?;
        // Duties are an approver's, and an approver holds at least one.
        if self.duties.as_ref().is_some_and(|d| role != Role::Approver || d.is_empty()) {
            return Err(FieldError::new(ErrorCode::InvalidPost, "duties"));
        }
        Ok((login, nm, role))
    }
}

/// A staff post as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StaffPost {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub center_id: Option<String>,
    pub dept_id: Option<String>,
    pub backup_id: Option<String>,
    pub backup_login: Option<String>,
    /// Marked away: the backup acts for this post.
    pub away: bool,
    /// Duties in the department's approval chains (approvers).
    #[serde(default)]
    pub duties: Vec<crate::application::CaseStep>,
    /// False once an admin disabled the account: it signs in nowhere.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Disable or re-enable a staff account (`POST /staff/{id}/status`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StaffStatus {
    pub active: bool,
}

/// An admin's password reset (`POST /staff/{id}/password-reset`): the post's login typed again, so a
/// reset is never a slip of the mouse on the wrong row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PasswordReset {
    pub login: String,
}

/// The one-time temporary password, shown once to the admin; the holder must change it at sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TemporaryPassword {
    pub password: String,
}

/// A temporary password from random bytes (the edge draws them): 12 characters of 31 that cannot be
/// misread (about 59 bits), in groups of four for reading it out, e.g. `k7m2-p9qx-3hfa`.
pub fn temporary_password(random: &[u8; 12]) -> String {
    const A: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let chars: Vec<char> = random.iter().map(|b| A[*b as usize % A.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StaffSettings {
    pub backup_id: Option<String>,
    pub away: bool,
}

/// Front-desk look-up of a person by ID number. The reason is recorded with the access.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonLookup {
    pub id_number: String,
    /// Why the full data is needed (e.g. 核验身份、代办 the case number).
    pub reason: String,
}

impl PersonLookup {
    pub fn validate(&self) -> Result<(String, String), FieldError> {
        let id = ids::resident_id(&self.id_number).map_err(|c| FieldError::new(c, "id_number"))?;
        let reason = self.reason.trim();
        if !(2..=200).contains(&reason.chars().count()) {
            return Err(FieldError::new(ErrorCode::ReasonRequired, "reason"));
        }
        Ok((id, reason.to_string()))
    }
}

/// A person's full record, only for staff with a reason, and audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonRecord {
    pub account_id: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    /// No-shows and whether booking is suspended (staff can lift it with a reason).
    pub ban: crate::booking::BanStatus,
}

/// One audit record, as admins read it: the subject is masked (the admin needs to know that, not whom in full).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    pub id: u64,
    /// Seconds since the epoch.
    pub at: i64,
    pub actor_login: String,
    pub actor_center: Option<String>,
    pub action: String,
    pub subject: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> NewStaff {
        NewStaff {
            login: "window.wanli2".into(),
            name: "王芳".into(),
            role: Some(Role::WindowStaff),
            center_id: Some("wanli".into()),
            dept_id: None,
            password: "a long initial passphrase".into(),
            backup_id: None,
            duties: None,
        }
    }

    #[test]
    fn staff_validation() {
        assert!(ns().validate().is_ok());
        let bad = |f: fn(&mut NewStaff), field: &str, code: ErrorCode| {
            let mut s = ns();
            f(&mut s);
            assert_eq!(s.validate().unwrap_err(), FieldError { code, field: Some(Box::leak(field.to_string().into_boxed_str())) });
        };
        bad(|s| s.login = "Bad Login".into(), "login", ErrorCode::InvalidLogin);
        bad(|s| s.role = Some(Role::Resident), "role", ErrorCode::InvalidPost);
        bad(|s| s.center_id = None, "role", ErrorCode::InvalidPost);
        bad(|s| s.center_id = Some("'; drop".into()), "role", ErrorCode::InvalidPost);
        bad(|s| s.password = "12345678".into(), "password", ErrorCode::PasswordCommon);
        bad(|s| s.duties = Some(vec![crate::application::CaseStep::Decide]), "duties", ErrorCode::InvalidPost);
        let approver = |d: Vec<crate::application::CaseStep>| NewStaff {
            role: Some(Role::Approver),
            center_id: None,
            dept_id: Some("scjg".into()),
            duties: Some(d),
            ..ns()
        };
        assert!(approver(vec![crate::application::CaseStep::Decide]).validate().is_ok());
        assert_eq!(approver(vec![]).validate().unwrap_err().field, Some("duties"), "an approver holds at least one duty");
    }

    #[test]
    fn temporary_passwords_are_readable_and_pass_the_password_rules() {
        let t = temporary_password(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 255]);
        assert_eq!(t.len(), 14);
        assert_eq!(t.matches('-').count(), 2);
        assert!(!t.contains(['0', 'o', '1', 'l', 'i']), "{t}");
        assert!(password::check(&t).is_ok());
        assert_ne!(t, temporary_password(&[9; 12]));
    }

    #[test]
    fn logins() {
        assert!(login_name("admin.district").is_ok());
        for bad in ["ab", "1abc", "Admin", "a b c", &"a".repeat(33)] {
            assert!(login_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lookups_need_a_reason() {
        let l = PersonLookup { id_number: "11010519491231002X".into(), reason: "  ".into() };
        assert_eq!(l.validate().unwrap_err().code, ErrorCode::ReasonRequired);
        let l = PersonLookup { id_number: "x".into(), reason: "核验身份".into() };
        assert_eq!(l.validate().unwrap_err().code, ErrorCode::InvalidIdNumber);
        assert!(PersonLookup { id_number: "11010519491231002x".into(), reason: "核验身份".into() }.validate().is_ok());
    }
}
