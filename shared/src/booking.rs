//! Appointments (预约): the rules of a center, slot capacity, and a booking's life. Everything here is
//! a pure function of its inputs; the edge applies the same checks inside the D1 statements that make a
//! booking (conditional updates), so concurrency cannot bypass them.

use crate::calendar::Calendar;
use crate::error::ErrorCode;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Per-center booking rules, with the defaults observed at real centers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BookingRules {
    pub slot_minutes: u32,
    /// Bookable from this many working days ahead (1: the next working day)…
    pub first_day: u32,
    /// …up to this many working days ahead.
    pub horizon_days: u32,
    pub max_active_per_person: u32,
    /// No cancelling (or rescheduling away) closer than this to the slot.
    pub cancel_before_minutes: u32,
    /// A chosen slot is held this long while the resident confirms.
    pub hold_minutes: u32,
    pub checkin_early_minutes: u32,
    pub checkin_late_minutes: u32,
    /// This many no-shows within `no_show_window_days` suspend booking for `no_show_ban_days`.
    pub no_show_limit: u32,
    pub no_show_window_days: u32,
    pub no_show_ban_days: u32,
}

impl BookingRules {
    /// The values a refusal by these rules names in its message (`ErrorCode::text_with`): the center's
    /// own limits, not the defaults.
    pub fn params_for(&self, code: ErrorCode) -> crate::error::Params {
        let v = match code {
            ErrorCode::LimitReached => ("max", self.max_active_per_person),
            ErrorCode::TooLateToCancel => ("minutes", self.cancel_before_minutes),
            ErrorCode::CheckInTooEarly => ("minutes", self.checkin_early_minutes),
            _ => return crate::error::Params::new(),
        };
        crate::error::Params::from([(v.0.to_string(), v.1.to_string())])
    }
}

impl Default for BookingRules {
    fn default() -> Self {
        BookingRules {
            slot_minutes: 30,
            first_day: 1,
            horizon_days: 10,
            max_active_per_person: 3,
            cancel_before_minutes: 120,
            hold_minutes: 5,
            checkin_early_minutes: 30,
            checkin_late_minutes: 15,
            no_show_limit: 2,
            no_show_window_days: 30,
            no_show_ban_days: 90,
        }
    }
}

/// Seats in one slot: open windows of the class × slot minutes ÷ average handling minutes, rounded down.
/// An admin override replaces the computed figure for that slot.
pub fn slot_capacity(open_windows: u32, slot_minutes: u32, avg_handling_minutes: u32, admin_override: Option<u32>) -> u32 {
    admin_override.unwrap_or_else(|| (open_windows * slot_minutes).checked_div(avg_handling_minutes).unwrap_or(0))
}

/// Slot start times (`HH:MM`) of a day open from `open` to `close`: every slot ends by closing time.
pub fn slot_starts(open: &str, close: &str, slot_minutes: u32) -> Vec<String> {
    let mins = |s: &str| -> Option<u32> { Some(s.get(..2)?.parse::<u32>().ok()? * 60 + s.get(3..5)?.parse::<u32>().ok()?) };
    let (Some(a), Some(b)) = (mins(open), mins(close)) else { return vec![] };
    if slot_minutes == 0 {
        return vec![];
    }
    (a..b).step_by(slot_minutes as usize).filter(|m| m + slot_minutes <= b).map(|m| format!("{:02}:{:02}", m / 60, m % 60)).collect()
}

/// What a resident sends to book: the edge takes the seat and the limits in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewBooking {
    pub center_id: String,
    pub item_id: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// Slot start, `HH:MM`
    pub start: String,
    /// Hold the seat for `hold_minutes` and confirm with `POST /bookings/{id}/confirm` (the app's flow);
    /// without it the booking is confirmed at once.
    #[serde(default)]
    pub hold: bool,
}

impl NewBooking {
    pub fn parse(&self) -> Result<(NaiveDate, String), crate::FieldError> {
        use crate::catalogue::is_valid_slug;
        use crate::FieldError;
        if !is_valid_slug(&self.center_id) {
            return Err(FieldError::new(ErrorCode::BadId, "center_id"));
        }
        if !is_valid_slug(&self.item_id) {
            return Err(FieldError::new(ErrorCode::BadId, "item_id"));
        }
        let date = NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").map_err(|_| FieldError::new(ErrorCode::DateNotBookable, "date"))?;
        let ok_start = self.start.len() == 5 && chrono::NaiveTime::parse_from_str(&self.start, "%H:%M").is_ok();
        if !ok_start {
            return Err(FieldError::new(ErrorCode::SlotNotFound, "start"));
        }
        Ok((date, self.start.clone()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Booking {
    pub id: String,
    /// 8 characters, shown with a QR code; what the resident shows at the kiosk or window.
    pub code: String,
    pub state: BookingState,
    pub center_id: String,
    pub center_name: crate::Text,
    pub item_id: String,
    pub item_name: crate::Text,
    pub date: String,
    pub start: String,
    /// While `held`: when the seat is given back unless confirmed (epoch seconds).
    pub hold_until: Option<i64>,
    /// Set when the center cancelled it, with its reason.
    pub cancel_reason: Option<String>,
    /// While its state allows cancelling: the last moment (epoch seconds) the person may cancel or move
    /// it, from the center's `cancel_before_minutes` ([`cancel_deadline`]).
    #[serde(default)]
    pub cancel_until: Option<i64>,
}

impl Booking {
    /// Whether the person may cancel it at `now` (epoch seconds): what the edge's cancel enforces, asked
    /// by the app before it offers the button.
    pub fn may_cancel(&self, now: i64) -> bool {
        self.state.next(BookingEvent::Cancel).is_ok() && self.cancel_until.is_some_and(|t| now <= t)
    }

    /// Whether the person may move it to another slot at `now`.
    pub fn may_reschedule(&self, now: i64) -> bool {
        self.state.next(BookingEvent::Reschedule).is_ok() && self.cancel_until.is_some_and(|t| now <= t)
    }
}

/// Moving a booking to another slot of the same center and item; atomic: if the new slot is gone,
/// the booking stays where it was.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reschedule {
    /// `YYYY-MM-DD`
    pub date: String,
    /// `HH:MM`
    pub start: String,
}

impl Reschedule {
    pub fn parse(&self) -> Result<(NaiveDate, String), crate::FieldError> {
        // Only date and start are checked here; the ids are placeholders that pass the slug check.
        NewBooking { center_id: "center".into(), item_id: "item".into(), date: self.date.clone(), start: self.start.clone(), hold: false }.parse()
    }
}

/// A place on a full slot's waiting list (候补).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WaitlistEntry {
    pub id: String,
    pub center_id: String,
    pub center_name: crate::Text,
    pub item_id: String,
    pub item_name: crate::Text,
    pub date: String,
    pub start: String,
    pub state: WaitlistState,
    /// People before this one on the list (while waiting).
    pub position: u32,
    /// The held booking offered when a seat freed up.
    pub booking_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitlistState {
    Waiting,
    /// A seat was offered as a hold; see `booking_id`.
    Offered,
    Left,
    /// The offer ran out unconfirmed.
    Lapsed,
}

/// A reason given by staff (cancelling for the center, lifting a ban): 2–200 characters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StaffReason {
    pub reason: String,
}

impl StaffReason {
    pub fn validate(&self) -> Result<String, crate::FieldError> {
        let r = self.reason.trim();
        let n = r.chars().count();
        if (2..=200).contains(&n) {
            Ok(r.to_string())
        } else {
            Err(crate::FieldError::new(ErrorCode::StaffReasonRequired, "reason"))
        }
    }
}

/// Whether a person may book now, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BanStatus {
    pub account_id: String,
    /// Counted no-shows (since the last lift), newest first: `YYYY-MM-DD`.
    pub no_shows: Vec<String>,
    /// Booking is suspended until this day (exclusive), if at all.
    pub banned_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayAvailability {
    pub date: String,
    pub remaining: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SlotAvailability {
    pub start: String,
    pub capacity: u32,
    pub remaining: u32,
}

/// Bookable days with remaining seats; with a date, that day's slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Availability {
    pub center_id: String,
    pub item_id: String,
    pub days: Vec<DayAvailability>,
    pub slots: Vec<SlotAvailability>,
}

/// Whether `date` may be booked on `today` under `rules` and the center's calendar.
pub fn check_date(date: NaiveDate, today: NaiveDate, cal: &Calendar, rules: &BookingRules) -> Result<(), ErrorCode> {
    let ok = date > today && cal.is_working_day(date) && (rules.first_day..=rules.horizon_days).contains(&cal.working_days_between(today, date));
    if ok {
        Ok(())
    } else {
        Err(ErrorCode::DateNotBookable)
    }
}

/// A person's active booking, as the per-person limits see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveBooking {
    pub item_id: String,
    pub date: NaiveDate,
}

/// One active booking per person per item per day, and at most `max_active_per_person` in all.
pub fn check_limits(active: &[ActiveBooking], item_id: &str, date: NaiveDate, rules: &BookingRules) -> Result<(), ErrorCode> {
    check_move(active, item_id, date)?;
    if active.len() as u32 >= rules.max_active_per_person {
        Err(ErrorCode::LimitReached)
    } else {
        Ok(())
    }
}

/// Moving an active booking to `date` (rescheduling): it stays one booking, so only the one per item per
/// day rule applies, against the person's *other* active bookings.
pub fn check_move(others: &[ActiveBooking], item_id: &str, date: NaiveDate) -> Result<(), ErrorCode> {
    if others.iter().any(|b| b.item_id == item_id && b.date == date) {
        Err(ErrorCode::LimitReached)
    } else {
        Ok(())
    }
}

/// Whether a booking counts against its person's limits at `now` (epoch seconds): it holds a seat,
/// and if it is a hold, its time has not run out. A lapsed hold counts for nothing even before the
/// minute job marks it expired, so nobody waits for the job to book again.
pub fn counts_as_active(state: BookingState, hold_until: Option<i64>, now: i64) -> bool {
    state.holds_seat() && !(state == BookingState::Held && hold_until.is_some_and(|t| t < now))
}

/// The SQL twin of [`check_limits`] for the conditional writes that must decide it atomically (booking,
/// joining a waiting list, offering a freed seat): true exactly when `check_limits` would allow a booking
/// of `item` on `date` for `account`, given the bookings in `bookings` that [`counts_as_active`] at
/// `now`. The arguments are SQL expressions (`?2`, `w2.account_id`). Generated here so the rule has one
/// definition; a host test runs it on SQLite against the pure functions on random data.
pub fn limits_allow_sql(account: &str, item: &str, date: &str, max_active: &str, now: &str) -> String {
    format!(
        "((SELECT count(*) FROM bookings lim WHERE lim.account_id = {account} AND {}) < {max_active} AND {})",
        active_sql("lim", now),
        same_day_free_sql(account, item, date, now, "")
    )
}

/// The SQL twin of [`check_move`] for the reschedule write: true when `account` has no booking of
/// `item` on `date` that counts as active at `now`, other than booking `except`.
pub fn move_allowed_sql(account: &str, item: &str, date: &str, except: &str, now: &str) -> String {
    same_day_free_sql(account, item, date, now, &format!(" AND lim.id != {except}"))
}

/// [`counts_as_active`] as an SQL condition on the booking row `alias`.
pub fn active_sql(alias: &str, now: &str) -> String {
    format!("{alias}.state IN {} AND NOT ({alias}.state = 'held' AND {alias}.hold_until < {now})", active_states_sql())
}

fn same_day_free_sql(account: &str, item: &str, date: &str, now: &str, and: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM bookings lim WHERE lim.account_id = {account} AND lim.item_id = {item} AND lim.date = {date} AND {}{and})",
        active_sql("lim", now)
    )
}

/// The states that hold a seat and count as active ([`BookingState::holds_seat`]) as an SQL list:
/// `('held', 'confirmed', 'checked_in')`.
pub fn active_states_sql() -> String {
    let names: Vec<String> = BookingState::ALL.iter().filter(|s| s.holds_seat()).map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// Whether recent no-shows suspend booking at `now` (dates of the no-shows, any order).
pub fn banned_until(no_shows: &[NaiveDate], today: NaiveDate, rules: &BookingRules) -> Option<NaiveDate> {
    let mut sorted = no_shows.to_vec();
    sorted.sort();
    // The ban starts at the no-show that completes `no_show_limit` within the window.
    let limit = rules.no_show_limit.max(1) as usize;
    sorted
        .windows(limit)
        .filter(|w| (w[limit - 1] - w[0]).num_days() <= i64::from(rules.no_show_window_days))
        .map(|w| w[limit - 1] + Duration::days(i64::from(rules.no_show_ban_days)))
        .filter(|until| *until > today)
        .max()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    /// Seat held while the resident confirms.
    Held,
    Confirmed,
    CheckedIn,
    Cancelled,
    /// The hold ran out unconfirmed.
    Expired,
    /// 爽约
    NoShow,
    /// Served at a window.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingEvent {
    Confirm,
    Reschedule,
    Cancel,
    HoldTimeout,
    CheckIn,
    MissedSlot,
    Served,
}

impl BookingState {
    pub const ALL: [BookingState; 7] = [
        BookingState::Held,
        BookingState::Confirmed,
        BookingState::CheckedIn,
        BookingState::Cancelled,
        BookingState::Expired,
        BookingState::NoShow,
        BookingState::Done,
    ];

    /// The stored name (the `state` column; the same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            BookingState::Held => "held",
            BookingState::Confirmed => "confirmed",
            BookingState::CheckedIn => "checked_in",
            BookingState::Cancelled => "cancelled",
            BookingState::Expired => "expired",
            BookingState::NoShow => "no_show",
            BookingState::Done => "done",
        }
    }

    /// The states from which `event` is allowed ([`BookingState::next`]) as an SQL list, for the
    /// conditional write that makes the transition: `('held', 'confirmed')` for a cancel.
    pub fn sql_list_allowing(event: BookingEvent) -> String {
        let names: Vec<String> = Self::ALL.iter().filter(|s| s.next(event).is_ok()).map(|s| format!("'{}'", s.as_str())).collect();
        format!("({})", names.join(", "))
    }

    /// Whether the booking holds a seat in its slot (what capacity counts).
    pub fn holds_seat(self) -> bool {
        matches!(self, BookingState::Held | BookingState::Confirmed | BookingState::CheckedIn)
    }

    pub fn next(self, e: BookingEvent) -> Result<BookingState, ErrorCode> {
        use BookingEvent as E;
        use BookingState as S;
        match (self, e) {
            (S::Held, E::Confirm) => Ok(S::Confirmed),
            (S::Held, E::HoldTimeout) => Ok(S::Expired),
            (S::Held | S::Confirmed, E::Cancel) => Ok(S::Cancelled),
            (S::Confirmed, E::Reschedule) => Ok(S::Confirmed),
            (S::Confirmed, E::CheckIn) => Ok(S::CheckedIn),
            (S::Confirmed, E::MissedSlot) => Ok(S::NoShow),
            (S::CheckedIn, E::Served) => Ok(S::Done),
            _ => Err(ErrorCode::InvalidTransition),
        }
    }
}

/// The last moment a booking of `slot_start` may be cancelled or moved: `cancel_before_minutes` before.
pub fn cancel_deadline(slot_start: NaiveDateTime, rules: &BookingRules) -> NaiveDateTime {
    slot_start - Duration::minutes(i64::from(rules.cancel_before_minutes))
}

/// Cancelling (or moving) is allowed until [`cancel_deadline`].
pub fn check_cancel(slot_start: NaiveDateTime, now: NaiveDateTime, rules: &BookingRules) -> Result<(), ErrorCode> {
    if now <= cancel_deadline(slot_start, rules) {
        Ok(())
    } else {
        Err(ErrorCode::TooLateToCancel)
    }
}

/// Check-in from `checkin_early_minutes` before the slot until `checkin_late_minutes` after its start;
/// later than that the resident joins as a walk-in (and is told so).
pub fn check_in_window(slot_start: NaiveDateTime, now: NaiveDateTime, rules: &BookingRules) -> Result<(), ErrorCode> {
    if now < slot_start - Duration::minutes(i64::from(rules.checkin_early_minutes)) {
        Err(ErrorCode::CheckInTooEarly)
    } else if now > slot_start + Duration::minutes(i64::from(rules.checkin_late_minutes)) {
        Err(ErrorCode::CheckInLate)
    } else {
        Ok(())
    }
}

/// Booking codes and review codes: 8 characters of Crockford base32 (no I, L, O, U: nothing to misread
/// aloud or on a phone), from 40 random bits — unguessable, and unrelated to one another.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub fn encode_code(random: [u8; 5]) -> String {
    let mut v: u64 = random.iter().fold(0, |acc, b| (acc << 8) | u64::from(*b));
    let mut out = [0u8; 8];
    for slot in out.iter_mut().rev() {
        *slot = CODE_ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out.to_vec()).expect("ASCII")
}

/// Normalises what a person typed or a scanner read: upper case, spaces and hyphens dropped, and the
/// look-alikes folded (O→0, I/L→1) as Crockford intends.
pub fn normalise_code(input: &str) -> Result<String, ErrorCode> {
    let s: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if s.len() == 8 && s.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        Ok(s)
    } else {
        Err(ErrorCode::InvalidCode)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn state_names_are_the_stored_ones() {
        for st in BookingState::ALL {
            assert_eq!(serde_json::to_value(st).unwrap(), serde_json::json!(st.as_str()));
        }
        assert_eq!(active_states_sql(), "('held', 'confirmed', 'checked_in')");
    }

    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn slots_fill_the_opening_hours() {
        assert_eq!(slot_starts("09:00", "11:00", 30), vec!["09:00", "09:30", "10:00", "10:30"]);
        assert_eq!(slot_starts("09:00", "10:40", 30), vec!["09:00", "09:30", "10:00"], "the last slot ends by closing");
        assert!(slot_starts("bad", "10:00", 30).is_empty());
        assert!(slot_starts("09:00", "10:00", 0).is_empty());
    }

    #[test]
    fn new_booking_parsing() {
        let ok =
            NewBooking { center_id: "wanli".into(), item_id: "rsj-social-security-card".into(), date: "2026-12-01".into(), start: "09:30".into(), hold: false };
        assert_eq!(ok.parse().unwrap().0, d("2026-12-01"));
        assert_eq!(NewBooking { date: "2026-13-01".into(), ..ok.clone() }.parse().unwrap_err().code, ErrorCode::DateNotBookable);
        assert_eq!(NewBooking { start: "9:30".into(), ..ok.clone() }.parse().unwrap_err().code, ErrorCode::SlotNotFound);
        assert_eq!(NewBooking { center_id: "Wanli".into(), ..ok }.parse().unwrap_err().field, Some("center_id"));
    }

    #[test]
    fn capacity_from_windows_and_handling_time() {
        assert_eq!(slot_capacity(3, 30, 20, None), 4, "3 × 30 ÷ 20 = 4.5, rounded down");
        assert_eq!(slot_capacity(1, 30, 45, None), 0);
        assert_eq!(slot_capacity(3, 30, 0, None), 0);
        assert_eq!(slot_capacity(3, 30, 20, Some(10)), 10, "an admin override wins");
    }

    #[test]
    fn bookable_dates() {
        let cal = Calendar::default();
        let r = BookingRules::default();
        let fri = d("2026-11-27");
        assert_eq!(check_date(d("2026-11-30"), fri, &cal, &r), Ok(()), "Monday is the next working day");
        assert_eq!(check_date(fri, fri, &cal, &r), Err(ErrorCode::DateNotBookable), "not today");
        assert_eq!(check_date(d("2026-11-28"), fri, &cal, &r), Err(ErrorCode::DateNotBookable), "Saturday");
        assert_eq!(check_date(d("2026-12-11"), fri, &cal, &r), Ok(()), "10th working day");
        assert_eq!(check_date(d("2026-12-14"), fri, &cal, &r), Err(ErrorCode::DateNotBookable), "11th");
        assert_eq!(check_date(d("2026-11-20"), fri, &cal, &r), Err(ErrorCode::DateNotBookable), "past");
    }

    #[test]
    fn per_person_limits() {
        let r = BookingRules::default();
        let day = d("2026-12-01");
        let one = vec![ActiveBooking { item_id: "a".into(), date: day }];
        assert_eq!(check_limits(&one, "a", day, &r), Err(ErrorCode::LimitReached));
        assert_eq!(check_limits(&one, "a", d("2026-12-02"), &r), Ok(()));
        assert_eq!(check_limits(&one, "b", day, &r), Ok(()));
        let three: Vec<_> = ["a", "b", "c"].iter().map(|i| ActiveBooking { item_id: i.to_string(), date: day }).collect();
        assert_eq!(check_limits(&three, "d", d("2026-12-03"), &r), Err(ErrorCode::LimitReached));
    }

    #[test]
    fn two_no_shows_in_a_month_ban_for_ninety_days() {
        let r = BookingRules::default();
        assert_eq!(banned_until(&[d("2026-11-02")], d("2026-11-25"), &r), None);
        assert_eq!(banned_until(&[d("2026-11-20"), d("2026-11-02")], d("2026-11-25"), &r), Some(d("2027-02-18")));
        assert_eq!(banned_until(&[d("2026-09-01"), d("2026-11-02")], d("2026-11-25"), &r), None, "62 days apart");
        assert_eq!(banned_until(&[d("2026-01-01"), d("2026-01-05")], d("2026-11-25"), &r), None, "ban over");
    }

    #[test]
    fn refusals_name_the_centers_own_limits() {
        let r = BookingRules { max_active_per_person: 5, cancel_before_minutes: 60, checkin_early_minutes: 20, ..Default::default() };
        let said = |c: ErrorCode| c.text_with(&crate::error::pairs(&r.params_for(c)));
        assert!(said(ErrorCode::LimitReached).zh.contains("总共 5 个"));
        assert!(said(ErrorCode::TooLateToCancel).en.contains("60 minutes"));
        assert!(said(ErrorCode::CheckInTooEarly).zh.contains("前 20 分钟"));
        assert!(r.params_for(ErrorCode::SlotFull).is_empty());
    }

    #[test]
    fn may_cancel_follows_the_state_machine_and_the_deadline() {
        let b = |state, cancel_until| Booking {
            id: "b".into(),
            code: "C".into(),
            state,
            center_id: "c".into(),
            center_name: crate::Text::new("", ""),
            item_id: "i".into(),
            item_name: crate::Text::new("", ""),
            date: "2026-12-01".into(),
            start: "10:00".into(),
            hold_until: None,
            cancel_reason: None,
            cancel_until,
        };
        let until = Some(1_000);
        assert!(b(BookingState::Confirmed, until).may_cancel(1_000) && !b(BookingState::Confirmed, until).may_cancel(1_001));
        assert!(
            b(BookingState::Held, until).may_cancel(999) && !b(BookingState::Held, until).may_reschedule(999),
            "a held seat is confirmed or let go, not moved"
        );
        assert!(b(BookingState::Confirmed, until).may_reschedule(999));
        for s in [BookingState::CheckedIn, BookingState::Cancelled, BookingState::Expired, BookingState::NoShow, BookingState::Done] {
            assert!(!b(s, until).may_cancel(0) && !b(s, until).may_reschedule(0), "{s:?}");
        }
        assert!(!b(BookingState::Confirmed, None).may_cancel(0));
        assert_eq!(BookingState::sql_list_allowing(BookingEvent::Cancel), "('held', 'confirmed')");
        let r = BookingRules::default();
        assert_eq!(cancel_deadline(t("2026-12-01 10:00"), &r), t("2026-12-01 08:00"));
    }

    #[test]
    fn cancel_and_check_in_windows() {
        let r = BookingRules::default();
        let slot = t("2026-12-01 10:00");
        assert_eq!(check_cancel(slot, t("2026-12-01 08:00"), &r), Ok(()));
        assert_eq!(check_cancel(slot, t("2026-12-01 08:01"), &r), Err(ErrorCode::TooLateToCancel));
        assert_eq!(check_in_window(slot, t("2026-12-01 09:29"), &r), Err(ErrorCode::CheckInTooEarly));
        assert_eq!(check_in_window(slot, t("2026-12-01 09:30"), &r), Ok(()));
        assert_eq!(check_in_window(slot, t("2026-12-01 10:15"), &r), Ok(()));
        assert_eq!(check_in_window(slot, t("2026-12-01 10:16"), &r), Err(ErrorCode::CheckInLate));
    }

    #[test]
    fn state_machine() {
        use BookingEvent as E;
        use BookingState as S;
        assert_eq!(S::Held.next(E::Confirm), Ok(S::Confirmed));
        assert_eq!(S::Confirmed.next(E::CheckIn).and_then(|s| s.next(E::Served)), Ok(S::Done));
        assert_eq!(S::Done.next(E::Cancel), Err(ErrorCode::InvalidTransition));
        assert_eq!(S::CheckedIn.next(E::Cancel), Err(ErrorCode::InvalidTransition), "arrived: no cancelling");
        assert_eq!(S::Held.next(E::CheckIn), Err(ErrorCode::InvalidTransition));
    }

    #[test]
    fn codes() {
        assert_eq!(encode_code([0; 5]), "00000000");
        assert_eq!(encode_code([0xff; 5]), "ZZZZZZZZ");
        assert_eq!(normalise_code("ab12-cd3o"), Ok("AB12CD30".into()));
        assert_eq!(normalise_code("il0oabcd"), Ok("1100ABCD".into()));
        assert_eq!(normalise_code("ABC"), Err(ErrorCode::InvalidCode));
        assert_eq!(normalise_code("ABCDEFGU"), Err(ErrorCode::InvalidCode), "U is not in the alphabet");
    }

    #[derive(Debug, Clone)]
    enum Op {
        Book(usize),
        Cancel(usize),
        Move(usize, usize),
        /// A hold running out unconfirmed.
        Expire(usize),
        /// Someone joins a slot's waiting list.
        Join(usize),
    }

    /// A model of a center's slots: what the edge does with conditional updates, as pure operations.
    /// Every freed seat goes to the first person on that slot's waiting list as a hold.
    #[derive(Debug)]
    struct Model {
        capacity: Vec<u32>,
        booked: Vec<u32>,
        bookings: Vec<Option<(usize, bool)>>, // (slot, held) of each live booking
        waiting: Vec<Vec<u32>>,               // per slot, ticket numbers in joining order
        offered: Vec<Vec<u32>>,
        next_person: u32,
    }

    impl Model {
        fn book(&mut self, s: usize) {
            if self.booked[s] < self.capacity[s] {
                self.booked[s] += 1;
                self.bookings.push(Some((s, false)));
            }
        }
        fn free(&mut self, b: usize, s: usize) {
            self.booked[s] -= 1;
            self.bookings[b] = None;
            if !self.waiting[s].is_empty() {
                let p = self.waiting[s].remove(0);
                self.offered[s].push(p);
                self.booked[s] += 1;
                self.bookings.push(Some((s, true)));
            }
        }
        fn cancel(&mut self, b: usize) {
            if let Some(Some((s, _))) = self.bookings.get(b).copied() {
                self.free(b, s);
            }
        }
        fn expire(&mut self, b: usize) {
            if let Some(Some((s, true))) = self.bookings.get(b).copied() {
                self.free(b, s);
            }
        }
        fn join(&mut self, s: usize) {
            if self.booked[s] >= self.capacity[s] {
                self.next_person += 1;
                self.waiting[s].push(self.next_person);
            }
        }
        /// Atomic reschedule: the old seat is given up only if the new one was taken.
        fn reschedule(&mut self, b: usize, to: usize) {
            if let Some(Some((from, false))) = self.bookings.get(b).copied() {
                if from != to && self.booked[to] < self.capacity[to] {
                    self.booked[to] += 1;
                    self.free(b, from);
                    self.bookings.push(Some((to, false)));
                }
            }
        }
    }

    proptest! {
        /// No sequence of book / cancel / reschedule / hold expiry / waiting-list offers puts more
        /// bookings in a slot than it has seats; the seat counters always equal the live bookings; a
        /// freed seat never stays empty while someone waits; offers go in joining order.
        #[test]
        fn capacity_is_never_exceeded(caps in proptest::collection::vec(0u32..4, 1..5), ops in proptest::collection::vec(
            prop_oneof![(0usize..5).prop_map(Op::Book), (0usize..20).prop_map(Op::Cancel), (0usize..20, 0usize..5).prop_map(|(a, b)| Op::Move(a, b)),
                        (0usize..20).prop_map(Op::Expire), (0usize..5).prop_map(Op::Join)], 0..80)) {
            let n = caps.len();
            let mut m = Model { booked: vec![0; n], capacity: caps, bookings: vec![], waiting: vec![vec![]; n], offered: vec![vec![]; n], next_person: 0 };
            for op in ops {
                match op {
                    Op::Book(s) => m.book(s % n),
                    Op::Cancel(b) => m.cancel(b),
                    Op::Move(b, s) => m.reschedule(b, s % n),
                    Op::Expire(b) => m.expire(b),
                    Op::Join(s) => m.join(s % n),
                }
                for s in 0..n {
                    let live = m.bookings.iter().filter(|x| matches!(x, Some((t, _)) if *t == s)).count() as u32;
                    prop_assert_eq!(live, m.booked[s]);
                    prop_assert!(m.booked[s] <= m.capacity[s]);
                    prop_assert!(m.waiting[s].is_empty() || m.booked[s] == m.capacity[s], "a seat is free while people wait");
                    prop_assert!(m.offered[s].windows(2).all(|w| w[0] < w[1]), "offers out of joining order");
                }
            }
        }

        /// Codes round-trip through what a person types, and every code is 8 unambiguous characters.
        #[test]
        fn codes_round_trip(bytes in proptest::array::uniform5(any::<u8>())) {
            let c = encode_code(bytes);
            prop_assert_eq!(c.len(), 8);
            prop_assert_eq!(normalise_code(&c.to_lowercase()), Ok(c.clone()));
            prop_assert!(!c.contains(['I', 'L', 'O', 'U']));
        }
    }
}
