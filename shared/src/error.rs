//! Every error the API can answer with: a stable machine code, its HTTP status, and a message in both
//! languages. The app maps the same codes to the same messages, so what a user reads does not depend on
//! whether the browser or the edge caught the mistake.

use crate::lang::{Lang, Text};
use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $variant:ident = $code:literal, $status:literal, $zh:literal, $en:literal; )*) => {
        /// Stable error codes. Adding one is an API change: clients switch on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $( $variant ),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant ),*];
            pub fn as_str(self) -> &'static str { match self { $( ErrorCode::$variant => $code ),* } }
            pub fn status(self) -> u16 { match self { $( ErrorCode::$variant => $status ),* } }
            /// The message with its `{name}` parameters filled from `params` (a center's own limits);
            /// a part in parentheses whose parameter is not given is left out, so the text never
            /// states a default the center may have changed.
            pub fn text_with(self, params: &[(&str, &str)]) -> Text {
                // One match to the two templates, then one fill each: the table stays data, not code
                // per variant (it is in the app's first download).
                let (zh, en) = match self { $( ErrorCode::$variant => ($zh, $en) ),* };
                Text::new(fill(zh, params), fill(en, params))
            }
            /// The message without parameters: a part in parentheses that names one is left out.
            pub fn text(self) -> Text {
                let (zh, en) = match self { $( ErrorCode::$variant => ($zh, $en) ),* };
                Text::new(bare(zh), bare(en))
            }
        }
    };
}

error_codes! {
    InvalidParameter = "invalid_parameter", 400, "参数不正确", "A parameter is not valid";
    QueryTooLong     = "query_too_long",    400, "搜索词不能超过 100 个字", "Search text must be at most 100 characters";
    TooManyTerms     = "too_many_terms",    400, "搜索词最多 8 个", "Use at most 8 search words";
    BadPage          = "bad_page",          400, "页码或每页条数超出范围（每页 1–50 条）", "Page or page size out of range (1–50 per page)";
    UnknownFilter    = "unknown_filter",    400, "筛选条件不存在", "Unknown filter value";
    BadId            = "bad_id",            400, "编号格式不正确", "The identifier is not well-formed";
    MalformedJson    = "malformed_json",    400, "请求内容不是有效的 JSON", "The request body is not valid JSON";
    InvalidIdNumber  = "invalid_id_number", 400, "身份证号码不正确，请核对 18 位号码（含末位校验码）", "The resident ID number is not valid; check all 18 characters";
    InvalidUscc      = "invalid_uscc",      400, "统一社会信用代码不正确，请核对 18 位代码", "The unified social credit code is not valid; check all 18 characters";
    InvalidMobile    = "invalid_mobile",    400, "手机号码应为 11 位数字，以 13–19 开头", "A mobile number has 11 digits and starts with 13–19";
    PasswordTooShort = "password_too_short",400, "密码至少 8 位", "The password needs at least 8 characters";
    PasswordTooLong  = "password_too_long", 400, "密码最多 128 位", "The password can have at most 128 characters";
    PasswordCommon   = "password_common",   400, "这个密码太常见，容易被猜到，请换一个", "This password is too common and easy to guess; choose another";
    InvalidName      = "invalid_name",      400, "请填写与身份证一致的姓名（2–30 个字）", "Enter your name as on your ID card (2–30 characters)";
    Unauthenticated  = "unauthenticated",   401, "请先登录", "Please sign in first";
    BadCredentials   = "bad_credentials",   401, "证件号码或密码不正确", "The ID number or password is not correct";
    CrossOrigin      = "cross_origin",      403, "请求来源不被允许", "Requests from other sites are not allowed";
    Forbidden        = "forbidden",         403, "没有权限进行此操作", "You are not allowed to do this";
    RateLimited      = "rate_limited",      429, "操作过于频繁，请 1 分钟后再试", "Too many requests; try again in a minute";
    TooManyAttempts  = "too_many_attempts", 429, "尝试次数过多，请 15 分钟后再试", "Too many attempts; try again in 15 minutes";
    SignInBusy       = "sign_in_busy",      429, "此网络登录尝试过多，请 10 秒后再试", "Too many sign-in attempts from this network; try again in 10 seconds";
    AccountExists    = "account_exists",    409, "该证件号码已注册，请直接登录", "An account with this ID number exists; please sign in";
    InvalidLogin     = "invalid_login",     400, "登录名为 3–32 位小写字母、数字、点或连字符", "A login name has 3–32 lower-case letters, digits, dots or hyphens";
    InvalidPost      = "invalid_post",      400, "岗位与所属中心或部门不匹配", "The post does not fit its center or department";
    InvalidBackup    = "invalid_backup",    400, "AB角须为同一中心或部门的另一名工作人员", "The backup must be another staff member of the same center or department";
    StaffReasonRequired = "staff_reason_required", 400, "请填写原因（2–200 字）", "Give a reason (2–200 characters)";
    ReasonRequired   = "reason_required",   400, "请填写查看原因（2–200 字）", "Give a reason for viewing (2–200 characters)";
    LoginTaken       = "login_taken",       409, "该登录名已被使用", "This login name is taken";
    PersonNotFound   = "person_not_found",  404, "没有找到该证件号码的用户", "No user with this ID number";
    StaffNotFound    = "staff_not_found",   404, "没有找到该工作人员", "No such staff member";
    InvalidCompany   = "invalid_company",   400, "请填写营业执照上的企业名称（2–100 字）", "Enter the company name as on the business licence (2–100 characters)";
    NotAResident     = "not_a_resident",    404, "没有找到该身份证号码的个人用户，请对方先注册", "No resident account with this ID number; ask them to register first";
    InvitationNotFound = "invitation_not_found", 404, "没有找到该邀请，或已处理", "No such invitation, or it was already answered";
    TooManyInvitations = "too_many_invitations", 429, "邀请过于频繁，请 1 小时后再试", "Too many invitations; try again in an hour";
    AgentExists      = "agent_exists",      409, "该经办人已在列表中", "This agent is already authorised";
    DateNotBookable  = "date_not_bookable", 400, "该日期不可预约（仅可预约下一个工作日起的办公日）", "This date cannot be booked (only working days from the next one on)";
    SlotFull         = "slot_full",         409, "该时段已约满，可选择其他时段或排队候补", "This time slot is full; pick another or join the waiting list";
    LimitReached     = "limit_reached",     409, "预约数量已达上限（同一事项每天 1 个，总共 {max} 个进行中的预约）", "Booking limit reached (one per item per day, {max} active in all)";
    BookingBanned    = "booking_banned",    403, "因多次爽约，暂时不能预约", "Booking is suspended after repeated no-shows";
    TooLateToCancel  = "too_late_to_cancel",409, "已过取消期限，不能取消或改约（预约时段前 {minutes} 分钟截止）", "Too late to cancel or move it (the deadline is {minutes} minutes before the slot)";
    SlotHasSeats     = "slot_has_seats",    409, "该时段还有余位，请直接预约", "This slot still has seats; book it directly";
    AlreadyWaiting   = "already_waiting",   409, "您已在该时段的候补名单中", "You are already on this slot's waiting list";
    InvalidSubscription = "invalid_subscription", 400, "推送订阅信息不正确", "The push subscription is not valid";
    InvalidLabel     = "invalid_label",     400, "名称为 1–40 个字", "A name of 1–40 characters";
    KioskUnknown     = "kiosk_unknown",     401, "该自助终端未登记或已停用，请联系中心管理员", "This kiosk is not registered or was revoked; ask the center's administrator";
    KioskNotFound    = "kiosk_not_found",   404, "没有找到该自助终端", "No such kiosk";
    TooManyKiosks    = "too_many_kiosks",   409, "本中心登记的自助终端已达上限（50 台）", "This center has the most kiosks it may register (50)";
    TooManyDevices   = "too_many_devices",  409, "最多可在 5 台设备上接收推送，请先在不用的设备上关闭推送", "Pushes go to at most 5 devices; turn them off on one you no longer use first";
    PushUnavailable  = "push_unavailable",  503, "推送通知暂未开通", "Push notifications are not set up on this server";
    NotificationNotFound = "notification_not_found", 404, "没有找到该消息", "No such notification";
    WaitlistNotFound = "waitlist_not_found",404, "没有找到该候补", "No such waiting-list entry";
    SameSlot         = "same_slot",         409, "新时段与原时段相同", "The new slot is the same as the current one";
    InvalidConfig    = "invalid_config",    400, "配置不正确，请检查标出的项目", "The configuration is not valid; check the marked field";
    ClassNotFound    = "class_not_found",   404, "没有这个窗口类别", "No such window class";
    QueueEmpty       = "queue_empty",       409, "没有正在处理的号", "No ticket is at this window";
    HoldExpired      = "hold_expired",      409, "保留时间已过，请重新选择时段", "The hold has expired; choose a slot again";
    CheckInTooEarly  = "check_in_too_early",409, "还未到签到时间（预约时段前 {minutes} 分钟起可签到）", "Too early to check in (from {minutes} minutes before the slot)";
    CheckInLate      = "check_in_late",     409, "已超过签到时间，请取号按现场排队办理", "Too late to check in; please take a walk-in ticket";
    InvalidTransition= "invalid_transition",409, "当前状态下不能进行此操作", "This action is not possible in the current state";
    SlotNotFound     = "slot_not_found",    404, "没有这个预约时段", "No such time slot";
    NotServedHere    = "not_served_here",   404, "该服务中心不办理此事项", "This center does not handle this item";
    IdempotencyKeyRequired = "idempotency_key_required", 400, "缺少 Idempotency-Key 请求头（8–64 个字符）", "The Idempotency-Key header (8–64 characters) is required";
    BookingNotFound  = "booking_not_found", 404, "没有找到该预约", "No such booking";
    WindowNotFound   = "window_not_found",  404, "没有这个窗口", "No such window";
    TicketNotFound   = "ticket_not_found",  404, "没有找到该号码", "No such ticket";
    NotToday         = "not_today",         409, "该预约不是今天的，请在预约当天签到", "This booking is not for today; check in on the day";
    WrongCenter      = "wrong_center",      403, "只能在本人所在服务中心的窗口叫号", "You can only call at windows of your own center";
    InvalidCode      = "invalid_code",      400, "预约码格式不正确", "The booking code is not well-formed";
    InvalidReview    = "invalid_review",    400, "评价内容不完整：请为每项指标选择 1–5 分", "The review is incomplete: rate every indicator from 1 to 5";
    InvalidReviewCode= "invalid_review_code",400, "评价码为 8 位字母或数字", "A review code has 8 letters or digits";
    ReviewTextTooLong= "review_text_too_long",400, "评价内容最多 500 字，且不能含控制字符", "The review text can have at most 500 characters and no control characters";
    ReasonCategoryRequired = "reason_category_required", 400, "差评请选择原因", "For a bad review, choose a reason";
    ReviewTextRequired = "review_text_required", 400, "差评请写明具体情况（至少 5 个字），以便整改", "For a bad review, say what happened (at least 5 characters) so it can be put right";
    ServiceNotFinished = "service_not_finished", 409, "该服务尚未办结，办结后才能评价", "This service is not finished yet; it can be reviewed once it is";
    ReviewClosed     = "review_closed",     409, "已超过评价期限（办结后 7 天内可评价）", "The review period has ended (7 days after the service)";
    AlreadyReviewed  = "already_reviewed",  409, "该服务已评价过（一次一评）", "This service has already been reviewed (one review per service)";
    NotYourService   = "not_your_service",  403, "只能评价本人办理的服务", "You can only review a service you received";
    TooManyReviews   = "too_many_reviews",  429, "评价提交过于频繁，请稍后再试", "Too many reviews in a short time; try again later";
    ReviewNotFound   = "review_not_found",  404, "没有找到该评价或服务", "No such review or service";
    WorkOrderNotFound= "work_order_not_found",404, "没有找到该工单", "No such work order";
    NoteRequired     = "note_required",     400, "请填写说明（2–500 字）", "Give a note (2–500 characters)";
    ExtensionTooLong = "extension_too_long",400, "延期为 1–15 个工作日，且只能延期一次", "An extension is 1–15 working days, and only one is allowed";
    FieldRequired    = "field_required",    400, "此项为必填项", "This field is required";
    FieldTooLong     = "field_too_long",    400, "内容过长或含有不允许的字符", "Too long, or contains characters that are not allowed";
    NumberOutOfRange = "number_out_of_range",400, "请输入范围内的整数", "Enter a whole number in the allowed range";
    InvalidDate      = "invalid_date",      400, "请输入有效日期（年-月-日）", "Enter a real date (YYYY-MM-DD)";
    InvalidChoice    = "invalid_choice",    400, "请从选项中选择", "Choose one of the options";
    InvalidAddress   = "invalid_address",   400, "请填写详细地址（5–120 字）", "Enter the full address (5–120 characters)";
    InvalidAttachment= "invalid_attachment",400, "附件或电子证照引用不正确", "The attachment or e-licence reference is not valid";
    InvalidForm      = "invalid_form",      400, "表单有误，请检查标出的项目", "The form has problems; check the marked fields";
    ApplicationNotFound = "application_not_found", 404, "没有找到该办件", "No such application";
    CaseNotFound     = "case_not_found",    404, "没有找到该事项办件", "No such case";
    UnsupportedFile  = "unsupported_file",  415, "只能上传 PDF、JPEG 或 PNG 文件", "Only PDF, JPEG or PNG files can be uploaded";
    BodyTooLarge     = "body_too_large",    413, "请求内容不能超过 64 KB", "A request body can be at most 64 KB";
    FileTooLarge     = "file_too_large",    413, "文件不能超过 5 MB", "Files can be at most 5 MB";
    UploadQuota      = "upload_quota",      409, "尚未提交的上传文件已达上限（50 个或 100 MB）", "Files not yet submitted have reached the limit (50 files or 100 MB)";
    UploadNotFound   = "upload_not_found",  404, "没有找到该文件", "No such file";
    AccountDisabled  = "account_disabled",  403, "该账号已停用，请联系管理员", "This account is disabled; contact your administrator";
    PasswordChangeRequired = "password_change_required", 403, "请先修改管理员设置的临时密码", "Change the temporary password an administrator set first";
    DutyNotHeld      = "duty_not_held",     403, "您的岗位没有该环节的职责", "Your post does not hold the duty for this step";
    SameOfficer      = "same_officer",      409, "同一办件的不同环节须由不同人员办理", "Each step of a case must be done by a different person";
    ConsentRequired  = "consent_required",  400, "代办须经申请人同意，请确认并勾选", "Entering for someone needs their consent: confirm it";
    NotFound         = "not_found",         404, "没有找到该页面或接口", "No such page or endpoint";
    ItemNotFound     = "item_not_found",    404, "没有找到该事项", "No such service item";
    VersionNotFound  = "version_not_found", 404, "没有找到该版本的办事指南", "No such guide version";
    DepartmentNotFound = "department_not_found", 404, "没有找到该部门", "No such department";
    CenterNotFound   = "center_not_found",  404, "没有找到该服务中心", "No such service center";
    BundleNotFound   = "bundle_not_found",  404, "没有找到该“一件事”", "No such bundle";
    MethodNotAllowed = "method_not_allowed",405, "不支持该请求方法", "Method not allowed";
    Conflict         = "conflict",          409, "与现有数据冲突", "Conflicts with existing data";
    Internal         = "internal",          500, "系统繁忙，请稍后再试", "Something went wrong on our side; please try again";
    Unavailable      = "unavailable",       503, "服务暂时不可用，请稍后再试", "Service temporarily unavailable; please try again";
    WriteConflict    = "write_conflict",    409, "同时有其他操作，本次未保存任何内容，请重试", "Another change got in the way; nothing was saved, please try again";
}

/// The parameters of a message, by name.
pub type Params = std::collections::BTreeMap<String, String>;

/// A map of parameters as the `(name, value)` pairs [`ErrorCode::text_with`] takes.
pub fn pairs(params: &Params) -> Vec<(&str, &str)> {
    params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A template without its parameterised part: what precedes the parenthesis that holds `{…}` (the
/// tables put every parameter in one closing parenthesis; their test holds them to it). Cheap, as the
/// app's first download carries it while [`fill`] stays on the edge.
fn bare(template: &'static str) -> &'static str {
    match template.find('{') {
        Some(hole) => template[..template[..hole].rfind(['（', '(']).unwrap_or(hole)].trim_end(),
        None => template,
    }
}

/// Fills `{name}` from `params`; drops a parenthesised part (`（…）` or ` (…)`) that still names an
/// unknown parameter.
fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    while let Some(hole) = out.find('{') {
        let open = out[..hole].rfind(['（', '(']).map(|o| if out[..o].ends_with(' ') { o - 1 } else { o });
        let close = out[hole..].find(['）', ')']).map(|c| hole + c + out[hole + c..].chars().next().map_or(1, char::len_utf8));
        match (open, close) {
            (Some(o), Some(c)) => out.replace_range(o..c, ""),
            // A parameter outside parentheses must be given: a bug in the table, caught by its test.
            _ => break,
        }
    }
    out
}

/// The largest JSON body any route takes: our bodies are forms (the largest, a bundle's merged form with
/// every answer, is a few KB). A longer one is refused with 413 `body_too_large` before authentication
/// or parsing.
pub const JSON_BODY_MAX: usize = 64 * 1024;

impl ErrorCode {
    /// Seconds a refused caller should wait (`Retry-After`), for every code that asks it to wait: the
    /// edge sends it and the app says it, from this one table.
    pub fn retry_after(self) -> Option<u32> {
        match self {
            // The lockout window: after it, the oldest failure no longer counts.
            ErrorCode::TooManyAttempts => Some(crate::throttle::THROTTLE_WINDOW_SECS as u32),
            ErrorCode::SignInBusy => Some(crate::throttle::PACE_MAX_WAIT_SECS as u32),
            // Every rate-limit binding counts per minute (edge `limits::RATE_LIMITS`).
            ErrorCode::RateLimited => Some(60),
            ErrorCode::TooManyInvitations => Some(crate::throttle::INVITE_WINDOW_SECS as u32),
            ErrorCode::TooManyReviews => Some(crate::throttle::REVIEW_WINDOW_SECS as u32),
            ErrorCode::Unavailable | ErrorCode::WriteConflict => Some(1),
            _ => None,
        }
    }
}

/// A validation failure of one field (or of the request as a whole when `field` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: ErrorCode,
    pub field: Option<&'static str>,
}

impl FieldError {
    pub fn new(code: ErrorCode, field: &'static str) -> Self {
        FieldError { code, field: Some(field) }
    }
}

/// The JSON body of every error response: `{"error":{"code","message","field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `query_too_long`.
    pub code: String,
    /// Human-readable message in the language of `Accept-Language` (zh-CN by default).
    pub message: String,
    /// The parameter or field at fault, when there is one.
    pub field: Option<String>,
    /// The limits the message names (`max`, `minutes`), as the center set them, for a client that
    /// words the message itself.
    /// (Read by clients that want it; the app reads it from the parsed JSON itself, to keep a map
    /// deserializer out of its first download.)
    #[serde(default, skip_deserializing, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, field: Option<&str>, lang: Lang) -> Self {
        Self::with_params(code, field, Params::new(), lang)
    }

    pub fn with_params(code: ErrorCode, field: Option<&str>, params: Params, lang: Lang) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: code.as_str().to_string(),
                message: code.text_with(&pairs(&params)).get(lang).to_string(),
                field: field.map(str::to_string),
                params,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_have_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(!c.text().zh.is_empty() && !c.text().en.is_empty());
            assert!((400..600).contains(&c.status()));
            // serde name and as_str agree, so clients can match either.
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
    }

    #[test]
    fn the_body_limit_message_says_the_limit() {
        let kb = format!("{} KB", JSON_BODY_MAX / 1024);
        assert!(ErrorCode::BodyTooLarge.text().zh.contains(&kb) && ErrorCode::BodyTooLarge.text().en.contains(&kb));
        assert_eq!(ErrorCode::BodyTooLarge.status(), 413);
    }

    #[test]
    fn every_429_says_when_to_retry() {
        for c in ErrorCode::ALL {
            if c.status() == 429 {
                assert!(c.retry_after().is_some_and(|s| s > 0), "{} has no Retry-After", c.as_str());
            }
        }
    }

    #[test]
    fn body_shape() {
        let b = ErrorBody::new(ErrorCode::QueryTooLong, Some("q"), Lang::En);
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["error"]["code"], "query_too_long");
        assert_eq!(v["error"]["field"], "q");
        assert!(v["error"]["message"].as_str().unwrap().contains("100"));
        let zh = ErrorBody::new(ErrorCode::ItemNotFound, None, Lang::Zh);
        assert_eq!(zh.error.message, "没有找到该事项");
        assert!(serde_json::to_value(&zh).unwrap()["error"]["field"].is_null());
    }

    /// A message that names a center's limit says that center's value, or leaves the limit out; it
    /// never prints a default the center may have changed.
    #[test]
    fn parameterised_messages_say_the_given_limit_or_none() {
        let p = |k: &str, v: &str| Params::from([(k.to_string(), v.to_string())]);
        let t = ErrorCode::LimitReached.text_with(&[("max", "5")]);
        assert_eq!(t.zh, "预约数量已达上限（同一事项每天 1 个，总共 5 个进行中的预约）");
        assert_eq!(t.en, "Booking limit reached (one per item per day, 5 active in all)");
        assert_eq!(ErrorCode::LimitReached.text().zh, "预约数量已达上限");
        assert_eq!(ErrorCode::LimitReached.text().en, "Booking limit reached");
        assert_eq!(ErrorCode::TooLateToCancel.text_with(&[("minutes", "90")]).zh, "已过取消期限，不能取消或改约（预约时段前 90 分钟截止）");
        assert_eq!(ErrorCode::CheckInTooEarly.text().en, "Too early to check in");
        for c in ErrorCode::ALL {
            let t = c.text();
            assert!(!t.zh.contains('{') && !t.en.contains('{'), "{}: a parameter outside parentheses", c.as_str());
        }
        let body = serde_json::to_value(ErrorBody::with_params(ErrorCode::LimitReached, None, p("max", "5"), Lang::En)).unwrap();
        assert_eq!(body["error"]["params"]["max"], "5");
        assert!(serde_json::to_value(ErrorBody::new(ErrorCode::LimitReached, None, Lang::En)).unwrap()["error"].get("params").is_none());
    }
}
