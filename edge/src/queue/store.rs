//! The hall queue's statements — numbering and making tickets, check-in, call-next, a window's actions and
//! figures, a ticket's live position, the lines — one builder each with named values (`sql::Stmt::named`),
//! pure, so the host test below runs every one on SQLite, with the rows decoded as the worker decodes D1's.
//! The service order inside "call next" is `shared::queue::SERVICE_ORDER_SQL`, the SQL twin of `priority`.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::booking::BookingState;
use tongban_shared::queue::{Origin, TicketState, SERVICE_ORDER_SQL};

/// A line's id and the prefix of its printed numbers.
#[derive(Deserialize)]
pub struct ClassRow {
    pub id: String,
    pub prefix: String,
}

/// A booking found by its code, with the line its slot belongs to.
#[derive(Deserialize)]
pub struct BookingRow {
    pub id: String,
    pub state: BookingState,
    pub date: String,
    pub start: String,
    pub center_id: String,
    pub class_id: String,
    pub prefix: String,
}

#[derive(Deserialize)]
pub struct IdRow {
    pub id: String,
}

/// A call as the display shows it (`id` only where the call was just made).
#[derive(Deserialize)]
pub struct CallRow {
    #[serde(default)]
    pub id: String,
    pub number: String,
    pub window_no: i64,
    pub called_at: i64,
}

/// The line a window calls, with its name.
#[derive(Deserialize)]
pub struct WindowRow {
    pub class_id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The ticket a window is handling.
#[derive(Deserialize)]
pub struct CurrentRow {
    pub id: String,
    pub number: String,
    pub state: TicketState,
    pub origin: Origin,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub booking_id: Option<String>,
}

/// A window's day so far, and how many wait in its line.
#[derive(Deserialize)]
pub struct StatsRow {
    pub waiting: i64,
    pub served: i64,
    pub on_the_spot: i64,
    pub skipped: i64,
    pub wait: Option<f64>,
    pub handle: Option<f64>,
}

#[derive(Deserialize)]
pub struct TicketRow {
    pub id: String,
    pub number: String,
    pub center_id: String,
    pub class_id: String,
    pub day: String,
    pub origin: Origin,
    pub state: TicketState,
    pub window_no: Option<i64>,
    pub seq: i64,
    pub slot_start: Option<String>,
    pub open_windows: i64,
    pub avg_minutes: i64,
    pub transferred_from: Option<String>,
    pub review_code: Option<String>,
    pub reviewed: i64,
}

/// A waiting ticket, as the service order ranks it.
#[derive(Deserialize)]
pub struct WaitingRow {
    pub number: String,
    pub origin: Origin,
    pub slot_start: Option<String>,
    pub seq: i64,
    pub transferred_from: Option<String>,
}

#[derive(Deserialize)]
pub struct NumberRow {
    pub id: String,
    pub number: String,
}

/// How long one of today's services of the line took.
#[derive(Deserialize)]
pub struct HandlingRow {
    pub secs: i64,
}

/// A line of the center with how many wait in it.
#[derive(Deserialize)]
pub struct LineRow {
    pub id: String,
    pub prefix: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub waiting: i64,
}

/// The line's counter for the day, if it is not there yet.
pub fn counter(class_id: &str, day: &str) -> Stmt {
    Stmt::named("INSERT OR IGNORE INTO ticket_counters (class_id, day, last) VALUES (:class, :day, 0)", vec![("class", class_id.into()), ("day", day.into())])
}

/// A ticket about to be made.
pub struct NewTicket<'a> {
    pub id: &'a str,
    pub center_id: &'a str,
    pub class_id: &'a str,
    pub day: &'a str,
    pub prefix: &'a str,
    /// `walk_in` or `booking`.
    pub origin: &'a str,
    pub booking_id: Option<&'a str>,
    pub slot_start: Option<&'a str>,
    pub review_code: &'a str,
    pub now: i64,
}

/// The statements that number and create a ticket (after [`counter`]); `guarded` makes them depend on the
/// statement before them having changed a row (check-in: only if the booking was really checked in now).
pub fn make_ticket(t: &NewTicket, guarded: bool) -> [Stmt; 2] {
    let guard = if guarded { " AND changes() = 1" } else { "" };
    [
        Stmt::named(
            &format!("UPDATE ticket_counters SET last = last + 1 WHERE class_id = :class AND day = :day{guard}"),
            vec![("class", t.class_id.into()), ("day", t.day.into())],
        ),
        Stmt::named(
            &format!(
                "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, booking_id, slot_start, state, created_at, review_code) \
                 SELECT :id, :center, :class, :day, last, printf('%s%03d', :prefix, last), :origin, :booking, :slot, 'waiting', :now, :code \
                 FROM ticket_counters WHERE class_id = :class AND day = :day{guard}"
            ),
            vec![
                ("class", t.class_id.into()),
                ("day", t.day.into()),
                ("id", t.id.into()),
                ("center", t.center_id.into()),
                ("prefix", t.prefix.into()),
                ("origin", t.origin.into()),
                ("booking", t.booking_id.into()),
                ("slot", t.slot_start.into()),
                ("now", t.now.into()),
                ("code", t.review_code.into()),
            ],
        ),
    ]
}

/// The line a walk-in ticket is for: the one asked for, else the center's any-item line.
pub fn walk_in_line(center: &str, wanted: Option<&str>) -> Stmt {
    Stmt::named(
        "SELECT id, prefix FROM window_classes WHERE center_id = :center AND (id = :wanted OR (:wanted IS NULL AND kind = 'any')) ORDER BY prefix LIMIT 1",
        vec![("center", center.into()), ("wanted", wanted.into())],
    )
}

pub fn booking_by_code(code: &str) -> Stmt {
    Stmt::named(
        "SELECT b.id, b.state, b.date, b.start, b.center_id, s.class_id, w.prefix FROM bookings b JOIN slots s ON s.id = b.slot_id \
         JOIN window_classes w ON w.id = s.class_id WHERE b.code = :code",
        vec![("code", code.into())],
    )
}

/// The ticket a check-in made for the booking.
pub fn ticket_of_booking(booking: &str) -> Stmt {
    Stmt::named("SELECT id FROM tickets WHERE booking_id = :booking", vec![("booking", booking.into())])
}

/// The booking checked in, only from `confirmed` (of two scans at once, one changes it).
pub fn check_in_booking(booking: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE bookings SET state = 'checked_in', updated_at = :now WHERE id = :id AND state = 'confirmed'",
        vec![("id", booking.into()), ("now", now.into())],
    )
}

/// The line a window calls: its class, or the center's any-item class for windows without one.
pub fn window_line(center: &str, window: u32) -> Stmt {
    Stmt::named(
        "SELECT k.id AS class_id, k.name_zh, k.name_en FROM windows w JOIN window_classes k ON k.id = coalesce(w.class_id, \
         (SELECT id FROM window_classes WHERE center_id = w.center_id AND kind = 'any' ORDER BY prefix LIMIT 1)) \
         WHERE w.center_id = :center AND w.number = :window",
        vec![("center", center.into()), ("window", i64::from(window).into())],
    )
}

/// A call of the next ticket at a window.
pub struct CallKey<'a> {
    pub center_id: &'a str,
    pub class_id: &'a str,
    pub day: &'a str,
    pub window: u32,
    pub staff_id: &'a str,
    pub now: i64,
}

/// After [`counter`]: skipped tickets whose turn has come rejoin, then one UPDATE makes the head of the
/// service order "called" by this window (or nothing) and returns it, and the line's call counter moves
/// only if it did. Two windows calling at once get two tickets, or one gets nothing.
pub fn call_next(k: &CallKey) -> [Stmt; 3] {
    let line = || vec![("class", k.class_id.into()), ("day", k.day.into())];
    [
        Stmt::named(
            "UPDATE tickets SET state = 'waiting' WHERE class_id = :class AND day = :day AND state = 'skipped' \
             AND rejoin_after_call <= (SELECT calls FROM ticket_counters WHERE class_id = :class AND day = :day)",
            line(),
        ),
        Stmt::named(
            &format!(
                "UPDATE tickets SET state = 'called', window_no = :window, called_by = :staff, called_at = :now, \
                 call_no = (SELECT coalesce(max(call_no), 0) + 1 FROM tickets WHERE center_id = :center AND day = :day), \
                 class_calls = (SELECT calls + 1 FROM ticket_counters WHERE class_id = :class AND day = :day) \
                 WHERE id = (SELECT id FROM tickets WHERE class_id = :class AND day = :day AND state = 'waiting' ORDER BY {SERVICE_ORDER_SQL} LIMIT 1) \
                 RETURNING id, number, window_no, called_at"
            ),
            vec![
                ("class", k.class_id.into()),
                ("day", k.day.into()),
                ("window", i64::from(k.window).into()),
                ("staff", k.staff_id.into()),
                ("now", k.now.into()),
                ("center", k.center_id.into()),
            ],
        ),
        Stmt::named("UPDATE ticket_counters SET calls = calls + 1 WHERE class_id = :class AND day = :day AND changes() = 1", line()),
    ]
}

/// Whoever is now fourth in the service order (told that three are ahead).
pub fn fourth_in_line(class_id: &str, day: &str) -> Stmt {
    Stmt::named(
        &format!("SELECT id, number FROM tickets WHERE class_id = :class AND day = :day AND state = 'waiting' ORDER BY {SERVICE_ORDER_SQL} LIMIT 1 OFFSET 3"),
        vec![("class", class_id.into()), ("day", day.into())],
    )
}

/// The ticket the window called last and has not finished.
pub fn current_ticket(center: &str, day: &str, window: u32) -> Stmt {
    Stmt::named(
        "SELECT id, number, state, origin, called_at, started_at, booking_id FROM tickets \
         WHERE center_id = :center AND day = :day AND window_no = :window AND state IN ('called', 'serving') ORDER BY call_no DESC LIMIT 1",
        vec![("center", center.into()), ("day", day.into()), ("window", i64::from(window).into())],
    )
}

/// The window's figures for the day and the length of its line.
pub fn window_stats(center: &str, day: &str, window: u32, class_id: &str) -> Stmt {
    Stmt::named(
        "SELECT (SELECT count(*) FROM tickets WHERE class_id = :class AND day = :day AND state IN ('waiting', 'skipped')) AS waiting, \
         (SELECT count(*) FROM tickets WHERE center_id = :center AND day = :day AND window_no = :window AND state = 'done') AS served, \
         (SELECT count(*) FROM tickets WHERE center_id = :center AND day = :day AND window_no = :window AND outcome = 'on_the_spot') AS on_the_spot, \
         (SELECT count(*) FROM tickets WHERE center_id = :center AND day = :day AND window_no = :window AND state = 'skipped') AS skipped, \
         (SELECT avg(called_at - created_at) / 60.0 FROM tickets WHERE center_id = :center AND day = :day AND window_no = :window AND called_at IS NOT NULL) AS wait, \
         (SELECT avg(finished_at - started_at) / 60.0 FROM tickets WHERE center_id = :center AND day = :day AND window_no = :window AND finished_at IS NOT NULL) AS handle",
        vec![("center", center.into()), ("day", day.into()), ("window", i64::from(window).into()), ("class", class_id.into())],
    )
}

/// The ticket a window acts on, in the state it was read in: of two presses at once, one changes it.
#[derive(Clone, Copy)]
pub struct Acting<'a> {
    pub ticket: &'a str,
    pub state: &'a str,
    pub now: i64,
}

/// Called again: a new call number, so the display shows it on top.
pub fn recall(a: Acting, center: &str, day: &str) -> Stmt {
    Stmt::named(
        "UPDATE tickets SET recalls = recalls + 1, called_at = :now, call_no = (SELECT coalesce(max(call_no), 0) + 1 FROM tickets WHERE center_id = :center AND day = :day) \
         WHERE id = :id AND state = :state",
        vec![("id", a.ticket.into()), ("now", a.now.into()), ("state", a.state.into()), ("center", center.into()), ("day", day.into())],
    )
}

/// Skipped: the ticket rejoins its line after `rejoin_after` more calls of it.
pub fn skip(a: Acting, rejoin_after: u32) -> Stmt {
    Stmt::named(
        "UPDATE tickets SET state = 'skipped', rejoin_after_call = (SELECT calls FROM ticket_counters WHERE class_id = tickets.class_id AND day = tickets.day) + :after \
         WHERE id = :id AND state = :state",
        vec![("id", a.ticket.into()), ("state", a.state.into()), ("after", i64::from(rejoin_after).into())],
    )
}

pub fn start(a: Acting) -> Stmt {
    Stmt::named(
        "UPDATE tickets SET state = 'serving', started_at = :now WHERE id = :id AND state = :state",
        vec![("id", a.ticket.into()), ("now", a.now.into()), ("state", a.state.into())],
    )
}

/// Finished with its outcome; the item handled (a walk-in's, recorded by staff) is kept only if it exists.
pub fn finish(a: Acting, outcome: &str, item: Option<&str>) -> Stmt {
    Stmt::named(
        "UPDATE tickets SET state = 'done', finished_at = :now, outcome = :outcome, item_id = coalesce((SELECT id FROM items WHERE id = :item), item_id) \
         WHERE id = :id AND state = :state",
        vec![("id", a.ticket.into()), ("now", a.now.into()), ("state", a.state.into()), ("outcome", outcome.into()), ("item", item.into())],
    )
}

/// The booking behind a finished ticket is done, only if the ticket's update just before it changed it.
pub fn booking_done_after(booking: &str, now: i64) -> Stmt {
    Stmt::named(
        "UPDATE bookings SET state = 'done', updated_at = :now WHERE id = :id AND state = 'checked_in' AND changes() = 1",
        vec![("id", booking.into()), ("now", now.into())],
    )
}

/// Whether the line exists in the center (column `n`).
pub fn line_exists(class_id: &str, center: &str) -> Stmt {
    Stmt::named(
        "SELECT count(*) AS n FROM window_classes WHERE id = :class AND center_id = :center",
        vec![("class", class_id.into()), ("center", center.into())],
    )
}

/// Moved to another line: its counter, a fresh sequence number there (keeping (class, day, seq) unique),
/// and the ticket waiting in it with no window. The printed number stays what the person holds, and
/// `transferred_from` puts it first. The ticket's update is the third statement.
pub fn transfer(a: Acting, to: &str, day: &str) -> [Stmt; 3] {
    [
        counter(to, day),
        Stmt::named("UPDATE ticket_counters SET last = last + 1 WHERE class_id = :class AND day = :day", vec![("class", to.into()), ("day", day.into())]),
        Stmt::named(
            "UPDATE tickets SET state = 'waiting', transferred_from = class_id, class_id = :to, window_no = NULL, \
             seq = (SELECT last FROM ticket_counters WHERE class_id = :to AND day = :day) WHERE id = :id AND state = :state",
            vec![("id", a.ticket.into()), ("state", a.state.into()), ("to", to.into()), ("day", day.into())],
        ),
    ]
}

/// The display's last ten calls. A transferred ticket keeps its call number but waits again with no
/// window: not a call to show.
pub fn recent_calls(center: &str, day: &str) -> Stmt {
    Stmt::named(
        "SELECT number, window_no, called_at FROM tickets WHERE center_id = :center AND day = :day AND call_no IS NOT NULL AND window_no IS NOT NULL \
         ORDER BY call_no DESC LIMIT 10",
        vec![("center", center.into()), ("day", day.into())],
    )
}

/// A ticket with its line's pace figures and whether it was reviewed.
pub fn ticket(id: &str) -> Stmt {
    Stmt::named(
        "SELECT t.id, t.number, t.center_id, t.class_id, t.day, t.origin, t.state, t.window_no, t.seq, t.slot_start, w.open_windows, w.avg_minutes, \
         t.transferred_from, t.review_code, EXISTS (SELECT 1 FROM reviews r WHERE r.event_kind = 'ticket' AND r.event_id = t.id) AS reviewed \
         FROM tickets t JOIN window_classes w ON w.id = t.class_id WHERE t.id = :id",
        vec![("id", id.into())],
    )
}

/// Every ticket waiting in the line, for the position the shared `priority` gives.
pub fn waiting_in(class_id: &str, day: &str) -> Stmt {
    Stmt::named(
        "SELECT number, origin, slot_start, seq, transferred_from FROM tickets WHERE class_id = :class AND day = :day AND state = 'waiting'",
        vec![("class", class_id.into()), ("day", day.into())],
    )
}

/// The line's last ten services of the day, for its pace.
pub fn recent_handling(class_id: &str, day: &str) -> Stmt {
    Stmt::named(
        "SELECT finished_at - started_at AS secs FROM tickets WHERE class_id = :class AND day = :day AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 10",
        vec![("class", class_id.into()), ("day", day.into())],
    )
}

/// The center's lines with how many wait in each.
pub fn lines(center: &str, day: &str) -> Stmt {
    Stmt::named(
        "SELECT k.id, k.prefix, k.name_zh, k.name_en, k.kind, \
         (SELECT count(*) FROM tickets t WHERE t.class_id = k.id AND t.day = :day AND t.state IN ('waiting', 'skipped')) AS waiting \
         FROM window_classes k WHERE k.center_id = :center ORDER BY k.prefix",
        vec![("center", center.into()), ("day", day.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::sql::host::{decode, migrated};

    const DAY: &str = "2026-12-02";

    fn hall() -> rusqlite::Connection {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes, kind)
               VALUES ('ctr-any', 'ctr', 'A', '综合', 'Any item', 2, 10, 'any'), ('ctr-tax', 'ctr', 'T', '税务', 'Tax', 1, 15, 'domain');
             INSERT INTO windows (id, center_id, number, class, label_zh, label_en, class_id)
               VALUES ('ctr-w1', 'ctr', 1, 'any', '1号', 'No. 1', NULL), ('ctr-w2', 'ctr', 2, 'domain', '2号', 'No. 2', 'ctr-tax');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        conn
    }

    fn take(conn: &rusqlite::Connection, id: &str, class: &str, prefix: &str, booking: Option<(&str, &str)>, now: i64) -> usize {
        let t = NewTicket {
            id,
            center_id: "ctr",
            class_id: class,
            day: DAY,
            prefix,
            origin: if booking.is_some() { "booking" } else { "walk_in" },
            booking_id: booking.map(|b| b.0),
            slot_start: booking.map(|b| b.1),
            review_code: &format!("RC{id}"),
            now,
        };
        counter(class, DAY).execute(conn).unwrap();
        make_ticket(&t, false).iter().map(|s| s.execute(conn).unwrap()).sum()
    }

    fn call(conn: &rusqlite::Connection, window: u32, class: &str, now: i64) -> Option<CallRow> {
        let k = CallKey { center_id: "ctr", class_id: class, day: DAY, window, staff_id: "clerk", now };
        counter(class, DAY).execute(conn).unwrap();
        let [rejoin, next, calls] = call_next(&k);
        rejoin.execute(conn).unwrap();
        let row = decode::<CallRow>(conn, &next).into_iter().next();
        // `changes()` is the call's: the line's call counter moves only if a ticket was called.
        assert_eq!(calls.execute(conn).unwrap(), usize::from(row.is_some()));
        row
    }

    /// Tickets are numbered per line and day; "call next" takes the head of the shared service order (a
    /// checked-in booking before earlier walk-ins), one ticket per call, nothing from an empty line; the
    /// call counter counts calls only.
    #[test]
    fn tickets_are_numbered_and_called_in_the_service_order() {
        let conn = hall();
        assert_eq!(take(&conn, "t1", "ctr-any", "A", None, 10), 2);
        assert_eq!(take(&conn, "t2", "ctr-any", "A", None, 20), 2);
        assert_eq!(take(&conn, "t3", "ctr-any", "A", Some(("b1", "09:00")), 30), 2);
        let numbers: Vec<String> =
            conn.prepare("SELECT number FROM tickets ORDER BY seq").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(numbers, ["A001", "A002", "A003"]);
        // A guarded ticket follows only a statement that changed a row.
        conn.execute("UPDATE bookings SET state = 'checked_in' WHERE id = 'none'", []).unwrap();
        let t = NewTicket {
            id: "t9",
            center_id: "ctr",
            class_id: "ctr-any",
            day: DAY,
            prefix: "A",
            origin: "walk_in",
            booking_id: None,
            slot_start: None,
            review_code: "x",
            now: 1,
        };
        let [bump, insert] = make_ticket(&t, true);
        assert_eq!((bump.execute(&conn).unwrap(), insert.execute(&conn).unwrap()), (0, 0));

        let first = call(&conn, 1, "ctr-any", 100).expect("a ticket");
        assert_eq!((first.id.as_str(), first.number.as_str(), first.window_no, first.called_at), ("t3", "A003", 1, 100), "the booking first");
        assert_eq!(call(&conn, 1, "ctr-any", 110).unwrap().id, "t1");
        assert_eq!(call(&conn, 1, "ctr-any", 120).unwrap().id, "t2");
        assert!(call(&conn, 1, "ctr-any", 130).is_none(), "an empty line calls nothing");
        let calls: i64 = conn.query_row("SELECT calls FROM ticket_counters WHERE class_id = 'ctr-any'", [], |r| r.get(0)).unwrap();
        assert_eq!(calls, 3);
        let shown: Vec<CallRow> = decode(&conn, &recent_calls("ctr", DAY));
        assert_eq!(shown.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["A002", "A001", "A003"]);
        let fourth: Vec<NumberRow> = decode(&conn, &fourth_in_line("ctr-any", DAY));
        assert!(fourth.is_empty());
    }

    /// A window's actions change the ticket only in the state it was read in (a second press changes
    /// nothing), skip sets when it rejoins, finish keeps only a real item, transfer renumbers in the new
    /// line; the window's figures and the ticket's view decode as the worker reads them.
    #[test]
    fn a_window_acts_once_on_the_ticket_it_called() {
        let conn = hall();
        conn.execute_batch(
            "INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text) VALUES ('it', 'dep', 'public_service', '事', 'Item', 1, '');",
        )
        .unwrap();
        for (i, id) in ["t1", "t2", "t3"].iter().enumerate() {
            take(&conn, id, "ctr-any", "A", None, i as i64);
        }
        let line: Vec<WindowRow> = decode(&conn, &window_line("ctr", 1));
        assert_eq!(line[0].class_id, "ctr-any", "a window without a class calls the any-item line");
        assert_eq!(decode::<WindowRow>(&conn, &window_line("ctr", 2))[0].class_id, "ctr-tax");
        assert!(decode::<WindowRow>(&conn, &window_line("ctr", 9)).is_empty());

        call(&conn, 1, "ctr-any", 100);
        let cur: Vec<CurrentRow> = decode(&conn, &current_ticket("ctr", DAY, 1));
        assert_eq!((cur[0].id.as_str(), cur[0].state), ("t1", TicketState::Called));
        let called = Acting { ticket: "t1", state: "called", now: 150 };
        assert_eq!(recall(called, "ctr", DAY).execute(&conn).unwrap(), 1);
        assert_eq!(start(called).execute(&conn).unwrap(), 1);
        assert_eq!(start(called).execute(&conn).unwrap(), 0, "the second press");
        let serving = Acting { state: "serving", now: 400, ..called };
        assert_eq!(finish(serving, "on_the_spot", Some("nope")).execute(&conn).unwrap(), 1);
        assert_eq!(finish(serving, "on_the_spot", Some("it")).execute(&conn).unwrap(), 0);
        let done: String = conn
            .query_row("SELECT state || outcome || coalesce(item_id, '-') || recalls || started_at || finished_at FROM tickets WHERE id = 't1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(done, "doneon_the_spot-1150400");
        let stats: Vec<StatsRow> = decode(&conn, &window_stats("ctr", DAY, 1, "ctr-any"));
        assert_eq!((stats[0].waiting, stats[0].served, stats[0].on_the_spot, stats[0].handle.map(|h| (h * 60.0).round())), (2, 1, 1, Some(250.0)));
        assert_eq!(decode::<HandlingRow>(&conn, &recent_handling("ctr-any", DAY))[0].secs, 250);

        call(&conn, 1, "ctr-any", 500);
        let t2 = Acting { ticket: "t2", state: "called", now: 510 };
        assert_eq!(skip(t2, 2).execute(&conn).unwrap(), 1);
        let rejoin: i64 = conn.query_row("SELECT rejoin_after_call FROM tickets WHERE id = 't2'", [], |r| r.get(0)).unwrap();
        assert_eq!(rejoin, 2 + 2, "two calls so far, then two more");
        call(&conn, 1, "ctr-any", 520);
        let [to_counter, to_bump, moved] = transfer(Acting { ticket: "t3", state: "called", now: 530 }, "ctr-tax", DAY);
        assert_eq!((to_counter.execute(&conn).unwrap(), to_bump.execute(&conn).unwrap(), moved.execute(&conn).unwrap()), (1, 1, 1));
        let t3: Vec<TicketRow> = decode(&conn, &ticket("t3"));
        assert_eq!(
            (t3[0].class_id.as_str(), t3[0].seq, t3[0].state, t3[0].window_no, t3[0].transferred_from.as_deref()),
            ("ctr-tax", 1, TicketState::Waiting, None, Some("ctr-any"))
        );
        assert_eq!((t3[0].number.as_str(), t3[0].open_windows, t3[0].reviewed), ("A003", 1, 0), "the printed number stays");
        let waiting: Vec<WaitingRow> = decode(&conn, &waiting_in("ctr-tax", DAY));
        assert_eq!((waiting.len(), waiting[0].origin), (1, Origin::WalkIn));
        let lines: Vec<LineRow> = decode(&conn, &lines("ctr", DAY));
        assert_eq!(lines.iter().map(|l| (l.prefix.as_str(), l.waiting)).collect::<Vec<_>>(), [("A", 1), ("T", 1)], "the skipped one still waits");
        let exists = |c: &str| crate::sql::host::decode::<Count>(&conn, &line_exists(c, "ctr"))[0].n;
        assert_eq!((exists("ctr-tax"), exists("other")), (1, 0));
        let walk: Vec<ClassRow> = decode(&conn, &walk_in_line("ctr", None));
        assert_eq!(walk[0].id, "ctr-any");
        assert_eq!(decode::<ClassRow>(&conn, &walk_in_line("ctr", Some("ctr-tax")))[0].prefix, "T");
        assert!(decode::<ClassRow>(&conn, &walk_in_line("ctr", Some("nope"))).is_empty());
    }

    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }

    /// Check-in finds the booking by its code, changes it once, and its ticket is found by the booking;
    /// a finished ticket closes the booking only after the ticket's own change.
    #[test]
    fn a_booking_checks_in_once_and_is_done_with_its_ticket() {
        let conn = hall();
        conn.execute_batch(
            "INSERT INTO slots (id, class_id, date, start, capacity, booked) VALUES ('s1', 'ctr-any', '2026-12-02', '09:00', 2, 1);
             INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at)
               VALUES ('b1', 'K7Q2M9', 'acc', 'it', 'ctr', 's1', '2026-12-02', '09:00', 'confirmed', 'k', 1, 1);",
        )
        .unwrap();
        let b: Vec<BookingRow> = decode(&conn, &booking_by_code("K7Q2M9"));
        assert_eq!((b[0].state, b[0].class_id.as_str(), b[0].prefix.as_str(), b[0].start.as_str()), (BookingState::Confirmed, "ctr-any", "A", "09:00"));
        assert_eq!(check_in_booking("b1", 60).execute(&conn).unwrap(), 1);
        assert_eq!(check_in_booking("b1", 61).execute(&conn).unwrap(), 0, "a second scan");
        take(&conn, "t1", "ctr-any", "A", Some(("b1", "09:00")), 60);
        assert_eq!(decode::<IdRow>(&conn, &ticket_of_booking("b1"))[0].id, "t1");
        conn.execute("UPDATE tickets SET state = 'done' WHERE id = 'nothing'", []).unwrap();
        assert_eq!(booking_done_after("b1", 70).execute(&conn).unwrap(), 0);
        conn.execute("UPDATE tickets SET state = 'done' WHERE id = 't1'", []).unwrap();
        assert_eq!(booking_done_after("b1", 70).execute(&conn).unwrap(), 1);
        let state: String = conn.query_row("SELECT state || updated_at FROM bookings", [], |r| r.get(0)).unwrap();
        assert_eq!(state, "done70");
    }
}
