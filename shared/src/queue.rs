//! The hall queue (排队叫号). Within a window class, checked-in online bookings are served first in slot
//! order (在线预约优先办理), then walk-ins in ticket order. Calling the next ticket takes the head of this
//! order; the edge does it with one conditional UPDATE so two windows never get the same ticket.

use crate::error::ErrorCode;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// How a ticket entered the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A checked-in online booking, with its slot start.
    Booking,
    /// 取号 at the kiosk.
    WalkIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub ticket: String,
    pub origin: Origin,
    /// Slot start for bookings; None for walk-ins.
    pub slot_start: Option<NaiveDateTime>,
    /// The daily sequence number of the ticket in its line.
    pub seq: u32,
    /// Sent here from another window's line: it has waited once already and goes first.
    pub transferred: bool,
}

/// The sort key of the service order: transferred tickets first (they already queued once), then
/// bookings (by slot, then ticket), then walk-ins (by ticket).
pub fn priority(w: &Waiting) -> (u8, u8, Option<NaiveDateTime>, u32) {
    let t = if w.transferred { 0 } else { 1 };
    match w.origin {
        Origin::Booking => (t, 0, w.slot_start, w.seq),
        Origin::WalkIn => (t, 1, None, w.seq),
    }
}

/// The same order as SQL, for the statement that calls the next ticket (held to [`service_order`] by the
/// edge's host SQL stage on random queues).
pub const SERVICE_ORDER_SQL: &str = "CASE WHEN transferred_from IS NULL THEN 1 ELSE 0 END, CASE origin WHEN 'booking' THEN 0 ELSE 1 END, slot_start, seq";

/// The waiting tickets in the order they will be called.
pub fn service_order(waiting: &[Waiting]) -> Vec<&Waiting> {
    let mut v: Vec<&Waiting> = waiting.iter().collect();
    v.sort_by_key(|w| priority(w));
    v
}

/// `A012`: the class prefix and the day's sequence number, reset daily per center.
pub fn ticket_number(prefix: char, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// The prefix a window class's tickets carry (A: any-item windows, B, C… per domain class in order).
pub fn class_prefix(index: usize) -> char {
    (b'A' + (index.min(25) as u8)) as char
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called,
    Serving,
    /// 过号: called and not there; rejoins the line after a few others.
    Skipped,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEvent {
    Call,
    Recall,
    Skip,
    Rejoin,
    Start,
    Finish,
    Transfer,
}

impl TicketState {
    /// The stored name (the `state` column; the same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Serving => "serving",
            TicketState::Skipped => "skipped",
            TicketState::Done => "done",
        }
    }

    pub fn next(self, e: TicketEvent) -> Result<TicketState, ErrorCode> {
        use TicketEvent as E;
        use TicketState as S;
        match (self, e) {
            (S::Waiting, E::Call) => Ok(S::Called),
            (S::Called, E::Recall) => Ok(S::Called),
            (S::Called, E::Skip) => Ok(S::Skipped),
            (S::Skipped, E::Rejoin) => Ok(S::Waiting),
            (S::Called, E::Start) => Ok(S::Serving),
            (S::Serving, E::Finish) => Ok(S::Done),
            // Moved to another class's line, keeping its number and its place by ticket time.
            (S::Waiting | S::Called, E::Transfer) => Ok(S::Waiting),
            _ => Err(ErrorCode::InvalidTransition),
        }
    }
}

/// A skipped (过号) ticket rejoins its line after this many further calls of its class.
pub const REJOIN_AFTER_CALLS: u32 = 3;

/// The average handling minutes the wait estimate uses: today's recent services once there are a few,
/// else the configured figure (a new day starts from experience, then follows reality).
pub fn handling_minutes(recent_secs: &[i64], configured: u32) -> f64 {
    let samples: Vec<i64> = recent_secs.iter().copied().filter(|s| *s > 0).collect();
    if samples.len() < 3 {
        return f64::from(configured.max(1));
    }
    (samples.iter().sum::<i64>() as f64 / samples.len() as f64 / 60.0).clamp(1.0, 240.0)
}

/// How a service at the window ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 当场办结
    OnTheSpot,
    /// Accepted and routed to the back office (后台办理).
    BackOffice,
}

/// What a window does with the ticket it called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WindowAction {
    /// Call the same number again (display and speech).
    Recall,
    /// 过号: not here; the ticket rejoins after [`REJOIN_AFTER_CALLS`] calls.
    Skip,
    /// The person is at the window: handling starts.
    Start,
    Finish {
        outcome: Outcome,
        /// The item handled, for a walk-in (a booking's ticket has its booking's item).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// Send the ticket to another class's line (e.g. a domain window).
    Transfer { class_id: String },
}

impl WindowAction {
    pub fn event(&self) -> TicketEvent {
        match self {
            WindowAction::Recall => TicketEvent::Recall,
            WindowAction::Skip => TicketEvent::Skip,
            WindowAction::Start => TicketEvent::Start,
            WindowAction::Finish { .. } => TicketEvent::Finish,
            WindowAction::Transfer { .. } => TicketEvent::Transfer,
        }
    }
}

/// A line of the hall, as the kiosk offers it for a walk-in ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueueClass {
    pub id: String,
    pub prefix: String,
    pub name: crate::Text,
    /// Whether it serves every item (无差别) or a domain (分领域).
    pub any_item: bool,
    /// Tickets waiting in it now.
    pub waiting: u32,
}

/// A window's current ticket and its day so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindowState {
    pub center_id: String,
    pub window_no: u32,
    pub class_id: String,
    pub class_name: crate::Text,
    /// The ticket called to this window and not yet finished.
    pub current: Option<CurrentTicket>,
    /// Tickets waiting in this window's line.
    pub waiting: u32,
    pub stats: WindowStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CurrentTicket {
    // No id: the ticket's id is its holder's capability (its page, its review), and this is what the
    // window's clerk sees. The window acts on "its current ticket", never on an id.
    pub number: String,
    pub state: TicketState,
    pub origin: Origin,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
}

/// Today's figures of one window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WindowStats {
    pub served: u32,
    pub on_the_spot: u32,
    pub skipped: u32,
    /// Mean minutes from ticket to call, over tickets this window called today.
    pub avg_wait_minutes: Option<f64>,
    /// Mean minutes from start to finish.
    pub avg_handle_minutes: Option<f64>,
}

/// Minutes until a person `ahead` places back is called: the line moves at `open_windows` services per
/// average handling time. Rounded up, so the estimate errs on the side of arriving early.
pub fn estimated_wait_minutes(ahead: u32, open_windows: u32, avg_handling_minutes: f64) -> u32 {
    if open_windows == 0 {
        return u32::MAX;
    }
    (f64::from(ahead) * avg_handling_minutes / f64::from(open_windows)).ceil() as u32
}

/// A ticket as its holder and the hall see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ticket {
    pub id: String,
    pub number: String,
    pub center_id: String,
    pub origin: Origin,
    pub state: TicketState,
    /// The window that called it, once called.
    pub window_no: Option<u32>,
    /// Waiting tickets served before this one.
    pub ahead: u32,
    /// Minutes until it is likely called (0 once called).
    pub estimated_wait_minutes: u32,
    /// The one-time review code printed on the ticket: whoever holds it may review the service once it
    /// is finished (walk-ins have no account).
    #[serde(default)]
    pub review_code: Option<String>,
    /// Whether the finished service has been reviewed.
    #[serde(default)]
    pub reviewed: bool,
}

/// A recent call, for the hall display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Call {
    pub number: String,
    pub window_no: u32,
    pub called_at: i64,
    pub announcement: crate::Text,
}

/// Checking in with a booking code (at the kiosk or a window).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckIn {
    pub code: String,
}

/// What a window's "call next" returns: the ticket, or none when nobody is waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Called {
    pub ticket: Option<Call>,
}

/// What the hall display shows and speaks: 请 A012 号到 3 号窗口办理.
pub fn announcement(ticket: &str, window: u32) -> crate::Text {
    crate::Text::new(format!("请 {ticket} 号到 {window} 号窗口办理"), format!("Ticket {ticket}, please go to window {window}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    fn booking(seq: u32, h: u32, m: u32) -> Waiting {
        Waiting { ticket: ticket_number('A', seq), origin: Origin::Booking, slot_start: Some(at(h, m)), seq, transferred: false }
    }
    fn walk_in(seq: u32) -> Waiting {
        Waiting { ticket: ticket_number('A', seq), origin: Origin::WalkIn, slot_start: None, seq, transferred: false }
    }

    #[test]
    fn online_bookings_first_in_slot_order_then_walk_ins() {
        let q = vec![walk_in(1), booking(5, 10, 0), walk_in(2), booking(3, 9, 30), booking(4, 9, 30)];
        let order: Vec<&str> = service_order(&q).iter().map(|w| w.ticket.as_str()).collect();
        assert_eq!(order, vec!["A003", "A004", "A005", "A001", "A002"]);
        let moved = Waiting { transferred: true, ..walk_in(9) };
        let q = vec![walk_in(1), booking(5, 10, 0), moved];
        assert_eq!(service_order(&q)[0].ticket, "A009", "a transferred ticket has waited once already");
    }

    #[test]
    fn tickets_and_announcements() {
        assert_eq!(ticket_number('A', 12), "A012");
        assert_eq!(ticket_number('B', 1234), "B1234");
        assert_eq!(class_prefix(0), 'A');
        assert_eq!(class_prefix(2), 'C');
        assert_eq!(announcement("A012", 3).zh, "请 A012 号到 3 号窗口办理");
    }

    #[test]
    fn ticket_life() {
        use TicketEvent as E;
        use TicketState as S;
        assert_eq!(S::Waiting.next(E::Call).and_then(|s| s.next(E::Start)).and_then(|s| s.next(E::Finish)), Ok(S::Done));
        assert_eq!(S::Called.next(E::Skip).and_then(|s| s.next(E::Rejoin)), Ok(S::Waiting));
        assert_eq!(S::Done.next(E::Call), Err(ErrorCode::InvalidTransition));
        assert_eq!(S::Serving.next(E::Transfer), Err(ErrorCode::InvalidTransition));
        assert_eq!(S::Called.next(E::Transfer), Ok(S::Waiting), "a transferred ticket waits in its new line");
        assert_eq!(S::Waiting.next(E::Start), Err(ErrorCode::InvalidTransition), "not called yet");
        assert_eq!(S::Called.next(E::Finish), Err(ErrorCode::InvalidTransition), "finish follows start");
    }

    #[test]
    fn handling_time_follows_the_day_once_there_are_samples() {
        assert_eq!(handling_minutes(&[], 15), 15.0);
        assert_eq!(handling_minutes(&[600, 600], 15), 15.0, "two samples are not enough");
        assert_eq!(handling_minutes(&[300, 600, 900], 15), 10.0);
        assert_eq!(handling_minutes(&[1, 1, 1], 15), 1.0, "never below a minute");
        let a: WindowAction = serde_json::from_str(r#"{"action":"finish","outcome":"on_the_spot"}"#).unwrap();
        assert_eq!(a, WindowAction::Finish { outcome: Outcome::OnTheSpot, item: None });
        assert_eq!(a.event(), TicketEvent::Finish);
    }

    #[test]
    fn waits() {
        assert_eq!(estimated_wait_minutes(0, 3, 12.0), 0);
        assert_eq!(estimated_wait_minutes(4, 3, 12.0), 16);
        assert_eq!(estimated_wait_minutes(1, 2, 5.0), 3, "rounded up");
        assert_eq!(estimated_wait_minutes(1, 0, 5.0), u32::MAX, "no window open");
    }

    fn arb_waiting() -> impl Strategy<Value = Waiting> {
        (any::<bool>(), 1u32..500, 8u32..17, prop_oneof![Just(0u32), Just(30)]).prop_map(|(b, seq, h, m)| if b { booking(seq, h, m) } else { walk_in(seq) })
    }

    proptest! {
        /// Every checked-in booking is served before every walk-in; within each, order is slot then ticket.
        #[test]
        fn priority_holds(q in proptest::collection::vec(arb_waiting(), 0..40)) {
            let order = service_order(&q);
            prop_assert_eq!(order.len(), q.len());
            let first_walk_in = order.iter().position(|w| w.origin == Origin::WalkIn).unwrap_or(order.len());
            prop_assert!(order.iter().all(|w| !w.transferred), "the strategy makes no transfers");
            prop_assert!(order[first_walk_in..].iter().all(|w| w.origin == Origin::WalkIn));
            for pair in order.windows(2) {
                prop_assert!(priority(pair[0]) <= priority(pair[1]));
            }
        }

        /// More people ahead never means a shorter estimated wait.
        #[test]
        fn waits_grow_with_the_line(a in 0u32..200, windows in 1u32..20, avg in 1.0f64..60.0) {
            prop_assert!(estimated_wait_minutes(a + 1, windows, avg) >= estimated_wait_minutes(a, windows, avg));
        }
    }
}

/// The header a registered kiosk (自助终端) sends with the key a center admin issued it: its tickets and
/// check-ins then count against the kiosk's own limit, not a stranger's (edge `limits::RATE_LIMITS`).
pub const KIOSK_HEADER: &str = "X-Kiosk-Key";
/// Kiosks one center may hold at once (revoked ones do not count).
pub const MAX_KIOSKS_PER_CENTER: u32 = 50;

/// A center admin registering a kiosk: a label the hall's staff recognise ("一楼大厅 1 号机").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewKiosk {
    pub label: String,
}

impl NewKiosk {
    /// The label trimmed, 1–40 characters, no control characters.
    pub fn label(&self) -> Result<String, crate::FieldError> {
        let l = self.label.trim();
        let n = l.chars().count();
        if (1..=40).contains(&n) && !l.chars().any(char::is_control) {
            Ok(l.to_string())
        } else {
            Err(crate::FieldError::new(crate::ErrorCode::InvalidLabel, "label"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Kiosk {
    pub id: String,
    pub center_id: String,
    pub label: String,
    pub created_at: i64,
    pub revoked: bool,
}

/// A kiosk just registered, with its key: shown once (only its digest is stored), entered on the
/// machine by opening `enroll_path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KioskKey {
    pub kiosk: Kiosk,
    pub key: String,
    pub enroll_path: String,
}

#[cfg(test)]
mod kiosk_tests {
    use super::*;

    #[test]
    fn kiosk_labels_are_short_and_printable() {
        assert_eq!(NewKiosk { label: " 一楼大厅 1 号机 ".into() }.label(), Ok("一楼大厅 1 号机".into()));
        assert!(NewKiosk { label: "  ".into() }.label().is_err());
        assert!(NewKiosk { label: "x".repeat(41) }.label().is_err());
        assert!(NewKiosk { label: "a\u{7}b".into() }.label().is_err());
    }
}
