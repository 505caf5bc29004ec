//! A center's configuration statements — hours, rules, lines and their items and windows, the seats of
//! future slots, the district calendar, one slot's override — one builder each with named values, pure,
//! so the host test below runs every one on SQLite and decodes the rows as the worker does.

use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::config::{ClassKind, DayKind};

/// A line of the center with its items and windows as comma lists.
#[derive(Deserialize)]
pub struct ClassRow {
    pub id: String,
    pub prefix: String,
    pub kind: ClassKind,
    pub name_zh: String,
    pub name_en: String,
    pub open_windows: i64,
    pub avg_minutes: i64,
    pub items: Option<String>,
    pub windows: Option<String>,
}

#[derive(Deserialize)]
pub struct HoursRow {
    pub hours_json: String,
}

#[derive(Deserialize)]
pub struct ItemRow {
    pub item_id: String,
}

#[derive(Deserialize)]
pub struct WindowRow {
    pub number: i64,
}

#[derive(Deserialize)]
pub struct SlotIdRow {
    pub id: String,
}

#[derive(Deserialize)]
pub struct SeatsRow {
    pub capacity: i64,
    pub booked: i64,
}

fn center(center: &str) -> Vec<(&'static str, Arg)> {
    vec![("center", center.into())]
}

pub fn hours(id: &str) -> Stmt {
    Stmt::named("SELECT hours_json FROM centers WHERE id = :center", center(id))
}

pub fn classes(id: &str) -> Stmt {
    Stmt::named(
        "SELECT k.id, k.prefix, k.kind, k.name_zh, k.name_en, k.open_windows, k.avg_minutes, \
         (SELECT group_concat(item_id) FROM class_items ci WHERE ci.class_id = k.id) AS items, \
         (SELECT group_concat(number) FROM windows w WHERE w.class_id = k.id) AS windows \
         FROM window_classes k WHERE k.center_id = :center ORDER BY k.prefix",
        center(id),
    )
}

/// The items handled at the center (a line may only serve these).
pub fn items(id: &str) -> Stmt {
    Stmt::named("SELECT item_id FROM item_centers WHERE center_id = :center", center(id))
}

pub fn windows(id: &str) -> Stmt {
    Stmt::named("SELECT number FROM windows WHERE center_id = :center", center(id))
}

/// The hours and rules as saved, and every line's items and windows cleared to be written again; the
/// first statements of the configuration's one batch.
pub fn save_center(id: &str, hours_json: &str, rules_json: &str) -> [Stmt; 4] {
    [
        Stmt::named("UPDATE centers SET hours_json = :hours WHERE id = :center", vec![("center", id.into()), ("hours", hours_json.into())]),
        Stmt::named(
            "INSERT INTO booking_rules (center_id, rules_json) VALUES (:center, :rules) ON CONFLICT (center_id) DO UPDATE SET rules_json = excluded.rules_json",
            vec![("center", id.into()), ("rules", rules_json.into())],
        ),
        Stmt::named("DELETE FROM class_items WHERE class_id IN (SELECT id FROM window_classes WHERE center_id = :center)", center(id)),
        Stmt::named("UPDATE windows SET class_id = NULL WHERE center_id = :center", center(id)),
    ]
}

/// A line as configured. An existing line keeps its id and prefix (printed on tickets).
pub struct ClassWrite<'a> {
    pub id: &'a str,
    pub center_id: &'a str,
    pub prefix: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub open_windows: u32,
    pub avg_minutes: u32,
    pub kind: ClassKind,
}

pub fn save_class(c: &ClassWrite) -> Stmt {
    Stmt::named(
        "INSERT INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes, kind) \
         VALUES (:id, :center, :prefix, :name_zh, :name_en, :open_windows, :avg_minutes, :kind) \
         ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, open_windows = excluded.open_windows, \
         avg_minutes = excluded.avg_minutes, kind = excluded.kind",
        vec![
            ("id", c.id.into()),
            ("center", c.center_id.into()),
            ("prefix", c.prefix.into()),
            ("name_zh", c.name_zh.into()),
            ("name_en", c.name_en.into()),
            ("open_windows", i64::from(c.open_windows).into()),
            ("avg_minutes", i64::from(c.avg_minutes).into()),
            ("kind", if c.kind == ClassKind::Domain { "domain" } else { "any" }.into()),
        ],
    )
}

pub fn class_item(class_id: &str, item: &str) -> Stmt {
    Stmt::named("INSERT OR IGNORE INTO class_items (class_id, item_id) VALUES (:class, :item)", vec![("class", class_id.into()), ("item", item.into())])
}

pub fn assign_window(class_id: &str, center_id: &str, number: u32) -> Stmt {
    Stmt::named(
        "UPDATE windows SET class_id = :class WHERE center_id = :center AND number = :number",
        vec![("class", class_id.into()), ("center", center_id.into()), ("number", i64::from(number).into())],
    )
}

/// The seats of the line's slots after `today`, never below what is booked (an override wins).
pub fn reseat_after(class_id: &str, seats: u32, today: &str) -> Stmt {
    Stmt::named(
        "UPDATE slots SET capacity = max(booked, coalesce(override, :seats)) WHERE class_id = :class AND date > :today",
        vec![("class", class_id.into()), ("seats", i64::from(seats).into()), ("today", today.into())],
    )
}

/// The line's slots from `from` on holding more bookings than their seats now are.
pub fn over_capacity(class_id: &str, from: &str, seats: u32) -> Stmt {
    Stmt::named(
        "SELECT id FROM slots WHERE class_id = :class AND date >= :from AND booked > coalesce(override, :seats)",
        vec![("class", class_id.into()), ("from", from.into()), ("seats", i64::from(seats).into())],
    )
}

/// A holiday or a 调休 working day on `day`, or neither.
pub fn set_day(day: &str, kind: Option<DayKind>) -> Stmt {
    match kind {
        Some(k) => Stmt::named(
            "INSERT INTO calendar_days (day, kind) VALUES (:day, :kind) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind",
            vec![("day", day.into()), ("kind", if k == DayKind::Holiday { "holiday" } else { "workday" }.into())],
        ),
        None => Stmt::named("DELETE FROM calendar_days WHERE day = :day", vec![("day", day.into())]),
    }
}

/// One slot's seats set (or cleared back to the computed ones), never below what is booked. Follows
/// `bookings::store::ensure_slot`, which makes the slot's row if nobody booked it yet.
pub fn override_seats(slot: &str, seats: Option<u32>, computed: u32) -> Stmt {
    Stmt::named(
        "UPDATE slots SET override = :seats, capacity = max(booked, coalesce(:seats, :computed)) WHERE id = :slot",
        vec![("slot", slot.into()), ("seats", seats.map_or(Arg::Null, |s| i64::from(s).into())), ("computed", i64::from(computed).into())],
    )
}

pub fn seats(slot: &str) -> Stmt {
    Stmt::named("SELECT capacity, booked FROM slots WHERE id = :slot", vec![("slot", slot.into())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::bookings::store::{calendar_days, ensure_slot, DayRow, SlotKey};
    use crate::sql::host::{decode, migrated};

    /// A configuration saves its hours, rules, lines, items and windows, reseats future slots without
    /// going below what is booked, and reads back whole; the calendar sets and clears a day; an override
    /// makes the slot if needed and clears back to the computed seats.
    #[test]
    fn a_center_is_configured_and_reads_back() {
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]');
             INSERT INTO windows (id, center_id, number, class, label_zh, label_en) VALUES ('ctr-w1', 'ctr', 1, 'any', '1', '1'), ('ctr-w2', 'ctr', 2, 'any', '2', '2');
             INSERT INTO item_centers (item_id, center_id) VALUES ('it', 'ctr');
             INSERT INTO slots (id, class_id, date, start, capacity, booked) VALUES ('past', 'ctr-t', '2026-12-01', '09:00', 4, 0), ('busy', 'ctr-t', '2026-12-09', '09:00', 4, 3);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let class = ClassWrite {
            id: "ctr-t",
            center_id: "ctr",
            prefix: "T",
            name_zh: "税务",
            name_en: "Tax",
            open_windows: 1,
            avg_minutes: 15,
            kind: ClassKind::Domain,
        };
        let mut batch: Vec<Stmt> = save_center("ctr", r#"[{"weekday":1}]"#, r#"{"slot_minutes":30}"#).into();
        batch.extend([save_class(&class), class_item("ctr-t", "it"), assign_window("ctr-t", "ctr", 2), reseat_after("ctr-t", 2, "2026-12-01")]);
        assert_eq!(batch.iter().map(|s| s.execute(&conn).unwrap()).collect::<Vec<_>>(), [1, 1, 0, 2, 1, 1, 1, 1]);
        assert_eq!(decode::<HoursRow>(&conn, &hours("ctr"))[0].hours_json, r#"[{"weekday":1}]"#);
        let rows: Vec<ClassRow> = decode(&conn, &classes("ctr"));
        let c = &rows[0];
        assert_eq!(
            (c.id.as_str(), c.kind, c.name_en.as_str(), c.open_windows, c.avg_minutes, c.items.as_deref(), c.windows.as_deref()),
            ("ctr-t", ClassKind::Domain, "Tax", 1, 15, Some("it"), Some("2"))
        );
        let seats_of = |id: &str| decode::<SeatsRow>(&conn, &seats(id)).pop().map(|s| (s.capacity, s.booked));
        assert_eq!((seats_of("past"), seats_of("busy")), (Some((4, 0)), Some((3, 3))), "past slots keep theirs; a busy one keeps its bookings' seats");
        assert_eq!(decode::<SlotIdRow>(&conn, &over_capacity("ctr-t", "2026-12-01", 2)).len(), 1);
        assert_eq!(decode::<ItemRow>(&conn, &items("ctr"))[0].item_id, "it");
        assert_eq!(decode::<WindowRow>(&conn, &windows("ctr")).len(), 2);
        // Saved again as a line for any item: its items go, the window is reassigned.
        let again: Vec<Stmt> = save_center("ctr", "[]", "{}").into();
        again.iter().for_each(|s| {
            s.execute(&conn).unwrap();
        });
        save_class(&ClassWrite { kind: ClassKind::Any, name_en: "Any", ..class }).execute(&conn).unwrap();
        let c = &decode::<ClassRow>(&conn, &classes("ctr"))[0];
        assert_eq!((c.kind, c.name_en.as_str(), c.items.as_deref(), c.windows.as_deref(), c.prefix.as_str()), (ClassKind::Any, "Any", None, None, "T"));

        assert_eq!(set_day("2026-12-25", Some(DayKind::Holiday)).execute(&conn).unwrap(), 1);
        assert_eq!(set_day("2026-12-25", Some(DayKind::Workday)).execute(&conn).unwrap(), 1);
        let days: Vec<DayRow> = decode(&conn, &calendar_days());
        assert_eq!((days.len(), days[0].day.as_str(), days[0].kind), (1, "2026-12-25", DayKind::Workday));
        assert_eq!(set_day("2026-12-25", None).execute(&conn).unwrap(), 1);
        assert!(decode::<DayRow>(&conn, &calendar_days()).is_empty());

        let key = SlotKey { id: "new", class_id: "ctr-t", date: "2026-12-10", start: "10:00", capacity: 2 };
        assert_eq!((ensure_slot(&key).execute(&conn).unwrap(), override_seats("new", Some(5), 2).execute(&conn).unwrap()), (1, 1));
        assert_eq!(seats_of("new"), Some((5, 0)));
        override_seats("busy", Some(1), 2).execute(&conn).unwrap();
        assert_eq!(seats_of("busy"), Some((3, 3)), "never below what is booked");
        override_seats("new", None, 2).execute(&conn).unwrap();
        assert_eq!(seats_of("new"), Some((2, 0)), "cleared back to the computed seats");
    }
}
