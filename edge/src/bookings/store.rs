//! The booking statements — a center's context, slots and seats, the booking write and its re-read,
//! holds and their sweep, offers to the waiting list, cancel, confirm and move — built as data from typed
//! fields with named values (`sql::Stmt::named`): one definition each, pure, so the host tests run them on
//! SQLite. The rules that must decide inside a write (a person's limits, a move) are spliced in from
//! `shared::booking`, which generates them (`limits_allow_sql`, `move_allowed_sql`).

use super::ACTIVE;
use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::booking::{limits_allow_sql, move_allowed_sql, BookingEvent, BookingState};
use tongban_shared::config::DayKind;

/// The line a center books an item into, with what its seats and rules are made of.
#[derive(Deserialize)]
pub struct SetupRow {
    pub class_id: String,
    pub open_windows: i64,
    pub avg_minutes: i64,
    pub hours_json: String,
    pub rules_json: Option<String>,
    /// Whether the center handles the item at all.
    pub served: i64,
}

/// A day of the district calendar: a holiday, or a 调休 working day.
#[derive(Deserialize)]
pub struct DayRow {
    pub day: String,
    pub kind: DayKind,
}

/// A slot's seats, net of holds past their time.
#[derive(Deserialize)]
pub struct SlotRow {
    pub date: String,
    pub start: String,
    pub capacity: i64,
    pub booked: i64,
}

/// A booking as the person and staff see it, with its center's rules (for the cancel deadline).
#[derive(Deserialize)]
pub struct BookingRow {
    pub id: String,
    pub code: String,
    pub state: BookingState,
    pub center_id: String,
    pub center_zh: String,
    pub center_en: String,
    pub item_id: String,
    pub item_zh: String,
    pub item_en: String,
    pub date: String,
    pub start: String,
    pub hold_until: Option<i64>,
    pub cancel_reason: Option<String>,
    pub slot_id: String,
    pub rules_json: Option<String>,
}

/// A booking that holds a seat, for the end of a deleted account.
#[derive(Deserialize)]
pub struct SeatRow {
    pub id: String,
    pub slot_id: String,
    pub center_id: String,
    pub date: String,
}

/// A hold past its time, with its center's rules (for the offer that follows).
#[derive(Deserialize)]
pub struct HeldRow {
    pub id: String,
    pub slot_id: String,
    pub rules_json: Option<String>,
}

#[derive(Deserialize)]
pub struct NoShowRow {
    pub date: String,
}

/// A person's booking as their limits count it.
#[derive(Deserialize)]
pub struct ActiveRow {
    pub id: String,
    pub item_id: String,
    pub date: String,
    pub state: BookingState,
    pub hold_until: Option<i64>,
}

const BOOKING_SELECT: &str = "SELECT b.id, b.code, b.state, b.center_id, c.name_zh AS center_zh, c.name_en AS center_en, b.item_id, \
    i.name_zh AS item_zh, i.name_en AS item_en, b.date, b.start, b.hold_until, b.cancel_reason, b.slot_id, br.rules_json \
    FROM bookings b JOIN centers c ON c.id = b.center_id JOIN items i ON i.id = b.item_id LEFT JOIN booking_rules br ON br.center_id = b.center_id";

/// The center's rules (column `rules_json`; no row: the defaults).
pub fn rules(center: &str) -> Stmt {
    Stmt::named("SELECT rules_json FROM booking_rules WHERE center_id = :center", vec![("center", center.into())])
}

/// The district calendar, by day.
pub fn calendar_days() -> Stmt {
    Stmt::new("SELECT day, kind FROM calendar_days ORDER BY day", vec![])
}

/// The line an item joins at a center: a domain class listing it, else the any-item class.
pub fn setup(center: &str, item: &str) -> Stmt {
    Stmt::named(
        "SELECT w.id AS class_id, w.open_windows, w.avg_minutes, c.hours_json, r.rules_json, \
         (SELECT count(*) FROM item_centers ic WHERE ic.center_id = c.id AND ic.item_id = :item) AS served \
         FROM centers c JOIN window_classes w ON w.center_id = c.id LEFT JOIN booking_rules r ON r.center_id = c.id \
         WHERE c.id = :center AND (w.kind = 'any' OR EXISTS (SELECT 1 FROM class_items ci WHERE ci.class_id = w.id AND ci.item_id = :item)) \
         ORDER BY w.kind = 'domain' DESC, w.prefix LIMIT 1",
        vec![("center", center.into()), ("item", item.into())],
    )
}

/// A person's no-shows since staff last lifted a ban, newest first.
pub fn no_shows(account: &str) -> Stmt {
    Stmt::named(
        "SELECT date FROM bookings WHERE account_id = :account AND state = 'no_show' \
         AND updated_at > coalesce((SELECT lifted_at FROM ban_lifts WHERE account_id = :account), 0) ORDER BY date DESC LIMIT 50",
        vec![("account", account.into())],
    )
}

/// The line's slots between two days with their seats; holds past their time count as free even before
/// the sweep gives them back.
pub fn slots_between(class_id: &str, first: &str, last: &str, now: i64) -> Stmt {
    Stmt::named(
        "SELECT date, start, capacity, booked - (SELECT count(*) FROM bookings b WHERE b.slot_id = slots.id AND b.state = 'held' AND b.hold_until < :now) AS booked \
         FROM slots WHERE class_id = :class AND date BETWEEN :first AND :last",
        vec![("class", class_id.into()), ("first", first.into()), ("last", last.into()), ("now", now.into())],
    )
}

/// A booking by id, the person's own only when `account` is given.
pub fn booking(id: &str, account: Option<&str>) -> Stmt {
    match account {
        Some(a) => Stmt::named(&format!("{BOOKING_SELECT} WHERE b.id = :id AND b.account_id = :account"), vec![("id", id.into()), ("account", a.into())]),
        None => Stmt::named(&format!("{BOOKING_SELECT} WHERE b.id = :id"), vec![("id", id.into())]),
    }
}

/// The booking a request's Idempotency-Key made: this one, or an earlier one (a retry or double click).
pub fn booking_by_key(account: &str, key: &str) -> Stmt {
    Stmt::named(&format!("{BOOKING_SELECT} WHERE b.account_id = :account AND b.idem_key = :key"), vec![("account", account.into()), ("key", key.into())])
}

/// The person's bookings, latest first.
pub fn bookings_of(account: &str) -> Stmt {
    Stmt::named(&format!("{BOOKING_SELECT} WHERE b.account_id = :account ORDER BY b.date DESC, b.start DESC"), vec![("account", account.into())])
}

/// A center's held and confirmed bookings from `from` on, for the list a configuration change affects.
pub fn upcoming_at(center: &str, from: &str) -> Stmt {
    Stmt::named(
        &format!("{BOOKING_SELECT} WHERE b.center_id = :center AND b.date >= :from AND b.state IN ('held', 'confirmed') ORDER BY b.date, b.start"),
        vec![("center", center.into()), ("from", from.into())],
    )
}

/// What a seat freed in `slot` is offered as: a hold for the first person waiting who may still book.
pub struct Offer<'a> {
    pub slot: &'a str,
    pub booking_id: &'a str,
    pub code: &'a str,
    pub notification_id: &'a str,
    pub hold_until: i64,
    pub max_active: u32,
    pub now: i64,
}

/// The offer to the slot's waiting list: a hold booking for the first person waiting whose limits hold,
/// its seat, the list entry marked offered, and a notification. They change nothing when nobody waits or
/// no seat is free, so they can follow any release.
pub fn offer_seat(o: &Offer) -> [Stmt; 4] {
    [
        Stmt::named(
            &format!(
                "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, hold_until, created_at, updated_at) \
                 SELECT :id, :code, w.account_id, w.item_id, w.center_id, w.slot_id, w.date, w.start, 'held', 'waitlist:' || w.id, :until, :now, :now FROM waitlist w \
                 WHERE w.id = (SELECT w2.id FROM waitlist w2 WHERE w2.slot_id = :slot AND w2.state = 'waiting' AND {limits} ORDER BY w2.rowid LIMIT 1) \
                 AND (SELECT booked < capacity FROM slots WHERE id = :slot)",
                limits = limits_allow_sql("w2.account_id", "w2.item_id", "w2.date", ":max", ":now")
            ),
            vec![
                ("id", o.booking_id.into()),
                ("code", o.code.into()),
                ("slot", o.slot.into()),
                ("until", o.hold_until.into()),
                ("now", o.now.into()),
                ("max", i64::from(o.max_active).into()),
            ],
        ),
        Stmt::named("UPDATE slots SET booked = booked + 1 WHERE id = :slot AND changes() = 1", vec![("slot", o.slot.into())]),
        Stmt::named(
            "UPDATE waitlist SET state = 'offered', booking_id = :id, updated_at = :now WHERE id = (SELECT substr(idem_key, 10) FROM bookings WHERE id = :id)",
            vec![("id", o.booking_id.into()), ("now", o.now.into())],
        ),
        Stmt::named(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT :nid, account_id, 'waitlist_offer', id, json_object('booking_id', id, 'center_id', center_id, 'item_id', item_id, 'date', date, 'start', start, 'hold_until', hold_until), :now \
             FROM bookings WHERE id = :id",
            vec![("id", o.booking_id.into()), ("nid", o.notification_id.into()), ("now", o.now.into())],
        ),
    ]
}

/// The bookings of the account that hold a seat (held or confirmed).
pub fn seats_of(account: &str) -> Stmt {
    Stmt::named(
        "SELECT id, slot_id, center_id, date FROM bookings WHERE account_id = :account AND state IN ('held', 'confirmed')",
        vec![("account", account.into())],
    )
}

/// The account's places on waiting lists given up.
pub fn leave_waitlists(account: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE waitlist SET state = 'left', updated_at = :now WHERE account_id = :account AND state IN ('waiting', 'offered')",
        vec![("account", account.into()), ("now", now.into())],
    )
}

/// A deleted account's booking cancelled (no reason: nobody is told).
pub fn cancel_for_deletion(id: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE bookings SET state = 'cancelled', cancel_reason = NULL, hold_until = NULL, updated_at = :now WHERE id = :id AND state IN ('held', 'confirmed')",
        vec![("id", id.into()), ("now", now.into())],
    )
}

/// Holds past their time, at most `limit` (`crate::limits::HOLDS_PER_SWEEP`).
pub fn expired_holds(now: i64, limit: u32) -> Stmt {
    Stmt::named(
        "SELECT b.id, b.slot_id, r.rules_json FROM bookings b LEFT JOIN booking_rules r ON r.center_id = b.center_id \
         WHERE b.state = 'held' AND b.hold_until < :now LIMIT :limit",
        vec![("now", now.into()), ("limit", i64::from(limit).into())],
    )
}

/// One hold expired (only if still held and past its time), and the offer it came from lapsed with it.
pub fn expire_hold(id: &str, now: i64) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE bookings SET state = 'expired', updated_at = :now WHERE id = :id AND state = 'held' AND hold_until < :now",
            vec![("id", id.into()), ("now", now.into())],
        ),
        Stmt::named(
            "UPDATE waitlist SET state = 'lapsed', updated_at = :now WHERE booking_id = :id AND state = 'offered' \
             AND EXISTS (SELECT 1 FROM bookings WHERE id = :id AND state = 'expired')",
            vec![("id", id.into()), ("now", now.into())],
        ),
    ]
}

/// The slot's lapsed holds given back in three statements — their offers lapse, their seats return, they
/// expire — for the front of a batch that then counts the slot's seats exactly.
pub fn sweep_slot(slot: &str, now: i64) -> [Stmt; 3] {
    let v = || vec![("slot", slot.into()), ("now", now.into())];
    [
        Stmt::named(
            "UPDATE waitlist SET state = 'lapsed', updated_at = :now WHERE state = 'offered' \
             AND booking_id IN (SELECT id FROM bookings WHERE slot_id = :slot AND state = 'held' AND hold_until < :now)",
            v(),
        ),
        Stmt::named(
            "UPDATE slots SET booked = booked - (SELECT count(*) FROM bookings WHERE slot_id = :slot AND state = 'held' AND hold_until < :now) WHERE id = :slot",
            v(),
        ),
        Stmt::named("UPDATE bookings SET state = 'expired', updated_at = :now WHERE slot_id = :slot AND state = 'held' AND hold_until < :now", v()),
    ]
}

/// A seat asked for by a booking request.
pub struct SeatAsk<'a> {
    pub slot: &'a str,
    pub account_id: &'a str,
    pub idem_key: &'a str,
    pub item_id: &'a str,
    pub date: &'a str,
    pub max_active: u32,
    pub now: i64,
}

/// A seat taken only if one is free, the key made nothing yet, and the person's limits hold (the rule
/// `shared::booking::check_limits` decides, as SQL).
pub fn take_seat(a: &SeatAsk) -> Stmt {
    Stmt::named(
        &format!(
            "UPDATE slots SET booked = booked + 1 WHERE id = :slot AND booked < capacity \
             AND NOT EXISTS (SELECT 1 FROM bookings WHERE account_id = :account AND idem_key = :key) AND {limits}",
            limits = limits_allow_sql(":account", ":item", ":day", ":max", ":now")
        ),
        vec![
            ("slot", a.slot.into()),
            ("account", a.account_id.into()),
            ("key", a.idem_key.into()),
            ("max", i64::from(a.max_active).into()),
            ("item", a.item_id.into()),
            ("day", a.date.into()),
            ("now", a.now.into()),
        ],
    )
}

/// The person's bookings their limits may count, for why a conditional write changed nothing.
pub fn countable_of(account: &str) -> Stmt {
    Stmt::named(
        &format!("SELECT id, item_id, date, state, hold_until FROM bookings WHERE account_id = :account AND state IN {ACTIVE}"),
        vec![("account", account.into())],
    )
}

/// A held seat confirmed by its owner before the hold runs out, and the offer it came from settled.
pub fn confirm_hold(id: &str, account: &str, now: i64) -> [Stmt; 2] {
    [
        Stmt::named(
            "UPDATE bookings SET state = 'confirmed', hold_until = NULL, updated_at = :now WHERE id = :id AND account_id = :account AND state = 'held' AND hold_until >= :now",
            vec![("id", id.into()), ("account", account.into()), ("now", now.into())],
        ),
        Stmt::named(
            "UPDATE waitlist SET state = 'left', updated_at = :now WHERE booking_id = :id AND state = 'offered' AND changes() = 1",
            vec![("id", id.into()), ("now", now.into())],
        ),
    ]
}

/// The booking cancelled from any state the state machine lets cancel; `reason` is the center's, none
/// when the person cancels.
pub fn cancel(id: &str, reason: Option<&str>, now: i64) -> Stmt {
    Stmt::named(
        &format!(
            "UPDATE bookings SET state = 'cancelled', cancel_reason = :reason, hold_until = NULL, updated_at = :now WHERE id = :id AND state IN {cancellable}",
            cancellable = BookingState::sql_list_allowing(BookingEvent::Cancel)
        ),
        vec![("id", id.into()), ("now", now.into()), ("reason", reason.into())],
    )
}

/// The person told of a cancellation by the center, with its reason, only by the request that cancelled.
pub fn tell_center_cancel(id: &str, notification_id: &str, reason: &str, now: i64) -> Stmt {
    Stmt::named(
        "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
         SELECT :nid, account_id, 'booking_cancelled_by_center', id, json_object('booking_id', id, 'date', date, 'start', start, 'reason', :reason), :now \
         FROM bookings WHERE id = :id AND state = 'cancelled' AND updated_at = :now",
        vec![("id", id.into()), ("nid", notification_id.into()), ("reason", reason.into()), ("now", now.into())],
    )
}

/// A confirmed booking's move to another slot.
pub struct Move<'a> {
    pub booking_id: &'a str,
    pub account_id: &'a str,
    pub item_id: &'a str,
    pub slot: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    pub now: i64,
}

/// The new seat taken only if free, the booking still confirmed, and the move allowed by the person's
/// limits (`shared::booking::check_move`, as SQL); then the booking moved only if the seat was taken.
pub fn take_seat_and_move(m: &Move) -> [Stmt; 2] {
    [
        Stmt::named(
            &format!(
                "UPDATE slots SET booked = booked + 1 WHERE id = :slot AND booked < capacity \
                 AND EXISTS (SELECT 1 FROM bookings WHERE id = :id AND state = 'confirmed') AND {moves}",
                moves = move_allowed_sql(":account", ":item", ":day", ":id", ":now")
            ),
            vec![
                ("slot", m.slot.into()),
                ("id", m.booking_id.into()),
                ("account", m.account_id.into()),
                ("item", m.item_id.into()),
                ("day", m.date.into()),
                ("now", m.now.into()),
            ],
        ),
        Stmt::named(
            "UPDATE bookings SET slot_id = :slot, date = :day, start = :start, updated_at = :now WHERE id = :id AND state = 'confirmed' AND changes() = 1",
            vec![("id", m.booking_id.into()), ("slot", m.slot.into()), ("day", m.date.into()), ("start", m.start.into()), ("now", m.now.into())],
        ),
    ]
}

/// A slot's row as the booking that first needs it creates it (slots exist only once booked into).
pub struct SlotKey<'a> {
    pub id: &'a str,
    pub class_id: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    pub capacity: u32,
}

/// The slot's row, if it is not there yet: its seat count then starts at 0.
pub fn ensure_slot(s: &SlotKey) -> Stmt {
    Stmt::named(
        "INSERT OR IGNORE INTO slots (id, class_id, date, start, capacity) VALUES (:id, :class, :date, :start, :capacity)",
        vec![("id", s.id.into()), ("class", s.class_id.into()), ("date", s.date.into()), ("start", s.start.into()), ("capacity", i64::from(s.capacity).into())],
    )
}

/// Gives a seat of `slot` back, only if the statement just before it in the batch changed its row (a
/// booking released, a hold expired, a booking moved away): a release that lost a race frees nothing.
pub fn release_seat_after(slot: &str) -> Stmt {
    Stmt::named("UPDATE slots SET booked = booked - 1 WHERE id = :slot AND changes() = 1", vec![("slot", slot.into())])
}

/// A booking the person just made.
pub struct NewBookingRow<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub account_id: &'a str,
    pub item_id: &'a str,
    pub center_id: &'a str,
    pub slot_id: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    /// The request's Idempotency-Key: a retry finds the booking it made.
    pub idem_key: &'a str,
    /// Held while the person confirms, or confirmed at once.
    pub state: BookingState,
    pub hold_until: Option<i64>,
    pub now: i64,
}

/// The booking's row, only if the seat-taking update just before it changed its slot (`changes() = 1`: a
/// seat was free, the limits allowed it and the key had made nothing yet).
pub fn insert_booking_after_seat(b: &NewBookingRow) -> Stmt {
    Stmt::named(
        "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, hold_until, created_at, updated_at) \
         SELECT :id, :code, :account, :item, :center, :slot, :date, :start, :state, :key, :hold_until, :now, :now WHERE changes() = 1",
        vec![
            ("id", b.id.into()),
            ("code", b.code.into()),
            ("account", b.account_id.into()),
            ("item", b.item_id.into()),
            ("center", b.center_id.into()),
            ("slot", b.slot_id.into()),
            ("date", b.date.into()),
            ("start", b.start.into()),
            ("state", b.state.as_str().into()),
            ("key", b.idem_key.into()),
            ("hold_until", b.hold_until.map_or(Arg::Null, Arg::Int)),
            ("now", b.now.into()),
        ],
    )
}

/// A place on a slot's waiting list, with its position among those still waiting.
#[derive(Deserialize)]
pub struct WaitRow {
    pub id: String,
    pub center_id: String,
    pub center_zh: String,
    pub center_en: String,
    pub item_id: String,
    pub item_zh: String,
    pub item_en: String,
    pub date: String,
    pub start: String,
    pub state: tongban_shared::booking::WaitlistState,
    pub position: i64,
    pub booking_id: Option<String>,
}

/// Why joining changed nothing: whether the slot is full, and whether the person waits there already.
#[derive(Deserialize)]
pub struct WaitCheckRow {
    pub full: Option<i64>,
    pub mine: i64,
}

const WAIT_SELECT: &str = "SELECT w.id, w.center_id, c.name_zh AS center_zh, c.name_en AS center_en, w.item_id, i.name_zh AS item_zh, i.name_en AS item_en, \
    w.date, w.start, w.state, w.booking_id, \
    (SELECT count(*) FROM waitlist x WHERE x.slot_id = w.slot_id AND x.state = 'waiting' AND x.rowid < w.rowid) AS position \
    FROM waitlist w JOIN centers c ON c.id = w.center_id JOIN items i ON i.id = w.item_id";

/// A place asked for on a full slot's waiting list.
pub struct WaitAsk<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub item_id: &'a str,
    pub center_id: &'a str,
    pub slot: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    pub max_active: u32,
    pub now: i64,
}

/// The place, only while the slot is full and the person could take the seat if offered (their limits),
/// once per slot (`INSERT OR IGNORE` on the list's uniqueness).
pub fn join_waitlist(w: &WaitAsk) -> Stmt {
    Stmt::named(
        &format!(
            "INSERT OR IGNORE INTO waitlist (id, account_id, item_id, center_id, slot_id, date, start, state, created_at, updated_at) \
             SELECT :id, :account, :item, :center, :slot, :day, :start, 'waiting', :now, :now \
             WHERE (SELECT booked >= capacity FROM slots WHERE id = :slot) AND {limits}",
            limits = limits_allow_sql(":account", ":item", ":day", ":max", ":now")
        ),
        vec![
            ("id", w.id.into()),
            ("account", w.account_id.into()),
            ("item", w.item_id.into()),
            ("center", w.center_id.into()),
            ("slot", w.slot.into()),
            ("day", w.date.into()),
            ("start", w.start.into()),
            ("now", w.now.into()),
            ("max", i64::from(w.max_active).into()),
        ],
    )
}

pub fn wait_check(slot: &str, account: &str) -> Stmt {
    Stmt::named(
        "SELECT (SELECT booked >= capacity FROM slots WHERE id = :slot) AS full, \
         (SELECT count(*) FROM waitlist WHERE slot_id = :slot AND account_id = :account AND state = 'waiting') AS mine",
        vec![("slot", slot.into()), ("account", account.into())],
    )
}

pub fn waitlist_entry(id: &str) -> Stmt {
    Stmt::named(&format!("{WAIT_SELECT} WHERE w.id = :id"), vec![("id", id.into())])
}

/// The person's places still waiting or offered, by date.
pub fn waitlist_of(account: &str) -> Stmt {
    Stmt::named(
        &format!("{WAIT_SELECT} WHERE w.account_id = :account AND w.state IN ('waiting', 'offered') ORDER BY w.date, w.start"),
        vec![("account", account.into())],
    )
}

/// The person leaves a list they still wait on (an offered seat is answered by confirming or letting it lapse).
pub fn leave_waitlist(id: &str, account: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE waitlist SET state = 'left', updated_at = :now WHERE id = :id AND account_id = :account AND state = 'waiting'",
        vec![("id", id.into()), ("account", account.into()), ("now", now.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    const DAY: &str = "2026-12-09";

    fn center() -> rusqlite::Connection {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');
             INSERT INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes, kind) VALUES ('ctr-any', 'ctr', 'A', '综合', 'Any', 2, 10, 'any');
             INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text) VALUES ('it', 'dep', 'public_service', '事', 'Item', 1, ''), ('it2', 'dep', 'public_service', '事2', 'Item 2', 1, '');
             INSERT INTO item_centers (item_id, center_id) VALUES ('it', 'ctr');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn
    }

    fn slot(conn: &rusqlite::Connection, id: &str, capacity: u32) {
        ensure_slot(&SlotKey { id, class_id: "ctr-any", date: DAY, start: "09:00", capacity }).execute(conn).unwrap();
    }

    /// Takes a seat and writes the booking after it, as the booking batch does: (seat taken, row written).
    #[allow(clippy::too_many_arguments)]
    fn book(conn: &rusqlite::Connection, id: &str, account: &str, item: &str, key: &str, slot_id: &str, held: bool, now: i64) -> (usize, usize) {
        let ask = SeatAsk { slot: slot_id, account_id: account, idem_key: key, item_id: item, date: DAY, max_active: 2, now };
        let seat = take_seat(&ask).execute(conn).unwrap();
        let row = NewBookingRow {
            id,
            code: &format!("C{id}"),
            account_id: account,
            item_id: item,
            center_id: "ctr",
            slot_id,
            date: DAY,
            start: "09:00",
            idem_key: key,
            state: if held { BookingState::Held } else { BookingState::Confirmed },
            hold_until: held.then_some(now + 600),
            now,
        };
        (seat, insert_booking_after_seat(&row).execute(conn).unwrap())
    }

    fn seats(conn: &rusqlite::Connection, id: &str) -> i64 {
        conn.query_row("SELECT booked FROM slots WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    }

    /// A seat is taken only when free, once per Idempotency-Key, and within the person's limits (one
    /// booking per item per day, `max_active` in all); the booking reads back by its key and id, the
    /// person's own only; the center's context, rules and calendar decode.
    #[test]
    fn a_seat_is_taken_once_within_the_limits() {
        let conn = center();
        slot(&conn, "s1", 2);
        assert_eq!(book(&conn, "b1", "acc", "it", "key-1", "s1", false, 100), (1, 1));
        assert_eq!(book(&conn, "b1x", "acc", "it", "key-1", "s1", false, 101), (0, 0), "the same key again");
        assert_eq!(book(&conn, "b2", "acc", "it", "key-2", "s1", false, 102), (0, 0), "one per item per day");
        assert_eq!(book(&conn, "b3", "bob", "it", "key-3", "s1", false, 103), (1, 1));
        assert_eq!(book(&conn, "b4", "eve", "it", "key-4", "s1", false, 104), (0, 0), "full");
        assert_eq!(seats(&conn, "s1"), 2);
        slot(&conn, "s2", 5);
        assert_eq!(book(&conn, "b5", "acc", "it2", "key-5", "s2", false, 105), (1, 1));
        assert_eq!(book(&conn, "b6", "acc", "it3", "key-6", "s2", false, 106), (0, 0), "two active in all");

        let mine: Vec<BookingRow> = decode(&conn, &booking_by_key("acc", "key-1"));
        assert_eq!(
            (mine[0].id.as_str(), mine[0].state, mine[0].center_en.as_str(), mine[0].item_en.as_str(), mine[0].slot_id.as_str()),
            ("b1", BookingState::Confirmed, "Center", "Item", "s1")
        );
        assert_eq!(decode::<BookingRow>(&conn, &booking("b1", Some("bob"))).len(), 0, "not bob's");
        assert_eq!(decode::<BookingRow>(&conn, &booking("b1", None)).len(), 1);
        assert_eq!(decode::<BookingRow>(&conn, &bookings_of("acc")).len(), 2);
        assert_eq!(decode::<BookingRow>(&conn, &upcoming_at("ctr", DAY)).len(), 3);
        assert_eq!(decode::<ActiveRow>(&conn, &countable_of("acc")).len(), 2);
        let line: Vec<SetupRow> = decode(&conn, &setup("ctr", "it"));
        assert_eq!((line[0].class_id.as_str(), line[0].served, line[0].rules_json.as_deref()), ("ctr-any", 1, None));
        assert_eq!(decode::<SetupRow>(&conn, &setup("ctr", "it2"))[0].served, 0, "not handled here");
        assert!(rules("ctr").query_rows(&conn, &["rules_json"]).unwrap().is_empty());
        conn.execute("INSERT INTO calendar_days (day, kind) VALUES ('2026-12-25', 'holiday')", []).unwrap();
        assert_eq!(decode::<DayRow>(&conn, &calendar_days())[0].kind, DayKind::Holiday);
        let slots: Vec<SlotRow> = decode(&conn, &slots_between("ctr-any", DAY, DAY, 200));
        assert_eq!(slots.iter().map(|s| (s.capacity, s.booked)).collect::<Vec<_>>(), [(2, 2), (5, 1)]);
    }

    /// A hold past its time: the slot's seats count it free at once, the slot's sweep gives it back and
    /// lapses its offer, a freed seat is offered to the first person waiting (a hold, its seat, the list
    /// entry, the inbox line), and nobody waiting means nothing happens.
    #[test]
    fn lapsed_holds_come_back_and_are_offered_on() {
        let conn = center();
        slot(&conn, "s1", 1);
        assert_eq!(book(&conn, "h1", "acc", "it", "key-h", "s1", true, 100), (1, 1));
        let join = |id: &str, account: &str, now: i64| {
            join_waitlist(&WaitAsk { id, account_id: account, item_id: "it", center_id: "ctr", slot: "s1", date: DAY, start: "09:00", max_active: 2, now })
                .execute(&conn)
                .unwrap()
        };
        assert_eq!(join("w1", "bob", 150), 1);
        assert_eq!(join("w1b", "bob", 151), 0, "once per slot");
        let check: Vec<WaitCheckRow> = decode(&conn, &wait_check("s1", "bob"));
        assert_eq!((check[0].full, check[0].mine), (Some(1), 1));
        let entry: Vec<WaitRow> = decode(&conn, &waitlist_entry("w1"));
        assert_eq!((entry[0].position, entry[0].state, entry[0].center_zh.as_str()), (0, tongban_shared::booking::WaitlistState::Waiting, "中心"));
        assert_eq!(decode::<SlotRow>(&conn, &slots_between("ctr-any", DAY, DAY, 701))[0].booked, 0, "a lapsed hold counts as free");

        let [lapse, give_back, expire] = sweep_slot("s1", 701);
        assert_eq!((lapse.execute(&conn).unwrap(), give_back.execute(&conn).unwrap(), expire.execute(&conn).unwrap()), (0, 1, 1));
        assert_eq!(seats(&conn, "s1"), 0);
        let offer = Offer { slot: "s1", booking_id: "o1", code: "CO1", notification_id: "n1", hold_until: 1300, max_active: 2, now: 701 };
        assert_eq!(offer_seat(&offer).map(|s| s.execute(&conn).unwrap()), [1, 1, 1, 1]);
        assert_eq!(seats(&conn, "s1"), 1);
        let o: String = conn.query_row("SELECT account_id || state || idem_key || hold_until FROM bookings WHERE id = 'o1'", [], |r| r.get(0)).unwrap();
        assert_eq!(o, "bobheldwaitlist:w11300");
        let w: String = conn.query_row("SELECT state || booking_id FROM waitlist WHERE id = 'w1'", [], |r| r.get(0)).unwrap();
        assert_eq!(w, "offeredo1");
        let n: String = conn.query_row("SELECT account_id || kind || json_extract(body_json, '$.hold_until') FROM notifications", [], |r| r.get(0)).unwrap();
        assert_eq!(n, "bobwaitlist_offer1300");
        let again = Offer { booking_id: "o2", code: "CO2", notification_id: "n2", ..offer };
        assert_eq!(offer_seat(&again).map(|s| s.execute(&conn).unwrap()), [0, 0, 0, 0], "nobody waits, no seat");

        // The offer lapses with its hold; confirming in time works once.
        assert_eq!(decode::<HeldRow>(&conn, &expired_holds(1301, 25)).len(), 1);
        let [expire, lapse] = expire_hold("o1", 1301);
        assert_eq!((expire.execute(&conn).unwrap(), release_seat_after("s1").execute(&conn).unwrap(), lapse.execute(&conn).unwrap()), (1, 1, 1));
        assert_eq!(conn.query_row("SELECT state FROM waitlist WHERE id = 'w1'", [], |r| r.get::<_, String>(0)).unwrap(), "lapsed");
        assert_eq!(book(&conn, "h2", "eve", "it", "key-e", "s1", true, 1400), (1, 1));
        let [late, _] = confirm_hold("h2", "eve", 2001);
        assert_eq!(late.execute(&conn).unwrap(), 0, "after the hold ran out");
        let [confirm, settle] = confirm_hold("h2", "eve", 1500);
        assert_eq!((confirm.execute(&conn).unwrap(), settle.execute(&conn).unwrap()), (1, 0), "no offer behind it");
        assert_eq!(leave_waitlist("w1", "bob", 1600).execute(&conn).unwrap(), 0, "lapsed, not waiting");
        assert!(decode::<WaitRow>(&conn, &waitlist_of("bob")).is_empty());
    }

    /// Cancel from a state that may cancel, once; the center's note follows only its own cancel; a move
    /// takes the new seat first and moves only then; a deleted account's places and seats are ended.
    #[test]
    fn cancels_moves_and_a_deleted_account() {
        let conn = center();
        slot(&conn, "s1", 1);
        slot(&conn, "s2", 1);
        assert_eq!(book(&conn, "b1", "acc", "it", "key-1", "s1", false, 100), (1, 1));
        assert_eq!(cancel("b1", Some("holiday"), 200).execute(&conn).unwrap(), 1);
        assert_eq!(tell_center_cancel("b1", "n1", "holiday", 200).execute(&conn).unwrap(), 1);
        assert_eq!(cancel("b1", Some("again"), 201).execute(&conn).unwrap(), 0);
        assert_eq!(tell_center_cancel("b1", "n2", "again", 201).execute(&conn).unwrap(), 0, "not its cancel");
        let c: String = conn.query_row("SELECT state || cancel_reason || updated_at FROM bookings WHERE id = 'b1'", [], |r| r.get(0)).unwrap();
        assert_eq!(c, "cancelledholiday200");

        assert_eq!(book(&conn, "b2", "bob", "it", "key-2", "s2", false, 300), (1, 1));
        // The cancel's seat is given back by `release_seat_after` in the real batch; here s1 stays full.
        assert_eq!(book(&conn, "b3", "eve", "it", "key-3", "s1", false, 300), (0, 0));
        let m = Move { booking_id: "b2", account_id: "bob", item_id: "it", slot: "s1", date: DAY, start: "10:00", now: 400 };
        let [take, moved] = take_seat_and_move(&m);
        assert_eq!((take.execute(&conn).unwrap(), moved.execute(&conn).unwrap()), (0, 0), "a full slot leaves the booking where it was");
        conn.execute("UPDATE slots SET capacity = 3 WHERE id = 's1'", []).unwrap();
        let [take, moved] = take_seat_and_move(&m);
        assert_eq!((take.execute(&conn).unwrap(), moved.execute(&conn).unwrap()), (1, 1));
        let b: String = conn.query_row("SELECT slot_id || start || updated_at FROM bookings WHERE id = 'b2'", [], |r| r.get(0)).unwrap();
        assert_eq!(b, "s110:00400");

        conn.execute("INSERT INTO waitlist (id, account_id, item_id, center_id, slot_id, date, start, state, created_at, updated_at) VALUES ('w9', 'bob', 'it', 'ctr', 's2', '2026-12-09', '09:00', 'waiting', 1, 1)", []).unwrap();
        let active: Vec<SeatRow> = decode(&conn, &seats_of("bob"));
        assert_eq!((active.len(), active[0].slot_id.as_str()), (1, "s1"));
        assert_eq!((leave_waitlists("bob", 500).execute(&conn).unwrap(), cancel_for_deletion("b2", 500).execute(&conn).unwrap()), (1, 1));
        assert_eq!(cancel_for_deletion("b2", 501).execute(&conn).unwrap(), 0);
        conn.execute("UPDATE bookings SET state = 'no_show', updated_at = 600 WHERE id = 'b2'", []).unwrap();
        assert_eq!(decode::<NoShowRow>(&conn, &no_shows("bob"))[0].date, DAY);
        conn.execute("INSERT INTO ban_lifts (account_id, lifted_at, lifted_by, reason) VALUES ('bob', 700, 'staff', 'ok')", []).unwrap();
        assert!(decode::<NoShowRow>(&conn, &no_shows("bob")).is_empty(), "lifted since");
    }
}
