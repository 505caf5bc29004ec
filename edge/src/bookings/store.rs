//! The booking statements that several writes share, built as data from typed fields with named values
//! (`sql::Stmt::named`): one definition each, pure, so the host SQL stage runs them on SQLite.

use crate::sql::{Arg, Stmt};
use tongban_shared::booking::BookingState;

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
