//! The inbox statements — the event a state change gives its person, the inbox and its unread count,
//! marking read — one builder each, with named values (`sql::Stmt::named`), pure, so the host SQL stage
//! runs every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::notify::Event;

/// One inbox line as stored. `kind` stays text: a kind this build does not know (written by a newer one)
/// is skipped by the inbox, not an error that hides every other line.
#[derive(Deserialize)]
pub struct NotificationRow {
    pub id: String,
    pub kind: String,
    pub body_json: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// The unread count (column `n`).
#[derive(Deserialize)]
pub struct UnreadRow {
    pub n: i64,
}

/// `event` (row `id`) for the owner of booking `booking_id`, only if `guard` (SQL on the booking row `b`,
/// a literal of the code) holds — so it follows exactly the change that happened in the same batch.
pub fn for_booking(id: &str, booking_id: &str, event: &Event, guard: &str, now: i64) -> Stmt {
    Stmt::named(
        &format!(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT :id, b.account_id, :kind, b.id, :body, :now FROM bookings b WHERE b.id = :booking AND ({guard})"
        ),
        vec![
            ("id", id.into()),
            ("kind", event.kind().as_str().into()),
            ("body", event.body_json().into()),
            ("now", now.into()),
            ("booking", booking_id.into()),
        ],
    )
}

/// The same for the holder of a ticket that came from a booking (`guard` on the ticket row `t`); a
/// walk-in's ticket has no booking, so no row. `once`: not if this kind was already sent for the ticket.
pub fn for_ticket(id: &str, ticket_id: &str, event: &Event, guard: &str, once: bool, now: i64) -> Stmt {
    let once = if once { " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ref_id = t.id AND n.kind = :kind)" } else { "" };
    Stmt::named(
        &format!(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT :id, b.account_id, :kind, t.id, :body, :now FROM tickets t JOIN bookings b ON b.id = t.booking_id WHERE t.id = :ticket AND ({guard}){once}"
        ),
        vec![("id", id.into()), ("kind", event.kind().as_str().into()), ("body", event.body_json().into()), ("now", now.into()), ("ticket", ticket_id.into())],
    )
}

/// The account's latest 50 lines, newest first (rowid orders lines of the same second as written).
pub fn latest(account: &str) -> Stmt {
    Stmt::named(
        "SELECT id, kind, body_json, created_at, read_at FROM notifications WHERE account_id = :account ORDER BY created_at DESC, rowid DESC LIMIT 50",
        vec![("account", account.into())],
    )
}

/// How many of the account's lines are unread, all of them, not only the latest 50.
pub fn unread(account: &str) -> Stmt {
    Stmt::named("SELECT count(*) AS n FROM notifications WHERE account_id = :account AND read_at IS NULL", vec![("account", account.into())])
}

/// One line read, only the account's own; a line read before keeps its first time, and still counts as
/// changed, so marking it again is no 404.
pub fn mark_read(id: &str, account: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE notifications SET read_at = coalesce(read_at, :now) WHERE id = :id AND account_id = :account",
        vec![("id", id.into()), ("account", account.into()), ("now", now.into())],
    )
}

/// Every unread line of the account read now.
pub fn mark_all_read(account: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE notifications SET read_at = :now WHERE account_id = :account AND read_at IS NULL",
        vec![("account", account.into()), ("now", now.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The inbox store on SQLite: an event reaches a booking's owner only while its guard holds, and a
    /// ticket's holder only if the ticket came from a booking (and, with `once`, only the first time); each
    /// value lands in its column; the inbox reads as `NotificationRow`, newest first, the count counts
    /// unread lines; marking read touches only the account's own line and keeps the first read time.
    #[test]
    fn the_inbox_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at)
               VALUES ('bk', 'C1', 'acc', 'it', 'ctr', 'sl', '2026-12-02', '09:00', 'confirmed', 'k', 1, 1);
             INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, state, created_at)
               VALUES ('tb', 'ctr', 'cl', '2026-12-02', 1, 'A001', 'booking', 'bk', 'waiting', 1),
                      ('tw', 'ctr', 'cl', '2026-12-02', 2, 'A002', 'walk_in', NULL, 'waiting', 1);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        let confirmed = Event::BookingConfirmed { booking_id: "bk".into(), date: "2026-12-02".into(), start: "09:00".into() };
        assert_eq!(for_booking("n1", "bk", &confirmed, "b.state = 'cancelled'", 10).execute(&conn).unwrap(), 0, "the guard does not hold");
        assert_eq!(for_booking("n1", "bk", &confirmed, "b.state = 'confirmed'", 10).execute(&conn).unwrap(), 1);
        assert_eq!(
            one("SELECT id || account_id || kind || ref_id || body_json || created_at || coalesce(read_at, '-') FROM notifications"),
            format!("n1accbooking_confirmedbk{}10-", confirmed.body_json())
        );

        let turn = Event::ThreeAhead { ticket_id: "tb".into(), number: "A001".into() };
        assert_eq!(for_ticket("n2", "tb", &turn, "t.state = 'done'", false, 20).execute(&conn).unwrap(), 0, "the guard does not hold");
        assert_eq!(for_ticket("n2", "tb", &turn, "t.state = 'waiting'", true, 20).execute(&conn).unwrap(), 1);
        assert_eq!(for_ticket("n3", "tb", &turn, "t.state = 'waiting'", true, 21).execute(&conn).unwrap(), 0, "once per ticket and kind");
        assert_eq!(for_ticket("n4", "tw", &turn, "1 = 1", false, 22).execute(&conn).unwrap(), 0, "a walk-in has no account");
        assert_eq!(
            one("SELECT id || account_id || kind || ref_id || body_json || created_at FROM notifications WHERE id = 'n2'"),
            format!("n2accthree_aheadtb{}20", turn.body_json())
        );
        assert_eq!(for_ticket("n3", "tb", &turn, "1 = 1", false, 20).execute(&conn).unwrap(), 1, "without once, again");

        let lines: Vec<NotificationRow> = decode(&conn, &latest("acc"));
        assert_eq!(lines.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["n3", "n2", "n1"], "newest first, the same second as written");
        assert_eq!((lines[2].kind.as_str(), lines[2].created_at, lines[2].read_at), ("booking_confirmed", 10, None));
        assert_eq!(Event::from_row(&lines[2].kind, &lines[2].body_json), Some(confirmed));
        assert!(decode::<NotificationRow>(&conn, &latest("other")).is_empty());
        let count = |conn: &rusqlite::Connection| decode::<UnreadRow>(conn, &unread("acc"))[0].n;
        assert_eq!(count(&conn), 3);

        assert_eq!(mark_read("n1", "other", 30).execute(&conn).unwrap(), 0, "not the account's line");
        assert_eq!(mark_read("n1", "acc", 30).execute(&conn).unwrap(), 1);
        assert_eq!(mark_read("n1", "acc", 31).execute(&conn).unwrap(), 1, "read again: changed, so no 404");
        assert_eq!(one("SELECT 'read at ' || read_at FROM notifications WHERE id = 'n1'"), "read at 30", "the first read time stays");
        assert_eq!(count(&conn), 2);
        assert_eq!(mark_all_read("acc", 40).execute(&conn).unwrap(), 2);
        assert_eq!(mark_all_read("acc", 41).execute(&conn).unwrap(), 0, "nothing unread left");
        assert_eq!(one("SELECT group_concat(id || read_at, ',') FROM (SELECT * FROM notifications ORDER BY id)"), "n130,n240,n340");
        assert_eq!(count(&conn), 0);
    }
}
