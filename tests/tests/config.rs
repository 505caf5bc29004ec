//! A center's configuration on real workerd: reading and saving it, refusing bad values without writing
//! anything, who may do it, the bookings a change leaves outside (kept, and listed for staff), slot
//! overrides, and the district calendar.
//!
//! Every test here changes 长寿路 (changshou-road), a center no other test file uses, and they take turns
//! (one lock) because a configuration is one document per center. Each puts back what it changed, even
//! when it fails. The calendar is global: the holiday test uses the last bookable day, which no other
//! test books, and clears it again.

use serde_json::{json, Value};
use std::sync::{Mutex, MutexGuard};
use tongban_tests::{base, get, get_with, new_staff, post_with, put_with, register_resident, sign_in, unique, Resp, DEMO_PASSWORD};

const CENTER: &str = "changshou-road";
/// An item of the center's any-item line (class `changshou-road-a`).
const ITEM: &str = "rsj-pension-claim";

static LOCK: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn district() -> String {
    sign_in("admin.district", DEMO_PASSWORD)
}

fn get_as(cookie: &str, path: &str) -> Resp {
    get_with(path, &[("Cookie", cookie)])
}

fn put_as(cookie: &str, path: &str, body: &str) -> Resp {
    put_with(path, body, &[("Origin", &base()), ("Cookie", cookie)])
}

fn config(cookie: &str) -> Value {
    let r = get_as(cookie, &format!("/api/v1/centers/{CENTER}/config"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn save(cookie: &str, cfg: &Value) -> Resp {
    put_as(cookie, &format!("/api/v1/centers/{CENTER}/config"), &cfg.to_string())
}

/// Puts the configuration back when the test ends, passed or failed.
struct Restore(Value);

impl Drop for Restore {
    fn drop(&mut self) {
        let r = save(&district(), &self.0);
        if r.status != 200 && !std::thread::panicking() {
            panic!("restoring the configuration: {}", r.body);
        }
    }
}

fn class_mut<'a>(cfg: &'a mut Value, id: &str) -> &'a mut Value {
    cfg["classes"].as_array_mut().unwrap().iter_mut().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no class {id}"))
}

fn availability(date: Option<&str>) -> Value {
    let path = match date {
        Some(d) => format!("/api/v1/centers/{CENTER}/availability?item={ITEM}&date={d}"),
        None => format!("/api/v1/centers/{CENTER}/availability?item={ITEM}"),
    };
    let r = get(&path);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn days() -> Vec<String> {
    availability(None)["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap().to_string()).collect()
}

fn starts(date: &str) -> Vec<String> {
    availability(Some(date))["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

/// (capacity, remaining) of a slot in the public availability.
fn seats(date: &str, start: &str) -> (u64, u64) {
    let a = availability(Some(date));
    let s = a["slots"].as_array().unwrap().iter().find(|s| s["start"] == start).unwrap_or_else(|| panic!("no slot {start}: {a}")).clone();
    (s["capacity"].as_u64().unwrap(), s["remaining"].as_u64().unwrap())
}

fn book(cookie: &str, date: &str, start: &str) -> Resp {
    post_with(
        "/api/v1/bookings",
        &json!({"center_id": CENTER, "item_id": ITEM, "date": date, "start": start}).to_string(),
        &[("Origin", &base()), ("Cookie", cookie), ("Idempotency-Key", &unique("cfg-key-"))],
    )
}

fn booked(date: &str, start: &str) -> (String, Value) {
    let (me, _, _) = register_resident();
    let r = book(&me, date, start);
    assert_eq!(r.status, 201, "{}", r.body);
    (me, r.json())
}

/// The center's affected bookings as `(booking id, reason)`.
fn affected(cookie: &str) -> Vec<(String, String)> {
    let r = get_as(cookie, &format!("/api/v1/centers/{CENTER}/affected-bookings"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().iter().map(|a| (a["booking"]["id"].as_str().unwrap().into(), a["reason"].as_str().unwrap().into())).collect()
}

fn reason_of(list: &[(String, String)], b: &Value) -> Option<String> {
    list.iter().find(|(id, _)| b["id"] == id.as_str()).map(|(_, r)| r.clone())
}

fn state_of(cookie: &str, b: &Value) -> String {
    let mine = get_as(cookie, "/api/v1/bookings").json();
    mine.as_array().unwrap().iter().find(|x| x["id"] == b["id"]).unwrap()["state"].as_str().unwrap().to_string()
}

#[test]
fn admins_read_and_save_the_configuration() {
    let _t = turn();
    let admin = new_staff("center_admin", CENTER);
    let before = config(&admin);
    let _restore = Restore(before.clone());
    assert_eq!(before["center_id"], CENTER);
    let ids: Vec<&str> = before["classes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.starts_with(&["changshou-road-a", "changshou-road-b"]), "{ids:?}");
    let a = before["classes"][0].clone();
    assert_eq!((a["prefix"].as_str(), a["kind"].as_str(), a["open_windows"].as_u64(), a["avg_minutes"].as_u64()), (Some("A"), Some("any"), Some(5), Some(15)));
    let mut windows: Vec<u64> = a["windows"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).collect();
    windows.sort();
    assert_eq!(windows, vec![1, 2, 3, 4, 5]);
    assert_eq!(before["rules"]["hold_minutes"], 5);
    assert_eq!(before, config(&district()), "the district admin sees the same");

    // Handling now takes 30 minutes on average: half the seats per slot. Holds last 7 minutes.
    let date = days()[2].clone();
    let start = starts(&date)[0].clone();
    assert_eq!(seats(&date, &start), (10, 10), "5 windows × 30 min ÷ 15 min");
    let mut cfg = before.clone();
    class_mut(&mut cfg, "changshou-road-a")["avg_minutes"] = json!(30);
    cfg["rules"]["hold_minutes"] = json!(7);
    let r = save(&admin, &cfg);
    assert_eq!(r.status, 200, "{}", r.body);
    let saved = r.json();
    assert_eq!(saved["classes"][0]["avg_minutes"], 30);
    assert_eq!(saved["rules"]["hold_minutes"], 7);
    assert_eq!(config(&admin), saved, "what was saved is what is read");
    assert_eq!(seats(&date, &start), (5, 5), "availability follows the configuration");
    let (me, _, _) = register_resident();
    let held = post_with(
        "/api/v1/bookings",
        &json!({"center_id": CENTER, "item_id": ITEM, "date": date, "start": start, "hold": true}).to_string(),
        &[("Origin", &base()), ("Cookie", &me), ("Idempotency-Key", &unique("cfg-hold-"))],
    );
    assert_eq!(held.status, 201, "{}", held.body);
    let until = held.json()["hold_until"].as_i64().unwrap();
    let now = tongban_tests::epoch();
    assert!((now + 7 * 60 - 30..=now + 7 * 60 + 5).contains(&until), "a hold lasts the configured 7 minutes: {until} vs {now}");

    // Saving the old configuration again restores the seats.
    let r = save(&admin, &before);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(config(&admin), before);
    assert_eq!(seats(&date, &start), (10, 9));

    // Who may not.
    let window = new_staff("window_staff", CENTER);
    assert_eq!(get_as(&window, &format!("/api/v1/centers/{CENTER}/config")).error_code(403), "forbidden", "window staff");
    assert_eq!(save(&window, &cfg).error_code(403), "forbidden");
    let other = sign_in("admin.putuo", DEMO_PASSWORD);
    assert_eq!(get_as(&other, &format!("/api/v1/centers/{CENTER}/config")).error_code(403), "wrong_center", "another center's admin");
    assert_eq!(save(&other, &cfg).error_code(403), "wrong_center");
    assert_eq!(save(&me, &cfg).error_code(403), "forbidden", "a resident");
    assert_eq!(put_with(&format!("/api/v1/centers/{CENTER}/config"), &cfg.to_string(), &[("Origin", &base())]).error_code(401), "unauthenticated");
    assert_eq!(put_with(&format!("/api/v1/centers/{CENTER}/config"), &cfg.to_string(), &[("Cookie", &admin)]).error_code(403), "cross_origin");
    assert_eq!(config(&admin), before, "none of them changed anything");
    assert_eq!(get_as(&district(), "/api/v1/centers/atlantis/config").error_code(404), "center_not_found");
}

#[test]
fn invalid_configurations_are_refused_and_nothing_is_written() {
    let _t = turn();
    let admin = district();
    let before = config(&admin);
    let _restore = Restore(before.clone());
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = before.clone();
        f(&mut c);
        c
    };
    let new_class = |prefix: &str, kind: &str, items: Value, windows: Value| json!({"id": "", "prefix": prefix, "kind": kind, "name": {"zh": "新窗口", "en": "New line"}, "open_windows": 1, "avg_minutes": 15, "items": items, "windows": windows});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("slot length", with(&|c| c["rules"]["slot_minutes"] = json!(7)), "rules.slot_minutes"),
        ("hold of zero minutes", with(&|c| c["rules"]["hold_minutes"] = json!(0)), "rules.hold_minutes"),
        ("ban of over a year", with(&|c| c["rules"]["no_show_ban_days"] = json!(400)), "rules.no_show_ban_days"),
        ("late check-in over an hour", with(&|c| c["rules"]["checkin_late_minutes"] = json!(61)), "rules.checkin_late_minutes"),
        ("closing before opening", with(&|c| c["hours"][0]["close"] = json!("08:00")), "hours"),
        ("not a time", with(&|c| c["hours"][0]["open"] = json!("9am")), "hours"),
        ("a weekday twice", with(&|c| c["hours"].as_array_mut().unwrap().push(json!({"weekday": 1, "open": "08:00", "close": "12:00"}))), "hours"),
        ("weekday 8", with(&|c| c["hours"][0]["weekday"] = json!(8)), "hours"),
        ("no handling time", with(&|c| class_mut(c, "changshou-road-a")["avg_minutes"] = json!(0)), "classes.avg_minutes"),
        ("100 windows", with(&|c| class_mut(c, "changshou-road-a")["open_windows"] = json!(100)), "classes.open_windows"),
        ("no name", with(&|c| class_mut(c, "changshou-road-a")["name"]["zh"] = json!("  ")), "classes.name"),
        ("a window that does not exist", with(&|c| class_mut(c, "changshou-road-a")["windows"] = json!([1, 2, 99])), "classes.windows"),
        ("a window in two lines", with(&|c| class_mut(c, "changshou-road-a")["windows"] = json!([1, 2, 6])), "classes.windows"),
        ("an unknown item", with(&|c| class_mut(c, "changshou-road-b")["items"] = json!(["no-such-item"])), "classes.items"),
        ("an item not served here", with(&|c| class_mut(c, "changshou-road-b")["items"] = json!(["scjg-company-setup"])), "classes.items"),
        ("a domain line without items", with(&|c| class_mut(c, "changshou-road-b")["items"] = json!([])), "classes.items"),
        ("no any-item line", with(&|c| class_mut(c, "changshou-road-a")["kind"] = json!("domain")), "classes"),
        ("a line removed", with(&|c| c["classes"].as_array_mut().unwrap().retain(|k| k["id"] != "changshou-road-b")), "classes"),
        ("a prefix taken", with(&|c| c["classes"].as_array_mut().unwrap().push(new_class("A", "any", json!([]), json!([])))), "classes.prefix"),
        ("a lowercase prefix", with(&|c| c["classes"].as_array_mut().unwrap().push(new_class("x", "any", json!([]), json!([])))), "classes.prefix"),
        ("a two-letter prefix", with(&|c| c["classes"].as_array_mut().unwrap().push(new_class("XY", "any", json!([]), json!([])))), "classes.prefix"),
    ];
    for (what, cfg, field) in &cases {
        let r = save(&admin, cfg);
        assert_eq!(r.error_code(400), "invalid_config", "{what}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], *field, "{what}");
    }
    let unknown = with(&|c| class_mut(c, "changshou-road-b")["id"] = json!("changshou-road-z"));
    assert_eq!(save(&admin, &unknown).error_code(404), "class_not_found");
    let path = format!("/api/v1/centers/{CENTER}/config");
    assert_eq!(put_as(&admin, &path, "{not json").error_code(400), "malformed_json");
    assert_eq!(put_as(&admin, &path, "{}").error_code(400), "malformed_json");
    assert_eq!(put_as(&admin, &path, &with(&|c| c["rules"]["slot_minutes"] = json!(-30)).to_string()).error_code(400), "malformed_json");
    assert_eq!(config(&admin), before, "nothing was written");
}

#[test]
fn fewer_windows_or_shorter_hours_keep_bookings_and_list_them() {
    let _t = turn();
    let admin = district();
    let before = config(&admin);
    let _restore = Restore(before.clone());
    let staff = new_staff("window_staff", CENTER);
    let d = days();
    let date = d[4].clone();
    let start = starts(&date)[1].clone();
    let fresh = starts(&date)[5].clone();
    let people: Vec<(String, Value)> = (0..3).map(|_| booked(&date, &start)).collect();
    assert!(people.iter().all(|(_, b)| reason_of(&affected(&staff), b).is_none()), "nothing is affected yet");

    // One window open instead of five: 2 seats per slot, 3 already booked.
    let mut cfg = before.clone();
    class_mut(&mut cfg, "changshou-road-a")["open_windows"] = json!(1);
    let r = save(&admin, &cfg);
    assert_eq!(r.status, 200, "{}", r.body);
    let list = affected(&staff);
    for (who, b) in &people {
        assert_eq!(reason_of(&list, b).as_deref(), Some("over_capacity"), "{list:?}");
        assert_eq!(state_of(who, b), "confirmed", "a configuration change never cancels a booking");
    }
    assert_eq!(seats(&date, &start), (3, 0), "seats never drop below what is booked");
    assert_eq!(seats(&date, &fresh), (2, 2), "1 window × 30 min ÷ 15 min");
    let (late, _, _) = register_resident();
    assert_eq!(book(&late, &date, &start).error_code(409), "slot_full");

    // Who may see the list: staff of the center.
    assert_eq!(get_as(&sign_in("window.wanli", DEMO_PASSWORD), &format!("/api/v1/centers/{CENTER}/affected-bookings")).error_code(403), "wrong_center");
    assert_eq!(get_as(&sign_in("approver.rsj", DEMO_PASSWORD), &format!("/api/v1/centers/{CENTER}/affected-bookings")).error_code(403), "forbidden");
    assert_eq!(get_as(&late, &format!("/api/v1/centers/{CENTER}/affected-bookings")).error_code(403), "forbidden");
    assert_eq!(get(&format!("/api/v1/centers/{CENTER}/affected-bookings")).error_code(401), "unauthenticated");

    // Windows back, but that weekday now closes before the booked slot: outside the hours.
    let weekday = chrono::Datelike::weekday(&chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap()).number_from_monday();
    let mut cfg = before.clone();
    for h in cfg["hours"].as_array_mut().unwrap() {
        if h["weekday"] == weekday {
            h["close"] = json!(start.clone());
        }
    }
    let r = save(&admin, &cfg);
    assert_eq!(r.status, 200, "{}", r.body);
    let list = affected(&staff);
    for (who, b) in &people {
        assert_eq!(reason_of(&list, b).as_deref(), Some("outside_hours"), "{list:?}");
        assert_eq!(state_of(who, b), "confirmed");
    }
    assert!(!starts(&date).contains(&start), "the slot is no longer offered");

    let r = save(&admin, &before);
    assert_eq!(r.status, 200, "{}", r.body);
    let list = affected(&staff);
    assert!(people.iter().all(|(_, b)| reason_of(&list, b).is_none()), "back inside the configuration: {list:?}");
    assert_eq!(seats(&date, &start), (10, 7));
}

#[test]
fn a_slot_override_sets_its_seats() {
    let _t = turn();
    let _restore = Restore(config(&district()));
    let admin = new_staff("center_admin", CENTER);
    let d = days();
    let date = d[6].clone();
    let s = starts(&date);
    let start = s.last().unwrap().clone();
    assert_eq!(seats(&date, &start), (10, 10));
    let set = |cookie: &str, body: Value| put_as(cookie, &format!("/api/v1/centers/{CENTER}/slots"), &body.to_string());
    let body = |cap: Value| json!({"class_id": "changshou-road-a", "date": date, "start": start, "capacity": cap});

    let r = set(&admin, body(json!(3)));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"start": start, "capacity": 3, "remaining": 3}));
    assert_eq!(seats(&date, &start), (3, 3));
    assert_eq!(seats(&date, &s[0]), (10, 10), "only that slot");
    let (who, b) = booked(&date, &start);
    assert_eq!(seats(&date, &start), (3, 2));

    // Fewer seats than booked: the booking stays, and is listed.
    let r = set(&admin, body(json!(0)));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["capacity"], 1, "never below what is booked");
    assert_eq!(seats(&date, &start), (1, 0));
    assert_eq!(reason_of(&affected(&admin), &b).as_deref(), Some("over_capacity"));
    assert_eq!(state_of(&who, &b), "confirmed");
    assert_eq!(book(&register_resident().0, &date, &start).error_code(409), "slot_full");

    // Back to the computed figure.
    let r = set(&admin, body(Value::Null));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(seats(&date, &start), (10, 9));
    assert_eq!(reason_of(&affected(&admin), &b), None);

    // Refusals, none of which changes the slot.
    let today = tongban_tests::beijing_now().date().to_string();
    let cases: Vec<(Resp, u16, &str)> = vec![
        (set(&new_staff("window_staff", CENTER), body(json!(1))), 403, "forbidden"),
        (set(&sign_in("admin.putuo", DEMO_PASSWORD), body(json!(1))), 403, "wrong_center"),
        (set(&admin, json!({"class_id": "changshou-road-z", "date": date, "start": start, "capacity": 1})), 404, "class_not_found"),
        (set(&admin, json!({"class_id": "wanli-a", "date": date, "start": start, "capacity": 1})), 404, "class_not_found"),
        (set(&admin, json!({"class_id": "Changshou", "date": date, "start": start, "capacity": 1})), 400, "bad_id"),
        (set(&admin, json!({"class_id": "changshou-road-a", "date": date, "start": "09:15", "capacity": 1})), 404, "slot_not_found"),
        (set(&admin, json!({"class_id": "changshou-road-a", "date": "2020-01-06", "start": "09:00", "capacity": 1})), 404, "slot_not_found"),
        (set(&admin, json!({"class_id": "changshou-road-a", "date": today, "start": "09:00", "capacity": 1})), 404, "slot_not_found"),
        (set(&admin, json!({"class_id": "changshou-road-a", "date": "next week", "start": start, "capacity": 1})), 400, "invalid_config"),
        (set(&admin, body(json!(501))), 400, "invalid_config"),
        (set(&admin, body(json!(-1))), 400, "malformed_json"),
        (put_as(&admin, &format!("/api/v1/centers/{CENTER}/slots"), "{not json"), 400, "malformed_json"),
    ];
    for (r, status, code) in cases {
        assert_eq!(r.error_code(status), code, "{}", r.body);
    }
    assert_eq!(seats(&date, &start), (10, 9), "unchanged");
}

/// Clears a calendar day when the test ends, passed or failed.
struct ClearDay(String);

impl Drop for ClearDay {
    fn drop(&mut self) {
        let r = put_as(&district(), "/api/v1/calendar", &json!({"date": self.0, "kind": null}).to_string());
        if r.status != 200 && !std::thread::panicking() {
            panic!("clearing {}: {}", self.0, r.body);
        }
    }
}

fn calendar() -> Vec<Value> {
    let r = get("/api/v1/calendar");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

#[test]
fn a_new_holiday_lists_that_days_bookings_as_closed() {
    let _t = turn();
    let admin = district();
    let d = days();
    // The last bookable day: no other test books it.
    let day = d.last().unwrap().clone();
    let start = starts(&day)[2].clone();
    let (who, b) = booked(&day, &start);
    assert_eq!(reason_of(&affected(&admin), &b), None);
    let put = |cookie: &str, body: Value| put_as(cookie, "/api/v1/calendar", &body.to_string());
    let holiday = json!({"date": day, "kind": "holiday"});

    // Only the district admin sets the calendar.
    let (resident, _, _) = register_resident();
    for (who, cookie) in
        [("center admin", sign_in("admin.putuo", DEMO_PASSWORD)), ("window staff", sign_in("window.putuo", DEMO_PASSWORD)), ("resident", resident)]
    {
        assert_eq!(put(&cookie, holiday.clone()).error_code(403), "forbidden", "{who}");
    }
    assert_eq!(put_with("/api/v1/calendar", &holiday.to_string(), &[("Origin", &base())]).error_code(401), "unauthenticated");
    assert_eq!(put(&admin, json!({"date": "2026-13-01", "kind": "holiday"})).error_code(400), "invalid_config");
    assert_eq!(put(&admin, json!({"date": "2026-13-01", "kind": "holiday"})).json()["error"]["field"], "date");
    assert_eq!(put(&admin, json!({"date": day, "kind": "vacation"})).error_code(400), "malformed_json");
    assert!(!calendar().iter().any(|c| c["date"] == day), "none of that wrote a day");
    assert!(days().contains(&day));

    let _clear = ClearDay(day.clone());
    let r = put(&admin, holiday.clone());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), holiday);
    assert!(calendar().contains(&holiday), "listed");
    assert!(!days().contains(&day), "a holiday is not bookable");
    assert_eq!(book(&register_resident().0, &day, &start).error_code(400), "date_not_bookable");
    assert_eq!(reason_of(&affected(&admin), &b).as_deref(), Some("closed_day"));
    assert_eq!(state_of(&who, &b), "confirmed", "kept for staff to handle, not cancelled");

    let r = put(&admin, json!({"date": day, "kind": null}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!calendar().iter().any(|c| c["date"] == day), "cleared");
    assert!(days().contains(&day));
    assert_eq!(reason_of(&affected(&admin), &b), None);

    // A weekend working day (调休), far from any bookable day.
    let mut sunday = chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
    while chrono::Datelike::weekday(&sunday) != chrono::Weekday::Sun {
        sunday += chrono::Duration::days(1);
    }
    let _clear_sunday = ClearDay(sunday.to_string());
    let workday = json!({"date": sunday.to_string(), "kind": "workday"});
    assert_eq!(put(&admin, workday.clone()).status, 200);
    assert!(calendar().contains(&workday));
}

/// Issue 17: a refusal names the center's own limit (not the default one) and each booking says until
/// when it may be cancelled or moved, from the same rules the edge enforces.
#[test]
fn refusals_and_deadlines_follow_the_centers_own_rules() {
    let _t = turn();
    let admin = district();
    let before = config(&admin);
    let _restore = Restore(before.clone());
    let mut cfg = before.clone();
    cfg["rules"]["max_active_per_person"] = json!(1);
    cfg["rules"]["cancel_before_minutes"] = json!(45);
    let r = save(&admin, &cfg);
    assert_eq!(r.status, 200, "{}", r.body);

    let (me, _, _) = register_resident();
    let (d1, d2) = (days()[1].clone(), days()[2].clone());
    let first = book(&me, &d1, &starts(&d1)[0]);
    assert_eq!(first.status, 201, "{}", first.body);
    let b = first.json();
    let slot = chrono::NaiveDateTime::parse_from_str(&format!("{} {}", b["date"].as_str().unwrap(), b["start"].as_str().unwrap()), "%Y-%m-%d %H:%M").unwrap();
    let slot_epoch = slot.and_utc().timestamp() - 8 * 3600;
    assert_eq!(b["cancel_until"].as_i64(), Some(slot_epoch - 45 * 60), "45 minutes before the slot, as the center set: {b}");

    let second = book(&me, &d2, &starts(&d2)[0]);
    assert_eq!(second.error_code(409), "limit_reached");
    let e = second.json()["error"].clone();
    assert!(e["message"].as_str().unwrap().contains("总共 1 个"), "the center's limit of one, not the default three: {e}");
    assert_eq!(e["params"]["max"], "1");
    let en = post_with(
        "/api/v1/bookings",
        &json!({"center_id": CENTER, "item_id": ITEM, "date": d2, "start": starts(&d2)[0]}).to_string(),
        &[("Origin", &base()), ("Cookie", &me), ("Idempotency-Key", &unique("cfg-en-")), ("Accept-Language", "en")],
    );
    assert_eq!(en.json()["error"]["message"], "Booking limit reached (one per item per day, 1 active in all)");
    assert_eq!(get_with("/api/v1/bookings", &[("Cookie", &me)]).json()[0]["cancel_until"], b["cancel_until"], "the list says it too");
}
