//! Status notifications: the typed events that tell a person something changed, their text in both
//! languages (rendered when read, so it follows the reader's language), where each one links to, which
//! may go out as a push (preferences and quiet hours), and when booking reminders fall due.
//!
//! An event is stored as its `kind` and the JSON of its fields (`notifications.kind`, `body_json`); the
//! edge writes it in the same D1 batch as the state change it reports.

use crate::Text;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// Everything a person can be notified of. Field names are what the edge's SQL writes into `body_json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    BookingConfirmed {
        booking_id: String,
        date: String,
        start: String,
    },
    BookingRescheduled {
        booking_id: String,
        date: String,
        start: String,
    },
    BookingCancelled {
        booking_id: String,
        date: String,
        start: String,
    },
    /// Cancelled by the center, with the reason staff gave.
    BookingCancelledByCenter {
        booking_id: String,
        date: String,
        start: String,
        reason: String,
    },
    ReminderDayBefore {
        booking_id: String,
        date: String,
        start: String,
    },
    ReminderHourBefore {
        booking_id: String,
        date: String,
        start: String,
    },
    /// A seat freed up and is held for this person until `hold_until` (epoch seconds).
    WaitlistOffer {
        booking_id: String,
        date: String,
        start: String,
        hold_until: i64,
    },
    CheckedIn {
        ticket_id: String,
        number: String,
    },
    ThreeAhead {
        ticket_id: String,
        number: String,
    },
    YourTurn {
        ticket_id: String,
        number: String,
        window_no: u32,
    },
    Skipped {
        ticket_id: String,
        number: String,
    },
    NoShow {
        booking_id: String,
        date: String,
        start: String,
    },
    /// A booked visit was finished at the window: an invitation (never a demand) to review it.
    ReviewInvite {
        ticket_id: String,
        number: String,
    },
    /// The work order a bad review opened changed state (rectified: rate the fix; invalid: may appeal).
    OrderUpdate {
        order_id: String,
        state: String,
    },
    /// Every case of an application is decided: one notice for the whole bundle (统一出件).
    ApplicationReady {
        application_id: String,
        number: String,
    },
    /// A business asks this resident to act as its agent (经办人); nothing changes until they accept.
    AgentInvitation {
        invitation_id: String,
        company: String,
    },
}

/// The kinds, for preferences ("which kinds go to push").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    BookingConfirmed,
    BookingRescheduled,
    BookingCancelled,
    BookingCancelledByCenter,
    ReminderDayBefore,
    ReminderHourBefore,
    WaitlistOffer,
    CheckedIn,
    ThreeAhead,
    YourTurn,
    Skipped,
    NoShow,
    ReviewInvite,
    OrderUpdate,
    ApplicationReady,
    AgentInvitation,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::BookingConfirmed,
        Kind::BookingRescheduled,
        Kind::BookingCancelled,
        Kind::BookingCancelledByCenter,
        Kind::ReminderDayBefore,
        Kind::ReminderHourBefore,
        Kind::WaitlistOffer,
        Kind::CheckedIn,
        Kind::ThreeAhead,
        Kind::YourTurn,
        Kind::Skipped,
        Kind::NoShow,
        Kind::ReviewInvite,
        Kind::OrderUpdate,
        Kind::ApplicationReady,
        Kind::AgentInvitation,
    ];

    /// What the kind is called in the preferences.
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            Kind::BookingConfirmed => ("预约成功", "Booking confirmed"),
            Kind::BookingRescheduled => ("改约成功", "Booking moved"),
            Kind::BookingCancelled => ("预约取消", "Booking cancelled"),
            Kind::BookingCancelledByCenter => ("中心取消预约", "Cancelled by the center"),
            Kind::ReminderDayBefore => ("前一天 18:00 提醒", "Reminder the evening before"),
            Kind::ReminderHourBefore => ("开始前 1 小时提醒", "Reminder an hour before"),
            Kind::WaitlistOffer => ("候补有空位", "Waiting-list seat offered"),
            Kind::CheckedIn => ("签到成功", "Checked in"),
            Kind::ThreeAhead => ("前面还有 3 人", "Three ahead of you"),
            Kind::YourTurn => ("轮到您了", "Your turn"),
            Kind::Skipped => ("过号", "Skipped"),
            Kind::NoShow => ("爽约记录", "No-show recorded"),
            Kind::ReviewInvite => ("邀请评价", "Invitation to review"),
            Kind::OrderUpdate => ("差评整改进展", "Progress on a bad review"),
            Kind::ApplicationReady => ("办件已办结", "Application decided"),
            Kind::AgentInvitation => ("经办人邀请", "Invitation to act for a business"),
        };
        Text::new(zh, en)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BookingConfirmed => "booking_confirmed",
            Kind::BookingRescheduled => "booking_rescheduled",
            Kind::BookingCancelled => "booking_cancelled",
            Kind::BookingCancelledByCenter => "booking_cancelled_by_center",
            Kind::ReminderDayBefore => "reminder_day_before",
            Kind::ReminderHourBefore => "reminder_hour_before",
            Kind::WaitlistOffer => "waitlist_offer",
            Kind::CheckedIn => "checked_in",
            Kind::ThreeAhead => "three_ahead",
            Kind::YourTurn => "your_turn",
            Kind::Skipped => "skipped",
            Kind::NoShow => "no_show",
            Kind::ReviewInvite => "review_invite",
            Kind::OrderUpdate => "order_update",
            Kind::ApplicationReady => "application_ready",
            Kind::AgentInvitation => "agent_invitation",
        }
    }
}

/// What the inbox and a push show: a title, a line of text, and the page it opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Message {
    pub title: Text,
    pub body: Text,
    /// App path, e.g. `/bookings` or `/tickets/<id>`.
    pub url: String,
}

impl Event {
    pub fn kind(&self) -> Kind {
        match self {
            Event::BookingConfirmed { .. } => Kind::BookingConfirmed,
            Event::BookingRescheduled { .. } => Kind::BookingRescheduled,
            Event::BookingCancelled { .. } => Kind::BookingCancelled,
            Event::BookingCancelledByCenter { .. } => Kind::BookingCancelledByCenter,
            Event::ReminderDayBefore { .. } => Kind::ReminderDayBefore,
            Event::ReminderHourBefore { .. } => Kind::ReminderHourBefore,
            Event::WaitlistOffer { .. } => Kind::WaitlistOffer,
            Event::CheckedIn { .. } => Kind::CheckedIn,
            Event::ThreeAhead { .. } => Kind::ThreeAhead,
            Event::YourTurn { .. } => Kind::YourTurn,
            Event::Skipped { .. } => Kind::Skipped,
            Event::NoShow { .. } => Kind::NoShow,
            Event::ReviewInvite { .. } => Kind::ReviewInvite,
            Event::OrderUpdate { .. } => Kind::OrderUpdate,
            Event::ApplicationReady { .. } => Kind::ApplicationReady,
            Event::AgentInvitation { .. } => Kind::AgentInvitation,
        }
    }

    /// An event from its stored row: the kind column and the fields' JSON.
    pub fn from_row(kind: &str, body_json: &str) -> Option<Event> {
        let mut v: serde_json::Value = serde_json::from_str(body_json).ok()?;
        v.as_object_mut()?.insert("kind".into(), serde_json::Value::String(kind.to_string()));
        serde_json::from_value(v).ok()
    }

    /// The fields' JSON without the kind (what `body_json` holds).
    pub fn body_json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("kind");
        }
        v.to_string()
    }

    /// The text in both languages and the page it opens. `clock` turns an epoch second into local
    /// `HH:MM` (the edge and the browser each know their time zone).
    pub fn message(&self, clock: impl Fn(i64) -> String) -> Message {
        let when = |d: &str, s: &str| (format!("{d} {s}"), format!("{d} {s}"));
        let t = |zh: String, en: String| Text::new(zh, en);
        match self {
            Event::BookingConfirmed { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("预约成功".into(), "Booking confirmed".into()),
                    body: t(format!("您已预约 {z}，到达后请出示预约码签到。"), format!("You are booked for {e}; show your booking code on arrival.")),
                    url: "/bookings".into(),
                }
            }
            Event::BookingRescheduled { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("改约成功".into(), "Booking moved".into()),
                    body: t(format!("您的预约已改至 {z}。"), format!("Your booking is now {e}.")),
                    url: "/bookings".into(),
                }
            }
            Event::BookingCancelled { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("预约已取消".into(), "Booking cancelled".into()),
                    body: t(format!("{z} 的预约已取消。"), format!("Your booking for {e} is cancelled.")),
                    url: "/bookings".into(),
                }
            }
            Event::BookingCancelledByCenter { date, start, reason, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("服务中心取消了您的预约".into(), "The center cancelled your booking".into()),
                    body: t(
                        format!("{z} 的预约已被取消，原因：{reason}。请重新预约，给您带来不便敬请谅解。"),
                        format!("Your booking for {e} was cancelled: {reason}. Please book again; we apologise."),
                    ),
                    url: "/bookings".into(),
                }
            }
            Event::ReminderDayBefore { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("明天办事提醒".into(), "Reminder: tomorrow".into()),
                    body: t(format!("您预约了 {z}，请带齐材料准时到达。"), format!("You are booked for {e}; bring your materials and arrive on time.")),
                    url: "/bookings".into(),
                }
            }
            Event::ReminderHourBefore { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("一小时后办事".into(), "In one hour".into()),
                    body: t(
                        format!("您的预约 {z} 即将开始，可提前 30 分钟签到。"),
                        format!("Your booking at {e} starts soon; check in from 30 minutes before."),
                    ),
                    url: "/bookings".into(),
                }
            }
            Event::WaitlistOffer { date, start, hold_until, .. } => {
                let (z, e) = when(date, start);
                let by = clock(*hold_until);
                Message {
                    title: t("候补成功，请确认".into(), "A seat is free: confirm it".into()),
                    body: t(format!("{z} 有空位了，已为您保留，请在 {by} 前确认。"), format!("A seat for {e} is held for you; confirm before {by}.")),
                    url: "/bookings".into(),
                }
            }
            Event::CheckedIn { ticket_id, number } => Message {
                title: t("签到成功".into(), "Checked in".into()),
                body: t(format!("您的排队号是 {number}，预约用户优先办理。"), format!("Your ticket is {number}; booked visitors are served first.")),
                url: format!("/tickets/{ticket_id}"),
            },
            Event::ThreeAhead { ticket_id, number } => Message {
                title: t("快到您了".into(), "Almost your turn".into()),
                body: t(
                    format!("{number} 号前面还有 3 人，请到等候区留意叫号。"),
                    format!("Three people before ticket {number}; please wait near the windows."),
                ),
                url: format!("/tickets/{ticket_id}"),
            },
            Event::YourTurn { ticket_id, number, window_no } => Message {
                title: t("轮到您了".into(), "It is your turn".into()),
                body: t(format!("请 {number} 号到 {window_no} 号窗口办理。"), format!("Ticket {number}, please go to window {window_no}.")),
                url: format!("/tickets/{ticket_id}"),
            },
            Event::Skipped { ticket_id, number } => Message {
                title: t("您已过号".into(), "You missed your call".into()),
                body: t(
                    format!("{number} 号已过号，将在几位之后重新排队，请留意叫号。"),
                    format!("Ticket {number} was skipped; it rejoins the line after a few others."),
                ),
                url: format!("/tickets/{ticket_id}"),
            },
            Event::NoShow { date, start, .. } => {
                let (z, e) = when(date, start);
                Message {
                    title: t("预约未到".into(), "Missed booking".into()),
                    body: t(
                        format!("您 {z} 的预约未签到，记爽约一次。30 天内爽约 2 次将暂停预约 90 天。"),
                        format!("You did not check in for {e}: one no-show. Two within 30 days suspend booking for 90 days."),
                    ),
                    url: "/bookings".into(),
                }
            }
            Event::ReviewInvite { ticket_id, number } => Message {
                title: t("请评价本次服务".into(), "How was your visit?".into()),
                body: t(
                    format!("{number} 号已办结。欢迎您对本次服务进行评价（7 天内有效，自愿评价）。"),
                    format!("Ticket {number} is finished. You are welcome to review the service (within 7 days, voluntary)."),
                ),
                url: format!("/review?ticket={ticket_id}"),
            },
            Event::OrderUpdate { state, .. } => {
                let (zh, en) = match state.as_str() {
                    "rectified" => ("您反映的问题已整改，请评价整改结果。", "The problem you reported has been put right; please rate the fix."),
                    "invalid" => ("您的差评经核实被认定无效，如有异议可申诉一次。", "Your bad review was ruled invalid; you may appeal once."),
                    "rectifying" => ("您的差评已核实，相关部门正在整改。", "Your bad review was verified; the department is putting it right."),
                    _ => ("您的差评工单已办结。", "The work order for your bad review is closed."),
                };
                Message { title: t("差评整改进展".into(), "Progress on your review".into()), body: t(zh.into(), en.into()), url: "/reviews".into() }
            }
            Event::ApplicationReady { application_id, number } => Message {
                title: t("办件已办结".into(), "Your application is decided".into()),
                body: t(
                    format!("办件 {number} 的所有事项已办结，结果可在电子证照库查看，纸质结果请到窗口领取。"),
                    format!(
                        "Every part of application {number} is decided: see the results in your e-licence library, and collect paper results at the window."
                    ),
                ),
                url: format!("/applications/{application_id}"),
            },
            Event::AgentInvitation { company, .. } => Message {
                title: t("经办人邀请".into(), "Act for a business?".into()),
                body: t(
                    format!("{company} 邀请您作为其经办人办理业务。接受后对方才能将您列为经办人；可以拒绝。"),
                    format!("{company} invites you to act for it as its agent. Only if you accept are you listed; you may decline."),
                ),
                url: "/me#invitations".into(),
            },
        }
    }
}

/// A person's choices: which kinds may go out as a push, and the quiet hours (local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotifyPrefs {
    pub push: std::collections::BTreeSet<Kind>,
    /// `HH:MM`; no push from `quiet_from` to `quiet_until` (across midnight) except "your turn".
    pub quiet_from: String,
    pub quiet_until: String,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        NotifyPrefs { push: Kind::ALL.into_iter().collect(), quiet_from: "22:00".into(), quiet_until: "07:00".into() }
    }
}

impl NotifyPrefs {
    /// Whether an event of `kind` may be pushed at local time `now` (the inbox always gets it).
    /// "Your turn" ignores quiet hours: it only happens while the person is in the hall.
    pub fn allows_push(&self, kind: Kind, now: NaiveTime) -> bool {
        if !self.push.contains(&kind) {
            return false;
        }
        kind == Kind::YourTurn || !self.is_quiet(now)
    }

    pub fn is_quiet(&self, now: NaiveTime) -> bool {
        let p = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        let (Some(from), Some(until)) = (p(&self.quiet_from), p(&self.quiet_until)) else { return false };
        if from <= until {
            now >= from && now < until
        } else {
            now >= from || now < until
        }
    }
}

/// When a booking's reminders fall due (local time): 18:00 the day before — the calendar day, so a
/// Monday booking (or one after a holiday) is reminded on the evening before, whatever day that is —
/// and one hour before the slot. A reminder already past when the booking is made is not sent.
pub fn reminders(slot: NaiveDateTime, booked_at: NaiveDateTime) -> Vec<(Kind, NaiveDateTime)> {
    let evening = NaiveDate::pred_opt(&slot.date()).map(|d| d.and_time(NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default()));
    let mut v = Vec::new();
    if let Some(e) = evening.filter(|e| *e > booked_at) {
        v.push((Kind::ReminderDayBefore, e));
    }
    let hour = slot - Duration::hours(1);
    if hour > booked_at {
        v.push((Kind::ReminderHourBefore, hour));
    }
    v
}

/// The reminders a job run at `now` sends for a booking of `slot` made at `booked_at`: each one from its
/// time in [`reminders`] until the slot starts, the evening one only on that evening (one sent after
/// midnight would read as "tomorrow" for today's slot). The minute job runs this rule as SQL
/// (`edge::jobs::reminder_statements`), held to this function by a host property test.
pub fn reminders_due(slot: NaiveDateTime, booked_at: NaiveDateTime, now: NaiveDateTime) -> Vec<Kind> {
    reminders(slot, booked_at)
        .into_iter()
        .filter(|(kind, due)| *due <= now && now < slot && (*kind != Kind::ReminderDayBefore || now.date() == due.date()))
        .map(|(kind, _)| kind)
        .collect()
}

/// The longest push-service endpoint URL accepted (the browsers' are a few hundred characters).
pub const ENDPOINT_MAX: usize = 1024;

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushSubscription {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// 16-byte auth secret, base64url.
    pub auth: String,
}

/// The browsers' push services, the only hosts the worker will POST a push to: Google FCM (Chrome,
/// Edge on Android, most Android browsers), Mozilla autopush (Firefox), Apple Web Push (Safari, iOS home
/// screen apps) and Microsoft WNS (Edge on Windows). An entry starting with `.` matches any subdomain
/// (WNS and Apple name per-region hosts). Anything else would make the worker a relay that posts to
/// whatever a caller names.
pub const PUSH_SERVICE_HOSTS: &[&str] = &[
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
];

/// Push subscriptions one account may hold (one per browser or phone). Each notification is sent to
/// every one, so this also bounds what one account's notifications cost.
pub const MAX_SUBSCRIPTIONS_PER_ACCOUNT: u32 = 5;

/// Whether `endpoint` is an https URL on a known push service ([`PUSH_SERVICE_HOSTS`]), on the default
/// port and with no user-info (`https://fcm.googleapis.com@evil.example/` names evil.example).
pub fn is_push_service(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("https://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains(['@', ':', '\\']) || authority.is_empty() {
        return false;
    }
    let host = authority.trim_end_matches('.').to_ascii_lowercase();
    PUSH_SERVICE_HOSTS.iter().any(|h| match h.strip_prefix('.') {
        Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(h),
        None => host == *h,
    })
}

impl PushSubscription {
    /// Only the browsers' push services ([`is_push_service`]); plain http on loopback only where the
    /// deployment allows it (local tests), so nobody can make the worker post to arbitrary addresses.
    pub fn check(&self, allow_loopback: bool) -> Result<(), crate::FieldError> {
        let e = self.endpoint.as_str();
        let loopback = e.starts_with("http://127.0.0.1:") || e.starts_with("http://localhost:");
        let ok_url = e.len() <= ENDPOINT_MAX && (is_push_service(e) || (allow_loopback && loopback)) && !e.contains(char::is_whitespace);
        if !ok_url {
            return Err(crate::FieldError::new(crate::ErrorCode::InvalidSubscription, "endpoint"));
        }
        let b64 = |s: &str, n: usize| {
            s.len() < 200 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=')) && (s.trim_end_matches('=').len() * 3) / 4 == n
        };
        if !b64(&self.keys.p256dh, 65) || !b64(&self.keys.auth, 16) {
            return Err(crate::FieldError::new(crate::ErrorCode::InvalidSubscription, "keys"));
        }
        Ok(())
    }
}

/// The application server's VAPID public key, for `pushManager.subscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VapidKey {
    pub public_key: String,
}

/// What a push carries (encrypted) to the service worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    pub url: String,
    pub kind: Kind,
}

/// One inbox entry as the app lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InboxItem {
    pub id: String,
    pub kind: Kind,
    pub message: Message,
    pub created_at: i64,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Inbox {
    pub unread: u32,
    pub items: Vec<InboxItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn events_render_in_both_languages_and_link_to_their_page() {
        let e = Event::YourTurn { ticket_id: "t1".into(), number: "A012".into(), window_no: 3 };
        let m = e.message(|_| String::new());
        assert_eq!(m.body.zh, "请 A012 号到 3 号窗口办理。");
        assert_eq!(m.body.en, "Ticket A012, please go to window 3.");
        assert_eq!(m.url, "/tickets/t1");
        let offer = Event::WaitlistOffer { booking_id: "b".into(), date: "2026-12-01".into(), start: "09:30".into(), hold_until: 1 };
        let m = offer.message(|_| "10:05".into());
        assert!(m.body.zh.contains("请在 10:05 前确认") && m.body.en.contains("confirm before 10:05"), "{m:?}");
        let c = Event::BookingCancelledByCenter { booking_id: "b".into(), date: "2026-12-01".into(), start: "09:30".into(), reason: "临时停电".into() };
        assert!(c.message(|_| String::new()).body.zh.contains("原因：临时停电"));
        for k in Kind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str(), "kind names agree with SQL");
        }
    }

    #[test]
    fn stored_rows_round_trip() {
        let e = Event::NoShow { booking_id: "b1".into(), date: "2026-12-01".into(), start: "09:30".into() };
        let body = e.body_json();
        assert!(!body.contains("kind"), "{body}");
        assert_eq!(Event::from_row("no_show", &body), Some(e));
        // What the edge's SQL writes with json_object() for a waiting-list offer reads back as the event.
        let sql = r#"{"booking_id":"b","center_id":"wanli","item_id":"x","date":"2026-12-01","start":"09:30","hold_until":1764552000}"#;
        assert!(matches!(Event::from_row("waitlist_offer", sql), Some(Event::WaitlistOffer { hold_until: 1764552000, .. })));
        assert_eq!(Event::from_row("no_such_kind", "{}"), None);
    }

    #[test]
    fn quiet_hours_hold_back_pushes_except_your_turn() {
        let p = NotifyPrefs::default();
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert!(p.allows_push(Kind::BookingConfirmed, t("21:59")));
        assert!(!p.allows_push(Kind::BookingConfirmed, t("22:00")));
        assert!(!p.allows_push(Kind::ReminderDayBefore, t("06:59")));
        assert!(p.allows_push(Kind::ReminderDayBefore, t("07:00")));
        assert!(p.allows_push(Kind::YourTurn, t("23:30")), "your turn is never held back");
        let mut off = NotifyPrefs::default();
        off.push.remove(&Kind::ThreeAhead);
        assert!(!off.allows_push(Kind::ThreeAhead, t("10:00")), "a kind switched off");
        let day = NotifyPrefs { quiet_from: "12:00".into(), quiet_until: "13:00".into(), ..NotifyPrefs::default() };
        assert!(day.is_quiet(t("12:30")) && !day.is_quiet(t("13:00")), "a window within one day");
    }

    #[test]
    fn subscriptions_must_be_https_with_well_formed_keys() {
        let ok =
            PushSubscription { endpoint: "https://fcm.googleapis.com/fcm/send/abc".into(), keys: PushKeys { p256dh: "B".repeat(87), auth: "A".repeat(22) } };
        assert_eq!(ok.check(false), Ok(()));
        let local = PushSubscription { endpoint: "http://127.0.0.1:9000/push/1".into(), ..ok.clone() };
        assert_eq!(local.check(false).unwrap_err().field, Some("endpoint"), "no loopback in production");
        assert_eq!(local.check(true), Ok(()));
        let internal = PushSubscription { endpoint: "http://10.0.0.1/admin".into(), ..ok.clone() };
        assert!(internal.check(true).is_err());
        let short = PushSubscription { keys: PushKeys { p256dh: "B".repeat(87), auth: "AAAA".into() }, ..ok };
        assert_eq!(short.check(false).unwrap_err().field, Some("keys"));
    }

    #[test]
    fn only_the_browsers_push_services_are_accepted() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
            "https://web.push.apple.com/QGuQyavXutnMH",
            "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
            "https://FCM.googleapis.com./fcm/send/x",
        ] {
            assert!(is_push_service(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/push",
            "https://fcm.googleapis.com.evil.example/x",
            "https://fcm.googleapis.com@evil.example/x",
            "https://fcm.googleapis.com:8443/x",
            "https://notify.windows.com/x",
            "https://evilnotify.windows.com/x",
            "https://push.apple.com.evil/x",
            "http://fcm.googleapis.com/fcm/send/x",
            "https://169.254.169.254/latest",
            "https://",
        ] {
            assert!(!is_push_service(bad), "{bad}");
        }
    }

    #[test]
    fn a_reminder_is_due_from_its_time_until_the_slot() {
        let (slot, booked) = (at("2026-12-02 09:30"), at("2026-11-25 10:00"));
        assert!(reminders_due(slot, booked, at("2026-12-01 17:59")).is_empty());
        assert_eq!(reminders_due(slot, booked, at("2026-12-01 18:00")), vec![Kind::ReminderDayBefore]);
        assert_eq!(reminders_due(slot, booked, at("2026-12-01 23:59")), vec![Kind::ReminderDayBefore]);
        assert!(reminders_due(slot, booked, at("2026-12-02 00:00")).is_empty(), "not after midnight");
        assert_eq!(reminders_due(slot, booked, at("2026-12-02 08:30")), vec![Kind::ReminderHourBefore]);
        assert!(reminders_due(slot, booked, at("2026-12-02 09:30")).is_empty(), "not once it has started");
        // A late-evening slot: the hour before runs up to midnight, and one just after midnight is
        // reminded from 23:10 the day before (that evening is also its evening before).
        assert_eq!(reminders_due(at("2026-12-01 23:40"), booked, at("2026-12-01 23:05")), vec![Kind::ReminderHourBefore]);
        assert_eq!(reminders_due(at("2026-12-02 00:10"), booked, at("2026-12-01 23:10")), vec![Kind::ReminderDayBefore, Kind::ReminderHourBefore]);
        // Booked 30 minutes ahead: no "in an hour" reminder.
        assert!(reminders_due(at("2026-12-01 10:00"), at("2026-12-01 09:30"), at("2026-12-01 09:31")).is_empty());
    }

    #[test]
    fn reminders_fall_on_the_evening_before_and_an_hour_before() {
        // A Monday slot: the evening reminder is Sunday 18:00.
        let r = reminders(at("2026-11-30 09:30"), at("2026-11-25 10:00"));
        assert_eq!(r, vec![(Kind::ReminderDayBefore, at("2026-11-29 18:00")), (Kind::ReminderHourBefore, at("2026-11-30 08:30"))]);
        // After a holiday (New Year's Day): still the evening before, across the month and year.
        let r = reminders(at("2027-01-02 09:00"), at("2026-12-28 10:00"));
        assert_eq!(r[0], (Kind::ReminderDayBefore, at("2027-01-01 18:00")));
        // Booked after 18:00 the evening before: only the hour-before reminder.
        let r = reminders(at("2026-12-01 09:30"), at("2026-11-30 19:00"));
        assert_eq!(r, vec![(Kind::ReminderHourBefore, at("2026-12-01 08:30"))]);
    }
}
