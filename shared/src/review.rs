//! 政务服务"好差评": reviews of finished services, the rectification work order (差评工单) a bad review
//! opens, and the rate formulas of the public appraisal. Everything here is pure; the edge passes the
//! clock, the calendar and who is acting.
//!
//! - A review rates one service event (一次一评 for a window visit, 一事一评 for a case) on five levels;
//!   levels 1–2 are bad reviews and need a reason category and a text.
//! - [`Order`] is the work order's state machine. Every action names the capacity it needs
//!   ([`Capacity`]); the edge works out which capacities the caller holds for that order, so "an approver
//!   of another department" simply holds none and gets 403, while a wrong state gets 409.
//! - [`Tally`] counts raw facts; [`Figures`] turns them into the rates the policy names.

use crate::calendar::Calendar;
use crate::error::{ErrorCode, FieldError};
use crate::lang::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Reviews open for this long after the service is finished.
pub const REVIEW_WINDOW_SECS: i64 = 7 * 24 * 3600;
/// Rectification deadline, and the longest extension, in working days.
pub const DEADLINE_WORKING_DAYS: u32 = 15;
/// Longest review text, in characters.
pub const TEXT_MAX: usize = 500;
/// Shortest text of a bad review: enough to say what went wrong.
pub const BAD_TEXT_MIN: usize = 5;
pub use crate::throttle::{REVIEWS_PER_ACCOUNT as ACCOUNT_LIMIT, REVIEWS_PER_CLIENT as CLIENT_LIMIT, REVIEW_WINDOW_SECS as RATE_WINDOW_SECS};
/// Notes on work-order actions (reasons, what was done).
pub const NOTE_MIN: usize = 2;
pub const NOTE_MAX: usize = 500;

/// What was served: a window visit (ticket) or a case (办件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Ticket,
    Case,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Ticket => "ticket",
            EventKind::Case => "case",
        }
    }
    /// Cases are handled online and rated on the online indicators; window visits on the offline ones.
    pub fn online(self) -> bool {
        self == EventKind::Case
    }
}

/// Where the review was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The QR code at the window or on the ticket.
    WindowQr,
    Web,
    Mobile,
    Kiosk,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::WindowQr, Channel::Web, Channel::Mobile, Channel::Kiosk];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WindowQr => "window_qr",
            Channel::Web => "web",
            Channel::Mobile => "mobile",
            Channel::Kiosk => "kiosk",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            Channel::WindowQr => Text::new("窗口二维码", "Window QR code"),
            Channel::Web => Text::new("网页", "Web"),
            Channel::Mobile => Text::new("手机", "Mobile"),
            Channel::Kiosk => Text::new("自助终端", "Kiosk"),
        }
    }
}

/// The five levels.
pub fn level_label(level: u8) -> Text {
    match level {
        5 => Text::new("非常满意", "Very satisfied"),
        4 => Text::new("满意", "Satisfied"),
        3 => Text::new("基本满意", "Fairly satisfied"),
        2 => Text::new("不满意", "Dissatisfied"),
        _ => Text::new("非常不满意", "Very dissatisfied"),
    }
}

pub fn is_bad(level: u8) -> bool {
    level <= 2
}
pub fn is_good(level: u8) -> bool {
    level >= 4
}

/// The indicators of DOMAIN.md. "Overall satisfaction" is the review's level itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    Overall,
    Efficiency,
    Competence,
    Attitude,
    GuideAccuracy,
    Convenience,
    EaseOfUse,
}

impl Indicator {
    pub const ALL: [Indicator; 7] = [
        Indicator::Overall,
        Indicator::Efficiency,
        Indicator::Competence,
        Indicator::Attitude,
        Indicator::GuideAccuracy,
        Indicator::Convenience,
        Indicator::EaseOfUse,
    ];
    /// The indicators asked besides the level, per kind of service.
    pub fn asked(online: bool) -> &'static [Indicator] {
        if online {
            &[Indicator::Efficiency, Indicator::GuideAccuracy, Indicator::Convenience, Indicator::EaseOfUse]
        } else {
            &[Indicator::Efficiency, Indicator::Competence, Indicator::Attitude]
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Overall => "overall",
            Indicator::Efficiency => "efficiency",
            Indicator::Competence => "competence",
            Indicator::Attitude => "attitude",
            Indicator::GuideAccuracy => "guide_accuracy",
            Indicator::Convenience => "convenience",
            Indicator::EaseOfUse => "ease_of_use",
        }
    }
    pub fn label(self) -> Text {
        match self {
            Indicator::Overall => Text::new("总体满意度", "Overall satisfaction"),
            Indicator::Efficiency => Text::new("办事效率", "Efficiency"),
            Indicator::Competence => Text::new("业务能力", "Competence"),
            Indicator::Attitude => Text::new("服务态度", "Attitude"),
            Indicator::GuideAccuracy => Text::new("指南准确性", "Guide accuracy"),
            Indicator::Convenience => Text::new("办事便捷度", "Convenience"),
            Indicator::EaseOfUse => Text::new("系统易用性", "Ease of use"),
        }
    }
}

/// Indicator scores, each 1–5. Only the ones [`Indicator::asked`] for the service may be given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Scores {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficiency: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competence: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attitude: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide_accuracy: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convenience: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ease_of_use: Option<u8>,
}

impl Scores {
    pub fn get(&self, i: Indicator) -> Option<u8> {
        match i {
            Indicator::Overall => None,
            Indicator::Efficiency => self.efficiency,
            Indicator::Competence => self.competence,
            Indicator::Attitude => self.attitude,
            Indicator::GuideAccuracy => self.guide_accuracy,
            Indicator::Convenience => self.convenience,
            Indicator::EaseOfUse => self.ease_of_use,
        }
    }
    pub fn set(&mut self, i: Indicator, v: Option<u8>) {
        match i {
            Indicator::Overall => {}
            Indicator::Efficiency => self.efficiency = v,
            Indicator::Competence => self.competence = v,
            Indicator::Attitude => self.attitude = v,
            Indicator::GuideAccuracy => self.guide_accuracy = v,
            Indicator::Convenience => self.convenience = v,
            Indicator::EaseOfUse => self.ease_of_use = v,
        }
    }
}

/// Why a bad review is bad (差评原因).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Attitude,
    Efficiency,
    Competence,
    ExtraMaterials,
    GuideWrong,
    SystemFault,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 7] =
        [Reason::Attitude, Reason::Efficiency, Reason::Competence, Reason::ExtraMaterials, Reason::GuideWrong, Reason::SystemFault, Reason::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Attitude => "attitude",
            Reason::Efficiency => "efficiency",
            Reason::Competence => "competence",
            Reason::ExtraMaterials => "extra_materials",
            Reason::GuideWrong => "guide_wrong",
            Reason::SystemFault => "system_fault",
            Reason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            Reason::Attitude => Text::new("服务态度差", "Poor attitude"),
            Reason::Efficiency => Text::new("办事效率低、等候久", "Slow service, long wait"),
            Reason::Competence => Text::new("业务不熟练", "Staff not competent"),
            Reason::ExtraMaterials => Text::new("要求指南外材料、多次跑动", "Asked for materials outside the guide, extra trips"),
            Reason::GuideWrong => Text::new("办事指南不准确", "The guide was wrong"),
            Reason::SystemFault => Text::new("系统或设备故障", "System or device fault"),
            Reason::Other => Text::new("其他", "Other"),
        }
    }
}

/// A review as submitted. The service is named by its ticket id (the signed-in person served) or by the
/// one-time review code printed on the ticket (anyone holding it, e.g. a walk-in without an account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewReview {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A decided case (一事一评), reviewed by its applicant on the online indicators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// 5 非常满意 … 1 非常不满意.
    pub level: u8,
    #[serde(default)]
    pub scores: Scores,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(default)]
    pub text: String,
    pub channel: Channel,
    /// Anonymous reviews are handled like any other but cannot be called back.
    #[serde(default)]
    pub anonymous: bool,
}

/// Review codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Failed review-code look-ups one client may make within `account::THROTTLE_WINDOW_SECS` (15 minutes);
/// past it, every look-up is a 429 until the oldest failure ages out.
///
/// Why guessing is impractical: a code is 8 characters of 31, 31^8 ≈ 8.5 × 10^11 codes. A code reviews only
/// within 7 days of its service; even 3,000 walk-ins a day district-wide leave about 2.1 × 10^4 live codes,
/// so one guess hits with probability ≈ 2.5 × 10^-8. At 30 failures per 15 minutes a client makes at most
/// 20,160 guesses in those 7 days: ≈ 5 × 10^-4 for a whole week of trying, for some stranger's code, which
/// it could use only once. Codes of booked visits are no use at all: those are reviewed by the booking's
/// owner, signed in.
pub const CODE_FAILS_PER_CLIENT: u32 = 30;

pub fn normalize_code(raw: &str) -> Option<String> {
    let c: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
    (c.len() == 8 && c.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(c)
}

/// A review code from random bytes (the edge supplies them).
pub fn review_code(random: &[u8; 8]) -> String {
    random.iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect()
}

fn text_ok(s: &str) -> bool {
    s.chars().all(|c| !c.is_control() || c == '\n')
}

impl NewReview {
    /// Checks the review itself against the kind of service it rates (`online` picks the indicators).
    pub fn validate(&self, online: bool) -> Result<(), FieldError> {
        if self.ticket.is_none() && self.code.is_none() && self.case.is_none() {
            return Err(FieldError::new(ErrorCode::InvalidReview, "ticket"));
        }
        if let Some(c) = &self.code {
            if normalize_code(c).is_none() {
                return Err(FieldError::new(ErrorCode::InvalidReviewCode, "code"));
            }
        }
        if !(1..=5).contains(&self.level) {
            return Err(FieldError::new(ErrorCode::InvalidReview, "level"));
        }
        let asked = Indicator::asked(online);
        for i in &Indicator::ALL[1..] {
            let v = self.scores.get(*i);
            let ok = if asked.contains(i) { matches!(v, Some(1..=5)) } else { v.is_none() };
            if !ok {
                return Err(FieldError::new(ErrorCode::InvalidReview, i.as_str()));
            }
        }
        let text = self.text.trim();
        if text.chars().count() > TEXT_MAX || !text_ok(text) {
            return Err(FieldError::new(ErrorCode::ReviewTextTooLong, "text"));
        }
        if is_bad(self.level) {
            if self.reason.is_none() {
                return Err(FieldError::new(ErrorCode::ReasonCategoryRequired, "reason"));
            }
            if text.chars().count() < BAD_TEXT_MIN {
                return Err(FieldError::new(ErrorCode::ReviewTextRequired, "text"));
            }
        }
        Ok(())
    }
}

/// Whether a finished service may still be reviewed at `now`.
pub fn check_open(finished_at: Option<i64>, now: i64) -> Result<(), ErrorCode> {
    match finished_at {
        None => Err(ErrorCode::ServiceNotFinished),
        Some(t) if now - t > REVIEW_WINDOW_SECS => Err(ErrorCode::ReviewClosed),
        Some(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------------
// The rectification work order (差评工单)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// 待核实: the responsible side checks the review.
    Verifying,
    /// The responsible side holds it invalid; a center admin must approve.
    InvalidPending,
    /// Approved as invalid (e.g. malicious); the reviewer may appeal once.
    Invalid,
    /// The reviewer appealed; the district admin decides.
    Appealed,
    /// 整改中.
    Rectifying,
    /// An extension was asked; a center admin decides.
    ExtensionPending,
    /// 已整改: waiting for the reviewer's callback rating.
    Rectified,
    Closed,
}

impl OrderState {
    pub const ALL: [OrderState; 8] = [
        OrderState::Verifying,
        OrderState::InvalidPending,
        OrderState::Invalid,
        OrderState::Appealed,
        OrderState::Rectifying,
        OrderState::ExtensionPending,
        OrderState::Rectified,
        OrderState::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Verifying => "verifying",
            OrderState::InvalidPending => "invalid_pending",
            OrderState::Invalid => "invalid",
            OrderState::Appealed => "appealed",
            OrderState::Rectifying => "rectifying",
            OrderState::ExtensionPending => "extension_pending",
            OrderState::Rectified => "rectified",
            OrderState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            OrderState::Verifying => Text::new("待核实", "To verify"),
            OrderState::InvalidPending => Text::new("无效待审批", "Invalid, awaiting approval"),
            OrderState::Invalid => Text::new("已认定无效", "Ruled invalid"),
            OrderState::Appealed => Text::new("申诉中", "Under appeal"),
            OrderState::Rectifying => Text::new("整改中", "Being rectified"),
            OrderState::ExtensionPending => Text::new("延期待审批", "Extension awaiting approval"),
            OrderState::Rectified => Text::new("已整改，待回访", "Rectified, awaiting callback"),
            OrderState::Closed => Text::new("已办结", "Closed"),
        }
    }
    /// States in which the responsible side still owes work against the deadline.
    pub fn open(self) -> bool {
        matches!(self, OrderState::Verifying | OrderState::InvalidPending | OrderState::Rectifying | OrderState::ExtensionPending | OrderState::Appealed)
    }
}

/// How a closed order ended. "Not fixed" is a legal end and is counted as such, never as fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fixed,
    NotFixed,
    Invalid,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::NotFixed => "not_fixed",
            Outcome::Invalid => "invalid",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Fixed, Outcome::NotFixed, Outcome::Invalid].into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            Outcome::Fixed => Text::new("已整改办结", "Closed, fixed"),
            Outcome::NotFixed => Text::new("未整改办结", "Closed, not fixed"),
            Outcome::Invalid => Text::new("无效差评", "Invalid review"),
        }
    }
}

/// In what capacity someone acts on an order. The edge derives these from the session and the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// The department approver of the order's department (the center admin where no department is
    /// responsible, e.g. a walk-in at a comprehensive window).
    Responsible,
    /// The center admin of the order's center (approvals).
    CenterAdmin,
    /// The district admin (appeals; sees everything).
    DistrictAdmin,
    /// The person who wrote the review.
    Reviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OrderAction {
    /// The review holds: rectify.
    Validate {
        note: String,
    },
    /// Ask that the review be ruled invalid (malicious, not about this service …).
    RequestInvalid {
        note: String,
    },
    ApproveInvalid {
        note: String,
    },
    RejectInvalid {
        note: String,
    },
    /// The reviewer contests an invalid ruling, once.
    Appeal {
        note: String,
    },
    UpholdAppeal {
        note: String,
    },
    DismissAppeal {
        note: String,
    },
    /// One extension of up to 15 working days.
    RequestExtension {
        days: u32,
        note: String,
    },
    ApproveExtension {
        note: String,
    },
    RejectExtension {
        note: String,
    },
    /// What was done.
    Rectify {
        note: String,
    },
    /// The reviewer rates the fix.
    Callback {
        satisfied: bool,
        #[serde(default)]
        note: String,
    },
    /// Close without a fix (it cannot be fixed, or is beyond the center's power); counted as not fixed.
    CloseUnfixed {
        note: String,
    },
}

/// The action names, for "what may I do here" lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Validate,
    RequestInvalid,
    ApproveInvalid,
    RejectInvalid,
    Appeal,
    UpholdAppeal,
    DismissAppeal,
    RequestExtension,
    ApproveExtension,
    RejectExtension,
    Rectify,
    Callback,
    CloseUnfixed,
}

impl ActionKind {
    /// The request a decision answers: approving or rejecting "invalid" answers the request for it, an
    /// extension's approval or rejection its request. Whoever asked for an exception does not decide it
    /// (a center admin is both the responsible party and the approver of an order without a department).
    pub fn answers(self) -> Option<ActionKind> {
        match self {
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid => Some(ActionKind::RequestInvalid),
            ActionKind::ApproveExtension | ActionKind::RejectExtension => Some(ActionKind::RequestExtension),
            _ => None,
        }
    }

    pub const ALL: [ActionKind; 13] = [
        ActionKind::Validate,
        ActionKind::RequestInvalid,
        ActionKind::ApproveInvalid,
        ActionKind::RejectInvalid,
        ActionKind::Appeal,
        ActionKind::UpholdAppeal,
        ActionKind::DismissAppeal,
        ActionKind::RequestExtension,
        ActionKind::ApproveExtension,
        ActionKind::RejectExtension,
        ActionKind::Rectify,
        ActionKind::Callback,
        ActionKind::CloseUnfixed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Validate => "validate",
            ActionKind::RequestInvalid => "request_invalid",
            ActionKind::ApproveInvalid => "approve_invalid",
            ActionKind::RejectInvalid => "reject_invalid",
            ActionKind::Appeal => "appeal",
            ActionKind::UpholdAppeal => "uphold_appeal",
            ActionKind::DismissAppeal => "dismiss_appeal",
            ActionKind::RequestExtension => "request_extension",
            ActionKind::ApproveExtension => "approve_extension",
            ActionKind::RejectExtension => "reject_extension",
            ActionKind::Rectify => "rectify",
            ActionKind::Callback => "callback",
            ActionKind::CloseUnfixed => "close_unfixed",
        }
    }
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            ActionKind::Validate => Text::new("核实有效，开始整改", "Valid: start rectifying"),
            ActionKind::RequestInvalid => Text::new("申请认定无效", "Ask to rule it invalid"),
            ActionKind::ApproveInvalid => Text::new("批准认定无效", "Approve: invalid"),
            ActionKind::RejectInvalid => Text::new("驳回，须整改", "Reject: must rectify"),
            ActionKind::Appeal => Text::new("申诉", "Appeal"),
            ActionKind::UpholdAppeal => Text::new("申诉成立，须整改", "Uphold the appeal: rectify"),
            ActionKind::DismissAppeal => Text::new("驳回申诉", "Dismiss the appeal"),
            ActionKind::RequestExtension => Text::new("申请延期", "Ask for an extension"),
            ActionKind::ApproveExtension => Text::new("批准延期", "Approve the extension"),
            ActionKind::RejectExtension => Text::new("驳回延期", "Reject the extension"),
            ActionKind::Rectify => Text::new("提交整改结果", "Report the rectification"),
            ActionKind::Callback => Text::new("评价整改结果", "Rate the fix"),
            ActionKind::CloseUnfixed => Text::new("未整改办结", "Close, not fixed"),
        }
    }
    /// Who may take this action.
    pub fn capacity(self) -> &'static [Capacity] {
        use Capacity::*;
        match self {
            ActionKind::Validate | ActionKind::RequestInvalid | ActionKind::RequestExtension | ActionKind::Rectify => &[Responsible],
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid | ActionKind::ApproveExtension | ActionKind::RejectExtension | ActionKind::CloseUnfixed => {
                &[CenterAdmin, DistrictAdmin]
            }
            ActionKind::UpholdAppeal | ActionKind::DismissAppeal => &[DistrictAdmin],
            ActionKind::Appeal | ActionKind::Callback => &[Reviewer],
        }
    }
}

impl OrderAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            OrderAction::Validate { .. } => ActionKind::Validate,
            OrderAction::RequestInvalid { .. } => ActionKind::RequestInvalid,
            OrderAction::ApproveInvalid { .. } => ActionKind::ApproveInvalid,
            OrderAction::RejectInvalid { .. } => ActionKind::RejectInvalid,
            OrderAction::Appeal { .. } => ActionKind::Appeal,
            OrderAction::UpholdAppeal { .. } => ActionKind::UpholdAppeal,
            OrderAction::DismissAppeal { .. } => ActionKind::DismissAppeal,
            OrderAction::RequestExtension { .. } => ActionKind::RequestExtension,
            OrderAction::ApproveExtension { .. } => ActionKind::ApproveExtension,
            OrderAction::RejectExtension { .. } => ActionKind::RejectExtension,
            OrderAction::Rectify { .. } => ActionKind::Rectify,
            OrderAction::Callback { .. } => ActionKind::Callback,
            OrderAction::CloseUnfixed { .. } => ActionKind::CloseUnfixed,
        }
    }
    pub fn note(&self) -> &str {
        match self {
            OrderAction::Validate { note }
            | OrderAction::RequestInvalid { note }
            | OrderAction::ApproveInvalid { note }
            | OrderAction::RejectInvalid { note }
            | OrderAction::Appeal { note }
            | OrderAction::UpholdAppeal { note }
            | OrderAction::DismissAppeal { note }
            | OrderAction::RequestExtension { note, .. }
            | OrderAction::ApproveExtension { note }
            | OrderAction::RejectExtension { note }
            | OrderAction::Rectify { note }
            | OrderAction::Callback { note, .. }
            | OrderAction::CloseUnfixed { note } => note,
        }
    }
    /// Notes are required where a decision needs its reason on the record; a callback's note is optional.
    fn check_note(&self) -> Result<(), FieldError> {
        let n = self.note().trim();
        let len = n.chars().count();
        let required = !matches!(self, OrderAction::Callback { .. } | OrderAction::Validate { .. } | OrderAction::ApproveExtension { .. });
        if len > NOTE_MAX || !text_ok(n) || (required && len < NOTE_MIN) {
            return Err(FieldError::new(ErrorCode::NoteRequired, "note"));
        }
        if let OrderAction::RequestExtension { days, .. } = self {
            if !(1..=DEADLINE_WORKING_DAYS).contains(days) {
                return Err(FieldError::new(ErrorCode::ExtensionTooLong, "days"));
            }
        }
        Ok(())
    }
}

/// The order's state and the facts its transitions depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Order {
    pub state: OrderState,
    /// Real-name reviews are called back; anonymous ones cannot be.
    pub real_name: bool,
    /// `Some(true)` once verified as valid, `Some(false)` once ruled invalid.
    pub valid: Option<bool>,
    /// The rectification deadline.
    pub deadline: NaiveDate,
    /// Working days asked for or granted as an extension (only one may ever be granted).
    pub extension_days: Option<u32>,
    pub extended: bool,
    pub appealed: bool,
    /// A "not satisfied" callback already reopened it once.
    pub reopened: bool,
    pub outcome: Option<Outcome>,
}

impl Order {
    /// A new order for a bad review given on `opened` (its deadline counts from there).
    pub fn open(opened: NaiveDate, real_name: bool, cal: &Calendar) -> Order {
        Order {
            state: OrderState::Verifying,
            real_name,
            valid: None,
            deadline: cal.add_working_days(opened, DEADLINE_WORKING_DAYS),
            extension_days: None,
            extended: false,
            appealed: false,
            reopened: false,
            outcome: None,
        }
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state.open() && today > self.deadline
    }

    /// Whether `kind` fits the current state (ignoring who asks).
    pub fn permits(&self, kind: ActionKind) -> bool {
        use OrderState::*;
        match kind {
            ActionKind::Validate | ActionKind::RequestInvalid => self.state == Verifying,
            ActionKind::ApproveInvalid | ActionKind::RejectInvalid => self.state == InvalidPending,
            ActionKind::Appeal => self.state == Invalid && !self.appealed,
            ActionKind::UpholdAppeal | ActionKind::DismissAppeal => self.state == Appealed,
            ActionKind::RequestExtension => self.state == Rectifying && !self.extended,
            ActionKind::ApproveExtension | ActionKind::RejectExtension => self.state == ExtensionPending,
            ActionKind::Rectify => self.state == Rectifying,
            ActionKind::Callback => self.state == Rectified && self.real_name,
            ActionKind::CloseUnfixed => matches!(self.state, Rectifying | ExtensionPending),
        }
    }

    /// What someone holding `caps` may do now.
    pub fn actions(&self, caps: &[Capacity]) -> Vec<ActionKind> {
        ActionKind::ALL.into_iter().filter(|k| self.permits(*k) && k.capacity().iter().any(|c| caps.contains(c))).collect()
    }

    /// Applies `action` taken by someone holding `caps`. Errors: `Forbidden` when the caller may not
    /// take it at all, `InvalidTransition` when the state does not allow it, a field error for a bad note.
    pub fn apply(&self, action: &OrderAction, caps: &[Capacity], cal: &Calendar) -> Result<Order, FieldError> {
        let kind = action.kind();
        if !kind.capacity().iter().any(|c| caps.contains(c)) {
            return Err(FieldError { code: ErrorCode::Forbidden, field: None });
        }
        if !self.permits(kind) {
            return Err(FieldError { code: ErrorCode::InvalidTransition, field: None });
        }
        action.check_note()?;
        let mut o = self.clone();
        use OrderState::*;
        match action {
            OrderAction::Validate { .. } | OrderAction::RejectInvalid { .. } | OrderAction::UpholdAppeal { .. } => {
                o.valid = Some(true);
                o.state = Rectifying;
            }
            OrderAction::RequestInvalid { .. } => o.state = InvalidPending,
            OrderAction::ApproveInvalid { .. } => {
                o.valid = Some(false);
                o.state = Invalid;
                o.outcome = Some(Outcome::Invalid);
            }
            OrderAction::Appeal { .. } => {
                o.appealed = true;
                o.state = Appealed;
                o.outcome = None;
            }
            OrderAction::DismissAppeal { .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::Invalid);
            }
            OrderAction::RequestExtension { days, .. } => {
                o.extension_days = Some(*days);
                o.state = ExtensionPending;
            }
            OrderAction::ApproveExtension { .. } => {
                o.extended = true;
                o.deadline = cal.add_working_days(o.deadline, o.extension_days.unwrap_or(0));
                o.state = Rectifying;
            }
            OrderAction::RejectExtension { .. } => {
                o.extension_days = None;
                o.state = Rectifying;
            }
            OrderAction::Rectify { .. } => {
                if o.real_name {
                    o.state = Rectified;
                } else {
                    // Nobody to call back: the fix stands on the department's report.
                    o.state = Closed;
                    o.outcome = Some(Outcome::Fixed);
                }
            }
            OrderAction::Callback { satisfied: true, .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::Fixed);
            }
            OrderAction::Callback { satisfied: false, .. } => {
                if o.reopened {
                    o.state = Closed;
                    o.outcome = Some(Outcome::NotFixed);
                } else {
                    o.reopened = true;
                    o.state = Rectifying;
                }
            }
            OrderAction::CloseUnfixed { .. } => {
                o.state = Closed;
                o.outcome = Some(Outcome::NotFixed);
            }
        }
        Ok(o)
    }

    /// Counted as rectified: the department reported a fix the reviewer has not (yet) rejected, or the
    /// order closed fixed.
    pub fn rectified(&self) -> bool {
        self.state == OrderState::Rectified || self.outcome == Some(Outcome::Fixed)
    }
}

/// The capacities `p` holds for an order of `center` and (responsible) `dept`, reviewed by `reviewer`.
/// Nobody else holds any: an approver of another department, a center admin of another center, a
/// stranger — they get 403 on every action and do not see the order.
pub fn capacities(p: &crate::authz::Principal, center: &str, dept: Option<&str>, reviewer: Option<&str>) -> Vec<Capacity> {
    use crate::account::Role;
    let mut caps = Vec::new();
    let own_center = p.role == Role::CenterAdmin && p.center_id.as_deref() == Some(center);
    let responsible = match dept {
        Some(d) => p.role == Role::Approver && p.dept_id.as_deref() == Some(d),
        None => own_center,
    };
    if responsible {
        caps.push(Capacity::Responsible);
    }
    if own_center {
        caps.push(Capacity::CenterAdmin);
    }
    if p.role == Role::DistrictAdmin {
        caps.push(Capacity::DistrictAdmin);
    }
    if reviewer.is_some_and(|r| r == p.account_id) {
        caps.push(Capacity::Reviewer);
    }
    caps
}

// ---------------------------------------------------------------------------------------------------
// Figures

/// Raw counts over some set of services and reviews. The edge fills them from SQL `GROUP BY`s; sums
/// add up across groups, so any roll-up (center, month, …) is a sum of tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tally {
    /// Services delivered (finished tickets, decided cases).
    pub services: u64,
    /// Of which finished on the spot (当场办结).
    pub on_the_spot: u64,
    /// Services with a measured wait, and the waits' sum in seconds.
    pub waited: u64,
    pub wait_secs: u64,
    pub reviews: u64,
    pub good: u64,
    pub bad: u64,
    /// Bad reviews verified as valid.
    pub valid_bad: u64,
    pub rectified: u64,
    pub not_fixed: u64,
    /// Valid bad reviews given under the reviewer's name, and how many of them were called back.
    pub real_name_bad: u64,
    pub called_back: u64,
    pub overdue: u64,
    /// Sum and count of each indicator in [`Indicator::ALL`] order.
    pub score_sum: [u64; 7],
    pub score_n: [u64; 7],
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.services += o.services;
        self.on_the_spot += o.on_the_spot;
        self.waited += o.waited;
        self.wait_secs += o.wait_secs;
        self.reviews += o.reviews;
        self.good += o.good;
        self.bad += o.bad;
        self.valid_bad += o.valid_bad;
        self.rectified += o.rectified;
        self.not_fixed += o.not_fixed;
        self.real_name_bad += o.real_name_bad;
        self.called_back += o.called_back;
        self.overdue += o.overdue;
        for i in 0..7 {
            self.score_sum[i] += o.score_sum[i];
            self.score_n[i] += o.score_n[i];
        }
    }

    /// Adds one review (and its order, if it opened one) — the reference definition the SQL follows.
    pub fn count_review(&mut self, level: u8, scores: &Scores, order: Option<&Order>, today: NaiveDate) {
        self.reviews += 1;
        self.good += u64::from(is_good(level));
        self.bad += u64::from(is_bad(level));
        self.score_sum[0] += u64::from(level);
        self.score_n[0] += 1;
        for (i, ind) in Indicator::ALL.iter().enumerate().skip(1) {
            if let Some(v) = scores.get(*ind) {
                self.score_sum[i] += u64::from(v);
                self.score_n[i] += 1;
            }
        }
        if let Some(o) = order {
            let valid = o.valid == Some(true);
            self.valid_bad += u64::from(valid);
            self.rectified += u64::from(valid && o.rectified());
            self.not_fixed += u64::from(o.outcome == Some(Outcome::NotFixed));
            self.real_name_bad += u64::from(valid && o.real_name);
            self.called_back += u64::from(valid && o.called_back());
            self.overdue += u64::from(o.overdue(today));
        }
    }
}

impl Order {
    /// Whether the reviewer has given a callback rating (one closed it fixed, or one reopened it). Only
    /// real-name orders are called back; anonymous ones close fixed on the report, uncalled.
    pub fn called_back(&self) -> bool {
        self.real_name && (self.reopened || self.outcome == Some(Outcome::Fixed))
    }
}

/// One indicator's average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorAvg {
    pub indicator: Indicator,
    pub avg: f64,
    pub n: u64,
}

/// A tally with its rates. Rates are `None` where the denominator is 0 (no services, no bad reviews):
/// "no data" is not 0% and not 100%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Figures {
    pub tally: Tally,
    /// Reviews ÷ services.
    pub evaluation_rate: Option<f64>,
    /// Levels 4–5 ÷ reviews.
    pub good_rate: Option<f64>,
    /// Rectified ÷ valid bad reviews.
    pub rectification_rate: Option<f64>,
    /// Called back ÷ valid real-name bad reviews.
    pub callback_rate: Option<f64>,
    pub on_the_spot_rate: Option<f64>,
    pub avg_wait_minutes: Option<f64>,
    pub satisfaction: Vec<IndicatorAvg>,
}

/// `num ÷ den` as a percentage rounded to 0.1, `None` for an empty denominator.
pub fn percent(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| (num as f64 * 1000.0 / den as f64).round() / 10.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Figures {
    pub fn of(t: Tally) -> Figures {
        Figures {
            evaluation_rate: percent(t.reviews, t.services),
            good_rate: percent(t.good, t.reviews),
            rectification_rate: percent(t.rectified, t.valid_bad),
            callback_rate: percent(t.called_back, t.real_name_bad),
            on_the_spot_rate: percent(t.on_the_spot, t.services),
            avg_wait_minutes: (t.waited > 0).then(|| (t.wait_secs as f64 / t.waited as f64 / 60.0 * 10.0).round() / 10.0),
            satisfaction: Indicator::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| t.score_n[*i] > 0)
                .map(|(i, ind)| IndicatorAvg { indicator: *ind, avg: round2(t.score_sum[i] as f64 / t.score_n[i] as f64), n: t.score_n[i] })
                .collect(),
            tally: t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn good_review() -> NewReview {
        NewReview {
            ticket: Some("t".into()),
            code: None,
            case: None,
            level: 5,
            scores: Scores { efficiency: Some(5), competence: Some(4), attitude: Some(5), ..Scores::default() },
            reason: None,
            text: String::new(),
            channel: Channel::Web,
            anonymous: false,
        }
    }

    #[test]
    fn review_validation() {
        assert_eq!(good_review().validate(false), Ok(()));
        // Offline reviews answer the offline indicators, not the online ones.
        assert_eq!(good_review().validate(true).unwrap_err().field, Some("competence"));
        let mut r = good_review();
        r.scores.attitude = None;
        assert_eq!(r.validate(false).unwrap_err().field, Some("attitude"));
        r.scores.attitude = Some(6);
        assert_eq!(r.validate(false).unwrap_err().field, Some("attitude"));
        let mut r = good_review();
        r.level = 0;
        assert_eq!(r.validate(false).unwrap_err().field, Some("level"));
        // A bad review needs a reason category and a text.
        let mut r = good_review();
        r.level = 1;
        assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReasonCategoryRequired);
        r.reason = Some(Reason::Attitude);
        assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReviewTextRequired);
        r.text = "  窗口人员不耐烦  ".into();
        assert_eq!(r.validate(false), Ok(()));
        r.text = "字".repeat(TEXT_MAX + 1);
        assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReviewTextTooLong);
        r.text = "bad\u{0007}bell".into();
        assert_eq!(r.validate(false).unwrap_err().field, Some("text"));
        // Markup is just text here: it is stored and shown as text, never rendered.
        r.text = "<script>alert(1)</script>".into();
        assert_eq!(r.validate(false), Ok(()));
        let mut r = good_review();
        r.ticket = None;
        assert_eq!(r.validate(false).unwrap_err().field, Some("ticket"));
        r.code = Some("ABCD-EFGH".into());
        assert_eq!(r.validate(false), Ok(()));
        r.code = Some("ABCD-EFG0".into());
        assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::InvalidReviewCode);
    }

    #[test]
    fn codes() {
        let c = review_code(&[0, 1, 2, 3, 200, 255, 31, 30]);
        assert_eq!(c.len(), 8);
        assert_eq!(normalize_code(&c.to_lowercase()), Some(c.clone()));
        assert_eq!(normalize_code(&format!("{}-{}", &c[..4], &c[4..])), Some(c));
        assert_eq!(normalize_code("OIL10000"), None);
    }

    #[test]
    fn review_window() {
        assert_eq!(check_open(None, 100), Err(ErrorCode::ServiceNotFinished));
        assert_eq!(check_open(Some(0), REVIEW_WINDOW_SECS), Ok(()));
        assert_eq!(check_open(Some(0), REVIEW_WINDOW_SECS + 1), Err(ErrorCode::ReviewClosed));
    }

    fn cal() -> Calendar {
        // 2026 National Day: 1–8 October off, Sunday 27 Sept and Saturday 10 Oct worked.
        let mut c = Calendar::default();
        for day in 1..=8 {
            c.holidays.insert(NaiveDate::from_ymd_opt(2026, 10, day).unwrap());
        }
        c.extra_workdays.insert(d("2026-09-27"));
        c.extra_workdays.insert(d("2026-10-10"));
        c
    }

    #[test]
    fn deadline_is_fifteen_working_days_over_holidays() {
        // Opened Wed 23 Sept: 24, 25, 27(调休), 28, 29, 30, then 9, 10(调休), 12, 13, 14, 15, 16, 19, 20.
        let o = Order::open(d("2026-09-23"), true, &cal());
        assert_eq!(o.deadline, d("2026-10-20"));
        assert!(!o.overdue(d("2026-10-20")));
        assert!(o.overdue(d("2026-10-21")));
        // An ordinary fortnight: Mon 2 Nov + 15 working days = Mon 23 Nov.
        assert_eq!(Order::open(d("2026-11-02"), true, &Calendar::default()).deadline, d("2026-11-23"));
    }

    fn note(s: &str) -> String {
        s.to_string()
    }

    #[test]
    fn the_full_loop_and_its_guards() {
        use Capacity::*;
        let c = cal();
        let o = Order::open(d("2026-11-02"), true, &c);
        assert_eq!(o.actions(&[Responsible]), vec![ActionKind::Validate, ActionKind::RequestInvalid]);
        assert!(o.actions(&[Reviewer]).is_empty());
        // Another department holds no capacity: forbidden, whatever the state.
        assert_eq!(o.apply(&OrderAction::Validate { note: note("") }, &[], &c).unwrap_err().code, ErrorCode::Forbidden);
        // Right person, wrong state: 409.
        assert_eq!(o.apply(&OrderAction::Rectify { note: note("done") }, &[Responsible], &c).unwrap_err().code, ErrorCode::InvalidTransition);
        let o = o.apply(&OrderAction::Validate { note: note("") }, &[Responsible], &c).unwrap();
        assert_eq!(o.state, OrderState::Rectifying);
        // Extension: at most 15 working days, once.
        let too_long = OrderAction::RequestExtension { days: 16, note: note("需要协调") };
        assert_eq!(o.apply(&too_long, &[Responsible], &c).unwrap_err().code, ErrorCode::ExtensionTooLong);
        let o = o.apply(&OrderAction::RequestExtension { days: 5, note: note("需要协调") }, &[Responsible], &c).unwrap();
        assert_eq!(o.apply(&OrderAction::ApproveExtension { note: note("") }, &[Responsible], &c).unwrap_err().code, ErrorCode::Forbidden);
        let o = o.apply(&OrderAction::ApproveExtension { note: note("") }, &[CenterAdmin], &c).unwrap();
        assert_eq!(o.deadline, d("2026-11-30"));
        assert!(!o.permits(ActionKind::RequestExtension));
        let o = o.apply(&OrderAction::Rectify { note: note("已约谈并培训") }, &[Responsible], &c).unwrap();
        assert_eq!(o.state, OrderState::Rectified);
        assert!(o.rectified());
        // Not satisfied reopens once; the second "not satisfied" closes it as not fixed.
        let o = o.apply(&OrderAction::Callback { satisfied: false, note: note("") }, &[Reviewer], &c).unwrap();
        assert_eq!((o.state, o.reopened, o.rectified()), (OrderState::Rectifying, true, false));
        let o = o.apply(&OrderAction::Rectify { note: note("再次整改") }, &[Responsible], &c).unwrap();
        let done = o.apply(&OrderAction::Callback { satisfied: false, note: note("") }, &[Reviewer], &c).unwrap();
        assert_eq!((done.state, done.outcome, done.rectified()), (OrderState::Closed, Some(Outcome::NotFixed), false));
        let fixed = o.apply(&OrderAction::Callback { satisfied: true, note: note("") }, &[Reviewer], &c).unwrap();
        assert_eq!((fixed.outcome, fixed.rectified(), fixed.called_back()), (Some(Outcome::Fixed), true, true));
    }

    #[test]
    fn invalid_needs_approval_and_may_be_appealed_once() {
        use Capacity::*;
        let c = Calendar::default();
        let o = Order::open(d("2026-11-02"), true, &c);
        assert_eq!(o.apply(&OrderAction::RequestInvalid { note: note("") }, &[Responsible], &c).unwrap_err().code, ErrorCode::NoteRequired);
        let o = o.apply(&OrderAction::RequestInvalid { note: note("恶意差评") }, &[Responsible], &c).unwrap();
        let o = o.apply(&OrderAction::ApproveInvalid { note: note("同意") }, &[CenterAdmin], &c).unwrap();
        assert_eq!((o.state, o.outcome), (OrderState::Invalid, Some(Outcome::Invalid)));
        let o = o.apply(&OrderAction::Appeal { note: note("我确实被刁难") }, &[Reviewer], &c).unwrap();
        assert_eq!(o.apply(&OrderAction::UpholdAppeal { note: note("成立") }, &[CenterAdmin], &c).unwrap_err().code, ErrorCode::Forbidden);
        let dismissed = o.apply(&OrderAction::DismissAppeal { note: note("维持") }, &[DistrictAdmin], &c).unwrap();
        assert_eq!((dismissed.state, dismissed.outcome), (OrderState::Closed, Some(Outcome::Invalid)));
        assert!(!dismissed.permits(ActionKind::Appeal));
        let upheld = o.apply(&OrderAction::UpholdAppeal { note: note("成立") }, &[DistrictAdmin], &c).unwrap();
        assert_eq!((upheld.state, upheld.valid), (OrderState::Rectifying, Some(true)));
    }

    #[test]
    fn anonymous_orders_close_on_the_report() {
        let c = Calendar::default();
        let o = Order::open(d("2026-11-02"), false, &c).apply(&OrderAction::Validate { note: note("") }, &[Capacity::Responsible], &c).unwrap();
        let o = o.apply(&OrderAction::Rectify { note: note("已整改") }, &[Capacity::Responsible], &c).unwrap();
        assert_eq!((o.state, o.outcome, o.called_back()), (OrderState::Closed, Some(Outcome::Fixed), false));
    }

    #[test]
    fn who_holds_which_capacity() {
        use crate::account::Role;
        use crate::authz::Principal;
        let p = |role, center: Option<&str>, dept: Option<&str>| Principal {
            account_id: "me".into(),
            role,
            center_id: center.map(Into::into),
            dept_id: dept.map(Into::into),
            must_change_password: false,
        };
        assert_eq!(capacities(&p(Role::Approver, None, Some("scjg")), "putuo", Some("scjg"), None), vec![Capacity::Responsible]);
        assert!(capacities(&p(Role::Approver, None, Some("rsj")), "putuo", Some("scjg"), None).is_empty());
        assert_eq!(capacities(&p(Role::CenterAdmin, Some("putuo"), None), "putuo", Some("scjg"), None), vec![Capacity::CenterAdmin]);
        // Without a responsible department (a walk-in at a comprehensive window) the center answers.
        assert_eq!(capacities(&p(Role::CenterAdmin, Some("putuo"), None), "putuo", None, None), vec![Capacity::Responsible, Capacity::CenterAdmin]);
        assert!(capacities(&p(Role::CenterAdmin, Some("wanli"), None), "putuo", None, None).is_empty());
        assert_eq!(capacities(&p(Role::DistrictAdmin, None, None), "putuo", None, None), vec![Capacity::DistrictAdmin]);
        assert_eq!(capacities(&p(Role::Resident, None, None), "putuo", None, Some("me")), vec![Capacity::Reviewer]);
        assert!(capacities(&p(Role::Resident, None, None), "putuo", None, Some("other")).is_empty());
    }

    #[test]
    fn rate_formulas() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(0, 0), None);
        let t = Tally {
            services: 8,
            reviews: 4,
            good: 3,
            bad: 1,
            valid_bad: 1,
            rectified: 1,
            real_name_bad: 1,
            called_back: 0,
            on_the_spot: 6,
            waited: 2,
            wait_secs: 600,
            ..Tally::default()
        };
        let f = Figures::of(t);
        assert_eq!(f.evaluation_rate, Some(50.0));
        assert_eq!(f.good_rate, Some(75.0));
        assert_eq!(f.rectification_rate, Some(100.0));
        assert_eq!(f.callback_rate, Some(0.0));
        assert_eq!(f.on_the_spot_rate, Some(75.0));
        assert_eq!(f.avg_wait_minutes, Some(5.0));
    }

    fn action() -> impl Strategy<Value = (OrderAction, Capacity)> {
        let n = || Just(note("理由说明"));
        let a = prop_oneof![
            n().prop_map(|note| OrderAction::Validate { note }),
            n().prop_map(|note| OrderAction::RequestInvalid { note }),
            n().prop_map(|note| OrderAction::ApproveInvalid { note }),
            n().prop_map(|note| OrderAction::RejectInvalid { note }),
            n().prop_map(|note| OrderAction::Appeal { note }),
            n().prop_map(|note| OrderAction::UpholdAppeal { note }),
            n().prop_map(|note| OrderAction::DismissAppeal { note }),
            (0u32..20).prop_map(|days| OrderAction::RequestExtension { days, note: note("延期") }),
            n().prop_map(|note| OrderAction::ApproveExtension { note }),
            n().prop_map(|note| OrderAction::RejectExtension { note }),
            n().prop_map(|note| OrderAction::Rectify { note }),
            any::<bool>().prop_map(|satisfied| OrderAction::Callback { satisfied, note: String::new() }),
            n().prop_map(|note| OrderAction::CloseUnfixed { note }),
        ];
        let c = prop_oneof![Just(Capacity::Responsible), Just(Capacity::CenterAdmin), Just(Capacity::DistrictAdmin), Just(Capacity::Reviewer)];
        (a, c)
    }

    proptest! {
        /// No sequence of actions reaches a closed-fixed or closed-not-fixed end without passing
        /// verification; an extension is granted at most once and never beyond 15 working days; and the
        /// tally's counts match a model that replays the same histories by hand.
        #[test]
        fn orders_never_skip_verification(histories in proptest::collection::vec((any::<bool>(), proptest::collection::vec(action(), 0..25)), 1..20)) {
            let c = Calendar::default();
            let opened = d("2026-11-02");
            let today = d("2026-12-31");
            let mut tally = Tally::default();
            let (mut valid, mut rectified, mut not_fixed, mut overdue, mut real_valid, mut called) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
            for (real_name, actions) in histories {
                let mut o = Order::open(opened, real_name, &c);
                let first = o.deadline;
                let mut verified = false;
                let mut callbacks = Vec::new();
                for (a, cap) in actions {
                    match o.apply(&a, &[cap], &c) {
                        Ok(next) => {
                            if matches!(a, OrderAction::Validate { .. } | OrderAction::RejectInvalid { .. } | OrderAction::UpholdAppeal { .. }) {
                                verified = true;
                            }
                            if let OrderAction::Callback { satisfied, .. } = a {
                                callbacks.push(satisfied);
                            }
                            o = next;
                        }
                        Err(e) => prop_assert!(matches!(e.code, ErrorCode::Forbidden | ErrorCode::InvalidTransition | ErrorCode::ExtensionTooLong)),
                    }
                    if o.state == OrderState::Closed && o.outcome != Some(Outcome::Invalid) {
                        prop_assert!(verified, "closed {:?} without verification", o.outcome);
                    }
                    prop_assert!(c.working_days_between(first, o.deadline) <= DEADLINE_WORKING_DAYS);
                    prop_assert!(callbacks.len() <= 2 && callbacks.iter().filter(|s| !**s).count() <= 2);
                }
                tally.count_review(1, &Scores::default(), Some(&o), today);
                // The reference model, from the history alone.
                let is_valid = verified && o.valid == Some(true);
                valid += u64::from(is_valid);
                let last_fixed = o.state == OrderState::Rectified || (o.state == OrderState::Closed && o.outcome == Some(Outcome::Fixed));
                rectified += u64::from(is_valid && last_fixed);
                not_fixed += u64::from(o.state == OrderState::Closed && o.outcome == Some(Outcome::NotFixed));
                overdue += u64::from(matches!(o.state, OrderState::Verifying | OrderState::InvalidPending | OrderState::Rectifying | OrderState::ExtensionPending | OrderState::Appealed));
                real_valid += u64::from(is_valid && real_name);
                called += u64::from(is_valid && real_name && !callbacks.is_empty());
            }
            prop_assert_eq!(tally.valid_bad, valid);
            prop_assert_eq!(tally.rectified, rectified);
            prop_assert_eq!(tally.not_fixed, not_fixed);
            prop_assert_eq!(tally.overdue, overdue);
            prop_assert_eq!(tally.real_name_bad, real_valid);
            prop_assert_eq!(tally.called_back, called);
            prop_assert!(tally.rectified <= tally.valid_bad && tally.called_back <= tally.real_name_bad);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// What the API returns

/// A service as the review form presents it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewTarget {
    pub kind: EventKind,
    /// Ticket id (or case number).
    pub id: String,
    /// The ticket number (A012) or case number.
    pub number: String,
    pub center: Text,
    pub window_no: Option<u32>,
    pub item: Option<Text>,
    pub finished_at: Option<i64>,
    /// Until when a review is accepted.
    pub closes_at: Option<i64>,
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewCreated {
    pub id: String,
    /// The work order a bad review opened.
    pub work_order: Option<String>,
}

/// A review's content, as the reviewer and the staff handling it see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewBody {
    pub level: u8,
    pub scores: Scores,
    pub reason: Option<Reason>,
    /// Plain text: shown as text, never as markup.
    pub text: String,
    pub channel: Channel,
    pub anonymous: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderEvent {
    pub at: i64,
    pub capacity: Option<Capacity>,
    /// `opened` or an [`ActionKind`] name.
    pub action: String,
    pub from: Option<OrderState>,
    pub to: OrderState,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderSummary {
    pub id: String,
    pub state: OrderState,
    pub outcome: Option<Outcome>,
    pub center: Text,
    /// The responsible department; none where the center itself is.
    pub department: Option<Text>,
    pub window_no: Option<u32>,
    pub level: u8,
    pub reason: Option<Reason>,
    pub deadline: String,
    pub overdue: bool,
    pub real_name: bool,
    pub created_at: i64,
    /// The start of the review's text, so a list says what each order is about.
    #[serde(default)]
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub review: ReviewBody,
    pub service: ReviewTarget,
    /// The reviewer's masked name, for a real-name review (staff call them back); never for anonymous.
    pub reviewer: Option<String>,
    pub rectification: Option<String>,
    pub extension_days: Option<u32>,
    pub extended: bool,
    /// What the caller may do now.
    pub actions: Vec<ActionKind>,
    pub history: Vec<OrderEvent>,
}

/// Staff's list: overdue first, then by deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderList {
    pub orders: Vec<OrderSummary>,
    pub overdue: u32,
    /// Orders waiting for the caller's decision (approvals, appeals).
    pub awaiting_me: u32,
}

/// A review in the reviewer's own list, with its work order when it opened one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MyReview {
    pub id: String,
    pub service: ReviewTarget,
    pub review: ReviewBody,
    pub order: Option<OrderDetail>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MyReviews {
    /// Finished services still open for review.
    pub pending: Vec<ReviewTarget>,
    pub reviews: Vec<MyReview>,
}
