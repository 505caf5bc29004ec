//! The host SQL stage: every SQL statement of the edge, prepared by real SQLite (D1 is SQLite) against the
//! schema `migrations/` builds. A wrong table or column, a syntax error or a parameter the statement does
//! not number as it binds fails here in seconds, without workerd. Statements assembled with `format!` have
//! their `{NAME}` pieces filled from the `const NAME: &str` of the same sources; the few whose pieces are
//! local values are tried with a placeholder and reported, never silently passed.

use crate::limits::{bound_parameters, edge_sources, is_sql, string_literals};
pub(crate) use crate::sql::host::migrated;
use std::collections::BTreeMap;

/// `const NAME: &str = "…";` (and `concat!`-free raw strings) of the sources: the pieces `format!` joins.
fn string_consts(sources: &[(String, String)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (_, src) in sources {
        for (at, _) in src.match_indices("const ") {
            let rest = &src[at + 6..];
            let Some((name, after)) = rest.split_once(':') else { continue };
            let name = name.trim();
            if !name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') || name.is_empty() {
                continue;
            }
            let Some(eq) = after.find('=') else { continue };
            if !after[..eq].contains("&str") {
                continue;
            }
            let value_src = &after[eq + 1..];
            let end = value_src.find(";\n").unwrap_or(value_src.len());
            if let Some(v) = string_literals(&value_src[..end]).into_iter().next() {
                out.insert(name.to_string(), v);
            }
        }
    }
    out
}

/// Fills `{NAME}` pieces from `consts`; what is left unfilled is returned by name.
/// Pieces that `shared` generates (one rule, one definition) and the statements splice in: filled with a
/// sample of the generator's own output, so the statement around them is checked whole.
fn generated(name: &str) -> Option<String> {
    match name {
        "limits" => Some(tongban_shared::booking::limits_allow_sql(":account", ":item", ":day", ":max", ":now")),
        "cancellable" => Some(tongban_shared::booking::BookingState::sql_list_allowing(tongban_shared::booking::BookingEvent::Cancel)),
        "moves" => Some(tongban_shared::booking::move_allowed_sql(":account", ":item", ":day", ":id", ":now")),
        _ => None,
    }
}

fn fill(sql: &str, consts: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let (mut out, mut unknown, mut rest) = (String::new(), Vec::new(), sql);
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            match consts.get(name).cloned().or_else(|| generated(name)) {
                Some(v) => out.push_str(&v),
                None => {
                    unknown.push(name.to_string());
                    out.push('1');
                }
            }
        } else {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    (out, unknown)
}

/// A seeded generator for the property tests below (a fixed seed, so a failure repeats): `next(n)` is
/// in `0..n`.
fn random(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    }
}

#[test]
fn every_statement_prepares_against_the_migrations() {
    let conn = migrated();
    let sources = edge_sources();
    let consts = string_consts(&sources);
    let (mut prepared, mut tried, mut failures) = (0, Vec::new(), Vec::new());
    for (file, src) in &sources {
        if file == "sql_check.rs" || file == "limits.rs" || file == "sql.rs" {
            continue;
        }
        // A store's host test (at the end of its file) writes fixtures, not statements the edge sends.
        let src = src.split("\nmod tests {").next().unwrap_or(src);
        for lit in string_literals(src).into_iter().filter(|l| is_sql(l)) {
            // A fragment (a column list, a condition) is checked as part of the statements that use it.
            let head = lit.trim_start();
            if !["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "REPLACE "].iter().any(|k| head.starts_with(k)) {
                continue;
            }
            let (sql, unknown) = fill(&lit, &consts);
            match conn.prepare(&sql) {
                Ok(stmt) => {
                    prepared += 1;
                    if unknown.is_empty() {
                        assert_eq!(stmt.parameter_count(), bound_parameters(&sql), "{file}: SQLite counts other parameters than the binding does in {sql}");
                    }
                }
                Err(e) if unknown.is_empty() => failures.push(format!("{file}: {e}\n    {sql}")),
                Err(e) => tried.push(format!("{file} ({}): {e}", unknown.join(", "))),
            }
        }
    }
    eprintln!("host SQL stage: {prepared} statements prepared against migrations/; {} with local pieces not preparable alone", tried.len());
    for t in &tried {
        eprintln!("  {t}");
    }
    assert!(failures.is_empty(), "statements SQLite refuses against migrations/:\n{}", failures.join("\n"));
    assert!(prepared > 150, "the stage found the worker's SQL ({prepared} statements)");
    assert!(tried.len() <= 5, "too many statements escape the check: {tried:#?}");
}

/// The stage fails on the mistakes it is for: a column the schema does not have, a table that is not there.
#[test]
fn the_stage_catches_a_wrong_column() {
    let conn = migrated();
    assert!(conn.prepare("SELECT id, state FROM bookings WHERE account_id = ?1").is_ok());
    let e = conn.prepare("SELECT id, stat FROM bookings WHERE account_id = ?1").unwrap_err().to_string();
    assert!(e.contains("no such column"), "{e}");
    assert!(conn.prepare("SELECT 1 FROM booking").is_err());
}

/// `shared::booking::limits_allow_sql` (what the booking, waiting-list and seat-offer writes run) decides
/// as `shared::booking::check_limits` does, on random bookings of random states: the rule's SQL twin is
/// checked against the rule itself.
#[test]
fn the_booking_limits_in_sql_agree_with_check_limits() {
    use chrono::NaiveDate;
    use tongban_shared::booking::{check_limits, counts_as_active, limits_allow_sql, ActiveBooking, BookingRules, BookingState};
    const NOW: i64 = 1_796_000_000;
    let conn = migrated();
    // Bookings here point at no real account or slot: only the limit columns matter.
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let mut next = random(0x2026_1201);
    let (items, dates) = (["a", "b", "c"], ["2026-12-02", "2026-12-03", "2026-12-04"]);
    let mut disagreements = Vec::new();
    for case in 0..300 {
        conn.execute_batch("DELETE FROM bookings;").unwrap();
        let mut active = Vec::new();
        for k in 0..next(6) {
            let (item, date, state) = (items[next(3) as usize], dates[next(3) as usize], BookingState::ALL[next(7) as usize]);
            // Holds run out around the write's own time (`NOW`): before, at and after it.
            let hold_until = (state == BookingState::Held).then(|| NOW - 1 + next(3) as i64);
            conn.execute(
                "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, hold_until, created_at, updated_at) \
                 VALUES (?1, ?1, 'p', ?2, 'c', 's', ?3, '09:00', ?4, ?1, ?5, 0, 0)",
                rusqlite::params![format!("b{case}-{k}"), item, date, state.as_str(), hold_until],
            )
            .unwrap();
            if counts_as_active(state, hold_until, NOW) {
                active.push(ActiveBooking { item_id: item.into(), date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() });
            }
        }
        let (item, date, max) = (items[next(3) as usize], dates[next(3) as usize], 1 + next(4) as u32);
        let rules = BookingRules { max_active_per_person: max, ..Default::default() };
        let pure = check_limits(&active, item, NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), &rules).is_ok();
        let sql: bool = conn
            .query_row(&format!("SELECT {} AS ok", limits_allow_sql("?1", "?2", "?3", "?4", "?5")), rusqlite::params!["p", item, date, max, NOW], |r| r.get(0))
            .unwrap();
        if pure != sql {
            disagreements.push(format!("case {case}: {active:?} + {item} {date} max {max}: rule {pure}, SQL {sql}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// The minute job's reminder statements (`jobs::reminder_statements`) write exactly the reminders that
/// `shared::notify::reminders_due` says are due, on random bookings and random job times — evenings,
/// the hour before midnight, bookings made less than an hour ahead included.
#[test]
fn the_reminder_job_in_sql_agrees_with_reminders_due() {
    use crate::jobs::reminder_statements;
    use chrono::{Duration, NaiveDate, NaiveTime, Timelike};
    use std::collections::BTreeSet;
    use tongban_shared::booking::BookingState;
    use tongban_shared::notify::reminders_due;
    use tongban_shared::time::beijing;
    let conn = migrated();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let mut next = random(0x2026_1201_2300);
    let day0 = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let starts = ["00:10", "08:30", "09:00", "09:30", "17:30", "18:00", "23:40", "23:59"];
    let epoch = |t: chrono::NaiveDateTime| t.and_utc().timestamp() - 8 * 3600;
    let mut disagreements = Vec::new();
    for case in 0..400 {
        conn.execute_batch("DELETE FROM bookings; DELETE FROM notifications;").unwrap();
        // The job runs at a random second of the 1st or the 2nd, weighted to the evenings.
        let day = day0 + Duration::days(next(2) as i64);
        let secs = if next(2) == 0 { 64_800 + next(21_600) } else { next(86_400) };
        let now = day.and_time(NaiveTime::MIN) + Duration::seconds(secs as i64);
        let mut expected = BTreeSet::new();
        for k in 0..1 + next(6) {
            // A slot at a fixed time of one of three days, or one from ten minutes before the job to
            // seventy after (the hour-before window's edges, across midnight).
            let slot = if next(3) == 0 {
                let t = now + Duration::minutes(next(80) as i64 - 10);
                t.date().and_hms_opt(t.time().hour(), t.time().minute(), 0).unwrap()
            } else {
                (day0 + Duration::days(next(3) as i64)).and_time(NaiveTime::parse_from_str(starts[next(starts.len() as u64) as usize], "%H:%M").unwrap())
            };
            let (date, start) = (slot.date(), slot.format("%H:%M").to_string());
            // Booked up to three days before the job, or within its last ninety minutes.
            let booked = now - Duration::seconds(if next(3) == 0 { next(5_400) } else { next(3 * 86_400) } as i64);
            let state = if next(5) == 0 { BookingState::ALL[next(7) as usize] } else { BookingState::Confirmed };
            let id = format!("b{case}-{k}");
            conn.execute(
                "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, created_at, updated_at) \
                 VALUES (?1, ?1, 'p', 'i', 'c', 's', ?2, ?3, ?4, ?1, ?5, ?5)",
                rusqlite::params![id, date.to_string(), start, state.as_str(), epoch(booked)],
            )
            .unwrap();
            if state == BookingState::Confirmed {
                for kind in reminders_due(slot, beijing(epoch(booked)), now) {
                    expected.insert((id.clone(), kind.as_str().to_string()));
                }
            }
        }
        for stmt in reminder_statements(epoch(now)) {
            stmt.execute(&conn).unwrap_or_else(|e| panic!("{e}: {}", stmt.sql));
        }
        let mut q = conn.prepare("SELECT ref_id, kind FROM notifications").unwrap();
        let got: BTreeSet<(String, String)> = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        if got != expected {
            disagreements.push(format!("case {case} at {now}: rule {expected:?}, SQL {got:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{} of 400 disagree: {:#?}", disagreements.len(), &disagreements[..disagreements.len().min(5)]);
}

/// The reschedule write's guard (`shared::booking::move_allowed_sql`) decides as `check_move` on the
/// person's other active bookings.
#[test]
fn the_reschedule_rule_in_sql_agrees_with_check_move() {
    use chrono::NaiveDate;
    use tongban_shared::booking::{check_move, counts_as_active, move_allowed_sql, ActiveBooking, BookingState};
    const NOW: i64 = 1_796_000_000;
    let conn = migrated();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let mut next = random(0x2026_1201_0001);
    let (items, dates) = (["a", "b"], ["2026-12-02", "2026-12-03"]);
    let mut disagreements = Vec::new();
    for case in 0..300 {
        conn.execute_batch("DELETE FROM bookings;").unwrap();
        let mut others = Vec::new();
        let n = 1 + next(5);
        let moving = format!("b{case}-{}", next(n));
        for k in 0..n {
            let (id, item, date, state) = (format!("b{case}-{k}"), items[next(2) as usize], dates[next(2) as usize], BookingState::ALL[next(7) as usize]);
            // A quarter belong to someone else, whose bookings never count.
            let owner = if next(4) == 0 { "q" } else { "p" };
            let hold_until = (state == BookingState::Held).then(|| NOW - 1 + next(3) as i64);
            conn.execute(
                "INSERT INTO bookings (id, code, account_id, item_id, center_id, slot_id, date, start, state, idem_key, hold_until, created_at, updated_at) \
                 VALUES (?1, ?1, ?2, ?3, 'c', 's', ?4, '09:00', ?5, ?1, ?6, 0, 0)",
                rusqlite::params![id, owner, item, date, state.as_str(), hold_until],
            )
            .unwrap();
            if counts_as_active(state, hold_until, NOW) && id != moving && owner == "p" {
                others.push(ActiveBooking { item_id: item.into(), date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() });
            }
        }
        let (item, date) = (items[next(2) as usize], dates[next(2) as usize]);
        let pure = check_move(&others, item, NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()).is_ok();
        let sql: bool = conn
            .query_row(&format!("SELECT {} AS ok", move_allowed_sql("?1", "?2", "?3", "?4", "?5")), rusqlite::params!["p", item, date, moving, NOW], |r| {
                r.get(0)
            })
            .unwrap();
        if pure != sql {
            disagreements.push(format!("case {case}: {others:?}, moving {moving} to {item} {date}: rule {pure}, SQL {sql}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// The call statement's `ORDER BY` (`shared::queue::SERVICE_ORDER_SQL`) calls tickets in the order of
/// `shared::queue::service_order`, which the ticket page's "people ahead of you" counts with: a person
/// is never told they are next while the window calls someone else.
#[test]
fn the_call_order_in_sql_is_the_service_order() {
    use chrono::NaiveDateTime;
    use tongban_shared::queue::{service_order, Origin, Waiting, SERVICE_ORDER_SQL};
    let conn = migrated();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let mut next = random(0x2026_1201_0002);
    for case in 0..200 {
        conn.execute_batch("DELETE FROM tickets;").unwrap();
        let mut waiting = Vec::new();
        let mut seqs: Vec<u32> = (1..=40).collect();
        for k in 0..next(25) {
            let seq = seqs.swap_remove(next(seqs.len() as u64) as usize);
            let booking = next(2) == 0;
            let start = booking.then(|| format!("{:02}:{:02}", 8 + next(9), 30 * next(2)));
            let transferred = next(5) == 0;
            let id = format!("t{case}-{k}");
            conn.execute(
                "INSERT INTO tickets (id, center_id, class_id, day, seq, number, origin, slot_start, state, created_at, transferred_from) \
                 VALUES (?1, 'c', 'k', '2026-12-01', ?2, ?1, ?3, ?4, 'waiting', 0, ?5)",
                rusqlite::params![id, seq, if booking { "booking" } else { "walk_in" }, start, transferred.then_some("x")],
            )
            .unwrap();
            waiting.push(Waiting {
                ticket: id,
                origin: if booking { Origin::Booking } else { Origin::WalkIn },
                slot_start: start.map(|s| NaiveDateTime::parse_from_str(&format!("2026-12-01 {s}"), "%Y-%m-%d %H:%M").unwrap()),
                seq,
                transferred,
            });
        }
        let pure: Vec<String> = service_order(&waiting).into_iter().map(|w| w.ticket.clone()).collect();
        let mut q = conn
            .prepare(&format!("SELECT id FROM tickets WHERE class_id = 'k' AND day = '2026-12-01' AND state = 'waiting' ORDER BY {SERVICE_ORDER_SQL}"))
            .unwrap();
        let sql: Vec<String> = q.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(sql, pure, "case {case}");
    }
}

/// Every value a `CHECK (column IN (…))` of `migrations/` lets into an enum column decodes into the
/// shared enum its rows read it as (serde, as D1 rows are read), and every variant can be stored: the
/// schema and the code name the same states, kinds and roles. The one exception is listed with its why.
#[test]
fn enum_columns_and_the_shared_enums_name_the_same_values() {
    use serde::de::DeserializeOwned;
    use tongban_shared::{account, application, booking, catalogue, queue, review};
    let conn = migrated();
    let allowed = |table: &str, column: &str| -> Vec<String> {
        let sql: String = conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get(0)).unwrap();
        let at = sql.find(&format!("CHECK ({column} IN (")).unwrap_or_else(|| panic!("{table}.{column} has no CHECK list"));
        let list = &sql[at + "CHECK ( IN (".len() + column.len()..];
        string_literals_sql(&list[..list.find(')').unwrap()])
    };
    fn decodes<T: DeserializeOwned>(v: &str) -> bool {
        serde_json::from_value::<T>(serde_json::Value::String(v.into())).is_ok()
    }
    type Check = (&'static str, &'static str, fn(&str) -> bool, Vec<String>);
    let columns: Vec<Check> = vec![
        ("bookings", "state", decodes::<booking::BookingState>, booking::BookingState::ALL.iter().map(|s| s.as_str().to_string()).collect()),
        ("waitlist", "state", decodes::<booking::WaitlistState>, vec![]),
        ("tickets", "state", decodes::<queue::TicketState>, vec![]),
        ("tickets", "origin", decodes::<queue::Origin>, vec![]),
        ("applications", "state", decodes::<application::AppState>, application::AppState::ALL.iter().map(|s| s.as_str().to_string()).collect()),
        ("cases", "state", decodes::<application::CaseState>, vec![]),
        ("work_orders", "state", decodes::<review::OrderState>, review::OrderState::ALL.iter().map(|s| s.as_str().to_string()).collect()),
        ("accounts", "role", decodes::<account::Role>, vec![]),
        ("agent_invitations", "state", decodes::<account::InvitationState>, vec![]),
        ("items", "kind", decodes::<catalogue::ItemKind>, vec![]),
        ("centers", "kind", decodes::<catalogue::CenterKind>, vec![]),
        ("windows", "class", decodes::<catalogue::WindowClass>, vec![]),
    ];
    let mut wrong = Vec::new();
    for (table, column, decode, variants) in columns {
        let values = allowed(table, column);
        for v in &values {
            // Transfers move a ticket back to `waiting` in another line (`transferred_from`); the
            // schema's `transferred` was never written, and SQLite cannot drop it without a rebuild.
            let never_written = table == "tickets" && v == "transferred";
            if !decode(v) && !never_written {
                wrong.push(format!("{table}.{column} allows '{v}', which the shared enum does not know"));
            }
        }
        for v in variants.iter().filter(|v| !values.contains(v)) {
            wrong.push(format!("{table}.{column}: the shared enum has '{v}', which the CHECK refuses"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The `'…'` literals of an SQL list.
fn string_literals_sql(list: &str) -> Vec<String> {
    list.split(',').filter_map(|v| v.trim().strip_prefix('\'')?.strip_suffix('\'').map(str::to_string)).collect()
}

/// The typed builders with named values write what their fields say, column by column (a value bound one
/// place off would land in the wrong column, or fail a CHECK), and the case event keeps its race guard.
#[test]
fn named_builders_write_their_fields_where_they_belong() {
    use crate::accounts::store::{insert_account, NewAccount};
    use crate::applications::store_cases::{case_step_event, CaseStepEvent};
    use tongban_shared::account::Role;
    let conn = migrated();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let a = NewAccount {
        id: "acc1",
        role: Role::Resident,
        login_lookup: "L",
        name_enc: "N",
        id_enc: Some("I"),
        mobile_enc: "M",
        mobile_lookup: "ML",
        password: "P",
        now: 42,
    };
    assert_eq!(insert_account(&a).execute(&conn).unwrap(), 1);
    assert_eq!(insert_account(&NewAccount { id: "acc2", role: Role::Business, login_lookup: "L2", id_enc: None, ..a }).execute(&conn).unwrap(), 1);
    let rows: Vec<String> = conn
        .prepare("SELECT id || role || login_lookup || name_enc || coalesce(id_enc, '-') || mobile_enc || mobile_lookup || password || created_at || password_changed_at FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, ["acc1residentLNIMMLP4242", "acc2businessL2N-MMLP4242"]);
    assert!(insert_account(&a).execute(&conn).is_err(), "a taken login fails the insert");

    let e =
        CaseStepEvent { application_id: "app", case_id: "case", at: 7, actor_id: "acc1", action: "approved", note: "ok", step: "decide", for_id: Some("acc2") };
    // The guard: after an update that changed nothing, no event; after one that changed the case, the event.
    conn.execute_batch("CREATE TEMP TABLE flag (v INTEGER); INSERT INTO flag VALUES (0);").unwrap();
    conn.execute("UPDATE flag SET v = 1 WHERE v = 5", []).unwrap();
    assert_eq!(case_step_event(&e).execute(&conn).unwrap(), 0, "a step that lost its race leaves no event");
    conn.execute("UPDATE flag SET v = 1 WHERE v = 0", []).unwrap();
    assert_eq!(case_step_event(&e).execute(&conn).unwrap(), 1);
    let ev: String =
        conn.query_row("SELECT application_id || case_id || at || actor_id || action || note || step || for_id FROM case_events", [], |r| r.get(0)).unwrap();
    assert_eq!(ev, "appcase7acc1approvedokdecideacc2");
}

/// The booking store's shared statements: a slot is created once, a booking row follows only a taken seat,
/// and a seat comes back only after a change, each value in its column.
#[test]
fn the_booking_store_keeps_seats_and_rows_together() {
    use crate::bookings::store::{ensure_slot, insert_booking_after_seat, release_seat_after, NewBookingRow, SlotKey};
    use tongban_shared::booking::BookingState;
    let conn = migrated();
    conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
    let slot = SlotKey { id: "s1", class_id: "c1", date: "2026-12-02", start: "09:00", capacity: 2 };
    assert_eq!(ensure_slot(&slot).execute(&conn).unwrap(), 1);
    assert_eq!(ensure_slot(&SlotKey { capacity: 9, ..slot }).execute(&conn).unwrap(), 0, "an existing slot keeps its row and count");
    let seats =
        |conn: &rusqlite::Connection| conn.query_row("SELECT booked || '/' || capacity FROM slots WHERE id = 's1'", [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(seats(&conn), "0/2");
    let b = NewBookingRow {
        id: "b1",
        code: "CODE1",
        account_id: "a1",
        item_id: "i1",
        center_id: "ctr",
        slot_id: "s1",
        date: "2026-12-02",
        start: "09:00",
        idem_key: "k1",
        state: BookingState::Held,
        hold_until: Some(99),
        now: 50,
    };
    // No seat taken just before: no row.
    conn.execute("UPDATE slots SET booked = booked + 1 WHERE id = 's1' AND booked >= capacity", []).unwrap();
    assert_eq!(insert_booking_after_seat(&b).execute(&conn).unwrap(), 0);
    conn.execute("UPDATE slots SET booked = booked + 1 WHERE id = 's1' AND booked < capacity", []).unwrap();
    assert_eq!(insert_booking_after_seat(&b).execute(&conn).unwrap(), 1);
    let row: String = conn
        .query_row(
            "SELECT id || code || account_id || item_id || center_id || slot_id || date || start || state || idem_key || hold_until || created_at || updated_at FROM bookings",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(row, "b1CODE1a1i1ctrs12026-12-0209:00heldk1995050");
    assert_eq!(seats(&conn), "1/2");
    // A release that changed nothing gives no seat back; one that released the booking does.
    conn.execute("UPDATE bookings SET state = 'cancelled' WHERE id = 'b1' AND state = 'confirmed'", []).unwrap();
    release_seat_after("s1").execute(&conn).unwrap();
    assert_eq!(seats(&conn), "1/2");
    conn.execute("UPDATE bookings SET state = 'cancelled' WHERE id = 'b1' AND state = 'held'", []).unwrap();
    release_seat_after("s1").execute(&conn).unwrap();
    assert_eq!(seats(&conn), "0/2");
}
