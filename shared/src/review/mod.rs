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

mod figures;
mod order;
#[cfg(test)]
mod tests;
pub use figures::*;
pub use order::*;

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
