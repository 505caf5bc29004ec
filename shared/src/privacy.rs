//! The personal-data lifecycle of a resident: every category the platform holds about a person, and
//! what deleting the account does with it. `/me/export` has one field per category and deletion acts on
//! each one, both read from this list (a test below holds `MyData` to it), so the two cannot drift
//! apart; the "my data" page and the README show the same list.

use crate::lang::Text;
use serde::{Deserialize, Serialize};

/// What deleting the account does with a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Gone from D1 and object storage in the deletion itself.
    Erased,
    /// Ended where it is still running (a future booking is cancelled), the rest kept.
    Ended,
    /// Kept because the law or the public record requires it, pointing only at the anonymised account.
    Kept,
}

pub struct Category {
    /// The field of [`MyData`] that exports it.
    pub key: &'static str,
    pub name: (&'static str, &'static str),
    pub fate: Fate,
    /// What happens to it, and for what is kept, why.
    pub why: (&'static str, &'static str),
}

impl Category {
    pub fn name(&self) -> Text {
        Text::new(self.name.0, self.name.1)
    }
    pub fn why(&self) -> Text {
        Text::new(self.why.0, self.why.1)
    }
}

const fn c(key: &'static str, name: (&'static str, &'static str), fate: Fate, why: (&'static str, &'static str)) -> Category {
    Category { key, name, fate, why }
}

pub const PERSONAL_DATA: &[Category] = &[
    c("name", ("姓名", "Name"), Fate::Erased, ("删除", "Erased")),
    c("id_number", ("身份证号", "ID number"), Fate::Erased, ("删除，可重新注册", "Erased; the number can register again")),
    c("mobile", ("手机号", "Mobile number"), Fate::Erased, ("删除", "Erased")),
    c("active_sessions", ("登录状态", "Sign-ins"), Fate::Erased, ("所有设备立即退出", "Every device is signed out at once")),
    c("agent_of", ("代办授权", "Agent authorisations"), Fate::Erased, ("解除", "Ended")),
    c("agent_invitations", ("代办邀请", "Agent invitations"), Fate::Erased, ("删除", "Erased")),
    c("saved_profile", ("常用信息", "Saved details"), Fate::Erased, ("删除", "Erased")),
    c("drafts", ("草稿", "Drafts"), Fate::Erased, ("删除", "Erased")),
    c(
        "uploads",
        ("上传的材料", "Uploaded files"),
        Fate::Erased,
        ("删除（含存储的文件）；已随办件提交的材料随办件档案保存", "Erased with their stored bytes; files submitted with an application stay in its record"),
    ),
    c("push_devices", ("推送设备", "Push devices"), Fate::Erased, ("删除，不再推送", "Erased; nothing more is pushed")),
    c("notify_prefs", ("通知设置", "Notification settings"), Fate::Erased, ("删除", "Erased")),
    c("inbox", ("消息", "Messages"), Fate::Erased, ("删除，不再提醒", "Erased; no more reminders")),
    c("waitlist", ("候补", "Waiting lists"), Fate::Erased, ("退出候补", "Places dropped")),
    c(
        "bookings",
        ("预约", "Bookings"),
        Fate::Ended,
        (
            "未到的预约取消并释放号源（候补顺延）；已发生的到访记录作为服务记录保留",
            "Future bookings are cancelled and their seats freed for the waiting list; past visits stay as the center's service record",
        ),
    ),
    c(
        "applications",
        ("办件", "Applications"),
        Fate::Kept,
        ("按政务服务档案管理规定保存，只关联已匿名的账号", "Kept as the law requires of government service records, linked only to the anonymised account"),
    ),
    c(
        "e_licences",
        ("电子证照", "E-licences"),
        Fate::Kept,
        ("证照由发证部门管理，加密保存，只关联已匿名的账号", "Held for the issuing department, sealed, linked only to the anonymised account"),
    ),
    c("reviews", ("好差评", "Reviews"), Fate::Kept, ("作为公开评价数据保留，与您的账号断开关联", "Kept in the public review figures, no longer linked to you")),
    c("accessed_by", ("查阅记录", "Access log"), Fate::Kept, ("审计日志依法保存，不可修改", "The audit log is kept as the law requires and cannot be changed")),
];

/// Fields of `MyData` that describe the export or the account rather than hold a category.
pub const EXPORT_META: &[&str] = &["exported_at", "account_id", "registered_at", "password_changed_at"];

/// "My data": everything held about a resident, in full, for the resident only. One field per category
/// of [`PERSONAL_DATA`] (a test holds them equal), so the export lists exactly what
/// deleting the account erases or keeps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MyData {
    pub exported_at: i64,
    pub account_id: String,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    pub registered_at: i64,
    pub password_changed_at: i64,
    pub active_sessions: u32,
    /// Businesses this resident is an authorised agent of.
    pub agent_of: Vec<crate::account::BusinessRef>,
    /// Businesses asking this resident to become their agent.
    pub agent_invitations: Vec<crate::account::AgentInvitation>,
    /// Every staff access to this resident's full data.
    pub accessed_by: Vec<crate::account::AccessRecord>,
    /// The basic information saved for pre-filling forms (一次收齐).
    pub saved_profile: crate::form::Values,
    pub drafts: Vec<BundleDraft>,
    pub uploads: Vec<crate::application::Upload>,
    pub applications: Vec<crate::application::ApplicationSummary>,
    pub e_licences: Vec<crate::application::ELicence>,
    pub bookings: Vec<crate::booking::Booking>,
    pub waitlist: Vec<crate::booking::WaitlistEntry>,
    /// The push services this person's devices receive through (the endpoint's host only).
    pub push_devices: Vec<PushDevice>,
    pub notify_prefs: Option<crate::notify::NotifyPrefs>,
    pub inbox: Vec<crate::notify::InboxItem>,
    pub reviews: Vec<crate::review::MyReview>,
}

/// A saved draft of one bundle's merged form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BundleDraft {
    pub bundle_id: String,
    pub values: crate::form::Values,
    pub updated_at: i64,
}

/// A device subscribed to pushes, as far as it is worth telling its owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushDevice {
    pub service: String,
    pub subscribed_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_has_exactly_one_field_per_category() {
        let v = serde_json::to_value(MyData::default()).unwrap();
        let mut fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).filter(|k| !EXPORT_META.contains(k)).collect();
        let mut keys: Vec<&str> = PERSONAL_DATA.iter().map(|c| c.key).collect();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys, "MyData and PERSONAL_DATA name the same categories");
    }

    #[test]
    fn every_category_says_its_fate_in_both_languages() {
        for c in PERSONAL_DATA {
            assert!(!c.name.0.is_empty() && !c.name.1.is_empty() && !c.why.0.is_empty() && !c.why.1.is_empty(), "{}", c.key);
        }
    }
}
